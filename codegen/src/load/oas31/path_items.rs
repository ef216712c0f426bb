//! Path items that are `$ref`s (to `components.pathItems`, 3.1, or to another path): each is
//! replaced by a copy of the path item it names, so that openapiv3 and lowering see the operations
//! where they are used. Runs after `$ref` normalization, so the copies carry normalized references.
//! The copy's own keys (a `summary`, `parameters`) win over the referenced item's.

use super::moves::Moves;
use crate::diagnostics::Diagnostic;
use crate::load::grammar::Kind;
use crate::load::normalize::pointer;
use serde_json::{Map, Value};

/// The most references followed from one path item: more is a cycle.
const MAX_HOPS: usize = 32;

/// Replaces every path item that is a local `$ref`; the errors for those that lead nowhere.
pub(crate) fn inline(document: &mut Value, moves: &mut Moves) -> Vec<Diagnostic> {
    let mut sites = Vec::new();
    find(document, Kind::Document, &mut Vec::new(), &mut sites);
    let mut errors = Vec::new();
    for site in sites {
        let Some(Value::Object(item)) = pointer::get(document, &site) else {
            continue;
        };
        let Some(Value::String(reference)) = item.get("$ref") else {
            continue;
        };
        let (target, found) = match follow(document, reference) {
            Followed::Item(target, found) => (target, found),
            Followed::External => continue, // reported by normalization
            Followed::Nowhere(why) => {
                let at = moves.original(&pointer::format(&site));
                errors.push(
                    Diagnostic::new(at, format!("`$ref: {reference}` {why}"))
                        .with_hint("a path item `$ref` must name a path item, e.g. `#/components/pathItems/Name`"),
                );
                continue;
            }
        };
        let mut copy = found.clone();
        for (key, value) in item.iter().filter(|(k, _)| *k != "$ref") {
            copy.insert(key.clone(), value.clone());
        }
        moves.copied(pointer::format(&site), pointer::format(&target));
        if let Some(slot) = pointer::get_mut(document, &site) {
            *slot = Value::Object(copy);
        }
    }
    errors
}

/// Where a path item reference leads.
enum Followed<'d> {
    /// The path item (through references to references), and its tokens.
    Item(Vec<String>, &'d Map<String, Value>),
    /// Into another document.
    External,
    /// Nowhere: why.
    Nowhere(&'static str),
}

fn follow<'d>(document: &'d Value, reference: &str) -> Followed<'d> {
    let mut reference = reference;
    for _ in 0..MAX_HOPS {
        if pointer::is_external(reference) {
            return Followed::External;
        }
        let Some(tokens) = pointer::parse(reference) else {
            return Followed::Nowhere("is not a JSON pointer");
        };
        let Some(tokens) = pointer::lookup(document, &tokens) else {
            return Followed::Nowhere("points to nothing");
        };
        match pointer::get(document, &tokens) {
            Some(Value::Object(m)) => match m.get("$ref") {
                Some(Value::String(next)) => reference = next,
                _ => return Followed::Item(tokens, m),
            },
            _ => return Followed::Nowhere("does not point to a path item (a mapping)"),
        }
    }
    Followed::Nowhere("is part of a circular chain of references")
}

/// The tokens of every path item that is a `$ref`, in document order (outer before inner).
fn find(node: &Value, kind: Kind, path: &mut Vec<String>, sites: &mut Vec<Vec<String>>) {
    let follows = |k: Kind| {
        matches!(
            k,
            Kind::Document
                | Kind::Paths
                | Kind::PathItem
                | Kind::Operation
                | Kind::Callback
                | Kind::Components
                | Kind::MapOf(Kind::Callback)
                | Kind::MapOf(Kind::PathItem)
        )
    };
    let Value::Object(m) = node else { return };
    if kind == Kind::PathItem && m.contains_key("$ref") {
        sites.push(path.clone());
        return;
    }
    for (key, child) in m {
        match kind.child(key) {
            Some(child_kind) if follows(child_kind) => {
                path.push(key.clone());
                find(child, child_kind, path, sites);
                path.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn referenced_path_items_are_copied_where_used() {
        let mut doc = json!({
            "paths": {
                "/a": {"$ref": "#/components/pathItems/A", "summary": "mine"},
                "/b": {"$ref": "#/paths/~1a"},
                "/c": {"$ref": "#/components/pathItems/Missing"}},
            "webhooks": {"w": {"$ref": "#/components/pathItems/A"}},
            "components": {"pathItems": {"A": {"summary": "theirs", "get": {"responses": {}}}}}
        });
        let mut moves = Moves::default();
        let errors = inline(&mut doc, &mut moves);
        assert_eq!(
            doc["paths"]["/a"],
            json!({"summary": "mine", "get": {"responses": {}}})
        );
        assert_eq!(doc["webhooks"]["w"]["summary"], "theirs");
        assert_eq!(doc["paths"]["/b"]["get"], json!({"responses": {}}));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "#/paths/~1c");
        assert!(errors[0].message.contains("points to nothing"));
        assert_eq!(
            moves.original("#/webhooks/w/get"),
            "#/components/pathItems/A/get"
        );
    }
}
