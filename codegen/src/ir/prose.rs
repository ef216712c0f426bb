//! Spec prose → markdown that rustdoc accepts without warnings.
//!
//! Spec descriptions are CommonMark written for people, not for rustdoc: bare URLs, `<placeholders>`,
//! `[brackets]` and code fences without a language would each become a rustdoc warning or a failing
//! doctest. Lowering passes every piece of spec prose through [`sanitize`] once, outside inline code
//! spans, so the IR's docs are ready for rustdoc and the emitters can add their own links freely.

/// Makes markdown safe for rustdoc.
pub fn sanitize(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut in_fence = false;
    for line in markdown.trim().lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            // An untagged fence would be compiled as a Rust doctest.
            if !in_fence && trimmed.trim_end() == "```" {
                out.push_str("```text");
            } else {
                out.push_str(trimmed.trim_end());
            }
            in_fence = !in_fence;
        } else if in_fence {
            out.push_str(line.trim_end());
        } else {
            // Four spaces of indentation would start an indented code block, i.e. a doctest.
            let indent = (line.len() - trimmed.len()).min(3);
            out.extend(std::iter::repeat_n(' ', indent));
            escape_line(trimmed.trim_end(), &mut out);
        }
        out.push('\n');
    }
    if in_fence {
        out.push_str("```\n");
    }
    out.truncate(out.trim_end().len());
    out
}

/// Escapes one line outside code fences, leaving `inline code` alone, and appends it to `out`.
fn escape_line(line: &str, out: &mut String) {
    let has_links = line.contains("](");
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Inside a code span, or nothing to escape or link (most prose): as it is.
        if i % 2 == 1 || !(part.contains(['<', '>', '[', ']']) || part.contains("http")) {
            out.push_str(part);
            continue;
        }
        let mut escaped = part.replace('<', "&lt;").replace('>', "&gt;");
        if !has_links {
            escaped = escaped.replace('[', "\\[").replace(']', "\\]");
        }
        out.push_str(&autolink(&escaped));
    }
    // An odd number of backticks leaves an unclosed span; rustdoc tolerates that.
}

/// Wraps bare `http(s)://` URLs in `<...>`, which rustdoc renders as links instead of warning.
fn autolink(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(start) = [rest.find("http://"), rest.find("https://")]
        .into_iter()
        .flatten()
        .min()
    {
        let before = &rest[..start];
        let inside_link = before.ends_with("](");
        out.push_str(before);
        let url_len = rest[start..]
            .find(|c: char| c.is_whitespace() || c == ')' || c == '"' || c == '\'' || c == '&')
            .unwrap_or(rest.len() - start);
        let mut url = &rest[start..start + url_len];
        // Trailing punctuation ends the sentence, not the URL.
        while url.ends_with(['.', ',', ';', ':']) {
            url = &url[..url.len() - 1];
        }
        if inside_link {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &rest[start + url.len()..];
    }
    out.push_str(rest);
    out
}

/// The first sentence of a text, on one line: up to a full stop that is followed by a capital letter
/// (so `e.g. a` does not end it).
pub fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let bytes = flat.as_bytes();
    for (i, _) in flat.match_indices(". ") {
        if bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase) {
            return flat[..=i].to_owned();
        }
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::{first_sentence, sanitize};

    #[test]
    fn first_sentence_skips_abbreviations() {
        assert_eq!(
            first_sentence("Conflict, e.g. a duplicate. More here."),
            "Conflict, e.g. a duplicate."
        );
        assert_eq!(first_sentence("One\n line. Two."), "One line.");
        assert_eq!(first_sentence("No stop"), "No stop");
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(sanitize("See https://a.com/x."), "See <https://a.com/x>.");
        assert_eq!(
            sanitize("A [link](https://a.com)."),
            "A [link](https://a.com)."
        );
    }

    #[test]
    fn html_and_brackets_are_escaped_outside_code() {
        assert_eq!(
            sanitize("sha256=<hex> and `sha256=<hex>`"),
            "sha256=&lt;hex&gt; and `sha256=<hex>`"
        );
        assert_eq!(sanitize("values [a, b]"), "values \\[a, b\\]");
    }

    #[test]
    fn untagged_fences_are_text_and_indentation_is_capped() {
        assert_eq!(sanitize("x\n```\nfn\n```"), "x\n```text\nfn\n```");
        assert_eq!(sanitize("a\n\n        code"), "a\n\n   code");
        assert_eq!(sanitize("```json\n{}\n```"), "```json\n{}\n```");
    }
}
