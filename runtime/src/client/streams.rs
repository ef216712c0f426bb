//! The calls whose answer is read as it arrives: [`Client::download`] (a binary body as a
//! [`ByteStream`]) and `Client::events` (server-sent events, feature `sse`).

use super::{Answered, Client};
use crate::call::{Call, Download};
use crate::download::{ByteStream, LiveBody};
use crate::error::Result;
use crate::request::Request;
use crate::response::Response;
use serde::de::DeserializeOwned;
#[cfg(feature = "sse")]
use std::time::Duration;

impl Client {
    /// Sends `request` and hands over the 2xx answer's body as a [`ByteStream`], read as it arrives:
    /// never buffered whole and never capped (the generated methods of operations whose success
    /// answer is binary end with this). Sends `Accept: */*` unless the request asks for a media type.
    ///
    /// Failures are those of [`Client::send`], and the retry policy applies until a 2xx answer
    /// arrives; the client's timeout bounds the wait for the answer's head and each silence of the
    /// body, not the whole transfer. A non-2xx answer's body is read in full (up to
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes)) into [`Error::Api`](crate::Error::Api).
    pub fn download<E: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Call<'_, ByteStream<E>, E, Download> {
        Call::new(self, request, Download)
    }

    /// What awaiting a [`Self::download`] call runs.
    pub(crate) async fn stream_answer<E: DeserializeOwned>(
        &self,
        mut request: Request,
    ) -> Result<Response<ByteStream<E>>, E> {
        request.accept.get_or_insert("*/*");
        let mut prepared = self.prepare(request)?;
        let (status, headers, body, attempts) = match self.call(&mut prepared, true).await? {
            Answered::Live {
                headers,
                response,
                attempts,
            } => (
                response.status(),
                headers.clone(),
                LiveBody::new(response, headers, self.timeout()),
                attempts,
            ),
            // A live call hands over every 2xx answer unread; a body read already is streamed all the same.
            Answered::Buffered {
                status,
                headers,
                body,
                attempts,
            } => (
                status,
                headers.clone(),
                LiveBody::buffered(status, headers, body, self.timeout()),
                attempts,
            ),
        };
        Ok(Response::new(
            status,
            headers,
            ByteStream::new(body),
            attempts,
        ))
    }

    /// Sends `request` and hands over the 2xx answer as a stream of server-sent events, each event's data
    /// read with `decode` (the generated methods of operations whose success answer is
    /// `text/event-stream` end with this). Sends `Accept: text/event-stream` unless the request asks
    /// for another media type.
    ///
    /// Failures before the stream starts are those of [`Client::send`]; a 2xx answer that is not
    /// `text/event-stream` is [`Error::Decode`](crate::Error::Decode) with the start of its body.
    /// See [`sse`](crate::sse) for parsing, malformed events and reconnection (`GET` only).
    #[cfg(feature = "sse")]
    pub fn events<T, E>(
        &self,
        request: Request,
        decode: crate::sse::DataDecoder<T>,
    ) -> Call<'_, crate::sse::Events<T, E>, E, crate::sse::DataDecoder<T>>
    where
        E: DeserializeOwned + Send + 'static,
    {
        Call::new(self, request, decode)
    }

    /// What awaiting an [`Self::events`] call runs.
    #[cfg(feature = "sse")]
    pub(crate) async fn stream_events<T, E>(
        &self,
        mut request: Request,
        decode: crate::sse::DataDecoder<T>,
    ) -> Result<Response<crate::sse::Events<T, E>>, E>
    where
        E: DeserializeOwned + Send + 'static,
    {
        use reqwest::header::CONTENT_TYPE;
        use serde::de::Error as _;

        request.accept.get_or_insert("text/event-stream");
        let mut prepared = self.prepare(request)?;
        let resume = (prepared.method == reqwest::Method::GET).then(|| {
            let mut again = prepared.clone();
            // A reconnection is signed for its own timestamp.
            again.presigned = None;
            again
        });
        let (headers, response, attempts) = match self.call(&mut prepared, true).await? {
            Answered::Live {
                headers,
                response,
                attempts,
            } => (headers, response, attempts),
            Answered::Buffered { status, .. } => {
                return Err(crate::Error::Decode {
                    status,
                    source: serde_json::Error::custom("the event stream was read in full"),
                    body_start: String::new(),
                })
            }
        };
        let status = response.status();
        let media = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(|value| {
                value
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        if let Some(media) = media.filter(|media| media != "text/event-stream") {
            let body_start = match self.read_capped(response, headers.clone()).await {
                super::Attempt::Answer { body, .. } => super::body_start(&body),
                _ => String::new(),
            };
            return Err(crate::Error::Decode {
                status,
                source: serde_json::Error::custom(format!(
                    "expected a text/event-stream answer, got {media}"
                )),
                body_start,
            });
        }
        let policy = self.policy();
        let body = LiveBody::new(response, headers.clone(), self.timeout());
        let events = crate::sse::Events::new(
            body,
            decode,
            self.inner.max_response_bytes,
            resume.map(|prepared| (self.clone(), prepared, policy.max_attempts.max(1))),
        );
        Ok(Response::new(status, headers, events, attempts))
    }

    /// The retry policy of this client's calls.
    pub(crate) fn policy(&self) -> crate::RetryPolicy {
        self.options
            .as_deref()
            .and_then(|o| o.retry)
            .unwrap_or(self.inner.retry)
    }

    /// The wait before reconnection number `reconnection` (1 for the first) when the server set none.
    #[cfg(feature = "sse")]
    pub(crate) fn reconnect_backoff(&self, reconnection: u32) -> Duration {
        self.backoff(&self.policy(), reconnection)
    }

    /// Waits `duration` with the client's sleep function.
    #[cfg(feature = "sse")]
    pub(crate) async fn sleep_for(&self, duration: Duration) {
        (self.inner.sleep)(duration).await;
    }

    /// The longest silence a streamed answer may keep: the client's timeout.
    #[cfg(feature = "sse")]
    pub(crate) fn idle_timeout(&self) -> Duration {
        self.timeout()
    }
}
