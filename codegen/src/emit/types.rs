//! IR types → `types.rs`: structs with serde for JSON bodies, form structs with `to_form`, query
//! structs, and aliases.

use super::docs::doc_attrs;
use super::{ident, rust_type, unaliased, wire, wire_text, Wire};
use crate::ir::names::unraw;
use crate::ir::usage::Usage;
use crate::ir::{
    Additional, Api, BodyEncoding, BodyVariant, Constraints, Enum, Field, OneOf, Struct, TypeDef,
    TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;
use std::ops::Range;

/// More required fields than this and a constructor is harder to read than a struct literal
/// (and clippy's `too_many_arguments` agrees).
const MAX_CONSTRUCTOR_ARGS: usize = 7;

/// What the pieces of `types.rs` need to know about the whole IR.
#[derive(Debug)]
pub struct Context<'a> {
    /// The types sent as a request body: they get a constructor.
    request_types: BTreeSet<&'a str>,
    /// Which types need `Deserialize`.
    usage: Usage,
    /// Form structs that are JSON somewhere too: they get serde impls beside `to_form`.
    json_forms: BTreeSet<&'a str>,
}

impl<'a> Context<'a> {
    /// Collects the request body types and the serde usage of every type.
    pub fn new(api: &'a Api) -> Self {
        let request_types = api
            .operations
            .iter()
            .filter_map(|op| match &op.body.as_ref()?.ty {
                TypeRef::Named(n) => Some(n.as_str()),
                _ => None,
            })
            .collect();
        Context {
            request_types,
            usage: Usage::of(api),
            json_forms: json_forms(api),
        }
    }
}

/// The form structs without files that are also used other than as a multipart body: the JSON variant
/// of a body choice (one schema for both media types), a field or variant of another type, a response,
/// a webhook payload. (Lowering made the JSON uses of forms with files `serde_json::Value`.)
fn json_forms(api: &Api) -> BTreeSet<&str> {
    let forms: BTreeSet<&str> = api
        .types
        .iter()
        .filter(|t| matches!(&t.kind, TypeKind::Struct(s) if s.form && !s.fields.iter().any(|f| holds_file(&f.ty))))
        .map(|t| t.name.as_str())
        .collect();
    let mut used = BTreeSet::new();
    if forms.is_empty() {
        return used;
    }
    let mut uses: Vec<&TypeRef> = Vec::new();
    for t in &api.types {
        match &t.kind {
            TypeKind::Struct(s) => {
                uses.extend(s.fields.iter().map(|f| &f.ty));
                uses.extend(s.additional.iter().map(|a| &a.ty));
            }
            TypeKind::OneOf(u) => uses.extend(u.variants.iter().map(|v| &v.ty)),
            TypeKind::Alias(target, _) => uses.push(target),
            TypeKind::BodyChoice(variants) => uses.extend(
                variants
                    .iter()
                    .filter(|v| v.encoding != BodyEncoding::Multipart)
                    .map(|v| &v.ty),
            ),
            TypeKind::Responses(variants) => {
                uses.extend(variants.iter().filter_map(|v| v.ty.as_ref()))
            }
            TypeKind::Enum(_) => {}
        }
    }
    for op in &api.operations {
        uses.extend(
            op.body
                .iter()
                .filter(|b| b.encoding != BodyEncoding::Multipart)
                .map(|b| &b.ty),
        );
        uses.extend(op.success.iter());
        uses.push(&op.error);
        uses.extend(op.responses.iter().filter_map(|r| r.body.as_ref()));
    }
    uses.extend(
        api.webhooks
            .events
            .iter()
            .filter_map(|w| w.payload.as_ref()),
    );
    while let Some(ty) = uses.pop() {
        match ty {
            TypeRef::Named(n) => {
                if let Some(form) = forms.get(n.as_str()) {
                    used.insert(*form);
                }
            }
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                uses.push(inner)
            }
            TypeRef::Tuple(items) => uses.extend(items),
            _ => {}
        }
    }
    used
}

/// Whether a field type holds a file (which has no serde form).
fn holds_file(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::File => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => holds_file(inner),
        TypeRef::Tuple(items) => items.iter().any(holds_file),
        _ => false,
    }
}

/// The part of `types.rs` that holds `api.types[range]`; the piece that ends at the last type also has
/// the query structs and the webhook enum.
pub fn emit_range(api: &Api, context: &Context<'_>, range: Range<usize>) -> TokenStream {
    let last = range.end >= api.types.len();
    let queries = last.then(|| query_structs(api));
    let webhooks = last.then(|| super::webhooks::emit(api));
    let range = range.start.min(api.types.len())..range.end.min(api.types.len());
    let defs = api.types.get(range).unwrap_or_default().iter().map(|t| {
        let is_request = context.request_types.contains(t.name.as_str());
        let deserialize = context.usage.deserialized(&t.name);
        match &t.kind {
            TypeKind::Struct(s) if s.form && context.json_forms.contains(t.name.as_str()) => {
                let serde = serde_struct(api, t, s, is_request, deserialize);
                let to_form = to_form(api, t, s);
                quote!(#serde #to_form)
            }
            _ => type_def(api, t, is_request, deserialize),
        }
    });
    quote! {
        #(#defs)*
        #queries
        #webhooks
    }
}

/// One struct per query type, which several operations may share.
fn query_structs(api: &Api) -> TokenStream {
    let mut query_users: Vec<(&crate::ir::Query, Vec<&str>)> = Vec::new();
    for op in &api.operations {
        let Some(q) = &op.query else { continue };
        match query_users
            .iter_mut()
            .find(|(known, _)| known.type_name == q.type_name)
        {
            Some((_, users)) => users.push(unraw(&op.fn_name)),
            None => query_users.push((q, vec![unraw(&op.fn_name)])),
        }
    }
    let queries = query_users.iter().map(|(q, users)| {
        let links: Vec<String> = users
            .iter()
            .map(|f| format!("[`Client::{f}`](super::Client::{f})"))
            .collect();
        let doc = format!("Query parameters of {}.", links.join(", "));
        plain_struct(api, &q.type_name, &doc, &q.params)
    });
    quote!(#(#queries)*)
}

fn type_def(api: &Api, t: &TypeDef, is_request: bool, deserialize: bool) -> TokenStream {
    match &t.kind {
        TypeKind::Struct(s) if s.form => form_struct(api, t, s),
        TypeKind::Struct(s) => serde_struct(api, t, s, is_request, deserialize),
        TypeKind::Enum(e) => string_enum(t, e, deserialize),
        TypeKind::OneOf(union) => one_of(t, union, deserialize),
        TypeKind::BodyChoice(variants) => body_choice(t, variants),
        TypeKind::Responses(variants) => super::responses::response_enum(t, variants),
        TypeKind::Alias(target, constraints) => {
            let name = ident(&t.name);
            let target = rust_type(target);
            let doc = doc_attrs(&with_constraints(&fallback(&t.doc, &t.name), constraints));
            quote! { #doc pub type #name = #target; }
        }
    }
}

fn fallback(doc: &str, name: &str) -> String {
    if doc.trim().is_empty() {
        format!("The `{name}` schema.")
    } else {
        doc.to_owned()
    }
}

/// The crate feature that gives every type both serde impls.
pub const FULL_SERDE: &str = "full-serde";

/// `#[cfg(feature = "full-serde")]` on a `Deserialize` impl that no operation needs.
fn gate(needed: bool) -> Option<TokenStream> {
    (!needed).then(|| quote!(#[cfg(feature = #FULL_SERDE)]))
}

/// The same gate as [`gate`], as the runtime's `object!`, `untagged!` and `string_enum!` macros take it.
fn macro_gate(needed: bool) -> Option<TokenStream> {
    (!needed).then(|| quote!(; deserialize if feature = #FULL_SERDE))
}

fn serde_struct(
    api: &Api,
    t: &TypeDef,
    s: &Struct,
    is_request: bool,
    deserialize: bool,
) -> TokenStream {
    let name = ident(&t.name);
    let doc = doc_attrs(&fallback(&t.doc, &t.name));
    let default = all_optional(&s.fields).then(|| quote!(Default,));
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let ty = field_type(f);
        let doc = doc_attrs(&field_doc(f));
        quote! { #doc pub #field: #ty, }
    });
    // The properties the spec does not list, kept rather than dropped.
    let additional = s.additional.as_ref().map(|a| {
        let field = ident(&a.rust_name);
        let value = rust_type(&a.ty);
        quote! {
            /// The other properties of the object, which the spec does not list by name.
            pub #field: std::collections::BTreeMap<String, #value>,
        }
    });
    let ctor = is_request
        .then(|| constructor(api, &t.name, &s.fields, s.additional.as_ref()))
        .flatten();
    let serde = object(t, s, deserialize);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name { #(#fields)* #additional }
        #serde
        #ctor
    }
}

/// Both serde impls through the runtime's `ser::object!`: a `Serialize` that is one call per field,
/// and a `Deserialize` that is one loop over the object's entries, a fraction of the code serde's derives
/// expand to (see the runtime's `ser` and `de` modules). Without `deserialize`, the `Deserialize` impl
/// is compiled only with the `full-serde` feature.
fn object(t: &TypeDef, s: &Struct, deserialize: bool) -> TokenStream {
    let name = ident(&t.name);
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        let kind = match (f.ty == TypeRef::UnixTime, f.required, f.nullable) {
            (true, false, _) => quote!(unix_optional),
            (true, true, true) => quote!(unix_nullable),
            (true, true, false) => quote!(unix),
            (false, false, _) => quote!(optional),
            (false, true, true) => quote!(nullable),
            (false, true, false) => quote!(required),
        };
        quote!(#wire => #field #kind)
    });
    let rest = s.additional.as_ref().map(|a| {
        let field = ident(&a.rust_name);
        quote!(rest #field)
    });
    let gate = macro_gate(deserialize);
    quote! {
        rt::object!(#name { #(#fields),* } #rest #gate);
    }
}

/// A struct without serde: query parameters, sent by the operation method.
fn plain_struct(api: &Api, name: &str, doc: &str, fields: &[Field]) -> TokenStream {
    let ident_name = ident(name);
    let doc = doc_attrs(doc);
    let default = all_optional(fields).then(|| quote!(Default,));
    let fields_tokens = fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let ty = field_type(f);
        let doc = doc_attrs(&field_doc(f));
        quote! { #doc pub #field: #ty, }
    });
    let ctor = constructor(api, name, fields, None);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #ident_name { #(#fields_tokens)* }
        #ctor
    }
}

fn form_struct(api: &Api, t: &TypeDef, s: &Struct) -> TokenStream {
    let plain = plain_struct(api, &t.name, &fallback(&t.doc, &t.name), &s.fields);
    let to_form = to_form(api, t, s);
    quote!(#plain #to_form)
}

/// `to_form`: the multipart form of a form struct.
fn to_form(api: &Api, t: &TypeDef, s: &Struct) -> TokenStream {
    let name = ident(&t.name);
    let parts = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let name = &f.wire_name;
        // A part listed as `application/json` in the body's encoding is JSON text whatever its type.
        let form = match wire(api, &f.ty) {
            _ if f
                .constraints
                .content_types
                .iter()
                .any(|t| t == "application/json") =>
            {
                Wire::Json
            }
            other => other,
        };
        if f.ty == TypeRef::Vec(Box::new(TypeRef::File)) {
            // One part per file, all under the field's name.
            return if f.optional() {
                quote!(for file in self.#field.iter().flatten() { form.file(#name, file); })
            } else {
                quote!(for file in &self.#field { form.file(#name, file); })
            };
        }
        // A list of scalars: one text part per item, all under the field's name (as browsers send a
        // multiple choice), unless the encoding asks for the list as one JSON part.
        if let (TypeRef::Vec(item), Wire::Json) = (unaliased(api, &f.ty), form) {
            let item_form = wire(api, item);
            if matches!(item_form, Wire::Text | Wire::Rfc3339 | Wire::UnixSeconds) {
                let text = wire_text(item_form, quote!(item));
                return if f.optional() {
                    quote!(for item in self.#field.iter().flatten() { form.text(#name, #text); })
                } else {
                    quote!(for item in &self.#field { form.text(#name, #text); })
                };
            }
        }
        match (form, f.optional()) {
            (Wire::File, false) => quote!(form.file(#name, &self.#field);),
            (Wire::File, true) => quote!(form.file_opt(#name, self.#field.as_ref());),
            (Wire::Json, false) => quote!(form.json(#name, &self.#field);),
            (Wire::Json, true) => quote!(form.json_opt(#name, self.#field.as_ref());),
            // `text` takes `impl ToString`: Copy scalars by value, the rest by reference.
            (Wire::Text, false) if is_copy(api, &f.ty) => quote!(form.text(#name, self.#field);),
            (Wire::Text, false) => quote!(form.text(#name, &self.#field);),
            (Wire::Text, true) => quote!(form.text_opt(#name, self.#field.as_ref());),
            (other, false) => {
                let text = wire_text(other, quote!(self.#field));
                quote!(form.text(#name, #text);)
            }
            (other, true) => {
                let text = wire_text(other, quote!(value));
                quote!(if let Some(value) = &self.#field { form.text(#name, #text); })
            }
        }
    });
    quote! {
        impl #name {
            /// The multipart form of this body: one part per field that is set, in spec order.
            pub fn to_form(&self) -> rt::multipart::Form {
                let mut form = rt::multipart::Form::new();
                #(#parts)*
                form
            }
        }
    }
}

/// A string enum that keeps values it does not know: forward-compatible with values the server adds.
fn string_enum(t: &TypeDef, e: &Enum, deserialize: bool) -> TokenStream {
    let values = &e.values;
    let name = ident(&t.name);
    let mut doc = fallback(&t.doc, &t.name);
    doc.push_str(if e.closed {
        "\n\nRequests may carry only the values listed here: the client refuses to send `Unknown`."
    } else {
        "\n\nA value this client does not know yet can be sent as `Unknown` (e.g. via `From<&str>`)."
    });
    let doc = doc_attrs(&doc);
    let variants = values.iter().map(|v| {
        let variant = ident(&v.variant);
        let shown = if v.wire.is_empty() {
            "The empty string".to_owned()
        } else {
            format!("`{}`", v.wire)
        };
        let doc = doc_attrs(&if v.doc.is_empty() {
            shown
        } else {
            format!("{shown}: {}", v.doc)
        });
        quote!(#doc #variant,)
    });
    let wires = values.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire;
        quote!(#variant => #wire)
    });
    let gate = macro_gate(deserialize);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know, kept as the server sent it.
            Unknown(String),
        }
        rt::string_enum!(#name { #(#wires),* } #gate);
    }
}

/// A `oneOf`: untagged (variants tried in spec order), or tagged by its discriminator with a fallback
/// that keeps unknown tags as raw JSON.
fn one_of(t: &TypeDef, union: &OneOf, deserialize: bool) -> TokenStream {
    let name = ident(&t.name);
    let variants = union.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = rust_type(&v.ty);
        let ty = if v.boxed { quote!(Box<#ty>) } else { ty };
        let doc = doc_attrs(&if v.doc.is_empty() {
            format!("The `{}` variant.", v.name)
        } else {
            v.doc.clone()
        });
        quote!(#doc #variant(#ty),)
    });
    let Some(d) = &union.discriminator else {
        let order: Vec<String> = union
            .variants
            .iter()
            .map(|v| format!("`{}`", v.name))
            .collect();
        let doc = doc_attrs(&format!(
            "{}\n\nDecoding tries the variants in this order and takes the first that fits: {}.",
            fallback(&t.doc, &t.name),
            order.join(", ")
        ));
        let gate = macro_gate(deserialize);
        let names = union.variants.iter().map(|v| ident(&v.name));
        return quote! {
            #doc
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name { #(#variants)* }
            rt::untagged!(#name { #(#names),* } #gate);
        };
    };
    let property = &d.property;
    let tags: Vec<String> = d
        .mapping
        .iter()
        .map(|(tag, _)| format!("`{tag}`"))
        .collect();
    let doc = doc_attrs(&format!(
        "{}\n\nTagged by `{property}`: {}; any other value decodes as `Unknown`.",
        fallback(&t.doc, &t.name),
        tags.join(", ")
    ));
    let arms = d.mapping.iter().map(|(tag, index)| {
        let variant = ident(&union.variants[*index].name);
        quote!(Some(#tag) => rt::serde_json::from_value(value).map(Self::#variant).map_err(serde::de::Error::custom),)
    });
    let ser_arms = union.variants.iter().map(|v| {
        let variant = ident(&v.name);
        quote!(Self::#variant(inner) => inner.serialize(serializer),)
    });
    let tag_fn = union.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let tag = d
            .mapping
            .iter()
            .find(|(_, i)| union.variants[*i].name == v.name)
            .map(|(t, _)| t.as_str())
            .unwrap_or_default();
        quote!(Self::#variant(_) => Some(#tag),)
    });
    let tag_doc = doc_attrs(&format!(
        "The value of `{property}`, the tag that says which variant this is."
    ));
    let gate_de = gate(deserialize);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
            /// A variant this version of the client does not know, kept as the server sent it.
            Unknown(rt::serde_json::Value),
        }
        impl #name {
            #tag_doc
            pub fn tag(&self) -> Option<&str> {
                match self {
                    #(#tag_fn)*
                    Self::Unknown(value) => value.get(#property).and_then(rt::serde_json::Value::as_str),
                }
            }
        }
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::Unknown(value) => value.serialize(serializer),
                }
            }
        }
        #gate_de
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = rt::serde_json::Value::deserialize(deserializer)?;
                match value.get(#property).and_then(rt::serde_json::Value::as_str) {
                    #(#arms)*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
    }
}

/// The body of an operation with several content types: the caller picks one, and the types make
/// sending both impossible.
fn body_choice(t: &TypeDef, variants: &[BodyVariant]) -> TokenStream {
    let name = ident(&t.name);
    let doc = doc_attrs(&t.doc);
    // A binary body may be a file or a reader, streamed: `rt::Upload`.
    let body_type = |v: &BodyVariant| match v.encoding {
        BodyEncoding::Binary => quote!(rt::Upload),
        _ => rust_type(&v.ty),
    };
    let items = variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = body_type(v);
        let doc = doc_attrs(&match v.encoding {
            BodyEncoding::Multipart => "Sent as `multipart/form-data`.".to_owned(),
            _ => format!("Sent as `{}`.", v.content_type),
        });
        quote!(#doc #variant(#ty),)
    });
    let froms = variants
        .iter()
        .filter(|v| variants.iter().filter(|w| w.ty == v.ty).count() == 1)
        .map(|v| {
            let variant = ident(&v.name);
            let ty = body_type(v);
            quote! {
                impl From<#ty> for #name {
                    fn from(body: #ty) -> Self { Self::#variant(body) }
                }
            }
        });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#items)* }
        #(#froms)*
    }
}

/// `Name::new(required...)`: the required fields as arguments, every optional one `None`.
fn constructor(
    api: &Api,
    name: &str,
    fields: &[Field],
    additional: Option<&Additional>,
) -> Option<TokenStream> {
    let required: Vec<&Field> = fields.iter().filter(|f| !f.optional()).collect();
    if required.is_empty() || required.len() > MAX_CONSTRUCTOR_ARGS {
        return None;
    }
    let ident_name = ident(name);
    let args = required.iter().map(|f| {
        let field = ident(&f.rust_name);
        match &f.ty {
            ty if is_string(api, ty) && !f.boxed => quote!(#field: impl Into<String>),
            other => {
                let ty = rust_type(other);
                quote!(#field: #ty)
            }
        }
    });
    let inits = fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        match (&f.ty, f.optional()) {
            (_, true) => quote!(#field: None,),
            (_, false) if f.boxed => quote!(#field: Box::new(#field),),
            (ty, false) if is_string(api, ty) => quote!(#field: #field.into(),),
            (_, false) => quote!(#field,),
        }
    });
    let inits = inits.chain(additional.map(|a| {
        let field = ident(&a.rust_name);
        quote!(#field: std::collections::BTreeMap::new(),)
    }));
    let names: Vec<String> = required
        .iter()
        .map(|f| format!("`{}`", unraw(&f.rust_name)))
        .collect();
    let doc = format!(
        "A value with the required fields {}, and every optional field unset.",
        names.join(", ")
    );
    let doc = doc_attrs(&doc);
    Some(quote! {
        impl #ident_name {
            #doc
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
        }
    })
}

/// A `Copy` scalar, directly or through aliases.
fn is_copy(api: &Api, ty: &TypeRef) -> bool {
    matches!(
        unaliased(api, ty),
        TypeRef::Bool
            | TypeRef::I8
            | TypeRef::I16
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::U8
            | TypeRef::U16
            | TypeRef::U32
            | TypeRef::U64
            | TypeRef::Uuid
            | TypeRef::F32
            | TypeRef::F64
            | TypeRef::Decimal
            | TypeRef::Date
    )
}

/// A `String`, directly or through aliases.
fn is_string(api: &Api, ty: &TypeRef) -> bool {
    *unaliased(api, ty) == TypeRef::String
}

fn all_optional(fields: &[Field]) -> bool {
    fields.iter().all(Field::optional)
}

fn field_type(f: &Field) -> TokenStream {
    let ty = rust_type(&f.ty);
    // A recursive type holds itself behind a pointer, or it would have no size.
    let ty = if f.boxed { quote!(Box<#ty>) } else { ty };
    if f.optional() {
        quote!(Option<#ty>)
    } else {
        ty
    }
}

fn field_doc(f: &Field) -> String {
    let base = if f.doc.trim().is_empty() {
        format!("The `{}` field.", f.wire_name)
    } else {
        f.doc.clone()
    };
    with_constraints(&base, &f.constraints)
}

/// Appends the documented limits to a doc text, so they show in rustdoc.
fn with_constraints(doc: &str, c: &Constraints) -> String {
    let mut notes = Vec::new();
    if let Some(p) = &c.pattern {
        notes.push(format!("Must match `{p}`."));
    }
    match (c.min_length, c.max_length) {
        (Some(min), Some(max)) => notes.push(format!("From {min} to {max} characters.")),
        (None, Some(max)) => notes.push(format!("At most {max} characters.")),
        (Some(min), None) => notes.push(format!("At least {min} characters.")),
        (None, None) => {}
    }
    match (c.minimum, c.exclusive_minimum) {
        (Some(min), false) => notes.push(format!("At least {min}.")),
        (Some(min), true) => notes.push(format!("More than {min}.")),
        (None, _) => {}
    }
    match (c.maximum, c.exclusive_maximum) {
        (Some(max), false) => notes.push(format!("At most {max}.")),
        (Some(max), true) => notes.push(format!("Less than {max}.")),
        (None, _) => {}
    }
    match (c.min_items, c.max_items) {
        (Some(min), Some(max)) => notes.push(format!("From {min} to {max} items.")),
        (None, Some(max)) => notes.push(format!("At most {max} items.")),
        (Some(min), None) => notes.push(format!("At least {min} items.")),
        (None, None) => {}
    }
    if let Some(bytes) = c.max_bytes {
        notes.push(format!("At most {}.", human_bytes(bytes)));
    }
    if c.content_types == ["application/json"] {
        notes.push("Sent as a part holding JSON text.".to_owned());
    } else if !c.content_types.is_empty() {
        let types: Vec<String> = c.content_types.iter().map(|t| format!("`{t}`")).collect();
        notes.push(format!("Content types: {}.", types.join(", ")));
    }
    if !c.allowed.is_empty() {
        let values: Vec<String> = c
            .allowed
            .iter()
            .zip(
                c.allowed_docs
                    .iter()
                    .chain(std::iter::repeat(&String::new())),
            )
            .map(|(v, d)| {
                if d.is_empty() {
                    format!("`{v}`")
                } else {
                    format!("`{v}` ({d})")
                }
            })
            .collect();
        notes.push(format!("One of: {}.", values.join(", ")));
    }
    if let Some(default) = &c.default {
        notes.push(format!("Default: `{default}`."));
    }
    if notes.is_empty() {
        doc.to_owned()
    } else {
        format!("{}\n\n{}", doc.trim_end(), notes.join(" "))
    }
}

fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const KIB: u64 = 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB ({bytes} bytes)", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB ({bytes} bytes)", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}
