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
//! Every other scheme becomes one field of the generated `Credentials`: an apiKey (header, query or
//! cookie; `x-credential: {name, env}` marks a plain, non-secret header value and names its field and
//! variable), `http` basic or bearer, and `oauth2` / `openIdConnect` as a bearer access token the caller
//! obtains (the client runs no OAuth flow). Anything else is skipped with a warning.

use super::names::{snake_ident, unraw};
use super::prose::sanitize;
use super::{
    ApiKeyIn, Auth, Credential, CredentialKind, MultipartBody, PathForm, SignedPart, Signing,
};
use crate::diagnostics::{Pointer, Sink};
use heck::ToShoutySnakeCase;
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityScheme};
use serde::Deserialize;
use std::collections::HashSet;

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
    /// The status the server answers a stale timestamp with, when it says so.
    #[serde(default)]
    clock_skew_status: Option<u16>,
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

/// Reads every security scheme. Schemes the client cannot apply are skipped with a warning.
pub(super) fn lower_auth(spec: &OpenAPI, sink: &mut Sink) -> Auth {
    let mut auth = Auth {
        env_prefix: env_prefix(&spec.info.title),
        security: spec.security.as_deref().map(|reqs| requirement(spec, reqs)),
        ..Auth::default()
    };
    let Some(components) = &spec.components else {
        return auth;
    };
    let required = required_schemes(spec);
    let mut fields: HashSet<String> = HashSet::new();
    let base = Pointer::root().push("components").push("securitySchemes");
    for (key, scheme) in &components.security_schemes {
        let at = base.push(key);
        let scheme = match scheme {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { .. } => {
                sink.warn(
                    &at,
                    "a `$ref` security scheme is not supported; the scheme is skipped (write it inline)",
                );
                continue;
            }
        };
        let env = format!("{}_{}", auth.env_prefix, shouty(key));
        let is_required = required.contains(key.as_str());
        let credential =
            |field: String, kind: CredentialKind, env: Option<String>, doc: String| Credential {
                field,
                scheme: key.clone(),
                kind,
                env,
                doc,
                required: is_required,
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
                        if let Some(s) = &auth.signing {
                            fields.insert(s.secret.field.clone());
                        }
                    }
                    continue;
                }
                let location = match location {
                    APIKeyLocation::Header => ApiKeyIn::Header,
                    APIKeyLocation::Query => ApiKeyIn::Query,
                    APIKeyLocation::Cookie => ApiKeyIn::Cookie,
                };
                if location != ApiKeyIn::Query && !is_token(name) {
                    sink.warn(
                        &at.push("name"),
                        format!(
                            "`{name}` is not a valid header or cookie name; the scheme is skipped"
                        ),
                    );
                    continue;
                }
                let where_ = match location {
                    ApiKeyIn::Header => format!("the `{name}` header"),
                    ApiKeyIn::Query => format!("the `{name}` query parameter"),
                    ApiKeyIn::Cookie => format!("the `{name}` cookie"),
                };
                let described = description.as_deref().map(sanitize);
                // `x-credential` names a plain (non-secret) header value and its variable: the Awal
                // client id and workspace domain.
                if let Some(ext) = extensions.get("x-credential") {
                    let Some(c) = parse_ext::<CredentialExt>(ext, &at.push("x-credential"), sink)
                    else {
                        continue;
                    };
                    if location != ApiKeyIn::Header {
                        sink.error(&at.push("in"), "`x-credential` is for header schemes");
                        continue;
                    }
                    let c = credential(
                        snake_ident(&c.name),
                        CredentialKind::Header(name.clone()),
                        c.env.or(Some(env)),
                        described.unwrap_or_else(|| format!("Sent in {where_}.")),
                    );
                    push(&mut auth, &mut fields, sink, &at, c);
                    continue;
                }
                let mut doc = format!("The API key of the `{key}` scheme, sent in {where_}.");
                if let Some(d) = described {
                    doc.push_str("\n\n");
                    doc.push_str(&d);
                }
                let c = credential(
                    snake_ident(key),
                    CredentialKind::ApiKey {
                        location,
                        name: name.clone(),
                    },
                    Some(env),
                    doc,
                );
                push(&mut auth, &mut fields, sink, &at, c);
            }
            SecurityScheme::HTTP {
                scheme: http,
                description,
                ..
            } => {
                let described = description.as_deref().map(sanitize);
                let (kind, doc) = match http.to_ascii_lowercase().as_str() {
                    "basic" => (
                        CredentialKind::Basic,
                        format!("The user name and password of the `{key}` scheme, sent as `Authorization: Basic ...`."),
                    ),
                    "bearer" => (
                        CredentialKind::Bearer,
                        format!("The token of the `{key}` scheme, sent as `Authorization: Bearer <token>`."),
                    ),
                    other => {
                        sink.warn(
                            &at.push("scheme"),
                            format!("HTTP `{other}` authentication is not supported (only basic and bearer); the scheme is skipped"),
                        );
                        continue;
                    }
                };
                let doc = match described {
                    Some(d) => format!("{doc}\n\n{d}"),
                    None => doc,
                };
                let c = credential(snake_ident(key), kind, Some(env), doc);
                push(&mut auth, &mut fields, sink, &at, c);
            }
            SecurityScheme::OAuth2 { description, .. }
            | SecurityScheme::OpenIDConnect { description, .. } => {
                let what = if matches!(scheme, SecurityScheme::OAuth2 { .. }) {
                    "OAuth 2"
                } else {
                    "OpenID Connect"
                };
                let mut doc = format!(
                    "An access token for the `{key}` scheme ({what}), sent as `Authorization: Bearer <token>`. \
                     The client does not run the {what} flow: obtain the token yourself, and build a new \
                     client when it expires."
                );
                if let Some(d) = description.as_deref().map(sanitize) {
                    doc.push_str("\n\n");
                    doc.push_str(&d);
                }
                let c = credential(snake_ident(key), CredentialKind::Bearer, Some(env), doc);
                push(&mut auth, &mut fields, sink, &at, c);
            }
        }
    }
    auth
}

/// A requirement as the IR holds it: each alternative's scheme keys, in order, without the schemes the
/// spec does not declare (lowering warns about those and ignores them).
pub(super) fn requirement(
    spec: &OpenAPI,
    reqs: &[openapiv3::SecurityRequirement],
) -> super::Requirement {
    let known = spec.components.as_ref().map(|c| &c.security_schemes);
    reqs.iter()
        .map(|alternative| {
            alternative
                .keys()
                .filter(|scheme| known.is_some_and(|k| k.contains_key(*scheme)))
                .cloned()
                .collect()
        })
        .collect()
}

/// Where a credential goes on the wire, to tell which schemes share a header: a header name
/// (lowercase), or `None` for a query parameter or cookie.
fn header_of(kind: &CredentialKind) -> Option<String> {
    match kind {
        CredentialKind::Header(name)
        | CredentialKind::ApiKey {
            location: ApiKeyIn::Header,
            name,
        } => Some(name.to_ascii_lowercase()),
        CredentialKind::Basic | CredentialKind::Bearer => Some("authorization".to_owned()),
        CredentialKind::ApiKey { .. } | CredentialKind::SigningSecret => None,
    }
}

/// Warns about alternatives that name two schemes sent in the same header: only the first of them is
/// sent (a header holds one credential).
pub(super) fn check_shared_headers(
    auth: &Auth,
    requirement: &super::Requirement,
    at: &Pointer,
    sink: &mut Sink,
) {
    for (i, alternative) in requirement.iter().enumerate() {
        let mut seen: Vec<(&str, String)> = Vec::new();
        for scheme in alternative {
            let Some(header) = auth
                .credentials
                .iter()
                .find(|c| &c.scheme == scheme)
                .and_then(|c| header_of(&c.kind))
            else {
                continue;
            };
            match seen.iter().find(|(_, h)| *h == header) {
                Some((first, _)) => sink.warn(
                    &at.push(i.to_string()),
                    format!(
                        "`{first}` and `{scheme}` are both sent in the `{header}` header; only `{first}` is sent"
                    ),
                ),
                None => seen.push((scheme, header)),
            }
        }
    }
}

/// The schemes every security requirement of every authenticated operation names: their credentials
/// are required fields, the others `Option`s. An operation without any requirement (neither its own
/// nor a global one) requires nothing, so then nothing is required.
fn required_schemes(spec: &OpenAPI) -> HashSet<&str> {
    let mut required: Option<HashSet<&str>> = None;
    for (_, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (_, op) in item.iter() {
            let Some(reqs) = op.security.as_ref().or(spec.security.as_ref()) else {
                return HashSet::new();
            };
            if reqs.is_empty() {
                continue; // `security: []`: a public operation
            }
            for req in reqs {
                let names: HashSet<&str> = req.keys().map(String::as_str).collect();
                required = Some(match required {
                    None => names,
                    Some(r) => r.intersection(&names).copied().collect(),
                });
            }
        }
    }
    required.unwrap_or_default()
}

/// Adds a credential, renaming its field when another scheme took the name.
fn push(
    auth: &mut Auth,
    taken: &mut HashSet<String>,
    sink: &mut Sink,
    at: &Pointer,
    mut c: Credential,
) {
    c.field = unique_field(taken, c.field, at, sink);
    auth.credentials.push(c);
}

/// `field`, or `field_2`, `field_3` ... when another scheme took it (with a warning).
fn unique_field(
    taken: &mut HashSet<String>,
    field: String,
    at: &Pointer,
    sink: &mut Sink,
) -> String {
    if taken.insert(field.clone()) {
        return field;
    }
    let base = unraw(&field).to_owned();
    let mut n = 2;
    let renamed = loop {
        let candidate = format!("{base}_{n}");
        if taken.insert(candidate.clone()) {
            break candidate;
        }
        n += 1;
    };
    sink.warn(
        at,
        format!(
            "the credential field `{field}` is taken by another scheme; this one is `{renamed}`"
        ),
    );
    renamed
}

/// The environment variable prefix for an API: its title's words up to `API` (or `OpenAPI`), in
/// SHOUTY_SNAKE_CASE: "Swagger Petstore - OpenAPI 3.0" → `SWAGGER_PETSTORE`, "Stripe API" → `STRIPE`.
pub(crate) fn env_prefix(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take_while(|w| !w.eq_ignore_ascii_case("api") && !w.eq_ignore_ascii_case("openapi"))
        .map(str::to_ascii_uppercase)
        .collect();
    let prefix = words.join("_");
    if prefix.is_empty() {
        "API".to_owned()
    } else if prefix.starts_with(|c: char| c.is_ascii_digit()) {
        format!("API_{prefix}")
    } else {
        prefix
    }
}

/// A scheme name in SHOUTY_SNAKE_CASE, ASCII letters and digits only: `api_key` → `API_KEY`.
fn shouty(name: &str) -> String {
    let words: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let s = words.to_shouty_snake_case();
    if s.is_empty() {
        "KEY".to_owned()
    } else {
        s
    }
}

/// A `token` of RFC 9110 (header and cookie names).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
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
    if let Some(status) = ext.clock_skew_status.filter(|s| !(400..=599).contains(s)) {
        sink.error(
            &at.push("clock-skew-status"),
            format!("{status} is not an error status; expected 400 to 599"),
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
        clock_skew_status: ext.clock_skew_status,
        secret: Credential {
            field: snake_ident(&ext.secret.name),
            scheme: scheme.to_owned(),
            kind: CredentialKind::SigningSecret,
            required: true,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_prefixes_come_from_the_title() {
        assert_eq!(
            env_prefix("Swagger Petstore - OpenAPI 3.0"),
            "SWAGGER_PETSTORE"
        );
        assert_eq!(env_prefix("Stripe API"), "STRIPE");
        assert_eq!(env_prefix("bunq API"), "BUNQ");
        assert_eq!(env_prefix("GitHub v3 REST API"), "GITHUB_V3_REST");
        assert_eq!(env_prefix("API"), "API");
        assert_eq!(env_prefix("1Password Connect"), "API_1PASSWORD_CONNECT");
        assert_eq!(env_prefix("Épicerie"), "PICERIE");
        assert_eq!(shouty("api_key"), "API_KEY");
        assert_eq!(shouty("bearerAuth"), "BEARER_AUTH");
        assert_eq!(shouty("🙂"), "KEY");
    }

    fn lower(yaml: &str) -> (Auth, Vec<crate::Diagnostic>) {
        let spec: OpenAPI = serde_yaml::from_str(yaml).expect("spec");
        let mut sink = Sink::default();
        let auth = lower_auth(&spec, &mut sink);
        let (auth, warnings) = sink.finish(auth).expect("no errors");
        (auth, warnings)
    }

    #[test]
    fn alternatives_make_optional_fields_and_colliding_names_are_renamed() {
        let (auth, warnings) = lower(
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nsecurity: [{a: [], b: []}, {a: [], c: []}]\npaths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\n  /y:\n    get: {security: [], responses: {'200': {description: ok}}}\ncomponents:\n  securitySchemes:\n    a: {type: apiKey, in: query, name: key}\n    b: {type: http, scheme: basic}\n    c: {type: http, scheme: Bearer}\n    C: {type: openIdConnect, openIdConnectUrl: 'https://x/.well-known'}\n",
        );
        let fields: Vec<(&str, bool)> = auth
            .credentials
            .iter()
            .map(|c| (c.field.as_str(), c.required))
            .collect();
        assert_eq!(
            fields,
            [("a", true), ("b", false), ("c", false), ("c_2", false)]
        );
        assert_eq!(auth.credentials[0].env.as_deref(), Some("T_A"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].pointer, "#/components/securitySchemes/C");
    }

    #[test]
    fn no_security_anywhere_requires_nothing() {
        let (auth, _) = lower(
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\ncomponents:\n  securitySchemes:\n    k: {type: apiKey, in: cookie, name: sid}\n",
        );
        assert!(!auth.credentials[0].required);
        assert_eq!(
            auth.credentials[0].kind,
            CredentialKind::ApiKey {
                location: ApiKeyIn::Cookie,
                name: "sid".to_owned()
            }
        );
    }
}
