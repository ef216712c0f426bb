//! The examples, run as a user runs them, against the test server.
//!
//! The examples read the real clock (users do not inject one), so this test's server accepts any
//! timestamp within a day of the machine's time; everything else is fixed.

use awal_tests::harness::{avatar_png, BASE_PATH, CLIENT_ID, DOMAIN, SECRET};
use awal_tests::{AuthOutcome, CannedResponse, RecordedRequest, ServerConfig, TestServer};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Output};

/// The binary of example `name`, built (or found fresh) by cargo. All examples are built at once, by
/// the first test that needs one. `--workspace` resolves features as `cargo test --workspace` does, so
/// after that run this build is a no-op instead of a rebuild.
fn example_binary(name: &str) -> PathBuf {
    static EXAMPLES: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = EXAMPLES.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--workspace", "--examples"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the examples failed");
        let deps = std::env::current_exe().expect("test binary path");
        let target = deps
            .parent()
            .and_then(|d| d.parent())
            .expect("target/<profile>/deps");
        target.join("examples")
    });
    let binary = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "no example binary {}", binary.display());
    binary
}

/// Runs example `name` with exactly `envs` as its environment.
fn run(name: &str, envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(example_binary(name));
    command.args(args).env_clear();
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("the example runs")
}

/// The full configuration, pointing at `base_url`.
fn configured(base_url: &str) -> [(&'static str, &str); 5] {
    [
        ("AWAL_BASE_URL", base_url),
        ("AWAL_CLIENT_ID", CLIENT_ID),
        ("AWAL_DOMAIN", DOMAIN),
        ("AWAL_HMAC_SECRET", SECRET),
        ("AWAL_PHONE_NUMBER_ID", "123456"),
    ]
}

/// What a successful run printed, as JSON.
fn printed_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// The one line a failed run wrote on stderr (nothing on stdout), checking its exit code.
fn one_error_line(output: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(output.stdout.is_empty(), "{stderr}");
    stderr
}

/// The single request the server received, checked to be signed correctly.
fn the_request(server: &TestServer) -> RecordedRequest {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let seen = requests.into_iter().next().expect("one request");
    assert_eq!(seen.auth, AuthOutcome::Valid);
    seen
}

fn json_body(seen: &RecordedRequest) -> Value {
    assert_eq!(seen.header("content-type"), Some("application/json"));
    serde_json::from_slice(&seen.body).expect("the body is JSON")
}

/// A temporary directory of this test process, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("awal-example-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The test server on the machine's clock, since the example uses the real one.
async fn server_at_machine_time() -> TestServer {
    TestServer::start(ServerConfig {
        secret: SECRET.as_bytes().to_vec(),
        client_id: CLIENT_ID.to_owned(),
        domain: DOMAIN.to_owned(),
        base_path: BASE_PATH.to_owned(),
        now: now(),
        max_skew_seconds: 86_400,
    })
    .await
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

// Multi-threaded: the server keeps serving while this thread waits for the example process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_a_contact_and_prints_it_as_json() {
    let server = server_at_machine_time().await;
    server.enqueue(CannedResponse::json(
        201,
        json!({"status": true, "message": "Contact created successfully",
               "data": {"id": 9, "name": "Ahmed", "phone": "96650000000", "is_favorite": true,
                        "created_at": "2024-01-15T10:30:00Z"}}),
    ));
    let dir = std::env::temp_dir().join(format!("awal-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let avatar = dir.join("me.png");
    std::fs::write(&avatar, avatar_png()).expect("write avatar");

    let base_url = server.base_url();
    let output = run(
        "create_contact",
        &[
            ("AWAL_BASE_URL", &base_url),
            ("AWAL_CLIENT_ID", CLIENT_ID),
            ("AWAL_DOMAIN", DOMAIN),
            ("AWAL_HMAC_SECRET", SECRET),
            ("AWAL_PHONE_NUMBER_ID", "123456"),
        ],
        &[
            "--name",
            "Ahmed",
            "--phone",
            "96650000000",
            "--favorite",
            "--avatar",
            avatar.to_str().expect("utf-8 path"),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(printed["id"], 9);
    assert_eq!(printed["created_at"], "2024-01-15T10:30:00Z");

    let seen = &server.requests()[0];
    assert_eq!(seen.auth, AuthOutcome::Valid);
    let parts = seen.form.clone().expect("multipart").expect("parses");
    let file = parts
        .iter()
        .find(|p| p.name == "file")
        .expect("the avatar part");
    assert_eq!(file.file_name.as_deref(), Some("me.png"));
    assert_eq!(
        file.content_type.as_deref(),
        Some("image/png"),
        "sniffed from the PNG signature"
    );
    assert_eq!(file.bytes.as_ref(), avatar_png().as_slice());
}

#[test]
fn missing_configuration_is_one_line_naming_every_variable() {
    let output = run(
        "create_contact",
        &[("AWAL_DOMAIN", "x")],
        &["--name", "A", "--phone", "96650000000"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for var in ["AWAL_CLIENT_ID", "AWAL_HMAC_SECRET", "AWAL_PHONE_NUMBER_ID"] {
        assert!(stderr.contains(var), "{stderr}");
    }
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    let output = run("create_contact", &[], &["--nmae", "A"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--nmae"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_error_is_one_line_with_the_server_message() {
    let server = server_at_machine_time().await;
    let base_url = server.base_url();
    let output = run(
        "create_contact",
        &[
            ("AWAL_BASE_URL", &base_url),
            ("AWAL_CLIENT_ID", CLIENT_ID),
            ("AWAL_DOMAIN", DOMAIN),
            ("AWAL_HMAC_SECRET", "wrong-secret"),
            ("AWAL_PHONE_NUMBER_ID", "1"),
        ],
        &["--name", "A", "--phone", "96650000000"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("HTTP 401") && stderr.contains("authentication_failed"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-secret"), "{stderr}");
}

// ---- send_text, send_media, list_conversations, update_order ----

/// The send envelope the server answers with; `message` is what the send examples print.
fn sent(message: Value) -> CannedResponse {
    CannedResponse::json(200, json!({"status": true, "message": message}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_text_posts_every_field_as_json_and_prints_the_sent_message() {
    let server = server_at_machine_time().await;
    let message = json!({"id": 12345, "messageId": "wamid.HBgNOTY2NTA", "status": "sent",
                         "timestamp": 1_705_312_200});
    server.enqueue(sent(message.clone()));

    let output = run(
        "send_text",
        &configured(&server.base_url()),
        &[
            "--to",
            "96650000000",
            "--body",
            "مرحبا! See https://awalchat.com",
            "--name",
            "Ahmed",
            "--email",
            "ahmed@example.com",
            "--reply-to",
            "wamid.PREVIOUS",
            "--preview-url",
        ],
    );
    assert_eq!(printed_json(&output), message);

    let seen = the_request(&server);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/api/developer/w/message/text");
    assert_eq!(seen.query.as_deref(), Some("phone_number_id=123456"));
    assert_eq!(
        json_body(&seen),
        json!({"phone": "96650000000", "body": "مرحبا! See https://awalchat.com",
               "name": "Ahmed", "email": "ahmed@example.com", "reply_to": "wamid.PREVIOUS",
               "preview_url": true})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_media_uploads_a_file_as_multipart() {
    let server = server_at_machine_time().await;
    let message = json!({"id": 12346, "messageId": "wamid.MEDIA", "status": "sent"});
    server.enqueue(sent(message.clone()));
    let dir = TempDir::new("send-media");
    let path = dir.0.join("menu-2024.pdf");
    let mut pdf = b"%PDF-1.7\r\n--\r\n".to_vec();
    pdf.extend(0u8..=255);
    std::fs::write(&path, &pdf).expect("write the document");

    let output = run(
        "send_media",
        &configured(&server.base_url()),
        &[
            "--to",
            "96650000000",
            "--file",
            path.to_str().expect("utf-8 path"),
            "--type",
            "document",
            "--caption",
            "Our menu",
            "--file-name",
            "Menu.pdf",
        ],
    );
    assert_eq!(printed_json(&output), message);

    let seen = the_request(&server);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/api/developer/w/message/media");
    assert_eq!(seen.query.as_deref(), Some("phone_number_id=123456"));
    let parts = seen.form.clone().expect("multipart").expect("parses");
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["phone", "type", "file", "caption", "file_name"]);
    for (name, value) in [
        ("phone", "96650000000"),
        ("type", "document"),
        ("caption", "Our menu"),
        ("file_name", "Menu.pdf"),
    ] {
        let part = seen.form_part(name).expect("the part");
        assert_eq!(part.bytes.as_ref(), value.as_bytes(), "{name}");
        assert_eq!(part.file_name, None, "{name}");
    }
    let file = seen.form_part("file").expect("the file part");
    assert_eq!(file.file_name.as_deref(), Some("menu-2024.pdf"));
    assert_eq!(
        file.content_type.as_deref(),
        Some("application/pdf"),
        "sniffed from the PDF signature"
    );
    assert_eq!(file.bytes.as_ref(), pdf.as_slice());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_media_sends_a_link_as_json() {
    let server = server_at_machine_time().await;
    let message = json!({"id": 12347, "messageId": "wamid.LINK", "status": "sent"});
    server.enqueue(sent(message.clone()));

    let output = run(
        "send_media",
        &configured(&server.base_url()),
        &[
            "--to",
            "96650000000",
            "--link",
            "https://example.com/clip.mp4",
            "--type",
            "video",
            "--caption",
            "Watch",
        ],
    );
    assert_eq!(printed_json(&output), message);

    let seen = the_request(&server);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/api/developer/w/message/media");
    assert_eq!(seen.query.as_deref(), Some("phone_number_id=123456"));
    assert!(seen.form.is_none(), "not multipart");
    assert_eq!(
        json_body(&seen),
        json!({"phone": "96650000000", "type": "video", "link": "https://example.com/clip.mp4",
               "caption": "Watch"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_conversations_sends_the_filters_and_prints_conversations_and_meta() {
    let server = server_at_machine_time().await;
    let conversations = json!([
        {"id": 1, "phone": "96650000000", "name": "Ahmed Mohammed", "last_message": "Hello",
         "last_message_type": "text", "unread_count": 2, "status": "unread",
         "updated_at": "2024-01-15T10:30:00Z", "created_at": "2024-01-10T08:00:00Z"}
    ]);
    let meta = json!({"total": 1, "unread_total": 1});
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": conversations, "meta": meta}),
    ));

    let output = run(
        "list_conversations",
        &configured(&server.base_url()),
        &["--search", "ahmed m", "--status", "unread"],
    );
    assert_eq!(
        printed_json(&output),
        json!({"data": conversations, "meta": meta})
    );

    let seen = the_request(&server);
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path, "/api/developer/conversations");
    assert_eq!(
        seen.query.as_deref(),
        Some("phone_number_id=123456&searchTerm=ahmed%20m&status=unread")
    );
    assert!(seen.body.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_order_puts_the_changes_as_json_and_prints_the_order() {
    let server = server_at_machine_time().await;
    let order = json!({"id": 1, "order_number": "ORD-2024-001", "status": "shipped",
                       "payment_status": "paid", "shipping_date": "2024-01-20",
                       "delivery_date": "2024-01-25", "admin_notes": "Shipped via express courier",
                       "updated_at": "2024-01-20T14:30:00Z"});
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Order updated successfully", "data": order}),
    ));

    let output = run(
        "update_order",
        &configured(&server.base_url()),
        &[
            "--id",
            "1",
            "--status",
            "shipped",
            "--payment-status",
            "paid",
            "--shipping-date",
            "2024-01-20",
            "--delivery-date",
            "2024-01-25",
            "--notes",
            "Shipped via express courier",
            "--branch-id",
            "2",
        ],
    );
    assert_eq!(printed_json(&output), order);

    let seen = the_request(&server);
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.path, "/api/developer/orders/1");
    assert_eq!(seen.query.as_deref(), Some("phone_number_id=123456"));
    assert_eq!(
        json_body(&seen),
        json!({"admin_notes": "Shipped via express courier", "status": "shipped",
               "payment_status": "paid", "shipping_date": "2024-01-20",
               "delivery_date": "2024-01-25", "branch_id": "2"})
    );
}

#[test]
fn bad_arguments_of_the_new_examples_are_one_line_with_the_usage_and_exit_2() {
    let cases: [(&str, &[&str], &str); 8] = [
        ("send_text", &["--to", "96650000000"], "--body"),
        ("send_text", &["--to"], "--to needs a value"),
        (
            "send_media",
            &[
                "--to",
                "1",
                "--type",
                "image",
                "--file",
                "a.png",
                "--link",
                "https://x/a.png",
            ],
            "not both",
        ),
        ("send_media", &["--to", "1", "--type", "image"], "--file"),
        ("list_conversations", &["--page", "2"], "`--page`"),
        ("update_order", &["--status", "shipped"], "--id"),
        (
            "update_order",
            &["--id", "1", "--shipping-date", "2024-02-30"],
            "--shipping-date",
        ),
        (
            "update_order",
            &["--id", "1", "--delivery-date", "25/01/2024"],
            "--delivery-date",
        ),
    ];
    for (example, args, mentions) in cases {
        let output = run(example, &configured("http://127.0.0.1:9"), args);
        let stderr = one_error_line(&output, 2);
        assert!(
            stderr.contains(mentions) && stderr.contains(&format!("usage: {example} ")),
            "{example} {args:?}: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_of_the_new_examples_are_one_line_with_status_and_code() {
    let error = |status: u16, code: &str| {
        CannedResponse::json(
            status,
            json!({"error": code, "message": "refused by the test", "request_id": "req_ex"}),
        )
    };
    let cases: [(&str, &[&str], CannedResponse, &str); 4] = [
        (
            "send_text",
            &["--to", "96650000000", "--body", "hi"],
            error(400, "invalid_phone_number"),
            "HTTP 400: invalid_phone_number",
        ),
        (
            "send_media",
            &[
                "--to",
                "96650000000",
                "--type",
                "image",
                "--link",
                "https://x/a.png",
            ],
            error(422, "validation_failed"),
            "HTTP 422: validation_failed",
        ),
        (
            "list_conversations",
            &[],
            error(401, "authentication_failed"),
            "HTTP 401: authentication_failed",
        ),
        (
            "update_order",
            &["--id", "404", "--status", "accepted"],
            error(404, "resource_not_found"),
            "HTTP 404: resource_not_found",
        ),
    ];
    for (example, args, response, expected) in cases {
        let server = server_at_machine_time().await;
        server.enqueue(response);
        let output = run(example, &configured(&server.base_url()), args);
        let stderr = one_error_line(&output, 1);
        assert!(
            stderr.contains(expected) && stderr.contains("(request req_ex)"),
            "{example}: {stderr}"
        );
        assert_eq!(the_request(&server).auth, AuthOutcome::Valid);
    }
}

#[test]
fn the_new_examples_name_every_missing_variable() {
    let cases: [(&str, &[&str]); 4] = [
        ("send_text", &["--to", "96650000000", "--body", "hi"]),
        (
            "send_media",
            &[
                "--to",
                "96650000000",
                "--type",
                "image",
                "--link",
                "https://x/a.png",
            ],
        ),
        ("list_conversations", &[]),
        ("update_order", &["--id", "1", "--status", "accepted"]),
    ];
    for (example, args) in cases {
        let output = run(example, &[("AWAL_CLIENT_ID", "x")], args);
        let stderr = one_error_line(&output, 1);
        for var in ["AWAL_DOMAIN", "AWAL_HMAC_SECRET", "AWAL_PHONE_NUMBER_ID"] {
            assert!(stderr.contains(var), "{example}: {stderr}");
        }
    }
}
