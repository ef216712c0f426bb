//! A mock of the Awal Chat API, to make signed calls without an account.
//!
//! [`MockServer`] serves every operation of `spec/awal.yaml` (embedded in the binary and parsed with
//! `codegen::load::load` at start) under the spec server's base path, `/api/developer`. A request is
//! matched by method and path template (`/contacts/{id}`), and answered with the operation's documented
//! success status and a body built from the spec: the response's `example` when there is one, otherwise
//! one synthesized from the response schema (every property, arrays with one item, enum values, fixed
//! dates and times, `https://storage.awalchat.com/...` URLs). Mutating operations echo the fields they were
//! sent into the `data` they answer, stamp its times with the mock's clock, and answer with the path's id.
//!
//! **Contacts** are kept in memory, so `listContacts`, `createContact`, `updateContact` and `deleteContact`
//! agree with each other: created contacts get ids 1, 2, ...; the list pages (`page`, `limit`, default
//! 10) and filters (`searchTerm` over name and phone); updates change only the fields sent; deleting an
//! unknown id is 404 `resource_not_found`; a duplicate phone number is 409. The other resources are not
//! stored: `getOrder` of any id answers the spec's example order with that id.
//!
//! Every request is checked as the real API documents it (`awal-api.md` §2), by the test server's own
//! HMAC code ([`crate::server`]), in this order; the first failure wins:
//!
//! | check | status | `error` |
//! |---|---|---|
//! | path under `/api/developer` and an operation of the spec at it | 404 / 405 | `resource_not_found` / `method_not_allowed` |
//! | `Accept`, `X-Awal-Signature-256`, `X-Timestamp`, `X-Domain`, `X-Client-ID` present | 400 | `missing_headers` |
//! | `X-Client-ID` and `X-Domain` match | 401 | `authentication_failed` |
//! | `X-Timestamp` within 300 s of the mock's clock | 403 | `invalid_timestamp` |
//! | signature over `METHOD + PATH + QUERY + TIMESTAMP + BODY` | 401 | `authentication_failed` |
//! | path, query and body parse (multipart with multer, JSON with serde_json), as the operation's content type | 400 | `validation_failed` |
//! | files within their field's `x-max-bytes` | 413 | `payload_too_large` |
//! | required fields present | 422 where the operation documents 422, else 400 | `validation_failed` |
//!
//! Contacts add their own rules: a phone number not in international format is 400
//! `invalid_phone_number`, other bad fields 422 `validation_failed`, a taken phone number 409
//! `duplicate_phone_number`, an unknown id 404 `resource_not_found`.
//!
//! Error bodies use the documented envelope `{"error", "message", "details"?, "request_id"}`, with request
//! ids `req_000001`, `req_000002`, ... counting every request. Every response carries a `Date` header from
//! the mock's clock, so [`correct_clock_skew(true)`](awal_client::ClientBuilder::correct_clock_skew) can
//! learn the offset from a 403. Operations with an `x-rate-limit` report `X-RateLimit-*` headers (the
//! mock counts, but never answers 429).
//!
//! Each request is logged in one line on stderr, and kept for [`MockServer::log`]:
//!
//! ```text
//! POST /api/developer/contacts?phone_number_id=1 -> 201 (signature ok, 3 form parts) 2ms
//! GET /api/developer/contacts -> 401 (bad signature: it was signed over the full path /api/developer/contacts; sign /contacts (PathForm::RelativeToServer)) 0ms
//! ```
//!
//! From a test:
//!
//! ```no_run
//! # async fn demo() {
//! use awal_tests::mock::{MockConfig, MockServer};
//! let mock = MockServer::start(MockConfig { clock: Some(1_704_124_800), ..MockConfig::default() }).await;
//! let base_url = mock.base_url(); // http://127.0.0.1:PORT/api/developer
//! # let _ = base_url;
//! # }
//! ```
//!
//! From a shell: `cargo run -p awal-tests --bin awal-mock -- --port 8080`.

mod contacts;
mod spec;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE, DATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use tokio::sync::oneshot;

use crate::server::auth::{self, Verdict};
use crate::server::{compute_signature, parse_multipart, AuthOutcome, FormPart, ServerConfig};
use spec::{Api, Kind, Operation};

/// The client ID the `awal-mock` binary accepts unless told otherwise.
pub const DEFAULT_CLIENT_ID: &str = "mock-client";
/// The workspace domain the `awal-mock` binary accepts unless told otherwise.
pub const DEFAULT_DOMAIN: &str = "mock-workspace";
/// The HMAC secret the `awal-mock` binary accepts unless told otherwise.
pub const DEFAULT_SECRET: &str = "mock-secret";
/// The `phone_number_id` of the WhatsApp number the mock lists (`GET /waba-numbers`, from the spec's
/// example). The mock accepts any non-empty `phone_number_id`.
pub const PHONE_NUMBER_ID: &str = "123456789012345";
/// The largest `|X-Timestamp - now|` the mock accepts, in seconds.
pub const MAX_SKEW_SECONDS: u64 = 300;

/// Largest request body read, in bytes: the largest `x-max-bytes` of the spec (100 MiB) plus room for
/// the other form parts.
const MAX_BODY_BYTES: usize = 101 * 1024 * 1024;
/// How many log lines [`MockServer::log`] keeps.
const LOG_LINES_KEPT: usize = 1000;

/// What the mock accepts, and its clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfig {
    /// The HMAC secret requests must be signed with.
    pub secret: String,
    /// The only accepted `X-Client-ID`.
    pub client_id: String,
    /// The only accepted `X-Domain`.
    pub domain: String,
    /// A fixed time in Unix seconds (for deterministic tests), or `None` for the machine's clock.
    /// `X-Timestamp` is checked against it, and it stamps `created_at`, `updated_at` and `Date`.
    pub clock: Option<u64>,
}

impl Default for MockConfig {
    /// [`DEFAULT_SECRET`], [`DEFAULT_CLIENT_ID`], [`DEFAULT_DOMAIN`] and the machine's clock.
    fn default() -> Self {
        MockConfig {
            secret: DEFAULT_SECRET.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            domain: DEFAULT_DOMAIN.to_owned(),
            clock: None,
        }
    }
}

/// The spec, compiled once per process.
fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        Api::compile(spec::SPEC_TEXT)
            .unwrap_or_else(|problem| panic!("mock: spec/awal.yaml cannot be served: {problem}"))
    })
}

/// State shared by the handler and the [`MockServer`] handle.
struct Shared {
    api: &'static Api,
    config: MockConfig,
    requests: AtomicU64,
    contacts: Mutex<contacts::Contacts>,
    /// Requests per (operation index, rate-limit window).
    rate: Mutex<HashMap<(usize, u64), u64>>,
    log: Mutex<VecDeque<String>>,
}

impl Shared {
    fn now(&self) -> u64 {
        self.config.clock.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs())
        })
    }
}

/// Locks, ignoring poisoning: one panicking request must not take the mock down.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running mock; it stops accepting connections when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("client_id", &self.shared.config.client_id)
            .field("domain", &self.shared.config.domain)
            .field("clock", &self.shared.config.clock)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Binds `127.0.0.1:0` and serves on a spawned task of the current tokio runtime.
    ///
    /// # Panics
    ///
    /// If the port cannot be bound, or when called outside a tokio runtime.
    pub async fn start(config: MockConfig) -> MockServer {
        MockServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), config)
            .await
            .expect("mock: cannot bind 127.0.0.1:0")
    }

    /// Binds `addr` (e.g. `127.0.0.1:8080`) and serves on a spawned task of the current tokio runtime.
    ///
    /// # Errors
    ///
    /// When `addr` cannot be bound (in use, not permitted).
    pub async fn bind(addr: SocketAddr, config: MockConfig) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            api: api(),
            config,
            requests: AtomicU64::new(0),
            contacts: Mutex::new(contacts::Contacts::default()),
            rate: Mutex::new(HashMap::new()),
            log: Mutex::new(VecDeque::new()),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let shutdown = crate::server::serve_until_dropped(listener, router);
        Ok(MockServer {
            addr,
            shared,
            shutdown: Some(shutdown),
        })
    }

    /// `http://127.0.0.1:PORT/api/developer`: what `AWAL_BASE_URL` (or `ClientBuilder::base_url`) should be.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.shared.api.base_path)
    }

    /// The address the mock listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The operations served, as `(operationId, "METHOD /template")`, in spec order.
    pub fn operations(&self) -> Vec<(String, String)> {
        self.shared
            .api
            .operations
            .iter()
            .map(|op| (op.id.clone(), format!("{} {}", op.method, op.template)))
            .collect()
    }

    /// The last log lines (up to 1000), oldest first: the lines also written to stderr.
    pub fn log(&self) -> Vec<String> {
        lock(&self.shared.log).iter().cloned().collect()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// An error answer: status, the envelope's fields, and extra headers. Boxed: it travels in `Result`s.
#[derive(Debug)]
pub(crate) struct Failure(Box<FailureParts>);

#[derive(Debug)]
struct FailureParts {
    status: StatusCode,
    error: String,
    message: String,
    details: Option<Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// What the log line says instead of the error code and message.
    note: Option<String>,
}

impl Failure {
    pub(crate) fn new(status: StatusCode, error: &str, message: &str) -> Self {
        Failure(Box::new(FailureParts {
            status,
            error: error.to_owned(),
            message: message.to_owned(),
            details: None,
            headers: Vec::new(),
            note: None,
        }))
    }

    fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.push((name, value));
        self
    }

    fn with_note(mut self, note: String) -> Self {
        self.0.note = Some(note);
        self
    }

    /// The log line's account of the failure: the note, else the code with the details or message.
    fn note(&self) -> String {
        let parts = &*self.0;
        if let Some(note) = &parts.note {
            return note.clone();
        }
        match parts.details.as_ref().and_then(Value::as_object) {
            Some(details) if !details.is_empty() => {
                let details: Vec<String> = details
                    .iter()
                    .map(|(field, text)| match text {
                        Value::String(text) => format!("{field}: {text}"),
                        other => format!("{field}: {other}"),
                    })
                    .collect();
                format!("{}: {}", parts.error, details.join("; "))
            }
            _ => format!("{}: {}", parts.error, parts.message),
        }
    }

    /// Sets `details`, an object of field → text.
    pub(crate) fn with_details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }

    fn validation(status: StatusCode, field: &str, problem: String) -> Self {
        Failure::new(status, "validation_failed", "Validation failed")
            .with_details(json!({ field: problem }))
    }

    fn into_response(self, request_id: &str) -> Response {
        let parts = *self.0;
        let mut body = json!({ "error": parts.error, "message": parts.message });
        if let Some(details) = parts.details {
            body["details"] = details;
        }
        body["request_id"] = Value::String(request_id.to_owned());
        let mut response = json_response(parts.status, &body);
        for (name, value) in parts.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).expect("a serde_json::Value always serializes");
    (status, [(CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// `2024-01-15T10:30:00Z` for a Unix time.
pub(crate) fn iso_time(unix: u64) -> String {
    chrono::DateTime::from_timestamp(i64::try_from(unix).unwrap_or(i64::MAX), 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `Mon, 15 Jan 2024 10:30:00 GMT` (an HTTP date) for a Unix time.
fn http_date(unix: u64) -> String {
    chrono::DateTime::from_timestamp(i64::try_from(unix).unwrap_or(i64::MAX), 0)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// A request's parsed body.
enum RequestBody {
    None,
    Json(Value),
    Form(Vec<FormPart>),
}

impl RequestBody {
    /// The value of field `name`: a JSON property, or a form text part as a string.
    fn field(&self, name: &str) -> Option<Value> {
        match self {
            RequestBody::None => None,
            RequestBody::Json(value) => value.get(name).cloned(),
            RequestBody::Form(parts) => parts
                .iter()
                .find(|part| part.name == name && part.file_name.is_none())
                .and_then(|part| std::str::from_utf8(&part.bytes).ok())
                .map(|text| Value::String(text.to_owned())),
        }
    }
}

/// An operation whose path template fits the request: its index, itself, and the path parameters' raw values.
type Matched<'a> = (usize, &'a Operation, Vec<(String, String)>);

/// Everything about a request that passed authentication and parsing.
struct Call<'a> {
    index: usize,
    op: &'a Operation,
    path_params: Vec<(String, Value)>,
    query: Vec<(String, String)>,
    body: RequestBody,
    now: u64,
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = Instant::now();
    let number = shared.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let request_id = format!("req_{number:06}");
    let now = shared.now();
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let mut notes = Vec::new();
    let mut response = match serve(&shared, &parts, body, now, &mut notes).await {
        Ok(response) => response,
        Err(failure) => {
            notes.push(failure.note());
            failure.into_response(&request_id)
        }
    };
    if let Ok(date) = HeaderValue::from_str(&http_date(now)) {
        response.headers_mut().insert(DATE, date);
    }
    let line = format!(
        "{} {target} -> {} ({}) {}ms",
        parts.method,
        response.status().as_u16(),
        notes.join(", "),
        started.elapsed().as_millis()
    );
    eprintln!("{line}");
    let mut log = lock(&shared.log);
    if log.len() == LOG_LINES_KEPT {
        log.pop_front();
    }
    log.push_back(line);
    response
}

/// Routes, authenticates, parses and answers one request; `notes` collects what the log line says.
async fn serve(
    shared: &Shared,
    parts: &Parts,
    body: Body,
    now: u64,
    notes: &mut Vec<String>,
) -> Result<Response, Failure> {
    let api = shared.api;
    let path = parts.uri.path();
    let query = parts.uri.query();

    // Route.
    let relative = path
        .strip_prefix(api.base_path.as_str())
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .ok_or_else(|| {
            Failure::new(
                StatusCode::NOT_FOUND,
                "resource_not_found",
                &format!("Not found: the API lives under {}", api.base_path),
            )
        })?;
    let at_path: Vec<Matched<'_>> = api
        .operations
        .iter()
        .enumerate()
        .filter_map(|(index, op)| Some((index, op, op.match_path(relative)?)))
        .collect();
    if at_path.is_empty() {
        return Err(Failure::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            &format!("No operation of the API at {relative}"),
        ));
    }
    let Some((index, op, raw_params)) = at_path
        .iter()
        .find(|(_, op, _)| op.method == parts.method)
        .cloned()
    else {
        let allowed = spec::allowed_methods(at_path.iter().map(|(_, op, _)| *op));
        let mut failure = Failure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &format!(
                "{} is not allowed on {}; allowed: {allowed}",
                parts.method, at_path[0].1.template
            ),
        );
        if let Ok(value) = HeaderValue::from_str(&allowed) {
            failure = failure.with_header(ALLOW, value);
        }
        return Err(failure);
    };

    // Read the body, then authenticate over its exact bytes.
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|error| {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                &format!("The request body could not be read: {error}"),
            )
        })?;
    authenticate(shared, parts, relative, &bytes, now, notes)?;

    // Path and query parameters.
    let mut path_params = Vec::new();
    for (name, raw) in raw_params {
        let kind = op
            .path_params
            .iter()
            .find(|p| p.name == name)
            .map_or(Kind::String, |p| p.kind);
        let value = coerce_param(&name, &raw, kind)?;
        path_params.push((name, value));
    }
    let query_pairs: Vec<(String, String)> = query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    for param in &op.query_params {
        match query_pairs.iter().find(|(name, _)| *name == param.name) {
            None if param.required => {
                return Err(Failure::validation(
                    StatusCode::BAD_REQUEST,
                    &param.name,
                    format!("The {} query parameter is required.", param.name),
                ))
            }
            Some((_, value)) if param.required && value.is_empty() => {
                return Err(Failure::validation(
                    StatusCode::BAD_REQUEST,
                    &param.name,
                    format!("The {} query parameter must not be empty.", param.name),
                ))
            }
            Some((_, value)) => {
                coerce_param(&param.name, value, param.kind)?;
            }
            None => {}
        }
    }

    let body = parse_body(op, &parts.headers, bytes, notes).await?;
    let call = Call {
        index,
        op,
        path_params,
        query: query_pairs,
        body,
        now,
    };
    let (status, value) = dispatch(shared, &call)?;
    let mut response = json_response(status, &value);
    add_rate_limit_headers(shared, &call, response.headers_mut());
    Ok(response)
}

/// A path or query parameter's value as its schema types it; 400 `validation_failed` when it does not parse.
fn coerce_param(name: &str, raw: &str, kind: Kind) -> Result<Value, Failure> {
    let invalid = |what: &str| {
        Failure::validation(
            StatusCode::BAD_REQUEST,
            name,
            format!("The {name} must be {what}."),
        )
    };
    match kind {
        Kind::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| invalid("an integer")),
        Kind::Number => raw
            .parse::<f64>()
            .map(Value::from)
            .map_err(|_| invalid("a number")),
        Kind::Boolean => match raw {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(invalid("true or false")),
        },
        Kind::String | Kind::Other => Ok(Value::String(raw.to_owned())),
    }
}

/// Checks the request's headers and signature with the test server's code ([`auth::verify`]).
fn authenticate(
    shared: &Shared,
    parts: &Parts,
    relative: &str,
    body: &Bytes,
    now: u64,
    notes: &mut Vec<String>,
) -> Result<(), Failure> {
    let config = &shared.config;
    let server_config = ServerConfig {
        secret: config.secret.as_bytes().to_vec(),
        client_id: config.client_id.clone(),
        domain: config.domain.clone(),
        base_path: shared.api.base_path.clone(),
        now,
        max_skew_seconds: MAX_SKEW_SECONDS,
    };
    let method = parts.method.as_str();
    let query = parts.uri.query();
    let Verdict {
        outcome,
        header_problems,
    } = auth::verify(
        &server_config,
        method,
        relative,
        query,
        &parts.headers,
        body,
    );
    match outcome {
        AuthOutcome::Valid => {
            notes.push("signature ok".to_owned());
            Ok(())
        }
        AuthOutcome::MissingHeaders(names) => {
            let details: Map<String, Value> = header_problems
                .into_iter()
                .map(|problem| (problem.name.to_owned(), Value::String(problem.reason)))
                .collect();
            Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "missing_headers",
                &format!("Missing or invalid required headers: {}", names.join(", ")),
            )
            .with_details(Value::Object(details))
            .with_note(format!("missing headers: {}", names.join(", "))))
        }
        AuthOutcome::WrongCredentials(why) => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "authentication_failed",
            "Invalid client credentials",
        )
        .with_note(format!("wrong credentials: {why}"))),
        AuthOutcome::StaleTimestamp { timestamp, now } => {
            let off = now.abs_diff(timestamp);
            let note = format!(
                "stale timestamp: X-Timestamp {timestamp} is {off} s {} the mock's clock {now}",
                if timestamp < now {
                    "behind"
                } else {
                    "ahead of"
                }
            );
            Err(Failure::new(
                StatusCode::FORBIDDEN,
                "invalid_timestamp",
                if timestamp < now {
                    "Timestamp is too old"
                } else {
                    "Timestamp is too far in the future"
                },
            )
            .with_details(json!({
                "X-Timestamp": format!(
                    "{timestamp} is {off} seconds from server time {now} (allowed: {MAX_SKEW_SECONDS})"
                )
            }))
            .with_note(note))
        }
        AuthOutcome::BadSignature { expected, received } => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "authentication_failed",
            "Invalid HMAC signature",
        )
        .with_note(format!(
            "bad signature: {}",
            signature_hint(config, parts, relative, body, &expected, &received)
        ))),
    }
}

/// Why a signature is wrong, when it is one of the usual mistakes (the two readings the docs leave open,
/// a query signed without its `?` or not at all); otherwise what was expected, to compare with
/// `awal_client::signing::sign`. Only ever written to the mock's log, not to the response.
fn signature_hint(
    config: &MockConfig,
    parts: &Parts,
    relative: &str,
    body: &[u8],
    expected: &str,
    received: &str,
) -> String {
    let secret = config.secret.as_bytes();
    let method = parts.method.as_str();
    let full = parts.uri.path();
    let query = parts.uri.query();
    let timestamp: u64 = parts
        .headers
        .get(auth::TIMESTAMP_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse().ok())
        .unwrap_or_default();
    let sign = |path: &str, query: Option<&str>, body: &[u8]| {
        compute_signature(secret, method, path, query, timestamp, body)
    };
    let query_text = query.map(|q| format!("?{q}")).unwrap_or_default();
    let mut candidates = vec![
        (
            sign(full, query, body),
            format!("it was signed over the full path {full}; sign {relative} (PathForm::RelativeToServer)"),
        ),
        (
            sign(relative, query, b""),
            "it was signed over an empty body; sign the exact body bytes sent (MultipartBody::Raw)"
                .to_owned(),
        ),
        (
            sign(full, query, b""),
            format!("it was signed over the full path {full} and an empty body; sign {relative} and the body bytes"),
        ),
    ];
    if let Some(q) = query {
        candidates.push((
            sign(&format!("{relative}{q}"), None, body),
            "the query was signed without its leading `?`".to_owned(),
        ));
        candidates.push((
            sign(relative, None, body),
            "the query string was left out of the string to sign".to_owned(),
        ));
    }
    if let Some((_, why)) = candidates
        .into_iter()
        .find(|(candidate, _)| candidate == received)
    {
        return why;
    }
    let short = |s: &str| s.chars().take(19).collect::<String>();
    format!(
        "expected {}…, got {}… (wrong secret, or a different string to sign: {method} {relative} {:?} {timestamp} + {} body bytes)",
        short(expected),
        short(received),
        query_text,
        body.len()
    )
}

/// Parses the body as the operation's content type says: multipart with multer, JSON with serde_json.
async fn parse_body(
    op: &Operation,
    headers: &HeaderMap,
    bytes: Bytes,
    notes: &mut Vec<String>,
) -> Result<RequestBody, Failure> {
    let Some(spec) = &op.body else {
        notes.push(if bytes.is_empty() {
            "no body".to_owned()
        } else {
            format!("{} body bytes ignored", bytes.len())
        });
        return Ok(RequestBody::None);
    };
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let expected = spec
        .media
        .iter()
        .map(|m| m.content_type.as_str())
        .collect::<Vec<_>>()
        .join(" or ");
    let Some(content_type) = content_type else {
        if bytes.is_empty() && !spec.required {
            notes.push("no body".to_owned());
            return Ok(RequestBody::None);
        }
        notes.push("no Content-Type".to_owned());
        return Err(Failure::validation(
            StatusCode::BAD_REQUEST,
            "body",
            format!("A {expected} body is required."),
        ));
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some(media) = spec.media.iter().find(|m| m.content_type == essence) else {
        notes.push(format!("{essence} body"));
        return Err(Failure::validation(
            StatusCode::BAD_REQUEST,
            "Content-Type",
            format!("Expected {expected}, got {essence}."),
        ));
    };
    let (body, present): (RequestBody, Vec<String>) = if essence == "multipart/form-data" {
        let form = parse_multipart(&content_type, bytes)
            .await
            .map_err(|error| {
                notes.push("unparsable multipart body".to_owned());
                Failure::validation(
                    StatusCode::BAD_REQUEST,
                    "body",
                    format!("Not a valid multipart/form-data body: {error}"),
                )
            })?;
        notes.push(format!(
            "{} form part{}",
            form.len(),
            if form.len() == 1 { "" } else { "s" }
        ));
        for part in &form {
            if media.json_parts.contains(&part.name) {
                if let Err(error) = serde_json::from_slice::<Value>(&part.bytes) {
                    return Err(Failure::validation(
                        StatusCode::BAD_REQUEST,
                        &part.name,
                        format!("The {} part must be JSON text: {error}", part.name),
                    ));
                }
            }
            if let Some((_, limit)) = media.max_bytes.iter().find(|(name, _)| *name == part.name) {
                if part.bytes.len() as u64 > *limit {
                    return Err(Failure::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "File too large",
                    )
                    .with_details(json!({
                        &part.name: format!("The {} may not be larger than {limit} bytes.", part.name)
                    })));
                }
            }
        }
        let present = form
            .iter()
            .filter(|part| !part.bytes.is_empty())
            .map(|part| part.name.clone())
            .collect();
        (RequestBody::Form(form), present)
    } else if essence.contains("json") {
        let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
            notes.push("unparsable JSON body".to_owned());
            Failure::validation(
                StatusCode::BAD_REQUEST,
                "body",
                format!("Not valid JSON: {error}"),
            )
        })?;
        notes.push("JSON body".to_owned());
        let Value::Object(object) = &value else {
            return Err(Failure::validation(
                StatusCode::BAD_REQUEST,
                "body",
                "The body must be a JSON object.".to_owned(),
            ));
        };
        let present = object
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
            .collect();
        (RequestBody::Json(value), present)
    } else {
        notes.push(format!("{} body bytes", bytes.len()));
        (RequestBody::None, Vec::new())
    };
    let missing: Map<String, Value> = media
        .required
        .iter()
        .filter(|name| !present.contains(name))
        .map(|name| {
            (
                name.clone(),
                json!(format!("The {name} field is required.")),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(Failure::new(
            op.validation_status,
            "validation_failed",
            "Validation failed",
        )
        .with_details(Value::Object(missing)));
    }
    Ok(body)
}

/// The contacts operations use the store; every other operation answers from the spec.
fn dispatch(shared: &Shared, call: &Call<'_>) -> Result<(StatusCode, Value), Failure> {
    let id = || {
        call.path_params
            .iter()
            .find(|(name, _)| name == "id")
            .and_then(|(_, value)| value.as_i64())
            .unwrap_or_default()
    };
    let form: &[FormPart] = match &call.body {
        RequestBody::Form(parts) => parts,
        _ => &[],
    };
    let status = call.op.validation_status;
    match call.op.id.as_str() {
        "listContacts" => lock(&shared.contacts).list(&call.query),
        "createContact" => lock(&shared.contacts).create(form, call.now, status),
        "updateContact" => lock(&shared.contacts).update(id(), form, call.now, status),
        "deleteContact" => lock(&shared.contacts).delete(id()),
        _ => Ok((call.op.success, from_spec(call))),
    }
}

/// The operation's example (or synthesized) body, made to fit the call: the path's id, the request's
/// fields echoed into `data` (or the sent `message`), times from the mock's clock, and the page asked for.
fn from_spec(call: &Call<'_>) -> Value {
    let op = call.op;
    let Some(mut value) = op.response.clone() else {
        return json!({});
    };
    let mutating = op.method != Method::GET;
    let id = call
        .path_params
        .iter()
        .find(|(name, _)| name == "id")
        .map(|(_, value)| value.clone());
    let key = ["data", "message"]
        .into_iter()
        .find(|key| value.get(*key).is_some_and(Value::is_object));
    if let Some(target) = key.and_then(|key| value.get_mut(key)?.as_object_mut()) {
        if let Some(id) = id {
            if target.contains_key("id") {
                target.insert("id".to_owned(), id);
            } else if target.contains_key("conversation_id") {
                target.insert("conversation_id".to_owned(), id);
            }
        }
        if mutating {
            for (field, kind) in &op.echo_fields {
                if field == "id" {
                    continue;
                }
                if let Some(sent) = call.body.field(field).and_then(|v| coerce(&v, *kind)) {
                    target.insert(field.clone(), sent);
                }
            }
            let now = iso_time(call.now);
            for field in ["updated_at", "opened_at", "date"] {
                if target.contains_key(field) {
                    target.insert(field.to_owned(), Value::String(now.clone()));
                }
            }
            if op.method == Method::POST && target.contains_key("created_at") {
                target.insert("created_at".to_owned(), Value::String(now));
            }
            if target.get("timestamp").is_some_and(Value::is_i64) {
                target.insert("timestamp".to_owned(), json!(call.now));
            }
        }
    }
    // Open or close a ticket: the route decides the status.
    if call.body.field("route") == Some(json!("closeTicket")) {
        value["message"] = json!("Ticket closed successfully");
        if let Some(data) = value.get_mut("data").and_then(Value::as_object_mut) {
            data.insert("status".to_owned(), json!("closed"));
        }
    }
    if let Some(meta) = value.get_mut("meta").and_then(Value::as_object_mut) {
        for (param, field) in [("page", "current_page"), ("limit", "per_page")] {
            let asked = call
                .query
                .iter()
                .find(|(name, _)| name == param)
                .and_then(|(_, v)| v.parse::<i64>().ok());
            if let (Some(asked), true) = (asked, meta.contains_key(field)) {
                meta.insert(field.to_owned(), json!(asked));
            }
        }
    }
    value
}

/// A sent value as a response field of `kind` types it (form fields are text); `None` when it does not fit.
fn coerce(value: &Value, kind: Kind) -> Option<Value> {
    match (kind, value) {
        (_, Value::Null) => Some(Value::Null),
        (Kind::Integer, Value::Number(n)) if n.is_i64() => Some(value.clone()),
        (Kind::Integer, Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
        (Kind::Number, Value::Number(_)) => Some(value.clone()),
        (Kind::Number, Value::String(s)) => s.trim().parse::<f64>().ok().map(Value::from),
        (Kind::Boolean, Value::Bool(_)) => Some(value.clone()),
        (Kind::Boolean, Value::String(s)) => match s.as_str() {
            "true" | "1" => Some(Value::Bool(true)),
            "false" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        (Kind::String, Value::String(_)) | (Kind::Other, _) => Some(value.clone()),
        _ => None,
    }
}

/// `X-RateLimit-Limit`, `-Remaining` and `-Reset` for operations with an `x-rate-limit`, counting the
/// calls in the current window of the mock's clock.
fn add_rate_limit_headers(shared: &Shared, call: &Call<'_>, headers: &mut HeaderMap) {
    let Some(limit) = call.op.rate_limit else {
        return;
    };
    let window = call.now / limit.per_seconds;
    let used = {
        let mut rate = lock(&shared.rate);
        let count = rate.entry((call.index, window)).or_insert(0);
        *count += 1;
        *count
    };
    let reset = (window + 1) * limit.per_seconds;
    for (name, value) in [
        ("x-ratelimit-limit", limit.requests),
        ("x-ratelimit-remaining", limit.requests.saturating_sub(used)),
        ("x-ratelimit-reset", reset),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}
