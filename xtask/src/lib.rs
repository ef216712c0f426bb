//! The project's automation, as a library so that tests run exactly what `cargo xtask` runs.
//!
//! `gen` regenerates `generated-client/src/generated/` from `spec/awal.yaml`; `gen --check` writes
//! nothing and fails with a diff when a generated file is stale (as rust-analyzer's `xtask codegen`).
//! Both say which operations and types changed ([`api_diff`]), and report spec problems with the
//! line and column of their JSON pointer (`openapi_client_gen::report`). Files are written by the same
//! rule as every front end's (`openapi_client_gen::sync`), and `gen --check` also checks that the
//! `awal-client` manifest turns on exactly the runtime features the generated code uses.
//!
//! `gen --spec PATH --out DIR` makes a standalone crate from any spec: the same code as the
//! `openapi-client-gen` binary (`openapi_client_gen::cli`). `corpus` generates and `cargo check`s every
//! spec of the real-world corpus ([`corpus`]). `conformance` calls every operation of every corpus spec
//! (and of the Awal spec) through the generated command line against Stoplight Prism
//! ([`conformance`]). `bench` runs the speed measurements and prints one summary ([`mod@bench`]).

#![warn(missing_docs)]

pub mod api_diff;
pub mod bench;
pub mod build_cost;
pub mod conformance;
pub mod corpus;

pub use api_diff::{ApiChange, Change, ItemKind};

use codegen::emit::RUNTIME_PACKAGE;
use openapi_client_gen::report::Style;
use openapi_client_gen::sync::{self, Files, SyncError};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The spec, relative to the project root.
pub const SPEC: &str = "spec/awal.yaml";
/// Where the generated module lives, relative to the project root.
pub const OUT_DIR: &str = "generated-client/src/generated";
/// The command that regenerates; named in headers and hints.
pub const COMMAND: &str = "cargo xtask gen";
/// Most diff lines `--check` prints before it elides the rest.
const MAX_DIFF_LINES: usize = 200;

/// The workspace root (this crate lives in `<root>/xtask`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What happened to each file, and how long it took.
#[derive(Debug)]
pub struct Report {
    /// Operations in the spec.
    pub operations: usize,
    /// Types generated.
    pub types: usize,
    /// Files whose content changed (or that were created).
    pub changed: Vec<String>,
    /// Files already up to date.
    pub unchanged: Vec<String>,
    /// Generated files on disk that the spec no longer produces.
    pub stale: Vec<String>,
    /// The diff of every change, for `--check`.
    pub diff: String,
    /// The operations and types added, changed or removed compared with the files on disk (empty
    /// when nothing changed); see [`api_diff`].
    pub api_changes: Vec<ApiChange>,
    /// Why some API changes could not be listed (a file on disk that is not valid Rust).
    pub api_notes: Vec<String>,
    /// When `generated-client/Cargo.toml` does not turn on exactly the runtime features the generated
    /// code uses: what it should say.
    pub manifest_problem: Option<String>,
    /// Wall-clock milliseconds, generation included.
    pub millis: u128,
}

/// Why `gen` failed.
#[derive(Debug)]
pub enum GenError {
    /// The spec has problems.
    Spec(codegen::Diagnostics),
    /// Reading the spec failed.
    Io(PathBuf, io::Error),
    /// Writing failed, or a file in the output directory is in the way.
    Sync(SyncError),
}

impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenError::Spec(d) => write!(f, "{SPEC} has problems:\n{d}"),
            GenError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            GenError::Sync(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for GenError {}

/// Generates from the spec and compares with the files on disk; writes only when `write` is true.
pub fn gen(root: &Path, write: bool) -> Result<Report, GenError> {
    let start = Instant::now();
    let spec_path = root.join(SPEC);
    let text = fs::read_to_string(&spec_path).map_err(|e| GenError::Io(spec_path.clone(), e))?;
    let options = codegen::Options {
        spec_name: SPEC.to_owned(),
        command: COMMAND.to_owned(),
    };
    let output = codegen::generate(&text, &options).map_err(GenError::Spec)?;
    let mut files = Files::new();
    for file in &output.files {
        files.file(file.path.clone(), file.contents.clone());
    }
    files.managed("");
    let plan = sync::plan(&root.join(OUT_DIR), &files).map_err(GenError::Sync)?;

    let mut report = Report {
        operations: output.operations,
        types: output.types,
        changed: plan.written().map(str::to_owned).collect(),
        unchanged: plan.unchanged.clone(),
        stale: plan.removed().map(str::to_owned).collect(),
        diff: String::new(),
        api_changes: Vec::new(),
        api_notes: Vec::new(),
        manifest_problem: manifest_problem(root, &output.runtime_features),
        millis: 0,
    };
    for change in &plan.changes {
        append_diff(
            &mut report.diff,
            &format!("{OUT_DIR}/{}", change.path),
            change.old.as_deref().unwrap_or(""),
            change.new.as_deref().unwrap_or(""),
        );
    }
    if plan
        .changes
        .iter()
        .any(|c| api_diff::FILES.contains(&c.path.as_str()))
    {
        // (name, on disk, generated) for the files the comparison reads.
        let api_files: Vec<(&str, Option<&str>, &str)> = output
            .files
            .iter()
            .filter(|f| api_diff::FILES.contains(&f.path.as_str()))
            .map(|f| {
                let old = match plan.changes.iter().find(|c| c.path == f.path) {
                    Some(change) => change.old.as_deref(),
                    None => Some(f.contents.as_str()),
                };
                (f.path.as_str(), old, f.contents.as_str())
            })
            .collect();
        compare_api(&mut report, &api_files);
    }
    if write {
        plan.apply().map_err(GenError::Sync)?;
    }
    report.millis = start.elapsed().as_millis();
    Ok(report)
}

/// The manifest of the Awal client.
pub const MANIFEST: &str = "generated-client/Cargo.toml";

/// `None` when `generated-client/Cargo.toml` turns on exactly `features` of the runtime; otherwise what
/// is wrong and the line it should have.
fn manifest_problem(root: &Path, features: &[&str]) -> Option<String> {
    let expected = format!(
        "features = [{}]",
        features
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let text = match fs::read_to_string(root.join(MANIFEST)) {
        Ok(text) => text,
        Err(e) => return Some(format!("{MANIFEST}: {e}")),
    };
    let found = text.parse::<toml_edit::DocumentMut>().ok().and_then(|doc| {
        let dependency = doc.get("dependencies")?.get(RUNTIME_PACKAGE)?;
        let list = dependency.get("features")?.as_array()?;
        Some(
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect::<Vec<_>>(),
        )
    });
    let features_problem = match found {
        Some(mut listed) => {
            listed.sort();
            (listed != features).then(|| {
                format!(
                    "{MANIFEST} turns on the runtime features {listed:?}, but the generated code uses {features:?}: give its `{RUNTIME_PACKAGE}` dependency `{expected}`"
                )
            })
        }
        None => Some(format!(
            "{MANIFEST} has no `{RUNTIME_PACKAGE}` dependency with a `features` list: give it `{expected}`"
        )),
    };
    features_problem.or_else(|| cli_feature_problem(&text))
}

/// `None` when the manifest's `cli` feature turns on what the generated `cli.rs` needs: `full-serde`
/// and the runtime's `cli`.
fn cli_feature_problem(manifest: &str) -> Option<String> {
    use codegen::emit::{CLI, FULL_SERDE};
    let needed = [FULL_SERDE.to_owned(), format!("{RUNTIME_PACKAGE}/{CLI}")];
    let listed: Vec<String> = manifest
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|doc| {
            let list = doc.get("features")?.get(CLI)?.as_array()?;
            Some(
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            )
        })
        .unwrap_or_default();
    (!needed.iter().all(|n| listed.contains(n))).then(|| {
        format!(
            "{MANIFEST}'s feature `{CLI}` must turn on {needed:?} (the generated `cli.rs` reads request types from JSON and runs the runtime's command line): `{CLI} = [\"{}\", \"{}\"]`",
            needed[0], needed[1]
        )
    })
}

/// Fills in the report's API changes from the generated files, old and new.
fn compare_api(report: &mut Report, files: &[(&str, Option<&str>, &str)]) {
    let old = api_diff::Api::parse(
        files
            .iter()
            .map(|(name, old, _)| (*name, old.unwrap_or(""))),
    );
    let new = api_diff::Api::parse(files.iter().map(|(name, _, new)| (*name, *new)));
    match (old, new) {
        (Ok(old), Ok(new)) => report.api_changes = api_diff::diff(&old, &new),
        (Err(e), _) => report.api_notes.push(format!(
            "{OUT_DIR}/{} on disk is not valid Rust ({}), so the operations and types that changed are not listed",
            e.file, e.message
        )),
        (_, Err(e)) => report.api_notes.push(format!(
            "the generated {e}: a generator bug; the operations and types that changed are not listed"
        )),
    }
}

fn append_diff(out: &mut String, name: &str, old: &str, new: &str) {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(MAX_DIFF_LINES) {
        let _ = writeln!(out, "{line}");
    }
    if lines.len() > MAX_DIFF_LINES {
        let _ = writeln!(
            out,
            "... {} more diff lines for {name}",
            lines.len() - MAX_DIFF_LINES
        );
    }
}

impl Report {
    /// True when every file was already up to date.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.stale.is_empty() && self.manifest_problem.is_none()
    }

    /// The one-line summary `gen` prints.
    pub fn summary(&self, wrote: bool) -> String {
        let verb = if wrote { "written" } else { "stale" };
        let mut line = format!(
            "{} operations, {} types: {} files {verb}, {} unchanged",
            self.operations,
            self.types,
            self.changed.len(),
            self.unchanged.len()
        );
        if !self.stale.is_empty() {
            let removed = if wrote { "removed" } else { "to remove" };
            line.push_str(&format!(", {} {removed}", self.stale.len()));
        }
        line.push_str(&format!(" ({} ms)", self.millis));
        line
    }

    /// The operations and types that changed, one indented line each (`  + operation foo`), then
    /// any notes; empty when nothing changed. What `gen` prints after [`Report::summary`].
    pub fn api_summary(&self, style: Style) -> String {
        let mut out = api_diff::render_changes(&self.api_changes, style);
        for note in &self.api_notes {
            let _ = writeln!(out, "  note: {note}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codegen::render::HEADER_MARKER;

    /// A scratch project root holding a copy of the real spec.
    fn scratch(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("spec")).expect("scratch dir");
        fs::create_dir_all(root.join("generated-client")).expect("scratch dir");
        fs::copy(project_root().join(SPEC), root.join(SPEC)).expect("copy spec");
        fs::copy(project_root().join(MANIFEST), root.join(MANIFEST)).expect("copy manifest");
        root
    }

    #[test]
    fn gen_writes_then_finds_everything_unchanged() {
        let root = scratch("fresh");
        let first = gen(&root, true).expect("gen");
        assert!(!first.changed.is_empty() && first.unchanged.is_empty());
        let second = gen(&root, true).expect("gen again");
        assert!(second.is_fresh(), "{}", second.diff);
        assert_eq!(second.unchanged.len(), first.changed.len());
        fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn check_reports_a_diff_and_writes_nothing() {
        let root = scratch("check");
        gen(&root, true).expect("gen");
        let types = root.join(OUT_DIR).join("types.rs");
        let edited = fs::read_to_string(&types)
            .expect("types.rs")
            .replace("pub struct Contact {", "pub struct Contact { // edited");
        fs::write(&types, &edited).expect("edit");
        let report = gen(&root, false).expect("check");
        assert_eq!(report.changed, ["types.rs"]);
        assert!(
            report.diff.contains("-pub struct Contact { // edited"),
            "{}",
            report.diff
        );
        assert!(
            report.diff.contains("+pub struct Contact {"),
            "{}",
            report.diff
        );
        assert_eq!(
            fs::read_to_string(&types).expect("types.rs"),
            edited,
            "--check must not write"
        );
        fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn hand_written_files_are_never_overwritten_or_removed() {
        let root = scratch("hand");
        let out = root.join(OUT_DIR);
        fs::create_dir_all(&out).expect("out dir");
        fs::write(out.join("types.rs"), "// my own code\n").expect("write");
        assert!(matches!(
            gen(&root, true),
            Err(GenError::Sync(SyncError::NotGenerated(_)))
        ));
        assert_eq!(
            fs::read_to_string(out.join("types.rs")).expect("kept"),
            "// my own code\n"
        );
        assert!(!out.join("mod.rs").exists(), "nothing written");

        // A hand-written file that is not in the way is left alone.
        fs::remove_file(out.join("types.rs")).expect("remove");
        fs::write(out.join("extra.rs"), "// hand-written helper\n").expect("write");
        let report = gen(&root, true).expect("gen");
        assert!(report.stale.is_empty());
        assert!(out.join("extra.rs").exists());
        fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn generated_files_the_spec_no_longer_makes_are_removed() {
        let root = scratch("stale");
        gen(&root, true).expect("gen");
        let old = root.join(OUT_DIR).join("old.rs");
        fs::write(&old, format!("{HEADER_MARKER} by an older spec\n")).expect("write");
        let check = gen(&root, false).expect("check");
        assert_eq!(check.stale, ["old.rs"]);
        assert!(old.exists(), "--check must not remove");
        gen(&root, true).expect("gen");
        assert!(!old.exists());
        fs::remove_dir_all(&root).ok();
    }

    /// `text` without the line `header` and the lines indented deeper than it that follow.
    fn without_block(text: &str, header: &str) -> String {
        let depth = header.len() - header.trim_start().len();
        let mut out = String::new();
        let mut skipping = false;
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            if line == header {
                skipping = true;
            } else if skipping && !line.trim().is_empty() && indent <= depth {
                skipping = false;
            }
            if !skipping {
                out.push_str(line);
                out.push('\n');
            }
        }
        assert_ne!(out, text, "`{header}` is not in the text");
        out
    }

    #[test]
    fn the_cli_feature_must_turn_on_full_serde_and_the_runtime_cli() {
        let good =
            "[features]\nfull-serde = []\ncli = [\"full-serde\", \"openapi-client-runtime/cli\"]\n";
        assert_eq!(cli_feature_problem(good), None);
        let without_serde = "[features]\ncli = [\"openapi-client-runtime/cli\"]\n";
        assert!(cli_feature_problem(without_serde).is_some_and(|p| p.contains("full-serde")));
        assert!(cli_feature_problem("[features]\nfull-serde = []\n").is_some());
        let manifest = fs::read_to_string(project_root().join(MANIFEST)).expect("the manifest");
        assert_eq!(cli_feature_problem(&manifest), None);
    }

    #[test]
    fn a_fresh_run_lists_no_api_changes() {
        let root = scratch("api-fresh");
        let first = gen(&root, true).expect("gen");
        // Nothing on disk before: everything is new.
        assert_eq!(
            first.api_changes.len(),
            first
                .api_changes
                .iter()
                .filter(|c| c.change == Change::Added)
                .count()
        );
        assert!(first
            .api_changes
            .iter()
            .any(|c| c.kind == ItemKind::Operation && c.name == "create_contact"));
        let second = gen(&root, false).expect("check");
        assert!(second.api_changes.is_empty() && second.api_summary(Style::PLAIN).is_empty());
        fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn a_spec_change_lists_the_operations_and_types_it_changes() {
        let root = scratch("api-change");
        gen(&root, true).expect("gen");
        let spec = fs::read_to_string(root.join(SPEC)).expect("spec");
        // Drop the path /waba-numbers (one operation) and give Contact a new property.
        let mut edited = without_block(&spec, "  /waba-numbers:");
        let email = "        email:\n          type: string\n          nullable: true\n          description: Email address.\n";
        let contact = edited.find("\n    Contact:\n").expect("Contact");
        let at = contact + edited[contact..].find(email).expect("Contact.email");
        edited.insert_str(at, "        nickname:\n          type: string\n          description: What the contact likes to be called.\n");
        fs::write(root.join(SPEC), &edited).expect("write spec");

        let report = gen(&root, false).expect("check");
        let lines = report.api_summary(Style::PLAIN);
        assert!(
            lines.contains("  - operation list_waba_numbers\n"),
            "{lines}"
        );
        assert!(
            lines.contains("  ~ type Contact (fields +nickname"),
            "{lines}"
        );
        fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn a_file_on_disk_that_is_not_rust_gets_a_note_instead_of_api_changes() {
        let root = scratch("api-broken");
        gen(&root, true).expect("gen");
        let types = root.join(OUT_DIR).join("types.rs");
        fs::write(&types, format!("{HEADER_MARKER} but then\npub struct {{\n")).expect("write");
        let report = gen(&root, false).expect("check");
        assert!(report.api_changes.is_empty());
        let summary = report.api_summary(Style::PLAIN);
        assert!(
            summary.starts_with(
                "  note: generated-client/src/generated/types.rs on disk is not valid Rust ("
            ),
            "{summary}"
        );
        fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn the_manifest_must_turn_on_exactly_the_runtime_features_the_code_uses() {
        let root = scratch("features");
        let fresh = gen(&root, true).expect("gen");
        assert_eq!(fresh.manifest_problem, None);
        let manifest = root.join(MANIFEST);
        let text = fs::read_to_string(&manifest).expect("manifest");
        fs::write(&manifest, text.replace("\"pattern\", ", "")).expect("write");
        let report = gen(&root, false).expect("check");
        let problem = report.manifest_problem.clone().expect("a missing feature");
        assert!(
            problem.contains(
                "features = [\"chrono\", \"decimal\", \"multipart\", \"pattern\", \"signing\"]"
            ),
            "{problem}"
        );
        assert!(!report.is_fresh());
        fs::remove_dir_all(&root).ok();
    }

    #[test]
    fn a_bad_spec_writes_nothing() {
        let root = scratch("bad");
        fs::write(root.join(SPEC), "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n").expect("write");
        match gen(&root, true) {
            Err(GenError::Spec(d)) => assert_eq!(d.0[0].pointer, "#/paths/~1a/get/responses"),
            other => panic!("expected spec diagnostics, got {other:?}"),
        }
        assert!(!root.join(OUT_DIR).exists());
        fs::remove_dir_all(&root).ok();
    }
}
