//! [`Base64`]: bytes that travel in JSON as base64 text (OpenAPI's `format: byte`).

use ::base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use ::base64::engine::DecodePaddingMode;
use ::base64::{alphabet, Engine as _};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;

/// Standard base64 (RFC 4648 §4) that reads text with or without `=` padding: servers differ.
const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The URL-safe alphabet (RFC 4648 §5), which some servers send where the spec says `format: byte`.
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Bytes carried in JSON as base64 text: a `format: byte` field.
///
/// It is the bytes themselves (it derefs to `[u8]` and converts from and into `Vec<u8>`); only its
/// JSON form, its [`Display`](fmt::Display) (used in query strings and form parts) and its `Debug` are
/// the standard base64 text, with padding. Decoding also accepts text without padding and the
/// URL-safe alphabet.
///
/// ```
/// use openapi_client_runtime::Base64;
///
/// let data = Base64::from(b"hello".to_vec());
/// assert_eq!(serde_json::to_string(&data).unwrap(), r#""aGVsbG8=""#);
/// let back: Base64 = serde_json::from_str(r#""aGVsbG8""#).unwrap();
/// assert_eq!(&back[..], b"hello");
/// assert_eq!(back.to_string(), "aGVsbG8=");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    /// The bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }

    /// Decodes base64 text (standard or URL-safe alphabet, padded or not).
    pub fn decode(text: &str) -> Result<Self, ::base64::DecodeError> {
        STANDARD
            .decode(text)
            .or_else(|e| URL_SAFE.decode(text).map_err(|_| e))
            .map(Self)
    }
}

impl fmt::Display for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&STANDARD.encode(&self.0))
    }
}

impl fmt::Debug for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64({:?})", STANDARD.encode(&self.0))
    }
}

impl FromStr for Base64 {
    type Err = ::base64::DecodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::decode(text)
    }
}

impl Deref for Base64 {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for Base64 {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl AsRef<[u8]> for Base64 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64 {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<Base64> for Vec<u8> {
    fn from(value: Base64) -> Self {
        value.0
    }
}

impl serde::Serialize for Base64 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Base64 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::decode(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_as_padded_standard_base64() {
        let value = Base64(vec![0xfb, 0xff, 0x00, 0x01]);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, r#""+/8AAQ==""#);
        assert_eq!(serde_json::from_str::<Base64>(&json).unwrap(), value);
    }

    #[test]
    fn reads_unpadded_and_url_safe_text() {
        assert_eq!(
            Base64::decode("-_8AAQ").unwrap(),
            Base64(vec![0xfb, 0xff, 0x00, 0x01])
        );
        assert_eq!(Base64::decode("").unwrap(), Base64::default());
    }

    #[test]
    fn refuses_text_that_is_not_base64() {
        assert!(serde_json::from_str::<Base64>(r#""not base64!""#).is_err());
        assert!(serde_json::from_str::<Base64>("12").is_err());
    }

    #[test]
    fn is_its_bytes() {
        let value = Base64::from(&b"abc"[..]);
        assert_eq!(value.len(), 3);
        assert_eq!(format!("{value:?}"), r#"Base64("YWJj")"#);
        assert_eq!(Vec::from(value), b"abc".to_vec());
    }
}
