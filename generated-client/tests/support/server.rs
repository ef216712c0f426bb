//! A one-shot HTTP/1.1 server on 127.0.0.1 for tests: it records the raw request it receives (request line,
//! headers, body bytes) and answers with a canned reply. Shared by the crate's unit tests and its
//! integration tests.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The answer the server sends.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Vec<u8>,
}

/// The request as received on the socket.
#[derive(Debug)]
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
}

/// A server accepting exactly one connection.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    task: JoinHandle<Recorded>,
}

impl Server {
    pub async fn start(reply: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let task = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
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
            let body_start = head_end + 4;
            while buffer.len() < body_start + length {
                let read = stream.read(&mut chunk).await.expect("read request body");
                assert!(read > 0, "connection closed before the end of the body");
                buffer.extend_from_slice(&chunk[..read]);
            }
            let body = buffer[body_start..body_start + length].to_vec();

            let mut answer = format!(
                "HTTP/1.1 {} Reply\r\nContent-Length: {}\r\nConnection: close\r\n",
                reply.status,
                reply.body.len()
            );
            for (name, value) in &reply.headers {
                answer.push_str(&format!("{name}: {value}\r\n"));
            }
            answer.push_str("\r\n");
            let mut bytes = answer.into_bytes();
            bytes.extend_from_slice(&reply.body);
            stream.write_all(&bytes).await.expect("write reply");
            stream.shutdown().await.expect("close");
            Recorded {
                request_line,
                headers,
                body,
            }
        });
        Self { base, task }
    }

    /// Waits (at most 10 s) for the request to have been received and answered.
    pub async fn recorded(self) -> Recorded {
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server got a request within 10 s")
            .expect("the server task did not panic")
    }
}
