//! Render: token streams → formatted Rust source with a "generated, do not edit" header.

use crate::diagnostics::{Diagnostic, Diagnostics};
use proc_macro2::TokenStream;

/// The first line of every generated file. The xtask refuses to overwrite a file that lacks it.
pub const HEADER_MARKER: &str = "// @generated";

/// The header naming the command and the spec that made a file.
pub fn header(command: &str, spec_name: &str) -> String {
    format!("{HEADER_MARKER} by `{command}` from {spec_name}. Do not edit by hand: change the spec and regenerate.\n\n")
}

/// Parses the tokens as a file and pretty-prints it after `header`. A parse failure is a generator bug,
/// reported as a diagnostic rather than a panic.
pub fn render(file_name: &str, tokens: TokenStream, header: &str) -> Result<String, Diagnostics> {
    let mut out = String::from(header);
    out.push_str(&render_piece(file_name, tokens)?);
    Ok(out)
}

/// Parses the tokens (a whole file, or a run of its items) and pretty-prints them. prettyplease prints
/// each item on its own, so the pieces of a file printed one by one and concatenated are the file
/// printed whole.
pub fn render_piece(file_name: &str, tokens: TokenStream) -> Result<String, Diagnostics> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Diagnostic::new(
            "#",
            format!("internal error: the generator produced invalid Rust for {file_name}: {e}"),
        )
        .with_hint("this is a bug in the generator; please report it with the spec")
    })?;
    Ok(prettyplease::unparse(&file))
}
