//! `allOf`: its members, resolved through `$ref`s and nested `allOf`s, merged into one object.
//!
//! Merging is pure (no diagnostics): the discriminator checks use it to see a variant's properties,
//! and the struct definition reports what it had to leave out.

use super::shape::{Kind, Shape};
use super::{Schemas, SCHEMA_REF};
use crate::diagnostics::Pointer;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema};

/// A property of a merged object.
pub(crate) struct Prop<'s> {
    /// Its name on the wire.
    pub name: &'s str,
    /// Its schema.
    pub schema: &'s ReferenceOr<Box<Schema>>,
    /// Where it is declared (inline types under it are named once, by this pointer).
    pub at: Pointer,
    /// The Rust name of the type that declares it, the prefix of its inline types' names (empty: the
    /// struct being built).
    pub context: String,
    /// Some member declares it inline as `readOnly` or `writeOnly` (a declaration through `$ref` is
    /// checked where the property is lowered): it travels one way only.
    pub one_way: bool,
}

/// A member that is not an object (a string, an array, a union ...).
pub(crate) struct Other<'s> {
    /// The member as written.
    pub member: Member<'s>,
    /// What it is.
    pub kind: Kind,
}

/// An `allOf` member as written: a reference or an inline schema, and where it is.
#[derive(Clone, Copy)]
pub(crate) enum Member<'s> {
    /// A member as written in the spec: a `$ref` or an inline schema.
    Written(&'s ReferenceOr<Schema>),
    /// A schema found inside another (an `allOf` member's member).
    Inline(&'s Schema),
}

/// An object assembled from every member of an `allOf`.
#[derive(Default)]
pub(crate) struct Merged<'s> {
    /// Properties in the order first declared; a later member's schema for the same name replaces an
    /// earlier one in place.
    pub props: Vec<Prop<'s>>,
    /// Every member's `required`, in order of first mention, with where each is said.
    pub required: Vec<(String, Pointer)>,
    /// The last `additionalProperties` that allows more (a schema or `true`), with its pointer and the
    /// prefix for an inline value type.
    pub additional: Option<(&'s AdditionalProperties, Pointer, String)>,
    /// How many members were objects.
    pub objects: usize,
    /// Members that are not objects, with their pointers.
    pub others: Vec<(Other<'s>, Pointer)>,
    /// `oneOf`/`anyOf` written next to the `allOf`: left out of the object.
    pub unions: Vec<Pointer>,
}

impl<'s> Merged<'s> {
    /// Whether a property of this name is declared.
    pub fn has(&self, name: &str) -> bool {
        self.props.iter().any(|p| p.name == name)
    }

    /// Whether `name` is required.
    pub fn requires(&self, name: &str) -> bool {
        self.required.iter().any(|(r, _)| r == name)
    }

    /// The properties of a plain object (no `allOf`).
    pub fn object(shape: &Shape<'s>, at: &Pointer) -> Self {
        let mut merged = Merged {
            objects: 1,
            ..Merged::default()
        };
        merged.add_object(shape, at, "");
        merged
    }

    fn add_object(&mut self, shape: &Shape<'s>, at: &Pointer, context: &str) {
        let props_at = at.push("properties");
        for (name, schema) in shape.props() {
            let inline_one_way = match schema {
                ReferenceOr::Item(item) => {
                    item.schema_data.read_only || item.schema_data.write_only
                }
                ReferenceOr::Reference { .. } => false,
            };
            let mut prop = Prop {
                name,
                schema,
                at: props_at.push(name),
                context: context.to_owned(),
                one_way: inline_one_way,
            };
            match self.props.iter_mut().find(|p| p.name == name.as_str()) {
                Some(known) => {
                    // `readOnly` in one member holds for the merged property.
                    prop.one_way |= known.one_way;
                    *known = prop;
                }
                None => self.props.push(prop),
            }
        }
        for (i, name) in shape.required.iter().enumerate() {
            if !self.requires(name) {
                self.required
                    .push((name.clone(), at.push("required").push(i.to_string())));
            }
        }
        if let Some(additional) = shape.open_additional() {
            self.additional = Some((
                additional,
                at.push("additionalProperties"),
                context.to_owned(),
            ));
        }
    }
}

/// Where a merge is: the components on the way down (a member met again adds nothing), and the
/// pointer of the schema being merged.
struct Walk {
    seen: Vec<String>,
    root: Pointer,
}

impl<'a> Schemas<'a> {
    /// Merges an `allOf` schema (its members, then its own properties). Inline types of properties
    /// declared in a schema reached through a `$ref` are named after that schema; the others after
    /// the merged struct.
    pub(crate) fn merge_all_of<'s>(&self, schema: &'s Schema, at: &Pointer) -> Merged<'s>
    where
        'a: 's,
    {
        let mut merged = Merged::default();
        let mut walk = Walk {
            seen: Vec::new(),
            root: at.clone(),
        };
        self.flatten(schema, at, "", &mut merged, &mut walk);
        merged
    }

    /// The object view of a schema: its properties, through `allOf` members. For discriminator
    /// checks.
    pub(crate) fn object_view<'s>(&self, schema: &'s Schema, at: &Pointer) -> Merged<'s>
    where
        'a: 's,
    {
        let mut merged = Merged::default();
        let mut walk = Walk {
            seen: Vec::new(),
            root: at.clone(),
        };
        self.member(
            Member::Inline(schema),
            schema,
            at,
            "",
            &mut merged,
            &mut walk,
        );
        merged
    }

    fn flatten<'s>(
        &self,
        schema: &'s Schema,
        at: &Pointer,
        context: &str,
        merged: &mut Merged<'s>,
        walk: &mut Walk,
    ) where
        'a: 's,
    {
        let shape = Shape::of(schema);
        for (i, member) in shape.all_of.iter().enumerate() {
            let member_at = at.push("allOf").push(i.to_string());
            match member {
                ReferenceOr::Item(item) => {
                    self.member(
                        Member::Inline(item),
                        item,
                        &member_at,
                        context,
                        merged,
                        walk,
                    );
                }
                ReferenceOr::Reference { reference } => {
                    let Some((key, target)) = self.follow(reference) else {
                        continue; // dangling: `reference` reports it when the type is lowered
                    };
                    // A member that contains this schema again (a discriminator base listing its
                    // subtypes, or a plain cycle) adds nothing the first visit did not.
                    if walk.seen.contains(&key) {
                        continue;
                    }
                    walk.seen.push(key.clone());
                    let target_at = self.component_pointer(&key);
                    let target_context = self
                        .components
                        .get(&key)
                        .cloned()
                        .unwrap_or_else(|| context.to_owned());
                    self.member(
                        Member::Written(member),
                        target,
                        &target_at,
                        &target_context,
                        merged,
                        walk,
                    );
                    walk.seen.pop();
                }
            }
        }
        if !shape.one_of.is_empty() || !shape.any_of.is_empty() {
            merged.unions.push(at.clone());
        }
        let own_object = shape.properties.is_some()
            || shape.open_additional().is_some()
            || shape.typ == Some("object");
        if own_object {
            merged.objects += 1;
        }
        merged.add_object(&shape, at, context);
    }

    /// Adds one member (already resolved to `schema`, which lives at `at`).
    fn member<'s>(
        &self,
        written: Member<'s>,
        schema: &'s Schema,
        at: &Pointer,
        context: &str,
        merged: &mut Merged<'s>,
        walk: &mut Walk,
    ) where
        'a: 's,
    {
        let shape = Shape::of(schema);
        match shape.kind() {
            Kind::AllOf => self.flatten(schema, at, context, merged, walk),
            Kind::Object => {
                merged.objects += 1;
                merged.add_object(&shape, at, context);
            }
            // A base that lists its subtypes (`Pet: {properties, oneOf: [Cat, Dog]}` with `Cat:
            // allOf: [Pet, ...]`): its properties are the subtype's; its list of subtypes is not.
            Kind::Union if shape.properties.is_some_and(|p| !p.is_empty()) => {
                merged.objects += 1;
                merged.add_object(&shape, at, context);
            }
            Kind::Union if self.lists(&shape, walk) => {}
            // `{required: [a]}`, `{description: ...}`: adds requirements, no type.
            Kind::Any | Kind::Null => merged.add_object(&shape, at, context),
            kind => merged.others.push((
                Other {
                    member: written,
                    kind,
                },
                at.clone(),
            )),
        }
    }

    /// Whether a union lists the schema being merged (or one it is merged into) among its members.
    fn lists(&self, union: &Shape<'_>, walk: &Walk) -> bool {
        union.one_of.iter().chain(union.any_of).any(|m| match m {
            ReferenceOr::Reference { reference } => {
                self.follow(reference).is_some_and(|(key, _)| {
                    walk.seen.contains(&key) || self.component_pointer(&key) == walk.root
                })
            }
            ReferenceOr::Item(_) => false,
        })
    }

    /// The component a `$ref` names (through chains of references), and its schema.
    pub(crate) fn follow<'s>(&self, reference: &str) -> Option<(String, &'s Schema)>
    where
        'a: 's,
    {
        let spec: &'s openapiv3::OpenAPI = self.spec;
        let mut key = super::unescape_token(reference.strip_prefix(SCHEMA_REF)?);
        for _ in 0..32 {
            match spec.components.as_ref()?.schemas.get(&key)? {
                ReferenceOr::Item(schema) => return Some((key, schema)),
                ReferenceOr::Reference { reference } => {
                    key = super::unescape_token(reference.strip_prefix(SCHEMA_REF)?);
                }
            }
        }
        None
    }
}
