//! The files of a standalone crate around the generated module: `src/lib.rs` and `Cargo.toml`.
//!
//! A standalone crate is the generated module (`src/generated/`, exactly what [`generate`](crate::generate)
//! makes), a copy of the hand-written runtime (copied by the caller, which does the file I/O), and the two
//! files made here. The runtime's module declarations and re-exports come from the caller too (read off
//! the runtime's own `lib.rs`), so the crate follows the runtime as it changes; re-exports of generated
//! items are kept only for the items this spec's generated code has (no `SIGNING_RULE` without
//! `x-signing`, no `DEFAULT_BASE_URL` without an absolute server URL).

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::Api;
use crate::{GeneratedFile, Options, Output};
use proc_macro2::TokenStream;
use quote::quote;

/// What the crate is made of besides the spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrateOptions {
    /// The package name (kebab-case); `None`: from the spec's title ([`crate_name`]).
    pub name: Option<String>,
    /// The runtime's `mod` declarations and re-exports (`use` items, inline modules of re-exports), as
    /// Rust source, one item each, in order. `mod generated;` is added here, not taken from these.
    pub runtime_items: Vec<String>,
    /// `[dependencies]` entries: the name and its TOML value (`"1"`, `{ version = "1", ... }`).
    pub dependencies: Vec<(String, String)>,
    /// `package.edition`.
    pub edition: String,
    /// `package.rust-version`, when there is one.
    pub rust_version: Option<String>,
}

/// A generated standalone crate, apart from the runtime files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    /// The package name.
    pub name: String,
    /// `Cargo.toml`.
    pub cargo_toml: String,
    /// `src/lib.rs`.
    pub lib_rs: String,
    /// The generated module (`src/generated/*.rs`), counts and warnings.
    pub output: Output,
}

/// Spec text → a standalone crate's own files, through the same pipeline as [`generate`](crate::generate).
pub fn generate_crate(
    spec_text: &str,
    options: &Options,
    krate: &CrateOptions,
) -> Result<Crate, Diagnostics> {
    let (output, api) = crate::generate_with_api(spec_text, options)?;
    let name = match &krate.name {
        Some(name) => name.clone(),
        None => crate_name(
            &api.title,
            krate.dependencies.iter().map(|(d, _)| d.as_str()),
        ),
    };
    let header = crate::render::header(&options.command, &options.spec_name);
    let lib_rs = GeneratedFile {
        path: "lib.rs".to_owned(),
        contents: crate::render::render("lib.rs", lib_tokens(&api, krate)?, &header)?,
    };
    Ok(Crate {
        cargo_toml: cargo_toml(&name, &api, krate, &header),
        name,
        lib_rs: lib_rs.contents,
        output,
    })
}

/// A package name from an API title: its ASCII words in kebab-case, starting with a letter, at most
/// 64 characters, and never the name of one of `dependencies` (Cargo refuses a package that depends on
/// its own name): "Swagger Petstore" → `swagger-petstore`.
pub fn crate_name<'a>(title: &str, mut dependencies: impl Iterator<Item = &'a str>) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut name = String::new();
    for word in words {
        if name.len() + word.len() + 1 > 64 {
            break;
        }
        if !name.is_empty() {
            name.push('-');
        }
        name.push_str(&word);
    }
    if name.is_empty() {
        name = "api-client".to_owned();
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("api-{name}");
    }
    let lib = name.replace('-', "_");
    if dependencies.any(|d| d.replace('-', "_") == lib) {
        name.push_str("-client");
    }
    name
}

/// The server URL, when it can be the client's default: an absolute `http(s)` URL (a relative one is
/// relative to wherever the spec is served, which the client cannot know).
pub(crate) fn default_base_url(api: &Api) -> Option<&str> {
    let url = api.base_url.as_str();
    (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
}

/// The names `generated::security` defines for this API.
fn security_items(api: &Api) -> Vec<&'static str> {
    let mut items = vec!["Credentials"];
    if default_base_url(api).is_some() {
        items.push("DEFAULT_BASE_URL");
    }
    if api.auth.signing.is_some() {
        items.extend(["SIGNING_RULE", "sign"]);
    }
    items
}

fn lib_tokens(api: &Api, krate: &CrateOptions) -> Result<TokenStream, Diagnostics> {
    let exists = security_items(api);
    let mut items = Vec::new();
    for text in &krate.runtime_items {
        let item: syn::Item = syn::parse_str(text).map_err(|e| {
            Diagnostic::new(
                "#",
                format!("internal error: a runtime item does not parse ({e}): {text}"),
            )
        })?;
        if let Some(item) = keep_existing(item, &exists) {
            items.push(item);
        }
    }
    let mut doc = format!(
        "A typed async client for the {} API (version {}), generated from its OpenAPI spec.",
        api.title, api.version
    );
    if let Some(description) = &api.description {
        doc.push_str("\n\n");
        doc.push_str(description.trim());
    }
    doc.push_str(
        "\n\nOperations are methods of [`Client`]; their request and response types are in [`types`]. \
         `src/generated/` is made by the generator from the spec; the other modules are the \
         API-agnostic runtime it calls, copied as they are.",
    );
    let doc_lines = doc.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {}", l.trim_end())
        }
    });
    Ok(quote! {
        #( #![doc = #doc_lines] )*
        #![warn(missing_docs)]

        #[rustfmt::skip]
        mod generated;

        #(#items)*
    })
}

/// The item without the parts of its `use` trees that name a `generated::security` item this API does
/// not have; `None` when nothing is left.
fn keep_existing(item: syn::Item, exists: &[&str]) -> Option<syn::Item> {
    match item {
        syn::Item::Use(mut u) => {
            u.tree = prune(u.tree, &[], exists)?;
            Some(syn::Item::Use(u))
        }
        syn::Item::Mod(mut m) => {
            if let Some((brace, items)) = m.content.take() {
                let items: Vec<syn::Item> = items
                    .into_iter()
                    .filter_map(|i| keep_existing(i, exists))
                    .collect();
                m.content = Some((brace, items));
            }
            Some(syn::Item::Mod(m))
        }
        other => Some(other),
    }
}

/// `tree` (below the path `prefix`) without its leaves `[crate::]generated::security::X` for the `X`
/// not in `exists`.
fn prune(tree: syn::UseTree, prefix: &[String], exists: &[&str]) -> Option<syn::UseTree> {
    match tree {
        syn::UseTree::Path(mut p) => {
            let mut prefix = prefix.to_vec();
            prefix.push(p.ident.to_string());
            *p.tree = prune(*p.tree, &prefix, exists)?;
            Some(syn::UseTree::Path(p))
        }
        syn::UseTree::Name(n) => {
            let path: Vec<&str> = prefix
                .iter()
                .map(String::as_str)
                .skip_while(|s| *s == "crate")
                .collect();
            let missing = path == ["generated", "security"]
                && !exists.contains(&n.ident.to_string().as_str());
            (!missing).then_some(syn::UseTree::Name(n))
        }
        syn::UseTree::Group(mut g) => {
            let items: syn::punctuated::Punctuated<syn::UseTree, syn::Token![,]> = g
                .items
                .into_iter()
                .filter_map(|t| prune(t, prefix, exists))
                .collect();
            if items.is_empty() {
                return None;
            }
            g.items = items;
            Some(syn::UseTree::Group(g))
        }
        other => Some(other),
    }
}

/// `Cargo.toml`: the package, the runtime's dependencies, and an empty `[workspace]` so the crate
/// builds wherever it is put, inside another workspace's directory or not.
fn cargo_toml(name: &str, api: &Api, krate: &CrateOptions, header: &str) -> String {
    let mut out = String::new();
    // The Rust header's `//` becomes TOML's `#`.
    for line in header.lines() {
        let line = line.strip_prefix("//").unwrap_or(line);
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("#{line}\n"));
        }
    }
    out.push_str("[package]\n");
    out.push_str(&format!("name = {}\n", toml_string(name)));
    out.push_str("version = \"0.1.0\"\n");
    out.push_str(&format!("edition = {}\n", toml_string(&krate.edition)));
    if let Some(v) = &krate.rust_version {
        out.push_str(&format!("rust-version = {}\n", toml_string(v)));
    }
    let title = api.title.lines().next().unwrap_or_default().trim();
    out.push_str(&format!(
        "description = {}\n",
        toml_string(&format!(
            "Typed async client for the {title} API (spec version {}), generated from its OpenAPI spec.",
            api.version
        ))
    ));
    out.push_str("publish = false\n\n");
    out.push_str(
        "# The runtime's doc examples are written for the Awal client they are copied from.\n[lib]\ndoctest = false\n\n",
    );
    out.push_str("[dependencies]\n");
    for (dep, value) in &krate.dependencies {
        out.push_str(&format!("{dep} = {value}\n"));
    }
    out.push_str(&format!(
        "\n[features]\n# Both serde impls on every type; by default each type has only those its uses need.\n{} = []\n",
        crate::emit::FULL_SERDE
    ));
    out.push_str(
        "\n# Not a member of any enclosing workspace: the crate builds on its own.\n[workspace]\n",
    );
    out
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_valid_and_never_a_dependency() {
        let none = std::iter::empty();
        assert_eq!(crate_name("Swagger Petstore", none), "swagger-petstore");
        assert_eq!(crate_name("  ", std::iter::empty()), "api-client");
        assert_eq!(
            crate_name("1Password Connect", std::iter::empty()),
            "api-1password-connect"
        );
        assert_eq!(
            crate_name("URL", ["url", "serde"].into_iter()),
            "url-client"
        );
        assert!(crate_name(&"word ".repeat(40), std::iter::empty()).len() <= 64);
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a \"b\" \\ c\n"), r#""a \"b\" \\ c\n""#);
    }

    fn pruned(item: &str, exists: &[&str]) -> Option<String> {
        let item: syn::Item = syn::parse_str(item).expect("item");
        keep_existing(item, exists).map(|i| quote!(#i).to_string())
    }

    #[test]
    fn re_exports_of_missing_generated_items_are_dropped() {
        assert_eq!(
            pruned(
                "pub use generated::security::{Credentials, DEFAULT_BASE_URL, SIGNING_RULE};",
                &["Credentials"]
            )
            .as_deref(),
            Some("pub use generated :: security :: { Credentials } ;")
        );
        assert_eq!(
            pruned(
                "pub use crate::generated::security::sign;",
                &["Credentials"]
            ),
            None
        );
        assert_eq!(
            pruned(
                "pub mod signing { pub use crate::generated::security::sign; pub use crate::signing_runtime::*; }",
                &["Credentials"]
            )
            .as_deref(),
            Some("pub mod signing { pub use crate :: signing_runtime :: * ; }")
        );
        assert!(pruned("pub use client::{Client, ClientBuilder};", &[]).is_some());
    }
}
