//! One attempt of a call: the hooks, the credentials, the signature, the body this attempt sends, and the
//! answer, read in full up to the size limit or, for a streamed call's 2xx answer, left to be read.

use super::{Attempt, Client, Prepared};
use crate::error::Result;
use crate::hooks::{HookRequest, HookResponse};
use crate::payload::Payload;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use std::fmt;
use std::time::{Duration, Instant};

/// What a hook is told when a streamed call's answer did not come within the timeout.
#[derive(Debug)]
struct NoAnswer(Duration);

impl fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no answer within {:?}", self.0)
    }
}

impl std::error::Error for NoAnswer {}

impl Client {
    /// Makes attempt number `number` of the prepared request, signed for `timestamp` (with `presigned`,
    /// its signature, when already known), and reads the answer. With `live`, `timeout` bounds the wait
    /// for the answer's head and a 2xx answer's body is left unread; otherwise it bounds the whole
    /// attempt.
    pub(super) async fn attempt<E>(
        &self,
        prepared: &Prepared,
        number: u32,
        timestamp: u64,
        presigned: Option<HeaderValue>,
        timeout: Duration,
        live: bool,
    ) -> Result<Attempt, E> {
        let inner = &*self.inner;
        let mut headers = prepared.headers.clone();
        if !inner.hooks.is_empty() {
            let mut view = HookRequest {
                operation: prepared.operation,
                attempt: number,
                method: &prepared.method,
                url: prepared.shown_url(),
                headers: &mut headers,
            };
            for hook in &inner.hooks {
                hook.on_request(&mut view);
            }
        }
        inner
            .credentials
            .add_headers(&prepared.credentials, &mut headers);
        let body = self
            .body_for_attempt(prepared, &mut headers, timestamp, presigned)
            .await?;

        // Built directly rather than with `RequestBuilder`, whose `headers` copies the map entry by entry.
        let mut request = reqwest::Request::new(prepared.method.clone(), prepared.url.clone());
        *request.headers_mut() = headers;
        *request.body_mut() = body;
        let started = Instant::now();
        let sent = if live {
            // No deadline for the whole exchange: a stream lasts as long as it lasts, and its body
            // bounds each silence instead (`LiveBody`).
            match tokio::time::timeout(timeout, inner.http.execute(request)).await {
                Ok(sent) => sent,
                Err(_) => {
                    self.observe(prepared, number, Err(&NoAnswer(timeout)), started);
                    return Ok(Attempt::Stalled(None));
                }
            }
        } else {
            *request.timeout_mut() = Some(timeout);
            inner.http.execute(request).await
        };
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => {
                // reqwest shows the URL in its errors: the one without credentials, then.
                let error = match &prepared.shown_url {
                    Some(shown) => error.with_url(shown.clone()),
                    None => error,
                };
                self.observe(prepared, number, Err(&error), started);
                return Ok(Attempt::Transport(error));
            }
        };
        let status = response.status();
        self.observe(prepared, number, Ok((status, response.headers())), started);
        if live && status.is_success() {
            let headers = std::mem::take(response.headers_mut());
            return Ok(Attempt::Live { headers, response });
        }
        let headers = std::mem::take(response.headers_mut());
        if live {
            // An error body is read in full; the timeout bounds that too.
            return Ok(
                tokio::time::timeout(timeout, self.read_capped(response, headers))
                    .await
                    .unwrap_or(Attempt::Stalled(Some(status))),
            );
        }
        Ok(self.read_capped(response, headers).await)
    }

    /// The body of one attempt, with the signature and timestamp headers added to `headers` when the
    /// request is signed. A body in memory is shared, never copied; a streamed body is opened anew, and
    /// read once more first when the signature covers it.
    async fn body_for_attempt<E>(
        &self,
        prepared: &Prepared,
        headers: &mut HeaderMap,
        timestamp: u64,
        presigned: Option<HeaderValue>,
    ) -> Result<Option<reqwest::Body>, E> {
        let inner = &*self.inner;
        let signer = inner.signer.as_ref().filter(|_| prepared.signed);
        #[cfg(feature = "files")]
        if let Some(Payload::Streamed(streamed)) = &prepared.body {
            let upload = |failed: crate::payload::SourceError| crate::Error::Upload {
                name: failed.name,
                source: failed.source,
            };
            if let Some(signer) = signer {
                if let Some((lengths, check)) = signer
                    .sign_streamed(headers, prepared, streamed, &inner.base_path, timestamp)
                    .await?
                {
                    return Ok(Some(streamed.body(lengths, Some(check))));
                }
            }
            let lengths = streamed.lengths().await.map_err(upload)?;
            return Ok(Some(streamed.body(lengths, None)));
        }
        if let Some(signer) = signer {
            match presigned {
                Some(signature) => signer.insert(headers, signature, timestamp),
                None => signer.sign_into(headers, prepared, &inner.base_path, timestamp)?,
            }
        }
        Ok(prepared.body.as_ref().and_then(Payload::in_memory))
    }

    /// Tells the hooks, and the tracing subscriber, how attempt `number` ended.
    fn observe(
        &self,
        prepared: &Prepared,
        number: u32,
        answer: std::result::Result<(StatusCode, &HeaderMap), &(dyn std::error::Error + 'static)>,
        started: Instant,
    ) {
        let elapsed = started.elapsed();
        #[cfg(feature = "tracing")]
        match &answer {
            Ok((status, _)) => tracing::debug!(
                attempt = number,
                status = status.as_u16(),
                elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                "attempt answered"
            ),
            Err(error) => tracing::debug!(
                attempt = number,
                error = %crate::error::causes(*error),
                elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                "attempt failed"
            ),
        }
        let hooks = &self.inner.hooks;
        if hooks.is_empty() {
            return;
        }
        let view = HookResponse {
            operation: prepared.operation,
            attempt: number,
            method: &prepared.method,
            url: prepared.shown_url(),
            answer,
            elapsed,
        };
        for hook in hooks {
            hook.on_response(&view);
        }
    }

    /// Reads an answer's body in full, up to the size limit.
    pub(super) async fn read_capped(
        &self,
        mut response: reqwest::Response,
        headers: HeaderMap,
    ) -> Attempt {
        let status = response.status();
        let limit = self.inner.max_response_bytes;
        let announced = response.content_length();
        if announced.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Attempt::TooLarge(status);
        }
        // `announced` is at most `limit` here, so this allocation is bounded too.
        let capacity = announced.map_or(0, |length| usize::try_from(length).unwrap_or(0));
        let mut body = Vec::with_capacity(capacity);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if chunk.len() > limit - body.len() {
                        return Attempt::TooLarge(status);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => {
                    return Attempt::Interrupted {
                        status,
                        headers,
                        error,
                    }
                }
            }
        }
        Attempt::Answer {
            status,
            headers,
            body: Bytes::from(body),
        }
    }
}
