//! The `create_contact` example, run as a user runs it, against the test server.
//!
//! The example reads the real clock (users do not inject one), so this test's server accepts any
//! timestamp within a day of the machine's time; everything else is fixed.

use awal_tests::harness::{avatar_png, BASE_PATH, CLIENT_ID, DOMAIN, SECRET};
use awal_tests::{AuthOutcome, CannedResponse, ServerConfig, TestServer};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The example binary, built (or found fresh) by cargo. `--workspace` resolves features as
/// `cargo test --workspace` does, so after that run this build is a no-op instead of a rebuild.
fn example_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let status = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--quiet",
                    "--workspace",
                    "--example",
                    "create_contact",
                ])
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building the example failed");
            let deps = std::env::current_exe().expect("test binary path");
            let target = deps
                .parent()
                .and_then(|d| d.parent())
                .expect("target/<profile>/deps");
            target
                .join("examples")
                .join(format!("create_contact{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

fn run(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(example_binary());
    command.args(args).env_clear();
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("the example runs")
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
    let output = run(&[], &["--nmae", "A"]);
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
