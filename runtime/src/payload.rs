//! A request body as it is signed and sent: one buffer, or pieces that share the bytes of the caller's
//! files.
//!
//! A form with a large file is not copied into one buffer: its text (part headers, small fields) is, but
//! each large file goes out as the [`Bytes`] the caller's [`FilePart`](crate::FilePart) already holds.
//! The pieces are signed in order and sent with an exact `Content-Length`; every attempt sends the same
//! pieces again, so a retry is signed over the same bytes without encoding anything anew.

use bytes::Bytes;
#[cfg(feature = "signing")]
use std::borrow::Cow;
#[cfg(feature = "multipart")]
use std::{
    convert::Infallible,
    pin::Pin,
    sync::Arc,
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
}

impl Payload {
    /// The body for one attempt: a reference-counted copy, never a copy of the bytes.
    pub(crate) fn to_reqwest(&self) -> reqwest::Body {
        match self {
            Payload::Whole(bytes) => reqwest::Body::from(bytes.clone()),
            #[cfg(feature = "multipart")]
            Payload::Pieces { pieces, len } => reqwest::Body::wrap(Pieces {
                pieces: Arc::clone(pieces),
                next: 0,
                remaining: *len,
            }),
        }
    }

    /// Gives every byte of the body to `feed`, in order.
    #[cfg(feature = "signing")]
    pub(crate) fn for_each_piece(&self, mut feed: impl FnMut(&[u8])) {
        match self {
            Payload::Whole(bytes) => feed(bytes),
            #[cfg(feature = "multipart")]
            Payload::Pieces { pieces, .. } => pieces.iter().for_each(|piece| feed(piece)),
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
            let body = payload.to_reqwest();
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
