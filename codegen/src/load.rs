//! Load: spec text (YAML or JSON) → `openapiv3::OpenAPI`, with every failure as a located diagnostic.

use crate::diagnostics::{Diagnostic, Diagnostics, Pointer};
use openapiv3::OpenAPI;
use serde::Deserialize;
use serde_json::Value;

/// Parses spec text. JSON is valid YAML, so one parser serves both.
pub fn load(text: &str) -> Result<OpenAPI, Diagnostics> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let at = match e.location() {
            Some(l) => format!("line {}, column {}", l.line(), l.column()),
            None => "unknown position".to_owned(),
        };
        Diagnostic::new(
            "#",
            format!("the spec is not valid YAML or JSON ({at}): {e}"),
        )
    })?;
    let value = to_json(yaml, &Pointer::root())?;
    check_version(&value)?;
    OpenAPI::deserialize(&value).map_err(|e| {
        let pointer = locate(&value, Pointer::root(), Kind::Document);
        Diagnostic::new(
            pointer.as_str(),
            format!("not a valid OpenAPI 3.0 document here: {e}"),
        )
        .into()
    })
}

/// What a node of the document should be, for [`locate`].
#[derive(Clone, Copy)]
enum Kind {
    Document,
    Paths,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Responses,
    Response,
    MediaType,
    Schema,
    Components,
    SecurityScheme,
    Header,
    /// A map whose every value is of the inner kind.
    MapOf(&'static Kind),
    /// A list whose every item is of the inner kind.
    ListOf(&'static Kind),
}

fn parses(value: &Value, kind: Kind) -> bool {
    use openapiv3::*;
    fn ok<'de, T: Deserialize<'de>>(v: &'de Value) -> bool {
        T::deserialize(v).is_ok()
    }
    match kind {
        Kind::Document => ok::<OpenAPI>(value),
        Kind::Paths => ok::<Paths>(value),
        Kind::PathItem => ok::<ReferenceOr<PathItem>>(value),
        Kind::Operation => ok::<Operation>(value),
        Kind::Parameter => ok::<ReferenceOr<Parameter>>(value),
        Kind::RequestBody => ok::<ReferenceOr<RequestBody>>(value),
        Kind::Responses => ok::<Responses>(value),
        Kind::Response => ok::<ReferenceOr<Response>>(value),
        Kind::MediaType => ok::<MediaType>(value),
        Kind::Schema => ok::<ReferenceOr<Schema>>(value),
        Kind::Components => ok::<Components>(value),
        Kind::SecurityScheme => ok::<ReferenceOr<SecurityScheme>>(value),
        Kind::Header => ok::<ReferenceOr<Header>>(value),
        Kind::MapOf(inner) => value
            .as_object()
            .is_some_and(|m| m.values().all(|v| parses(v, *inner))),
        Kind::ListOf(inner) => value
            .as_array()
            .is_some_and(|a| a.iter().all(|v| parses(v, *inner))),
    }
}

/// The known children of a node and what each should be.
fn children(value: &Value, kind: Kind) -> Vec<(String, Kind)> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let keyed = |pairs: &[(&str, Kind)]| -> Vec<(String, Kind)> {
        pairs
            .iter()
            .filter(|(k, _)| value.get(k).is_some())
            .map(|(k, kind)| ((*k).to_owned(), *kind))
            .collect()
    };
    // A node of the wrong container type (a list where a map belongs) is itself the problem: no descent.
    let every_key = |inner: Kind| -> Vec<(String, Kind)> {
        match value {
            Value::Object(m) => m
                .keys()
                .filter(|k| !k.starts_with("x-"))
                .map(|k| (k.clone(), inner))
                .collect(),
            _ => Vec::new(),
        }
    };
    let every_index = |inner: Kind| -> Vec<(String, Kind)> {
        match value {
            Value::Array(a) => (0..a.len()).map(|i| (i.to_string(), inner)).collect(),
            _ => Vec::new(),
        }
    };
    match kind {
        Kind::Document => keyed(&[("paths", Kind::Paths), ("components", Kind::Components)]),
        Kind::Paths => every_key(Kind::PathItem),
        Kind::PathItem => {
            let mut c: Vec<(String, Kind)> = METHODS
                .iter()
                .filter(|m| value.get(**m).is_some())
                .map(|m| ((*m).to_owned(), Kind::Operation))
                .collect();
            c.extend(keyed(&[("parameters", Kind::ListOf(&Kind::Parameter))]));
            c
        }
        Kind::Operation => keyed(&[
            ("parameters", Kind::ListOf(&Kind::Parameter)),
            ("requestBody", Kind::RequestBody),
            ("responses", Kind::Responses),
        ]),
        Kind::Parameter | Kind::Header => keyed(&[
            ("schema", Kind::Schema),
            ("content", Kind::MapOf(&Kind::MediaType)),
        ]),
        Kind::RequestBody => keyed(&[("content", Kind::MapOf(&Kind::MediaType))]),
        Kind::Responses => every_key(Kind::Response),
        Kind::Response => keyed(&[
            ("content", Kind::MapOf(&Kind::MediaType)),
            ("headers", Kind::MapOf(&Kind::Header)),
        ]),
        Kind::MediaType => keyed(&[("schema", Kind::Schema)]),
        Kind::Schema => {
            let mut c = keyed(&[
                ("properties", Kind::MapOf(&Kind::Schema)),
                ("items", Kind::Schema),
                ("additionalProperties", Kind::Schema),
                ("allOf", Kind::ListOf(&Kind::Schema)),
                ("oneOf", Kind::ListOf(&Kind::Schema)),
                ("anyOf", Kind::ListOf(&Kind::Schema)),
                ("not", Kind::Schema),
            ]);
            // `additionalProperties: true` is a boolean, not a schema.
            c.retain(|(k, _)| k != "additionalProperties" || value[k].is_object());
            c
        }
        Kind::Components => keyed(&[
            ("schemas", Kind::MapOf(&Kind::Schema)),
            ("parameters", Kind::MapOf(&Kind::Parameter)),
            ("requestBodies", Kind::MapOf(&Kind::RequestBody)),
            ("responses", Kind::MapOf(&Kind::Response)),
            ("headers", Kind::MapOf(&Kind::Header)),
            ("securitySchemes", Kind::MapOf(&Kind::SecurityScheme)),
        ]),
        Kind::SecurityScheme => Vec::new(),
        Kind::MapOf(inner) => every_key(*inner),
        Kind::ListOf(inner) => every_index(*inner),
    }
}

/// The deepest node that fails to parse as what it should be. serde's own error path stops at the
/// first `#[serde(flatten)]` (openapiv3 flattens extensions into nearly every object), so the
/// document is re-checked one known child at a time, descending into the first failing child.
fn locate(value: &Value, at: Pointer, kind: Kind) -> Pointer {
    for (key, child_kind) in children(value, kind) {
        let child = match value {
            Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => value.get(&key),
        };
        if let Some(child) = child {
            if !parses(child, child_kind) {
                return locate(child, at.push(&key), child_kind);
            }
        }
    }
    at
}

/// YAML allows non-string mapping keys (`200:` is an integer); OpenAPI's keys are all strings.
fn to_json(yaml: serde_yaml::Value, at: &Pointer) -> Result<Value, Diagnostics> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                // NaN and infinities have no JSON form.
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Diagnostics::from(Diagnostic::new(
                            at.as_str(),
                            format!("number {n} has no JSON form"),
                        ))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| to_json(v, &at.push(i.to_string())))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Diagnostic::new(
                            at.as_str(),
                            format!("mapping key {other:?} is not a string"),
                        )
                        .into())
                    }
                };
                let child = to_json(v, &at.push(&key))?;
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => to_json(tagged.value, at)?,
    })
}

fn check_version(value: &Value) -> Result<(), Diagnostics> {
    let Some(root) = value.as_object() else {
        return Err(Diagnostic::new("#", "the spec is not a mapping at the top level").into());
    };
    if root.contains_key("swagger") {
        return Err(
            Diagnostic::new("#/swagger", "Swagger 2.0 documents are not supported")
                .with_hint("convert it to OpenAPI 3.0 first (e.g. with swagger2openapi)")
                .into(),
        );
    }
    match root.get("openapi") {
        None => Err(Diagnostic::new("#", "the `openapi` field is missing")
            .with_hint("start the document with `openapi: 3.0.3`")
            .into()),
        Some(Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => Ok(()),
        Some(Value::String(v)) => Err(Diagnostic::new(
            "#/openapi",
            format!("OpenAPI version {v} is not supported; only 3.0.x is"),
        )
        .into()),
        Some(other) => Err(Diagnostic::new(
            "#/openapi",
            format!("`openapi` must be a version string such as \"3.0.3\", not {other}"),
        )
        .into()),
    }
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
        assert!(d.0[0].message.contains("line 2"), "{d}");
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
