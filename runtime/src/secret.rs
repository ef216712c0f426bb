//! [`Secret`]: a byte string that must never be printed.
//!
//! Signing keys travel through builders, clients and error paths; wrapping them in a type whose `Debug` is
//! redacted and which has no `Display` makes leaking one through a log line a compile-time or review-time
//! mistake instead of a silent one.

use std::fmt;

/// A secret value, such as an HMAC signing key.
///
/// `Debug` prints `Secret(<redacted>)` and there is deliberately no `Display`: the only way to read the
/// value is [`Secret::expose`], which is easy to search for in review.
///
/// ```
/// let secret = openapi_client_runtime::Secret::from("your-hmac-secret");
/// assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
/// assert_eq!(secret.expose(), b"your-hmac-secret");
/// ```
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps a secret value (any bytes: a `String`, `&str`, `Vec<u8>` or `&[u8]`).
    pub fn new(value: impl Into<Vec<u8>>) -> Self {
        Self(value.into())
    }

    /// The raw secret bytes. Use only to compute a signature; never log the result.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<Vec<u8>> for Secret {
    fn from(value: Vec<u8>) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::from(String::from("hunter2-very-secret"));
        let shown = format!("{secret:?} {secret:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn expose_returns_the_bytes() {
        assert_eq!(Secret::new(vec![0u8, 255]).expose(), &[0u8, 255]);
        assert_eq!(Secret::from("مفتاح").expose(), "مفتاح".as_bytes());
    }
}
