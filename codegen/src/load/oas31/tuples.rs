//! `prefixItems` (a list whose items have a type each, by position) → `items: {anyOf: [..]}` with the
//! [`TUPLE`] mark when the list has exactly those items: lowering makes it a Rust tuple. A list that
//! may be shorter (`minItems` below the count) is a list of items that are each one of the types; one
//! that may be longer is a list of the types and its `items`, or of any JSON values when `items`
//! does not say.

use super::{Stage, TUPLE};
use serde_json::{Map, Value};

/// Rewrites `prefixItems`, if the schema has it.
pub(super) fn prefix_items(stage: &mut Stage, schema: &mut Map<String, Value>, path: &[String]) {
    let Some(prefix) = schema.remove("prefixItems") else {
        return;
    };
    let Value::Array(prefix) = prefix else {
        stage.warn(
            path,
            &["prefixItems"],
            "`prefixItems` must be a list of schemas; it is ignored",
        );
        return;
    };
    if prefix.is_empty() {
        return;
    }
    let count = prefix.len();
    let min = schema.get("minItems").and_then(Value::as_u64);
    let max = schema.get("maxItems").and_then(Value::as_u64);
    let rest = schema.remove("items");
    let closed = rest == Some(Value::Bool(false)) || max.is_some_and(|m| m <= count as u64);
    let exact =
        closed && min.is_none_or(|m| m >= count as u64) && max.is_none_or(|m| m >= count as u64);
    let mut members = prefix;
    let rest = match rest {
        _ if closed => None,
        Some(rest @ Value::Object(_)) => Some(rest),
        _ => {
            stage.warn(
                path,
                &["prefixItems"],
                "the list may hold more items than `prefixItems` describes, of any type (`items` does not say); it is generated as a list of `serde_json::Value`",
            );
            schema.insert("items".to_owned(), Value::Object(Map::new()));
            return;
        }
    };
    for i in 0..members.len() {
        let i = i.to_string();
        stage.moved(path, &["items", "anyOf", &i], &["prefixItems", &i]);
    }
    if let Some(rest) = rest {
        let i = members.len().to_string();
        stage.moved(path, &["items", "anyOf", &i], &["items"]);
        members.push(rest);
    }
    let mut items = Map::new();
    items.insert("anyOf".to_owned(), Value::Array(members));
    schema.insert("items".to_owned(), Value::Object(items));
    if schema.get("type").is_none() {
        schema.insert("type".to_owned(), Value::String("array".to_owned()));
    }
    if exact {
        // The tuple's length says it all.
        schema.remove("minItems");
        schema.remove("maxItems");
        schema.insert(TUPLE.to_owned(), Value::Bool(true));
    }
}
