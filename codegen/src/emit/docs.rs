//! IR docs (already rustdoc-safe markdown, see `ir::prose`) → `#[doc]` attributes, one per line, which
//! prettyplease prints as `///` comments.

use proc_macro2::TokenStream;
use quote::quote;

fn lines(markdown: &str) -> impl Iterator<Item = String> + '_ {
    markdown.trim().lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {}", l.trim_end())
        }
    })
}

/// Outer `#[doc]` attributes.
pub fn doc_attrs(markdown: &str) -> TokenStream {
    let lines = lines(markdown);
    quote! { #( #[doc = #lines] )* }
}

/// Inner `#![doc]` attributes, for module docs.
pub fn inner_doc_attrs(markdown: &str) -> TokenStream {
    let lines = lines(markdown);
    quote! { #( #![doc = #lines] )* }
}
