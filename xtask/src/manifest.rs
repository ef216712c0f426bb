//! A standalone crate's `[dependencies]`, derived from the runtime's own manifest so they never drift:
//! every dependency of `generated-client/Cargo.toml` (dev-dependencies left out), with `workspace = true`
//! entries resolved to the version, default features and features of the root `Cargo.toml`'s
//! `[workspace.dependencies]` (plus the entry's own extra features, as Cargo does).

use std::fmt::Write as _;
use std::path::Path;
use toml_edit::{DocumentMut, Item, TableLike, Value};

/// The runtime crate's manifest, relative to the project root.
pub const RUNTIME_MANIFEST: &str = "generated-client/Cargo.toml";

/// What a standalone crate takes from the manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `[dependencies]` entries in the runtime's order: name and inline TOML value.
    pub dependencies: Vec<(String, String)>,
    /// `workspace.package.edition` (or the runtime's own).
    pub edition: String,
    /// `workspace.package.rust-version`, when set.
    pub rust_version: Option<String>,
}

/// Reads both manifests under `root`.
pub fn read(root: &Path) -> Result<Manifest, String> {
    let load = |rel: &str| -> Result<DocumentMut, String> {
        let path = root.join(rel);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        text.parse::<DocumentMut>()
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let workspace = load("Cargo.toml")?;
    let runtime = load(RUNTIME_MANIFEST)?;
    resolve(&workspace, &runtime)
}

/// The standalone crate's dependencies and package settings from the two parsed manifests.
pub fn resolve(workspace: &DocumentMut, runtime: &DocumentMut) -> Result<Manifest, String> {
    let ws = workspace.get("workspace").and_then(Item::as_table_like);
    let ws_deps = ws
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like);
    let ws_package = ws
        .and_then(|w| w.get("package"))
        .and_then(Item::as_table_like);
    let package_value = |key: &str| -> Option<String> {
        let own = runtime
            .get("package")
            .and_then(Item::as_table_like)
            .and_then(|p| p.get(key));
        let own = own.and_then(|item| item.as_str().map(str::to_owned));
        own.or_else(|| {
            ws_package
                .and_then(|p| p.get(key))
                .and_then(Item::as_str)
                .map(str::to_owned)
        })
    };

    let deps = runtime
        .get("dependencies")
        .and_then(Item::as_table_like)
        .ok_or_else(|| format!("{RUNTIME_MANIFEST} has no [dependencies]"))?;
    let mut dependencies = Vec::new();
    for (name, item) in deps.iter() {
        let dep = Dep::from_item(item).ok_or_else(|| {
            format!("{RUNTIME_MANIFEST}: dependency `{name}` is neither a version nor a table")
        })?;
        let dep = if dep.workspace {
            let base = ws_deps
                .and_then(|d| d.get(name))
                .and_then(Dep::from_item)
                .ok_or_else(|| {
                    format!("`{name}` is `workspace = true` but not in [workspace.dependencies]")
                })?;
            base.overlaid_by(dep)
        } else {
            dep
        };
        if dep.path.is_some() {
            return Err(format!(
                "dependency `{name}` is a path dependency: a standalone crate cannot use it"
            ));
        }
        dependencies.push((name.to_owned(), dep.render()));
    }
    Ok(Manifest {
        dependencies,
        edition: package_value("edition").unwrap_or_else(|| "2021".to_owned()),
        rust_version: package_value("rust-version"),
    })
}

/// One dependency entry, reduced to the keys a standalone crate needs.
#[derive(Debug, Clone, Default)]
struct Dep {
    workspace: bool,
    version: Option<String>,
    default_features: Option<bool>,
    features: Vec<String>,
    optional: Option<bool>,
    path: Option<String>,
}

impl Dep {
    fn from_item(item: &Item) -> Option<Dep> {
        if let Some(version) = item.as_str() {
            return Some(Dep {
                version: Some(version.to_owned()),
                ..Dep::default()
            });
        }
        let table: &dyn TableLike = item.as_table_like()?;
        let bool_of = |key: &str| table.get(key).and_then(Item::as_bool);
        let str_of = |key: &str| table.get(key).and_then(Item::as_str).map(str::to_owned);
        Some(Dep {
            workspace: bool_of("workspace").unwrap_or(false),
            version: str_of("version"),
            default_features: bool_of("default-features").or_else(|| bool_of("default_features")),
            features: table
                .get("features")
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            optional: bool_of("optional"),
            path: str_of("path"),
        })
    }

    /// The workspace entry with a member's `workspace = true` entry on top: features add up, `optional`
    /// is the member's.
    fn overlaid_by(mut self, member: Dep) -> Dep {
        for feature in member.features {
            if !self.features.contains(&feature) {
                self.features.push(feature);
            }
        }
        self.optional = member.optional.or(self.optional);
        self.workspace = false;
        self
    }

    /// `"1"` when only a version is set, else an inline table.
    fn render(&self) -> String {
        let only_version = self.default_features.is_none()
            && self.features.is_empty()
            && self.optional.is_none()
            && self.path.is_none();
        if let (true, Some(version)) = (only_version, &self.version) {
            return quoted(version);
        }
        let mut parts = Vec::new();
        if let Some(v) = &self.version {
            parts.push(format!("version = {}", quoted(v)));
        }
        if let Some(p) = &self.path {
            parts.push(format!("path = {}", quoted(p)));
        }
        if let Some(d) = self.default_features {
            parts.push(format!("default-features = {d}"));
        }
        if !self.features.is_empty() {
            let list: Vec<String> = self.features.iter().map(|f| quoted(f)).collect();
            parts.push(format!("features = [{}]", list.join(", ")));
        }
        if let Some(o) = self.optional {
            parts.push(format!("optional = {o}"));
        }
        let mut out = String::from("{ ");
        let _ = write!(out, "{}", parts.join(", "));
        out.push_str(" }");
        out
    }
}

/// A TOML basic string (versions and feature names need no escapes beyond these).
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> DocumentMut {
        text.parse().expect("toml")
    }

    #[test]
    fn workspace_entries_are_resolved_and_features_merged() {
        let ws = parse(
            r#"
[workspace.package]
edition = "2021"
rust-version = "1.85"
[workspace.dependencies]
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls"] }
tokio = { version = "1", features = ["rt"] }
serde = "1"
"#,
        );
        let rt = parse(
            r#"
[package]
name = "x"
edition.workspace = true
[dependencies]
reqwest.workspace = true
tokio = { workspace = true, features = ["time", "rt"] }
serde.workspace = true
httpdate = "1"
[dev-dependencies]
base64 = "0.22"
"#,
        );
        let m = resolve(&ws, &rt).expect("resolves");
        assert_eq!(m.edition, "2021");
        assert_eq!(m.rust_version.as_deref(), Some("1.85"));
        assert_eq!(
            m.dependencies,
            [
                (
                    "reqwest".to_owned(),
                    r#"{ version = "0.12", default-features = false, features = ["rustls-tls"] }"#
                        .to_owned()
                ),
                (
                    "tokio".to_owned(),
                    r#"{ version = "1", features = ["rt", "time"] }"#.to_owned()
                ),
                ("serde".to_owned(), r#""1""#.to_owned()),
                ("httpdate".to_owned(), r#""1""#.to_owned()),
            ]
        );
    }

    #[test]
    fn a_workspace_entry_missing_from_the_root_is_an_error() {
        let ws = parse("[workspace.dependencies]\n");
        let rt = parse("[dependencies]\nnope.workspace = true\n");
        assert!(resolve(&ws, &rt).unwrap_err().contains("nope"));
    }

    #[test]
    fn the_real_manifests_resolve_without_workspace_entries() {
        let m = read(&crate::project_root()).expect("the project's manifests");
        assert!(m.dependencies.iter().any(|(n, _)| n == "reqwest"));
        assert!(m.dependencies.iter().all(|(_, v)| !v.contains("workspace")));
    }
}
