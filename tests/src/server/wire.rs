//! Stable text rendering of recorded requests, for snapshots.

use sha2::{Digest, Sha256};

use super::RecordedRequest;

/// Text runs shorter than this (in bytes) that sit between two binary runs are folded into the binary run, so
/// that the printable bytes scattered through binary data (e.g. `PNG` in a PNG header) do not shred the output.
const MIN_TEXT_RUN_BETWEEN_BINARY: usize = 16;

/// How many leading bytes of a binary run are shown in hex.
const HEX_PREVIEW_BYTES: usize = 16;

/// Renders the request; see [`RecordedRequest::wire_text`].
pub(crate) fn render(request: &RecordedRequest) -> String {
    let mut out = String::new();
    out.push_str(&request.method);
    out.push(' ');
    out.push_str(&request.path);
    if let Some(query) = &request.query {
        out.push('?');
        out.push_str(query);
    }
    out.push(' ');
    out.push_str(&request.version);
    out.push('\n');

    let mut headers: Vec<&(String, String)> = request
        .headers
        .iter()
        .filter(|(name, _)| name != "host")
        .collect();
    // Stable sort: repeated headers keep their received order.
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value) in headers {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&render_body(&request.body));
    out.push('\n');
    out.push_str(&format!("auth: {:?}", request.auth));
    out
}

/// Renders body bytes as text: printable UTF-8 (plus `\n`, `\t`) as is, `\r` as `␍` (so CRLF survives
/// snapshot files and editors), and every run of other bytes (invalid UTF-8, control characters) as
/// `<N binary bytes: <first 16 bytes in hex>… sha256:<first 16 hex digits of the run's SHA-256>>`.
/// The digest makes a snapshot change whenever any byte of the run changes, not only its first 16.
pub(crate) fn render_body(body: &[u8]) -> String {
    let runs = merge_short_text_runs(classify(body));
    let mut out = String::new();
    for run in runs {
        let bytes = &body[run.start..run.end];
        if run.text {
            let text = std::str::from_utf8(bytes).expect("text runs are valid UTF-8");
            out.extend(text.chars().map(|c| if c == '\r' { '␍' } else { c }));
        } else {
            out.push_str(&summarize_binary(bytes));
        }
    }
    out
}

/// A byte range of the body that is either all text or all binary.
#[derive(Debug, Clone, Copy)]
struct Run {
    text: bool,
    start: usize,
    end: usize,
}

fn is_text_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\n' | '\t' | '\r')
}

/// Splits the body into maximal runs of text characters and of binary bytes.
fn classify(body: &[u8]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut push = |text: bool, start: usize, end: usize| {
        if start == end {
            return;
        }
        match runs.last_mut() {
            Some(last) if last.text == text && last.end == start => last.end = end,
            _ => runs.push(Run { text, start, end }),
        }
    };
    let mut offset = 0;
    for chunk in body.utf8_chunks() {
        for (index, c) in chunk.valid().char_indices() {
            let start = offset + index;
            push(is_text_char(c), start, start + c.len_utf8());
        }
        offset += chunk.valid().len();
        push(false, offset, offset + chunk.invalid().len());
        offset += chunk.invalid().len();
    }
    runs
}

/// Folds short text runs that are surrounded by binary runs into one binary run.
fn merge_short_text_runs(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    for (index, run) in runs.iter().enumerate() {
        let sandwiched =
            index > 0 && index + 1 < runs.len() && !runs[index - 1].text && !runs[index + 1].text;
        let text = run.text && !(sandwiched && run.end - run.start < MIN_TEXT_RUN_BETWEEN_BINARY);
        match out.last_mut() {
            Some(last) if last.text == text => last.end = run.end,
            _ => out.push(Run { text, ..*run }),
        }
    }
    out
}

fn summarize_binary(bytes: &[u8]) -> String {
    let noun = if bytes.len() == 1 { "byte" } else { "bytes" };
    if bytes.len() <= HEX_PREVIEW_BYTES {
        return format!("<{} binary {noun}: {}>", bytes.len(), hex::encode(bytes));
    }
    let digest = hex::encode(Sha256::digest(bytes));
    format!(
        "<{} binary {noun}: {}… sha256:{}>",
        bytes.len(),
        hex::encode(&bytes[..HEX_PREVIEW_BYTES]),
        &digest[..16]
    )
}

#[cfg(test)]
mod tests {
    use super::render_body;

    #[test]
    fn utf8_text_is_kept_and_cr_is_visible() {
        assert_eq!(render_body("a\r\nمرحبا\tb\n".as_bytes()), "a␍\nمرحبا\tb\n");
    }

    #[test]
    fn short_binary_runs_are_shown_in_full() {
        assert_eq!(render_body(b"ab\x00\xffcd"), "ab<2 binary bytes: 00ff>cd");
        assert_eq!(render_body(b"\x01"), "<1 binary byte: 01>");
    }

    #[test]
    fn short_text_between_binary_is_folded_and_long_runs_are_digested() {
        let mut body = b"head\r\n".to_vec();
        body.extend_from_slice(b"\x89PNG\r\n\x1a\n\x00\x01\x02\x03\x04\x05\x06\x07\x08");
        body.extend_from_slice(b"\r\n--boundary--\r\n");
        let rendered = render_body(&body);
        assert!(
            rendered
                .starts_with("head␍\n<17 binary bytes: 89504e470d0a1a0a0001020304050607… sha256:"),
            "{rendered}"
        );
        assert!(rendered.ends_with(">␍\n--boundary--␍\n"), "{rendered}");
    }

    #[test]
    fn empty_body_renders_empty() {
        assert_eq!(render_body(b""), "");
    }
}
