//! The generated client against the adversarial server ([`awal_tests::adversary`]): rate limits, bursts of
//! 5xx, truncated, oversized and non-JSON answers, connection resets and hang-ups, answers slower than the
//! timeout. Each test asserts the typed outcome of a real operation, how many attempts the server saw, the
//! waits the client asked for (recorded, never slept), and that every attempt was signed anew, with a fresh
//! timestamp, over the same body bytes.
//!
//! Determinism: the client's sleep is injected (records the wait, returns at once), its jitter is fixed at
//! 0.5 and its clock advances one second per reading. The timeout tests run on tokio's paused clock, which
//! moves only when the test says so (see [`on_paused_clock`]): no timeout there depends on how fast the
//! machine is.

use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awal_client::types::{
    CreateContactRequest, ErrorEnvelope, ListContactsQuery, MessageStatus, PhoneNumberIdQuery,
    SendTextRequest,
};
use awal_client::{
    Client, ClientBuilder, Credentials, Error, ErrorKind, FilePart, RequestOptions, RetryPolicy,
    Secret, StatusCode,
};
use awal_tests::adversary::{Adversary, Attempt, Behaviour, Framing};
use awal_tests::harness::{avatar_png, BASE_PATH, CLIENT_ID, DOMAIN, NOW, SECRET};
use serde_json::json;

/// The client's per-attempt timeout in every test but the timeout tests: long enough never to fire on
/// localhost, short enough that a client hanging on a misbehaviour fails the test quickly.
const GENEROUS_TIMEOUT: Duration = Duration::from_secs(5);
/// The per-attempt timeout in the timeout tests, on the paused clock.
const SHORT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long the server holds a slow answer there: longer than [`SHORT_TIMEOUT`], and than the clock ever
/// moves in a test (three timeouts), so it is never sent; shorter than [`GENEROUS_TIMEOUT`], so a client
/// that kept its own timeout would get it.
const SERVER_DELAY: Duration = Duration::from_secs(4);
/// How long, in real time, [`on_paused_clock`] waits for a call that should have finished: only a broken
/// client (a timeout that does not fire) gets near it.
const STUCK: Duration = Duration::from_secs(30);

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

// ---------------------------------------------------------------------------------------------------------
// The rig: an adversary, and the generated client pointed at it with injected sleep, jitter and clock.

struct Rig {
    server: Adversary,
    client: Client,
    /// The waits the client asked for, in order (recorded instead of slept).
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl Rig {
    /// The script is played against a client with the default retry policy (3 attempts, 0.5 s doubling,
    /// jitter on), jitter fixed at 0.5, a clock at `NOW` advancing one second per reading, and a 5 s
    /// timeout; `configure` changes any of it.
    async fn start(
        script: Vec<Behaviour>,
        configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Rig {
        let server = Adversary::start(script).await;
        let waits = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&waits);
        let clock = Arc::new(AtomicU64::new(NOW));
        let credentials = Credentials {
            client_id: CLIENT_ID.to_owned(),
            domain: DOMAIN.to_owned(),
            hmac_secret: Secret::new(SECRET),
        };
        let builder = Client::builder(credentials)
            .base_url(server.base_url())
            .retry(RetryPolicy::default())
            .sleep(move |wait| {
                recorded.lock().expect("not poisoned").push(wait);
                Box::pin(async {})
            })
            .jitter(|| 0.5)
            .clock(move || clock.fetch_add(1, Ordering::SeqCst))
            .timeout(GENEROUS_TIMEOUT);
        let client = configure(builder)
            .build()
            .expect("the test client configuration is valid");
        Rig {
            server,
            client,
            waits,
        }
    }

    fn waits(&self) -> Vec<Duration> {
        self.waits.lock().expect("not poisoned").clone()
    }

    /// The attempts the server saw, after checking that there are `count` of them, that each carried a valid
    /// signature for its own, strictly later timestamp, and that all are the same request: method, target,
    /// content type and body bytes.
    fn attempts(&self, count: usize) -> Vec<Attempt> {
        let attempts = self.server.attempts();
        assert_eq!(
            attempts.len(),
            count,
            "attempts seen by the server: {attempts:#?}"
        );
        for (index, attempt) in attempts.iter().enumerate() {
            assert!(
                attempt.signature_valid,
                "attempt {index} is not validly signed: {attempt:#?}"
            );
            assert_eq!(attempt.header("x-client-id"), Some(CLIENT_ID));
            assert_eq!(attempt.header("x-domain"), Some(DOMAIN));
            assert_eq!(
                attempt.header_values("x-awal-signature-256").len(),
                1,
                "one signature per attempt"
            );
            assert!(attempt.timestamp >= NOW, "{attempt:#?}");
        }
        for pair in attempts.windows(2) {
            let (first, next) = (&pair[0], &pair[1]);
            assert!(
                next.timestamp > first.timestamp,
                "every attempt has a fresh timestamp: {} then {}",
                first.timestamp,
                next.timestamp
            );
            assert_ne!(
                first.header("x-awal-signature-256"),
                next.header("x-awal-signature-256"),
                "a fresh timestamp gives a fresh signature"
            );
            assert_eq!(
                (&first.method, &first.path, &first.query),
                (&next.method, &next.path, &next.query)
            );
            assert_eq!(first.header("content-type"), next.header("content-type"));
            assert_eq!(
                first.body, next.body,
                "every attempt sends the same body bytes"
            );
        }
        attempts
    }
}

// ---------------------------------------------------------------------------------------------------------
// Requests and answers

fn phone_number_id() -> PhoneNumberIdQuery {
    PhoneNumberIdQuery::new("123456789012345")
}

fn text_message() -> SendTextRequest {
    SendTextRequest::new("96650000000", "Hello — مرحبا")
}

fn new_contact() -> CreateContactRequest {
    CreateContactRequest {
        email: Some("ahmed@example.com".to_owned()),
        file: Some(FilePart::new(avatar_png(), "avatar.png", "image/png")),
        ..CreateContactRequest::new("Ahmed Mohammed", "96650000000")
    }
}

fn contacts_query() -> ListContactsQuery {
    ListContactsQuery {
        page: Some(2),
        search_term: Some("Ahmed Al-Saud".to_owned()),
        ..ListContactsQuery::default()
    }
}

fn created_contact() -> Behaviour {
    Behaviour::json(
        201,
        json!({
            "status": true,
            "message": "Contact created successfully",
            "data": { "id": 7, "name": "Ahmed Mohammed", "phone": "96650000000" }
        }),
    )
}

fn contact_list_json() -> serde_json::Value {
    json!({
        "status": true,
        "data": [{ "id": 1, "name": "Ahmed Mohammed", "phone": "96650000000" }],
        "meta": { "current_page": 2, "per_page": 15, "total": 16, "last_page": 2 }
    })
}

fn contact_list() -> Behaviour {
    Behaviour::json(200, contact_list_json())
}

fn sent_message() -> Behaviour {
    Behaviour::json(
        200,
        json!({
            "status": true,
            "message": { "id": 42, "messageId": "wamid.HBgM", "status": "sent", "timestamp": 1704124800 }
        }),
    )
}

fn deleted() -> Behaviour {
    Behaviour::json(
        200,
        json!({ "status": true, "message": "Contact deleted successfully" }),
    )
}

fn server_error(request_id: &str) -> Behaviour {
    Behaviour::error(
        500,
        "internal_error",
        "Something went wrong on our side",
        request_id,
    )
}

fn unavailable(request_id: &str) -> Behaviour {
    Behaviour::error(
        503,
        "service_unavailable",
        "The service is temporarily unavailable",
        request_id,
    )
}

fn html_page(title: &str, len: usize) -> Vec<u8> {
    let mut page = format!("<!DOCTYPE html><html><head><title>{title}</title></head><body>");
    while page.len() < len {
        page.push_str("<p>upstream connect error or disconnect/reset before headers</p>");
    }
    page.truncate(len);
    page.into_bytes()
}

// ---------------------------------------------------------------------------------------------------------
// Looking into errors

/// The API error of `error`, or a failure naming what came instead.
fn api(error: &Error<ErrorEnvelope>) -> &awal_client::ApiError<ErrorEnvelope> {
    error
        .api()
        .unwrap_or_else(|| panic!("expected Error::Api, got {error:?}"))
}

/// The kinds of every `io::Error` in the chain of causes of `error`.
fn io_kinds(error: &(dyn std::error::Error + 'static)) -> Vec<io::ErrorKind> {
    let mut kinds = Vec::new();
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<io::Error>() {
            kinds.push(io.kind());
        }
        cause = current.source();
    }
    kinds
}

/// What a transport error says of itself, as reqwest exposes it.
#[derive(Debug, PartialEq, Eq)]
struct TransportFacts {
    timeout: bool,
    connect: bool,
    /// Failed while sending the request or reading the response head.
    request: bool,
    /// Failed while reading the response body (`is_body`).
    body: bool,
    /// reqwest's own classification of a failure while reading the body chunk by chunk
    /// (`Response::chunk` reports it as `is_decode`, wrapping the body error): nothing to do with JSON.
    decode: bool,
    status: Option<StatusCode>,
}

fn transport_facts(error: &Error<ErrorEnvelope>) -> TransportFacts {
    match error {
        Error::Transport(transport) => TransportFacts {
            timeout: transport.is_timeout(),
            connect: transport.is_connect(),
            request: transport.is_request(),
            body: transport.is_body(),
            decode: transport.is_decode(),
            status: transport.status(),
        },
        other => panic!("expected Error::Transport, got {other:?}"),
    }
}

/// A transport error is never an answer: no status, no API error, no kind.
fn assert_not_an_answer(error: &Error<ErrorEnvelope>) {
    assert_eq!(error.status(), None, "{error:?}");
    assert!(error.api().is_none());
    assert_eq!(error.kind(), None);
}

// ---------------------------------------------------------------------------------------------------------
// Retried failures

#[tokio::test]
async fn a_429_with_retry_after_is_retried_for_a_multipart_post_after_exactly_that_wait() {
    let rig = Rig::start(
        vec![Behaviour::RetryAfter(429, 7), created_contact()],
        |b| b,
    )
    .await;
    let response = rig
        .client
        .create_contact(&phone_number_id(), &new_contact())
        .await
        .expect("201 on the second attempt");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.attempts(), 2);
    assert_eq!(response.data.id, 7);
    // Retry-After is honoured exactly: not jittered, not capped by max_backoff.
    assert_eq!(rig.waits(), [Duration::from_secs(7)]);

    let attempts = rig.attempts(2);
    assert_eq!(attempts[0].method, "POST");
    assert_eq!(attempts[0].path, format!("{BASE_PATH}/contacts"));
    assert_eq!(
        attempts[0].query.as_deref(),
        Some("phone_number_id=123456789012345")
    );
    // The form is encoded once (with a random boundary, as in production): same boundary, same bytes.
    let content_type = attempts[0].header("content-type").expect("a content type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("multipart");
    assert!(attempts[0]
        .body
        .starts_with(format!("--{boundary}\r\n").as_bytes()));
    assert!(attempts[1]
        .body
        .ends_with(format!("--{boundary}--\r\n").as_bytes()));
    let avatar = avatar_png();
    assert!(
        attempts[1]
            .body
            .windows(avatar.len())
            .any(|window| window == avatar.as_slice()),
        "the avatar's bytes are in the body, unchanged"
    );
    assert_eq!(rig.server.remaining(), 0);
}

#[tokio::test]
async fn a_retry_after_beyond_max_elapsed_is_returned_at_once() {
    let rig = Rig::start(
        vec![Behaviour::RetryAfter(429, 3600), sent_message()],
        |b| b,
    )
    .await;
    let error = rig
        .client
        .send_text_message(&phone_number_id(), &text_message())
        .await
        .expect_err("an hour does not fit in the 60 s budget");
    let api = api(&error);
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.attempts, 1);
    assert_eq!(api.rate_limit().retry_after, Some(3600));
    assert_eq!(
        api.body.as_ref().map(|body| body.error.as_str()),
        Some("Rate limit exceeded")
    );
    assert_eq!(error.kind(), Some(ErrorKind::RateLimited));
    assert!(rig.waits().is_empty());
    rig.attempts(1);
    assert_eq!(rig.server.remaining(), 1);
}

#[tokio::test]
async fn a_burst_of_three_503_then_success_waits_exponentially_with_the_fixed_jitter() {
    let rig = Rig::start(
        vec![
            unavailable("req_1"),
            unavailable("req_2"),
            unavailable("req_3"),
            sent_message(),
        ],
        |b| {
            b.retry(RetryPolicy {
                max_attempts: 4,
                ..RetryPolicy::default()
            })
        },
    )
    .await;
    let response = rig
        .client
        .send_text_message(&phone_number_id(), &text_message())
        .await
        .expect("200 on the fourth attempt");
    assert_eq!(response.attempts(), 4);
    assert_eq!(response.message.id, 42);
    assert_eq!(response.message.status, MessageStatus::Sent);
    // 0.5 s, 1 s, 2 s, each times the jitter factor 0.5.
    assert_eq!(rig.waits(), [ms(250), ms(500), ms(1000)]);

    let attempts = rig.attempts(4);
    assert_eq!(attempts[0].method, "POST");
    assert_eq!(attempts[0].path, format!("{BASE_PATH}/w/message/text"));
    assert_eq!(attempts[0].header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&attempts[3].body).expect("a JSON body");
    assert_eq!(
        sent,
        json!({ "phone": "96650000000", "body": "Hello — مرحبا" })
    );
}

#[tokio::test]
async fn a_500_on_get_is_retried_then_succeeds() {
    let rig = Rig::start(vec![server_error("req_1"), contact_list()], |b| b).await;
    let response = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect("200 on the second attempt");
    assert_eq!(response.attempts(), 2);
    assert_eq!(response.data.len(), 1);
    assert_eq!(response.meta.as_ref().map(|meta| meta.total), Some(16));
    assert_eq!(rig.waits(), [ms(250)]);
    let attempts = rig.attempts(2);
    assert_eq!(attempts[0].method, "GET");
    assert_eq!(
        attempts[0].query.as_deref(),
        Some("page=2&searchTerm=Ahmed%20Al-Saud")
    );
    assert!(attempts[0].body.is_empty());
}

#[tokio::test]
async fn exhausted_retries_return_the_last_answer_with_its_status_body_and_attempts() {
    let last = Behaviour::Reply {
        status: 503,
        headers: vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Attempt".to_owned(), "3".to_owned()),
        ],
        body: br#"{"error":"service_unavailable","message":"Still down","request_id":"req_3"}"#
            .to_vec(),
    };
    let rig = Rig::start(
        vec![unavailable("req_1"), unavailable("req_2"), last, deleted()],
        |b| b,
    )
    .await;
    let error = rig
        .client
        .delete_contact(7)
        .await
        .expect_err("three 503s exhaust the default three attempts");
    let api = api(&error);
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.attempts, 3);
    let body = api.body.as_ref().expect("the envelope parses");
    assert_eq!(body.error, "service_unavailable");
    assert_eq!(body.message, "Still down");
    assert_eq!(
        body.request_id.as_deref(),
        Some("req_3"),
        "the last answer's"
    );
    assert_eq!(
        api.raw_body,
        r#"{"error":"service_unavailable","message":"Still down","request_id":"req_3"}"#
    );
    assert_eq!(
        api.headers.get("x-attempt").map(|v| v.as_bytes()),
        Some(&b"3"[..])
    );
    assert_eq!(error.kind(), Some(ErrorKind::Server));
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        error.to_string(),
        r#"HTTP 503 Service Unavailable: {"error":"service_unavailable","message":"Still down","request_id":"req_3"}"#
    );
    assert_eq!(rig.waits(), [ms(250), ms(500)]);
    let attempts = rig.attempts(3);
    assert_eq!(attempts[0].method, "DELETE");
    assert_eq!(attempts[0].path, format!("{BASE_PATH}/contacts/7"));
    assert_eq!(rig.server.remaining(), 1, "no fourth attempt");
}

// ---------------------------------------------------------------------------------------------------------
// Failures a POST must not repeat

#[tokio::test]
async fn a_500_on_post_is_not_retried() {
    let rig = Rig::start(vec![server_error("req_500"), sent_message()], |b| b).await;
    let error = rig
        .client
        .send_text_message(&phone_number_id(), &text_message())
        .await
        .expect_err("a 500 to a POST is returned");
    let api = api(&error);
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.attempts, 1);
    let body = api.body.as_ref().expect("the envelope parses");
    assert_eq!(
        (body.error.as_str(), body.request_id.as_deref()),
        ("internal_error", Some("req_500"))
    );
    assert_eq!(error.kind(), Some(ErrorKind::Server));
    assert!(rig.waits().is_empty());
    rig.attempts(1);
    assert_eq!(
        rig.server.remaining(),
        1,
        "the message may have been sent: never twice"
    );
}

#[tokio::test]
async fn retry_none_through_with_options_makes_a_single_attempt() {
    let rig = Rig::start(
        vec![unavailable("req_1"), unavailable("req_2"), contact_list()],
        |b| b,
    )
    .await;
    let once = rig
        .client
        .with_options(RequestOptions::new().retry(RetryPolicy::none()));
    let error = once
        .list_contacts(&contacts_query())
        .await
        .expect_err("a 503 with retries off");
    let api = api(&error);
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.attempts, 1);
    assert_eq!(
        api.body.as_ref().and_then(|b| b.request_id.as_deref()),
        Some("req_1")
    );
    assert!(rig.waits().is_empty());
    rig.attempts(1);

    // The original client is unchanged: it retries the next 503.
    let response = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect("retried");
    assert_eq!(response.attempts(), 2);
    assert_eq!(rig.waits(), [ms(250)]);
    rig.attempts(3);
    assert_eq!(rig.server.remaining(), 0);
}

// ---------------------------------------------------------------------------------------------------------
// Broken answers

#[tokio::test]
async fn a_truncated_body_on_get_is_retried() {
    let partial = br#"{"status":true,"data":["#.to_vec();
    let rig = Rig::start(
        vec![
            Behaviour::Truncated {
                status: 200,
                declared_len: 500,
                body: partial,
            },
            contact_list(),
        ],
        |b| b,
    )
    .await;
    let response = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect("the second attempt is whole");
    assert_eq!(response.attempts(), 2);
    assert_eq!(response.data[0].name, "Ahmed Mohammed");
    assert_eq!(rig.waits(), [ms(250)]);
    let attempts = rig.attempts(2);
    assert_ne!(
        attempts[0].connection, attempts[1].connection,
        "the truncated connection is not reused"
    );
}

#[tokio::test]
async fn a_truncated_body_on_post_keeps_the_status_and_is_not_retried() {
    let rig = Rig::start(
        vec![
            Behaviour::Truncated {
                status: 201,
                declared_len: 4096,
                body: br#"{"status":true,"data":{"id":7,"#.to_vec(),
            },
            created_contact(),
        ],
        |b| b,
    )
    .await;
    let error = rig
        .client
        .create_contact(&phone_number_id(), &new_contact())
        .await
        .expect_err("the body ends early");
    // The 201 arrived before the body broke off: the caller learns the contact was most likely created.
    let Error::Interrupted {
        status,
        headers,
        source,
    } = &error
    else {
        panic!("expected Error::Interrupted, got {error:?}")
    };
    assert_eq!(*status, StatusCode::CREATED);
    assert_eq!(error.status(), Some(StatusCode::CREATED));
    assert_eq!(
        headers.get("content-length").and_then(|v| v.to_str().ok()),
        Some("4096")
    );
    assert!(
        io_kinds(source).contains(&io::ErrorKind::UnexpectedEof),
        "the body ended early: {error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("HTTP 201 Created: the answer's body was cut off"),
        "{error}"
    );
    assert_eq!(error.kind(), None, "not a refusal by the server");
    assert!(rig.waits().is_empty());
    rig.attempts(1);
    assert_eq!(
        rig.server.remaining(),
        1,
        "the contact may have been created: not sent again"
    );
}

#[tokio::test]
async fn a_non_json_502_keeps_the_start_of_the_html_and_is_retried_for_get() {
    let page = |n: usize| Behaviour::NotJson {
        status: 502,
        content_type: "text/html; charset=utf-8".to_owned(),
        body: html_page(&format!("502 Bad Gateway ({n})"), 6000),
    };
    let rig = Rig::start(vec![page(1), page(2), page(3), contact_list()], |b| b).await;
    let error = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect_err("three 502s");
    let api = api(&error);
    assert_eq!(api.status, StatusCode::BAD_GATEWAY);
    assert_eq!(api.attempts, 3);
    assert!(api.body.is_none(), "HTML is not an error envelope");
    // The first 4 KiB of the last answer.
    assert_eq!(api.raw_body.len(), 4096);
    assert_eq!(
        api.raw_body.as_bytes(),
        &html_page("502 Bad Gateway (3)", 6000)[..4096]
    );
    assert_eq!(
        api.headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"text/html; charset=utf-8"[..])
    );
    assert_eq!(error.kind(), Some(ErrorKind::Server));
    assert!(error.to_string().starts_with(
        "HTTP 502 Bad Gateway: <!DOCTYPE html><html><head><title>502 Bad Gateway (3)"
    ));
    assert_eq!(rig.waits(), [ms(250), ms(500)]);
    rig.attempts(3);
    assert_eq!(rig.server.remaining(), 1);
}

#[tokio::test]
async fn a_non_json_502_on_post_is_returned_after_one_attempt() {
    let rig = Rig::start(
        vec![
            Behaviour::NotJson {
                status: 502,
                content_type: "text/html".to_owned(),
                body: b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
            },
            sent_message(),
        ],
        |b| b,
    )
    .await;
    let error = rig
        .client
        .send_text_message(&phone_number_id(), &text_message())
        .await
        .expect_err("a 502 to a POST is returned");
    let api = api(&error);
    assert_eq!(
        (api.status, api.attempts, api.body.is_none()),
        (StatusCode::BAD_GATEWAY, 1, true)
    );
    assert_eq!(
        api.raw_body,
        "<html><body><h1>502 Bad Gateway</h1></body></html>"
    );
    rig.attempts(1);
    assert_eq!(rig.server.remaining(), 1);
}

#[tokio::test]
async fn a_200_with_html_is_a_decode_error_keeping_the_start_of_the_body() {
    let page = html_page("Captive portal", 300);
    let rig = Rig::start(
        vec![
            Behaviour::NotJson {
                status: 200,
                content_type: "text/html".to_owned(),
                body: page.clone(),
            },
            contact_list(),
        ],
        |b| b,
    )
    .await;
    let error = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect_err("HTML is not a contact list");
    match &error {
        Error::Decode {
            status,
            source,
            body_start,
        } => {
            assert_eq!(*status, StatusCode::OK);
            assert!(source.is_syntax(), "{source}");
            assert_eq!(body_start.as_bytes(), page.as_slice());
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert_eq!(error.kind(), None, "a 2xx is not a refusal");
    assert!(rig.waits().is_empty());
    rig.attempts(1);
    assert_eq!(
        rig.server.remaining(),
        1,
        "a body of the wrong shape is not retried"
    );
}

#[tokio::test]
async fn valid_json_under_a_wrong_content_type_is_decoded_anyway() {
    // The client decodes by the operation's documented schema and ignores Content-Type, both for 2xx
    // bodies and for error envelopes.
    let rig = Rig::start(
        vec![
            Behaviour::NotJson {
                status: 200,
                content_type: "text/html; charset=utf-8".to_owned(),
                body: serde_json::to_vec(&contact_list_json()).expect("JSON"),
            },
            Behaviour::NotJson {
                status: 422,
                content_type: "text/plain".to_owned(),
                body: br#"{"error":"validation_failed","message":"Invalid data","details":{"phone":"Invalid phone number format"}}"#.to_vec(),
            },
        ],
        |b| b,
    )
    .await;
    let response = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect("decoded despite text/html");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.data[0].id, 1);
    assert_eq!(
        response.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"text/html; charset=utf-8"[..])
    );

    let error = rig
        .client
        .send_text_message(&phone_number_id(), &text_message())
        .await
        .expect_err("422");
    let api = api(&error);
    let body = api
        .body
        .as_ref()
        .expect("the envelope parses despite text/plain");
    assert_eq!(body.error, "validation_failed");
    assert_eq!(
        body.details
            .as_ref()
            .and_then(|details| details.get("phone"))
            .map(String::as_str),
        Some("Invalid phone number format")
    );
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    assert_eq!(api.attempts, 1);
    assert_eq!(rig.server.attempts().len(), 2);
}

// ---------------------------------------------------------------------------------------------------------
// Bodies over the size cap

const CAP: usize = 1024;

/// A contact list of exactly `len` bytes (padded with trailing whitespace, which JSON allows).
fn contact_list_of_len(len: usize) -> Behaviour {
    let mut body = serde_json::to_vec(&contact_list_json()).expect("JSON");
    assert!(body.len() <= len);
    body.resize(len, b' ');
    Behaviour::Reply {
        status: 200,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body,
    }
}

async fn assert_refused_as_too_large(framing: Framing) {
    let rig = Rig::start(
        vec![
            contact_list_of_len(CAP),
            Behaviour::Oversized {
                len: 64 * CAP,
                framing,
            },
            contact_list(),
        ],
        |b| b.max_response_bytes(CAP),
    )
    .await;
    // Exactly at the cap is read.
    let response = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect("a body of exactly the cap is accepted");
    assert_eq!(response.data.len(), 1);

    let error = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect_err("over the cap");
    match &error {
        Error::ResponseTooLarge { status, limit } => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(*limit, CAP);
        }
        other => panic!("{framing:?}: expected Error::ResponseTooLarge, got {other:?}"),
    }
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert_eq!(error.kind(), None);
    assert_eq!(
        error.to_string(),
        "HTTP 200 OK: the response body exceeds the limit of 1024 bytes"
    );
    assert!(rig.waits().is_empty(), "{framing:?}: never retried");
    rig.attempts(2);
    assert_eq!(
        rig.server.remaining(),
        1,
        "{framing:?}: not retried, even for GET"
    );
}

#[tokio::test]
async fn an_oversized_answer_on_a_kept_alive_connection_does_not_leak_into_the_next_call() {
    // A well-framed (keep-alive) 503 over the cap: refused from its Content-Length, not read to the end and
    // not retried. Whether the HTTP stack then drains and reuses the connection (a small body may already
    // be buffered) or drops it, none of its bytes may be taken for the next call's answer.
    for len in [8 * CAP, 256 * CAP] {
        let big = Behaviour::Reply {
            status: 503,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body:
                br#"{"error":"x"}"#.iter().copied().chain(std::iter::repeat_n(b' ', len)).collect(),
        };
        let rig = Rig::start(vec![big, contact_list()], |b| b.max_response_bytes(CAP)).await;
        let error = rig
            .client
            .list_contacts(&contacts_query())
            .await
            .expect_err("over the cap");
        assert!(
            matches!(
                &error,
                Error::ResponseTooLarge { status, limit: CAP } if *status == StatusCode::SERVICE_UNAVAILABLE
            ),
            "{len}: {error:?}"
        );
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(error.kind(), None, "not an Error::Api");
        assert!(rig.waits().is_empty(), "{len}: never retried, even a 503");
        let response = rig
            .client
            .list_contacts(&contacts_query())
            .await
            .expect("the next call gets its own answer");
        assert_eq!(response.data[0].id, 1, "{len}");
        assert_eq!(response.attempts(), 1);
        rig.attempts(2);
    }
}

#[tokio::test]
async fn a_body_declared_over_the_cap_by_content_length_is_refused() {
    assert_refused_as_too_large(Framing::ContentLength).await;
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_without_a_final_chunk_is_refused_while_reading() {
    // The body never ends: a client that read to the end would hang until its timeout.
    assert_refused_as_too_large(Framing::Chunked { final_chunk: false }).await;
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_with_a_final_chunk_is_refused_while_reading() {
    assert_refused_as_too_large(Framing::Chunked { final_chunk: true }).await;
}

// ---------------------------------------------------------------------------------------------------------
// Lost connections

#[tokio::test]
async fn a_connection_reset_on_get_is_retried() {
    let rig = Rig::start(vec![Behaviour::Reset, contact_list()], |b| b).await;
    let response = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect("the second attempt is answered");
    assert_eq!(response.attempts(), 2);
    assert_eq!(rig.waits(), [ms(250)]);
    let attempts = rig.attempts(2);
    assert_ne!(attempts[0].connection, attempts[1].connection);
}

#[tokio::test]
async fn a_connection_reset_on_post_is_not_retried() {
    let rig = Rig::start(vec![Behaviour::Reset, sent_message()], |b| b).await;
    let error = rig
        .client
        .send_text_message(&phone_number_id(), &text_message())
        .await
        .expect_err("reset");
    assert_eq!(
        transport_facts(&error),
        TransportFacts {
            timeout: false,
            connect: false,
            request: true,
            body: false,
            decode: false,
            status: None,
        },
        "{error:?}"
    );
    let Error::Transport(transport) = &error else {
        unreachable!("checked by transport_facts")
    };
    assert!(
        io_kinds(transport).contains(&io::ErrorKind::ConnectionReset),
        "a reset among the causes: {error:?}"
    );
    assert_not_an_answer(&error);
    assert!(rig.waits().is_empty());
    rig.attempts(1);
    assert_eq!(
        rig.server.remaining(),
        1,
        "the request was received: may have been processed"
    );
}

#[tokio::test]
async fn a_connection_closed_without_answer_is_retried_for_get_only() {
    let rig = Rig::start(
        vec![
            Behaviour::CloseWithoutAnswer,
            contact_list(),
            Behaviour::CloseWithoutAnswer,
            sent_message(),
        ],
        |b| b,
    )
    .await;
    let response = rig
        .client
        .list_contacts(&contacts_query())
        .await
        .expect("retried");
    assert_eq!(response.attempts(), 2);
    assert_eq!(rig.waits(), [ms(250)]);
    rig.attempts(2);

    // The POST goes out on the connection kept alive after the 200, which then closes without answering:
    // neither the client nor its HTTP stack may send it again.
    let error = rig
        .client
        .send_text_message(&phone_number_id(), &text_message())
        .await
        .expect_err("no answer");
    assert_eq!(
        transport_facts(&error),
        TransportFacts {
            timeout: false,
            connect: false,
            request: true,
            body: false,
            decode: false,
            status: None,
        },
        "{error:?}"
    );
    assert_not_an_answer(&error);
    assert_eq!(rig.waits(), [ms(250)], "no wait: no retry");
    let attempts = rig.server.attempts();
    assert_eq!(attempts.len(), 3);
    assert!(attempts[2].signature_valid);
    assert_eq!(attempts[2].method, "POST");
    assert_eq!(
        attempts[2].connection, attempts[1].connection,
        "the kept-alive connection was reused"
    );
    assert_eq!(rig.server.remaining(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Answers slower than the timeout

/// Plays `call` on tokio's paused clock (`#[tokio::test(start_paused = true)]`), where the client's
/// per-attempt timeout (reqwest's, a tokio timer) fires only when the clock moves. It moves only here: by
/// `timeout`, each time the server has received one more of the first `slow` attempts, so that exactly that
/// attempt times out, while the client waits for its answer. Every other attempt waits on real I/O alone,
/// however busy the machine.
///
/// Tokio moves a paused clock by itself to the next timer whenever the runtime is idle, as it is while a
/// request is on the wire; a running blocking task prevents that (tokio's docs of `time::pause`,
/// "Preventing auto-advance"). So the call is awaited next to one short blocking sleep after another.
async fn on_paused_clock<F: Future>(
    server: &Adversary,
    slow: usize,
    timeout: Duration,
    call: F,
) -> F::Output {
    let started = std::time::Instant::now();
    let mut call = std::pin::pin!(call);
    let mut fired = 0;
    loop {
        if fired < slow && server.attempts().len() > fired {
            tokio::time::advance(timeout).await;
            fired += 1;
        }
        let nap = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(1)));
        tokio::select! {
            biased;
            output = &mut call => return output,
            _ = nap => {}
        }
        assert!(
            started.elapsed() < STUCK,
            "the call is still running after {STUCK:?} of real time; the clock moved {fired} times \
             by {timeout:?} and the server saw {} attempts",
            server.attempts().len()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_get_slower_than_the_timeout_is_retried_then_fails_as_a_timeout() {
    let slow = || contact_list().after(SERVER_DELAY);
    let rig = Rig::start(vec![slow(), slow(), slow(), contact_list()], |b| {
        b.timeout(SHORT_TIMEOUT)
    })
    .await;
    let call = rig.client.list_contacts(&contacts_query());
    let error = on_paused_clock(&rig.server, 3, SHORT_TIMEOUT, call)
        .await
        .expect_err("every attempt times out");
    assert_eq!(
        transport_facts(&error),
        TransportFacts {
            timeout: true,
            connect: false,
            request: true,
            body: false,
            decode: false,
            status: None,
        },
        "{error:?}"
    );
    assert_not_an_answer(&error);
    assert_eq!(rig.waits(), [ms(250), ms(500)]);
    let attempts = rig.attempts(3);
    assert_eq!(attempts[0].method, "GET");
    assert_eq!(rig.server.remaining(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_get_slower_than_the_timeout_once_succeeds_on_the_next_attempt() {
    let rig = Rig::start(
        vec![contact_list().after(SERVER_DELAY), contact_list()],
        |b| b.timeout(SHORT_TIMEOUT),
    )
    .await;
    let call = rig.client.list_contacts(&contacts_query());
    let response = on_paused_clock(&rig.server, 1, SHORT_TIMEOUT, call)
        .await
        .expect("the second attempt is fast");
    assert_eq!(response.attempts(), 2);
    assert_eq!(rig.waits(), [ms(250)]);
    rig.attempts(2);
}

#[tokio::test(start_paused = true)]
async fn a_post_slower_than_the_timeout_is_a_single_attempt() {
    let rig = Rig::start(
        vec![sent_message().after(SERVER_DELAY), sent_message()],
        |b| b.timeout(SHORT_TIMEOUT),
    )
    .await;
    let call = rig
        .client
        .send_text_message(&phone_number_id(), &text_message());
    let error = on_paused_clock(&rig.server, 1, SHORT_TIMEOUT, call)
        .await
        .expect_err("times out");
    assert_eq!(
        transport_facts(&error),
        TransportFacts {
            timeout: true,
            connect: false,
            request: true,
            body: false,
            decode: false,
            status: None,
        },
        "{error:?}"
    );
    assert_not_an_answer(&error);
    assert!(rig.waits().is_empty());
    rig.attempts(1);
    assert_eq!(rig.server.remaining(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_per_call_timeout_from_with_options_overrides_the_clients() {
    // The client's own timeout (5 s) would wait for the slow answer (4 s); the call's 1 s does not.
    let rig = Rig::start(
        vec![
            deleted().after(SERVER_DELAY),
            deleted().after(SERVER_DELAY),
            deleted(),
        ],
        |b| b,
    )
    .await;
    let client = rig
        .client
        .with_options(RequestOptions::new().timeout(SHORT_TIMEOUT));
    let response = on_paused_clock(&rig.server, 2, SHORT_TIMEOUT, client.delete_contact(7))
        .await
        .expect("the third attempt is fast");
    assert_eq!(response.attempts(), 3);
    assert_eq!(
        response.message.as_deref(),
        Some("Contact deleted successfully")
    );
    assert_eq!(rig.waits(), [ms(250), ms(500)]);
    rig.attempts(3);
}

// ---------------------------------------------------------------------------------------------------------
// The adversary itself

#[tokio::test]
async fn the_adversary_answers_500_once_its_script_is_exhausted_and_keeps_connections_alive() {
    let rig = Rig::start(vec![contact_list()], |b| b.retry(RetryPolicy::none())).await;
    rig.client
        .list_contacts(&contacts_query())
        .await
        .expect("scripted");
    let error = rig
        .client
        .delete_contact(7)
        .await
        .expect_err("nothing scripted");
    let api = api(&error);
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        api.body.as_ref().map(|body| body.error.as_str()),
        Some("script_exhausted")
    );
    assert!(api.raw_body.contains("the script is exhausted"));
    let attempts = rig.server.attempts();
    assert_eq!(attempts.len(), 2);
    assert!(attempts.iter().all(|attempt| attempt.signature_valid));
    assert_eq!(
        attempts[0].connection, attempts[1].connection,
        "several requests on one connection"
    );
}

#[tokio::test]
async fn the_adversary_flags_a_signature_made_with_another_secret() {
    // The adversary answers whatever the signature; `signature_valid` is what the other tests rely on, so
    // it must be able to say false.
    let server = Adversary::start(vec![contact_list(), contact_list()]).await;
    let client_with = |secret: &str| {
        Client::builder(Credentials {
            client_id: CLIENT_ID.to_owned(),
            domain: DOMAIN.to_owned(),
            hmac_secret: Secret::new(secret),
        })
        .base_url(server.base_url())
        .clock(|| NOW)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
    };
    for secret in ["another-secret", SECRET] {
        client_with(secret)
            .list_contacts(&contacts_query())
            .await
            .expect("scripted");
    }
    let attempts = server.attempts();
    assert_eq!(attempts.len(), 2);
    assert_eq!(
        (attempts[0].signature_valid, attempts[1].signature_valid),
        (false, true)
    );
    assert_eq!((attempts[0].timestamp, attempts[1].timestamp), (NOW, NOW));
}
