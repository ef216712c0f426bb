//! A schema that is both a multipart body and a JSON (or URL-encoded) body
//! (`tests/fixtures/operations/shared-forms.yaml`): the generated crate must compile either way, so
//! the form struct gets serde impls beside `to_form` when it holds no file, and the JSON body is a
//! `serde_json::Value` when it does.

use codegen::{generate, Options};

fn output() -> codegen::Output {
    let options = Options {
        spec_name: "tests/fixtures/operations/shared-forms.yaml".to_owned(),
        command: "cargo test".to_owned(),
    };
    let spec = include_str!("../fixtures/operations/shared-forms.yaml");
    generate(spec, &options).unwrap_or_else(|d| panic!("the fixture generates:\n{d}"))
}

fn file<'a>(out: &'a codegen::Output, name: &str) -> &'a str {
    &out.files
        .iter()
        .find(|f| f.path == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .contents
}

#[test]
fn shared_forms_snapshot() {
    let out = output();
    let warnings: String = out
        .warnings
        .iter()
        .map(|w| format!("{}: {}\n", w.pointer, w.message))
        .collect();
    insta::assert_snapshot!(format!(
        "== warnings\n{warnings}\n== types.rs\n{}",
        file(&out, "types.rs")
    ));
    let types = file(&out, "types.rs");
    // `Message`: serde for the JSON and URL-encoded variants, and the multipart form.
    let message = &types[types.find("pub struct Message ").expect("Message")..];
    let before = &types[..types.find("pub struct Message ").expect("Message")];
    assert!(
        before.ends_with("#[derive(Debug, Clone, PartialEq)]\n"),
        "{types}"
    );
    assert!(message.contains("rt::object!(\n    Message {"), "{types}");
    assert!(message.contains("pub fn to_form(&self)"), "{types}");
    // `Upload` holds a file: the JSON variant is any JSON value.
    assert!(types.contains("Json(rt::serde_json::Value)"), "{types}");
    assert!(types.contains("Multipart(Upload)"), "{types}");
    assert_eq!(out.warnings.len(), 1, "{warnings}");
}
