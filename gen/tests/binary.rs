//! The `openapi-client-gen` binary as a user runs it: from a directory outside the checkout, with
//! relative paths; its output, located diagnostics and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gen-binary-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openapi-client-gen"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_good_spec_writes_a_crate_and_exits_0() {
    let dir = scratch("good");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/security.yaml");
    std::fs::copy(&fixture, dir.join("api.yaml")).expect("copy");
    let out = run(
        &dir,
        &[
            "gen", "--spec", "api.yaml", "--out", "client", "--name", "my-api",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("3 operations, 1 types: "), "{stdout}");
    assert!(
        stdout.contains("crate `my-api`, 10 files written, 0 unchanged"),
        "{stdout}"
    );
    // The fixture's one warning, located in the spec by line and column.
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: 1 warning in api.yaml"),
        "{stderr}"
    );
    assert!(stderr.contains("--> api.yaml:"), "{stderr}");
    assert!(dir.join("client/src/generated/operations.rs").is_file());
    let again = run(
        &dir,
        &[
            "gen", "--out", "client", "--spec", "api.yaml", "--name", "my-api",
        ],
    );
    assert!(text(&again.stdout).contains("0 files written, 10 unchanged"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_spec_is_located_and_exits_1_and_bad_usage_exits_2() {
    let dir = scratch("bad");
    std::fs::write(
        dir.join("bad.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n",
    )
    .expect("write");
    let out = run(&dir, &["gen", "--spec", "bad.yaml", "--out", "client"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--> bad.yaml:6:7 (#/paths/~1a/get/responses)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 problem in bad.yaml; nothing was written"),
        "{stderr}"
    );
    assert!(!dir.join("client").exists());

    let missing = run(&dir, &["gen", "--spec", "nope.yaml", "--out", "client"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("nope.yaml"));

    for args in [&["gen", "--spec", "bad.yaml"][..], &["generate"], &[]] {
        let out = run(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).starts_with("usage: openapi-client-gen gen"));
    }
    let help = run(&dir, &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}
