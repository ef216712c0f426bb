//! A plain recording HTTP server on 127.0.0.1 for the clients of the fixture specs (whose requests are
//! not signed the Awal way): it records each request (method, path, query, headers, body) and answers
//! by path with a [`Route`]: a canned body, a body streamed in pieces, or a stream that stops short.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use futures_util::StreamExt as _;
use tokio::sync::{oneshot, Notify};

/// A request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `GET`, `POST` ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Header names (lowercase) and values, in received order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Received {
    /// Every value of the header `name` (lowercase).
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The only value of the header `name`; fails the test when it is repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        let values = self.headers_named(name);
        assert!(values.len() <= 1, "{name} sent {} times", values.len());
        values.first().copied()
    }
}

/// How the server answers one path.
#[derive(Debug, Clone)]
pub struct Route {
    /// The status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body, sent in these pieces (each its own chunk).
    pub pieces: Vec<Vec<u8>>,
    /// When set, the body does not end after the pieces: once this is notified (when the test knows the
    /// client has the answer's head), the connection is cut.
    pub cut: Option<Arc<Notify>>,
}

impl Route {
    /// A whole body.
    pub fn body(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Route {
            status,
            content_type,
            pieces: vec![body.into()],
            cut: None,
        }
    }

    /// A JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Route::body(status, "application/json", body.to_string())
    }
}

struct Shared {
    routes: HashMap<String, Route>,
    received: Mutex<Vec<Received>>,
}

/// The running server; it stops when dropped.
pub struct Recorder {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _shutdown: oneshot::Sender<()>,
}

impl Recorder {
    /// Serves `routes` (path → answer) on 127.0.0.1; other paths get 404. A route keyed `"PATH MEDIA"`
    /// answers requests for PATH whose `Accept` is MEDIA, before a route keyed `"PATH"`.
    ///
    /// # Panics
    ///
    /// If the port cannot be bound, or outside a tokio runtime.
    pub async fn start(routes: Vec<(&str, Route)>) -> Recorder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("recorder: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("recorder: local address");
        let shared = Arc::new(Shared {
            routes: routes
                .into_iter()
                .map(|(path, route)| (path.to_owned(), route))
                .collect(),
            received: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&shared));
        let shutdown = crate::server::serve_until_dropped(listener, router);
        Recorder {
            addr,
            shared,
            _shutdown: shutdown,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 256 * 1024 * 1024)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    shared
        .received
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Received {
            method: parts.method.to_string(),
            path: path.clone(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body,
        });
    // A route for the media type asked for (`"/chat text/event-stream"`) before the path's own.
    let accept = parts
        .headers
        .get("accept")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let route = shared
        .routes
        .get(&format!("{path} {accept}"))
        .or_else(|| shared.routes.get(&path))
        .cloned();
    let Some(route) = route else {
        return status_only(StatusCode::NOT_FOUND);
    };
    let pieces = route
        .pieces
        .into_iter()
        .map(|piece| Ok::<_, std::io::Error>(Bytes::from(piece)));
    let ending = futures_util::stream::iter(route.cut).then(|cut| async move {
        cut.notified().await;
        Err(std::io::Error::other("cut off on purpose"))
    });
    let stream = futures_util::stream::iter(pieces).chain(ending);
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = StatusCode::from_u16(route.status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        HeaderName::from_static("content-type"),
        HeaderValue::from_static(route.content_type),
    );
    response
}

fn status_only(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}
