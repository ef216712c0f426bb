//! [`FilePart`]: a file to upload in a `multipart/form-data` request, held in memory or streamed from a
//! file or a reader.

use crate::upload::Upload;
use bytes::Bytes;
use std::fmt;
use std::path::Path;

/// A file to upload: its content, the file name sent to the server, and its content type.
///
/// The content is in memory ([`FilePart::new`], [`FilePart::from_path`]), shared rather than copied
/// when the part is cloned or added to a form; or streamed from a file ([`FilePart::open`]) or a reader
/// ([`FilePart::from_upload`]) as the request is sent, never loaded whole. `Debug` and `Serialize` show
/// the name, content type and length, never the content.
///
/// ```
/// let avatar = openapi_client_runtime::FilePart::new(&b"\x89PNG\r\n\x1a\n"[..], "avatar.png", "image/png");
/// assert_eq!(avatar.len(), 8);
/// assert_eq!(format!("{avatar:?}"), r#"FilePart { file_name: "avatar.png", content_type: "image/png", len: 8 }"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    content: Upload,
    file_name: String,
    content_type: String,
    /// The length, when known before sending.
    size: Option<u64>,
    /// The type the first bytes announce, for a streamed file whose start was read.
    sniffed: Option<&'static str>,
}

impl FilePart {
    /// A file from bytes already in memory (a `Vec<u8>`, `&'static [u8]`, or [`Bytes`]).
    pub fn new(
        bytes: impl Into<Bytes>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
    ) -> Self {
        Self::from_upload(Upload::from(bytes.into()), file_name, content_type)
    }

    /// A file whose content is `upload`: in memory, a path, or a reader ([`Upload`]). A streamed part is
    /// read as the request is sent; its length, when [`Upload::len_hint`] knows it, is checked against
    /// the spec's limits before sending.
    pub fn from_upload(
        upload: Upload,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
    ) -> Self {
        Self {
            size: upload.len_hint(),
            sniffed: None,
            content: upload,
            file_name: file_name.into(),
            content_type: content_type.into(),
        }
    }

    /// Reads a file from disk into memory (blocking). The content type is sniffed from the first bytes
    /// (PNG, JPEG, GIF, WebP, PDF, MP4, 3GP, Ogg, MP3, AMR), else guessed from the extension, else
    /// `application/octet-stream`. The file name sent is the path's last component. For a large file,
    /// [`FilePart::open`] streams it instead.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let content_type = guess(path, &bytes);
        Ok(Self::new(bytes, file_name(path), content_type))
    }

    /// A file streamed from disk as the request is sent, never loaded whole: each attempt reads it
    /// anew (a signed request reads it twice, and fails if it changed in between). Reads its size and
    /// its first bytes now, for the content type (as [`FilePart::from_path`] guesses it) and for the
    /// spec's limits.
    pub async fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
        use tokio::io::AsyncReadExt as _;
        let path = path.as_ref();
        let mut file = tokio::fs::File::open(path).await?;
        let size = file.metadata().await?.len();
        let mut head = Vec::with_capacity(SNIFF_LEN);
        (&mut file)
            .take(SNIFF_LEN as u64)
            .read_to_end(&mut head)
            .await?;
        Ok(Self {
            content: Upload::path(path),
            file_name: file_name(path),
            content_type: guess(path, &head).to_owned(),
            size: Some(size),
            sniffed: sniff(&head),
        })
    }

    /// The file's bytes, when they are in memory; `None` for a streamed file.
    pub fn bytes(&self) -> Option<&Bytes> {
        self.content.in_memory()
    }

    /// The content: bytes in memory, a path or a reader.
    pub fn upload(&self) -> &Upload {
        &self.content
    }

    /// Whether the content is streamed rather than in memory.
    pub fn is_streamed(&self) -> bool {
        self.content.is_streamed()
    }

    /// The file name sent in `Content-Disposition`.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The content type sent for this part.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The length in bytes, when known before sending (always for content in memory and opened files).
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The length in bytes; 0 for a streamed part of unknown length (see [`size`](Self::size)).
    pub fn len(&self) -> usize {
        self.size
            .map_or(0, |size| usize::try_from(size).unwrap_or(usize::MAX))
    }

    /// The content type the file's magic bytes announce (PNG, JPEG, GIF, WEBP, PDF, MP4, 3GP, OGG, AMR,
    /// MP3), whatever its name or declared content type say; `None` for other formats, and for a
    /// stream whose first bytes were not read.
    pub fn detected_content_type(&self) -> Option<&'static str> {
        match self.content.in_memory() {
            Some(bytes) => sniff(bytes),
            None => self.sniffed,
        }
    }

    /// True when the file has no bytes (as far as known before sending).
    pub fn is_empty(&self) -> bool {
        self.size == Some(0)
    }
}

/// Bytes read from a file's start to sniff its type.
const SNIFF_LEN: usize = 16;

/// The content type of a file: sniffed from its first bytes, else guessed from the extension, else
/// `application/octet-stream`.
fn guess(path: &Path, head: &[u8]) -> &'static str {
    sniff(head)
        .or_else(|| {
            path.extension()
                .and_then(|e| e.to_str())
                .and_then(by_extension)
        })
        .unwrap_or("application/octet-stream")
}

/// The file name sent for a path: its last component.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "file".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    )
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("FilePart");
        out.field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.len());
        if self.is_streamed() {
            out.field("streamed", &true);
        }
        out.finish()
    }
}

/// Request types derive `Serialize` (for logging and snapshots); a file inside one serializes as a
/// harmless summary rather than its bytes.
impl serde::Serialize for FilePart {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("FilePart", 3)?;
        state.serialize_field("file_name", &self.file_name)?;
        state.serialize_field("content_type", &self.content_type)?;
        state.serialize_field("len", &self.len())?;
        state.end()
    }
}

/// The content type announced by a file's magic bytes, for the formats the API accepts.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if at(0, b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Some("image/gif")
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Some("image/webp")
    } else if at(0, b"%PDF-") {
        Some("application/pdf")
    } else if at(4, b"ftyp3g") {
        Some("video/3gpp")
    } else if at(4, b"ftyp") {
        Some("video/mp4")
    } else if at(0, b"OggS") {
        Some("audio/ogg")
    } else if at(0, b"#!AMR") {
        Some("audio/amr")
    } else if at(0, b"ID3") || matches!(bytes, [0xff, second, ..] if second & 0xe0 == 0xe0) {
        // ID3 tag, or an MPEG audio frame header (11 set sync bits).
        Some("audio/mpeg")
    } else {
        None
    }
}

fn by_extension(extension: &str) -> Option<&'static str> {
    Some(match extension.to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "3gp" => "video/3gpp",
        "ogg" | "oga" => "audio/ogg",
        "mp3" => "audio/mpeg",
        "amr" => "audio/amr",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        let cases: [(&[u8], &str); 10] = [
            (b"\x89PNG\r\n\x1a\nrest", "image/png"),
            (b"\xff\xd8\xff\xe0", "image/jpeg"),
            (b"GIF89a..", "image/gif"),
            (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
            (b"%PDF-1.7", "application/pdf"),
            (b"\0\0\0\x18ftypmp42", "video/mp4"),
            (b"\0\0\0\x18ftyp3gp4", "video/3gpp"),
            (b"OggS\0", "audio/ogg"),
            (b"ID3\x04", "audio/mpeg"),
            (b"\xff\xfb\x90", "audio/mpeg"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(bytes), Some(expected), "{bytes:?}");
        }
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF"), None);
        assert_eq!(sniff(b"plain text"), None);
    }

    #[tokio::test]
    async fn from_path_and_open_sniff_then_fall_back_to_extension_then_octet_stream() {
        let dir = std::env::temp_dir().join(format!("runtime-file-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let cases = [
            ("photo.bin", &b"\x89PNG\r\n\x1a\n"[..], "image/png"),
            (
                "report.DOCX",
                &b"PK\x03\x04"[..],
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("blob", &b"\x00\x01"[..], "application/octet-stream"),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("write temp file");
            let part = FilePart::from_path(&path).expect("read temp file");
            assert_eq!(part.content_type(), expected);
            assert_eq!(part.file_name(), name);
            assert_eq!(part.bytes().map(|b| &b[..]), Some(bytes));
            let opened = FilePart::open(&path).await.expect("open temp file");
            assert_eq!(opened.content_type(), expected);
            assert_eq!(opened.file_name(), name);
            assert_eq!(opened.size(), Some(bytes.len() as u64));
            assert!(opened.is_streamed() && opened.bytes().is_none());
            assert_eq!(opened.detected_content_type(), part.detected_content_type());
        }
        assert!(FilePart::from_path(dir.join("missing")).is_err());
        assert!(FilePart::open(dir.join("missing")).await.is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn debug_and_serialize_hide_the_bytes() {
        let part = FilePart::new(b"TOP-SECRET-BYTES".to_vec(), "a.txt", "text/plain");
        assert!(!format!("{part:?}").contains("TOP-SECRET"));
        let json = serde_json::to_string(&part).expect("serializable");
        assert_eq!(
            json,
            r#"{"file_name":"a.txt","content_type":"text/plain","len":16}"#
        );
        assert!(!part.is_empty());
        assert_eq!(part.clone(), part);
    }
}
