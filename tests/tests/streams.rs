//! Answers read as they arrive and bodies streamed from files, through a client generated at build time
//! (`build.rs`) from `tests/fixtures/streams.yaml`, against a server on 127.0.0.1: typed server-sent
//! events (JSON and text data, an operation offering both JSON and events), a binary download saved to
//! a file or cut off, and a binary upload from a file and from memory.

// The whole generated crate is included; these tests use part of it, and its `full-serde` feature is
// the generated crate's, not this one's.
#[allow(dead_code, unused_imports, unexpected_cfgs)]
mod api {
    include!(concat!(env!("OUT_DIR"), "/streams.rs"));
}

use api::types::{Change, ChatRequest, ReplyDelta};
use api::{Client, Credentials, Error, Secret};
use awal_tests::recorder::{Recorder, Route};
use futures_util::StreamExt as _;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Notify;

fn sse(pieces: &[&str]) -> Route {
    Route {
        status: 200,
        content_type: "text/event-stream",
        pieces: pieces.iter().map(|p| p.as_bytes().to_vec()).collect(),
        cut: None,
    }
}

fn client(server: &Recorder) -> Client {
    Client::builder(Credentials {
        bearer_auth: Secret::new("t0ken"),
    })
    .base_url(format!("{}/v1", server.base_url()))
    .build()
    .expect("valid configuration")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("awal-tests-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn events_are_typed_with_their_type_id_and_retry() {
    let server = Recorder::start(vec![(
        "/v1/events",
        sse(&[
            ": hello\n\nid: 1\ndata: {\"id\": 1, \"ki",
            "nd\": \"created\"}\n\nevent: gone\nid: 2\nretry: 3000\r\ndata: {\"id\": 1, \"kind\": \"deleted\"}\r\n\r",
            "\n",
        ]),
    )])
    .await;
    let response = client(&server).watch_events().await.expect("200");
    let events: Vec<_> = response
        .into_body()
        .map(|event| event.expect("well-formed"))
        .collect()
        .await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].event.as_str(), events[0].id.as_deref()),
        ("message", Some("1"))
    );
    assert_eq!(
        events[0].data,
        Change {
            id: 1,
            kind: "created".into()
        }
    );
    assert_eq!(events[1].event, "gone");
    assert_eq!(events[1].retry, Some(std::time::Duration::from_secs(3)));
    assert_eq!(
        serde_json::to_value(&events[1]).expect("serializable"),
        json!({"event": "gone", "data": {"id": 1, "kind": "deleted"}, "id": "2", "retry": 3000})
    );
    let received = server.received();
    assert_eq!(received[0].header("accept"), Some("text/event-stream"));
    assert_eq!(received[0].header("authorization"), Some("Bearer t0ken"));
}

#[tokio::test]
async fn an_operation_offering_json_and_events_has_both_methods() {
    let server = Recorder::start(vec![
        ("/v1/chat", Route::json(200, json!({"text": "whole"}))),
        (
            "/v1/chat text/event-stream",
            sse(&[
                "data: {\"delta\": \"wh\"}\n\n",
                "data: {\"delta\": \"ole\"}\n\ndata: [DONE]\n\n",
            ]),
        ),
        (
            "/v1/log",
            sse(&["data: first line\n\ndata: second\ndata: line\n\n"]),
        ),
    ])
    .await;
    let api = client(&server);
    let whole = api
        .chat(&ChatRequest {
            prompt: "hi".into(),
            stream: None,
        })
        .await
        .expect("200");
    assert_eq!(whole.text, "whole");
    let deltas: Vec<ReplyDelta> = api
        .chat_events(&ChatRequest {
            prompt: "hi".into(),
            stream: Some(true),
        })
        .await
        .expect("200")
        .into_body()
        .map(|event| event.expect("well-formed").data)
        .collect()
        .await;
    assert_eq!(
        deltas,
        [
            ReplyDelta { delta: "wh".into() },
            ReplyDelta {
                delta: "ole".into()
            }
        ]
    );
    let lines: Vec<String> = api
        .tail_log()
        .await
        .expect("200")
        .into_body()
        .map(|event| event.expect("text").data)
        .collect()
        .await;
    assert_eq!(lines, ["first line", "second\nline"]);
    let received = server.received();
    assert_eq!(received[0].header("accept"), Some("application/json"));
    assert_eq!(received[1].header("accept"), Some("text/event-stream"));
    assert_eq!(received[1].body, br#"{"prompt":"hi","stream":true}"#);
}

#[tokio::test]
async fn a_download_is_saved_as_it_arrives_and_a_cut_one_leaves_no_file() {
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let cut_now = Arc::new(Notify::new());
    let server = Recorder::start(vec![
        (
            "/v1/files/7",
            Route {
                status: 200,
                content_type: "application/pdf",
                pieces: content.chunks(100_000).map(<[u8]>::to_vec).collect(),
                cut: None,
            },
        ),
        (
            "/v1/files/8",
            Route {
                status: 200,
                content_type: "application/pdf",
                pieces: vec![content[..1000].to_vec()],
                cut: Some(Arc::clone(&cut_now)),
            },
        ),
    ])
    .await;
    let api = client(&server);
    let dir = temp_dir("download");
    let path = dir.join("file.pdf");
    let response = api.download_file(7).await.expect("200");
    assert_eq!(
        response.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/pdf"[..])
    );
    let written = response.into_body().save_to(&path).await.expect("saved");
    assert_eq!(written, 3_000_000);
    assert_eq!(std::fs::read(&path).expect("the file"), content);

    let cut = dir.join("cut.pdf");
    let response = api.download_file(8).await.expect("200");
    cut_now.notify_one();
    let error = response
        .into_body()
        .save_to(&cut)
        .await
        .expect_err("cut off");
    assert!(matches!(error, Error::Interrupted { .. }), "{error:?}");
    assert!(!cut.exists());
    // The media type the spec documents for the answer is the one asked for.
    assert_eq!(
        server.received()[0].header("accept"),
        Some("application/pdf")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_upload_comes_from_a_file_or_from_memory() {
    let server = Recorder::start(vec![
        ("/v1/files/7", Route::body(204, "text/plain", "")),
        ("/v1/files/9", Route::body(204, "text/plain", "")),
    ])
    .await;
    let api = client(&server);
    let dir = temp_dir("upload");
    let path = dir.join("upload.bin");
    let content: Vec<u8> = (0..2_500_000u32).map(|i| (i % 249) as u8).collect();
    std::fs::write(&path, &content).expect("write");
    api.upload_file(7, api::Upload::path(&path))
        .await
        .expect("204");
    let in_memory = api::runtime::bytes::Bytes::from_static(b"small");
    api.upload_file(9, &in_memory).await.expect("204");
    let received = server.received();
    assert_eq!(received[0].header("content-length"), Some("2500000"));
    assert_eq!(
        received[0].header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(received[0].body, content);
    assert_eq!(received[1].body, b"small");
    let _ = std::fs::remove_dir_all(dir);
}
