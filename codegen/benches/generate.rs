//! Generation speed, stage by stage and whole (issue 6, target 1; issue 13), on the Awal spec and on
//! five real-world specs of the corpus.
//!
//! Every stage reports throughput in bytes of *spec* (not of its own input), so the MB/s figures of the
//! stages compare directly and the slowest stage is the one with the lowest MB/s.
//!
//! The corpus specs are read from `../shared/corpus/` next to the workspace (or the directory in
//! `CORPUS_DIR`): nexus, bunq, GitHub, Stripe and OpenAI's OpenAPI 3.1 spec (`openai31`, 3 MB). A spec that is missing is skipped with a message; a spec
//! that fails a stage gets the stages before it measured and the failure printed (the generator does not
//! accept every real spec yet). Corpus groups take 10 samples of one iteration each, so the whole bench
//! stays within a few minutes on two cores.
//!
//! `oas31` is the loader's OpenAPI 3.1 stage on its own (the rewrite of a parsed 3.1 document into the 3.0
//! model; part of `load`), measured on the 3.1 specs only.
//!
//! `render` is also measured in its two halves: `render_parse` (`syn::parse2` of each file's tokens) and
//! `render_print` (`prettyplease::unparse` of the parsed files).
//!
//! The bench uses the allocator `cargo xtask gen` uses (mimalloc); `--features bench-system-allocator`
//! measures with the system allocator instead.
//!
//! The stages run on one thread, whole files at a time, so their times add up to the work done.
//! `generate` is the library as callers get it: it emits and renders pieces of the files on up to four
//! threads (as many as the machine has), so on two cores it takes less than the stages' sum.
//!
//! After criterion's summary, one `bench-summary` line per figure (spec size, time and MB/s of each stage,
//! the slowest stage, generated lines and operations), which `cargo xtask bench` collects.
//!
//! ```sh
//! cargo bench -p codegen --bench generate -- --warm-up-time 1 --measurement-time 3
//! ```

#[path = "../../generated-client/benches/support/summary.rs"]
mod summary;

/// The allocator `cargo xtask gen` runs with, so that `generate` is measured as users run it; the feature
/// `bench-system-allocator` measures with the system allocator instead.
#[cfg(not(feature = "bench-system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use codegen::load::{Document, Version};
use codegen::{emit, ir, load, render, Options};
use criterion::{criterion_group, BatchSize, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const AWAL: &str = include_str!("../../spec/awal.yaml");

/// The corpus specs measured: short name (the criterion group) and file name.
const CORPUS: [(&str, &str); 5] = [
    ("nexus", "prog-nexus.json"),
    ("bunq", "ag-bunq.com.yaml"),
    ("github", "prog-api.github.com.json"),
    ("stripe", "stripe-2022-04-spec3.json"),
    ("openai31", "openai-latest-3.1.yaml"),
];

/// The stages, in pipeline order, then the whole (`oas31` is part of `load`, for 3.1 specs only).
const STAGES: [&str; 6] = ["load", "oas31", "lower", "emit", "render", "generate"];
/// The two halves of `render`, measured apart too.
const RENDER_HALVES: [&str; 2] = ["render_parse", "render_print"];

fn corpus_dir() -> PathBuf {
    match std::env::var_os("CORPUS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
}

/// The specs to measure: the Awal spec, then each corpus spec that can be read.
fn specs() -> Vec<(&'static str, String)> {
    let mut specs = vec![("awal_spec", AWAL.to_owned())];
    let dir = corpus_dir();
    for (name, file) in CORPUS {
        match std::fs::read_to_string(dir.join(file)) {
            Ok(text) => specs.push((name, text)),
            Err(e) => println!(
                "skipping {name}: cannot read {}: {e}",
                dir.join(file).display()
            ),
        }
    }
    specs
}

/// The first diagnostic of a failure, for the note printed instead of the stages that could not run.
fn first(diagnostics: &codegen::Diagnostics) -> String {
    diagnostics.0.first().map_or_else(
        || "(no diagnostic)".to_owned(),
        |d| {
            format!(
                "{}: {} ({} diagnostics)",
                d.pointer,
                d.message,
                diagnostics.0.len()
            )
        },
    )
}

fn stages(c: &mut Criterion, name: &'static str, text: &str) {
    let options = Options::default();
    let header = render::header(&options.command, &options.spec_name);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(text.len() as u64));
    let corpus = name != "awal_spec";
    if corpus {
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    }
    // A fresh clone of the tokens per call of `render`, made outside the timing; one at a time for the
    // corpus specs, whose token streams are large.
    let batch = if corpus {
        BatchSize::PerIteration
    } else {
        BatchSize::SmallInput
    };

    let spec = match load::load(text) {
        Ok(spec) => spec,
        Err(d) => return println!("{name}: load fails, nothing measured: {}", first(&d)),
    };
    group.bench_function("load", |b| {
        b.iter(|| load::load(black_box(text)).expect("loads"))
    });
    // The 3.1 stage alone, on a fresh copy of the parsed document each time (made outside the timing).
    if let Some(parsed) = Document::parse(text)
        .ok()
        .filter(|d| d.version() == Version::V3_1)
    {
        group.bench_function("oas31", |b| {
            b.iter_batched(
                || parsed.clone(),
                |mut document| document.upgrade().expect("upgrades"),
                batch,
            )
        });
    }
    let api = match ir::lower(&spec) {
        Ok(api) => api,
        Err(d) => {
            group.finish();
            return println!("{name}: lower fails, only load measured: {}", first(&d));
        }
    };
    group.bench_function("lower", |b| {
        b.iter(|| ir::lower(black_box(&spec)).expect("lowers"))
    });
    let emitted = emit::emit(&api);
    group.bench_function("emit", |b| b.iter(|| emit::emit(black_box(&api))));
    let rendered: Result<Vec<String>, _> = emitted
        .clone()
        .into_iter()
        .map(|(path, tokens)| render::render(path, tokens, &header))
        .collect();
    if let Err(d) = rendered {
        group.finish();
        return println!(
            "{name}: render fails, load, lower and emit measured: {}",
            first(&d)
        );
    }
    group.bench_function("render", |b| {
        b.iter_batched(
            || emitted.clone(),
            |files| {
                files
                    .into_iter()
                    .map(|(path, tokens)| render::render(path, tokens, &header).expect("renders"))
                    .collect::<Vec<String>>()
            },
            batch,
        )
    });
    // `render` in its two halves: `syn` parsing the tokens, prettyplease printing the parsed files.
    group.bench_function("render_parse", |b| {
        b.iter_batched(
            || emitted.clone(),
            |files| {
                files
                    .into_iter()
                    .map(|(_, tokens)| syn::parse2::<syn::File>(tokens).expect("parses"))
                    .collect::<Vec<_>>()
            },
            batch,
        )
    });
    let parsed: Vec<syn::File> = emitted
        .iter()
        .map(|(_, tokens)| syn::parse2(tokens.clone()).expect("parses"))
        .collect();
    group.bench_function("render_print", |b| {
        b.iter(|| {
            black_box(&parsed)
                .iter()
                .map(prettyplease::unparse)
                .collect::<Vec<String>>()
        })
    });
    group.bench_function("generate", |b| {
        b.iter(|| codegen::generate(black_box(text), &options).expect("generates"))
    });
    group.finish();
}

fn all_specs(c: &mut Criterion) {
    for (name, text) in specs() {
        stages(c, name, &text);
    }
}

/// Per spec: size, each stage's time and MB/s, the slowest stage, and the generated lines and operations.
fn print_summary() {
    let options = Options::default();
    for (name, text) in specs() {
        let bytes = text.len();
        summary::print(&format!("{name}_bytes"), bytes);
        let mut slowest: Option<(&str, f64)> = None;
        for stage in STAGES {
            let Some(seconds) = summary::seconds(name, stage) else {
                continue;
            };
            let mb_per_s = bytes as f64 / 1e6 / seconds;
            summary::print(&format!("{name}_{stage}_s"), format!("{seconds:.6}"));
            summary::print(
                &format!("{name}_{stage}_mb_per_s"),
                format!("{mb_per_s:.2}"),
            );
            if stage != "generate" && slowest.is_none_or(|(_, s)| mb_per_s < s) {
                slowest = Some((stage, mb_per_s));
            }
        }
        for half in RENDER_HALVES {
            if let Some(seconds) = summary::seconds(name, half) {
                summary::print(&format!("{name}_{half}_s"), format!("{seconds:.6}"));
            }
        }
        if let Some((stage, mb_per_s)) = slowest {
            summary::print(&format!("{name}_slowest_stage"), stage);
            summary::print(
                &format!("{name}_slowest_mb_per_s"),
                format!("{mb_per_s:.2}"),
            );
        }
        match codegen::generate(&text, &options) {
            Ok(output) => {
                let lines: usize = output
                    .files
                    .iter()
                    .map(|f| f.contents.lines().count())
                    .sum();
                summary::print(&format!("{name}_lines"), lines);
                summary::print(&format!("{name}_operations"), output.operations);
                summary::print(&format!("{name}_warnings"), output.warnings.len());
            }
            Err(d) => summary::print(&format!("{name}_error"), first(&d).replace('\n', " ")),
        }
    }
}

criterion_group!(benches, all_specs);

fn main() {
    summary::start();
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_summary();
}
