//! Names, decided once: case conversion (heck), Rust keywords, and a collision index that refuses a
//! second owner of a name instead of letting the first definition silently win.

use super::NameIndex;
use crate::diagnostics::{Pointer, Sink};
use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that `r#` makes usable as identifiers.
const RAW_OK: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];
/// Keywords that cannot be raw identifiers.
const NEVER_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];
/// Names the generated modules use unqualified; a type with one of these names would shadow it.
const RESERVED_TYPES: &[&str] = &[
    "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err", "Self", "Client",
];

/// Keeps ASCII letters and digits, turning everything else into word breaks: identifiers built from
/// spec text (emoji, `-`, `.`, non-Latin scripts) must be valid Rust, or `proc_macro2` would panic.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// A snake_case identifier for a field, parameter or method.
pub fn snake_ident(raw: &str) -> String {
    let mut s = ascii_words(raw).to_snake_case();
    if s.is_empty() {
        s = "value".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("n{s}");
    }
    if NEVER_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if RAW_OK.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// An UpperCamelCase identifier for a type.
pub fn type_ident(raw: &str) -> String {
    let mut s = ascii_words(raw).to_upper_camel_case();
    if s.is_empty() {
        s = "Unnamed".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("T{s}");
    }
    if RESERVED_TYPES.contains(&s.as_str()) {
        s.push_str("Model");
    }
    s
}

/// The name without a raw-identifier prefix: what serde sees.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Claims `name` for the item at `at`; a second claim is a diagnostic naming both places.
pub fn claim(index: &mut NameIndex, sink: &mut Sink, name: &str, at: &Pointer, what: &str) -> bool {
    if let Some(first) = index.get(name) {
        sink.error_hint(
            at,
            format!("{what} `{name}` is already used by {first}"),
            "give one of them another name (`title` for an inline schema, `operationId` for an operation, or `x-rust-name`)",
        );
        false
    } else {
        index.insert(name.to_owned(), at.to_string());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_idents_are_valid_rust() {
        assert_eq!(snake_ident("searchTerm"), "search_term");
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("1st"), "n1st");
        assert_eq!(snake_ident(""), "value");
        assert_eq!(snake_ident("X-RateLimit-Limit"), "x_rate_limit_limit");
        assert_eq!(
            snake_ident("message.status.updated"),
            "message_status_updated"
        );
        assert_eq!(snake_ident("🙂 ok"), "ok");
        assert_eq!(snake_ident("مرحبا"), "value");
    }

    #[test]
    fn type_idents_avoid_prelude_names() {
        assert_eq!(type_ident("contact_list"), "ContactList");
        assert_eq!(type_ident("Result"), "ResultModel");
        assert_eq!(type_ident("2fa"), "T2fa");
        assert_eq!(type_ident("message.received"), "MessageReceived");
        assert_eq!(type_ident("🙂"), "Unnamed");
    }

    #[test]
    fn second_claim_is_refused_and_names_the_first_owner() {
        let mut index = NameIndex::new();
        let mut sink = Sink::default();
        assert!(claim(
            &mut index,
            &mut sink,
            "Foo",
            &Pointer::root().push("a"),
            "type"
        ));
        assert!(!claim(
            &mut index,
            &mut sink,
            "Foo",
            &Pointer::root().push("b"),
            "type"
        ));
        let d = sink.finish(()).unwrap_err();
        assert_eq!(d.0[0].pointer, "#/b");
        assert!(d.0[0].message.contains("#/a"));
    }
}
