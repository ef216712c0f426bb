//! A minimal keep-alive HTTP/1.1 server on 127.0.0.1 for the benchmarks: it reads each request's head and
//! `Content-Length` body, throws the body away (so its own memory stays small whatever the upload), and
//! answers every request with the same canned `201` JSON reply.
//!
//! `GET /download/<n>` is answered instead with `n` bytes of `application/octet-stream`, written from one
//! 1 MiB pattern as fast as the client reads them (so a download of any size costs the server 1 MiB).
//!
//! It runs on its own thread and tokio runtime, so a benchmark's client runtime only does client work.
//! [`Loopback::capture_next`] keeps the next request's head and body whole, for replaying them by hand.
//! Chunked request bodies are not supported (the client and reqwest send `Content-Length` for bytes
//! bodies); such a request gets `411` and the connection is closed.

// Each bench that includes this file uses a different part of it.
#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request head accepted (bytes).
const MAX_HEAD: usize = 64 * 1024;
/// Read size: large enough that a 100 MB body takes few system calls.
const READ_CHUNK: usize = 256 * 1024;

/// A request kept whole by [`Loopback::capture_next`].
#[derive(Debug, Clone)]
pub struct Captured {
    /// `POST /path?query HTTP/1.1`.
    pub request_line: String,
    /// Header names (lowercase) and values, in received order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

struct Shared {
    reply: Vec<u8>,
    capture_next: AtomicBool,
    captured: Mutex<Option<Captured>>,
    requests: AtomicU64,
    body_bytes: AtomicU64,
}

/// The running server; it lives as long as the process (benchmarks start one and keep it).
pub struct Loopback {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Loopback {
    /// Starts the server, answering every request with `201 Created` and `json` as the body.
    pub fn start(json: &str) -> Self {
        let reply = format!(
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{json}",
            json.len()
        )
        .into_bytes();
        let shared = Arc::new(Shared {
            reply,
            capture_next: AtomicBool::new(false),
            captured: Mutex::new(None),
            requests: AtomicU64::new(0),
            body_bytes: AtomicU64::new(0),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("bound address");
        let serving = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("loopback-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .build()
                    .expect("server runtime");
                runtime.block_on(accept_loop(listener, serving));
            })
            .expect("server thread");
        Loopback { addr, shared }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Keep the next request's head and body whole (for [`Self::take_captured`]).
    pub fn capture_next(&self) {
        self.shared.capture_next.store(true, Ordering::SeqCst);
    }

    /// The request kept by [`Self::capture_next`], once it has been answered.
    pub fn take_captured(&self) -> Option<Captured> {
        self.shared
            .captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Body bytes received so far, over all requests.
    pub fn body_bytes(&self) -> u64 {
        self.shared.body_bytes.load(Ordering::SeqCst)
    }
}

/// The pattern downloads are made of.
const PATTERN_LEN: usize = 1024 * 1024;

/// Answers a download of `size` bytes.
async fn download(stream: &mut TcpStream, size: u64) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {size}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let pattern: Vec<u8> = (0..PATTERN_LEN).map(|i| (i % 251) as u8).collect();
    let mut left = size;
    while left > 0 {
        let take = usize::try_from(left).unwrap_or(usize::MAX).min(PATTERN_LEN);
        stream.write_all(&pattern[..take]).await?;
        left -= take as u64;
    }
    Ok(())
}

async fn accept_loop(listener: std::net::TcpListener, shared: Arc<Shared>) {
    let listener = TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            // A connection closed by the client ends here; errors only end that connection.
            let _ = serve(stream, &shared).await;
        });
    }
}

/// Serves the requests of one connection, one after the other.
async fn serve(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let head_end = loop {
            if let Some(at) = memchr::memmem::find(&pending, b"\r\n\r\n") {
                break at + 4;
            }
            if pending.len() > MAX_HEAD {
                return Err(io::Error::other("request head too large"));
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            pending.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&pending[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let Some(length) = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse::<usize>().ok())
            .or_else(|| {
                // No body at all (a GET) is length 0; a chunked one is refused below.
                (!headers.iter().any(|(name, _)| name == "transfer-encoding")).then_some(0)
            })
        else {
            stream
                .write_all(b"HTTP/1.1 411 Length Required\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await?;
            return Ok(());
        };

        if let Some(size) = request_line
            .strip_prefix("GET /download/")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
        {
            pending.drain(..head_end);
            shared.requests.fetch_add(1, Ordering::SeqCst);
            download(&mut stream, size).await?;
            continue;
        }
        let capture = shared.capture_next.swap(false, Ordering::SeqCst);
        let in_buffer = (pending.len() - head_end).min(length);
        let mut body = if capture {
            let mut body = Vec::with_capacity(length);
            body.extend_from_slice(&pending[head_end..head_end + in_buffer]);
            body
        } else {
            Vec::new()
        };
        // Whatever follows this body in the buffer belongs to the next request.
        pending.drain(..head_end + in_buffer);
        let mut remaining = length - in_buffer;
        while remaining > 0 {
            let want = remaining.min(chunk.len());
            let n = stream.read(&mut chunk[..want]).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if capture {
                body.extend_from_slice(&chunk[..n]);
            }
            remaining -= n;
        }
        shared.body_bytes.fetch_add(length as u64, Ordering::SeqCst);
        if capture {
            *shared
                .captured
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Captured {
                request_line,
                headers,
                body,
            });
        }
        shared.requests.fetch_add(1, Ordering::SeqCst);
        stream.write_all(&shared.reply).await?;
    }
}
