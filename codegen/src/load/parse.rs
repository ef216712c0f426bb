//! Spec text → `serde_json::Value`. JSON documents go through serde_json (fast on multi-megabyte specs),
//! everything else through serde_yaml; syntax errors name the line and column.

use crate::diagnostics::{Diagnostic, Diagnostics};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses a YAML or JSON document.
pub(crate) fn parse(text: &str) -> Result<Value, Diagnostics> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Diagnostic::new("#", "the spec is empty")
            .with_hint("give an OpenAPI 3.0 or 3.1 document in YAML or JSON")
            .into());
    }
    // `{"openapi": ...}` is JSON; YAML's flow mappings (`{openapi: 3.0.3}`) start the same way, so a
    // document that fails as JSON is tried as YAML before the JSON error is reported.
    if text.trim_start().starts_with('{') {
        return match serde_json::from_str(text) {
            Ok(value) => Ok(value),
            Err(json) => yaml(text).map_err(|_| json_error(&json)),
        };
    }
    yaml(text).map_err(|e| yaml_error(&e))
}

fn json_error(e: &serde_json::Error) -> Diagnostics {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&suffix).unwrap_or(&text);
    Diagnostic::new(
        "#",
        format!(
            "invalid JSON at line {}, column {}: {what}",
            e.line(),
            e.column()
        ),
    )
    .at(e.line(), e.column())
    .into()
}

fn yaml_error(e: &serde_yaml::Error) -> Diagnostics {
    let text = e.to_string();
    match e.location() {
        Some(l) => {
            // serde_yaml says the position in its text too: once is enough.
            let at = format!(" at line {} column {}", l.line(), l.column());
            let what = text.replacen(&at, "", 1);
            let message = format!(
                "invalid YAML at line {}, column {}: {what}",
                l.line(),
                l.column()
            );
            Diagnostic::new("#", message)
                .at(l.line(), l.column())
                .into()
        }
        None => Diagnostic::new("#", format!("invalid YAML: {text}")).into(),
    }
}

fn yaml(text: &str) -> Result<Value, serde_yaml::Error> {
    serde_yaml::Deserializer::from_str(text)
        .next()
        .map_or(Ok(Value::Null), |doc| Json.deserialize(doc))
}

/// Builds a `serde_json::Value` straight from YAML events, where `serde_yaml::Value` would refuse
/// integers beyond 64 bits (`minimum: -9223372036854776000` in OpenAI's spec) and keep non-string keys.
#[derive(Clone, Copy)]
struct Json;

impl<'de> DeserializeSeed<'de> for Json {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Json {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    // Integers beyond 64 bits become the nearest float, as JSON parsers do.
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("the number {v} has no JSON form")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        // `<<: *anchor` merge keys: the merged entries fill in what the mapping does not say itself.
        let mut merged = Vec::new();
        while let Some(key) = map.next_key_seed(Key { existing: &out })? {
            let value = map.next_value_seed(self)?;
            if key == "<<" {
                match value {
                    Value::Object(m) => merged.push(m),
                    Value::Array(items) => {
                        merged.extend(items.into_iter().filter_map(|v| match v {
                            Value::Object(m) => Some(m),
                            _ => None,
                        }))
                    }
                    _ => return Err(de::Error::custom("a `<<` merge key must name a mapping")),
                }
                continue;
            }
            out.insert(key, value);
        }
        for m in merged {
            for (k, v) in m {
                out.entry(k).or_insert(v);
            }
        }
        Ok(Value::Object(out))
    }

    // A tagged value (`!foo bar`): the tag says nothing OpenAPI knows about; the value is kept.
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use de::VariantAccess;
        let (_tag, contents) = data.variant::<de::IgnoredAny>()?;
        contents.newtype_variant_seed(self)
    }
}

/// A mapping key: OpenAPI's keys are strings, and YAML's `200:` or `true:` are read as their text.
/// A key already in the mapping is refused here, so the error points at the repeated key.
struct Key<'m> {
    existing: &'m Map<String, Value>,
}

impl Key<'_> {
    fn unique<E: de::Error>(&self, key: String) -> Result<String, E> {
        match self.existing.contains_key(&key) {
            true => Err(E::custom(format!("duplicate key `{key}`"))),
            false => Ok(key),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean mapping key")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.unique(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.unique(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.unique(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        self.unique(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        self.unique(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        self.unique(v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.unique(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.unique(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        self.unique("null".to_owned())
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        use de::VariantAccess;
        let (_tag, contents) = data.variant::<de::IgnoredAny>()?;
        contents.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        parse(text).expect_err("must be refused").0[0]
            .message
            .clone()
    }

    #[test]
    fn json_and_yaml_give_the_same_tree() {
        let json = parse(r#"{"a": {"200": [1, 2.5, true, null]}}"#).unwrap();
        let yaml = parse("a:\n  200: [1, 2.5, true, ~]\n").unwrap();
        assert_eq!(json, yaml);
    }

    #[test]
    fn integers_beyond_64_bits_become_floats() {
        let v = parse("minimum: -9223372036854776000\nmaximum: 99999999999999999999\n").unwrap();
        assert_eq!(v["minimum"].as_f64(), Some(-9.223372036854776e18));
        assert!(v["maximum"].is_f64());
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        assert!(message("a: [1\nb: 2\n").contains("line 2, column"), "yaml");
        let m = message("{\n  \"a\": 1,\n  \"b\" 2\n}");
        assert!(
            m.starts_with("invalid JSON at line 3, column 7: expected `:`"),
            "{m}"
        );
    }

    #[test]
    fn yaml_flow_mappings_are_not_mistaken_for_json() {
        assert_eq!(parse("{a: 1}").unwrap()["a"], 1);
    }

    #[test]
    fn duplicate_keys_and_odd_values_are_located() {
        assert!(message("a: 1\na: 2\n").contains("duplicate key `a`"));
        assert!(message("a: 1\na: 2\n").contains("line 2"));
        assert!(message("a: .nan\n").contains("no JSON form"));
        assert!(message("? [1]\n: 2\n").contains("mapping key"));
    }

    #[test]
    fn merge_keys_and_tags() {
        let v = parse("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nt: !custom 5\n").unwrap();
        assert_eq!(v["c"], serde_json::json!({"y": 3, "x": 1}));
        assert_eq!(v["t"], 5);
    }

    #[test]
    fn empty_text_is_refused() {
        assert!(message(" \n").contains("empty"));
    }
}
