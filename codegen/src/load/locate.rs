//! When the typed deserialization fails: the deepest node that is not what it should be, and why.
//!
//! serde's own error path stops at the first `#[serde(flatten)]` (openapiv3 flattens extensions into
//! nearly every object), so the document is re-checked one known child at a time, descending into
//! the first failing child.

use super::grammar::Kind;
use super::version::describe;
use crate::diagnostics::{Diagnostic, Pointer};
use serde::Deserialize;
use serde_json::Value;

/// The diagnostic for a document that does not deserialize as an `openapiv3::OpenAPI`.
pub(crate) fn diagnose(document: &Value) -> Diagnostic {
    diagnose_at(document, Pointer::root(), Kind::Document)
}

/// The diagnostic for a node at `at` that does not deserialize as an object of `kind`.
pub(crate) fn diagnose_at(node: &Value, at: Pointer, kind: Kind) -> Diagnostic {
    let (at, node, kind) = locate(node, at, kind);
    Diagnostic::new(at.as_str(), explain(node, kind))
}

fn locate(value: &Value, at: Pointer, kind: Kind) -> (Pointer, &Value, Kind) {
    let children: Box<dyn Iterator<Item = (String, &Value, Kind)>> = match value {
        // A `$ref` stands for its target; its siblings are ignored.
        Value::Object(m) if m.contains_key("$ref") => Box::new(std::iter::empty()),
        Value::Object(m) => Box::new(m.iter().filter_map(|(k, v)| {
            let child = kind.child(k)?;
            // `additionalProperties: true` is a boolean, not a schema.
            (kind != Kind::Schema || k != "additionalProperties" || v.is_object())
                .then(|| (k.clone(), v, child))
        })),
        Value::Array(items) => match kind.item() {
            Some(child) => Box::new(
                items
                    .iter()
                    .enumerate()
                    .map(move |(i, v)| (i.to_string(), v, child)),
            ),
            None => Box::new(std::iter::empty()),
        },
        _ => Box::new(std::iter::empty()),
    };
    for (key, child, child_kind) in children {
        if !parses(child, child_kind) {
            return locate(child, at.push(&key), child_kind);
        }
    }
    (at, value, kind)
}

fn parses(value: &Value, kind: Kind) -> bool {
    error(value, kind).is_none()
}

/// Why `value` is not of `kind`, or `None` if it is.
fn error(value: &Value, kind: Kind) -> Option<String> {
    use openapiv3::*;
    fn check<'de, T: Deserialize<'de>>(v: &'de Value) -> Option<String> {
        T::deserialize(v).err().map(|e| e.to_string())
    }
    // Untagged `ReferenceOr` errors say only "did not match any variant": a node without `$ref` is
    // checked as the item itself, whose error names the field.
    fn item<'de, T: Deserialize<'de>>(v: &'de Value) -> Option<String> {
        match v.get("$ref") {
            Some(_) => check::<ReferenceOr<T>>(v),
            None => check::<T>(v),
        }
    }
    match kind {
        Kind::Document => check::<OpenAPI>(value),
        Kind::Paths => check::<Paths>(value),
        Kind::PathItem => item::<PathItem>(value),
        Kind::Operation => check::<Operation>(value),
        Kind::Parameter => item::<Parameter>(value),
        Kind::RequestBody => item::<RequestBody>(value),
        Kind::Responses => check::<Responses>(value),
        Kind::Response => item::<Response>(value),
        Kind::MediaType => check::<MediaType>(value),
        Kind::Encoding => check::<Encoding>(value),
        Kind::Schema => item::<Schema>(value),
        Kind::Components => check::<Components>(value),
        Kind::SecurityScheme => item::<SecurityScheme>(value),
        Kind::Header => item::<Header>(value),
        Kind::Example => item::<Example>(value),
        Kind::Link => item::<Link>(value),
        Kind::Callback => item::<Callback>(value),
        Kind::MapOf(inner) => match value {
            Value::Object(m) => m.values().find_map(|v| error(v, *inner)),
            _ => Some(String::new()),
        },
        Kind::ListOf(inner) => match value {
            Value::Array(a) => a.iter().find_map(|v| error(v, *inner)),
            _ => Some(String::new()),
        },
    }
}

fn explain(value: &Value, kind: Kind) -> String {
    let wrong_container = match kind {
        Kind::ListOf(_) => !value.is_array(),
        _ => !value.is_object(),
    };
    if wrong_container {
        let expected = match kind {
            Kind::ListOf(inner) => format!("a list of {}s", bare(inner.noun())),
            Kind::MapOf(_) => "a mapping".to_owned(),
            _ => format!("{} (a mapping)", kind.noun()),
        };
        return format!("expected {expected} here, found {}", describe(value));
    }
    if let Some(reference) = value.get("$ref").filter(|r| !r.is_string()) {
        return format!("`$ref` must be a string, not {}", describe(reference));
    }
    match error(value, kind) {
        Some(e) if !e.is_empty() => format!("invalid {}: {e}", bare(kind.noun())),
        _ => format!("this is not valid as {}", kind.noun()),
    }
}

/// A noun without its article: `a schema` → `schema`.
fn bare(noun: &str) -> &str {
    noun.split_once(' ').map_or(noun, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diag(paths: Value) -> Diagnostic {
        let doc =
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths});
        diagnose(&doc)
    }

    #[test]
    fn a_number_where_a_schema_belongs() {
        let d = diag(
            json!({"/a": {"get": {"responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": 42}}}}}}}),
        );
        assert_eq!(
            d.pointer,
            "#/paths/~1a/get/responses/200/content/application~1json/schema"
        );
        assert_eq!(
            d.message,
            "expected a schema (a mapping) here, found the number 42"
        );
    }

    #[test]
    fn a_list_where_properties_belong() {
        let d = diag(
            json!({"/a": {"get": {"parameters": [{"name": "q", "in": "query",
            "schema": {"type": "object", "properties": []}}], "responses": {}}}}),
        );
        assert_eq!(d.pointer, "#/paths/~1a/get/parameters/0/schema/properties");
        assert_eq!(d.message, "expected a mapping here, found a list");
    }

    #[test]
    fn the_field_is_named_inside_the_deepest_node() {
        let d = diag(
            json!({"/a": {"get": {"parameters": [{"name": "q", "in": "body"}],
            "responses": {}}}}),
        );
        assert_eq!(d.pointer, "#/paths/~1a/get/parameters/0");
        assert!(
            d.message
                .starts_with("invalid parameter: unknown variant `body`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_reference_that_is_not_text() {
        let d = diag(json!({"/a": {"get": {"parameters": [{"$ref": 7}], "responses": {}}}}));
        assert_eq!(d.pointer, "#/paths/~1a/get/parameters/0");
        assert_eq!(d.message, "`$ref` must be a string, not the number 7");
    }

    #[test]
    fn missing_document_fields() {
        let d = diagnose(&json!({"openapi": "3.0.3", "paths": {}}));
        assert_eq!(d.pointer, "#");
        assert!(d.message.contains("missing field `info`"), "{}", d.message);
    }
}
