//! Errors: [`Error`] for a call, [`ApiError`] for a non-2xx answer, [`ErrorKind`] to act on one,
//! [`ConfigError`] for building a client.
//!
//! None of them ever holds a credential: header values, the signing secret and the signature are never
//! copied into an error, so errors are safe to log.

use crate::response::RateLimit;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::fmt;

/// The result of an API call: `E` is the operation's documented error body.
pub type Result<T, E> = std::result::Result<T, Error<E>>;

/// Why an API call failed. `E` is the type of the API's error body, as the spec documents it (a
/// `serde_json::Value` where it documents none).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E> {
    /// The caller's input was refused before anything was sent.
    #[error("invalid request: {field}: {message}")]
    InvalidRequest {
        /// The part of the request at fault (a header name, `path`, `body` ...).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The request breaks limits the spec documents (a pattern, a length, a count, a range, a file's size
    /// or type, a value outside a closed set); it was not sent. Every broken limit is listed.
    #[error("invalid request: {}", list_problems(.0))]
    Validation(Vec<crate::validate::ValidationError>),
    /// Connecting, sending or reading failed, or timed out. Never contains the secret.
    #[error("request failed: {}", with_causes(.0))]
    Transport(#[source] reqwest::Error),
    /// The status and headers arrived, then the body broke off (a reset, a truncated body, a timeout while
    /// reading). The status says what the server decided: a `201` to a POST means the resource was most
    /// likely created, although its body is lost. Never retried for POST or PATCH.
    #[error(
        "HTTP {status}: the answer's body was cut off: {}",
        with_causes(source)
    )]
    Interrupted {
        /// The status of the answer.
        status: StatusCode,
        /// Its headers.
        headers: HeaderMap,
        /// Why reading stopped.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with a non-2xx status. Boxed to keep `Result` small.
    #[error("{0}")]
    Api(Box<ApiError<E>>),
    /// A 2xx answer whose body did not match the expected type.
    #[error("HTTP {status}: the response body did not match the expected type: {source}")]
    Decode {
        /// The (successful) status of the answer.
        status: StatusCode,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
        /// The start of the body (up to 4 KiB, lossy UTF-8), to see what came instead.
        body_start: String,
    },
    /// No configured credentials meet the operation's security requirement; nothing was sent. For each
    /// alternative of the requirement, in order, the security schemes it lacks (their keys under
    /// `components.securitySchemes`): configure every scheme of one of them.
    #[error("missing credentials: this operation needs {}", list_alternatives(.missing))]
    MissingCredentials {
        /// The schemes each alternative lacks.
        missing: Vec<Vec<String>>,
    },
    /// A streamed answer (server-sent events, a download) sent nothing for as long as the client's
    /// timeout: before its status and headers arrived (`status` is then `None`), or between two pieces
    /// of its body. The connection is closed.
    #[error("{}the answer sent nothing for {after:?}", .status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
    Stalled {
        /// The status, when the head had arrived.
        status: Option<StatusCode>,
        /// How long it was silent: the timeout in force.
        after: std::time::Duration,
    },
    /// A request body or file part streamed from a path or a reader could not be read, or changed
    /// between the pass that signed it and the pass that sent it. The body was not sent whole: a server
    /// never receives a body that differs from what was signed.
    #[error("upload of {name}: {source}")]
    Upload {
        /// The file name of the part, or `body` (a binary body, or the body as a whole).
        name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Writing a downloaded body to a file failed.
    #[error("saving the answer to {}: {source}", .path.display())]
    Save {
        /// The file written.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The answer's body is larger than [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)
    /// allows. Detected from `Content-Length` before reading, or while reading a body sent without one; the
    /// rest is not read. Never retried.
    #[error("HTTP {status}: the response body exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The status of the answer (2xx or not).
        status: StatusCode,
        /// The limit in force, in bytes.
        limit: usize,
    },
}

fn list_alternatives(missing: &[Vec<String>]) -> String {
    missing
        .iter()
        .map(|schemes| {
            schemes
                .iter()
                .map(|scheme| format!("`{scheme}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(", or ")
}

fn list_problems(problems: &[crate::validate::ValidationError]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// reqwest's own message ("error sending request for url (...)") hides why; the one line an error is
/// usually logged as should say it (connection refused, timed out, ...).
fn with_causes(error: &reqwest::Error) -> String {
    causes(error)
}

/// An error's message followed by those of its causes that it does not already say.
pub(crate) fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl<E> Error<E> {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. }
            | Error::ResponseTooLarge { status, .. }
            | Error::Interrupted { status, .. } => Some(*status),
            Error::Transport(error) => error.status(),
            Error::Stalled { status, .. } => *status,
            Error::InvalidRequest { .. }
            | Error::Validation(_)
            | Error::MissingCredentials { .. }
            | Error::Upload { .. }
            | Error::Save { .. } => None,
        }
    }

    /// The API error, when the server answered with a non-2xx status.
    pub fn api(&self) -> Option<&ApiError<E>> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The class of the server's refusal ([`ApiError::kind`]), when the server answered with a non-2xx
    /// status; `None` otherwise.
    ///
    /// A request refused locally ([`Error::InvalidRequest`]) is `None`, not
    /// `Some(ErrorKind::InvalidRequest)`: nothing reached the server, and retry or alerting logic keyed on the
    /// kind should not mistake a bug in the caller's input for the server's answer. Match the variant to
    /// handle both.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.api().map(ApiError::kind)
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A non-2xx answer.
#[derive(Debug, Clone)]
pub struct ApiError<E> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The error body, when it parsed as `E`.
    pub body: Option<E>,
    /// The start of the raw body (up to 4 KiB, lossy UTF-8), kept whether or not it parsed.
    pub raw_body: String,
    /// How many attempts were made, this answer's included (more than 1 when the request was retried; see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    pub attempts: u32,
}

impl<E> ApiError<E> {
    /// The rate-limit headers of the answer (`Retry-After` on a 429).
    pub fn rate_limit(&self) -> RateLimit {
        RateLimit::from_headers(&self.headers)
    }

    /// What kind of refusal this is, from the status alone (see [`ErrorKind`] for the mapping).
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_status(self.status)
    }
}

/// The class of a non-2xx answer, to decide what to do about it (fix the input, fix the credentials or the
/// clock, back off, retry later ...) without matching status codes by hand.
///
/// Derived from the HTTP status only, because that is all every error body has in common:
///
/// | Status    | Kind                | Usual causes                                                   |
/// |-----------|---------------------|----------------------------------------------------------------|
/// | 400, 422  | [`InvalidRequest`]  | validation failed, malformed input, missing headers            |
/// | 401       | [`Authentication`]  | missing or wrong credentials, a bad signature                  |
/// | 403       | [`Forbidden`]       | missing permission; for signed requests, often a stale timestamp |
/// | 404       | [`NotFound`]        | the resource does not exist                                    |
/// | 409       | [`Conflict`]        | the resource conflicts with another (still in use ...)         |
/// | 413       | [`PayloadTooLarge`] | an upload over the size limit                                  |
/// | 429       | [`RateLimited`]     | rate limit exceeded; [`ApiError::rate_limit`] has Retry-After  |
/// | 500–599   | [`Server`]          | server error, service temporarily unavailable                  |
/// | any other | [`Other`]           | anything else                                                  |
///
/// APIs use 400 and 422 interchangeably for validation, so both are [`InvalidRequest`]; telling a 400's
/// causes apart needs the error body. `#[non_exhaustive]`: a kind may be split out of [`Other`] later.
///
/// [`InvalidRequest`]: Self::InvalidRequest
/// [`Authentication`]: Self::Authentication
/// [`Forbidden`]: Self::Forbidden
/// [`NotFound`]: Self::NotFound
/// [`Conflict`]: Self::Conflict
/// [`PayloadTooLarge`]: Self::PayloadTooLarge
/// [`RateLimited`]: Self::RateLimited
/// [`Server`]: Self::Server
/// [`Other`]: Self::Other
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400 or 422: the request was refused as invalid (validation, bad input, missing headers). Fix the
    /// request; retrying it unchanged will fail again.
    InvalidRequest,
    /// 401: authentication failed (signature, secret or credential headers).
    Authentication,
    /// 403: refused although authenticated: a stale timestamp (check the clock) or missing permission.
    Forbidden,
    /// 404: the resource does not exist (or is not visible to these credentials).
    NotFound,
    /// 409: the request conflicts with the resource's current state.
    Conflict,
    /// 413: the body, usually an uploaded file, is too large.
    PayloadTooLarge,
    /// 429: rate limit exceeded; wait as long as [`ApiError::rate_limit`] says before retrying.
    RateLimited,
    /// 5xx: the server failed; the request may succeed later.
    Server,
    /// Any other non-2xx status.
    Other,
}

impl ErrorKind {
    /// The kind for a (non-2xx) status, per the table on [`ErrorKind`]. A 2xx status is
    /// [`Other`](Self::Other): it is not an error this enum classifies.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 | 422 => ErrorKind::InvalidRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            413 => ErrorKind::PayloadTooLarge,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Other,
        }
    }
}

/// `HTTP 401 Unauthorized: {"error":"authentication_failed",...}`: the status, then the first 200
/// characters of the raw body. Requires nothing of `E`, so every error type displays the same way.
impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        let body = self.raw_body.trim();
        if !body.is_empty() {
            f.write_str(": ")?;
            let cut = body
                .char_indices()
                .nth(200)
                .map_or(body.len(), |(at, _)| at);
            f.write_str(&body[..cut])?;
            if cut < body.len() {
                f.write_str("…")?;
            }
        }
        Ok(())
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Required environment variables are unset or empty (all of them are named).
    #[error("missing environment variables: {}", .0.join(", "))]
    MissingEnv(Vec<String>),
    /// The base URL is not an absolute `http`/`https` URL without query, fragment or credentials.
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A header name or value cannot be sent (for example a client id containing a line break). The value is
    /// not repeated here, as it may be a credential.
    #[error("invalid header `{name}`: {reason}")]
    InvalidHeader {
        /// The header name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be created (for example TLS initialization failed).
    #[error("could not create the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(raw_body: &str) -> ApiError<()> {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            headers: HeaderMap::new(),
            body: None,
            raw_body: raw_body.to_owned(),
            attempts: 1,
        }
    }

    #[test]
    fn api_error_display_shows_status_and_start_of_body() {
        let error: Error<()> = Error::Api(Box::new(api_error(
            r#"{"error":"authentication_failed","message":"Invalid HMAC signature","request_id":"req_abc"}"#,
        )));
        assert_eq!(
            error.to_string(),
            r#"HTTP 401 Unauthorized: {"error":"authentication_failed","message":"Invalid HMAC signature","request_id":"req_abc"}"#
        );
        assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
        assert!(error.api().is_some());
        assert_eq!(api_error("  ").to_string(), "HTTP 401 Unauthorized");
    }

    #[test]
    fn api_error_display_cuts_long_bodies_on_a_char_boundary() {
        let shown = api_error(&"م".repeat(500)).to_string();
        assert_eq!(
            shown,
            format!("HTTP 401 Unauthorized: {}…", "م".repeat(200))
        );
    }

    fn api_error_with(status: u16) -> ApiError<()> {
        ApiError {
            status: StatusCode::from_u16(status).expect("valid status"),
            headers: HeaderMap::new(),
            body: None,
            raw_body: String::new(),
            attempts: 1,
        }
    }

    #[test]
    fn every_status_maps_to_its_kind() {
        let expected = [
            (400, ErrorKind::InvalidRequest),
            (422, ErrorKind::InvalidRequest),
            (401, ErrorKind::Authentication),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (413, ErrorKind::PayloadTooLarge),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (502, ErrorKind::Server),
            (503, ErrorKind::Server),
            (504, ErrorKind::Server),
            (599, ErrorKind::Server),
        ];
        for (status, kind) in expected {
            assert_eq!(api_error_with(status).kind(), kind, "{status}");
        }
        // Every other status the `http` crate accepts, informational and redirects included.
        for status in 100..=999 {
            if expected.iter().any(|(listed, _)| *listed == status) || (500..=599).contains(&status)
            {
                continue;
            }
            assert_eq!(api_error_with(status).kind(), ErrorKind::Other, "{status}");
        }
        assert_eq!(ErrorKind::from_status(StatusCode::OK), ErrorKind::Other);
    }

    #[test]
    fn error_kind_is_some_only_for_api_errors() {
        let error: Error<()> = Error::Api(Box::new(api_error_with(422)));
        assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
        let error: Error<()> = Error::Api(Box::new(api_error_with(429)));
        assert_eq!(error.kind(), Some(ErrorKind::RateLimited));

        let refused: Error<()> = Error::invalid("body", "cannot be serialized");
        assert_eq!(refused.kind(), None);
        let decode: Error<()> = Error::Decode {
            status: StatusCode::OK,
            source: serde_json::from_str::<u8>("x").expect_err("not JSON"),
            body_start: "x".to_owned(),
        };
        assert_eq!(decode.kind(), None);
    }

    #[test]
    fn config_error_names_every_missing_variable() {
        let error = ConfigError::MissingEnv(vec!["A".into(), "B".into()]);
        assert_eq!(error.to_string(), "missing environment variables: A, B");
    }

    #[test]
    fn missing_credentials_name_each_alternatives_schemes() {
        let error: Error<()> = Error::MissingCredentials {
            missing: vec![
                vec!["basicAuth".into()],
                vec!["apiKey".into(), "clientId".into()],
            ],
        };
        assert_eq!(
            error.to_string(),
            "missing credentials: this operation needs `basicAuth`, or `apiKey` and `clientId`"
        );
        assert_eq!(error.status(), None);
        let stalled: Error<()> = Error::Stalled {
            status: Some(StatusCode::OK),
            after: std::time::Duration::from_secs(2),
        };
        assert_eq!(
            stalled.to_string(),
            "HTTP 200 OK: the answer sent nothing for 2s"
        );
        assert_eq!(stalled.status(), Some(StatusCode::OK));
    }

    #[test]
    fn invalid_request_display() {
        let error: Error<()> = Error::invalid("X-Trace", "contains a line break");
        assert_eq!(
            error.to_string(),
            "invalid request: X-Trace: contains a line break"
        );
        assert_eq!(error.status(), None);
        assert!(error.api().is_none());
    }
}
