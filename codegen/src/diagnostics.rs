//! Problems found in a spec, each tied to the JSON pointer of the place that causes it.
//!
//! Lowering collects every problem instead of stopping at the first, so one run of the generator shows
//! the author everything to fix (as serde_derive does with its `Ctxt`).

use std::fmt;

/// One problem in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// JSON pointer (RFC 6901) of the offending node, as a URI fragment: `#/paths/~1contacts/post`.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is an obvious way.
    pub hint: Option<String>,
    /// Whether it stops generation.
    pub severity: Severity,
    /// Where in the spec text the problem is, when the parser knows (syntax errors); otherwise a front
    /// end finds the position of [`pointer`](Self::pointer) in the text itself.
    pub position: Option<Position>,
}

/// A place in the spec text, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation stops; nothing is written.
    Error,
    /// The generator worked around it (a fallback type, a renamed item, a check left out) and says
    /// what it did; the output is complete and compiles.
    Warning,
}

impl Diagnostic {
    /// A diagnostic without a hint.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
            hint: None,
            severity: Severity::Error,
            position: None,
        }
    }

    /// A warning without a hint.
    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::new(pointer, message)
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the position in the spec text.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.position = Some(Position { line, column });
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label} at {}: {}", self.pointer, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in a spec; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The diagnostics, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// How many problems were found.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none (never the case for a returned error).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(f, "\n{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// A JSON pointer under construction. Cheap to extend: each `push` makes a new pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pointer(String);

impl Pointer {
    /// The document root, `#`.
    pub fn root() -> Self {
        Pointer("#".to_owned())
    }

    /// Parses a local `$ref` (`#/components/schemas/Foo`) as a pointer.
    pub fn from_ref(reference: &str) -> Option<Self> {
        reference
            .starts_with("#/")
            .then(|| Pointer(reference.to_owned()))
    }

    /// A pointer from text that is already a pointer (e.g. one stored in the IR).
    pub(crate) fn from_raw(text: String) -> Self {
        Pointer(text)
    }

    /// This pointer extended by one reference token, escaped per RFC 6901.
    pub fn push(&self, token: impl AsRef<str>) -> Self {
        // Lowering makes a pointer for every schema and field it visits: one exact allocation each.
        let token = token.as_ref();
        let escapes = token.bytes().filter(|&b| b == b'~' || b == b'/').count();
        let mut text = String::with_capacity(self.0.len() + 1 + token.len() + escapes);
        text.push_str(&self.0);
        text.push('/');
        if escapes == 0 {
            text.push_str(token);
        } else {
            for c in token.chars() {
                match c {
                    '~' => text.push_str("~0"),
                    '/' => text.push_str("~1"),
                    c => text.push(c),
                }
            }
        }
        Pointer(text)
    }

    /// The pointer one level up (the root stays the root).
    pub fn parent(&self) -> Self {
        match self.0.rfind('/') {
            Some(i) => Pointer(self.0[..i].to_owned()),
            None => self.clone(),
        }
    }

    /// The pointer text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Collects diagnostics during lowering: errors, and warnings about what was worked around.
#[derive(Debug, Default)]
pub(crate) struct Sink(Vec<Diagnostic>);

impl Sink {
    /// Records a warning: the generator worked around the problem and says how.
    pub(crate) fn warn(&mut self, at: &Pointer, message: impl Into<String>) {
        self.0.push(Diagnostic::warning(at.as_str(), message));
    }

    pub(crate) fn error(&mut self, at: &Pointer, message: impl Into<String>) {
        self.0.push(Diagnostic::new(at.as_str(), message));
    }

    pub(crate) fn error_hint(
        &mut self,
        at: &Pointer,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.0
            .push(Diagnostic::new(at.as_str(), message).with_hint(hint));
    }

    /// The value and the warnings when there is no error; otherwise every diagnostic, errors first.
    pub(crate) fn finish<T>(self, value: T) -> Result<(T, Vec<Diagnostic>), Diagnostics> {
        let mut all = self.0;
        if all.iter().any(|d| d.severity == Severity::Error) {
            all.sort_by_key(|d| d.severity); // stable: the order found, within each severity
            Err(Diagnostics(all))
        } else {
            Ok((value, all))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_tokens() {
        let p = Pointer::root()
            .push("paths")
            .push("/contacts/{id}")
            .push("a~b");
        assert_eq!(p.as_str(), "#/paths/~1contacts~1{id}/a~0b");
    }

    #[test]
    fn diagnostics_display_lists_every_problem_with_hints() {
        let d = Diagnostics(vec![
            Diagnostic::new("#/a", "first"),
            Diagnostic::new("#/b", "second").with_hint("do this"),
        ]);
        assert_eq!(
            d.to_string(),
            "error at #/a: first\nerror at #/b: second\n  hint: do this\n2 problems found"
        );
    }
}
