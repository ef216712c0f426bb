//! The server's own implementation of the Awal signing rule (`awal-api.md` §2).
//!
//! This code deliberately shares nothing with the client crate: it is the independent check that the client
//! signs what it sends.

use axum::http::{HeaderMap, HeaderValue};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{AuthOutcome, ServerConfig};

type HmacSha256 = Hmac<Sha256>;

/// Header carrying the signature, as the docs spell it.
pub(crate) const SIGNATURE_HEADER: &str = "X-Awal-Signature-256";
/// Header carrying the unix timestamp (seconds), as the docs spell it.
pub(crate) const TIMESTAMP_HEADER: &str = "X-Timestamp";
/// Header carrying the workspace domain, as the docs spell it.
pub(crate) const DOMAIN_HEADER: &str = "X-Domain";
/// Header carrying the client id, as the docs spell it.
pub(crate) const CLIENT_ID_HEADER: &str = "X-Client-ID";
/// The `Accept` header, which must include `application/json`.
pub(crate) const ACCEPT_HEADER: &str = "Accept";

/// Prefix of the signature header's value.
const SIGNATURE_PREFIX: &str = "sha256=";

/// The required headers in the order the docs list them (§2.1).
const REQUIRED_HEADERS: [&str; 5] = [
    ACCEPT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DOMAIN_HEADER,
    CLIENT_ID_HEADER,
];

/// Computes the `X-Awal-Signature-256` value (`sha256=<lowercase hex>`) the server expects, using the test
/// server's own HMAC code.
///
/// `path` is the path relative to the base path (e.g. `/contacts`, not `/api/developer/contacts`); `query` is
/// the raw query string without its leading `?` (`None` when the request has no query); `method` is uppercased.
///
/// Useful for hand-built requests in tests. To check the *client's* signing, prefer the independent vectors in
/// `../shared/signing-vectors.json`: this function is only as right as the server it belongs to.
pub fn compute_signature(
    secret: &[u8],
    method: &str,
    path: &str,
    query: Option<&str>,
    timestamp: u64,
    body: &[u8],
) -> String {
    let mac = mac_over(secret, method, path, query, &timestamp.to_string(), body);
    format!(
        "{SIGNATURE_PREFIX}{}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// HMAC-SHA256(secret, METHOD + PATH + QUERY + TIMESTAMP + BODY), with no separators (§2.2).
fn mac_over(
    secret: &[u8],
    method: &str,
    path: &str,
    query: Option<&str>,
    timestamp: &str,
    body: &[u8],
) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(method.to_ascii_uppercase().as_bytes());
    mac.update(path.as_bytes());
    if let Some(query) = query {
        mac.update(b"?");
        mac.update(query.as_bytes());
    }
    mac.update(timestamp.as_bytes());
    mac.update(body);
    mac
}

/// Why a required header was rejected; the text goes into the error envelope's `details`.
pub(crate) struct HeaderProblem {
    /// The header's documented spelling.
    pub name: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

/// The full result of checking a request: the outcome recorded for tests, plus details for the response.
pub(crate) struct Verdict {
    /// What gets recorded and decides the response.
    pub outcome: AuthOutcome,
    /// Per-header explanations for a [`AuthOutcome::MissingHeaders`] outcome; empty otherwise.
    pub header_problems: Vec<HeaderProblem>,
}

/// Checks a request against the configuration, in this order: required headers present and well formed
/// (400), client id and domain (401), timestamp within the allowed skew (403), signature (401).
///
/// `signed_path` is the request path with the base path removed; `query` is the raw query (without `?`).
pub(crate) fn verify(
    config: &ServerConfig,
    method: &str,
    signed_path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Verdict {
    let mut problems = Vec::new();
    for name in REQUIRED_HEADERS {
        if let Some(reason) = header_problem(name, headers) {
            problems.push(HeaderProblem { name, reason });
        }
    }
    if !problems.is_empty() {
        return Verdict {
            outcome: AuthOutcome::MissingHeaders(
                problems.iter().map(|p| p.name.to_owned()).collect(),
            ),
            header_problems: problems,
        };
    }
    // Every header below is present exactly once and (where parsed) well formed: checked above.
    let single = |name: &str| headers.get(name).expect("checked by header_problem");

    let mut wrong = Vec::new();
    for (name, configured) in [
        (CLIENT_ID_HEADER, &config.client_id),
        (DOMAIN_HEADER, &config.domain),
    ] {
        let received = single(name);
        if received.as_bytes() != configured.as_bytes() {
            wrong.push(format!(
                "{name} is {:?}, expected {configured:?}",
                String::from_utf8_lossy(received.as_bytes())
            ));
        }
    }
    if !wrong.is_empty() {
        return outcome_only(AuthOutcome::WrongCredentials(wrong.join("; ")));
    }

    let timestamp_text = single(TIMESTAMP_HEADER)
        .to_str()
        .expect("checked by header_problem");
    let timestamp: u64 = timestamp_text.parse().expect("checked by header_problem");
    if config.now.abs_diff(timestamp) > config.max_skew_seconds {
        return outcome_only(AuthOutcome::StaleTimestamp {
            timestamp,
            now: config.now,
        });
    }

    let received = String::from_utf8_lossy(single(SIGNATURE_HEADER).as_bytes()).into_owned();
    let mac = mac_over(
        &config.secret,
        method,
        signed_path,
        query,
        timestamp_text,
        body,
    );
    let expected = format!(
        "{SIGNATURE_PREFIX}{}",
        hex::encode(mac.clone().finalize().into_bytes())
    );
    let matches = match parse_signature(&received) {
        // Constant-time comparison of the MAC bytes.
        Some(bytes) => mac.verify_slice(&bytes).is_ok(),
        None => false,
    };
    if matches {
        outcome_only(AuthOutcome::Valid)
    } else {
        outcome_only(AuthOutcome::BadSignature { expected, received })
    }
}

fn outcome_only(outcome: AuthOutcome) -> Verdict {
    Verdict {
        outcome,
        header_problems: Vec::new(),
    }
}

/// `Some(reason)` when the required header `name` is absent, repeated, or malformed.
fn header_problem(name: &str, headers: &HeaderMap) -> Option<String> {
    let values: Vec<&HeaderValue> = headers.get_all(name).iter().collect();
    let value = match values.as_slice() {
        [] => return Some("required header is missing".to_owned()),
        [value] => *value,
        _ => {
            return Some(format!(
                "sent {} times; expected exactly once",
                values.len()
            ))
        }
    };
    match name {
        ACCEPT_HEADER => {
            let text = String::from_utf8_lossy(value.as_bytes()).to_ascii_lowercase();
            (!text.contains("application/json")).then(|| "must include application/json".to_owned())
        }
        TIMESTAMP_HEADER => {
            let ok = value
                .to_str()
                .ok()
                .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .is_some_and(|text| text.parse::<u64>().is_ok());
            (!ok).then(|| "must be a unix timestamp in seconds (decimal digits only)".to_owned())
        }
        _ => None,
    }
}

/// The MAC bytes of a well-formed header value: `sha256=` followed by exactly 64 lowercase hex digits.
/// Anything else (uppercase hex, other prefix, wrong length) is treated as a bad signature.
fn parse_signature(value: &str) -> Option<Vec<u8>> {
    let digits = value.strip_prefix(SIGNATURE_PREFIX)?;
    let well_formed = digits.len() == 64
        && digits
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if well_formed {
        hex::decode(digits).ok()
    } else {
        None
    }
}
