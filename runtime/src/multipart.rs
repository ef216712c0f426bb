//! `multipart/form-data` bodies: a [`Form`] of ordered parts and its encoder to bytes.
//!
//! The body of a signed request must be known byte for byte before it is sent (the signature covers it) and
//! must be replayable, so this crate encodes forms itself instead of using reqwest's streaming form with its
//! private random boundary. [`Form::encode`] measures the exact size first, allocates once and copies each
//! file's bytes exactly once. The client copies only the text: files of 32 KiB or more go out as the bytes
//! the caller's [`FilePart`] holds, pieces of a body that is signed and sent in order (`payload.rs`); a
//! streamed file ([`FilePart::open`]) is read from its file by each attempt, never held whole.

use crate::file::FilePart;
use crate::payload::{Payload, Piece, Streamed};
use memchr::memmem;
use std::sync::Arc;

/// An ordered list of form fields and files, encoded with [`Form::encode`].
///
/// ```
/// use openapi_client_runtime::{multipart::Form, FilePart};
///
/// let mut form = Form::new();
/// form.text("name", "Ahmed Mohammed");
/// form.text_opt("email", None::<&String>);
/// form.json("tags", &["vip", "ksa"]);
/// form.file("file", &FilePart::new(&b"\x89PNG"[..], "avatar.png", "image/png"));
/// let body = form.encode("test-boundary-0001").unwrap();
/// assert!(body.starts_with(b"--test-boundary-0001\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n"));
/// assert!(body.ends_with(b"\r\n--test-boundary-0001--\r\n"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Form {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
struct Part {
    name: &'static str,
    content: Content,
}

#[derive(Debug, Clone)]
enum Content {
    Text(String),
    File(FilePart),
    /// A [`Form::json`] value that failed to serialize. Kept, not dropped, so [`Form::encode`] can refuse the
    /// form naming the part (generated `to_form()` methods return a plain `Form` and cannot report it).
    /// Shared so that `Form` stays `Clone`.
    InvalidJson(Arc<serde_json::Error>),
}

impl Content {
    fn bytes(&self) -> &[u8] {
        match self {
            Content::Text(text) => text.as_bytes(),
            // A streamed file has no bytes here: the client reads it while sending.
            Content::File(file) => file.bytes().map_or(&[][..], |bytes| &bytes[..]),
            // `encode` refuses a form holding one before anything is written.
            Content::InvalidJson(_) => &[],
        }
    }
}

/// Why a [`Form`] could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The boundary is not 1 to 70 characters of the RFC 2046 `bchars` set, or ends with a space.
    #[error("invalid multipart boundary: {0}")]
    InvalidBoundary(String),
    /// The boundary occurs inside a part's content, so a parser would cut the part short.
    #[error("the multipart boundary occurs inside the content of part `{part}`")]
    BoundaryInContent {
        /// Name of the offending part.
        part: String,
    },
    /// A file part is streamed from a file or a reader: only the client, which reads it while sending,
    /// can encode the form.
    #[error(
        "part `{part}` is streamed from a file or a reader; the client sends it as it reads it"
    )]
    StreamedFile {
        /// Name of the streamed part.
        part: String,
    },
    /// A file part's content type contains characters that cannot appear in a header line.
    #[error("the content type of part `{part}` is not a valid header value")]
    InvalidContentType {
        /// Name of the offending part.
        part: String,
    },
    /// The value given to [`Form::json`] for this part could not be serialized (for example a map with
    /// non-string keys, or a `Serialize` impl that fails).
    #[error("part `{part}` cannot be serialized as JSON: {source}")]
    InvalidJson {
        /// Name of the offending part.
        part: String,
        /// The serialization error.
        #[source]
        source: Arc<serde_json::Error>,
    },
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of parts added so far.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether no part was added.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Adds a text field (`bool` becomes `true`/`false`, numbers their decimal form).
    pub fn text(&mut self, name: &'static str, value: impl ToString) {
        self.push(name, Content::Text(value.to_string()));
    }

    /// Adds a text field when `value` is `Some`; an absent optional field is left out of the form.
    pub fn text_opt<T: ToString>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.push(name, Content::Text(value.to_string()));
        }
    }

    /// Adds a text field holding `value` as compact JSON (for fields documented as "a JSON string"). Like
    /// any text part it has no `Content-Type` header.
    ///
    /// Returns nothing so that generated `to_form()` methods can stay infallible: a serialization failure is
    /// kept in the form and [`Form::encode`] refuses it with [`EncodeError::InvalidJson`] naming this part
    /// (the client reports that as [`Error::InvalidRequest`](crate::Error::InvalidRequest), before sending).
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        let content = match serde_json::to_string(value) {
            Ok(text) => Content::Text(text),
            Err(error) => Content::InvalidJson(Arc::new(error)),
        };
        self.push(name, content);
    }

    /// Adds a JSON text field when `value` is `Some`; an absent optional field is left out of the form.
    pub fn json_opt<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: Option<&T>,
    ) {
        if let Some(value) = value {
            self.json(name, value);
        }
    }

    /// Adds a file. Cheap: the file's bytes are shared, not copied.
    pub fn file(&mut self, name: &'static str, file: &FilePart) {
        self.push(name, Content::File(file.clone()));
    }

    /// Adds a file when `file` is `Some`.
    pub fn file_opt(&mut self, name: &'static str, file: Option<&FilePart>) {
        if let Some(file) = file {
            self.file(name, file);
        }
    }

    /// Whether a file part is streamed from a file or a reader (the form is then sent in pieces that
    /// each attempt reads).
    pub(crate) fn has_streamed_files(&self) -> bool {
        self.parts
            .iter()
            .any(|part| matches!(&part.content, Content::File(file) if file.is_streamed()))
    }

    fn push(&mut self, name: &'static str, content: Content) {
        self.parts.push(Part { name, content });
    }

    /// Encodes the form with `boundary`.
    ///
    /// The exact length is computed first and the output allocated once; each file's bytes are copied
    /// exactly once. Field and file names are escaped in `Content-Disposition` as browsers do (`"` → `%22`,
    /// CR → `%0D`, LF → `%0A`). Text parts carry no `Content-Type`. Layout, with CRLF line endings:
    ///
    /// ```text
    /// --B\r\nContent-Disposition: form-data; name="N"\r\n\r\nVALUE\r\n
    /// --B\r\nContent-Disposition: form-data; name="N"; filename="F"\r\nContent-Type: T\r\n\r\nBYTES\r\n
    /// --B--\r\n
    /// ```
    ///
    /// Fails if a [`json`](Self::json) value could not be serialized (checked first: no boundary can fix
    /// it), if a file part is streamed ([`EncodeError::StreamedFile`]), if the boundary is invalid (see
    /// [`EncodeError::InvalidBoundary`]), occurs inside any part's content, or a file's content type is
    /// not a valid header value.
    pub fn encode(&self, boundary: &str) -> Result<Vec<u8>, EncodeError> {
        self.encode_tapped(boundary, |_| {})
    }

    /// [`encode`](Self::encode), handing every piece of the output to `tap` in order as it is written (the
    /// client feeds them to the signature's MAC while they are in cache). After a failure, `tap` may have
    /// been given the start of a body that is not returned.
    pub(crate) fn encode_tapped(
        &self,
        boundary: &str,
        tap: impl FnMut(&[u8]),
    ) -> Result<Vec<u8>, EncodeError> {
        let out = self.written(boundary, tap, false)?;
        debug_assert_eq!(out.bytes.len(), out.bytes.capacity());
        Ok(out.bytes)
    }

    /// [`encode_tapped`](Self::encode_tapped), except that files of [`CHECK_CHUNK`] bytes or more are not
    /// copied: the body is the text between them, in exactly-sized buffers, and the files' own shared
    /// [`Bytes`](bytes::Bytes). A form without such files is one buffer, as `encode_tapped` makes it.
    /// Streamed files become pieces each attempt reads ([`Payload::Streamed`]); `tap` is not given
    /// their content.
    pub(crate) fn encode_payload_tapped(
        &self,
        boundary: &str,
        tap: impl FnMut(&[u8]),
    ) -> Result<Payload, EncodeError> {
        let out = self.written(boundary, tap, true)?;
        if out.pieces.is_empty() {
            return Ok(Payload::Whole(bytes::Bytes::from(out.bytes)));
        }
        let mut pieces = out.pieces;
        if !out.bytes.is_empty() {
            pieces.push(Piece::Bytes(bytes::Bytes::from(out.bytes)));
        }
        let in_memory: Option<Vec<bytes::Bytes>> = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Bytes(bytes) => Some(bytes.clone()),
                Piece::Source { .. } => None,
            })
            .collect();
        Ok(match in_memory {
            Some(pieces) => {
                let len = pieces.iter().map(|piece| piece.len() as u64).sum();
                Payload::Pieces {
                    pieces: pieces.into(),
                    len,
                }
            }
            None => Payload::Streamed(Arc::new(Streamed { pieces })),
        })
    }

    /// The checks, then the form written twice: first counted, then into buffers of exactly that size, so
    /// the size cannot drift from the output. With `share`, large files are shared rather than copied.
    fn written<'a, T: FnMut(&[u8])>(
        &self,
        boundary: &'a str,
        tap: T,
        share: bool,
    ) -> Result<Output<'a, T>, EncodeError> {
        self.check(boundary, share)?;
        let mut counter = Counter { len: 0, share };
        self.write(boundary.as_bytes(), &mut counter)
            .map_err(boundary_in)?;
        let mut out = Output::new(counter.len, boundary.as_bytes(), tap, share);
        self.write(boundary.as_bytes(), &mut out)
            .map_err(boundary_in)?;
        out.feed_tap();
        Ok(out)
    }

    /// What no boundary can fix, then the boundary itself: a [`json`](Self::json) value that could not be
    /// serialized, an invalid boundary, a file content type that is not a valid header value.
    fn check(&self, boundary: &str, share: bool) -> Result<(), EncodeError> {
        for part in &self.parts {
            match &part.content {
                Content::InvalidJson(source) => {
                    return Err(EncodeError::InvalidJson {
                        part: part.name.to_owned(),
                        source: Arc::clone(source),
                    })
                }
                Content::File(file) if !share && file.is_streamed() => {
                    return Err(EncodeError::StreamedFile {
                        part: part.name.to_owned(),
                    })
                }
                _ => {}
            }
        }
        check_boundary(boundary)?;
        for part in &self.parts {
            if let Content::File(file) = &part.content {
                // A CR or LF here would end the header line early and let the value inject headers.
                if !file
                    .content_type()
                    .bytes()
                    .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
                {
                    return Err(EncodeError::InvalidContentType {
                        part: part.name.to_owned(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Writes the form to `sink`; fails with the part's name when the sink finds the boundary in a part's
    /// content.
    fn write(&self, boundary: &[u8], sink: &mut impl Sink) -> Result<(), &'static str> {
        for part in &self.parts {
            sink.put(b"--");
            sink.put(boundary);
            sink.put(b"\r\nContent-Disposition: form-data; name=\"");
            put_escaped(sink, part.name.as_bytes());
            sink.put(b"\"");
            if let Content::File(file) = &part.content {
                sink.put(b"; filename=\"");
                put_escaped(sink, file.file_name().as_bytes());
                sink.put(b"\"\r\nContent-Type: ");
                sink.put(file.content_type().as_bytes());
            }
            sink.put(b"\r\n\r\n");
            if !sink.put_content(&part.content) {
                return Err(part.name);
            }
            sink.put(b"\r\n");
        }
        sink.put(b"--");
        sink.put(boundary);
        sink.put(b"--\r\n");
        Ok(())
    }
}

/// The error for a part whose content holds the boundary.
fn boundary_in(part: &str) -> EncodeError {
    EncodeError::BoundaryInContent {
        part: part.to_owned(),
    }
}

/// Where [`Form::write`] sends bytes: a counter for the size pass, the output buffer for the copy pass.
trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// Puts a part's content; false when the boundary occurs in it.
    fn put_content(&mut self, content: &Content) -> bool {
        self.put(content.bytes());
        true
    }
}

/// The size pass: how many bytes the output buffers need.
struct Counter {
    len: usize,
    /// Files that [`Output`] will share rather than copy are not counted.
    share: bool,
}

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        // Saturating: a length past usize::MAX could not be allocated anyway, and must not wrap to a small one.
        self.len = self.len.saturating_add(bytes.len());
    }

    fn put_content(&mut self, content: &Content) -> bool {
        if !(self.share && (shared(content).is_some() || streamed(content).is_some())) {
            self.put(content.bytes());
        }
        true
    }
}

/// The file's bytes, when `content` is a file in memory large enough to be sent as it is rather than
/// copied.
fn shared(content: &Content) -> Option<&bytes::Bytes> {
    match content {
        Content::File(file) => file.bytes().filter(|bytes| bytes.len() >= CHECK_CHUNK),
        _ => None,
    }
}

/// The file, when `content` is a file streamed from a file or a reader.
fn streamed(content: &Content) -> Option<&FilePart> {
    match content {
        Content::File(file) if file.is_streamed() => Some(file),
        _ => None,
    }
}

/// The copy pass: the output buffer, the boundary to check each part's content for, and the tap that is
/// given every byte written, in order.
struct Output<'a, T> {
    /// The output; when sharing, the text since the last shared file.
    bytes: Vec<u8>,
    /// Whether large files are shared ([`shared`]) instead of copied.
    share: bool,
    /// When sharing: the body so far, up to and including the last shared or streamed file.
    pieces: Vec<Piece>,
    boundary: &'a [u8],
    /// Built for the first content of [`SHORT_CONTENT`] bytes or more.
    finder: Option<memmem::Finder<'a>>,
    tap: T,
    /// How many bytes of `bytes` the tap has been given.
    tapped: usize,
}

/// Content this long or longer is tapped, checked and copied in pieces of this size, so that the check and
/// the copy read what the tap (the MAC, slow enough for the memory to keep up) has just brought into cache.
/// Over 5 MiB, this saves about a third of the time the check and the copy take on their own. Shorter
/// content is given to the tap later, with the text around it: one call per small form, not one per line.
/// Files this long or longer are not copied at all by [`Form::encode_payload_tapped`].
const CHECK_CHUNK: usize = 32 * 1024;

/// Content shorter than this is searched for the boundary by comparing at each occurrence of its first
/// byte: for a few hundred bytes that is several times faster than building a [`memmem::Finder`], and at
/// worst (content made of the boundary's first byte) it is fewer than this many short comparisons.
const SHORT_CONTENT: usize = 1024;

impl<'a, T: FnMut(&[u8])> Output<'a, T> {
    fn new(capacity: usize, boundary: &'a [u8], tap: T, share: bool) -> Self {
        Output {
            bytes: Vec::with_capacity(capacity),
            share,
            pieces: Vec::new(),
            boundary,
            finder: None,
            tap,
            tapped: 0,
        }
    }

    /// Whether the boundary occurs in `content`.
    fn holds_boundary(&mut self, content: &[u8]) -> bool {
        let boundary = self.boundary;
        if content.len() < SHORT_CONTENT {
            // `check_boundary` made sure the boundary is not empty.
            let Some(&first) = boundary.first() else {
                return false;
            };
            return memchr::memchr_iter(first, content)
                .any(|at| content[at..].starts_with(boundary));
        }
        self.finder
            .get_or_insert_with(|| memmem::Finder::new(boundary))
            .find(content)
            .is_some()
    }

    /// The text so far becomes a piece; the rest of the text goes into what is left of the buffer's
    /// exact size, in a buffer of its own.
    fn cut_piece(&mut self) {
        self.feed_tap();
        let rest = self.bytes.capacity() - self.bytes.len();
        let text = std::mem::replace(&mut self.bytes, Vec::with_capacity(rest));
        if !text.is_empty() {
            self.pieces.push(Piece::Bytes(bytes::Bytes::from(text)));
        }
        self.tapped = 0;
    }

    /// Gives the tap what was written since it was last given anything.
    fn feed_tap(&mut self) {
        (self.tap)(&self.bytes[self.tapped..]);
        self.tapped = self.bytes.len();
    }
}

impl<T: FnMut(&[u8])> Sink for Output<'_, T> {
    fn put(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    fn put_content(&mut self, part: &Content) -> bool {
        if let Some(file) = streamed(part) {
            // Only the client encodes such a form (`check` refused it otherwise): the file is read, and
            // searched for the boundary, while it is sent.
            self.cut_piece();
            self.pieces.push(Piece::Source {
                upload: file.upload().clone(),
                name: file.file_name().to_owned(),
                boundary: Some(Arc::from(self.boundary)),
            });
            return true;
        }
        let content = part.bytes();
        if content.len() < CHECK_CHUNK {
            if self.holds_boundary(content) {
                return false;
            }
            self.bytes.extend_from_slice(content);
            return true;
        }
        let shared = shared(part).filter(|_| self.share);
        self.feed_tap();
        // Each window reaches back by one byte less than the boundary, so an occurrence across two pieces
        // is found as in a check of the whole content.
        let overlap = self.boundary.len().saturating_sub(1);
        let mut start = 0;
        while start < content.len() {
            let end = content.len().min(start + CHECK_CHUNK);
            (self.tap)(&content[start..end]);
            if self.holds_boundary(&content[start.saturating_sub(overlap)..end]) {
                return false;
            }
            if shared.is_none() {
                self.bytes.extend_from_slice(&content[start..end]);
            }
            start = end;
        }
        if let Some(file) = shared {
            self.cut_piece();
            self.pieces.push(Piece::Bytes(file.clone()));
        }
        self.tapped = self.bytes.len();
        true
    }
}

/// Writes `value` with `"`, CR and LF percent-escaped, in runs, so unescaped stretches are copied at once.
fn put_escaped(sink: &mut impl Sink, value: &[u8]) {
    let mut rest = value;
    while let Some(at) = memchr::memchr3(b'"', b'\r', b'\n', rest) {
        sink.put(&rest[..at]);
        sink.put(match rest[at] {
            b'"' => b"%22",
            b'\r' => b"%0D",
            _ => b"%0A",
        });
        rest = &rest[at + 1..];
    }
    sink.put(rest);
}

/// RFC 2046 `bcharsnospace`, plus space which is allowed except at the end.
fn is_bchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'\''
                | b'('
                | b')'
                | b'+'
                | b'_'
                | b','
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b'='
                | b'?'
                | b' '
        )
}

fn check_boundary(boundary: &str) -> Result<(), EncodeError> {
    let invalid = |reason: &str| Err(EncodeError::InvalidBoundary(reason.to_owned()));
    if boundary.is_empty() || boundary.len() > 70 {
        return invalid("must be 1 to 70 characters long");
    }
    if !boundary.bytes().all(is_bchar) {
        return invalid("may only contain letters, digits and '()+_,-./:=? and space");
    }
    if boundary.ends_with(' ') {
        return invalid("must not end with a space");
    }
    Ok(())
}

/// The `Content-Type` header value for a form encoded with `boundary`, quoting the boundary when it holds
/// characters that are not allowed in a bare parameter value.
pub fn content_type(boundary: &str) -> String {
    const START: &str = "multipart/form-data; boundary=";
    let quoted = boundary
        .bytes()
        .any(|b| matches!(b, b'(' | b')' | b',' | b'/' | b':' | b'=' | b'?' | b' '));
    let mut value = String::with_capacity(START.len() + boundary.len() + 2);
    value.push_str(START);
    if quoted {
        value.push('"');
        value.push_str(boundary);
        value.push('"');
    } else {
        value.push_str(boundary);
    }
    value
}

/// A fresh random boundary: `boundary-` followed by 32 lowercase hex characters.
///
/// The 128 bits are the start of SHA-256 over a 256-bit key, drawn once per process from the operating
/// system, and a counter. Whoever supplies the content cannot predict them without the key, they never
/// repeat within the process, and a form costs one hash block instead of a system call.
pub fn random_boundary() -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let key = KEY.get_or_init(|| {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            fallback_entropy(&mut key);
        }
        key
    });
    let mut hasher = Sha256::new();
    hasher.update(key);
    hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let digest = hasher.finalize();
    let mut boundary = String::with_capacity(BOUNDARY_PREFIX.len() + 32);
    boundary.push_str(BOUNDARY_PREFIX);
    crate::hex::push_hex(&mut boundary, &digest[..16]);
    boundary
}

/// What every [`random_boundary`] starts with.
const BOUNDARY_PREFIX: &str = "boundary-";

/// Used only if the OS random source fails. Time, process id and a counter still make the key differ from
/// run to run; the encoder refuses a boundary found in the content anyway.
fn fallback_entropy(bytes: &mut [u8; 32]) {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut hasher = Sha256::new();
    hasher.update(nanos.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    bytes.copy_from_slice(&hasher.finalize());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG signature followed by bytes of every value, the kind of binary content a form carries.
    fn file_bytes() -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend((0..=255u8).rev());
        bytes
    }

    fn sample_form(file: Vec<u8>) -> Form {
        let mut form = Form::new();
        form.text("name", "Ahmed Mohammed");
        form.text("phone", "96650000000");
        form.text_opt("email", None::<&String>);
        form.text_opt("is_favorite", Some(&true));
        form.file_opt(
            "file",
            Some(&FilePart::new(file, "avatar.png", "image/png")),
        );
        form
    }

    /// The RFC 7578 encoding of `sample_form`, written out by hand.
    fn sample_body(boundary: &str, file: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        for (name, value) in [
            ("name", "Ahmed Mohammed"),
            ("phone", "96650000000"),
            ("is_favorite", "true"),
        ] {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"avatar.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        body
    }

    #[test]
    fn encodes_text_and_file_parts_byte_for_byte() {
        let encoded = sample_form(file_bytes())
            .encode("test-boundary-0001")
            .expect("valid form");
        assert_eq!(encoded, sample_body("test-boundary-0001", &file_bytes()));
    }

    #[test]
    fn allocates_exactly_once() {
        let encoded = sample_form(file_bytes())
            .encode("test-boundary-0001")
            .expect("valid form");
        assert_eq!(encoded.capacity(), encoded.len());

        let empty = Form::new().encode("b").expect("valid form");
        assert_eq!(empty, b"--b--\r\n");
        assert_eq!(empty.capacity(), empty.len());
    }

    #[test]
    fn boundary_inside_content_is_refused() {
        let mut form = Form::new();
        form.text("name", "x");
        form.text("note", "see --test-boundary-0001 here");
        match form.encode("test-boundary-0001") {
            Err(EncodeError::BoundaryInContent { part }) => assert_eq!(part, "note"),
            other => panic!("expected BoundaryInContent, got {other:?}"),
        }

        let mut form = Form::new();
        form.file(
            "file",
            &FilePart::new(
                &b"\x00test-boundary-0001\xff"[..],
                "a.bin",
                "application/octet-stream",
            ),
        );
        assert!(matches!(
            form.encode("test-boundary-0001"),
            Err(EncodeError::BoundaryInContent { part }) if part == "file"
        ));
    }

    #[test]
    fn boundary_is_found_across_the_pieces_content_is_checked_in() {
        let boundary = "test-boundary-0001";
        // The last piece is short (searched without a finder); the boundary may reach into it.
        let len = 2 * CHECK_CHUNK + 20;
        let encode_with_boundary_at = |at: usize| {
            let mut content = vec![b'x'; len];
            content[at..at + boundary.len()].copy_from_slice(boundary.as_bytes());
            let mut form = Form::new();
            form.file(
                "file",
                &FilePart::new(content, "a.bin", "application/octet-stream"),
            );
            form.encode(boundary)
        };
        for at in [
            0,
            CHECK_CHUNK - boundary.len(),
            CHECK_CHUNK - boundary.len() + 1,
            CHECK_CHUNK - 1,
            CHECK_CHUNK,
            2 * CHECK_CHUNK - 5,
            len - boundary.len(),
        ] {
            assert!(
                matches!(
                    encode_with_boundary_at(at),
                    Err(EncodeError::BoundaryInContent { part }) if part == "file"
                ),
                "boundary at {at}"
            );
        }

        // Without the boundary, the pieces make up the content exactly.
        let content: Vec<u8> = (0..3 * CHECK_CHUNK + 7).map(|i| (i % 251) as u8).collect();
        let mut form = Form::new();
        form.file("file", &FilePart::new(content.clone(), "a.bin", "x/y"));
        let encoded = form.encode(boundary).expect("no boundary in the content");
        let head = b"--test-boundary-0001\r\nContent-Disposition: form-data; name=\"file\"; \
            filename=\"a.bin\"\r\nContent-Type: x/y\r\n\r\n";
        let tail = b"\r\n--test-boundary-0001--\r\n";
        assert_eq!(&encoded[..head.len()], head);
        assert_eq!(&encoded[head.len()..encoded.len() - tail.len()], content);
        assert_eq!(&encoded[encoded.len() - tail.len()..], tail);
    }

    #[test]
    fn boundary_is_found_in_short_content_wherever_it_is() {
        let boundary = "test-boundary-0001";
        for len in [boundary.len(), 40, SHORT_CONTENT - 1] {
            for at in [0, 1, len / 2, len - boundary.len()] {
                if at + boundary.len() > len {
                    continue;
                }
                // Filled with the boundary's first byte, so every position is a candidate.
                let mut content = vec![b'a'; len];
                content[at..at + boundary.len()].copy_from_slice(boundary.as_bytes());
                let mut form = Form::new();
                form.file("f", &FilePart::new(content, "a.bin", "x/y"));
                assert!(
                    matches!(
                        form.encode(boundary),
                        Err(EncodeError::BoundaryInContent { .. })
                    ),
                    "len {len}, at {at}"
                );
            }
            // One byte short of the boundary at the end is not an occurrence.
            let mut content = vec![b'a'; len];
            let cut = &boundary.as_bytes()[..boundary.len() - 1];
            content[len - cut.len()..].copy_from_slice(cut);
            let mut form = Form::new();
            form.file("f", &FilePart::new(content, "a.bin", "x/y"));
            assert!(form.encode(boundary).is_ok(), "len {len}, cut at the end");
        }
    }

    #[test]
    fn invalid_boundaries_are_refused() {
        let too_long = "a".repeat(71);
        for boundary in [
            "",
            too_long.as_str(),
            "ends-with-space ",
            "quote\"",
            "new\r\nline",
            "tab\t",
            "é",
            "semi;",
        ] {
            assert!(
                matches!(
                    Form::new().encode(boundary),
                    Err(EncodeError::InvalidBoundary(_))
                ),
                "{boundary:?} should be refused"
            );
        }
        let longest = "z".repeat(70);
        for boundary in ["a", longest.as_str(), "with space inside", "'()+_,-./:=?"] {
            assert!(
                Form::new().encode(boundary).is_ok(),
                "{boundary:?} should be accepted"
            );
        }
    }

    #[test]
    fn names_and_file_names_are_escaped() {
        let mut form = Form::new();
        form.text("we\"ird\r\nname", "v");
        form.file(
            "f",
            &FilePart::new(&b"x"[..], "a\"b\rc\nd.txt", "text/plain"),
        );
        let encoded = String::from_utf8(form.encode("b").expect("valid form")).expect("ascii");
        assert_eq!(
            encoded,
            "--b\r\nContent-Disposition: form-data; name=\"we%22ird%0D%0Aname\"\r\n\r\nv\r\n\
             --b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a%22b%0Dc%0Ad.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nx\r\n--b--\r\n"
        );
    }

    #[test]
    fn content_type_with_line_break_is_refused() {
        let mut form = Form::new();
        form.file(
            "f",
            &FilePart::new(&b"x"[..], "x.txt", "text/plain\r\nX-Injected: 1"),
        );
        assert!(
            matches!(form.encode("b"), Err(EncodeError::InvalidContentType { part }) if part == "f")
        );
    }

    #[test]
    fn json_parts_are_compact_json_text() {
        let mut form = Form::new();
        form.json("body_params", &["Ahmed", "1"]);
        form.json_opt("missing", None::<&serde_json::Value>);
        form.json_opt(
            "meta",
            Some(&serde_json::json!({"name": "مرحبا", "n": [1, 2]})),
        );
        form.json("text", "a \"quoted\" word");
        assert_eq!(
            String::from_utf8(form.encode("b").expect("valid form")).expect("UTF-8"),
            "--b\r\nContent-Disposition: form-data; name=\"body_params\"\r\n\r\n[\"Ahmed\",\"1\"]\r\n\
             --b\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{\"name\":\"مرحبا\",\"n\":[1,2]}\r\n\
             --b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\"a \\\"quoted\\\" word\"\r\n--b--\r\n"
        );
        assert_eq!(form.len(), 3);
        assert!(!form.is_empty());
    }

    struct Unserializable;

    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("cannot serialize this"))
        }
    }

    #[test]
    fn a_json_serialization_failure_is_kept_and_names_the_part() {
        let mut form = Form::new();
        form.text("name", "Ahmed");
        form.json("meta", &Unserializable);
        form.json_opt("later", Some(&Unserializable));
        assert_eq!(form.len(), 3, "the failed parts are kept, not dropped");
        let cloned = form.clone();
        for form in [&form, &cloned] {
            match form.encode("b") {
                Err(error @ EncodeError::InvalidJson { .. }) => {
                    assert_eq!(
                        error.to_string(),
                        "part `meta` cannot be serialized as JSON: cannot serialize this"
                    );
                    assert!(std::error::Error::source(&error).is_some());
                }
                other => panic!("expected InvalidJson, got {other:?}"),
            }
        }
        // Reported whatever the boundary: no boundary can fix it.
        assert!(matches!(
            form.encode(""),
            Err(EncodeError::InvalidJson { part, .. }) if part == "meta"
        ));

        let mut keys = std::collections::HashMap::new();
        keys.insert((1, 2), "tuple keys are not JSON object keys");
        let mut form = Form::new();
        form.json("map", &keys);
        assert!(matches!(
            form.encode("b"),
            Err(EncodeError::InvalidJson { part, .. }) if part == "map"
        ));
    }

    #[test]
    fn random_boundaries_are_valid_and_distinct() {
        let a = random_boundary();
        let b = random_boundary();
        assert_ne!(a, b);
        assert_eq!(a.len(), "boundary-".len() + 32);
        assert!(check_boundary(&a).is_ok());
        let mut fallback = [0u8; 32];
        fallback_entropy(&mut fallback);
        assert_ne!(fallback, [0u8; 32]);
    }

    #[test]
    fn content_type_quotes_boundaries_when_needed() {
        assert_eq!(
            content_type("form-1"),
            "multipart/form-data; boundary=form-1"
        );
        assert_eq!(
            content_type("a b:c"),
            "multipart/form-data; boundary=\"a b:c\""
        );
    }
}
