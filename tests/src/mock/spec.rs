//! The mock's route table, compiled once from the embedded `spec/awal.yaml`: for every operation its method
//! and path template, its parameters, what its request body must hold, its documented success status, and
//! the body it answers with (the spec's `example`, or one synthesized from the response schema).

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use indexmap::IndexMap;
use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response,
    Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::{json, Map, Value};

/// The spec the mock serves, compiled into the binary so it needs no file at run time.
pub(crate) const SPEC_TEXT: &str = include_str!("../../../spec/awal.yaml");

/// The time synthesized `format: date-time` strings show.
pub(crate) const FIXED_DATE_TIME: &str = "2024-01-15T10:30:00Z";
/// The date synthesized `format: date` strings show.
const FIXED_DATE: &str = "2024-01-15";
/// [`FIXED_DATE_TIME`] in Unix seconds, for synthesized `format: unix-time` integers.
const FIXED_UNIX_TIME: i64 = 1_705_314_600;
/// How deep synthesis follows nested schemas before giving up (a guard against recursive schemas).
const MAX_DEPTH: usize = 12;

/// The JSON type a parameter, form field or response field is coerced to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `type: integer`.
    Integer,
    /// `type: number`.
    Number,
    /// `type: boolean`.
    Boolean,
    /// `type: string`.
    String,
    /// Anything else (objects, arrays, compositions).
    Other,
}

/// A path or query parameter.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    /// The parameter's name, e.g. `phone_number_id`.
    pub name: String,
    /// Whether the spec marks it required.
    pub required: bool,
    /// Its schema's type.
    pub kind: Kind,
}

/// One content type an operation's request body may have.
#[derive(Debug, Clone)]
pub(crate) struct BodyMedia {
    /// The media type, lowercase, e.g. `multipart/form-data`.
    pub content_type: String,
    /// Required properties of the body's schema.
    pub required: Vec<String>,
    /// Multipart parts whose encoding is `application/json` (their text must parse as JSON).
    pub json_parts: Vec<String>,
    /// Multipart file parts with an `x-max-bytes` limit.
    pub max_bytes: Vec<(String, u64)>,
}

/// An operation's request body.
#[derive(Debug, Clone)]
pub(crate) struct BodySpec {
    /// Whether a body is required.
    pub required: bool,
    /// The accepted content types, in spec order.
    pub media: Vec<BodyMedia>,
}

/// An operation's `x-rate-limit`, reported in `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateLimit {
    /// Requests allowed per window.
    pub requests: u64,
    /// The window's length in seconds.
    pub per_seconds: u64,
}

/// A segment of a path template.
#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One operation of the spec, ready to serve.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// `operationId`, e.g. `createContact`.
    pub id: String,
    /// The HTTP method.
    pub method: Method,
    /// The path template relative to the base path, e.g. `/contacts/{id}`.
    pub template: String,
    segments: Vec<Segment>,
    /// Path parameters (path-level and operation-level).
    pub path_params: Vec<Param>,
    /// Query parameters.
    pub query_params: Vec<Param>,
    /// The request body, if the operation takes one.
    pub body: Option<BodySpec>,
    /// The documented success status (the lowest 2xx).
    pub success: StatusCode,
    /// The success body: the spec's example, or synthesized from the schema. `None` for no content.
    pub response: Option<Value>,
    /// The fields of the response's `data` object (or `message` object), with their types: request
    /// fields of the same name are echoed into them.
    pub echo_fields: Vec<(String, Kind)>,
    /// `x-rate-limit`, when the operation declares one and its success response declares the headers.
    pub rate_limit: Option<RateLimit>,
    /// The status the operation documents for validation errors: 422 when it declares one, else 400.
    pub validation_status: StatusCode,
}

impl Operation {
    /// The raw values of the path parameters when `path` (relative to the base path) fits the template.
    pub fn match_path(&self, path: &str) -> Option<Vec<(String, String)>> {
        let rest = path.strip_prefix('/')?;
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(text) if text == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(_) if part.is_empty() => return None,
                Segment::Param(name) => params.push((name.clone(), part.to_owned())),
            }
        }
        Some(params)
    }
}

/// The compiled spec.
#[derive(Debug)]
pub(crate) struct Api {
    /// The path of the first server's URL, e.g. `/api/developer` (no trailing `/`).
    pub base_path: String,
    /// Every operation, in spec order.
    pub operations: Vec<Operation>,
}

impl Api {
    /// Parses `text` with `codegen::load::load` and compiles every operation.
    pub fn compile(text: &str) -> Result<Api, String> {
        let spec = codegen::load::load(text).map_err(|diagnostics| diagnostics.to_string())?;
        let server_url = spec
            .servers
            .first()
            .map(|server| server.url.clone())
            .ok_or("the spec declares no server")?;
        let base_path = match server_url.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
            None => server_url.as_str(),
        }
        .trim_end_matches('/')
        .to_owned();
        let resolver = Resolver { spec: &spec };
        let mut operations = Vec::new();
        for (template, item) in &spec.paths.paths {
            let item = item
                .as_item()
                .ok_or_else(|| format!("path {template}: $ref path items are not supported"))?;
            for (method, op) in item.iter() {
                let id = op
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| format!("{} {template}", method.to_uppercase()));
                let method = Method::from_bytes(method.to_uppercase().as_bytes())
                    .map_err(|e| format!("{id}: {e}"))?;
                let mut path_params = Vec::new();
                let mut query_params = Vec::new();
                for param in item.parameters.iter().chain(&op.parameters) {
                    let param = resolver.parameter(param)?;
                    let data = param.parameter_data_ref();
                    let kind = match &data.format {
                        ParameterSchemaOrContent::Schema(schema) => {
                            resolver.kind(resolver.schema(schema)?)
                        }
                        ParameterSchemaOrContent::Content(_) => Kind::Other,
                    };
                    let spec = Param {
                        name: data.name.clone(),
                        required: data.required,
                        kind,
                    };
                    match param {
                        Parameter::Path { .. } => path_params.push(spec),
                        Parameter::Query { .. } => query_params.push(spec),
                        Parameter::Header { .. } | Parameter::Cookie { .. } => {}
                    }
                }
                let body = match &op.request_body {
                    Some(body) => Some(resolver.body(resolver.request_body(body)?)?),
                    None => None,
                };
                let (success, response) = op
                    .responses
                    .responses
                    .iter()
                    .find_map(|(code, response)| match code {
                        openapiv3::StatusCode::Code(code @ 200..=299) => Some((*code, response)),
                        _ => None,
                    })
                    .ok_or_else(|| format!("{id}: no 2xx response"))?;
                let success = StatusCode::from_u16(success).map_err(|e| format!("{id}: {e}"))?;
                let response = resolver.response(response)?;
                let json = response
                    .content
                    .iter()
                    .find(|(media, _)| media.contains("json"))
                    .map(|(_, media)| media);
                let body_value = match json {
                    Some(media) => Some(resolver.example_of(media)?),
                    None => None,
                };
                let echo_fields = match json.and_then(|media| media.schema.as_ref()) {
                    Some(schema) => resolver.echo_fields(resolver.schema(schema)?)?,
                    None => Vec::new(),
                };
                let declares_rate_headers = response
                    .headers
                    .keys()
                    .any(|name| name.eq_ignore_ascii_case("X-RateLimit-Limit"));
                let rate_limit = op
                    .extensions
                    .get("x-rate-limit")
                    .and_then(rate_limit)
                    .filter(|_| declares_rate_headers);
                let validation_status = if op
                    .responses
                    .responses
                    .contains_key(&openapiv3::StatusCode::Code(422))
                {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::BAD_REQUEST
                };
                let segments = template
                    .trim_start_matches('/')
                    .split('/')
                    .map(
                        |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_owned()),
                            None => Segment::Literal(part.to_owned()),
                        },
                    )
                    .collect();
                operations.push(Operation {
                    id,
                    method,
                    template: template.clone(),
                    segments,
                    path_params,
                    query_params,
                    body,
                    success,
                    response: body_value,
                    echo_fields,
                    rate_limit,
                    validation_status,
                });
            }
        }
        Ok(Api {
            base_path,
            operations,
        })
    }
}

/// `{requests: N, per: second|minute|hour|day}`.
fn rate_limit(value: &Value) -> Option<RateLimit> {
    let requests = value.get("requests")?.as_u64()?;
    let per_seconds = match value.get("per")?.as_str()? {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        _ => return None,
    };
    Some(RateLimit {
        requests,
        per_seconds,
    })
}

/// Looks `$ref`s up in the spec's components.
struct Resolver<'a> {
    spec: &'a OpenAPI,
}

/// The component called `name` from a `#/components/<kind>/<name>` reference.
fn component<'a, T>(
    reference: &str,
    kind: &str,
    map: Option<&'a IndexMap<String, ReferenceOr<T>>>,
) -> Result<&'a ReferenceOr<T>, String> {
    let name = reference
        .strip_prefix(&format!("#/components/{kind}/"))
        .ok_or_else(|| format!("unsupported $ref {reference}"))?;
    map.and_then(|map| map.get(name))
        .ok_or_else(|| format!("unresolved $ref {reference}"))
}

impl<'a> Resolver<'a> {
    fn schema(&self, schema: &'a ReferenceOr<Schema>) -> Result<&'a Schema, String> {
        let mut current = schema;
        for _ in 0..MAX_DEPTH {
            match current {
                ReferenceOr::Item(schema) => return Ok(schema),
                ReferenceOr::Reference { reference } => {
                    current = component(
                        reference,
                        "schemas",
                        self.spec.components.as_ref().map(|c| &c.schemas),
                    )?;
                }
            }
        }
        Err("a chain of schema $refs is too long".to_owned())
    }

    fn boxed(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Result<&'a Schema, String> {
        match schema {
            ReferenceOr::Item(schema) => Ok(schema),
            ReferenceOr::Reference { reference } => self.schema(component(
                reference,
                "schemas",
                self.spec.components.as_ref().map(|c| &c.schemas),
            )?),
        }
    }

    fn parameter(&self, param: &'a ReferenceOr<Parameter>) -> Result<&'a Parameter, String> {
        match param {
            ReferenceOr::Item(param) => Ok(param),
            ReferenceOr::Reference { reference } => component(
                reference,
                "parameters",
                self.spec.components.as_ref().map(|c| &c.parameters),
            )?
            .as_item()
            .ok_or_else(|| format!("nested $ref at {reference}")),
        }
    }

    fn request_body(&self, body: &'a ReferenceOr<RequestBody>) -> Result<&'a RequestBody, String> {
        match body {
            ReferenceOr::Item(body) => Ok(body),
            ReferenceOr::Reference { reference } => component(
                reference,
                "requestBodies",
                self.spec.components.as_ref().map(|c| &c.request_bodies),
            )?
            .as_item()
            .ok_or_else(|| format!("nested $ref at {reference}")),
        }
    }

    fn response(&self, response: &'a ReferenceOr<Response>) -> Result<&'a Response, String> {
        match response {
            ReferenceOr::Item(response) => Ok(response),
            ReferenceOr::Reference { reference } => component(
                reference,
                "responses",
                self.spec.components.as_ref().map(|c| &c.responses),
            )?
            .as_item()
            .ok_or_else(|| format!("nested $ref at {reference}")),
        }
    }

    fn kind(&self, schema: &Schema) -> Kind {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Integer(_)) => Kind::Integer,
            SchemaKind::Type(Type::Number(_)) => Kind::Number,
            SchemaKind::Type(Type::Boolean(_)) => Kind::Boolean,
            SchemaKind::Type(Type::String(_)) => Kind::String,
            _ => Kind::Other,
        }
    }

    /// The properties of an object schema, resolved, in order; empty for other schemas.
    fn properties(&self, schema: &'a Schema) -> Result<Vec<(&'a str, &'a Schema)>, String> {
        let properties = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => &object.properties,
            SchemaKind::Any(any) => &any.properties,
            _ => return Ok(Vec::new()),
        };
        properties
            .iter()
            .map(|(name, schema)| Ok((name.as_str(), self.boxed(schema)?)))
            .collect()
    }

    fn required(&self, schema: &Schema) -> Vec<String> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => object.required.clone(),
            SchemaKind::Any(any) => any.required.clone(),
            _ => Vec::new(),
        }
    }

    fn body(&self, body: &'a RequestBody) -> Result<BodySpec, String> {
        let mut media = Vec::new();
        for (content_type, content) in &body.content {
            let schema = match &content.schema {
                Some(schema) => Some(self.schema(schema)?),
                None => None,
            };
            let mut max_bytes = Vec::new();
            if let Some(schema) = schema {
                for (name, property) in self.properties(schema)? {
                    if let Some(limit) = property
                        .schema_data
                        .extensions
                        .get("x-max-bytes")
                        .and_then(Value::as_u64)
                    {
                        max_bytes.push((name.to_owned(), limit));
                    }
                }
            }
            let json_parts = content
                .encoding
                .iter()
                .filter(|(_, encoding)| {
                    encoding
                        .content_type
                        .as_deref()
                        .is_some_and(|types| types.contains("json"))
                })
                .map(|(name, _)| name.clone())
                .collect();
            media.push(BodyMedia {
                content_type: content_type.to_ascii_lowercase(),
                required: schema.map(|s| self.required(s)).unwrap_or_default(),
                json_parts,
                max_bytes,
            });
        }
        Ok(BodySpec {
            required: body.required,
            media,
        })
    }

    /// The fields of the object under `data` (or, for the send operations, `message`) of a response schema.
    fn echo_fields(&self, schema: &'a Schema) -> Result<Vec<(String, Kind)>, String> {
        for (name, property) in self.properties(schema)? {
            if name == "data" || name == "message" {
                let fields = self.properties(property)?;
                if !fields.is_empty() {
                    return Ok(fields
                        .into_iter()
                        .map(|(name, schema)| (name.to_owned(), self.kind(schema)))
                        .collect());
                }
            }
        }
        Ok(Vec::new())
    }

    /// The media type's `example`, else its first `examples` value, else its schema's `example`, else a
    /// body synthesized from the schema.
    fn example_of(&self, media: &'a MediaType) -> Result<Value, String> {
        if let Some(example) = &media.example {
            return Ok(example.clone());
        }
        if let Some(example) = media
            .examples
            .values()
            .find_map(|example| example.as_item()?.value.clone())
        {
            return Ok(example);
        }
        match &media.schema {
            Some(schema) => self.synthesize(self.schema(schema)?, "", 0),
            None => Ok(json!({})),
        }
    }

    /// A realistic value for `schema`: its example, else the first enum value or default, else one built
    /// from its type (objects with every property, arrays with one item, strings by format).
    pub fn synthesize(
        &self,
        schema: &'a Schema,
        name: &str,
        depth: usize,
    ) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Ok(Value::Null);
        }
        if let Some(example) = &schema.schema_data.example {
            return Ok(example.clone());
        }
        let value = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                if let Some(first) = string.enumeration.iter().flatten().next() {
                    Value::String(first.clone())
                } else if let Some(default) = &schema.schema_data.default {
                    default.clone()
                } else {
                    Value::String(match &string.format {
                        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => {
                            FIXED_DATE_TIME.to_owned()
                        }
                        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => FIXED_DATE.to_owned(),
                        VariantOrUnknownOrEmpty::Unknown(format) if format == "uri" => {
                            format!("https://storage.awalchat.com/mock/{}", or_field(name))
                        }
                        VariantOrUnknownOrEmpty::Unknown(format) if format == "email" => {
                            "ahmed@example.com".to_owned()
                        }
                        _ => format!("example {}", or_field(name)),
                    })
                }
            }
            SchemaKind::Type(Type::Integer(integer)) => {
                if let Some(first) = integer.enumeration.iter().flatten().next() {
                    json!(first)
                } else if let Some(default) = &schema.schema_data.default {
                    default.clone()
                } else if matches!(&integer.format, VariantOrUnknownOrEmpty::Unknown(f) if f == "unix-time")
                {
                    json!(FIXED_UNIX_TIME)
                } else {
                    json!(integer.minimum.unwrap_or(1).max(1))
                }
            }
            SchemaKind::Type(Type::Number(number)) => {
                if let Some(first) = number.enumeration.iter().flatten().next() {
                    json!(first)
                } else if let Some(default) = &schema.schema_data.default {
                    default.clone()
                } else {
                    json!(1.0)
                }
            }
            SchemaKind::Type(Type::Boolean(_)) => Value::Bool(true),
            SchemaKind::Type(Type::Array(array)) => match &array.items {
                Some(items) => Value::Array(vec![self.synthesize(
                    self.boxed(items)?,
                    name,
                    depth + 1,
                )?]),
                None => Value::Array(Vec::new()),
            },
            SchemaKind::Type(Type::Object(_)) | SchemaKind::Any(_) => {
                let mut object = Map::new();
                for (property, schema) in self.properties(schema)? {
                    object.insert(
                        property.to_owned(),
                        self.synthesize(schema, property, depth + 1)?,
                    );
                }
                // A free-form map (`additionalProperties` only) stays empty: any key would be invented.
                Value::Object(object)
            }
            SchemaKind::OneOf { one_of: variants } | SchemaKind::AnyOf { any_of: variants } => {
                match variants.first() {
                    Some(first) => self.synthesize(self.schema(first)?, name, depth + 1)?,
                    None => Value::Null,
                }
            }
            SchemaKind::AllOf { all_of } => {
                let mut merged = Map::new();
                for part in all_of {
                    if let Value::Object(fields) =
                        self.synthesize(self.schema(part)?, name, depth + 1)?
                    {
                        merged.extend(fields);
                    }
                }
                Value::Object(merged)
            }
            SchemaKind::Not { .. } => Value::Null,
        };
        Ok(value)
    }
}

/// `name`, or `field` when synthesizing a value that has no property name.
fn or_field(name: &str) -> &str {
    if name.is_empty() {
        "field"
    } else {
        name
    }
}

/// The methods of `operations`, sorted and without repeats, for an `Allow` header.
pub(crate) fn allowed_methods<'a>(operations: impl Iterator<Item = &'a Operation>) -> String {
    operations
        .map(|op| op.method.as_str().to_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(", ")
}
