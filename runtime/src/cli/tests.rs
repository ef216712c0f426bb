//! The command line run as a process runs it (arguments in, stdout, stderr and the exit code out),
//! against the recording test server on 127.0.0.1, with a small API written out as a generated crate
//! writes it.

use super::*;
use crate::error::ConfigError;
use crate::request::{encode_path, Request};
use crate::test_server::{Recorded, Reply, Server};
use crate::{Auth, Client, ClientBuilder, Method};
use serde_json::{json, Value};

/// `GET /pets/{id}` with a query, a header and a cookie parameter; answers JSON.
fn get_pet<'a>(client: &'a Client, input: &Input) -> Result<Call<'a>, Failure> {
    let id: i64 = input.param(Location::Path, "id")?;
    let mut request = Request::new(Method::GET, format!("/pets/{}", encode_path(&id)));
    if let Some(fields) = input.param_opt::<Vec<String>>(Location::Query, "fields")? {
        request.query_value("fields", &fields, crate::params::Style::Form, false);
    }
    let trace: String = input.param(Location::Header, "X-Trace")?;
    request.header("X-Trace", &trace);
    if let Some(session) = input.param_opt::<String>(Location::Cookie, "session")? {
        request.cookie("session", &session);
    }
    Ok(call(
        client.send::<Value, Value>(request),
        Answer::json::<Value>,
    ))
}

/// `POST /pets` with a JSON body, required.
fn create_pet<'a>(client: &'a Client, input: &Input) -> Result<Call<'a>, Failure> {
    let body: Value = input.body()?;
    let mut request = Request::new(Method::POST, "/pets".to_owned());
    request.json(&body);
    Ok(call(
        client.send::<Value, Value>(request),
        Answer::json::<Value>,
    ))
}

/// `PUT /pets/{id}/photo` with a multipart body: a text field and a file.
fn upload_photo<'a>(client: &'a Client, input: &Input) -> Result<Call<'a>, Failure> {
    let id: i64 = input.param(Location::Path, "id")?;
    let fields = input.fields()?;
    let caption: Option<String> = fields.field_opt("caption")?;
    let photo = fields.file("photo")?;
    let mut form = crate::multipart::Form::new();
    form.text_opt("caption", caption.as_ref());
    form.file("photo", &photo);
    let mut request = Request::new(Method::PUT, format!("/pets/{id}/photo"));
    request.multipart(form);
    Ok(call(
        client.send_with::<_, Value>(request, crate::decode::empty),
        Answer::none,
    ))
}

/// `POST /pets/{id}/raw`: a binary body, optional; answers bytes.
fn raw<'a>(client: &'a Client, input: &Input) -> Result<Call<'a>, Failure> {
    let id: i64 = input.param(Location::Path, "id")?;
    let mut request = Request::new(Method::POST, format!("/pets/{id}/raw"));
    if let Some(upload) = input.upload_opt()? {
        request.upload("application/octet-stream", upload);
    }
    Ok(call(
        client.send_with::<_, Value>(request, crate::decode::bytes),
        Answer::bytes,
    ))
}

const PATH_ID: Param = Param {
    name: "id",
    flag: "id",
    location: Location::Path,
    required: true,
    kind: Kind::Json,
    repeated: false,
    help: "The pet's id",
};

const OPERATIONS: &[Operation<Client>] = &[
    Operation {
        name: "get-pet",
        operation_id: Some("getPet"),
        method: "GET",
        path: "/pets/{id}",
        about: "Get a pet",
        doc: "Get a pet\n\nBy its id.",
        params: &[
            PATH_ID,
            Param {
                name: "fields",
                flag: "fields",
                location: Location::Query,
                required: false,
                kind: Kind::Text,
                repeated: true,
                help: "Fields to return",
            },
            Param {
                name: "X-Trace",
                flag: "x-trace",
                location: Location::Header,
                required: true,
                kind: Kind::Text,
                repeated: false,
                help: "",
            },
            Param {
                name: "session",
                flag: "session",
                location: Location::Cookie,
                required: false,
                kind: Kind::Text,
                repeated: false,
                help: "",
            },
        ],
        body: None,
        run: get_pet,
    },
    Operation {
        name: "create-pet",
        operation_id: None,
        method: "POST",
        path: "/pets",
        about: "Create a pet",
        doc: "",
        params: &[
            Param {
                name: "name",
                flag: "name",
                location: Location::Body,
                required: true,
                kind: Kind::Text,
                repeated: false,
                help: "",
            },
            Param {
                name: "age",
                flag: "age",
                location: Location::Body,
                required: false,
                kind: Kind::Json,
                repeated: false,
                help: "",
            },
        ],
        body: Some(BodyInput {
            required: true,
            content_types: &["application/json"],
        }),
        run: create_pet,
    },
    Operation {
        name: "upload-photo",
        operation_id: Some("uploadPhoto"),
        method: "PUT",
        path: "/pets/{id}/photo",
        about: "Upload a photo",
        doc: "",
        params: &[
            PATH_ID,
            Param {
                name: "caption",
                flag: "caption",
                location: Location::Body,
                required: false,
                kind: Kind::Text,
                repeated: false,
                help: "",
            },
            Param {
                name: "photo",
                flag: "photo",
                location: Location::Body,
                required: true,
                kind: Kind::File,
                repeated: false,
                help: "",
            },
        ],
        body: Some(BodyInput {
            required: true,
            content_types: &["multipart/form-data"],
        }),
        run: upload_photo,
    },
    Operation {
        name: "raw",
        operation_id: Some("raw"),
        method: "POST",
        path: "/pets/{id}/raw",
        about: "Send bytes",
        doc: "",
        params: &[PATH_ID],
        body: Some(BodyInput {
            required: false,
            content_types: &["application/octet-stream"],
        }),
        run: raw,
    },
];

fn connect(connection: Connection) -> Result<Client, ConfigError> {
    let builder = ClientBuilder::new("http://127.0.0.1:9", Auth::unsigned().header("X-Key", "k"));
    connection
        .configure(builder, std::env::var("CLI_TEST_NEVER_SET").ok())
        .build()
}

const API: Api<Client> = Api {
    title: "Pets",
    version: "1.2",
    base_url_env: "PETS_BASE_URL",
    credentials: &[Credential {
        scheme: "key",
        env: &["PETS_KEY"],
    }],
    operations: OPERATIONS,
    connect,
};

/// What one run printed and returned.
struct Ran {
    code: u8,
    stdout: String,
    stderr: String,
}

fn run_with(args: &[&str]) -> Ran {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let args = std::iter::once("pets")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let code = run(&API, args, &mut out, &mut err);
    Ran {
        code,
        stdout: String::from_utf8(out).expect("UTF-8 stdout"),
        stderr: String::from_utf8(err).expect("UTF-8 stderr"),
    }
}

/// A runtime for the test server, which keeps serving while the command line runs its own.
fn serving() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn json_reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "application/json")],
        body: body.as_bytes().to_vec(),
    }
}

/// Runs `args` against a server answering `reply`; returns the run and the request received.
fn against(reply: Reply, args: &[&str]) -> (Ran, Recorded) {
    let runtime = serving();
    let server = runtime.block_on(Server::start(reply));
    let mut full = vec!["--base-url", server.base.as_str()];
    full.extend_from_slice(args);
    let ran = run_with(&full);
    let seen = runtime.block_on(server.recorded());
    (ran, seen)
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("runtime-cli-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).expect("write a temporary file");
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn operations_prints_the_documented_json_document() {
    let ran = run_with(&["operations"]);
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""));
    let document: Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(
        document,
        json!({
            "base_url_env": "PETS_BASE_URL",
            "credentials": [{"scheme": "key", "env": ["PETS_KEY"]}],
            "operations": [
                {"name": "get-pet", "operation_id": "getPet", "method": "GET", "path": "/pets/{id}"},
                {"name": "create-pet", "operation_id": null, "method": "POST", "path": "/pets"},
                {"name": "upload-photo", "operation_id": "uploadPhoto", "method": "PUT", "path": "/pets/{id}/photo"},
                {"name": "raw", "operation_id": "raw", "method": "POST", "path": "/pets/{id}/raw"}
            ]
        })
    );
    // Keys in this order, pretty-printed: the document is for programs and for people reading it.
    assert!(ran
        .stdout
        .starts_with("{\n  \"base_url_env\": \"PETS_BASE_URL\",\n  \"credentials\""));
}

#[test]
fn call_sends_every_location_and_prints_the_answer_as_pretty_json() {
    let input = json!({
        "path": {"id": 7},
        "query": {"fields": ["name", "age"]},
        "header": {"x-trace": "t-1"},
        "cookie": {"session": "s 1"}
    });
    let (ran, seen) = against(
        json_reply(200, r#"{"id":7,"name":"Rex"}"#),
        &["call", "get-pet", "--input", &input.to_string()],
    );
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""), "{}", ran.stderr);
    assert_eq!(ran.stdout, "{\n  \"id\": 7,\n  \"name\": \"Rex\"\n}\n");
    assert_eq!(seen.request_line, "GET /pets/7?fields=name,age HTTP/1.1");
    assert_eq!(seen.header("x-trace"), Some("t-1"));
    assert_eq!(seen.header("cookie"), Some("session=s%201"));
    assert_eq!(seen.header("x-key"), Some("k"), "the credentials are sent");
}

#[test]
fn flags_and_call_send_the_same_request() {
    let input =
        json!({"path": {"id": "7"}, "query": {"fields": ["a", "b"]}, "header": {"X-Trace": "t"}});
    let (by_call, from_call) = against(
        json_reply(200, "{}"),
        &["call", "get-pet", "--input", &input.to_string()],
    );
    let (by_flags, from_flags) = against(
        json_reply(200, "{}"),
        &[
            "get-pet",
            "--id",
            "7",
            "--fields",
            "a",
            "--fields",
            "b",
            "--x-trace",
            "t",
        ],
    );
    assert_eq!((by_call.code, by_flags.code), (0, 0), "{}", by_flags.stderr);
    assert_eq!(from_call.request_line, from_flags.request_line);
    // The same headers, but for `Host`, whose port is each server's own.
    let without_host = |seen: &Recorded| -> Vec<(String, String)> {
        seen.headers
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
            .cloned()
            .collect()
    };
    assert_eq!(without_host(&from_call), without_host(&from_flags));

    // Body fields as flags, added to `--body`; a Text flag stays text, a JSON one is read as JSON.
    let (ran, seen) = against(
        json_reply(201, r#"{"id":1}"#),
        &[
            "create-pet",
            "--body",
            r#"{"name":"Old","tag":"x"}"#,
            "--name",
            "007",
            "--age",
            "3",
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        serde_json::from_slice::<Value>(&seen.body).expect("JSON body"),
        json!({"name": "007", "tag": "x", "age": 3})
    );
}

#[test]
fn file_references_become_multipart_parts_and_binary_bodies() {
    let photo = TempFile::new("photo.png", b"\x89PNG\r\n\x1a\nrest");
    let input = json!({
        "path": {"id": 3},
        "body": {"caption": "hi", "photo": {"$file": photo.path(), "content_type": "image/x-test"}}
    });
    let (ran, seen) = against(
        Reply {
            status: 204,
            headers: vec![],
            body: Vec::new(),
        },
        &["call", "upload-photo", "--input", &input.to_string()],
    );
    assert_eq!((ran.code, ran.stdout.as_str()), (0, ""), "{}", ran.stderr);
    let body = String::from_utf8_lossy(&seen.body);
    assert!(body.contains("name=\"caption\"\r\n\r\nhi\r\n"), "{body}");
    assert!(
        body.contains("Content-Type: image/x-test\r\n\r\n"),
        "{body}"
    );
    assert!(seen.body.windows(8).any(|w| w == b"\x89PNG\r\n\x1a\n"));

    // The same through the subcommand: the file flag takes a path, and the type is sniffed.
    let (ran, seen) = against(
        Reply {
            status: 204,
            headers: vec![],
            body: Vec::new(),
        },
        &["upload-photo", "--id", "3", "--photo", photo.path()],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(String::from_utf8_lossy(&seen.body).contains("Content-Type: image/png\r\n"));

    // A whole binary body from a file, and the binary answer to --output.
    let answer = TempFile::new("answer.bin", b"");
    let input = json!({"path": {"id": 3}, "body": {"$file": photo.path()}});
    let (ran, seen) = against(
        Reply {
            status: 200,
            headers: vec![("Content-Type", "application/octet-stream")],
            body: b"\x00\x01\xff".to_vec(),
        },
        &[
            "--output",
            answer.path(),
            "call",
            "raw",
            "--input",
            &input.to_string(),
        ],
    );
    assert_eq!((ran.code, ran.stdout.as_str()), (0, ""), "{}", ran.stderr);
    assert_eq!(seen.body, b"\x89PNG\r\n\x1a\nrest");
    assert_eq!(
        seen.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(std::fs::read(&answer.0).expect("written"), b"\x00\x01\xff");

    // Without --output, the bytes go to stdout as they are; an optional body may be left out.
    let (ran, seen) = against(
        Reply {
            status: 200,
            headers: vec![],
            body: b"raw bytes".to_vec(),
        },
        &["raw", "--id", "3"],
    );
    assert_eq!((ran.code, ran.stdout.as_str()), (0, "raw bytes"));
    assert!(seen.body.is_empty() && seen.header("content-type").is_none());
}

#[test]
fn api_errors_and_transport_failures_exit_1_with_one_line() {
    let (ran, _) = against(
        json_reply(404, "{\"error\":\"not_found\",\n\"message\":\"no pet\"}"),
        &["--verbose", "get-pet", "--id", "1", "--x-trace", "t"],
    );
    assert_eq!(ran.code, 1);
    assert!(ran.stdout.is_empty());
    let lines: Vec<&str> = ran.stderr.lines().collect();
    assert_eq!(
        lines[0], "HTTP 404 Not Found",
        "--verbose shows the status first"
    );
    assert!(
        lines.contains(&"content-type: application/json"),
        "{lines:?}"
    );
    // Then the start of the body, as it came, before the one line of the failure.
    assert!(
        ran.stderr
            .contains("\n\n{\"error\":\"not_found\",\n\"message\":\"no pet\"}\nerror: "),
        "{}",
        ran.stderr
    );
    assert_eq!(
        lines.last().copied(),
        Some("error: HTTP 404 Not Found: {\"error\":\"not_found\", \"message\":\"no pet\"}")
    );

    // Nothing listens on port 9 of 127.0.0.1 (the discard service is not run).
    let ran = run_with(&[
        "--base-url",
        "http://127.0.0.1:9",
        "get-pet",
        "--id",
        "1",
        "--x-trace",
        "t",
    ]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.starts_with("error: request failed"),
        "{}",
        ran.stderr
    );
}

#[test]
fn bad_usage_and_refused_input_exit_2_with_one_line_and_send_nothing() {
    for (args, expected) in [
        (vec!["nope"], "error: unrecognized subcommand 'nope'"),
        (
            vec!["get-pet", "--x-trace", "t"],
            "error: the following required arguments were not provided: --id <JSON>",
        ),
        (
            vec!["get-pet", "--id", "x", "--x-trace", "t"],
            "error: path parameter `id`: invalid type: string \"x\", expected i64",
        ),
        (
            vec!["call", "no-such", "--input", "{}"],
            "error: unknown operation `no-such`",
        ),
        (
            vec!["call", "get-pet", "--input", "{"],
            "error: --input: the argument is not valid JSON",
        ),
        (
            vec!["call", "get-pet", "--input", "[]"],
            "error: the input must be a JSON object",
        ),
        (
            vec!["call", "get-pet", "--input", r#"{"paths":{}}"#],
            "error: unknown input key `paths`",
        ),
        (
            vec![
                "call",
                "get-pet",
                "--input",
                r#"{"path":{"id":1},"query":{"feilds":["a"]}}"#,
            ],
            "error: `get-pet` takes no query parameter `feilds` (it has fields)",
        ),
        (
            vec![
                "call",
                "get-pet",
                "--input",
                r#"{"path":{"id":1},"body":{}}"#,
            ],
            "error: `get-pet` takes no body",
        ),
        (
            vec!["call", "create-pet", "--input", "{}"],
            "error: the request body is required",
        ),
        (
            vec![
                "call",
                "create-pet",
                "--input",
                r#"{"body":{},"content_type":"text/plain"}"#,
            ],
            "error: `create-pet` takes no body of type `text/plain`",
        ),
        (
            vec![
                "call",
                "upload-photo",
                "--input",
                r#"{"path":{"id":1},"body":{"photo":"p.png"}}"#,
            ],
            "error: body field `photo`: expected a file reference",
        ),
        (
            vec![
                "call",
                "upload-photo",
                "--input",
                r#"{"path":{"id":1},"body":{"photo":{"$file":"/no/such/file"}}}"#,
            ],
            "error: body field `photo`: /no/such/file:",
        ),
        (
            vec!["--header", "no colon", "operations"],
            "error: --header `no colon`: expected `NAME: VALUE`",
        ),
    ] {
        // Port 9: were anything sent, the run would fail with a transport error and exit 1.
        let mut full = vec!["--base-url", "http://127.0.0.1:9"];
        full.extend(args.iter().copied());
        let ran = run_with(&full);
        assert_eq!(ran.code, 2, "{args:?}: {}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.starts_with(expected), "{args:?}: {}", ran.stderr);
        assert!(ran.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn help_goes_to_stdout_with_exit_0_and_comes_from_the_spec() {
    let ran = run_with(&["--help"]);
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""));
    assert!(
        ran.stdout.contains("Pets (API version 1.2)"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .lines()
            .any(|l| l.starts_with("  get-pet ") && l.ends_with(" Get a pet")),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("PETS_BASE_URL") && ran.stdout.contains("PETS_KEY"));
    let ran = run_with(&["get-pet", "--help"]);
    assert_eq!(ran.code, 0);
    assert!(ran.stdout.contains("By its id."), "{}", ran.stdout);
    assert!(ran.stdout.contains("--fields <TEXT>"), "{}", ran.stdout);
    // No command at all: the help, on stderr, as a usage error.
    let ran = run_with(&[]);
    assert_eq!((ran.code, ran.stdout.as_str()), (2, ""));
    assert!(ran.stderr.contains("Usage: pets"), "{}", ran.stderr);
}

#[test]
fn headers_from_the_command_line_are_sent_and_credentials_cannot_be_replaced() {
    let (ran, seen) = against(
        json_reply(200, "{}"),
        &[
            "--header",
            "X-Extra: yes",
            "get-pet",
            "--id",
            "1",
            "--x-trace",
            "t",
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(seen.header("x-extra"), Some("yes"));
    let ran = run_with(&[
        "--base-url",
        "http://127.0.0.1:9",
        "--header",
        "X-Key: mine",
        "get-pet",
        "--id",
        "1",
        "--x-trace",
        "t",
    ]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.starts_with("error: invalid header `X-Key`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn input_values_are_read_again_from_their_text() {
    assert_eq!(input::decode::<i32>(&json!("5"), "x").ok(), Some(5));
    assert_eq!(
        input::decode::<String>(&json!(5), "x").ok(),
        Some("5".to_owned())
    );
    assert_eq!(input::decode::<bool>(&json!("true"), "x").ok(), Some(true));
    assert_eq!(
        input::decode::<Vec<u8>>(&json!(["1", 2]), "x").ok(),
        Some(vec![1, 2])
    );
    let error =
        input::decode::<u8>(&json!("many"), "query parameter `n`").expect_err("not a number");
    assert_eq!(error.code(), 2);
    assert_eq!(
        error.message(),
        "query parameter `n`: invalid type: string \"many\", expected u8"
    );
}
