//! Generates a typed, request-signing Rust client from an OpenAPI 3.0 document.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! spec text ──load──▶ openapiv3::OpenAPI ──ir::lower──▶ ir::Api ──emit──▶ TokenStreams ──render──▶ files
//! ```
//!
//! [`generate`] runs all of it. It does no file I/O, so the xtask, the tests and the benchmarks all
//! call the same thing. Every problem in a spec comes back as a [`Diagnostic`] naming its JSON pointer;
//! nothing panics on bad input, and there is no partial output.

#![warn(missing_docs)]

pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod load;
pub mod render;
pub mod standalone;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};

/// How to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How the spec is named in the generated header, e.g. `spec/awal.yaml`.
    pub spec_name: String,
    /// The command named in the generated header, e.g. `cargo xtask gen`.
    pub command: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            spec_name: "spec/awal.yaml".to_owned(),
            command: "cargo xtask gen".to_owned(),
        }
    }
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the generated module's directory, e.g. `types.rs`.
    pub path: String,
    /// Full file text, header included.
    pub contents: String,
}

/// The result of a generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The files, in a fixed order.
    pub files: Vec<GeneratedFile>,
    /// Number of operations (client methods).
    pub operations: usize,
    /// Number of generated types (named schemas, inline objects and query structs).
    pub types: usize,
    /// What the generator worked around, each naming its JSON pointer.
    pub warnings: Vec<Diagnostic>,
}

/// Spec text (YAML or JSON) → generated files, or every problem found.
pub fn generate(spec_text: &str, options: &Options) -> Result<Output, Diagnostics> {
    generate_with_api(spec_text, options).map(|(output, _)| output)
}

/// As [`generate`], also returning the IR the files were made from ([`standalone`] reads it).
pub(crate) fn generate_with_api(
    spec_text: &str,
    options: &Options,
) -> Result<(Output, ir::Api), Diagnostics> {
    let spec = load::load(spec_text)?;
    let mut api = ir::lower(&spec)?;
    let header = render::header(&options.command, &options.spec_name);
    let files = emit::emit(&api)
        .into_iter()
        .map(|(path, tokens)| {
            Ok(GeneratedFile {
                path: path.to_owned(),
                contents: render::render(path, tokens, &header)?,
            })
        })
        .collect::<Result<Vec<_>, Diagnostics>>()?;
    // Query structs shared by several operations count once.
    let queries: std::collections::BTreeSet<&str> = api
        .operations
        .iter()
        .filter_map(|op| Some(op.query.as_ref()?.type_name.as_str()))
        .collect();
    let output = Output {
        files,
        operations: api.operations.len(),
        types: api.types.len() + queries.len(),
        warnings: std::mem::take(&mut api.warnings),
    };
    Ok((output, api))
}
