//! Schemas → named types and type references.

use super::names::{claim, snake_ident, type_ident, unraw};
use super::prose::sanitize;
use super::{
    Constraints, Discriminator, Enum, EnumValue, Field, NameIndex, OneOf, Struct, TypeDef,
    TypeKind, TypeRef, Variant,
};
use crate::diagnostics::{Pointer, Sink};
use heck::ToUpperCamelCase;
use openapiv3::{
    AdditionalProperties, Encoding, IntegerFormat, NumberFormat, ObjectType, OpenAPI, ReferenceOr,
    Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use std::collections::HashMap;

/// Lowers schemas, owning the type list and the name index while it does.
pub(super) struct Schemas<'a> {
    pub spec: &'a OpenAPI,
    pub sink: Sink,
    pub names: NameIndex,
    pub types: Vec<TypeDef>,
    /// Component schema key → Rust type name.
    components: HashMap<String, String>,
    /// Pointer of an inline schema → what it lowered to, so a schema shared through a `$ref`'d response
    /// or parameter is lowered (and named) once.
    inline: HashMap<String, TypeRef>,
}

/// The prefix of references to component schemas.
const SCHEMA_REF: &str = "#/components/schemas/";

impl<'a> Schemas<'a> {
    pub fn new(spec: &'a OpenAPI) -> Self {
        Schemas {
            spec,
            sink: Sink::default(),
            names: NameIndex::new(),
            types: Vec::new(),
            components: HashMap::new(),
            inline: HashMap::new(),
        }
    }

    /// Names every component schema first (so references resolve whatever the order), then lowers them.
    pub fn declare_components(&mut self) {
        let Some(components) = &self.spec.components else {
            return;
        };
        let base = Pointer::root().push("components").push("schemas");
        for (key, schema) in &components.schemas {
            let at = base.push(key);
            let name = schema
                .as_item()
                .and_then(rust_name_override)
                .unwrap_or_else(|| type_ident(key));
            if claim(&mut self.names, &mut self.sink, &name, &at, "type name") {
                self.components.insert(key.clone(), name);
            }
        }
        for (key, schema) in &components.schemas {
            let Some(name) = self.components.get(key).cloned() else {
                continue;
            };
            let at = base.push(key);
            match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.reference(reference, &at);
                    self.push_type(
                        name,
                        String::new(),
                        TypeKind::Alias(target, Box::default()),
                        &at,
                    );
                }
                ReferenceOr::Item(schema) => self.define(schema, &at, name),
            }
        }
    }

    /// Defines a named type from a schema: a struct for objects, an enum for string enums, a union for
    /// `oneOf`, an alias for anything else.
    fn define(&mut self, schema: &Schema, at: &Pointer, name: String) {
        let doc = schema_doc(schema);
        if let Some(values) = string_enum(schema) {
            let values = self.enum_values(schema, &values, at);
            let closed = schema
                .schema_data
                .extensions
                .get("x-closed")
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            self.push_type(name, doc, TypeKind::Enum(Enum { values, closed }), at);
            return;
        }
        if let SchemaKind::OneOf { one_of } = &schema.schema_kind {
            let union = self.lower_one_of(schema, one_of, at, &name);
            self.push_type(name, doc, TypeKind::OneOf(union), at);
            return;
        }
        if let Some(object) = object_of(schema) {
            if !object.properties.is_empty() || object.additional_properties.is_none() {
                let s = self.lower_struct(&object, at, &name);
                self.push_type(name, doc, TypeKind::Struct(s), at);
                return;
            }
        }
        let target = self.lower_unnamed(schema, at, &name);
        let constraints = Box::new(constraints(schema));
        self.push_type(name, doc, TypeKind::Alias(target, constraints), at);
    }

    pub(super) fn push_type(&mut self, name: String, doc: String, kind: TypeKind, at: &Pointer) {
        self.types.push(TypeDef {
            name,
            doc,
            kind,
            pointer: at.to_string(),
        });
    }

    /// The type of a schema used in a field, parameter or body. Inline objects become named types,
    /// called `context` unless the schema has a `title` or `x-rust-name`.
    pub fn type_ref(
        &mut self,
        schema: &ReferenceOr<Schema>,
        at: &Pointer,
        context: &str,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, at),
            ReferenceOr::Item(schema) => self.inline_schema(schema, at, context),
        }
    }

    /// As [`Self::type_ref`], for the boxed schemas of properties and items.
    pub fn type_ref_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        at: &Pointer,
        context: &str,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, at),
            ReferenceOr::Item(schema) => self.inline_schema(schema, at, context),
        }
    }

    fn inline_schema(&mut self, schema: &Schema, at: &Pointer, context: &str) -> TypeRef {
        if let Some(known) = self.inline.get(at.as_str()) {
            return known.clone();
        }
        let needs_name = string_enum(schema).is_some()
            || matches!(schema.schema_kind, SchemaKind::OneOf { .. })
            || object_of(schema).is_some_and(|o| !o.properties.is_empty());
        let ty = match needs_name {
            true => {
                let name = rust_name_override(schema)
                    .or_else(|| schema.schema_data.title.as_deref().map(type_ident))
                    .unwrap_or_else(|| type_ident(context));
                if claim(&mut self.names, &mut self.sink, &name, at, "type name") {
                    self.define(schema, at, name.clone());
                }
                TypeRef::Named(name)
            }
            _ => self.lower_unnamed(schema, at, context),
        };
        self.inline.insert(at.to_string(), ty.clone());
        ty
    }

    /// A schema that does not become a named type of its own (primitives, arrays, maps).
    fn lower_unnamed(&mut self, schema: &Schema, at: &Pointer, context: &str) -> TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                match &s.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::File,
                    // Other formats (email, uri, byte, password, ...) are strings with a documented meaning.
                    _ => TypeRef::String,
                }
            }
            SchemaKind::Type(Type::Integer(i)) => match &i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "unix-time" => TypeRef::UnixTime,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(n)) => match &n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "decimal" => TypeRef::Decimal,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => {
                    let item =
                        self.type_ref_boxed(items, &at.push("items"), &format!("{context}Item"));
                    if item == TypeRef::UnixTime {
                        self.sink.error(at, "`format: unix-time` is only supported directly on a property or parameter");
                    }
                    TypeRef::Vec(Box::new(item))
                }
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            SchemaKind::Type(Type::Object(o)) => self.map_or_json(o, at, context),
            SchemaKind::Any(any) => match object_of(schema) {
                Some(o) => self.map_or_json(&o, at, context),
                None if any.typ.is_none() && any.properties.is_empty() => TypeRef::Json,
                None => {
                    self.sink.error(
                        at,
                        "this schema mixes keywords of different types; it is not supported",
                    );
                    TypeRef::Json
                }
            },
            // A oneOf is named (and defined) before it gets here; reaching this arm means it was not.
            SchemaKind::OneOf { .. }
            | SchemaKind::AnyOf { .. }
            | SchemaKind::AllOf { .. }
            | SchemaKind::Not { .. } => {
                self.sink.error_hint(
                    at,
                    "anyOf, allOf and not (and a oneOf in this position) are not supported yet",
                    "write the schema out as a plain object",
                );
                TypeRef::Json
            }
        }
    }

    /// An object without properties: a map when `additionalProperties` says what the values are.
    fn map_or_json(&mut self, o: &ObjectType, at: &Pointer, context: &str) -> TypeRef {
        match &o.additional_properties {
            Some(AdditionalProperties::Schema(values)) => {
                let value = self.type_ref(
                    values,
                    &at.push("additionalProperties"),
                    &format!("{context}Value"),
                );
                TypeRef::Map(Box::new(value))
            }
            Some(AdditionalProperties::Any(true)) => TypeRef::Map(Box::new(TypeRef::Json)),
            _ => TypeRef::Json,
        }
    }

    fn lower_struct(&mut self, object: &ObjectType, at: &Pointer, name: &str) -> Struct {
        let props = at.push("properties");
        let mut fields = Vec::with_capacity(object.properties.len());
        let mut field_names = NameIndex::new();
        for (wire, prop) in &object.properties {
            let prop_at = props.push(wire);
            let ty = self.type_ref_boxed(
                prop,
                &prop_at,
                &format!("{name}{}", wire.to_upper_camel_case()),
            );
            let resolved = self.resolve_boxed(prop);
            let rust_name = snake_ident(wire);
            claim(
                &mut field_names,
                &mut self.sink,
                unraw(&rust_name),
                &prop_at,
                "field name",
            );
            fields.push(Field {
                wire_name: wire.clone(),
                rust_name,
                ty,
                required: object.required.iter().any(|r| r == wire),
                nullable: resolved.is_some_and(|s| s.schema_data.nullable),
                doc: resolved.map(schema_doc).unwrap_or_default(),
                constraints: self.checked_constraints(resolved, &prop_at),
                boxed: false,
                param: None,
            });
        }
        for (i, required) in object.required.iter().enumerate() {
            if !object.properties.contains_key(required) {
                self.sink.error(
                    &at.push("required").push(i.to_string()),
                    format!("required property `{required}` is not among the properties"),
                );
            }
        }
        Struct {
            fields,
            form: false,
        }
    }

    /// The values of a string enum, with Rust variant names that are unique (a clash after case
    /// conversion, such as `a-b` and `a_b`, is resolved by numbering, in spec order).
    fn enum_values(&mut self, schema: &Schema, values: &[String], at: &Pointer) -> Vec<EnumValue> {
        let docs = enum_descriptions(schema);
        let mut used = NameIndex::new();
        let mut out = Vec::with_capacity(values.len());
        for (i, wire) in values.iter().enumerate() {
            if out.iter().any(|v: &EnumValue| &v.wire == wire) {
                self.sink.error(
                    &at.push("enum").push(i.to_string()),
                    format!("`{wire}` is listed twice"),
                );
                continue;
            }
            let base = match type_ident(wire) {
                name if name == "Unnamed" => "Empty".to_owned(),
                name if name == "Unknown" => "UnknownValue".to_owned(), // the fallback's name
                name => name,
            };
            let mut variant = base.clone();
            let mut n = 2;
            while used.contains_key(&variant) {
                variant = format!("{base}{n}");
                n += 1;
            }
            used.insert(variant.clone(), String::new());
            let doc = docs
                .iter()
                .find(|(k, _)| k == wire)
                .map(|(_, d)| sanitize(d))
                .unwrap_or_default();
            out.push(EnumValue {
                wire: wire.clone(),
                variant,
                doc,
            });
        }
        out
    }

    fn lower_one_of(
        &mut self,
        schema: &Schema,
        one_of: &[ReferenceOr<Schema>],
        at: &Pointer,
        name: &str,
    ) -> OneOf {
        let mut variants: Vec<Variant> = Vec::with_capacity(one_of.len());
        for (i, member) in one_of.iter().enumerate() {
            let member_at = at.push("oneOf").push(i.to_string());
            let ty = self.type_ref(member, &member_at, &format!("{name}Variant{}", i + 1));
            let resolved = self.resolve(member);
            let titled = resolved
                .and_then(|s| s.schema_data.title.as_deref())
                .map(type_ident);
            let variant = titled.unwrap_or_else(|| variant_name(&ty));
            if variants.iter().any(|v| v.name == variant) {
                self.sink.error_hint(
                    &member_at,
                    format!("two variants of this oneOf would both be called `{variant}`"),
                    "give the variant schemas distinct `title`s",
                );
            }
            let doc = resolved.map(schema_doc).unwrap_or_default();
            variants.push(Variant {
                name: variant,
                ty,
                doc,
                boxed: false,
            });
        }
        strip_common_words(&mut variants);
        let discriminator = schema.schema_data.discriminator.as_ref().map(|d| {
            let d_at = at.push("discriminator");
            let mut mapping = Vec::new();
            for (tag, reference) in &d.mapping {
                let target = reference.strip_prefix(SCHEMA_REF).map(unescape_token).and_then(|k| self.components.get(&k).cloned());
                match variants.iter().position(|v| target.as_ref().is_some_and(|t| v.ty == TypeRef::Named(t.clone()))) {
                    Some(index) => mapping.push((tag.clone(), index)),
                    None => self.sink.error(&d_at.push("mapping").push(tag), format!("`{reference}` is not one of the oneOf's variants")),
                }
            }
            // Variants without an explicit tag are tagged with their schema name, as OpenAPI specifies.
            for (index, member) in one_of.iter().enumerate() {
                if mapping.iter().any(|(_, i)| *i == index) {
                    continue;
                }
                match member {
                    ReferenceOr::Reference { reference } => {
                        let key = reference.strip_prefix(SCHEMA_REF).map(unescape_token).unwrap_or_default();
                        mapping.push((key, index));
                    }
                    ReferenceOr::Item(_) => self.sink.error(
                        &at.push("oneOf").push(index.to_string()),
                        "with a discriminator, every variant must be a `$ref` (or be named in `mapping`)",
                    ),
                }
            }
            for (index, member) in one_of.iter().enumerate() {
                let has_property = self.resolve(member).and_then(object_of).is_some_and(|o| {
                    o.properties.contains_key(&d.property_name) && o.required.contains(&d.property_name)
                });
                if !has_property {
                    self.sink.error(
                        &at.push("oneOf").push(index.to_string()),
                        format!("a discriminated variant must be an object with the required property `{}`", d.property_name),
                    );
                }
            }
            Discriminator { property: d.property_name.clone(), mapping }
        });
        OneOf {
            variants,
            discriminator,
        }
    }

    /// Marks a named struct as a multipart form and attaches the part encodings to its fields.
    /// `media_at` points at the media type object (which holds `schema` and `encoding`).
    pub fn make_form(
        &mut self,
        ty: &TypeRef,
        encoding: &indexmap::IndexMap<String, Encoding>,
        media_at: &Pointer,
    ) {
        let found = match ty {
            TypeRef::Named(name) => self.types.iter_mut().find(|t| &t.name == name),
            _ => None,
        };
        let Some(TypeDef {
            kind: TypeKind::Struct(s),
            pointer,
            ..
        }) = found
        else {
            self.sink.error(
                &media_at.push("schema"),
                "a multipart/form-data body must be an object with properties",
            );
            return;
        };
        s.form = true;
        let type_at = Pointer::from_raw(pointer.clone());
        for (prop, enc) in encoding {
            let enc_at = media_at.push("encoding").push(prop);
            match s.fields.iter_mut().find(|f| &f.wire_name == prop) {
                Some(field) => {
                    if let Some(types) = &enc.content_type {
                        field.constraints.content_types = types
                            .split(',')
                            .map(|t| t.trim().to_owned())
                            .filter(|t| !t.is_empty())
                            .collect();
                    }
                }
                None => self.sink.error(
                    &enc_at,
                    format!("encoding names `{prop}`, which is not a property of the body"),
                ),
            }
        }
        let fields: Vec<(String, TypeRef)> = s
            .fields
            .iter()
            .map(|f| (f.wire_name.clone(), f.ty.clone()))
            .collect();
        for (wire, field_ty) in fields {
            if !self.form_part_ok(&field_ty) {
                self.sink.error_hint(
                    &type_at.push("properties").push(&wire),
                    "this form field's type cannot be sent as a multipart part yet",
                    "use a string, number, boolean or `format: binary` file",
                );
            }
        }
    }

    /// A multipart part is text (scalars, sent with `to_string`), a file, or JSON text (arrays, objects,
    /// unions), but a file cannot be inside JSON.
    fn form_part_ok(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::File => true,
            other => !self.contains_file_deep(other, 0),
        }
    }

    fn contains_file_deep(&self, ty: &TypeRef, depth: usize) -> bool {
        if depth > 32 {
            return false; // recursive types: a file would have been found on the way down
        }
        match ty {
            TypeRef::File => true,
            TypeRef::Vec(inner) | TypeRef::Map(inner) => self.contains_file_deep(inner, depth + 1),
            TypeRef::Named(n) => match self.types.iter().find(|t| &t.name == n).map(|t| &t.kind) {
                Some(TypeKind::Struct(s)) => s
                    .fields
                    .iter()
                    .any(|f| self.contains_file_deep(&f.ty, depth + 1)),
                Some(TypeKind::Alias(inner, _)) => self.contains_file_deep(inner, depth + 1),
                Some(TypeKind::OneOf(u)) => u
                    .variants
                    .iter()
                    .any(|v| self.contains_file_deep(&v.ty, depth + 1)),
                _ => false,
            },
            _ => false,
        }
    }

    /// The constraints of a schema, with its `pattern` checked to compile in the client's regex engine
    /// (the `regex` crate: no look-around or back-references, unlike ECMA-262).
    pub fn checked_constraints(&mut self, schema: Option<&Schema>, at: &Pointer) -> Constraints {
        let c = schema.map(constraints).unwrap_or_default();
        if let Some(pattern) = &c.pattern {
            if let Err(e) = regex_syntax::Parser::new().parse(pattern) {
                let first = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                self.sink.error_hint(
                    &at.push("pattern"),
                    format!("`{pattern}` is not a pattern the client can check: {first}"),
                    "use the regex crate's syntax (no look-around or back-references)",
                );
            }
        }
        c
    }

    /// Whether a value of this type is one piece of text on the wire (a path or query parameter): a
    /// number, string, boolean, date, timestamp or string enum, directly or through aliases.
    pub fn is_scalar(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::File | TypeRef::Json | TypeRef::Vec(_) | TypeRef::Map(_) => false,
            TypeRef::Named(n) => match self.types.iter().find(|t| &t.name == n).map(|t| &t.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Alias(inner, _)) => self.is_scalar(inner),
                _ => false,
            },
            _ => true,
        }
    }

    /// Files exist only as multipart parts; anywhere else they have no JSON form. Runs after every
    /// operation is lowered, when every form is known.
    pub fn check_files_only_in_forms(&mut self) {
        let mut bad = Vec::new();
        for t in &self.types {
            if let TypeKind::Struct(s) = &t.kind {
                for f in &s.fields {
                    if !s.form && contains_file(&f.ty) {
                        bad.push(
                            Pointer::from_raw(t.pointer.clone())
                                .push("properties")
                                .push(&f.wire_name),
                        );
                    }
                }
            }
        }
        for at in bad {
            {
                self.sink.error_hint(
                    &at,
                    "`format: binary` is only supported for the parts of a multipart/form-data body",
                    "use `format: byte` (base64 text) for binary data inside JSON",
                );
            }
        }
    }

    /// The type a `$ref` names. Only local component schemas can be referenced.
    fn reference(&mut self, reference: &str, at: &Pointer) -> TypeRef {
        match reference.strip_prefix(SCHEMA_REF).map(unescape_token) {
            Some(key) => match self.components.get(&key) {
                Some(name) => TypeRef::Named(name.clone()),
                None => {
                    let exists = self
                        .spec
                        .components
                        .as_ref()
                        .is_some_and(|c| c.schemas.contains_key(&key));
                    if !exists {
                        self.sink.error(
                            at,
                            format!("`$ref: {reference}` points to a schema that does not exist"),
                        );
                    }
                    TypeRef::Json
                }
            },
            None => {
                self.sink.error_hint(
                    at,
                    format!("`$ref: {reference}` is not a reference to a component schema"),
                    "only local references of the form `#/components/schemas/Name` are supported",
                );
                TypeRef::Json
            }
        }
    }

    /// The schema behind a reference (following chains of references), or the item itself.
    pub fn resolve<'s>(&self, schema: &'s ReferenceOr<Schema>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        let spec: &'s OpenAPI = self.spec;
        let mut current = schema;
        for _ in 0..32 {
            match current {
                ReferenceOr::Item(s) => return Some(s),
                ReferenceOr::Reference { reference } => {
                    let key = unescape_token(reference.strip_prefix(SCHEMA_REF)?);
                    current = spec.components.as_ref()?.schemas.get(&key)?;
                }
            }
        }
        None // a cycle of bare references; `reference` reports dangling ones
    }

    fn resolve_boxed<'s>(&self, schema: &'s ReferenceOr<Box<Schema>>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        let spec: &'s OpenAPI = self.spec;
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => {
                let key = unescape_token(reference.strip_prefix(SCHEMA_REF)?);
                let target = spec.components.as_ref()?.schemas.get(&key)?;
                self.resolve(target)
            }
        }
    }
}

fn contains_file(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::File => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) => contains_file(inner),
        _ => false,
    }
}

/// The object view of a schema: `type: object`, or an untyped schema with properties.
fn object_of(schema: &Schema) -> Option<ObjectType> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some(o.clone()),
        SchemaKind::Any(any)
            if any.typ.as_deref() == Some("object")
                || (any.typ.is_none() && !any.properties.is_empty()) =>
        {
            Some(ObjectType {
                properties: any.properties.clone(),
                required: any.required.clone(),
                additional_properties: any.additional_properties.clone(),
                min_properties: any.min_properties,
                max_properties: any.max_properties,
            })
        }
        _ => None,
    }
}

/// The values of a string enum (a `null` in a nullable enum is not a value of the Rust enum).
fn string_enum(schema: &Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
            Some(s.enumeration.iter().flatten().cloned().collect())
        }
        _ => None,
    }
}

/// `x-enum-descriptions: {value: meaning}`, as (value, meaning) pairs in spec order.
fn enum_descriptions(schema: &Schema) -> Vec<(String, String)> {
    let Some(serde_json::Value::Object(map)) =
        schema.schema_data.extensions.get("x-enum-descriptions")
    else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

/// `TemplateNamedParams | TemplatePositionalParams` → `Named | Positional`: the CamelCase words every
/// variant name shares at its start or end say nothing inside the enum. Kept as they are when
/// stripping would leave a name empty, not starting with a letter, or not unique.
fn strip_common_words(variants: &mut [Variant]) {
    fn words(name: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in name.char_indices().skip(1) {
            if c.is_ascii_uppercase() {
                out.push(&name[start..i]);
                start = i;
            }
        }
        out.push(&name[start..]);
        out
    }
    if variants.len() < 2 {
        return;
    }
    let split: Vec<Vec<&str>> = variants.iter().map(|v| words(&v.name)).collect();
    let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
    let prefix = (0..shortest)
        .take_while(|&i| split.iter().all(|w| w[i] == split[0][i]))
        .count();
    let suffix = (0..shortest - prefix)
        .take_while(|&i| {
            split
                .iter()
                .all(|w| w[w.len() - 1 - i] == split[0][split[0].len() - 1 - i])
        })
        .count();
    if prefix + suffix == 0 {
        return;
    }
    let stripped: Vec<String> = split
        .iter()
        .map(|w| w[prefix..w.len() - suffix].concat())
        .collect();
    let usable = stripped
        .iter()
        .all(|n| n.starts_with(|c: char| c.is_ascii_alphabetic()))
        && stripped
            .iter()
            .enumerate()
            .all(|(i, n)| !stripped[..i].contains(n) && n != "Unknown");
    if usable {
        for (variant, name) in variants.iter_mut().zip(stripped) {
            variant.name = name;
        }
    }
}

/// A variant name for an untitled `oneOf` member, from its type.
fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => n.clone(),
        TypeRef::Vec(inner) => format!("{}List", variant_name(inner)),
        TypeRef::Map(inner) => format!("{}Map", variant_name(inner)),
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "Bool".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "Integer".to_owned(),
        TypeRef::F32 | TypeRef::F64 | TypeRef::Decimal => "Number".to_owned(),
        TypeRef::DateTime | TypeRef::UnixTime => "Timestamp".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::File => "File".to_owned(),
        TypeRef::Json => "Json".to_owned(),
        TypeRef::Uuid => "Uuid".to_owned(),
        TypeRef::Base64 | TypeRef::Bytes => "Bytes".to_owned(),
    }
}

/// `x-rust-name` lets a spec author pick a type's Rust name.
fn rust_name_override(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .extensions
        .get("x-rust-name")
        .and_then(|v| v.as_str())
        .map(type_ident)
}

/// Markdown documentation of a schema: title and description.
pub(super) fn schema_doc(schema: &Schema) -> String {
    let d = &schema.schema_data;
    match (&d.title, &d.description) {
        (_, Some(desc)) => sanitize(desc),
        (Some(title), None) => sanitize(title),
        (None, None) => String::new(),
    }
}

/// The documented limits of a schema.
pub(super) fn constraints(schema: &Schema) -> Constraints {
    let mut c = Constraints {
        default: schema.schema_data.default.clone(),
        max_bytes: schema
            .schema_data
            .extensions
            .get("x-max-bytes")
            .and_then(|v| v.as_u64()),
        ..Constraints::default()
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            c.pattern = s.pattern.clone();
            c.min_length = s.min_length;
            c.max_length = s.max_length;
        }
        SchemaKind::Type(Type::Integer(i)) => {
            c.minimum = i.minimum.map(|v| v as f64);
            c.maximum = i.maximum.map(|v| v as f64);
            c.allowed = i
                .enumeration
                .iter()
                .flatten()
                .map(|v| serde_json::Value::from(*v))
                .collect();
        }
        SchemaKind::Type(Type::Number(n)) => {
            c.minimum = n.minimum;
            c.maximum = n.maximum;
        }
        SchemaKind::Type(Type::Array(a)) => {
            c.min_items = a.min_items;
            c.max_items = a.max_items;
        }
        _ => {}
    }
    if !c.allowed.is_empty() {
        let docs = enum_descriptions(schema);
        c.allowed_docs = c
            .allowed
            .iter()
            .map(|v| {
                let key = v.to_string();
                docs.iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, d)| sanitize(d))
                    .unwrap_or_default()
            })
            .collect();
    }
    c
}

/// Undoes RFC 6901 escaping of one reference token.
pub(super) fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(input: &[&str]) -> Vec<String> {
        let mut variants: Vec<Variant> = input
            .iter()
            .map(|n| Variant {
                name: (*n).to_owned(),
                ty: TypeRef::Json,
                doc: String::new(),
                boxed: false,
            })
            .collect();
        strip_common_words(&mut variants);
        variants.into_iter().map(|v| v.name).collect()
    }

    #[test]
    fn shared_words_are_stripped_from_variant_names() {
        assert_eq!(
            names(&["TemplateNamedParams", "TemplatePositionalParams"]),
            ["Named", "Positional"]
        );
        assert_eq!(
            names(&["MessageReceivedEvent", "ConversationUpdatedEvent"]),
            ["MessageReceived", "ConversationUpdated"]
        );
        assert_eq!(names(&["Cat", "Dog"]), ["Cat", "Dog"]);
    }

    #[test]
    fn names_stay_when_stripping_would_empty_clash_or_shadow_the_fallback() {
        assert_eq!(names(&["PetCat", "Pet"]), ["PetCat", "Pet"]);
        assert_eq!(names(&["A1Thing", "A2Thing"]), ["A1", "A2"]);
        assert_eq!(
            names(&["UnknownEvent", "KnownEvent"]),
            ["UnknownEvent", "KnownEvent"]
        );
        assert_eq!(names(&["Only"]), ["Only"]);
    }
}
