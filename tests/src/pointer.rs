//! Whether a diagnostic's JSON pointer names a node that exists in the spec text it was made from.

use serde_yaml::Value;

/// True when `pointer` (`#/paths/~1items/get/parameters/10`, `~1` and `~0` escaped) names a node of
/// `spec_text` (YAML or JSON): each token a key of a mapping (keys such as `200` may be numbers) or an
/// index of a sequence.
///
/// A component the loader hoisted out of a deep `$ref` is marked `x-origin: <where it was>`, and its
/// diagnostics name that place; so a pointer under a component's `x-origin` also resolves when the
/// rest of it is found in the component.
///
/// # Panics
///
/// If `spec_text` is not YAML: this is test support, called on fixtures that load.
pub fn resolves(spec_text: &str, pointer: &str) -> bool {
    let root: Value = serde_yaml::from_str(spec_text).expect("the spec is YAML");
    let Some(wanted) = tokens(pointer) else {
        return false;
    };
    if find(&root, &wanted).is_some() {
        return true;
    }
    let components = find(&root, &["components".to_owned()]).and_then(Value::as_mapping);
    components
        .into_iter()
        .flat_map(|sections| sections.values())
        .filter_map(Value::as_mapping)
        .flat_map(|entries| entries.values())
        .any(|entry| {
            let origin = entry.get("x-origin").and_then(Value::as_str);
            origin
                .and_then(tokens)
                .and_then(|origin| wanted.strip_prefix(origin.as_slice()))
                .is_some_and(|rest| find(entry, rest).is_some())
        })
}

/// `#/a/b~1c` → `["a", "b/c"]`; `#` → `[]`; `None` when it is not a pointer.
fn tokens(pointer: &str) -> Option<Vec<String>> {
    let path = pointer.strip_prefix('#')?;
    if path.is_empty() {
        return Some(Vec::new());
    }
    let path = path.strip_prefix('/')?;
    Some(
        path.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

fn find<'v>(mut node: &'v Value, tokens: &[String]) -> Option<&'v Value> {
    for token in tokens {
        node = match node {
            Value::Mapping(map) => map.iter().find_map(|(key, value)| {
                let name = match key {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                (name == *token).then_some(value)
            })?,
            Value::Sequence(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::resolves;

    const SPEC: &str = "\
paths:
  /items/{id}:
    get:
      parameters: [a, b]
      responses:
        200: {description: ok}
  a~b: {}
components:
  schemas:
    Hoisted:
      x-origin: '#/paths/~1items~1{id}/get/responses/200/content'
      properties: {a: {pattern: x}}
";

    #[test]
    fn existing_nodes_resolve() {
        for pointer in [
            "#",
            "#/paths",
            "#/paths/~1items~1{id}/get/parameters/1",
            "#/paths/~1items~1{id}/get/responses/200/description",
            "#/paths/a~0b",
            // In the component hoisted from there.
            "#/paths/~1items~1{id}/get/responses/200/content/properties/a/pattern",
        ] {
            assert!(resolves(SPEC, pointer), "{pointer}");
        }
    }

    #[test]
    fn missing_nodes_and_non_pointers_do_not() {
        for pointer in [
            "#/paths/~1items~1{id}/get/parameters/2",
            "#/paths/~1items~1{id}/post",
            "#/paths/items",
            "#/paths/~1items~1{id}/get/parameters/x",
            "#/paths/~1items~1{id}/get/responses/200/content/properties/b",
            "#/paths/~1items~1{id}/get/responses/200/contents",
            "#paths",
            "/paths",
        ] {
            assert!(!resolves(SPEC, pointer), "{pointer}");
        }
    }
}
