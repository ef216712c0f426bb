//! Server-sent events (`text/event-stream`): the WHATWG parser ([`Parser`]), and [`Events`], the stream
//! of typed events an operation returns.
//!
//! # Parsing
//!
//! The stream is read as the HTML standard's "event stream interpretation" says: lines end with CRLF, LF
//! or CR (also when a CRLF is split between two reads); a line starting with `:` is a comment; `data:`
//! lines are joined with `\n`; `event:` names the type (`message` when absent); `id:` sets the last event
//! ID (kept for the following events, ignored when it holds NUL); `retry:` with only digits sets the
//! reconnection time; a leading byte order mark is dropped; a blank line dispatches the event, and a
//! block with no data dispatches nothing. One deliberate difference: an event still pending when the
//! stream ends (no blank line after it) is dispatched, as API servers often end that way.
//!
//! An event whose data is `[DONE]` (OpenAI's terminator) ends the stream where a stream uses it; the
//! connection is closed at once.
//!
//! # Malformed events
//!
//! An event whose data does not decode (with the response's schema), is not UTF-8, or is larger than
//! the client's [`max_response_bytes`](crate::ClientBuilder::max_response_bytes) is an
//! [`Error::Decode`] item holding the status and the start of the data; the stream goes on with the
//! next event.
//!
//! # Reconnection
//!
//! When a `GET` stream breaks off (a reset, or silence longer than the client's timeout) after the
//! server gave an event ID, the stream reconnects: it waits for the server's `retry` time (or the retry
//! policy's backoff), sends the request again, signed anew, with `Last-Event-ID`, and goes on with the
//! events after that ID. It tries as often as the [`RetryPolicy`](crate::RetryPolicy) allows attempts,
//! counted afresh after every event received. Nothing else reconnects: a stream that ends cleanly is over
//! (an API's stream of results ends when the results do, unlike a browser's `EventSource`), and a `POST`
//! (an LLM completion ...) is never sent again, since that would start the work over. A stream that
//! does not reconnect yields the error ([`Error::Interrupted`], [`Error::Stalled`]) and ends.
//! [`Events::last_event_id`] is there to resume by hand, with a `Last-Event-ID` header
//! ([`RequestOptions::header`](crate::RequestOptions::header)).

use crate::client::{Answered, Client, Prepared};
use crate::download::{Broke, LiveBody};
use crate::error::Error;
use crate::retry::BoxFuture;
use futures_core::Stream;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde::de::Error as _;
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// One event of a stream: its type, its data decoded, the last event ID and the reconnection time the
/// server set with it.
///
/// Serializes as `{"event": ..., "data": ..., "id": ..., "retry": <milliseconds>}` (the last two only when
/// set), one JSON line per event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<T> {
    /// The event type: the `event` field, `message` when the event has none.
    pub event: String,
    /// The data, decoded.
    pub data: T,
    /// The last event ID: the `id` field of this event or of an earlier one (`None` until the server
    /// sends one).
    pub id: Option<String>,
    /// The reconnection time the server asked for in this event (`retry` field), if it did.
    pub retry: Option<Duration>,
}

impl<T: serde::Serialize> serde::Serialize for Event<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("event", &self.event)?;
        map.serialize_entry("data", &self.data)?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        if let Some(retry) = self.retry {
            map.serialize_entry(
                "retry",
                &u64::try_from(retry.as_millis()).unwrap_or(u64::MAX),
            )?;
        }
        map.end()
    }
}

/// Reads an event's data into the operation's event type.
pub type DataDecoder<T> = fn(&str) -> Result<T, serde_json::Error>;

/// The data as JSON, into `T`.
pub fn json<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(data)
}

/// The data as it is (for events whose schema is a string).
pub fn text(data: &str) -> Result<String, serde_json::Error> {
    Ok(data.to_owned())
}

/// An event as parsed, before its data is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// The type (`message` when the event named none).
    pub event: String,
    /// The data lines joined with `\n`.
    pub data: String,
    /// The last event ID.
    pub id: Option<String>,
    /// The `retry` time set in this event's block.
    pub retry: Option<Duration>,
}

/// An event block that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Why.
    pub reason: &'static str,
    /// The start of the data (lossy UTF-8).
    pub data_start: String,
}

/// The incremental WHATWG event stream parser: give it the body's bytes as they come
/// ([`feed`](Self::feed)), however they are split, then [`finish`](Self::finish) it at the end.
///
/// ```
/// use openapi_client_runtime::sse::Parser;
///
/// let mut parser = Parser::new(1 << 20);
/// let mut events = Vec::new();
/// for piece in [&b"data: hel"[..], b"lo\r", b"\ndata: world\n\nid: 7\nevent: done\ndata"] {
///     parser.feed(piece, |event| events.push(event.expect("well-formed")));
/// }
/// parser.finish(|event| events.push(event.expect("well-formed")));
/// assert_eq!(events[0].data, "hello\nworld");
/// assert_eq!(events[0].event, "message");
/// assert_eq!((events[1].event.as_str(), events[1].data.as_str(), events[1].id.as_deref()), ("done", "", Some("7")));
/// ```
#[derive(Debug)]
pub struct Parser {
    /// The current line, not yet ended.
    line: Vec<u8>,
    /// The last byte seen ended a line with CR: an LF right after it belongs to the same line ending.
    after_cr: bool,
    /// Nothing was read yet: a byte order mark may come.
    at_start: bool,
    data: Vec<u8>,
    /// At least one `data` field in this block (the data may still be empty).
    has_data: bool,
    event: Vec<u8>,
    /// The `id` of the block being read, taken as the last event ID when the block ends.
    id_buffer: Option<String>,
    last_id: Option<String>,
    /// The `retry` of the block being read, reported with its event.
    retry: Option<Duration>,
    /// The reconnection time: the last `retry` received.
    reconnection_time: Option<Duration>,
    /// The block broke a rule; it is reported when it ends.
    malformed: Option<&'static str>,
    max: usize,
}

impl Parser {
    /// A parser refusing event blocks (data and lines) larger than `max_event_bytes`.
    pub fn new(max_event_bytes: usize) -> Self {
        Parser {
            line: Vec::new(),
            after_cr: false,
            at_start: true,
            data: Vec::new(),
            has_data: false,
            event: Vec::new(),
            id_buffer: None,
            last_id: None,
            retry: None,
            reconnection_time: None,
            malformed: None,
            max: max_event_bytes,
        }
    }

    /// The last event ID received: the `id` of the last block ended by a blank line, or of an earlier
    /// one (an `id` in a block cut off by a broken connection does not count).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// Parses `bytes`, calling `dispatch` with each event (or malformed block) they complete.
    pub fn feed(
        &mut self,
        mut bytes: &[u8],
        mut dispatch: impl FnMut(Result<RawEvent, Malformed>),
    ) {
        while !bytes.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if bytes[0] == b'\n' {
                    bytes = &bytes[1..];
                    continue;
                }
            }
            match memchr::memchr2(b'\r', b'\n', bytes) {
                Some(at) => {
                    self.push_line_bytes(&bytes[..at]);
                    self.after_cr = bytes[at] == b'\r';
                    bytes = &bytes[at + 1..];
                    self.end_line(&mut dispatch);
                }
                None => {
                    self.push_line_bytes(bytes);
                    bytes = &[];
                }
            }
        }
    }

    /// Ends the stream: the last line, and the event pending without a blank line after it.
    pub fn finish(&mut self, mut dispatch: impl FnMut(Result<RawEvent, Malformed>)) {
        if !self.line.is_empty() {
            self.end_line(&mut dispatch);
        }
        self.dispatch(&mut dispatch);
    }

    /// The reconnection time the server asked for (the last `retry` field), if it did.
    pub fn reconnection_time(&self) -> Option<Duration> {
        self.reconnection_time
    }

    /// Forgets the block in progress (after a broken connection) but keeps the last event ID and the
    /// reconnection time, as a reconnection does.
    pub fn reset_block(&mut self) {
        self.line.clear();
        self.after_cr = false;
        self.at_start = true;
        self.id_buffer = self.last_id.clone();
        self.clear_block();
    }

    fn push_line_bytes(&mut self, bytes: &[u8]) {
        if self.line.len() + bytes.len() > self.max {
            self.malformed = Some("the event is larger than the client's limit");
            // The rest of the line is dropped; the block is reported when it ends.
            let room = self.max.saturating_sub(self.line.len());
            self.line.extend_from_slice(&bytes[..bytes.len().min(room)]);
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn end_line(&mut self, dispatch: &mut impl FnMut(Result<RawEvent, Malformed>)) {
        let mut line = std::mem::take(&mut self.line);
        if self.at_start {
            self.at_start = false;
            if line.starts_with(b"\xEF\xBB\xBF") {
                line.drain(..3);
            }
        }
        if line.is_empty() {
            self.dispatch(dispatch);
        } else {
            self.field(&line);
        }
        // The buffer is kept for the next line.
        line.clear();
        self.line = line;
    }

    fn field(&mut self, line: &[u8]) {
        if line[0] == b':' {
            return;
        }
        let (name, value) = match memchr::memchr(b':', line) {
            Some(at) => {
                let value = &line[at + 1..];
                (&line[..at], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match name {
            b"data" => {
                if self.data.len() + value.len() + 1 > self.max {
                    self.malformed = Some("the event is larger than the client's limit");
                    return;
                }
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
                self.has_data = true;
            }
            b"event" => {
                self.event.clear();
                self.event.extend_from_slice(value);
            }
            b"id" if !value.contains(&0) => match std::str::from_utf8(value) {
                Ok(id) => self.id_buffer = Some(id.to_owned()),
                Err(_) => self.malformed = Some("the event ID is not UTF-8"),
            },
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // All digits: only a value too large for a u64 fails, and that is no retry time.
                if let Some(millis) = std::str::from_utf8(value)
                    .ok()
                    .and_then(|text| text.parse::<u64>().ok())
                {
                    self.retry = Some(Duration::from_millis(millis));
                    self.reconnection_time = self.retry;
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, dispatch: &mut impl FnMut(Result<RawEvent, Malformed>)) {
        self.last_id.clone_from(&self.id_buffer);
        if !self.has_data && self.malformed.is_none() {
            // A block without data dispatches nothing; its `retry` stays pending for the next event.
            self.data.clear();
            self.event.clear();
            return;
        }
        if self.data.last() == Some(&b'\n') {
            self.data.pop();
        }
        let data = std::mem::take(&mut self.data);
        let event = std::mem::take(&mut self.event);
        let retry = self.retry.take();
        let malformed = self.malformed.take();
        self.has_data = false;
        let start = || String::from_utf8_lossy(&data[..data.len().min(BODY_START)]).into_owned();
        if let Some(reason) = malformed {
            dispatch(Err(Malformed {
                reason,
                data_start: start(),
            }));
            return;
        }
        let (Ok(data_text), Ok(event)) = (std::str::from_utf8(&data), String::from_utf8(event))
        else {
            dispatch(Err(Malformed {
                reason: "the event is not UTF-8",
                data_start: start(),
            }));
            return;
        };
        dispatch(Ok(RawEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            data: data_text.to_owned(),
            id: self.last_id.clone(),
            retry,
        }));
    }

    fn clear_block(&mut self) {
        self.data.clear();
        self.event.clear();
        self.has_data = false;
        self.malformed = None;
    }
}

/// How much of a malformed event's data is kept in the error.
const BODY_START: usize = 4096;

/// The events of a `text/event-stream` answer, data decoded into `T`, as a [`Stream`]; `E` is the
/// operation's error type. Dropping it closes the connection.
///
/// Items are events, or errors: a malformed event ([`Error::Decode`], and the stream goes on), or the
/// end of the connection ([`Error::Interrupted`], [`Error::Stalled`], or the [`Error::Api`] of a failed
/// reconnection; the stream ends). See the [module documentation](self) for parsing and reconnection.
pub struct Events<T, E> {
    body: Option<LiveBody>,
    parser: Parser,
    ready: VecDeque<Result<Event<T>, Error<E>>>,
    decode: DataDecoder<T>,
    status: StatusCode,
    resume: Option<Resume>,
    reconnecting: Option<BoxFuture<'static, Result<Answered, Error<E>>>>,
    /// Reconnections left before an event arrives again.
    reconnects_left: u32,
    finished: bool,
}

/// What a reconnection sends again.
struct Resume {
    client: Client,
    prepared: Prepared,
    attempts: u32,
}

impl<T, E> std::fmt::Debug for Events<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("status", &self.status)
            .field("last_event_id", &self.parser.last_event_id())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<T, E> Events<T, E> {
    /// Events read from `body`; `resume`, when the request may be sent again to reconnect.
    pub(crate) fn new(
        body: LiveBody,
        decode: DataDecoder<T>,
        max_event_bytes: usize,
        resume: Option<(Client, Prepared, u32)>,
    ) -> Self {
        let attempts = resume.as_ref().map_or(1, |(_, _, attempts)| *attempts);
        Events {
            status: body.status(),
            body: Some(body),
            parser: Parser::new(max_event_bytes),
            ready: VecDeque::new(),
            decode,
            resume: resume.map(|(client, prepared, attempts)| Resume {
                client,
                prepared,
                attempts,
            }),
            reconnecting: None,
            reconnects_left: attempts.saturating_sub(1),
            finished: false,
        }
    }

    /// The last event ID the server sent, to resume by hand.
    pub fn last_event_id(&self) -> Option<&str> {
        self.parser.last_event_id()
    }

    fn take_raw(&mut self, raw: Result<RawEvent, Malformed>) {
        let status = self.status;
        match raw {
            Ok(raw) if raw.data == "[DONE]" => {
                self.finished = true;
                // Closes the connection now; whatever follows the terminator is not read.
                self.body = None;
            }
            Ok(raw) => {
                if let Some(resume) = &self.resume {
                    self.reconnects_left = resume.attempts.saturating_sub(1);
                }
                self.ready.push_back(match (self.decode)(&raw.data) {
                    Ok(data) => Ok(Event {
                        event: raw.event,
                        data,
                        id: raw.id,
                        retry: raw.retry,
                    }),
                    Err(source) => Err(Error::Decode {
                        status,
                        source,
                        body_start: data_start(&raw.data),
                    }),
                });
            }
            Err(malformed) => self.ready.push_back(Err(Error::Decode {
                status,
                source: serde_json::Error::custom(malformed.reason),
                body_start: malformed.data_start,
            })),
        }
    }
}

fn data_start(data: &str) -> String {
    let mut end = data.len().min(BODY_START);
    while !data.is_char_boundary(end) {
        end -= 1;
    }
    data[..end].to_owned()
}

/// Nothing in `Events` is pinned in place: it is moved freely between polls.
impl<T, E> Unpin for Events<T, E> {}

impl<T, E: serde::de::DeserializeOwned + Send + 'static> Events<T, E> {
    /// Starts a reconnection after `broke`, when the stream may reconnect; otherwise ends with the error.
    fn broken(&mut self, broke: Broke) {
        let Some(body) = self.body.take() else {
            self.finished = true;
            return;
        };
        let error = body.error(broke);
        let last_id = self.parser.last_event_id().map(str::to_owned);
        let resume = self.resume.as_ref().filter(|_| self.reconnects_left > 0);
        let (Some(resume), Some(last_id)) = (resume, last_id) else {
            self.ready.push_back(Err(error));
            self.finished = true;
            return;
        };
        let Ok(id) = HeaderValue::from_str(&last_id) else {
            self.ready.push_back(Err(error));
            self.finished = true;
            return;
        };
        self.reconnects_left -= 1;
        self.parser.reset_block();
        let client = resume.client.clone();
        let mut prepared = resume.prepared.clone();
        prepared.set_header(HeaderName::from_static("last-event-id"), id);
        let wait = self
            .parser
            .reconnection_time()
            .unwrap_or_else(|| client.reconnect_backoff(resume.attempts - self.reconnects_left));
        self.reconnecting = Some(Box::pin(async move {
            client.sleep_for(wait).await;
            client.execute::<E>(&mut prepared, true).await
        }));
    }
}

impl<T, E: serde::de::DeserializeOwned + Send + 'static> Stream for Events<T, E> {
    type Item = Result<Event<T>, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.ready.pop_front() {
                return Poll::Ready(Some(item));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            if let Some(reconnecting) = &mut this.reconnecting {
                let answer = match reconnecting.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(answer) => answer,
                };
                this.reconnecting = None;
                match answer {
                    Ok(Answered::Live {
                        response, headers, ..
                    }) => {
                        let idle = this
                            .resume
                            .as_ref()
                            .map_or(Duration::from_secs(60), |r| r.client.idle_timeout());
                        this.status = response.status();
                        this.body = Some(LiveBody::new(response, headers, idle));
                    }
                    Ok(Answered::Buffered { .. }) => this.finished = true,
                    Err(error) => {
                        this.finished = true;
                        return Poll::Ready(Some(Err(error)));
                    }
                }
                continue;
            }
            let Some(body) = &mut this.body else {
                this.finished = true;
                continue;
            };
            match body.poll_chunk(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => {
                    let mut raws = Vec::new();
                    this.parser.feed(&bytes, |raw| raws.push(raw));
                    for raw in raws {
                        if this.finished {
                            break;
                        }
                        this.take_raw(raw);
                    }
                }
                Poll::Ready(None) => {
                    let mut raws = Vec::new();
                    this.parser.finish(|raw| raws.push(raw));
                    for raw in raws {
                        if this.finished {
                            break;
                        }
                        this.take_raw(raw);
                    }
                    this.finished = true;
                    this.body = None;
                }
                Poll::Ready(Some(Err(broke))) => this.broken(broke),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in(pieces: &[&[u8]]) -> Vec<Result<RawEvent, Malformed>> {
        let mut parser = Parser::new(1024);
        let mut out = Vec::new();
        for piece in pieces {
            parser.feed(piece, |event| out.push(event));
        }
        parser.finish(|event| out.push(event));
        out
    }

    fn event(event: &str, data: &str, id: Option<&str>) -> Result<RawEvent, Malformed> {
        Ok(RawEvent {
            event: event.to_owned(),
            data: data.to_owned(),
            id: id.map(str::to_owned),
            retry: None,
        })
    }

    /// Every way of cutting `stream` in two, and one byte at a time, parses as the whole does.
    fn same_at_every_split(stream: &[u8]) -> Vec<Result<RawEvent, Malformed>> {
        let whole = parse_in(&[stream]);
        for at in 0..=stream.len() {
            assert_eq!(
                parse_in(&[&stream[..at], &stream[at..]]),
                whole,
                "split at {at}"
            );
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(parse_in(&bytes), whole, "one byte at a time");
        whole
    }

    #[test]
    fn the_whatwg_rules_hold_at_every_split() {
        let stream = "\u{FEFF}: a comment\r\ndata: first\r\ndata:  second\r\n\r\n\
                      event: update\nid: 42\ndata: {\"n\":1}\n\n\
                      data\rdata: cr only\r\r\
                      id: 43\n: nothing to dispatch\n\n\
                      retry: 1500\nevent: last\ndata: مرحبا\n";
        let events = same_at_every_split(stream.as_bytes());
        let mut expected = vec![
            event("message", "first\n second", None),
            event("update", r#"{"n":1}"#, Some("42")),
            event("message", "\ncr only", Some("42")),
        ];
        expected.push(Ok(RawEvent {
            event: "last".into(),
            data: "مرحبا".into(),
            id: Some("43".into()),
            retry: Some(Duration::from_millis(1500)),
        }));
        assert_eq!(events, expected);
    }

    #[test]
    fn ids_with_nul_and_bad_retry_values_are_ignored() {
        let events =
            parse_in(&[b"id: 1\nretry: 10x\ndata: a\n\nid: 2\0\ndata: b\n\nid\ndata: c\n\n"]);
        assert_eq!(
            events,
            [
                event("message", "a", Some("1")),
                event("message", "b", Some("1")),
                event("message", "c", Some("")),
            ]
        );
    }

    #[test]
    fn malformed_blocks_are_reported_and_parsing_goes_on() {
        let mut stream = b"data: \xff\xfe\n\n".to_vec();
        stream.extend_from_slice(format!("data: {}\n\n", "x".repeat(2000)).as_bytes());
        stream.extend_from_slice(b"data: fine\n\n");
        let events = same_at_every_split(&stream);
        assert_eq!(events.len(), 3);
        assert_eq!(
            events[0].as_ref().expect_err("not UTF-8").reason,
            "the event is not UTF-8"
        );
        assert_eq!(
            events[1].as_ref().expect_err("too large").reason,
            "the event is larger than the client's limit"
        );
        assert_eq!(events[2], event("message", "fine", None));
    }

    #[test]
    fn a_stream_without_a_final_blank_line_still_dispatches() {
        assert_eq!(parse_in(&[b"data: end"]), [event("message", "end", None)]);
        assert_eq!(parse_in(&[b"data: end\r"]), [event("message", "end", None)]);
        assert!(parse_in(&[b": only a comment"]).is_empty());
        assert!(parse_in(&[b""]).is_empty());
    }

    #[test]
    fn events_serialize_as_one_json_object() {
        let shown = serde_json::to_string(&Event {
            event: "message".into(),
            data: serde_json::json!({"n": 1}),
            id: Some("7".into()),
            retry: Some(Duration::from_millis(1500)),
        })
        .expect("serializable");
        assert_eq!(
            shown,
            r#"{"event":"message","data":{"n":1},"id":"7","retry":1500}"#
        );
        let shown = serde_json::to_string(&Event {
            event: "message".into(),
            data: "text",
            id: None,
            retry: None,
        })
        .expect("serializable");
        assert_eq!(shown, r#"{"event":"message","data":"text"}"#);
    }
}
