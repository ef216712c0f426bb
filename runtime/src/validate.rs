//! Checks a request against the limits its spec documents, before anything is sent.
//!
//! The generated code implements [`Validate`] for every request type from the spec's constraints
//! (`pattern`, `minLength`/`maxLength`, `minItems`/`maxItems`, `minimum`/`maximum`, the allowed values
//! of a closed set, `x-max-bytes` and the allowed content types of a file). This module holds the checks
//! themselves, so that generated code stays one line per constraint. Every broken constraint is
//! reported, not only the first, each naming the field (`body.buttons[3].title`) and the rule.
//!
//! A file's type is judged by its magic bytes: a PNG named `avatar.jpg` is an image and passes where
//! images are allowed; a PDF declared as `image/png` is a PDF and does not.

#[cfg(feature = "multipart")]
use crate::FilePart;
#[cfg(feature = "pattern")]
use regex::Regex;
#[cfg(feature = "pattern")]
use std::collections::HashMap;
use std::fmt;
#[cfg(feature = "pattern")]
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Implemented by the generated request types.
pub trait Validate {
    /// Records in `problems` every documented constraint this value breaks; `at` names the value.
    fn validate(&self, at: &FieldPath<'_>, problems: &mut Problems);
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, at: &FieldPath<'_>, problems: &mut Problems) {
        for (i, item) in self.iter().enumerate() {
            item.validate(&at.index(i), problems);
        }
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, at: &FieldPath<'_>, problems: &mut Problems) {
        if let Some(value) = self {
            value.validate(at, problems);
        }
    }
}

impl<T: Validate> Validate for std::collections::BTreeMap<String, T> {
    fn validate(&self, at: &FieldPath<'_>, problems: &mut Problems) {
        for (key, value) in self {
            value.validate(&at.field(key), problems);
        }
    }
}

/// Where a value sits in a request: `body.sections[0].rows[2].title`. Built on the stack as the
/// checks descend, and only turned into text when a check fails.
#[derive(Clone, Copy)]
pub struct FieldPath<'a> {
    parent: Option<&'a FieldPath<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Name(&'a str),
    Index(usize),
}

impl<'a> FieldPath<'a> {
    /// The top of a path: `query` or `body`.
    pub fn root(name: &'a str) -> Self {
        FieldPath {
            parent: None,
            segment: Segment::Name(name),
        }
    }

    /// A field of this value.
    pub fn field(&'a self, name: &'a str) -> FieldPath<'a> {
        FieldPath {
            parent: Some(self),
            segment: Segment::Name(name),
        }
    }

    /// An item of this list.
    pub fn index(&'a self, index: usize) -> FieldPath<'a> {
        FieldPath {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match (self.segment, self.parent.is_some()) {
            (Segment::Name(name), true) => write!(f, ".{name}"),
            (Segment::Name(name), false) => f.write_str(name),
            (Segment::Index(i), _) => write!(f, "[{i}]"),
        }
    }
}

/// A documented constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Must match this regular expression.
    Pattern(&'static str),
    /// At least this many characters.
    MinLength(usize),
    /// At most this many characters.
    MaxLength(usize),
    /// At least this many items.
    MinItems(usize),
    /// At most this many items.
    MaxItems(usize),
    /// At least this number.
    Minimum(String),
    /// At most this number.
    Maximum(String),
    /// One of these values.
    OneOf(Vec<String>),
    /// A value of a set this client knows completely (an enum's `Unknown` variant is refused in requests).
    KnownValue,
    /// A file of at most this many bytes.
    MaxBytes(u64),
    /// A file of one of these content types (by its magic bytes when they say).
    ContentType(Vec<&'static str>),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Pattern(p) => write!(f, "must match `{p}`"),
            Rule::MinLength(n) => write!(f, "must have at least {n} characters"),
            Rule::MaxLength(n) => write!(f, "must have at most {n} characters"),
            Rule::MinItems(n) => write!(f, "must have at least {n} items"),
            Rule::MaxItems(n) => write!(f, "must have at most {n} items"),
            Rule::Minimum(n) => write!(f, "must be at least {n}"),
            Rule::Maximum(n) => write!(f, "must be at most {n}"),
            Rule::OneOf(values) => write!(f, "must be one of {}", values.join(", ")),
            Rule::KnownValue => f.write_str("must be one of the values the API documents"),
            Rule::MaxBytes(n) => write!(f, "must be at most {n} bytes"),
            Rule::ContentType(types) => write!(f, "must be of type {}", types.join(" or ")),
        }
    }
}

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The field, as a path: `body.buttons[3].title`.
    pub field: String,
    /// The constraint.
    pub rule: Rule,
    /// What the value was, briefly (a length, a size, a detected type; never the text of a field).
    pub found: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.field, self.rule, self.found)
    }
}

/// Every constraint a request breaks.
#[derive(Debug, Default)]
pub struct Problems(Vec<ValidationError>);

impl Problems {
    /// The problems found, in the order the fields were checked.
    pub fn into_vec(self) -> Vec<ValidationError> {
        self.0
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn push(&mut self, at: &FieldPath<'_>, rule: Rule, found: String) {
        self.0.push(ValidationError {
            field: at.to_string(),
            rule,
            found,
        });
    }

    /// `value` must match `pattern` (checked to compile by the generator).
    #[cfg(feature = "pattern")]
    pub fn pattern(&mut self, at: &FieldPath<'_>, value: &str, pattern: &'static str) {
        match compiled(pattern) {
            Some(re) if re.is_match(value) => {}
            Some(_) => self.push(
                at,
                Rule::Pattern(pattern),
                format!("{} characters that do not", value.chars().count()),
            ),
            None => self.push(
                at,
                Rule::Pattern(pattern),
                "a pattern this client cannot compile".to_owned(),
            ),
        }
    }

    /// `value` has between `min` and `max` characters (Unicode scalar values, as JSON Schema counts).
    pub fn length(
        &mut self,
        at: &FieldPath<'_>,
        value: &str,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let n = value.chars().count();
        if let Some(min) = min.filter(|&min| n < min) {
            self.push(at, Rule::MinLength(min), format!("{n} characters"));
        }
        if let Some(max) = max.filter(|&max| n > max) {
            self.push(at, Rule::MaxLength(max), format!("{n} characters"));
        }
    }

    /// A list has between `min` and `max` items.
    pub fn items(
        &mut self,
        at: &FieldPath<'_>,
        len: usize,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        if let Some(min) = min.filter(|&min| len < min) {
            self.push(at, Rule::MinItems(min), format!("{len} items"));
        }
        if let Some(max) = max.filter(|&max| len > max) {
            self.push(at, Rule::MaxItems(max), format!("{len} items"));
        }
    }

    /// A number lies within `min..=max`.
    pub fn range(&mut self, at: &FieldPath<'_>, value: f64, min: Option<f64>, max: Option<f64>) {
        if let Some(min) = min.filter(|&min| value < min) {
            self.push(at, Rule::Minimum(min.to_string()), value.to_string());
        }
        if let Some(max) = max.filter(|&max| value > max) {
            self.push(at, Rule::Maximum(max.to_string()), value.to_string());
        }
    }

    /// An integer is one of the allowed values of a closed set.
    pub fn one_of(&mut self, at: &FieldPath<'_>, value: i64, allowed: &[i64]) {
        if !allowed.contains(&value) {
            let values = allowed.iter().map(i64::to_string).collect();
            self.push(at, Rule::OneOf(values), value.to_string());
        }
    }

    /// An enum value is one the client knows: sending `Unknown(..)` is refused.
    pub fn known(&mut self, at: &FieldPath<'_>, unknown: Option<&str>) {
        if let Some(value) = unknown {
            self.push(at, Rule::KnownValue, format!("`{value}`"));
        }
    }

    /// A file is at most `max_bytes` long and of one of `allowed` types (`image/*` wildcards allowed),
    /// judged by its magic bytes when they are recognised, else by its declared content type. The size
    /// of a streamed file of unknown length is not checked.
    #[cfg(feature = "multipart")]
    pub fn file(
        &mut self,
        at: &FieldPath<'_>,
        file: &FilePart,
        max_bytes: Option<u64>,
        allowed: &[&'static str],
    ) {
        let len = file.size().unwrap_or(0);
        if let Some(max) = max_bytes.filter(|&max| len > max) {
            self.push(at, Rule::MaxBytes(max), format!("{len} bytes"));
        }
        if allowed.is_empty() {
            return;
        }
        let (actual, how) = match file.detected_content_type() {
            Some(detected) => (detected, "detected"),
            None => (file.content_type(), "declared"),
        };
        let essence = actual
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let fits = allowed.iter().any(|a| match a.strip_suffix("/*") {
            Some(major) => essence.split('/').next() == Some(major),
            None => essence == a.to_ascii_lowercase(),
        });
        if !fits {
            self.push(
                at,
                Rule::ContentType(allowed.to_vec()),
                format!("{how} {essence}"),
            );
        }
    }
}

/// Each pattern compiled (or found not to compile) once per process, shared by every request.
#[cfg(feature = "pattern")]
type PatternCache = Mutex<HashMap<&'static str, Option<Arc<Regex>>>>;

#[cfg(feature = "pattern")]
fn compiled(pattern: &'static str) -> Option<Arc<Regex>> {
    static CACHE: OnceLock<PatternCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A panic elsewhere while holding the lock leaves the map intact; keep using it.
    let mut map = cache.lock().unwrap_or_else(PoisonError::into_inner);
    map.entry(pattern)
        .or_insert_with(|| Regex::new(pattern).ok().map(Arc::new))
        .clone()
}

/// Runs the checks of an operation's inputs (`("query", &query)`, `("body", &body)`); every problem
/// found, or `Ok`.
pub fn check(inputs: &[(&'static str, &dyn Validate)]) -> Result<(), Vec<ValidationError>> {
    let mut problems = Problems::default();
    for (name, input) in inputs {
        input.validate(&FieldPath::root(name), &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl FnOnce(&FieldPath<'_>, &mut Problems)) -> Vec<String> {
        let mut p = Problems::default();
        f(&FieldPath::root("body"), &mut p);
        p.into_vec().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn paths_name_nested_fields_and_items() {
        let root = FieldPath::root("body");
        let sections = root.field("sections");
        let second = sections.index(1);
        let title = second.field("title");
        assert_eq!(title.to_string(), "body.sections[1].title");
    }

    #[test]
    fn string_rules() {
        let out = run(|at, p| {
            p.pattern(&at.field("phone"), "+966 50", "^[1-9][0-9]{6,14}$");
            p.pattern(&at.field("ok"), "96650000000", "^[1-9][0-9]{6,14}$");
            p.length(&at.field("title"), "مرحبا بكم في", None, Some(5));
            p.length(&at.field("empty"), "", Some(1), None);
        });
        assert_eq!(
            out,
            [
                "body.phone must match `^[1-9][0-9]{6,14}$` (7 characters that do not)",
                "body.title must have at most 5 characters (12 characters)",
                "body.empty must have at least 1 characters (0 characters)",
            ]
        );
    }

    #[test]
    fn counts_numbers_and_closed_sets() {
        let out = run(|at, p| {
            p.items(&at.field("buttons"), 4, Some(1), Some(3));
            p.range(&at.field("latitude"), 91.5, Some(-90.0), Some(90.0));
            p.one_of(&at.field("status"), 2, &[0, 1]);
            p.known(&at.field("type"), Some("hologram"));
            p.known(&at.field("fine"), None);
        });
        assert_eq!(
            out,
            [
                "body.buttons must have at most 3 items (4 items)",
                "body.latitude must be at most 90 (91.5)",
                "body.status must be one of 0, 1 (2)",
                "body.type must be one of the values the API documents (`hologram`)",
            ]
        );
    }

    #[test]
    fn files_are_judged_by_their_bytes() {
        let png_named_jpg = FilePart::new(
            b"\x89PNG\r\n\x1a\n rest".to_vec(),
            "avatar.jpg",
            "image/jpeg",
        );
        let pdf_as_png = FilePart::new(b"%PDF-1.7 rest".to_vec(), "avatar.png", "image/png");
        let unknown_bytes = FilePart::new(
            b"PK\x03\x04 docx".to_vec(),
            "a.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        );
        let images = ["image/jpeg", "image/png"];
        let out = run(|at, p| {
            p.file(&at.field("a"), &png_named_jpg, Some(1024), &images);
            p.file(&at.field("b"), &pdf_as_png, Some(1024), &images);
            p.file(&at.field("c"), &pdf_as_png, Some(4), &["application/pdf"]);
            p.file(
                &at.field("d"),
                &unknown_bytes,
                None,
                &["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
            );
            p.file(&at.field("e"), &png_named_jpg, None, &["image/*"]);
        });
        assert_eq!(
            out,
            [
                "body.b must be of type image/jpeg or image/png (detected application/pdf)",
                "body.c must be at most 4 bytes (13 bytes)",
            ]
        );
    }

    #[test]
    fn a_pattern_that_cannot_compile_is_a_problem_not_a_panic() {
        let out = run(|at, p| p.pattern(&at.field("x"), "a", "(unclosed"));
        assert_eq!(
            out,
            ["body.x must match `(unclosed` (a pattern this client cannot compile)"]
        );
    }

    #[test]
    fn check_collects_every_input() {
        struct Bad;
        impl Validate for Bad {
            fn validate(&self, at: &FieldPath<'_>, p: &mut Problems) {
                p.items(&at.field("list"), 0, Some(1), None);
            }
        }
        let errors = check(&[("query", &Bad), ("body", &vec![Bad, Bad])]).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["query.list", "body[0].list", "body[1].list"]);
    }
}
