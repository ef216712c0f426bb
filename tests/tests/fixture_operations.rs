//! The generator on the operations fixture (tests/fixtures/operations/operations.yaml): parameters in
//! every location and style, several request media types, several typed responses, and missing or
//! duplicate operationIds. The snapshots hold the generated methods and types; the warnings say what
//! the generator renamed or worked around.

use codegen::{generate, Options};

const SPEC: &str = include_str!("../fixtures/operations/operations.yaml");

fn output() -> codegen::Output {
    let options = Options {
        spec_name: "tests/fixtures/operations/operations.yaml".to_owned(),
        command: "cargo test -p awal-tests --test fixture_operations".to_owned(),
    };
    generate(SPEC, &options).unwrap_or_else(|d| panic!("the fixture generates:\n{d}"))
}

fn file(out: &codegen::Output, name: &str) -> String {
    out.files
        .iter()
        .find(|f| f.path == name)
        .map(|f| f.contents.clone())
        .unwrap_or_else(|| panic!("{name} is generated"))
}

#[test]
fn operations_snapshot() {
    insta::assert_snapshot!(file(&output(), "operations.rs"));
}

#[test]
fn parameter_structs_and_response_enums_snapshot() {
    insta::assert_snapshot!(file(&output(), "types.rs"));
}

#[test]
fn renamed_and_worked_around_items_are_reported_as_warnings() {
    let out = output();
    for warning in &out.warnings {
        assert!(
            awal_tests::pointer::resolves(SPEC, &warning.pointer),
            "no node of the fixture at {warning}"
        );
    }
    let text: Vec<String> = out.warnings.iter().map(|w| w.to_string()).collect();
    insta::assert_snapshot!(text.join("\n"));
}
