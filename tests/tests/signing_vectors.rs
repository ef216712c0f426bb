//! `awal_client::signing::sign` reproduces every signature computed by an independent implementation
//! of the documented rule (`fixtures/signing-vectors.json`, a copy of the project's shared vectors).

use awal_client::signing::{self, Message};
use awal_tests::vectors::{load_vectors, vectors_path};
use std::io;
use std::path::Path;

#[test]
fn sign_reproduces_every_vector() {
    let vectors = load_vectors();
    assert_eq!(
        vectors.len(),
        5,
        "the vectors file changed; review this test"
    );
    for v in &vectors {
        let got = signing::sign(
            v.secret.as_bytes(),
            &v.method,
            &v.path,
            &v.query,
            v.timestamp,
            &v.body,
        );
        assert_eq!(got, v.signature, "vector `{}`", v.name);
    }
}

#[test]
fn the_generated_rule_reproduces_every_vector() {
    for v in load_vectors() {
        let message = Message {
            method: &v.method,
            path: &v.path,
            query: &v.query,
            timestamp: v.timestamp,
            body: &v.body,
        };
        assert_eq!(
            awal_client::SIGNING_RULE.signature(v.secret.as_bytes(), &message),
            v.signature,
            "vector `{}`",
            v.name
        );
    }
}

#[test]
fn a_changed_byte_changes_the_signature() {
    for v in load_vectors() {
        let mut body = v.body.clone();
        body.push(b' ');
        let got = signing::sign(
            v.secret.as_bytes(),
            &v.method,
            &v.path,
            &v.query,
            v.timestamp,
            &body,
        );
        assert_ne!(got, v.signature, "vector `{}`", v.name);
    }
}

/// The vendored copy must not drift from the shared original. A checkout without `../shared` only
/// checks the vendored copy, with a note; on CI (`CI` set, as CI services do), where the original is
/// part of the set-up, its absence is a failure, so that the comparison cannot pass by not running.
#[test]
fn vendored_vectors_match_the_shared_file() {
    let shared = xtask::project_root().join("../shared/signing-vectors.json");
    match compare_with_shared(&shared, on_ci()) {
        Ok(Shared::Matches) => {}
        Ok(Shared::Absent) => eprintln!(
            "note: {} is absent; only the vendored copy is checked",
            shared.display()
        ),
        Err(problem) => panic!("{problem}"),
    }
}

/// What [`compare_with_shared`] found.
#[derive(Debug, PartialEq)]
enum Shared {
    /// The shared file is there and the vendored copy is the same, byte for byte.
    Matches,
    /// There is no shared file, and that is allowed (not on CI).
    Absent,
}

/// Compares the vendored vectors with the shared file at `shared`; `ci` makes its absence an error.
fn compare_with_shared(shared: &Path, ci: bool) -> Result<Shared, String> {
    let original = match std::fs::read(shared) {
        Ok(original) => original,
        Err(e) if e.kind() == io::ErrorKind::NotFound && !ci => return Ok(Shared::Absent),
        Err(e) => {
            return Err(format!(
                "cannot read {}: {e}{}",
                shared.display(),
                if ci {
                    "; on CI (CI is set) the shared vectors must sit beside the checkout"
                } else {
                    ""
                }
            ))
        }
    };
    let vendored = std::fs::read(vectors_path()).expect("vendored vectors");
    if vendored == original {
        Ok(Shared::Matches)
    } else {
        Err(format!(
            "tests/fixtures/signing-vectors.json differs from {}",
            shared.display()
        ))
    }
}

/// Whether this runs on CI: `CI` set to anything but empty, `0` or `false` (CI services set `CI=true`).
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

#[test]
fn a_missing_shared_file_is_a_note_but_a_failure_on_ci() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-dir/signing-vectors.json");
    assert_eq!(compare_with_shared(&missing, false), Ok(Shared::Absent));
    let on_ci = compare_with_shared(&missing, true).expect_err("absent on CI");
    assert!(on_ci.contains("on CI"), "{on_ci}");
}

#[test]
fn the_comparison_sees_a_different_file() {
    assert_eq!(
        compare_with_shared(&vectors_path(), true),
        Ok(Shared::Matches)
    );
    let other = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/features.yaml");
    let differs = compare_with_shared(&other, true).expect_err("another file");
    assert!(differs.contains("differs"), "{differs}");
}
