//! [`Response`]: a decoded 2xx answer with its status and headers, and the [`RateLimit`] read from them.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::ops::Deref;

/// A successful (2xx) answer: the decoded body plus the status and headers it came with.
///
/// Derefs to the body, so `response.data.id` works directly.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
    attempts: u32,
}

impl<T> Response<T> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: T, attempts: u32) -> Self {
        Self {
            status,
            headers,
            body,
            attempts,
        }
    }

    /// How many attempts it took, this one included: 1 unless earlier attempts failed and were retried (see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The HTTP status (for example `201 Created`).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The rate-limit headers of this answer.
    pub fn rate_limit(&self) -> RateLimit {
        RateLimit::from_headers(&self.headers)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// Rate-limit information sent with every answer. A header that is absent or not a non-negative integer
/// is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// `X-RateLimit-Limit`: requests allowed per window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the current window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: Unix time (seconds) at which the window resets.
    pub reset: Option<u64>,
    /// `Retry-After`: seconds to wait before retrying (the HTTP-date form is not used by this API and is
    /// reported as `None` here; the client's own retries understand both forms).
    pub retry_after: Option<u64>,
}

impl RateLimit {
    /// Reads `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` and `Retry-After`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.trim().parse::<u64>().ok())
        };
        Self {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
            retry_after: number("retry-after"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn rate_limit_reads_the_documented_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("X-RateLimit-Limit", HeaderValue::from_static("1000"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert(
            "X-RATELIMIT-RESET",
            HeaderValue::from_static(" 1704128400 "),
        );
        headers.insert("Retry-After", HeaderValue::from_static("3600"));
        assert_eq!(
            RateLimit::from_headers(&headers),
            RateLimit {
                limit: Some(1000),
                remaining: Some(0),
                reset: Some(1704128400),
                retry_after: Some(3600),
            }
        );
    }

    #[test]
    fn rate_limit_ignores_absent_and_malformed_values() {
        let mut headers = HeaderMap::new();
        headers.insert("X-RateLimit-Limit", HeaderValue::from_static("-1"));
        headers.insert("X-RateLimit-Remaining", HeaderValue::from_static("lots"));
        headers.insert(
            "Retry-After",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        headers.insert(
            "X-RateLimit-Reset",
            HeaderValue::from_bytes(b"\xff1").expect("opaque bytes are allowed"),
        );
        assert_eq!(RateLimit::from_headers(&headers), RateLimit::default());
        assert_eq!(
            RateLimit::from_headers(&HeaderMap::new()),
            RateLimit::default()
        );
    }

    #[test]
    fn response_exposes_and_derefs_to_the_body() {
        let mut headers = HeaderMap::new();
        headers.insert("X-RateLimit-Remaining", HeaderValue::from_static("9"));
        let response = Response::new(StatusCode::CREATED, headers, vec![1, 2, 3], 2);
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.len(), 3);
        assert_eq!(response.body(), &[1, 2, 3]);
        assert_eq!(response.rate_limit().remaining, Some(9));
        assert_eq!(response.headers().len(), 1);
        assert_eq!(response.attempts(), 2);
        assert_eq!(response.into_body(), vec![1, 2, 3]);
    }
}
