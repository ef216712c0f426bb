//! The end of a command: the answer printed (JSON pretty-printed, text as it is, bytes raw, to stdout or
//! the `--output` file), or the failure as one line on stderr; and the exit code.
//!
//! An operation's call ends in a [`Reply`] (the status and headers of a 2xx answer and its body as an
//! [`Answer`]) or a [`Failure`] (the one line to print and the exit code; with `--verbose`, first the
//! answer's status, headers and the start of its body). Both are made by [`call`] from
//! the result of the operation's method, so generated code only says how its body is printed.

use super::api::Api;
use super::Globals;
use crate::error::{ApiError, Error};
use crate::response::Response;
use bytes::Bytes;
use futures_core::Stream;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::future::Future;
use std::io::Write;
use std::pin::Pin;

/// The exit code of a failed call: an API error, a transport failure, an answer that does not decode.
const FAILED: u8 = 1;
/// The exit code of bad usage and of input refused before anything was sent.
const USAGE: u8 = 2;
/// How much of an undecodable body a message shows.
const BODY_SHOWN: usize = 200;

/// An operation's call in flight.
pub type Call<'a> = Pin<Box<dyn Future<Output = Result<Reply, Failure>> + 'a>>;

/// A successful answer: status, headers, and the body to print.
#[derive(Debug)]
pub struct Reply {
    response: Option<(StatusCode, HeaderMap)>,
    answer: Answer,
    /// The runtime the call ran on, which a streamed body is still read on (its connection lives there).
    pub(super) runtime: Option<tokio::runtime::Runtime>,
}

impl Reply {
    /// A document the command line made itself (`operations`), not an answer of the API.
    pub(crate) fn document(document: Value) -> Self {
        Self {
            response: None,
            answer: Answer(Printed::Json(document)),
            runtime: None,
        }
    }
}

/// The body of an answer, as it is printed.
#[derive(Debug)]
pub struct Answer(Printed);

enum Printed {
    Json(Value),
    Text(String),
    Bytes(Bytes),
    /// A body written piece by piece as it arrives, never held whole.
    Stream(Pieces),
    Nothing,
    /// A decoded body that does not serialize back to JSON (a float that is not finite, say).
    Unprintable(String),
}

/// The pieces of a streamed body, and whether the stream goes on after a failed piece (a malformed
/// event) or ends there (a broken download).
struct Pieces {
    stream: Pin<Box<dyn Stream<Item = Result<Bytes, String>> + Send>>,
    goes_on: bool,
}

impl std::fmt::Debug for Printed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Printed::Json(value) => f.debug_tuple("Json").field(value).finish(),
            Printed::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Printed::Bytes(bytes) => f.debug_tuple("Bytes").field(bytes).finish(),
            Printed::Stream(pieces) => f
                .debug_struct("Stream")
                .field("goes_on", &pieces.goes_on)
                .finish_non_exhaustive(),
            Printed::Nothing => f.write_str("Nothing"),
            Printed::Unprintable(why) => f.debug_tuple("Unprintable").field(why).finish(),
        }
    }
}

impl Answer {
    /// A body of any serializable type, printed as pretty JSON.
    pub fn json<T: serde::Serialize>(body: T) -> Self {
        match serde_json::to_value(&body) {
            Ok(value) => Self(Printed::Json(value)),
            Err(error) => Self(Printed::Unprintable(error.to_string())),
        }
    }

    /// A text body, printed as it is.
    pub fn text(body: String) -> Self {
        Self(Printed::Text(body))
    }

    /// A binary body, written raw.
    pub fn bytes(body: Bytes) -> Self {
        Self(Printed::Bytes(body))
    }

    /// A download, written to stdout or the `--output` file as it arrives (never held whole). A download
    /// that breaks off fails the command (exit 1) after what came was written.
    pub fn stream<E: Send + 'static>(body: crate::ByteStream<E>) -> Self {
        use futures_util::StreamExt as _;
        Self(Printed::Stream(Pieces {
            stream: Box::pin(body.map(|piece| piece.map_err(|error| error.to_string()))),
            goes_on: false,
        }))
    }

    /// Server-sent events, printed as they arrive, one JSON line each: `{"event", "data", "id", "retry"}`
    /// (the last two when set). A malformed event is one `error:` line on stderr and the stream goes on;
    /// the command then exits 1 when the stream ends.
    #[cfg(feature = "sse")]
    pub fn events<T, E>(events: crate::sse::Events<T, E>) -> Self
    where
        T: serde::Serialize + Send + 'static,
        E: serde::de::DeserializeOwned + Send + 'static,
    {
        use futures_util::StreamExt as _;
        let lines = events.map(|event| {
            let event = event.map_err(|error| error.to_string())?;
            let mut line = serde_json::to_vec(&event)
                .map_err(|error| format!("the event cannot be printed as JSON: {error}"))?;
            line.push(b'\n');
            Ok(Bytes::from(line))
        });
        Self(Printed::Stream(Pieces {
            stream: Box::pin(lines),
            goes_on: true,
        }))
    }

    /// The `()` of an operation that documents no body: nothing is printed.
    pub fn none(_: ()) -> Self {
        Self::empty()
    }

    /// No body: nothing is printed.
    pub fn empty() -> Self {
        Self(Printed::Nothing)
    }
}

/// Why a command failed: the line printed on stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
    /// The answer, for `--verbose`; boxed to keep `Result<_, Failure>` small.
    response: Option<Box<Shown>>,
}

/// What `--verbose` shows of a failed call's answer: its status, headers, and the start of its body (the
/// one line of the failure cuts it short).
#[derive(Debug)]
struct Shown {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Failure {
    /// Bad usage, or input refused before anything was sent: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
            response: None,
        }
    }

    /// A call that failed: exit code 1.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            code: FAILED,
            message: message.into(),
            response: None,
        }
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A failed call: exit code 2 when the client refused the input before sending it, 1 otherwise.
    fn from_error<E>(error: Error<E>) -> Self {
        let message = error.to_string();
        match error {
            // Refused before anything was sent: the input, or the credentials configured for it.
            Error::InvalidRequest { .. }
            | Error::Validation(_)
            | Error::MissingCredentials { .. } => Self::usage(message),
            Error::Api(api) => {
                let ApiError {
                    status,
                    headers,
                    raw_body,
                    ..
                } = *api;
                Self {
                    response: Some(Box::new(Shown {
                        status,
                        headers,
                        body: raw_body,
                    })),
                    ..Self::failed(message)
                }
            }
            Error::Interrupted {
                status, headers, ..
            } => Self {
                response: Some(Box::new(Shown {
                    status,
                    headers,
                    body: String::new(),
                })),
                ..Self::failed(message)
            },
            Error::Decode { body_start, .. } => {
                let shown: String = body_start.chars().take(BODY_SHOWN).collect();
                Self::failed(format!("{message}; the body starts: {shown}"))
            }
            Error::Transport(_)
            | Error::ResponseTooLarge { .. }
            | Error::Stalled { .. }
            | Error::Upload { .. }
            | Error::Save { .. } => Self::failed(message),
        }
    }
}

/// The call of an operation method, ending in a [`Reply`] whose body `answer` makes printable, or a
/// [`Failure`].
pub fn call<'a, T: 'a, E: 'a>(
    request: impl Future<Output = crate::Result<Response<T>, E>> + 'a,
    answer: fn(T) -> Answer,
) -> Call<'a> {
    Box::pin(async move {
        match request.await {
            Ok(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                Ok(Reply {
                    response: Some((status, headers)),
                    answer: answer(response.into_body()),
                    runtime: None,
                })
            }
            Err(error) => Err(Failure::from_error(error)),
        }
    })
}

/// The `operations` document: the environment the command line reads, and every operation.
pub(crate) fn operations<C>(api: &Api<C>) -> Value {
    let credentials: Vec<Value> = api
        .credentials
        .iter()
        .map(|c| json!({"scheme": c.scheme, "env": c.env}))
        .collect();
    let operations: Vec<Value> = api
        .operations
        .iter()
        .map(|op| {
            json!({
                "name": op.name,
                "operation_id": op.operation_id,
                "method": op.method,
                "path": op.path,
            })
        })
        .collect();
    json!({
        "base_url_env": api.base_url_env,
        "credentials": credentials,
        "operations": operations,
    })
}

/// Prints the outcome and returns the exit code.
pub(super) fn finish(
    outcome: Result<Reply, Failure>,
    globals: &Globals,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    // Failing to write to stderr leaves nothing better to do than to exit with the code.
    match outcome {
        Ok(reply) => {
            if globals.verbose {
                if let Some((status, headers)) = &reply.response {
                    let _ = show_response(err, *status, headers);
                }
            }
            match print(reply.answer, reply.runtime.as_ref(), globals, out, err) {
                Ok(()) => 0,
                Err(failure) => {
                    let _ = writeln!(err, "error: {}", one_line(&failure.message));
                    failure.code
                }
            }
        }
        Err(failure) => {
            if globals.verbose {
                if let Some(response) = &failure.response {
                    let _ = show_response(err, response.status, &response.headers);
                    if !response.body.is_empty() {
                        let _ = writeln!(err, "\n{}", response.body.trim_end());
                    }
                }
            }
            let _ = writeln!(err, "error: {}", one_line(&failure.message));
            failure.code
        }
    }
}

/// Writes the body to the `--output` file, or to `out`; a streamed body piece by piece on `runtime`.
fn print(
    answer: Answer,
    runtime: Option<&tokio::runtime::Runtime>,
    globals: &Globals,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    let bytes: Vec<u8> = match answer.0 {
        Printed::Stream(pieces) => {
            let Some(runtime) = runtime else {
                return Err(Failure::failed("a streamed answer outside of a call"));
            };
            return runtime.block_on(write_stream(pieces, globals, out, err));
        }
        Printed::Json(value) => {
            let mut text = serde_json::to_vec_pretty(&value)
                .map_err(|error| Failure::failed(format!("printing the answer: {error}")))?;
            text.push(b'\n');
            text
        }
        Printed::Text(text) => text.into_bytes(),
        Printed::Bytes(bytes) => bytes.to_vec(),
        Printed::Nothing => Vec::new(),
        Printed::Unprintable(why) => {
            return Err(Failure::failed(format!(
                "the answer cannot be printed as JSON: {why}"
            )))
        }
    };
    match &globals.output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|error| Failure::failed(format!("writing {}: {error}", path.display()))),
        None => match out.write_all(&bytes).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            // The reader went away (`| head`): what it did not read is not an error of the call.
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(error) => Err(Failure::failed(format!("writing the answer: {error}"))),
        },
    }
}

/// Writes each piece of a streamed body as it arrives, to the `--output` file or `out`, flushed piece by
/// piece so that a reader sees events as they come.
async fn write_stream(
    mut pieces: Pieces,
    globals: &Globals,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    use futures_util::StreamExt as _;
    let mut file = match &globals.output {
        Some(path) => Some(
            std::fs::File::create(path)
                .map_err(|error| Failure::failed(format!("writing {}: {error}", path.display())))?,
        ),
        None => None,
    };
    let mut malformed = 0_usize;
    while let Some(piece) = pieces.stream.next().await {
        let bytes = match piece {
            Ok(bytes) => bytes,
            Err(message) if pieces.goes_on => {
                let _ = writeln!(err, "error: {}", one_line(&message));
                malformed += 1;
                continue;
            }
            Err(message) => return Err(Failure::failed(message)),
        };
        let written = match (&mut file, &globals.output) {
            (Some(file), Some(path)) => file
                .write_all(&bytes)
                .map_err(|error| Failure::failed(format!("writing {}: {error}", path.display()))),
            _ => match out.write_all(&bytes).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                // The reader went away (`| head`): the rest is not wanted; dropping the stream closes
                // the connection.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                Err(error) => Err(Failure::failed(format!("writing the answer: {error}"))),
            },
        };
        written?;
    }
    // Each one's line is already on stderr; the exit code says the stream was not all well.
    match malformed {
        0 => Ok(()),
        n => Err(Failure::failed(format!(
            "{n} malformed event(s) in the stream"
        ))),
    }
}

/// `--verbose`: the status line and the headers of the answer.
fn show_response(
    err: &mut dyn Write,
    status: StatusCode,
    headers: &HeaderMap,
) -> std::io::Result<()> {
    writeln!(err, "HTTP {status}")?;
    for (name, value) in headers {
        writeln!(err, "{name}: {}", String::from_utf8_lossy(value.as_bytes()))?;
    }
    Ok(())
}

/// A message on one line: line breaks and other control characters become spaces.
fn one_line(message: &str) -> String {
    message
        .split(|c: char| c.is_control())
        .filter(|piece| !piece.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}
