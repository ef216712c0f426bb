//! Tracing (feature `tracing`): one span per call, one event per attempt, never a credential, against the
//! test server on 127.0.0.1. A test binary of its own, with one test: tracing caches per callsite whether
//! any subscriber wants it, process-wide, and tests running alongside on other threads race that cache.

#[path = "support/server.rs"]
mod server;

use openapi_client_runtime::request::Request;
use openapi_client_runtime::signing::{MultipartBody, PathForm, SignedPart, SigningRule};
use openapi_client_runtime::{Auth, ClientBuilder, Method, Secret};
use server::{Reply, Server};
use std::fmt;
use std::sync::{Arc, Mutex};

const SECRET: &str = "your-hmac-secret";
const NOW: u64 = 1_704_124_800;
const RULE: SigningRule = SigningRule {
    header: "X-Signature-256",
    prefix: "sha256=",
    timestamp_header: "X-Timestamp",
    parts: &[
        SignedPart::Method,
        SignedPart::Path,
        SignedPart::Query,
        SignedPart::Timestamp,
        SignedPart::Body,
    ],
    path: PathForm::RelativeToServer,
    multipart_body: MultipartBody::Raw,
    clock_skew_status: None,
};

fn json(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "application/json")],
        body: body.as_bytes().to_vec(),
    }
}

/// Every span and event, as text: name, then `field=value` pairs.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        use std::fmt::Write as _;
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    /// This crate's spans and events only (reqwest and hyper have their own).
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target().starts_with("openapi_client_runtime")
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut text = format!("span {}", span.metadata().name());
        span.record(&mut Fields(&mut text));
        let mut log = self.0.lock().expect("log");
        log.push(text);
        tracing::span::Id::from_u64(log.len() as u64)
    }

    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut text = "record".to_owned();
        values.record(&mut Fields(&mut text));
        self.0.lock().expect("log").push(text);
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = "event".to_owned();
        event.record(&mut Fields(&mut text));
        self.0.lock().expect("log").push(text);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn tracing_has_one_span_per_call_and_one_event_per_attempt_and_no_credential() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());
    let server = Server::script(vec![json(503, "{}"), json(200, "{}")]).await;
    let client = ClientBuilder::new(
        format!("{}/api/developer", server.base),
        Auth::signed(RULE, Secret::from(SECRET))
            .query("api_key", "k3y-secret")
            .bearer("t0ken-secret"),
    )
    .clock(|| NOW)
    .sleep(|_| Box::pin(async {}))
    .build()
    .expect("valid configuration");
    let request = Request::for_operation("listItems", Method::GET, "/items".to_owned());
    client
        .send::<serde_json::Value, serde_json::Value>(request)
        .await
        .expect("200 after a retry");
    let log = capture.0.lock().expect("log").clone();
    let spans: Vec<&String> = log.iter().filter(|l| l.starts_with("span ")).collect();
    assert_eq!(spans.len(), 1, "{log:#?}");
    assert!(
        spans[0].contains("operation=\"listItems\"") && spans[0].contains("method=GET"),
        "{}",
        spans[0]
    );
    let attempts: Vec<&String> = log.iter().filter(|l| l.starts_with("event")).collect();
    assert_eq!(attempts.len(), 2, "{log:#?}");
    assert!(attempts[0].contains("attempt=1") && attempts[0].contains("status=503"));
    assert!(attempts[1].contains("attempt=2") && attempts[1].contains("status=200"));
    assert!(log.iter().any(|l| l.contains("attempts=2")), "{log:#?}");
    for line in &log {
        for secret in ["k3y-secret", "t0ken-secret", SECRET, "sha256="] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
    }
    let seen = server.all_recorded().await;
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r
        .header("x-signature-256")
        .is_some_and(|s| s.starts_with("sha256="))));
}
