//! The hand-written runtime as a standalone crate gets it: the module tree of `generated-client/src/`
//! followed from its `lib.rs`, without the Awal-only modules and without anything test-only.
//!
//! What is left out, and why:
//! - `generated/`: each crate has its own generated module;
//! - `webhooks`: the Awal webhook verifier assumes Awal's signature header and event names;
//! - every `#[cfg(test)]` item at the top level of a file (unit tests, `mod retry_tests;`, the test
//!   server under `tests/support`): they need the Awal generated code and dev-dependencies, so a
//!   `cargo test` in the standalone crate would not compile with them. A file declared only by such an
//!   item is not copied at all.
//!
//! Copied files get the generated header (so that regenerating may overwrite them) and name the new
//! crate where their docs name `awal_client`.

use codegen::render::HEADER_MARKER;
use quote::ToTokens;
use std::path::{Path, PathBuf};

/// The runtime's source directory, relative to the project root.
pub const RUNTIME_SRC: &str = "generated-client/src";
/// The runtime's library name, as its docs write it.
const RUNTIME_LIB: &str = "awal_client";
/// Modules of the Awal crate that standalone crates do not get.
pub const AWAL_ONLY: [&str; 2] = ["generated", "webhooks"];

/// The runtime, ready to copy.
#[derive(Debug, Clone)]
pub struct Runtime {
    /// The `lib.rs` items a standalone `lib.rs` repeats (module declarations, re-exports), as source.
    pub items: Vec<String>,
    /// The files, by path relative to `src/`, with their text as read.
    pub files: Vec<(String, String)>,
}

/// Reads the runtime under `root`.
pub fn read(root: &Path) -> Result<Runtime, String> {
    let src = root.join(RUNTIME_SRC);
    let lib = read_text(&src.join("lib.rs"))?;
    let file = parse(&lib, "lib.rs")?;
    let mut items = Vec::new();
    let mut files = Vec::new();
    for item in &file.items {
        if is_test_only(item_attrs(item)) {
            continue;
        }
        match item {
            syn::Item::Mod(m) if m.content.is_none() => {
                let name = m.ident.to_string();
                if AWAL_ONLY.contains(&name.as_str()) {
                    continue;
                }
                let rel = module_file(&src, Path::new(""), true, m)?;
                collect(&src, &rel, &mut files)?;
            }
            syn::Item::Use(u) if uses_awal_only_module(&u.tree) => continue,
            _ => {}
        }
        items.push(item.to_token_stream().to_string());
    }
    Ok(Runtime { items, files })
}

/// Reads the file at `rel` (relative to `src`) and, recursively, the files of its non-test modules.
fn collect(src: &Path, rel: &Path, files: &mut Vec<(String, String)>) -> Result<(), String> {
    let name = rel.to_string_lossy().replace('\\', "/");
    if files.iter().any(|(f, _)| *f == name) {
        return Ok(());
    }
    let text = read_text(&src.join(rel))?;
    let parsed = parse(&text, &name)?;
    files.push((name, text));
    // `foo.rs` keeps its child modules in `foo/`; `mod.rs` in its own directory.
    let is_mod_rs = rel.file_name().is_some_and(|f| f == "mod.rs");
    let dir = if is_mod_rs {
        rel.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        rel.with_extension("")
    };
    for item in &parsed.items {
        if let syn::Item::Mod(m) = item {
            if m.content.is_none() && !is_test_only(&m.attrs) {
                let child = module_file(src, &dir, false, m)?;
                collect(src, &child, files)?;
            }
        }
    }
    Ok(())
}

/// The file of `mod name;` declared in directory `dir` (relative to `src`): `#[path]`, `name.rs` or
/// `name/mod.rs`.
fn module_file(src: &Path, dir: &Path, at_root: bool, m: &syn::ItemMod) -> Result<PathBuf, String> {
    for attr in &m.attrs {
        if attr.path().is_ident("path") {
            if let syn::Meta::NameValue(nv) = &attr.meta {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    // `#[path]` is relative to the declaring file's directory.
                    let base = if at_root {
                        PathBuf::new()
                    } else {
                        dir.parent().map(Path::to_path_buf).unwrap_or_default()
                    };
                    return Ok(base.join(s.value()));
                }
            }
        }
    }
    let name = m.ident.to_string();
    let flat = dir.join(format!("{name}.rs"));
    if src.join(&flat).exists() {
        return Ok(flat);
    }
    let nested = dir.join(&name).join("mod.rs");
    if src.join(&nested).exists() {
        return Ok(nested);
    }
    Err(format!(
        "{RUNTIME_SRC}: no file for module `{name}` (looked for {} and {})",
        flat.display(),
        nested.display()
    ))
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]` or `#[cfg(doctest)]`.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && {
            let inner = a.meta.to_token_stream().to_string();
            inner == "cfg (test)" || inner == "cfg (doctest)"
        }
    })
}

/// A `use` whose path starts with an Awal-only module other than `generated` (whose re-exports the
/// generator keeps or drops item by item).
fn uses_awal_only_module(tree: &syn::UseTree) -> bool {
    match tree {
        syn::UseTree::Path(p) if p.ident == "crate" => uses_awal_only_module(&p.tree),
        syn::UseTree::Path(p) => {
            let first = p.ident.to_string();
            first != "generated" && AWAL_ONLY.contains(&first.as_str())
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            name != "generated" && AWAL_ONLY.contains(&name.as_str())
        }
        _ => false,
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse(text: &str, name: &str) -> Result<syn::File, String> {
    syn::parse_file(text).map_err(|e| format!("{RUNTIME_SRC}/{name} does not parse: {e}"))
}

/// A runtime file as a standalone crate gets it: the header, the text without its top-level
/// `#[cfg(test)]` items, and `lib` for `awal_client`. Fails (a runtime bug, not a spec problem) when the
/// result does not parse or a test-only item is left.
pub fn standalone_copy(name: &str, text: &str, lib: &str, header: &str) -> Result<String, String> {
    let stripped = strip_test_items(text);
    let parsed = parse(&stripped, name)?;
    if parsed.items.iter().any(|i| is_test_only(item_attrs(i))) {
        return Err(format!(
            "{RUNTIME_SRC}/{name}: a `#[cfg(test)]` item is not at the start of a line, so it cannot be left out"
        ));
    }
    let mut out = String::from(header);
    out.push_str(&stripped.replace(RUNTIME_LIB, lib));
    if !out.starts_with(HEADER_MARKER) {
        return Err("the header does not start with the generated marker".to_owned());
    }
    Ok(out)
}

/// `text` without its top-level `#[cfg(test)]` items: from the attribute (and the doc comments and
/// attributes right above it) through `mod x;` or the `}` at the start of a line that closes
/// `mod x {`. The runtime is rustfmt-formatted, so top-level items start and end at column 0.
fn strip_test_items(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut keep = vec![true; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i] != "#[cfg(test)]" {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0
            && (lines[start - 1].starts_with("///") || lines[start - 1].starts_with("#["))
        {
            start -= 1;
        }
        let mut end = i + 1;
        while end < lines.len() && lines[end].starts_with("#[") {
            end += 1;
        }
        // `end` is the item's first line.
        if end < lines.len() && !lines[end].trim_end().ends_with(';') {
            while end < lines.len() && lines[end] != "}" {
                end += 1;
            }
        }
        for k in keep.iter_mut().take((end + 1).min(lines.len())).skip(start) {
            *k = false;
        }
        i = end + 1;
    }
    let mut out = String::with_capacity(text.len());
    for (line, kept) in lines.iter().zip(keep) {
        if kept {
            out.push_str(line);
            out.push('\n');
        }
    }
    // No blank lines left dangling at the end where a test module was.
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_items_are_stripped_with_their_docs() {
        let text = "//! m\n\npub fn a() {}\n\n/// helper\n#[cfg(test)]\n#[path = \"x.rs\"]\nmod x;\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {\n    }\n}\n\npub fn b() {}\n";
        assert_eq!(
            strip_test_items(text),
            "//! m\n\npub fn a() {}\n\n\n\npub fn b() {}\n"
        );
    }

    #[test]
    fn the_real_runtime_leaves_out_webhooks_generated_and_tests() {
        let runtime = read(&crate::project_root()).expect("runtime");
        let names: Vec<&str> = runtime.files.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"client.rs") && names.contains(&"signing.rs"));
        assert!(!names.iter().any(|n| n.contains("webhooks")
            || n.starts_with("generated")
            || n.contains("retry_tests")
            || n.contains("support")
            || *n == "lib.rs"));
        assert!(!runtime.items.iter().any(|i| i.contains("webhooks")
            || i.contains("test_server")
            || i.contains("ReadmeDoctests")
            || i.contains("mod generated")));
        for (name, text) in &runtime.files {
            let copy = standalone_copy(name, text, "petstore", "// @generated test\n").expect(name);
            assert!(!copy.contains("#[cfg(test)]\nmod"), "{name}");
            assert!(!copy.contains("awal_client"), "{name}");
        }
    }
}
