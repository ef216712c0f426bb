//! End-to-end: generated operations → runtime → a real HTTP server on 127.0.0.1 that records the raw
//! request. Fixed clock, secret and boundary make every byte predictable; the signature is checked
//! against `signing::sign` recomputed over what the server actually received, and against the shared
//! vectors where the request is one of them.

#[path = "../../runtime/tests/support/server.rs"]
mod server;

use awal_client::signing::{Message, MultipartBody, PathForm};
use awal_client::types::{CreateContactRequest, PhoneNumberIdQuery};
use awal_client::{
    signing, Client, Credentials, Error, ErrorKind, FilePart, RequestOptions, RetryPolicy, Secret,
    StatusCode, SIGNING_RULE,
};
use base64::Engine as _;
use server::{Recorded, Reply, Server};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "your-hmac-secret";

fn client(server: &Server, timestamp: u64) -> Client {
    let credentials = Credentials {
        client_id: "client-123".to_owned(),
        domain: "your-workspace".to_owned(),
        hmac_secret: Secret::from(SECRET),
    };
    Client::builder(credentials)
        .base_url(format!("{}/api/developer", server.base))
        .clock(move || timestamp)
        .boundary(|| "awal-boundary-0001".to_owned())
        .build()
        .expect("valid configuration")
}

fn json(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type", "application/json"),
            ("X-RateLimit-Remaining", "99"),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// Recomputes the signature from the received request line, timestamp header and body.
fn recomputed_signature(seen: &Recorded) -> String {
    let mut words = seen.request_line.split(' ');
    let method = words.next().expect("method");
    let target = words.next().expect("target");
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, format!("?{query}")),
        None => (target, String::new()),
    };
    let path = path
        .strip_prefix("/api/developer")
        .expect("under the base path");
    let timestamp = seen
        .header("x-timestamp")
        .expect("timestamp header")
        .parse()
        .expect("decimal");
    signing::sign(
        SECRET.as_bytes(),
        method,
        path,
        &query,
        timestamp,
        &seen.body,
    )
}

fn assert_common_headers(seen: &Recorded) {
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(seen.header("x-client-id"), Some("client-123"));
    assert_eq!(seen.header("x-domain"), Some("your-workspace"));
    assert!(seen
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("awal-client/")));
    assert_eq!(
        seen.header("x-awal-signature-256"),
        Some(recomputed_signature(seen).as_str())
    );
}

/// The multipart vector of `shared/signing-vectors.json`: body and signature.
const VECTOR_BODY_BASE64: &str = "LS1hd2FsLWJvdW5kYXJ5LTAwMDENCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0ibmFtZSINCg0KQWhtZWQgTW9oYW1tZWQNCi0tYXdhbC1ib3VuZGFyeS0wMDAxDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9InBob25lIg0KDQo5NjY1MDAwMDAwMA0KLS1hd2FsLWJvdW5kYXJ5LTAwMDENCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0iaXNfZmF2b3JpdGUiDQoNCnRydWUNCi0tYXdhbC1ib3VuZGFyeS0wMDAxDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9ImZpbGUiOyBmaWxlbmFtZT0iYXZhdGFyLnBuZyINCkNvbnRlbnQtVHlwZTogaW1hZ2UvcG5nDQoNColQTkcNChoKpU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9cfCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4pVeXNjkbcjtS3wnZNKlpNdncG+F2GkAJK1r2jQBvpyMvMyTX2zR9hImrhUziuGjQATTO6DSRqwEyBsbryPjv57vX3nytJNK+H9VILablLDZguhbtVtnKocmN6zXRm/LYODo/xhGOw5LINCi0tYXdhbC1ib3VuZGFyeS0wMDAxLS0NCg==";
const VECTOR_SIGNATURE: &str =
    "sha256=d4afd27121467500533cb27e1041a6aac5bb9d48ef4d3ac6acbb8ce950ab71a7";

#[tokio::test]
async fn create_contact_sends_the_multipart_vector_byte_for_byte() {
    let vector = base64::engine::general_purpose::STANDARD
        .decode(VECTOR_BODY_BASE64)
        .expect("valid base64");
    let marker = b"Content-Type: image/png\r\n\r\n";
    let file_start = vector
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("file part")
        + marker.len();
    let file_end = vector.len() - b"\r\n--awal-boundary-0001--\r\n".len();
    let avatar = FilePart::new(
        vector[file_start..file_end].to_vec(),
        "avatar.png",
        "image/png",
    );

    let server = Server::start(json(
        201,
        r#"{"status":true,"message":"Contact created successfully","data":{"id":1,"name":"Ahmed Mohammed","phone":"96650000000","is_favorite":true}}"#,
    ))
    .await;
    let response = client(&server, 1704124804)
        .create_contact(
            &PhoneNumberIdQuery {
                phone_number_id: "123456".to_owned(),
            },
            &CreateContactRequest {
                is_favorite: Some(true),
                file: Some(avatar),
                ..CreateContactRequest::new("Ahmed Mohammed", "96650000000")
            },
        )
        .await
        .expect("201 Created");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.data.id, 1);
    assert_eq!(response.rate_limit().remaining, Some(99));

    let seen = server.recorded().await;
    assert_eq!(
        seen.request_line,
        "POST /api/developer/contacts?phone_number_id=123456 HTTP/1.1"
    );
    assert_eq!(
        seen.header("content-type"),
        Some("multipart/form-data; boundary=awal-boundary-0001")
    );
    assert_eq!(
        seen.header("content-length"),
        Some(vector.len().to_string().as_str())
    );
    assert_eq!(seen.header("x-timestamp"), Some("1704124804"));
    assert_eq!(seen.body, vector);
    assert_eq!(seen.header("x-awal-signature-256"), Some(VECTOR_SIGNATURE));
    assert_common_headers(&seen);
}

#[tokio::test]
async fn delete_contact_has_no_body_and_signs_an_empty_one() {
    let server = Server::start(json(
        200,
        r#"{"status":true,"message":"Contact deleted successfully"}"#,
    ))
    .await;
    let response = client(&server, 1704124802)
        .delete_contact(1)
        .await
        .expect("200 OK");
    assert_eq!(
        response.message.as_deref(),
        Some("Contact deleted successfully")
    );

    let seen = server.recorded().await;
    assert_eq!(
        seen.request_line,
        "DELETE /api/developer/contacts/1 HTTP/1.1"
    );
    assert_eq!(seen.header("content-type"), None);
    assert!(seen.body.is_empty());
    assert_eq!(seen.header("x-timestamp"), Some("1704124802"));
    assert_common_headers(&seen);
}

#[tokio::test]
async fn api_errors_carry_the_parsed_envelope() {
    let body = r#"{"error":"authentication_failed","message":"Invalid HMAC signature","request_id":"req_abc123xyz"}"#;
    let server = Server::start(json(401, body)).await;
    let error = client(&server, 1704124802)
        .delete_contact(7)
        .await
        .expect_err("401");
    match &error {
        Error::Api(api) => {
            assert_eq!(api.status, StatusCode::UNAUTHORIZED);
            let envelope = api.body.as_ref().expect("the envelope parses");
            assert_eq!(envelope.error, "authentication_failed");
            assert_eq!(envelope.request_id.as_deref(), Some("req_abc123xyz"));
            assert_eq!(api.raw_body, body);
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(error.kind(), Some(ErrorKind::Authentication));
    let shown = format!("{error} {error:?}");
    assert!(shown.starts_with("HTTP 401 Unauthorized: {\"error\":\"authentication_failed\""));
    assert!(!shown.contains(SECRET));
    let seen = server.recorded().await;
    assert_eq!(
        seen.request_line,
        "DELETE /api/developer/contacts/7 HTTP/1.1"
    );
    assert_common_headers(&seen);
}

#[test]
fn debug_output_never_shows_the_secret() {
    let credentials = Credentials {
        client_id: "client-123".to_owned(),
        domain: "your-workspace".to_owned(),
        hmac_secret: Secret::from(SECRET),
    };
    let builder = Client::builder(credentials.clone());
    let shown = format!("{credentials:?} {builder:?}");
    let client = builder.build().expect("valid configuration");
    let shown = format!(
        "{shown} {client:?} {:?}",
        awal_client::runtime::Auth::from(credentials)
    );
    assert!(!shown.contains(SECRET), "{shown}");
    assert_eq!(client.base_url(), awal_client::DEFAULT_BASE_URL);
}

#[tokio::test]
async fn validation_errors_are_invalid_request_whether_400_or_422() {
    // The error-handling page gives validation as 400, the endpoint pages as 422 (awal-api.md §4.5).
    let body = r#"{"error":"validation_failed","message":"Validation failed","details":{"phone":"Invalid phone number format"},"request_id":"req_abc123xyz"}"#;
    for status in [400, 422] {
        let server = Server::start(json(status, body)).await;
        let error = client(&server, 1704124802)
            .delete_contact(7)
            .await
            .expect_err("refused");
        assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest), "{status}");
        let api = error.api().expect("an API error");
        assert_eq!(api.kind(), ErrorKind::InvalidRequest);
        assert_eq!(
            api.body.as_ref().map(|envelope| envelope.error.as_str()),
            Some("validation_failed")
        );
    }
}

fn credentials() -> Credentials {
    Credentials {
        client_id: "client-123".to_owned(),
        domain: "your-workspace".to_owned(),
        hmac_secret: Secret::from(SECRET),
    }
}

#[tokio::test]
async fn with_options_applies_to_every_generated_method() {
    let server = Server::script(vec![json(503, "{}"), json(201, "{}")]).await;
    let error = client(&server, 1704124804)
        .with_options(RequestOptions::new().retry(RetryPolicy::none()))
        .create_contact(
            &PhoneNumberIdQuery::new("123456"),
            &CreateContactRequest::new("Ahmed Mohammed", "96650000000"),
        )
        .await
        .expect_err("503, sent once");
    let api = error.api().expect("an API error");
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.attempts, 1);
    assert_eq!(error.kind(), Some(ErrorKind::Server));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_generated_delete_is_retried_on_502_signed_anew_each_time() {
    let server = Server::script(vec![
        json(502, "{}"),
        json(
            200,
            r#"{"status":true,"message":"Contact deleted successfully"}"#,
        ),
    ])
    .await;
    let waits = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&waits);
    let ticks = Arc::new(AtomicU64::new(1704124802));
    let response = Client::builder(credentials())
        .base_url(format!("{}/api/developer", server.base))
        .clock(move || ticks.fetch_add(1, Ordering::Relaxed))
        .sleep(move |wait| {
            log.lock().expect("not poisoned").push(wait);
            Box::pin(async {})
        })
        .jitter(|| 0.25)
        .build()
        .expect("valid configuration")
        .delete_contact(1)
        .await
        .expect("200 on the second attempt");
    assert_eq!(response.attempts(), 2);
    assert_eq!(
        *waits.lock().expect("not poisoned"),
        [Duration::from_millis(125)]
    );
    let seen = server.all_recorded().await;
    assert_eq!(seen.len(), 2);
    assert_ne!(seen[0].header("x-timestamp"), seen[1].header("x-timestamp"));
    for attempt in &seen {
        assert_eq!(
            attempt.request_line,
            "DELETE /api/developer/contacts/1 HTTP/1.1"
        );
        assert_common_headers(attempt);
    }
}

#[tokio::test]
async fn signing_overrides_replace_the_generated_rule() {
    let server = Server::start(json(
        201,
        r#"{"status":true,"data":{"id":1,"name":"A","phone":"1"}}"#,
    ))
    .await;
    let client = Client::builder(credentials())
        .base_url(format!("{}/api/developer", server.base))
        .clock(|| 1704124804)
        .boundary(|| "awal-boundary-0001".to_owned())
        .signing_path(PathForm::Full)
        .multipart_signing(MultipartBody::Empty)
        .header("X-API-Version", "v1")
        .build()
        .expect("valid configuration");
    // The overrides change what is signed, not the call: the answer is decoded as usual.
    let response = client
        .create_contact(
            &PhoneNumberIdQuery::new("123456"),
            &CreateContactRequest::new("Ahmed Mohammed", "96650000000"),
        )
        .await
        .expect("201 Created");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.attempts(), 1);
    assert_eq!((response.data.id, response.data.name.as_str()), (1, "A"));
    let seen = server.recorded().await;
    assert!(seen.body.starts_with(b"--awal-boundary-0001\r\n"));
    assert_eq!(seen.header("x-api-version"), Some("v1"));
    let expected = SIGNING_RULE.signature(
        SECRET.as_bytes(),
        &Message {
            method: "POST",
            path: "/api/developer/contacts",
            query: "?phone_number_id=123456",
            timestamp: 1704124804,
            body: b"",
        },
    );
    assert_eq!(seen.header("x-awal-signature-256"), Some(expected.as_str()));
    // The generated rule's defaults sign something else: the override took effect.
    assert_ne!(
        Some(recomputed_signature(&seen).as_str()),
        seen.header("x-awal-signature-256")
    );
}
