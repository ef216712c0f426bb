//! What generated code uses of the runtime crate, read off the tokens it is made of.
//!
//! Generated files name the runtime as `rt::…`. Reading those paths off the emitted tokens, rather than
//! predicting them from the IR, keeps three things exact by construction: a file imports `rt` only
//! when it names it (an unused import is a warning), `mod.rs` re-exports only the runtime items the
//! crate's types contain, and a crate turns on exactly the runtime features its code needs. Doc
//! comments and string literals are literals, not identifiers, so text in the spec cannot count as a use.
//!
//! Code behind a `#[cfg]` (the `full-serde` impls) names the runtime by its full path instead
//! (`openapi_client_runtime::…`): counted as `rt`, it could leave the import unused when the cfg is off.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::collections::BTreeSet;

/// The runtime's library name, as generated code names it.
pub const RUNTIME_CRATE: &str = "openapi_client_runtime";
/// The runtime's package name, as a generated `Cargo.toml` names it.
pub const RUNTIME_PACKAGE: &str = "openapi-client-runtime";

/// The runtime items a piece of generated code names: the first segment of every `rt::` path, and
/// whether it checks a `pattern`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeUse {
    items: BTreeSet<String>,
    pattern: bool,
}

impl RuntimeUse {
    /// Reads `tokens`.
    pub fn of(tokens: &TokenStream) -> RuntimeUse {
        let mut found = RuntimeUse::default();
        found.scan(tokens.clone());
        found
    }

    /// Adds what `other` names.
    pub fn add(&mut self, other: &RuntimeUse) {
        self.items.extend(other.items.iter().cloned());
        self.pattern |= other.pattern;
    }

    /// Whether the code names `rt` at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether the code names `rt::<item>`.
    pub fn names(&self, item: &str) -> bool {
        self.items.contains(item)
    }

    /// The runtime's cargo features this code needs, in alphabetical order.
    pub fn features(&self) -> Vec<&'static str> {
        let mut features = Vec::new();
        for (feature, needed) in [
            ("chrono", self.names("chrono")),
            ("decimal", self.names("rust_decimal")),
            // Downloads saved to files, uploads from files and readers.
            ("files", self.names("ByteStream") || self.names("Upload")),
            (
                "multipart",
                self.names("multipart") || self.names("FilePart"),
            ),
            ("pattern", self.pattern),
            ("signing", self.names("signing")),
            ("sse", self.names("sse")),
            ("uuid", self.names("uuid")),
        ] {
            if needed {
                features.push(feature);
            }
        }
        features
    }

    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Group(group) => self.scan(group.stream()),
                TokenTree::Ident(ident) if ident == "rt" => {
                    // `rt :: item`: two joint-then-alone colons, then the item.
                    if let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(item)),
                    ) = (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3))
                    {
                        if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
                        {
                            self.items.insert(item.to_string());
                        }
                    }
                }
                // `problems.pattern(..)`: the one runtime call that needs a feature but names no `rt::`
                // path.
                TokenTree::Ident(ident) if ident == "pattern" => {
                    let after_dot = i > 0
                        && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    let called = matches!(
                        tokens.get(i + 1),
                        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis
                    );
                    self.pattern |= after_dot && called;
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn paths_and_pattern_calls_are_found_and_text_is_not() {
        let used = RuntimeUse::of(&quote! {
            /// Mentions rt::chrono in a doc comment only.
            pub struct A { at: rt::chrono::DateTime<rt::chrono::Utc>, file: Option<rt::FilePart> }
            const S: &str = "rt::uuid::Uuid";
            fn check(problems: &mut P) { problems.pattern(&at, &value, "^a$"); }
            fn not_a_call(x: &X) -> bool { x.pattern }
        });
        assert!(used.names("chrono") && used.names("FilePart"));
        let streams = RuntimeUse::of(&quote! {
            fn download(&self) -> Response<rt::ByteStream<E>> {}
            fn events(&self) -> Response<rt::sse::Events<T, E>> {}
        });
        assert_eq!(streams.features(), ["files", "sse"]);
        let upload = RuntimeUse::of(&quote!(
            fn up(body: impl Into<rt::Upload>) {}
        ));
        assert_eq!(upload.features(), ["files"]);
        assert!(!used.names("uuid"), "a string literal is not a use");
        assert_eq!(used.features(), ["chrono", "multipart", "pattern"]);
        assert!(RuntimeUse::of(&quote!(
            struct B {
                x: u8,
            }
        ))
        .is_empty());
        let field_only = RuntimeUse::of(&quote!(
            fn f(x: &X) -> bool {
                x.pattern
            }
        ));
        assert!(field_only.features().is_empty());
    }
}
