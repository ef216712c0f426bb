//! Request signing: the signing rule as data, and HMAC-SHA256 over it.
//!
//! The API declares its signing scheme in the spec (which header, which prefix, which parts of the request in
//! which order). The generator turns that declaration into a [`SigningRule`] constant, and this module
//! computes the signature for it ([`SigningRule::signature`]). When the spec declares signing, the
//! generator also emits a `sign` function for the API's own rule, which the crate re-exports here.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How a request is signed: which header carries the signature and which request parts are signed, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningRule {
    /// Header that carries the signature, e.g. `X-Signature-256`.
    pub header: &'static str,
    /// Text put in front of the lowercase hex digest, e.g. `sha256=`.
    pub prefix: &'static str,
    /// Header that carries the timestamp (decimal Unix seconds), e.g. `X-Timestamp`.
    pub timestamp_header: &'static str,
    /// The signed parts, in order; they are joined with no separator.
    pub parts: &'static [SignedPart],
    /// Which form of the URL path is signed.
    pub path: PathForm,
    /// What the body part is for `multipart/form-data` requests.
    pub multipart_body: MultipartBody,
    /// The status the server answers a signed request whose timestamp is too far from its own clock, when
    /// the spec declares one (`clock-skew-status` in `x-signing`). Only then can
    /// [`ClientBuilder::correct_clock_skew`](crate::ClientBuilder::correct_clock_skew) learn the server's
    /// clock from such an answer's `Date` header.
    pub clock_skew_status: Option<u16>,
}

/// One part of the string to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedPart {
    /// The uppercase HTTP method, e.g. `POST`.
    Method,
    /// The URL path, in the form chosen by [`SigningRule::path`].
    Path,
    /// `""` when there is no query string, else `?` followed by the query exactly as sent.
    Query,
    /// The timestamp sent in [`SigningRule::timestamp_header`], in decimal.
    Timestamp,
    /// The exact body bytes sent (empty when there is no body).
    Body,
}

/// Which form of the URL path is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathForm {
    /// The path relative to the base URL's path: base `/api/developer`, request
    /// `/api/developer/contacts` signs `/contacts`.
    RelativeToServer,
    /// The full URL path, base path included.
    Full,
}

/// What the body part of the signature is for `multipart/form-data` requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultipartBody {
    /// The exact encoded multipart bytes, boundaries included.
    Raw,
    /// The empty string.
    Empty,
}

/// The request values a signature is computed over. Every field is exactly what goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// Uppercase HTTP method.
    pub method: &'a str,
    /// Path in the rule's [`PathForm`].
    pub path: &'a str,
    /// `""` or `?` followed by the query string.
    pub query: &'a str,
    /// Unix seconds, also sent in the timestamp header.
    pub timestamp: u64,
    /// Body bytes as signed (see [`MultipartBody`]).
    pub body: &'a [u8],
}

impl SigningRule {
    /// HMAC-SHA256 keyed with `secret` over the rule's parts in order, as `prefix` + lowercase hex.
    ///
    /// Each part is fed to the MAC on its own, so a large body is never copied into a string to sign.
    pub fn signature(&self, secret: &[u8], message: &Message<'_>) -> String {
        let mut out = String::new();
        self.signature_into(keyed(secret), message, &mut out);
        out
    }

    /// The signature of [`signature`](Self::signature), computed with `mac`, a MAC already keyed with the
    /// secret ([`keyed`]), appended to `out` as `prefix` + lowercase hex. The client keys its MAC once and
    /// clones it per request: cloning is cheaper than keying (two SHA-256 blocks) anew.
    pub(crate) fn signature_into(
        &self,
        mut mac: Hmac<Sha256>,
        message: &Message<'_>,
        out: &mut String,
    ) {
        feed(&mut mac, self.parts, message);
        self.finish_into(mac, out);
    }

    /// The parts before and after the body, when the body is signed exactly once. The client then computes
    /// a form's signature while encoding it: [`feed`] the parts before, the body as it is written, [`feed`]
    /// the parts after, and [`finish_into`](Self::finish_into).
    pub(crate) fn split_at_body(&self) -> Option<(&'static [SignedPart], &'static [SignedPart])> {
        let at = self
            .parts
            .iter()
            .position(|&part| part == SignedPart::Body)?;
        let (before, after) = (&self.parts[..at], &self.parts[at + 1..]);
        (!after.contains(&SignedPart::Body)).then_some((before, after))
    }

    /// Appends the signature of everything fed to `mac` to `out`, as `prefix` + lowercase hex.
    pub(crate) fn finish_into(&self, mac: Hmac<Sha256>, out: &mut String) {
        let digest = mac.finalize().into_bytes();
        out.reserve(self.prefix.len() + HEX_DIGEST_LEN);
        out.push_str(self.prefix);
        crate::hex::push_hex(out, &digest);
    }
}

/// Feeds `parts` of `message` to `mac`, in order.
pub(crate) fn feed(mac: &mut Hmac<Sha256>, parts: &[SignedPart], message: &Message<'_>) {
    each_part(parts, message, |bytes| mac.update(bytes));
}

/// Gives `parts` of `message` to `put`, in order.
fn each_part(parts: &[SignedPart], message: &Message<'_>, mut put: impl FnMut(&[u8])) {
    let mut digits = [0u8; 20];
    for part in parts {
        match part {
            SignedPart::Method => put(message.method.as_bytes()),
            SignedPart::Path => put(message.path.as_bytes()),
            SignedPart::Query => put(message.query.as_bytes()),
            SignedPart::Timestamp => put(decimal(message.timestamp, &mut digits)),
            SignedPart::Body => put(message.body),
        }
    }
}

/// The length of a SHA-256 digest in hex.
const HEX_DIGEST_LEN: usize = 64;

/// An HMAC-SHA256 state keyed with `secret`, to be cloned for each signature.
pub(crate) fn keyed(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (RFC 2104 hashes long keys and pads short ones), so the
    // `InvalidLength` error of the generic `KeyInit` API cannot happen for `Hmac<Sha256>`.
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC accepts keys of any length")
}

/// Writes `value` in decimal into `buffer` (20 bytes hold `u64::MAX`) and returns the digits, so the
/// timestamp is fed to the MAC without a heap allocation.
fn decimal(mut value: u64, buffer: &mut [u8; 20]) -> &[u8] {
    // u64::MAX has 20 digits, so `start` never goes below 0.
    let mut start = buffer.len();
    loop {
        start -= 1;
        // `value % 10` is below 10, so the cast cannot truncate.
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    &buffer[start..]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine as _;

    /// The rule as documented, built here rather than taken from generated code, so these tests pin the
    /// runtime independently of the generator.
    pub(crate) const RULE: SigningRule = SigningRule {
        header: "X-Signature-256",
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
        clock_skew_status: Some(403),
    };

    struct Vector {
        name: &'static str,
        method: &'static str,
        path: &'static str,
        query: &'static str,
        timestamp: u64,
        body: Vec<u8>,
        secret: &'static str,
        signature: &'static str,
    }

    /// Copied from `shared/signing-vectors.json` (computed by an independent implementation).
    fn vectors() -> Vec<Vector> {
        let multipart = base64::engine::general_purpose::STANDARD
            .decode(MULTIPART_BODY_BASE64)
            .expect("the embedded vector is valid base64");
        vec![
            Vector {
                name: "docs worked example (JSON body)",
                method: "POST",
                path: "/w/message/text",
                query: "?phone_number_id=123",
                timestamp: 1704124800,
                body: br#"{"phone":"96650000000","body":"Hello"}"#.to_vec(),
                secret: "your-hmac-secret",
                signature:
                    "sha256=3d3a28eb340079ad838c68984ed0977f001b0f54e5cd6aee42bdbc9561e7170d",
            },
            Vector {
                name: "GET with query, no body",
                method: "GET",
                path: "/contacts",
                query: "?phone_number_id=123456&page=2&limit=50",
                timestamp: 1704124801,
                body: Vec::new(),
                secret: "s3cr3t",
                signature:
                    "sha256=b4dfa9071f301c15bd38bb326521d3541075231936f372161b53e65263345055",
            },
            Vector {
                name: "DELETE, no query, no body",
                method: "DELETE",
                path: "/contacts/1",
                query: "",
                timestamp: 1704124802,
                body: Vec::new(),
                secret: "s3cr3t",
                signature:
                    "sha256=5ecfb4a7d4802f2884e2ed336c7ed0c981f5e9719eaf7ba979df992f2880cb0e",
            },
            Vector {
                name: "UTF-8 JSON body",
                method: "POST",
                path: "/w/message/text",
                query: "?phone_number_id=42",
                timestamp: 1704124803,
                body: r#"{"phone":"96650000000","body":"مرحبا بك"}"#.as_bytes().to_vec(),
                secret: "مفتاح-سري",
                signature:
                    "sha256=7cf143355acc5d378733985f96a859de1f0debf0bb7ee3e8537fe24970288a13",
            },
            Vector {
                name: "multipart body with binary file part, signed as raw bytes",
                method: "POST",
                path: "/contacts",
                query: "?phone_number_id=123456",
                timestamp: 1704124804,
                body: multipart,
                secret: "your-hmac-secret",
                signature:
                    "sha256=d4afd27121467500533cb27e1041a6aac5bb9d48ef4d3ac6acbb8ce950ab71a7",
            },
        ]
    }

    /// `body_base64` of the multipart vector; also used by the multipart encoder's tests.
    pub(crate) const MULTIPART_BODY_BASE64: &str = "LS1hd2FsLWJvdW5kYXJ5LTAwMDENCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0ibmFtZSINCg0KQWhtZWQgTW9oYW1tZWQNCi0tYXdhbC1ib3VuZGFyeS0wMDAxDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9InBob25lIg0KDQo5NjY1MDAwMDAwMA0KLS1hd2FsLWJvdW5kYXJ5LTAwMDENCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0iaXNfZmF2b3JpdGUiDQoNCnRydWUNCi0tYXdhbC1ib3VuZGFyeS0wMDAxDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9ImZpbGUiOyBmaWxlbmFtZT0iYXZhdGFyLnBuZyINCkNvbnRlbnQtVHlwZTogaW1hZ2UvcG5nDQoNColQTkcNChoKpU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9cfCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4pVeXNjkbcjtS3wnZNKlpNdncG+F2GkAJK1r2jQBvpyMvMyTX2zR9hImrhUziuGjQATTO6DSRqwEyBsbryPjv57vX3nytJNK+H9VILablLDZguhbtVtnKocmN6zXRm/LYODo/xhGOw5LINCi0tYXdhbC1ib3VuZGFyeS0wMDAxLS0NCg==";

    #[test]
    fn rule_reproduces_every_shared_vector() {
        for v in vectors() {
            let message = Message {
                method: v.method,
                path: v.path,
                query: v.query,
                timestamp: v.timestamp,
                body: &v.body,
            };
            assert_eq!(
                RULE.signature(v.secret.as_bytes(), &message),
                v.signature,
                "{}",
                v.name
            );
        }
    }

    #[test]
    fn part_by_part_equals_hmac_of_the_concatenation() {
        let message = Message {
            method: "PATCH",
            path: "/contacts/7",
            query: "?a=%20b",
            timestamp: 0,
            body: b"\x00\xffbody",
        };
        let mut joined = b"PATCH/contacts/7?a=%20b0".to_vec();
        joined.extend_from_slice(b"\x00\xffbody");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"k").expect("any key length");
        mac.update(&joined);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(RULE.signature(b"k", &message), expected);
    }

    #[test]
    fn part_order_and_prefix_follow_the_rule() {
        let reordered = SigningRule {
            parts: &[
                SignedPart::Path,
                SignedPart::Method,
                SignedPart::Timestamp,
                SignedPart::Body,
            ],
            prefix: "",
            ..RULE
        };
        let message = Message {
            method: "POST",
            path: "/w/message/text",
            query: "?phone_number_id=123",
            timestamp: 1704124800,
            body: b"{}",
        };
        let plain = reordered.signature(b"k", &message);
        assert_eq!(plain.len(), 64);
        assert!(plain
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_ne!(format!("sha256={plain}"), RULE.signature(b"k", &message));
    }

    #[test]
    fn signing_in_steps_around_the_body_equals_signing_at_once() {
        let body_inside = SigningRule {
            parts: &[
                SignedPart::Timestamp,
                SignedPart::Body,
                SignedPart::Method,
                SignedPart::Query,
            ],
            ..RULE
        };
        let message = Message {
            method: "POST",
            path: "/contacts",
            query: "?phone_number_id=1",
            timestamp: 1704124800,
            body: b"--b\r\nbody\r\n--b--\r\n",
        };
        for rule in [RULE, body_inside] {
            let (before, after) = rule.split_at_body().expect("one body part");
            let mut mac = keyed(b"k");
            feed(&mut mac, before, &message);
            for piece in message.body.chunks(5) {
                mac.update(piece);
            }
            feed(&mut mac, after, &message);
            let mut stepwise = String::new();
            rule.finish_into(mac, &mut stepwise);
            assert_eq!(stepwise, rule.signature(b"k", &message));
        }
        let twice = SigningRule {
            parts: &[SignedPart::Body, SignedPart::Body],
            ..RULE
        };
        let none = SigningRule {
            parts: &[SignedPart::Method],
            ..RULE
        };
        assert_eq!(twice.split_at_body(), None);
        assert_eq!(none.split_at_body(), None);
    }

    #[test]
    fn decimal_formats_edge_values() {
        let mut buffer = [0u8; 20];
        assert_eq!(decimal(0, &mut buffer), b"0");
        assert_eq!(decimal(1704124800, &mut buffer), b"1704124800");
        assert_eq!(
            decimal(u64::MAX, &mut buffer),
            u64::MAX.to_string().as_bytes()
        );
    }
}
