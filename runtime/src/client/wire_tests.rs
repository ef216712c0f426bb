//! Parameters in every location and style, non-JSON bodies and non-JSON answers, as they arrive at the
//! raw test server: what other specs' generated methods hand to the client.

use super::tests::{builder, json, Envelope, RULE};
use super::*;
use crate::params::Style;
use crate::test_server::{Reply, Server};

fn client(base: &str) -> Client {
    builder(base, RULE).build().expect("valid configuration")
}

#[tokio::test]
async fn query_header_and_cookie_parameters_are_written_in_their_styles() {
    let server = Server::start(json(200, "{}")).await;
    let mut request = Request::new(Method::GET, "/items".to_owned());
    request.query_value("tag", &vec!["a b", "c"], Style::Form, true);
    request.query_value("ids", &[1, 2], Style::Form, false);
    request.query_value(
        "filter",
        &serde_json::json!({"status": "open", "owner": {"id": 7}}),
        Style::DeepObject,
        true,
    );
    request.query_value("absent", &None::<Vec<u8>>, Style::Form, true);
    request.header_value("X-Trace", &["x", "y"], false);
    request.header_value("X-Absent", &None::<String>, false);
    request.cookie("session", &"s 1");
    request.cookie("prefs", &["dark", "ar"]);
    client(&server.base)
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200");
    let seen = server.recorded().await;
    assert_eq!(
        seen.request_line,
        "GET /api/developer/items?tag=a%20b&tag=c&ids=1,2&filter%5Bstatus%5D=open&filter%5Bowner%5D%5Bid%5D=7 HTTP/1.1"
    );
    assert_eq!(seen.header("x-trace"), Some("x,y"));
    assert_eq!(seen.header("x-absent"), None);
    assert_eq!(seen.header("cookie"), Some("session=s%201; prefs=dark,ar"));
}

#[tokio::test]
async fn form_text_and_binary_bodies_carry_their_media_types() {
    #[derive(serde::Serialize)]
    struct Charge {
        amount: u32,
        expand: Vec<&'static str>,
        metadata: std::collections::BTreeMap<&'static str, &'static str>,
        description: Option<&'static str>,
    }
    type SetBody = Box<dyn Fn(&mut Request)>;
    let cases: Vec<(SetBody, &str, &[u8])> = vec![
        (
            Box::new(|r: &mut Request| {
                r.form(
                    "application/x-www-form-urlencoded",
                    &Charge {
                        amount: 2000,
                        expand: vec!["customer"],
                        metadata: [("order", "6735")].into_iter().collect(),
                        description: None,
                    },
                )
            }),
            "application/x-www-form-urlencoded",
            b"amount=2000&expand=customer&metadata%5Border%5D=6735",
        ),
        (
            Box::new(|r: &mut Request| r.text("text/csv", "a,b\n1,2\n")),
            "text/csv",
            b"a,b\n1,2\n",
        ),
        (
            Box::new(|r: &mut Request| {
                r.bytes("image/png", Bytes::from_static(b"\x89PNG\r\n\x1a\n\x00"))
            }),
            "image/png",
            b"\x89PNG\r\n\x1a\n\x00",
        ),
        (
            Box::new(|r: &mut Request| r.json_as("application/merge-patch+json", &[1, 2])),
            "application/merge-patch+json",
            b"[1,2]",
        ),
    ];
    for (set_body, content_type, body) in cases {
        let server = Server::start(json(204, "")).await;
        let mut request = Request::new(Method::POST, "/upload".to_owned());
        set_body(&mut request);
        client(&server.base)
            .send::<(), Envelope>(request)
            .await
            .expect("204");
        let seen = server.recorded().await;
        assert_eq!(seen.header("content-type"), Some(content_type));
        assert_eq!(seen.body, body, "{content_type}");
    }
}

#[tokio::test]
async fn a_value_that_cannot_be_serialized_is_refused_before_sending() {
    struct Refuses;
    impl serde::Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> std::result::Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no wire form"))
        }
    }
    // No server: nothing may be sent, so the port is never connected to.
    let mut request = Request::new(Method::GET, "/items".to_owned());
    request.header_value("X-Refuses", &Refuses, false);
    let error = client("http://127.0.0.1:9")
        .send::<(), Envelope>(request)
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, Error::InvalidRequest { field, message } if field == "X-Refuses" && message.contains("no wire form")),
        "{error:?}"
    );
}

#[tokio::test]
async fn answers_are_read_by_the_operations_decoder() {
    let text = Reply {
        status: 200,
        headers: vec![("Content-Type", "text/plain; charset=utf-8")],
        body: "مرحبا".as_bytes().to_vec(),
    };
    let server = Server::start(text).await;
    let request = Request::new(Method::GET, "/greeting".to_owned());
    let response = client(&server.base)
        .send_with::<String, Envelope>(request, crate::decode::text)
        .await
        .expect("text");
    assert_eq!(response.body(), "مرحبا");

    let binary = Reply {
        status: 200,
        headers: vec![("Content-Type", "application/octet-stream")],
        body: vec![0, 159, 255],
    };
    let server = Server::start(binary).await;
    let request = Request::new(Method::GET, "/blob".to_owned());
    let response = client(&server.base)
        .send_with::<Bytes, Envelope>(request, crate::decode::bytes)
        .await
        .expect("bytes");
    assert_eq!(response.body().as_ref(), [0, 159, 255]);

    let not_text = Reply {
        status: 200,
        headers: vec![],
        body: vec![0xff],
    };
    let server = Server::start(not_text).await;
    let request = Request::new(Method::GET, "/greeting".to_owned());
    let error = client(&server.base)
        .send_with::<String, Envelope>(request, crate::decode::text)
        .await
        .expect_err("not UTF-8");
    assert!(matches!(error, Error::Decode { status, .. } if status == StatusCode::OK));
}

#[tokio::test]
async fn a_redirect_is_the_answer_only_of_an_operation_that_says_so() {
    let see_other = || Reply {
        status: 303,
        headers: vec![("Location", "/home")],
        body: b"<html>elsewhere</html>".to_vec(),
    };
    let server = Server::script(vec![see_other(), see_other()]).await;
    let mut login = Request::new(Method::POST, "/login".to_owned());
    login.redirect_is_answer();
    let answer = client(&server.base)
        .send_with::<(), Envelope>(login, crate::decode::empty)
        .await
        .expect("a documented redirect is the answer");
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        answer.headers().get("location").map(|v| v.as_bytes()),
        Some(&b"/home"[..]),
        "and it is not followed"
    );
    let other = Request::new(Method::POST, "/login".to_owned());
    let error = client(&server.base)
        .send_with::<(), Envelope>(other, crate::decode::empty)
        .await
        .expect_err("any other operation takes a 3xx as an error");
    assert_eq!(error.status(), Some(StatusCode::SEE_OTHER));
    assert_eq!(server.all_recorded().await.len(), 2);
}

#[tokio::test]
async fn a_call_is_sent_when_first_awaited_and_never_when_dropped() {
    let server = Server::start(json(200, r#"{"n":1}"#)).await;
    let client = client(&server.base);
    let mut request = Request::new(Method::GET, "/dropped".to_owned());
    request.header_value("X-Secret-Param", &"s3cr3t", false);
    let dropped = client.send::<serde_json::Value, Envelope>(request);
    let shown = format!("{dropped:?}");
    assert!(
        shown.contains("GET") && shown.contains("\"/dropped\""),
        "{shown}"
    );
    assert!(!shown.contains("s3cr3t"), "{shown}");
    drop(dropped);
    let kept =
        client.send::<serde_json::Value, Envelope>(Request::new(Method::GET, "/kept".to_owned()));
    // The server records a request as soon as it has read it; give it the chance.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    let answer = kept.await.expect("200");
    assert_eq!(answer.into_body()["n"], 1);
    let seen = server.recorded().await;
    assert!(
        seen.request_line.starts_with("GET /api/developer/kept "),
        "{}",
        seen.request_line
    );
}
