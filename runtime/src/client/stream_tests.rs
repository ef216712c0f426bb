//! Answers read as they arrive, and bodies streamed from files, against the test server on 127.0.0.1:
//! server-sent events cut at awkward bytes, malformed, ended by `[DONE]`, dropped and resumed; downloads
//! that are slow, cut off, silent or too large; uploads from files and readers, signed and unsigned,
//! retried, and changed between the pass that signs and the pass that sends.

use super::tests::{assert_signed, builder, json, Envelope, RULE};
use super::*;
use crate::download::ByteStream;
use crate::request::Request;
use crate::sse::Event;
use crate::test_server::{chunk, Server, Step};
use crate::Upload;
use futures_util::StreamExt as _;
use std::sync::Mutex;
use tokio::sync::Notify;

/// The head of a chunked `text/event-stream` answer.
fn sse_head() -> Step {
    Step::Send(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec(),
    )
}

/// Each piece as a chunk of its own: the client reads the pieces as they are cut.
fn pieces(cut: &[&[u8]]) -> Vec<Step> {
    cut.iter().map(|piece| Step::Send(chunk(piece))).collect()
}

const END: &[u8] = b"0\r\n\r\n";

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Delta {
    n: u32,
    text: String,
}

fn delta(n: u32, text: &str) -> Delta {
    Delta {
        n,
        text: text.to_owned(),
    }
}

/// A client of the test server with a recorded sleep.
fn client_with_sleeps(base: &str) -> (Client, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&waits);
    let client = builder(base, RULE)
        .sleep(move |wait| {
            recorded.lock().expect("waits").push(wait);
            Box::pin(async {})
        })
        .build()
        .expect("valid configuration");
    (client, waits)
}

async fn events_of(
    client: &Client,
    method: Method,
) -> Result<Response<crate::sse::Events<Delta, Envelope>>, Envelope> {
    client
        .events(
            Request::new(method, "/stream".to_owned()),
            crate::sse::json::<Delta>,
        )
        .await
}

#[tokio::test]
async fn events_cut_at_awkward_bytes_arrive_whole_and_in_order() {
    // Cut inside the byte order mark, inside a field name, between CR and LF, inside a two-byte
    // character, inside `[DONE]`; and a comment, an event type, an ID and a retry time on the way.
    let stream = "\u{FEFF}: keep-alive\r\ndata: {\"n\":1,\"text\":\"مر\"}\r\n\r\n\
                  event: update\nid: 7\nretry: 2500\ndata: {\"n\":2,\ndata: \"text\":\"two\"}\n\n\
                  data: [DONE]\n\n"
        .as_bytes();
    let mid_char = stream
        .windows(2)
        .position(|w| w == "ر".as_bytes())
        .expect("the character")
        + 1;
    let cr = stream.iter().position(|&b| b == b'\r').expect("a CR") + 1;
    let done = stream.len() - 6;
    let cuts = [1, 8, cr, mid_char, mid_char + 20, done];
    let mut cut: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    for at in cuts {
        cut.push(&stream[start..at]);
        start = at;
    }
    cut.push(&stream[start..]);
    let mut script = vec![sse_head()];
    script.extend(pieces(&cut));
    // After `[DONE]` the server keeps the connection open: the stream must end anyway.
    script.push(Step::HoldUntilClosed);
    let server = Server::streams(vec![script]).await;
    let (client, _) = client_with_sleeps(&server.base);

    let response = events_of(&client, Method::POST).await.expect("200");
    assert_eq!(response.status(), StatusCode::OK);
    let events: Vec<_> = response.into_body().collect().await;
    let events: Vec<Event<Delta>> = events
        .into_iter()
        .map(|event| event.expect("well-formed"))
        .collect();
    assert_eq!(
        events,
        [
            Event {
                event: "message".into(),
                data: delta(1, "مر"),
                id: None,
                retry: None
            },
            Event {
                event: "update".into(),
                data: delta(2, "two"),
                id: Some("7".into()),
                retry: Some(Duration::from_millis(2500))
            },
        ]
    );
    // The stream was dropped at `[DONE]`: the server sees the connection closed.
    tokio::time::timeout(Duration::from_secs(10), server.closed.notified())
        .await
        .expect("the client closed the connection after [DONE]");
    let seen = server.recorded().await;
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_signed(&seen);
}

#[tokio::test]
async fn a_malformed_event_is_an_error_item_and_the_stream_goes_on() {
    let mut script = vec![sse_head()];
    script.extend(pieces(&[
        b"data: {\"n\":1,\"text\":\"a\"}\n\n",
        b"data: {\"n\":\"not a number\"}\n\n",
        b"data: \xff\xfe\n\n",
        // The last event has no blank line after it.
        b"data: {\"n\":4,\"text\":\"d\"}",
    ]));
    script.push(Step::Send(END.to_vec()));
    let server = Server::streams(vec![script]).await;
    let (client, _) = client_with_sleeps(&server.base);
    let items: Vec<_> = events_of(&client, Method::POST)
        .await
        .expect("200")
        .into_body()
        .collect()
        .await;
    assert_eq!(items.len(), 4);
    assert_eq!(items[0].as_ref().expect("first").data, delta(1, "a"));
    match &items[1] {
        Err(Error::Decode {
            status, body_start, ..
        }) => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(body_start, r#"{"n":"not a number"}"#);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    match &items[2] {
        Err(Error::Decode { source, .. }) => {
            assert!(source.to_string().contains("not UTF-8"), "{source}")
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(items[3].as_ref().expect("last").data, delta(4, "d"));
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let mut script = vec![sse_head()];
    script.extend(pieces(&[b"data: {\"n\":1,\"text\":\"a\"}\n\n"]));
    script.push(Step::HoldUntilClosed);
    let server = Server::streams(vec![script]).await;
    let (client, _) = client_with_sleeps(&server.base);
    let mut events = events_of(&client, Method::GET)
        .await
        .expect("200")
        .into_body();
    assert_eq!(
        events.next().await.expect("an event").expect("ok").data,
        delta(1, "a")
    );
    drop(events);
    tokio::time::timeout(Duration::from_secs(10), server.closed.notified())
        .await
        .expect("the client closed the connection when the stream was dropped");
}

#[tokio::test]
async fn a_broken_get_stream_resumes_after_the_last_event_id() {
    let mut first = vec![sse_head()];
    first.extend(pieces(&[
        b"retry: 1500\nid: 1\ndata: {\"n\":1,\"text\":\"a\"}\n\n",
        b"id: 2\ndata: {\"n\":2,\"text\":\"b\"}\n\n",
        // Half an event, then the connection breaks.
        b"id: 3\ndata: {\"n\":3,",
    ]));
    first.push(Step::Cut);
    let mut second = vec![sse_head()];
    second.extend(pieces(&[b"id: 3\ndata: {\"n\":3,\"text\":\"c\"}\n\n"]));
    second.push(Step::Send(END.to_vec()));
    let server = Server::streams(vec![first, second]).await;
    let (client, waits) = client_with_sleeps(&server.base);
    let items: Vec<_> = events_of(&client, Method::GET)
        .await
        .expect("200")
        .into_body()
        .collect()
        .await;
    let numbers: Vec<u32> = items
        .into_iter()
        .map(|item| item.expect("no error reaches the caller").data.n)
        .collect();
    assert_eq!(numbers, [1, 2, 3], "the half event is not delivered twice");
    assert_eq!(
        *waits.lock().expect("waits"),
        [Duration::from_millis(1500)],
        "waited the server's retry time"
    );
    let seen = server.all_recorded().await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("last-event-id"), None);
    assert_eq!(seen[1].header("last-event-id"), Some("2"));
    // The reconnection is signed anew.
    seen.iter().for_each(assert_signed);
}

#[tokio::test]
async fn a_broken_post_stream_is_not_sent_again() {
    let mut script = vec![sse_head()];
    script.extend(pieces(&[b"id: 1\ndata: {\"n\":1,\"text\":\"a\"}\n\n"]));
    script.push(Step::Cut);
    let server = Server::streams(vec![script]).await;
    let (client, waits) = client_with_sleeps(&server.base);
    let items: Vec<_> = events_of(&client, Method::POST)
        .await
        .expect("200")
        .into_body()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(
        matches!(&items[1], Err(Error::Interrupted { status, .. }) if *status == StatusCode::OK),
        "{:?}",
        items[1]
    );
    assert!(waits.lock().expect("waits").is_empty());
    assert_eq!(server.all_recorded().await.len(), 1);
}

#[tokio::test]
async fn an_answer_that_is_not_an_event_stream_is_a_decode_error() {
    let server = Server::start(json(200, r#"{"n":1}"#)).await;
    let (client, _) = client_with_sleeps(&server.base);
    match events_of(&client, Method::POST).await {
        Err(Error::Decode {
            source, body_start, ..
        }) => {
            assert!(source.to_string().contains("application/json"), "{source}");
            assert_eq!(body_start, r#"{"n":1}"#);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let server = Server::start(json(404, r#"{"error":"nf","message":"no"}"#)).await;
    let (client, _) = client_with_sleeps(&server.base);
    let error = events_of(&client, Method::POST).await.expect_err("404");
    assert_eq!(
        error.api().and_then(|api| api.body.as_ref()),
        Some(&Envelope {
            error: "nf".into(),
            message: "no".into()
        })
    );
}

/// The head of a `Content-Length` answer of `len` bytes of `application/octet-stream`.
fn binary_head(len: usize) -> Step {
    Step::Send(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
        .into_bytes(),
    )
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn download(client: &Client) -> Result<Response<ByteStream<Envelope>>, Envelope> {
    client
        .download(Request::new(Method::GET, "/files/1".to_owned()))
        .await
}

#[tokio::test]
async fn a_slow_download_is_handed_over_as_it_arrives() {
    let body = pattern(300_000);
    let go_on = Arc::new(Notify::new());
    let server = Server::streams(vec![vec![
        binary_head(body.len()),
        Step::Send(body[..100_000].to_vec()),
        // The rest is sent only once the client has shown it has the first part.
        Step::Wait(Arc::clone(&go_on)),
        Step::Send(body[100_000..].to_vec()),
    ]])
    .await;
    let (client, _) = client_with_sleeps(&server.base);
    let response = download(&client).await.expect("200");
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.into_body();
    assert_eq!(stream.content_length(), Some(300_000));
    let mut received = Vec::new();
    while received.len() < 100_000 {
        received.extend_from_slice(&stream.next().await.expect("a piece").expect("ok"));
    }
    assert_eq!(received.len(), 100_000, "nothing beyond what was sent");
    go_on.notify_one();
    while let Some(piece) = stream.next().await {
        received.extend_from_slice(&piece.expect("ok"));
    }
    assert_eq!(received, body);
    assert_eq!(stream.bytes_read(), 300_000);
    let seen = server.recorded().await;
    assert_eq!(seen.header("accept"), Some("*/*"));
}

#[tokio::test]
async fn a_download_cut_off_midway_is_an_error_and_leaves_no_file() {
    let body = pattern(50_000);
    let cut = || {
        vec![
            binary_head(body.len()),
            Step::Send(body[..20_000].to_vec()),
            Step::Cut,
        ]
    };
    let server = Server::streams(vec![cut(), cut()]).await;
    let (client, _) = client_with_sleeps(&server.base);

    let mut stream = download(&client).await.expect("200").into_body();
    let mut received = 0;
    let error = loop {
        match stream.next().await.expect("an error before the end") {
            Ok(piece) => received += piece.len(),
            Err(error) => break error,
        }
    };
    assert_eq!(received, 20_000);
    assert!(
        matches!(&error, Error::Interrupted { status, .. } if *status == StatusCode::OK),
        "{error:?}"
    );
    assert!(
        stream.next().await.is_none(),
        "the stream ends after the error"
    );

    let dir = temp_dir("cut");
    let path = dir.join("download.bin");
    let error = download(&client)
        .await
        .expect("200")
        .into_body()
        .save_to(&path)
        .await
        .expect_err("cut off");
    assert!(matches!(error, Error::Interrupted { .. }), "{error:?}");
    assert!(!path.exists(), "no partial file is left behind");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_download_is_saved_to_a_file_or_collected_within_a_limit() {
    let body = pattern(1_000_000);
    let whole = || vec![binary_head(body.len()), Step::Send(body.clone())];
    let server = Server::streams(vec![whole(), whole(), whole()]).await;
    // A buffered limit far below the body: streamed answers are not capped by it.
    let client = builder(&server.base, RULE)
        .max_response_bytes(1000)
        .build()
        .expect("valid configuration");
    let dir = temp_dir("save");
    let path = dir.join("download.bin");
    let written = download(&client)
        .await
        .expect("200")
        .into_body()
        .save_to(&path)
        .await
        .expect("saved");
    assert_eq!(written, 1_000_000);
    assert_eq!(std::fs::read(&path).expect("the file"), body);

    let collected = download(&client)
        .await
        .expect("200")
        .into_body()
        .collect(1_000_000)
        .await
        .expect("within the limit");
    assert_eq!(&collected[..], &body[..]);
    let error = download(&client)
        .await
        .expect("200")
        .into_body()
        .collect(999_999)
        .await
        .expect_err("over the limit");
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 999_999, .. }),
        "{error:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Plays `call` on tokio's paused clock without letting the clock move by itself (a blocking task is
/// always running: see tokio's `time::pause`), moving it by `step` only when `stalled()` says the
/// server has gone quiet on purpose.
async fn with_manual_clock<F: std::future::Future>(
    step: Duration,
    stalled: impl Fn() -> bool,
    call: F,
) -> F::Output {
    let mut call = std::pin::pin!(call);
    loop {
        if stalled() {
            tokio::time::advance(step).await;
        }
        let nap = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(1)));
        tokio::select! {
            biased;
            output = &mut call => return output,
            _ = nap => {}
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_download_fails_as_stalled() {
    let server = Server::streams(vec![vec![
        binary_head(10_000),
        Step::Send(pattern(1_000)),
        Step::HoldUntilClosed,
    ]])
    .await;
    let timeout = Duration::from_secs(30);
    let client = builder(&server.base, RULE)
        .timeout(timeout)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration");
    let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&received);
    let outcome = with_manual_clock(
        timeout,
        || received.load(std::sync::atomic::Ordering::SeqCst) == 1_000,
        async move {
            let mut stream = download(&client).await.expect("200").into_body();
            loop {
                match stream.next().await.expect("an item") {
                    Ok(piece) => {
                        counted.fetch_add(piece.len(), std::sync::atomic::Ordering::SeqCst);
                    }
                    Err(error) => return error,
                }
            }
        },
    )
    .await;
    assert!(
        matches!(outcome, Error::Stalled { status: Some(StatusCode::OK), after } if after == timeout),
        "{outcome:?}"
    );
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "openapi-client-runtime-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn ok() -> crate::test_server::Reply {
    json(200, "{}")
}

#[tokio::test]
async fn an_unsigned_file_upload_is_streamed_with_its_exact_length_and_reread_on_retry() {
    let dir = temp_dir("unsigned");
    let path = dir.join("upload.bin");
    let content = pattern(700_000);
    std::fs::write(&path, &content).expect("write the file");
    let server = Server::script(vec![json(503, "{}"), ok()]).await;
    let client = ClientBuilder::new(server.base.clone(), crate::Auth::unsigned())
        .sleep(|_| Box::pin(async {}))
        .build()
        .expect("valid configuration");
    let mut request = Request::new(Method::PUT, "/files/1".to_owned());
    request.upload("application/octet-stream", Upload::path(&path));
    let response = client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200 after a retry");
    assert_eq!(response.attempts(), 2);
    for seen in server.all_recorded().await {
        assert_eq!(seen.header("content-length"), Some("700000"));
        assert_eq!(
            seen.header("content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(
            seen.body, content,
            "every attempt reads the file from its start"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_signed_file_upload_is_signed_over_the_bytes_sent_on_every_attempt() {
    let dir = temp_dir("signed");
    let path = dir.join("upload.bin");
    let content = pattern(1_300_000);
    std::fs::write(&path, &content).expect("write the file");
    let server = Server::script(vec![json(503, "{}"), ok()]).await;
    let (client, _) = client_with_sleeps(&server.base);
    let mut request = Request::new(Method::PUT, "/files/1".to_owned());
    request.upload("application/octet-stream", Upload::path(&path));
    client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200 after a retry");
    let seen = server.all_recorded().await;
    assert_eq!(seen.len(), 2);
    for seen in &seen {
        assert_eq!(seen.body, content);
        assert_eq!(seen.header("content-length"), Some("1300000"));
        assert_signed(seen);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn readers_are_streamed_once_or_copied_first_when_signed() {
    let content = pattern(400_000);
    // Unsigned, without a length: sent chunked.
    let server = Server::script(vec![ok()]).await;
    let client = ClientBuilder::new(server.base.clone(), crate::Auth::unsigned())
        .build()
        .expect("valid configuration");
    let mut request = Request::new(Method::POST, "/files".to_owned());
    request.upload(
        "application/octet-stream",
        Upload::reader(std::io::Cursor::new(content.clone()), None),
    );
    client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200");
    let seen = server.recorded().await;
    assert_eq!(seen.header("transfer-encoding"), Some("chunked"));
    assert_eq!(seen.body, content);

    // Unsigned, refused with a 503: the reader was read, so the call is not retried.
    let server = Server::script(vec![json(503, "{}")]).await;
    let client = ClientBuilder::new(server.base.clone(), crate::Auth::unsigned())
        .sleep(|_| Box::pin(async {}))
        .build()
        .expect("valid configuration");
    let mut request = Request::new(Method::PUT, "/files/1".to_owned());
    request.upload(
        "application/octet-stream",
        Upload::reader(std::io::Cursor::new(content.clone()), Some(400_000)),
    );
    let error = client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect_err("503");
    assert_eq!(error.api().map(|api| api.attempts), Some(1));
    assert_eq!(
        server.recorded().await.header("content-length"),
        Some("400000")
    );

    // Signed: copied to a temporary file, then signed and sent like a file, retries included.
    let server = Server::script(vec![json(503, "{}"), ok()]).await;
    let (client, _) = client_with_sleeps(&server.base);
    let mut request = Request::new(Method::PUT, "/files/1".to_owned());
    request.upload(
        "application/octet-stream",
        Upload::reader(std::io::Cursor::new(content.clone()), None),
    );
    client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200 after a retry");
    for seen in server.all_recorded().await {
        assert_eq!(seen.body, content);
        assert_eq!(seen.header("content-length"), Some("400000"));
        assert_signed(&seen);
    }
}

#[tokio::test]
async fn a_streamed_file_part_is_signed_with_the_form_around_it() {
    let dir = temp_dir("form");
    let path = dir.join("report.pdf");
    let mut content = b"%PDF-1.7\n".to_vec();
    content.extend(pattern(600_000));
    std::fs::write(&path, &content).expect("write the file");
    let server = Server::script(vec![ok()]).await;
    let (client, _) = client_with_sleeps(&server.base);
    let file = crate::FilePart::open(&path).await.expect("open");
    assert_eq!(file.content_type(), "application/pdf");
    let mut form = crate::multipart::Form::new();
    form.text("name", "Ahmed");
    form.file("file", &file);
    let mut request = Request::new(Method::POST, "/contacts".to_owned());
    request.multipart(form);
    client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect("200");
    let seen = server.recorded().await;
    let mut expected = b"--test-boundary-0001\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAhmed\r\n--test-boundary-0001\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".to_vec();
    expected.extend_from_slice(&content);
    expected.extend_from_slice(b"\r\n--test-boundary-0001--\r\n");
    assert_eq!(seen.body, expected);
    assert_eq!(
        seen.header("content-length"),
        Some(expected.len().to_string().as_str())
    );
    assert_signed(&seen);
    let _ = std::fs::remove_dir_all(dir);
}

/// A server for one request that, once the request's head has arrived (the body was signed, and is
/// being sent), calls `between` (which changes the file), then reads the body: how many bytes came,
/// and whether the client ended the body early.
async fn changing_server(between: impl FnOnce() + Send + 'static) -> (String, JoinHandle) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut buffer = Vec::new();
        let mut piece = [0u8; 8192];
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let n = stream.read(&mut piece).await.expect("read the head");
            assert!(n > 0, "closed before the end of the head");
            buffer.extend_from_slice(&piece[..n]);
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
        let announced: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|value| value.trim().parse().ok())
            .expect("a content-length");
        between();
        let mut received = buffer.len() - head_end;
        while received < announced {
            match stream.read(&mut piece).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received += n,
            }
        }
        if received >= announced {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                .await;
        }
        (announced, received)
    });
    (base, task)
}

type JoinHandle = tokio::task::JoinHandle<(usize, usize)>;

#[tokio::test]
async fn a_file_that_changes_between_signing_and_sending_is_never_sent_whole() {
    let dir = temp_dir("changed");
    let path = dir.join("upload.bin");
    // Larger than what the sockets and the client buffer between them, so the client has not read the
    // end of the file when the server changes it.
    let len = 32 * 1024 * 1024;
    std::fs::write(&path, pattern(len)).expect("write the file");
    let changed = path.clone();
    let (base, server) = changing_server(move || {
        use std::io::{Seek as _, SeekFrom, Write as _};
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&changed)
            .expect("open to change");
        file.seek(SeekFrom::End(-1)).expect("seek");
        file.write_all(b"!").expect("change the last byte");
    })
    .await;
    let (client, _) = client_with_sleeps(&base);
    let mut request = Request::new(Method::PUT, "/files/1".to_owned());
    request.upload("application/octet-stream", Upload::path(&path));
    let error = client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect_err("the file changed");
    match &error {
        Error::Upload { source, .. } => {
            assert!(source.to_string().contains("changed"), "{source}")
        }
        other => panic!("expected an upload error, got {other:?}"),
    }
    let (announced, received) = tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the server finished")
        .expect("no panic");
    assert_eq!(announced, len);
    assert!(
        received < announced,
        "the server never got a whole body: {received} of {announced}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_missing_file_fails_before_anything_is_sent() {
    let client = builder("http://127.0.0.1:9", RULE)
        .build()
        .expect("valid configuration");
    let mut request = Request::new(Method::PUT, "/files/1".to_owned());
    request.upload(
        "application/octet-stream",
        Upload::path("/nonexistent/openapi-client-runtime"),
    );
    let error = client
        .send::<serde_json::Value, Envelope>(request)
        .await
        .expect_err("no file");
    assert!(
        matches!(&error, Error::Upload { name, source } if name == "body" && source.kind() == std::io::ErrorKind::NotFound),
        "{error:?}"
    );
}

#[test]
fn streamed_calls_and_their_streams_can_move_between_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let client = builder("http://127.0.0.1:9", RULE)
        .build()
        .expect("valid configuration");
    let download = client.download::<Envelope>(Request::new(Method::GET, "/f".to_owned()));
    assert_send(&download);
    let events = client.events::<Delta, Envelope>(
        Request::new(Method::GET, "/e".to_owned()),
        crate::sse::json::<Delta>,
    );
    assert_send(&events);
    let mut request = Request::new(Method::PUT, "/f".to_owned());
    request.upload("application/octet-stream", Upload::path("/nonexistent"));
    let upload = client.send::<serde_json::Value, Envelope>(request);
    assert_send(&upload);
    fn stream_is_send<T: Send>() {}
    stream_is_send::<crate::sse::Events<Delta, Envelope>>();
    stream_is_send::<ByteStream<Envelope>>();
}
