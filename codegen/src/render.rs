//! Render: token streams → formatted Rust source with a "generated, do not edit" header.

use crate::diagnostics::{Diagnostic, Diagnostics};
use proc_macro2::TokenStream;

/// The first line of every generated file. The xtask refuses to overwrite a file that lacks it.
pub const HEADER_MARKER: &str = "// @generated";

/// The header naming the command and the spec that made a file.
pub fn header(command: &str, spec_name: &str) -> String {
    format!("{HEADER_MARKER} by `{command}` from {spec_name}. Do not edit by hand: change the spec and regenerate.\n\n")
}

/// Parses the tokens as a file and pretty-prints it. A parse failure is a generator bug, reported as a
/// diagnostic rather than a panic.
pub fn render(file_name: &str, tokens: TokenStream, header: &str) -> Result<String, Diagnostics> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Diagnostic::new(
            "#",
            format!("internal error: the generator produced invalid Rust for {file_name}: {e}"),
        )
        .with_hint("this is a bug in the generator; please report it with the spec")
    })?;
    let mut out = String::from(header);
    out.push_str(&prettyplease::unparse(&file));
    Ok(out)
}
