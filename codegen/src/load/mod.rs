//! Load: spec text (YAML or JSON) → [`Spec`] (an `openapiv3::OpenAPI` and what 3.1 adds), with every
//! failure as a located diagnostic.
//!
//! ```text
//! text ──parse──▶ JSON value ──version──▶ 3.0.x or 3.1.x ──oas31──▶ the 3.0 model
//!      ──normalize──▶ lowerable refs and bounds ──▶ path items copied, webhooks taken ──▶ OpenAPI
//! ```
//!
//! The stages are public through [`Document`] so that the benchmark can time each; [`load`] runs
//! them all. When the typed deserialization fails, `locate` finds the deepest offending node.
//! Diagnostics name places as the author wrote them, whatever the 3.1 stage moved
//! ([`Moves`]).

mod grammar;
mod locate;
pub(crate) mod normalize;
pub mod oas31;
mod parse;
mod version;

pub use version::Version;

use crate::diagnostics::{Diagnostic, Diagnostics};
use indexmap::IndexMap;
use oas31::moves::Moves;
use openapiv3::{OpenAPI, PathItem};
use serde::Deserialize;
use serde_json::Value;

/// Spec text (YAML or JSON) as a JSON value, as it is written: no version check, no normalization.
/// (`cargo xtask conformance` reads specs this way, to build its inputs from the spec itself.)
pub fn parse_text(text: &str) -> Result<Value, Diagnostics> {
    parse::parse(text)
}

/// A loaded spec: the document in openapiv3's (3.0) model, and what that model has no place for.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The document. A 3.1 document has been rewritten into the 3.0 model.
    pub api: OpenAPI,
    /// The version the document was written in.
    pub version: Version,
    /// `webhooks` (3.1), by name, in spec order.
    pub webhooks: IndexMap<String, PathItem>,
    /// What loading worked around, at the places as written.
    pub warnings: Vec<Diagnostic>,
    /// Where the nodes the 3.1 stage moved were.
    pub moves: Moves,
}

impl std::ops::Deref for Spec {
    type Target = OpenAPI;

    fn deref(&self) -> &OpenAPI {
        &self.api
    }
}

impl Spec {
    /// The pointer, in the document as written, of what is now at `pointer` (a pointer lowering
    /// computed from the loaded document).
    pub fn original(&self, pointer: &str) -> String {
        self.moves.original(pointer)
    }
}

/// A parsed document on its way to a [`Spec`].
#[derive(Debug, Clone)]
pub struct Document {
    value: Value,
    version: Version,
    upgraded: bool,
    moves: Moves,
    warnings: Vec<Diagnostic>,
}

impl Document {
    /// Parses spec text and checks its version.
    pub fn parse(text: &str) -> Result<Self, Diagnostics> {
        let mut value = parse::parse(text)?;
        let version = version::check(&mut value)?;
        Ok(Document {
            value,
            version,
            upgraded: false,
            moves: Moves::default(),
            warnings: Vec::new(),
        })
    }

    /// The version the document is written in.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The document as a JSON tree, as parsed (and, after [`Self::upgrade`], rewritten).
    pub fn tree(&self) -> &Value {
        &self.value
    }

    /// Rewrites a 3.1 document into the 3.0 model (nothing to do for 3.0, or the second time).
    pub fn upgrade(&mut self) -> Result<(), Diagnostics> {
        if self.version != Version::V3_1 || self.upgraded {
            return Ok(());
        }
        self.upgraded = true;
        let done = oas31::upgrade(&mut self.value)?;
        self.moves = done.moves;
        self.warnings = done.warnings;
        Ok(())
    }

    /// Normalizes references, copies referenced path items, takes the webhooks out and deserializes
    /// the rest.
    pub fn finish(mut self) -> Result<Spec, Diagnostics> {
        self.upgrade()?;
        let Document {
            mut value,
            version,
            mut moves,
            warnings,
            ..
        } = self;
        let located = |mut d: Diagnostic, moves: &Moves| {
            d.pointer = moves.original(&d.pointer);
            d
        };
        if let Err(Diagnostics(errors)) = normalize::normalize(&mut value) {
            return Err(Diagnostics(
                errors.into_iter().map(|d| located(d, &moves)).collect(),
            ));
        }
        let errors = oas31::path_items::inline(&mut value, &mut moves);
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        let webhooks = match version {
            Version::V3_1 => oas31::webhooks::take(&mut value).map_err(|d| located(d, &moves))?,
            Version::V3_0 => IndexMap::new(),
        };
        let api = OpenAPI::deserialize(&value)
            .map_err(|_| Diagnostics::from(located(locate::diagnose(&value), &moves)))?;
        Ok(Spec {
            api,
            version,
            webhooks,
            warnings,
            moves,
        })
    }
}

/// Parses, checks, upgrades (3.1) and normalizes spec text.
pub fn load(text: &str) -> Result<Spec, Diagnostics> {
    Document::parse(text)?.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Diagnostics {
        load(text).expect_err("the spec must be refused")
    }

    #[test]
    fn integer_status_keys_are_read_as_strings() {
        let api = load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n").unwrap();
        let op = api.paths.paths["/a"]
            .as_item()
            .unwrap()
            .get
            .as_ref()
            .unwrap();
        assert_eq!(op.responses.responses.len(), 1);
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let d = err("openapi: 3.0.3\ninfo: [unclosed\n");
        assert!(d.0[0].message.contains("line 3"), "{d}");
    }

    #[test]
    fn versions_other_than_3_0_and_3_1_are_refused() {
        assert!(err("swagger: '2.0'\n").0[0].message.contains("Swagger 2.0"));
        assert!(err("openapi: 3.2.0\n").0[0].message.contains("3.2.0"));
        assert!(err("info: {}\n").0[0].message.contains("missing"));
    }

    #[test]
    fn shape_errors_carry_the_json_pointer() {
        let d = err("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n");
        assert_eq!(d.0[0].pointer, "#/paths/~1a/get/responses", "{d}");
    }

    #[test]
    fn shape_errors_in_moved_nodes_name_the_place_as_written() {
        // The property is moved into the object branch of the `type` array; its error is not.
        let d = err("openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A:\n      type: [object, string]\n      properties: {a: 7}\n");
        assert_eq!(d.0[0].pointer, "#/components/schemas/A/properties/a", "{d}");
    }

    #[test]
    fn a_3_1_document_without_paths_loads_with_its_webhooks() {
        let spec = load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  ping:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object}\n").unwrap();
        assert_eq!(spec.version, Version::V3_1);
        assert!(spec.paths.paths.is_empty());
        assert!(spec.webhooks["ping"].post.is_some());
    }
}
