//! `oneOf` and `anyOf` → enums: tagged by a discriminator when every variant carries it, untagged
//! (variants tried in spec order) otherwise.

use super::shape::{Kind, Shape};
use super::{schema_doc, Schemas, SCHEMA_REF};
use crate::diagnostics::Pointer;
use crate::ir::names::type_ident;
use crate::ir::{Discriminator, OneOf, TypeRef, Variant};
use openapiv3::{ReferenceOr, Schema};

/// The members of a union that carry a type (not `null`, not a bare `{nullable: true}`), with their
/// index in the spec.
pub(crate) struct Members<'s> {
    /// `oneOf` or `anyOf`.
    pub keyword: &'static str,
    /// (index in the spec, member).
    pub members: Vec<(usize, &'s ReferenceOr<Schema>)>,
}

impl<'a> Schemas<'a> {
    /// The members of a `oneOf` (or, when there is none, `anyOf`) that say what a value is.
    pub(crate) fn union_members<'s>(&self, shape: &Shape<'s>) -> Members<'s>
    where
        'a: 's,
    {
        let (keyword, all) = if shape.one_of.is_empty() {
            ("anyOf", shape.any_of)
        } else {
            ("oneOf", shape.one_of)
        };
        let members = all
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                self.resolve(m).is_none_or(|s| {
                    let shape = Shape::of(s);
                    !shape.is_annotation() && !shape.is_null()
                })
            })
            .collect();
        Members { keyword, members }
    }

    /// Whether every member is a plain string (no date, uuid or other typed format), and the values
    /// of those that are enums: such a union is one string enum (or a `String`).
    pub(crate) fn string_union(&self, members: &Members<'_>) -> Option<Vec<String>> {
        let mut values = Vec::new();
        for (_, member) in &members.members {
            let shape = Shape::of(self.resolve(member)?);
            let typed_format = matches!(
                shape.format.as_deref(),
                Some("date-time" | "date" | "uuid" | "byte" | "binary")
            );
            if shape.kind() != Kind::String || typed_format {
                return None;
            }
            for v in shape.values() {
                let text = enum_text(v);
                if !values.contains(&text) {
                    values.push(text);
                }
            }
        }
        Some(values)
    }

    /// The enum for a union of at least two members.
    pub(crate) fn lower_union(
        &mut self,
        schema: &Schema,
        members: &Members<'_>,
        at: &Pointer,
        name: &str,
    ) -> OneOf {
        let keyword = members.keyword;
        let mut variants: Vec<Variant> = Vec::with_capacity(members.members.len());
        let mut pointers = Vec::with_capacity(members.members.len());
        let mut by_type = Vec::with_capacity(members.members.len());
        for (i, member) in &members.members {
            let member_at = at.push(keyword).push(i.to_string());
            let ty = self.type_ref(member, &member_at, &format!("{name}Variant{}", i + 1));
            let resolved = self.resolve(member);
            let titled = resolved
                .and_then(|s| s.schema_data.title.as_deref())
                .map(type_ident)
                .filter(|t| t != "Unnamed");
            by_type.push(variant_name(&ty));
            let variant = titled.unwrap_or_else(|| variant_name(&ty));
            let doc = resolved.map(schema_doc).unwrap_or_default();
            variants.push(Variant {
                name: variant,
                ty,
                doc,
                boxed: false,
            });
            pointers.push(member_at);
        }
        // Titles shared by several variants say less than their types: name those after the type.
        for i in 0..variants.len() {
            let shared = variants
                .iter()
                .filter(|v| v.name == variants[i].name)
                .count()
                > 1;
            if shared && !variants.iter().any(|v| v.name == by_type[i]) {
                variants[i].name = by_type[i].clone();
            }
        }
        // `Unknown` is the tagged union's fallback variant.
        for v in &mut variants {
            if v.name == "Unknown" {
                v.name = "UnknownVariant".to_owned();
            }
        }
        for i in 0..variants.len() {
            let base = variants[i].name.clone();
            if !variants[..i].iter().any(|v| v.name == base) {
                continue;
            }
            let renamed = (2..)
                .map(|n| format!("{base}{n}"))
                .find(|c| !variants.iter().any(|v| &v.name == c))
                .unwrap_or_else(|| format!("{base}Other"));
            self.warn_once(
                &pointers[i],
                format!(
                    "two variants of this {keyword} would both be called `{base}`; this one is `{renamed}` (give the variant schemas distinct `title`s to choose)"
                ),
            );
            variants[i].name = renamed;
        }
        strip_common_words(&mut variants);
        let discriminator = self.discriminator(schema, members, &variants, at);
        OneOf {
            variants,
            discriminator,
        }
    }

    /// The discriminator, when every variant can be told apart by it; otherwise a warning and none
    /// (the union is then untagged). A variant's tag is the `mapping` entry naming it, else the one
    /// value its tag property allows (`enum: [cat]`), else its schema's name, as OpenAPI specifies.
    fn discriminator(
        &mut self,
        schema: &Schema,
        members: &Members<'_>,
        variants: &[Variant],
        at: &Pointer,
    ) -> Option<Discriminator> {
        let d = schema.schema_data.discriminator.as_ref()?;
        let d_at = at.push("discriminator");
        let property = &d.property_name;
        let keyword = members.keyword;
        let mut mapping: Vec<(String, usize)> = Vec::new();
        for (tag, reference) in &d.mapping {
            // A mapping value is a `$ref` or a bare schema name.
            let full = if reference.starts_with('#') {
                reference.clone()
            } else {
                format!("{SCHEMA_REF}{reference}")
            };
            let target = self.follow(&full).map(|(key, _)| key);
            let index = members.members.iter().position(|(_, m)| match m {
                ReferenceOr::Reference { reference } => {
                    target.is_some() && self.follow(reference).map(|(k, _)| k) == target
                }
                ReferenceOr::Item(_) => false,
            });
            match index {
                Some(_) if mapping.iter().any(|(t, _)| t == tag) => {}
                Some(index) => mapping.push((tag.clone(), index)),
                None => self.warn_once(
                    &d_at.push("mapping").push(tag),
                    format!(
                        "`{reference}` is not one of the {keyword}'s variants; the tag `{tag}` is left out"
                    ),
                ),
            }
        }
        let mut problem = None;
        for (index, (i, member)) in members.members.iter().enumerate() {
            let member_at = at.push(keyword).push(i.to_string());
            let view = self
                .resolve(member)
                .map(|s| self.object_view(s, &member_at));
            let prop = view
                .as_ref()
                .and_then(|v| v.props.iter().find(|p| p.name == property));
            let Some(prop) = prop else {
                problem = Some((
                    member_at,
                    format!("it is not an object with the property `{property}`"),
                ));
                break;
            };
            if mapping.iter().any(|(_, m)| *m == index) {
                continue;
            }
            let single_value = self
                .resolve_boxed(prop.schema)
                .map(Shape::of)
                .and_then(|s| match s.values().collect::<Vec<_>>().as_slice() {
                    [one] => one.as_str().map(str::to_owned),
                    _ => None,
                });
            let tag = single_value.or_else(|| match member {
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix(SCHEMA_REF)
                    .map(super::unescape_token),
                ReferenceOr::Item(_) => None,
            });
            match tag {
                Some(tag) if mapping.iter().any(|(t, _)| *t == tag) => {
                    problem = Some((member_at, format!("its tag `{tag}` is another variant's")));
                    break;
                }
                Some(tag) => mapping.push((tag, index)),
                None => {
                    problem = Some((
                        member_at,
                        "it has no tag: it is inline, not named in `mapping`, and its property allows more than one value".to_owned(),
                    ));
                    break;
                }
            }
        }
        if let Some((member_at, why)) = problem {
            self.warn_once(
                &member_at,
                format!(
                    "the discriminator `{property}` cannot tell this variant apart ({why}); the {keyword} is decoded untagged, trying the variants in order"
                ),
            );
            return None;
        }
        debug_assert!(mapping.iter().all(|(_, i)| *i < variants.len()));
        Some(Discriminator {
            property: property.clone(),
            mapping,
        })
    }
}

/// An `enum` value as the string a string enum holds (numbers and booleans written unquoted in YAML
/// as their text).
pub(crate) fn enum_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `TemplateNamedParams | TemplatePositionalParams` → `Named | Positional`: the CamelCase words every
/// variant name shares at its start or end say nothing inside the enum. Kept as they are when
/// stripping would leave a name empty, not starting with a letter, or not unique.
pub(crate) fn strip_common_words(variants: &mut [Variant]) {
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
            .all(|(i, n)| !stripped[..i].contains(n) && n != "Unknown" && n != "Self");
    if usable {
        for (variant, name) in variants.iter_mut().zip(stripped) {
            variant.name = name;
        }
    }
}

/// A variant name for an untitled member, from its type.
fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => n.clone(),
        TypeRef::Vec(inner) => format!("{}List", variant_name(inner)),
        TypeRef::Map(inner) => format!("{}Map", variant_name(inner)),
        TypeRef::Nullable(inner) => variant_name(inner),
        TypeRef::Tuple(_) => "Tuple".to_owned(),
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "Bool".to_owned(),
        TypeRef::I8
        | TypeRef::I16
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::U8
        | TypeRef::U16
        | TypeRef::U32
        | TypeRef::U64 => "Integer".to_owned(),
        TypeRef::F32 | TypeRef::F64 | TypeRef::Decimal => "Number".to_owned(),
        TypeRef::DateTime | TypeRef::UnixTime => "Timestamp".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::File => "File".to_owned(),
        TypeRef::Json => "Json".to_owned(),
        TypeRef::Uuid => "Uuid".to_owned(),
        TypeRef::Base64 | TypeRef::Bytes => "Bytes".to_owned(),
    }
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
        assert_eq!(
            names(&["SelfThing", "OtherThing"]),
            ["SelfThing", "OtherThing"]
        );
        assert_eq!(names(&["Only"]), ["Only"]);
    }
}
