//! One pass over the OpenAPI objects of a document (not examples or extensions), collecting every
//! `$ref` and every schema whose numeric bounds need fixing.

use super::numbers;
use crate::load::grammar::Kind;
use serde_json::Value;

/// A `$ref` where openapiv3 accepts a reference.
pub(crate) struct Site {
    /// Where the `$ref` object is (unescaped tokens).
    pub tokens: Vec<String>,
    /// The `$ref` text.
    pub reference: String,
    /// What the reference must stand for here.
    pub kind: Kind,
}

/// What a walk found, in document order.
#[derive(Default)]
pub(crate) struct Found {
    pub sites: Vec<Site>,
    /// Schemas for [`numbers::fix`].
    pub number_fixes: Vec<Vec<String>>,
}

/// Walks the whole document.
pub(crate) fn walk(document: &Value) -> Found {
    let mut found = Found::default();
    visit(document, Kind::Document, &mut Vec::new(), &mut found);
    found
}

enum Token<'a> {
    Key(&'a str),
    Index(usize),
}

fn owned(path: &[Token<'_>]) -> Vec<String> {
    path.iter()
        .map(|t| match t {
            Token::Key(k) => (*k).to_owned(),
            Token::Index(i) => i.to_string(),
        })
        .collect()
}

/// Kinds that openapiv3 reads as `ReferenceOr<_>`.
fn referable(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::PathItem
            | Kind::Parameter
            | Kind::RequestBody
            | Kind::Response
            | Kind::Schema
            | Kind::Header
            | Kind::SecurityScheme
            | Kind::Example
            | Kind::Link
            | Kind::Callback
    )
}

fn visit<'a>(value: &'a Value, kind: Kind, path: &mut Vec<Token<'a>>, found: &mut Found) {
    match value {
        Value::Object(m) => {
            if let Some(Value::String(reference)) = m.get("$ref") {
                if referable(kind) {
                    found.sites.push(Site {
                        tokens: owned(path),
                        reference: reference.clone(),
                        kind,
                    });
                    // A reference stands for its target: openapiv3 ignores its siblings.
                    return;
                }
            }
            if kind == Kind::Schema && numbers::needs_fix(m) {
                found.number_fixes.push(owned(path));
            }
            for (key, child) in m {
                if let Some(child_kind) = kind.child(key) {
                    path.push(Token::Key(key));
                    visit(child, child_kind, path, found);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_kind) = kind.item() {
                for (i, item) in items.iter().enumerate() {
                    path.push(Token::Index(i));
                    visit(item, item_kind, path, found);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_references_where_openapi_allows_them() {
        let doc = json!({
            "paths": {"/a": {"get": {
                "parameters": [{"$ref": "#/components/parameters/P"}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/S"}},
                    "example": {"$ref": "not a reference: example data"}}}}}}}},
            "components": {"schemas": {"S": {"type": "integer", "maximum": 1e30}},
                "x-extension": {"$ref": "#/ignored"}}
        });
        let found = walk(&doc);
        let sites: Vec<(String, &str, Kind)> = found
            .sites
            .iter()
            .map(|s| (s.tokens.join("/"), s.reference.as_str(), s.kind))
            .collect();
        assert_eq!(
            sites,
            [
                (
                    "paths//a/get/parameters/0".to_owned(),
                    "#/components/parameters/P",
                    Kind::Parameter
                ),
                (
                    "paths//a/get/responses/200/content/application/json/schema/items".to_owned(),
                    "#/components/schemas/S",
                    Kind::Schema
                ),
            ]
        );
        assert_eq!(found.number_fixes, [["components", "schemas", "S"]]);
    }
}
