//! [`Client`]: builds the URL, encodes the body once, signs it, sends it (again, when the retry policy says
//! so), and decodes the answer.
//!
//! The generated operation methods fill a [`Request`] and call [`Client::send`]; everything that is the
//! same for every operation lives here: credentials ([`Auth`]), timeouts, retries ([`RetryPolicy`]),
//! per-call overrides ([`RequestOptions`]), the clock, sleep, jitter and boundary sources (injectable so
//! tests and snapshots are deterministic), and the mapping of answers to [`Error`].

use crate::auth::{Applied, Auth};
use crate::error::{ApiError, ConfigError, Error, Result};
use crate::multipart::{self, EncodeError, Form};
use crate::options::RequestOptions;
use crate::payload::Payload;
use crate::request::{Body, Request};
use crate::response::Response;
use crate::retry::{self, BoxFuture, RetryPolicy};
use crate::signing::{self, Message, MultipartBody, PathForm, SignedPart, SigningRule};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, DATE,
    HOST, TRANSFER_ENCODING, USER_AGENT,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use sha2::Sha256;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use url::{Position, Url};

type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;
type BoundarySource = Arc<dyn Fn() -> String + Send + Sync>;
type Sleep = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;
type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;
/// The signing MAC, keyed with the secret.
type KeyedMac = Hmac<Sha256>;

/// How much of a response body is kept in errors.
const BODY_START_LIMIT: usize = 4096;
/// Boundaries drawn before giving up when each one occurs in the content (a random one practically never
/// does; a fixed test boundary always will, and must not loop).
const BOUNDARY_ATTEMPTS: usize = 3;
/// The default of [`ClientBuilder::max_response_bytes`]: 16 MiB.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// A difference between the server's `Date` and the signed timestamp up to this is not called clock skew:
/// `Date` has a resolution of one second and the answer takes time to arrive.
const SKEW_TOLERANCE_SECONDS: u64 = 30;
/// The optional version header of the API (awal-api.md §1.2).
const API_VERSION_HEADER: &str = "X-API-Version";

/// Configures and builds a [`Client`]. Every setting is checked by [`ClientBuilder::build`], so a bad
/// value (a header with a line break, a malformed URL) fails there, never while sending.
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    api_version: Option<String>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    correct_clock_skew: bool,
    signing_path: Option<PathForm>,
    multipart_signing: Option<MultipartBody>,
    clock: Option<Clock>,
    sleep: Option<Sleep>,
    jitter: Option<Jitter>,
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
            .field("api_version", &self.api_version)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("correct_clock_skew", &self.correct_clock_skew)
            .field("signing_path", &self.signing_path)
            .field("multipart_signing", &self.multipart_signing)
            .field("custom_clock", &self.clock.is_some())
            .field("custom_sleep", &self.sleep.is_some())
            .field("custom_jitter", &self.jitter.is_some())
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
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            api_version: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            correct_clock_skew: false,
            signing_path: None,
            multipart_signing: None,
            clock: None,
            sleep: None,
            jitter: None,
            boundary: None,
            http_client: None,
        }
    }

    /// Replaces the base URL (a test server, a staging environment ...).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time allowed for one attempt, from sending to the last body byte. Default 60 s. A retried
    /// request gets this much for each attempt; [`RetryPolicy::max_elapsed`] bounds the waits between
    /// them. Overridden per call by [`RequestOptions::timeout`].
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

    /// The `User-Agent` header. Default `<crate name>/<version>`, e.g. `awal-client/0.1.0`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends `X-API-Version: <version>` (for example `"v1"`) on every request. Default: not sent, and the
    /// API then answers with its latest stable version (awal-api.md §1.2). Pinning a version keeps the
    /// answers' shape when a new version ships.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The retry policy of every call (default [`RetryPolicy::default`]: 3 attempts); see [`RetryPolicy`]
    /// for which failures are retried. [`RetryPolicy::none`] turns retries off. Overridden per call by
    /// [`RequestOptions::retry`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body read, in bytes. Default 16 MiB, far above any documented answer. A larger
    /// one fails the call with [`Error::ResponseTooLarge`] as soon as it is known (from `Content-Length`,
    /// or while reading), without reading the rest, so a misbehaving server or proxy cannot make the client
    /// buffer an unbounded body.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Corrects the signed timestamp for a local clock that is off. Default off.
    ///
    /// When on, and a signed request is answered with 403 and a `Date` header more than 30 s away from the
    /// timestamp sent, the client takes the difference between the server's time and its own clock as an
    /// offset, keeps it (shared by every clone of the client), and sends the request once more with
    /// timestamp = clock + offset; every later request is signed with the offset too. This retry is made
    /// at most once per call, without waiting, whatever the [`RetryPolicy`].
    ///
    /// Off by default because a 403 is ambiguous: the API documents it both for a timestamp that is too old
    /// and for insufficient permissions (awal-api.md §2.4), and a server's `Date` is not authenticated. Left
    /// on, a permissions error costs a second request, and any server or proxy that answers 403 with a
    /// wrong `Date` shifts the timestamps of every later call. Better to keep the clock synchronized (NTP);
    /// turn this on where that is not possible.
    pub fn correct_clock_skew(mut self, enabled: bool) -> Self {
        self.correct_clock_skew = enabled;
        self
    }

    /// Which form of the path is signed, replacing the signing rule's (the Awal rule uses
    /// [`PathForm::RelativeToServer`]). Ignored by a client built with [`Auth::unsigned`].
    ///
    /// The docs never say whether the signed path includes the base URL's path (`/api/developer`); their only
    /// worked example signs `/w/message/text` for a request to `/api/developer/w/message/text`
    /// (awal-api.md §2.3, item 1), so the path relative to the base URL is the default. Should the API
    /// turn out to sign the full path, `signing_path(PathForm::Full)` fixes that without a new release.
    pub fn signing_path(mut self, form: PathForm) -> Self {
        self.signing_path = Some(form);
        self
    }

    /// What the body part of the signature is for `multipart/form-data` requests, replacing the signing
    /// rule's (the Awal rule uses [`MultipartBody::Raw`]). Ignored by a client built with
    /// [`Auth::unsigned`].
    ///
    /// The docs define BODY as "the request body" and never single out form uploads (awal-api.md §2.3,
    /// item 5). The raw encoded bytes, boundaries and file contents included, are the only reading of that
    /// which covers the bytes actually sent, so a changed file or field breaks the signature; the client
    /// encodes each form once, so those bytes are known before signing. [`MultipartBody::Empty`] is there in
    /// case the API turns out to sign an empty body for forms.
    pub fn multipart_signing(mut self, body: MultipartBody) -> Self {
        self.multipart_signing = Some(body);
        self
    }

    /// The clock giving the signed timestamp in Unix seconds. Default: the system clock. Called for every
    /// attempt, so that a retry carries a fresh timestamp. For a signed form, the first attempt's is read
    /// just before the form is encoded, because the signature is computed while encoding.
    pub fn clock(mut self, now_unix_seconds: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now_unix_seconds));
        self
    }

    /// How the client waits between attempts. Default: `tokio::time::sleep`. Tests give a function that
    /// records the duration and returns at once.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    ///
    /// let waits = Arc::new(Mutex::new(Vec::<Duration>::new()));
    /// let recorded = waits.clone();
    /// let builder = awal_client::Client::builder(awal_client::Credentials {
    ///     client_id: "client-123".into(),
    ///     domain: "your-workspace".into(),
    ///     hmac_secret: "your-hmac-secret".into(),
    /// })
    /// .sleep(move |wait| {
    ///     recorded.lock().unwrap().push(wait);
    ///     Box::pin(async {})
    /// })
    /// .jitter(|| 0.5);
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
        let (base, base_path) = parse_base_url(&self.base_url)?;

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| invalid_header_value("User-Agent"))?;
        headers.insert(USER_AGENT, user_agent);
        if let Some(version) = &self.api_version {
            let value = HeaderValue::from_str(version)
                .map_err(|_| invalid_header_value(API_VERSION_HEADER))?;
            headers.insert(header_name(API_VERSION_HEADER)?, value);
        }
        let (signing, credentials) = self.auth.check()?;
        let signer = match signing {
            Some((mut rule, secret)) => {
                HeaderValue::from_str(rule.prefix)
                    .map_err(|_| invalid_header_value(rule.header))?;
                if let Some(form) = self.signing_path {
                    rule.path = form;
                }
                if let Some(body) = self.multipart_signing {
                    rule.multipart_body = body;
                }
                Some(Signer {
                    header: header_name(rule.header)?,
                    timestamp_header: header_name(rule.timestamp_header)?,
                    rule,
                    mac: signing::keyed(secret.expose()),
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
                base,
                base_path,
                http,
                headers,
                credentials,
                signer,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                correct_clock_skew: self.correct_clock_skew,
                clock_offset: AtomicI64::new(0),
                clock: self.clock.unwrap_or_else(|| Arc::new(system_clock)),
                sleep: self
                    .sleep
                    .unwrap_or_else(|| Arc::new(|wait| Box::pin(tokio::time::sleep(wait)))),
                jitter: self.jitter.unwrap_or_else(|| Arc::new(retry::random_unit)),
                boundary: self
                    .boundary
                    .unwrap_or_else(|| Arc::new(multipart::random_boundary)),
            }),
            options: None,
        })
    }
}

/// The API client. Cheap to clone (the state is shared), and safe to use from many tasks at once.
///
/// `Debug` shows the base URL and the names of the headers sent, never their values or the secret.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Set by [`Client::with_options`]; `None` for the client as built.
    options: Option<Arc<RequestOptions>>,
}

struct Inner {
    /// The base URL parsed once, normalized; each request's URL is a copy with path and query set.
    base: Url,
    /// The base URL's path without a trailing slash (`""` for a root URL).
    base_path: String,
    http: reqwest::Client,
    /// Sent on every request: Accept, User-Agent and X-API-Version.
    headers: HeaderMap,
    /// Sent on every authenticated request (all but `security: []` operations): headers, query
    /// parameters and cookies.
    credentials: Applied,
    signer: Option<Signer>,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    correct_clock_skew: bool,
    /// Seconds added to the clock for the signed timestamp; learnt from a 403's `Date` when
    /// `correct_clock_skew` is on, 0 otherwise. Shared by every clone.
    clock_offset: AtomicI64,
    clock: Clock,
    sleep: Sleep,
    jitter: Jitter,
    boundary: BoundarySource,
}

struct Signer {
    rule: SigningRule,
    /// Keyed with the secret once, in `build`; each signature starts from a copy.
    mac: KeyedMac,
    header: HeaderName,
    timestamp_header: HeaderName,
}

impl Signer {
    /// The request values the rule signs, but the body: the path in the rule's form, the query as sent.
    fn message<'a>(
        &self,
        method: &'a str,
        url: &'a Url,
        base_path: &str,
        timestamp: u64,
    ) -> Message<'a> {
        let full_path = url.path();
        let path = match self.rule.path {
            // `Client::url` checked that the parsed path is exactly base path + request path.
            PathForm::RelativeToServer => full_path.get(base_path.len()..).unwrap_or(full_path),
            PathForm::Full => full_path,
        };
        Message {
            method,
            path,
            // `?` and the query, or `""` when there is none.
            query: &url[Position::AfterPath..Position::AfterQuery],
            timestamp,
            // The callers feed the body to the MAC themselves, in pieces when it is in pieces.
            body: &[],
        }
    }

    /// Signs the request as the rule says over `body` (`None`: an empty body) and adds the signature and
    /// timestamp headers. When the rule signs the body in one place, as every rule of this crate does, a
    /// body in pieces is fed to the MAC piece by piece; otherwise it is joined first.
    fn sign_into<E>(
        &self,
        headers: &mut HeaderMap,
        method: &str,
        url: &Url,
        base_path: &str,
        timestamp: u64,
        body: Option<&Payload>,
    ) -> Result<(), E> {
        let message = self.message(method, url, base_path, timestamp);
        let mut mac = self.mac.clone();
        match self.rule.split_at_body() {
            Some((before, after)) => {
                signing::feed(&mut mac, before, &message);
                body.into_iter()
                    .for_each(|body| body.for_each_piece(|piece| mac.update(piece)));
                signing::feed(&mut mac, after, &message);
            }
            None => {
                let whole = body.map(Payload::contiguous).unwrap_or_default();
                let message = Message {
                    body: &whole,
                    ..message
                };
                signing::feed(&mut mac, self.rule.parts, &message);
            }
        }
        let signature = self.finish(mac)?;
        self.insert(headers, signature, timestamp);
        Ok(())
    }

    /// The signature of everything fed to `mac`, as a header value marked sensitive.
    fn finish<E>(&self, mac: KeyedMac) -> Result<HeaderValue, E> {
        let mut signature = String::new();
        self.rule.finish_into(mac, &mut signature);
        // `build` checked the prefix and the rest is hex, so this cannot fail; mapped rather than unwrapped.
        let mut signature = HeaderValue::try_from(signature).map_err(|_| {
            Error::invalid(
                self.rule.header,
                "the signature prefix is not a valid header value",
            )
        })?;
        signature.set_sensitive(true);
        Ok(signature)
    }

    /// Adds the signature and timestamp headers.
    fn insert(&self, headers: &mut HeaderMap, signature: HeaderValue, timestamp: u64) {
        headers.insert(self.header.clone(), signature);
        headers.insert(self.timestamp_header.clone(), HeaderValue::from(timestamp));
    }
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
            names.push(signer.header.as_str());
            names.push(signer.timestamp_header.as_str());
        }
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("headers", &names)
            .field("retry", &self.inner.retry)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A request ready to be signed and sent, as many times as the retry policy allows: the body is encoded
/// once, and every attempt sends these same bytes.
struct Prepared {
    method: Method,
    url: Url,
    /// Every header but the signature and timestamp, which each attempt adds.
    headers: HeaderMap,
    body: Option<Payload>,
    is_multipart: bool,
    authenticated: bool,
    /// The first attempt's timestamp and signature, when they were computed while encoding the form.
    presigned: Option<(u64, HeaderValue)>,
}

/// What one attempt came to.
enum Attempt {
    /// An answer, its body read in full.
    Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
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
    /// # async fn demo(client: awal_client::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use awal_client::{RequestOptions, RetryPolicy};
    ///
    /// // This one call is sent once, whatever the client's policy.
    /// client.with_options(RequestOptions::new().retry(RetryPolicy::none())).delete_contact(7).await?;
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

    /// The offset, in seconds, added to the clock for signed timestamps: learnt from the server when
    /// [`ClientBuilder::correct_clock_skew`] is on, 0 otherwise.
    pub fn clock_offset_seconds(&self) -> i64 {
        self.inner.clock_offset.load(Ordering::Relaxed)
    }

    /// Builds the URL, encodes the body once, signs those exact bytes, sends them, and decodes the answer:
    /// 2xx → the JSON body as `T` (an empty body is read as `null`, so `()` and `Option` work); any other
    /// status → [`Error::Api`] with the body parsed as `E` when it parses. A failed attempt is sent again as
    /// the [`RetryPolicy`] says, signed anew over the same bytes.
    pub(crate) async fn send<T: DeserializeOwned, E: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Response<T>, E> {
        self.send_with(request, crate::decode::json::<T>).await
    }

    /// As [`Self::send`], reading a 2xx body with `decode` (text, bytes, nothing, or by status).
    pub(crate) async fn send_with<T, E: DeserializeOwned>(
        &self,
        request: Request,
        decode: crate::decode::Decoder<T>,
    ) -> Result<Response<T>, E> {
        let inner = &*self.inner;
        let mut prepared = self.prepare(request)?;
        let options = self.options.as_deref();
        let policy = options.and_then(|o| o.retry).unwrap_or(inner.retry);
        let timeout = options.and_then(|o| o.timeout).unwrap_or(inner.timeout);

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
            let (wait, error) = match self
                .attempt(&prepared, timestamp, presigned, timeout)
                .await?
            {
                Attempt::Answer {
                    status,
                    headers,
                    body,
                } if status.is_success() => {
                    return decoded(decode, status, headers, &body, attempts)
                }
                Attempt::Answer {
                    status,
                    headers,
                    body,
                } => {
                    if !skew_corrected
                        && self.learn_clock_offset(&prepared, status, &headers, timestamp)
                    {
                        skew_corrected = true;
                        continue;
                    }
                    let wait = retry::retries_status(&prepared.method, status).then(|| {
                        let now = i64::try_from(self.timestamp()).unwrap_or(i64::MAX);
                        retry::retry_after(&headers, now)
                            .unwrap_or_else(|| self.backoff(&policy, retries + 1))
                    });
                    let error = Error::Api(Box::new(ApiError {
                        status,
                        body: serde_json::from_slice(&body).ok(),
                        raw_body: body_start(&body),
                        headers,
                        attempts,
                    }));
                    (wait, error)
                }
                Attempt::Transport(error) => {
                    let wait = retry::retries_transport(&prepared.method, &error)
                        .then(|| self.backoff(&policy, retries + 1));
                    (wait, Error::Transport(error))
                }
                // Retried like a lost connection: only where sending again cannot do harm.
                Attempt::Interrupted {
                    status,
                    headers,
                    error,
                } => {
                    let wait = retry::retries_transport(&prepared.method, &error)
                        .then(|| self.backoff(&policy, retries + 1));
                    (
                        wait,
                        Error::Interrupted {
                            status,
                            headers,
                            source: error,
                        },
                    )
                }
                Attempt::TooLarge(status) => {
                    return Err(Error::ResponseTooLarge {
                        status,
                        limit: inner.max_response_bytes,
                    })
                }
            };
            match wait {
                Some(wait)
                    if policy.allows_another(retries + 1)
                        && clock.elapsed().saturating_add(wait) <= policy.max_elapsed =>
                {
                    clock.wait(&inner.sleep, wait).await;
                    retries += 1;
                }
                _ => return Err(error),
            }
        }
    }

    /// The signed timestamp: the clock plus the learnt offset.
    fn timestamp(&self) -> u64 {
        (self.inner.clock)().saturating_add_signed(self.inner.clock_offset.load(Ordering::Relaxed))
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

    /// With clock-skew correction on: when a signed request got 403 with a `Date` far from the timestamp
    /// sent, stores the offset of the server's time from the clock and returns true (send once more).
    fn learn_clock_offset(
        &self,
        prepared: &Prepared,
        status: StatusCode,
        headers: &HeaderMap,
        sent_timestamp: u64,
    ) -> bool {
        let inner = &*self.inner;
        if !inner.correct_clock_skew
            || status != StatusCode::FORBIDDEN
            || !prepared.authenticated
            || inner.signer.is_none()
        {
            return false;
        }
        let Some(server_time) = headers
            .get(DATE)
            .and_then(|date| date.to_str().ok())
            .and_then(retry::http_date_seconds)
        else {
            return false;
        };
        let sent = i64::try_from(sent_timestamp).unwrap_or(i64::MAX);
        if server_time.abs_diff(sent) <= SKEW_TOLERANCE_SECONDS {
            // The timestamp was right: the 403 is about something else (permissions).
            return false;
        }
        let local = i64::try_from((inner.clock)()).unwrap_or(i64::MAX);
        let offset = server_time.saturating_sub(local);
        let offset = if offset.unsigned_abs() > SKEW_TOLERANCE_SECONDS {
            offset
        } else {
            0
        };
        inner.clock_offset.store(offset, Ordering::Relaxed);
        true
    }

    /// Signs and sends the prepared request once and reads the answer, up to the size limit. `presigned`
    /// is the signature for `timestamp` when it is already known.
    async fn attempt<E>(
        &self,
        prepared: &Prepared,
        timestamp: u64,
        presigned: Option<HeaderValue>,
        timeout: Duration,
    ) -> Result<Attempt, E> {
        let inner = &*self.inner;
        let mut headers = prepared.headers.clone();
        if let Some(signer) = inner.signer.as_ref().filter(|_| prepared.authenticated) {
            if let Some(signature) = presigned {
                signer.insert(&mut headers, signature, timestamp);
            } else {
                let body = match (prepared.is_multipart, signer.rule.multipart_body) {
                    (true, MultipartBody::Empty) => None,
                    _ => prepared.body.as_ref(),
                };
                signer.sign_into(
                    &mut headers,
                    prepared.method.as_str(),
                    &prepared.url,
                    &inner.base_path,
                    timestamp,
                    body,
                )?;
            }
        }

        // Built directly rather than with `RequestBuilder`, whose `headers` copies the map entry by entry.
        let mut request = reqwest::Request::new(prepared.method.clone(), prepared.url.clone());
        *request.headers_mut() = headers;
        *request.timeout_mut() = Some(timeout);
        // Reference-counted copies of the bytes encoded once in `prepare`.
        *request.body_mut() = prepared.body.as_ref().map(Payload::to_reqwest);
        let mut response = match inner.http.execute(request).await {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Transport(error)),
        };
        let status = response.status();
        let limit = inner.max_response_bytes;
        let announced = response.content_length();
        if announced.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Ok(Attempt::TooLarge(status));
        }
        let headers = std::mem::take(response.headers_mut());
        // `announced` is at most `limit` here, so this allocation is bounded too.
        let capacity = announced.map_or(0, |length| usize::try_from(length).unwrap_or(0));
        let mut body = Vec::with_capacity(capacity);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if chunk.len() > limit - body.len() {
                        return Ok(Attempt::TooLarge(status));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => {
                    return Ok(Attempt::Interrupted {
                        status,
                        headers,
                        error,
                    })
                }
            }
        }
        Ok(Attempt::Answer {
            status,
            headers,
            body: Bytes::from(body),
        })
    }

    /// Checks the request and builds everything that is the same for every attempt: URL, headers, and the
    /// body encoded once.
    fn prepare<E>(&self, request: Request) -> Result<Prepared, E> {
        let inner = &*self.inner;
        let Request {
            method,
            path,
            query,
            headers: extra_headers,
            cookies,
            body,
            authenticated,
            errors,
            invalid,
        } = request;
        if !invalid.is_empty() {
            return Err(Error::Validation(invalid));
        }
        if let Some((name, message)) = errors.into_iter().next() {
            return Err(Error::invalid(name, message));
        }

        // Credential query parameters go into the URL here, before signing, so the signature covers them.
        let query = if authenticated {
            inner.credentials.with_query(query)
        } else {
            query
        };
        let url = self.url(&path, &query)?;
        // Room for Content-Type, Cookie, and the signature and timestamp each attempt adds to its copy, so
        // that no insert grows the map.
        let mut headers = HeaderMap::with_capacity(
            extra_headers.len() + inner.headers.len() + inner.credentials.headers.len() + 4,
        );
        for (name, value) in extra_headers {
            let (header, value) = checked_header(name, &value)?;
            headers.append(header, value);
        }
        if !cookies.is_empty() {
            let (header, value) = checked_header("Cookie", &cookies)?;
            headers.append(header, value);
        }
        // Inserted after the operation's own headers, so those cannot replace the credentials.
        for (name, value) in &inner.headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(options) = &self.options {
            let mut checked = Vec::with_capacity(options.headers.len());
            for (name, value) in &options.headers {
                let (header, value) = checked_header(name, value)?;
                if self.is_reserved(&header) {
                    return Err(Error::invalid(
                        name.clone(),
                        "set by the client itself; it cannot be replaced per request",
                    ));
                }
                checked.push((header, value));
            }
            // Each name given replaces the header of that name; repeating a name sends it repeated.
            for (header, _) in &checked {
                headers.remove(header);
            }
            for (header, value) in checked {
                headers.append(header, value);
            }
        }
        if authenticated {
            inner.credentials.add_headers(&mut headers);
        }

        let mut presigned = None;
        let (body, is_multipart) = match body {
            Body::None => (None, false),
            Body::Json(Ok(bytes)) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                (Some(Payload::Whole(bytes)), false)
            }
            Body::Json(Err(message))
            | Body::Encoded {
                bytes: Err(message),
                ..
            } => return Err(Error::invalid("body", message)),
            Body::Encoded {
                content_type,
                bytes: Ok(bytes),
            } => {
                let (_, value) = checked_header("Content-Type", content_type)?;
                headers.insert(CONTENT_TYPE, value);
                (Some(Payload::Whole(bytes)), false)
            }
            Body::Multipart(form) => {
                let (boundary, payload) = match self.presigning(authenticated) {
                    Some((signer, before, after)) => {
                        // The first attempt's timestamp is read now, before encoding, so that the MAC
                        // can take the form's bytes as they are written, while they are in cache.
                        let timestamp = self.timestamp();
                        // `before` and `after` hold every signed part but the body, which the tap feeds.
                        let message =
                            signer.message(method.as_str(), &url, &inner.base_path, timestamp);
                        let mut mac = signer.mac.clone();
                        signing::feed(&mut mac, before, &message);
                        let (boundary, payload, mac) = self.encode(&form, Some(mac))?;
                        if let Some(mut mac) = mac {
                            signing::feed(&mut mac, after, &message);
                            presigned = Some((timestamp, signer.finish(mac)?));
                        }
                        (boundary, payload)
                    }
                    None => {
                        let (boundary, payload, _) = self.encode(&form, None)?;
                        (boundary, payload)
                    }
                };
                // A valid boundary is printable ASCII, so this cannot fail; mapped rather than unwrapped anyway.
                let content_type = HeaderValue::try_from(multipart::content_type(&boundary))
                    .map_err(|_| Error::invalid("body", "boundary is not a valid header value"))?;
                headers.insert(CONTENT_TYPE, content_type);
                (Some(payload), true)
            }
        };

        Ok(Prepared {
            method,
            url,
            headers,
            body,
            is_multipart,
            authenticated,
            presigned,
        })
    }

    /// The signer, and the signed parts before and after the body, when a form's signature can be
    /// computed while encoding it: the request is signed, over the raw form, and the body is one part.
    fn presigning(
        &self,
        authenticated: bool,
    ) -> Option<(&Signer, &'static [SignedPart], &'static [SignedPart])> {
        let signer = self.inner.signer.as_ref().filter(|_| authenticated)?;
        if signer.rule.multipart_body != MultipartBody::Raw {
            return None;
        }
        let (before, after) = signer.rule.split_at_body()?;
        Some((signer, before, after))
    }

    /// Headers a [`RequestOptions::header`] may not set: framing, content type, credentials, signature.
    fn is_reserved(&self, name: &HeaderName) -> bool {
        let inner = &*self.inner;
        [
            CONTENT_TYPE,
            CONTENT_LENGTH,
            TRANSFER_ENCODING,
            HOST,
            CONNECTION,
        ]
        .contains(name)
            || inner.credentials.headers.contains_key(name)
            || inner
                .signer
                .as_ref()
                .is_some_and(|signer| signer.header == name || signer.timestamp_header == name)
    }

    /// Sets path and query on a copy of the parsed base URL, refusing anything the parser changed: what is
    /// signed is then, by construction, what is sent.
    fn url<E>(&self, path: &str, query: &str) -> Result<Url, E> {
        if !path.starts_with('/') {
            return Err(Error::invalid(
                "path",
                format!("`{path}` does not start with '/'"),
            ));
        }
        let base_path = &self.inner.base_path;
        let mut full_path = String::with_capacity(base_path.len() + path.len());
        full_path.push_str(base_path);
        full_path.push_str(path);
        // Only path and query are parsed: scheme, host and port were checked once, in `build`.
        let mut url = self.inner.base.clone();
        url.set_path(&full_path);
        url.set_query((!query.is_empty()).then_some(query));
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
    /// in the content. A copy of `mac` is given the body as it is written, and returned with it. Large
    /// files are not copied: the body shares their bytes ([`Payload::Pieces`]).
    fn encode<E>(
        &self,
        form: &Form,
        mac: Option<KeyedMac>,
    ) -> Result<(String, Payload, Option<KeyedMac>), E> {
        let mut attempt = 1;
        loop {
            let boundary = (self.inner.boundary)();
            // A copy per boundary: a failed encoding may have fed part of a body.
            let mut tapped = mac.clone();
            let encoded = match &mut tapped {
                Some(mac) => form.encode_payload_tapped(&boundary, |bytes| mac.update(bytes)),
                None => form.encode_payload_tapped(&boundary, |_| {}),
            };
            match encoded {
                Ok(bytes) => return Ok((boundary, bytes, tapped)),
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

/// Parses and normalizes the base URL; returns it, and its path without a trailing slash.
fn parse_base_url(text: &str) -> std::result::Result<(Url, String), ConfigError> {
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
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::signing::SignedPart;
    use crate::test_server::{Recorded, Reply, Server};
    use reqwest::{Method, StatusCode};

    pub(super) const SECRET: &str = "your-hmac-secret";
    /// The fixed clock of the tests: Mon, 01 Jan 2024 16:00:00 GMT.
    pub(super) const NOW: u64 = 1704124800;

    pub(super) const RULE: SigningRule = SigningRule {
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
            .boundary(|| "awal-boundary-0001".to_owned())
            .sleep(|_| Box::pin(async {}))
            .jitter(|| 0.5)
    }

    fn client(base: &str, rule: SigningRule) -> Client {
        builder(base, rule).build().expect("valid configuration")
    }

    /// Recomputes the signature of a recorded request with the public `signing::sign`, from what was
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
        let expected = crate::signing::sign(
            SECRET.as_bytes(),
            method,
            path,
            &query,
            timestamp,
            &seen.body,
        );
        assert_eq!(
            seen.header("x-awal-signature-256"),
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
            seen.header("x-awal-signature-256"),
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
