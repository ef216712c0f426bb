//! Generation speed on the Awal spec, stage by stage and whole (issue 6, target 1).
//!
//! Every stage reports throughput in bytes of *spec* (not of its own input), so the MB/s figures of the
//! stages compare directly and the slowest stage is the one with the lowest MB/s.
//!
//! ```sh
//! cargo bench -p codegen --bench generate -- --warm-up-time 1 --measurement-time 3
//! ```

use codegen::{emit, ir, load, render, Options};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;

const SPEC: &str = include_str!("../../spec/awal.yaml");

fn stages(c: &mut Criterion) {
    let options = Options::default();
    let spec = load::load(SPEC).expect("the Awal spec loads");
    let api = ir::lower(&spec).expect("the Awal spec lowers");
    let emitted = emit::emit(&api);
    let header = render::header(&options.command, &options.spec_name);

    let mut group = c.benchmark_group("awal_spec");
    group.throughput(Throughput::Bytes(SPEC.len() as u64));

    group.bench_function("load", |b| {
        b.iter(|| load::load(black_box(SPEC)).expect("loads"))
    });
    group.bench_function("lower", |b| {
        b.iter(|| ir::lower(black_box(&spec)).expect("lowers"))
    });
    group.bench_function("emit", |b| b.iter(|| emit::emit(black_box(&api))));
    // `render` consumes its tokens: each iteration gets a fresh clone, made outside the timed part.
    group.bench_function("render", |b| {
        b.iter_batched(
            || emitted.clone(),
            |files| {
                files
                    .into_iter()
                    .map(|(path, tokens)| render::render(path, tokens, &header).expect("renders"))
                    .collect::<Vec<String>>()
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("generate", |b| {
        b.iter(|| codegen::generate(black_box(SPEC), &options).expect("generates"))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
