//! [`Call`]: what every generated operation method returns, a request not yet sent. Awaiting it sends the
//! request and reads the answer the way its [`Reader`] says.
//!
//! Why a named type and not `impl Future`: rustc checks every `impl Future` return type as an opaque
//! type of its own, once per operation, which was a large share of checking a big generated crate. A
//! `Call` is a plain struct, and the code that sends it is generic code of this crate, instantiated
//! only where a call is awaited. It is not boxed until then either: a boxed future made in the
//! generated method would compile the whole call, and the answer's `Deserialize`, into the generated
//! crate, awaited or not.

use crate::client::Client;
use crate::error::Result;
use crate::request::Request;
use crate::response::Response;
use crate::retry::BoxFuture;
use serde::de::DeserializeOwned;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A request on its way: sent when first polled (awaited), it then resolves to the decoded answer,
/// `Result<Response<T>, E>`, as [`Client::send`] describes. Dropped before that, nothing is sent.
///
/// `T` is the success type, `E` the type of the API's error bodies, and `R` the [`Reader`] of the
/// answer: [`Json`] unless the operation's answer is text, nothing, one type per status, a byte
/// stream or events.
#[must_use = "a call sends nothing until it is awaited"]
pub struct Call<'a, T, E, R = Json> {
    client: &'a Client,
    /// The request and its reader until the first poll, which turns them into `sent`.
    unsent: Option<(Request, R)>,
    sent: Option<BoxFuture<'a, Result<Response<T>, E>>>,
}

impl<'a, T, E, R> Call<'a, T, E, R> {
    pub(crate) fn new(client: &'a Client, request: Request, reader: R) -> Self {
        Self {
            client,
            unsent: Some((request, reader)),
            sent: None,
        }
    }
}

// No field is pinned in place: the future that runs the call is boxed.
impl<T, E, R> Unpin for Call<'_, T, E, R> {}

impl<T, E, R: Reader<T, E>> Future for Call<'_, T, E, R> {
    type Output = Result<Response<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some((request, reader)) = this.unsent.take() {
            this.sent = Some(reader.start(this.client, request));
        }
        match &mut this.sent {
            Some(sent) => sent.as_mut().poll(cx),
            // `new` fills `unsent`, and the lines above turn it into `sent` on the first poll: one of
            // the two is always set.
            None => unreachable!("a call holds its request or its future"),
        }
    }
}

/// The operation, method and path until the call is sent; never the query, headers or body, which
/// may hold personal data or be large.
impl<T, E, R> fmt::Debug for Call<'_, T, E, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = f.debug_struct("Call");
        match &self.unsent {
            Some((request, _)) => shown
                .field("operation", &request.operation)
                .field("method", &request.method)
                .field("path", &request.path),
            None => shown.field("sent", &true),
        };
        shown.finish_non_exhaustive()
    }
}

/// How a [`Call`] sends its request and reads the answer into `Result<Response<T>, E>`. The runtime's
/// readers are the only ones: [`Json`], a [`Decoder`](crate::decode::Decoder) (text, nothing, or by
/// status), [`Download`], and, with the feature `sse`, an event stream's `sse::DataDecoder`.
pub trait Reader<T, E>: Send + 'static + sealed::Sealed {
    /// Starts the call: prepares, sends and reads as the reader says.
    #[doc(hidden)]
    fn start(self, client: &Client, request: Request) -> BoxFuture<'_, Result<Response<T>, E>>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Json {}
    impl Sealed for super::Download {}
    impl<T> Sealed for crate::decode::Decoder<T> {}
    #[cfg(feature = "sse")]
    impl<T> Sealed for crate::sse::DataDecoder<T> {}
}

/// Reads a 2xx answer's body as JSON into `T` ([`decode::json`](crate::decode::json)).
#[derive(Clone, Copy, Debug, Default)]
pub struct Json;

impl<T, E> Reader<T, E> for Json
where
    T: DeserializeOwned + Send + 'static,
    E: DeserializeOwned + Send + 'static,
{
    fn start(self, client: &Client, request: Request) -> BoxFuture<'_, Result<Response<T>, E>> {
        Box::pin(client.read_answer(request, crate::decode::json::<T>))
    }
}

impl<T, E> Reader<T, E> for crate::decode::Decoder<T>
where
    T: Send + 'static,
    E: DeserializeOwned + Send + 'static,
{
    fn start(self, client: &Client, request: Request) -> BoxFuture<'_, Result<Response<T>, E>> {
        Box::pin(client.read_answer(request, self))
    }
}

/// Hands a 2xx answer's body over as a [`ByteStream`](crate::ByteStream), as [`Client::download`] says.
#[derive(Clone, Copy, Debug, Default)]
pub struct Download;

impl<E> Reader<crate::ByteStream<E>, E> for Download
where
    E: DeserializeOwned + Send + 'static,
{
    fn start(
        self,
        client: &Client,
        request: Request,
    ) -> BoxFuture<'_, Result<Response<crate::ByteStream<E>>, E>> {
        Box::pin(client.stream_answer(request))
    }
}

#[cfg(feature = "sse")]
impl<T, E> Reader<crate::sse::Events<T, E>, E> for crate::sse::DataDecoder<T>
where
    T: Send + 'static,
    E: DeserializeOwned + Send + 'static,
{
    fn start(
        self,
        client: &Client,
        request: Request,
    ) -> BoxFuture<'_, Result<Response<crate::sse::Events<T, E>>, E>> {
        Box::pin(client.stream_events(request, self))
    }
}
