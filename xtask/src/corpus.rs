//! `cargo xtask corpus [--filter S[,S...]]`: every spec of the real-world corpus (`../shared/corpus/`,
//! listed in its `INDEX.tsv`) generated as a standalone crate under `target/corpus/<spec-stem>/` and
//! `cargo check`ed, one line per spec, then `N passed, M failed`.
//!
//! A spec passes when it generates and its crate compiles with no warnings. All crates share one target
//! directory (`target/corpus-target`) and a copy of the workspace's `Cargo.lock`, so they resolve the
//! same dependency versions as the workspace and those are built once. `cargo check` runs `--offline`
//! while every dependency is already downloaded, and online from the first check that needs a download
//! on (or from the start when `XTASK_CORPUS_ONLINE` is set). One spec's failure (a spec
//! error, a panic in the generator, a compile error) never stops the run.

use openapi_client_gen::standalone;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

/// The corpus, relative to the project root.
pub const CORPUS: &str = "../shared/corpus";
/// Where the crates are generated, relative to the project root.
pub const SCRATCH: &str = "target/corpus";
/// The target directory all corpus crates share, relative to the project root.
pub const TARGET: &str = "target/corpus-target";

/// The corpus specs whose file name contains one of `filters` (all when empty), in `INDEX.tsv` order.
pub fn specs(corpus: &Path, filters: &[String]) -> Result<Vec<String>, String> {
    let index = corpus.join("INDEX.tsv");
    let text = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .map(str::trim)
        .filter(|file| !file.is_empty())
        .filter(|file| filters.is_empty() || filters.iter().any(|f| file.contains(f.as_str())))
        .map(str::to_owned)
        .collect())
}

/// How one spec fared.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The spec's file name.
    pub spec: String,
    /// Whether a crate was generated; `None`: the generator panicked.
    pub generated: Option<bool>,
    /// Whether the crate compiled; `None`: not checked.
    pub compiled: Option<bool>,
    /// rustc warnings in the generated crate.
    pub warnings: Option<usize>,
    /// Generator warnings (worked-around constructs).
    pub gen_warnings: usize,
    /// Generation time.
    pub gen_ms: Option<u128>,
    /// `cargo check` time.
    pub check_s: Option<f64>,
    /// Lines of generated code.
    pub lines: Option<usize>,
    /// The first diagnostic, panic or compiler error.
    pub note: String,
}

impl Row {
    /// Generated and compiled with no warnings.
    pub fn passed(&self) -> bool {
        self.generated == Some(true) && self.compiled == Some(true) && self.warnings == Some(0)
    }

    /// One aligned line; `width` is the spec column's.
    pub fn line(&self, width: usize) -> String {
        let dash = || "-".to_owned();
        let generated = match self.generated {
            Some(true) => "ok",
            Some(false) => "FAIL",
            None => "PANIC",
        };
        let compiled = match self.compiled {
            Some(true) => "ok",
            Some(false) => "FAIL",
            None => "-",
        };
        let mut line = format!(
            "{:<width$}  {:<5} {:<5} {:>5} {:>7} {:>8} {:>7}",
            self.spec,
            generated,
            compiled,
            self.warnings.map_or_else(dash, |w| w.to_string()),
            self.gen_ms.map_or_else(dash, |ms| ms.to_string()),
            self.check_s.map_or_else(dash, |s| format!("{s:.1}")),
            self.lines.map_or_else(dash, |l| l.to_string()),
        );
        let _ = write!(line, " {:>6}", self.gen_warnings);
        if !self.note.is_empty() {
            let _ = write!(line, "  {}", self.note);
        }
        line
    }
}

/// The column headers matching [`Row::line`].
pub fn header(width: usize) -> String {
    format!(
        "{:<width$}  {:<5} {:<5} {:>5} {:>7} {:>8} {:>7} {:>6}  first problem",
        "spec", "gen", "check", "warn", "gen ms", "check s", "lines", "gen-w"
    )
}

/// Runs the corpus (or the specs `filters` select), printing each line as it is known; returns the
/// rows.
pub fn run(root: &Path, filters: &[String]) -> Result<Vec<Row>, String> {
    let corpus = root.join(CORPUS);
    let specs = specs(&corpus, filters)?;
    if specs.is_empty() {
        return Err(format!(
            "no spec in {} matches {filters:?}",
            corpus.join("INDEX.tsv").display()
        ));
    }
    let width = specs.iter().map(String::len).max().unwrap_or(4).max(4);
    println!("{}", header(width));
    let mut checker = Checker::new(root);
    let mut rows = Vec::new();
    for spec in &specs {
        let row = run_one(root, &corpus, spec, &mut checker);
        println!("{}", row.line(width));
        let _ = std::io::stdout().flush();
        rows.push(row);
    }
    Ok(rows)
}

/// Where the last panic's message is kept while the generator runs under `catch_unwind`.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

fn run_one(root: &Path, corpus: &Path, spec: &str, checker: &mut Checker) -> Row {
    let mut row = Row {
        spec: spec.to_owned(),
        ..Row::default()
    };
    let stem = spec.rsplit_once('.').map_or(spec, |(stem, _)| stem);
    let start = Instant::now();
    match generate(root, &corpus.join(spec), stem) {
        Generated::Panicked(message) => {
            row.gen_ms = Some(start.elapsed().as_millis());
            row.note = format!("generator panicked: {message}");
        }
        Generated::Refused(diagnostics) => {
            row.generated = Some(false);
            row.gen_ms = Some(start.elapsed().as_millis());
            if let Some(d) = diagnostics
                .0
                .iter()
                .find(|d| d.severity == codegen::Severity::Error)
            {
                row.note = format!("{} {}", d.pointer, d.message);
            }
        }
        Generated::Failed(message) => {
            row.generated = Some(false);
            row.note = message;
        }
        Generated::Crate { dir, report, .. } => {
            row.generated = Some(true);
            row.gen_ms = Some(report.generate_millis);
            row.lines = Some(report.generated_lines);
            row.gen_warnings = report.warnings.len();
            let check = checker.check(&dir);
            row.compiled = Some(check.success);
            row.warnings = Some(check.warnings);
            row.check_s = Some(check.seconds);
            row.note = check.first_problem.unwrap_or_default();
        }
    }
    row.note = shorten(&row.note, 240);
    row
}

/// What generating a spec's crate came to.
pub(crate) enum Generated {
    /// The crate, in `dir`.
    Crate {
        /// Its directory.
        dir: PathBuf,
        /// What generation did (boxed: it is much larger than the other variants).
        report: Box<standalone::Report>,
    },
    /// The spec has errors.
    Refused(codegen::Diagnostics),
    /// Reading or writing failed.
    Failed(String),
    /// The generator panicked (a bug): the panic's message.
    Panicked(String),
}

/// Generates the crate of `spec_path` into `target/corpus/<stem>/`, as package `corpus-<stem>`. A panic
/// of the generator is caught and returned: it is that spec's result, not the run's end.
pub(crate) fn generate(root: &Path, spec_path: &Path, stem: &str) -> Generated {
    let out = root.join(SCRATCH).join(stem);
    let name = package_name(stem);
    let request = standalone::Request {
        spec: spec_path,
        out: &out,
        name: Some(&name),
        vendor_runtime: false,
    };
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = PANIC.lock() {
            *last = Some(info.to_string().replace('\n', " "));
        }
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(|| standalone::generate(&request)));
    panic::set_hook(hook);
    match result {
        Err(_) => {
            let message = PANIC.lock().ok().and_then(|mut m| m.take());
            Generated::Panicked(message.unwrap_or_else(|| "(no message)".to_owned()))
        }
        Ok(Err(standalone::Error::Spec(diagnostics))) => Generated::Refused(diagnostics),
        Ok(Err(e)) => Generated::Failed(e.to_string().replace('\n', " ")),
        Ok(Ok(report)) => Generated::Crate {
            dir: out,
            report: Box::new(report),
        },
    }
}

/// A package name from a spec's file stem: `ag-aws-s3` → `corpus-ag-aws-s3`.
pub(crate) fn package_name(stem: &str) -> String {
    let words: Vec<String> = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("corpus-{}", words.join("-"))
}

pub(crate) fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// What `cargo check` said about one crate.
#[derive(Debug, Clone)]
pub struct Check {
    /// It compiled.
    pub success: bool,
    /// Warnings in the crate itself.
    pub warnings: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The first error (or, when it compiled, the first warning), with its file and line.
    pub first_problem: Option<String>,
    /// The executables built (`cargo build` of a crate with a binary).
    pub executables: Vec<PathBuf>,
}

/// Runs `cargo check` (or `cargo build`) on generated crates, sharing one target dir and the
/// workspace's lock file.
pub(crate) struct Checker {
    target: PathBuf,
    lock: PathBuf,
    /// Offline until a check shows that something must be downloaded.
    offline: bool,
}

impl Checker {
    pub(crate) fn new(root: &Path) -> Self {
        Checker {
            target: root.join(TARGET),
            lock: root.join("Cargo.lock"),
            offline: std::env::var_os("XTASK_CORPUS_ONLINE").is_none(),
        }
    }

    fn check(&mut self, dir: &Path) -> Check {
        let mut result = self.run(dir, "check", None);
        if !result.success {
            return result;
        }
        // The impls behind the `full-serde` feature and the command line are compiled only with their
        // features: check them too (`cli` turns on `full-serde`). The time reported stays the default
        // build's.
        if result.warnings == 0 {
            let full = self.cargo(dir, "check", Instant::now(), Some(codegen::emit::CLI));
            result.success = full.success;
            result.warnings = full.warnings;
            result.first_problem = full
                .first_problem
                .map(|problem| format!("with --features cli: {problem}"));
        }
        result
    }

    /// `cargo <subcommand>` (`check` or `build`) with `features`, on a fresh copy of the workspace's lock
    /// file; offline while that works, online from the first run that needs a download on.
    pub(crate) fn run(&mut self, dir: &Path, subcommand: &str, features: Option<&str>) -> Check {
        let start = Instant::now();
        // Fresh each time: the same versions as the workspace, whatever an earlier run left.
        if let Err(e) = std::fs::copy(&self.lock, dir.join("Cargo.lock")) {
            return failed(start, format!("copying Cargo.lock: {e}"));
        }
        let mut result = self.cargo(dir, subcommand, start, features);
        if !result.success
            && self.offline
            && result.first_problem.as_deref().is_some_and(needs_network)
        {
            self.offline = false;
            result = self.cargo(dir, subcommand, Instant::now(), features);
        }
        result
    }

    fn cargo(&self, dir: &Path, subcommand: &str, start: Instant, features: Option<&str>) -> Check {
        let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        command
            .arg(subcommand)
            .args(features.map(|features| format!("--features={features}")))
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target)
            .env("CARGO_TERM_COLOR", "never")
            // The workspace's own flags (clippy's, for instance) are not the generated crate's.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        if subcommand == "build" {
            // Binaries to run once, not to debug: without debug info and incremental caches they
            // take a fraction of the disk (a large spec's binary has hundreds of MB of debug info).
            command
                .env("CARGO_PROFILE_DEV_DEBUG", "false")
                .env("CARGO_INCREMENTAL", "0");
        }
        if self.offline {
            command.arg("--offline");
        }
        let output = match command.output() {
            Ok(output) => output,
            Err(e) => return failed(start, format!("running cargo: {e}")),
        };
        let seconds = start.elapsed().as_secs_f64();
        let mut warnings = 0;
        let mut executables = Vec::new();
        let mut first_error = None;
        let mut first_warning = None;
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(message) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let Some(executable) = message["executable"].as_str() {
                executables.push(PathBuf::from(executable));
            }
            if message["reason"] != "compiler-message" {
                continue;
            }
            let m = &message["message"];
            let text = m["message"].as_str().unwrap_or_default();
            // rustc's summaries ("3 warnings emitted", "aborting due to ...") are not problems.
            if text.ends_with("emitted") || text.starts_with("aborting due to") {
                continue;
            }
            let place = m["spans"]
                .as_array()
                .and_then(|spans| spans.first())
                .map(|s| {
                    format!(
                        " at {}:{}",
                        s["file_name"].as_str().unwrap_or("?"),
                        s["line_start"]
                    )
                })
                .unwrap_or_default();
            match m["level"].as_str() {
                Some("warning") => {
                    warnings += 1;
                    first_warning.get_or_insert_with(|| format!("warning: {text}{place}"));
                }
                Some("error") => {
                    first_error.get_or_insert_with(|| format!("error: {text}{place}"));
                }
                _ => {}
            }
        }
        let success = output.status.success();
        let first_problem = if success {
            first_warning
        } else {
            first_error.or_else(|| {
                // Cargo itself failed (resolution, download): its last words on stderr.
                let stderr = String::from_utf8_lossy(&output.stderr);
                let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
                Some(lines[lines.len().saturating_sub(3)..].join(" | "))
            })
        };
        Check {
            success,
            warnings,
            seconds,
            first_problem,
            executables,
        }
    }
}

fn failed(start: Instant, message: String) -> Check {
    Check {
        success: false,
        warnings: 0,
        seconds: start.elapsed().as_secs_f64(),
        first_problem: Some(message),
        executables: Vec::new(),
    }
}

/// Cargo's way of saying that `--offline` was not enough.
fn needs_network(message: &str) -> bool {
    message.contains("offline") || message.contains("download")
}

/// `N passed, M failed`.
pub fn summary(rows: &[Row]) -> String {
    let passed = rows.iter().filter(|r| r.passed()).count();
    format!("{passed} passed, {} failed", rows.len() - passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_select_by_file_name_in_index_order() {
        let dir = std::env::temp_dir().join(format!("xtask-corpus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            dir.join("INDEX.tsv"),
            "file\tsource\nb-pets.yaml\tx\na-store.json\ty\nc-pets-2.yaml\tz\n",
        )
        .expect("index");
        assert_eq!(specs(&dir, &[]).expect("all").len(), 3);
        assert_eq!(
            specs(&dir, &["pets".to_owned()]).expect("pets"),
            ["b-pets.yaml", "c-pets-2.yaml"]
        );
        assert_eq!(
            specs(&dir, &["store".to_owned(), "c-".to_owned()]).expect("two"),
            ["a-store.json", "c-pets-2.yaml"]
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn rows_pass_only_when_generated_and_compiled_without_warnings() {
        let ok = Row {
            spec: "a.yaml".into(),
            generated: Some(true),
            compiled: Some(true),
            warnings: Some(0),
            ..Row::default()
        };
        let warned = Row {
            warnings: Some(2),
            ..ok.clone()
        };
        let panicked = Row {
            spec: "b.yaml".into(),
            note: "generator panicked: boom".into(),
            ..Row::default()
        };
        assert!(ok.passed() && !warned.passed() && !panicked.passed());
        assert_eq!(
            summary(&[ok, warned, panicked.clone()]),
            "1 passed, 2 failed"
        );
        assert!(panicked.line(6).starts_with("b.yaml  PANIC -"));
        assert_eq!(package_name("ag-aws-s3"), "corpus-ag-aws-s3");
        assert_eq!(
            package_name("prog-api.github.com"),
            "corpus-prog-api-github-com"
        );
    }
}
