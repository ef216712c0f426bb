//! The 3.1 keywords of one schema that have a 3.0 form: examples, exclusive bounds, content
//! encodings, map keywords, boolean subschemas; and the ones that have none.

use super::Stage;
use serde_json::{Map, Number, Value};

/// Keywords whose meaning no Rust type can carry: the schema becomes any JSON value.
const UNSUPPORTED: [&str; 6] = [
    "$dynamicRef",
    "$recursiveRef",
    "if",
    "then",
    "else",
    "dependentSchemas",
];

/// Keywords kept around an unsupported schema: they document it.
const DOCUMENTING: [&str; 6] = [
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// A schema with a keyword from [`UNSUPPORTED`] becomes any JSON value (keeping its documentation),
/// with a warning at the keyword. True when it did.
pub(super) fn unsupported(
    stage: &mut Stage,
    schema: &mut Map<String, Value>,
    path: &[String],
) -> bool {
    let Some(keyword) = UNSUPPORTED.iter().find(|k| schema.contains_key(**k)) else {
        return false;
    };
    stage.warn(
        path,
        &[keyword],
        format!("`{keyword}` has no Rust type; this schema is generated as `serde_json::Value`"),
    );
    schema.retain(|k, _| DOCUMENTING.contains(&k.as_str()) || k.starts_with("x-"));
    true
}

/// `examples: [..]` → `example`, the first one, unless the schema has an `example`.
pub(super) fn examples(schema: &mut Map<String, Value>) {
    let Some(examples) = schema.remove("examples") else {
        return;
    };
    if let Value::Array(list) = examples {
        if let (false, Some(first)) = (schema.contains_key("example"), list.into_iter().next()) {
            schema.insert("example".to_owned(), first);
        }
    }
}

/// Numeric `exclusiveMinimum`/`exclusiveMaximum` (3.1) → `minimum`/`maximum` with the 3.0 boolean, or
/// for integers the next integer inside the bound; the stricter of two bounds wins. The 3.0 booleans
/// stay as they are; anything else is dropped with a warning.
pub(super) fn exclusive_bounds(
    stage: &mut Stage,
    schema: &mut Map<String, Value>,
    path: &[String],
) {
    let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
    for (exclusive, inclusive, lower) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        let bound = match schema.get(exclusive) {
            None | Some(Value::Bool(_)) => continue,
            Some(Value::Number(n)) => n.clone(),
            Some(_) => {
                stage.warn(
                    path,
                    &[exclusive],
                    format!("`{exclusive}` must be a number; it is ignored"),
                );
                schema.remove(exclusive);
                continue;
            }
        };
        schema.remove(exclusive);
        let current = schema.get(inclusive).and_then(Value::as_f64);
        let Some(b) = bound.as_f64() else { continue };
        if integer {
            // x > b ⇔ x ≥ ⌊b⌋ + 1 for an integer x (and x < b ⇔ x ≤ ⌈b⌉ − 1).
            let next = match (bound.as_i64(), lower) {
                (Some(i), true) => i.checked_add(1).map(Number::from),
                (Some(i), false) => i.checked_sub(1).map(Number::from),
                (None, true) => Number::from_f64(b.floor() + 1.0),
                (None, false) => Number::from_f64(b.ceil() - 1.0),
            };
            let Some(next) = next else { continue };
            let next_f = next.as_f64().unwrap_or(b);
            let stricter = current.is_none_or(|c| if lower { next_f > c } else { next_f < c });
            if stricter {
                schema.insert(inclusive.to_owned(), Value::Number(next));
            }
        } else {
            let stricter = current.is_none_or(|c| if lower { b >= c } else { b <= c });
            if stricter {
                schema.insert(inclusive.to_owned(), Value::Number(bound));
                schema.insert(exclusive.to_owned(), Value::Bool(true));
            }
        }
    }
}

/// `contentEncoding: base64` → `format: byte` (bytes carried as base64 text); binary content
/// (`contentEncoding: binary`, or a `contentMediaType` that is not text) → `format: binary`, a file
/// in a multipart body or raw bytes as a body. Text media types stay strings.
pub(super) fn content(schema: &mut Map<String, Value>) {
    let encoding = schema.remove("contentEncoding");
    let media = schema.remove("contentMediaType");
    schema.remove("contentSchema");
    if schema.contains_key("format")
        || schema
            .get("type")
            .is_some_and(|t| t.as_str() != Some("string"))
    {
        return;
    }
    let format = match (
        encoding.as_ref().and_then(Value::as_str),
        media.as_ref().and_then(Value::as_str),
    ) {
        (Some(e), _) if e.eq_ignore_ascii_case("base64") => "byte",
        (Some(e), _) if e.eq_ignore_ascii_case("binary") => "binary",
        (Some(_), _) => return,
        (None, Some(m)) if is_binary_media(m) => "binary",
        _ => return,
    };
    schema.insert("format".to_owned(), Value::String(format.to_owned()));
}

/// A media type whose content is not text.
fn is_binary_media(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let text = essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("xml")
        || essence.ends_with("yaml")
        || matches!(
            essence.as_str(),
            "application/javascript" | "application/x-www-form-urlencoded" | "application/csv"
        );
    !text && !essence.is_empty()
}

/// The map keywords → `additionalProperties`, which lowering reads as a map's values:
/// `patternProperties` (the one schema its patterns share, else any value; any value too when
/// `additionalProperties` says something else, as the map holds both), `unevaluatedProperties` (where
/// `additionalProperties` says nothing), and `propertyNames` (the keys are strings whatever they
/// match; an object with nothing else is a map of any values).
pub(super) fn maps(stage: &mut Stage, schema: &mut Map<String, Value>, path: &[String]) {
    let open = |s: &Map<String, Value>| {
        s.get("additionalProperties")
            .is_some_and(|a| a.is_object() || a == &Value::Bool(true))
    };
    if let Some(Value::Object(patterns)) = schema.remove("patternProperties") {
        let mut values = patterns.iter();
        let shared = match values.next() {
            Some((first_key, first)) if values.all(|(_, v)| v == first) => {
                Some((first_key.clone(), first.clone()))
            }
            _ => None,
        };
        match (open(schema), shared) {
            (true, Some((_, value))) if schema.get("additionalProperties") == Some(&value) => {}
            (true, _) => {
                schema.insert("additionalProperties".to_owned(), Value::Bool(true));
            }
            (false, Some((key, value))) => {
                schema.insert("additionalProperties".to_owned(), value);
                stage.moved(
                    path,
                    &["additionalProperties"],
                    &["patternProperties", &key],
                );
            }
            (false, None) if patterns.is_empty() => {}
            (false, None) => {
                schema.insert("additionalProperties".to_owned(), Value::Bool(true));
            }
        }
    }
    if let Some(value) = schema.remove("unevaluatedProperties") {
        if !schema.contains_key("additionalProperties") {
            if value.is_object() {
                stage.moved(path, &["additionalProperties"], &["unevaluatedProperties"]);
            }
            schema.insert("additionalProperties".to_owned(), value);
        }
    }
    if schema.remove("propertyNames").is_some()
        && !schema.contains_key("additionalProperties")
        && !schema.contains_key("properties")
    {
        schema.insert("additionalProperties".to_owned(), Value::Bool(true));
    }
}

/// Boolean subschemas where 3.0 needs objects: a `false` property cannot occur (dropped), a `true`
/// one is any value; `items: false` allows only the empty list (unless `prefixItems` says more).
pub(super) fn boolean_children(schema: &mut Map<String, Value>) {
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.retain(|_, v| v != &Value::Bool(false));
        for v in properties.values_mut() {
            if v == &Value::Bool(true) {
                *v = Value::Object(Map::new());
            }
        }
    }
    if schema.contains_key("prefixItems") {
        return;
    }
    match schema.get("items") {
        Some(Value::Bool(true)) => {
            schema.insert("items".to_owned(), Value::Object(Map::new()));
        }
        Some(Value::Bool(false)) => {
            schema.remove("items");
            schema.insert("maxItems".to_owned(), Value::from(0));
        }
        _ => {}
    }
}

/// Keywords that say nothing to a client: identifiers, comments, and checks the client does not
/// make (what a list contains, which properties depend on which).
const DROPPED: [&str; 12] = [
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "$dynamicAnchor",
    "$vocabulary",
    "dependentRequired",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
    "contentSchema",
];

/// Removes the keywords of [`DROPPED`].
pub(super) fn drop_annotations(schema: &mut Map<String, Value>) {
    for key in DROPPED {
        schema.remove(key);
    }
}
