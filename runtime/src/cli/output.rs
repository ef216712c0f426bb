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
}

impl Reply {
    /// A document the command line made itself (`operations`), not an answer of the API.
    pub(crate) fn document(document: Value) -> Self {
        Self {
            response: None,
            answer: Answer(Printed::Json(document)),
        }
    }
}

/// The body of an answer, as it is printed.
#[derive(Debug)]
pub struct Answer(Printed);

#[derive(Debug)]
enum Printed {
    Json(Value),
    Text(String),
    Bytes(Bytes),
    Nothing,
    /// A decoded body that does not serialize back to JSON (a float that is not finite, say).
    Unprintable(String),
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
            Error::InvalidRequest { .. } | Error::Validation(_) => Self::usage(message),
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
            Error::Transport(_) | Error::ResponseTooLarge { .. } => Self::failed(message),
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
            match print(reply.answer, globals, out) {
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

/// Writes the body to the `--output` file, or to `out`.
fn print(answer: Answer, globals: &Globals, out: &mut dyn Write) -> Result<(), Failure> {
    let bytes: Vec<u8> = match answer.0 {
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
