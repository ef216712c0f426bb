//! What the generator prints for people: spec problems located by file, line and column, and the
//! warnings of a generation that succeeded; in colour on a terminal unless `NO_COLOR` is set. Every
//! front end (the `openapi-client-gen` binary, `cargo xtask`, build scripts) prints them this way.

use crate::locate::locate;
use codegen::{Diagnostic, Severity};
use std::fmt::Write as _;
use std::io::IsTerminal;

/// Whether to colour the output (plain ANSI escapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    color: bool,
}

/// ANSI colour codes.
pub const RED: &str = "1;31";
/// Green.
pub const GREEN: &str = "32";
/// Yellow.
pub const YELLOW: &str = "33";
const BLUE: &str = "1;34";
const BOLD: &str = "1";

impl Style {
    /// No colour.
    pub const PLAIN: Style = Style { color: false };
    /// Colour.
    pub const COLOR: Style = Style { color: true };

    /// Colour when `stream` is a terminal, `NO_COLOR` is unset or empty (<https://no-color.org>) and
    /// `TERM` is not `dumb`.
    pub fn detect(stream: &impl IsTerminal) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Style {
            color: stream.is_terminal() && !no_color && !dumb,
        }
    }

    /// `text` in the colour `code` ([`RED`], [`GREEN`], [`YELLOW`]) when colour is on.
    pub fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// `error: <message>`, with `error` in red.
    pub fn error(self, message: &str) -> String {
        format!("{}: {message}", self.paint(RED, "error"))
    }
}

/// Every diagnostic as
///
/// ```text
/// error: <message>
///   --> spec/awal.yaml:<line>:<col> (#/paths/~1contacts/post/requestBody)
///   = hint: <hint>
/// ```
///
/// separated by blank lines and followed by a count line. The line and column are the parser's for a
/// syntax error, and otherwise come from [`locate`] on `spec_text` (the nearest ancestor that can be
/// found); without one, only the pointer is printed.
pub fn render_diagnostics(
    diagnostics: &[Diagnostic],
    spec_name: &str,
    spec_text: Option<&str>,
    style: Style,
) -> String {
    let mut out = String::new();
    for d in diagnostics {
        render_one(&mut out, d, spec_name, spec_text, style);
    }
    let n = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let _ = writeln!(
        out,
        "{}",
        style.error(&format!(
            "{n} problem{} in {spec_name}; nothing was written",
            if n == 1 { "" } else { "s" }
        ))
    );
    out
}

/// Warnings of a generation that succeeded: a count line, then the first `limit` as
/// [`render_diagnostics`] shows them (`warning:` in yellow), then how many were left out. Empty when
/// there are none.
pub fn render_warnings(
    warnings: &[Diagnostic],
    spec_name: &str,
    spec_text: Option<&str>,
    limit: usize,
    style: Style,
) -> String {
    let mut out = String::new();
    if warnings.is_empty() {
        return out;
    }
    let n = warnings.len();
    let _ = writeln!(
        out,
        "{}: {n} warning{} in {spec_name} (the generator worked around {}; the output is complete){}",
        style.paint(YELLOW, "warning"),
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" },
        if n > limit {
            format!("; the first {limit}:")
        } else {
            ":".to_owned()
        }
    );
    out.push('\n');
    for d in warnings.iter().take(limit) {
        render_one(&mut out, d, spec_name, spec_text, style);
    }
    if n > limit {
        let _ = writeln!(out, "... and {} more", n - limit);
    }
    out
}

/// One diagnostic: label and message, location, hint, and a blank line.
fn render_one(
    out: &mut String,
    d: &Diagnostic,
    spec_name: &str,
    spec_text: Option<&str>,
    style: Style,
) {
    let at_root = d.pointer == "#" || d.pointer.is_empty();
    let position = d.position.map(|p| (p.line, p.column)).or_else(|| {
        spec_text
            .and_then(|text| locate(text, &d.pointer))
            .map(|l| (l.line, l.column))
    });
    let message = style.paint(BOLD, &d.message);
    let first = match d.severity {
        Severity::Error => style.error(&message),
        Severity::Warning => format!("{}: {message}", style.paint(YELLOW, "warning")),
    };
    let _ = writeln!(out, "{first}");
    let location = match position {
        Some((line, col)) => format!("--> {spec_name}:{line}:{col}"),
        None if at_root => format!("--> {spec_name}"),
        None => "-->".to_owned(),
    };
    let _ = write!(out, "  {}", style.paint(BLUE, &location));
    match d.pointer.as_str() {
        _ if at_root => {}
        p if position.is_some() => {
            let _ = write!(out, " ({p})");
        }
        p => {
            let _ = write!(out, " {p}");
        }
    }
    out.push('\n');
    if let Some(hint) = &d.hint {
        let _ = writeln!(
            out,
            "  {} {}",
            style.paint(BLUE, "="),
            style.paint(BOLD, &format!("hint: {hint}"))
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "openapi: 3.0.3\npaths:\n  /contacts:\n    post:\n      requestBody:\n        content: {}\n";

    #[test]
    fn diagnostics_name_file_line_column_pointer_and_hint() {
        let d = [
            Diagnostic::new(
                "#/paths/~1contacts/post/requestBody",
                "the body has no schema",
            )
            .with_hint("add `schema:` under the media type"),
            Diagnostic::new(
                "#/paths/~1contacts/post/requestBody/content/x",
                "deeper than found",
            ),
            Diagnostic::new("#/nowhere", "not in the text"),
        ];
        assert_eq!(
            render_diagnostics(&d, "spec/awal.yaml", Some(SPEC), Style::PLAIN),
            "error: the body has no schema\n  \
             --> spec/awal.yaml:5:7 (#/paths/~1contacts/post/requestBody)\n  \
             = hint: add `schema:` under the media type\n\n\
             error: deeper than found\n  \
             --> spec/awal.yaml:6:9 (#/paths/~1contacts/post/requestBody/content/x)\n\n\
             error: not in the text\n  \
             --> #/nowhere\n\n\
             error: 3 problems in spec/awal.yaml; nothing was written\n"
        );
    }

    #[test]
    fn syntax_errors_use_the_parsers_position() {
        let text = "openapi: 3.0.3\ninfo: [unclosed\n";
        let d = codegen::load::load(text).expect_err("a syntax error").0;
        let rendered = render_diagnostics(&d, "s.yaml", Some(text), Style::PLAIN);
        let position = d[0].position.expect("the parser's position");
        assert!(
            rendered.contains(&format!(
                "--> s.yaml:{}:{}\n",
                position.line, position.column
            )),
            "{rendered}"
        );
        let json = "{\"openapi\": \"3.0.3\",\n \"info\" {}}";
        let d = codegen::load::load(json).expect_err("a syntax error").0;
        assert!(
            render_diagnostics(&d, "s.json", Some(json), Style::PLAIN).contains("--> s.json:2:"),
            "{d:?}"
        );
        let d = [Diagnostic::new("#", "the `openapi` field is missing")];
        assert!(render_diagnostics(&d, "s.yaml", None, Style::PLAIN)
            .starts_with("error: the `openapi` field is missing\n  --> s.yaml\n"));
    }

    #[test]
    fn warnings_are_counted_located_and_cut_after_the_limit() {
        let w: Vec<Diagnostic> = (0..3)
            .map(|i| Diagnostic::warning("#/paths", format!("worked around {i}")))
            .collect();
        let text = render_warnings(&w, "s.yaml", Some(SPEC), 2, Style::PLAIN);
        assert_eq!(
            text,
            "warning: 3 warnings in s.yaml (the generator worked around them; the output is complete); the first 2:\n\n\
             warning: worked around 0\n  --> s.yaml:2:1 (#/paths)\n\n\
             warning: worked around 1\n  --> s.yaml:2:1 (#/paths)\n\n\
             ... and 1 more\n"
        );
        assert_eq!(render_warnings(&[], "s.yaml", None, 10, Style::PLAIN), "");
    }

    #[test]
    fn colour_only_when_asked() {
        let d = [Diagnostic::new("#/paths", "bad").with_hint("fix")];
        let plain = render_diagnostics(&d, "s.yaml", Some(SPEC), Style::PLAIN);
        assert!(!plain.contains('\x1b'));
        let colored = render_diagnostics(&d, "s.yaml", Some(SPEC), Style::COLOR);
        assert!(
            colored.starts_with("\x1b[1;31merror\x1b[0m: "),
            "{colored:?}"
        );
        assert!(
            colored.contains("\x1b[1;34m--> s.yaml:2:1\x1b[0m (#/paths)"),
            "{colored:?}"
        );
    }
}
