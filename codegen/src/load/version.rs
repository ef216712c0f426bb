//! Reads the `openapi` field before the document's shape is checked, so a Swagger 2.0 or OpenAPI 3.2
//! document is told what it is instead of getting a list of mismatched fields, and a 3.1 document goes
//! through the 3.1 stage (`oas31`) first.

use crate::diagnostics::{Diagnostic, Diagnostics};
use serde_json::Value;

/// The OpenAPI versions the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 3.0.x: read as it is.
    V3_0,
    /// 3.1.x: rewritten into the 3.0 model first.
    V3_1,
}

/// Checks the `openapi` field (wherever it is among the top-level keys). A YAML `openapi: 3.0` (a
/// number) is turned into the string it meant.
pub(crate) fn check(value: &mut Value) -> Result<Version, Diagnostics> {
    let Some(root) = value.as_object_mut() else {
        let found = describe(value);
        return Err(Diagnostic::new(
            "#",
            format!("the spec must be a mapping at the top level, not {found}"),
        )
        .with_hint(
            "an OpenAPI document starts with `openapi: 3.1.1` (or 3.0.3), `info` and `paths`",
        )
        .into());
    };
    if let Some(swagger) = root.get("swagger") {
        let version = match swagger {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return Err(Diagnostic::new(
            "#/swagger",
            format!(
                "this is a Swagger {version} document; only OpenAPI 3.0.x and 3.1.x are supported"
            ),
        )
        .with_hint(
            "convert it to OpenAPI 3.0 first, e.g. `npx swagger2openapi spec.yaml -o openapi.yaml`",
        )
        .into());
    }
    let version = match root.get("openapi") {
        None => {
            return Err(Diagnostic::new(
                "#",
                "the `openapi` field is missing: this is not an OpenAPI 3.0 or 3.1 document",
            )
            .with_hint("start the document with `openapi: 3.1.1` (or 3.0.3)")
            .into())
        }
        Some(Value::String(v)) => v.trim().to_owned(),
        // `openapi: 3.0` or `openapi: 3.1` in YAML is a number.
        Some(Value::Number(n)) if n.as_f64() == Some(3.0) => "3.0".to_owned(),
        Some(Value::Number(n)) if n.as_f64() == Some(3.1) => "3.1".to_owned(),
        Some(other) => {
            return Err(Diagnostic::new(
                "#/openapi",
                format!(
                    "`openapi` must be a version string such as \"3.1.1\", not {}",
                    describe(other)
                ),
            )
            .with_hint("quote the version: `openapi: \"3.1.1\"`")
            .into())
        }
    };
    let read = if version == "3.0" || version.starts_with("3.0.") {
        Version::V3_0
    } else if version == "3.1" || version.starts_with("3.1.") {
        Version::V3_1
    } else {
        return Err(refused(&version).into());
    };
    root.insert("openapi".to_owned(), Value::String(version));
    Ok(read)
}

/// The diagnostic for a version the loader does not read.
fn refused(version: &str) -> Diagnostic {
    if version == "3.2" || version.starts_with("3.2.") {
        return Diagnostic::new(
            "#/openapi",
            format!("OpenAPI {version} documents are not supported yet; 3.0.x and 3.1.x are"),
        )
        .with_hint(
            "3.2 adds the `query` method, `additionalOperations`, `in: querystring`, streamed \
             `itemSchema` and `$self`; a document that uses none of them reads as 3.1: set \
             `openapi: 3.1.1`",
        );
    }
    Diagnostic::new(
        "#/openapi",
        format!("OpenAPI version {version} is not supported; only 3.0.x and 3.1.x are"),
    )
    .with_hint("the generator reads OpenAPI 3.0.x and 3.1.x documents (`openapi: 3.1.1`)")
}

/// A JSON value as a person would name it in a message: `the number 42`, `a list`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() <= 40 => format!("the string {s:?}"),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(mut value: Value) -> Diagnostic {
        check(&mut value).expect_err("must be refused").0.remove(0)
    }

    #[test]
    fn versions_3_0_and_3_1_pass() {
        for (ok, version) in [
            ("3.0.0", Version::V3_0),
            ("3.0.3", Version::V3_0),
            ("3.0", Version::V3_0),
            ("3.1.0", Version::V3_1),
            ("3.1.1", Version::V3_1),
            ("3.1.2", Version::V3_1),
            ("3.1", Version::V3_1),
        ] {
            assert_eq!(check(&mut json!({ "openapi": ok })).expect(ok), version);
        }
        let mut number = json!({"openapi": 3.0});
        assert_eq!(check(&mut number).expect("3.0 as a number"), Version::V3_0);
        assert_eq!(number["openapi"], "3.0");
        let mut number = json!({"openapi": 3.1});
        assert_eq!(check(&mut number).expect("3.1 as a number"), Version::V3_1);
        assert_eq!(number["openapi"], "3.1");
    }

    #[test]
    fn the_version_may_come_last() {
        let mut doc = json!({"info": {}, "paths": {}, "openapi": "3.1.0"});
        assert_eq!(check(&mut doc).expect("3.1"), Version::V3_1);
    }

    #[test]
    fn other_documents_are_named() {
        let d = refused(json!({"swagger": "2.0"}));
        assert_eq!(d.pointer, "#/swagger");
        assert!(d.message.contains("Swagger 2.0"));
        assert!(d.hint.unwrap().contains("swagger2openapi"));
        let d = refused(json!({"openapi": "3.2.0"}));
        assert_eq!(d.pointer, "#/openapi");
        assert!(d.message.contains("3.2.0"));
        assert!(d.hint.unwrap().contains("openapi: 3.1.1"));
        let d = refused(json!({"openapi": "2.5"}));
        assert!(d.message.contains("2.5"));
        let d = refused(json!({"info": {}}));
        assert_eq!(d.pointer, "#");
        assert!(d.message.contains("missing"));
        let d = refused(json!([1]));
        assert!(d.message.contains("a list"));
        let d = refused(json!({"openapi": 3.2}));
        assert!(d.message.contains("the number 3.2"));
    }
}
