//! One view of a schema, whatever openapiv3 parsed it into (`type: string` becomes a `StringType`, a
//! schema mixing keywords becomes an `AnySchema`), and what that view says the schema is.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

/// Every keyword lowering looks at, borrowed from the schema.
#[derive(Clone)]
pub(crate) struct Shape<'s> {
    /// The declared `type`, if any.
    pub typ: Option<&'s str>,
    /// `format`, as written.
    pub format: Option<String>,
    pub pattern: Option<&'s str>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    /// `exclusiveMinimum: true` (3.0; the loader turns 3.1's numbers into this).
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    /// `enum`, `null` included.
    pub enumeration: Vec<Value>,
    pub properties: Option<&'s IndexMap<String, ReferenceOr<Box<Schema>>>>,
    pub required: &'s [String],
    pub additional: Option<&'s AdditionalProperties>,
    pub items: Option<&'s ReferenceOr<Box<Schema>>>,
    pub one_of: &'s [ReferenceOr<Schema>],
    pub any_of: &'s [ReferenceOr<Schema>],
    pub all_of: &'s [ReferenceOr<Schema>],
    pub not: Option<&'s ReferenceOr<Schema>>,
    /// An array whose `items` is an `anyOf` of a tuple's elements (3.1 `prefixItems`, marked by the
    /// loader).
    pub tuple: bool,
}

/// What a schema is, decided from its keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `allOf` (with the schema's own properties as one more member).
    AllOf,
    /// `oneOf` or `anyOf`.
    Union,
    /// Only `not`: nothing useful to generate.
    Not,
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    /// `type: "null"`, or an `enum` of only `null`.
    Null,
    /// No keyword that says what it is: any JSON value.
    Any,
    /// Keywords of different types with no `type` to choose between them, or a `type` that is not
    /// one of OpenAPI's.
    Conflict,
}

impl<'s> Shape<'s> {
    pub fn of(schema: &'s Schema) -> Self {
        let mut s = Shape {
            typ: None,
            format: None,
            pattern: None,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            exclusive_minimum: false,
            exclusive_maximum: false,
            min_items: None,
            max_items: None,
            enumeration: Vec::new(),
            properties: None,
            required: &[],
            additional: None,
            items: None,
            one_of: &[],
            any_of: &[],
            all_of: &[],
            not: None,
            tuple: schema.schema_data.extensions.get(crate::load::oas31::TUPLE)
                == Some(&Value::Bool(true)),
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(t)) => {
                s.typ = Some("string");
                s.format = format_name(&t.format, |f| match f {
                    StringFormat::Date => "date",
                    StringFormat::DateTime => "date-time",
                    StringFormat::Password => "password",
                    StringFormat::Byte => "byte",
                    StringFormat::Binary => "binary",
                });
                s.pattern = t.pattern.as_deref();
                s.min_length = t.min_length;
                s.max_length = t.max_length;
                s.enumeration = t
                    .enumeration
                    .iter()
                    .map(|v| v.clone().map_or(Value::Null, Value::String))
                    .collect();
            }
            SchemaKind::Type(Type::Integer(t)) => {
                s.typ = Some("integer");
                s.format = format_name(&t.format, |f| match f {
                    IntegerFormat::Int32 => "int32",
                    IntegerFormat::Int64 => "int64",
                });
                s.minimum = t.minimum.map(|v| v as f64);
                s.maximum = t.maximum.map(|v| v as f64);
                s.exclusive_minimum = t.exclusive_minimum;
                s.exclusive_maximum = t.exclusive_maximum;
                s.enumeration = t
                    .enumeration
                    .iter()
                    .map(|v| v.map_or(Value::Null, Value::from))
                    .collect();
            }
            SchemaKind::Type(Type::Number(t)) => {
                s.typ = Some("number");
                s.format = format_name(&t.format, |f| match f {
                    NumberFormat::Float => "float",
                    NumberFormat::Double => "double",
                });
                s.minimum = t.minimum;
                s.maximum = t.maximum;
                s.exclusive_minimum = t.exclusive_minimum;
                s.exclusive_maximum = t.exclusive_maximum;
                s.enumeration = t
                    .enumeration
                    .iter()
                    .map(|v| v.map_or(Value::Null, Value::from))
                    .collect();
            }
            SchemaKind::Type(Type::Boolean(t)) => {
                s.typ = Some("boolean");
                s.enumeration = t
                    .enumeration
                    .iter()
                    .map(|v| v.map_or(Value::Null, Value::Bool))
                    .collect();
            }
            SchemaKind::Type(Type::Object(t)) => {
                s.typ = Some("object");
                s.properties = Some(&t.properties);
                s.required = &t.required;
                s.additional = t.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(t)) => {
                s.typ = Some("array");
                s.items = t.items.as_ref();
                s.min_items = t.min_items;
                s.max_items = t.max_items;
            }
            SchemaKind::OneOf { one_of } => s.one_of = one_of,
            SchemaKind::AllOf { all_of } => s.all_of = all_of,
            SchemaKind::AnyOf { any_of } => s.any_of = any_of,
            SchemaKind::Not { not } => s.not = Some(not),
            SchemaKind::Any(a) => {
                s.typ = a.typ.as_deref();
                s.format = a.format.clone();
                s.pattern = a.pattern.as_deref();
                s.min_length = a.min_length;
                s.max_length = a.max_length;
                s.minimum = a.minimum;
                s.maximum = a.maximum;
                s.exclusive_minimum = a.exclusive_minimum.unwrap_or(false);
                s.exclusive_maximum = a.exclusive_maximum.unwrap_or(false);
                s.min_items = a.min_items;
                s.max_items = a.max_items;
                s.enumeration = a.enumeration.clone();
                s.properties = (!a.properties.is_empty()).then_some(&a.properties);
                s.required = &a.required;
                s.additional = a.additional_properties.as_ref();
                s.items = a.items.as_ref();
                s.one_of = &a.one_of;
                s.any_of = &a.any_of;
                s.all_of = &a.all_of;
                s.not = a.not.as_deref();
            }
        }
        s
    }

    /// The declared properties (none when there are none).
    pub fn props(&self) -> impl Iterator<Item = (&'s String, &'s ReferenceOr<Box<Schema>>)> {
        self.properties.into_iter().flatten()
    }

    fn has_props(&self) -> bool {
        self.properties.is_some_and(|p| !p.is_empty())
    }

    /// `additionalProperties` that says something: a schema, or `true`.
    pub fn open_additional(&self) -> Option<&'s AdditionalProperties> {
        match self.additional {
            Some(AdditionalProperties::Any(false)) | None => None,
            other => other,
        }
    }

    /// The non-null `enum` values.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.enumeration.iter().filter(|v| !v.is_null())
    }

    /// What the schema is. A declared `type` wins over stray keywords of other types (a string with
    /// `uniqueItems`, an object with `format`); without one the keywords decide.
    pub fn kind(&self) -> Kind {
        if !self.all_of.is_empty() {
            return Kind::AllOf;
        }
        if !self.one_of.is_empty() || !self.any_of.is_empty() {
            return Kind::Union;
        }
        // `{type: string, enum: [null]}` (dropshot's way of saying "null"): only null fits.
        if !self.enumeration.is_empty() && self.values().next().is_none() {
            return Kind::Null;
        }
        match self.typ {
            Some("string") => return Kind::String,
            Some("integer") => return Kind::Integer,
            Some("number") => return Kind::Number,
            Some("boolean") => return Kind::Boolean,
            Some("array") => return Kind::Array,
            Some("object") => return Kind::Object,
            Some("null") => return Kind::Null,
            Some(_) => return Kind::Conflict,
            None => {}
        }
        let object = self.has_props() || self.additional.is_some() || !self.required.is_empty();
        let array = self.items.is_some() || self.min_items.is_some() || self.max_items.is_some();
        let string =
            self.pattern.is_some() || self.min_length.is_some() || self.max_length.is_some();
        let number = self.minimum.is_some() || self.maximum.is_some();
        let values = self.enum_kind();
        let kinds = [
            object.then_some(Kind::Object),
            array.then_some(Kind::Array),
            string.then_some(Kind::String),
            number.then_some(Kind::Number),
            values,
        ];
        let mut found = kinds.iter().flatten();
        match (found.next(), found.next()) {
            (None, _) if self.not.is_some() => Kind::Not,
            (None, _) if !self.enumeration.is_empty() => Kind::Null,
            (None, _) => match self.format.as_deref() {
                // A format alone says what it is: `{format: date-time}`.
                Some("date-time" | "date" | "uuid" | "byte" | "binary" | "email" | "uri") => {
                    Kind::String
                }
                Some("int32" | "int64") => Kind::Integer,
                Some("float" | "double") => Kind::Number,
                _ => Kind::Any,
            },
            (Some(one), None) => *one,
            // `minimum` with integer enum values: an integer.
            (Some(Kind::Number), Some(Kind::Integer)) => Kind::Integer,
            (Some(_), Some(_)) => Kind::Conflict,
        }
    }

    /// Whether the `enum` values have no type in common (`[1, "one"]`).
    pub fn mixed_values(&self) -> bool {
        self.enum_kind() == Some(Kind::Conflict)
    }

    /// The type the `enum` values have in common, if they have one (integers count as numbers only
    /// when mixed with fractions).
    fn enum_kind(&self) -> Option<Kind> {
        let mut kind = None;
        for v in self.values() {
            let this = match v {
                Value::String(_) => Kind::String,
                Value::Bool(_) => Kind::Boolean,
                Value::Number(n) if n.is_i64() || n.is_u64() => Kind::Integer,
                Value::Number(_) => Kind::Number,
                _ => return Some(Kind::Conflict),
            };
            kind = match (kind, this) {
                (None, k) => Some(k),
                (Some(a), b) if a == b => Some(a),
                (Some(Kind::Integer), Kind::Number) | (Some(Kind::Number), Kind::Integer) => {
                    Some(Kind::Number)
                }
                _ => return Some(Kind::Conflict),
            };
        }
        kind
    }

    /// `type: "null"`, or an `enum` whose only value is `null`: a union member that makes the union
    /// nullable rather than being a variant.
    pub fn is_null(&self) -> bool {
        self.typ == Some("null") || (!self.enumeration.is_empty() && self.values().next().is_none())
    }

    /// Keywords that only constrain or describe (`required`, `description`, `nullable`, limits): a
    /// member of a composition that adds no type of its own.
    pub fn is_annotation(&self) -> bool {
        self.typ.is_none()
            && !self.has_props()
            && self.open_additional().is_none()
            && self.items.is_none()
            && self.one_of.is_empty()
            && self.any_of.is_empty()
            && self.all_of.is_empty()
            && self.not.is_none()
            && self.values().next().is_none()
            && self.format.is_none()
    }

    /// The structural keywords of other types that a declared `type` makes this schema ignore.
    pub fn ignored_structure(&self) -> Option<&'static str> {
        match self.typ? {
            "object" => self.items.is_some().then_some("items"),
            "array" => self
                .has_props()
                .then_some("properties")
                .or_else(|| schema_additional(self.additional).then_some("additionalProperties")),
            _ => self
                .has_props()
                .then_some("properties")
                .or_else(|| self.items.is_some().then_some("items"))
                .or_else(|| schema_additional(self.additional).then_some("additionalProperties")),
        }
    }
}

fn schema_additional(a: Option<&AdditionalProperties>) -> bool {
    matches!(a, Some(AdditionalProperties::Schema(_)))
}

fn format_name<F: Copy>(
    format: &VariantOrUnknownOrEmpty<F>,
    name: impl Fn(F) -> &'static str,
) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(f) => Some(name(*f).to_owned()),
        VariantOrUnknownOrEmpty::Unknown(f) => Some(f.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(yaml: &str) -> Kind {
        let schema: Schema = serde_yaml::from_str(yaml).expect("a schema");
        Shape::of(&schema).kind()
    }

    #[test]
    fn declared_types_win_over_stray_keywords() {
        assert_eq!(kind("{type: string, uniqueItems: true}"), Kind::String);
        assert_eq!(
            kind("{type: string, additionalProperties: true}"),
            Kind::String
        );
        assert_eq!(kind("{type: object, format: foo}"), Kind::Object);
        assert_eq!(kind("{type: file}"), Kind::Conflict);
    }

    #[test]
    fn keywords_decide_without_a_type() {
        assert_eq!(kind("{properties: {a: {}}}"), Kind::Object);
        assert_eq!(kind("{items: {}}"), Kind::Array);
        assert_eq!(kind("{enum: [a, b]}"), Kind::String);
        assert_eq!(kind("{enum: [1, 2], minimum: 0}"), Kind::Integer);
        assert_eq!(kind("{enum: [1, a]}"), Kind::Conflict);
        assert_eq!(kind("{properties: {a: {}}, items: {}}"), Kind::Conflict);
        assert_eq!(kind("{description: anything}"), Kind::Any);
        assert_eq!(kind("{not: {type: string}}"), Kind::Not);
        assert_eq!(kind("{format: date-time}"), Kind::String);
    }
}
