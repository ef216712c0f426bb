//! Security schemes → credentials and the request-signing rule.
//!
//! The signing rule is data in the spec (`x-signing` on an apiKey scheme) so that the generator, not
//! hand-written code, decides what is signed and how. The extension's shape:
//!
//! ```yaml
//! x-signing:
//!   algorithm: hmac-sha256            # the only one supported
//!   encoding: hex                     # lowercase hex digest
//!   prefix: "sha256="                 # text before the digest in the header value
//!   timestamp-header: X-Timestamp
//!   timestamp-format: unix-seconds
//!   string-to-sign: [method, path, query, timestamp, body]   # joined with no separator
//!   path: relative-to-server          # or: full
//!   multipart-body: raw               # or: empty
//!   secret: { name: hmac_secret, env: AWAL_HMAC_SECRET, description: ... }
//! ```
//!
//! Other apiKey header schemes are static credential headers; `x-credential: {name, env}` names the
//! field and the environment variable.

use super::names::snake_ident;
use super::prose::sanitize;
use super::{Auth, Credential, MultipartBody, PathForm, SignedPart, Signing};
use crate::diagnostics::{Pointer, Sink};
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityScheme};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SigningExt {
    algorithm: String,
    encoding: String,
    #[serde(default)]
    prefix: String,
    timestamp_header: String,
    timestamp_format: String,
    string_to_sign: Vec<String>,
    #[serde(default = "default_path")]
    path: String,
    #[serde(default = "default_multipart")]
    multipart_body: String,
    secret: CredentialExt,
}

fn default_path() -> String {
    "relative-to-server".to_owned()
}

fn default_multipart() -> String {
    "raw".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialExt {
    name: String,
    #[serde(default)]
    env: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Parses an extension value, reporting a shape error at the pointer inside the extension.
fn parse_ext<T: for<'de> Deserialize<'de>>(
    value: &serde_json::Value,
    at: &Pointer,
    sink: &mut Sink,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let mut p = at.clone();
            for seg in e.path().iter() {
                match seg {
                    serde_path_to_error::Segment::Seq { index } => p = p.push(index.to_string()),
                    serde_path_to_error::Segment::Map { key } => p = p.push(key),
                    _ => {}
                }
            }
            sink.error(&p, e.inner().to_string());
            None
        }
    }
}

/// Reads every security scheme.
pub(super) fn lower_auth(spec: &OpenAPI, sink: &mut Sink) -> Auth {
    let mut auth = Auth::default();
    let Some(components) = &spec.components else {
        return auth;
    };
    let base = Pointer::root().push("components").push("securitySchemes");
    for (key, scheme) in &components.security_schemes {
        let at = base.push(key);
        let scheme = match scheme {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { .. } => {
                sink.error(
                    &at,
                    "a `$ref` security scheme is not supported; write it inline",
                );
                continue;
            }
        };
        match scheme {
            SecurityScheme::APIKey {
                location,
                name,
                description,
                extensions,
            } => {
                if let Some(ext) = extensions.get("x-signing") {
                    let ext_at = at.push("x-signing");
                    if !matches!(location, APIKeyLocation::Header) {
                        sink.error(
                            &at.push("in"),
                            "a signing scheme must send its signature in a header",
                        );
                    }
                    if auth.signing.is_some() {
                        sink.error(&ext_at, "only one security scheme may declare `x-signing`");
                    }
                    if let Some(parsed) = parse_ext::<SigningExt>(ext, &ext_at, sink) {
                        auth.signing = signing(parsed, name, key, &ext_at, sink);
                    }
                    continue;
                }
                if !matches!(location, APIKeyLocation::Header) {
                    sink.error_hint(
                        &at.push("in"),
                        "API keys in a query parameter or cookie are not supported yet",
                        "send the key in a header",
                    );
                    continue;
                }
                let (field, env) = match extensions.get("x-credential") {
                    Some(ext) => {
                        match parse_ext::<CredentialExt>(ext, &at.push("x-credential"), sink) {
                            Some(c) => (snake_ident(&c.name), c.env),
                            None => continue,
                        }
                    }
                    None => (snake_ident(key), None),
                };
                auth.headers.push(Credential {
                    field,
                    header: Some(name.clone()),
                    env,
                    doc: description
                        .as_deref()
                        .map(sanitize)
                        .unwrap_or_else(|| format!("Sent in the `{name}` header.")),
                });
            }
            _ => sink.error_hint(
                &at.push("type"),
                "only apiKey security schemes (optionally with `x-signing`) are supported yet",
                "describe the credential as an apiKey header",
            ),
        }
    }
    auth
}

fn signing(
    ext: SigningExt,
    header: &str,
    scheme: &str,
    at: &Pointer,
    sink: &mut Sink,
) -> Option<Signing> {
    let mut ok = true;
    let mut check = |field: &str, value: &str, allowed: &[&str]| {
        if !allowed.contains(&value) {
            sink.error(
                &at.push(field),
                format!(
                    "`{value}` is not supported here; expected one of: {}",
                    allowed.join(", ")
                ),
            );
            ok = false;
        }
    };
    check("algorithm", &ext.algorithm, &["hmac-sha256"]);
    check("encoding", &ext.encoding, &["hex"]);
    check("timestamp-format", &ext.timestamp_format, &["unix-seconds"]);
    check("path", &ext.path, &["relative-to-server", "full"]);
    check("multipart-body", &ext.multipart_body, &["raw", "empty"]);
    let mut parts = Vec::new();
    for (i, part) in ext.string_to_sign.iter().enumerate() {
        let p = match part.as_str() {
            "method" => SignedPart::Method,
            "path" => SignedPart::Path,
            "query" => SignedPart::Query,
            "timestamp" => SignedPart::Timestamp,
            "body" => SignedPart::Body,
            other => {
                sink.error(
                    &at.push("string-to-sign").push(i.to_string()),
                    format!(
                        "unknown part `{other}`; expected method, path, query, timestamp or body"
                    ),
                );
                ok = false;
                continue;
            }
        };
        if parts.contains(&p) {
            sink.error(
                &at.push("string-to-sign").push(i.to_string()),
                format!("`{part}` is listed twice"),
            );
            ok = false;
        }
        parts.push(p);
    }
    if parts.is_empty() {
        sink.error(
            &at.push("string-to-sign"),
            "the string to sign has no parts",
        );
        ok = false;
    }
    ok.then(|| Signing {
        header: header.to_owned(),
        prefix: ext.prefix,
        timestamp_header: ext.timestamp_header,
        parts,
        path: if ext.path == "full" {
            PathForm::Full
        } else {
            PathForm::RelativeToServer
        },
        multipart_body: if ext.multipart_body == "empty" {
            MultipartBody::Empty
        } else {
            MultipartBody::Raw
        },
        secret: Credential {
            field: snake_ident(&ext.secret.name),
            header: None,
            env: ext.secret.env,
            doc: ext
                .secret
                .description
                .as_deref()
                .map(sanitize)
                .unwrap_or_else(|| "The signing secret.".to_owned()),
        },
        scheme: scheme.to_owned(),
    })
}
