//! Values for a JSON Schema of a spec, read straight from the spec's text (not from the generator's
//! IR, so that a misreading of the generator cannot shape its own test): the spec's examples where
//! they are valid, otherwise values built from the schema's keywords. And the validator that decides
//! whether an example is valid.
//!
//! Both understand OpenAPI 3.0 (`nullable`, boolean `exclusiveMinimum`) and 3.1 (`type` lists, `const`,
//! `examples` lists, numeric `exclusiveMinimum`). They aim at what Stoplight Prism checks: types,
//! formats, patterns, lengths, ranges, enums, required properties, `oneOf` matching exactly one.

use serde_json::{Map, Value};
use std::borrow::Cow;

/// The deepest nesting a value is built to: deeper, optional properties are left out, and a required
/// one makes the value impossible.
const MAX_DEPTH: usize = 12;

/// A spec as JSON, with its local `$ref`s followed on demand.
#[derive(Debug)]
pub struct Spec {
    root: Value,
}

impl Spec {
    /// The spec's document.
    pub fn new(root: Value) -> Self {
        Self { root }
    }

    /// The document.
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// `value`, or what its `$ref` (and theirs) point to; an unresolvable reference stays as it is.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => match self.pointer(reference) {
                    Some(target) => value = target,
                    None => return value,
                },
                None => return value,
            }
        }
        value
    }

    /// The value at a local reference (`#/components/schemas/Pet`).
    pub fn pointer(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        let decoded = percent_decode(pointer);
        self.root.pointer(&decoded)
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which properties a built value has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Only the required ones.
    Required,
    /// Every one (but `readOnly` ones, which requests do not carry).
    All,
}

/// Where a value goes: a file (`format: binary`) is a file reference in a multipart form, text
/// elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A JSON body, a parameter or a form-urlencoded field.
    Json,
    /// A part of a multipart form.
    Multipart,
}

/// Sample files, one per media type whose bytes the client recognises (a file part declared as
/// `application/pdf` must look like a PDF), in a directory of the run.
#[derive(Debug, Clone)]
pub struct Samples {
    dir: std::path::PathBuf,
}

/// The sample files: extension, the media type they are, and their first bytes (all the client and
/// the servers look at).
const SAMPLES: [(&str, &str, &[u8]); 11] = [
    ("png", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\x0cIDATx\x9cc\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef\0\0\0\0IEND\xaeB`\x82"),
    ("jpg", "image/jpeg", b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9"),
    ("gif", "image/gif", b"GIF89a\x01\0\x01\0\0\0\0;"),
    ("webp", "image/webp", b"RIFF\x0c\0\0\0WEBPVP8 "),
    ("pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n"),
    ("mp4", "video/mp4", b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"),
    ("3gp", "video/3gpp", b"\0\0\0\x14ftyp3gp4\0\0\0\0"),
    ("ogg", "audio/ogg", b"OggS\0\x02\0\0\0\0\0\0\0\0"),
    ("amr", "audio/amr", b"#!AMR\n"),
    ("mp3", "audio/mpeg", b"ID3\x04\0\0\0\0\0\0"),
    ("txt", "text/plain", b"conformance\n"),
];

impl Samples {
    /// Writes the sample files into `dir`.
    pub fn write(dir: &std::path::Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (extension, _, bytes) in SAMPLES {
            let path = dir.join(format!("sample.{extension}"));
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// A file for one of `content_types` (a comma-separated list, or none): the first listed type
    /// there is a sample of, and that type; else the PNG.
    fn pick(&self, content_types: Option<&str>) -> (String, Option<String>) {
        let listed: Vec<String> = content_types
            .into_iter()
            .flat_map(|list| list.split(','))
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|t| !t.is_empty())
            .collect();
        for wanted in &listed {
            if let Some((extension, media_type, _)) = SAMPLES
                .iter()
                .find(|(_, media_type, _)| media_type == wanted)
            {
                let path = self.dir.join(format!("sample.{extension}"));
                return (path.display().to_string(), Some((*media_type).to_owned()));
            }
        }
        let png = self.dir.join("sample.png").display().to_string();
        // Only types without a sample (a Word file, say): the PNG's bytes under the first of them.
        let concrete = listed.into_iter().find(|t| !t.contains('*'));
        (png, concrete)
    }
}

/// Builds values.
#[derive(Debug)]
pub struct Builder<'a> {
    spec: &'a Spec,
    fill: Fill,
    samples: &'a Samples,
}

impl<'a> Builder<'a> {
    /// A builder filling `fill`'s properties, files from `samples`.
    pub fn new(spec: &'a Spec, fill: Fill, samples: &'a Samples) -> Self {
        Self {
            spec,
            fill,
            samples,
        }
    }

    /// A value valid under `schema`, if one can be made.
    pub fn value(&self, schema: &Value, place: Place) -> Option<Value> {
        self.build(schema, place, 0)
    }

    /// A file reference to a sample of one of `content_types` (comma-separated).
    pub fn file_reference(&self, content_types: Option<&str>) -> Value {
        let (path, content_type) = self.samples.pick(content_types);
        let mut reference = Map::new();
        reference.insert("$file".to_owned(), Value::String(path));
        if let Some(content_type) = content_type {
            reference.insert("content_type".to_owned(), Value::String(content_type));
        }
        Value::Object(reference)
    }

    fn build(&self, schema: &Value, place: Place, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let schema = merged(self.spec, schema);
        let schema = schema.as_ref();
        if place == Place::Multipart && is_binary(schema) {
            return Some(self.file_reference(None));
        }
        // The spec's own values first, where they are valid.
        for candidate in candidates(schema) {
            let usable = match candidate {
                Value::Object(_) | Value::Array(_) => self.fill == Fill::All,
                Value::Null => false,
                _ => true,
            };
            if usable && valid(self.spec, &Value::Object(schema.clone()), candidate) {
                return Some(without_read_only(self.spec, schema, candidate.clone()));
            }
        }
        if let Some(variants) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            return self.union(schema, variants, place, depth);
        }
        match primary_type(self.spec, schema).as_deref() {
            Some("object") => self.object(schema, place, depth),
            Some("array") => self.array(schema, place, depth),
            Some("string") => Some(Value::String(string(schema))),
            Some("integer") => Some(number(schema, true)),
            Some("number") => Some(number(schema, false)),
            Some("boolean") => Some(Value::Bool(true)),
            Some("null") => Some(Value::Null),
            // No type and nothing to go by: anything goes.
            _ => Some(Value::String("value".to_owned())),
        }
    }

    /// A `oneOf` or `anyOf`: the first variant whose value fits it alone (for `oneOf`), with the
    /// discriminator's tag set.
    fn union(
        &self,
        schema: &Map<String, Value>,
        variants: &[Value],
        place: Place,
        depth: usize,
    ) -> Option<Value> {
        let one_of = schema.contains_key("oneOf");
        let mut base = schema.clone();
        base.remove("oneOf");
        base.remove("anyOf");
        let discriminator = schema
            .get("discriminator")
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str);
        let mut first = None;
        for variant in variants {
            // A `null` variant makes a null value, which says nothing; try it last.
            if primary_type(self.spec, &merged(self.spec, variant)).as_deref() == Some("null") {
                continue;
            }
            let mut combined = base.clone();
            combined.insert("allOf".to_owned(), Value::Array(vec![variant.clone()]));
            let combined = Value::Object(combined);
            let Some(mut value) = self.build(&combined, place, depth + 1) else {
                continue;
            };
            // The tag: the one value the variant gives its tag property (`enum: [file_search]`), else
            // the mapping's or the schema's name.
            if let (Some(property), Value::Object(object)) = (discriminator, &mut value) {
                let merged_variant = merged(self.spec, variant);
                let fixed = merged_variant
                    .get("properties")
                    .and_then(|p| p.get(property))
                    .map(|p| merged(self.spec, p))
                    .is_some_and(|p| {
                        p.contains_key("const")
                            || p.get("enum")
                                .and_then(Value::as_array)
                                .is_some_and(|values| values.len() == 1)
                    });
                if let Some(tag) = tag(schema, variant).filter(|_| !fixed) {
                    object.insert(property.to_owned(), Value::String(tag));
                }
            }
            let alone = !one_of
                || variants
                    .iter()
                    .filter(|other| valid(self.spec, other, &value))
                    .count()
                    <= 1;
            if alone {
                return Some(value);
            }
            first.get_or_insert(value);
        }
        first.or_else(|| {
            variants
                .iter()
                .find_map(|variant| self.build(variant, place, depth + 1))
        })
    }

    fn object(&self, schema: &Map<String, Value>, place: Place, depth: usize) -> Option<Value> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut object = Map::new();
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (name, property) in properties {
            let resolved = merged(self.spec, property);
            if is_read_only(&resolved) {
                continue;
            }
            let needed = required.contains(&name.as_str());
            if !needed && (self.fill == Fill::Required || depth >= MAX_DEPTH / 2) {
                continue;
            }
            match self.build(property, place, depth + 1) {
                Some(value) => {
                    object.insert(name.clone(), value);
                }
                None if needed => return None,
                None => {}
            }
        }
        // A required property the schema does not describe: any value will do.
        for name in &required {
            if !properties.contains_key(*name) && !object.contains_key(*name) {
                object.insert((*name).to_owned(), Value::String("value".to_owned()));
            }
        }
        // A map (no listed properties): one entry when it must have one, or when everything is sent.
        let min_properties = schema
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            let wanted = (self.fill == Fill::All && properties.is_empty()) || min_properties > 0;
            let mut n = 0;
            while wanted && (object.len() as u64) < min_properties.max(1) && n < 8 {
                n += 1;
                match self.build(values, place, depth + 1) {
                    Some(value) => {
                        object.insert(format!("key{n}"), value);
                    }
                    None => break,
                }
            }
        }
        Some(Value::Object(object))
    }

    fn array(&self, schema: &Map<String, Value>, place: Place, depth: usize) -> Option<Value> {
        // A tuple (3.1 `prefixItems`, which the loader rewrites to `items: {anyOf: [..]}` marked as one):
        // one value per element, in order.
        let tuple = schema
            .get(codegen::load::oas31::TUPLE)
            .and_then(Value::as_bool)
            == Some(true);
        let elements = schema
            .get("items")
            .and_then(|items| items.get("anyOf"))
            .and_then(Value::as_array);
        if let (true, Some(elements)) = (tuple, elements) {
            let values: Option<Vec<Value>> = elements
                .iter()
                .map(|element| self.build(element, place, depth + 1))
                .collect();
            return values.map(Value::Array);
        }
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let count = min.max(1).min(max).min(16);
        let Some(items) = schema.get("items") else {
            return Some(Value::Array(
                (0..count)
                    .map(|i| Value::String(format!("item{i}")))
                    .collect(),
            ));
        };
        let unique = schema.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        let mut out: Vec<Value> = Vec::new();
        let first = self.build(items, place, depth + 1)?;
        out.push(first.clone());
        // More items, distinct when they must be: the enum's other values, or numbered texts.
        let alternatives: Vec<Value> = merged(self.spec, items)
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut i = 0;
        while (out.len() as u64) < count && i < 64 {
            i += 1;
            let next = if !unique {
                first.clone()
            } else if let Some(value) = alternatives.iter().find(|v| !out.contains(v)) {
                value.clone()
            } else {
                match &first {
                    Value::String(text) => Value::String(format!("{text}{i}")),
                    Value::Number(n) => Value::from(n.as_i64().unwrap_or(0) + i as i64),
                    _ => break,
                }
            };
            if !out.contains(&next) || !unique {
                out.push(next);
            }
        }
        Some(Value::Array(out))
    }
}

/// The spec's values for a schema, in the order they are tried: `const`, `example`, `examples`,
/// `default`, the first `enum` value that is not null.
fn candidates(schema: &Map<String, Value>) -> Vec<&Value> {
    let mut out = Vec::new();
    out.extend(schema.get("const"));
    out.extend(schema.get("example"));
    if let Some(Value::Array(examples)) = schema.get("examples") {
        out.extend(examples);
    }
    out.extend(schema.get("default"));
    if let Some(Value::Array(values)) = schema.get("enum") {
        // An empty string last: it is a value, but an empty path segment is none.
        let empty = |v: &&Value| v.as_str() == Some("");
        out.extend(values.iter().filter(|v| !v.is_null() && !empty(v)));
        out.extend(values.iter().filter(|v| empty(v)));
    }
    out
}

/// The discriminator tag of a variant: the mapping's key that points to it, or the schema's name.
fn tag(schema: &Map<String, Value>, variant: &Value) -> Option<String> {
    let reference = variant.get("$ref").and_then(Value::as_str)?;
    if let Some(mapping) = schema
        .get("discriminator")
        .and_then(|d| d.get("mapping"))
        .and_then(Value::as_object)
    {
        if let Some((key, _)) = mapping
            .iter()
            .find(|(_, target)| target.as_str() == Some(reference))
        {
            return Some(key.clone());
        }
    }
    reference.rsplit('/').next().map(str::to_owned)
}

/// A copy of `value` without the properties the schema marks `readOnly`.
fn without_read_only(spec: &Spec, schema: &Map<String, Value>, value: Value) -> Value {
    let Value::Object(mut object) = value else {
        return value;
    };
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if is_read_only(&merged(spec, property)) {
                object.remove(name);
            }
        }
    }
    Value::Object(object)
}

fn is_read_only(schema: &Map<String, Value>) -> bool {
    schema.get("readOnly").and_then(Value::as_bool) == Some(true)
}

/// A string property holding a file: `format: binary` (3.0), or `contentMediaType` without
/// `contentEncoding` (3.1).
pub fn is_binary(schema: &Map<String, Value>) -> bool {
    schema.get("format").and_then(Value::as_str) == Some("binary")
        || (schema.contains_key("contentMediaType") && !schema.contains_key("contentEncoding"))
}

/// The schema with its `$ref` followed and its `allOf` members merged in: properties and required
/// lists joined, other keywords kept from the first that has them.
pub fn merged<'s>(spec: &'s Spec, schema: &'s Value) -> Cow<'s, Map<String, Value>> {
    merged_at(spec, schema, 0)
}

fn merged_at<'s>(spec: &'s Spec, schema: &'s Value, depth: usize) -> Cow<'s, Map<String, Value>> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let resolved = spec.resolve(schema);
    let Some(object) = resolved.as_object() else {
        return Cow::Borrowed(EMPTY.get_or_init(Map::new));
    };
    let Some(all_of) = object.get("allOf").and_then(Value::as_array) else {
        return Cow::Borrowed(object);
    };
    if depth > 16 {
        return Cow::Borrowed(object);
    }
    let mut out = object.clone();
    out.remove("allOf");
    for member in all_of {
        let member = merged_at(spec, member, depth + 1);
        for (key, value) in member.iter() {
            match (key.as_str(), out.get_mut(key)) {
                ("properties", Some(Value::Object(properties))) => {
                    if let Value::Object(more) = value {
                        for (name, property) in more {
                            // A property both members describe must satisfy both.
                            let both = match properties.get(name) {
                                Some(first) => {
                                    serde_json::json!({"allOf": [first.clone(), property.clone()]})
                                }
                                None => property.clone(),
                            };
                            properties.insert(name.clone(), both);
                        }
                    }
                }
                ("required", Some(Value::Array(required))) => {
                    if let Value::Array(more) = value {
                        for name in more {
                            if !required.contains(name) {
                                required.push(name.clone());
                            }
                        }
                    }
                }
                (_, Some(_)) => {}
                (_, None) => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
    }
    Cow::Owned(out)
}

/// The type a value is built as: the first non-null one listed, or the one the keywords imply.
fn primary_type(spec: &Spec, schema: &Map<String, Value>) -> Option<String> {
    match schema.get("type") {
        Some(Value::String(ty)) => return Some(ty.clone()),
        Some(Value::Array(types)) => {
            let named: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            return named
                .iter()
                .find(|t| **t != "null")
                .or(named.first())
                .map(|t| (*t).to_owned());
        }
        _ => {}
    }
    if schema.contains_key("properties") || schema.contains_key("additionalProperties") {
        return Some("object".to_owned());
    }
    if schema.contains_key("items") {
        return Some("array".to_owned());
    }
    let typed = |value: &Value| match value {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_f64() => Some("number"),
        Value::Number(_) => Some("integer"),
        Value::Array(_) => Some("array"),
        Value::Object(_) => Some("object"),
        Value::Null => None,
    };
    if let Some(ty) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.iter().find_map(typed))
        .or_else(|| schema.get("const").and_then(typed))
    {
        return Some(ty.to_owned());
    }
    if schema.contains_key("format")
        || schema.contains_key("pattern")
        || schema.contains_key("minLength")
        || schema.contains_key("maxLength")
    {
        return Some("string".to_owned());
    }
    let _ = spec;
    None
}

/// A string for a string schema: by format, else by pattern, else `"string"`, stretched or cut to its
/// length limits.
fn string(schema: &Map<String, Value>) -> String {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX) as usize;
    let by_format = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => Some("2024-01-15T10:30:00Z"),
        Some("date") => Some("2024-01-15"),
        Some("time") => Some("10:30:00Z"),
        Some("email") | Some("idn-email") => Some("user@example.com"),
        Some("uri") | Some("url") | Some("iri") | Some("uri-reference") | Some("iri-reference") => {
            Some("https://example.com/path")
        }
        Some("uri-template") => Some("https://example.com/{id}"),
        Some("hostname") | Some("idn-hostname") => Some("example.com"),
        Some("ipv4") => Some("192.0.2.1"),
        Some("ipv6") => Some("2001:db8::1"),
        Some("uuid") => Some("123e4567-e89b-12d3-a456-426614174000"),
        Some("byte") => Some("aGVsbG8="),
        Some("int32") | Some("int64") | Some("integer") => Some("1"),
        Some("decimal") | Some("number") | Some("double") | Some("float") => Some("1.5"),
        Some("duration") => Some("P1D"),
        Some("json-pointer") => Some("/a"),
        _ => None,
    };
    if let Some(text) = by_format {
        return text.to_owned();
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        if let Some(text) = super::pattern::example(pattern, min, max) {
            return text;
        }
    }
    let mut text = "string".to_owned();
    while text.chars().count() < min {
        text.push('x');
    }
    text.chars().take(max.max(min)).collect()
}

/// A number within the schema's range, a multiple of its `multipleOf`.
fn number(schema: &Map<String, Value>, integer: bool) -> Value {
    let bound = |key: &str, exclusive_key: &str| -> Option<(f64, bool)> {
        let exclusive = schema.get(exclusive_key);
        match (schema.get(key).and_then(Value::as_f64), exclusive) {
            // 3.1: the exclusive bound is the number itself.
            (_, Some(Value::Number(n))) => n.as_f64().map(|n| (n, true)),
            (Some(n), Some(Value::Bool(true))) => Some((n, true)),
            (Some(n), _) => Some((n, false)),
            (None, _) => None,
        }
    };
    let low = bound("minimum", "exclusiveMinimum");
    let high = bound("maximum", "exclusiveMaximum");
    let step = schema
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|m| *m > 0.0);
    let mut value: f64 = 1.0;
    if let Some((low, exclusive)) = low {
        if value < low || (exclusive && value <= low) {
            value = if exclusive {
                if integer {
                    low.floor() + 1.0
                } else {
                    low + 0.5
                }
            } else {
                low
            };
        }
    }
    if let Some((high, exclusive)) = high {
        if value > high || (exclusive && value >= high) {
            value = if exclusive {
                if integer {
                    high.ceil() - 1.0
                } else {
                    high - 0.5
                }
            } else {
                high
            };
        }
    }
    if let Some(step) = step {
        let multiple = (value / step).ceil() * step;
        value = match high {
            Some((high, _)) if multiple > high => (value / step).floor() * step,
            _ => multiple,
        };
    }
    if integer || value.fract() == 0.0 {
        Value::from(value.round() as i64)
    } else {
        serde_json::Number::from_f64(value).map_or(Value::from(1), Value::Number)
    }
}

/// Whether `value` is valid under `schema`, as far as these checks go (a keyword they do not know
/// passes).
pub fn valid(spec: &Spec, schema: &Value, value: &Value) -> bool {
    valid_at(spec, schema, value, 0)
}

fn valid_at(spec: &Spec, schema: &Value, value: &Value, depth: usize) -> bool {
    if depth > 48 {
        return true;
    }
    let schema = spec.resolve(schema);
    let Some(s) = schema.as_object() else {
        // `true`, `{}`-like or unknown: anything.
        return schema.as_bool() != Some(false);
    };
    let nullable = s.get("nullable").and_then(Value::as_bool) == Some(true)
        || matches!(s.get("type"), Some(Value::Array(t)) if t.iter().any(|t| t == "null"))
        || s.get("type").and_then(Value::as_str) == Some("null");
    if value.is_null() {
        if nullable {
            return true;
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            return values.contains(value);
        }
        // A null only fits where a type or a union allows it.
        return !s.contains_key("type")
            && !s.contains_key("properties")
            && ["oneOf", "anyOf", "allOf"].iter().any(|k| {
                s.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|v| v.iter().any(|v| valid_at(spec, v, value, depth + 1)))
            });
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        if !all
            .iter()
            .all(|member| valid_at(spec, member, value, depth + 1))
        {
            return false;
        }
    }
    if let Some(Value::Array(any)) = s.get("anyOf") {
        if !any
            .iter()
            .any(|member| valid_at(spec, member, value, depth + 1))
        {
            return false;
        }
    }
    if let Some(Value::Array(one)) = s.get("oneOf") {
        if one
            .iter()
            .filter(|member| valid_at(spec, member, value, depth + 1))
            .count()
            != 1
        {
            return false;
        }
    }
    if let Some(not) = s.get("not") {
        if valid_at(spec, not, value, depth + 1) {
            return false;
        }
    }
    if let Some(Value::Array(values)) = s.get("enum") {
        if !values.contains(value) {
            return false;
        }
    }
    if let Some(constant) = s.get("const") {
        if constant != value {
            return false;
        }
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(t)) => t.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
        return false;
    }
    match value {
        Value::String(text) => valid_string(s, text),
        Value::Number(n) => valid_number(s, n),
        Value::Array(items) => {
            let len = items.len() as u64;
            if s.get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| len < m)
                || s.get("maxItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len > m)
            {
                return false;
            }
            if s.get("uniqueItems").and_then(Value::as_bool) == Some(true)
                && items
                    .iter()
                    .enumerate()
                    .any(|(i, item)| items[..i].contains(item))
            {
                return false;
            }
            match s.get("items") {
                Some(item_schema) => items
                    .iter()
                    .all(|item| valid_at(spec, item_schema, item, depth + 1)),
                None => true,
            }
        }
        Value::Object(object) => {
            let properties = s.get("properties").and_then(Value::as_object);
            if let Some(Value::Array(required)) = s.get("required") {
                for name in required.iter().filter_map(Value::as_str) {
                    let read_only = properties
                        .and_then(|p| p.get(name))
                        .is_some_and(|p| is_read_only(&merged(spec, p)));
                    if !read_only && !object.contains_key(name) {
                        return false;
                    }
                }
            }
            let len = object.len() as u64;
            if s.get("minProperties")
                .and_then(Value::as_u64)
                .is_some_and(|m| len < m)
                || s.get("maxProperties")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len > m)
            {
                return false;
            }
            object
                .iter()
                .all(|(name, item)| match properties.and_then(|p| p.get(name)) {
                    Some(property) => valid_at(spec, property, item, depth + 1),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => false,
                        Some(extra @ Value::Object(_)) => valid_at(spec, extra, item, depth + 1),
                        _ => true,
                    },
                })
        }
        Value::Bool(_) | Value::Null => true,
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn valid_string(s: &Map<String, Value>, text: &str) -> bool {
    let len = text.chars().count() as u64;
    if s.get("minLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| len < m)
        || s.get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| len > m)
    {
        return false;
    }
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
        if super::pattern::matches(pattern, text) == Some(false) {
            return false;
        }
    }
    match s.get("format").and_then(Value::as_str) {
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        Some("email") => {
            let mut parts = text.split('@');
            matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && b.contains('.') && !text.contains(' '))
        }
        Some("uri") | Some("url") => {
            text.split_once(':').is_some_and(|(scheme, _)| {
                !scheme.is_empty()
                    && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            }) && !text.contains(' ')
        }
        Some("uuid") => {
            text.len() == 36
                && text.chars().enumerate().all(|(i, c)| {
                    if [8, 13, 18, 23].contains(&i) {
                        c == '-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                })
        }
        Some("ipv4") => text.parse::<std::net::Ipv4Addr>().is_ok(),
        Some("ipv6") => text.parse::<std::net::Ipv6Addr>().is_ok(),
        Some("byte") => {
            text.len().is_multiple_of(4)
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        }
        Some("hostname") => {
            !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        }
        _ => true,
    }
}

fn valid_number(s: &Map<String, Value>, n: &serde_json::Number) -> bool {
    let Some(value) = n.as_f64() else {
        return true;
    };
    let check = |key: &str, exclusive_key: &str, below: bool| -> bool {
        let exclusive = s.get(exclusive_key);
        let (limit, strict) = match (s.get(key).and_then(Value::as_f64), exclusive) {
            (_, Some(Value::Number(n))) => (n.as_f64(), true),
            (limit, Some(Value::Bool(true))) => (limit, true),
            (limit, _) => (limit, false),
        };
        match (limit, below, strict) {
            (None, ..) => true,
            (Some(limit), true, false) => value >= limit,
            (Some(limit), true, true) => value > limit,
            (Some(limit), false, false) => value <= limit,
            (Some(limit), false, true) => value < limit,
        }
    };
    if !check("minimum", "exclusiveMinimum", true) || !check("maximum", "exclusiveMaximum", false) {
        return false;
    }
    match s.get("multipleOf").and_then(Value::as_f64) {
        Some(step) if step > 0.0 => {
            let ratio = value / step;
            (ratio - ratio.round()).abs() < 1e-9
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Spec {
        Spec::new(json!({
            "components": {"schemas": {
                "Pet": {"type": "object", "required": ["name"], "properties": {
                    "id": {"type": "integer", "readOnly": true},
                    "name": {"type": "string", "minLength": 3},
                    "tag": {"type": "string", "format": "email"},
                    "kind": {"$ref": "#/components/schemas/Kind"}
                }},
                "Kind": {"type": "string", "enum": ["cat", "dog"]},
                "Cat": {"type": "object", "required": ["meow"], "properties": {"meow": {"type": "boolean"}}},
                "Dog": {"type": "object", "required": ["bark"], "properties": {"bark": {"type": "integer", "minimum": 5}}}
            }}
        }))
    }

    fn samples() -> Samples {
        Samples {
            dir: std::path::PathBuf::from("/s"),
        }
    }

    #[test]
    fn required_and_all_fill_what_they_say_and_skip_read_only() {
        let spec = spec();
        let samples = samples();
        let pet = json!({"$ref": "#/components/schemas/Pet"});
        let required = Builder::new(&spec, Fill::Required, &samples).value(&pet, Place::Json);
        assert_eq!(required, Some(json!({"name": "string"})));
        let all = Builder::new(&spec, Fill::All, &samples)
            .value(&pet, Place::Json)
            .expect("a pet");
        assert_eq!(
            all,
            json!({"name": "string", "tag": "user@example.com", "kind": "cat"})
        );
        assert!(valid(&spec, &pet, &all));
        assert!(!valid(&spec, &pet, &json!({"name": "ab"})));
        assert!(!valid(&spec, &pet, &json!({"tag": "x@y.z"})));
    }

    #[test]
    fn one_of_values_fit_one_variant_with_the_tag_set() {
        let spec = spec();
        let samples = samples();
        let union = json!({"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "type", "mapping": {"dog": "#/components/schemas/Dog"}}});
        let value = Builder::new(&spec, Fill::Required, &samples).value(&union, Place::Json);
        assert_eq!(value, Some(json!({"meow": true, "type": "Cat"})));
        assert!(valid(
            &spec,
            &json!({"$ref": "#/components/schemas/Dog"}),
            &json!({"bark": 5})
        ));
        assert!(!valid(
            &spec,
            &json!({"$ref": "#/components/schemas/Dog"}),
            &json!({"bark": 4})
        ));
    }

    #[test]
    fn numbers_respect_ranges_and_steps() {
        assert_eq!(
            number(json!({"minimum": 10}).as_object().unwrap(), true),
            json!(10)
        );
        assert_eq!(
            number(json!({"exclusiveMinimum": 10}).as_object().unwrap(), true),
            json!(11)
        );
        assert_eq!(
            number(
                json!({"maximum": 0, "exclusiveMaximum": true})
                    .as_object()
                    .unwrap(),
                true
            ),
            json!(-1)
        );
        assert_eq!(
            number(
                json!({"minimum": 3, "multipleOf": 5}).as_object().unwrap(),
                true
            ),
            json!(5)
        );
    }

    #[test]
    fn examples_are_used_when_valid() {
        let spec = spec();
        let samples = samples();
        let schema = json!({"type": "string", "example": "no", "minLength": 3});
        let built = Builder::new(&spec, Fill::All, &samples).value(&schema, Place::Json);
        assert_eq!(built, Some(json!("string")));
        let schema = json!({"type": "string", "example": "yes!", "minLength": 3});
        let built = Builder::new(&spec, Fill::All, &samples).value(&schema, Place::Json);
        assert_eq!(built, Some(json!("yes!")));
    }

    #[test]
    fn files_in_forms_are_references_to_samples_of_their_type() {
        let spec = spec();
        let samples = samples();
        let schema = json!({"type": "object", "required": ["f"], "properties": {"f": {"type": "string", "format": "binary"}}});
        let built = Builder::new(&spec, Fill::Required, &samples).value(&schema, Place::Multipart);
        assert_eq!(built, Some(json!({"f": {"$file": "/s/sample.png"}})));
        let builder = Builder::new(&spec, Fill::Required, &samples);
        assert_eq!(
            builder.file_reference(Some("application/msword, application/pdf")),
            json!({"$file": "/s/sample.pdf", "content_type": "application/pdf"})
        );
        assert_eq!(
            builder.file_reference(Some("application/msword")),
            json!({"$file": "/s/sample.png", "content_type": "application/msword"})
        );
        assert_eq!(
            builder.file_reference(Some("application/pdf; q=1, image/png")),
            json!({"$file": "/s/sample.pdf", "content_type": "application/pdf"})
        );
    }
}
