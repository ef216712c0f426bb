//! Bad specs from `tests/fixtures/bad/`: each is refused with diagnostics that say where (the line and
//! column when the parser knows them, the JSON pointer otherwise) and what is wrong, and nothing is
//! generated. `deep-refs.yaml` is the opposite case: references deep into other definitions generate.

use codegen::{generate, Diagnostics, Options, Output};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn options(name: &str) -> Options {
    Options {
        spec_name: format!("tests/fixtures/{name}"),
        command: "cargo test".to_owned(),
    }
}

fn refused(name: &str) -> Diagnostics {
    let text = std::fs::read_to_string(fixtures().join("bad").join(name)).expect("fixture");
    match generate(&text, &options(name)) {
        Ok(out) => panic!("{name} generated {} files", out.files.len()),
        Err(d) => d,
    }
}

/// The single diagnostic of a fixture: (pointer, message, hint).
fn only(name: &str) -> (String, String, Option<String>) {
    let d = refused(name);
    assert_eq!(d.len(), 1, "{name}: {d}");
    let first = d.0[0].clone();
    (first.pointer, first.message, first.hint)
}

#[test]
fn yaml_syntax_errors_give_line_and_column() {
    let (pointer, message, _) = only("yaml-syntax.yaml");
    assert_eq!(pointer, "#");
    assert!(
        message.starts_with("invalid YAML at line 9, column 3: "),
        "{message}"
    );
}

#[test]
fn json_syntax_errors_give_line_and_column() {
    let (pointer, message, _) = only("json-syntax.json");
    assert_eq!(pointer, "#");
    // Column 56 is the `"ok"` that should have followed a colon.
    assert_eq!(message, "invalid JSON at line 5, column 56: expected `:`");
}

#[test]
fn a_document_without_openapi_is_refused() {
    let (pointer, message, hint) = only("missing-openapi.yaml");
    assert_eq!(pointer, "#");
    assert_eq!(
        message,
        "the `openapi` field is missing: this is not an OpenAPI 3.0 or 3.1 document"
    );
    assert_eq!(
        hint.as_deref(),
        Some("start the document with `openapi: 3.1.1` (or 3.0.3)")
    );
}

#[test]
fn swagger_2_is_named_with_a_way_out() {
    let (pointer, message, hint) = only("swagger-2.0.json");
    assert_eq!(pointer, "#/swagger");
    assert_eq!(
        message,
        "this is a Swagger 2.0 document; only OpenAPI 3.0.x and 3.1.x are supported"
    );
    assert!(hint.is_some_and(|h| h.contains("swagger2openapi")));
}

#[test]
fn openapi_3_2_is_refused_at_its_version() {
    let (pointer, message, hint) = only("openapi-3.2.yaml");
    assert_eq!(pointer, "#/openapi");
    assert_eq!(
        message,
        "OpenAPI 3.2.0 documents are not supported yet; 3.0.x and 3.1.x are"
    );
    assert!(hint.is_some_and(|h| h.contains("set `openapi: 3.1.1`")));
}

#[test]
fn a_type_array_with_an_unknown_type_names_the_item() {
    let (pointer, message, hint) = only("type-array-unknown.yaml");
    assert_eq!(pointer, "#/components/schemas/Thing/properties/size/type/2");
    assert_eq!(
        message,
        "`type` lists the string \"interger\", which is not a JSON Schema type"
    );
    assert!(hint.is_some_and(|h| h.contains("integer")));
}

#[test]
fn a_const_its_type_does_not_allow_names_the_const() {
    let (pointer, message, _) = only("const-clash.yaml");
    assert_eq!(
        pointer,
        "#/components/schemas/Thing/properties/version/const"
    );
    assert_eq!(
        message,
        "`const: \"2\"` is not a value of `type: integer`, so no value is valid here"
    );
}

#[test]
fn a_dangling_defs_reference_names_the_reference_as_written() {
    // The reference has a sibling, so the loader moved it under `allOf`: the diagnostic still names
    // the place the author wrote.
    let (pointer, message, _) = only("dangling-defs-ref.yaml");
    assert_eq!(pointer, "#/components/schemas/Thing/properties/part");
    assert!(
        message.contains("#/components/schemas/Thing/$defs/Part"),
        "{message}"
    );
}

#[test]
fn dangling_refs_name_the_referencing_pointer() {
    let (pointer, message, _) = only("dangling-ref.yaml");
    assert_eq!(
        pointer,
        "#/paths/~1things/get/responses/200/content/application~1json/schema/items"
    );
    assert!(message.contains("#/components/schemas/Thing"), "{message}");
}

#[test]
fn external_refs_are_refused_at_each_reference() {
    let d = refused("external-ref.yaml");
    let pointers: Vec<&str> = d.iter().map(|x| x.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "#/paths/~1things/get/parameters/0",
            "#/paths/~1things/get/responses/200/content/application~1json/schema"
        ],
        "{d}"
    );
    assert_eq!(
        d.0[0].message,
        "`$ref: common.yaml#/components/parameters/Page` points into another document; external references are not supported"
    );
    assert!(d.0[1].hint.as_deref().is_some_and(|h| h.contains("bundle")));
}

#[test]
fn ref_cycles_are_reported_not_followed() {
    let (pointer, message, _) = only("ref-cycle.yaml");
    assert_eq!(pointer, "#/components/responses/Things");
    assert_eq!(
        message,
        "circular `$ref`: #/components/responses/Things → #/components/responses/ThingList → #/components/responses/Things"
    );
}

#[test]
fn a_number_where_a_schema_belongs_names_the_schema() {
    let (pointer, message, _) = only("schema-not-an-object.yaml");
    assert_eq!(
        pointer,
        "#/paths/~1things/get/responses/200/content/application~1json/schema"
    );
    assert_eq!(
        message,
        "expected a schema (a mapping) here, found the number 42"
    );
}

#[test]
fn a_list_where_properties_belong_names_the_properties() {
    let (pointer, message, _) = only("properties-a-list.yaml");
    assert_eq!(pointer, "#/components/schemas/Thing/properties");
    assert_eq!(message, "expected a mapping here, found a list");
}

#[test]
fn every_bad_fixture_renders_readably() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("bad"))
        .expect("fixtures/bad")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let rendered: Vec<String> = names
        .iter()
        .map(|name| format!("== {name}\n{}", refused(name)))
        .collect();
    insta::assert_snapshot!(rendered.join("\n\n"));
}

fn deep_refs() -> Output {
    let text = std::fs::read_to_string(fixtures().join("deep-refs.yaml")).expect("fixture");
    generate(&text, &options("deep-refs.yaml")).unwrap_or_else(|d| panic!("{d}"))
}

fn file<'a>(out: &'a Output, name: &str) -> &'a str {
    &out.files
        .iter()
        .find(|f| f.path == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .contents
}

/// The number of times `needle` occurs in `haystack`.
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn deep_refs_generate_one_shared_type_per_target() {
    let out = deep_refs();
    let types = file(&out, "types.rs");
    // The property of `Disk`, used by `DiskRequest` too.
    assert_eq!(count(types, "pub enum DiskFilesystem {"), 1, "{types}");
    assert_eq!(
        count(types, "pub filesystem: DiskFilesystem,"),
        2,
        "{types}"
    );
    // The schema of the `Conflict` response component.
    assert_eq!(
        count(types, "pub struct ConflictResponseBody {"),
        1,
        "{types}"
    );
    // The body of `updateMe`'s response, which `patchMe` uses as a whole.
    assert_eq!(count(types, "pub struct UpdateMeResponse {"), 1, "{types}");
    let operations = file(&out, "operations.rs");
    let method = |name: &str| {
        let start = operations
            .find(&format!("pub fn {name}("))
            .unwrap_or_else(|| panic!("no {name}:\n{operations}"));
        let rest = &operations[start..];
        // Up to the next method, or the end.
        &rest[..rest[1..].find("pub fn ").map_or(rest.len(), |i| i + 1)]
    };
    for name in ["update_me", "patch_me"] {
        assert!(
            method(name).contains("UpdateMeResponse"),
            "{name}:\n{operations}"
        );
        // The parameter of `updateMe`, reused by `patchMe`.
        assert!(
            method(name).contains("UpdateMeDryRunQuery"),
            "{name}:\n{operations}"
        );
    }
    assert!(
        method("create_disk").contains("ConflictResponseBody"),
        "{operations}"
    );
}
