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

/// What conformance against Prism led to: header parameters OpenAPI says to ignore, the `Accept` and
/// `Content-Type` they fix, non-JSON answers, documented redirects, optional bodies, one-way properties.
const HEADERS_AND_ANSWERS: &str = r##"
openapi: 3.0.3
info: {title: Heads, version: "1"}
paths:
  /report:
    get:
      operationId: getReport
      parameters:
        - {name: Accept, in: header, required: true, schema: {type: string, enum: ["text/csv"]}}
        - {name: Content-Type, in: header, required: true, schema: {type: string, default: application/json}}
        - {name: Authorization, in: header, required: true, schema: {type: string}}
      responses:
        "200": {description: ok, content: {text/csv: {schema: {type: string}}}}
  /any:
    get:
      operationId: getAny
      responses:
        "200": {description: ok, content: {"*/*": {schema: {type: object, properties: {a: {type: string}}}}}}
  /login:
    post:
      operationId: login
      requestBody:
        content:
          application/json: {schema: {$ref: "#/components/schemas/Login"}}
      responses:
        "303": {description: Signed in; go to the home page.}
        "401": {description: no}
components:
  schemas:
    Login:
      type: object
      required: [user, password, session]
      properties:
        user: {type: string}
        password: {type: string, writeOnly: true}
        session: {type: string, readOnly: true}
"##;

#[test]
fn ignored_header_parameters_fixed_headers_and_answers_that_are_not_json() {
    let out = generate(HEADERS_AND_ANSWERS, &Options::default()).unwrap_or_else(|d| panic!("{d}"));
    let warnings: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).collect();
    for name in ["Accept", "Content-Type", "Authorization"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(&format!("the `{name}` header parameter is ignored"))),
            "{warnings:?}"
        );
    }
    let text = generated(HEADERS_AND_ANSWERS);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // No arguments for the ignored parameters; the fixed values are sent.
    assert!(!text.contains("GetReportParams"), "{text}");
    assert!(
        compact.contains(
            r#"request.accept("text/csv");request.header("Content-Type",&"application/json");"#
        ),
        "{text}"
    );
    // `*/*` with a schema is read as JSON, asked for as `*/*`.
    assert!(
        compact.contains(r#"request.accept("*/*");self.send(request)"#),
        "{text}"
    );
    // A documented redirect is the answer; its body is not read. The body is optional.
    assert!(
        compact.contains(
            r#"body:Option<&types::Login>,)->rt::Call<'_,(),rt::serde_json::Value,rt::decode::Decoder<()>>{letmutrequest=Request::for_operation("login",Method::POST,"/login".to_owned(),);request.redirect_is_answer();ifletSome(body)=body{request.json(body);}self.send_with(request,rt::decode::empty)"#
        ),
        "{text}"
    );
    // Write-only and read-only properties are never required: one type serves both directions.
    assert!(compact.contains("pubuser:String,"), "{text}");
    assert!(compact.contains("pubpassword:Option<String>,"), "{text}");
    assert!(compact.contains("pubsession:Option<String>,"), "{text}");
}

/// A spec whose only type is sent: its `Serialize` is always there, its `Deserialize` only with
/// `full-serde`, both from one `rt::object!` call (so `rt` is used, and imported, either way).
#[test]
fn types_only_sent_deserialize_only_with_full_serde() {
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
        types.contains("use openapi_client_runtime as rt;"),
        "{types}"
    );
    let compact: String = types.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains(r#"rt::object!(AddNoteRequest{"text"=>textoptional};deserializeiffeature="full-serde");"#),
        "{types}"
    );
}

/// A nullable answer is `Option<T>`: FastAPI writes `float | None` as an `anyOf` with a `null` branch
/// (3.1), older specs as `nullable: true` (3.0); `null` is an answer the spec allows, so it must decode.
#[test]
fn nullable_answers_are_options() {
    for spec in [
        "openapi: 3.1.0\ninfo: {title: N, version: '1'}\npaths:\n  /late:\n    get:\n      operationId: lateness\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {anyOf: [{type: number}, {type: 'null'}]}\n",
        "openapi: 3.0.3\ninfo: {title: N, version: '1'}\npaths:\n  /late:\n    get:\n      operationId: lateness\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: number, nullable: true}\n",
    ] {
        let text = generated(spec);
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            compact.contains("rt::Call<'_,Option<f64>,"),
            "{text}"
        );
    }
}

/// A query in a path's key (OpenAI's `/responses?beta=true`) is no part of the path: it is sent as fixed
/// query parameters, first, with a warning at the path.
#[test]
fn a_query_in_the_path_key_is_sent_as_query_parameters() {
    let spec = "openapi: 3.0.3\ninfo: {title: Q, version: '1'}\npaths:\n  /responses/{id}?beta=true&v:\n    get:\n      operationId: betaGet\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n        - {name: limit, in: query, schema: {type: integer}}\n      responses: {'204': {description: done}}\n";
    let out = generate(spec, &Options::default()).unwrap_or_else(|d| panic!("{d}"));
    assert!(
        out.warnings.iter().any(|w| w
            .message
            .starts_with("the path has a query (`?beta=true&v`)")),
        "{:?}",
        out.warnings
    );
    let text = generated(spec);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains(r#"["/responses/",&encode_path(&id)].concat();"#),
        "{text}"
    );
    assert!(
        compact.contains(
            r#"request.query("beta",&"true");request.query("v",&"");request.query_opt("limit""#
        ),
        "{text}"
    );
}
