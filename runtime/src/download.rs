//! Answers read as they arrive instead of buffered: [`ByteStream`] for binary bodies (downloads), and
//! the live body both it and server-sent events (`sse.rs`) read from.
//!
//! A buffered answer is capped ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes));
//! a streamed one is not: the caller decides what to keep. The client's timeout does not bound the whole
//! transfer (a large download takes as long as it takes) but each silence: the wait for the status and
//! headers, and every wait for the next piece of the body ([`Error::Stalled`]).

use crate::error::Error;
use bytes::Bytes;
use futures_core::Stream;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The pieces of a body as they arrive.
type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A 2xx answer whose body has not been read yet: read piece by piece, each wait bounded.
pub(crate) struct LiveBody {
    chunks: Chunks,
    status: StatusCode,
    /// A copy of the answer's headers, for the errors.
    headers: HeaderMap,
    idle: Duration,
    /// The deadline of the current silence; one timer, re-armed rather than made anew for each piece.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Whether the timer's deadline is set for the current silence.
    armed: bool,
}

/// Why a live body stopped before its end.
pub(crate) enum Broke {
    /// Reading failed (a reset, a body shorter than its `Content-Length` ...).
    Interrupted(reqwest::Error),
    /// Nothing arrived for the idle timeout.
    Stalled,
}

impl LiveBody {
    /// Reads `response`'s body, failing when nothing arrives for `idle`.
    pub(crate) fn new(response: reqwest::Response, headers: HeaderMap, idle: Duration) -> Self {
        let status = response.status();
        let chunks = futures_util::stream::unfold(response, |mut response| async move {
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), response)),
                Ok(None) => None,
                Err(error) => Some((Err(error), response)),
            }
        });
        LiveBody {
            chunks: Box::pin(chunks),
            status,
            headers,
            idle,
            timer: None,
            armed: false,
        }
    }

    /// A body already read in full, as a live body of one piece.
    pub(crate) fn buffered(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        idle: Duration,
    ) -> Self {
        LiveBody {
            chunks: Box::pin(futures_util::stream::iter([Ok(body)])),
            status,
            headers,
            idle,
            timer: None,
            armed: false,
        }
    }

    /// The next piece, `None` at the end of the body.
    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Broke>>> {
        match self.chunks.as_mut().poll_next(cx) {
            Poll::Ready(item) => {
                self.armed = false;
                Poll::Ready(item.map(|result| result.map_err(Broke::Interrupted)))
            }
            Poll::Pending => {
                let deadline = tokio::time::Instant::now() + self.idle;
                let timer = match &mut self.timer {
                    Some(timer) => {
                        if !self.armed {
                            timer.as_mut().reset(deadline);
                        }
                        timer
                    }
                    None => self
                        .timer
                        .insert(Box::pin(tokio::time::sleep_until(deadline))),
                };
                self.armed = true;
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        self.armed = false;
                        Poll::Ready(Some(Err(Broke::Stalled)))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    /// The answer's status.
    #[cfg(feature = "sse")]
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The error for `broke`.
    pub(crate) fn error<E>(&self, broke: Broke) -> Error<E> {
        match broke {
            Broke::Interrupted(source) => Error::Interrupted {
                status: self.status,
                headers: self.headers.clone(),
                source,
            },
            Broke::Stalled => Error::Stalled {
                status: Some(self.status),
                after: self.idle,
            },
        }
    }
}

/// The body of a binary answer (a download), as a stream of byte pieces in the order they arrive: never
/// buffered whole, never capped. `E` is the operation's error type, as in [`Error`].
///
/// Read it piece by piece (it is a [`Stream`]), `save_to` a file (feature `files`), or
/// [`collect`](Self::collect) it with a limit of your choosing. Dropping it closes the connection. A
/// body that breaks off yields [`Error::Interrupted`] (the status and headers of the answer included)
/// and ends; one that stays silent longer than the client's timeout yields [`Error::Stalled`].
///
/// ```no_run
/// # async fn demo(client: openapi_client_runtime::Client) -> Result<(), openapi_client_runtime::Error<serde_json::Value>> {
/// use openapi_client_runtime::{request::Request, Method};
///
/// let response = client
///     .download::<serde_json::Value>(Request::new(Method::GET, "/files/7/content".to_owned()))
///     .await?;
/// let written = response.into_body().save_to("report.pdf").await?;
/// println!("{written} bytes");
/// # Ok(())
/// # }
/// ```
pub struct ByteStream<E> {
    body: LiveBody,
    read: u64,
    done: bool,
    error: PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream")
            .field("status", &self.body.status)
            .field("read", &self.read)
            .field("done", &self.done)
            .finish()
    }
}

impl<E> ByteStream<E> {
    pub(crate) fn new(body: LiveBody) -> Self {
        ByteStream {
            body,
            read: 0,
            done: false,
            error: PhantomData,
        }
    }

    /// The bytes received so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// The body's length as the answer announced it (`Content-Length`), when it did.
    pub fn content_length(&self) -> Option<u64> {
        self.body
            .headers
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.parse().ok())
    }

    /// The whole body in memory, refusing one longer than `limit` bytes with
    /// [`Error::ResponseTooLarge`] as soon as it is known (from `Content-Length`, or while reading).
    pub async fn collect(mut self, limit: usize) -> Result<Bytes, Error<E>> {
        let too_large = |status| Error::ResponseTooLarge { status, limit };
        let status = self.body.status;
        if self
            .content_length()
            .is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX))
        {
            return Err(too_large(status));
        }
        let mut out = Vec::new();
        while let Some(piece) = next(&mut self).await {
            let piece = piece?;
            if piece.len() > limit - out.len() {
                return Err(too_large(status));
            }
            out.extend_from_slice(&piece);
        }
        Ok(Bytes::from(out))
    }

    /// Writes the body to the file at `path` (created, or truncated), piece by piece as it arrives, and
    /// returns the number of bytes written. On failure the file is removed, so a file that exists holds
    /// the whole body; the error is the stream's ([`Error::Interrupted`], [`Error::Stalled`]) or
    /// [`Error::Save`].
    #[cfg(feature = "files")]
    pub async fn save_to(self, path: impl AsRef<std::path::Path>) -> Result<u64, Error<E>> {
        let path = path.as_ref();
        let saved = self.write_file(path).await;
        if saved.is_err() {
            // The error says what went wrong; a partial file left behind would only mislead.
            let _ = tokio::fs::remove_file(path).await;
        }
        saved
    }

    #[cfg(feature = "files")]
    async fn write_file(mut self, path: &std::path::Path) -> Result<u64, Error<E>> {
        use tokio::io::AsyncWriteExt as _;
        let failed = |source| Error::Save {
            path: path.to_owned(),
            source,
        };
        let file = tokio::fs::File::create(path).await.map_err(failed)?;
        // Pieces arrive in tens of kilobytes; writing them in larger blocks keeps system calls few.
        let mut file = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut written = 0u64;
        while let Some(piece) = next(&mut self).await {
            let piece = piece?;
            file.write_all(&piece).await.map_err(failed)?;
            written += piece.len() as u64;
        }
        file.flush().await.map_err(failed)?;
        Ok(written)
    }
}

/// The buffer between a download and its file.
#[cfg(feature = "files")]
const WRITE_BUFFER: usize = 1024 * 1024;

/// The next item of a stream, without `StreamExt`.
async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match this.body.poll_chunk(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(piece))) => {
                this.read += piece.len() as u64;
                Poll::Ready(Some(Ok(piece)))
            }
            Poll::Ready(Some(Err(broke))) => {
                this.done = true;
                Poll::Ready(Some(Err(this.body.error(broke))))
            }
        }
    }
}
