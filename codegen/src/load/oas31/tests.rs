//! The 3.1 stage on small documents.

use super::upgrade;
use crate::diagnostics::Diagnostics;
use serde_json::{json, Value};

fn document(schemas: Value) -> Value {
    json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "components": {"schemas": schemas}})
}

/// The schemas of a document after the stage.
fn upgraded(schemas: Value) -> Value {
    let mut doc = document(schemas);
    upgrade(&mut doc).unwrap_or_else(|d| panic!("{d}"));
    doc["components"]["schemas"].clone()
}

fn refused(schemas: Value) -> Diagnostics {
    let mut doc = document(schemas);
    upgrade(&mut doc).expect_err("must be refused")
}

#[test]
fn nullability_in_every_style() {
    let s = upgraded(json!({
        "A": {"type": ["string", "null"]},
        "B": {"type": ["null"]},
        "C": {"type": "string", "nullable": true},
        "D": {"anyOf": [{"type": "string"}, {"type": "null"}]}
    }));
    assert_eq!(s["A"], json!({"type": "string", "nullable": true}));
    assert_eq!(s["B"], json!({"type": "null", "nullable": true}));
    assert_eq!(s["C"], json!({"type": "string", "nullable": true}));
    assert_eq!(
        s["D"],
        json!({"anyOf": [{"type": "string"}, {"type": "null"}]})
    );
}

#[test]
fn several_types_split_into_branches_with_their_keywords() {
    let s = upgraded(json!({
        "N": {"type": ["integer", "string", "null"], "format": "int32", "pattern": "^-?[0-9]+$",
              "minimum": 0, "description": "a number, maybe as text"}
    }));
    assert_eq!(
        s["N"],
        json!({"description": "a number, maybe as text", "nullable": true, "anyOf": [
            {"type": "integer", "minimum": 0, "format": "int32"},
            {"type": "string", "pattern": "^-?[0-9]+$"}]})
    );
}

#[test]
fn enum_values_follow_their_type_and_rule_out_the_others() {
    let s = upgraded(json!({
        "E": {"type": ["string", "integer"], "enum": ["a", 1]},
        "F": {"type": ["string", "integer"], "enum": ["a", "b"]}
    }));
    assert_eq!(
        s["E"],
        json!({"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "integer", "enum": [1]}]})
    );
    assert_eq!(s["F"], json!({"type": "string", "enum": ["a", "b"]}));
}

#[test]
fn constants_become_one_value_enums() {
    let s = upgraded(json!({
        "K": {"type": "string", "const": "card"},
        "L": {"const": 3},
        "M": {"type": "object", "const": {"a": 1}}
    }));
    assert_eq!(s["K"], json!({"type": "string", "enum": ["card"]}));
    assert_eq!(s["L"], json!({"enum": [3]}));
    assert_eq!(s["M"], json!({"type": "object"}));
}

#[test]
fn a_one_of_of_constants_is_one_enum() {
    let s = upgraded(json!({
        "Channel": {"type": "integer", "oneOf": [
            {"title": "GUILD_TEXT", "description": "a text channel", "const": 0},
            {"title": "DM", "const": 1}]},
        "Mode": {"anyOf": [{"const": "auto"}, {"const": "none"}, {"type": "null"}]}
    }));
    assert_eq!(
        s["Channel"],
        json!({"type": "integer", "enum": [0, 1],
               "x-enum-descriptions": {"0": "`GUILD_TEXT`: a text channel", "1": "`DM`"}})
    );
    assert_eq!(
        s["Mode"],
        json!({"type": "string", "nullable": true, "enum": ["auto", "none"]})
    );
}

#[test]
fn exclusive_bounds_become_inclusive_ones() {
    let s = upgraded(json!({
        "I": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
        "N": {"type": "number", "exclusiveMinimum": 0.5, "maximum": 3},
        "S": {"type": "number", "minimum": 2, "exclusiveMinimum": 1},
        "B": {"type": "number", "minimum": 1, "exclusiveMinimum": true}
    }));
    assert_eq!(
        s["I"],
        json!({"type": "integer", "minimum": 1, "maximum": 9})
    );
    assert_eq!(
        s["N"],
        json!({"type": "number", "maximum": 3, "minimum": 0.5, "exclusiveMinimum": true})
    );
    assert_eq!(s["S"], json!({"type": "number", "minimum": 2}));
    assert_eq!(
        s["B"],
        json!({"type": "number", "minimum": 1, "exclusiveMinimum": true})
    );
}

#[test]
fn tuples_and_lists_of_positions() {
    let s = upgraded(json!({
        "Pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}],
                 "minItems": 2, "maxItems": 2},
        "Closed": {"type": "array", "prefixItems": [{"type": "string"}], "items": false},
        "Short": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}],
                  "items": false, "minItems": 1},
        "Open": {"type": "array", "prefixItems": [{"type": "string"}]}
    }));
    assert_eq!(
        s["Pair"],
        json!({"type": "array",
               "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}, "x-codegen-tuple": true})
    );
    assert_eq!(
        s["Closed"],
        json!({"type": "array", "items": {"anyOf": [{"type": "string"}]}, "x-codegen-tuple": true})
    );
    assert_eq!(
        s["Short"],
        json!({"type": "array", "minItems": 1,
               "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})
    );
    assert_eq!(s["Open"], json!({"type": "array", "items": {}}));
}

#[test]
fn content_keywords_become_formats() {
    let s = upgraded(json!({
        "B64": {"type": "string", "contentEncoding": "base64"},
        "File": {"type": "string", "contentMediaType": "image/png"},
        "Csv": {"type": "string", "contentMediaType": "text/csv"}
    }));
    assert_eq!(s["B64"], json!({"type": "string", "format": "byte"}));
    assert_eq!(s["File"], json!({"type": "string", "format": "binary"}));
    assert_eq!(s["Csv"], json!({"type": "string"}));
}

#[test]
fn map_keywords_become_additional_properties() {
    let s = upgraded(json!({
        "P": {"type": "object", "patternProperties": {"^x-": {"type": "integer"}}},
        "U": {"type": "object", "unevaluatedProperties": {"type": "string"}},
        "N": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}},
        "Both": {"type": "object", "patternProperties": {"^x-": {"type": "string"}},
                 "additionalProperties": {"type": "integer"}}
    }));
    // Values of either schema: any JSON value.
    assert_eq!(
        s["Both"],
        json!({"type": "object", "additionalProperties": true})
    );
    assert_eq!(
        s["P"],
        json!({"type": "object", "additionalProperties": {"type": "integer"}})
    );
    assert_eq!(
        s["U"],
        json!({"type": "object", "additionalProperties": {"type": "string"}})
    );
    assert_eq!(
        s["N"],
        json!({"type": "object", "additionalProperties": true})
    );
}

#[test]
fn unsupported_keywords_fall_back_to_any_value_with_a_warning() {
    let mut doc = document(json!({
        "C": {"description": "conditional", "type": "object", "if": {"required": ["a"]},
              "then": {"required": ["b"]}}
    }));
    let done = upgrade(&mut doc).expect("upgrades");
    assert_eq!(
        doc["components"]["schemas"]["C"],
        json!({"description": "conditional"})
    );
    assert_eq!(done.warnings.len(), 1);
    assert_eq!(done.warnings[0].pointer, "#/components/schemas/C/if");
}

#[test]
fn references_into_moved_nodes_follow_them() {
    let mut doc = document(json!({
        "A": {"type": ["object", "null"], "properties": {"x": {"type": "string"}}},
        "B": {"type": ["object", "string"], "properties": {"y": {"type": "string"}}},
        "C": {"$ref": "#/components/schemas/B/properties/y"},
        "D": {"properties": {"e": {"$ref": "#/$defs/E"}}, "$defs": {"E": {"type": "integer"}}}
    }));
    upgrade(&mut doc).expect("upgrades");
    let s = &doc["components"]["schemas"];
    assert_eq!(
        s["C"]["$ref"],
        "#/components/schemas/B/anyOf/0/properties/y"
    );
    assert_eq!(
        s["D"]["properties"]["e"]["$ref"],
        "#/components/schemas/D/$defs/E"
    );
}

#[test]
fn impossible_schemas_are_refused_where_written() {
    let d = refused(json!({
        "T": {"type": ["string", "strng"]},
        "K": {"type": "integer", "const": "seven"},
        "E": {"enum": ["a"], "const": "b"}
    }));
    let pointers: Vec<&str> = d.iter().map(|d| d.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "#/components/schemas/T/type/1",
            "#/components/schemas/K/const",
            "#/components/schemas/E/const"
        ],
        "{d}"
    );
}

#[test]
fn document_level_details() {
    let mut doc = json!({"openapi": "3.1.0",
        "info": {"title": "t", "version": "1", "summary": "Short.", "license": {"name": "MIT", "identifier": "MIT"}},
        "jsonSchemaDialect": "https://example.com/dialect",
        "components": {"securitySchemes": {"mtls": {"type": "mutualTLS"}, "key": {"type": "apiKey", "in": "header", "name": "k"}}},
        "webhooks": {"w": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}}}
    });
    let done = upgrade(&mut doc).expect("upgrades");
    assert_eq!(doc["paths"], json!({}));
    assert_eq!(doc["info"]["description"], "Short.");
    assert_eq!(doc["webhooks"]["w"]["post"]["responses"], json!({}));
    assert!(doc["components"]["securitySchemes"].get("mtls").is_none());
    let pointers: Vec<&str> = done.warnings.iter().map(|d| d.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["#/jsonSchemaDialect", "#/components/securitySchemes/mtls"]
    );
}
