//! What values a schema allows: `type` arrays (nullability, several types), `const`, and `oneOf`s
//! that only list constants.

use super::Stage;
use crate::load::version::describe;
use serde_json::{Map, Value};

/// The JSON Schema types.
const TYPES: [&str; 7] = [
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// The keywords that apply to values of one type, which follow that type into its `anyOf` branch
/// when a `type` array is split (`format` is placed by [`format_type`]).
fn keywords_of(typ: &str) -> &'static [&'static str] {
    match typ {
        "string" => &[
            "pattern",
            "minLength",
            "maxLength",
            "contentEncoding",
            "contentMediaType",
        ],
        "number" | "integer" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
        "array" => &[
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
            "unevaluatedItems",
        ],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "propertyNames",
            "unevaluatedProperties",
            "minProperties",
            "maxProperties",
            "dependentRequired",
        ],
        _ => &[],
    }
}

/// The type a `format` describes values of.
fn format_type(format: &str) -> &'static str {
    match format {
        "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64"
        | "unix-time" => "integer",
        "float" | "double" | "decimal" => "number",
        _ => "string",
    }
}

/// The types a JSON value is of (an integral number is an integer and a number).
fn types_of(value: &Value) -> &'static [&'static str] {
    match value {
        Value::Null => &["null"],
        Value::Bool(_) => &["boolean"],
        Value::Number(n) if n.is_i64() || n.is_u64() => &["integer", "number"],
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => &["integer", "number"],
        Value::Number(_) => &["number"],
        Value::String(_) => &["string"],
        Value::Array(_) => &["array"],
        Value::Object(_) => &["object"],
    }
}

/// The types `type` names, when it names only known ones (a string or a list).
fn declared(schema: &Map<String, Value>) -> Option<Vec<&str>> {
    let names: Vec<&str> = match schema.get("type")? {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().map(Value::as_str).collect::<Option<_>>()?,
        _ => return None,
    };
    names.iter().all(|n| TYPES.contains(n)).then_some(names)
}

/// A value as it reads in a message: compact JSON, shortened.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// `const: v` → `enum: [v]` (a one-value enum; for a list or an object, the `type` says what it
/// is). False, with an error, when the schema allows no value: the constant is not of its `type`, or
/// not among its `enum` values.
pub(super) fn constant(
    stage: &mut Stage,
    schema: &mut Map<String, Value>,
    path: &[String],
) -> bool {
    let Some(value) = schema.get("const") else {
        return true;
    };
    if let Some(types) = declared(schema) {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let fits =
            types_of(value).iter().any(|t| types.contains(t)) || (value.is_null() && nullable);
        if !fits {
            let message = format!(
                "`const: {}` is not a value of `type: {}`, so no value is valid here",
                shown(value),
                types.join(", ")
            );
            stage.error(
                path,
                &["const"],
                message,
                "give `type` the constant's type, or remove one of the two",
            );
            return false;
        }
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        if !values.contains(value) {
            let message = format!(
                "`const: {}` is not among the `enum` values, so no value is valid here",
                shown(value)
            );
            stage.error(path, &["const"], message, "remove `const` or `enum`");
            return false;
        }
    }
    if let Some(value) = schema.remove("const") {
        if !value.is_array() && !value.is_object() {
            schema.insert("enum".to_owned(), Value::Array(vec![value]));
        }
    }
    true
}

/// Keywords a member of a `oneOf` of constants may have besides its value.
const CONSTANT_MEMBER: [&str; 7] = [
    "const",
    "enum",
    "title",
    "description",
    "type",
    "deprecated",
    "$comment",
];

/// `oneOf` (or `anyOf`) whose members are only constants of one type (`{const: 1, title: GUILD_TEXT}`,
/// the way 3.1 documents name enum values) → one `enum`, each member's title and description kept
/// as the value's documentation (`x-enum-descriptions`). A `{type: "null"}` member makes it nullable.
pub(super) fn enum_of_constants(schema: &mut Map<String, Value>) {
    if schema.contains_key("enum") {
        return;
    }
    for keyword in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = schema.get(keyword) else {
            continue;
        };
        let Some(found) = constants(members) else {
            return;
        };
        schema.remove(keyword);
        if !schema.contains_key("type") {
            schema.insert("type".to_owned(), Value::String(found.typ.to_owned()));
        }
        if found.nullable {
            schema.insert("nullable".to_owned(), Value::Bool(true));
        }
        if !found.docs.is_empty() {
            let docs = schema
                .entry("x-enum-descriptions")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(docs) = docs {
                for (value, doc) in found.docs {
                    docs.entry(value).or_insert(Value::String(doc));
                }
            }
        }
        schema.insert("enum".to_owned(), Value::Array(found.values));
        return;
    }
}

/// The constants of a union that lists only constants.
struct Constants {
    values: Vec<Value>,
    typ: &'static str,
    nullable: bool,
    /// (value as text, documentation).
    docs: Vec<(String, String)>,
}

fn constants(members: &[Value]) -> Option<Constants> {
    let mut found = Constants {
        values: Vec::new(),
        typ: "",
        nullable: false,
        docs: Vec::new(),
    };
    for member in members {
        let member = member.as_object()?;
        if member
            .keys()
            .any(|k| !CONSTANT_MEMBER.contains(&k.as_str()) && !k.starts_with("x-"))
        {
            return None;
        }
        let values: Vec<Value> = match (member.get("const"), member.get("enum")) {
            (Some(c), None) => vec![c.clone()],
            (None, Some(Value::Array(e))) => e.clone(),
            (None, None) if member.get("type").and_then(Value::as_str) == Some("null") => {
                found.nullable = true;
                continue;
            }
            _ => return None,
        };
        for value in values {
            if value.is_null() {
                found.nullable = true;
                continue;
            }
            let typ = match &value {
                Value::String(_) => "string",
                Value::Bool(_) => "boolean",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
                _ => return None,
            };
            if let Some(declared) = member.get("type") {
                if !declared
                    .as_str()
                    .is_some_and(|d| types_of(&value).contains(&d))
                {
                    return None;
                }
            }
            found.typ = match (found.typ, typ) {
                ("", t) => t,
                (a, b) if a == b => a,
                ("integer", "number") | ("number", "integer") => "number",
                _ => return None,
            };
            let doc = match (member.get("title"), member.get("description")) {
                (Some(Value::String(t)), Some(Value::String(d))) => format!("`{t}`: {d}"),
                (Some(Value::String(t)), _) => format!("`{t}`"),
                (_, Some(Value::String(d))) => d.clone(),
                _ => String::new(),
            };
            if found.values.contains(&value) {
                continue;
            }
            if !doc.is_empty() {
                let text = match &value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                found.docs.push((text, doc));
            }
            found.values.push(value);
        }
    }
    (!found.values.is_empty()).then_some(found)
}

/// `type: [..]`: `null` among the types → `nullable: true`; one other type → that type; several →
/// an `anyOf` of one branch per type, each with the keywords and `enum` values of its type (the
/// others stay around it). An unknown type name is an error.
pub(super) fn type_array(stage: &mut Stage, schema: &mut Map<String, Value>, path: &[String]) {
    let Some(Value::Array(list)) = schema.get("type") else {
        return;
    };
    let mut names: Vec<&'static str> = Vec::new();
    let mut unknown = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match item.as_str().and_then(|n| TYPES.iter().find(|t| **t == n)) {
            Some(name) if !names.contains(name) => names.push(name),
            Some(_) => {}
            None => unknown.push((i, describe(item))),
        }
    }
    if !unknown.is_empty() {
        for (i, what) in unknown {
            stage.error(
                path,
                &["type", &i.to_string()],
                format!("`type` lists {what}, which is not a JSON Schema type"),
                "the types are string, number, integer, boolean, array, object and null",
            );
        }
        schema.remove("type");
        return;
    }
    let nullable = names.contains(&"null");
    names.retain(|n| *n != "null");
    // Every integer is a number.
    if names.contains(&"number") {
        names.retain(|n| *n != "integer");
    }
    if nullable {
        schema.insert("nullable".to_owned(), Value::Bool(true));
    }
    // The types some `enum` value is of: a type no value has allows nothing here.
    if let Some(Value::Array(values)) = schema.get("enum") {
        let of_values: Vec<&str> = values.iter().flat_map(types_of).copied().collect();
        names.retain(|n| of_values.contains(n));
    }
    match names.as_slice() {
        [] if nullable => {
            schema.insert("type".to_owned(), Value::String("null".to_owned()));
        }
        [] => {
            schema.remove("type");
        }
        [one] => {
            schema.insert("type".to_owned(), Value::String((*one).to_owned()));
        }
        _ if ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| schema.contains_key(*k)) =>
        {
            // The members say which types they are.
            schema.remove("type");
        }
        _ => split(stage, schema, path, &names),
    }
}

/// One `anyOf` branch per type.
fn split(stage: &mut Stage, schema: &mut Map<String, Value>, path: &[String], names: &[&str]) {
    schema.remove("type");
    let values = match schema.remove("enum") {
        Some(Value::Array(values)) => Some(values),
        _ => None,
    };
    let format = schema
        .get("format")
        .and_then(Value::as_str)
        .map(format_type)
        .filter(|t| names.contains(t));
    let mut branches = Vec::with_capacity(names.len());
    for (i, typ) in names.iter().enumerate() {
        let index = i.to_string();
        let mut branch = Map::new();
        branch.insert("type".to_owned(), Value::String((*typ).to_owned()));
        let mut keys: Vec<&str> = keywords_of(typ).to_vec();
        if format == Some(*typ) {
            keys.push("format");
        }
        for key in keys {
            if let Some(value) = schema.remove(key) {
                branch.insert(key.to_owned(), value);
                stage.moved(path, &["anyOf", &index, key], &[key]);
            }
        }
        if let Some(values) = &values {
            let mine: Vec<Value> = values
                .iter()
                .filter(|v| types_of(v).contains(typ))
                .cloned()
                .collect();
            branch.insert("enum".to_owned(), Value::Array(mine));
        }
        branches.push(Value::Object(branch));
    }
    schema.insert("anyOf".to_owned(), Value::Array(branches));
}
