//! The `call` inputs of an operation, read from the spec: its parameters (path-item and operation
//! ones, the operation's winning), and its request body in the first media type the spec lists (JSON
//! first when there is one), all in the shape `call --input` reads.

use super::values::{self, Builder, Fill, Place, Samples, Spec};
use serde_json::{json, Map, Value};

/// What the spec says about one operation, for calling it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The input with the required parameters and body fields only (no body when it is optional).
    pub required: Value,
    /// The input with every parameter and body field.
    pub all: Value,
    /// Whether the success answer is JSON, so the printed body must parse as JSON.
    pub json_answer: bool,
    /// A required `Authorization` header parameter's value. OpenAPI says such a parameter is ignored
    /// (the client sends no argument for it), yet Prism checks it: when no security scheme sends the
    /// header, the call gives it with `--header`.
    pub authorization: Option<String>,
}

/// The plan for `method path`, or why there is none.
pub fn plan(spec: &Spec, method: &str, path: &str, samples: &Samples) -> Result<Plan, String> {
    let item = spec
        .root()
        .get("paths")
        .and_then(|paths| paths.get(path))
        .map(|item| spec.resolve(item))
        .ok_or_else(|| format!("the spec has no path `{path}`"))?;
    let method = method.to_ascii_lowercase();
    let operation = item
        .get(&method)
        .ok_or_else(|| format!("the spec has no `{method} {path}`"))?;
    let parameters = parameters(spec, item, operation);
    // The path parameters are the template's: one the template names but the spec does not declare is
    // a required string (the generator's reading too), one declared but not in the template is not sent.
    let named: Vec<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    let parameters: Vec<&Value> = parameters
        .into_iter()
        .filter(|p| {
            p.get("in").and_then(Value::as_str) != Some("path")
                || p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| named.contains(&n))
        })
        .collect();
    let undeclared: Vec<Value> = named
        .iter()
        .filter(|name| {
            !parameters.iter().any(|p| {
                p.get("in").and_then(Value::as_str) == Some("path")
                    && p.get("name").and_then(Value::as_str) == Some(**name)
            })
        })
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    let parameters: Vec<&Value> = parameters.into_iter().chain(&undeclared).collect();
    let required = input(spec, operation, &parameters, Fill::Required, samples)?;
    let all = input(spec, operation, &parameters, Fill::All, samples)?;
    let builder = Builder::new(spec, Fill::Required, samples);
    let authorization = parameters
        .iter()
        .find(|p| {
            p.get("in").and_then(Value::as_str) == Some("header")
                && p.get("required").and_then(Value::as_bool) == Some(true)
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
        })
        .and_then(|p| match parameter_value(spec, &builder, p)? {
            Value::String(text) => Some(text),
            other => Some(other.to_string()),
        });
    Ok(Plan {
        required,
        all,
        json_answer: json_answer(spec, operation),
        authorization,
    })
}

/// The operation's parameters: the path item's, replaced by the operation's of the same name and
/// location.
fn parameters<'a>(spec: &'a Spec, item: &'a Value, operation: &'a Value) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = Vec::new();
    let listed = |v: &'a Value| -> Vec<&'a Value> {
        v.get("parameters")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(|p| spec.resolve(p)).collect())
            .unwrap_or_default()
    };
    for parameter in listed(item).into_iter().chain(listed(operation)) {
        let key = |p: &Value| (p.get("name").cloned(), p.get("in").cloned());
        out.retain(|known| key(known) != key(parameter));
        out.push(parameter);
    }
    out
}

/// One input: the parameters `fill` asks for, and the body.
fn input(
    spec: &Spec,
    operation: &Value,
    parameters: &[&Value],
    fill: Fill,
    samples: &Samples,
) -> Result<Value, String> {
    let builder = Builder::new(spec, fill, samples);
    let mut sections: Map<String, Value> = Map::new();
    for parameter in parameters {
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let location = parameter
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let required =
            location == "path" || parameter.get("required").and_then(Value::as_bool) == Some(true);
        // OpenAPI: these header parameters are ignored; the client sets them itself.
        let ignored = location == "header"
            && ["accept", "content-type", "authorization"]
                .contains(&name.to_ascii_lowercase().as_str());
        if ignored || (!required && fill == Fill::Required) {
            continue;
        }
        let Some(value) = parameter_value(spec, &builder, parameter) else {
            if required {
                return Err(format!(
                    "no value can be made for the {location} parameter `{name}`"
                ));
            }
            continue;
        };
        let section = sections
            .entry(location.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(section) = section {
            section.insert(name.to_owned(), value);
        }
    }
    if let Some(body) = operation.get("requestBody").map(|b| spec.resolve(b)) {
        let required = body.get("required").and_then(Value::as_bool) == Some(true);
        if required || fill == Fill::All {
            let content = body.get("content").and_then(Value::as_object);
            if let Some((media_type, value)) = content.and_then(|c| body_value(&builder, c)) {
                sections.insert("body".to_owned(), value);
                if content.is_some_and(|c| c.len() > 1) {
                    sections.insert("content_type".to_owned(), json!(media_type));
                }
            } else if required {
                return Err("no value can be made for the request body".to_owned());
            }
        }
    }
    Ok(Value::Object(sections))
}

/// A parameter's value: its example when valid, else one built from its schema. A parameter given as
/// `content` is sent as the JSON text of its value, as the generated client takes it.
fn parameter_value(spec: &Spec, builder: &Builder<'_>, parameter: &Value) -> Option<Value> {
    if let Some(schema) = parameter.get("schema") {
        let examples = parameter.get("example").into_iter().chain(
            parameter
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|examples| examples.values())
                .filter_map(|example| spec.resolve(example).get("value")),
        );
        // A header cannot carry a line break (Box's `BoxApi` example holds one).
        let in_header = parameter.get("in").and_then(Value::as_str) == Some("header");
        let sendable = |example: &Value| {
            !in_header
                || !example
                    .as_str()
                    .is_some_and(|t| t.chars().any(char::is_control))
        };
        for example in examples {
            if !example.is_null() && sendable(example) && values::valid(spec, schema, example) {
                return Some(example.clone());
            }
        }
        return builder.value(schema, Place::Json);
    }
    let (_, media) = parameter.get("content")?.as_object()?.iter().next()?;
    let value = builder.value(media.get("schema")?, Place::Json)?;
    Some(Value::String(value.to_string()))
}

/// The body in the first media type offered, JSON preferred: (media type, value).
fn body_value(builder: &Builder<'_>, content: &Map<String, Value>) -> Option<(String, Value)> {
    let essence = |t: &str| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    let is_json = |t: &str| {
        let e = essence(t);
        e == "application/json" || e.ends_with("+json") || e == "text/json"
    };
    let (media_type, media) = content
        .iter()
        .find(|(t, _)| essence(t) == "application/json")
        .or_else(|| content.iter().find(|(t, _)| is_json(t) && !t.contains('*')))
        .or_else(|| content.iter().find(|(t, _)| !t.contains('*')))
        .or_else(|| content.iter().next())?;
    let schema = media.get("schema").cloned().unwrap_or(json!({}));
    let e = essence(media_type);
    let value = if is_json(media_type) || e == "application/x-www-form-urlencoded" {
        builder.value(&schema, Place::Json)?
    } else if e.starts_with("multipart/") {
        let mut value = builder.value(&schema, Place::Multipart)?;
        // A part's declared content type goes with its file.
        if let (Value::Object(fields), Some(Value::Object(encoding))) =
            (&mut value, media.get("encoding"))
        {
            for (name, part) in encoding {
                let content_type = part.get("contentType").and_then(Value::as_str);
                if let (Some(field @ Value::Object(_)), Some(content_type)) =
                    (fields.get_mut(name), content_type)
                {
                    if field.get("$file").is_some() {
                        *field = builder.file_reference(Some(content_type));
                    }
                }
            }
        }
        value
    } else if e.starts_with("text/") || e.ends_with("+xml") || e == "application/xml" {
        match builder.value(&schema, Place::Json) {
            Some(Value::String(text)) => Value::String(text),
            _ => Value::String("text".to_owned()),
        }
    } else {
        builder.file_reference(None)
    };
    Some((media_type.clone(), value))
}

/// Whether the first success answer the spec documents (the one Prism sends) is JSON.
fn json_answer(spec: &Spec, operation: &Value) -> bool {
    let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
        return false;
    };
    let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
    codes.sort();
    let Some(first) = codes.first() else {
        return false;
    };
    let response = spec.resolve(&responses[first.as_str()]);
    let content = response.get("content").and_then(Value::as_object);
    content.is_some_and(|content| {
        !content.is_empty()
            && content.keys().all(|t| {
                let e = t
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                e == "application/json" || e.ends_with("+json") || e == "text/json"
            })
    })
}

/// Whether two inputs differ, so that the second call is worth making.
pub fn differ(plan: &Plan) -> bool {
    plan.required != plan.all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_and_all_inputs_from_a_spec() {
        let spec = Spec::new(json!({
            "paths": {"/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}, "example": 7}],
                "post": {
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 5}},
                        {"name": "X-Trace", "in": "header", "required": true, "schema": {"type": "string", "format": "uuid"}},
                        {"name": "Accept", "in": "header", "required": true, "schema": {"type": "string"}}
                    ],
                    "requestBody": {"content": {"multipart/form-data": {
                        "schema": {"type": "object", "required": ["photo"], "properties": {
                            "photo": {"type": "string", "format": "binary"},
                            "note": {"type": "string"}}},
                        "encoding": {"photo": {"contentType": "image/png"}}}}},
                    "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            }}
        }));
        let samples = Samples::write(
            &std::env::temp_dir().join(format!("xtask-inputs-{}", std::process::id())),
        )
        .expect("samples");
        let plan = plan(&spec, "POST", "/pets/{id}", &samples).expect("a plan");
        let png = std::env::temp_dir()
            .join(format!("xtask-inputs-{}", std::process::id()))
            .join("sample.png")
            .display()
            .to_string();
        assert_eq!(
            plan.required,
            json!({"path": {"id": 7}, "header": {"X-Trace": "123e4567-e89b-12d3-a456-426614174000"}})
        );
        assert_eq!(
            plan.all,
            json!({
                "path": {"id": 7},
                "query": {"limit": 1},
                "header": {"X-Trace": "123e4567-e89b-12d3-a456-426614174000"},
                "body": {"photo": {"$file": png, "content_type": "image/png"}, "note": "string"}
            })
        );
        assert!(plan.json_answer && differ(&plan));
    }
}
