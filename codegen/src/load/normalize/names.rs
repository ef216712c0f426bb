//! Keys for hoisted `components` entries: readable, derived from where the node was
//! (`#/components/schemas/Disk/properties/filesystem` → `DiskFilesystem`), and never equal to an
//! existing key even after case conversion (so the Rust type names cannot collide either).

use crate::load::grammar::{Kind, METHODS};
use heck::ToUpperCamelCase;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The keys taken in each section, folded (lowercase letters and digits only).
#[derive(Default)]
pub(crate) struct Taken(HashMap<String, HashSet<String>>);

fn fold(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Taken {
    /// Marks a key of a section as taken.
    pub(crate) fn take(&mut self, section: &str, key: &str) {
        self.0
            .entry(section.to_owned())
            .or_default()
            .insert(fold(key));
    }

    /// A fresh key from a base name: the base itself, else the base with 2, 3, ... appended.
    pub(crate) fn fresh(&mut self, section: &str, base: &str) -> String {
        let taken = self.0.entry(section.to_owned()).or_default();
        let mut key = base.to_owned();
        let mut n = 2;
        while !taken.insert(fold(&key)) {
            key = format!("{base}{n}");
            n += 1;
        }
        key
    }
}

/// The base name for the node at `tokens` (which exists in `document`) when hoisted into a section.
pub(crate) fn base_name(document: &Value, tokens: &[String], kind: Kind) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut parent = Kind::Document;
    let mut node = document;
    // The response, request body, parameter or header whose content or schema the path is in.
    let mut owner = Kind::Document;
    let mut previous = "";
    for token in tokens {
        let child = match node {
            Value::Object(m) => m.get(token),
            Value::Array(a) => token.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        let (Some(child), Some(child_kind)) = (child, step(parent, token)) else {
            break;
        };
        match (parent, token.as_str()) {
            (Kind::Document | Kind::Components, _) => {}
            (Kind::MapOf(_), key) if previous_is_section(parent, previous) => {
                words.push(key.to_owned())
            }
            (Kind::Paths, path) => words.push(path.to_owned()),
            (Kind::PathItem, method) if METHODS.contains(&method) => {
                match child.get("operationId").and_then(Value::as_str) {
                    Some(id) => words = vec![id.to_owned()],
                    None => words.push(method.to_owned()),
                }
            }
            (Kind::PathItem | Kind::Operation, "parameters" | "responses" | "callbacks") => {}
            (Kind::ListOf(Kind::Parameter), i) => words.push(
                child
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("Param{i}"), str::to_owned),
            ),
            (Kind::Operation, "requestBody") => words.push("Request".to_owned()),
            (Kind::Response | Kind::RequestBody | Kind::Parameter | Kind::Header, "content") => {}
            (Kind::MapOf(Kind::MediaType), _) => {}
            (Kind::MediaType, "schema") => match owner {
                Kind::Response => words.push("ResponseBody".to_owned()),
                Kind::RequestBody if words.last().is_some_and(|w| w == "Request") => {
                    words.push("Body".to_owned())
                }
                Kind::RequestBody => words.push("RequestBody".to_owned()),
                _ => {}
            },
            (Kind::Parameter | Kind::Header, "schema") => {}
            (Kind::Schema, "properties" | "allOf" | "oneOf" | "anyOf" | "$defs") => {}
            (Kind::Schema, "items") => words.push("Item".to_owned()),
            (Kind::Schema, "additionalProperties") => words.push("Value".to_owned()),
            (Kind::ListOf(Kind::Schema), i) => {
                words.push(format!("{}{i}", previous.to_upper_camel_case()))
            }
            (Kind::Response, "headers" | "links") | (Kind::Encoding, "headers") => {}
            (Kind::MediaType, "encoding") => {}
            _ => words.push(token.clone()),
        }
        if matches!(
            child_kind,
            Kind::Response | Kind::RequestBody | Kind::Parameter | Kind::Header
        ) {
            owner = child_kind;
        }
        previous = token;
        parent = child_kind;
        node = child;
    }
    // `UsersMePut204` is a response: say so.
    if kind == Kind::Response
        && words
            .last()
            .is_some_and(|w| w == "default" || w.starts_with(|c: char| c.is_ascii_digit()))
    {
        words.push("Response".to_owned());
    }
    let name: String = words
        .iter()
        .map(|w| {
            let ascii: String = w
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
                .collect();
            ascii.to_upper_camel_case()
        })
        .collect();
    match name.is_empty() {
        // `a request body` → `RequestBody`.
        true => kind
            .noun()
            .split_once(' ')
            .map_or("Item", |(_, n)| n)
            .to_upper_camel_case(),
        false => name,
    }
}

fn step(parent: Kind, token: &str) -> Option<Kind> {
    match parent {
        Kind::ListOf(_) => token.parse::<usize>().ok().and_then(|_| parent.item()),
        _ => parent.child(token),
    }
}

/// Whether a map is a `components` section (its keys are component names), judging by the key that
/// led to it.
fn previous_is_section(map: Kind, previous: &str) -> bool {
    Kind::Components.child(previous) == Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn name(doc: &Value, pointer: &str, kind: Kind) -> String {
        let tokens = crate::load::normalize::pointer::parse(pointer).unwrap();
        base_name(doc, &tokens, kind)
    }

    #[test]
    fn names_read_like_the_place() {
        let doc = json!({
            "paths": {"/users/{id}/me": {
                "put": {"responses": {"204": {"description": "none"}},
                        "parameters": [{"name": "page_size", "in": "query"}]},
                "post": {"operationId": "createMe",
                         "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                         "responses": {"default": {"description": "x"}}}}},
            "components": {
                "schemas": {"Disk": {"properties": {"filesystem": {"type": "string"},
                    "tags": {"items": {"oneOf": [{"type": "string"}]}}}}},
                "responses": {"Conflict": {"content": {"application/json": {"schema": {}}}}},
                "parameters": {"automation_actions_action_type": {"schema": {"type": "string"}}}}
        });
        assert_eq!(
            name(
                &doc,
                "#/components/schemas/Disk/properties/filesystem",
                Kind::Schema
            ),
            "DiskFilesystem"
        );
        assert_eq!(
            name(
                &doc,
                "#/components/schemas/Disk/properties/tags/items/oneOf/0",
                Kind::Schema
            ),
            "DiskTagsItemOneOf0"
        );
        assert_eq!(
            name(
                &doc,
                "#/components/responses/Conflict/content/application~1json/schema",
                Kind::Schema
            ),
            "ConflictResponseBody"
        );
        assert_eq!(
            name(
                &doc,
                "#/paths/~1users~1{id}~1me/put/responses/204",
                Kind::Response
            ),
            "UsersIdMePut204Response"
        );
        assert_eq!(
            name(
                &doc,
                "#/paths/~1users~1{id}~1me/put/parameters/0",
                Kind::Parameter
            ),
            "UsersIdMePutPageSize"
        );
        assert_eq!(
            name(
                &doc,
                "#/paths/~1users~1{id}~1me/post/requestBody/content/application~1json/schema",
                Kind::Schema
            ),
            "CreateMeRequestBody"
        );
        assert_eq!(
            name(
                &doc,
                "#/paths/~1users~1{id}~1me/post/responses/default",
                Kind::Response
            ),
            "CreateMeDefaultResponse"
        );
        assert_eq!(
            name(
                &doc,
                "#/components/parameters/automation_actions_action_type/schema",
                Kind::Schema
            ),
            "AutomationActionsActionType"
        );
    }

    #[test]
    fn fresh_keys_never_collide_after_case_conversion() {
        let mut taken = Taken::default();
        taken.take("schemas", "disk_filesystem");
        assert_eq!(taken.fresh("schemas", "DiskFilesystem"), "DiskFilesystem2");
        assert_eq!(taken.fresh("schemas", "DiskFilesystem"), "DiskFilesystem3");
        assert_eq!(taken.fresh("responses", "DiskFilesystem"), "DiskFilesystem");
    }
}
