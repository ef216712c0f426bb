//! Document-level differences: what 3.1 made optional, added, or allows that openapiv3 cannot read.

use super::Stage;
use serde_json::{Map, Value};

/// The dialects a 3.1 schema is read as; another `jsonSchemaDialect` is read as these, with a
/// warning.
const DIALECTS: [&str; 3] = [
    "https://spec.openapis.org/oas/3.1/dialect/base",
    "https://spec.openapis.org/oas/3.1/dialect/2024-11-10",
    "https://json-schema.org/draft/2020-12/schema",
];

/// Rewrites the top level: `paths` may be absent (a document of webhooks or components only);
/// `info.summary` joins the description; `jsonSchemaDialect` is checked; `mutualTLS` security
/// schemes, which a client configures on its TLS connection rather than per request, are dropped.
pub(super) fn rewrite(stage: &mut Stage, document: &mut Value) {
    let Value::Object(root) = document else {
        return;
    };
    if !root.contains_key("paths") {
        root.insert("paths".to_owned(), Value::Object(Map::new()));
    }
    if let Some(Value::Object(info)) = root.get_mut("info") {
        if let Some(Value::String(summary)) = info.remove("summary") {
            let description = match info.get("description").and_then(Value::as_str) {
                Some(d) if !d.trim().is_empty() => format!("{}\n\n{d}", summary.trim()),
                _ => summary,
            };
            info.insert("description".to_owned(), Value::String(description));
        }
    }
    if let Some(dialect) = root.remove("jsonSchemaDialect") {
        if !dialect.as_str().is_some_and(|d| DIALECTS.contains(&d)) {
            stage.warn(
                &["jsonSchemaDialect".to_owned()],
                &[],
                "schemas are read as JSON Schema 2020-12 with the OpenAPI vocabulary, not in this dialect",
            );
        }
    }
    let schemes = root
        .get_mut("components")
        .and_then(|c| c.get_mut("securitySchemes"))
        .and_then(Value::as_object_mut);
    if let Some(schemes) = schemes {
        let mutual: Vec<String> = schemes
            .iter()
            .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("mutualTLS"))
            .map(|(k, _)| k.clone())
            .collect();
        for key in mutual {
            schemes.shift_remove(&key);
            let at = ["components", "securitySchemes", key.as_str()].map(str::to_owned);
            stage.warn(
                &at,
                &[],
                "a `mutualTLS` scheme is a client certificate, which the generated client does not present; configure it on the HTTP client (the scheme is left out)",
            );
        }
    }
}
