//! IR types → `types.rs`: structs with serde for JSON bodies, form structs with `to_form`, query
//! structs, and aliases.

use super::docs::doc_attrs;
use super::{ident, rust_type};
use crate::ir::names::unraw;
use crate::ir::{Api, Constraints, Field, Struct, TypeDef, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// More required fields than this and a constructor is harder to read than a struct literal
/// (and clippy's `too_many_arguments` agrees).
const MAX_CONSTRUCTOR_ARGS: usize = 7;

pub fn emit(api: &Api) -> TokenStream {
    let request_types: BTreeSet<&str> = api
        .operations
        .iter()
        .filter_map(|op| match &op.body.as_ref()?.ty {
            TypeRef::Named(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let defs = api
        .types
        .iter()
        .map(|t| type_def(api, t, request_types.contains(t.name.as_str())));
    let queries = api.operations.iter().filter_map(|op| {
        let q = op.query.as_ref()?;
        let doc = format!(
            "Query parameters of [`Client::{}`](crate::Client::{}).",
            unraw(&op.fn_name),
            unraw(&op.fn_name)
        );
        Some(plain_struct(api, &q.type_name, &doc, &q.params))
    });
    let doc = super::docs::inner_doc_attrs(&format!(
        "Types of the {} (version {}): request bodies, query parameters and responses.",
        api.title, api.version
    ));
    quote! {
        #doc
        #(#defs)*
        #(#queries)*
    }
}

fn type_def(api: &Api, t: &TypeDef, is_request: bool) -> TokenStream {
    match &t.kind {
        TypeKind::Struct(s) if s.form => form_struct(api, t, s),
        TypeKind::Struct(s) => serde_struct(api, t, s, is_request),
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

fn serde_struct(api: &Api, t: &TypeDef, s: &Struct, is_request: bool) -> TokenStream {
    let name = ident(&t.name);
    let doc = doc_attrs(&fallback(&t.doc, &t.name));
    let default = all_optional(&s.fields).then(|| quote!(Default,));
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let ty = field_type(f);
        let doc = doc_attrs(&field_doc(f));
        let wire = &f.wire_name;
        let rename = (unraw(&f.rust_name) != wire).then(|| quote!(#[serde(rename = #wire)]));
        let optional = if !f.required {
            Some(quote!(#[serde(default, skip_serializing_if = "Option::is_none")]))
        } else if f.nullable {
            Some(quote!(#[serde(default)]))
        } else {
            None
        };
        quote! { #doc #rename #optional pub #field: #ty, }
    });
    let ctor = is_request
        .then(|| constructor(api, &t.name, &s.fields))
        .flatten();
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        pub struct #name { #(#fields)* }
        #ctor
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
    let ctor = constructor(api, name, fields);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #ident_name { #(#fields_tokens)* }
        #ctor
    }
}

fn form_struct(api: &Api, t: &TypeDef, s: &Struct) -> TokenStream {
    let plain = plain_struct(api, &t.name, &fallback(&t.doc, &t.name), &s.fields);
    let name = ident(&t.name);
    let parts = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        match (&f.ty, f.optional()) {
            (TypeRef::File, false) => quote!(form.file(#wire, &self.#field);),
            (TypeRef::File, true) => quote!(form.file_opt(#wire, self.#field.as_ref());),
            // `Display` of a chrono timestamp is not RFC 3339; the wire form must be.
            (TypeRef::DateTime, false) => {
                quote!(form.text(#wire, self.#field.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));)
            }
            (TypeRef::DateTime, true) => quote! {
                if let Some(value) = &self.#field {
                    form.text(#wire, value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
                }
            },
            (_, false) => quote!(form.text(#wire, &self.#field);),
            (_, true) => quote!(form.text_opt(#wire, self.#field.as_ref());),
        }
    });
    quote! {
        #plain
        impl #name {
            /// The multipart form of this body: one part per field that is set, in spec order.
            pub fn to_form(&self) -> crate::multipart::Form {
                let mut form = crate::multipart::Form::new();
                #(#parts)*
                form
            }
        }
    }
}

/// `Name::new(required...)`: the required fields as arguments, every optional one `None`.
fn constructor(api: &Api, name: &str, fields: &[Field]) -> Option<TokenStream> {
    let required: Vec<&Field> = fields.iter().filter(|f| !f.optional()).collect();
    if required.is_empty() || required.len() > MAX_CONSTRUCTOR_ARGS {
        return None;
    }
    let ident_name = ident(name);
    let args = required.iter().map(|f| {
        let field = ident(&f.rust_name);
        match &f.ty {
            ty if is_string(api, ty) => quote!(#field: impl Into<String>),
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
            (ty, false) if is_string(api, ty) => quote!(#field: #field.into(),),
            (_, false) => quote!(#field,),
        }
    });
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

/// A `String`, directly or through aliases.
fn is_string(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String => true,
        TypeRef::Named(n) => {
            matches!(api.type_def(n), Some(TypeDef { kind: TypeKind::Alias(inner, _), .. }) if is_string(api, inner))
        }
        _ => false,
    }
}

fn all_optional(fields: &[Field]) -> bool {
    fields.iter().all(Field::optional)
}

fn field_type(f: &Field) -> TokenStream {
    let ty = rust_type(&f.ty);
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
    if let Some(min) = c.minimum {
        notes.push(format!("At least {min}."));
    }
    if let Some(max) = c.maximum {
        notes.push(format!("At most {max}."));
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
    if !c.content_types.is_empty() {
        let types: Vec<String> = c.content_types.iter().map(|t| format!("`{t}`")).collect();
        notes.push(format!("Content types: {}.", types.join(", ")));
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
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB ({bytes} bytes)", bytes / MIB)
    } else if bytes >= KIB && bytes % KIB == 0 {
        format!("{} KiB ({bytes} bytes)", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}
