//! Names, decided once: case conversion (heck), Rust keywords, and a collision index that never lets
//! the first definition silently win: a second owner of a name is refused ([`claim`]) or renamed with a
//! numeric suffix and a warning naming both places ([`claim_unique`]).

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
/// Names the generated `types.rs` uses unqualified (prelude types, traits and variants), and `Self`,
/// which cannot name a type: a schema called one of these gets `Model` appended (`ResultModel`), with
/// no warning, since nothing else can be meant.
const RESERVED_TYPES: &[&str] = &[
    "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err", "Self", "Client",
    "From", "Into", "Default", "ToString", "Send", "Sync", "Sized",
];

/// Keeps ASCII letters and digits, turning everything else into word breaks: identifiers built from
/// spec text (emoji, `-`, `.`, non-Latin scripts) must be valid Rust, or `proc_macro2` would panic.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// `+1` → `plus 1`, `-1` → `minus 1`: a sign in front of a number is a word (GitHub's reactions are
/// `+1` and `-1`), not punctuation to drop.
fn signed(raw: &str) -> std::borrow::Cow<'_, str> {
    let digit_after = |rest: &str| rest.starts_with(|c: char| c.is_ascii_digit());
    match (raw.strip_prefix('+'), raw.strip_prefix('-')) {
        (Some(rest), _) if digit_after(rest) => format!("plus {rest}").into(),
        (_, Some(rest)) if digit_after(rest) => format!("minus {rest}").into(),
        _ => raw.into(),
    }
}

/// A snake_case identifier for a field, parameter or method.
pub fn snake_ident(raw: &str) -> String {
    let mut s = ascii_words(&signed(raw)).to_snake_case();
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

/// An UpperCamelCase identifier for an enum variant: a value starting with a digit gets a `V` in front
/// (`"1"` → `V1`), and `Self` (a keyword) becomes `SelfValue`.
pub fn variant_ident(raw: &str) -> String {
    let mut s = ascii_words(&signed(raw)).to_upper_camel_case();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("V{s}");
    }
    if s == "Self" {
        s.push_str("Value");
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

/// Claims `name` for the item at `at`, or, when it is taken, the first free `name2`, `name3` ... (in the
/// order items are claimed, which is spec order), with a warning naming both places. Raw identifiers
/// (`r#type`) are compared without their prefix and keep it.
pub fn claim_unique(
    index: &mut NameIndex,
    sink: &mut Sink,
    name: &str,
    at: &Pointer,
    what: &str,
) -> String {
    let bare = unraw(name);
    let Some(first) = index.get(bare).cloned() else {
        index.insert(bare.to_owned(), at.to_string());
        return name.to_owned();
    };
    // `type2` needs no `r#`: only the unsuffixed keyword does.
    let renamed = (2..)
        .map(|n| format!("{bare}{n}"))
        .find(|candidate| !index.contains_key(candidate))
        .unwrap_or_else(|| format!("{bare}_"));
    sink.warn(
        at,
        format!("{what} `{bare}` is already used by {first}; this one is called `{renamed}`"),
    );
    index.insert(renamed.clone(), at.to_string());
    renamed
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
        assert_eq!(snake_ident("+1"), "plus_1");
        assert_eq!(snake_ident("-1"), "minus_1");
        assert_eq!(snake_ident("-x"), "x");
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
        assert_eq!(type_ident("Self"), "SelfModel");
        assert_eq!(type_ident("self"), "SelfModel");
        assert_eq!(type_ident("from"), "FromModel");
        assert_eq!(type_ident("crate"), "Crate");
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

    #[test]
    fn unique_claims_number_later_owners_and_warn() {
        let mut index = NameIndex::new();
        let mut sink = Sink::default();
        let at = |p: &str| Pointer::root().push(p);
        assert_eq!(
            claim_unique(&mut index, &mut sink, "Foo", &at("a"), "type name"),
            "Foo"
        );
        assert_eq!(
            claim_unique(&mut index, &mut sink, "Foo", &at("b"), "type name"),
            "Foo2"
        );
        assert_eq!(
            claim_unique(&mut index, &mut sink, "Foo", &at("c"), "type name"),
            "Foo3"
        );
        assert_eq!(
            claim_unique(&mut index, &mut sink, "r#type", &at("d"), "field name"),
            "r#type"
        );
        assert_eq!(
            claim_unique(&mut index, &mut sink, "r#type", &at("e"), "field name"),
            "type2"
        );
        let (_, warnings) = sink.finish(()).unwrap();
        assert_eq!(warnings.len(), 3);
        assert_eq!(warnings[0].pointer, "#/b");
        assert!(warnings[0].message.contains("#/a") && warnings[0].message.contains("`Foo2`"));
    }

    #[test]
    fn variant_idents_are_valid_rust() {
        assert_eq!(variant_ident("1"), "V1");
        assert_eq!(variant_ident("-1"), "Minus1");
        assert_eq!(variant_ident("a-b"), "AB");
        assert_eq!(variant_ident("Self"), "SelfValue");
        assert_eq!(variant_ident(""), "");
    }
}
