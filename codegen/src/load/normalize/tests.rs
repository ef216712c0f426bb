//! The normalization pass on small documents.

use super::normalize;
use crate::diagnostics::Diagnostics;
use serde_json::{json, Value};

fn normalized(mut doc: Value) -> Value {
    normalize(&mut doc).unwrap_or_else(|d| panic!("{d}"));
    doc
}

fn errors(mut doc: Value) -> Diagnostics {
    normalize(&mut doc).expect_err("must be refused")
}

#[test]
fn a_property_reference_hoists_the_property() {
    let doc = normalized(json!({
        "components": {"schemas": {
            "Disk": {"type": "object", "properties": {"filesystem": {"type": "string", "enum": ["ext4"]}}},
            "DiskRequest": {"type": "object", "properties": {
                "filesystem": {"$ref": "#/components/schemas/Disk/properties/filesystem"}}}}}
    }));
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Disk"]["properties"]["filesystem"],
        json!({"$ref": "#/components/schemas/DiskFilesystem"})
    );
    assert_eq!(
        schemas["DiskRequest"]["properties"]["filesystem"],
        json!({"$ref": "#/components/schemas/DiskFilesystem"})
    );
    assert_eq!(
        schemas["DiskFilesystem"],
        json!({"type": "string", "enum": ["ext4"],
               "x-origin": "#/components/schemas/Disk/properties/filesystem"})
    );
}

#[test]
fn response_content_and_path_level_targets_hoist_by_position() {
    let doc = normalized(json!({
        "paths": {"/users/me": {
            "put": {"operationId": "updateMe",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"204": {"description": "done"}}},
            "patch": {
                "parameters": [{"$ref": "#/paths/~1users~1me/put/parameters/0"}],
                "responses": {
                    "204": {"$ref": "#/paths/~1users~1me/put/responses/204"},
                    "409": {"description": "conflict", "content": {"application/json": {
                        "schema": {"$ref": "#/components/responses/Conflict/content/application~1json/schema"}}}}}}}},
        "components": {"responses": {"Conflict": {"description": "c", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}}}
    }));
    let c = &doc["components"];
    assert_eq!(c["responses"]["UpdateMe204Response"]["description"], "done");
    assert_eq!(
        c["responses"]["UpdateMe204Response"]["x-origin"],
        "#/paths/~1users~1me/put/responses/204"
    );
    assert_eq!(c["parameters"]["UpdateMeQ"]["name"], "q");
    assert_eq!(c["schemas"]["ConflictResponseBody"]["type"], "object");
    let put = &doc["paths"]["/users/me"]["put"];
    let patch = &doc["paths"]["/users/me"]["patch"];
    assert_eq!(put["responses"]["204"], patch["responses"]["204"]);
    assert_eq!(put["parameters"][0], patch["parameters"][0]);
    assert_eq!(
        patch["responses"]["409"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ConflictResponseBody"
    );
    assert_eq!(
        c["responses"]["Conflict"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ConflictResponseBody"
    );
}

#[test]
fn nested_targets_move_before_their_parents() {
    let doc = normalized(json!({
        "components": {"schemas": {
            "A": {"properties": {"b": {"properties": {"c": {"type": "integer"}}}}},
            "UsesC": {"$ref": "#/components/schemas/A/properties/b/properties/c"},
            "UsesB": {"$ref": "#/components/schemas/A/properties/b"}}}
    }));
    let s = &doc["components"]["schemas"];
    assert_eq!(s["UsesC"]["$ref"], "#/components/schemas/ABC");
    assert_eq!(s["UsesB"]["$ref"], "#/components/schemas/AB");
    assert_eq!(
        s["AB"]["properties"]["c"]["$ref"],
        "#/components/schemas/ABC"
    );
    assert_eq!(s["AB"]["x-origin"], "#/components/schemas/A/properties/b");
    assert_eq!(
        s["ABC"]["x-origin"],
        "#/components/schemas/A/properties/b/properties/c"
    );
    assert_eq!(s["A"]["properties"]["b"]["$ref"], "#/components/schemas/AB");
}

#[test]
fn new_keys_avoid_existing_ones_in_document_order() {
    let doc = normalized(json!({
        "components": {"schemas": {
            "A": {"properties": {"b": {"type": "string"}, "c": {"properties": {"d": {"type": "string"}}}}},
            "ab": {"type": "integer"},
            "X": {"properties": {
                "one": {"$ref": "#/components/schemas/A/properties/b"},
                "two": {"$ref": "#/components/schemas/AB"}}}}}
    }));
    // `AB` is taken (by `ab` and by a dangling reference), so the hoisted node is `AB2`.
    let s = &doc["components"]["schemas"];
    assert_eq!(
        s["X"]["properties"]["one"]["$ref"],
        "#/components/schemas/AB2"
    );
    assert_eq!(
        s["X"]["properties"]["two"]["$ref"],
        "#/components/schemas/AB"
    );
}

#[test]
fn chains_of_non_schema_references_collapse() {
    let doc = normalized(json!({
        "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/First"}}}}},
        "components": {"responses": {
            "First": {"$ref": "#/components/responses/Second"},
            "Second": {"$ref": "#/components/responses/Third"},
            "Third": {"description": "ok"}},
            "schemas": {"Alias": {"$ref": "#/components/schemas/Real"}, "Real": {"type": "string"},
                "User": {"properties": {"a": {"$ref": "#/components/schemas/Alias"}}}}}
    }));
    assert_eq!(
        doc["paths"]["/a"]["get"]["responses"]["200"]["$ref"],
        "#/components/responses/Third"
    );
    assert_eq!(
        doc["components"]["responses"]["First"]["$ref"],
        "#/components/responses/Third"
    );
    // A schema alias is a type of its own: references to it stay.
    assert_eq!(
        doc["components"]["schemas"]["User"]["properties"]["a"]["$ref"],
        "#/components/schemas/Alias"
    );
}

#[test]
fn references_to_references_in_paths_follow_to_the_definition() {
    let doc = normalized(json!({
        "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/R"}}},
                         "put": {"responses": {"200": {"$ref": "#/paths/~1a/get/responses/200"}}}}},
        "components": {"responses": {"R": {"description": "ok"}}}
    }));
    assert_eq!(
        doc["paths"]["/a"]["put"]["responses"]["200"]["$ref"],
        "#/components/responses/R"
    );
    assert!(
        doc["components"]["responses"].as_object().unwrap().len() == 1,
        "nothing hoisted"
    );
}

#[test]
fn cycles_are_reported_once_where_they_are() {
    let d = errors(json!({
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/A"}}}}}}}},
        "components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"}}}
    }));
    assert_eq!(d.len(), 1, "{d}");
    assert_eq!(d.0[0].pointer, "#/components/schemas/A");
    assert_eq!(
        d.0[0].message,
        "circular `$ref`: #/components/schemas/A → #/components/schemas/B → #/components/schemas/A"
    );
}

#[test]
fn a_self_reference_is_a_cycle() {
    let d =
        errors(json!({"components": {"parameters": {"P": {"$ref": "#/components/parameters/P"}}}}));
    assert_eq!(d.0[0].pointer, "#/components/parameters/P");
}

#[test]
fn recursive_schemas_are_not_cycles() {
    let doc = normalized(json!({"components": {"schemas": {
        "Tree": {"properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
            "node": {"properties": {"next": {"$ref": "#/components/schemas/Tree/properties/node"}}}}}}}}));
    let s = &doc["components"]["schemas"];
    assert_eq!(
        s["TreeNode"]["properties"]["next"]["$ref"],
        "#/components/schemas/TreeNode"
    );
}

#[test]
fn external_references_are_refused_where_they_are() {
    let d = errors(json!({
        "paths": {"/a": {"get": {"parameters": [{"$ref": "common.yaml#/components/parameters/Page"}],
            "responses": {"200": {"$ref": "https://example.com/spec.json#/components/responses/Ok"}}}}}
    }));
    let pointers: Vec<&str> = d.iter().map(|x| x.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "#/paths/~1a/get/parameters/0",
            "#/paths/~1a/get/responses/200"
        ]
    );
    assert!(
        d.0[0]
            .message
            .contains("external references are not supported"),
        "{d}"
    );
    assert!(d.0[0].hint.as_deref().unwrap().contains("bundle"), "{d}");
}

#[test]
fn dangling_and_mismatched_references_are_left_for_lowering() {
    let original = json!({
        "paths": {"/a": {"get": {
            "parameters": [{"$ref": "#/components/parameters/Nope"}, {"$ref": "#/components/schemas/S"}],
            "responses": {"200": {"$ref": "#/paths/~1b"}}}}},
        "components": {"schemas": {"S": {"type": "string"}}}
    });
    assert_eq!(normalized(original.clone()), original);
}

#[test]
fn percent_encoded_pointers_are_understood() {
    let doc = normalized(json!({
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/responses/R/content/application%2Fjson/schema"}}}}}}}},
        "components": {"responses": {"R": {"description": "r", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    }));
    assert_eq!(
        doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/RResponseBody"
    );
}

#[test]
fn integer_bounds_are_fixed_in_every_schema() {
    let doc = normalized(
        json!({"components": {"schemas": {"Seed": {"type": "object", "properties": {
        "seed": {"type": "integer", "minimum": -9223372036854776000.0_f64, "maximum": 9223372036854776000.0_f64}}}}}}),
    );
    let seed = &doc["components"]["schemas"]["Seed"]["properties"]["seed"];
    assert_eq!(seed["minimum"], i64::MIN);
    assert_eq!(seed["maximum"], i64::MAX);
}

#[test]
fn long_chains_stay_linear() {
    // 20 000 responses, each a reference to the next: one walk of the chain, not one per link.
    let n = 20_000;
    let mut responses = serde_json::Map::new();
    for i in 0..n {
        responses.insert(
            format!("R{i}"),
            json!({"$ref": format!("#/components/responses/R{}", i + 1)}),
        );
    }
    responses.insert(format!("R{n}"), json!({"description": "end"}));
    let start = std::time::Instant::now();
    let doc = normalized(json!({"components": {"responses": responses}}));
    assert!(start.elapsed().as_secs() < 5);
    assert_eq!(
        doc["components"]["responses"]["R0"]["$ref"],
        format!("#/components/responses/R{n}")
    );
}

#[test]
fn a_response_that_refers_to_a_request_body_shares_its_schema() {
    let doc = normalized(json!({
        "paths": {"/a": {"put": {
            "requestBody": {"$ref": "#/components/requestBodies/Thing"},
            "responses": {"200": {"$ref": "#/components/requestBodies/Thing"}}}}},
        "components": {"requestBodies": {"Thing": {"description": "A thing.", "content": {
            "application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}}
    }));
    let c = &doc["components"];
    let body_schema = json!({"$ref": "#/components/schemas/ThingRequestBody"});
    assert_eq!(
        c["requestBodies"]["Thing"]["content"]["application/json"]["schema"],
        body_schema
    );
    assert_eq!(
        c["responses"]["Thing"],
        json!({"description": "A thing.", "content": {"application/json": {"schema": body_schema}},
               "x-origin": "#/components/requestBodies/Thing"})
    );
    assert_eq!(
        doc["paths"]["/a"]["put"]["responses"]["200"]["$ref"],
        "#/components/responses/Thing"
    );
    assert_eq!(
        doc["paths"]["/a"]["put"]["requestBody"]["$ref"],
        "#/components/requestBodies/Thing"
    );
}

#[test]
fn operation_callbacks_that_are_references_are_copied_or_dropped() {
    let doc = normalized(json!({
        "paths": {"/a": {"post": {"responses": {}, "callbacks": {
            "onEvent": {"$ref": "#/components/callbacks/Event"},
            "onGone": {"$ref": "#/components/callbacks/Gone"}}}}},
        "components": {"callbacks": {"Event": {"{$request.body#/url}": {"post": {"responses": {}}}}}}
    }));
    let callbacks = &doc["paths"]["/a"]["post"]["callbacks"];
    assert_eq!(
        callbacks["onEvent"],
        doc["components"]["callbacks"]["Event"]
    );
    assert!(callbacks.get("onGone").is_none());
}
