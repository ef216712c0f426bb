//! [`Auth`]: the credentials a client sends, and where each one goes.
//!
//! A spec's security schemes become the generated `Credentials` struct, which turns into an [`Auth`]:
//! an optional signing rule with its secret, headers (API keys, `Authorization: Basic …` or
//! `Bearer …`), query parameters and cookies. [`ClientBuilder::build`](crate::ClientBuilder::build)
//! checks every value once ([`Auth::check`]); the client then adds them to every authenticated request,
//! query parameters before the request is signed, so a signature covers them.

use crate::error::ConfigError;
use crate::request::encode_path;
use crate::secret::Secret;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE};
use std::fmt;

/// Credentials: an optional signing rule with its secret, and values sent in headers, the query string
/// or cookies (client id, API keys, tokens ...).
///
/// `Debug` shows the rule and the names used, never the secret or the values.
#[derive(Clone)]
#[must_use = "credentials do nothing until given to `ClientBuilder::new`"]
pub struct Auth {
    signing: Option<SigningKey>,
    values: Vec<(Place, &'static str, Secret)>,
}

/// The signing rule and the secret it is keyed with.
#[cfg(feature = "signing")]
pub(crate) type SigningKey = (crate::signing::SigningRule, Secret);

/// Without the `signing` feature there is no signing key: no value of this type exists.
#[cfg(not(feature = "signing"))]
#[derive(Clone, Debug)]
pub(crate) enum SigningKey {}

/// Where a credential value is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Header,
    Query,
    Cookie,
}

/// A user name and password for HTTP basic authentication (`Authorization: Basic …`).
///
/// `Debug` shows the user name, never the password.
#[derive(Clone, Debug)]
pub struct BasicAuth {
    /// The user name; it must not contain `:`.
    pub username: String,
    /// The password.
    pub password: Secret,
}

impl BasicAuth {
    /// A user name and password.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl Auth {
    /// Sign every request with `rule`, keyed with `secret`.
    #[cfg(feature = "signing")]
    pub fn signed(rule: crate::signing::SigningRule, secret: Secret) -> Self {
        Self {
            signing: Some((rule, secret)),
            values: Vec::new(),
        }
    }

    /// No signing rule: only the headers, query parameters and cookies added with the other methods
    /// (for APIs that declare no `x-signing`).
    pub fn unsigned() -> Self {
        Self {
            signing: None,
            values: Vec::new(),
        }
    }

    /// Also send the header `name: value` on every request. Checked by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub fn header(self, name: &'static str, value: impl Into<String>) -> Self {
        self.secret_header(name, value.into())
    }

    /// Also send the header `name: value` on every request, for a value kept as a [`Secret`] (an API
    /// key).
    pub fn secret_header(mut self, name: &'static str, value: impl Into<Secret>) -> Self {
        self.values.push((Place::Header, name, value.into()));
        self
    }

    /// Also send `name=value` in the query string of every request (percent-encoded, after the
    /// operation's own parameters, and signed with them when the client signs).
    pub fn query(mut self, name: &'static str, value: impl Into<Secret>) -> Self {
        self.values.push((Place::Query, name, value.into()));
        self
    }

    /// Also send the cookie `name=value` on every request; all cookies go in one `Cookie` header.
    pub fn cookie(mut self, name: &'static str, value: impl Into<Secret>) -> Self {
        self.values.push((Place::Cookie, name, value.into()));
        self
    }

    /// Also send `Authorization: Bearer <token>` (an API token, or an OAuth 2 access token the caller
    /// obtained: the client does not run OAuth flows).
    pub fn bearer(self, token: impl Into<Secret>) -> Self {
        let token = token.into();
        let mut value = b"Bearer ".to_vec();
        value.extend_from_slice(token.expose());
        self.secret_header(AUTHORIZATION.as_str(), value)
    }

    /// Also send `Authorization: Basic <base64(username:password)>` (RFC 7617).
    pub fn basic(self, credentials: BasicAuth) -> Self {
        let mut pair = credentials.username.into_bytes();
        pair.push(b':');
        pair.extend_from_slice(credentials.password.expose());
        let mut value = b"Basic ".to_vec();
        value.extend_from_slice(base64(&pair).as_bytes());
        self.secret_header(AUTHORIZATION.as_str(), value)
    }

    /// Checks every value and splits the credentials into the signing rule and what is added to
    /// requests.
    pub(crate) fn check(self) -> Result<(Option<SigningKey>, Applied), ConfigError> {
        let mut applied = Applied::default();
        for (place, name, value) in &self.values {
            match place {
                Place::Header => {
                    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                        ConfigError::InvalidHeader {
                            name: (*name).to_owned(),
                            reason: "not a valid header name".to_owned(),
                        }
                    })?;
                    let mut value = HeaderValue::from_bytes(value.expose())
                        .map_err(|_| invalid(name, "the value contains characters that cannot be sent, such as a line break"))?;
                    // Keeps the value out of HTTP/2 header compression tables and out of reqwest's Debug output.
                    value.set_sensitive(true);
                    applied.headers.insert(header, value);
                }
                Place::Query => {
                    let text = std::str::from_utf8(value.expose())
                        .map_err(|_| invalid(name, "a query parameter must be UTF-8 text"))?;
                    if !applied.query.is_empty() {
                        applied.query.push('&');
                    }
                    applied.query.push_str(&encode_path(name));
                    applied.query.push('=');
                    applied.query.push_str(&encode_path(&text));
                }
                Place::Cookie => {
                    if name.is_empty() || !name.bytes().all(is_token_byte) {
                        return Err(invalid(name, "not a valid cookie name"));
                    }
                    if !value.expose().iter().copied().all(is_cookie_octet) {
                        return Err(invalid(
                            name,
                            "a cookie value cannot hold spaces, quotes, commas, semicolons or backslashes",
                        ));
                    }
                    if !applied.cookies.is_empty() {
                        applied.cookies.extend_from_slice(b"; ");
                    }
                    applied.cookies.extend_from_slice(name.as_bytes());
                    applied.cookies.push(b'=');
                    applied.cookies.extend_from_slice(value.expose());
                }
            }
        }
        Ok((self.signing, applied))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |wanted: Place| -> Vec<&str> {
            self.values
                .iter()
                .filter(|(place, _, _)| *place == wanted)
                .map(|(_, name, _)| *name)
                .collect()
        };
        let mut out = f.debug_struct("Auth");
        #[cfg(feature = "signing")]
        out.field("rule", &self.signing.as_ref().map(|(rule, _)| rule))
            .field("secret", &self.signing.as_ref().map(|(_, secret)| secret));
        out.field("headers", &names(Place::Header))
            .field("query", &names(Place::Query))
            .field("cookies", &names(Place::Cookie))
            .finish()
    }
}

fn invalid(name: &str, reason: &str) -> ConfigError {
    ConfigError::InvalidHeader {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The checked credentials that go on every authenticated request.
#[derive(Default)]
pub(crate) struct Applied {
    /// Credential headers (values marked sensitive).
    pub(crate) headers: HeaderMap,
    /// `name=value&...`, percent-encoded; empty when there is none.
    query: String,
    /// `name=value; ...`; empty when there is none.
    cookies: Vec<u8>,
}

impl Applied {
    /// `query` with the credential query parameters appended.
    pub(crate) fn with_query(&self, mut query: String) -> String {
        if !self.query.is_empty() {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&self.query);
        }
        query
    }

    /// Inserts the credential headers, and the credential cookies into the one `Cookie` header (after
    /// the operation's own cookies, if any).
    pub(crate) fn add_headers(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        if self.cookies.is_empty() {
            return;
        }
        let mut cookies = Vec::new();
        for value in headers.get_all(COOKIE) {
            cookies.extend_from_slice(value.as_bytes());
            cookies.extend_from_slice(b"; ");
        }
        cookies.extend_from_slice(&self.cookies);
        // Every part is a checked header value or made of cookie octets, so this cannot fail.
        if let Ok(mut value) = HeaderValue::from_bytes(&cookies) {
            value.set_sensitive(true);
            headers.insert(COOKIE, value);
        }
    }

    /// The names of the credential headers, and `cookie` when cookies are sent (for `Debug`, and the
    /// headers a request option may not replace).
    pub(crate) fn header_names(&self) -> impl Iterator<Item = &HeaderName> {
        self.headers
            .keys()
            .chain((!self.cookies.is_empty()).then_some(&COOKIE))
    }
}

/// `tchar` of RFC 9110: the bytes of a token (a cookie name).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// `cookie-octet` of RFC 6265.
fn is_cookie_octet(byte: u8) -> bool {
    matches!(byte, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// Standard base64 with padding (RFC 4648 §4), as RFC 7617 asks for the basic credentials.
fn base64(bytes: &[u8]) -> String {
    use ::base64::Engine as _;
    ::base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn basic_and_bearer_are_authorization_headers() {
        let (_, applied) = Auth::unsigned()
            .basic(BasicAuth::new("Aladdin", "open sesame"))
            .check()
            .expect("valid");
        assert_eq!(
            applied
                .headers
                .get(AUTHORIZATION)
                .map(HeaderValue::as_bytes),
            Some(&b"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="[..])
        );
        let (_, applied) = Auth::unsigned().bearer("t0ken").check().expect("valid");
        assert_eq!(
            applied
                .headers
                .get(AUTHORIZATION)
                .map(HeaderValue::as_bytes),
            Some(&b"Bearer t0ken"[..])
        );
        assert!(applied.headers[AUTHORIZATION].is_sensitive());
    }

    #[test]
    fn query_values_are_encoded_and_appended() {
        let (_, applied) = Auth::unsigned()
            .query("api_key", "a b&c")
            .query("v", "1")
            .check()
            .expect("valid");
        assert_eq!(applied.with_query(String::new()), "api_key=a%20b%26c&v=1");
        assert_eq!(
            applied.with_query("x=1".to_owned()),
            "x=1&api_key=a%20b%26c&v=1"
        );
        let (_, none) = Auth::unsigned().check().expect("valid");
        assert_eq!(none.with_query("x=1".to_owned()), "x=1");
    }

    #[test]
    fn cookies_join_the_operations_cookie_header() {
        let (_, applied) = Auth::unsigned()
            .cookie("session", "s3cret")
            .cookie("csrf", "abc")
            .check()
            .expect("valid");
        let mut headers = HeaderMap::new();
        applied.add_headers(&mut headers);
        assert_eq!(headers[COOKIE], "session=s3cret; csrf=abc");
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark"));
        applied.add_headers(&mut headers);
        assert_eq!(headers[COOKIE], "theme=dark; session=s3cret; csrf=abc");
        assert_eq!(headers.get_all(COOKIE).iter().count(), 1);
    }

    #[test]
    fn bad_values_are_refused_by_check() {
        for auth in [
            Auth::unsigned().cookie("session", "a;b"),
            Auth::unsigned().cookie("bad name", "x"),
            Auth::unsigned().header("X-Key", "line\nbreak"),
            Auth::unsigned().query("key", Secret::new(vec![0xff])),
        ] {
            assert!(
                matches!(auth.check(), Err(ConfigError::InvalidHeader { .. })),
                "accepted"
            );
        }
    }

    /// End to end against the test server: credential query parameters go after the operation's own,
    /// into the signed query; credential cookies join the operation's in one `Cookie` header; a public
    /// operation (`security: []`) gets neither.
    #[tokio::test]
    async fn query_keys_and_cookies_are_sent_and_signed() {
        use crate::request::Request;
        use crate::signing::{Message, MultipartBody, PathForm, SignedPart, SigningRule};
        use crate::test_server::{Reply, Server};
        use reqwest::Method;

        const RULE: SigningRule = SigningRule {
            header: "X-Signature",
            prefix: "",
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
            clock_skew_status: None,
        };
        let reply = || Reply {
            status: 200,
            headers: vec![("Content-Type", "application/json")],
            body: b"{}".to_vec(),
        };
        let server = Server::script(vec![reply(), reply()]).await;
        let client = crate::ClientBuilder::new(
            format!("{}/api", server.base),
            Auth::signed(RULE, Secret::from("s3cret"))
                .query("api_key", "k 1/2")
                .cookie("session", "abc")
                .basic(BasicAuth::new("user", "pass")),
        )
        .clock(|| 1_704_124_800)
        .build()
        .expect("valid configuration");

        let mut request = Request::new(Method::GET, "/items".to_owned());
        request.query("q", &"x y");
        request.cookie("theme", &"dark");
        client
            .send::<serde_json::Value, serde_json::Value>(request)
            .await
            .expect("200");
        let mut public = Request::new(Method::GET, "/health".to_owned());
        public.without_auth();
        client
            .send::<serde_json::Value, serde_json::Value>(public)
            .await
            .expect("200");

        let seen = server.all_recorded().await;
        assert_eq!(
            seen[0].request_line,
            "GET /api/items?q=x%20y&api_key=k%201%2F2 HTTP/1.1"
        );
        assert_eq!(seen[0].header("cookie"), Some("theme=dark; session=abc"));
        assert_eq!(seen[0].header("authorization"), Some("Basic dXNlcjpwYXNz"));
        let expected = RULE.signature(
            b"s3cret",
            &Message {
                method: "GET",
                path: "/items",
                query: "?q=x%20y&api_key=k%201%2F2",
                timestamp: 1_704_124_800,
                body: b"",
            },
        );
        assert_eq!(seen[0].header("x-signature"), Some(expected.as_str()));

        assert_eq!(seen[1].request_line, "GET /api/health HTTP/1.1");
        for name in ["cookie", "authorization", "x-signature"] {
            assert_eq!(
                seen[1].header(name),
                None,
                "{name} sent on a public operation"
            );
        }
    }

    #[test]
    fn a_missing_base_url_is_a_clear_configuration_error() {
        // What a client of an API without an absolute server URL gets when no base URL is set.
        let error = crate::ClientBuilder::new("", Auth::unsigned())
            .build()
            .expect_err("no base URL");
        assert!(
            matches!(&error, ConfigError::InvalidBaseUrl { .. })
                && error
                    .to_string()
                    .contains("set it with `ClientBuilder::base_url`"),
            "{error}"
        );
    }

    #[test]
    fn debug_shows_names_never_values() {
        let auth = Auth::unsigned()
            .header("X-Client-ID", "client-123")
            .query("api_key", "k3y")
            .cookie("session", "s3ss")
            .basic(BasicAuth::new("user", "pa55"));
        let shown = format!("{auth:?} {:?}", BasicAuth::new("user", "pa55"));
        for hidden in ["client-123", "k3y", "s3ss", "pa55"] {
            assert!(!shown.contains(hidden), "{hidden} leaked: {shown}");
        }
        assert!(shown.contains("api_key") && shown.contains("session"));
    }
}
