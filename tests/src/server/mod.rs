//! A real HTTP test server that checks Awal request signatures with its own HMAC code.
//!
//! [`TestServer::start`] binds `127.0.0.1:0` and serves on a spawned tokio task until the [`TestServer`] is
//! dropped. Every request is recorded ([`TestServer::requests`]); requests that pass authentication get the next
//! queued [`CannedResponse`] ([`TestServer::enqueue`]); the others get the error the real API documents
//! (`awal-api.md` §2.5 and §4.2):
//!
//! | outcome | status | `error` |
//! |---|---|---|
//! | [`AuthOutcome::MissingHeaders`] (absent, repeated or malformed) | 400 | `missing_headers` |
//! | [`AuthOutcome::WrongCredentials`] | 401 | `authentication_failed` |
//! | [`AuthOutcome::StaleTimestamp`] | 403 | `invalid_timestamp` |
//! | [`AuthOutcome::BadSignature`] | 401 | `authentication_failed` |
//!
//! Checks run in that order and the first failure wins. Before them, a request whose path is outside the
//! configured base path gets 404 `resource_not_found` (its auth outcome is still recorded, computed over the
//! full path), and one whose body cannot be read gets 400 `invalid_body`. A request that passes auth while no
//! response is queued gets 500 `no_canned_response`. All error bodies use the documented envelope
//! `{"error", "message", "details"?, "request_id": "req_test"}` with `Content-Type: application/json`.
//! `invalid_timestamp` is this server's choice: the docs give 403 for a stale timestamp but no error code.

pub(crate) mod auth;
mod wire;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub use auth::compute_signature;

/// Largest request body the server reads (bytes). The real API documents a 5 MB limit for contact files.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The `request_id` of every error envelope the server produces.
const REQUEST_ID: &str = "req_test";

/// What the test server accepts: credentials, base path, and its (fixed) clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The HMAC secret (`hmacSecret` in the docs).
    pub secret: Vec<u8>,
    /// The only accepted `X-Client-ID` value.
    pub client_id: String,
    /// The only accepted `X-Domain` value.
    pub domain: String,
    /// Path prefix the API lives under, e.g. `/api/developer`; it is removed from the path before signing.
    /// A trailing `/` is ignored. Use `""` to serve at the root.
    pub base_path: String,
    /// The server's clock in unix seconds; `X-Timestamp` is checked against this, never against the real clock.
    pub now: u64,
    /// Largest accepted `|now - X-Timestamp|` in seconds, e.g. 300.
    pub max_skew_seconds: u64,
}

/// A response to send to the next request that passes authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedResponse {
    /// HTTP status code (100..=999).
    pub status: u16,
    /// Response headers, sent in this order.
    pub headers: Vec<(String, String)>,
    /// Raw response body.
    pub body: Vec<u8>,
}

impl CannedResponse {
    /// A response with `Content-Type: application/json` and `body` serialized compactly.
    pub fn json(status: u16, body: Value) -> Self {
        CannedResponse {
            status,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: serde_json::to_vec(&body).expect("a serde_json::Value always serializes"),
        }
    }

    /// Adds a response header (appended after the existing ones; repeated names are sent repeatedly).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Checks that this can be sent, so a bad canned response fails the test at `enqueue`, not in the server.
    fn validate(&self) {
        assert!(
            StatusCode::from_u16(self.status).is_ok(),
            "CannedResponse: invalid HTTP status {}",
            self.status
        );
        for (name, value) in &self.headers {
            assert!(
                HeaderName::from_bytes(name.as_bytes()).is_ok(),
                "CannedResponse: invalid header name {name:?}"
            );
            assert!(
                HeaderValue::from_str(value).is_ok(),
                "CannedResponse: invalid value {value:?} for header {name:?}"
            );
        }
    }

    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = StatusCode::from_u16(self.status).expect("validated at enqueue");
        for (name, value) in self.headers {
            response.headers_mut().append(
                HeaderName::from_bytes(name.as_bytes()).expect("validated at enqueue"),
                HeaderValue::from_str(&value).expect("validated at enqueue"),
            );
        }
        response
    }
}

/// The result of checking a request's authentication headers and signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// All required headers are present, the credentials match, the timestamp is fresh and the signature is right.
    Valid,
    /// Required headers that are absent, repeated, or malformed (`Accept` without `application/json`, an
    /// `X-Timestamp` that is not decimal digits), spelled as the docs spell them (e.g. `X-Timestamp`), in the
    /// docs' order: `Accept`, `X-Awal-Signature-256`, `X-Timestamp`, `X-Domain`, `X-Client-ID`.
    MissingHeaders(Vec<String>),
    /// `|now - timestamp| > max_skew_seconds`.
    StaleTimestamp {
        /// The request's `X-Timestamp`.
        timestamp: u64,
        /// The server's configured clock.
        now: u64,
    },
    /// The signature header is not `sha256=` + the 64 lowercase hex digits the server computed.
    BadSignature {
        /// The header value the server computed (`sha256=<hex>`).
        expected: String,
        /// The header value received, as is.
        received: String,
    },
    /// `X-Client-ID` and/or `X-Domain` differ from the configuration; the text says which and how.
    WrongCredentials(String),
}

/// One part of a `multipart/form-data` body, as parsed by multer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    /// The part's `name` (from `Content-Disposition`).
    pub name: String,
    /// The part's `filename`, if any.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The part's content.
    pub bytes: Bytes,
}

/// Everything the server saw of one request, and what it decided about authentication.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method as received.
    pub method: String,
    /// The full path as received (including the base path), not percent-decoded.
    pub path: String,
    /// The raw query string without the leading `?`; `None` when the request target has no `?`.
    pub query: Option<String>,
    /// The HTTP version as received, e.g. `HTTP/1.1`.
    pub version: String,
    /// Headers with lowercase names, in received order (repeated names are grouped at their first occurrence);
    /// values that are not UTF-8 are decoded lossily.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Bytes,
    /// The authentication verdict.
    pub auth: AuthOutcome,
    /// `Some` when the `Content-Type` is `multipart/form-data`: the parts multer parsed, or multer's error.
    pub form: Option<Result<Vec<FormPart>, String>>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The first multipart part called `name`; `None` if there is none or the body was not parsed as a form.
    pub fn form_part(&self, name: &str) -> Option<&FormPart> {
        match &self.form {
            Some(Ok(parts)) => parts.iter().find(|part| part.name == name),
            _ => None,
        }
    }

    /// A stable, human-readable rendering for insta snapshots:
    ///
    /// ```text
    /// POST /api/developer/contacts?phone_number_id=1 HTTP/1.1
    /// accept: application/json
    /// content-length: 38
    /// …every header except `host` (random port), sorted by name, repeated ones in received order
    ///
    /// <body>
    /// auth: Valid
    /// ```
    ///
    /// The body line(s) are followed by exactly one `\n` before `auth:` (so a body ending in a newline shows a
    /// blank line, and an empty body shows two blank lines). The body is shown as text; `\r` is shown as `␍`;
    /// each run of non-UTF-8 or control bytes (except `\n`, `\t`, `\r`) is shown as
    /// `<N binary bytes: <first 16 bytes in hex>… sha256:<16 hex digits>>` (runs of at most 16 bytes are
    /// shown in full, without the digest). Multipart bodies are rendered the same way, from the raw bytes.
    pub fn wire_text(&self) -> String {
        wire::render(self)
    }
}

/// State shared by the handler and the [`TestServer`] handle.
struct Shared {
    config: ServerConfig,
    responses: Mutex<VecDeque<CannedResponse>>,
    requests: Mutex<Vec<RecordedRequest>>,
}

/// Locks, ignoring poisoning: a panicking test must not hide the recorded requests from the next assertion.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running test server; it stops accepting connections when dropped.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// Serves `router` on a spawned task until the returned sender is used or dropped (so a server handle
/// that owns it stops its server when dropped). Shared by the test server and the mock.
pub(crate) fn serve_until_dropped(
    listener: tokio::net::TcpListener,
    router: Router,
) -> oneshot::Sender<()> {
    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        // Resolves on `send` or when the sender is dropped: either way the server stops.
        let signal = async move {
            let _ = stopped.await;
        };
        // Errors here can only come from the listener after tests are done with it; nothing to report to.
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .await;
    });
    shutdown
}

impl TestServer {
    /// Binds `127.0.0.1:0` and starts serving on a spawned task of the current tokio runtime.
    ///
    /// # Panics
    ///
    /// If the port cannot be bound, or when called outside a tokio runtime.
    pub async fn start(mut config: ServerConfig) -> TestServer {
        let trimmed = config.base_path.trim_end_matches('/').len();
        config.base_path.truncate(trimmed);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("test server: cannot bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("test server: no local address");
        let shared = Arc::new(Shared {
            config,
            responses: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let shutdown = serve_until_dropped(listener, router);
        TestServer {
            addr,
            shared,
            shutdown: Some(shutdown),
        }
    }

    /// `http://127.0.0.1:PORT` followed by the base path (without a trailing `/`), e.g.
    /// `http://127.0.0.1:41234/api/developer`.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.shared.config.base_path)
    }

    /// Queues a response for the next request that passes authentication (first queued, first sent).
    ///
    /// # Panics
    ///
    /// If the status or a header name/value is not valid HTTP.
    pub fn enqueue(&self, response: CannedResponse) {
        response.validate();
        lock(&self.shared.responses).push_back(response);
    }

    /// Every request received so far, in arrival order, including rejected ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The path to sign: `path` without the base path, or `None` if `path` is not under the base path.
fn strip_base_path<'a>(path: &'a str, base_path: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(base_path)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let (body, body_error) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => (bytes, None),
        Err(error) => (Bytes::new(), Some(error.to_string())),
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let config = &shared.config;

    let under_base = strip_base_path(&path, &config.base_path);
    let verdict = auth::verify(
        config,
        &method,
        under_base.unwrap_or(&path),
        query.as_deref(),
        &parts.headers,
        &body,
    );
    let recorded = RecordedRequest {
        method,
        path: path.clone(),
        query,
        version: format!("{:?}", parts.version),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        form: parse_form(&parts.headers, &body).await,
        body,
        auth: verdict.outcome.clone(),
    };
    let request_line = format!("{} {}", recorded.method, recorded.path);
    lock(&shared.requests).push(recorded);

    if under_base.is_none() {
        return error_response(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            &format!(
                "test server: {path} is outside the base path {:?}",
                config.base_path
            ),
            None,
        );
    }
    if let Some(error) = body_error {
        return error_response(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            &format!("test server: could not read the request body: {error}"),
            None,
        );
    }
    match verdict.outcome {
        AuthOutcome::Valid => {}
        AuthOutcome::MissingHeaders(names) => {
            let details: serde_json::Map<String, Value> = verdict
                .header_problems
                .into_iter()
                .map(|problem| (problem.name.to_owned(), Value::String(problem.reason)))
                .collect();
            return error_response(
                StatusCode::BAD_REQUEST,
                "missing_headers",
                &format!("Missing or invalid required headers: {}", names.join(", ")),
                Some(Value::Object(details)),
            );
        }
        AuthOutcome::WrongCredentials(why) => {
            return error_response(
                StatusCode::UNAUTHORIZED,
                "authentication_failed",
                "Invalid client credentials",
                Some(json!({ "credentials": why })),
            );
        }
        AuthOutcome::StaleTimestamp { timestamp, now } => {
            let reason = format!(
                "{timestamp} is {} seconds from server time {now} (allowed: {})",
                now.abs_diff(timestamp),
                config.max_skew_seconds
            );
            return error_response(
                StatusCode::FORBIDDEN,
                "invalid_timestamp",
                if timestamp < now {
                    "Timestamp is too old"
                } else {
                    "Timestamp is too far in the future"
                },
                Some(json!({ "X-Timestamp": reason })),
            );
        }
        AuthOutcome::BadSignature { .. } => {
            return error_response(
                StatusCode::UNAUTHORIZED,
                "authentication_failed",
                "Invalid HMAC signature",
                None,
            );
        }
    }
    let next = lock(&shared.responses).pop_front();
    match next {
        Some(canned) => canned.into_response(),
        None => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no_canned_response",
            &format!("test server: no canned response queued for {request_line}"),
            None,
        ),
    }
}

/// The documented error envelope (§4.2) with `request_id` `req_test`.
fn error_response(
    status: StatusCode,
    error: &str,
    message: &str,
    details: Option<Value>,
) -> Response {
    let mut body = json!({ "error": error, "message": message });
    if let Some(details) = details {
        body["details"] = details;
    }
    body["request_id"] = Value::String(REQUEST_ID.to_owned());
    let bytes = serde_json::to_vec(&body).expect("a serde_json::Value always serializes");
    (status, [(CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// Parses a `multipart/form-data` body with multer; `None` for other content types.
async fn parse_form(headers: &HeaderMap, body: &Bytes) -> Option<Result<Vec<FormPart>, String>> {
    let content_type = String::from_utf8_lossy(headers.get(CONTENT_TYPE)?.as_bytes()).into_owned();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    Some(parse_multipart(&content_type, body.clone()).await)
}

/// The parts of a `multipart/form-data` body, read by multer (a real parser), in order; `content_type`
/// is the request's `Content-Type`, which names the boundary.
pub async fn parse_multipart(content_type: &str, body: Bytes) -> Result<Vec<FormPart>, String> {
    let boundary =
        multer::parse_boundary(content_type).map_err(|error| format!("content-type: {error}"))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| error.to_string())?
    {
        let index = field.index();
        let name = field
            .name()
            .map(str::to_owned)
            .ok_or_else(|| format!("part {index} has no name in its Content-Disposition"))?;
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|error| format!("part {index} ({name:?}): {error}"))?;
        parts.push(FormPart {
            name,
            file_name,
            content_type,
            bytes,
        });
    }
    Ok(parts)
}
