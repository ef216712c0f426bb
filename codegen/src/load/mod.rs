//! Load: spec text (YAML or JSON) → `openapiv3::OpenAPI`, with every failure as a located diagnostic.
//!
//! ```text
//! text ──parse──▶ JSON value ──version──▶ 3.0.x only ──normalize──▶ lowerable refs and bounds ──▶ OpenAPI
//! ```
//!
//! When the typed deserialization fails, `locate` finds the deepest offending node.

mod grammar;
mod locate;
mod normalize;
mod parse;
mod version;

use crate::diagnostics::Diagnostics;
use openapiv3::OpenAPI;
use serde::Deserialize;

/// Spec text (YAML or JSON) as a JSON value, as it is written: no version check, no normalization.
/// (`cargo xtask conformance` reads specs this way, to build its inputs from the spec itself.)
pub fn parse_text(text: &str) -> Result<serde_json::Value, Diagnostics> {
    parse::parse(text)
}

/// Parses, checks and normalizes spec text.
pub fn load(text: &str) -> Result<OpenAPI, Diagnostics> {
    let mut value = parse::parse(text)?;
    version::check(&mut value)?;
    normalize::normalize(&mut value)?;
    OpenAPI::deserialize(&value).map_err(|_| locate::diagnose(&value).into())
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
    fn versions_other_than_3_0_are_refused() {
        assert!(err("swagger: '2.0'\n").0[0].message.contains("Swagger 2.0"));
        assert!(err("openapi: 3.1.0\n").0[0].message.contains("3.1.0"));
        assert!(err("info: {}\n").0[0].message.contains("missing"));
    }

    #[test]
    fn shape_errors_carry_the_json_pointer() {
        let d = err("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n");
        assert_eq!(d.0[0].pointer, "#/paths/~1a/get/responses", "{d}");
    }
}
