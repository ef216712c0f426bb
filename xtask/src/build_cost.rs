//! The `build-cost` section of `cargo xtask bench`: what a generated crate costs its user to compile,
//! against progenitor's output for the same spec, measured in the same run.
//!
//! Per spec: our crate (`xtask gen --spec`) and progenitor's (`cargo progenitor -i SPEC -o DIR -n NAME -v
//! 0.1.0`, cargo-progenitor installed into `target/tools` when it is not on `PATH`) are generated, their
//! dependencies built once in a shared target directory, and then, in rounds, each crate's `src/lib.rs`
//! is touched and a `cargo check` and a debug `cargo build` of the crate alone are timed, with
//! incremental compilation off (a clean compile of the crate, as a user's first build after adding it).
//!
//! The two crates' compiles of one kind run back to back, the first of the pair alternating round by
//! round, and each round gives its own ratio ours / progenitor's; the ratio reported is the median of
//! those. This machine's speed drifts by ±20% over minutes: a ratio of two compiles seconds apart is
//! spared most of that drift, where a ratio of two medians taken over the whole run is not.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// cargo-progenitor's version: progenitor 0.15, which generates against reqwest 0.13.
pub const PROGENITOR_VERSION: &str = "0.15.1";
/// Rounds of timed compiles per crate.
const ROUNDS: usize = 5;
/// Where the crates and the shared target directory go, relative to the project root.
const DIR: &str = "target/bench/build-cost";
const TARGET: &str = "target/bench-cost-target";

/// The medians of one spec's timed compiles, in seconds, and the medians of the rounds' ratios.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// `cargo check` of our crate.
    pub ours_check: f64,
    /// `cargo build` of our crate.
    pub ours_build: f64,
    /// `cargo check` of progenitor's crate.
    pub progenitor_check: f64,
    /// `cargo build` of progenitor's crate.
    pub progenitor_build: f64,
    /// The median over the rounds of ours / progenitor's `cargo check`.
    pub check_ratio: f64,
    /// The median over the rounds of ours / progenitor's `cargo build`.
    pub build_ratio: f64,
}

/// One round's times, in seconds: ours and progenitor's, for one kind of compile.
type Pair = (f64, f64);

/// Measures `spec` (path relative to `root`) under `name`.
pub fn measure(root: &Path, name: &str, spec: &Path) -> Result<Cost, String> {
    let dir = root.join(DIR);
    let ours = dir.join(name);
    let theirs = dir.join(format!("{name}-progenitor"));
    let xtask = std::env::current_exe().map_err(|e| format!("the xtask binary: {e}"))?;
    eprintln!("build-cost {name}: generating ours and progenitor's");
    run(Command::new(&xtask)
        .current_dir(root)
        .args(["gen", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(&ours))?;
    let progenitor = progenitor(root)?;
    let _ = std::fs::remove_dir_all(&theirs);
    run(Command::new(&progenitor)
        .arg("progenitor")
        .arg("-i")
        .arg(spec)
        .arg("-o")
        .arg(&theirs)
        .arg("-n")
        .arg(format!("{name}-progenitor"))
        .arg("-v")
        .arg("0.1.0"))?;
    // Not a member of this workspace, whatever directory it is in.
    let manifest = theirs.join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    if !text.contains("[workspace]") {
        std::fs::write(&manifest, format!("{text}\n[workspace]\n"))
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
    }
    std::fs::copy(root.join("Cargo.lock"), ours.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    eprintln!("build-cost {name}: building the dependencies");
    for krate in [&ours, &theirs] {
        cargo(root, krate, "build")?;
    }
    let mut checks = Vec::new();
    let mut builds = Vec::new();
    for round in 1..=ROUNDS {
        eprintln!("build-cost {name}: round {round} of {ROUNDS}");
        let ours_first = round % 2 == 1;
        for (verb, pairs) in [("check", &mut checks), ("build", &mut builds)] {
            let time = |krate: &Path| touch(krate).and_then(|()| cargo(root, krate, verb));
            let (ours, theirs) = if ours_first {
                let ours = time(&ours)?;
                (ours, time(&theirs)?)
            } else {
                let theirs = time(&theirs)?;
                (time(&ours)?, theirs)
            };
            // Each round in the log, for reading how far the rounds spread.
            eprintln!(
                "build-cost {name}: round {round} {verb}: {ours:.2} s vs {theirs:.2} s, {:.3}x",
                ours / theirs
            );
            pairs.push((ours, theirs));
        }
    }
    Ok(cost(&checks, &builds))
}

/// The medians of the rounds' times and of their ratios.
fn cost(checks: &[Pair], builds: &[Pair]) -> Cost {
    let ours = |pairs: &[Pair]| median(pairs.iter().map(|p| p.0).collect());
    let theirs = |pairs: &[Pair]| median(pairs.iter().map(|p| p.1).collect());
    let ratio = |pairs: &[Pair]| median(pairs.iter().map(|p| p.0 / p.1).collect());
    Cost {
        ours_check: ours(checks),
        ours_build: ours(builds),
        progenitor_check: theirs(checks),
        progenitor_build: theirs(builds),
        check_ratio: ratio(checks),
        build_ratio: ratio(builds),
    }
}

/// cargo-progenitor from `PATH`, or installed at the pinned version into `target/tools`.
fn progenitor(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target/tools");
    let installed = tools.join("bin/cargo-progenitor");
    if installed.is_file() {
        return Ok(installed);
    }
    if let Some(found) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("cargo-progenitor"))
            .find(|p| p.is_file())
    }) {
        return Ok(found);
    }
    eprintln!(
        "installing cargo-progenitor {PROGENITOR_VERSION} into {}",
        tools.display()
    );
    run(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "install",
                "cargo-progenitor",
                "--locked",
                "--version",
                PROGENITOR_VERSION,
            ])
            .arg("--root")
            .arg(&tools),
    )?;
    Ok(installed)
}

/// Seconds of `cargo <verb>` on the crate at `dir`, without incremental compilation.
fn cargo(root: &Path, dir: &Path, verb: &str) -> Result<f64, String> {
    let start = Instant::now();
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .arg(verb)
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join(TARGET))
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    run(&mut command)?;
    Ok(start.elapsed().as_secs_f64())
}

/// Marks `src/lib.rs` as changed, so the next compile redoes the crate (and only the crate).
fn touch(dir: &Path) -> Result<(), String> {
    let lib = dir.join("src/lib.rs");
    std::fs::File::options()
        .append(true)
        .open(&lib)
        .and_then(|file| file.set_modified(std::time::SystemTime::now()))
        .map_err(|e| format!("touching {}: {e}", lib.display()))
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("running {command:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or_else(|| stderr.lines().last().unwrap_or("(no output)"));
    Err(format!("{command:?} failed: {first}"))
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ratios() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
        let cost = super::cost(&[(1.0, 2.0), (9.0, 2.0), (3.0, 2.0)], &[(2.0, 5.0)]);
        assert_eq!((cost.ours_check, cost.progenitor_check), (3.0, 2.0));
        assert_eq!(cost.check_ratio, 1.5);
        assert_eq!(cost.build_ratio, 0.4);
        // The machine speeds up and slows down over the rounds: two rounds' ratios are 0.25, and that
        // is the median, where the ratio of the medians of the times would be 0.5.
        let cost = super::cost(&[(1.0, 4.0), (3.0, 12.0), (2.0, 4.0)], &[]);
        assert_eq!(cost.check_ratio, 0.25);
        assert_eq!(cost.ours_check / cost.progenitor_check, 0.5);
        assert!(cost.build_ratio.is_nan());
    }
}
