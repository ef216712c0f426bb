//! [`Client`]: builds the URL, picks the credentials, encodes the body once, signs it, sends it (again,
//! when the retry policy says so), and decodes the answer or hands it over as a stream.
//!
//! The generated operation methods fill a [`Request`] and call [`Client::send`] (or
//! [`Client::download`], or `Client::events`); everything that is the same for every operation lives
//! here: credentials ([`Auth`](crate::Auth)), timeouts, retries ([`RetryPolicy`]), per-call overrides
//! ([`RequestOptions`]), hooks ([`Hook`](crate::Hook)), the clock, sleep, jitter and boundary sources
//! (injectable so tests and snapshots are deterministic), and the mapping of answers to [`Error`].
//! [`ClientBuilder`] holds the settings; `prepare.rs` turns a request into what every attempt sends,
//! `attempt.rs` makes one attempt, the signer (`signer.rs`) holds the signing rule, and `streams.rs`
//! the calls whose answer is read as it arrives.

mod attempt;
mod builder;
mod prepare;
mod signer;
mod streams;

pub use builder::ClientBuilder;

use crate::auth::{Credentials, Selection};
use crate::call::{Call, Json};
use crate::error::{ApiError, Error, Result};
use crate::hooks::Hook;
use crate::options::RequestOptions;
use crate::payload::Payload;
use crate::request::Request;
use crate::response::Response;
use crate::retry::{self, BoxFuture, RetryPolicy};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use signer::Signer;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use url::Url;

type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;
#[cfg(feature = "multipart")]
type BoundarySource = Arc<dyn Fn() -> String + Send + Sync>;
type Sleep = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;
type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;

/// How much of a response body is kept in errors.
const BODY_START_LIMIT: usize = 4096;

/// The API client. Cheap to clone (the state is shared), and safe to use from many tasks at once.
///
/// `Debug` shows the base URL and the names of the headers sent, never their values or the secret.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// Set by [`Client::with_options`]; `None` for the client as built.
    pub(crate) options: Option<Arc<RequestOptions>>,
}

pub(crate) struct Inner {
    /// The base URL parsed once, normalized; each request's URL is a copy with path and query set.
    pub(crate) base: Url,
    /// The base URL's path without a trailing slash (`""` for a root URL).
    pub(crate) base_path: String,
    pub(crate) http: reqwest::Client,
    /// Sent on every request: Accept, User-Agent and the builder's headers.
    pub(crate) headers: HeaderMap,
    /// The configured credentials, each named after its security scheme, and the default requirement
    /// that picks which of them a request sends.
    pub(crate) credentials: Credentials,
    pub(crate) signer: Option<Signer>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    #[cfg(feature = "signing")]
    pub(crate) correct_clock_skew: bool,
    /// Seconds added to the clock for the signed timestamp; learnt from the server's `Date` when
    /// `correct_clock_skew` is on, 0 otherwise. Shared by every clone.
    #[cfg(feature = "signing")]
    pub(crate) clock_offset: std::sync::atomic::AtomicI64,
    pub(crate) clock: Clock,
    pub(crate) sleep: Sleep,
    pub(crate) jitter: Jitter,
    #[cfg(feature = "multipart")]
    pub(crate) boundary: BoundarySource,
    /// Called for every attempt, in the order given.
    pub(crate) hooks: Vec<Arc<dyn Hook>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self
            .inner
            .headers
            .keys()
            .chain(self.inner.credentials.header_names())
            .map(HeaderName::as_str)
            .collect();
        if let Some(signer) = &self.inner.signer {
            names.extend(signer.header_names().map(HeaderName::as_str));
        }
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("headers", &names)
            .field("retry", &self.inner.retry)
            .field("options", &self.options)
            .field("hooks", &self.inner.hooks.len())
            .finish_non_exhaustive()
    }
}

/// A request ready to be signed and sent, as many times as the retry policy allows: the body is encoded
/// once, and every attempt sends these same bytes (or reads the same files again).
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    /// The URL sent, credential query parameters included.
    pub(crate) url: Url,
    /// The URL without credential query parameters, when they differ (for hooks, tracing and errors).
    shown_url: Option<Url>,
    /// Every header but the credentials, the signature and the timestamp, which each attempt adds.
    headers: HeaderMap,
    /// The credentials this request sends.
    credentials: Selection,
    pub(crate) body: Option<Payload>,
    /// Whether the body is a form (for a signing rule that signs forms as an empty body).
    #[cfg(all(feature = "signing", feature = "multipart"))]
    pub(crate) is_multipart: bool,
    /// Whether the request carries a signature (its security requirement names the signing scheme).
    pub(crate) signed: bool,
    /// A 3xx answer is decoded as the operation's answer ([`Request::redirect_is_answer`]).
    pub(crate) redirect_is_answer: bool,
    /// The first attempt's timestamp and signature, when they were computed while encoding the form.
    presigned: Option<(u64, HeaderValue)>,
    /// The operation's id, for hooks and tracing.
    operation: Option<&'static str>,
}

impl Prepared {
    /// The URL as hooks, tracing and errors show it: without credential query parameters.
    pub(crate) fn shown_url(&self) -> &Url {
        self.shown_url.as_ref().unwrap_or(&self.url)
    }

    /// Sets a header every later attempt sends (`Last-Event-ID` when a stream reconnects).
    #[cfg(feature = "sse")]
    pub(crate) fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.insert(name, value);
    }
}

/// What one attempt came to.
enum Attempt {
    /// An answer, its body read in full.
    Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// A 2xx answer whose body is left to be read as it arrives.
    Live {
        headers: HeaderMap,
        response: reqwest::Response,
    },
    /// Connecting, sending or reading the headers failed.
    Transport(reqwest::Error),
    /// The status and headers arrived, then reading the body failed.
    Interrupted {
        status: StatusCode,
        headers: HeaderMap,
        error: reqwest::Error,
    },
    /// The body is over the limit; the rest was not read.
    TooLarge(StatusCode),
    /// A streamed call's answer (its head, or an error body) did not come within the timeout.
    Stalled(Option<StatusCode>),
}

/// The successful answer of a call.
pub(crate) enum Answered {
    /// Read in full.
    Buffered {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        attempts: u32,
    },
    /// A 2xx answer whose body is still to be read.
    Live {
        headers: HeaderMap,
        response: reqwest::Response,
        attempts: u32,
    },
}

/// Time spent on one call, for [`RetryPolicy::max_elapsed`]: real time spent in attempts plus the waits
/// asked for. In production a wait takes as long as asked, so this is the wall-clock time; with a sleep
/// function that returns at once (tests), the waits still count, so `max_elapsed` is tested as it works.
struct CallClock {
    start: Instant,
    slept_for_real: Duration,
    waits_asked: Duration,
}

impl CallClock {
    fn start() -> Self {
        Self {
            start: Instant::now(),
            slept_for_real: Duration::ZERO,
            waits_asked: Duration::ZERO,
        }
    }

    fn elapsed(&self) -> Duration {
        self.start
            .elapsed()
            .saturating_sub(self.slept_for_real)
            .saturating_add(self.waits_asked)
    }

    async fn wait(&mut self, sleep: &Sleep, duration: Duration) {
        let before = Instant::now();
        sleep(duration).await;
        self.slept_for_real += before.elapsed();
        self.waits_asked += duration;
    }
}

impl Client {
    /// The base URL requests are sent to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        // Without query and fragment (`build` refused them), the serialized URL ends with its path.
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// A copy of this client whose calls use `options` (retry policy, timeout, extra headers) on top of
    /// this client's settings. Cheap: the connection pool, credentials and learnt clock offset are shared;
    /// `self` is unchanged. Options given to a client that already has some are merged, the new ones
    /// winning.
    ///
    /// ```no_run
    /// # async fn demo(client: openapi_client_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use openapi_client_runtime::{request::Request, Method, RequestOptions, RetryPolicy};
    ///
    /// // This one call is sent once, whatever the client's policy.
    /// let once = client.with_options(RequestOptions::new().retry(RetryPolicy::none()));
    /// once.send::<(), ()>(Request::new(Method::DELETE, "/contacts/7".to_owned())).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_options(&self, options: RequestOptions) -> Client {
        let options = match &self.options {
            Some(current) => current.merged(options),
            None => options,
        };
        Client {
            inner: Arc::clone(&self.inner),
            options: Some(Arc::new(options)),
        }
    }

    /// Sends `request` and decodes the answer: what every generated operation method ends with. The
    /// returned [`Call`] sends nothing until it is awaited.
    ///
    /// Builds the URL, picks the credentials the operation's security requirement asks for, encodes the
    /// body once, signs those exact bytes, sends them, and decodes the answer: 2xx → the JSON body as `T`
    /// (an empty body is read as `null`, so `()` and `Option` work); any other status → [`Error::Api`]
    /// with the body parsed as `E` when it parses. A failed attempt is sent again as the [`RetryPolicy`]
    /// says, signed anew over the same bytes. A request whose inputs broke a documented limit, could not
    /// be encoded, or whose requirement the credentials do not meet fails before anything is sent.
    pub fn send<T: DeserializeOwned, E: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Call<'_, T, E> {
        Call::new(self, request, Json)
    }

    /// As [`Self::send`], reading a 2xx body with `decode` (text, bytes, nothing, or by status).
    pub fn send_with<T, E: DeserializeOwned>(
        &self,
        request: Request,
        decode: crate::decode::Decoder<T>,
    ) -> Call<'_, T, E, crate::decode::Decoder<T>> {
        Call::new(self, request, decode)
    }

    /// What awaiting a [`Self::send`] or [`Self::send_with`] call runs.
    pub(crate) async fn read_answer<T, E: DeserializeOwned>(
        &self,
        request: Request,
        decode: crate::decode::Decoder<T>,
    ) -> Result<Response<T>, E> {
        let mut prepared = self.prepare(request)?;
        match self.call(&mut prepared, false).await? {
            Answered::Buffered {
                status,
                headers,
                body,
                attempts,
            } => decoded(decode, status, headers, &body, attempts),
            // `call` hands over a live body only when asked to; read in full all the same.
            Answered::Live {
                headers,
                response,
                attempts,
            } => {
                let status = response.status();
                match self.read_capped(response, headers).await {
                    Attempt::Answer { headers, body, .. } => {
                        decoded(decode, status, headers, &body, attempts)
                    }
                    other => Err(self.error_of(other, attempts, self.timeout())),
                }
            }
        }
    }

    /// Makes a prepared call: copies one-shot readers first when the request must read its body twice,
    /// then runs the attempts, in a tracing span of its own with the feature `tracing`.
    pub(crate) async fn call<E: DeserializeOwned>(
        &self,
        prepared: &mut Prepared,
        live: bool,
    ) -> Result<Answered, E> {
        #[cfg(feature = "files")]
        self.spool(prepared).await?;
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument as _;
            let span = tracing::info_span!(
                "openapi_client.call",
                operation = prepared.operation.unwrap_or(""),
                method = %prepared.method,
                url = %prepared.shown_url(),
                status = tracing::field::Empty,
                attempts = tracing::field::Empty,
            );
            let recorded = span.clone();
            let answered = self.execute(prepared, live).instrument(span).await;
            match &answered {
                Ok(Answered::Buffered {
                    status, attempts, ..
                }) => {
                    recorded.record("status", status.as_u16());
                    recorded.record("attempts", attempts);
                }
                Ok(Answered::Live {
                    response, attempts, ..
                }) => {
                    recorded.record("status", response.status().as_u16());
                    recorded.record("attempts", attempts);
                }
                Err(error) => {
                    if let Some(status) = error.status() {
                        recorded.record("status", status.as_u16());
                    }
                }
            }
            answered
        }
        #[cfg(not(feature = "tracing"))]
        self.execute(prepared, live).await
    }

    /// The attempts of one call: sends the prepared request, and again as the retry policy says, until
    /// an answer is successful or no retry is left. With `live`, a 2xx answer's body is left unread.
    pub(crate) async fn execute<E: DeserializeOwned>(
        &self,
        prepared: &mut Prepared,
        live: bool,
    ) -> Result<Answered, E> {
        let inner = &*self.inner;
        let policy = self.policy();
        let timeout = self.timeout();

        let mut clock = CallClock::start();
        // Requests sent, the clock-skew correction's included; and retries made under the policy.
        let mut attempts: u32 = 0;
        let mut retries: u32 = 0;
        let mut skew_corrected = false;
        loop {
            attempts += 1;
            let (timestamp, presigned) = match prepared.presigned.take() {
                Some((timestamp, signature)) => (timestamp, Some(signature)),
                None => (self.timestamp(), None),
            };
            let outcome = self
                .attempt(prepared, attempts, timestamp, presigned, timeout, live)
                .await?;
            let outcome = match outcome {
                Attempt::Live { headers, response } => {
                    return Ok(Answered::Live {
                        headers,
                        response,
                        attempts,
                    })
                }
                Attempt::Answer {
                    status,
                    headers,
                    body,
                } if status.is_success()
                    || (prepared.redirect_is_answer && status.is_redirection()) =>
                {
                    return Ok(Answered::Buffered {
                        status,
                        headers,
                        body,
                        attempts,
                    })
                }
                failed => failed,
            };
            let wait = match &outcome {
                Attempt::Answer {
                    status, headers, ..
                } => {
                    if !skew_corrected
                        && self.learn_clock_offset(prepared, *status, headers, timestamp)
                    {
                        skew_corrected = true;
                        continue;
                    }
                    retry::retries_status(&prepared.method, *status).then(|| {
                        let now = i64::try_from(self.timestamp()).unwrap_or(i64::MAX);
                        retry::retry_after(headers, now)
                            .unwrap_or_else(|| self.backoff(&policy, retries + 1))
                    })
                }
                Attempt::Transport(error) => {
                    #[cfg(feature = "files")]
                    if let Some(failed) = upload_failure(error) {
                        return Err(failed);
                    }
                    retry::retries_transport(&prepared.method, error)
                        .then(|| self.backoff(&policy, retries + 1))
                }
                // Retried like a lost connection: only where sending again cannot do harm.
                Attempt::Interrupted { error, .. } => {
                    retry::retries_transport(&prepared.method, error)
                        .then(|| self.backoff(&policy, retries + 1))
                }
                Attempt::Stalled(_) => retry::is_idempotent(&prepared.method)
                    .then(|| self.backoff(&policy, retries + 1)),
                Attempt::TooLarge(_) | Attempt::Live { .. } => None,
            };
            let error = self.error_of(outcome, attempts, timeout);
            match wait {
                Some(wait)
                    if policy.allows_another(retries + 1)
                        && clock.elapsed().saturating_add(wait) <= policy.max_elapsed
                        && prepared.body.as_ref().is_none_or(Payload::replayable) =>
                {
                    clock.wait(&inner.sleep, wait).await;
                    retries += 1;
                }
                _ => return Err(error),
            }
        }
    }

    /// The error for an attempt that did not succeed.
    fn error_of<E: DeserializeOwned>(
        &self,
        outcome: Attempt,
        attempts: u32,
        timeout: Duration,
    ) -> Error<E> {
        match outcome {
            Attempt::Answer {
                status,
                headers,
                body,
            } => Error::Api(Box::new(ApiError {
                status,
                body: serde_json::from_slice(&body).ok(),
                raw_body: body_start(&body),
                headers,
                attempts,
            })),
            // Only a 2xx answer is left live, and that is no failure; kept whole for completeness.
            Attempt::Live { response, headers } => Error::Api(Box::new(ApiError {
                status: response.status(),
                body: None,
                raw_body: String::new(),
                headers,
                attempts,
            })),
            Attempt::Transport(error) => Error::Transport(error),
            Attempt::Interrupted {
                status,
                headers,
                error,
            } => Error::Interrupted {
                status,
                headers,
                source: error,
            },
            Attempt::TooLarge(status) => Error::ResponseTooLarge {
                status,
                limit: self.inner.max_response_bytes,
            },
            Attempt::Stalled(status) => Error::Stalled {
                status,
                after: timeout,
            },
        }
    }

    /// The timeout of each attempt: the call's option, else the client's.
    pub(crate) fn timeout(&self) -> Duration {
        self.options
            .as_deref()
            .and_then(|o| o.timeout)
            .unwrap_or(self.inner.timeout)
    }

    /// The computed wait before retry `retry` under `policy`, drawing a jitter factor only when needed.
    fn backoff(&self, policy: &RetryPolicy, retry: u32) -> Duration {
        let jitter = if policy.jitter {
            (self.inner.jitter)()
        } else {
            1.0
        };
        policy.backoff(retry, jitter)
    }
}

/// The upload failure behind a transport error, when a streamed body could not be read or changed.
#[cfg(feature = "files")]
fn upload_failure<E>(error: &reqwest::Error) -> Option<Error<E>> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(failed) = cause.downcast_ref::<crate::payload::SourceError>() {
            return Some(Error::Upload {
                name: failed.name.clone(),
                source: std::io::Error::new(failed.source.kind(), failed.source.to_string()),
            });
        }
        source = cause.source();
    }
    None
}

pub(crate) fn system_clock() -> u64 {
    // A clock set before 1970 yields 0: the server then refuses the timestamp, which says more than a panic.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The first [`BODY_START_LIMIT`] bytes of a body as text; a character cut in half becomes U+FFFD.
fn body_start(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(BODY_START_LIMIT)]).into_owned()
}

/// A 2xx answer read by the operation's decoder, or [`Error::Decode`] with the start of the body.
fn decoded<T, E>(
    decode: crate::decode::Decoder<T>,
    status: StatusCode,
    headers: HeaderMap,
    body: &Bytes,
    attempts: u32,
) -> Result<Response<T>, E> {
    match decode(status, body) {
        Ok(value) => Ok(Response::new(status, headers, value, attempts)),
        Err(source) => Err(Error::Decode {
            status,
            source,
            body_start: body_start(body),
        }),
    }
}

/// A header given by the caller, or why it cannot be sent.
fn checked_header<E>(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), E> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid(name, "not a valid header name"))?;
    let value = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid(
            name,
            "the value contains characters that cannot be sent, such as a line break",
        )
    })?;
    Ok((header, value))
}

#[cfg(test)]
mod retry_tests;

#[cfg(test)]
mod wire_tests;

#[cfg(test)]
mod stream_tests;

#[cfg(test)]
mod hook_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Auth;
    use crate::client::builder::without_userinfo;
    use crate::error::ConfigError;
    use crate::multipart::Form;
    use crate::request::Request;
    use crate::secret::Secret;
    use crate::signing::{Message, MultipartBody, PathForm, SignedPart, SigningRule};
    use crate::test_server::{Recorded, Reply, Server};
    use reqwest::{Method, StatusCode};

    pub(super) const SECRET: &str = "your-hmac-secret";
    /// The fixed clock of the tests: Mon, 01 Jan 2024 16:00:00 GMT.
    pub(super) const NOW: u64 = 1704124800;

    pub(super) const RULE: SigningRule = SigningRule {
        header: "X-Signature-256",
        prefix: "sha256=",
        timestamp_header: "X-Timestamp",
        parts: &[
            SignedPart::Method,
            SignedPart::Path,
            SignedPart::Query,
            SignedPart::Timestamp,
            SignedPart::Body,
        ],
        path: PathForm::RelativeToServer,
        multipart_body: MultipartBody::Raw,
        clock_skew_status: Some(403),
    };

    pub(super) fn auth(rule: SigningRule) -> Auth {
        Auth::signed(rule, Secret::from(SECRET))
            .header("X-Client-ID", "client-123")
            .header("X-Domain", "your-workspace")
    }

    /// A builder with the fixed clock and boundary, and waits between retries that return at once (the
    /// retry tests record them).
    pub(super) fn builder(base: &str, rule: SigningRule) -> ClientBuilder {
        ClientBuilder::new(format!("{base}/api/developer"), auth(rule))
            .clock(|| NOW)
            .boundary(|| "test-boundary-0001".to_owned())
            .sleep(|_| Box::pin(async {}))
            .jitter(|| 0.5)
    }

    fn client(base: &str, rule: SigningRule) -> Client {
        builder(base, rule).build().expect("valid configuration")
    }

    /// Recomputes the signature of a recorded request, independently of the signing code, from what was
    /// received: method, path (relative to `/api/developer`), query, `X-Timestamp` and body.
    pub(super) fn assert_signed(seen: &Recorded) {
        let mut words = seen.request_line.split(' ');
        let method = words.next().expect("method");
        let target = words.next().expect("target");
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, format!("?{query}")),
            None => (target, String::new()),
        };
        let path = path.strip_prefix("/api/developer").expect("base path");
        let timestamp = seen
            .header("x-timestamp")
            .expect("timestamp")
            .parse()
            .expect("decimal");
        let timestamp: u64 = timestamp;
        // Recomputed with the `hmac` crate directly, not with the signing code under test.
        use hmac::{KeyInit as _, Mac as _};
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
        for part in [method.as_bytes(), path.as_bytes(), query.as_bytes()] {
            mac.update(part);
        }
        mac.update(timestamp.to_string().as_bytes());
        mac.update(&seen.body);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(
            seen.header("x-signature-256"),
            Some(expected.as_str()),
            "{seen:?}"
        );
    }

    pub(super) fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type", "application/json")],
            body: body.as_bytes().to_vec(),
        }
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    pub(super) struct Envelope {
        pub(super) error: String,
        pub(super) message: String,
    }

    #[tokio::test]
    async fn json_request_is_signed_over_the_exact_bytes_sent() {
        let server = Server::start(json(201, r#"{"status":true}"#)).await;
        let mut request = Request::new(Method::POST, "/w/message/text".to_owned());
        request.query("phone_number_id", &123);
        request.json(&serde_json::json!({"phone": "96650000000", "body": "Hello"}));
        let response = client(&server.base, RULE)
            .send::<serde_json::Value, Envelope>(request)
            .await
            .expect("201 with JSON");
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response["status"], true);

        let seen = server.recorded().await;
        assert_eq!(
            seen.request_line,
            "POST /api/developer/w/message/text?phone_number_id=123 HTTP/1.1"
        );
        assert_eq!(seen.body, br#"{"phone":"96650000000","body":"Hello"}"#);
        // The documented worked example, byte for byte.
        assert_eq!(
            seen.header("x-signature-256"),
            Some("sha256=3d3a28eb340079ad838c68984ed0977f001b0f54e5cd6aee42bdbc9561e7170d")
        );
        assert_eq!(seen.header("x-timestamp"), Some("1704124800"));
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(seen.header("accept"), Some("application/json"));
        assert_eq!(
            seen.header("user-agent"),
            Some(concat!(
                env!("CARGO_PKG_NAME"),
                "/",
                env!("CARGO_PKG_VERSION")
            ))
        );
        assert_eq!(seen.header("x-client-id"), Some("client-123"));
        assert_eq!(seen.header("x-domain"), Some("your-workspace"));
        assert_eq!(seen.header("content-length"), Some("38"));
    }

    #[tokio::test]
    async fn empty_2xx_body_decodes_as_unit_and_get_has_no_content_type() {
        let server = Server::start(Reply {
            status: 204,
            headers: vec![],
            body: vec![],
        })
        .await;
        let mut request = Request::new(Method::GET, "/contacts".to_owned());
        request.query("searchTerm", &"Ahmed Mohammed");
        let response = client(&server.base, RULE)
            .send::<(), Envelope>(request)
            .await
            .expect("204 decodes as ()");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);

        let seen = server.recorded().await;
        assert_eq!(
            seen.request_line,
            "GET /api/developer/contacts?searchTerm=Ahmed%20Mohammed HTTP/1.1"
        );
        assert_eq!(seen.header("content-type"), None);
        assert!(seen.body.is_empty());
        let expected = RULE.signature(
            SECRET.as_bytes(),
            &Message {
                method: "GET",
                path: "/contacts",
                query: "?searchTerm=Ahmed%20Mohammed",
                timestamp: 1704124800,
                body: b"",
            },
        );
        assert_eq!(seen.header("x-signature-256"), Some(expected.as_str()));
    }

    #[tokio::test]
    async fn a_public_operation_carries_no_credentials_and_no_signature() {
        let server = Server::start(json(200, "null")).await;
        let mut request = Request::new(Method::GET, "/status".to_owned());
        request.without_auth();
        client(&server.base, RULE)
            .send::<(), Envelope>(request)
            .await
            .expect("200");
        let seen = server.recorded().await;
        for name in ["x-signature-256", "x-timestamp", "x-client-id", "x-domain"] {
            assert_eq!(seen.header(name), None, "{name} must not be sent");
        }
        assert_eq!(seen.header("accept"), Some("application/json"));
    }

    #[tokio::test]
    async fn empty_2xx_body_decodes_as_none() {
        let server = Server::start(json(200, "  ")).await;
        let request = Request::new(Method::DELETE, "/contacts/1".to_owned());
        let response = client(&server.base, RULE)
            .send::<Option<Envelope>, Envelope>(request)
            .await
            .expect("blank body decodes as None");
        assert_eq!(*response.body(), None);
        assert_eq!(
            server.recorded().await.request_line,
            "DELETE /api/developer/contacts/1 HTTP/1.1"
        );
    }

    #[tokio::test]
    async fn non_2xx_is_an_api_error_with_parsed_and_raw_body() {
        let body =
            r#"{"error":"Rate limit exceeded","message":"You have exceeded the rate limit"}"#;
        let mut reply = json(429, body);
        reply.headers.push(("Retry-After", "3600"));
        reply.headers.push(("X-RateLimit-Remaining", "0"));
        let server = Server::start(reply).await;
        let error = client(&server.base, RULE)
            .send::<serde_json::Value, Envelope>(Request::new(Method::GET, "/contacts".to_owned()))
            .await
            .expect_err("429");
        let api = error.api().expect("an API error");
        assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            api.body.as_ref().map(|e| e.error.as_str()),
            Some("Rate limit exceeded")
        );
        assert_eq!(api.raw_body, body);
        assert_eq!(api.rate_limit().retry_after, Some(3600));
        assert_eq!(api.rate_limit().remaining, Some(0));
        // Waiting an hour is beyond the default `max_elapsed`: the answer is returned at once.
        assert_eq!(api.attempts, 1);
        assert_eq!(
            error.to_string(),
            format!("HTTP 429 Too Many Requests: {body}")
        );
        assert_eq!(
            server.recorded().await.header("x-timestamp"),
            Some("1704124800")
        );
    }

    #[tokio::test]
    async fn unparseable_error_body_is_kept_raw_and_truncated() {
        let html = format!("<html>{}</html>", "x".repeat(5000));
        let server = Server::start(Reply {
            status: 502,
            headers: vec![("Content-Type", "text/html")],
            body: html.into_bytes(),
        })
        .await;
        let error = client(&server.base, RULE)
            .with_options(RequestOptions::new().retry(RetryPolicy::none()))
            .send::<serde_json::Value, Envelope>(Request::new(Method::GET, "/contacts".to_owned()))
            .await
            .expect_err("502");
        let api = error.api().expect("an API error");
        assert_eq!(api.body, None);
        assert_eq!(api.raw_body.len(), 4096);
        assert!(api.raw_body.starts_with("<html>xxx"));
        assert_eq!(
            server.recorded().await.request_line,
            "GET /api/developer/contacts HTTP/1.1"
        );
    }

    #[tokio::test]
    async fn undecodable_2xx_is_a_decode_error() {
        let server = Server::start(json(200, r#"{"unexpected":1}"#)).await;
        let error = client(&server.base, RULE)
            .send::<Envelope, Envelope>(Request::new(Method::GET, "/contacts".to_owned()))
            .await
            .expect_err("wrong shape");
        match error {
            Error::Decode {
                status, body_start, ..
            } => {
                assert_eq!(status, StatusCode::OK);
                assert_eq!(body_start, r#"{"unexpected":1}"#);
            }
            other => panic!("expected Decode, got {other:?}"),
        }
        assert_eq!(
            server.recorded().await.request_line,
            "GET /api/developer/contacts HTTP/1.1"
        );
    }

    #[tokio::test]
    async fn full_path_form_and_empty_multipart_body_follow_the_rule() {
        let rule = SigningRule {
            path: PathForm::Full,
            multipart_body: MultipartBody::Empty,
            ..RULE
        };
        let server = Server::start(json(200, "{}")).await;
        let mut form = Form::new();
        form.text("name", "Ahmed Mohammed");
        let mut request = Request::new(Method::PATCH, "/contacts/1".to_owned());
        request.multipart(form);
        client(&server.base, rule)
            .send::<serde_json::Value, Envelope>(request)
            .await
            .expect("200");

        let seen = server.recorded().await;
        assert_eq!(
            seen.header("content-type"),
            Some("multipart/form-data; boundary=test-boundary-0001")
        );
        assert_eq!(
            seen.body,
            b"--test-boundary-0001\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAhmed Mohammed\r\n--test-boundary-0001--\r\n"
        );
        let expected = rule.signature(
            SECRET.as_bytes(),
            &Message {
                method: "PATCH",
                path: "/api/developer/contacts/1",
                query: "",
                timestamp: 1704124800,
                body: b"",
            },
        );
        assert_eq!(seen.header("x-signature-256"), Some(expected.as_str()));
    }

    #[tokio::test]
    async fn json_form_parts_are_sent_as_compact_text_parts() {
        let server = Server::start(json(200, "{}")).await;
        let mut form = Form::new();
        form.json("body_params", &["Ahmed", "1"]);
        form.json_opt("header_params", None::<&Vec<String>>);
        let mut request = Request::new(Method::POST, "/w/message/template".to_owned());
        request.multipart(form);
        client(&server.base, RULE)
            .send::<serde_json::Value, Envelope>(request)
            .await
            .expect("200");
        let seen = server.recorded().await;
        assert_eq!(
            seen.body,
            b"--test-boundary-0001\r\nContent-Disposition: form-data; name=\"body_params\"\r\n\r\n[\"Ahmed\",\"1\"]\r\n--test-boundary-0001--\r\n"
        );
        let expected = RULE.signature(
            SECRET.as_bytes(),
            &Message {
                method: "POST",
                path: "/w/message/template",
                query: "",
                timestamp: 1704124800,
                body: &seen.body,
            },
        );
        assert_eq!(seen.header("x-signature-256"), Some(expected.as_str()));
    }

    #[tokio::test]
    async fn a_boundary_found_in_the_content_is_replaced() {
        let server = Server::start(json(200, "{}")).await;
        let drawn = std::sync::atomic::AtomicUsize::new(0);
        let client = ClientBuilder::new(format!("{}/api/developer", server.base), auth(RULE))
            .boundary(move || {
                format!(
                    "b{}",
                    drawn.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                )
            })
            .build()
            .expect("valid configuration");
        let mut form = Form::new();
        form.text("note", "contains b0 and b1");
        let mut request = Request::new(Method::POST, "/contacts".to_owned());
        request.multipart(form);
        client
            .send::<serde_json::Value, Envelope>(request)
            .await
            .expect("200");
        let seen = server.recorded().await;
        assert_eq!(
            seen.header("content-type"),
            Some("multipart/form-data; boundary=b2")
        );
        assert!(seen.body.starts_with(b"--b2\r\n"));
        // Signed while encoding: the bodies fed to the MAC with b0 and b1 left nothing in the signature.
        assert_signed(&seen);
    }

    #[tokio::test]
    async fn a_form_signed_while_encoding_is_signed_over_the_bytes_sent() {
        let server = Server::start(json(200, "{}")).await;
        // Larger than the pieces the encoder feeds the MAC, and not a multiple of them.
        let file: Vec<u8> = (0..100_003u32).map(|i| (i % 251) as u8).collect();
        let mut form = Form::new();
        form.text("name", "Ahmed Mohammed");
        form.file(
            "file",
            &crate::FilePart::new(file, "a.bin", "application/octet-stream"),
        );
        form.text("phone", "96650000000");
        let mut request = Request::new(Method::POST, "/contacts".to_owned());
        request.query("phone_number_id", &123);
        request.multipart(form);
        client(&server.base, RULE)
            .send::<serde_json::Value, Envelope>(request)
            .await
            .expect("200");
        let seen = server.recorded().await;
        assert!(seen.body.len() > 100_003);
        assert_eq!(
            seen.request_line,
            "POST /api/developer/contacts?phone_number_id=123 HTTP/1.1"
        );
        assert_eq!(seen.header("x-timestamp"), Some(NOW.to_string().as_str()));
        assert_signed(&seen);
    }

    #[tokio::test]
    async fn bad_input_is_refused_before_anything_is_sent() {
        // Nothing listens on this address; every case must fail before connecting.
        let client = client("http://127.0.0.1:9", RULE);
        let refused = |error: Error<Envelope>, field: &str| match error {
            Error::InvalidRequest { field: got, .. } => assert_eq!(got, field),
            other => panic!("expected InvalidRequest for {field}, got {other:?}"),
        };

        let mut request = Request::new(Method::GET, "/contacts".to_owned());
        request.header("X-Trace", &"a\r\nX-Injected: 1");
        refused(
            client
                .send::<(), Envelope>(request)
                .await
                .expect_err("line break"),
            "X-Trace",
        );

        let mut request = Request::new(Method::GET, "/contacts".to_owned());
        request.header("Bad Name", &"v");
        refused(
            client
                .send::<(), Envelope>(request)
                .await
                .expect_err("space in name"),
            "Bad Name",
        );

        for path in [
            "/contacts/..",
            "/contacts/.",
            "/contacts/%2e%2E",
            "contacts",
        ] {
            let request = Request::new(Method::DELETE, path.to_owned());
            refused(
                client.send::<(), Envelope>(request).await.expect_err(path),
                "path",
            );
        }

        struct Unserializable;
        impl serde::Serialize for Unserializable {
            fn serialize<S: serde::Serializer>(
                &self,
                _: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        let mut request = Request::new(Method::POST, "/w/message/text".to_owned());
        request.json(&Unserializable);
        refused(
            client
                .send::<(), Envelope>(request)
                .await
                .expect_err("json"),
            "body",
        );

        let mut form = Form::new();
        form.text("note", "--test-boundary-0001");
        let mut request = Request::new(Method::POST, "/contacts".to_owned());
        request.multipart(form);
        refused(
            client
                .send::<(), Envelope>(request)
                .await
                .expect_err("fixed boundary in content"),
            "body",
        );

        let mut form = Form::new();
        form.text("name", "Ahmed");
        form.json_opt("tags", None::<&Unserializable>);
        form.json_opt("meta", Some(&Unserializable));
        let mut request = Request::new(Method::POST, "/contacts".to_owned());
        request.multipart(form);
        let error = client
            .send::<(), Envelope>(request)
            .await
            .expect_err("unserializable JSON part");
        assert_eq!(
            error.to_string(),
            "invalid request: meta: cannot be serialized as JSON: no"
        );
        refused(error, "meta");
    }

    #[tokio::test]
    async fn transport_errors_do_not_leak_credentials() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        drop(listener);
        let error = client(&format!("http://{address}"), RULE)
            .send::<(), Envelope>(Request::new(Method::GET, "/contacts".to_owned()))
            .await
            .expect_err("nothing listens");
        assert!(matches!(error, Error::Transport(_)));
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("sha256="), "{shown}");
    }

    #[tokio::test]
    async fn timeout_is_applied() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        // Accepts and then never answers.
        let silent = tokio::spawn(async move {
            let (connection, _) = listener.accept().await.expect("accept");
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(connection);
        });
        let client = ClientBuilder::new(base, auth(RULE))
            .timeout(Duration::from_millis(200))
            .retry(RetryPolicy::none())
            .build()
            .expect("valid configuration");
        let error = client
            .send::<(), Envelope>(Request::new(Method::GET, "/contacts".to_owned()))
            .await
            .expect_err("times out");
        assert!(
            matches!(&error, Error::Transport(e) if e.is_timeout()),
            "{error:?}"
        );
        silent.abort();
    }

    #[test]
    fn invalid_configuration_fails_at_build_time() {
        let header_error = |auth: Auth| {
            ClientBuilder::new("https://api.example.test", auth)
                .build()
                .expect_err("invalid header")
        };
        let error = header_error(
            Auth::signed(RULE, Secret::from(SECRET)).header("X-Client-ID", "client\n-123"),
        );
        assert!(matches!(&error, ConfigError::InvalidHeader { name, .. } if name == "X-Client-ID"));
        assert!(
            !error.to_string().contains("client"),
            "the value is not repeated: {error}"
        );

        let error = header_error(Auth::signed(RULE, Secret::from(SECRET)).header("X Client", "v"));
        assert!(matches!(&error, ConfigError::InvalidHeader { name, .. } if name == "X Client"));

        let bad_rule = SigningRule {
            header: "X-Signature\n",
            ..RULE
        };
        assert!(matches!(
            header_error(Auth::signed(bad_rule, Secret::from(SECRET))),
            ConfigError::InvalidHeader { .. }
        ));
        let bad_prefix = SigningRule {
            prefix: "sha\r\n",
            ..RULE
        };
        assert!(matches!(
            header_error(Auth::signed(bad_prefix, Secret::from(SECRET))),
            ConfigError::InvalidHeader { .. }
        ));

        let error = ClientBuilder::new("https://api.example.test", auth(RULE))
            .user_agent("agent\0")
            .build()
            .expect_err("invalid user agent");
        assert!(matches!(&error, ConfigError::InvalidHeader { name, .. } if name == "User-Agent"));

        for url in [
            "",
            "api.example.com",
            "ftp://api.example.test",
            "https://h/x?y=1",
            "https://h/x#f",
        ] {
            let error = ClientBuilder::new(url, auth(RULE)).build().expect_err(url);
            assert!(
                matches!(error, ConfigError::InvalidBaseUrl { .. }),
                "{url}: {error:?}"
            );
        }
        let error = ClientBuilder::new("https://user:pa55word@h/api", auth(RULE))
            .build()
            .expect_err("credentials in URL");
        assert!(
            !format!("{error} {error:?}").contains("pa55word"),
            "{error}"
        );
    }

    #[test]
    fn base_url_is_normalized() {
        let base = |url: &str| {
            ClientBuilder::new(url, auth(RULE))
                .build()
                .expect(url)
                .base_url()
                .to_owned()
        };
        assert_eq!(
            base("https://API.example.test/api/developer/"),
            "https://api.example.test/api/developer"
        );
        assert_eq!(base("https://api.example.test"), "https://api.example.test");
        assert_eq!(base(" http://127.0.0.1:8080/ "), "http://127.0.0.1:8080");
    }

    #[test]
    fn debug_output_never_shows_credentials() {
        let builder = ClientBuilder::new("https://api.example.test/api/developer", auth(RULE));
        let shown = format!("{builder:?} {builder:#?} {:?}", auth(RULE));
        let client = builder.build().expect("valid configuration");
        let shown = format!("{shown} {client:?} {client:#?}");
        for hidden in [SECRET, "client-123", "your-workspace"] {
            assert!(!shown.contains(hidden), "{hidden} leaked: {shown}");
        }
        assert!(shown.contains("https://api.example.test/api/developer"));
        assert!(shown.contains("x-client-id"));
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn client_and_its_futures_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        fn assert_send<T: Send>(_: &T) {}
        let client = client("http://127.0.0.1:9", RULE);
        assert_send_sync(&client);
        let future = client.send::<(), Envelope>(Request::new(Method::GET, "/".to_owned()));
        assert_send(&future);
    }

    #[test]
    fn userinfo_is_removed_from_urls_shown_in_errors() {
        assert_eq!(
            without_userinfo("https://u:p@h/x@y"),
            "https://<redacted>@h/x@y"
        );
        assert_eq!(without_userinfo("https://h/x"), "https://h/x");
        assert_eq!(without_userinfo("not a url"), "not a url");
    }
}
