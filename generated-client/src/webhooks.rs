//! Incoming webhooks: checking their signature, answering the verification handshake, parsing events.
//!
//! # What is documented
//!
//! - The webhook URL is set in the Awal dashboard; there is no API to register one.
//! - When the URL is set, Awal sends a verification handshake: a `POST` with the JSON body
//!   `{"type": "verification", "challenge": "<string>"}`, to be answered with `HTTP 200` and the JSON body
//!   `{"challenge": "<the same string>"}`. [`handshake_response`] builds that answer.
//! - Every event has the shape `{"event": string, "timestamp": ISO 8601 string, "data": object}`. This
//!   module is generic over the event type; the generated `types::WebhookEvent` is meant for
//!   [`WebhookVerifier::parse`].
//! - The docs say to always verify the webhook signature before processing an event.
//!
//! # What is ASSUMED
//!
//! The docs do not say how webhooks are signed (their "Webhook Security" section was not available): not the
//! header, the algorithm, what is signed, nor which secret. [`WebhookVerifier`] therefore assumes the scheme
//! mirrors the one for requests:
//!
//! - HMAC-SHA256 keyed with the webhook secret over the **raw request body** only (no timestamp, no URL);
//! - written as [`DEFAULT_PREFIX`] (`sha256=`) followed by 64 **lowercase** hex digits;
//! - in the header [`DEFAULT_HEADER`] (`X-Awal-Signature-256`).
//!
//! Header name and prefix are configurable ([`WebhookVerifier::header`], [`WebhookVerifier::prefix`]). If the
//! real scheme signs something else, every genuine event fails with [`WebhookError::SignatureMismatch`]: the
//! assumption fails closed, never open. Also unknown: whether the webhook secret is the API's `hmacSecret`,
//! whether the handshake itself is signed, and any replay protection (no signed timestamp is documented, so a
//! captured event can be replayed; deduplicate on the event's own ids if that matters).
//!
//! # Handling a webhook
//!
//! Framework-agnostic: give it the request's headers and its body exactly as received (before any JSON
//! parsing, which would change the bytes the signature covers).
//!
//! ```
//! use awal_client::webhooks::{self, WebhookError, WebhookVerifier};
//! use awal_client::Secret;
//! use reqwest::header::HeaderMap;
//!
//! /// Returns the HTTP status and body to answer with.
//! fn handle(verifier: &WebhookVerifier, headers: &HeaderMap, body: &[u8]) -> (u16, Vec<u8>) {
//!     // Answered before verifying: the docs do not say the handshake is signed, and echoing a challenge
//!     // reveals nothing.
//!     if let Some(answer) = webhooks::handshake_response(body) {
//!         return (200, answer);
//!     }
//!     match verifier.parse::<serde_json::Value>(headers, body) {
//!         Ok(event) => {
//!             println!("{}", event["event"]);
//!             (200, Vec::new())
//!         }
//!         Err(WebhookError::InvalidBody(_)) => (400, Vec::new()),
//!         Err(_) => (401, Vec::new()),
//!     }
//! }
//!
//! let verifier = WebhookVerifier::new(Secret::from("webhook-secret"));
//! let body = br#"{"event":"conversation.created","timestamp":"2024-01-20T10:30:00Z","data":{}}"#;
//! let mut headers = HeaderMap::new();
//! let signature = webhooks::signature(b"webhook-secret", body);
//! headers.insert("X-Awal-Signature-256", signature.parse().unwrap());
//! assert_eq!(handle(&verifier, &headers, body).0, 200);
//! assert_eq!(handle(&verifier, &HeaderMap::new(), body).0, 401);
//!
//! let handshake = br#"{"type":"verification","challenge":"abc"}"#;
//! let (status, answer) = handle(&verifier, &HeaderMap::new(), handshake);
//! assert_eq!((status, answer.as_slice()), (200, &br#"{"challenge":"abc"}"#[..]));
//! ```

use crate::Secret;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use sha2::Sha256;

/// The header assumed to carry a webhook's signature (the one requests are signed in).
pub const DEFAULT_HEADER: &str = "X-Awal-Signature-256";
/// The text assumed to precede the hex digest (as for requests).
pub const DEFAULT_PREFIX: &str = "sha256=";

/// Length of a hex-encoded SHA-256 digest.
const HEX_DIGEST_LEN: usize = 64;

/// Checks that a webhook was signed with the shared secret, under the ASSUMED scheme described in the
/// [module docs](self): HMAC-SHA256 over the raw body, `sha256=` + lowercase hex, in `X-Awal-Signature-256`.
///
/// `Debug` shows the header and prefix, never the secret.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    secret: Secret,
    header: &'static str,
    prefix: &'static str,
}

impl WebhookVerifier {
    /// A verifier keyed with `secret`, reading [`DEFAULT_HEADER`] and expecting [`DEFAULT_PREFIX`].
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            header: DEFAULT_HEADER,
            prefix: DEFAULT_PREFIX,
        }
    }

    /// Reads the signature from header `name` instead (matched case-insensitively). A name that is not a
    /// valid header name is never found, so every event then fails with [`WebhookError::MissingSignature`].
    #[must_use]
    pub fn header(mut self, name: &'static str) -> Self {
        self.header = name;
        self
    }

    /// Expects `prefix` before the hex digest instead (`""` for a bare digest). Compared case-sensitively.
    #[must_use]
    pub fn prefix(mut self, prefix: &'static str) -> Self {
        self.prefix = prefix;
        self
    }

    /// The header the signature is read from, as configured.
    pub fn header_name(&self) -> &str {
        self.header
    }

    /// Checks `signature_header_value` (the signature header's value, `None` when absent) against `body`,
    /// the raw request body exactly as received.
    ///
    /// The digest is compared in constant time (hmac's `verify_slice`), so the time taken does not tell an
    /// attacker how much of a forged signature was right. The format checks before it look only at the
    /// received value, never at the expected one.
    ///
    /// # Errors
    ///
    /// - [`WebhookError::MissingSignature`]: no value;
    /// - [`WebhookError::MalformedSignature`]: the value does not start with the prefix, or the rest is not
    ///   64 lowercase hex digits;
    /// - [`WebhookError::SignatureMismatch`]: well-formed, but not the signature of `body` with this secret.
    pub fn verify(
        &self,
        signature_header_value: Option<&str>,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let value = signature_header_value.ok_or_else(|| WebhookError::MissingSignature {
            header: self.header.to_owned(),
        })?;
        let digits = value.strip_prefix(self.prefix).ok_or_else(|| {
            self.malformed(format!(
                "does not start with the expected prefix `{}`",
                self.prefix
            ))
        })?;
        if !digits
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(
                self.malformed("the digest is not lowercase hexadecimal (0-9, a-f)".to_owned())
            );
        }
        if digits.len() != HEX_DIGEST_LEN {
            return Err(self.malformed(format!(
                "the digest has {} hex digits instead of {HEX_DIGEST_LEN}",
                digits.len()
            )));
        }
        let mut tag = [0u8; HEX_DIGEST_LEN / 2];
        // Checked above: 64 hex digits, so this cannot fail; mapped rather than unwrapped anyway.
        hex::decode_to_slice(digits, &mut tag)
            .map_err(|_| self.malformed("the digest is not hexadecimal".to_owned()))?;
        mac(self.secret.expose(), body)
            .verify_slice(&tag)
            .map_err(|_| WebhookError::SignatureMismatch)
    }

    /// [`verify`](Self::verify) with the signature read from `headers` (the first value of the configured
    /// header). A value that is not visible ASCII is [`WebhookError::MalformedSignature`].
    pub fn verify_headers(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        let value =
            match headers.get(self.header) {
                Some(value) => Some(value.to_str().map_err(|_| {
                    self.malformed("the header value is not visible ASCII".to_owned())
                })?),
                None => None,
            };
        self.verify(value, body)
    }

    /// Verifies the signature ([`verify_headers`](Self::verify_headers)), then parses the body as `T` (the
    /// generated `types::WebhookEvent`). The body is parsed only once the signature matched, so unsigned
    /// input never reaches the JSON parser.
    ///
    /// # Errors
    ///
    /// The signature errors of [`verify`](Self::verify), or [`WebhookError::InvalidBody`] when a correctly
    /// signed body is not a `T`.
    pub fn parse<T: DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<T, WebhookError> {
        self.verify_headers(headers, body)?;
        serde_json::from_slice(body).map_err(WebhookError::InvalidBody)
    }

    fn malformed(&self, reason: String) -> WebhookError {
        WebhookError::MalformedSignature {
            header: self.header.to_owned(),
            reason,
        }
    }
}

/// The signature header value the verifier's defaults expect for `body`: `sha256=` + lowercase hex
/// HMAC-SHA256. For tests (signing a fake webhook) and for debugging a mismatch by hand.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let digest = mac(secret, body).finalize().into_bytes();
    format!("{DEFAULT_PREFIX}{}", hex::encode(digest))
}

fn mac(secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (RFC 2104 hashes long keys and pads short ones), so the `InvalidLength`
    // error of the generic `KeyInit` API cannot happen for `Hmac<Sha256>`.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

/// The answer to the documented verification handshake.
///
/// A body `{"type": "verification", "challenge": X}`, with X any JSON string (other members are ignored),
/// gives `Some` JSON bytes `{"challenge":X}` to send back with `HTTP 200`; X is echoed exactly (the same
/// string, unicode included, re-escaped by serde_json). Any other body (an event, a challenge that is not a
/// string, malformed JSON) gives `None`: handle it as an event.
///
/// It does not check a signature: the docs do not say whether the handshake is signed, and echoing a
/// challenge tells the sender nothing it did not already know.
///
/// ```
/// use awal_client::webhooks::handshake_response;
///
/// let answer = handshake_response(br#"{"type":"verification","challenge":"random_string_here"}"#);
/// assert_eq!(answer.as_deref(), Some(&br#"{"challenge":"random_string_here"}"#[..]));
/// ```
pub fn handshake_response(body: &[u8]) -> Option<Vec<u8>> {
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        challenge: &'a str,
    }

    // Parsed as a map, not a derived struct: serde would also accept a struct written as a JSON array.
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).ok()?;
    match (object.get("type"), object.get("challenge")) {
        (Some(serde_json::Value::String(kind)), Some(serde_json::Value::String(challenge)))
            if kind == "verification" =>
        {
            // Serializing a struct of one string cannot fail; `ok()` rather than a panic anyway.
            serde_json::to_vec(&Answer { challenge }).ok()
        }
        _ => None,
    }
}

/// Why a webhook was refused. Never holds the secret or the expected signature, so it is safe to log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature header is absent: the request is unsigned (or the configured header name is wrong).
    #[error("the webhook signature header `{header}` is missing")]
    MissingSignature {
        /// The header looked for.
        header: String,
    },
    /// The signature header is present but not `prefix` + 64 lowercase hex digits.
    #[error("the webhook signature header `{header}` is malformed: {reason}")]
    MalformedSignature {
        /// The header read.
        header: String,
        /// What is wrong with its value (the value itself is not repeated).
        reason: String,
    },
    /// The signature is well-formed but is not the body's: the body was changed, the secret differs, or the
    /// assumed signing scheme (see the [module docs](self)) is not the real one.
    #[error("the webhook signature does not match the body")]
    SignatureMismatch,
    /// The signature matched, but the body is not the expected event type.
    #[error("the webhook body is not a valid event: {0}")]
    InvalidBody(#[source] serde_json::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const SECRET: &str = "webhook-secret-9f8e";
    const BODY: &[u8] = br#"{"event":"message.status.updated","timestamp":"2024-01-20T10:31:00Z","data":{"message_id":"wamid.HBgM","status":"delivered","timestamp":"2024-01-20T10:31:00Z"}}"#;

    fn verifier() -> WebhookVerifier {
        WebhookVerifier::new(Secret::from(SECRET))
    }

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).expect("valid value"));
        headers
    }

    fn malformed(result: Result<(), WebhookError>) -> String {
        match result {
            Err(WebhookError::MalformedSignature { header, reason }) => {
                assert_eq!(header, DEFAULT_HEADER);
                reason
            }
            other => panic!("expected MalformedSignature, got {other:?}"),
        }
    }

    #[test]
    fn signature_is_prefixed_lowercase_hex_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_valid_signature_is_accepted() {
        let value = signature(SECRET.as_bytes(), BODY);
        verifier().verify(Some(&value), BODY).expect("valid");
        verifier()
            .verify_headers(&headers("X-Awal-Signature-256", &value), BODY)
            .expect("valid");
        // Header names are case-insensitive.
        verifier()
            .verify_headers(&headers("x-awal-signature-256", &value), BODY)
            .expect("valid");
        verifier()
            .verify(Some(&signature(SECRET.as_bytes(), b"")), b"")
            .expect("an empty body is signed like any other");
    }

    #[test]
    fn a_one_byte_change_or_a_wrong_secret_is_a_mismatch() {
        let value = signature(SECRET.as_bytes(), BODY);
        let mut changed = BODY.to_vec();
        changed[10] ^= 1;
        assert!(matches!(
            verifier().verify(Some(&value), &changed),
            Err(WebhookError::SignatureMismatch)
        ));
        let mut longer = BODY.to_vec();
        longer.push(b' ');
        assert!(matches!(
            verifier().verify(Some(&value), &longer),
            Err(WebhookError::SignatureMismatch)
        ));
        let other_secret = signature(b"another-secret", BODY);
        assert!(matches!(
            verifier().verify(Some(&other_secret), BODY),
            Err(WebhookError::SignatureMismatch)
        ));
        // One digit of the signature changed.
        let mut flipped = value.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).expect("ASCII");
        assert!(matches!(
            verifier().verify(Some(&flipped), BODY),
            Err(WebhookError::SignatureMismatch)
        ));
    }

    #[test]
    fn a_missing_header_is_reported_with_its_name() {
        match verifier().verify(None, BODY) {
            Err(error @ WebhookError::MissingSignature { .. }) => assert_eq!(
                error.to_string(),
                "the webhook signature header `X-Awal-Signature-256` is missing"
            ),
            other => panic!("expected MissingSignature, got {other:?}"),
        }
        let value = signature(SECRET.as_bytes(), BODY);
        assert!(matches!(
            verifier().verify_headers(&headers("X-Signature", &value), BODY),
            Err(WebhookError::MissingSignature { header }) if header == DEFAULT_HEADER
        ));
    }

    #[test]
    fn malformed_values_are_refused_before_comparing() {
        let value = signature(SECRET.as_bytes(), BODY);
        let digest = value.strip_prefix("sha256=").expect("prefixed");

        let reason = malformed(verifier().verify(Some(digest), BODY));
        assert!(reason.contains("prefix `sha256=`"), "{reason}");
        for wrong_prefix in [
            format!("SHA256={digest}"),
            format!("sha1={digest}"),
            format!(" sha256={digest}"),
            String::new(),
        ] {
            malformed(verifier().verify(Some(&wrong_prefix), BODY));
        }

        let upper = format!("sha256={}", digest.to_ascii_uppercase());
        assert!(malformed(verifier().verify(Some(&upper), BODY)).contains("lowercase"));
        let not_hex = format!("sha256={}zz", &digest[..62]);
        assert!(malformed(verifier().verify(Some(&not_hex), BODY)).contains("hexadecimal"));
        let unicode = format!("sha256={}é", &digest[..62]);
        malformed(verifier().verify(Some(&unicode), BODY));
        malformed(verifier().verify(Some(&format!("{value} ")), BODY));

        for wrong_length in [
            format!("sha256={}", &digest[..62]),
            format!("sha256={digest}00"),
            format!("sha256={digest}{digest}"),
            "sha256=".to_owned(),
        ] {
            let reason = malformed(verifier().verify(Some(&wrong_length), BODY));
            assert!(reason.contains("instead of 64"), "{reason}");
        }

        let mut opaque = HeaderMap::new();
        opaque.insert(
            DEFAULT_HEADER,
            HeaderValue::from_bytes(b"sha256=\xff").expect("opaque bytes are allowed"),
        );
        malformed(verifier().verify_headers(&opaque, BODY));
    }

    #[test]
    fn header_and_prefix_are_configurable() {
        let custom = verifier().header("X-Hub-Signature").prefix("v1,");
        assert_eq!(custom.header_name(), "X-Hub-Signature");
        assert_eq!(verifier().header_name(), DEFAULT_HEADER);
        let digest = &signature(SECRET.as_bytes(), BODY)["sha256=".len()..];
        let value = format!("v1,{digest}");
        custom
            .verify_headers(&headers("x-hub-signature", &value), BODY)
            .expect("valid under the custom header and prefix");
        assert!(matches!(
            custom.verify_headers(&headers(DEFAULT_HEADER, &value), BODY),
            Err(WebhookError::MissingSignature { header }) if header == "X-Hub-Signature"
        ));
        assert!(matches!(
            custom.verify(Some(&format!("sha256={digest}")), BODY),
            Err(WebhookError::MalformedSignature { header, .. }) if header == "X-Hub-Signature"
        ));

        let bare = verifier().prefix("");
        bare.verify(Some(digest), BODY).expect("bare digest");
        assert!(matches!(
            bare.verify(Some(&format!("sha256={digest}")), BODY),
            Err(WebhookError::MalformedSignature { .. })
        ));

        let invalid_name = verifier().header("not a header");
        assert!(matches!(
            invalid_name.verify_headers(&headers(DEFAULT_HEADER, &value), BODY),
            Err(WebhookError::MissingSignature { .. })
        ));
    }

    #[test]
    fn parse_verifies_before_parsing() {
        #[derive(Debug, serde::Deserialize, PartialEq)]
        struct Event {
            event: String,
            data: serde_json::Value,
        }
        let signed = headers(DEFAULT_HEADER, &signature(SECRET.as_bytes(), BODY));
        let event: Event = verifier().parse(&signed, BODY).expect("valid");
        assert_eq!(event.event, "message.status.updated");
        assert_eq!(event.data["status"], "delivered");

        assert!(matches!(
            verifier().parse::<Event>(&HeaderMap::new(), BODY),
            Err(WebhookError::MissingSignature { .. })
        ));
        let not_json = b"not json";
        let signed_junk = headers(DEFAULT_HEADER, &signature(SECRET.as_bytes(), not_json));
        assert!(matches!(
            verifier().parse::<Event>(&signed_junk, not_json),
            Err(WebhookError::InvalidBody(_))
        ));
        // Signed with the right secret, but a JSON body of another shape.
        let other = br#"{"type":"verification","challenge":"x"}"#;
        let signed_other = headers(DEFAULT_HEADER, &signature(SECRET.as_bytes(), other));
        let error = verifier()
            .parse::<Event>(&signed_other, other)
            .expect_err("not an event");
        assert!(matches!(error, WebhookError::InvalidBody(_)));
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn neither_the_secret_nor_the_expected_signature_is_ever_shown() {
        let expected = signature(SECRET.as_bytes(), BODY);
        let expected_digest = &expected["sha256=".len()..];
        let wrong = signature(b"another-secret", BODY);
        let errors = [
            verifier().verify(None, BODY),
            verifier().verify(Some(expected_digest), BODY),
            verifier().verify(Some(&expected.to_ascii_uppercase()), BODY),
            verifier().verify(Some(&wrong), BODY),
            verifier().verify(Some(&expected), b"changed"),
            verifier()
                .parse::<u8>(&headers(DEFAULT_HEADER, &expected), BODY)
                .map(drop),
        ];
        let verifier = verifier();
        let mut shown = format!("{verifier:?} {verifier:#?}");
        for error in errors {
            let error = error.expect_err("refused");
            shown.push_str(&format!("{error} {error:?}"));
        }
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains(expected_digest), "{shown}");
        assert!(
            !shown.contains(&expected_digest.to_ascii_uppercase()),
            "{shown}"
        );
        assert!(shown.contains("<redacted>"));
        assert!(shown.contains(DEFAULT_HEADER));
    }

    #[test]
    fn handshake_echoes_the_documented_challenge() {
        assert_eq!(
            handshake_response(br#"{"type": "verification", "challenge": "random_string_here"}"#)
                .as_deref(),
            Some(&br#"{"challenge":"random_string_here"}"#[..])
        );
        for challenge in [
            "",
            "مرحبا 😀",
            "a \"quoted\" \\ back\nslash\t\u{1}",
            "</script>",
        ] {
            let body = serde_json::to_vec(&serde_json::json!({
                "challenge": challenge,
                "type": "verification",
                "sent_at": 1,
            }))
            .expect("JSON");
            let answer = handshake_response(&body).expect("a handshake");
            let parsed: serde_json::Value = serde_json::from_slice(&answer).expect("JSON answer");
            assert_eq!(parsed, serde_json::json!({ "challenge": challenge }));
            assert_eq!(
                answer,
                serde_json::to_vec(&serde_json::json!({ "challenge": challenge })).expect("JSON")
            );
        }
        // Escaped on the way in, the same string on the way out.
        assert_eq!(
            handshake_response(br#"{"type":"verification","challenge":"\u00e9\ud83d\ude00"}"#)
                .as_deref(),
            Some("{\"challenge\":\"é😀\"}".as_bytes())
        );
    }

    #[test]
    fn anything_but_a_verification_handshake_gets_none() {
        for body in [
            BODY,
            br#"{"type":"message","challenge":"x"}"#,
            br#"{"type":"Verification","challenge":"x"}"#,
            br#"{"type":"verification"}"#,
            br#"{"challenge":"x"}"#,
            br#"{"type":"verification","challenge":null}"#,
            br#"{"type":"verification","challenge":42}"#,
            br#"{"type":"verification","challenge":{"a":1}}"#,
            br#"{"type":null,"challenge":"x"}"#,
            br#"["verification","x"]"#,
            br#""verification""#,
        ] {
            assert_eq!(
                handshake_response(body),
                None,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        for malformed in [
            &b""[..],
            b"{",
            b"not json",
            br#"{"type":"verification","challenge":"x"} trailing"#,
            br#"{"type":"verification","challenge":"x",}"#,
            b"\xff\xfe",
        ] {
            assert_eq!(handshake_response(malformed), None);
        }
    }

    #[test]
    fn the_verifier_is_send_sync_and_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>(_: &T) {}
        assert_send_sync(&verifier());
    }
}
