//! A complete crate for any OpenAPI spec: `openapi-client-gen gen --spec PATH --out DIR` (and
//! `cargo xtask gen --spec`, which runs this same code).
//!
//! The crate is only generated files: `Cargo.toml`, `src/lib.rs` and `src/main.rs` (the command line,
//! feature `cli`) from [`codegen::standalone`], and
//! `src/generated/` from the same pipeline as every client. It depends on the runtime crate: by default
//! by path, on `runtime/` of the repository this generator was built from; with `--vendor-runtime`, on a
//! copy of the runtime crate written unchanged into `DIR/vendor/openapi-client-runtime/`, so the crate
//! builds anywhere. Files are written by [`crate::sync`]: nothing when the spec has errors or a
//! hand-written file is in the way.

use crate::runtime;
use crate::sync::{self, Files, SyncError};
use codegen::Diagnostic;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The command named in the generated headers. `cargo xtask gen --spec` writes the same: the output
/// does not depend on the front end.
pub const COMMAND: &str = "openapi-client-gen";

/// Where `--vendor-runtime` puts the runtime crate, relative to the generated crate.
pub const VENDOR_DIR: &str = "vendor/openapi-client-runtime";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The spec file.
    pub spec: &'a Path,
    /// The crate's directory.
    pub out: &'a Path,
    /// The package name; `None`: from the spec's title.
    pub name: Option<&'a str>,
    /// Copy the runtime crate into the output instead of depending on it by path.
    pub vendor_runtime: bool,
}

/// What a standalone generation did.
#[derive(Debug)]
pub struct Report {
    /// The package name.
    pub name: String,
    /// Operations in the spec.
    pub operations: usize,
    /// Types generated.
    pub types: usize,
    /// Files written (created or changed), relative to the crate directory.
    pub written: Vec<String>,
    /// Files already up to date.
    pub unchanged: Vec<String>,
    /// Generated files removed because the crate no longer has them.
    pub removed: Vec<String>,
    /// What the generator worked around.
    pub warnings: Vec<Diagnostic>,
    /// The runtime features the crate turns on.
    pub runtime_features: Vec<&'static str>,
    /// Lines of `src/generated/`.
    pub generated_lines: usize,
    /// Milliseconds spent generating (spec text to files in memory).
    pub generate_millis: u128,
    /// Milliseconds in all, writing included.
    pub millis: u128,
}

/// Why a standalone generation failed.
#[derive(Debug)]
pub enum Error {
    /// The spec has problems (errors; warnings too, when there are errors).
    Spec(codegen::Diagnostics),
    /// Reading the spec, or writing, failed; or a hand-written file is in the way.
    Sync(SyncError),
    /// `--name` is not a valid package name.
    BadName(String),
    /// The runtime crate is no longer where the generator was built from, and `--vendor-runtime` was
    /// not given.
    RuntimeMissing(PathBuf),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(d) => write!(f, "the spec has problems:\n{d}"),
            Error::Sync(e) => write!(f, "{e}"),
            Error::BadName(name) => write!(
                f,
                "`{name}` is not a valid package name: use ASCII letters, digits, `-` and `_`, starting with a letter"
            ),
            Error::RuntimeMissing(dir) => write!(
                f,
                "the runtime crate this generator was built with is no longer at {}, so a crate depending on it by path would not build; nothing was written\n  = hint: pass --vendor-runtime to copy the runtime into the crate",
                dir.display()
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<SyncError> for Error {
    fn from(e: SyncError) -> Self {
        Error::Sync(e)
    }
}

/// Generates the crate described by `request`.
pub fn generate(request: &Request<'_>) -> Result<Report, Error> {
    let start = Instant::now();
    if let Some(name) = request.name {
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(Error::BadName(name.to_owned()));
        }
    }
    let text = fs::read_to_string(request.spec)
        .map_err(|e| SyncError::Io(request.spec.to_path_buf(), e))?;
    let runtime_path = if request.vendor_runtime {
        VENDOR_DIR.to_owned()
    } else {
        let dir = runtime::source_dir();
        if !dir.join("Cargo.toml").is_file() {
            return Err(Error::RuntimeMissing(dir.to_path_buf()));
        }
        dir.display().to_string()
    };

    let gen_start = Instant::now();
    let spec_name = request.spec.display().to_string();
    let options = codegen::Options {
        spec_name,
        command: COMMAND.to_owned(),
    };
    let krate = codegen::standalone::CrateOptions {
        name: request.name.map(str::to_owned),
        runtime: codegen::standalone::RuntimeDependency {
            version: runtime::VERSION.to_owned(),
            path: Some(runtime_path),
        },
        edition: runtime::EDITION.to_owned(),
        rust_version: Some(runtime::RUST_VERSION.to_owned()),
    };
    let made = codegen::standalone::generate_crate(&text, &options, &krate).map_err(Error::Spec)?;
    let generate_millis = gen_start.elapsed().as_millis();

    let mut files = Files::new();
    files
        .file("Cargo.toml", made.cargo_toml)
        .file("src/lib.rs", made.lib_rs)
        .file("src/main.rs", made.main_rs)
        .managed("src");
    let mut generated_lines = 0;
    for file in &made.output.files {
        generated_lines += file.contents.lines().count();
        files.file(
            format!("src/generated/{}", file.path),
            file.contents.clone(),
        );
    }
    if request.vendor_runtime {
        for (path, text) in runtime::files() {
            files.file(format!("{VENDOR_DIR}/{path}"), *text);
        }
        files.vendored(VENDOR_DIR);
    }
    let plan = sync::plan(request.out, &files)?;
    plan.apply()?;
    Ok(Report {
        name: made.name,
        operations: made.output.operations,
        types: made.output.types,
        written: plan.written().map(str::to_owned).collect(),
        unchanged: plan.unchanged.clone(),
        removed: plan.removed().map(str::to_owned).collect(),
        warnings: made.output.warnings,
        runtime_features: made.output.runtime_features,
        generated_lines,
        generate_millis,
        millis: start.elapsed().as_millis(),
    })
}

impl Report {
    /// The one-line summary: `12 operations, 30 types: crate `petstore`, 5 files written, 0 unchanged;
    /// 900 lines generated (9 ms)`.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} operations, {} types: crate `{}`, {} files written, {} unchanged",
            self.operations,
            self.types,
            self.name,
            self.written.len(),
            self.unchanged.len()
        );
        if !self.removed.is_empty() {
            line.push_str(&format!(", {} removed", self.removed.len()));
        }
        line.push_str(&format!(
            "; {} lines generated ({} ms)",
            self.generated_lines, self.millis
        ));
        line
    }
}

/// Whether `err` is a missing file (for messages that want to say so).
pub fn is_not_found(err: &Error) -> bool {
    matches!(err, Error::Sync(SyncError::Io(_, e)) if e.kind() == io::ErrorKind::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("gen-standalone-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures")
            .join(name)
    }

    #[test]
    fn a_crate_is_only_generated_files_and_a_second_run_changes_nothing() {
        let out = scratch("good");
        let spec = fixture("security.yaml");
        let request = Request {
            spec: &spec,
            out: &out,
            name: None,
            vendor_runtime: false,
        };
        let report = generate(&request).expect("generates");
        assert_eq!(report.name, "security-schemes-fixture");
        let mut written = report.written.clone();
        written.sort();
        assert_eq!(
            written,
            [
                "Cargo.toml",
                "src/generated/checks.rs",
                "src/generated/cli.rs",
                "src/generated/client.rs",
                "src/generated/mod.rs",
                "src/generated/operations.rs",
                "src/generated/security.rs",
                "src/generated/types.rs",
                "src/lib.rs",
                "src/main.rs",
            ]
        );
        let cargo = fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
        assert!(cargo.starts_with("# @generated"), "{cargo}");
        assert!(cargo.contains(&format!(
            "openapi-client-runtime = {{ version = \"{}\", path = \"{}\"",
            runtime::VERSION,
            runtime::source_dir().display()
        )));
        assert!(cargo.contains("\n[workspace]\n"), "{cargo}");

        let again = generate(&request).expect("generates again");
        assert!(again.written.is_empty(), "{:?}", again.written);
        assert_eq!(again.unchanged.len(), report.written.len());
        fs::remove_dir_all(&out).ok();
    }

    #[test]
    fn vendoring_copies_the_runtime_unchanged_and_points_the_dependency_at_it() {
        let out = scratch("vendor");
        let spec = fixture("security.yaml");
        let report = generate(&Request {
            spec: &spec,
            out: &out,
            name: Some("vendored"),
            vendor_runtime: true,
        })
        .expect("generates");
        assert!(report
            .written
            .iter()
            .any(|p| p == "vendor/openapi-client-runtime/src/lib.rs"));
        for (path, text) in runtime::files() {
            let copy = fs::read_to_string(out.join(VENDOR_DIR).join(path)).expect("copied");
            assert_eq!(copy, *text, "{path}");
        }
        let cargo = fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
        assert!(
            cargo.contains("path = \"vendor/openapi-client-runtime\""),
            "{cargo}"
        );
        fs::remove_dir_all(&out).ok();
    }

    #[test]
    fn a_bad_spec_or_name_writes_nothing_and_a_hand_written_file_is_never_overwritten() {
        let out = scratch("bad");
        let dir = scratch("bad-spec");
        let spec = dir.join("bad.json");
        fs::write(&spec, r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": 7}}}}"#).expect("write");
        let request = Request {
            spec: &spec,
            out: &out,
            name: Some("bad"),
            vendor_runtime: false,
        };
        match generate(&request) {
            Err(Error::Spec(d)) => assert_eq!(d.0[0].pointer, "#/paths/~1a/get/responses"),
            other => panic!("expected spec diagnostics, got {other:?}"),
        }
        assert_eq!(
            fs::read_dir(&out).expect("out").count(),
            0,
            "nothing written"
        );

        let good = fixture("security.yaml");
        fs::create_dir_all(out.join("src")).expect("src");
        fs::write(out.join("src/lib.rs"), "// my own lib\n").expect("write");
        let request = Request {
            spec: &good,
            out: &out,
            name: Some("mine"),
            vendor_runtime: false,
        };
        assert!(matches!(
            generate(&request),
            Err(Error::Sync(SyncError::NotGenerated(_)))
        ));
        assert!(
            !out.join("Cargo.toml").exists(),
            "nothing written before the refusal"
        );
        assert!(matches!(
            generate(&Request {
                name: Some("1bad name"),
                ..request
            }),
            Err(Error::BadName(_))
        ));
        let missing = dir.join("missing.yaml");
        let missing_spec = generate(&Request {
            spec: &missing,
            ..request
        })
        .expect_err("no spec");
        assert!(is_not_found(&missing_spec), "{missing_spec}");
        fs::remove_dir_all(&out).ok();
        fs::remove_dir_all(&dir).ok();
    }
}
