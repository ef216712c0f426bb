//! The `build-cost` section of `cargo xtask bench`: what a generated crate costs its user to compile,
//! against progenitor's output for the same spec, measured in the same run.
//!
//! Per spec: our crate (`xtask gen --spec`) and progenitor's (`cargo progenitor -i SPEC -o DIR -n NAME -v
//! 0.1.0`, cargo-progenitor installed into `target/tools` when it is not on `PATH`) are generated, their
//! dependencies built once in a shared target directory, and then, in alternating rounds, each crate's
//! `src/lib.rs` is touched and a `cargo check` and a debug `cargo build` of the crate alone are timed,
//! with incremental compilation off (a clean compile of the crate, as a user's first build after adding
//! it). The medians over the rounds give the ratios ours / progenitor's. Alternating the two crates round
//! by round keeps a machine whose speed drifts from favouring either.

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

/// The medians of one spec's timed compiles, in seconds.
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
}

impl Cost {
    /// Ours / progenitor's, for check and for build.
    pub fn ratios(&self) -> (f64, f64) {
        (
            self.ours_check / self.progenitor_check,
            self.ours_build / self.progenitor_build,
        )
    }
}

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
    let mut times: [Vec<f64>; 4] = Default::default();
    for round in 1..=ROUNDS {
        eprintln!("build-cost {name}: round {round} of {ROUNDS}");
        for (krate, check, build) in [(&ours, 0, 1), (&theirs, 2, 3)] {
            touch(krate)?;
            times[check].push(cargo(root, krate, "check")?);
            touch(krate)?;
            times[build].push(cargo(root, krate, "build")?);
        }
    }
    let [ours_check, ours_build, progenitor_check, progenitor_build] = times.map(median);
    Ok(Cost {
        ours_check,
        ours_build,
        progenitor_check,
        progenitor_build,
    })
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
        let cost = Cost {
            ours_check: 1.0,
            ours_build: 2.0,
            progenitor_check: 4.0,
            progenitor_build: 5.0,
        };
        assert_eq!(cost.ratios(), (0.25, 0.4));
    }
}
