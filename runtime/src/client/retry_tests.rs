//! Retries, per-call options, the response size limit, the builder's headers and clock-skew correction, against
//! the scripted test server. Clock, waits and jitter are injected: nothing here sleeps, and every wait is
//! asserted exactly.

use super::tests::{assert_signed, builder, json, Envelope, NOW, RULE, SECRET};
use super::*;
use crate::auth::Auth;
use crate::error::ConfigError;
use crate::multipart::Form;
use crate::request::Request;
use crate::signing::{Message, MultipartBody, PathForm};
use crate::test_server::{Recorded, Reply, Server};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The waits the client asked for, recorded instead of slept.
#[derive(Clone, Default)]
struct Waits(Arc<Mutex<Vec<Duration>>>);

impl Waits {
    fn taken(&self) -> Vec<Duration> {
        self.0.lock().expect("not poisoned").clone()
    }
}

/// The test builder, recording its waits in `waits`.
fn recording(base: &str, waits: &Waits) -> ClientBuilder {
    let log = waits.clone();
    builder(base, RULE).sleep(move |wait| {
        log.0.lock().expect("not poisoned").push(wait);
        Box::pin(async {})
    })
}

fn reply(status: u16, headers: Vec<(&'static str, &'static str)>, body: &str) -> Reply {
    Reply {
        status,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

fn post_text() -> Request {
    let mut request = Request::new(Method::POST, "/w/message/text".to_owned());
    request.query("phone_number_id", &123);
    request.json(&serde_json::json!({"phone": "96650000000", "body": "Hello"}));
    request
}

fn get(path: &str) -> Request {
    Request::new(Method::GET, path.to_owned())
}

fn timestamp_of(seen: &Recorded) -> u64 {
    seen.header("x-timestamp")
        .expect("timestamp")
        .parse()
        .expect("decimal")
}

#[tokio::test]
async fn a_429_is_retried_after_exactly_its_retry_after_even_for_post() {
    let server = Server::script(vec![
        reply(
            429,
            vec![("Retry-After", "7"), ("Content-Type", "application/json")],
            r#"{"error":"Rate limit exceeded","message":"slow down"}"#,
        ),
        json(201, r#"{"status":true}"#),
    ])
    .await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits).build().expect("valid");
    let response = client
        .send::<serde_json::Value, Envelope>(post_text())
        .await
        .expect("201 on the second attempt");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.attempts(), 2);
    // Neither jittered nor capped by `max_backoff`.
    assert_eq!(waits.taken(), [Duration::from_secs(7)]);
    let seen = server.all_recorded().await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body);
}

#[tokio::test]
async fn a_burst_of_503_is_retried_with_exponential_jittered_waits() {
    let server = Server::script(vec![
        json(503, "{}"),
        json(503, "{}"),
        json(503, "{}"),
        json(200, r#"{"ok":1}"#),
    ])
    .await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits)
        .retry(RetryPolicy {
            max_attempts: 4,
            ..RetryPolicy::default()
        })
        .jitter(|| 0.5)
        .build()
        .expect("valid");
    let response = client
        .send::<serde_json::Value, Envelope>(post_text())
        .await
        .expect("200 on the fourth attempt");
    assert_eq!(response.attempts(), 4);
    assert_eq!(response["ok"], 1);
    // 0.5 s, 1 s, 2 s, each times the jitter factor 0.5.
    let ms = Duration::from_millis;
    assert_eq!(waits.taken(), [ms(250), ms(500), ms(1000)]);
    assert_eq!(server.all_recorded().await.len(), 4);
}

#[tokio::test]
async fn without_jitter_the_waits_double_up_to_max_backoff() {
    let server = Server::script(vec![
        json(503, "{}"),
        json(503, "{}"),
        json(503, "{}"),
        json(503, "{}"),
        json(200, "{}"),
    ])
    .await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits)
        .retry(RetryPolicy {
            max_attempts: 5,
            max_backoff: Duration::from_millis(1500),
            jitter: false,
            ..RetryPolicy::default()
        })
        .jitter(|| panic!("no jitter is drawn when the policy has none"))
        .build()
        .expect("valid");
    let response = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("200 on the fifth attempt");
    assert_eq!(response.attempts(), 5);
    let ms = Duration::from_millis;
    assert_eq!(waits.taken(), [ms(500), ms(1000), ms(1500), ms(1500)]);
}

#[tokio::test]
async fn post_and_patch_are_not_retried_on_500_502_504() {
    for method in [Method::POST, Method::PATCH] {
        for status in [500, 502, 504] {
            let server = Server::script(vec![json(status, "{}"), json(200, "{}")]).await;
            let waits = Waits::default();
            let client = recording(&server.base, &waits).build().expect("valid");
            let mut request = Request::new(method.clone(), "/contacts/1".to_owned());
            request.json(&serde_json::json!({"name": "Ahmed"}));
            let error = client
                .send::<serde_json::Value, Envelope>(request)
                .await
                .expect_err("not retried");
            let api = error.api().expect("an API error");
            assert_eq!(api.status.as_u16(), status, "{method}");
            assert_eq!(api.attempts, 1, "{method} {status}");
            assert!(waits.taken().is_empty(), "{method} {status}");
            assert_eq!(server.requests().len(), 1, "{method} {status}");
        }
    }
}

#[tokio::test]
async fn idempotent_methods_are_retried_on_500_502_504() {
    for (method, status) in [
        (Method::GET, 500),
        (Method::DELETE, 502),
        (Method::PUT, 504),
        (Method::HEAD, 500),
        (Method::OPTIONS, 502),
    ] {
        let server = Server::script(vec![json(status, "{}"), json(200, "")]).await;
        let waits = Waits::default();
        let client = recording(&server.base, &waits).build().expect("valid");
        let response = client
            .send::<(), Envelope>(Request::new(method.clone(), "/orders/1".to_owned()))
            .await
            .expect("200 on the second attempt");
        assert_eq!(response.attempts(), 2, "{method} {status}");
        assert_eq!(waits.taken(), [Duration::from_millis(250)], "{method}");
        let seen = server.all_recorded().await;
        assert!(seen
            .iter()
            .all(|r| r.request_line.starts_with(method.as_str())));
    }
}

#[tokio::test]
async fn exhausted_retries_return_the_last_answer_with_its_body_and_headers() {
    let last = r#"{"error":"service_unavailable","message":"third time"}"#;
    let server = Server::script(vec![
        reply(503, vec![("X-Attempt", "1")], "first"),
        reply(503, vec![("X-Attempt", "2")], "second"),
        reply(
            503,
            vec![("X-Attempt", "3"), ("Content-Type", "application/json")],
            last,
        ),
    ])
    .await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits).build().expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(post_text())
        .await
        .expect_err("503 three times");
    let api = error.api().expect("the last 503");
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.attempts, 3);
    assert_eq!(api.raw_body, last);
    assert_eq!(
        api.body.as_ref().map(|e| e.message.as_str()),
        Some("third time")
    );
    assert_eq!(
        api.headers.get("x-attempt").and_then(|v| v.to_str().ok()),
        Some("3")
    );
    assert_eq!(waits.taken().len(), 2);
    assert_eq!(server.all_recorded().await.len(), 3);
}

#[tokio::test]
async fn every_attempt_is_signed_anew_with_a_fresh_timestamp_over_the_same_bytes() {
    every_attempt_signed_anew(b"\x89PNG\r\n\x1a\n".to_vec()).await;
}

/// A file large enough to be sent as a piece of its own, shared rather than copied: every attempt sends
/// it again, with an exact `Content-Length`, signed over the pieces in order.
#[tokio::test]
async fn a_large_file_shared_into_the_body_is_resent_and_signed_anew() {
    every_attempt_signed_anew((0..200_003u32).map(|i| (i % 253) as u8).collect()).await;
}

async fn every_attempt_signed_anew(file: Vec<u8>) {
    let server = Server::script(vec![
        json(503, "{}"),
        reply(429, vec![("Retry-After", "1")], ""),
        json(201, r#"{"status":true}"#),
    ])
    .await;
    // A clock that moves on at every reading, and a boundary source that would show a second encoding.
    let ticks = Arc::new(AtomicU64::new(NOW));
    let boundaries = Arc::new(AtomicU64::new(0));
    let (clock_ticks, drawn) = (ticks.clone(), boundaries.clone());
    let client = recording(&server.base, &Waits::default())
        .clock(move || clock_ticks.fetch_add(1, Ordering::Relaxed))
        .boundary(move || format!("boundary-{}", drawn.fetch_add(1, Ordering::Relaxed)))
        .build()
        .expect("valid");
    let mut form = Form::new();
    form.text("name", "Ahmed Mohammed");
    form.file("file", &crate::FilePart::new(file, "a.png", "image/png"));
    form.text("phone", "96650000000");
    let expected_body = form.encode("boundary-0").expect("encodes");
    let mut request = Request::new(Method::POST, "/contacts".to_owned());
    request.query("phone_number_id", &"123456");
    request.multipart(form);
    let response = client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("201 on the third attempt");
    assert_eq!(response.attempts(), 3);

    assert_eq!(
        boundaries.load(Ordering::Relaxed),
        1,
        "the form is encoded once"
    );
    let seen = server.all_recorded().await;
    assert_eq!(seen.len(), 3);
    let timestamps: Vec<u64> = seen.iter().map(timestamp_of).collect();
    assert!(
        timestamps.windows(2).all(|pair| pair[0] < pair[1]),
        "{timestamps:?}"
    );
    assert!(timestamps[0] >= NOW);
    for attempt in &seen {
        assert_eq!(attempt.body, expected_body);
        let length = expected_body.len().to_string();
        assert_eq!(attempt.header("content-length"), Some(length.as_str()));
        assert_eq!(attempt.header("transfer-encoding"), None);
        assert_eq!(
            attempt.header("content-type"),
            Some("multipart/form-data; boundary=boundary-0")
        );
        assert_signed(attempt);
    }
    let signatures: Vec<_> = seen
        .iter()
        .map(|r| r.header("x-signature-256").map(str::to_owned))
        .collect();
    assert_ne!(signatures[0], signatures[1]);
    assert_ne!(signatures[1], signatures[2]);
}

#[tokio::test]
async fn retry_none_through_with_options_makes_a_single_attempt() {
    let waits = Waits::default();
    let server = Server::script(vec![json(503, "{}"), json(200, "{}")]).await;
    let client = recording(&server.base, &waits).build().expect("valid");
    let once = client.with_options(RequestOptions::new().retry(RetryPolicy::none()));
    let error = once
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect_err("503, not retried");
    assert_eq!(error.api().map(|api| api.attempts), Some(1));
    assert!(waits.taken().is_empty());
    assert_eq!(server.requests().len(), 1);

    // The client it came from keeps its own policy.
    let server = Server::script(vec![json(503, "{}"), json(200, "{}")]).await;
    let client = recording(&server.base, &waits).build().expect("valid");
    let _once = client.with_options(RequestOptions::new().retry(RetryPolicy::none()));
    let response = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("retried");
    assert_eq!(response.attempts(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_post_then_returned_as_transport() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let waits = Waits::default();
    let client = recording(&format!("http://{address}"), &waits)
        .build()
        .expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(post_text())
        .await
        .expect_err("nothing listens");
    match &error {
        Error::Transport(source) => assert!(source.is_connect(), "{source:?}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    let ms = Duration::from_millis;
    assert_eq!(waits.taken(), [ms(250), ms(500)]);
}

/// Accepts connections, reads nothing and never answers; counts the connections.
async fn silent_server() -> (String, Arc<AtomicU64>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let accepted = Arc::new(AtomicU64::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::Relaxed);
            open.push(connection);
        }
    });
    (base, accepted, task)
}

#[tokio::test]
async fn timeouts_are_retried_for_get_but_never_for_post() {
    for (request, expected_attempts) in [(get("/contacts"), 3), (post_text(), 1)] {
        let method = request.method.clone();
        let (base, accepted, task) = silent_server().await;
        let waits = Waits::default();
        let client = recording(&base, &waits).build().expect("valid");
        let error = client
            .with_options(RequestOptions::new().timeout(Duration::from_millis(100)))
            .send::<(), Envelope>(request)
            .await
            .expect_err("times out");
        assert!(
            matches!(&error, Error::Transport(e) if e.is_timeout()),
            "{error:?}"
        );
        assert_eq!(
            accepted.load(Ordering::Relaxed),
            expected_attempts,
            "{method}"
        );
        assert_eq!(
            waits.taken().len() as u64,
            expected_attempts - 1,
            "{method}"
        );
        task.abort();
    }
}

#[tokio::test]
async fn a_retry_that_would_end_after_max_elapsed_is_not_made() {
    let server = Server::script(vec![
        reply(429, vec![("Retry-After", "61")], ""),
        json(200, "{}"),
    ])
    .await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits).build().expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect_err("61 s is beyond the 60 s budget");
    let api = error.api().expect("the 429");
    assert_eq!(api.attempts, 1);
    assert_eq!(api.rate_limit().retry_after, Some(61));
    assert!(waits.taken().is_empty());

    // The waits already made count: 3 × 25 s fit in 60 s only twice.
    let server = Server::script(vec![
        reply(503, vec![("Retry-After", "25")], ""),
        reply(503, vec![("Retry-After", "25")], ""),
        reply(503, vec![("Retry-After", "25")], ""),
        json(200, "{}"),
    ])
    .await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits)
        .retry(RetryPolicy {
            max_attempts: 10,
            ..RetryPolicy::default()
        })
        .build()
        .expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect_err("the third wait would end after 75 s");
    assert_eq!(error.api().map(|api| api.attempts), Some(3));
    assert_eq!(waits.taken(), [Duration::from_secs(25); 2]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_read_against_the_answers_date() {
    let server = Server::script(vec![
        reply(
            503,
            vec![
                ("Date", "Mon, 01 Jan 2024 16:00:00 GMT"),
                ("Retry-After", "Mon, 01 Jan 2024 16:00:30 GMT"),
            ],
            "",
        ),
        json(200, "{}"),
    ])
    .await;
    let waits = Waits::default();
    // A local clock a day off changes nothing: the date is read against the answer's own `Date`.
    let client = recording(&server.base, &waits)
        .clock(|| NOW + 86_400)
        .build()
        .expect("valid");
    let response = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("retried");
    assert_eq!(response.attempts(), 2);
    assert_eq!(waits.taken(), [Duration::from_secs(30)]);
}

#[tokio::test]
async fn a_body_announced_larger_than_the_limit_is_refused_unread() {
    for status in [200, 500] {
        // Announces a gigabyte and sends 5 bytes: reading it would fail as a transport error instead.
        let server = Server::start(reply(
            status,
            vec![("Content-Length", "1073741824")],
            "hello",
        ))
        .await;
        let client = builder(&server.base, RULE)
            .max_response_bytes(1024)
            .build()
            .expect("valid");
        let error = client
            .send::<serde_json::Value, Envelope>(post_text())
            .await
            .expect_err("too large");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(error.api().is_none());
        match error {
            Error::ResponseTooLarge { status: got, limit } => {
                assert_eq!(got.as_u16(), status);
                assert_eq!(limit, 1024);
            }
            other => panic!("expected ResponseTooLarge, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_while_reading() {
    // Two chunks of 800 bytes and no final chunk: a client reading to the end would fail otherwise.
    let mut body = Vec::new();
    for _ in 0..2 {
        body.extend_from_slice(b"320\r\n");
        body.extend_from_slice(&[b' '; 800]);
        body.extend_from_slice(b"\r\n");
    }
    let server = Server::start(Reply {
        status: 200,
        headers: vec![("Transfer-Encoding", "chunked")],
        body,
    })
    .await;
    let client = builder(&server.base, RULE)
        .max_response_bytes(1024)
        .build()
        .expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect_err("too large");
    assert!(
        matches!(error, Error::ResponseTooLarge { status, limit: 1024 } if status == StatusCode::OK),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "HTTP 200 OK: the response body exceeds the limit of 1024 bytes"
    );

    // Up to the limit, chunked or not, is read.
    let body = b"8\r\n{\"ok\": 1\r\n1\r\n}\r\n0\r\n\r\n".to_vec();
    let server = Server::start(Reply {
        status: 200,
        headers: vec![("Transfer-Encoding", "chunked")],
        body,
    })
    .await;
    let client = builder(&server.base, RULE)
        .max_response_bytes(9)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid");
    let response = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("9 bytes fit");
    assert_eq!(response["ok"], 1);
}

#[tokio::test]
async fn headers_set_on_the_builder_are_sent_on_every_request() {
    let server = Server::start(json(200, "{}")).await;
    builder(&server.base, RULE)
        .header("X-API-Version", "v1")
        .header("X-Trace", "a")
        .header("X-Trace", "b")
        .build()
        .expect("valid")
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("200");
    let seen = server.recorded().await;
    assert_eq!(seen.header("x-api-version"), Some("v1"));
    assert_eq!(seen.headers_named("x-trace"), ["a", "b"]);
    assert_signed(&seen);

    let server = Server::start(json(200, "{}")).await;
    builder(&server.base, RULE)
        .build()
        .expect("valid")
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("200");
    assert_eq!(server.recorded().await.header("x-api-version"), None);

    let error = builder("http://127.0.0.1:9", RULE)
        .header("X-API-Version", "v1\r\nX-Injected: 1")
        .build()
        .expect_err("a line break");
    assert!(
        matches!(&error, ConfigError::InvalidHeader { name, .. } if name == "X-API-Version"),
        "{error:?}"
    );
    // A credential or the signature cannot be replaced from here.
    for name in ["X-Client-ID", "X-Signature-256", "x-timestamp"] {
        let error = builder("http://127.0.0.1:9", RULE)
            .header(name, "forged")
            .build()
            .expect_err("reserved");
        assert!(
            matches!(&error, ConfigError::InvalidHeader { name: n, .. } if n == name),
            "{name}: {error:?}"
        );
    }
}

/// A 403 as a server whose clock is an hour ahead of ours answers a timestamp it finds stale.
fn stale_timestamp_403() -> Reply {
    reply(
        403,
        vec![
            ("Date", "Mon, 01 Jan 2024 17:00:00 GMT"),
            ("Content-Type", "application/json"),
        ],
        r#"{"error":"invalid_timestamp","message":"Timestamp is too old"}"#,
    )
}

#[tokio::test]
async fn clock_skew_is_learnt_from_a_403_and_kept_when_enabled() {
    // Two calls: the first gets the 403 and then 200, the second 200.
    let server = Server::script(vec![
        stale_timestamp_403(),
        json(200, "{}"),
        json(200, "{}"),
    ])
    .await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits)
        .correct_clock_skew(true)
        // The correction is made whatever the retry policy.
        .retry(RetryPolicy::none())
        .build()
        .expect("valid");
    let response = client
        .send::<serde_json::Value, Envelope>(post_text())
        .await
        .expect("200 after correcting the clock");
    assert_eq!(response.attempts(), 2);
    assert!(waits.taken().is_empty(), "sent again at once");
    let seen = server.requests();
    assert_eq!(timestamp_of(&seen[0]), NOW);
    assert_eq!(timestamp_of(&seen[1]), NOW + 3600);
    assert_signed(&seen[1]);
    assert_eq!(seen[0].body, seen[1].body);
    assert_eq!(client.clock_offset_seconds(), 3600);

    // Later calls, through clones and `with_options` copies too, keep the offset.
    let copy = client
        .clone()
        .with_options(RequestOptions::new().header("X-Trace", "1"));
    assert_eq!(copy.clock_offset_seconds(), 3600);
    copy.send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("200");
    let seen = server.all_recorded().await;
    assert_eq!(seen.len(), 3);
    assert_eq!(timestamp_of(&seen[2]), NOW + 3600);
    assert_eq!(seen[2].header("x-trace"), Some("1"));
    assert_signed(&seen[2]);
}

#[tokio::test]
async fn clock_skew_correction_is_off_by_default() {
    let server = Server::script(vec![stale_timestamp_403(), json(200, "{}")]).await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits).build().expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(post_text())
        .await
        .expect_err("403 returned as is");
    let api = error.api().expect("the 403");
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.attempts, 1);
    assert_eq!(client.clock_offset_seconds(), 0);
    assert_eq!(server.requests().len(), 1);
    assert!(waits.taken().is_empty());
}

#[tokio::test]
async fn a_403_whose_date_matches_the_timestamp_is_not_retried() {
    // Insufficient permissions: the server's clock agrees with ours (within 30 s), so skew is not the cause.
    for date in [
        "Mon, 01 Jan 2024 16:00:30 GMT",
        "Mon, 01 Jan 2024 15:59:30 GMT",
    ] {
        let server = Server::script(vec![
            reply(
                403,
                vec![("Date", date)],
                r#"{"error":"forbidden","message":"no"}"#,
            ),
            json(200, "{}"),
        ])
        .await;
        let client = builder(&server.base, RULE)
            .correct_clock_skew(true)
            .build()
            .expect("valid");
        let error = client
            .send::<serde_json::Value, Envelope>(get("/contacts"))
            .await
            .expect_err("403 returned as is");
        assert_eq!(error.api().map(|api| api.attempts), Some(1), "{date}");
        assert_eq!(client.clock_offset_seconds(), 0);
    }

    // Nor is a 403 without a `Date`, nor one answering a public (unsigned) request.
    let server = Server::script(vec![json(403, "{}"), json(200, "{}")]).await;
    let client = builder(&server.base, RULE)
        .correct_clock_skew(true)
        .build()
        .expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect_err("403");
    assert_eq!(error.api().map(|api| api.attempts), Some(1));
    let server = Server::script(vec![stale_timestamp_403(), json(200, "{}")]).await;
    let client = builder(&server.base, RULE)
        .correct_clock_skew(true)
        .build()
        .expect("valid");
    let mut request = get("/status");
    request.without_auth();
    let error = client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect_err("403");
    assert_eq!(error.api().map(|api| api.attempts), Some(1));
}

#[tokio::test]
async fn the_skew_correction_is_made_once_per_call() {
    // A server that keeps finding the timestamp stale (and keeps moving its `Date`): one correction only.
    let server = Server::script(vec![
        stale_timestamp_403(),
        reply(403, vec![("Date", "Mon, 01 Jan 2024 19:00:00 GMT")], "{}"),
        json(200, "{}"),
    ])
    .await;
    let client = builder(&server.base, RULE)
        .correct_clock_skew(true)
        .build()
        .expect("valid");
    let error = client
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect_err("the second 403 is returned");
    assert_eq!(error.api().map(|api| api.attempts), Some(2));
    assert_eq!(client.clock_offset_seconds(), 3600);
}

#[tokio::test]
async fn request_options_add_headers_but_cannot_replace_the_clients_own() {
    let server = Server::start(json(200, "{}")).await;
    let client = builder(&server.base, RULE).build().expect("valid");
    let mut request = get("/contacts");
    request.header("X-Operation", &"from the operation");
    client
        .with_options(
            RequestOptions::new()
                .header("X-Request-Id", "req-1")
                .header("X-Operation", "from the options")
                .header("Accept", "application/json; charset=utf-8"),
        )
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200");
    let seen = server.recorded().await;
    assert_eq!(seen.header("x-request-id"), Some("req-1"));
    assert_eq!(seen.header("x-operation"), Some("from the options"));
    assert_eq!(
        seen.header("accept"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(seen.header("x-client-id"), Some("client-123"));
    assert_signed(&seen);

    // Nothing listens: every case fails before connecting.
    let client = builder("http://127.0.0.1:9", RULE).build().expect("valid");
    for name in [
        "X-Timestamp",
        "x-signature-256",
        "X-Client-ID",
        "Content-Type",
        "Content-Length",
        "Host",
    ] {
        let error = client
            .with_options(RequestOptions::new().header(name, "1"))
            .send::<(), Envelope>(post_text())
            .await
            .expect_err(name);
        assert!(
            matches!(&error, Error::InvalidRequest { field, .. } if field == name),
            "{name}: {error:?}"
        );
    }
    let error = client
        .with_options(RequestOptions::new().header("X-Ok", "a\nb"))
        .send::<(), Envelope>(post_text())
        .await
        .expect_err("line break");
    assert!(matches!(&error, Error::InvalidRequest { field, .. } if field == "X-Ok"));
}

#[tokio::test]
async fn options_given_twice_are_merged() {
    let server = Server::script(vec![json(503, "{}"), json(200, "{}")]).await;
    let waits = Waits::default();
    let client = recording(&server.base, &waits).build().expect("valid");
    let error = client
        .with_options(
            RequestOptions::new()
                .retry(RetryPolicy::none())
                .header("X-A", "1"),
        )
        .with_options(RequestOptions::new().header("X-B", "2"))
        .send::<(), Envelope>(get("/contacts"))
        .await
        .expect_err("still a single attempt");
    assert_eq!(error.api().map(|api| api.attempts), Some(1));
    let seen = server.requests();
    assert_eq!(seen[0].header("x-a"), Some("1"));
    assert_eq!(seen[0].header("x-b"), Some("2"));
}

#[tokio::test]
async fn signing_overrides_change_the_signed_path_and_multipart_body() {
    let server = Server::start(json(200, "{}")).await;
    let client = builder(&server.base, RULE)
        .signing_path(PathForm::Full)
        .multipart_signing(MultipartBody::Empty)
        .build()
        .expect("valid");
    let mut form = Form::new();
    form.text("name", "Ahmed Mohammed");
    let mut request = Request::new(Method::POST, "/contacts".to_owned());
    request.multipart(form);
    client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200");
    let seen = server.recorded().await;
    assert!(!seen.body.is_empty());
    let expected = RULE.signature(
        SECRET.as_bytes(),
        &Message {
            method: "POST",
            path: "/api/developer/contacts",
            query: "",
            timestamp: NOW,
            body: b"",
        },
    );
    assert_eq!(seen.header("x-signature-256"), Some(expected.as_str()));

    // Ignored without a signing rule.
    let server = Server::start(json(200, "{}")).await;
    ClientBuilder::new(&server.base, Auth::unsigned())
        .signing_path(PathForm::Full)
        .build()
        .expect("valid")
        .send::<serde_json::Value, Envelope>(get("/contacts"))
        .await
        .expect("200");
    assert_eq!(server.recorded().await.header("x-signature-256"), None);
}

#[test]
fn the_new_settings_show_in_debug_output() {
    let shown = format!(
        "{:?}",
        builder("https://api.example.test", RULE)
            .header("X-API-Version", "v1")
            .correct_clock_skew(true)
            .max_response_bytes(10)
    );
    for expected in [
        "headers: [\"X-API-Version\"]",
        "correct_clock_skew: true",
        "max_response_bytes: 10",
        "max_attempts: 3",
        "custom_sleep: true",
    ] {
        assert!(shown.contains(expected), "{expected} in {shown}");
    }
    assert!(!shown.contains(SECRET));
    // Names only: a header set on the builder may carry something not meant for logs.
    assert!(!shown.contains("\"v1\""), "{shown}");
}
