//! The generated module as one file, for build scripts.
//!
//! A build script writes into `OUT_DIR`, and the crate brings the result in with
//! `include!(concat!(env!("OUT_DIR"), "/api.rs"))`. An included file cannot declare `mod types;` (the
//! compiler would look for `types.rs` next to the including file) and cannot start with inner
//! attributes, so the files are joined into one: each `mod name;` of `mod.rs` becomes an inline
//! `mod name { … }` holding that file, and the module doc of `mod.rs` becomes a plain comment.

use crate::render::HEADER_MARKER;
use crate::GeneratedFile;

/// `files` (as [`generate`](crate::generate) returns them, `mod.rs` first) joined into one file that can
/// be `include!`d into a module.
pub fn single_file(files: &[GeneratedFile]) -> String {
    let Some(root) = files.iter().find(|f| f.path == "mod.rs") else {
        return String::new();
    };
    let mut out = String::new();
    for line in root.contents.lines() {
        if let Some(doc) = line.strip_prefix("//!") {
            out.push_str("//");
            out.push_str(doc);
            out.push('\n');
            continue;
        }
        let declared = line
            .strip_prefix("pub mod ")
            .map(|name| ("pub ", name))
            .or_else(|| line.strip_prefix("mod ").map(|name| ("", name)))
            .and_then(|(vis, rest)| Some((vis, rest.strip_suffix(';')?)));
        let file = declared.and_then(|(vis, name)| {
            let path = format!("{name}.rs");
            files
                .iter()
                .find(|f| f.path == path)
                .map(|f| (vis, name, f))
        });
        match file {
            Some((vis, name, file)) => {
                // The includer may call its module `client` or `types` too; that is its choice.
                out.push_str("#[allow(clippy::module_inception)]\n");
                out.push_str(&format!("{vis}mod {name} {{\n"));
                out.push_str(without_header(&file.contents));
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The text after the generated header line and the blank line that follows it.
fn without_header(text: &str) -> &str {
    match text.strip_prefix(HEADER_MARKER) {
        Some(rest) => rest
            .split_once('\n')
            .map_or("", |(_, rest)| rest.trim_start_matches('\n')),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_declarations_become_inline_modules() {
        let files = crate::generate(
            include_str!("../../tests/fixtures/security.yaml"),
            &crate::Options::default(),
        )
        .expect("generates")
        .files;
        let one = single_file(&files);
        assert!(one.starts_with("// @generated"), "{one}");
        let top: Vec<&str> = one.lines().take_while(|l| !l.starts_with("use ")).collect();
        assert!(
            top.len() > 2 && !top.iter().any(|l| l.starts_with("//!")),
            "no inner docs before the first item: {top:?}"
        );
        assert!(one.contains("\npub mod types {\n"), "{one}");
        assert!(one.contains("\nmod operations {\n"), "{one}");
        assert!(!one.contains("\nmod client;"), "{one}");
        // Every file's code is there once, without its header.
        assert_eq!(one.matches(HEADER_MARKER).count(), 1);
        syn::parse_file(&one).expect("one valid Rust file");
    }
}
