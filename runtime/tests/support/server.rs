//! A tiny HTTP/1.1 server on 127.0.0.1 for tests: it records each raw request it receives (request line,
//! headers, body bytes) and answers with canned replies. Shared by the crate's unit tests and its
//! integration tests.
//!
//! [`Server::start`] serves one reply; [`Server::script`] serves a script of replies, one per connection, in
//! order (every reply says `Connection: close`, so each attempt of a retried request opens a new connection
//! and gets the next reply). When the script is used up the listener is closed, so a request beyond it is
//! refused instead of waiting.
//!
//! A reply gets a `Content-Length` matching its body unless it sets `Content-Length` itself (to announce a
//! body it does not send) or `Transfer-Encoding` (its body is then written as given, already chunked).
//!
//! [`Server::streams`] plays a script of [`Step`]s per connection instead: raw bytes written as they come,
//! waits for the test, and cut or silent connections, for answers read as they arrive.

// Each test crate that includes this file uses a different part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// One step of a streamed answer ([`Server::streams`]).
pub enum Step {
    /// Writes these bytes (the status line and headers too: nothing is added) and flushes them.
    Send(Vec<u8>),
    /// Waits until the test calls `notify_one` on this.
    Wait(Arc<Notify>),
    /// Sends nothing more and waits for the client to close the connection, then says so
    /// ([`Server::closed`]).
    HoldUntilClosed,
    /// Closes the connection at once, whatever was announced.
    Cut,
}

/// A chunk of a `Transfer-Encoding: chunked` body.
pub fn chunk(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

/// The answer the server sends.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Vec<u8>,
}

/// The request as received on the socket.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub request_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of the only header called `name` (case-insensitive); fails the test if it is repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let first = values.next().map(|(_, v)| v.as_str());
        assert!(values.next().is_none(), "header {name} sent more than once");
        first
    }

    /// Every value of the headers called `name` (case-insensitive), in the order received.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A server answering a fixed script of replies, one connection each.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    received: Arc<Mutex<Vec<Recorded>>>,
    task: JoinHandle<()>,
    /// Notified when the client closes a connection held open by [`Step::HoldUntilClosed`].
    pub closed: Arc<Notify>,
}

impl Server {
    /// A server accepting exactly one connection and answering it with `reply`.
    pub async fn start(reply: Reply) -> Self {
        Self::script(vec![reply]).await
    }

    /// A server answering the `n`th connection with `replies[n]`, then closing its listener.
    pub async fn script(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let task = tokio::spawn(async move {
            for reply in replies {
                let (mut stream, _) = listener.accept().await.expect("accept");
                let recorded = read_request(&mut stream).await;
                // Recorded before answering: once the client has the answer, the request is in the log.
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(recorded);
                stream
                    .write_all(&encode(&reply))
                    .await
                    .expect("write reply");
                // The client may have stopped reading (a body over its limit) and closed the connection.
                let _ = stream.shutdown().await;
            }
        });
        Self {
            base,
            received,
            task,
            closed: Arc::new(Notify::new()),
        }
    }

    /// A server answering the `n`th connection by playing `scripts[n]`, then closing its listener.
    pub async fn streams(scripts: Vec<Vec<Step>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Notify::new());
        let log = Arc::clone(&received);
        let told = Arc::clone(&closed);
        let task = tokio::spawn(async move {
            let mut playing = Vec::new();
            for script in scripts {
                let (mut stream, _) = listener.accept().await.expect("accept");
                let recorded = read_request(&mut stream).await;
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(recorded);
                let told = Arc::clone(&told);
                // Played on its own task, so that the next connection (a reconnection) is accepted
                // while this one is still held.
                playing.push(tokio::spawn(async move {
                    for step in script {
                        match step {
                            Step::Send(bytes) => {
                                if stream.write_all(&bytes).await.is_err() {
                                    return;
                                }
                                let _ = stream.flush().await;
                            }
                            Step::Wait(notify) => notify.notified().await,
                            Step::HoldUntilClosed => {
                                let mut sink = [0u8; 1024];
                                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                                told.notify_one();
                                return;
                            }
                            Step::Cut => return,
                        }
                    }
                    let _ = stream.shutdown().await;
                }));
            }
            for played in playing {
                let _ = played.await;
            }
        });
        Self {
            base,
            received,
            task,
            closed,
        }
    }

    /// Waits (at most 10 s) for the whole script to be served, and returns the only request received.
    pub async fn recorded(self) -> Recorded {
        let mut all = self.all_recorded().await;
        assert_eq!(all.len(), 1, "expected exactly one request: {all:?}");
        all.remove(0)
    }

    /// Waits (at most 10 s) for the whole script to be served, and returns every request, in order.
    pub async fn all_recorded(self) -> Vec<Recorded> {
        let Self { received, task, .. } = self;
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the server got every scripted request within 10 s")
            .expect("the server task did not panic");
        let all = received.lock().unwrap_or_else(PoisonError::into_inner);
        all.clone()
    }

    /// The requests received so far (without waiting for the rest of the script).
    pub fn requests(&self) -> Vec<Recorded> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

async fn read_request(stream: &mut TcpStream) -> Recorded {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let read = stream.read(&mut chunk).await.expect("read request head");
        assert!(read > 0, "connection closed before the end of the headers");
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).expect("UTF-8 request head");
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("header line has a colon");
            (name.to_owned(), value.trim().to_owned())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, value)| {
            value.parse().expect("numeric content-length")
        });
    let chunked = headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked")
    });
    let body_start = head_end + 4;
    let body = if chunked {
        read_chunked(stream, buffer.split_off(body_start)).await
    } else {
        while buffer.len() < body_start + length {
            let read = stream.read(&mut chunk).await.expect("read request body");
            assert!(read > 0, "connection closed before the end of the body");
            buffer.extend_from_slice(&chunk[..read]);
        }
        buffer[body_start..body_start + length].to_vec()
    };
    Recorded {
        request_line,
        headers,
        body,
    }
}

/// A chunked request body, `buffered` being what was read after the head.
async fn read_chunked(stream: &mut TcpStream, mut buffered: Vec<u8>) -> Vec<u8> {
    let mut body = Vec::new();
    let mut at = 0;
    let mut chunk = [0u8; 8192];
    loop {
        // The size line, then the data and its CRLF.
        let line_end = loop {
            if let Some(end) = buffered[at..].windows(2).position(|w| w == b"\r\n") {
                break at + end;
            }
            let read = stream.read(&mut chunk).await.expect("read chunked body");
            assert!(read > 0, "connection closed inside a chunked body");
            buffered.extend_from_slice(&chunk[..read]);
        };
        let size_text = std::str::from_utf8(&buffered[at..line_end]).expect("ASCII size");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("hex chunk size");
        let data_start = line_end + 2;
        while buffered.len() < data_start + size + 2 {
            let read = stream.read(&mut chunk).await.expect("read chunked body");
            assert!(read > 0, "connection closed inside a chunk");
            buffered.extend_from_slice(&chunk[..read]);
        }
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&buffered[data_start..data_start + size]);
        at = data_start + size + 2;
    }
}

fn encode(reply: &Reply) -> Vec<u8> {
    let sets = |wanted: &str| {
        reply
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(wanted))
    };
    let mut answer = format!("HTTP/1.1 {} Reply\r\nConnection: close\r\n", reply.status);
    if !sets("content-length") && !sets("transfer-encoding") {
        answer.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    for (name, value) in &reply.headers {
        answer.push_str(&format!("{name}: {value}\r\n"));
    }
    answer.push_str("\r\n");
    let mut bytes = answer.into_bytes();
    bytes.extend_from_slice(&reply.body);
    bytes
}
