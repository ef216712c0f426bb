//! Embeds the runtime crate (`../runtime`) in the generator, so that `--vendor-runtime` can copy it into
//! a generated crate wherever the generator runs, even after this checkout is gone, and so that a
//! generated `Cargo.toml` names the runtime's version, edition and Rust version.
//!
//! Writes `$OUT_DIR/runtime_files.rs`: the path of the runtime directory, its manifest's `version`,
//! `edition` and `rust-version`, and every file of the package (`Cargo.toml`, `README.md`, `src/`,
//! `tests/`) as `include_str!`, in path order.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let runtime = manifest_dir
        .parent()
        .expect("gen/ sits in the workspace")
        .join("runtime");
    println!("cargo:rerun-if-changed={}", runtime.display());
    let mut files = Vec::new();
    for top in ["Cargo.toml", "README.md"] {
        files.push(runtime.join(top));
    }
    for dir in ["src", "tests"] {
        collect(&runtime.join(dir), &mut files);
    }
    files.sort();
    let manifest = std::fs::read_to_string(runtime.join("Cargo.toml")).expect("runtime/Cargo.toml");
    let field = |name: &str| -> String {
        manifest
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once('=')?;
                (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| panic!("runtime/Cargo.toml has no `{name}`"))
    };
    let mut out = String::new();
    writeln!(
        out,
        "/// Where the runtime crate was when the generator was built."
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) const DIR: &str = {:?};",
        runtime.display().to_string()
    )
    .unwrap();
    for (name, key) in [
        ("VERSION", "version"),
        ("EDITION", "edition"),
        ("RUST_VERSION", "rust-version"),
    ] {
        writeln!(out, "/// The runtime's `{key}`.").unwrap();
        writeln!(out, "pub(crate) const {name}: &str = {:?};", field(key)).unwrap();
    }
    writeln!(
        out,
        "/// The runtime package's files: path relative to its directory, and text."
    )
    .unwrap();
    writeln!(out, "pub(crate) const FILES: &[(&str, &str)] = &[").unwrap();
    for file in &files {
        let relative = file
            .strip_prefix(&runtime)
            .expect("under the runtime")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    ({relative:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
    let target =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("runtime_files.rs");
    std::fs::write(target, out).expect("write runtime_files.rs");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}
