//! Generates a typed, request-signing Rust client from an OpenAPI 3.0 or 3.1 document.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! spec text ──load──▶ load::Spec (openapiv3::OpenAPI) ──ir::lower──▶ ir::Api ──emit──▶ TokenStreams ──render──▶ files
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
pub mod single_file;
pub mod standalone;

pub use diagnostics::{Diagnostic, Diagnostics, Position, Severity};

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
    /// The runtime crate's cargo features the generated code needs ([`emit::RuntimeUse::features`]), in
    /// alphabetical order.
    pub runtime_features: Vec<&'static str>,
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
    let (files, used) = emit_and_render(&api, &header)?;
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
        runtime_features: used.features(),
    };
    Ok((output, api))
}

/// The most types in one piece of `types.rs`: pieces this small keep the largest syntax tree held at
/// once small (a whole Stripe `types.rs` parses into about 170 MB) and give the threads even shares.
const MAX_TYPES_PER_PIECE: usize = 256;

/// Emits and renders every file of [`emit::FILES`], in that order, spreading the pieces of the files
/// ([`emit::Piece`]) over up to [`MAX_THREADS`] threads (or as many as [`THREADS_VAR`] says). Emitting
/// and rendering are most of generation's time and the pieces do not depend on one another. Token
/// streams cannot cross threads, so a thread renders the pieces it emits; only text comes back. The
/// output does not depend on how many threads run or which thread takes which piece.
fn emit_and_render(
    api: &ir::Api,
    header: &str,
) -> Result<(Vec<GeneratedFile>, emit::RuntimeUse), Diagnostics> {
    let threads = threads_set(std::env::var(THREADS_VAR).ok().as_deref()).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS))
    });
    // About two pieces of each split file per thread, so that the threads finish close together.
    let types_per_piece = api
        .types
        .len()
        .div_ceil(threads * 2)
        .clamp(16, MAX_TYPES_PER_PIECE);
    let operations_per_piece = api.operations.len().div_ceil(threads * 2).clamp(4, 128);
    emit_and_render_with(api, header, threads, types_per_piece, operations_per_piece)
}

/// The most threads generation uses: beyond this, starting them costs more than they save on specs
/// of the sizes seen.
const MAX_THREADS: usize = 4;

/// The environment variable that sets how many threads [`generate`] uses (and so how the files are
/// cut into pieces): a whole number from 1 to 64, e.g. `CODEGEN_THREADS=1`. Unset or anything else:
/// the machine's available parallelism, at most 4. The output is the same whatever it says; it is
/// there so that a test can show that from outside the process (`xtask/tests/determinism.rs`), and to
/// measure one thread against several.
pub const THREADS_VAR: &str = "CODEGEN_THREADS";

/// The thread count [`THREADS_VAR`]'s value asks for, if it is a valid one.
fn threads_set(value: Option<&str>) -> Option<usize> {
    value?.trim().parse().ok().filter(|n| (1..=64).contains(n))
}

/// [`emit_and_render`] with the thread count and piece size given. Also returns what the files use of
/// the runtime.
fn emit_and_render_with(
    api: &ir::Api,
    header: &str,
    threads: usize,
    types_per_piece: usize,
    operations_per_piece: usize,
) -> Result<(Vec<GeneratedFile>, emit::RuntimeUse), Diagnostics> {
    let context = emit::Context::new(api);
    let pieces = emit::pieces(api, types_per_piece, operations_per_piece);
    // Each thread takes the next piece not yet taken until none is left. Larger pieces go first, so that
    // none starts when the other threads are nearly done: `checks.rs` (one piece), then the runs of
    // operations and of types, then the small files.
    let mut order: Vec<usize> = (0..pieces.len()).collect();
    order.sort_by_key(|&index| match pieces[index].file {
        "checks.rs" => 0,
        "operations.rs" | "cli.rs" => 1,
        "types.rs" => 2,
        _ => 3,
    });
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Rendered = (usize, Result<String, Diagnostics>, emit::RuntimeUse);
    let work = || -> Vec<Rendered> {
        let mut done = Vec::new();
        loop {
            let taken = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some((index, piece)) = order.get(taken).map(|&i| (i, &pieces[i])) else {
                return done;
            };
            let tokens = emit::emit_piece(api, &context, piece);
            let used = emit::RuntimeUse::of(&tokens);
            done.push((index, render::render_piece(piece.file, tokens), used));
        }
    };
    let mut rendered = std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .filter_map(|i| {
                std::thread::Builder::new()
                    .name(format!("codegen-{i}"))
                    .spawn_scoped(scope, work)
                    // A thread that cannot start leaves its share to the others.
                    .ok()
            })
            .collect();
        let mut rendered = work();
        for worker in workers {
            match worker.join() {
                Ok(more) => rendered.extend(more),
                // A panic on a worker is a generator bug: let it surface as it would on one thread.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        rendered
    });
    rendered.sort_by_key(|(index, _, _)| *index);
    // Every index was taken exactly once, so after sorting, `rendered` lines up with `pieces`.
    let mut bodies: Vec<(&'static str, String, emit::RuntimeUse)> = Vec::new();
    for (index, ((_, text, used), piece)) in rendered.into_iter().zip(&pieces).enumerate() {
        let last = pieces
            .get(index + 1)
            .is_none_or(|next| next.file != piece.file);
        let text = emit::trim_piece(piece, text?, last);
        match bodies.last_mut() {
            Some((file, body, file_used)) if *file == piece.file => {
                body.push_str(&text);
                file_used.add(&used);
            }
            _ => bodies.push((piece.file, text, used)),
        }
    }
    let mut all_used = emit::RuntimeUse::default();
    let mut files: Vec<GeneratedFile> = Vec::with_capacity(emit::FILES.len());
    for (file, body, used) in bodies {
        let prelude = render::render_piece(file, emit::prelude(api, file, !used.is_empty()))?;
        all_used.add(&used);
        files.push(GeneratedFile {
            path: file.to_owned(),
            contents: format!("{header}{prelude}{body}"),
        });
    }
    // `mod.rs` last: it re-exports what the other files use.
    let module = emit::module(api, &all_used);
    let prelude = emit::prelude(api, "mod.rs", true);
    files.insert(
        0,
        GeneratedFile {
            path: "mod.rs".to_owned(),
            contents: render::render("mod.rs", quote::quote!(#prelude #module), header)?,
        },
    );
    Ok((files, all_used))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specs whose output is compared: the Awal spec and fixtures with many kinds of types.
    const SPECS: [&str; 5] = [
        include_str!("../../spec/awal.yaml"),
        include_str!("../../tests/fixtures/features.yaml"),
        include_str!("../../tests/fixtures/deep-refs.yaml"),
        include_str!("../../tests/fixtures/schemas/unions.yaml"),
        include_str!("../../tests/fixtures/schemas/names.yaml"),
    ];

    #[test]
    fn output_does_not_depend_on_threads_or_piece_size() {
        let header = render::header("cmd", "spec.yaml");
        for text in SPECS {
            let api = ir::lower(&load::load(text).expect("loads")).expect("lowers");
            let whole: Vec<GeneratedFile> = emit::emit(&api)
                .into_iter()
                .map(|(path, tokens)| GeneratedFile {
                    path: path.to_owned(),
                    contents: render::render(path, tokens, &header).expect("renders"),
                })
                .collect();
            assert_eq!(whole.len(), emit::FILES.len());
            for (threads, types, operations) in [
                (1, usize::MAX, usize::MAX),
                (1, 1, 1),
                (2, 7, 3),
                (3, 1, 2),
                (4, 16, 5),
            ] {
                let (split, _) = emit_and_render_with(&api, &header, threads, types, operations)
                    .expect("renders");
                // The same files in the same order, before their texts are compared pairwise.
                let paths = |files: &[GeneratedFile]| -> Vec<String> {
                    files.iter().map(|f| f.path.clone()).collect()
                };
                assert_eq!(
                    paths(&split),
                    paths(&whole),
                    "{threads} threads, {types} types and {operations} operations per piece"
                );
                for (split, whole) in split.iter().zip(&whole) {
                    let first_difference = split
                        .contents
                        .lines()
                        .zip(whole.contents.lines())
                        .position(|(a, b)| a != b);
                    assert!(
                        split == whole,
                        "{}: {threads} threads, {types} types and {operations} operations per \
                         piece; first different line: {first_difference:?}",
                        whole.path
                    );
                }
            }
        }
    }

    #[test]
    fn the_thread_count_is_read_from_a_whole_number_from_1_to_64() {
        for (value, threads) in [
            (None, None),
            (Some("1"), Some(1)),
            (Some(" 3\n"), Some(3)),
            (Some("64"), Some(64)),
            (Some("0"), None),
            (Some("65"), None),
            (Some("-2"), None),
            (Some("two"), None),
            (Some(""), None),
        ] {
            assert_eq!(threads_set(value), threads, "{value:?}");
        }
    }

    #[test]
    fn types_and_operations_are_cut_into_runs_that_cover_each_once() {
        let api = ir::lower(&load::load(SPECS[0]).expect("loads")).expect("lowers");
        let pieces = emit::pieces(&api, 10, 4);
        for (file, count, per_piece) in [
            ("types.rs", api.types.len(), 10),
            ("operations.rs", api.operations.len(), 4),
        ] {
            let runs: Vec<std::ops::Range<usize>> = pieces
                .iter()
                .filter(|piece| piece.file == file)
                .map(|piece| piece.items.clone())
                .collect();
            assert_eq!(runs.len(), count.div_ceil(per_piece), "{file}");
            assert_eq!(runs.first().map(|r| r.start), Some(0));
            assert_eq!(runs.last().map(|r| r.end), Some(count));
            assert!(runs
                .windows(2)
                .all(|w| w[0].end == w[1].start && w[0].len() == per_piece));
        }
        assert_eq!(pieces.iter().filter(|p| p.file == "client.rs").count(), 1);
        assert_eq!(pieces.iter().filter(|p| p.file == "mod.rs").count(), 0);
    }
}
