//! Refuses documents that are not OpenAPI 3.0.x before their shape is checked, so a Swagger 2.0 or
//! OpenAPI 3.1 document is told what it is instead of getting a list of mismatched fields.

use crate::diagnostics::{Diagnostic, Diagnostics};
use serde_json::Value;

/// Checks the `openapi` field. A YAML `openapi: 3.0` (a number) is turned into the string it meant.
pub(crate) fn check(value: &mut Value) -> Result<(), Diagnostics> {
    let Some(root) = value.as_object_mut() else {
        let found = describe(value);
        return Err(Diagnostic::new(
            "#",
            format!("the spec must be a mapping at the top level, not {found}"),
        )
        .with_hint("an OpenAPI document starts with `openapi: 3.0.3`, `info` and `paths`")
        .into());
    };
    if let Some(swagger) = root.get("swagger") {
        let version = match swagger {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return Err(Diagnostic::new(
            "#/swagger",
            format!("this is a Swagger {version} document; only OpenAPI 3.0.x is supported"),
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
                "the `openapi` field is missing: this is not an OpenAPI 3.0 document",
            )
            .with_hint("start the document with `openapi: 3.0.3`")
            .into())
        }
        Some(Value::String(v)) => v.clone(),
        // `openapi: 3.0` in YAML is the number 3.0.
        Some(Value::Number(n)) if n.as_f64() == Some(3.0) => "3.0".to_owned(),
        Some(other) => {
            return Err(Diagnostic::new(
                "#/openapi",
                format!(
                    "`openapi` must be a version string such as \"3.0.3\", not {}",
                    describe(other)
                ),
            )
            .with_hint("quote the version: `openapi: \"3.0.3\"`")
            .into())
        }
    };
    if version == "3.0" || version.starts_with("3.0.") {
        root.insert("openapi".to_owned(), Value::String(version));
        return Ok(());
    }
    let d = if version == "3.1" || version.starts_with("3.1.") {
        Diagnostic::new(
            "#/openapi",
            format!("OpenAPI {version} documents are not supported; only 3.0.x is"),
        )
        .with_hint(
            "3.1 changed the schema language (`type: [string, \"null\"]`, numeric `exclusiveMinimum`, \
             `webhooks`); convert the document to 3.0, e.g. `npx @apiture/openapi-down-convert \
             --input spec.yaml --output spec-3.0.yaml`",
        )
    } else {
        Diagnostic::new(
            "#/openapi",
            format!("OpenAPI version {version} is not supported; only 3.0.x is"),
        )
        .with_hint("the generator reads OpenAPI 3.0.x documents (`openapi: 3.0.3`)")
    };
    Err(d.into())
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
    fn only_3_0_passes() {
        for ok in ["3.0.0", "3.0.3", "3.0"] {
            check(&mut json!({ "openapi": ok })).expect(ok);
        }
        let mut number = json!({"openapi": 3.0});
        check(&mut number).expect("3.0 as a number");
        assert_eq!(number["openapi"], "3.0");
    }

    #[test]
    fn other_documents_are_named() {
        let d = refused(json!({"swagger": "2.0"}));
        assert_eq!(d.pointer, "#/swagger");
        assert!(d.message.contains("Swagger 2.0"));
        assert!(d.hint.unwrap().contains("swagger2openapi"));
        let d = refused(json!({"openapi": "3.1.0"}));
        assert_eq!(d.pointer, "#/openapi");
        assert!(d.message.contains("3.1.0"));
        let d = refused(json!({"openapi": "2.5"}));
        assert!(d.message.contains("2.5"));
        let d = refused(json!({"info": {}}));
        assert_eq!(d.pointer, "#");
        assert!(d.message.contains("missing"));
        let d = refused(json!([1]));
        assert!(d.message.contains("a list"));
        let d = refused(json!({"openapi": 3.1}));
        assert!(d.message.contains("the number 3.1"));
    }
}
