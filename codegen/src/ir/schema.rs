//! Schemas → named types and type references.
//!
//! Each schema is first *planned*: what it becomes (a struct, a string enum, a union, the type of
//! the one member of a composition, or an unnamed type such as a primitive, list or map); then it is
//! lowered. Objects, enums and unions get names (components after their key, inline schemas after
//! where they are: `{Parent}{Property}`, `{Union}Variant{n}` ...); everything else is used in place.
//!
//! - `shape`: one view of a schema's keywords, and what kind of value they describe;
//! - `merge`: `allOf` members merged into one object;
//! - `union`: `oneOf`/`anyOf` as enums, tagged by a discriminator or untagged;
//! - `enums`: string enum variant names;
//! - `cycles`: `Box` for recursive types, once every type is known;
//! - `shared_forms`: a multipart form that is also a JSON body.

mod cycles;
mod enums;
mod merge;
mod shape;
mod shared_forms;
mod union;

use super::names::{claim_unique, snake_ident, type_ident};
use super::prose::sanitize;
use super::{Additional, Constraints, Enum, Field, NameIndex, Struct, TypeDef, TypeKind, TypeRef};
use crate::diagnostics::{Pointer, Sink};
use heck::ToUpperCamelCase;
use merge::{Member, Merged};
use openapiv3::{AdditionalProperties, Encoding, OpenAPI, ReferenceOr, Schema};
use shape::{Kind, Shape};
use std::collections::{BTreeSet, HashMap};
use union::Members;

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
    /// `x-origin` of a component the loader hoisted from a deep `$ref` → its key: the inline schema at
    /// that pointer is that component.
    origins: HashMap<String, String>,
    /// Warnings given, so a schema merged into many others (an `allOf` base) is reported once.
    warned: BTreeSet<(String, String)>,
    /// Patterns already reported as unusable: each is reported once, where first found.
    bad_patterns: BTreeSet<String>,
    /// Named inline schemas by the name they asked for, with the name they got: an identical schema
    /// asking again (the same titled object inlined in many operations) is the same type.
    named: HashMap<String, Vec<(Named, String)>>,
}

/// Where a named type's schema is, to compare an inline schema asking for the same name with it.
enum Named {
    /// A component schema, by key.
    Component(String),
    /// An inline schema.
    Inline(Box<Schema>),
}

/// The prefix of references to component schemas.
const SCHEMA_REF: &str = "#/components/schemas/";

/// What a schema becomes.
enum Plan<'s> {
    /// A named struct.
    Struct(Merged<'s>),
    /// A named string enum with these values.
    Enum(Vec<String>),
    /// A named enum of alternatives.
    Union(Members<'s>),
    /// Whatever this member (the one member of a composition that says what the value is) becomes.
    Same(Member<'s>, Pointer),
    /// A map from `additionalProperties` (at this pointer), or any JSON value when there is none.
    Map(Option<&'s AdditionalProperties>, Pointer),
    /// A type without a name of its own (primitive, list, map, JSON), from this view of the schema.
    Unnamed(Shape<'s>),
}

impl<'a> Schemas<'a> {
    pub fn new(spec: &'a OpenAPI) -> Self {
        Schemas {
            spec,
            sink: Sink::default(),
            names: NameIndex::new(),
            types: Vec::new(),
            components: HashMap::new(),
            inline: HashMap::new(),
            origins: HashMap::new(),
            warned: BTreeSet::new(),
            bad_patterns: BTreeSet::new(),
            named: HashMap::new(),
        }
    }

    /// Names every component schema first (so references resolve whatever the order), then lowers
    /// them, then boxes what is recursive.
    pub fn declare_components(&mut self) {
        let Some(components) = &self.spec.components else {
            return;
        };
        for (key, schema) in &components.schemas {
            let at = self.component_pointer(key);
            if let Some(origin) = origin(schema) {
                self.origins.insert(origin.to_owned(), key.clone());
            }
            let name = schema
                .as_item()
                .and_then(rust_name_override)
                .unwrap_or_else(|| type_ident(key));
            let unique = claim_unique(&mut self.names, &mut self.sink, &name, &at, "type name");
            self.named
                .entry(name)
                .or_default()
                .push((Named::Component(key.clone()), unique.clone()));
            self.components.insert(key.clone(), unique);
        }
        for (key, schema) in &components.schemas {
            let Some(name) = self.components.get(key).cloned() else {
                continue;
            };
            let at = self.component_pointer(key);
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
                ReferenceOr::Item(schema) => self.define(schema, &at, name, String::new()),
            }
        }
        // Types lowered later (operations' inline schemas) only refer to these, never back: every
        // cycle is among them.
        self.break_cycles();
    }

    /// Where a component schema is, for diagnostics: `#/components/schemas/Key`, or the pointer it
    /// was hoisted from (`x-origin`).
    fn component_pointer(&self, key: &str) -> Pointer {
        let schema = self
            .spec
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(key));
        match schema.and_then(origin) {
            Some(origin) => Pointer::from_raw(origin.to_owned()),
            None => Pointer::root().push("components").push("schemas").push(key),
        }
    }

    /// Defines the named type `name` from a schema. `doc` (when not empty) replaces the schema's own
    /// documentation: the outer schema of a composition documents what its member becomes.
    fn define(&mut self, schema: &Schema, at: &Pointer, name: String, doc: String) {
        let doc = if doc.trim().is_empty() {
            schema_doc(schema)
        } else {
            doc
        };
        let plan = self.plan(schema, at, true);
        match plan {
            Plan::Same(Member::Inline(member), member_at)
            | Plan::Same(Member::Written(ReferenceOr::Item(member)), member_at) => {
                self.define(member, &member_at, name, doc);
            }
            Plan::Same(Member::Written(reference), member_at) => {
                let target = self.type_ref(reference, &member_at, &name);
                self.push_type(name, doc, TypeKind::Alias(target, Box::default()), at);
            }
            Plan::Map(additional, map_at) => {
                let target = self.map(additional, &map_at, &name);
                let constraints = Box::new(constraints(schema));
                self.push_type(name, doc, TypeKind::Alias(target, constraints), at);
            }
            Plan::Unnamed(shape) => {
                let target = self.lower_unnamed(&shape, at, &name);
                let constraints = Box::new(constraints(schema));
                self.push_type(name, doc, TypeKind::Alias(target, constraints), at);
            }
            named => self.build(named, schema, at, name, doc),
        }
    }

    /// Lowers a plan that needs a name (struct, enum, union) under `name`.
    fn build(&mut self, plan: Plan<'_>, schema: &Schema, at: &Pointer, name: String, doc: String) {
        let kind = match plan {
            Plan::Struct(merged) => TypeKind::Struct(self.lower_struct(&merged, &name)),
            Plan::Enum(values) => {
                let docs = enum_descriptions(schema);
                let values = self.enum_values(&values, &docs, at);
                let closed = schema
                    .schema_data
                    .extensions
                    .get("x-closed")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                TypeKind::Enum(Enum { values, closed })
            }
            Plan::Union(members) => TypeKind::OneOf(self.lower_union(schema, &members, at, &name)),
            // Not named plans: `define` and `inline_schema` handle them.
            Plan::Same(..) | Plan::Map(..) | Plan::Unnamed(_) => {
                TypeKind::Alias(TypeRef::Json, Box::default())
            }
        };
        self.push_type(name, doc, kind, at);
    }

    /// Decides what a schema becomes. `component`: an empty object is still a struct of its own.
    fn plan<'s>(&mut self, schema: &'s Schema, at: &Pointer, component: bool) -> Plan<'s>
    where
        'a: 's,
    {
        let shape = Shape::of(schema);
        match shape.kind() {
            Kind::AllOf => self.plan_all_of(schema, shape, at, component),
            Kind::Union => self.plan_union(shape, at, component),
            kind => plan_plain(shape, kind, at, component),
        }
    }

    fn plan_all_of<'s>(
        &mut self,
        schema: &'s Schema,
        shape: Shape<'s>,
        at: &Pointer,
        component: bool,
    ) -> Plan<'s>
    where
        'a: 's,
    {
        // `allOf: [{$ref: X}]` with a description or `nullable` beside it: X.
        let typed: Vec<(usize, &'s ReferenceOr<Schema>)> = shape
            .all_of
            .iter()
            .enumerate()
            .filter(|(_, m)| match m {
                ReferenceOr::Reference { .. } => true,
                ReferenceOr::Item(s) => !Shape::of(s).is_annotation(),
            })
            .collect();
        let own = shape.properties.is_some_and(|p| !p.is_empty())
            || shape.open_additional().is_some()
            || !shape.one_of.is_empty()
            || !shape.any_of.is_empty();
        if let ([(i, member)], false) = (typed.as_slice(), own) {
            return Plan::Same(
                Member::Written(member),
                at.push("allOf").push(i.to_string()),
            );
        }
        let merged = self.merge_all_of(schema, at);
        for union_at in &merged.unions {
            self.warn_once(
                union_at,
                "a oneOf or anyOf next to allOf is not supported; the merged object leaves it out",
            );
        }
        if merged.objects == 0 {
            return match merged.others.as_slice() {
                [] => Plan::Map(None, at.clone()),
                [(first, first_at), rest @ ..] => {
                    let scalar = |k: Kind| {
                        matches!(
                            k,
                            Kind::String | Kind::Integer | Kind::Number | Kind::Boolean
                        )
                    };
                    // `allOf: [{$ref: Id}, {maxLength: 8}]`-like: the first member's type.
                    if scalar(first.kind) && rest.iter().all(|(o, _)| o.kind == first.kind) {
                        Plan::Same(first.member, first_at.clone())
                    } else {
                        self.warn_once(
                            at,
                            "this allOf combines members of different types, which no Rust type can be; it is generated as `serde_json::Value`",
                        );
                        Plan::Map(None, at.clone())
                    }
                }
            };
        }
        for (other, other_at) in &merged.others {
            self.warn_once(
                other_at,
                format!(
                    "this allOf member is {}, not an object; the merged struct leaves it out",
                    kind_words(other.kind)
                ),
            );
        }
        if merged.props.is_empty() && !component {
            let additional = merged
                .additional
                .as_ref()
                .map(|(a, a_at, _)| (*a, a_at.clone()));
            return match additional {
                Some((a, a_at)) => Plan::Map(Some(a), a_at),
                None => Plan::Map(None, at.clone()),
            };
        }
        Plan::Struct(merged)
    }

    fn plan_union<'s>(&mut self, shape: Shape<'s>, at: &Pointer, component: bool) -> Plan<'s>
    where
        'a: 's,
    {
        if !shape.one_of.is_empty() && !shape.any_of.is_empty() {
            self.warn_once(
                &at.push("anyOf"),
                "an anyOf next to a oneOf is not supported; it is left out",
            );
        }
        let members = self.union_members(&shape);
        let keyword = members.keyword;
        let without_union = || {
            let mut plain = shape.clone();
            plain.one_of = &[];
            plain.any_of = &[];
            let kind = plain.kind();
            plan_plain(plain, kind, at, component)
        };
        // `oneOf: [{required: [a]}, {required: [b]}]` only constrains the schema around it.
        if members.members.is_empty() {
            return without_union();
        }
        if let Some(props) = shape.properties.filter(|p| !p.is_empty()) {
            // A base listing its subtypes, each of which has the base's properties (through
            // `allOf`): the union of the subtypes.
            let subtypes = members.members.iter().all(|(i, m)| {
                let member_at = at.push(keyword).push(i.to_string());
                self.resolve(m).is_some_and(|s| {
                    let view = self.object_view(s, &member_at);
                    props.keys().all(|name| view.has(name))
                })
            });
            if subtypes {
                return Plan::Union(members);
            }
            // `oneOf: [{properties: {status: {enum: [done]}}, required: [status]}, ...]` only narrows
            // the properties around it.
            let narrows = members.members.iter().all(|(_, m)| match m {
                ReferenceOr::Item(s) => {
                    let member = Shape::of(s);
                    member.open_additional().is_none()
                        && matches!(member.kind(), Kind::Object | Kind::Any)
                        && member.props().all(|(name, _)| props.contains_key(name))
                }
                ReferenceOr::Reference { .. } => false,
            });
            if narrows {
                return without_union();
            }
            self.warn_once(
                &at.push(keyword),
                format!("`{keyword}` next to `properties` is not supported; the struct of the properties leaves it out"),
            );
            return without_union();
        }
        if let [(i, member)] = members.members.as_slice() {
            return Plan::Same(
                Member::Written(member),
                at.push(keyword).push(i.to_string()),
            );
        }
        match self.string_union(&members) {
            Some(values) if values.is_empty() => {
                let (i, first) = members.members[0];
                Plan::Same(Member::Written(first), at.push(keyword).push(i.to_string()))
            }
            Some(values) => Plan::Enum(values),
            None => Plan::Union(members),
        }
    }

    pub(super) fn push_type(&mut self, name: String, doc: String, kind: TypeKind, at: &Pointer) {
        self.types.push(TypeDef {
            name,
            doc,
            kind,
            pointer: at.to_string(),
        });
    }

    /// The type of a schema used in a field, parameter or body. Inline objects, enums and unions
    /// become named types, called `context` unless the schema has a `title` or `x-rust-name`.
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
        if let Some(name) = self
            .origins
            .get(at.as_str())
            .and_then(|key| self.components.get(key))
        {
            return TypeRef::Named(name.clone());
        }
        let ty = match self.plan(schema, at, false) {
            Plan::Same(Member::Inline(member), member_at)
            | Plan::Same(Member::Written(ReferenceOr::Item(member)), member_at) => {
                self.inline_schema(member, &member_at, context)
            }
            Plan::Same(Member::Written(reference), member_at) => {
                self.type_ref(reference, &member_at, context)
            }
            Plan::Map(additional, map_at) => self.map(additional, &map_at, context),
            Plan::Unnamed(shape) => self.lower_unnamed(&shape, at, context),
            named => {
                let from_context = type_ident(context);
                let titled = schema
                    .schema_data
                    .title
                    .as_deref()
                    .map(type_ident)
                    .filter(|n| n != "Unnamed");
                // A title another type already has (Stripe reuses titles for different schemas)
                // gives way to the name from the context, which is more precise anyway.
                let name = match (rust_name_override(schema), titled) {
                    (Some(chosen), _) => chosen,
                    (None, Some(title))
                        if self.names.contains_key(&title)
                            && self.same_named(&title, schema).is_none()
                            && !self.names.contains_key(&from_context) =>
                    {
                        from_context
                    }
                    (None, Some(title)) => title,
                    (None, None) => from_context,
                };
                if let Some(same) = self.same_named(&name, schema) {
                    self.inline.insert(at.to_string(), same.clone());
                    return same;
                }
                let unique = claim_unique(&mut self.names, &mut self.sink, &name, at, "type name");
                self.named
                    .entry(name)
                    .or_default()
                    .push((Named::Inline(Box::new(schema.clone())), unique.clone()));
                self.build(named, schema, at, unique.clone(), schema_doc(schema));
                TypeRef::Named(unique)
            }
        };
        self.inline.insert(at.to_string(), ty.clone());
        ty
    }

    /// The type already made from a schema identical to this one that asked for the same name.
    fn same_named(&self, name: &str, schema: &Schema) -> Option<TypeRef> {
        let spec = self.spec;
        self.named.get(name)?.iter().find_map(|(source, made)| {
            let same = match source {
                Named::Component(key) => spec
                    .components
                    .as_ref()
                    .and_then(|c| c.schemas.get(key))
                    .and_then(ReferenceOr::as_item)
                    .is_some_and(|s| s == schema),
                Named::Inline(s) => **s == *schema,
            };
            same.then(|| TypeRef::Named(made.clone()))
        })
    }

    /// A warning, given once for each place and message (a schema merged into many others is
    /// lowered many times).
    fn warn_once(&mut self, at: &Pointer, message: impl Into<String>) {
        let message = message.into();
        if self.warned.insert((at.to_string(), message.clone())) {
            self.sink.warn(at, message);
        }
    }

    /// A schema that does not become a named type of its own (primitives, arrays, maps, JSON).
    fn lower_unnamed(&mut self, shape: &Shape<'_>, at: &Pointer, context: &str) -> TypeRef {
        if let (Some(typ), Some(keyword)) = (shape.typ, shape.ignored_structure()) {
            self.warn_once(
                &at.push(keyword),
                format!("`{keyword}` does not apply to a `type: {typ}` schema; it is ignored"),
            );
        }
        let format = shape.format.as_deref();
        match shape.kind() {
            Kind::String => match format {
                Some("date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                Some("uuid") => TypeRef::Uuid,
                Some("byte") => TypeRef::Base64,
                // A file when it is a multipart part; anywhere else `check_files_only_in_forms`
                // makes it a string.
                Some("binary") => TypeRef::File,
                // Other formats (email, uri, password, ...) are strings with a documented meaning.
                _ => TypeRef::String,
            },
            Kind::Integer => match format {
                Some("int32") => TypeRef::I32,
                Some("int8") => TypeRef::I8,
                Some("int16") => TypeRef::I16,
                Some("uint8") => TypeRef::U8,
                Some("uint16") => TypeRef::U16,
                Some("uint32") => TypeRef::U32,
                Some("uint64") => TypeRef::U64,
                Some("unix-time") => TypeRef::UnixTime,
                _ => TypeRef::I64,
            },
            Kind::Number => match format {
                Some("float") => TypeRef::F32,
                Some("decimal") => TypeRef::Decimal,
                _ => TypeRef::F64,
            },
            Kind::Boolean => TypeRef::Bool,
            Kind::Array if shape.tuple => self.tuple(shape, &at.push("items"), context),
            Kind::Array => match shape.items {
                Some(items) => {
                    let items_at = at.push("items");
                    let mut item = self.type_ref_boxed(items, &items_at, &format!("{context}Item"));
                    if item == TypeRef::UnixTime {
                        self.warn_once(
                            &items_at,
                            "`format: unix-time` is only supported directly on a property or parameter; these items are plain integers",
                        );
                        item = TypeRef::I64;
                    }
                    TypeRef::Vec(Box::new(
                        self.nullable_wrap(item, self.nullable_boxed(items)),
                    ))
                }
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            Kind::Object => self.map(
                shape.open_additional(),
                &at.push("additionalProperties"),
                context,
            ),
            Kind::Not => {
                self.warn_once(
                    at,
                    "`not` has no Rust type; this schema is generated as `serde_json::Value`",
                );
                TypeRef::Json
            }
            Kind::Conflict => {
                let message = match shape.typ {
                    Some(typ) => format!("`type: {typ}` is not an OpenAPI type; this schema is generated as `serde_json::Value`"),
                    None if shape.mixed_values() => "the `enum` values have different types; this schema is generated as `serde_json::Value`".to_owned(),
                    None => "this schema mixes keywords of different types; it is generated as `serde_json::Value`".to_owned(),
                };
                self.warn_once(at, message);
                TypeRef::Json
            }
            Kind::Null | Kind::Any | Kind::AllOf | Kind::Union => TypeRef::Json,
        }
    }

    /// A tuple from the `anyOf` the loader made of `prefixItems` (any JSON values if it is not there).
    fn tuple(&mut self, shape: &Shape<'_>, items_at: &Pointer, context: &str) -> TypeRef {
        let Some(items) = shape.items.and_then(ReferenceOr::as_item) else {
            return TypeRef::Vec(Box::new(TypeRef::Json));
        };
        let elements = Shape::of(items).any_of;
        let mut types = Vec::with_capacity(elements.len());
        for (i, element) in elements.iter().enumerate() {
            let element_at = items_at.push("anyOf").push(i.to_string());
            let ty = self.type_ref(element, &element_at, &format!("{context}{}", i + 1));
            let nullable = self.nullable(element);
            types.push(self.nullable_wrap(ty, nullable));
        }
        TypeRef::Tuple(types)
    }

    /// `Option<T>` for a nullable item or value (JSON holds `null` itself).
    fn nullable_wrap(&self, ty: TypeRef, nullable: bool) -> TypeRef {
        match ty {
            TypeRef::Json => ty,
            ty if nullable => TypeRef::Nullable(Box::new(ty)),
            ty => ty,
        }
    }

    /// A map when `additionalProperties` (at `at`) says what the values are (`true` or `{}`: any JSON
    /// value); any JSON value without it.
    fn map(
        &mut self,
        additional: Option<&AdditionalProperties>,
        at: &Pointer,
        context: &str,
    ) -> TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(values)) => {
                TypeRef::Map(Box::new(self.map_value(values, at, context)))
            }
            Some(AdditionalProperties::Any(true)) => TypeRef::Map(Box::new(TypeRef::Json)),
            _ => TypeRef::Json,
        }
    }

    fn map_value(&mut self, values: &ReferenceOr<Schema>, at: &Pointer, context: &str) -> TypeRef {
        let value = self.type_ref(values, at, &format!("{context}Value"));
        let nullable = self.nullable(values);
        self.nullable_wrap(value, nullable)
    }

    fn lower_struct(&mut self, merged: &Merged<'_>, name: &str) -> Struct {
        let mut fields = Vec::with_capacity(merged.props.len());
        let mut field_names = NameIndex::new();
        for prop in &merged.props {
            let owner = if prop.context.is_empty() {
                name
            } else {
                &prop.context
            };
            let ty = self.type_ref_boxed(
                prop.schema,
                &prop.at,
                &format!("{owner}{}", prop.name.to_upper_camel_case()),
            );
            let resolved = self.resolve_boxed(prop.schema);
            let rust_name = claim_unique(
                &mut field_names,
                &mut self.sink,
                &snake_ident(prop.name),
                &prop.at,
                "field name",
            );
            let owner_at = match prop.schema {
                ReferenceOr::Reference { reference } => self
                    .follow(reference)
                    .map(|(key, _)| self.component_pointer(&key))
                    .unwrap_or_else(|| prop.at.clone()),
                ReferenceOr::Item(_) => prop.at.clone(),
            };
            // A property that only travels one way (`readOnly`: only in answers, `writeOnly`: only in
            // requests) is absent from the other, and one type serves both: it cannot be required.
            let one_way = prop.one_way
                || resolved.is_some_and(|s| s.schema_data.read_only || s.schema_data.write_only);
            fields.push(Field {
                wire_name: prop.name.to_owned(),
                rust_name,
                ty,
                required: merged.requires(prop.name) && !one_way,
                nullable: self.nullable_boxed(prop.schema),
                doc: resolved.map(schema_doc).unwrap_or_default(),
                constraints: self.checked_constraints(resolved, &owner_at),
                boxed: false,
                param: None,
            });
        }
        if merged.additional.is_none() {
            for (required, at) in &merged.required {
                if !merged.has(required) {
                    // Still required: a field of any JSON value, so that requests carry it (`null`
                    // when unset). An answer may leave it out: servers do (the spec describes it
                    // nowhere, often because another schema has it write-only), and refusing the
                    // whole answer for a value no one can read would lose the rest.
                    self.warn_once(
                        at,
                        format!("required property `{required}` is not among the properties; it is a field of any JSON value"),
                    );
                    let rust_name = claim_unique(
                        &mut field_names,
                        &mut self.sink,
                        &snake_ident(required),
                        at,
                        "field name",
                    );
                    fields.push(Field {
                        wire_name: required.clone(),
                        rust_name,
                        ty: TypeRef::Json,
                        required: true,
                        nullable: true,
                        doc: format!(
                            "Required by the spec, which does not describe `{required}`: any JSON value. Sent as `null` when unset; `None` when an answer leaves it out."
                        ),
                        constraints: Constraints::default(),
                        boxed: false,
                        param: None,
                    });
                }
            }
        }
        let additional = merged.additional.as_ref().map(|(additional, at, context)| {
            let owner = if context.is_empty() { name } else { context };
            let ty = match additional {
                AdditionalProperties::Schema(values) => self.map_value(values, at, owner),
                AdditionalProperties::Any(_) => TypeRef::Json,
            };
            let rust_name = ["additional", "additional_properties", "other_properties"]
                .into_iter()
                .map(str::to_owned)
                .chain((2..).map(|n| format!("additional{n}")))
                .find(|n| !field_names.contains_key(n))
                .unwrap_or_default();
            Additional { rust_name, ty }
        });
        Struct {
            fields,
            form: false,
            additional,
        }
    }

    /// Whether a value of this schema may be `null`: `nullable`, `type: "null"`, `null` among the
    /// `enum` values, a union with a null member, or an `allOf` whose typed members all are.
    fn nullable_schema(&self, schema: &Schema, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        let shape = Shape::of(schema);
        if schema.schema_data.nullable
            || shape.typ == Some("null")
            || shape.enumeration.iter().any(serde_json::Value::is_null)
        {
            return true;
        }
        let member = |m: &ReferenceOr<Schema>| {
            self.resolve(m)
                .is_some_and(|s| self.nullable_schema(s, depth + 1))
        };
        match shape.kind() {
            Kind::Union => shape.one_of.iter().chain(shape.any_of).any(member),
            Kind::AllOf => {
                let typed: Vec<&ReferenceOr<Schema>> = shape
                    .all_of
                    .iter()
                    .filter(|m| {
                        self.resolve(m)
                            .is_some_and(|s| !Shape::of(s).is_annotation())
                    })
                    .collect();
                !typed.is_empty() && typed.into_iter().all(member)
            }
            _ => false,
        }
    }

    /// [`Self::nullable_schema`] through references.
    pub fn nullable(&self, schema: &ReferenceOr<Schema>) -> bool {
        self.resolve(schema)
            .is_some_and(|s| self.nullable_schema(s, 0))
    }

    fn nullable_boxed(&self, schema: &ReferenceOr<Box<Schema>>) -> bool {
        self.resolve_boxed(schema)
            .is_some_and(|s| self.nullable_schema(s, 0))
    }

    /// Marks a named struct as a multipart form and attaches the part encodings to its fields.
    /// `media_at` points at the media type object (which holds `schema` and `encoding`). False (and
    /// nothing changed) when the type is not a struct: the caller falls back to raw bytes.
    pub fn make_form(
        &mut self,
        ty: &TypeRef,
        encoding: &indexmap::IndexMap<String, Encoding>,
        media_at: &Pointer,
    ) -> bool {
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
            return false;
        };
        s.form = true;
        // A form has no place for properties it does not list.
        s.additional = None;
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
                None => self.sink.warn(
                    &enc_at,
                    format!("encoding names `{prop}`, which is not a property of the body; it is ignored"),
                ),
            }
        }
        let fields: Vec<(String, TypeRef)> = s
            .fields
            .iter()
            .map(|f| (f.wire_name.clone(), f.ty.clone()))
            .collect();
        let mut as_files = Vec::new();
        for (wire, field_ty) in fields {
            if !self.form_part_ok(&field_ty) {
                // A file inside a union or an object (`anyOf: [file, [file]]`): the parts that can be
                // sent are files, one part each.
                self.sink.warn(
                    &type_at.push("properties").push(&wire),
                    "this form field holds files in a shape multipart cannot carry; it is sent as a list of files, one part each",
                );
                as_files.push(wire);
            }
        }
        if let Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        }) = self
            .types
            .iter_mut()
            .find(|t| TypeRef::Named(t.name.clone()) == *ty)
        {
            for field in s
                .fields
                .iter_mut()
                .filter(|f| as_files.contains(&f.wire_name))
            {
                field.ty = TypeRef::Vec(Box::new(TypeRef::File));
            }
        }
        true
    }

    /// A multipart part is text (scalars, sent with `to_string`), a file, or JSON text (arrays, objects,
    /// unions), but a file cannot be inside JSON; a list of files is sent as one part per file.
    fn form_part_ok(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::File => true,
            TypeRef::Vec(inner) if **inner == TypeRef::File => true, // one part per file
            other => !self.contains_file_deep(other, 0),
        }
    }

    fn contains_file_deep(&self, ty: &TypeRef, depth: usize) -> bool {
        if depth > 32 {
            return false; // recursive types: a file would have been found on the way down
        }
        match ty {
            TypeRef::File => true,
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                self.contains_file_deep(inner, depth + 1)
            }
            TypeRef::Tuple(items) => items
                .iter()
                .any(|item| self.contains_file_deep(item, depth + 1)),
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
    /// (the `regex` crate: no look-around or back-references, unlike ECMA-262). A pattern it cannot
    /// compile is left out of the checks, with a warning (once per schema that declares it).
    pub fn checked_constraints(&mut self, schema: Option<&Schema>, at: &Pointer) -> Constraints {
        let mut c = schema.map(constraints).unwrap_or_default();
        if let Some(pattern) = &c.pattern {
            if let Err(e) = regex_syntax::Parser::new().parse(pattern) {
                let first = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .trim_start_matches("error: ")
                    .to_owned();
                if self.bad_patterns.insert(pattern.clone()) {
                    self.warn_once(
                        &at.push("pattern"),
                        format!(
                            "`{pattern}` is not a pattern the client can check: {first}; the check is left out here and wherever else this pattern appears (the regex crate's syntax has no look-around or back-references)"
                        ),
                    );
                }
                c.pattern = None;
            }
        }
        c
    }

    /// The last pass, once every operation is lowered and every form is known. Files exist only as
    /// multipart parts: a form's fields that are files through an alias get the file type itself, and
    /// anywhere else `format: binary` has no JSON form and becomes a `String`, with a warning at each
    /// field or variant that holds one. Then recursive types are boxed (again: idempotent).
    pub fn check_files_only_in_forms(&mut self) {
        // Form fields first, so the aliases can change below without changing what a form sends.
        let unaliased: Vec<Vec<Option<TypeRef>>> = self
            .types
            .iter()
            .map(|t| match &t.kind {
                TypeKind::Struct(s) if s.form => s
                    .fields
                    .iter()
                    .map(|f| {
                        let target = self.unalias_files(&f.ty, 0);
                        (target != f.ty).then_some(target)
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        for (t, fields) in self.types.iter_mut().zip(unaliased) {
            if let TypeKind::Struct(s) = &mut t.kind {
                for (f, target) in s.fields.iter_mut().zip(fields) {
                    if let Some(target) = target {
                        f.ty = target;
                    }
                }
            }
        }
        let mut bad = Vec::new();
        for t in &self.types {
            let at = Pointer::from_raw(t.pointer.clone());
            match &t.kind {
                TypeKind::Struct(s) if !s.form => {
                    for f in &s.fields {
                        if self.holds_file(&f.ty, 0) {
                            bad.push(at.push("properties").push(&f.wire_name));
                        }
                    }
                }
                TypeKind::OneOf(u) if u.variants.iter().any(|v| self.holds_file(&v.ty, 0)) => {
                    bad.push(at);
                }
                _ => {}
            }
        }
        for at in bad {
            self.warn_once(
                &at,
                "`format: binary` has no JSON form (it is only a file as a part of a multipart/form-data body); it is a `String` here (`format: byte` would be base64 text)",
            );
        }
        for t in &mut self.types {
            match &mut t.kind {
                TypeKind::Struct(s) if !s.form => {
                    s.fields
                        .iter_mut()
                        .for_each(|f| files_to_strings(&mut f.ty));
                }
                TypeKind::OneOf(u) => u
                    .variants
                    .iter_mut()
                    .for_each(|v| files_to_strings(&mut v.ty)),
                TypeKind::Alias(target, _) => files_to_strings(target),
                _ => {}
            }
        }
        self.break_cycles();
    }

    /// The type with aliases written out where that shows a file (`Upload` = file → the file type).
    fn unalias_files(&self, ty: &TypeRef, depth: usize) -> TypeRef {
        match ty {
            TypeRef::Named(n) if depth < 32 => {
                match self.types.iter().find(|t| &t.name == n).map(|t| &t.kind) {
                    Some(TypeKind::Alias(inner, _)) => {
                        let inner = self.unalias_files(inner, depth + 1);
                        if contains_file(&inner) {
                            inner
                        } else {
                            ty.clone()
                        }
                    }
                    _ => ty.clone(),
                }
            }
            TypeRef::Vec(inner) => TypeRef::Vec(Box::new(self.unalias_files(inner, depth + 1))),
            other => other.clone(),
        }
    }

    /// Whether a type holds a file directly or through aliases (other named types report their own).
    fn holds_file(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::File => true,
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                self.holds_file(inner, depth + 1)
            }
            TypeRef::Tuple(items) => items.iter().any(|item| self.holds_file(item, depth + 1)),
            TypeRef::Named(n) if depth < 32 => {
                match self.types.iter().find(|t| &t.name == n).map(|t| &t.kind) {
                    Some(TypeKind::Alias(inner, _)) => self.holds_file(inner, depth + 1),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The type a `$ref` names. Only local component schemas can be referenced.
    fn reference(&mut self, reference: &str, at: &Pointer) -> TypeRef {
        match reference.strip_prefix(SCHEMA_REF).map(unescape_token) {
            Some(key) => match self.components.get(&key) {
                Some(name) => TypeRef::Named(name.clone()),
                None => {
                    self.sink.error(
                        at,
                        format!("`$ref: {reference}` points to a schema that does not exist"),
                    );
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
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self.follow(reference).map(|(_, s)| s),
        }
    }

    fn resolve_boxed<'s>(&self, schema: &'s ReferenceOr<Box<Schema>>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self.follow(reference).map(|(_, s)| s),
        }
    }
}

/// What a schema is, in a sentence.
fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Integer => "an integer",
        Kind::Number => "a number",
        Kind::Boolean => "a boolean",
        Kind::Array => "an array",
        Kind::Union => "a oneOf or anyOf",
        Kind::Not => "a `not`",
        Kind::Conflict => "a mix of types",
        Kind::AllOf | Kind::Object | Kind::Null | Kind::Any => "an object",
    }
}

/// The plan for a schema without composition keywords.
fn plan_plain<'s>(shape: Shape<'s>, kind: Kind, at: &Pointer, component: bool) -> Plan<'s> {
    match kind {
        Kind::String if shape.values().next().is_some() => {
            let mut values: Vec<String> = Vec::new();
            for text in shape.values().map(union::enum_text) {
                values.push(text);
            }
            Plan::Enum(values)
        }
        Kind::Object
            if shape.properties.is_some_and(|p| !p.is_empty())
                || (component && shape.open_additional().is_none()) =>
        {
            Plan::Struct(Merged::object(&shape, at))
        }
        _ => Plan::Unnamed(shape),
    }
}

/// `format: binary` outside a form: a string.
fn files_to_strings(ty: &mut TypeRef) {
    match ty {
        TypeRef::File => *ty = TypeRef::String,
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            files_to_strings(inner)
        }
        TypeRef::Tuple(items) => items.iter_mut().for_each(files_to_strings),
        _ => {}
    }
}

fn contains_file(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::File => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            contains_file(inner)
        }
        TypeRef::Tuple(items) => items.iter().any(contains_file),
        _ => false,
    }
}

/// `x-origin`: the pointer a component was hoisted from by the loader.
fn origin(schema: &ReferenceOr<Schema>) -> Option<&str> {
    schema
        .as_item()?
        .schema_data
        .extensions
        .get("x-origin")?
        .as_str()
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

/// `x-rust-name` lets a spec author pick a type's Rust name.
fn rust_name_override(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .extensions
        .get("x-rust-name")
        .and_then(|v| v.as_str())
        .map(type_ident)
}

/// Markdown documentation of a schema: title and description, and whether it is deprecated.
pub(super) fn schema_doc(schema: &Schema) -> String {
    let d = &schema.schema_data;
    let mut doc = match (&d.title, &d.description) {
        (_, Some(desc)) => sanitize(desc),
        (Some(title), None) => sanitize(title),
        (None, None) => String::new(),
    };
    // Documented rather than `#[deprecated]`: the generated code itself reads every field.
    if d.deprecated {
        if !doc.trim().is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str("Deprecated.");
    }
    doc
}

/// The documented limits of a schema. `allowed` holds the values of a non-string `enum` (a string
/// enum is an enum type of its own).
pub(super) fn constraints(schema: &Schema) -> Constraints {
    let shape = Shape::of(schema);
    // `allOf: [{type: string, maxLength: 40}]` with a description beside it: the member's limits.
    if let [ReferenceOr::Item(member)] = shape.all_of {
        let mut c = constraints(member);
        c.default = schema.schema_data.default.clone().or(c.default);
        return c;
    }
    let mut c = Constraints {
        default: schema.schema_data.default.clone(),
        max_bytes: schema
            .schema_data
            .extensions
            .get("x-max-bytes")
            .and_then(|v| v.as_u64()),
        ..Constraints::default()
    };
    match shape.kind() {
        Kind::String => {
            c.pattern = shape.pattern.map(str::to_owned);
            c.min_length = shape.min_length;
            c.max_length = shape.max_length;
        }
        Kind::Integer | Kind::Number => {
            c.minimum = shape.minimum;
            c.maximum = shape.maximum;
            c.exclusive_minimum = shape.exclusive_minimum && shape.minimum.is_some();
            c.exclusive_maximum = shape.exclusive_maximum && shape.maximum.is_some();
            c.allowed = shape.values().cloned().collect();
        }
        Kind::Boolean => c.allowed = shape.values().cloned().collect(),
        Kind::Array => {
            c.min_items = shape.min_items;
            c.max_items = shape.max_items;
        }
        _ => {}
    }
    if !c.allowed.is_empty() {
        let docs = enum_descriptions(schema);
        c.allowed_docs = c
            .allowed
            .iter()
            .map(|v| {
                let key = union::enum_text(v);
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
