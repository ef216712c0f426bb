//! Self-test of the test server: hand-built HTTP/1.1 requests over a raw `TcpStream`, so nothing here depends on
//! the client crate. Signatures come from `../shared/signing-vectors.json` (an independent implementation of the
//! documented rule), except where a test needs a variation the vectors do not hold.

use std::time::Duration;

use awal_tests::server::{
    compute_signature, AuthOutcome, CannedResponse, FormPart, ServerConfig, TestServer,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BASE_PATH: &str = "/api/developer";
const CLIENT_ID: &str = "client-123";
const DOMAIN: &str = "your-workspace";
const MULTIPART_BOUNDARY: &str = "awal-boundary-0001";

// ---------------------------------------------------------------------------------------------------------------
// Signing vectors (loaded by the support crate: `awal_tests::vectors`)

use awal_tests::vectors::{load_vectors, Vector};

fn vector_named(prefix: &str) -> Vector {
    load_vectors()
        .into_iter()
        .find(|vector| vector.name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no signing vector named {prefix:?}…"))
}

fn config_for(vector: &Vector) -> ServerConfig {
    ServerConfig {
        secret: vector.secret.as_bytes().to_vec(),
        client_id: CLIENT_ID.to_owned(),
        domain: DOMAIN.to_owned(),
        base_path: BASE_PATH.to_owned(),
        now: vector.timestamp,
        max_skew_seconds: 300,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client

/// A request to send byte for byte. `Host` and `Connection: close` are added; `Content-Length` is added when the
/// body is non-empty.
#[derive(Debug, Clone)]
struct RawRequest {
    method: String,
    /// The request target as sent, e.g. `/api/developer/contacts?page=2`.
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawRequest {
    /// The vector's request with all the documented auth headers (and a content type for bodies).
    fn signed(vector: &Vector) -> RawRequest {
        let mut headers = vec![
            ("Accept".to_owned(), "application/json".to_owned()),
            ("X-Awal-Signature-256".to_owned(), vector.signature.clone()),
            ("X-Timestamp".to_owned(), vector.timestamp.to_string()),
            ("X-Domain".to_owned(), DOMAIN.to_owned()),
            ("X-Client-ID".to_owned(), CLIENT_ID.to_owned()),
        ];
        if vector.body.starts_with(b"--") {
            let value = format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}");
            headers.push(("Content-Type".to_owned(), value));
        } else if !vector.body.is_empty() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        RawRequest {
            method: vector.method.clone(),
            target: format!("{BASE_PATH}{}{}", vector.path, vector.query),
            headers,
            body: vector.body.clone(),
        }
    }

    fn without_header(mut self, name: &str) -> RawRequest {
        self.headers
            .retain(|(candidate, _)| !candidate.eq_ignore_ascii_case(name));
        self
    }

    fn replace_header(self, name: &str, value: &str) -> RawRequest {
        let mut request = self.without_header(name);
        request.headers.push((name.to_owned(), value.to_owned()));
        request
    }
}

#[derive(Debug)]
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("response body is not JSON ({error}): {:?}", self.body))
    }
}

/// `host:port` of the server.
fn authority(server: &TestServer) -> String {
    let url = server.base_url();
    let rest = url
        .strip_prefix("http://")
        .expect("base_url starts with http://");
    rest.split('/')
        .next()
        .expect("base_url has an authority")
        .to_owned()
}

async fn send(server: &TestServer, request: &RawRequest) -> RawResponse {
    let authority = authority(server);
    let mut wire = format!(
        "{} {} HTTP/1.1\r\nHost: {authority}\r\n",
        request.method, request.target
    )
    .into_bytes();
    for (name, value) in &request.headers {
        wire.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if !request.body.is_empty() {
        wire.extend_from_slice(format!("Content-Length: {}\r\n", request.body.len()).as_bytes());
    }
    wire.extend_from_slice(b"Connection: close\r\n\r\n");
    wire.extend_from_slice(&request.body);

    let mut stream = TcpStream::connect(&authority)
        .await
        .expect("connect to the test server");
    stream.write_all(&wire).await.expect("write the request");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .expect("read the response");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> RawResponse {
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "no end of response head in {:?}",
                String::from_utf8_lossy(raw)
            )
        });
    let head = std::str::from_utf8(&raw[..split]).expect("response head is UTF-8");
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("header line has a colon");
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let response = RawResponse {
        status,
        headers,
        body,
    };
    // The server sends sized bodies; this client does not decode chunked transfer encoding.
    let length: usize = response
        .header("content-length")
        .expect("response has Content-Length")
        .parse()
        .expect("Content-Length is a number");
    assert_eq!(
        length,
        response.body.len(),
        "body length matches Content-Length"
    );
    response
}

/// Starts a server for the vector, queues one `200 {"status":true}`, sends the signed request.
async fn serve_one(vector: &Vector, request: &RawRequest) -> (TestServer, RawResponse) {
    let server = TestServer::start(config_for(vector)).await;
    server.enqueue(CannedResponse::json(200, json!({ "status": true })));
    let response = send(&server, request).await;
    (server, response)
}

// ---------------------------------------------------------------------------------------------------------------
// Tests

#[test]
fn server_signing_code_reproduces_every_vector() {
    let vectors = load_vectors();
    assert_eq!(
        vectors.len(),
        5,
        "the vectors file changed; review these tests"
    );
    for vector in vectors {
        let query = vector.query.strip_prefix('?');
        let computed = compute_signature(
            vector.secret.as_bytes(),
            &vector.method,
            &vector.path,
            query,
            vector.timestamp,
            &vector.body,
        );
        assert_eq!(computed, vector.signature, "vector {:?}", vector.name);
    }
}

#[tokio::test]
async fn every_signing_vector_is_accepted() {
    for vector in load_vectors() {
        let (server, response) = serve_one(&vector, &RawRequest::signed(&vector)).await;
        assert_eq!(
            response.status, 200,
            "vector {:?}: {:?}",
            vector.name, response
        );
        let recorded = server.requests();
        assert_eq!(recorded.len(), 1, "vector {:?}", vector.name);
        assert_eq!(
            recorded[0].auth,
            AuthOutcome::Valid,
            "vector {:?}",
            vector.name
        );
        assert_eq!(
            recorded[0].body.as_ref(),
            vector.body.as_slice(),
            "vector {:?}",
            vector.name
        );
    }
}

#[tokio::test]
async fn docs_worked_example_is_accepted_and_recorded() {
    let vector = vector_named("docs worked example");
    assert_eq!(vector.timestamp, 1_704_124_800);
    assert_eq!(vector.secret, "your-hmac-secret");
    let (server, response) = serve_one(&vector, &RawRequest::signed(&vector)).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({ "status": true }));
    let recorded = server.requests();
    assert_eq!(recorded.len(), 1);
    let request = &recorded[0];
    assert_eq!(request.auth, AuthOutcome::Valid);
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/api/developer/w/message/text");
    assert_eq!(request.query.as_deref(), Some("phone_number_id=123"));
    assert_eq!(request.version, "HTTP/1.1");
    assert_eq!(
        request.body.as_ref(),
        br#"{"phone":"96650000000","body":"Hello"}"#
    );
    assert_eq!(
        request.header("X-AWAL-SIGNATURE-256"),
        Some(vector.signature.as_str())
    );
    assert_eq!(request.header("x-timestamp"), Some("1704124800"));
    assert_eq!(request.form, None, "a JSON body is not parsed as a form");
    let names: Vec<&str> = request
        .headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "host",
            "accept",
            "x-awal-signature-256",
            "x-timestamp",
            "x-domain",
            "x-client-id",
            "content-type",
            "content-length",
            "connection"
        ],
        "lowercase names in received order"
    );
}

#[tokio::test]
async fn multipart_vector_is_accepted_and_parsed_into_four_parts() {
    let vector = vector_named("multipart body");
    let (server, response) = serve_one(&vector, &RawRequest::signed(&vector)).await;
    assert_eq!(response.status, 200, "{response:?}");

    let recorded = server.requests();
    let request = &recorded[0];
    assert_eq!(request.auth, AuthOutcome::Valid);
    let parts = request
        .form
        .as_ref()
        .expect("multipart/form-data is parsed")
        .as_ref()
        .expect("multer accepts the vector's body");

    // The file's bytes, located independently of multer: between the part's blank line and the closing boundary.
    let body = &vector.body;
    let png_start = body
        .windows(8)
        .position(|window| window == b"\r\n\r\n\x89PNG")
        .expect("the vector holds a PNG part")
        + 4;
    let closing = format!("\r\n--{MULTIPART_BOUNDARY}--\r\n");
    assert!(body.ends_with(closing.as_bytes()));
    let png = &body[png_start..body.len() - closing.len()];
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    let text_part = |name: &str, value: &str| FormPart {
        name: name.to_owned(),
        file_name: None,
        content_type: None,
        bytes: value.as_bytes().to_vec().into(),
    };
    assert_eq!(
        parts,
        &vec![
            text_part("name", "Ahmed Mohammed"),
            text_part("phone", "96650000000"),
            text_part("is_favorite", "true"),
            FormPart {
                name: "file".to_owned(),
                file_name: Some("avatar.png".to_owned()),
                content_type: Some("image/png".to_owned()),
                bytes: png.to_vec().into(),
            },
        ]
    );
    assert_eq!(
        request.form_part("file").map(|part| part.bytes.len()),
        Some(png.len())
    );
    assert_eq!(request.form_part("missing"), None);

    // The wire text holds the raw multipart text exactly and summarizes the PNG (it ends in invalid UTF-8).
    let digest = hex::encode(Sha256::digest(png));
    let expected_body = format!(
        "--awal-boundary-0001␍\n\
         Content-Disposition: form-data; name=\"name\"␍\n␍\nAhmed Mohammed␍\n\
         --awal-boundary-0001␍\n\
         Content-Disposition: form-data; name=\"phone\"␍\n␍\n96650000000␍\n\
         --awal-boundary-0001␍\n\
         Content-Disposition: form-data; name=\"is_favorite\"␍\n␍\ntrue␍\n\
         --awal-boundary-0001␍\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"avatar.png\"␍\n\
         Content-Type: image/png␍\n␍\n\
         <{} binary bytes: {}… sha256:{}>␍\n\
         --awal-boundary-0001--␍\n\
         \n\
         auth: Valid",
        png.len(),
        hex::encode(&png[..16]),
        &digest[..16]
    );
    let wire = request.wire_text();
    assert!(
        wire.ends_with(&format!("\n\n{expected_body}")),
        "wire text:\n{wire}\n\nexpected to end with:\n{expected_body}"
    );
}

#[tokio::test]
async fn tampered_body_gets_401_and_bad_signature() {
    let vector = vector_named("docs worked example");
    let mut request = RawRequest::signed(&vector);
    request.body = br#"{"phone":"96650000000","body":"Hellp"}"#.to_vec();
    let (server, response) = serve_one(&vector, &request).await;

    assert_eq!(response.status, 401);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.body,
        br#"{"error":"authentication_failed","message":"Invalid HMAC signature","request_id":"req_test"}"#
    );
    let expected = compute_signature(
        b"your-hmac-secret",
        "POST",
        "/w/message/text",
        Some("phone_number_id=123"),
        1_704_124_800,
        &request.body,
    );
    assert_ne!(expected, vector.signature);
    assert_eq!(
        server.requests()[0].auth,
        AuthOutcome::BadSignature {
            expected,
            received: vector.signature.clone()
        }
    );

    // The rejected request did not consume the canned response: the untampered request gets it.
    let response = send(&server, &RawRequest::signed(&vector)).await;
    assert_eq!(response.status, 200);
    assert_eq!(server.requests()[1].auth, AuthOutcome::Valid);
}

#[tokio::test]
async fn malformed_signature_values_are_bad_signatures() {
    let vector = vector_named("docs worked example");
    let server = TestServer::start(config_for(&vector)).await;
    let uppercase = format!(
        "sha256={}",
        vector.signature["sha256=".len()..].to_ascii_uppercase()
    );
    let bare = vector.signature["sha256=".len()..].to_owned();
    for value in [uppercase.as_str(), bare.as_str(), "sha256=", "sha1=abc"] {
        let request = RawRequest::signed(&vector).replace_header("X-Awal-Signature-256", value);
        let response = send(&server, &request).await;
        assert_eq!(response.status, 401, "signature value {value:?}");
        let recorded = server.requests().pop().expect("recorded");
        assert_eq!(
            recorded.auth,
            AuthOutcome::BadSignature {
                expected: vector.signature.clone(),
                received: value.to_owned()
            }
        );
    }
}

#[tokio::test]
async fn missing_header_gets_400_listing_it() {
    let vector = vector_named("docs worked example");
    let request = RawRequest::signed(&vector).without_header("X-Timestamp");
    let (server, response) = serve_one(&vector, &request).await;

    assert_eq!(response.status, 400);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.json(),
        json!({
            "error": "missing_headers",
            "message": "Missing or invalid required headers: X-Timestamp",
            "details": { "X-Timestamp": "required header is missing" },
            "request_id": "req_test"
        })
    );
    assert_eq!(
        server.requests()[0].auth,
        AuthOutcome::MissingHeaders(vec!["X-Timestamp".to_owned()])
    );
}

#[tokio::test]
async fn several_missing_or_invalid_headers_are_listed_in_documented_order() {
    let vector = vector_named("docs worked example");
    let request = RawRequest::signed(&vector)
        .without_header("X-Client-ID")
        .without_header("X-Domain")
        .replace_header("Accept", "*/*")
        .replace_header("X-Timestamp", "1704124800.5");
    let (server, response) = serve_one(&vector, &request).await;

    assert_eq!(response.status, 400);
    let body = response.json();
    assert_eq!(
        body["message"],
        "Missing or invalid required headers: Accept, X-Timestamp, X-Domain, X-Client-ID"
    );
    assert_eq!(body["details"]["Accept"], "must include application/json");
    assert_eq!(
        server.requests()[0].auth,
        AuthOutcome::MissingHeaders(
            ["Accept", "X-Timestamp", "X-Domain", "X-Client-ID"]
                .map(str::to_owned)
                .to_vec()
        )
    );
}

#[tokio::test]
async fn stale_timestamp_gets_403_and_the_skew_limit_is_inclusive() {
    let vector = vector_named("docs worked example");
    let mut config = config_for(&vector);
    config.now = vector.timestamp + 301;
    let server = TestServer::start(config).await;
    let response = send(&server, &RawRequest::signed(&vector)).await;

    assert_eq!(response.status, 403);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body["error"], "invalid_timestamp");
    assert_eq!(body["message"], "Timestamp is too old");
    assert_eq!(body["request_id"], "req_test");
    assert_eq!(
        server.requests()[0].auth,
        AuthOutcome::StaleTimestamp {
            timestamp: 1_704_124_800,
            now: 1_704_125_101
        }
    );

    // Exactly max_skew_seconds away, in either direction, is still accepted.
    for now in [vector.timestamp + 300, vector.timestamp - 300] {
        let mut config = config_for(&vector);
        config.now = now;
        let server = TestServer::start(config).await;
        server.enqueue(CannedResponse::json(200, json!({})));
        let response = send(&server, &RawRequest::signed(&vector)).await;
        assert_eq!(response.status, 200, "server now = {now}");
    }
}

#[tokio::test]
async fn wrong_client_id_or_domain_gets_401() {
    let vector = vector_named("docs worked example");
    let request = RawRequest::signed(&vector).replace_header("X-Client-ID", "someone-else");
    let (server, response) = serve_one(&vector, &request).await;

    assert_eq!(response.status, 401);
    let body = response.json();
    assert_eq!(body["error"], "authentication_failed");
    assert_eq!(body["request_id"], "req_test");
    assert_eq!(
        server.requests()[0].auth,
        AuthOutcome::WrongCredentials(
            r#"X-Client-ID is "someone-else", expected "client-123""#.to_owned()
        )
    );

    let request = RawRequest::signed(&vector).replace_header("X-Domain", "other-workspace");
    let response = send(&server, &request).await;
    assert_eq!(response.status, 401);
    assert!(matches!(
        &server.requests()[1].auth,
        AuthOutcome::WrongCredentials(why) if why.contains("X-Domain")
    ));
}

#[tokio::test]
async fn canned_responses_are_returned_verbatim_in_fifo_order() {
    let vector = vector_named("GET with query");
    let server = TestServer::start(config_for(&vector)).await;
    server.enqueue(
        CannedResponse::json(201, json!({ "status": true, "message": "Contact created" }))
            .with_header("X-API-Deprecated", "true")
            .with_header("Warning", r#"299 - "deprecated""#),
    );
    server.enqueue(CannedResponse {
        status: 429,
        headers: vec![("Retry-After".to_owned(), "7".to_owned())],
        body: b"slow down".to_vec(),
    });
    let request = RawRequest::signed(&vector);

    let first = send(&server, &request).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("x-api-deprecated"), Some("true"));
    assert_eq!(first.header("warning"), Some(r#"299 - "deprecated""#));
    assert_eq!(
        first.body,
        br#"{"status":true,"message":"Contact created"}"#
    );

    let second = send(&server, &request).await;
    assert_eq!(second.status, 429);
    assert_eq!(second.header("retry-after"), Some("7"));
    assert_eq!(second.header("content-type"), None);
    assert_eq!(second.body, b"slow down");

    let third = send(&server, &request).await;
    assert_eq!(third.status, 500);
    assert_eq!(third.header("content-type"), Some("application/json"));
    assert_eq!(
        third.json(),
        json!({
            "error": "no_canned_response",
            "message": "test server: no canned response queued for GET /api/developer/contacts",
            "request_id": "req_test"
        })
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn wire_text_is_stable() {
    let vector = vector_named("GET with query");
    let mut request = RawRequest::signed(&vector);
    request
        .headers
        .push(("X-API-Version".to_owned(), "v1".to_owned()));
    let (server, response) = serve_one(&vector, &request).await;
    assert_eq!(response.status, 200);

    assert_eq!(
        server.requests()[0].wire_text(),
        "GET /api/developer/contacts?phone_number_id=123456&page=2&limit=50 HTTP/1.1\n\
         accept: application/json\n\
         connection: close\n\
         x-api-version: v1\n\
         x-awal-signature-256: sha256=b4dfa9071f301c15bd38bb326521d3541075231936f372161b53e65263345055\n\
         x-client-id: client-123\n\
         x-domain: your-workspace\n\
         x-timestamp: 1704124801\n\
         \n\
         \n\
         auth: Valid"
    );
}

#[tokio::test]
async fn wire_text_of_a_rejected_request_with_a_body_shows_the_body_and_outcome() {
    let vector = vector_named("UTF-8 JSON body");
    let request = RawRequest::signed(&vector).without_header("Accept");
    let (server, response) = serve_one(&vector, &request).await;
    assert_eq!(response.status, 400);

    assert_eq!(
        server.requests()[0].wire_text(),
        "POST /api/developer/w/message/text?phone_number_id=42 HTTP/1.1\n\
         connection: close\n\
         content-length: 48\n\
         content-type: application/json\n\
         x-awal-signature-256: sha256=7cf143355acc5d378733985f96a859de1f0debf0bb7ee3e8537fe24970288a13\n\
         x-client-id: client-123\n\
         x-domain: your-workspace\n\
         x-timestamp: 1704124803\n\
         \n\
         {\"phone\":\"96650000000\",\"body\":\"مرحبا بك\"}\n\
         auth: MissingHeaders([\"Accept\"])"
    );
}

#[tokio::test]
async fn broken_multipart_is_recorded_as_a_form_error() {
    let vector = vector_named("docs worked example");
    let mut request = RawRequest::signed(&vector).replace_header(
        "Content-Type",
        "multipart/form-data; boundary=awal-boundary-0001",
    );
    request.body =
        b"--awal-boundary-0001\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"
            .to_vec();
    let (server, response) = serve_one(&vector, &request).await;

    assert_eq!(
        response.status, 401,
        "the body no longer matches the signature"
    );
    let recorded = server.requests();
    match &recorded[0].form {
        Some(Err(message)) => assert!(!message.is_empty()),
        other => panic!("expected a multer error, got {other:?}"),
    }
    assert_eq!(recorded[0].form_part("a"), None);
}

#[tokio::test]
async fn path_outside_the_base_path_gets_404() {
    let vector = vector_named("DELETE, no query");
    let mut request = RawRequest::signed(&vector);
    request.target = "/api/developerx/contacts/1".to_owned();
    let (server, response) = serve_one(&vector, &request).await;

    assert_eq!(response.status, 404);
    assert_eq!(response.json()["error"], "resource_not_found");
    let recorded = server.requests();
    assert_eq!(recorded[0].path, "/api/developerx/contacts/1");
    assert_eq!(recorded[0].query, None);

    // The canned response is still there for a request inside the base path.
    let response = send(&server, &RawRequest::signed(&vector)).await;
    assert_eq!(response.status, 200);
    assert_eq!(server.requests()[1].auth, AuthOutcome::Valid);
}

#[tokio::test]
async fn base_url_includes_the_base_path_and_the_server_stops_on_drop() {
    let vector = vector_named("DELETE, no query");
    let mut config = config_for(&vector);
    config.base_path = "/api/developer/".to_owned();
    let server = TestServer::start(config).await;
    let url = server.base_url();
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/api/developer"))
        .unwrap_or_else(|| panic!("unexpected base_url {url}"));
    assert!(port.parse::<u16>().is_ok_and(|port| port != 0), "{url}");

    let authority = authority(&server);
    drop(server);
    // Graceful shutdown runs on the server task; give it a bounded number of scheduler turns.
    let mut refused = false;
    for _ in 0..500 {
        if TcpStream::connect(&authority).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        refused,
        "the server at {authority} still accepts connections after drop"
    );
}
