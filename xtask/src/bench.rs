//! `cargo xtask bench [--only SECTION[,SECTION...]]`: runs the speed measurements of issue 6 and prints
//! one summary, with the targets and the reference generators' numbers next to ours.
//!
//! Sections, run in this order (all of them by default):
//!
//! - `generate`: `cargo bench -p codegen --bench generate` (criterion, release): per spec, the time of
//!   each stage and of the whole generation, in-process.
//! - `client`: `cargo bench -p awal-client` with the benches `sign_encode` (sign + encode against the
//!   HMAC floor, bytes allocated per call), `end_to_end` (create-contact over loopback against a
//!   hand-written reqwest request sending the same bytes), `upload_rss` (peak RSS of a 100 MiB upload) and
//!   `stream_rss` (peak RSS and throughput of a 1 GiB download and 1 GiB uploads, unsigned and signed,
//!   against hand-written reqwest streams).
//! - `crates`: per spec, `cargo xtask gen --spec SPEC --out target/bench/<name>` run as a subprocess
//!   under `/usr/bin/time -v` when it is installed (Debian package `time`), for its peak RSS; the
//!   generated lines counted on disk; then the crate's warm `cargo check`: a first check builds the
//!   dependencies (in the shared `target/bench-target`), then `src/lib.rs` is touched and a second check
//!   is timed. Incremental compilation is off for both, so the timed check re-checks the whole crate, as
//!   a user's first check after adding it does.
//! - `build-cost`: nexus and bunq, a clean `cargo check` and a debug `cargo build` of the generated crate
//!   alone against progenitor's output for the same spec, in the same run ([`crate::build_cost`]).
//!
//! The benches print their results as `bench-summary key=value` lines, which this module collects; each
//! bench's full output goes to `target/bench/logs/<bench>.log`. The specs: the Awal spec, and nexus, bunq,
//! GitHub, Stripe and OpenAI's 3.1 spec from `../shared/corpus/` (skipped with a note when absent). Wall-clock timing is fine
//! here: this is a measurement, never a test.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The sections, in the order they run.
pub const SECTIONS: [&str; 4] = ["generate", "client", "crates", "build-cost"];

/// The specs of the `build-cost` section (issue 12, target 7): ours ≤ 0.33 × progenitor's, check and build.
const BUILD_COST_SPECS: [&str; 2] = ["nexus", "bunq"];
/// The most our crate may cost to compile, as a share of progenitor's.
const BUILD_COST_TARGET: f64 = 0.33;

/// A spec measured: its short name (the criterion group of the generate bench) and its path relative to
/// the project root.
struct Spec {
    name: &'static str,
    path: &'static str,
    /// The targets of issue 6: generation seconds and warm `cargo check` seconds.
    generate_target: Option<f64>,
    check_target: Option<f64>,
    /// Reference numbers from issue 6: progenitor and openapi-generator.
    reference: Option<Reference>,
}

/// What the reference generators did with a spec (issue 6).
#[derive(Clone, Copy)]
struct Reference {
    progenitor: Generator,
    openapi_generator: Generator,
}

/// One reference generator's numbers: `None` where it failed or its output did not compile.
#[derive(Clone, Copy)]
struct Generator {
    generate_s: Option<f64>,
    check_s: Option<f64>,
    lines: Option<usize>,
}

const fn generator(
    generate_s: Option<f64>,
    check_s: Option<f64>,
    lines: Option<usize>,
) -> Generator {
    Generator {
        generate_s,
        check_s,
        lines,
    }
}

const SPECS: [Spec; 6] = [
    Spec {
        name: "awal_spec",
        path: "spec/awal.yaml",
        generate_target: Some(0.020),
        check_target: None,
        reference: None,
    },
    Spec {
        name: "nexus",
        path: "../shared/corpus/prog-nexus.json",
        generate_target: Some(0.15),
        check_target: Some(3.0),
        reference: Some(Reference {
            progenitor: generator(Some(0.43), Some(5.7), Some(25_000)),
            openapi_generator: generator(Some(2.5), Some(6.3), Some(20_000)),
        }),
    },
    Spec {
        name: "bunq",
        path: "../shared/corpus/ag-bunq.com.yaml",
        generate_target: Some(0.5),
        check_target: Some(8.0),
        reference: Some(Reference {
            progenitor: generator(Some(1.48), Some(18.0), Some(96_000)),
            openapi_generator: generator(Some(4.5), Some(15.2), Some(49_000)),
        }),
    },
    Spec {
        name: "github",
        path: "../shared/corpus/prog-api.github.com.json",
        generate_target: Some(1.0),
        check_target: None,
        reference: Some(Reference {
            progenitor: generator(None, None, None),
            openapi_generator: generator(Some(5.1), None, None),
        }),
    },
    Spec {
        name: "stripe",
        path: "../shared/corpus/stripe-2022-04-spec3.json",
        generate_target: Some(1.0),
        check_target: None,
        reference: Some(Reference {
            progenitor: generator(None, None, None),
            openapi_generator: generator(Some(5.8), None, None),
        }),
    },
    // OpenAPI 3.1 (issue 13): under 1 s in-process; progenitor refuses 3.1 documents.
    Spec {
        name: "openai31",
        path: "../shared/corpus/openai-latest-3.1.yaml",
        generate_target: Some(1.0),
        check_target: None,
        reference: None,
    },
];

/// Where the crates, logs and the shared target directory go, relative to the project root.
const BENCH_DIR: &str = "target/bench";
const BENCH_TARGET: &str = "target/bench-target";

/// The sections named by `--only` (comma-separated), or all of them.
pub fn sections(only: Option<&str>) -> Result<Vec<&'static str>, String> {
    let Some(only) = only else {
        return Ok(SECTIONS.to_vec());
    };
    let mut chosen = Vec::new();
    for name in only.split(',').map(str::trim) {
        match SECTIONS.iter().find(|s| **s == name) {
            Some(section) => chosen.push(*section),
            None => return Err(format!("unknown section `{name}` (one of {SECTIONS:?})")),
        }
    }
    Ok(SECTIONS
        .iter()
        .copied()
        .filter(|s| chosen.contains(s))
        .collect())
}

/// Runs the chosen sections and returns the summary text; progress goes to stderr as it happens.
pub fn run(root: &Path, sections: &[&str]) -> Result<String, String> {
    let logs = root.join(BENCH_DIR).join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let mut results = BTreeMap::new();
    let mut notes = Vec::new();
    if sections.contains(&"generate") {
        results.extend(cargo_bench(
            root,
            &logs,
            "codegen",
            "generate",
            &["--warm-up-time", "1", "--measurement-time", "3"],
        )?);
    }
    if sections.contains(&"client") {
        for (bench, args) in [
            (
                "sign_encode",
                &["--warm-up-time", "1", "--measurement-time", "3"][..],
            ),
            (
                "end_to_end",
                &["--warm-up-time", "1", "--measurement-time", "3"][..],
            ),
            ("upload_rss", &[][..]),
            ("stream_rss", &[][..]),
        ] {
            results.extend(cargo_bench(root, &logs, "awal-client", bench, args)?);
        }
    }
    let mut crates = BTreeMap::new();
    if sections.contains(&"crates") {
        for spec in &SPECS {
            if !root.join(spec.path).is_file() {
                notes.push(format!("{}: {} not found, skipped", spec.name, spec.path));
                continue;
            }
            let measured = measure_crate(root, spec);
            if let Some(problem) = &measured.problem {
                notes.push(format!("{}: {problem}", spec.name));
            }
            crates.insert(spec.name, measured);
        }
    }
    let mut costs = Vec::new();
    if sections.contains(&"build-cost") {
        for spec in SPECS.iter().filter(|s| BUILD_COST_SPECS.contains(&s.name)) {
            let path = root.join(spec.path);
            if !path.is_file() {
                notes.push(format!("{}: {} not found, skipped", spec.name, spec.path));
                continue;
            }
            match crate::build_cost::measure(root, spec.name, &path) {
                Ok(cost) => costs.push((spec.name, cost)),
                Err(problem) => notes.push(format!("{} build cost: {problem}", spec.name)),
            }
        }
    }
    let mut out = summary(root, &results, &crates, &notes);
    out.push_str(&build_cost_summary(&costs));
    Ok(out)
}

/// The `build-cost` table: medians and ratios against progenitor, with the target.
fn build_cost_summary(costs: &[(&str, crate::build_cost::Cost)]) -> String {
    let mut out = String::new();
    if costs.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nBuild cost of the generated crate alone, dependencies built, `CARGO_INCREMENTAL=0`, against \
         progenitor {} in the same run: medians of the rounds' times, and of the rounds' ratios, each \
         round timing the two crates back to back (target ≤ {BUILD_COST_TARGET}x):\n",
        crate::build_cost::PROGENITOR_VERSION
    );
    let _ = writeln!(
        out,
        "| spec | `cargo check`: ours, progenitor, ratio | debug `cargo build`: ours, progenitor, ratio |"
    );
    let _ = writeln!(out, "|---|---|---|");
    for (name, cost) in costs {
        let (check, build) = (cost.check_ratio, cost.build_ratio);
        let _ = writeln!(
            out,
            "| {name} | {}, {}, {check:.2}x{} | {}, {}, {build:.2}x{} |",
            seconds(cost.ours_check),
            seconds(cost.progenitor_check),
            mark(Some(check), Some(BUILD_COST_TARGET)),
            seconds(cost.ours_build),
            seconds(cost.progenitor_build),
            mark(Some(build), Some(BUILD_COST_TARGET)),
        );
    }
    out
}

/// Runs one criterion bench, logs its output, and returns its `bench-summary` lines as key → value.
fn cargo_bench(
    root: &Path,
    logs: &Path,
    package: &str,
    bench: &str,
    args: &[&str],
) -> Result<BTreeMap<String, String>, String> {
    let shown = format!(
        "cargo bench -p {package} --bench {bench} -- {}",
        args.join(" ")
    );
    eprintln!("running: {shown}");
    let start = Instant::now();
    let output = cargo()
        .current_dir(root)
        .args(["bench", "-p", package, "--bench", bench, "--"])
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{shown}: {e}"))?;
    let log = logs.join(format!("{bench}.log"));
    std::fs::write(&log, &output.stdout).map_err(|e| format!("{}: {e}", log.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`{shown}` failed ({}); its output is in {}",
            output.status,
            log.display()
        ));
    }
    eprintln!(
        "  done in {:.0} s; output in {}",
        start.elapsed().as_secs_f64(),
        log.display()
    );
    Ok(parse_summary(&String::from_utf8_lossy(&output.stdout)))
}

/// The rows of `stream_rss`: for each 1 GiB transfer, the client's peak RSS above its baseline (target
/// under 64 MB), and its time against the hand-written reqwest stream's in the same run (target: the
/// median rounds within 10%); the fastest rounds and the processor time, which a machine busy with other
/// work disturbs least, for reading.
fn stream_rows(
    get: &dyn Fn(String) -> Option<f64>,
) -> Vec<(String, Option<String>, &'static str, Option<bool>)> {
    let mut rows = Vec::new();
    for (name, what) in [
        ("download", "1 GiB download saved to a file"),
        ("upload", "1 GiB upload from a file, unsigned"),
        (
            "signed_upload",
            "1 GiB upload from a file, signed (read twice)",
        ),
    ] {
        let key = |suffix: &str| get(format!("stream_{name}_{suffix}"));
        let peak = key("client_peak_mb");
        rows.push((
            format!("{what}: client's peak RSS above its baseline"),
            peak.map(|p| format!("{p:.1} MB")),
            "< 64 MB",
            peak.map(|p| p < 64.0),
        ));
        let pct = |value: Option<f64>| value.map(|p| format!("{p:+.1}%"));
        let within = |value: Option<f64>| value.map(|p| p <= 10.0);
        let throughput = key("client_mbps")
            .zip(key("reqwest_mbps"))
            .map(|(c, r)| format!("{c:.0} vs {r:.0} MB/s, "))
            .unwrap_or_default();
        rows.push((
            format!("{what}: client time vs hand-written reqwest stream (median of rounds)"),
            pct(key("time_pct")).map(|p| format!("{throughput}{p}")),
            "≤ +10%",
            within(key("time_pct")),
        ));
        rows.push((
            format!("{what}: fastest rounds, client vs reqwest"),
            pct(key("fastest_time_pct")),
            "(for reading)",
            None,
        ));
        rows.push((
            format!("{what}: processor time, client vs reqwest (median)"),
            pct(key("cpu_pct")),
            "(for reading)",
            None,
        ));
    }
    rows
}

/// The `bench-summary key=value` lines of a bench's output.
pub fn parse_summary(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("bench-summary "))
        .filter_map(|rest| rest.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// Cargo, as the one running this xtask, without the workspace's flags.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    command
}

/// What the `crates` section measured for one spec.
#[derive(Debug, Default)]
struct Crate {
    /// Wall-clock seconds of `cargo xtask gen --spec` (dev profile, file writing included).
    gen_s: Option<f64>,
    /// Its peak RSS in MB (10^6 bytes), from `/usr/bin/time -v`.
    gen_peak_rss_mb: Option<f64>,
    /// Operations, as `xtask gen --spec` reports them.
    operations: Option<usize>,
    /// Lines of `src/generated/`.
    lines: Option<usize>,
    /// Seconds of the warm `cargo check`.
    check_s: Option<f64>,
    /// Why something is missing.
    problem: Option<String>,
}

fn measure_crate(root: &Path, spec: &Spec) -> Crate {
    let mut measured = Crate::default();
    let out = root.join(BENCH_DIR).join(spec.name);
    eprintln!("generating {} into {}", spec.path, out.display());
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            measured.problem = Some(format!("cannot find the xtask binary: {e}"));
            return measured;
        }
    };
    let time = Path::new("/usr/bin/time");
    let mut command = if time.is_file() {
        let mut command = Command::new(time);
        command.arg("-v").arg(&exe);
        command
    } else {
        Command::new(&exe)
    };
    command
        .current_dir(root)
        .arg("gen")
        .arg("--spec")
        .arg(root.join(spec.path))
        .arg("--out")
        .arg(&out);
    let start = Instant::now();
    let output = match command.output() {
        Ok(output) => output,
        Err(e) => {
            measured.problem = Some(format!("running `xtask gen --spec`: {e}"));
            return measured;
        }
    };
    let gen_s = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('\t'))
            .unwrap_or("(no message)");
        measured.problem = Some(format!("`xtask gen --spec` failed: {first}"));
        return measured;
    }
    measured.gen_s = Some(gen_s);
    // Its summary line starts with "N operations, M types".
    measured.operations = String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.split_once(" operations, ")?.0.trim().parse().ok());
    measured.gen_peak_rss_mb = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|kb| kb.trim().parse::<f64>().ok())
        .map(|kb| kb * 1024.0 / 1e6);
    measured.lines = count_lines(&out.join("src/generated"));

    match warm_check(root, &out) {
        Ok(seconds) => measured.check_s = Some(seconds),
        Err(problem) => measured.problem = Some(problem),
    }
    measured
}

/// Lines of the `.rs` files under `dir`, recursively.
fn count_lines(dir: &Path) -> Option<usize> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            total += count_lines(&path)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            total += std::fs::read_to_string(&path).ok()?.lines().count();
        }
    }
    Some(total)
}

/// A first `cargo check` (dependencies), then the timed one after touching `src/lib.rs`.
fn warm_check(root: &Path, dir: &Path) -> Result<f64, String> {
    // The workspace's lock file: the same dependency versions, already downloaded and built once.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    let check = || {
        let start = Instant::now();
        let offline = cargo_check(root, dir, true)?;
        let output = if offline.status.success() {
            offline
        } else {
            // `--offline` fails when something is not downloaded yet.
            cargo_check(root, dir, false)?
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or("(no error line)");
            return Err(format!(
                "`cargo check` of the generated crate failed: {first}"
            ));
        }
        Ok(start.elapsed().as_secs_f64())
    };
    eprintln!("  cargo check (dependencies) in {}", dir.display());
    check()?;
    let lib = dir.join("src/lib.rs");
    std::fs::File::options()
        .append(true)
        .open(&lib)
        .and_then(|file| file.set_modified(std::time::SystemTime::now()))
        .map_err(|e| format!("touching {}: {e}", lib.display()))?;
    eprintln!("  cargo check (warm, timed)");
    check()
}

fn cargo_check(root: &Path, dir: &Path, offline: bool) -> Result<std::process::Output, String> {
    let mut command = cargo();
    command
        .arg("check")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join(BENCH_TARGET))
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never");
    if offline {
        command.arg("--offline");
    }
    command
        .output()
        .map_err(|e| format!("running cargo check: {e}"))
}

/// Seconds as `12 ms` or `1.23 s`.
fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

/// The peak RSS of `xtask gen`, or `?` when `/usr/bin/time` was not there to measure it.
fn c_rss(measured: Option<&Crate>) -> String {
    measured
        .and_then(|c| c.gen_peak_rss_mb)
        .map_or("?".to_owned(), |mb| format!("{mb:.0} MB"))
}

/// `✓` when `value` is within `target`, `✗` when not, nothing without a target.
fn mark(value: Option<f64>, target: Option<f64>) -> &'static str {
    match (value, target) {
        (Some(v), Some(t)) if v <= t => " ✓",
        (Some(_), Some(_)) => " ✗",
        _ => "",
    }
}

fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "–".to_owned())
}

/// The summary: one row per spec, then the client's measurements, then notes.
fn summary(
    root: &Path,
    results: &BTreeMap<String, String>,
    crates: &BTreeMap<&str, Crate>,
    notes: &[String],
) -> String {
    let get = |key: String| results.get(&key).and_then(|v| v.parse::<f64>().ok());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n| spec | size | generate (target) | slowest stage | `xtask gen` (dev profile): peak RSS, wall | generated lines | \
         operations | lines/op | warm `cargo check` (target) | progenitor: generate, check, lines/op | \
         openapi-generator: generate, check, lines/op |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
    for spec in &SPECS {
        let name = spec.name;
        let bytes = get(format!("{name}_bytes")).or_else(|| {
            std::fs::metadata(root.join(spec.path))
                .ok()
                .map(|m| m.len() as f64)
        });
        let generate = get(format!("{name}_generate_s"));
        let measured = crates.get(name);
        let operations = get(format!("{name}_operations"))
            .map(|o| o as usize)
            .or_else(|| measured.and_then(|c| c.operations));
        let lines = measured
            .and_then(|c| c.lines)
            .or_else(|| get(format!("{name}_lines")).map(|l| l as usize));
        let per_op = |lines: usize| match operations {
            Some(ops) if ops > 0 => format!("{:.0}", lines as f64 / ops as f64),
            _ => "–".to_owned(),
        };
        let reference = |g: Option<Generator>| match g {
            None => "–".to_owned(),
            Some(g) => format!(
                "{}, {}, {}",
                g.generate_s
                    .map_or("fails".to_owned(), |s| format!("{s} s")),
                g.check_s.map_or(
                    if g.generate_s.is_some() {
                        "does not compile".to_owned()
                    } else {
                        "–".to_owned()
                    },
                    |s| format!("{s} s")
                ),
                g.lines.map_or("–".to_owned(), per_op),
            ),
        };
        let check = measured.and_then(|c| c.check_s);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            or_dash(bytes.map(|b| format!("{:.2} MB", b / 1e6))),
            match (generate, results.get(&format!("{name}_error"))) {
                (Some(s), _) => format!(
                    "{}{} (< {})",
                    seconds(s),
                    mark(Some(s), spec.generate_target),
                    spec.generate_target.map_or("–".to_owned(), seconds)
                ),
                (None, Some(error)) => format!("fails: {error}"),
                (None, None) => "–".to_owned(),
            },
            or_dash(
                results
                    .get(&format!("{name}_slowest_stage"))
                    .zip(get(format!("{name}_slowest_mb_per_s")))
                    .map(|(stage, mbs)| format!("{stage}, {mbs:.1} MB/s"))
            ),
            or_dash(measured.and_then(|c| c.gen_s).map(|s| format!(
                "{}, {}",
                c_rss(measured),
                seconds(s)
            ))),
            or_dash(lines.map(|l| l.to_string())),
            or_dash(operations.map(|o| o.to_string())),
            lines.map_or("–".to_owned(), per_op),
            match check {
                Some(s) => format!(
                    "{s:.2} s{}{}",
                    mark(Some(s), spec.check_target),
                    spec.check_target
                        .map_or(String::new(), |t| format!(" (< {t} s)"))
                ),
                None => "–".to_owned(),
            },
            reference(spec.reference.map(|r| r.progenitor)),
            reference(spec.reference.map(|r| r.openapi_generator)),
        );
    }

    let pct = |key: &str| get(key.to_owned());
    let ratio = get("sign_ratio".to_owned());
    let copies = get("sign_allocated_copies".to_owned());
    let rss = get("upload_rss_copies".to_owned());
    let peak = get("upload_peak_rss_mb".to_owned());
    let baseline = get("upload_baseline_rss_mb".to_owned());
    let overhead = |key: &str| -> (Option<String>, Option<bool>) {
        let value = pct(key);
        (value.map(|p| format!("{p:+.1}%")), value.map(|p| p <= 10.0))
    };
    // Judged against a hand-written request that signs what it sends (replay + one HMAC pass): a
    // request to this API must carry a fresh signature, so that is the least such a request does. The
    // unsigned replay, which resends a captured signature, is shown for reading.
    let (small, small_met) = overhead("e2e_small_overhead_vs_hmac_pct");
    let (small_replay, _) = overhead("e2e_small_overhead_vs_replay_pct");
    let (large, large_met) = overhead("e2e_5mib_overhead_vs_hmac_pct");
    let (large_replay, _) = overhead("e2e_5mib_overhead_vs_replay_pct");
    let rows: [(&str, Option<String>, &str, Option<bool>); 8] = [
        (
            "sign + encode, 5 MiB avatar: time / one HMAC-SHA256 pass (paired median)",
            ratio.map(|r| format!("{r:.2}x")),
            "≤ 1.3x",
            ratio.map(|r| r <= 1.3),
        ),
        (
            "sign + encode: bytes allocated per call / file size",
            copies.map(|c| format!("{c:.4}")),
            "≤ 1 copy",
            copies.map(|c| c < 1.1),
        ),
        (
            "end to end, 530 B avatar: client vs hand-written signed request (replay + one HMAC pass)",
            small,
            "≤ +10%",
            small_met,
        ),
        (
            "end to end, 530 B avatar: client vs unsigned replay of the same bytes",
            small_replay,
            "(for reading)",
            None,
        ),
        (
            "end to end, 5 MiB avatar: client vs hand-written signed request (replay + one HMAC pass)",
            large,
            "≤ +10%",
            large_met,
        ),
        (
            "end to end, 5 MiB avatar: client vs unsigned replay of the same bytes",
            large_replay,
            "(for reading)",
            None,
        ),
        (
            "upload of a 100 MiB document: peak RSS (baseline)",
            peak.zip(baseline)
                .map(|(p, b)| format!("{p:.0} MB ({b:.0} MB)")),
            "",
            None,
        ),
        (
            "upload of a 100 MiB document: copies of the file at the peak",
            rss.map(|c| format!("{c:.2}")),
            "≤ about 2",
            rss.map(|c| c <= 2.2),
        ),
    ];
    let _ = writeln!(out, "\n| client | measured | target | met |");
    let _ = writeln!(out, "|---|---|---|---|");
    let rows = rows
        .into_iter()
        .map(|(what, value, target, met)| (what.to_owned(), value, target, met))
        .chain(stream_rows(&get));
    for (what, value, target, met) in rows {
        let _ = writeln!(
            out,
            "| {what} | {} | {target} | {} |",
            or_dash(value),
            match met {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
        );
    }
    for note in notes {
        let _ = writeln!(out, "\nnote: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines_are_parsed_and_other_lines_ignored() {
        let parsed = parse_summary(
            "nexus/load  time: [1 ms]\nbench-summary nexus_bytes=426000\nbench-summary sign_ratio=1.204\n\
             bench-summary broken\n",
        );
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed["nexus_bytes"], "426000");
        assert_eq!(parsed["sign_ratio"], "1.204");
    }

    #[test]
    fn sections_are_checked_and_kept_in_run_order() {
        assert_eq!(sections(None).unwrap(), SECTIONS);
        assert_eq!(
            sections(Some("crates,generate")).unwrap(),
            ["generate", "crates"]
        );
        assert!(sections(Some("nope")).is_err());
    }
}
