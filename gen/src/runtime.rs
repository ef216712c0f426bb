//! The runtime crate this generator was built with: its version for a generated `Cargo.toml`, where it
//! is, and its files, embedded at build time (`build.rs`) so that `--vendor-runtime` can copy it
//! unchanged into a generated crate from any directory, even after this checkout is gone.

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));
}

pub use codegen::emit::{RUNTIME_CRATE, RUNTIME_PACKAGE};

/// The runtime's version.
pub const VERSION: &str = embedded::VERSION;
/// The runtime's edition, which generated crates use too.
pub const EDITION: &str = embedded::EDITION;
/// The runtime's minimum Rust version, which generated crates declare too.
pub const RUST_VERSION: &str = embedded::RUST_VERSION;

/// Where the runtime crate was when the generator was built: `runtime/` of its repository.
pub fn source_dir() -> &'static std::path::Path {
    std::path::Path::new(embedded::DIR)
}

/// The runtime package's files, as (path relative to the crate, text), in path order.
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_runtime_is_the_whole_crate() {
        let paths: Vec<&str> = files().iter().map(|(p, _)| *p).collect();
        for expected in [
            "Cargo.toml",
            "README.md",
            "src/lib.rs",
            "src/client.rs",
            "tests/support/server.rs",
        ] {
            assert!(paths.contains(&expected), "{expected} in {paths:?}");
        }
        let manifest = files()
            .iter()
            .find(|(p, _)| *p == "Cargo.toml")
            .map(|(_, t)| *t);
        assert!(manifest.is_some_and(|m| m.contains(&format!("name = \"{RUNTIME_PACKAGE}\""))));
        assert!(!VERSION.is_empty() && !EDITION.is_empty() && !RUST_VERSION.is_empty());
        // Embedded as it is on disk, byte for byte.
        for (path, text) in files() {
            let on_disk = std::fs::read_to_string(source_dir().join(path)).expect("readable");
            assert_eq!(&on_disk, text, "{path}");
        }
    }
}
