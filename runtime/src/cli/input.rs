//! [`Input`]: what `call --input` reads (and what a subcommand's flags are turned into), and the typed
//! arguments a generated operation function takes out of it.
//!
//! ```json
//! {"path": {...}, "query": {...}, "header": {...}, "cookie": {...}, "body": <JSON>, "content_type": "..."}
//! ```
//!
//! Parameters are keyed by their names in the spec (header names compare case-insensitively), values
//! are JSON; every key is optional, and an absent value and `null` are the same. A value of the wrong
//! JSON type is read a second time from its text (`"5"` as `5`, `5` as `"5"`), so that flags, which are
//! text, and hand-written JSON both work. A file (a binary part of a multipart body, or a whole binary
//! body) is a reference: `{"$file": "/path", "content_type": "image/png"}`, `content_type` optional.

use super::api::{Location, Operation};
use super::Failure;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt::Display;
use std::path::PathBuf;

/// The input of one call. Built by [`Input::from_json`] from `call --input`, or from the flags of an
/// operation's subcommand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub(crate) path: Map<String, Value>,
    pub(crate) query: Map<String, Value>,
    pub(crate) header: Map<String, Value>,
    pub(crate) cookie: Map<String, Value>,
    pub(crate) body: Option<Value>,
    pub(crate) content_type: Option<String>,
}

/// The keys of an input object.
const KEYS: [&str; 6] = ["path", "query", "header", "cookie", "body", "content_type"];

impl Input {
    /// Reads the `call` input: an object with the keys above, each optional. Anything else is refused,
    /// so that a misspelt key is an error rather than a parameter silently left out.
    pub fn from_json(value: Value) -> Result<Self, Failure> {
        let Value::Object(object) = value else {
            return Err(Failure::usage(
                "the input must be a JSON object: {\"path\": {...}, \"query\": {...}, \"header\": {...}, \"cookie\": {...}, \"body\": ..., \"content_type\": \"...\"}",
            ));
        };
        let mut input = Input::default();
        for (key, value) in object {
            let params = match key.as_str() {
                "path" => &mut input.path,
                "query" => &mut input.query,
                "header" => &mut input.header,
                "cookie" => &mut input.cookie,
                "body" => {
                    input.body = Some(value).filter(|v| !v.is_null());
                    continue;
                }
                "content_type" => {
                    input.content_type = match value {
                        Value::String(text) => Some(text),
                        Value::Null => None,
                        _ => return Err(Failure::usage("`content_type` must be a string")),
                    };
                    continue;
                }
                other => {
                    return Err(Failure::usage(format!(
                        "unknown input key `{other}`; the keys are {}",
                        KEYS.join(", ")
                    )))
                }
            };
            match value {
                Value::Object(map) => *params = map,
                Value::Null => {}
                _ => {
                    return Err(Failure::usage(format!(
                        "`{key}` must be an object of parameter names and values"
                    )))
                }
            }
        }
        Ok(input)
    }

    /// Refuses parameters the operation does not have, and a body or content type it does not take.
    pub(crate) fn check<C>(&self, op: &Operation<C>) -> Result<(), Failure> {
        for (location, params) in [
            (Location::Path, &self.path),
            (Location::Query, &self.query),
            (Location::Header, &self.header),
            (Location::Cookie, &self.cookie),
        ] {
            for name in params.keys() {
                let known = op
                    .params
                    .iter()
                    .any(|p| p.location == location && same_name(location, p.name, name));
                if !known {
                    let names: Vec<&str> = op
                        .params
                        .iter()
                        .filter(|p| p.location == location)
                        .map(|p| p.name)
                        .collect();
                    let known = if names.is_empty() {
                        "it has none".to_owned()
                    } else {
                        format!("it has {}", names.join(", "))
                    };
                    return Err(Failure::usage(format!(
                        "`{}` takes no {} `{name}` ({known})",
                        op.name,
                        location.describe()
                    )));
                }
            }
        }
        if op.body.is_none() && self.body.is_some() {
            return Err(Failure::usage(format!("`{}` takes no body", op.name)));
        }
        if let (Some(body), Some(chosen)) = (&op.body, &self.content_type) {
            if !body
                .content_types
                .iter()
                .any(|offered| same_media_type(offered, chosen))
            {
                return Err(Failure::usage(format!(
                    "`{}` takes no body of type `{chosen}`; it takes {}",
                    op.name,
                    body.content_types.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The value of a parameter, if it is given (and not `null`).
    fn value(&self, location: Location, name: &str) -> Option<&Value> {
        let params = match location {
            Location::Path => &self.path,
            Location::Query => &self.query,
            Location::Header => &self.header,
            Location::Cookie => &self.cookie,
            Location::Body => match &self.body {
                Some(Value::Object(fields)) => fields,
                _ => return None,
            },
        };
        params
            .iter()
            .find(|(key, _)| same_name(location, name, key))
            .map(|(_, value)| value)
            .filter(|value| !value.is_null())
    }

    /// A required parameter, as the type of the operation's argument.
    pub fn param<T: DeserializeOwned>(&self, location: Location, name: &str) -> Result<T, Failure> {
        self.param_opt(location, name)?.ok_or_else(|| {
            Failure::usage(format!("the {} `{name}` is required", location.describe()))
        })
    }

    /// An optional parameter: `None` when it is absent or `null`.
    pub fn param_opt<T: DeserializeOwned>(
        &self,
        location: Location,
        name: &str,
    ) -> Result<Option<T>, Failure> {
        self.value(location, name)
            .map(|value| decode(value, format_args!("{} `{name}`", location.describe())))
            .transpose()
    }

    /// A required parameter sent as Unix seconds (`format: unix-time`), given as seconds or as an
    /// RFC 3339 timestamp.
    #[cfg(feature = "chrono")]
    pub fn unix_param(
        &self,
        location: Location,
        name: &str,
    ) -> Result<chrono::DateTime<chrono::Utc>, Failure> {
        self.unix_param_opt(location, name)?.ok_or_else(|| {
            Failure::usage(format!("the {} `{name}` is required", location.describe()))
        })
    }

    /// An optional parameter sent as Unix seconds; see [`Input::unix_param`].
    #[cfg(feature = "chrono")]
    pub fn unix_param_opt(
        &self,
        location: Location,
        name: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, Failure> {
        self.value(location, name)
            .map(|value| unix(value, format_args!("{} `{name}`", location.describe())))
            .transpose()
    }

    /// Whether a body is given.
    pub fn has_body(&self) -> bool {
        self.body.is_some()
    }

    /// The body, required.
    fn required_body(&self) -> Result<&Value, Failure> {
        self.body.as_ref().ok_or_else(|| {
            Failure::usage(
                "the request body is required (`body` in the input, or --body and the field flags)",
            )
        })
    }

    /// A required JSON (or form-urlencoded) body, as its type.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        decode(self.required_body()?, "the body")
    }

    /// An optional JSON (or form-urlencoded) body.
    pub fn body_opt<T: DeserializeOwned>(&self) -> Result<Option<T>, Failure> {
        self.body
            .as_ref()
            .map(|body| decode(body, "the body"))
            .transpose()
    }

    /// A required text body: a JSON string.
    pub fn text(&self) -> Result<String, Failure> {
        text(self.required_body()?)
    }

    /// An optional text body.
    pub fn text_opt(&self) -> Result<Option<String>, Failure> {
        self.body.as_ref().map(text).transpose()
    }

    /// A required binary body: a file reference (the file, streamed as the request is sent, never read
    /// whole), or a JSON string (its UTF-8 bytes).
    pub fn upload(&self) -> Result<crate::Upload, Failure> {
        upload(self.required_body()?)
    }

    /// An optional binary body.
    pub fn upload_opt(&self) -> Result<Option<crate::Upload>, Failure> {
        self.body.as_ref().map(upload).transpose()
    }

    /// A required multipart body: an object whose fields the form's fields are taken from.
    pub fn fields(&self) -> Result<Fields<'_>, Failure> {
        fields(self.required_body()?)
    }

    /// An optional multipart body.
    pub fn fields_opt(&self) -> Result<Option<Fields<'_>>, Failure> {
        self.body.as_ref().map(fields).transpose()
    }

    /// For an operation that takes its body as several media types: the index in `offered` of the one
    /// `content_type` names (compared without parameters, case-insensitively), or 0 when it names none.
    pub fn variant(&self, offered: &[&str]) -> Result<usize, Failure> {
        self.required_body()?;
        self.chosen(offered)
    }

    /// As [`Input::variant`] for an optional body: `None` when there is no body.
    pub fn variant_opt(&self, offered: &[&str]) -> Result<Option<usize>, Failure> {
        match self.body {
            Some(_) => self.chosen(offered).map(Some),
            None => Ok(None),
        }
    }

    fn chosen(&self, offered: &[&str]) -> Result<usize, Failure> {
        let Some(chosen) = &self.content_type else {
            return Ok(0);
        };
        offered
            .iter()
            .position(|offered| same_media_type(offered, chosen))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "no body of type `{chosen}`: the operation takes {}",
                    offered.join(", ")
                ))
            })
    }
}

/// The fields of a multipart body, each taken out as the form field's type.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    fields: &'a Map<String, Value>,
}

impl Fields<'_> {
    fn value(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|value| !value.is_null())
    }

    /// A required field.
    pub fn field<T: DeserializeOwned>(&self, name: &str) -> Result<T, Failure> {
        self.field_opt(name)?.ok_or_else(|| missing_field(name))
    }

    /// An optional field.
    pub fn field_opt<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Failure> {
        self.value(name)
            .map(|value| decode(value, format_args!("body field `{name}`")))
            .transpose()
    }

    /// A required field sent as Unix seconds (`format: unix-time`).
    #[cfg(feature = "chrono")]
    pub fn unix_field(&self, name: &str) -> Result<chrono::DateTime<chrono::Utc>, Failure> {
        self.unix_field_opt(name)?
            .ok_or_else(|| missing_field(name))
    }

    /// An optional field sent as Unix seconds.
    #[cfg(feature = "chrono")]
    pub fn unix_field_opt(
        &self,
        name: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, Failure> {
        self.value(name)
            .map(|value| unix(value, format_args!("body field `{name}`")))
            .transpose()
    }

    /// A required file field: a file reference.
    #[cfg(feature = "multipart")]
    pub fn file(&self, name: &str) -> Result<crate::FilePart, Failure> {
        self.file_opt(name)?.ok_or_else(|| missing_field(name))
    }

    /// An optional file field.
    #[cfg(feature = "multipart")]
    pub fn file_opt(&self, name: &str) -> Result<Option<crate::FilePart>, Failure> {
        self.value(name)
            .map(|value| file_part(value, format_args!("body field `{name}`")))
            .transpose()
    }

    /// A required field of several files: a list of file references (or one).
    #[cfg(feature = "multipart")]
    pub fn files(&self, name: &str) -> Result<Vec<crate::FilePart>, Failure> {
        self.files_opt(name)?.ok_or_else(|| missing_field(name))
    }

    /// An optional field of several files.
    #[cfg(feature = "multipart")]
    pub fn files_opt(&self, name: &str) -> Result<Option<Vec<crate::FilePart>>, Failure> {
        let what = format!("body field `{name}`");
        self.value(name)
            .map(|value| match value {
                Value::Array(items) => items.iter().map(|item| file_part(item, &what)).collect(),
                one => file_part(one, &what).map(|part| vec![part]),
            })
            .transpose()
    }
}

fn missing_field(name: &str) -> Failure {
    Failure::usage(format!("the body field `{name}` is required"))
}

/// Whether two names of a location are the same parameter's: header names ignore case.
fn same_name(location: Location, a: &str, b: &str) -> bool {
    match location {
        Location::Header => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

/// Whether a body of media type `chosen` is sent as the `offered` one: the same type (parameters and
/// case aside), or both JSON (`application/json`, `text/json`, `application/*+json`: the client sends the
/// first JSON type the spec lists for them all).
fn same_media_type(offered: &str, chosen: &str) -> bool {
    let essence = |t: &str| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    let json = |t: &str| t == "application/json" || t == "text/json" || t.ends_with("+json");
    let (offered, chosen) = (essence(offered), essence(chosen));
    offered == chosen || (json(&offered) && json(&chosen))
}

/// `value` as `T`; when it does not fit, its text is read again (`"5"` as `5`, `5` as `"5"`, the
/// items of a list of texts each as JSON). The error names `what` and is the first reading's.
pub(crate) fn decode<T: DeserializeOwned>(value: &Value, what: impl Display) -> Result<T, Failure> {
    let first = match T::deserialize(value) {
        Ok(decoded) => return Ok(decoded),
        Err(error) => error,
    };
    if let Some(again) = reread(value) {
        if let Ok(decoded) = T::deserialize(&again) {
            return Ok(decoded);
        }
    }
    Err(Failure::usage(format!("{what}: {first}")))
}

/// `value` read from its text: the second try of [`decode`].
fn reread(value: &Value) -> Option<Value> {
    let parsed = |text: &str| serde_json::from_str::<Value>(text).ok();
    match value {
        Value::String(text) => parsed(text),
        Value::Number(number) => Some(Value::String(number.to_string())),
        Value::Bool(flag) => Some(Value::String(flag.to_string())),
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|item| match item {
                    Value::String(text) => parsed(text).unwrap_or_else(|| item.clone()),
                    other => other.clone(),
                })
                .collect(),
        )),
        Value::Null | Value::Object(_) => None,
    }
}

/// Unix seconds (a number, or its text), or an RFC 3339 timestamp.
#[cfg(feature = "chrono")]
fn unix(value: &Value, what: impl Display) -> Result<chrono::DateTime<chrono::Utc>, Failure> {
    let seconds = match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    };
    if let Some(at) = seconds.and_then(|s| chrono::DateTime::from_timestamp(s, 0)) {
        return Ok(at);
    }
    decode(value, what)
}

fn text(value: &Value) -> Result<String, Failure> {
    match value {
        Value::String(text) => Ok(text.clone()),
        _ => Err(Failure::usage(
            "the body must be a JSON string (the text to send)",
        )),
    }
}

fn fields(value: &Value) -> Result<Fields<'_>, Failure> {
    match value {
        Value::Object(fields) => Ok(Fields { fields }),
        _ => Err(Failure::usage(
            "the body must be a JSON object of the form's fields",
        )),
    }
}

/// A binary body. A file is streamed by the client as it sends (each attempt reopens it); it must exist
/// now, so that a wrong path is refused before anything is sent.
fn upload(value: &Value) -> Result<crate::Upload, Failure> {
    match value {
        Value::String(text) => Ok(crate::Upload::from(Bytes::copy_from_slice(text.as_bytes()))),
        reference => {
            let (path, _) = file_reference(reference, "the body")?;
            match std::fs::metadata(&path) {
                Ok(metadata) if metadata.is_file() => Ok(crate::Upload::path(path)),
                Ok(_) => Err(Failure::usage(format!(
                    "the body: {}: not a file",
                    path.display()
                ))),
                Err(error) => Err(Failure::usage(format!(
                    "the body: {}: {error}",
                    path.display()
                ))),
            }
        }
    }
}

/// A file reference: the path, and the content type it asks for.
fn file_reference(value: &Value, what: impl Display) -> Result<(PathBuf, Option<String>), Failure> {
    let shape = || {
        Failure::usage(format!(
            "{what}: expected a file reference {{\"$file\": \"/path\", \"content_type\": \"...\"}}"
        ))
    };
    let Value::Object(reference) = value else {
        return Err(shape());
    };
    let Some(Value::String(path)) = reference.get("$file") else {
        return Err(shape());
    };
    let content_type = match reference.get("content_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(content_type)) => Some(content_type.clone()),
        Some(_) => return Err(shape()),
    };
    if reference
        .keys()
        .any(|key| key != "$file" && key != "content_type")
    {
        return Err(shape());
    }
    Ok((PathBuf::from(path), content_type))
}

/// A file part from a file reference: the file's bytes and name, and the content type the reference
/// gives or else the one its bytes or extension say (as [`FilePart::from_path`](crate::FilePart::from_path)).
#[cfg(feature = "multipart")]
fn file_part(value: &Value, what: impl Display + Copy) -> Result<crate::FilePart, Failure> {
    let (path, content_type) = file_reference(value, what)?;
    let part = crate::FilePart::from_path(&path)
        .map_err(|error| Failure::usage(format!("{what}: {}: {error}", path.display())))?;
    Ok(match content_type {
        Some(content_type) => crate::FilePart::from_upload(
            part.upload().clone(),
            part.file_name().to_owned(),
            content_type,
        ),
        None => part,
    })
}
