//! Generating a client at build time, from a crate's `build.rs`, as progenitor offers.
//!
//! ```no_run
//! // build.rs (with `openapi-client-gen` in `[build-dependencies]`)
//! fn main() -> Result<(), openapi_client_gen::build::Error> {
//!     openapi_client_gen::build::generate("petstore.yaml", "petstore.rs")?;
//!     Ok(())
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! mod petstore {
//!     include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
//! }
//! pub use petstore::*;
//! ```
//!
//! The crate depends on `openapi-client-runtime` with the features the spec needs
//! ([`Generated::runtime_features`]; a missing one shows as an unresolved `rt::…` path) and on `serde`
//! with `derive`, and declares the feature `full-serde = []` (the generated code puts the
//! `Deserialize` impls of types that are only sent behind it). `examples/build-script/` in this
//! repository is such a crate. The code is the same as a standalone crate's `src/generated/`, joined into one file
//! ([`codegen::single_file`]). A spec with errors fails the build with every problem located by file,
//! line and column; warnings become one `cargo:warning` line.

use crate::report::{self, Style};
use codegen::Diagnostic;
use std::fmt;
use std::path::{Path, PathBuf};

/// What [`generate`] wrote.
#[derive(Debug)]
pub struct Generated {
    /// The file written in `OUT_DIR`.
    pub path: PathBuf,
    /// The runtime features the code uses: the crate's `openapi-client-runtime` dependency needs them.
    pub runtime_features: Vec<&'static str>,
    /// What the generator worked around.
    pub warnings: Vec<Diagnostic>,
}

/// Why generation failed: the text says everything, for a build script that returns it from `main`.
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The same text as `Display`: `main` returning `Err` prints the `Debug` form.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error(message.to_owned())
    }
}

/// Generates the client for `spec` (relative to the crate's directory, where build scripts run) into
/// `OUT_DIR/<file_name>`, tells cargo to run the build script again when the spec changes, and shows
/// the generator's warnings as one `cargo:warning` line.
pub fn generate(spec: impl AsRef<Path>, file_name: &str) -> Result<Generated, Error> {
    let out_dir = std::env::var_os("OUT_DIR")
        .ok_or_else(|| Error("OUT_DIR is not set: call this from a build script".to_owned()))?;
    let spec = spec.as_ref();
    let generated = generate_into(spec, &Path::new(&out_dir).join(file_name))?;
    if let Some(first) = generated.warnings.first() {
        println!(
            "cargo:warning={} warning(s) in {}, the generator worked around them; the first: {} at {}",
            generated.warnings.len(),
            spec.display(),
            first.message.replace('\n', " "),
            first.pointer
        );
    }
    Ok(generated)
}

/// As [`generate`], into `target`, leaving the warnings to the caller.
pub fn generate_into(spec: &Path, target: &Path) -> Result<Generated, Error> {
    println!("cargo:rerun-if-changed={}", spec.display());
    let spec_name = spec.display().to_string();
    let text = std::fs::read_to_string(spec).map_err(|e| Error(format!("{spec_name}: {e}")))?;
    let options = codegen::Options {
        spec_name: spec_name.clone(),
        command: "openapi_client_gen::build".to_owned(),
    };
    let output = codegen::generate(&text, &options).map_err(|d| {
        Error(report::render_diagnostics(
            &d.0,
            &spec_name,
            Some(&text),
            Style::PLAIN,
        ))
    })?;
    let code = codegen::single_file::single_file(&output.files);
    std::fs::write(target, code).map_err(|e| Error(format!("{}: {e}", target.display())))?;
    Ok(Generated {
        path: target.to_path_buf(),
        runtime_features: output.runtime_features,
        warnings: output.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_spec_fails_with_located_problems_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("gen-build-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let spec = dir.join("bad.yaml");
        std::fs::write(&spec, "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n").expect("write");
        let target = dir.join("api.rs");
        let error = generate_into(&spec, &target).expect_err("bad spec");
        assert!(error.to_string().contains("bad.yaml:6:7"), "{error}");
        assert_eq!(format!("{error:?}"), error.to_string());
        assert!(!target.exists());
        std::fs::remove_dir_all(&dir).ok();
    }
}
