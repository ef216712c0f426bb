//! The signing vectors: signatures computed by an independent implementation of the documented rule.
//!
//! `fixtures/signing-vectors.json` is a verbatim copy of the project's `shared/signing-vectors.json`, kept
//! in the repository so the tests do not depend on a directory outside the checkout; a test compares the
//! two whenever the shared copy is present.

use base64::Engine as _;
use serde_json::Value;
use std::path::PathBuf;

/// One vector, with its body decoded to bytes.
#[derive(Debug, Clone)]
pub struct Vector {
    /// What the vector exercises.
    pub name: String,
    /// Uppercase HTTP method.
    pub method: String,
    /// Path relative to the server's base path.
    pub path: String,
    /// `""` or `"?..."`, as in the file.
    pub query: String,
    /// Unix seconds.
    pub timestamp: u64,
    /// Body bytes (`body`, or `body_base64` decoded).
    pub body: Vec<u8>,
    /// The HMAC secret.
    pub secret: String,
    /// The expected header value, `sha256=<hex>`.
    pub signature: String,
}

/// Path of the vendored vectors file.
pub fn vectors_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/signing-vectors.json")
}

/// Reads every vector. Panics with the path and the reason on a malformed file: this is test support.
pub fn load_vectors() -> Vec<Vector> {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("cannot read signing vectors at {}: {error}", path.display())
    });
    let entries: Vec<Value> =
        serde_json::from_str(&text).expect("signing-vectors.json is a JSON array");
    entries
        .iter()
        .map(|entry| {
            let text = |key: &str| -> String {
                entry[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("vector field {key:?} missing in {entry}"))
                    .to_owned()
            };
            let body = match entry.get("body_base64") {
                Some(encoded) => base64::engine::general_purpose::STANDARD
                    .decode(encoded.as_str().expect("body_base64 is a string"))
                    .expect("body_base64 is valid base64"),
                None => text("body").into_bytes(),
            };
            Vector {
                name: text("name"),
                method: text("method"),
                path: text("path"),
                query: text("query"),
                timestamp: entry["timestamp"]
                    .as_u64()
                    .expect("timestamp is an unsigned integer"),
                body,
                secret: text("secret"),
                signature: text("signature"),
            }
        })
        .collect()
}
