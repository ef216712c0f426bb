//! Reading back what criterion measured in this run, for the one-line results `cargo xtask bench` collects.
//!
//! Criterion keeps its estimates in `<criterion dir>/<group>/<function>/new/estimates.json`; the figure it
//! prints as a benchmark's time is the slope when there is one (linear sampling), else the mean. A file older
//! than this process is a previous run's (the benchmark was filtered out), and is not read.
//!
//! Each result is printed as one line `bench-summary <key>=<value>` on stdout.

// Each bench that includes this file uses a different part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::SystemTime;

/// When this process started (as near as the first call): older estimates are stale.
fn started() -> SystemTime {
    static STARTED: OnceLock<SystemTime> = OnceLock::new();
    *STARTED.get_or_init(SystemTime::now)
}

/// Marks the start of the run; call it before criterion runs.
pub fn start() {
    started();
}

/// Where criterion writes, found as criterion finds it: `CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`,
/// else the workspace's `target/criterion` (this workspace configures no other target directory).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("criterion")
}

/// The time criterion reported for `group/function` in this run, in seconds.
pub fn seconds(group: &str, function: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < started() {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    let point = |name: &str| estimates.get(name)?.get("point_estimate")?.as_f64();
    point("slope").or_else(|| point("mean")).map(|ns| ns / 1e9)
}

/// Prints one result line for `cargo xtask bench`.
pub fn print(key: &str, value: impl std::fmt::Display) {
    println!("bench-summary {key}={value}");
}
