//! [`RequestOptions`]: settings that override the client's own for the calls made through
//! [`Client::with_options`](crate::Client::with_options).

use crate::retry::RetryPolicy;
use std::fmt;
use std::time::Duration;

/// Overrides for some calls: the retry policy, the timeout, extra headers.
///
/// Given to [`Client::with_options`](crate::Client::with_options), which returns a cheap copy of the client
/// whose every operation uses them; the original client is unchanged.
///
/// ```no_run
/// # async fn demo(client: openapi_client_runtime::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use openapi_client_runtime::{request::Request, Method, RequestOptions, RetryPolicy};
/// use std::time::Duration;
///
/// let once = client.with_options(
///     RequestOptions::new()
///         .retry(RetryPolicy::none())
///         .timeout(Duration::from_secs(5))
///         .header("X-Request-Id", "order-42"),
/// );
/// once.send::<(), serde_json::Value>(Request::new(Method::DELETE, "/contacts/7".to_owned())).await?;
/// # Ok(())
/// # }
/// ```
///
/// `Debug` shows the header names, never their values.
#[derive(Clone, Default)]
#[must_use = "options do nothing until given to `Client::with_options`"]
pub struct RequestOptions {
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Use this retry policy instead of the client's ([`ClientBuilder::retry`](crate::ClientBuilder::retry)).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Use this timeout for each attempt instead of the client's
    /// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
    pub fn timeout(mut self, duration: Duration) -> Self {
        self.timeout = Some(duration);
        self
    }

    /// Also send `name: value`. It replaces a header of the same name set by the operation or by the client
    /// (`Accept`, `User-Agent`, those of [`ClientBuilder::header`](crate::ClientBuilder::header)). Headers that would break the request or its signature
    /// cannot be set here: `Content-Type`, `Content-Length`, `Transfer-Encoding`, `Host`, `Connection`,
    /// the credential headers and the signature and timestamp headers. Such a header, or one whose name or
    /// value cannot be sent, fails the call with [`Error::InvalidRequest`](crate::Error::InvalidRequest)
    /// before anything is sent.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// `self` with `later`'s settings on top: a setting `later` has replaces this one's; headers add up.
    pub(crate) fn merged(&self, later: RequestOptions) -> Self {
        let mut headers = self.headers.clone();
        headers.extend(later.headers);
        Self {
            retry: later.retry.or(self.retry),
            timeout: later.timeout.or(self.timeout),
            headers,
        }
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("headers", &names)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_options_win_and_headers_add_up() {
        let first = RequestOptions::new()
            .retry(RetryPolicy::none())
            .timeout(Duration::from_secs(1))
            .header("X-A", "1");
        let merged = first.merged(
            RequestOptions::new()
                .timeout(Duration::from_secs(2))
                .header("X-B", "2"),
        );
        assert_eq!(merged.retry, Some(RetryPolicy::none()));
        assert_eq!(merged.timeout, Some(Duration::from_secs(2)));
        assert_eq!(
            merged.headers,
            [
                ("X-A".to_owned(), "1".to_owned()),
                ("X-B".to_owned(), "2".to_owned())
            ]
        );
    }

    #[test]
    fn debug_hides_header_values() {
        let shown = format!("{:?}", RequestOptions::new().header("X-Token", "hunter2"));
        assert!(shown.contains("X-Token"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
