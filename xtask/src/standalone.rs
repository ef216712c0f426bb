//! `cargo xtask gen --spec PATH --out DIR [--name CRATE]`: a complete crate for any OpenAPI 3.0.x spec.
//!
//! `DIR/Cargo.toml` and `DIR/src/lib.rs` come from [`codegen::standalone`], `DIR/src/generated/` from the
//! same pipeline as the Awal client, and the rest of `DIR/src/` is the runtime copied by [`runtime`]
//! (its dependencies resolved by [`manifest`]). Safety as for `gen`: nothing is written when the spec
//! has errors; every file is written atomically; a file that lacks the generated header is never
//! overwritten (checked for all files before the first is written), and generated files the crate no
//! longer has are removed.

use crate::{manifest, runtime};
use codegen::render::HEADER_MARKER;
use codegen::Diagnostic;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The command named in the generated headers.
pub const COMMAND: &str = "cargo xtask gen --spec";
/// The first line of a generated `Cargo.toml` starts with this.
pub const TOML_MARKER: &str = "# @generated";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The spec file.
    pub spec: &'a Path,
    /// The crate's directory.
    pub out: &'a Path,
    /// The package name; `None`: from the spec's title.
    pub name: Option<&'a str>,
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
    /// Reading or writing a file failed.
    Io(PathBuf, io::Error),
    /// A file in the way lacks the generated header: somebody's hand-written work.
    NotGenerated(PathBuf),
    /// The runtime or the manifests could not be read: a project bug, not a spec problem.
    Project(String),
    /// `--name` is not a valid package name.
    BadName(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(d) => write!(f, "the spec has problems:\n{d}"),
            Error::Io(path, e) => write!(f, "{}: {e}", path.display()),
            Error::NotGenerated(path) => write!(
                f,
                "{} does not start with `{HEADER_MARKER}` (`{TOML_MARKER}` for Cargo.toml): it was not made by the generator, so nothing was written.\n  hint: choose another --out directory, or move the file away",
                path.display()
            ),
            Error::Project(message) => write!(f, "{message}"),
            Error::BadName(name) => write!(
                f,
                "`{name}` is not a valid package name: use ASCII letters, digits, `-` and `_`, starting with a letter"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Generates the crate described by `request`, the runtime and manifests taken from the project at
/// `root`.
pub fn generate(root: &Path, request: &Request<'_>) -> Result<Report, Error> {
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
    let text =
        fs::read_to_string(request.spec).map_err(|e| Error::Io(request.spec.to_path_buf(), e))?;
    let runtime = runtime::read(root).map_err(Error::Project)?;
    let manifest = manifest::read(root).map_err(Error::Project)?;

    let gen_start = Instant::now();
    let spec_name = request.spec.display().to_string();
    let options = codegen::Options {
        spec_name: spec_name.clone(),
        command: COMMAND.to_owned(),
    };
    let krate = codegen::standalone::CrateOptions {
        name: request.name.map(str::to_owned),
        runtime_items: runtime.items.clone(),
        dependencies: manifest.dependencies.clone(),
        edition: manifest.edition.clone(),
        rust_version: manifest.rust_version.clone(),
    };
    let made = codegen::standalone::generate_crate(&text, &options, &krate).map_err(Error::Spec)?;
    let generate_millis = gen_start.elapsed().as_millis();

    let header = codegen::render::header(COMMAND, &spec_name);
    let lib = made.name.replace('-', "_");
    let mut files: Vec<(String, String)> = vec![
        ("Cargo.toml".to_owned(), made.cargo_toml),
        ("src/lib.rs".to_owned(), made.lib_rs),
    ];
    for (name, text) in &runtime.files {
        let copy = runtime::standalone_copy(name, text, &lib, &header).map_err(Error::Project)?;
        files.push((format!("src/{name}"), copy));
    }
    let mut generated_lines = 0;
    for file in &made.output.files {
        generated_lines += file.contents.lines().count();
        files.push((
            format!("src/generated/{}", file.path),
            file.contents.clone(),
        ));
    }

    // Every check before the first write, so a refusal leaves the directory as it was.
    let mut pending = Vec::new();
    let mut unchanged = Vec::new();
    for (rel, contents) in &files {
        let path = request.out.join(rel);
        match fs::read_to_string(&path) {
            Ok(current) if current == *contents => unchanged.push(rel.clone()),
            Ok(current) if !is_generated(rel, &current) => return Err(Error::NotGenerated(path)),
            Ok(_) => pending.push((rel, path, contents)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => pending.push((rel, path, contents)),
            Err(e) => return Err(Error::Io(path, e)),
        }
    }
    let mut stale = Vec::new();
    find_stale(&request.out.join("src"), request.out, &files, &mut stale)?;

    let mut written = Vec::new();
    for (rel, path, contents) in pending {
        crate::write_atomically(&path, contents).map_err(|(p, e)| Error::Io(p, e))?;
        written.push(rel.clone());
    }
    let mut removed = Vec::new();
    for (rel, path) in stale {
        fs::remove_file(&path).map_err(|e| Error::Io(path.clone(), e))?;
        removed.push(rel);
    }
    Ok(Report {
        name: made.name,
        operations: made.output.operations,
        types: made.output.types,
        written,
        unchanged,
        removed,
        warnings: made.output.warnings,
        generated_lines,
        generate_millis,
        millis: start.elapsed().as_millis(),
    })
}

fn is_generated(rel: &str, text: &str) -> bool {
    if rel.ends_with(".toml") {
        text.starts_with(TOML_MARKER)
    } else {
        text.starts_with(HEADER_MARKER)
    }
}

/// Generated `.rs` files under `dir` that `files` does not have; hand-written files are left alone.
fn find_stale(
    dir: &Path,
    out: &Path,
    files: &[(String, String)],
    stale: &mut Vec<(String, PathBuf)>,
) -> Result<(), Error> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::Io(dir.to_path_buf(), e)),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            find_stale(&path, out, files, stale)?;
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path
            .strip_prefix(out)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if files.iter().any(|(f, _)| *f == rel) {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| Error::Io(path.clone(), e))?;
        if text.starts_with(HEADER_MARKER) {
            stale.push((rel, path));
        }
    }
    Ok(())
}

impl Report {
    /// The one-line summary: `12 operations, 30 types: crate `petstore`, 5 files written, 17 unchanged (9 ms)`.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-standalone-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    fn fixture(name: &str) -> PathBuf {
        crate::project_root().join("tests/fixtures").join(name)
    }

    #[test]
    fn a_good_spec_makes_a_whole_crate_and_a_second_run_changes_nothing() {
        let out = scratch("good");
        let spec = fixture("security.yaml");
        let request = Request {
            spec: &spec,
            out: &out,
            name: None,
        };
        let report = generate(&crate::project_root(), &request).expect("generates");
        assert_eq!(report.name, "security-schemes-fixture");
        for file in [
            "Cargo.toml",
            "src/lib.rs",
            "src/client.rs",
            "src/auth.rs",
            "src/signing.rs",
            "src/generated/mod.rs",
            "src/generated/security.rs",
            "src/generated/operations.rs",
        ] {
            assert!(out.join(file).is_file(), "{file} missing");
        }
        assert!(!out.join("src/webhooks.rs").exists());
        assert!(!out.join("src/client/retry_tests.rs").exists());
        let cargo = fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
        assert!(cargo.starts_with(TOML_MARKER), "{cargo}");
        assert!(
            cargo.contains("name = \"security-schemes-fixture\""),
            "{cargo}"
        );
        assert!(cargo.contains("\n[workspace]\n"), "{cargo}");
        assert!(!cargo.contains("workspace = true") && !cargo.contains("dev-dependencies"));
        let lib = fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
        assert!(
            lib.contains("pub use generated::security::{Credentials, DEFAULT_BASE_URL};"),
            "{lib}"
        );
        assert!(
            !lib.contains("SIGNING_RULE") && !lib.contains("webhooks"),
            "{lib}"
        );
        assert!(!lib.contains("generated::security::sign"), "{lib}");

        let again = generate(&crate::project_root(), &request).expect("generates again");
        assert!(again.written.is_empty(), "{:?}", again.written);
        assert_eq!(again.unchanged.len(), report.written.len());

        // A stale generated file goes; a hand-written one stays.
        fs::write(
            out.join("src/old.rs"),
            format!("{HEADER_MARKER} by an older run\n"),
        )
        .expect("write");
        fs::write(out.join("src/mine.rs"), "// mine\n").expect("write");
        let third = generate(&crate::project_root(), &request).expect("third run");
        assert_eq!(third.removed, ["src/old.rs"]);
        assert!(out.join("src/mine.rs").exists());
        fs::remove_dir_all(&out).ok();
    }

    #[test]
    fn a_bad_spec_writes_nothing_and_a_hand_written_file_is_never_overwritten() {
        let out = scratch("bad");
        let dir = scratch("bad-spec");
        let spec = dir.join("bad.json");
        fs::write(&spec, r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": 7}}}}"#).expect("write");
        let request = Request {
            spec: &spec,
            out: &out,
            name: Some("bad"),
        };
        match generate(&crate::project_root(), &request) {
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
        };
        assert!(matches!(
            generate(&crate::project_root(), &request),
            Err(Error::NotGenerated(_))
        ));
        assert!(
            !out.join("Cargo.toml").exists(),
            "nothing written before the refusal"
        );
        assert!(matches!(
            generate(
                &crate::project_root(),
                &Request {
                    name: Some("1bad name"),
                    ..request
                }
            ),
            Err(Error::BadName(_))
        ));
        fs::remove_dir_all(&out).ok();
        fs::remove_dir_all(&dir).ok();
    }
}
