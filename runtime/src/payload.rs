//! A request body as it is signed and sent: one buffer, or pieces that share the bytes of the caller's
//! files.
//!
//! A form with a large file is not copied into one buffer: its text (part headers, small fields) is, but
//! each large file goes out as the [`Bytes`] the caller's [`FilePart`](crate::FilePart) already holds.
//! The pieces are signed in order and sent with an exact `Content-Length`; every attempt sends the same
//! pieces again, so a retry is signed over the same bytes without encoding anything anew.
//!
//! A body with content streamed from files or readers ([`Streamed`], feature `files`) is read by each
//! attempt: once to sign it when the signature covers the body, then once to send it. The signing pass
//! also takes a [`Fingerprint`] of the body; while sending, a [`Check`] takes it again, and the last piece
//! is held back until the two agree, so a file that changed in between fails the request before the
//! server has a whole body. (A fingerprint rather than the MAC again: it is several times faster, and a
//! change it would miss, with odds of 2⁻⁶⁴ for a seed drawn per request, would still be refused by the
//! server's signature check, never accepted.)

use bytes::Bytes;
#[cfg(feature = "signing")]
use std::borrow::Cow;
#[cfg(any(feature = "multipart", feature = "files"))]
use std::sync::Arc;
#[cfg(feature = "multipart")]
use std::{
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

/// A body, encoded once, sent by every attempt.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// One contiguous buffer.
    Whole(Bytes),
    /// The body's pieces in order, as they go on the wire; `len` is their total length.
    #[cfg(feature = "multipart")]
    Pieces { pieces: Arc<[Bytes]>, len: u64 },
    /// Pieces some of which are read from files or readers by each attempt.
    #[cfg(feature = "files")]
    Streamed(Arc<Streamed>),
}

impl Payload {
    /// The body for one attempt, when it is held in memory: a reference-counted copy, never a copy of
    /// the bytes. `None` for a streamed body, which each attempt reads ([`Streamed::body`]).
    pub(crate) fn in_memory(&self) -> Option<reqwest::Body> {
        match self {
            Payload::Whole(bytes) => Some(reqwest::Body::from(bytes.clone())),
            #[cfg(feature = "multipart")]
            Payload::Pieces { pieces, len } => Some(reqwest::Body::wrap(Pieces {
                pieces: Arc::clone(pieces),
                next: 0,
                remaining: *len,
            })),
            #[cfg(feature = "files")]
            Payload::Streamed(_) => None,
        }
    }

    /// Whether another attempt can send it (false once an attempt has taken a reader).
    pub(crate) fn replayable(&self) -> bool {
        match self {
            #[cfg(feature = "files")]
            Payload::Streamed(streamed) => streamed.replayable(),
            _ => true,
        }
    }

    /// Gives every byte of the body to `feed`, in order.
    #[cfg(feature = "signing")]
    pub(crate) fn for_each_piece(&self, mut feed: impl FnMut(&[u8])) {
        match self {
            Payload::Whole(bytes) => feed(bytes),
            #[cfg(feature = "multipart")]
            Payload::Pieces { pieces, .. } => pieces.iter().for_each(|piece| feed(piece)),
            // Signed by reading it (`Streamed::read_through`), never here.
            #[cfg(feature = "files")]
            Payload::Streamed(_) => {}
        }
    }

    /// The body in one slice: borrowed when it is one buffer, else copied (only where a signing rule
    /// needs the body whole, which rules seldom do).
    #[cfg(feature = "signing")]
    pub(crate) fn contiguous(&self) -> Cow<'_, [u8]> {
        match self {
            Payload::Whole(bytes) => Cow::Borrowed(bytes),
            #[cfg(feature = "multipart")]
            Payload::Pieces { pieces, len } => {
                let mut out = Vec::with_capacity(usize::try_from(*len).unwrap_or(0));
                pieces.iter().for_each(|piece| out.extend_from_slice(piece));
                Cow::Owned(out)
            }
            // The signer refuses a streamed body under a rule that needs it whole.
            #[cfg(feature = "files")]
            Payload::Streamed(_) => Cow::Borrowed(&[]),
        }
    }
}

/// The pieces of one attempt as an HTTP body of exact length, so it is sent with `Content-Length`.
#[cfg(feature = "multipart")]
struct Pieces {
    pieces: Arc<[Bytes]>,
    next: usize,
    remaining: u64,
}

#[cfg(feature = "multipart")]
impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        let Some(piece) = self.pieces.get(self.next).cloned() else {
            return Poll::Ready(None);
        };
        self.next += 1;
        self.remaining = self.remaining.saturating_sub(piece.len() as u64);
        Poll::Ready(Some(Ok(http_body::Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

#[cfg(all(feature = "files", feature = "signing"))]
pub(crate) use streamed::Fingerprint;
#[cfg(feature = "files")]
pub(crate) use streamed::{Check, Piece, SourceError, Streamed};

#[cfg(feature = "files")]
mod streamed {
    use crate::upload::{check_len, BoxReader, Upload, READ_CHUNK};
    use bytes::{Bytes, BytesMut};
    use std::fmt;
    use std::future::Future;
    use std::io;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{ready, Context, Poll};
    use tokio::io::ReadBuf;

    /// A body with streamed content: its pieces, in order.
    #[derive(Debug)]
    pub(crate) struct Streamed {
        pub(crate) pieces: Vec<Piece>,
    }

    /// One piece of a streamed body.
    #[derive(Debug, Clone)]
    pub(crate) enum Piece {
        /// Bytes in memory (multipart text, a file part held in memory); only forms have them.
        #[cfg_attr(not(feature = "multipart"), allow(dead_code))]
        Bytes(Bytes),
        /// Content read by each attempt.
        Source {
            upload: Upload,
            /// The part's name, or `body`, for errors.
            name: String,
            /// The multipart boundary, which the content must not contain.
            boundary: Option<Arc<[u8]>>,
        },
    }

    /// A fast 64-bit fingerprint of a byte sequence, the same however the sequence is cut into pieces:
    /// four lanes of 64-bit words, each word mixed into its lane by xor, an odd multiplication and a
    /// rotation (each step a bijection, so a change within one word always changes the result), from a
    /// random seed.
    #[derive(Debug, Clone)]
    pub(crate) struct Fingerprint {
        lanes: [u64; 4],
        /// Bytes not yet making a whole block.
        tail: [u8; 32],
        tail_len: usize,
        total: u64,
    }

    /// An odd constant (2⁶⁴ divided by the golden ratio), for the multiplications.
    const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

    impl Fingerprint {
        /// A fingerprint starting from `seed`.
        #[cfg(feature = "signing")]
        pub(crate) fn new(seed: u64) -> Self {
            let mut lanes = [0u64; 4];
            for (i, lane) in lanes.iter_mut().enumerate() {
                *lane = seed ^ (i as u64 + 1).wrapping_mul(MIX);
            }
            Fingerprint {
                lanes,
                tail: [0; 32],
                tail_len: 0,
                total: 0,
            }
        }

        /// A fingerprint from a seed drawn from the operating system.
        #[cfg(feature = "signing")]
        pub(crate) fn random() -> Self {
            let mut seed = [0u8; 8];
            if getrandom::fill(&mut seed).is_err() {
                // Practically unreachable; the time still makes the seed differ from request to request.
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                seed = (nanos as u64).to_le_bytes();
            }
            Self::new(u64::from_le_bytes(seed))
        }

        /// Mixes one 32-byte block in: a word per lane, the four lanes independent so the processor
        /// works on them at once (about 10 GB/s, against about 1 GB/s for HMAC-SHA256).
        #[inline(always)]
        fn block(&mut self, block: &[u8]) {
            let word = |i: usize| {
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(&block[i * 8..i * 8 + 8]);
                u64::from_le_bytes(bytes)
            };
            let [a, b, c, d] = &mut self.lanes;
            *a = ((*a ^ word(0)).wrapping_mul(MIX)).rotate_left(29);
            *b = ((*b ^ word(1)).wrapping_mul(MIX)).rotate_left(29);
            *c = ((*c ^ word(2)).wrapping_mul(MIX)).rotate_left(29);
            *d = ((*d ^ word(3)).wrapping_mul(MIX)).rotate_left(29);
        }

        /// Takes the next bytes.
        pub(crate) fn update(&mut self, mut bytes: &[u8]) {
            self.total = self.total.wrapping_add(bytes.len() as u64);
            if self.tail_len > 0 {
                let take = (32 - self.tail_len).min(bytes.len());
                self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&bytes[..take]);
                self.tail_len += take;
                bytes = &bytes[take..];
                if self.tail_len < 32 {
                    return;
                }
                let tail = self.tail;
                self.block(&tail);
                self.tail_len = 0;
            }
            let whole = bytes.len() - bytes.len() % 32;
            for block in bytes[..whole].chunks_exact(32) {
                self.block(block);
            }
            let rest = &bytes[whole..];
            self.tail[..rest.len()].copy_from_slice(rest);
            self.tail_len = rest.len();
        }

        /// The fingerprint of everything taken.
        pub(crate) fn finish(&self) -> u64 {
            let mut last = self.clone();
            let mut block = [0u8; 32];
            block[..last.tail_len].copy_from_slice(&last.tail[..last.tail_len]);
            let length = last.total ^ ((last.tail_len as u64) << 56);
            block[24..].copy_from_slice(&length.to_le_bytes());
            last.block(&block);
            let [a, b, c, d] = last.lanes;
            let folded = a ^ b.rotate_left(16) ^ c.rotate_left(32) ^ d.rotate_left(48);
            (folded ^ (folded >> 31)).wrapping_mul(MIX)
        }
    }

    /// The check of a streamed body as it is sent: its fingerprint must be the one taken when the body
    /// was signed.
    #[derive(Debug)]
    pub(crate) struct Check {
        fingerprint: Fingerprint,
        expected: u64,
    }

    impl Check {
        /// Checks against `signed`, the fingerprint of the bytes signed; `fresh` starts from its seed.
        #[cfg(feature = "signing")]
        pub(crate) fn new(fresh: Fingerprint, signed: u64) -> Self {
            Check {
                fingerprint: fresh,
                expected: signed,
            }
        }

        fn update(&mut self, bytes: &[u8]) {
            self.fingerprint.update(bytes);
        }

        fn passed(&self) -> bool {
            self.fingerprint.finish() == self.expected
        }
    }

    /// Why a streamed piece could not be sent; reported as [`Error::Upload`](crate::Error::Upload).
    #[derive(Debug)]
    pub(crate) struct SourceError {
        pub(crate) name: String,
        pub(crate) source: io::Error,
    }

    impl fmt::Display for SourceError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "upload of {}: {}", self.name, self.source)
        }
    }

    impl std::error::Error for SourceError {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    impl SourceError {
        fn new(name: &str, source: io::Error) -> Self {
            SourceError {
                name: name.to_owned(),
                source,
            }
        }
    }

    impl Streamed {
        /// Whether another attempt can read every piece.
        pub(crate) fn replayable(&self) -> bool {
            self.sources().all(|(upload, _)| upload.replayable())
        }

        /// Whether a piece is a reader that can be read only once.
        pub(crate) fn has_one_shot(&self) -> bool {
            self.sources().any(|(upload, _)| upload.is_one_shot())
        }

        /// This body with every reader copied to a temporary file, for requests that read it twice.
        pub(crate) async fn spooled(&self) -> Result<Streamed, SourceError> {
            let mut pieces = Vec::with_capacity(self.pieces.len());
            for piece in &self.pieces {
                pieces.push(match piece {
                    Piece::Source {
                        upload,
                        name,
                        boundary,
                    } => Piece::Source {
                        upload: upload
                            .spooled()
                            .await
                            .map_err(|e| SourceError::new(name, e))?,
                        name: name.clone(),
                        boundary: boundary.clone(),
                    },
                    bytes => bytes.clone(),
                });
            }
            Ok(Streamed { pieces })
        }

        fn sources(&self) -> impl Iterator<Item = (&Upload, &str)> {
            self.pieces.iter().filter_map(|piece| match piece {
                Piece::Source { upload, name, .. } => Some((upload, name.as_str())),
                Piece::Bytes(_) => None,
            })
        }

        /// The length of each source as the next pass will read it, where it is known without reading
        /// (a file's size now, a reader's given length).
        pub(crate) async fn lengths(&self) -> Result<Vec<Option<u64>>, SourceError> {
            let mut lengths = Vec::new();
            for (upload, name) in self.sources() {
                lengths.push(
                    upload
                        .current_len()
                        .await
                        .map_err(|e| SourceError::new(name, e))?,
                );
            }
            Ok(lengths)
        }

        /// Reads the whole body once, giving every byte to `feed` in order with `state` (the pass that
        /// signs it), and returns the state and the length of each source as read. A file is read on a
        /// blocking thread, straight into one large buffer: no copy through tokio's own buffer and no
        /// hop between threads for each piece, so this pass keeps up with the one that sends.
        #[cfg(feature = "signing")]
        pub(crate) async fn read_through<S: Send + 'static>(
            &self,
            mut state: S,
            feed: fn(&mut S, &[u8]),
        ) -> Result<(S, Vec<Option<u64>>), SourceError> {
            use tokio::io::AsyncReadExt as _;
            let mut lengths = Vec::new();
            for piece in &self.pieces {
                let (upload, name) = match piece {
                    Piece::Bytes(bytes) => {
                        feed(&mut state, bytes);
                        continue;
                    }
                    Piece::Source { upload, name, .. } => (upload, name),
                };
                let failed = |e| SourceError::new(name, e);
                let read = match upload.local_file() {
                    Some(file) => {
                        let (back, read) =
                            tokio::task::spawn_blocking(move || file.read_through(state, feed))
                                .await
                                .map_err(|joined| failed(io::Error::other(joined.to_string())))?
                                .map_err(failed)?;
                        state = back;
                        read
                    }
                    None => {
                        let (mut reader, expected) = upload.open().await.map_err(failed)?;
                        let mut buffer = vec![0u8; READ_CHUNK];
                        let mut read = 0u64;
                        loop {
                            let n = reader.read(&mut buffer).await.map_err(failed)?;
                            if n == 0 {
                                break;
                            }
                            feed(&mut state, &buffer[..n]);
                            read += n as u64;
                        }
                        check_len(expected, read).map_err(failed)?;
                        read
                    }
                };
                lengths.push(Some(read));
            }
            Ok((state, lengths))
        }

        /// The body of one attempt: the pieces in order, each source opened and read as the body is
        /// polled and required to be exactly as long as `lengths` says, every byte given to `check`.
        pub(crate) fn body(
            self: &Arc<Self>,
            lengths: Vec<Option<u64>>,
            check: Option<Check>,
        ) -> reqwest::Body {
            let mut known = Some(0u64);
            let mut sources = lengths.iter();
            for piece in &self.pieces {
                let len = match piece {
                    Piece::Bytes(bytes) => Some(bytes.len() as u64),
                    Piece::Source { .. } => sources.next().copied().flatten(),
                };
                known = known.zip(len).map(|(a, b)| a + b);
            }
            reqwest::Body::wrap(Body(Mutex::new(State {
                streamed: Arc::clone(self),
                lengths,
                next: 0,
                sources_opened: 0,
                opening: None,
                reading: None,
                check,
                held: None,
                remaining: known,
                done: false,
            })))
        }
    }

    /// Opening a source: its reader and length.
    type OpenFuture = Pin<Box<dyn Future<Output = io::Result<(BoxReader, Option<u64>)>> + Send>>;

    /// A source being opened: the opening, and what its reading needs.
    struct Opening {
        future: OpenFuture,
        expected: Option<u64>,
        name: String,
        boundary: Option<Arc<[u8]>>,
    }

    /// The body of one attempt. The state sits in a `Mutex` only to make the body `Sync`, as reqwest
    /// asks; polling has `&mut` access and never locks.
    struct Body(Mutex<State>);

    struct State {
        streamed: Arc<Streamed>,
        lengths: Vec<Option<u64>>,
        /// The next piece to start.
        next: usize,
        /// How many sources were started (the index into `lengths`).
        sources_opened: usize,
        opening: Option<Opening>,
        reading: Option<Reading>,
        check: Option<Check>,
        /// With a check: the last piece produced, sent once the next one exists or the check passed.
        held: Option<Bytes>,
        /// Bytes not yet sent, when every length is known.
        remaining: Option<u64>,
        done: bool,
    }

    /// The source being read.
    struct Reading {
        reader: BoxReader,
        expected: Option<u64>,
        read: u64,
        name: String,
        scan: Option<BoundaryScan>,
        /// The buffer the next piece is read into.
        buffer: Option<BytesMut>,
    }

    impl http_body::Body for Body {
        type Data = Bytes;
        type Error = SourceError;

        fn poll_frame(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, SourceError>>> {
            let state = match self.get_mut().0.get_mut() {
                Ok(state) => state,
                Err(poisoned) => poisoned.into_inner(),
            };
            state.poll(cx).map(|frame| {
                frame.map(|result| {
                    result.map(|bytes| {
                        state.remaining = state
                            .remaining
                            .map(|r| r.saturating_sub(bytes.len() as u64));
                        http_body::Frame::data(bytes)
                    })
                })
            })
        }

        fn is_end_stream(&self) -> bool {
            match self.0.lock() {
                Ok(state) => state.done && state.held.is_none(),
                Err(_) => false,
            }
        }

        fn size_hint(&self) -> http_body::SizeHint {
            match self.0.lock().ok().and_then(|state| state.remaining) {
                Some(remaining) => http_body::SizeHint::with_exact(remaining),
                None => http_body::SizeHint::default(),
            }
        }
    }

    impl State {
        fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, SourceError>>> {
            loop {
                if self.done {
                    return Poll::Ready(self.held.take().map(Ok));
                }
                let produced = match ready!(self.produce(cx)) {
                    Ok(produced) => produced,
                    Err(error) => {
                        self.done = true;
                        self.held = None;
                        return Poll::Ready(Some(Err(error)));
                    }
                };
                let Some(bytes) = produced else {
                    self.done = true;
                    if let Some(check) = self.check.take() {
                        if !check.passed() {
                            self.held = None;
                            return Poll::Ready(Some(Err(SourceError::new(
                                "body",
                                io::Error::new(
                                    io::ErrorKind::InvalidData,
                                    "the content changed between the pass that signed it and the pass that sent it",
                                ),
                            ))));
                        }
                    }
                    continue;
                };
                if bytes.is_empty() {
                    continue;
                }
                match &mut self.check {
                    None => return Poll::Ready(Some(Ok(bytes))),
                    Some(check) => {
                        check.update(&bytes);
                        if let Some(previous) = self.held.replace(bytes) {
                            return Poll::Ready(Some(Ok(previous)));
                        }
                    }
                }
            }
        }

        /// The next bytes of the body, `None` at its end.
        fn produce(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, SourceError>> {
            loop {
                if let Some(reading) = &mut self.reading {
                    // Kept across polls: a read that is not ready yet fills this same buffer later.
                    let buffer = reading
                        .buffer
                        .get_or_insert_with(|| BytesMut::zeroed(READ_CHUNK));
                    let mut filled = ReadBuf::new(buffer);
                    let polled = reading.reader.as_mut().poll_read(cx, &mut filled);
                    if let Err(error) = ready!(polled) {
                        return Poll::Ready(Err(SourceError::new(&reading.name, error)));
                    }
                    let n = filled.filled().len();
                    let mut buffer = reading.buffer.take().unwrap_or_default();
                    if n == 0 {
                        let done = self.reading.take();
                        if let Some(done) = done {
                            check_len(done.expected, done.read)
                                .map_err(|e| SourceError::new(&done.name, e))?;
                        }
                        continue;
                    }
                    buffer.truncate(n);
                    reading.read += n as u64;
                    if reading
                        .expected
                        .is_some_and(|expected| reading.read > expected)
                    {
                        return Poll::Ready(Err(SourceError::new(
                            &reading.name,
                            io::Error::new(
                                io::ErrorKind::InvalidData,
                                "the content grew while it was sent",
                            ),
                        )));
                    }
                    if let Some(scan) = &mut reading.scan {
                        if scan.found_in(&buffer) {
                            return Poll::Ready(Err(SourceError::new(
                                &reading.name,
                                io::Error::new(
                                    io::ErrorKind::InvalidData,
                                    "the multipart boundary occurs in the content",
                                ),
                            )));
                        }
                    }
                    return Poll::Ready(Ok(Some(buffer.freeze())));
                }
                if let Some(opening) = &mut self.opening {
                    let (reader, _) = ready!(opening.future.as_mut().poll(cx))
                        .map_err(|e| SourceError::new(&opening.name, e))?;
                    self.reading = Some(Reading {
                        reader,
                        expected: opening.expected,
                        read: 0,
                        name: std::mem::take(&mut opening.name),
                        scan: opening.boundary.as_deref().map(BoundaryScan::new),
                        buffer: None,
                    });
                    self.opening = None;
                    continue;
                }
                let Some(piece) = self.streamed.pieces.get(self.next) else {
                    return Poll::Ready(Ok(None));
                };
                self.next += 1;
                match piece {
                    Piece::Bytes(bytes) => return Poll::Ready(Ok(Some(bytes.clone()))),
                    Piece::Source {
                        upload,
                        name,
                        boundary,
                    } => {
                        let expected = self.lengths.get(self.sources_opened).copied().flatten();
                        self.sources_opened += 1;
                        let upload = upload.clone();
                        self.opening = Some(Opening {
                            future: Box::pin(async move { upload.open().await }),
                            expected,
                            name: name.clone(),
                            boundary: boundary.clone(),
                        });
                    }
                }
            }
        }
    }

    /// Looks for the multipart boundary in content read piece by piece, across the pieces' seams.
    struct BoundaryScan {
        boundary: Vec<u8>,
        /// The last `boundary.len() - 1` bytes seen.
        tail: Vec<u8>,
    }

    impl BoundaryScan {
        fn new(boundary: &[u8]) -> Self {
            BoundaryScan {
                boundary: boundary.to_vec(),
                tail: Vec::new(),
            }
        }

        fn found_in(&mut self, bytes: &[u8]) -> bool {
            let keep = self.boundary.len().saturating_sub(1);
            let mut seam = std::mem::take(&mut self.tail);
            seam.extend_from_slice(&bytes[..bytes.len().min(keep)]);
            let found = memchr::memmem::find(&seam, &self.boundary).is_some()
                || memchr::memmem::find(bytes, &self.boundary).is_some();
            if bytes.len() >= keep {
                self.tail = bytes[bytes.len() - keep..].to_vec();
            } else {
                let start = seam.len().saturating_sub(keep);
                self.tail = seam[start..].to_vec();
            }
            found
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use http_body_util::BodyExt as _;

        #[test]
        fn the_boundary_is_found_across_seams() {
            let mut scan = BoundaryScan::new(b"--b0123");
            assert!(!scan.found_in(b"abc--b0"));
            assert!(scan.found_in(b"123def"));
            let mut scan = BoundaryScan::new(b"xyz");
            assert!(!scan.found_in(b"x"));
            assert!(!scan.found_in(b"y"));
            assert!(scan.found_in(b"z"));
            let mut scan = BoundaryScan::new(b"xyz");
            assert!(!scan.found_in(b"xy_z"));
        }

        #[test]
        fn a_fingerprint_does_not_depend_on_how_the_bytes_are_cut() {
            let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
            let mut whole = Fingerprint::new(42);
            whole.update(&bytes);
            for cut in [0, 1, 31, 32, 33, 500, 999, 1000] {
                let mut parts = Fingerprint::new(42);
                parts.update(&bytes[..cut]);
                parts.update(&bytes[cut..]);
                assert_eq!(parts.finish(), whole.finish(), "cut at {cut}");
            }
            let mut byte_by_byte = Fingerprint::new(42);
            bytes.iter().for_each(|b| byte_by_byte.update(&[*b]));
            assert_eq!(byte_by_byte.finish(), whole.finish());
            // Any one byte changed, a byte more or less, another seed: another fingerprint.
            for at in [0, 7, 8, 31, 32, 500, 996, 999] {
                let mut changed = bytes.clone();
                changed[at] ^= 1;
                let mut other = Fingerprint::new(42);
                other.update(&changed);
                assert_ne!(other.finish(), whole.finish(), "byte {at}");
            }
            let mut shorter = Fingerprint::new(42);
            shorter.update(&bytes[..999]);
            assert_ne!(shorter.finish(), whole.finish());
            let mut longer = Fingerprint::new(42);
            longer.update(&bytes);
            longer.update(&[0]);
            assert_ne!(longer.finish(), whole.finish());
            let mut reseeded = Fingerprint::new(43);
            reseeded.update(&bytes);
            assert_ne!(reseeded.finish(), whole.finish());
        }

        fn fingerprint_of(bytes: &[u8]) -> u64 {
            let mut print = Fingerprint::new(7);
            print.update(bytes);
            print.finish()
        }

        fn streamed(text: &'static [u8]) -> Arc<Streamed> {
            Arc::new(Streamed {
                pieces: vec![
                    Piece::Bytes(Bytes::from_static(b"head;")),
                    Piece::Source {
                        upload: Upload::reader(text, Some(text.len() as u64)),
                        name: "file".into(),
                        boundary: None,
                    },
                    Piece::Bytes(Bytes::from_static(b";tail")),
                ],
            })
        }

        #[tokio::test]
        async fn a_failed_check_withholds_the_last_piece() {
            let signed = fingerprint_of(b"head;CONTENT;tail");
            let body = streamed(b"content")
                .body(vec![Some(7)], Some(Check::new(Fingerprint::new(7), signed)));
            assert_eq!(http_body::Body::size_hint(&body).exact(), Some(17));
            let mut body = body;
            let mut sent = Vec::new();
            let mut failed = false;
            while let Some(frame) = body.frame().await {
                match frame {
                    Ok(frame) => sent.extend_from_slice(frame.data_ref().expect("data")),
                    Err(_) => failed = true,
                }
            }
            assert!(failed);
            assert_eq!(sent, b"head;content", "the last piece is never sent");
        }

        #[tokio::test]
        async fn a_passed_check_sends_everything_and_lengths_are_enforced() {
            let signed = fingerprint_of(b"head;content;tail");
            let body = streamed(b"content")
                .body(vec![Some(7)], Some(Check::new(Fingerprint::new(7), signed)));
            let sent = body.collect().await.expect("sent").to_bytes();
            assert_eq!(&sent[..], b"head;content;tail");
            // A source shorter than announced fails the body.
            let short = streamed(b"cont").body(vec![Some(7)], None);
            assert!(short.collect().await.is_err());
            let long = streamed(b"content, longer").body(vec![Some(7)], None);
            assert!(long.collect().await.is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn pieces(parts: &[&'static [u8]]) -> Payload {
        let pieces: Arc<[Bytes]> = parts.iter().map(|p| Bytes::from_static(p)).collect();
        let len = pieces.iter().map(|p| p.len() as u64).sum();
        Payload::Pieces { pieces, len }
    }

    #[tokio::test]
    async fn pieces_are_sent_in_order_with_an_exact_length_every_time() {
        let payload = pieces(&[b"--b\r\n", b"", b"file bytes", b"\r\n--b--\r\n"]);
        for _ in 0..2 {
            let body = payload.in_memory().expect("in memory");
            assert_eq!(http_body::Body::size_hint(&body).exact(), Some(24));
            let sent = body.collect().await.expect("infallible").to_bytes();
            assert_eq!(&sent[..], b"--b\r\nfile bytes\r\n--b--\r\n");
        }
    }

    #[test]
    fn every_byte_is_fed_in_order_and_contiguous_joins_the_pieces() {
        let payload = pieces(&[b"ab", b"cd", b"e"]);
        let mut fed = Vec::new();
        payload.for_each_piece(|piece| fed.extend_from_slice(piece));
        assert_eq!(fed, b"abcde");
        assert_eq!(&payload.contiguous()[..], b"abcde");
        let whole = Payload::Whole(Bytes::from_static(b"xyz"));
        assert!(matches!(whole.contiguous(), Cow::Borrowed(b"xyz")));
    }
}
