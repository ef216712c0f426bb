//! [`RetryPolicy`]: which failed attempts are sent again, and how long to wait before each.
//!
//! The policy is data; the loop that applies it is in `Client::send`. The decisions that need no I/O
//! (which status or transport error is retried for which method, the backoff, `Retry-After`) are plain
//! functions here, so they are tested without a server.

use reqwest::header::{HeaderMap, DATE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A boxed, sendable future, as returned by the sleep function given to
/// [`ClientBuilder::sleep`](crate::ClientBuilder::sleep) (the same type as `futures::future::BoxFuture`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// When and how often a failed request is sent again.
///
/// # What is retried
///
/// | Failure                                         | GET, HEAD, PUT, DELETE, OPTIONS | POST, PATCH |
/// |-------------------------------------------------|---------------------------------|-------------|
/// | 429 Too Many Requests, 503 Service Unavailable  | retried                         | retried     |
/// | no connection could be made (refused, DNS, TLS) | retried                         | retried     |
/// | 500, 502, 504                                   | retried                         | **never**   |
/// | timeout, connection reset or closed mid-request | retried                         | **never**   |
/// | anything else (4xx, a 2xx that does not decode) | never                           | never       |
///
/// A 429 or 503 says the server refused the request without processing it, and a connection that was never
/// made carried nothing, so those are safe to send again whatever the method. A 500, 502 or 504, a timeout,
/// or a connection dropped after the request was written say nothing of the sort: the server may have
/// processed the request and failed afterwards (or the answer was lost on the way back). Sending a POST or
/// PATCH again could then create a second contact or send a WhatsApp message twice, and the API documents no
/// idempotency key that would make that safe, so those are returned to the caller instead. The methods
/// HTTP defines as idempotent can be repeated without changing the outcome.
///
/// # How long to wait
///
/// Before retry `n` (1 for the first retry) the client waits
/// `min(max_backoff, initial_backoff × 2ⁿ⁻¹)`, multiplied by a random factor in `[0, 1)` when
/// [`jitter`](Self::jitter) is on ("full jitter", so that many clients refused at once do not come back
/// at once). When the answer carries `Retry-After` (delta-seconds, or an HTTP-date read against the
/// answer's `Date` header), the client waits exactly that long instead: neither capped by `max_backoff` nor
/// jittered, since waiting less would only be refused again.
///
/// A retry whose wait would end after [`max_elapsed`](Self::max_elapsed) (counted from the start of the
/// first attempt, attempts and waits included) is not made: the answer at hand is returned at once. With the
/// default 60 s, a 429 saying `Retry-After: 3600` is returned immediately, with
/// [`RateLimit::retry_after`](crate::RateLimit::retry_after) set for the caller to schedule the call later.
///
/// Every attempt is signed anew, with a fresh timestamp from the clock, over the same body bytes (the body
/// is encoded once). The timeout ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)) applies to each
/// attempt on its own. When no retry is left, the last answer or transport error is returned;
/// [`Response::attempts`](crate::Response::attempts) and [`ApiError::attempts`](crate::ApiError::attempts)
/// tell how many attempts were made.
///
/// ```
/// use openapi_client_runtime::RetryPolicy;
/// use std::time::Duration;
///
/// let patient = RetryPolicy {
///     max_attempts: 5,
///     max_elapsed: Duration::from_secs(300),
///     ..RetryPolicy::default()
/// };
/// assert_eq!(patient.initial_backoff, Duration::from_millis(500));
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included: 1 means no retry. 0 is read as 1. Default 3.
    pub max_attempts: u32,
    /// The wait before the first retry, doubled for each later one. Default 0.5 s.
    pub initial_backoff: Duration,
    /// The longest computed wait (a `Retry-After` is not capped). Default 8 s.
    pub max_backoff: Duration,
    /// No retry is made whose wait would end later than this after the first attempt started. Default 60 s.
    pub max_elapsed: Duration,
    /// Multiply each computed wait by a random factor in `[0, 1)`. Default on.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, waits of 0.5 s then 1 s (before jitter) up to 8 s, at most 60 s in all, jitter on.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A single attempt: every failure is returned as it comes.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Whether another attempt may follow attempt number `made` (1-based), counting only this policy's.
    pub(crate) fn allows_another(&self, made: u32) -> bool {
        made < self.max_attempts.max(1)
    }

    /// The computed wait before retry `retry` (1 for the first), `jitter` being a factor in `[0, 1]`.
    pub(crate) fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        let wait = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        if self.jitter {
            // NaN and values out of range are clamped rather than trusted: `mul_f64` panics on them.
            let factor = if jitter.is_nan() {
                1.0
            } else {
                jitter.clamp(0.0, 1.0)
            };
            wait.mul_f64(factor)
        } else {
            wait
        }
    }
}

/// Methods HTTP defines as idempotent, which may be sent again after any transient failure.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Whether an answer with `status` to a `method` request is retried (see the table on [`RetryPolicy`]).
pub(crate) fn retries_status(method: &Method, status: StatusCode) -> bool {
    match status.as_u16() {
        429 | 503 => true,
        500 | 502 | 504 => is_idempotent(method),
        _ => false,
    }
}

/// Whether a transport failure of a `method` request is retried: a connection that was never made, for
/// every method; any other failure to send or to read the answer (timeout, reset), for idempotent methods.
pub(crate) fn retries_transport(method: &Method, error: &reqwest::Error) -> bool {
    if error.is_builder() || error.is_redirect() {
        return false;
    }
    error.is_connect() || is_idempotent(method)
}

/// The wait a `Retry-After` header asks for: delta-seconds, or an HTTP-date taken relative to the
/// answer's own `Date` header (so that a skewed local clock does not matter) or, without one, to
/// `now_unix_seconds`. A date in the past is a zero wait; a malformed value is `None`.
pub(crate) fn retry_after(headers: &HeaderMap, now_unix_seconds: i64) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date_seconds(value)?;
    let now = headers
        .get(DATE)
        .and_then(|date| date.to_str().ok())
        .and_then(http_date_seconds)
        .unwrap_or(now_unix_seconds);
    Some(Duration::from_secs(
        u64::try_from(at.saturating_sub(now)).unwrap_or(0),
    ))
}

/// An HTTP-date (RFC 9110 §5.6.7, all three forms) as Unix seconds.
pub(crate) fn http_date_seconds(text: &str) -> Option<i64> {
    let time = httpdate::parse_http_date(text.trim()).ok()?;
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).ok()?,
        Err(before) => -i64::try_from(before.duration().as_secs()).ok()?,
    };
    Some(seconds)
}

/// A random factor in `[0, 1)` from the operating system's generator.
pub(crate) fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // Practically unreachable; the sub-second part of the time still spreads clients apart.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        bytes = u64::from(nanos)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .to_le_bytes();
    }
    // The top 53 bits, as many as an f64 holds exactly: the result is below 1.
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn defaults_and_none() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts, 3);
        assert_eq!(policy.initial_backoff, Duration::from_millis(500));
        assert_eq!(policy.max_backoff, Duration::from_secs(8));
        assert_eq!(policy.max_elapsed, Duration::from_secs(60));
        assert!(policy.jitter);
        assert!(policy.allows_another(1) && policy.allows_another(2) && !policy.allows_another(3));
        let none = RetryPolicy::none();
        assert!(!none.allows_another(1));
        let zero = RetryPolicy {
            max_attempts: 0,
            ..policy
        };
        assert!(!zero.allows_another(1));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_scales_it() {
        let policy = RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        };
        let waits: Vec<Duration> = (1..=7).map(|retry| policy.backoff(retry, 0.0)).collect();
        let ms = Duration::from_millis;
        assert_eq!(
            waits,
            [
                ms(500),
                ms(1000),
                ms(2000),
                ms(4000),
                ms(8000),
                ms(8000),
                ms(8000)
            ]
        );
        assert_eq!(policy.backoff(u32::MAX, 0.0), ms(8000));

        let jittered = RetryPolicy::default();
        assert_eq!(jittered.backoff(1, 0.5), ms(250));
        assert_eq!(jittered.backoff(3, 0.25), ms(500));
        assert_eq!(jittered.backoff(2, 0.0), Duration::ZERO);
        assert_eq!(jittered.backoff(2, f64::NAN), ms(1000));
        assert_eq!(jittered.backoff(2, 7.0), ms(1000));
        assert_eq!(jittered.backoff(2, -1.0), Duration::ZERO);
    }

    #[test]
    fn which_statuses_are_retried_for_which_methods() {
        let status = |code| StatusCode::from_u16(code).expect("valid");
        for method in [Method::POST, Method::PATCH] {
            for code in [429, 503] {
                assert!(retries_status(&method, status(code)), "{method} {code}");
            }
            for code in [400, 401, 403, 404, 409, 413, 422, 500, 501, 502, 504] {
                assert!(!retries_status(&method, status(code)), "{method} {code}");
            }
        }
        for method in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            for code in [429, 500, 502, 503, 504] {
                assert!(retries_status(&method, status(code)), "{method} {code}");
            }
            for code in [200, 400, 401, 403, 404, 409, 422, 501, 505] {
                assert!(!retries_status(&method, status(code)), "{method} {code}");
            }
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(
            retry_after(&headers(&[("Retry-After", " 7 ")]), 0),
            Some(Duration::from_secs(7))
        );
        // 1704124800 is Mon, 01 Jan 2024 16:00:00 GMT.
        let date = headers(&[("Retry-After", "Mon, 01 Jan 2024 16:00:30 GMT")]);
        assert_eq!(
            retry_after(&date, 1704124800),
            Some(Duration::from_secs(30))
        );
        assert_eq!(retry_after(&date, 1704124900), Some(Duration::ZERO));
        // Relative to the answer's own Date header when there is one, whatever the local clock says.
        let both = headers(&[
            ("Retry-After", "Mon, 01 Jan 2024 16:00:30 GMT"),
            ("Date", "Mon, 01 Jan 2024 16:00:10 GMT"),
        ]);
        assert_eq!(retry_after(&both, 0), Some(Duration::from_secs(20)));
        assert_eq!(retry_after(&headers(&[("Retry-After", "soon")]), 0), None);
        assert_eq!(retry_after(&headers(&[("Retry-After", "-1")]), 0), None);
        assert_eq!(retry_after(&HeaderMap::new(), 0), None);
    }

    #[test]
    fn http_dates_in_every_form() {
        for text in [
            "Mon, 01 Jan 2024 16:00:00 GMT",
            "Monday, 01-Jan-24 16:00:00 GMT",
            "Mon Jan  1 16:00:00 2024",
        ] {
            assert_eq!(http_date_seconds(text), Some(1704124800), "{text}");
        }
        assert_eq!(http_date_seconds("yesterday"), None);
    }

    #[test]
    fn random_unit_is_below_one() {
        for _ in 0..1000 {
            let value = random_unit();
            assert!((0.0..1.0).contains(&value), "{value}");
        }
    }
}
