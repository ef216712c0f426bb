//! [`Hook`]: a client-wide way to observe and change each request before it is signed and sent, and to
//! observe each answer (extra headers, tracing, metrics).
//!
//! Hooks run for every attempt, retries and reconnections included, and see the operation's id and the
//! attempt's number. They never see a credential: they run before the credentials and the signature
//! are added, and the URL they are shown has no credential query parameters.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::time::Duration;
use url::Url;

/// Observes and changes the requests a client sends, and observes the answers; given to
/// [`ClientBuilder::hook`](crate::ClientBuilder::hook). Both methods do nothing by default.
///
/// ```
/// use openapi_client_runtime::{Auth, ClientBuilder, Hook, HookRequest, HookResponse};
///
/// /// Sends a trace header, and logs each answer.
/// struct Trace;
///
/// impl Hook for Trace {
///     fn on_request(&self, request: &mut HookRequest<'_>) {
///         let id = format!("{}-{}", request.operation().unwrap_or("call"), request.attempt());
///         if let Ok(value) = id.parse() {
///             request.headers_mut().insert("x-trace-id", value);
///         }
///     }
///
///     fn on_response(&self, response: &HookResponse<'_>) {
///         eprintln!("{:?} attempt {}: {:?}", response.operation(), response.attempt(), response.status());
///     }
/// }
///
/// let builder: ClientBuilder = ClientBuilder::new("https://api.example.com", Auth::unsigned()).hook(Trace);
/// # let _ = builder;
/// ```
pub trait Hook: Send + Sync + 'static {
    /// Called before each attempt is signed and sent. Headers added here are sent (and signed, for a
    /// rule that signed headers); the credential and signature headers are added afterwards and replace
    /// any of the same name.
    fn on_request(&self, request: &mut HookRequest<'_>) {
        let _ = request;
    }

    /// Called when an attempt ends: with the answer's status and headers (before its body is read), or
    /// with why no answer came.
    fn on_response(&self, response: &HookResponse<'_>) {
        let _ = response;
    }
}

/// One attempt of a request, as a [`Hook`] sees it before it is signed and sent.
#[derive(Debug)]
pub struct HookRequest<'a> {
    pub(crate) operation: Option<&'static str>,
    pub(crate) attempt: u32,
    pub(crate) method: &'a Method,
    pub(crate) url: &'a Url,
    pub(crate) headers: &'a mut HeaderMap,
}

impl HookRequest<'_> {
    /// The operation's id in the spec (`operationId`), when the request was made by an operation method.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The attempt's number: 1, then 2 for the first retry or reconnection ...
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        self.method
    }

    /// The URL, without credential query parameters.
    pub fn url(&self) -> &Url {
        self.url
    }

    /// The headers so far: the operation's and the client's, without credentials or signature.
    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// The headers, to add or change some. `Content-Type`, `Content-Length`, `Transfer-Encoding` and
    /// `Host` describe the body and the connection: change them and the request is likely refused.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.headers
    }
}

/// How an attempt ended, as a [`Hook`] sees it.
#[derive(Debug)]
pub struct HookResponse<'a> {
    pub(crate) operation: Option<&'static str>,
    pub(crate) attempt: u32,
    pub(crate) method: &'a Method,
    pub(crate) url: &'a Url,
    pub(crate) answer: Result<(StatusCode, &'a HeaderMap), &'a (dyn std::error::Error + 'static)>,
    pub(crate) elapsed: Duration,
}

impl HookResponse<'_> {
    /// The operation's id in the spec, as in [`HookRequest::operation`].
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The attempt's number, as in [`HookRequest::attempt`].
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The HTTP method of the request.
    pub fn method(&self) -> &Method {
        self.method
    }

    /// The URL of the request, without credential query parameters.
    pub fn url(&self) -> &Url {
        self.url
    }

    /// The answer's status, when one came.
    pub fn status(&self) -> Option<StatusCode> {
        self.answer.as_ref().ok().map(|(status, _)| *status)
    }

    /// The answer's headers, when one came.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.answer.as_ref().ok().map(|(_, headers)| *headers)
    }

    /// Why no answer came (no connection, a timeout ...), when none did.
    pub fn error(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.answer.as_ref().err().copied()
    }

    /// The time from sending the request to this moment (the answer's head, or the failure).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}
