//! Hooks against the test server: every attempt is seen, with its operation and number, and no credential
//! ever is. (Tracing is tested in `tests/tracing.rs`, a process of its own: tracing's per-callsite
//! interest is global, and other tests running alongside would race it.)

use super::tests::{assert_signed, json, Envelope, NOW, RULE, SECRET};
use super::*;
use crate::request::Request;
use crate::test_server::{Recorded, Server};
use std::sync::Mutex;

fn ok() -> crate::test_server::Reply {
    json(200, "{}")
}

/// What a hook saw of a request: operation, attempt, URL, header names.
type SeenRequest = (Option<&'static str>, u32, String, Vec<String>);
/// What a hook saw of an answer: operation, attempt, status.
type SeenResponse = (Option<&'static str>, u32, Option<u16>);

/// Records what the hooks see.
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<SeenRequest>>,
    responses: Mutex<Vec<SeenResponse>>,
}

struct Recording(Arc<Seen>);

impl crate::Hook for Recording {
    fn on_request(&self, request: &mut crate::HookRequest<'_>) {
        let names = request
            .headers()
            .keys()
            .map(|name| name.as_str().to_owned())
            .collect();
        self.0.requests.lock().expect("log").push((
            request.operation(),
            request.attempt(),
            request.url().to_string(),
            names,
        ));
        let attempt = request.attempt();
        request
            .headers_mut()
            .insert("x-trace", HeaderValue::from(attempt));
    }

    fn on_response(&self, response: &crate::HookResponse<'_>) {
        self.0.responses.lock().expect("log").push((
            response.operation(),
            response.attempt(),
            response.status().map(|s| s.as_u16()),
        ));
    }
}

#[tokio::test]
async fn hooks_see_every_attempt_and_no_credential() {
    let server = Server::script(vec![json(503, "{}"), ok()]).await;
    let seen = Arc::new(Seen::default());
    let client = ClientBuilder::new(
        format!("{}/api/developer", server.base),
        crate::Auth::signed(RULE, crate::Secret::from(SECRET)).query("api_key", "k3y-secret"),
    )
    .clock(|| NOW)
    .sleep(|_| Box::pin(async {}))
    .hook(Recording(Arc::clone(&seen)))
    .build()
    .expect("valid configuration");
    let mut request = Request::for_operation("listItems", Method::GET, "/items".to_owned());
    request.query("q", &"x");
    client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200 after a retry");
    let requests = seen.requests.lock().expect("log").clone();
    assert_eq!(requests.len(), 2);
    for (i, (operation, attempt, url, names)) in requests.iter().enumerate() {
        assert_eq!(*operation, Some("listItems"));
        assert_eq!(*attempt, i as u32 + 1);
        assert!(url.ends_with("/api/developer/items?q=x"), "{url}");
        assert!(
            !names
                .iter()
                .any(|n| n.contains("signature") || n == "x-timestamp"),
            "{names:?}"
        );
    }
    assert_eq!(
        *seen.responses.lock().expect("log"),
        [
            (Some("listItems"), 1, Some(503)),
            (Some("listItems"), 2, Some(200))
        ]
    );
    let recorded: Vec<Recorded> = server.all_recorded().await;
    assert_eq!(recorded[0].header("x-trace"), Some("1"));
    assert_eq!(recorded[1].header("x-trace"), Some("2"));
    assert_eq!(
        recorded[1].request_line,
        "GET /api/developer/items?q=x&api_key=k3y-secret HTTP/1.1"
    );
    // The hook's header is signed with the rest (the test rule signs no headers, only the request).
    recorded.iter().for_each(assert_signed);
}

#[tokio::test]
async fn hooks_see_transport_failures_without_the_credential_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let seen = Arc::new(Seen::default());
    struct Errors(Arc<Mutex<Vec<String>>>);
    impl crate::Hook for Errors {
        fn on_response(&self, response: &crate::HookResponse<'_>) {
            if let Some(error) = response.error() {
                self.0
                    .lock()
                    .expect("log")
                    .push(crate::error::causes(error));
            }
        }
    }
    let errors = Arc::new(Mutex::new(Vec::new()));
    let client = ClientBuilder::new(
        format!("http://{address}"),
        crate::Auth::unsigned().query("api_key", "k3y-secret"),
    )
    .retry(RetryPolicy::none())
    .hook(Recording(Arc::clone(&seen)))
    .hook(Errors(Arc::clone(&errors)))
    .build()
    .expect("valid configuration");
    let error = client
        .send::<serde_json::Value, Envelope>(Request::new(Method::GET, "/items".to_owned()))
        .await
        .expect_err("nothing listens");
    let errors = errors.lock().expect("log").clone();
    assert_eq!(errors.len(), 1);
    for shown in errors.iter().chain([&format!("{error} {error:?}")]) {
        assert!(!shown.contains("k3y-secret"), "{shown}");
    }
    assert_eq!(*seen.responses.lock().expect("log"), [(None, 1, None)]);
}
