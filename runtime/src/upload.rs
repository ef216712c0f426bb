//! [`Upload`]: a binary request body or file content that is in memory, in a file, or read from an
//! async reader, so that a large file is sent without being loaded whole.
//!
//! In memory, it is sent as today: the bytes are shared, never copied. From a path, each attempt opens
//! the file anew and streams it, with an exact `Content-Length` from the file's size; a signed request
//! reads it twice (to sign, then to send), and the client checks while sending that the bytes sent are
//! the bytes signed (`payload.rs`). A reader can be read only once: it is streamed as it comes (with an
//! exact `Content-Length` when its length is given, chunked otherwise); a request that must read it
//! twice (signed) first copies it to a temporary file, deleted when the request is done.

use bytes::Bytes;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};

/// A reader that is read at most once.
pub(crate) type BoxReader = Pin<Box<dyn AsyncRead + Send>>;

/// How much is read from a file or reader at a time.
pub(crate) const READ_CHUNK: usize = 256 * 1024;

/// A binary request body, or the content of a file part: bytes in memory, a file, or an async reader.
///
/// Cheap to clone (the bytes, the path or the reader are shared). `Debug` shows where the content
/// comes from and its length, never the content.
///
/// ```
/// use openapi_client_runtime::Upload;
///
/// let in_memory = Upload::from(b"%PDF-1.7".to_vec());
/// assert_eq!(in_memory.len_hint(), Some(8));
/// let file = Upload::path("report.pdf"); // opened when the request is sent
/// assert_eq!(file.len_hint(), None);
/// ```
#[derive(Clone)]
pub struct Upload(Kind);

#[derive(Clone)]
enum Kind {
    Bytes(Bytes),
    Path(Arc<PathBuf>),
    /// A reader copied to a temporary file, removed when the last clone is dropped.
    Spooled(Arc<TempFile>),
    Reader(Arc<OneShot>),
}

/// A reader, until an attempt takes it.
struct OneShot {
    reader: Mutex<Option<BoxReader>>,
    len: Option<u64>,
}

impl Upload {
    /// The file at `path`, opened and streamed by each attempt (its size is read then, for an exact
    /// `Content-Length`). A file that cannot be opened fails the call with
    /// [`Error::Upload`](crate::Error::Upload) before anything is sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Upload(Kind::Path(Arc::new(path.into())))
    }

    /// What `reader` yields, streamed as it is read. `len`, when given, is sent as `Content-Length`,
    /// and the call fails if the reader yields more or fewer bytes; without it the body is sent chunked.
    ///
    /// A reader can be read only once. An unsigned request is not retried once an attempt has started
    /// reading it; a signed request, which must read its body twice, first copies the reader to a
    /// temporary file and then sends that file like [`Upload::path`].
    pub fn reader(reader: impl AsyncRead + Send + 'static, len: Option<u64>) -> Self {
        Upload(Kind::Reader(Arc::new(OneShot {
            reader: Mutex::new(Some(Box::pin(reader))),
            len,
        })))
    }

    /// The bytes, when they are in memory.
    pub fn in_memory(&self) -> Option<&Bytes> {
        match &self.0 {
            Kind::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The length when it is known without reading anything: in memory, or given with a reader.
    pub fn len_hint(&self) -> Option<u64> {
        match &self.0 {
            Kind::Bytes(bytes) => Some(bytes.len() as u64),
            Kind::Reader(one) => one.len,
            Kind::Path(_) | Kind::Spooled(_) => None,
        }
    }

    /// Whether the content is streamed (from a file or a reader) rather than held in memory.
    pub fn is_streamed(&self) -> bool {
        !matches!(self.0, Kind::Bytes(_))
    }

    /// Whether an attempt can still read it: false once an attempt has taken a reader.
    pub(crate) fn replayable(&self) -> bool {
        match &self.0 {
            Kind::Reader(one) => one
                .reader
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_some(),
            _ => true,
        }
    }

    /// Whether it is a reader, which a request that reads its body twice must copy first.
    pub(crate) fn is_one_shot(&self) -> bool {
        matches!(self.0, Kind::Reader(_))
    }

    /// Opens the content for one pass: a reader positioned at the start, and its length when known
    /// (a file's size now; a reader's given length).
    pub(crate) async fn open(&self) -> io::Result<(BoxReader, Option<u64>)> {
        match &self.0 {
            Kind::Bytes(bytes) => Ok((
                Box::pin(io::Cursor::new(bytes.clone())),
                Some(bytes.len() as u64),
            )),
            Kind::Path(path) => open_file(path).await,
            Kind::Spooled(file) => open_file(&file.0).await,
            Kind::Reader(one) => {
                let reader = one
                    .reader
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                    .ok_or_else(|| {
                        io::Error::other(
                            "the reader was read by an earlier attempt and cannot be read again",
                        )
                    })?;
                Ok((reader, one.len))
            }
        }
    }

    /// The file the content is in, for a pass that reads it on a blocking thread.
    #[cfg(feature = "signing")]
    pub(crate) fn local_file(&self) -> Option<LocalFile> {
        match &self.0 {
            Kind::Path(path) => Some(LocalFile {
                path: path.as_ref().clone(),
                _kept: None,
            }),
            Kind::Spooled(file) => Some(LocalFile {
                path: file.0.clone(),
                _kept: Some(Arc::clone(file)),
            }),
            Kind::Bytes(_) | Kind::Reader(_) => None,
        }
    }

    /// The length the next pass will read, when it can be known without reading: a file's size now.
    pub(crate) async fn current_len(&self) -> io::Result<Option<u64>> {
        match &self.0 {
            Kind::Path(path) => Ok(Some(tokio::fs::metadata(path.as_path()).await?.len())),
            Kind::Spooled(file) => Ok(Some(tokio::fs::metadata(&file.0).await?.len())),
            _ => Ok(self.len_hint()),
        }
    }

    /// A copy of a reader in a temporary file, so that it can be read twice; anything else as it is.
    pub(crate) async fn spooled(&self) -> io::Result<Upload> {
        if !self.is_one_shot() {
            return Ok(self.clone());
        }
        let (mut reader, len) = self.open().await?;
        let file = TempFile::create()?;
        let mut out = tokio::fs::File::from_std(file.1.try_clone()?);
        let mut buffer = vec![0u8; READ_CHUNK];
        let mut copied = 0u64;
        loop {
            let read = reader.read(&mut buffer).await?;
            if read == 0 {
                break;
            }
            out.write_all(&buffer[..read]).await?;
            copied += read as u64;
        }
        out.flush().await?;
        check_len(len, copied)?;
        Ok(Upload(Kind::Spooled(Arc::new(file))))
    }
}

/// A file to read with blocking I/O, and the temporary file it may be, kept until the read is done.
#[cfg(feature = "signing")]
pub(crate) struct LocalFile {
    path: PathBuf,
    _kept: Option<Arc<TempFile>>,
}

/// How much a blocking read takes at a time.
#[cfg(feature = "signing")]
const BLOCKING_READ: usize = 1024 * 1024;

#[cfg(feature = "signing")]
impl LocalFile {
    /// Reads the whole file, giving every byte to `feed` with `state`, and returns the state and how
    /// many bytes were read; fails if that is not the size the file had when opened.
    pub(crate) fn read_through<S>(
        self,
        mut state: S,
        feed: fn(&mut S, &[u8]),
    ) -> io::Result<(S, u64)> {
        use std::io::Read as _;
        let mut file = std::fs::File::open(&self.path)?;
        let expected = file.metadata()?.len();
        let mut buffer = vec![0u8; BLOCKING_READ];
        let mut read = 0u64;
        loop {
            let n = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            feed(&mut state, &buffer[..n]);
            read += n as u64;
        }
        check_len(Some(expected), read)?;
        Ok((state, read))
    }
}

/// The error for a source whose length is not the one announced.
pub(crate) fn check_len(expected: Option<u64>, read: u64) -> io::Result<()> {
    match expected {
        Some(expected) if expected != read => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{read} bytes were read where {expected} were expected (the content changed while it was sent)"),
        )),
        _ => Ok(()),
    }
}

async fn open_file(path: &Path) -> io::Result<(BoxReader, Option<u64>)> {
    let file = tokio::fs::File::open(path).await?;
    let len = file.metadata().await?.len();
    Ok((Box::pin(file), Some(len)))
}

impl From<Bytes> for Upload {
    fn from(bytes: Bytes) -> Self {
        Upload(Kind::Bytes(bytes))
    }
}

/// A clone of the bytes (shared, not copied), so `&bytes` works where a body is asked for.
impl From<&Bytes> for Upload {
    fn from(bytes: &Bytes) -> Self {
        Upload(Kind::Bytes(bytes.clone()))
    }
}

impl From<Vec<u8>> for Upload {
    fn from(bytes: Vec<u8>) -> Self {
        Upload(Kind::Bytes(Bytes::from(bytes)))
    }
}

impl From<&'static [u8]> for Upload {
    fn from(bytes: &'static [u8]) -> Self {
        Upload(Kind::Bytes(Bytes::from_static(bytes)))
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Bytes(bytes) => f.debug_struct("Upload").field("len", &bytes.len()).finish(),
            Kind::Path(path) => f.debug_struct("Upload").field("path", path).finish(),
            Kind::Spooled(_) => f.debug_struct("Upload").field("spooled", &true).finish(),
            Kind::Reader(one) => f
                .debug_struct("Upload")
                .field("reader", &true)
                .field("len", &one.len)
                .finish(),
        }
    }
}

/// Equal when they are the same bytes, the same path, or the very same reader.
impl PartialEq for Upload {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Kind::Bytes(a), Kind::Bytes(b)) => a == b,
            (Kind::Path(a), Kind::Path(b)) => a == b,
            (Kind::Spooled(a), Kind::Spooled(b)) => Arc::ptr_eq(a, b),
            (Kind::Reader(a), Kind::Reader(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Upload {}

/// A temporary file that is removed when dropped.
struct TempFile(PathBuf, std::fs::File);

impl TempFile {
    /// A new, empty file in the system's temporary directory, with a name no other process picks.
    fn create() -> io::Result<TempFile> {
        let mut random = [0u8; 12];
        getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
        let mut name = format!("openapi-client-upload-{}-", std::process::id());
        for byte in random {
            name.push_str(&format!("{byte:02x}"));
        }
        let path = std::env::temp_dir().join(name);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(TempFile(path, file))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Nothing to do about a file that is already gone.
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(upload: &Upload) -> io::Result<(Vec<u8>, Option<u64>)> {
        let (mut reader, len) = upload.open().await?;
        let mut out = Vec::new();
        reader.read_to_end(&mut out).await?;
        Ok((out, len))
    }

    #[tokio::test]
    async fn a_reader_is_read_once_and_a_spooled_copy_as_often_as_asked() {
        let upload = Upload::reader(&b"streamed bytes"[..], Some(14));
        assert!(upload.is_streamed() && upload.replayable());
        let spooled = upload.spooled().await.expect("spooled");
        assert!(!upload.replayable(), "the reader was taken");
        assert!(read_all(&upload).await.is_err());
        for _ in 0..2 {
            let (bytes, len) = read_all(&spooled).await.expect("readable");
            assert_eq!(bytes, b"streamed bytes");
            assert_eq!(len, Some(14));
        }
        let Kind::Spooled(file) = &spooled.0 else {
            panic!("a spooled upload")
        };
        let path = file.0.clone();
        assert!(path.exists());
        drop(spooled);
        assert!(!path.exists(), "the temporary file is removed");
    }

    #[tokio::test]
    async fn a_reader_of_the_wrong_length_is_refused_when_spooled() {
        let upload = Upload::reader(&b"short"[..], Some(9));
        let error = upload.spooled().await.expect_err("wrong length");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[tokio::test]
    async fn bytes_and_paths() {
        let bytes = Upload::from(&Bytes::from_static(b"abc"));
        assert_eq!(bytes.in_memory().map(|b| &b[..]), Some(&b"abc"[..]));
        assert_eq!(read_all(&bytes).await.expect("bytes").0, b"abc");
        let missing = Upload::path("/nonexistent/openapi-client-runtime-test");
        assert_eq!(
            read_all(&missing).await.expect_err("missing").kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(format!("{bytes:?}"), "Upload { len: 3 }");
        assert_eq!(bytes, Upload::from(b"abc".to_vec()));
        assert_ne!(bytes, missing);
    }
}
