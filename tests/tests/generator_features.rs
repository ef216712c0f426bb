//! Generator behaviour on small specs, checked on the generated text.

use codegen::{generate, Options};

fn generated(spec: &str) -> String {
    let out = generate(spec, &Options::default()).unwrap_or_else(|d| panic!("{d}"));
    out.files
        .into_iter()
        .map(|f| f.contents)
        .collect::<Vec<_>>()
        .join("\n")
}

const PUBLIC_AND_PRIVATE: &str = r#"
openapi: 3.0.3
info: {title: Mini, version: "1"}
servers: [{url: "https://x.test/api/"}]
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key, x-credential: {name: api_key, env: MINI_KEY}}
paths:
  /status:
    get:
      operationId: getStatus
      security: []
      responses: {"204": {description: fine}}
  /things/{thing-id}/parts/{n}:
    get:
      operationId: getPart
      parameters:
        - {name: thing-id, in: path, required: true, schema: {type: string}}
        - {name: n, in: path, required: true, schema: {type: integer, format: int32}}
      responses: {"204": {description: fine}}
"#;

#[test]
fn public_operations_are_sent_without_credentials() {
    let text = generated(PUBLIC_AND_PRIVATE);
    let status = text
        .split("pub fn get_status")
        .nth(1)
        .expect("get_status")
        .split("pub async fn")
        .next()
        .unwrap_or("");
    assert!(status.contains("request.without_auth();"), "{status}");
    let part = text.split("pub fn get_part").nth(1).expect("get_part");
    assert!(!part.contains("without_auth"), "{part}");
}

#[test]
fn a_spec_without_signing_gets_plain_credential_headers() {
    let text = generated(PUBLIC_AND_PRIVATE);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains(
            r#"rt::Auth::unsigned().header("X-Key",credentials.api_key).scheme("key").security(&[&["key"]])"#
        ),
        "{text}"
    );
    assert!(!text.contains("SIGNING_RULE"), "{text}");
    assert!(
        text.contains("rt::config::require_env([\"MINI_KEY\"])"),
        "{text}"
    );
    // Trailing slashes on the server URL are dropped: paths start with '/'.
    assert!(
        text.contains("pub const DEFAULT_BASE_URL: &str = \"https://x.test/api\";"),
        "{text}"
    );
}

#[test]
fn path_parameters_are_percent_encoded_in_template_order() {
    let text = generated(PUBLIC_AND_PRIVATE);
    assert!(text.contains("thing_id: &str"), "{text}");
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains(
            r#"letpath=["/things/",&encode_path(&thing_id),"/parts/",&encode_path(&n)].concat();"#
        ),
        "{text}"
    );
}

/// A spec whose only type is sent: its `Deserialize` impl is behind `full-serde`, and names the runtime
/// by its full path, so `types.rs` imports `rt` only when something outside the gate names it (an
/// unused import would be a warning in the crate built without the feature).
#[test]
fn types_only_sent_leave_no_unused_runtime_import() {
    let out = generate(
        "openapi: 3.0.3\ninfo: {title: Sent, version: '1'}\npaths:\n  /notes:\n    post:\n      operationId: addNote\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {type: object, properties: {text: {type: string}}}\n      responses: {'204': {description: done}}\n",
        &Options::default(),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let types = &out
        .files
        .iter()
        .find(|f| f.path == "types.rs")
        .expect("types.rs")
        .contents;
    assert!(
        !types.contains("use openapi_client_runtime as rt;"),
        "{types}"
    );
    assert!(
        types.contains("#[cfg(feature = \"full-serde\")]\nopenapi_client_runtime::from_map!("),
        "{types}"
    );
}
