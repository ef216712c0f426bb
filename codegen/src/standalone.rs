//! The files of a standalone crate around the generated module: `Cargo.toml`, `src/lib.rs` and
//! `src/main.rs`.
//!
//! A standalone crate is nothing but generated files: the generated module (`src/generated/`, exactly
//! what [`generate`](crate::generate) makes), a `lib.rs` that re-exports it, a `main.rs` that runs its
//! command line (a binary named after the crate, built with the feature `cli` only), and a `Cargo.toml`
//! that depends on the runtime crate with the features the generated code names
//! ([`Output::runtime_features`]). The runtime itself is never copied into the crate's sources; a front
//! end may vendor the runtime crate beside it and point the dependency there.

use crate::diagnostics::Diagnostics;
use crate::ir::Api;
use crate::{GeneratedFile, Options, Output};
use quote::quote;

/// What the crate is made of besides the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateOptions {
    /// The package name (kebab-case); `None`: from the spec's title ([`crate_name`]).
    pub name: Option<String>,
    /// The runtime dependency: its version, and where it is.
    pub runtime: RuntimeDependency,
    /// `package.edition`.
    pub edition: String,
    /// `package.rust-version`, when there is one.
    pub rust_version: Option<String>,
}

/// How the generated `Cargo.toml` names the runtime crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeDependency {
    /// The runtime's version, e.g. `0.1.0`, written as a caret requirement.
    pub version: String,
    /// A path to the runtime crate, relative to the generated crate or absolute; `None`: from the
    /// registry.
    pub path: Option<String>,
}

/// A generated standalone crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    /// The package name.
    pub name: String,
    /// `Cargo.toml`.
    pub cargo_toml: String,
    /// `src/lib.rs`.
    pub lib_rs: String,
    /// `src/main.rs`: the command line's `main`.
    pub main_rs: String,
    /// The generated module (`src/generated/*.rs`), counts, warnings and the runtime features used.
    pub output: Output,
}

/// Spec text → a standalone crate's files, through the same pipeline as [`generate`](crate::generate).
pub fn generate_crate(
    spec_text: &str,
    options: &Options,
    krate: &CrateOptions,
) -> Result<Crate, Diagnostics> {
    let (output, api) = crate::generate_with_api(spec_text, options)?;
    let name = match &krate.name {
        Some(name) => name.clone(),
        None => crate_name(&api.title, DEPENDENCIES.into_iter()),
    };
    let header = crate::render::header(&options.command, &options.spec_name);
    let lib_rs = GeneratedFile {
        path: "lib.rs".to_owned(),
        contents: crate::render::render("lib.rs", lib_tokens(&api), &header)?,
    };
    let main_rs = crate::render::render("main.rs", main_tokens(&name, &api), &header)?;
    Ok(Crate {
        cargo_toml: cargo_toml(&name, &api, &output, krate, &header),
        name,
        lib_rs: lib_rs.contents,
        main_rs,
        output,
    })
}

/// The crates a generated `Cargo.toml` depends on: a package of the same name could not depend on them.
const DEPENDENCIES: [&str; 2] = [crate::emit::RUNTIME_PACKAGE, "serde"];

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

/// `lib.rs`: the crate docs, and the generated module re-exported whole, as `awal-client`'s hand-written
/// `lib.rs` does.
fn lib_tokens(api: &Api) -> proc_macro2::TokenStream {
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
         Everything in this crate is made by the generator from the spec; the generic runtime it calls \
         is the `openapi-client-runtime` crate ([`runtime`]).\n\n\
         With the feature `cli`, the crate is also a command line (the `cli` module, and a binary named \
         after the crate): `cargo run --features cli -- --help`.",
    );
    let doc = crate::emit::inner_doc(&doc);
    quote! {
        #doc
        #![warn(missing_docs)]

        #[rustfmt::skip]
        mod generated;

        pub use generated::*;
    }
}

/// `src/main.rs`: the binary runs the generated command line.
fn main_tokens(name: &str, api: &Api) -> proc_macro2::TokenStream {
    let lib = crate::emit::ident(&name.replace('-', "_"));
    let doc = crate::emit::inner_doc(&format!(
        "`{name}`: the {} API from the command line (`{name} --help`). Built with the feature `{}`.",
        api.title,
        crate::emit::CLI
    ));
    quote! {
        #doc

        fn main() -> std::process::ExitCode {
            #lib::cli::main()
        }
    }
}

/// `Cargo.toml`: the package, the runtime with the features the code uses, serde for the derives, and
/// an empty `[workspace]` so the crate builds wherever it is put, inside another workspace's directory
/// or not.
fn cargo_toml(
    name: &str,
    api: &Api,
    output: &Output,
    krate: &CrateOptions,
    header: &str,
) -> String {
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
    out.push_str("[dependencies]\n");
    let mut runtime = format!("version = {}", toml_string(&krate.runtime.version));
    if let Some(path) = &krate.runtime.path {
        runtime.push_str(&format!(", path = {}", toml_string(path)));
    }
    runtime.push_str(", default-features = false");
    let features: Vec<String> = output
        .runtime_features
        .iter()
        .map(|f| toml_string(f))
        .collect();
    if !features.is_empty() {
        runtime.push_str(&format!(", features = [{}]", features.join(", ")));
    }
    out.push_str(&format!(
        "# The generic runtime, with the features this spec's code uses.\n{} = {{ {runtime} }}\n",
        crate::emit::RUNTIME_PACKAGE
    ));
    out.push_str("serde = { version = \"1\", features = [\"derive\"] }\n");
    out.push_str(&format!(
        "\n[features]\n# Both serde impls on every type; by default each type has only those its uses need.\n{full} = []\n\
         # The command line: the `cli` module and the `{name}` binary (`cargo run --features cli -- --help`).\n\
         {cli} = [{}, {}]\n",
        toml_string(crate::emit::FULL_SERDE),
        toml_string(&format!("{}/cli", crate::emit::RUNTIME_PACKAGE)),
        full = crate::emit::FULL_SERDE,
        cli = crate::emit::CLI,
    ));
    out.push_str(&format!(
        "\n[[bin]]\nname = {}\npath = \"src/main.rs\"\nrequired-features = [{}]\n# The library has the same name and the docs.\ndoc = false\n",
        toml_string(name),
        toml_string(crate::emit::CLI),
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
        assert_eq!(
            crate_name("Serde", DEPENDENCIES.into_iter()),
            "serde-client"
        );
        assert!(crate_name(&"word ".repeat(40), std::iter::empty()).len() <= 64);
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a \"b\" \\ c\n"), r#""a \"b\" \\ c\n""#);
    }

    #[test]
    fn the_manifest_asks_for_the_runtime_features_the_code_uses() {
        let spec = "openapi: 3.0.3\ninfo: {title: Dates, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: string, format: date-time}\n";
        let krate = CrateOptions {
            name: None,
            runtime: RuntimeDependency {
                version: "0.1.0".to_owned(),
                path: Some("../runtime".to_owned()),
            },
            edition: "2021".to_owned(),
            rust_version: None,
        };
        let made = generate_crate(spec, &Options::default(), &krate).expect("generates");
        assert_eq!(made.name, "dates");
        assert_eq!(made.output.runtime_features, ["chrono"]);
        assert!(
            made.cargo_toml.contains(
                "openapi-client-runtime = { version = \"0.1.0\", path = \"../runtime\", default-features = false, features = [\"chrono\"] }"
            ),
            "{}",
            made.cargo_toml
        );
        assert!(
            made.lib_rs.contains("pub use generated::*;"),
            "{}",
            made.lib_rs
        );
    }
}
