//! Generator features on small fixture specs (`tests/fixtures/*.yaml`), held by snapshots of the
//! generated source. The Awal spec itself exercises the same features in compiled code.

fn generate(fixture: &str) -> codegen::Output {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = codegen::Options {
        spec_name: format!("tests/fixtures/{fixture}"),
        command: "cargo test".to_owned(),
    };
    codegen::generate(&text, &options).unwrap_or_else(|d| panic!("{fixture}:\n{d}"))
}

fn file<'a>(out: &'a codegen::Output, name: &str) -> &'a str {
    &out.files
        .iter()
        .find(|f| f.path == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .contents
}

#[test]
fn features_types() {
    let out = generate("features.yaml");
    insta::assert_snapshot!(file(&out, "types.rs"));
}

#[test]
fn features_operations() {
    let out = generate("features.yaml");
    insta::assert_snapshot!(file(&out, "operations.rs"));
}

/// The command line of `fixtures/cli.yaml` (its binary runs in `tests/cli.rs`): the subcommand data and
/// the glue that turns an input into each operation's arguments.
#[test]
fn cli_command_line() {
    let out = generate("cli.yaml");
    insta::assert_snapshot!(file(&out, "cli.rs"));
}
