//! [`Client`]: builds the URL, encodes the body once, signs it, sends it, and decodes the answer.
//!
//! The generated operation methods fill a [`Request`] and call [`Client::send`]; everything that is the
//! same for every operation lives here: credentials ([`Auth`]), timeouts, the clock and boundary sources
//! (injectable so tests and snapshots are deterministic), and the mapping of answers to [`Error`].

use crate::error::{ApiError, ConfigError, Error, Result};
use crate::multipart::{self, EncodeError, Form};
use crate::request::{Body, Request};
use crate::response::Response;
use crate::secret::Secret;
use crate::signing::{Message, MultipartBody, PathForm, SigningRule};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;
type BoundarySource = Arc<dyn Fn() -> String + Send + Sync>;

/// How much of a response body is kept in errors.
const BODY_START_LIMIT: usize = 4096;
/// Boundaries drawn before giving up when each one occurs in the content (a random one practically never
/// does; a fixed test boundary always will, and must not loop).
const BOUNDARY_ATTEMPTS: usize = 3;

/// Credentials: an optional signing rule with its secret, and static headers (client id, workspace ...).
///
/// `Debug` shows the rule and the header names, never the secret or the header values.
#[derive(Clone)]
#[must_use = "credentials do nothing until given to `ClientBuilder::new`"]
pub struct Auth {
    signing: Option<(SigningRule, Secret)>,
    headers: Vec<(&'static str, String)>,
}

impl Auth {
    /// Sign every request with `rule`, keyed with `secret`.
    pub fn signed(rule: SigningRule, secret: Secret) -> Self {
        Self {
            signing: Some((rule, secret)),
            headers: Vec::new(),
        }
    }

    /// No signing rule: only the static headers added with [`Auth::header`] (for APIs that declare no
    /// `x-signing`).
    pub fn unsigned() -> Self {
        Self {
            signing: None,
            headers: Vec::new(),
        }
    }

    /// Also send the header `name: value` on every request. Checked by [`ClientBuilder::build`].
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("Auth")
            .field("rule", &self.signing.as_ref().map(|(rule, _)| rule))
            .field("secret", &self.signing.as_ref().map(|(_, secret)| secret))
            .field("headers", &names)
            .finish()
    }
}

/// Configures and builds a [`Client`]. Every setting is checked by [`ClientBuilder::build`], so a bad
/// value (a header with a line break, a malformed URL) fails there, never while sending.
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    clock: Option<Clock>,
    boundary: Option<BoundarySource>,
    http_client: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("custom_clock", &self.clock.is_some())
            .field("custom_boundary", &self.boundary.is_some())
            .field("custom_http_client", &self.http_client.is_some())
            .finish()
    }
}

impl ClientBuilder {
    /// A builder for `base_url` (for example `https://api.awalchat.com/api/developer`) with `auth`.
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        Self {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("awal-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            clock: None,
            boundary: None,
            http_client: None,
        }
    }

    /// Replaces the base URL (a test server, a staging environment ...).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time allowed for one request, from sending to the last body byte. Default 60 s.
    pub fn timeout(mut self, duration: Duration) -> Self {
        self.timeout = duration;
        self
    }

    /// Time allowed to open a connection. Default 10 s. Not applied to a client given to
    /// [`http_client`](Self::http_client), which keeps its own.
    pub fn connect_timeout(mut self, duration: Duration) -> Self {
        self.connect_timeout = duration;
        self
    }

    /// The `User-Agent` header. Default `awal-client/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The clock giving the signed timestamp in Unix seconds. Default: the system clock.
    pub fn clock(mut self, now_unix_seconds: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now_unix_seconds));
        self
    }

    /// The source of multipart boundaries. Default: [`multipart::random_boundary`].
    pub fn boundary(mut self, next_boundary: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.boundary = Some(Arc::new(next_boundary));
        self
    }

    /// Uses this reqwest client (to share a connection pool, set a proxy ...). Redirects are not followed
    /// by the default client (a redirected request would carry a signature for another URL); a client given
    /// here keeps its own redirect policy.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks every setting and builds the client.
    pub fn build(self) -> std::result::Result<Client, ConfigError> {
        let (base_url, base_path) = parse_base_url(&self.base_url)?;

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| invalid_header_value("User-Agent"))?;
        headers.insert(USER_AGENT, user_agent);
        let mut credential_headers = HeaderMap::new();
        for (name, value) in &self.auth.headers {
            let header = header_name(name)?;
            let mut value = HeaderValue::from_str(value).map_err(|_| invalid_header_value(name))?;
            // Keeps the value out of HTTP/2 header compression tables and out of reqwest's own Debug output.
            value.set_sensitive(true);
            credential_headers.insert(header, value);
        }

        let signer = match self.auth.signing {
            Some((rule, secret)) => {
                HeaderValue::from_str(rule.prefix)
                    .map_err(|_| invalid_header_value(rule.header))?;
                Some(Signer {
                    header: header_name(rule.header)?,
                    timestamp_header: header_name(rule.timestamp_header)?,
                    rule,
                    secret,
                })
            }
            None => None,
        };

        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(ConfigError::Http)?,
        };

        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                base_path,
                http,
                headers,
                credential_headers,
                signer,
                timeout: self.timeout,
                clock: self.clock.unwrap_or_else(|| Arc::new(system_clock)),
                boundary: self
                    .boundary
                    .unwrap_or_else(|| Arc::new(multipart::random_boundary)),
            }),
        })
    }
}

/// The API client. Cheap to clone (the state is shared), and safe to use from many tasks at once.
///
/// `Debug` shows the base URL and the names of the headers sent, never their values or the secret.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// Normalized, without a trailing slash.
    base_url: String,
    /// The base URL's path without a trailing slash (`""` for a root URL).
    base_path: String,
    http: reqwest::Client,
    /// Sent on every request: Accept and User-Agent.
    headers: HeaderMap,
    /// Sent on every authenticated request (all but `security: []` operations).
    credential_headers: HeaderMap,
    signer: Option<Signer>,
    timeout: Duration,
    clock: Clock,
    boundary: BoundarySource,
}

struct Signer {
    rule: SigningRule,
    secret: Secret,
    header: HeaderName,
    timestamp_header: HeaderName,
}

impl Signer {
    /// Signs the request as the rule says and adds the signature and timestamp headers.
    fn sign_into<E>(
        &self,
        headers: &mut HeaderMap,
        method: &str,
        url: &Url,
        base_path: &str,
        timestamp: u64,
        body: &[u8],
    ) -> Result<(), E> {
        let full_path = url.path();
        let path = match self.rule.path {
            // `Client::url` checked that the parsed path is exactly base path + request path.
            PathForm::RelativeToServer => full_path.get(base_path.len()..).unwrap_or(full_path),
            PathForm::Full => full_path,
        };
        let query = url
            .query()
            .map(|query| format!("?{query}"))
            .unwrap_or_default();
        let message = Message {
            method,
            path,
            query: &query,
            timestamp,
            body,
        };
        let signature = self.rule.signature(self.secret.expose(), &message);
        // `build` checked the prefix and the rest is hex, so this cannot fail; mapped rather than unwrapped.
        let mut signature = HeaderValue::from_str(&signature).map_err(|_| {
            Error::invalid(
                self.rule.header,
                "the signature prefix is not a valid header value",
            )
        })?;
        signature.set_sensitive(true);
        headers.insert(self.header.clone(), signature);
        headers.insert(self.timestamp_header.clone(), HeaderValue::from(timestamp));
        Ok(())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self
            .inner
            .headers
            .keys()
            .chain(self.inner.credential_headers.keys())
            .map(HeaderName::as_str)
            .collect();
        if let Some(signer) = &self.inner.signer {
            names.push(signer.header.as_str());
            names.push(signer.timestamp_header.as_str());
        }
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("headers", &names)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The base URL requests are sent to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Builds the URL, encodes the body once, signs those exact bytes, sends them, and decodes the answer:
    /// 2xx → the JSON body as `T` (an empty body is read as `null`, so `()` and `Option` work); any other
    /// status → [`Error::Api`] with the body parsed as `E` when it parses.
    pub(crate) async fn send<T: DeserializeOwned, E: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Response<T>, E> {
        let inner = &*self.inner;
        let Request {
            method,
            path,
            query,
            headers: extra_headers,
            body,
            authenticated,
        } = request;

        let url = self.url(&path, &query)?;
        let mut headers = HeaderMap::new();
        for (name, value) in extra_headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid(name, "not a valid header name"))?;
            let value = HeaderValue::from_str(&value).map_err(|_| {
                Error::invalid(
                    name,
                    "the value contains characters that cannot be sent, such as a line break",
                )
            })?;
            headers.append(header, value);
        }
        // Inserted after the operation's own headers, so those cannot replace the credentials.
        for (name, value) in &inner.headers {
            headers.insert(name.clone(), value.clone());
        }
        if authenticated {
            for (name, value) in &inner.credential_headers {
                headers.insert(name.clone(), value.clone());
            }
        }

        let (body, is_multipart) = match body {
            Body::None => (None, false),
            Body::Json(Ok(bytes)) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                (Some(bytes), false)
            }
            Body::Json(Err(message)) => return Err(Error::invalid("body", message)),
            Body::Multipart(form) => {
                let (boundary, bytes) = self.encode(&form)?;
                // A valid boundary is printable ASCII, so this cannot fail; mapped rather than unwrapped anyway.
                let content_type = HeaderValue::from_str(&multipart::content_type(&boundary))
                    .map_err(|_| Error::invalid("body", "boundary is not a valid header value"))?;
                headers.insert(CONTENT_TYPE, content_type);
                (Some(Bytes::from(bytes)), true)
            }
        };

        if let Some(signer) = inner.signer.as_ref().filter(|_| authenticated) {
            let signed_body: &[u8] = match (is_multipart, signer.rule.multipart_body) {
                (true, MultipartBody::Empty) => &[],
                _ => body.as_deref().unwrap_or_default(),
            };
            signer.sign_into(
                &mut headers,
                method.as_str(),
                &url,
                &inner.base_path,
                (inner.clock)(),
                signed_body,
            )?;
        }

        let mut builder = inner
            .http
            .request(method, url)
            .headers(headers)
            .timeout(inner.timeout);
        if let Some(body) = body {
            builder = builder.body(reqwest::Body::from(body));
        }
        let mut response = builder.send().await.map_err(Error::Transport)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(Error::Transport)?;

        if status.is_success() {
            let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
                b"null"
            } else {
                &body
            };
            match serde_json::from_slice(json) {
                Ok(value) => Ok(Response::new(status, headers, value)),
                Err(source) => Err(Error::Decode {
                    status,
                    source,
                    body_start: body_start(&body),
                }),
            }
        } else {
            Err(Error::Api(Box::new(ApiError {
                status,
                headers,
                body: serde_json::from_slice(&body).ok(),
                raw_body: body_start(&body),
            })))
        }
    }

    /// Joins base URL, path and query as text and parses the result, refusing anything the parser changed:
    /// what is signed is then, by construction, what is sent.
    fn url<E>(&self, path: &str, query: &str) -> Result<Url, E> {
        if !path.starts_with('/') {
            return Err(Error::invalid(
                "path",
                format!("`{path}` does not start with '/'"),
            ));
        }
        let base = &self.inner.base_url;
        let mut text = String::with_capacity(base.len() + path.len() + 1 + query.len());
        text.push_str(base);
        text.push_str(path);
        if !query.is_empty() {
            text.push('?');
            text.push_str(query);
        }
        let url = Url::parse(&text).map_err(|error| Error::invalid("path", error.to_string()))?;
        // The parser resolves `.` and `..` segments (also percent-encoded ones): `/contacts/..` would reach
        // another resource than the one asked for, so such a path is refused rather than sent.
        let same_path = url.path().strip_prefix(self.inner.base_path.as_str()) == Some(path);
        if !same_path {
            return Err(Error::invalid(
                "path",
                format!("`{path}` is changed by URL normalization (a `.` or `..` segment?)"),
            ));
        }
        if url.query().unwrap_or_default() != query {
            return Err(Error::invalid(
                "query",
                "the query string is changed by URL parsing",
            ));
        }
        Ok(url)
    }

    /// Encodes a form with a boundary from the client's source, drawing a new one when the boundary occurs
    /// in the content.
    fn encode<E>(&self, form: &Form) -> Result<(String, Vec<u8>), E> {
        let mut attempt = 1;
        loop {
            let boundary = (self.inner.boundary)();
            match form.encode(&boundary) {
                Ok(bytes) => return Ok((boundary, bytes)),
                Err(EncodeError::BoundaryInContent { .. }) if attempt < BOUNDARY_ATTEMPTS => {
                    attempt += 1
                }
                // The caller's value is at fault, so the error names its part, not the whole body.
                Err(EncodeError::InvalidJson { part, source }) => {
                    return Err(Error::invalid(
                        part,
                        format!("cannot be serialized as JSON: {source}"),
                    ))
                }
                Err(error) => return Err(Error::invalid("body", error.to_string())),
            }
        }
    }
}

fn system_clock() -> u64 {
    // A clock set before 1970 yields 0: the server then refuses the timestamp, which says more than a panic.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The first [`BODY_START_LIMIT`] bytes of a body as text; a character cut in half becomes U+FFFD.
fn body_start(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(BODY_START_LIMIT)]).into_owned()
}

fn header_name(name: &str) -> std::result::Result<HeaderName, ConfigError> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| ConfigError::InvalidHeader {
        name: name.to_owned(),
        reason: "not a valid header name".to_owned(),
    })
}

fn invalid_header_value(name: &str) -> ConfigError {
    ConfigError::InvalidHeader {
        name: name.to_owned(),
        reason: "the value contains characters that cannot be sent, such as a line break"
            .to_owned(),
    }
}

/// Parses and normalizes the base URL; returns it without a trailing slash, and its path likewise.
fn parse_base_url(text: &str) -> std::result::Result<(String, String), ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: without_userinfo(text),
        reason: reason.to_owned(),
    };
    let url = Url::parse(text.trim()).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials must not be put in the URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the base URL must not have a query or a fragment"));
    }
    // Without query and fragment, the serialized URL ends with its path.
    let base_url = url.as_str().trim_end_matches('/').to_owned();
    let base_path = url.path().trim_end_matches('/').to_owned();
    Ok((base_url, base_path))
}

/// `text` with any `user:password@` removed, so a refused URL can be shown in an error without its password.
fn without_userinfo(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|at| at + 3) else {
        return text.to_owned();
    };
    let authority_end = text[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |at| scheme_end + at);
    match text[scheme_end..authority_end].rfind('@') {
        Some(at) => format!(
            "{}<redacted>@{}",
            &text[..scheme_end],
            &text[scheme_end + at + 1..]
        ),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::SignedPart;
    use crate::test_server::{Reply, Server};
    use reqwest::{Method, StatusCode};

    const SECRET: &str = "your-hmac-secret";

    const RULE: SigningRule = SigningRule {
        header: "X-Awal-Signature-256",
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
    };

    fn auth(rule: SigningRule) -> Auth {
        Auth::signed(rule, Secret::from(SECRET))
            .header("X-Client-ID", "client-123")
            .header("X-Domain", "your-workspace")
    }

    fn client(base: &str, rule: SigningRule) -> Client {
        ClientBuilder::new(format!("{base}/api/developer"), auth(rule))
            .clock(|| 1704124800)
            .boundary(|| "awal-boundary-0001".to_owned())
            .build()
            .expect("valid configuration")
    }

    fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type", "application/json")],
            body: body.as_bytes().to_vec(),
        }
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Envelope {
        error: String,
        message: String,
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
            seen.header("x-awal-signature-256"),
            Some("sha256=3d3a28eb340079ad838c68984ed0977f001b0f54e5cd6aee42bdbc9561e7170d")
        );
        assert_eq!(seen.header("x-timestamp"), Some("1704124800"));
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(seen.header("accept"), Some("application/json"));
        assert_eq!(
            seen.header("user-agent"),
            Some(concat!("awal-client/", env!("CARGO_PKG_VERSION")))
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
        assert_eq!(seen.header("x-awal-signature-256"), Some(expected.as_str()));
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
        for name in [
            "x-awal-signature-256",
            "x-timestamp",
            "x-client-id",
            "x-domain",
        ] {
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
            Some("multipart/form-data; boundary=awal-boundary-0001")
        );
        assert_eq!(
            seen.body,
            b"--awal-boundary-0001\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAhmed Mohammed\r\n--awal-boundary-0001--\r\n"
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
        assert_eq!(seen.header("x-awal-signature-256"), Some(expected.as_str()));
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
            b"--awal-boundary-0001\r\nContent-Disposition: form-data; name=\"body_params\"\r\n\r\n[\"Ahmed\",\"1\"]\r\n--awal-boundary-0001--\r\n"
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
        assert_eq!(seen.header("x-awal-signature-256"), Some(expected.as_str()));
    }

    #[tokio::test]
    async fn a_boundary_found_in_the_content_is_replaced() {
        let server = Server::start(json(200, "{}")).await;
        let drawn = std::sync::atomic::AtomicUsize::new(0);
        let client = ClientBuilder::new(&server.base, auth(RULE))
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
        form.text("note", "--awal-boundary-0001");
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
            "api.awalchat.com",
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
    fn generated_credentials_are_redacted_too() {
        let credentials = crate::Credentials {
            client_id: "client-123".to_owned(),
            domain: "your-workspace".to_owned(),
            hmac_secret: Secret::from(SECRET),
        };
        let shown = format!(
            "{credentials:?} {:?}",
            crate::Client::builder(credentials.clone())
        );
        assert!(!shown.contains(SECRET), "{shown}");
        let auth: Auth = credentials.into();
        assert!(!format!("{auth:?}").contains(SECRET));
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
