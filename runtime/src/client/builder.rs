//! [`ClientBuilder`]: every setting of a [`Client`], checked once by [`ClientBuilder::build`].

#[cfg(feature = "multipart")]
use super::BoundarySource;
use super::{system_clock, Client, Clock, Inner, Jitter, Sleep};
use crate::auth::Auth;
use crate::error::ConfigError;
use crate::hooks::Hook;
use crate::retry::{self, BoxFuture, RetryPolicy};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, USER_AGENT};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

#[cfg(feature = "signing")]
use crate::signing::{MultipartBody, PathForm};

/// The default of [`ClientBuilder::max_response_bytes`]: 16 MiB.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Configures and builds a client. Every setting is checked by [`ClientBuilder::build`], so a bad value
/// (a header with a line break, a malformed URL) fails there, never while sending.
///
/// `C` is the client type `build` returns: this crate's [`Client`], or a generated crate's own `Client`,
/// which wraps it (generated crates name this type `ClientBuilder` and start it from
/// `Client::builder(credentials)`).
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder<C = Client> {
    base_url: String,
    auth: Auth,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    headers: Vec<(String, String)>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    #[cfg(feature = "signing")]
    correct_clock_skew: bool,
    #[cfg(feature = "signing")]
    signing_path: Option<PathForm>,
    #[cfg(feature = "signing")]
    multipart_signing: Option<MultipartBody>,
    clock: Option<Clock>,
    sleep: Option<Sleep>,
    jitter: Option<Jitter>,
    #[cfg(feature = "multipart")]
    boundary: Option<BoundarySource>,
    http_client: Option<reqwest::Client>,
    hooks: Vec<Arc<dyn Hook>>,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("ClientBuilder");
        out.field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            // Names only: a header's value may be something the caller would rather not log.
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes);
        #[cfg(feature = "signing")]
        out.field("correct_clock_skew", &self.correct_clock_skew)
            .field("signing_path", &self.signing_path)
            .field("multipart_signing", &self.multipart_signing);
        out.field("custom_clock", &self.clock.is_some())
            .field("custom_sleep", &self.sleep.is_some())
            .field("custom_jitter", &self.jitter.is_some());
        #[cfg(feature = "multipart")]
        out.field("custom_boundary", &self.boundary.is_some());
        out.field("custom_http_client", &self.http_client.is_some())
            .field("hooks", &self.hooks.len())
            .finish()
    }
}

impl ClientBuilder {
    /// A builder for `base_url` (for example `https://api.example.com/v1`) with `auth`, building this
    /// crate's [`Client`].
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        Self::for_client(base_url, auth)
    }
}

impl<C> ClientBuilder<C> {
    /// A builder for `base_url` with `auth` whose [`build`](Self::build) returns `C`: a generated crate's
    /// `Client`, which wraps this crate's. Generated crates call it from `Client::builder`.
    pub fn for_client(base_url: impl Into<String>, auth: Auth) -> Self {
        Self {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            headers: Vec::new(),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            #[cfg(feature = "signing")]
            correct_clock_skew: false,
            #[cfg(feature = "signing")]
            signing_path: None,
            #[cfg(feature = "signing")]
            multipart_signing: None,
            clock: None,
            sleep: None,
            jitter: None,
            #[cfg(feature = "multipart")]
            boundary: None,
            http_client: None,
            hooks: Vec::new(),
            client: PhantomData,
        }
    }

    /// Replaces the base URL (a test server, a staging environment ...).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time allowed for one attempt, from sending to the last body byte. Default 60 s. A retried
    /// request gets this much for each attempt; [`RetryPolicy::max_elapsed`] bounds the waits between
    /// them. Overridden per call by [`RequestOptions::timeout`](crate::RequestOptions::timeout).
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

    /// The `User-Agent` header. A generated crate's `Client::builder` sets `<crate name>/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Also sends `name: value` on every request, for example a version header an API documents
    /// (`.header("X-API-Version", "v1")`). Given twice, the name is sent with both values. An operation's
    /// own header of the same name is replaced (but for its `Accept`, which an operation sets only when
    /// its answers are not JSON), and the credential and signature headers cannot be set here:
    /// [`build`](Self::build) refuses them, and a name or value that cannot be sent.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The retry policy of every call (default [`RetryPolicy::default`]: 3 attempts); see [`RetryPolicy`]
    /// for which failures are retried. [`RetryPolicy::none`] turns retries off. Overridden per call by
    /// [`RequestOptions::retry`](crate::RequestOptions::retry).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body read, in bytes. Default 16 MiB. A larger one fails the call with
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) as soon as it is known (from
    /// `Content-Length`, or while reading), without reading the rest, so a misbehaving server or proxy
    /// cannot make the client buffer an unbounded body.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Corrects the signed timestamp for a local clock that is off. Default off. Only for a signing rule
    /// that declares the status its server gives a stale timestamp
    /// ([`SigningRule::clock_skew_status`](crate::signing::SigningRule::clock_skew_status)).
    ///
    /// When on, and a signed request is answered with that status and a `Date` header more than 30 s away
    /// from the timestamp sent, the client takes the difference between the server's time and its own
    /// clock as an offset, keeps it (shared by every clone of the client), and sends the request once more
    /// with timestamp = clock + offset; every later request is signed with the offset too. This retry is
    /// made at most once per call, without waiting, whatever the [`RetryPolicy`].
    ///
    /// Off by default because a server's `Date` is not authenticated, and the status is often also used
    /// for other refusals (missing permissions): left on, any server or proxy that answers that status
    /// with a wrong `Date` shifts the timestamps of every later call, and another refusal costs a second
    /// request. Better to keep the clock synchronized (NTP); turn this on where that is not possible.
    #[cfg(feature = "signing")]
    pub fn correct_clock_skew(mut self, enabled: bool) -> Self {
        self.correct_clock_skew = enabled;
        self
    }

    /// Which form of the path is signed, replacing the signing rule's. Ignored by a client built with
    /// [`Auth::unsigned`]. For an API whose documentation leaves the signed path open: the spec declares
    /// one reading, and this switches to the other without a new release.
    #[cfg(feature = "signing")]
    pub fn signing_path(mut self, form: PathForm) -> Self {
        self.signing_path = Some(form);
        self
    }

    /// What the body part of the signature is for `multipart/form-data` requests, replacing the signing
    /// rule's. Ignored by a client built with [`Auth::unsigned`]. As [`signing_path`](Self::signing_path),
    /// for a reading the documentation leaves open.
    #[cfg(feature = "signing")]
    pub fn multipart_signing(mut self, body: MultipartBody) -> Self {
        self.multipart_signing = Some(body);
        self
    }

    /// The clock giving the signed timestamp and the time `Retry-After` dates are read against, in Unix
    /// seconds. Default: the system clock. Called for every attempt, so that a retry carries a fresh
    /// timestamp. For a signed form, the first attempt's is read just before the form is encoded,
    /// because the signature is computed while encoding.
    pub fn clock(mut self, now_unix_seconds: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now_unix_seconds));
        self
    }

    /// How the client waits between attempts. Default: `tokio::time::sleep`. Tests give a function that
    /// records the duration and returns at once.
    ///
    /// ```
    /// use openapi_client_runtime::{Auth, ClientBuilder};
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    ///
    /// let waits = Arc::new(Mutex::new(Vec::<Duration>::new()));
    /// let recorded = waits.clone();
    /// let builder: ClientBuilder = ClientBuilder::new("https://api.example.com", Auth::unsigned())
    ///     .sleep(move |wait| {
    ///         recorded.lock().unwrap().push(wait);
    ///         Box::pin(async {})
    ///     })
    ///     .jitter(|| 0.5);
    /// # let _ = builder;
    /// ```
    pub fn sleep(
        mut self,
        sleep: impl Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync + 'static,
    ) -> Self {
        self.sleep = Some(Arc::new(sleep));
        self
    }

    /// The source of the random factor in `[0, 1)` applied to computed waits when
    /// [`RetryPolicy::jitter`] is on. Default: the operating system's random generator. A value outside
    /// `[0, 1]` is clamped.
    pub fn jitter(mut self, random_unit: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.jitter = Some(Arc::new(random_unit));
        self
    }

    /// The source of multipart boundaries. Default: [`multipart::random_boundary`](crate::multipart::random_boundary).
    #[cfg(feature = "multipart")]
    pub fn boundary(mut self, next_boundary: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.boundary = Some(Arc::new(next_boundary));
        self
    }

    /// Uses this reqwest client (to share a connection pool, set a proxy ...). Redirects are not followed
    /// by the default client (a redirected request would carry credentials, or a signature, to another
    /// URL); a client given here keeps its own redirect policy.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Adds a hook that sees, and may change, every attempt of every call before it is signed and sent,
    /// and sees every answer ([`Hook`]). Hooks run in the order they were added.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Checks every setting and builds the client: this crate's [`Client`], or the generated client that
    /// wraps it.
    pub fn build(self) -> Result<C, ConfigError>
    where
        C: From<Client>,
    {
        self.build_runtime().map(C::from)
    }

    fn build_runtime(self) -> Result<Client, ConfigError> {
        let (base, base_path) = parse_base_url(&self.base_url)?;

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| invalid_header_value("User-Agent"))?;
        headers.insert(USER_AGENT, user_agent);
        let (signing, credentials) = self.auth.check()?;
        #[cfg(feature = "signing")]
        let signer = match signing {
            Some((mut rule, secret)) => {
                if let Some(form) = self.signing_path {
                    rule.path = form;
                }
                if let Some(body) = self.multipart_signing {
                    rule.multipart_body = body;
                }
                Some(super::signer::Signer::new(rule, &secret)?)
            }
            None => None,
        };
        #[cfg(not(feature = "signing"))]
        let signer: Option<super::signer::Signer> = signing.map(|never| match never {});
        for (name, value) in &self.headers {
            let header = header_name(name)?;
            let reserved = credentials.header_names().any(|h| *h == header)
                || signer.as_ref().is_some_and(|s| s.owns(&header));
            if reserved {
                return Err(ConfigError::InvalidHeader {
                    name: name.clone(),
                    reason: "set by the client itself (a credential or the signature)".to_owned(),
                });
            }
            let value = HeaderValue::from_str(value).map_err(|_| invalid_header_value(name))?;
            if !headers.contains_key(&header) || header == USER_AGENT || header == ACCEPT {
                headers.insert(header, value);
            } else {
                headers.append(header, value);
            }
        }

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
                base,
                base_path,
                http,
                headers,
                credentials,
                signer,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                #[cfg(feature = "signing")]
                correct_clock_skew: self.correct_clock_skew,
                #[cfg(feature = "signing")]
                clock_offset: std::sync::atomic::AtomicI64::new(0),
                clock: self.clock.unwrap_or_else(|| Arc::new(system_clock)),
                sleep: self
                    .sleep
                    .unwrap_or_else(|| Arc::new(|wait| Box::pin(tokio::time::sleep(wait)))),
                jitter: self.jitter.unwrap_or_else(|| Arc::new(retry::random_unit)),
                #[cfg(feature = "multipart")]
                boundary: self
                    .boundary
                    .unwrap_or_else(|| Arc::new(crate::multipart::random_boundary)),
                hooks: self.hooks,
            }),
            options: None,
        })
    }
}

pub(super) fn header_name(name: &str) -> Result<HeaderName, ConfigError> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| ConfigError::InvalidHeader {
        name: name.to_owned(),
        reason: "not a valid header name".to_owned(),
    })
}

pub(super) fn invalid_header_value(name: &str) -> ConfigError {
    ConfigError::InvalidHeader {
        name: name.to_owned(),
        reason: "the value contains characters that cannot be sent, such as a line break"
            .to_owned(),
    }
}

/// Parses and normalizes the base URL; returns it, and its path without a trailing slash.
fn parse_base_url(text: &str) -> Result<(Url, String), ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: without_userinfo(text),
        reason: reason.to_owned(),
    };
    if text.trim().is_empty() {
        // A spec without an absolute server URL gives the generated builder no default.
        return Err(invalid(
            "no base URL was given and the API has no default one: set it with `ClientBuilder::base_url`",
        ));
    }
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
    let base_path = url.path().trim_end_matches('/').to_owned();
    Ok((url, base_path))
}

/// `text` with any `user:password@` removed, so a refused URL can be shown in an error without its password.
pub(super) fn without_userinfo(text: &str) -> String {
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
