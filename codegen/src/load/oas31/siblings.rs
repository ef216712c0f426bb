//! `$ref` with sibling keywords. In 3.0 a reference stands for its target and its siblings are
//! ignored; in 3.1 they apply too. What they say belongs to the place of use, while the target stays
//! one shared type:
//!
//! - annotations (`description`, `default`, `deprecated`, `nullable`, ...) stay beside the reference,
//!   which moves into `allOf: [{$ref}]`: lowering reads such an `allOf` as its member's type, with the
//!   annotations of the place of use;
//! - keywords that narrow the value (`const`, `enum`, `pattern`, `properties`, ...) become a second
//!   `allOf` member, as JSON Schema means them;
//! - `type` beside a reference repeats what the target says (utoipa and others write it) and is
//!   dropped, as are keywords that say nothing to a client (`$comment`, unknown words, extensions
//!   alone).
//!
//! Inside `oneOf`, `anyOf` and `allOf` a member's annotations describe nothing the generated type
//! shows, so they are dropped and the member stays a plain reference (a discriminator can still name
//! it).

use super::Stage;
use serde_json::{Map, Value};

/// Kept beside the reference: they describe the place of use.
const ANNOTATIONS: [&str; 10] = [
    "description",
    "title",
    "default",
    "deprecated",
    "nullable",
    "readOnly",
    "writeOnly",
    "example",
    "examples",
    "externalDocs",
];

/// Narrow the value: a second `allOf` member.
const CONSTRAINTS: [&str; 31] = [
    "const",
    "enum",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "minProperties",
    "maxProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "contentEncoding",
    "contentMediaType",
    "$defs",
];

/// Rewrites a schema object that has a `$ref` (and maybe siblings).
pub(super) fn rewrite(stage: &mut Stage, schema: &mut Map<String, Value>, path: &[String]) {
    if schema.len() == 1 || !schema.get("$ref").is_some_and(Value::is_string) {
        return;
    }
    let member =
        path.len() >= 2 && matches!(path[path.len() - 2].as_str(), "oneOf" | "anyOf" | "allOf");
    let mut annotations = Map::new();
    let mut constraints = Map::new();
    let mut reference = Map::new();
    for (key, value) in std::mem::take(schema) {
        if key == "$ref" {
            reference.insert(key, value);
        } else if CONSTRAINTS.contains(&key.as_str()) {
            constraints.insert(key, value);
        } else if ANNOTATIONS.contains(&key.as_str()) || key.starts_with("x-") {
            annotations.insert(key, value);
        }
    }
    let nullable = annotations.get("nullable") == Some(&Value::Bool(true));
    if member && !nullable && constraints.is_empty() {
        *schema = reference;
        return;
    }
    // Extensions alone (`x-stainless-skip`) say nothing about the value.
    let described = annotations.keys().any(|k| !k.starts_with("x-"));
    if !described && constraints.is_empty() {
        *schema = reference;
        return;
    }
    let mut all_of = vec![Value::Object(reference)];
    stage.moved(path, &["allOf", "0"], &[]);
    if !constraints.is_empty() {
        for key in constraints.keys() {
            stage.moved(path, &["allOf", "1", key], &[key]);
        }
        all_of.push(Value::Object(constraints));
    }
    *schema = annotations;
    schema.insert("allOf".to_owned(), Value::Array(all_of));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rewritten(schema: Value, path: &[&str]) -> (Value, Stage) {
        let mut stage = Stage::default();
        let Value::Object(mut m) = schema else {
            unreachable!("tests pass objects")
        };
        let path: Vec<String> = path.iter().map(|t| (*t).to_owned()).collect();
        rewrite(&mut stage, &mut m, &path);
        (Value::Object(m), stage)
    }

    #[test]
    fn annotations_stay_at_the_place_of_use() {
        let (v, stage) = rewritten(
            json!({"$ref": "#/components/schemas/A", "description": "here", "nullable": true, "type": "object", "$comment": "x"}),
            &["components", "schemas", "B", "properties", "a"],
        );
        assert_eq!(
            v,
            json!({"description": "here", "nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(
            stage
                .moves
                .original("#/components/schemas/B/properties/a/allOf/0"),
            "#/components/schemas/B/properties/a"
        );
    }

    #[test]
    fn constraints_narrow_in_a_second_member() {
        let (v, stage) = rewritten(
            json!({"$ref": "#/components/schemas/Kind", "const": "table"}),
            &["components", "schemas", "T", "properties", "kind"],
        );
        assert_eq!(
            v,
            json!({"allOf": [{"$ref": "#/components/schemas/Kind"}, {"const": "table"}]})
        );
        assert_eq!(
            stage
                .moves
                .original("#/components/schemas/T/properties/kind/allOf/1/const"),
            "#/components/schemas/T/properties/kind/const"
        );
    }

    #[test]
    fn union_members_stay_plain_references() {
        let (v, _) = rewritten(
            json!({"$ref": "#/components/schemas/A", "description": "one of them"}),
            &["components", "schemas", "U", "oneOf", "0"],
        );
        assert_eq!(v, json!({"$ref": "#/components/schemas/A"}));
        let (v, _) = rewritten(
            json!({"$ref": "#/components/schemas/A", "nullable": true}),
            &["components", "schemas", "U", "anyOf", "0"],
        );
        assert_eq!(
            v,
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
    }
}
