//! The pass over the document: every OpenAPI object by its kind (the loader's grammar), each schema
//! rewritten before its children are visited; then the `$ref`s that name moved nodes are pointed at
//! where those nodes are now.

use super::{schema, Stage};
use crate::load::grammar::Kind;
use crate::load::normalize::pointer;
use serde_json::{Map, Value};

/// Visits the whole document.
pub(super) fn walk(stage: &mut Stage, document: &mut Value) {
    visit(stage, document, Kind::Document, &mut Vec::new());
}

fn visit(stage: &mut Stage, node: &mut Value, kind: Kind, path: &mut Vec<String>) {
    if kind == Kind::Schema {
        if let Value::Bool(accepts) = node {
            // `true` accepts anything, `false` nothing.
            *node = match accepts {
                true => Value::Object(Map::new()),
                false => serde_json::json!({"not": {}}),
            };
        }
    }
    match node {
        Value::Object(m) => {
            if kind == Kind::Schema {
                schema::rewrite(stage, m, path);
            }
            if kind == Kind::Operation && !m.contains_key("responses") {
                // 3.1 makes `responses` optional; openapiv3 requires it.
                m.insert("responses".to_owned(), Value::Object(Map::new()));
            }
            if matches!(m.get("$ref"), Some(Value::String(_))) {
                stage.refs.push(path.clone());
            }
            for (key, child) in m.iter_mut() {
                let Some(child_kind) = kind.child(key) else {
                    continue;
                };
                // `additionalProperties: true|false` is valid as it is.
                if kind == Kind::Schema && key == "additionalProperties" && child.is_boolean() {
                    continue;
                }
                path.push(key.clone());
                visit(stage, child, child_kind, path);
                path.pop();
            }
        }
        Value::Array(items) => {
            if let Some(item_kind) = kind.item() {
                for (i, item) in items.iter_mut().enumerate() {
                    path.push(i.to_string());
                    visit(stage, item, item_kind, path);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// Points each `$ref` whose target moved at the target's new place. A `#/$defs/X` that the document
/// root cannot have is read against the nearest enclosing schema with `$defs/X`, as when the schema
/// was written as a standalone JSON Schema document.
pub(super) fn retarget(stage: &mut Stage, document: &mut Value) {
    let refs = std::mem::take(&mut stage.refs);
    for tokens in refs {
        let Some(Value::String(text)) = pointer::get(document, &tokens).and_then(|n| n.get("$ref"))
        else {
            continue;
        };
        let new = match stage.moves.current(text) {
            Some(now) => Some(now),
            None => text
                .strip_prefix("#/$defs/")
                .and_then(|name| enclosing_def(document, &tokens, name)),
        };
        if let Some(new) = new {
            if let Some(Value::Object(m)) = pointer::get_mut(document, &tokens) {
                m.insert("$ref".to_owned(), Value::String(new));
            }
        }
    }
}

/// `#/.../$defs/name` of the nearest ancestor of `tokens` whose `$defs` has `name`.
fn enclosing_def(document: &Value, tokens: &[String], name: &str) -> Option<String> {
    let name = name.replace("~1", "/").replace("~0", "~");
    (0..tokens.len()).rev().find_map(|end| {
        let ancestor = &tokens[..end];
        let defs = pointer::get(document, ancestor)?.get("$defs")?;
        defs.get(&name)?;
        let mut target = ancestor.to_vec();
        target.extend(["$defs".to_owned(), name.clone()]);
        Some(pointer::format(&target))
    })
}
