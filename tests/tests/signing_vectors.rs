//! `awal_client::signing::sign` reproduces every signature computed by an independent implementation
//! of the documented rule (`fixtures/signing-vectors.json`, a copy of the project's shared vectors).

use awal_client::signing::{self, Message};
use awal_tests::vectors::{load_vectors, vectors_path};

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

/// The vendored copy must not drift from the shared original when the latter is present.
#[test]
fn vendored_vectors_match_the_shared_file() {
    let shared = xtask::project_root().join("../shared/signing-vectors.json");
    match std::fs::read(&shared) {
        Ok(original) => {
            let vendored = std::fs::read(vectors_path()).expect("vendored vectors");
            assert_eq!(
                vendored,
                original,
                "tests/fixtures/signing-vectors.json differs from {}",
                shared.display()
            );
        }
        Err(_) => eprintln!(
            "note: {} is absent; only the vendored copy is checked",
            shared.display()
        ),
    }
}
