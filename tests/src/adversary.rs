//! An adversarial HTTP/1.1 server: it plays a script of (mis)behaviours, one per request, at the byte level.
//!
//! Unlike [`crate::server`] (axum, always well formed), [`Adversary`] is written on a raw
//! [`tokio::net::TcpListener`], so it can announce more body than it sends, stream past any size limit, reset
//! the connection, stall, or hang up without answering. [`Adversary::start`] binds `127.0.0.1:0` and serves
//! on spawned tasks until the [`Adversary`] is dropped (every connection task is then aborted).
//!
//! Each connection is read request after request (clients keep connections alive): the request line, the
//! headers, and a `Content-Length` body (a chunked request body is not supported: it gets 501 and is not recorded). Every request
//! is recorded as an [`Attempt`], with its signature checked by [`compute_signature`] against
//! [`crate::harness::SECRET`] and [`crate::harness::BASE_PATH`], and is answered by the next [`Behaviour`] of the script;
//! the attempt with index `n` got the `n`th behaviour. Once the script is exhausted every request gets
//! `500` with the envelope `{"error": "script_exhausted", ...}`.
//!
//! | behaviour | on the wire | connection afterwards |
//! |---|---|---|
//! | [`Behaviour::Reply`] | the status, headers and body, with a correct `Content-Length` | kept open |
//! | [`Behaviour::RetryAfter`] | the status, `Retry-After: <secs>` and a JSON error envelope | kept open |
//! | [`Behaviour::NotJson`] | the status, the content type and the (non-JSON) body | kept open |
//! | [`Behaviour::Truncated`] | `Content-Length: declared_len`, fewer body bytes | closed (FIN) |
//! | [`Behaviour::Oversized`] | 200 with `len` bytes, by `Content-Length` or chunked | closed (or held open) |
//! | [`Behaviour::Reset`] | nothing: `SO_LINGER` 0 and close, so the peer gets a TCP RST | reset |
//! | [`Behaviour::Slow`] | waits `delay` (real time), then plays `then` | as `then` |
//! | [`Behaviour::CloseWithoutAnswer`] | nothing: a clean close | closed (FIN) |
//!
//! Misbehaving replies that are sent at all carry `Connection: close`.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::harness::{BASE_PATH, SECRET};
use crate::server::compute_signature;

/// Largest request head (request line and headers) read, in bytes.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest request body read, in bytes.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Size of the pieces an oversized body is written in.
const STREAM_PIECE: usize = 1024;
/// How long a connection whose chunked body never ends is held open, at most, waiting for the peer to close.
const HOLD_OPEN: Duration = Duration::from_secs(30);

/// How an [`Behaviour::Oversized`] body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: len`, then the `len` bytes, then close.
    ContentLength,
    /// `Transfer-Encoding: chunked`, the `len` bytes in chunks of 1 KiB; then the final chunk and close when
    /// `final_chunk`, otherwise nothing more: the connection is held open until the peer closes it, so a
    /// client that reads to the end of the body hangs (until its own timeout).
    Chunked {
        /// Whether the terminating `0\r\n\r\n` is sent.
        final_chunk: bool,
    },
}

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// A well-formed answer: `Content-Length` is computed (do not put one in `headers`).
    Reply {
        /// HTTP status code.
        status: u16,
        /// Response headers, in order.
        headers: Vec<(String, String)>,
        /// Response body.
        body: Vec<u8>,
    },
    /// A well-formed refusal with `Retry-After: secs`: `RetryAfter(429, 7)` is a rate-limit error. The
    /// body is the JSON envelope `{"error": "Rate limit exceeded", "message": ..., "request_id": ...}`.
    RetryAfter(u16, u64),
    /// Announces `Content-Length: declared_len`, sends `body` (shorter), then closes the connection.
    Truncated {
        /// HTTP status code.
        status: u16,
        /// The length announced; larger than `body.len()`.
        declared_len: usize,
        /// The bytes actually sent.
        body: Vec<u8>,
    },
    /// A well-framed answer whose body is not JSON (an HTML error page from a proxy ...).
    NotJson {
        /// HTTP status code.
        status: u16,
        /// The `Content-Type` sent.
        content_type: String,
        /// Response body.
        body: Vec<u8>,
    },
    /// A 200 of `len` bytes (`x`), framed as `framing` says: more than the client's cap.
    Oversized {
        /// Bytes of body streamed.
        len: usize,
        /// `Content-Length` or chunked (with or without the final chunk).
        framing: Framing,
    },
    /// Reads the request, then closes with `SO_LINGER` 0: the client sees a connection reset.
    Reset,
    /// Waits `delay` (real time, `tokio::time::sleep`) before playing `then`.
    Slow {
        /// How long to wait before answering.
        delay: Duration,
        /// What to do after the wait.
        then: Box<Behaviour>,
    },
    /// Reads the request, then closes the connection cleanly without a byte of answer.
    CloseWithoutAnswer,
}

impl Behaviour {
    /// A [`Behaviour::Reply`] with `Content-Type: application/json` and `body` serialized compactly.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Behaviour::Reply {
            status,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: serde_json::to_vec(&body).expect("a serde_json::Value always serializes"),
        }
    }

    /// The API's error envelope `{"error", "message", "request_id"}` as a JSON [`Behaviour::Reply`].
    pub fn error(status: u16, error: &str, message: &str, request_id: &str) -> Self {
        Self::json(
            status,
            json!({ "error": error, "message": message, "request_id": request_id }),
        )
    }

    /// `self`, played after waiting `delay`.
    pub fn after(self, delay: Duration) -> Self {
        Behaviour::Slow {
            delay,
            then: Box::new(self),
        }
    }
}

/// One request as received, and what the server made of its signature.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Index of the connection it came on (0 for the first accepted), to tell reused connections apart.
    pub connection: usize,
    /// The method as received.
    pub method: String,
    /// The full path as received (including the base path), not percent-decoded.
    pub path: String,
    /// The raw query without the leading `?`; `None` when the target has no `?`.
    pub query: Option<String>,
    /// Headers in received order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Bytes,
    /// The `X-Timestamp` sent; 0 when absent or not a number.
    pub timestamp: u64,
    /// Whether `X-Awal-Signature-256` is what [`compute_signature`] gives for this request's method, path
    /// relative to [`BASE_PATH`], query, own timestamp and body, keyed with [`SECRET`].
    pub signature_valid: bool,
}

impl Attempt {
    /// Every value of header `name` (case-insensitive), in received order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).first().copied()
    }
}

struct Shared {
    script: Mutex<VecDeque<Behaviour>>,
    attempts: Mutex<Vec<Attempt>>,
}

/// Locks, ignoring poisoning: a panicking test must not hide the recorded attempts from the next assertion.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running adversarial server; dropping it stops the listener and aborts every connection.
pub struct Adversary {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Adversary {
    /// Binds `127.0.0.1:0` and plays `script`, one behaviour per request, on spawned tasks of the current
    /// tokio runtime.
    ///
    /// # Panics
    ///
    /// If the port cannot be bound, or when called outside a tokio runtime.
    pub async fn start(script: Vec<Behaviour>) -> Adversary {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("adversary: cannot bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("adversary: no local address");
        for behaviour in &script {
            validate(behaviour);
        }
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into()),
            attempts: Mutex::new(Vec::new()),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Adversary { addr, shared, task }
    }

    /// `http://127.0.0.1:PORT/api/developer`.
    pub fn base_url(&self) -> String {
        format!("http://{}{BASE_PATH}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn attempts(&self) -> Vec<Attempt> {
        lock(&self.shared.attempts).clone()
    }

    /// How many behaviours of the script have not been played yet.
    pub fn remaining(&self) -> usize {
        lock(&self.shared.script).len()
    }
}

impl Drop for Adversary {
    fn drop(&mut self) {
        // Dropping the accept loop drops its JoinSet, which aborts every connection task.
        self.task.abort();
    }
}

/// Fails the test at [`Adversary::start`], rather than in a server task, for a behaviour that cannot be played.
fn validate(behaviour: &Behaviour) {
    match behaviour {
        Behaviour::Reply {
            status, headers, ..
        } => {
            assert!(
                (100..=999).contains(status),
                "adversary: invalid status {status}"
            );
            for (name, value) in headers {
                assert!(
                    !name.eq_ignore_ascii_case("content-length"),
                    "adversary: Content-Length is computed; use Behaviour::Truncated to lie about it"
                );
                assert!(
                    !format!("{name}{value}").contains(['\r', '\n']),
                    "adversary: a line break in header {name:?}"
                );
            }
        }
        Behaviour::RetryAfter(status, _)
        | Behaviour::NotJson { status, .. }
        | Behaviour::Truncated { status, .. } => {
            assert!(
                (100..=999).contains(status),
                "adversary: invalid status {status}"
            );
            if let Behaviour::Truncated {
                declared_len, body, ..
            } = behaviour
            {
                assert!(
                    *declared_len > body.len(),
                    "adversary: a truncated body must announce more than it sends"
                );
            }
        }
        Behaviour::Slow { then, .. } => validate(then),
        Behaviour::Oversized { .. } | Behaviour::Reset | Behaviour::CloseWithoutAnswer => {}
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    let mut next_index = 0usize;
    loop {
        // Reap finished connection tasks so the set does not grow with every connection.
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors or the like: try again shortly rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let index = next_index;
        next_index += 1;
        connections.spawn(serve_connection(stream, index, Arc::clone(&shared)));
    }
}

/// What to do with a connection after answering on it.
enum After {
    KeepAlive,
    Close,
}

async fn serve_connection(mut stream: TcpStream, connection: usize, shared: Arc<Shared>) {
    let mut buffer = Vec::new();
    loop {
        let request = match read_request(&mut stream, &mut buffer).await {
            Ok(Some(request)) => request,
            // The peer closed between requests, or sent something unreadable: nothing to answer.
            Ok(None) | Err(_) => return,
        };
        let behaviour = {
            // Recorded and matched with its behaviour under one lock: attempt n gets behaviour n.
            let mut attempts = lock(&shared.attempts);
            let behaviour = lock(&shared.script).pop_front();
            attempts.push(request.into_attempt(connection));
            behaviour
        };
        let behaviour = behaviour.unwrap_or_else(exhausted);
        match play(&mut stream, behaviour).await {
            Ok(After::KeepAlive) => {}
            Ok(After::Close) | Err(_) => return,
        }
    }
}

fn exhausted() -> Behaviour {
    Behaviour::error(
        500,
        "script_exhausted",
        "adversary: the script is exhausted; no behaviour left for this request",
        "req_adversary",
    )
}

/// Plays one behaviour. Boxed because [`Behaviour::Slow`] recurses.
fn play(
    stream: &mut TcpStream,
    behaviour: Behaviour,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<After>> + Send + '_>> {
    Box::pin(async move {
        match behaviour {
            Behaviour::Reply {
                status,
                headers,
                body,
            } => {
                write_response(stream, status, &headers, body.len(), &body, false).await?;
                Ok(After::KeepAlive)
            }
            Behaviour::RetryAfter(status, seconds) => {
                let body = serde_json::to_vec(&json!({
                    "error": "Rate limit exceeded",
                    "message": format!("Too many requests; retry after {seconds} seconds"),
                    "request_id": "req_adversary",
                }))
                .expect("a serde_json::Value always serializes");
                let headers = vec![
                    ("Content-Type".to_owned(), "application/json".to_owned()),
                    ("Retry-After".to_owned(), seconds.to_string()),
                ];
                write_response(stream, status, &headers, body.len(), &body, false).await?;
                Ok(After::KeepAlive)
            }
            Behaviour::NotJson {
                status,
                content_type,
                body,
            } => {
                let headers = vec![("Content-Type".to_owned(), content_type)];
                write_response(stream, status, &headers, body.len(), &body, false).await?;
                Ok(After::KeepAlive)
            }
            Behaviour::Truncated {
                status,
                declared_len,
                body,
            } => {
                let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
                write_response(stream, status, &headers, declared_len, &body, true).await?;
                stream.shutdown().await?;
                Ok(After::Close)
            }
            Behaviour::Oversized { len, framing } => {
                oversized(stream, len, framing).await?;
                Ok(After::Close)
            }
            Behaviour::Reset => {
                stream.set_zero_linger()?;
                Ok(After::Close)
            }
            Behaviour::Slow { delay, then } => {
                tokio::time::sleep(delay).await;
                play(stream, *then).await
            }
            Behaviour::CloseWithoutAnswer => {
                stream.shutdown().await?;
                Ok(After::Close)
            }
        }
    })
}

async fn oversized(stream: &mut TcpStream, len: usize, framing: Framing) -> std::io::Result<()> {
    let piece = [b'x'; STREAM_PIECE];
    let head_headers = match framing {
        Framing::ContentLength => format!("Content-Length: {len}\r\n"),
        Framing::Chunked { .. } => "Transfer-Encoding: chunked\r\n".to_owned(),
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{head_headers}Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let mut sent = 0;
    while sent < len {
        let size = STREAM_PIECE.min(len - sent);
        match framing {
            Framing::ContentLength => stream.write_all(&piece[..size]).await?,
            Framing::Chunked { .. } => {
                stream.write_all(format!("{size:x}\r\n").as_bytes()).await?;
                stream.write_all(&piece[..size]).await?;
                stream.write_all(b"\r\n").await?;
            }
        }
        sent += size;
    }
    match framing {
        Framing::ContentLength => stream.shutdown().await,
        Framing::Chunked { final_chunk: true } => {
            stream.write_all(b"0\r\n\r\n").await?;
            stream.shutdown().await
        }
        Framing::Chunked { final_chunk: false } => {
            stream.flush().await?;
            // The body never ends: wait for the peer to give up (read returns 0 or fails), or for the cap.
            let mut sink = [0u8; 1024];
            let _ = tokio::time::timeout(HOLD_OPEN, async {
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            })
            .await;
            Ok(())
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Whatever",
    }
}

/// Writes a status line, `headers`, `Content-Length: content_length` (and `Connection: close` when
/// `close`), then `body` as is: a `content_length` larger than `body` makes a truncated answer.
async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    content_length: usize,
    body: &[u8],
    close: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {content_length}\r\n"));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).await?;
    stream.flush().await
}

/// A request as parsed off the wire.
struct Request {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Request {
    fn into_attempt(self, connection: usize) -> Attempt {
        let single = |name: &str| {
            let mut values = self
                .headers
                .iter()
                .filter(|(candidate, _)| candidate == name)
                .map(|(_, value)| value.as_str());
            match (values.next(), values.next()) {
                (Some(value), None) => Some(value),
                _ => None,
            }
        };
        let timestamp = single("x-timestamp")
            .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|text| text.parse::<u64>().ok());
        let relative = self
            .path
            .strip_prefix(BASE_PATH)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'));
        let signature_valid = match (timestamp, relative, single("x-awal-signature-256")) {
            (Some(timestamp), Some(path), Some(received)) => {
                let expected = compute_signature(
                    SECRET.as_bytes(),
                    &self.method,
                    path,
                    self.query.as_deref(),
                    timestamp,
                    &self.body,
                );
                expected == received
            }
            _ => false,
        };
        Attempt {
            connection,
            method: self.method,
            path: self.path,
            query: self.query,
            headers: self.headers,
            body: self.body,
            timestamp: timestamp.unwrap_or(0),
            signature_valid,
        }
    }
}

fn invalid(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_owned())
}

/// Reads one request; `Ok(None)` when the peer closed the connection before sending a byte of it. Bytes
/// read past the request (a pipelined next one) stay in `buffer`.
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Option<Request>> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return Err(invalid("request head too large"));
        }
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return if buffer.is_empty() {
                Ok(None)
            } else {
                Err(invalid("connection closed in the request head"))
            };
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end + 4);

    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut words = request_line.split(' ');
    let (Some(method), Some(target), Some(_version)) = (words.next(), words.next(), words.next())
    else {
        return Err(invalid("malformed request line"));
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid("malformed header line"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    if headers.iter().any(|(name, _)| name == "transfer-encoding") {
        // Not supported: answer 501 and close, rather than misread the body.
        stream
            .write_all(
                b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await?;
        return Err(invalid("chunked request bodies are not supported"));
    }
    let length = match headers.iter().find(|(name, _)| name == "content-length") {
        Some((_, value)) => value
            .parse::<usize>()
            .map_err(|_| invalid("malformed Content-Length"))?,
        None => 0,
    };
    if length > MAX_BODY_BYTES {
        return Err(invalid("request body too large"));
    }
    while buffer.len() < length {
        let mut chunk = vec![0u8; (length - buffer.len()).min(64 * 1024)];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Err(invalid("connection closed in the request body"));
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = Bytes::from(buffer.drain(..length).collect::<Vec<u8>>());
    Ok(Some(Request {
        method: method.to_owned(),
        path,
        query,
        headers,
        body,
    }))
}
