//! Security schemes as client configuration (`tests/fixtures/security.yaml`: basic, bearer, OAuth 2,
//! API keys in a header, the query string and a cookie, alternatives, an unsupported scheme), held by a
//! snapshot of the generated `security.rs`; and what a spec without signing or servers gets (in
//! `client.rs`, which builds the client).

fn generate_text(text: &str, name: &str) -> codegen::Output {
    let options = codegen::Options {
        spec_name: name.to_owned(),
        command: "cargo test".to_owned(),
    };
    codegen::generate(text, &options).unwrap_or_else(|d| panic!("{name}:\n{d}"))
}

fn file<'a>(out: &'a codegen::Output, name: &str) -> &'a str {
    &out.files
        .iter()
        .find(|f| f.path == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .contents
}

#[test]
fn security_schemes_security() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/security.yaml");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let out = generate_text(&text, "tests/fixtures/security.yaml");
    // The digest scheme is skipped with a warning naming it; nothing else is worked around.
    let pointers: Vec<&str> = out.warnings.iter().map(|w| w.pointer.as_str()).collect();
    assert_eq!(pointers, ["#/components/securitySchemes/digest/scheme"]);
    let security = file(&out, "security.rs");
    assert!(!security.contains("SIGNING_RULE") && !security.contains("fn sign("));
    insta::assert_snapshot!(security);
}

#[test]
fn a_spec_without_servers_or_security_requires_a_base_url() {
    let out = generate_text(
        "openapi: 3.0.3\ninfo: {title: Bare API, version: '1'}\npaths:\n  /ping:\n    get:\n      operationId: ping\n      responses:\n        '204': {description: pong}\n",
        "bare.yaml",
    );
    let security = file(&out, "security.rs");
    assert!(!security.contains("DEFAULT_BASE_URL"), "{security}");
    assert!(security.contains("pub struct Credentials {}"), "{security}");
    let client = file(&out, "client.rs");
    assert!(
        client.contains("ClientBuilder::for_client(\"\", credentials.into())"),
        "{client}"
    );
    assert!(
        client.contains("require_env([\"BARE_BASE_URL\"])"),
        "{client}"
    );
    assert!(!file(&out, "mod.rs").contains("DEFAULT_BASE_URL"));
}

#[test]
fn a_relative_server_url_is_no_default_either() {
    let out = generate_text(
        "openapi: 3.0.3\ninfo: {title: Rel, version: '1'}\nservers: [{url: /api/v3}]\npaths: {}\n",
        "rel.yaml",
    );
    let security = file(&out, "security.rs");
    assert!(
        !security.contains("pub const DEFAULT_BASE_URL"),
        "{security}"
    );
    let client = file(&out, "client.rs");
    assert!(client.contains("(`/api/v3`) is not absolute"), "{client}");
}
