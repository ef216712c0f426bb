//! How a 2xx answer's body becomes an operation's success type. The generated methods pick one of
//! these per operation from the media types the spec documents, or a generated `decode` function of a
//! per-status response enum; [`Client`](crate::Client) calls it with the status and the body read in full.

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::{DeserializeOwned, Error as _};

/// Reads a successful answer's body: the status it came with and the bytes, into `T`, or the reason the
/// body does not fit (reported as [`Error::Decode`](crate::Error::Decode) with the body's start).
pub type Decoder<T> = fn(StatusCode, &Bytes) -> Result<T, serde_json::Error>;

/// JSON into `T`; an empty (or all-whitespace) body reads as `null`, so `()` and `Option<T>` accept it.
pub fn json<T: DeserializeOwned>(
    _status: StatusCode,
    body: &Bytes,
) -> Result<T, serde_json::Error> {
    let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(json)
}

/// UTF-8 text; a body that is not UTF-8 is refused rather than altered.
pub fn text(_status: StatusCode, body: &Bytes) -> Result<String, serde_json::Error> {
    String::from_utf8(body.to_vec())
        .map_err(|e| serde_json::Error::custom(format!("the body is not UTF-8 text: {e}")))
}

/// The raw bytes (shared, not copied).
pub fn bytes(_status: StatusCode, body: &Bytes) -> Result<Bytes, serde_json::Error> {
    Ok(body.clone())
}

/// Nothing: the operation documents no body, so whatever came is ignored.
pub fn empty(_status: StatusCode, _body: &Bytes) -> Result<(), serde_json::Error> {
    Ok(())
}

/// The error for a 2xx status the spec does not document, in a per-status response enum's `decode`.
pub fn undocumented(status: StatusCode) -> serde_json::Error {
    serde_json::Error::custom(format!(
        "status {status} is not a documented success status of this operation"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_decoder_reads_what_it_says() {
        let ok = StatusCode::OK;
        assert_eq!(
            json::<Option<u8>>(ok, &Bytes::from_static(b" \n")).ok(),
            Some(None)
        );
        assert_eq!(json::<u8>(ok, &Bytes::from_static(b"7")).ok(), Some(7));
        assert!(json::<u8>(ok, &Bytes::from_static(b"x")).is_err());
        assert_eq!(
            text(ok, &Bytes::from_static("نص".as_bytes()))
                .ok()
                .as_deref(),
            Some("نص")
        );
        assert!(text(ok, &Bytes::from_static(b"\xff")).is_err());
        assert_eq!(
            bytes(ok, &Bytes::from_static(b"\x00\xff")).ok(),
            Some(Bytes::from_static(b"\x00\xff"))
        );
        assert!(empty(ok, &Bytes::from_static(b"anything")).is_ok());
        assert!(undocumented(StatusCode::PARTIAL_CONTENT)
            .to_string()
            .contains("206"));
    }
}
