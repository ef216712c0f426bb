//! [`Auth`]: the credentials a client holds, which security scheme each belongs to, and which of them
//! each operation sends.
//!
//! A spec's security schemes become the generated `Credentials` struct, which turns into an [`Auth`]:
//! an optional signing rule with its secret, headers (API keys, `Authorization: Basic …` or
//! `Bearer …`), query parameters and cookies, each named after its scheme ([`Auth::scheme`]), and the
//! spec's default security requirement ([`Auth::security`]).
//! [`ClientBuilder::build`](crate::ClientBuilder::build) checks every value once ([`Auth::check`]).
//!
//! For each request the client then picks the credentials to send ([`Credentials::select`]): those of
//! the first alternative of the operation's requirement that the configured credentials meet. Query
//! parameters are added before the request is signed, so a signature covers them.

use crate::error::ConfigError;
use crate::request::encode_path;
use crate::secret::Secret;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE};
use std::fmt;

/// An OpenAPI security requirement: its alternatives, in order, each the names of the security schemes
/// (keys of `components.securitySchemes`) that must all be sent together. `&[]` (`security: []`) asks for
/// nothing; an empty alternative (`{}`) is met by sending nothing.
///
/// ```
/// use openapi_client_runtime::SecurityRequirement;
/// // Basic, or else a bearer token together with an API key.
/// const SECURITY: SecurityRequirement = &[&["basicAuth"], &["bearerAuth", "apiKey"]];
/// # let _ = SECURITY;
/// ```
pub type SecurityRequirement = &'static [&'static [&'static str]];

/// Credentials: an optional signing rule with its secret, and values sent in headers, the query string
/// or cookies (client id, API keys, tokens ...), each belonging to a security scheme.
///
/// `Debug` shows the rule and the names used, never the secret or the values.
#[derive(Clone)]
#[must_use = "credentials do nothing until given to `ClientBuilder::new`"]
pub struct Auth {
    signing: Option<SigningKey>,
    /// The scheme the signing key belongs to, when named.
    signing_scheme: Option<&'static str>,
    values: Vec<Value>,
    /// The requirement of operations that declare none.
    security: Option<SecurityRequirement>,
}

/// One credential value and where it goes.
#[derive(Clone)]
struct Value {
    /// The security scheme it belongs to, when named ([`Auth::scheme`]).
    scheme: Option<&'static str>,
    place: Place,
    name: &'static str,
    secret: Secret,
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
    /// Sign requests with `rule`, keyed with `secret`.
    #[cfg(feature = "signing")]
    pub fn signed(rule: crate::signing::SigningRule, secret: Secret) -> Self {
        Self {
            signing: Some((rule, secret)),
            ..Self::unsigned()
        }
    }

    /// No signing rule: only the headers, query parameters and cookies added with the other methods
    /// (for APIs that declare no `x-signing`).
    pub fn unsigned() -> Self {
        Self {
            signing: None,
            signing_scheme: None,
            values: Vec::new(),
            security: None,
        }
    }

    /// Names the security scheme (its key under `components.securitySchemes`) of the credential added
    /// last, or of the signing key when nothing was added after `Auth::signed`. Generated code names
    /// every credential; an operation's security requirement then picks credentials by these names.
    ///
    /// A credential without a name is sent only on requests that declare no requirement at all
    /// (requests built by hand, and operations of a spec that declares none).
    pub fn scheme(mut self, scheme: &'static str) -> Self {
        match self.values.last_mut() {
            Some(value) => value.scheme = Some(scheme),
            None => self.signing_scheme = Some(scheme),
        }
        self
    }

    /// The security requirement of the operations that declare none of their own: the spec's
    /// top-level `security`. Without it, such operations send every configured credential.
    pub fn security(mut self, requirement: SecurityRequirement) -> Self {
        self.security = Some(requirement);
        self
    }

    /// Also send the header `name: value`. Checked by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub fn header(self, name: &'static str, value: impl Into<String>) -> Self {
        self.secret_header(name, value.into())
    }

    /// Also send the header `name: value`, for a value kept as a [`Secret`] (an API key).
    pub fn secret_header(self, name: &'static str, value: impl Into<Secret>) -> Self {
        self.push(Place::Header, name, value.into())
    }

    /// Also send `name=value` in the query string (percent-encoded, after the operation's own
    /// parameters, and signed with them when the client signs).
    pub fn query(self, name: &'static str, value: impl Into<Secret>) -> Self {
        self.push(Place::Query, name, value.into())
    }

    /// Also send the cookie `name=value`; all cookies go in one `Cookie` header.
    pub fn cookie(self, name: &'static str, value: impl Into<Secret>) -> Self {
        self.push(Place::Cookie, name, value.into())
    }

    fn push(mut self, place: Place, name: &'static str, secret: Secret) -> Self {
        self.values.push(Value {
            scheme: None,
            place,
            name,
            secret,
        });
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
    pub(crate) fn check(self) -> Result<(Option<SigningKey>, Credentials), ConfigError> {
        let mut entries = Vec::with_capacity(self.values.len());
        for Value {
            scheme,
            place,
            name,
            secret,
        } in &self.values
        {
            let mut applied = Applied::default();
            match place {
                Place::Header => {
                    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                        ConfigError::InvalidHeader {
                            name: (*name).to_owned(),
                            reason: "not a valid header name".to_owned(),
                        }
                    })?;
                    let mut value = HeaderValue::from_bytes(secret.expose())
                        .map_err(|_| invalid(name, "the value contains characters that cannot be sent, such as a line break"))?;
                    // Keeps the value out of HTTP/2 header compression tables and out of reqwest's Debug output.
                    value.set_sensitive(true);
                    applied.header = Some((header, value));
                }
                Place::Query => {
                    let text = std::str::from_utf8(secret.expose())
                        .map_err(|_| invalid(name, "a query parameter must be UTF-8 text"))?;
                    applied.query.push_str(&encode_path(name));
                    applied.query.push('=');
                    applied.query.push_str(&encode_path(&text));
                }
                Place::Cookie => {
                    if name.is_empty() || !name.bytes().all(is_token_byte) {
                        return Err(invalid(name, "not a valid cookie name"));
                    }
                    if !secret.expose().iter().copied().all(is_cookie_octet) {
                        return Err(invalid(
                            name,
                            "a cookie value cannot hold spaces, quotes, commas, semicolons or backslashes",
                        ));
                    }
                    applied.cookie.extend_from_slice(name.as_bytes());
                    applied.cookie.push(b'=');
                    applied.cookie.extend_from_slice(secret.expose());
                }
            }
            entries.push(Entry {
                scheme: *scheme,
                applied,
            });
        }
        let credentials = Credentials {
            entries,
            signing_scheme: self.signing_scheme,
            default: self.security,
        };
        Ok((self.signing, credentials))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |wanted: Place| -> Vec<&str> {
            self.values
                .iter()
                .filter(|value| value.place == wanted)
                .map(|value| value.name)
                .collect()
        };
        let schemes: Vec<&str> = self
            .signing_scheme
            .iter()
            .chain(self.values.iter().filter_map(|value| value.scheme.as_ref()))
            .copied()
            .collect();
        let mut out = f.debug_struct("Auth");
        #[cfg(feature = "signing")]
        out.field("rule", &self.signing.as_ref().map(|(rule, _)| rule))
            .field("secret", &self.signing.as_ref().map(|(_, secret)| secret));
        out.field("headers", &names(Place::Header))
            .field("query", &names(Place::Query))
            .field("cookies", &names(Place::Cookie))
            .field("schemes", &schemes)
            .field("security", &self.security)
            .finish()
    }
}

fn invalid(name: &str, reason: &str) -> ConfigError {
    ConfigError::InvalidHeader {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The checked credentials of a client, and the rule that picks those each request sends.
pub(crate) struct Credentials {
    /// One per configured value, in the order given.
    entries: Vec<Entry>,
    /// The scheme of the signing key, when named.
    signing_scheme: Option<&'static str>,
    /// The requirement of requests that declare none.
    default: Option<SecurityRequirement>,
}

/// One checked credential value.
struct Entry {
    scheme: Option<&'static str>,
    applied: Applied,
}

/// Where one checked value goes: one of the three is set.
#[derive(Default)]
struct Applied {
    /// A credential header (value marked sensitive).
    header: Option<(HeaderName, HeaderValue)>,
    /// `name=value`, percent-encoded.
    query: String,
    /// `name=value`.
    cookie: Vec<u8>,
}

/// The credentials one request sends: indexes into [`Credentials::entries`], and whether it is signed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    entries: Vec<usize>,
    pub(crate) signed: bool,
}

impl Credentials {
    /// The credentials a request sends under `declared` (the operation's own requirement, `None` when it
    /// declares none), with `signer` telling whether the client holds a signing key:
    ///
    /// - the requirement is the operation's, else the client's default ([`Auth::security`]);
    /// - with no requirement at all, every configured credential, signed when the client signs;
    /// - otherwise those of the first alternative whose schemes are all configured (`security: []` has
    ///   no alternative and sends nothing; `{}` is always met and sends nothing). Of two schemes of one
    ///   alternative that use the same header, only the first is sent.
    ///
    /// When no alternative is met: for each alternative, the schemes it lacks.
    pub(crate) fn select(
        &self,
        declared: Option<SecurityRequirement>,
        signer: bool,
    ) -> Result<Selection, Vec<Vec<&'static str>>> {
        let Some(requirement) = declared.or(self.default) else {
            return Ok(Selection {
                entries: (0..self.entries.len()).collect(),
                signed: signer,
            });
        };
        if requirement.is_empty() {
            // `security: []`: a public operation.
            return Ok(Selection::default());
        }
        let configured = |scheme: &str| {
            (signer && self.signing_scheme == Some(scheme))
                || self.entries.iter().any(|e| e.scheme == Some(scheme))
        };
        let mut missing = Vec::with_capacity(requirement.len());
        for alternative in requirement {
            let lacking: Vec<&'static str> = alternative
                .iter()
                .copied()
                .filter(|scheme| !configured(scheme))
                .collect();
            if !lacking.is_empty() {
                missing.push(lacking);
                continue;
            }
            let mut selection = Selection {
                entries: Vec::new(),
                signed: signer
                    && self
                        .signing_scheme
                        .is_some_and(|scheme| alternative.contains(&scheme)),
            };
            for scheme in alternative.iter() {
                for (index, entry) in self.entries.iter().enumerate() {
                    if entry.scheme != Some(scheme) || selection.entries.contains(&index) {
                        continue;
                    }
                    let taken = entry.applied.header.as_ref().is_some_and(|(name, _)| {
                        selection.entries.iter().any(|&other| {
                            self.entries[other]
                                .applied
                                .header
                                .as_ref()
                                .is_some_and(|(n, _)| n == name)
                        })
                    });
                    if !taken {
                        selection.entries.push(index);
                    }
                }
            }
            return Ok(selection);
        }
        Err(missing)
    }

    /// `query` with the selected credential query parameters appended.
    pub(crate) fn with_query(&self, selection: &Selection, mut query: String) -> String {
        for applied in self.selected(selection) {
            if applied.query.is_empty() {
                continue;
            }
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&applied.query);
        }
        query
    }

    /// Inserts the selected credential headers, and the selected credential cookies into the one
    /// `Cookie` header (after the operation's own cookies, if any).
    pub(crate) fn add_headers(&self, selection: &Selection, headers: &mut HeaderMap) {
        let mut cookies = Vec::new();
        for applied in self.selected(selection) {
            if let Some((name, value)) = &applied.header {
                headers.insert(name.clone(), value.clone());
            }
            if !applied.cookie.is_empty() {
                if !cookies.is_empty() {
                    cookies.extend_from_slice(b"; ");
                }
                cookies.extend_from_slice(&applied.cookie);
            }
        }
        if cookies.is_empty() {
            return;
        }
        let mut joined = Vec::new();
        for value in headers.get_all(COOKIE) {
            joined.extend_from_slice(value.as_bytes());
            joined.extend_from_slice(b"; ");
        }
        joined.extend_from_slice(&cookies);
        // Every part is a checked header value or made of cookie octets, so this cannot fail.
        if let Ok(mut value) = HeaderValue::from_bytes(&joined) {
            value.set_sensitive(true);
            headers.insert(COOKIE, value);
        }
    }

    fn selected<'a>(&'a self, selection: &'a Selection) -> impl Iterator<Item = &'a Applied> {
        selection
            .entries
            .iter()
            .filter_map(|&index| self.entries.get(index))
            .map(|entry| &entry.applied)
    }

    /// The names of every credential header, and `cookie` when a credential is a cookie (for `Debug`,
    /// and the headers no other setting may replace).
    pub(crate) fn header_names(&self) -> impl Iterator<Item = &HeaderName> {
        let cookie = self.entries.iter().any(|e| !e.applied.cookie.is_empty());
        let mut seen: Vec<&HeaderName> = Vec::new();
        for entry in &self.entries {
            if let Some((name, _)) = &entry.applied.header {
                if !seen.contains(&name) {
                    seen.push(name);
                }
            }
        }
        seen.into_iter().chain(cookie.then_some(&COOKIE))
    }

    /// Whether `name` is a credential header.
    pub(crate) fn owns_header(&self, name: &HeaderName) -> bool {
        self.entries
            .iter()
            .any(|e| e.applied.header.as_ref().is_some_and(|(n, _)| n == name))
    }

    /// How many credential headers a request may carry at most (to size header maps).
    pub(crate) fn header_count(&self) -> usize {
        self.entries.len()
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

    /// The headers and query of a request under the requirement `declared`.
    fn sent(auth: Auth, declared: Option<SecurityRequirement>) -> (HeaderMap, String) {
        let (signing, credentials) = auth.check().expect("valid");
        let selection = credentials
            .select(declared, signing.is_some())
            .expect("met");
        let mut headers = HeaderMap::new();
        credentials.add_headers(&selection, &mut headers);
        (
            headers,
            credentials.with_query(&selection, "x=1".to_owned()),
        )
    }

    #[test]
    fn basic_and_bearer_are_authorization_headers() {
        let (headers, _) = sent(
            Auth::unsigned().basic(BasicAuth::new("Aladdin", "open sesame")),
            None,
        );
        assert_eq!(
            headers.get(AUTHORIZATION).map(HeaderValue::as_bytes),
            Some(&b"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="[..])
        );
        let (headers, _) = sent(Auth::unsigned().bearer("t0ken"), None);
        assert_eq!(
            headers.get(AUTHORIZATION).map(HeaderValue::as_bytes),
            Some(&b"Bearer t0ken"[..])
        );
        assert!(headers[AUTHORIZATION].is_sensitive());
    }

    #[test]
    fn query_values_are_encoded_and_appended() {
        let (_, query) = sent(
            Auth::unsigned().query("api_key", "a b&c").query("v", "1"),
            None,
        );
        assert_eq!(query, "x=1&api_key=a%20b%26c&v=1");
        let (_, none) = sent(Auth::unsigned(), None);
        assert_eq!(none, "x=1");
    }

    #[test]
    fn cookies_join_the_operations_cookie_header() {
        let (_, credentials) = Auth::unsigned()
            .cookie("session", "s3cret")
            .cookie("csrf", "abc")
            .check()
            .expect("valid");
        let all = credentials.select(None, false).expect("met");
        let mut headers = HeaderMap::new();
        credentials.add_headers(&all, &mut headers);
        assert_eq!(headers[COOKIE], "session=s3cret; csrf=abc");
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark"));
        credentials.add_headers(&all, &mut headers);
        assert_eq!(headers[COOKIE], "theme=dark; session=s3cret; csrf=abc");
        assert_eq!(headers.get_all(COOKIE).iter().count(), 1);
    }

    /// Basic, bearer and a query key, each named after its scheme.
    fn three_schemes() -> Auth {
        Auth::unsigned()
            .basic(BasicAuth::new("user", "pass"))
            .scheme("basicAuth")
            .bearer("t0ken")
            .scheme("bearerAuth")
            .query("api_key", "k3y")
            .scheme("apiKey")
            .security(&[&["bearerAuth"]])
    }

    #[test]
    fn each_requirement_sends_exactly_its_first_met_alternative() {
        let authorization = |headers: &HeaderMap| {
            headers
                .get(AUTHORIZATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        // The default requirement: bearer only.
        let (headers, query) = sent(three_schemes(), None);
        assert_eq!(authorization(&headers).as_deref(), Some("Bearer t0ken"));
        assert_eq!(query, "x=1");
        // An operation of its own: basic only, although bearer (same header) is configured.
        let (headers, query) = sent(three_schemes(), Some(&[&["basicAuth"]]));
        assert_eq!(
            authorization(&headers).as_deref(),
            Some("Basic dXNlcjpwYXNz")
        );
        assert_eq!(query, "x=1");
        // The query key only: no Authorization at all.
        let (headers, query) = sent(three_schemes(), Some(&[&["apiKey"]]));
        assert!(headers.is_empty(), "{headers:?}");
        assert_eq!(query, "x=1&api_key=k3y");
        // `security: []`: nothing.
        let (headers, query) = sent(three_schemes(), Some(&[]));
        assert!(headers.is_empty());
        assert_eq!(query, "x=1");
        // The first alternative that is met wins; an unconfigured one is skipped.
        let (headers, query) = sent(
            three_schemes(),
            Some(&[&["oauth"], &["apiKey", "bearerAuth"], &["basicAuth"]]),
        );
        assert_eq!(authorization(&headers).as_deref(), Some("Bearer t0ken"));
        assert_eq!(query, "x=1&api_key=k3y");
        // Two schemes of one alternative sharing a header: only the first is sent.
        let (headers, _) = sent(three_schemes(), Some(&[&["basicAuth", "bearerAuth"]]));
        assert_eq!(headers.get_all(AUTHORIZATION).iter().count(), 1);
        assert_eq!(
            authorization(&headers).as_deref(),
            Some("Basic dXNlcjpwYXNz")
        );
    }

    #[test]
    fn an_optional_alternative_sends_nothing_when_nothing_else_is_met() {
        const OPTIONAL_BEARER: SecurityRequirement = &[&["bearerAuth"], &[]];
        let (headers, _) = sent(
            Auth::unsigned().bearer("t").scheme("bearerAuth"),
            Some(OPTIONAL_BEARER),
        );
        assert_eq!(headers[AUTHORIZATION], "Bearer t");
        let (headers, query) = sent(Auth::unsigned(), Some(OPTIONAL_BEARER));
        assert!(headers.is_empty());
        assert_eq!(query, "x=1");
    }

    #[test]
    fn an_unmet_requirement_names_what_each_alternative_lacks() {
        let (_, credentials) = Auth::unsigned()
            .bearer("t")
            .scheme("bearerAuth")
            .check()
            .expect("valid");
        let missing = credentials
            .select(Some(&[&["basicAuth"], &["bearerAuth", "apiKey"]]), false)
            .expect_err("not met");
        assert_eq!(missing, [vec!["basicAuth"], vec!["apiKey"]]);
        // A credential without a scheme name belongs to no scheme.
        let (_, untagged) = Auth::unsigned().bearer("t").check().expect("valid");
        assert!(untagged.select(Some(&[&["bearerAuth"]]), false).is_err());
        assert_eq!(
            untagged.select(None, false).expect("all").entries,
            [0],
            "sent when nothing is declared"
        );
    }

    #[cfg(feature = "signing")]
    #[test]
    fn the_signing_scheme_signs_only_where_it_is_required() {
        use crate::signing::tests::RULE;
        let (signing, credentials) = Auth::signed(RULE, Secret::from("s"))
            .scheme("hmac")
            .header("X-Client-ID", "c")
            .scheme("clientId")
            .security(&[&["hmac", "clientId"]])
            .check()
            .expect("valid");
        let signer = signing.is_some();
        let all = credentials.select(None, signer).expect("met");
        assert!(all.signed);
        assert_eq!(all.entries, [0]);
        let client_only = credentials
            .select(Some(&[&["clientId"]]), signer)
            .expect("met");
        assert!(!client_only.signed);
        let none = credentials.select(Some(&[]), signer).expect("met");
        assert_eq!(none, Selection::default());
        // Without the key, the signing scheme is not configured.
        assert_eq!(
            credentials.select(None, false).expect_err("unmet"),
            [vec!["hmac"]]
        );
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
