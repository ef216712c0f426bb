//! IR constraints → `checks.rs`: a `Validate` impl for every request type that has something to check
//! (directly or in what it contains), one runtime call per documented constraint.

use super::{ident, types_path};
use crate::ir::{Api, Field, TypeKind, TypeRef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// Which named types have checks, found once over the whole API.
#[derive(Debug)]
pub struct Checked {
    names: BTreeSet<String>,
}

impl Checked {
    /// Named types that need a `Validate` impl: those with a constraint somewhere inside them.
    pub fn find(api: &Api) -> Self {
        let requests = request_types(api);
        // Fixed point: a type has checks if one of its fields does or refers to a type that has.
        let mut names = BTreeSet::new();
        loop {
            let before = names.len();
            for t in api.types.iter().filter(|t| requests.contains(&t.name)) {
                let has = match &t.kind {
                    TypeKind::Struct(s) => {
                        s.fields.iter().any(|f| field_has_checks(api, &names, f))
                            || s.additional
                                .as_ref()
                                .is_some_and(|a| ty_has_checks(api, &names, &a.ty))
                    }
                    TypeKind::OneOf(u) => {
                        u.variants.iter().any(|v| ty_has_checks(api, &names, &v.ty))
                    }
                    TypeKind::BodyChoice(vs) => {
                        vs.iter().any(|v| ty_has_checks(api, &names, &v.ty))
                    }
                    TypeKind::Enum(e) => e.closed,
                    TypeKind::Responses(_) => false, // answers are not validated
                    TypeKind::Alias(..) => false, // an alias cannot carry an impl; its uses are checked
                };
                if has {
                    names.insert(t.name.clone());
                }
            }
            if names.len() == before {
                return Checked { names };
            }
        }
    }

    /// Whether a value of this type has anything to check.
    pub fn ty(&self, api: &Api, ty: &TypeRef) -> bool {
        ty_has_checks(api, &self.names, ty)
    }

    /// Whether a struct made of these fields has anything to check.
    pub fn fields(&self, api: &Api, fields: &[Field]) -> bool {
        fields.iter().any(|f| field_has_checks(api, &self.names, f))
    }
}

/// Named types a request can contain: the bodies and everything reachable from them. (Query structs are
/// not in `api.types`; their fields are scalars.)
fn request_types(api: &Api) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&TypeRef> = api
        .operations
        .iter()
        .filter_map(|op| op.body.as_ref().map(|b| &b.ty))
        .collect();
    while let Some(ty) = todo.pop() {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                todo.push(inner)
            }
            TypeRef::Tuple(items) => todo.extend(items),
            TypeRef::Named(n) if seen.insert(n.clone()) => match api.type_def(n).map(|t| &t.kind) {
                Some(TypeKind::Struct(s)) => {
                    todo.extend(s.fields.iter().map(|f| &f.ty));
                    todo.extend(s.additional.iter().map(|a| &a.ty));
                }
                Some(TypeKind::OneOf(u)) => todo.extend(u.variants.iter().map(|v| &v.ty)),
                Some(TypeKind::BodyChoice(vs)) => todo.extend(vs.iter().map(|v| &v.ty)),
                Some(TypeKind::Alias(inner, _)) => todo.push(inner),
                Some(TypeKind::Enum(_) | TypeKind::Responses(_)) | None => {}
            },
            _ => {}
        }
    }
    seen
}

fn ty_has_checks(api: &Api, names: &BTreeSet<String>, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(n) => {
            names.contains(n)
                || matches!(api.type_def(n).map(|t| &t.kind), Some(TypeKind::Alias(inner, _)) if ty_has_checks(api, names, inner))
        }
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            ty_has_checks(api, names, inner)
        }
        // The runtime's `Validate` has no tuple impls: what a tuple holds goes unchecked.
        _ => false,
    }
}

/// The documented limits that apply to a field's type (a `pattern` on a date, or `minimum` on a
/// string, cannot be checked: the value is not text, or not a number).
struct Applicable {
    text: bool,
    items: bool,
    range: bool,
    allowed: bool,
}

fn applicable(api: &Api, f: &Field) -> Applicable {
    let c = &f.constraints;
    let ty = super::unaliased(api, &f.ty);
    Applicable {
        text: *ty == TypeRef::String
            && (c.pattern.is_some() || c.min_length.is_some() || c.max_length.is_some()),
        items: matches!(ty, TypeRef::Vec(_)) && (c.min_items.is_some() || c.max_items.is_some()),
        range: (is_integer(ty) || matches!(ty, TypeRef::F32 | TypeRef::F64 | TypeRef::Decimal))
            && (c.minimum.is_some() || c.maximum.is_some()),
        allowed: is_integer(ty) && c.allowed.iter().any(serde_json::Value::is_i64),
    }
}

fn is_integer(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::I8
            | TypeRef::I16
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::U8
            | TypeRef::U16
            | TypeRef::U32
            | TypeRef::U64
    )
}

fn field_has_checks(api: &Api, names: &BTreeSet<String>, f: &Field) -> bool {
    let c = &f.constraints;
    let a = applicable(api, f);
    let scalar = a.text || a.items || a.range || a.allowed;
    let file = f.ty == TypeRef::File && (c.max_bytes.is_some() || !c.content_types.is_empty());
    scalar || file || ty_has_checks(api, names, &f.ty)
}

/// The `checks.rs` file.
pub fn emit(api: &Api, checked: &Checked) -> TokenStream {
    let mut impls = Vec::new();
    for t in &api.types {
        if !checked.names.contains(&t.name) {
            continue;
        }
        let name = types_path(&TypeRef::Named(t.name.clone()));
        let body = match &t.kind {
            TypeKind::Struct(s) => {
                let fields = fields_checks(api, checked, &s.fields);
                // The other properties are flattened into the object: their paths start at its own.
                let additional = s
                    .additional
                    .as_ref()
                    .filter(|a| checked.ty(api, &a.ty))
                    .map(|a| {
                        let field = ident(&a.rust_name);
                        quote!(self.#field.validate(at, problems);)
                    });
                quote!(#fields #additional)
            }
            TypeKind::Enum(_) => quote! {
                problems.known(at, match self { Self::Unknown(value) => Some(value.as_str()), _ => None });
            },
            TypeKind::OneOf(u) => {
                let arms = u.variants.iter().map(|v| {
                    let variant = ident(&v.name);
                    if checked.ty(api, &v.ty) {
                        quote!(Self::#variant(value) => value.validate(at, problems),)
                    } else {
                        quote!(Self::#variant(_) => {})
                    }
                });
                let unknown = u
                    .discriminator
                    .is_some()
                    .then(|| quote!(Self::Unknown(_) => {}));
                quote!(match self { #(#arms)* #unknown })
            }
            TypeKind::BodyChoice(variants) => {
                let arms = variants.iter().map(|v| {
                    let variant = ident(&v.name);
                    if checked.ty(api, &v.ty) {
                        quote!(Self::#variant(value) => value.validate(at, problems),)
                    } else {
                        quote!(Self::#variant(_) => {})
                    }
                });
                quote!(match self { #(#arms)* })
            }
            TypeKind::Alias(..) | TypeKind::Responses(_) => continue,
        };
        impls.push(quote! {
            impl rt::validate::Validate for #name {
                fn validate(&self, at: &rt::validate::FieldPath<'_>, problems: &mut rt::validate::Problems) {
                    #body
                }
            }
        });
    }
    // Query structs, one impl each even when several operations share them.
    let mut queries = BTreeMap::new();
    for q in api.operations.iter().filter_map(|op| op.query.as_ref()) {
        if checked.fields(api, &q.params) {
            queries.entry(q.type_name.clone()).or_insert(q);
        }
    }
    for (type_name, q) in queries {
        let name = types_path(&TypeRef::Named(type_name));
        let body = fields_checks(api, checked, &q.params);
        impls.push(quote! {
            impl rt::validate::Validate for #name {
                fn validate(&self, at: &rt::validate::FieldPath<'_>, problems: &mut rt::validate::Problems) {
                    #body
                }
            }
        });
    }
    quote! {
        #(#impls)*
    }
}

fn fields_checks(api: &Api, checked: &Checked, fields: &[Field]) -> TokenStream {
    let checks = fields
        .iter()
        .filter(|f| field_has_checks(api, &checked.names, f))
        .map(|f| {
            let field = ident(&f.rust_name);
            let wire = &f.wire_name;
            let at = quote!(&at.field(#wire));
            let value = quote!(value);
            let c = &f.constraints;
            let a = applicable(api, f);
            let ty = super::unaliased(api, &f.ty);
            let mut lines = Vec::new();
            if let Some(p) = c.pattern.as_ref().filter(|_| a.text) {
                lines.push(quote!(problems.pattern(#at, #value, #p);));
            }
            if a.text && (c.min_length.is_some() || c.max_length.is_some()) {
                let (min, max) = (opt_usize(c.min_length), opt_usize(c.max_length));
                lines.push(quote!(problems.length(#at, #value, #min, #max);));
            }
            if a.items {
                let (min, max) = (opt_usize(c.min_items), opt_usize(c.max_items));
                lines.push(quote!(problems.items(#at, #value.len(), #min, #max);));
            }
            if a.range {
                let (min, max) = (opt_f64(c.minimum), opt_f64(c.maximum));
                let number = match ty {
                    TypeRef::F64 => quote!(*#value),
                    TypeRef::Decimal => quote!(f64::try_from(*#value).unwrap_or(f64::NAN)),
                    // 64-bit integers have no lossless f64 conversion; the bounds are integers anyway.
                    TypeRef::I64 | TypeRef::U64 => quote!(*#value as f64),
                    _ => quote!(f64::from(*#value)),
                };
                lines.push(quote!(problems.range(#at, #number, #min, #max);));
            }
            if a.allowed {
                let allowed = c
                    .allowed
                    .iter()
                    .filter_map(serde_json::Value::as_i64)
                    .map(Literal::i64_unsuffixed);
                let number = match ty {
                    TypeRef::I64 => quote!(*#value),
                    TypeRef::U64 => quote!(i64::try_from(*#value).unwrap_or(i64::MAX)),
                    _ => quote!(i64::from(*#value)),
                };
                lines.push(quote!(problems.one_of(#at, #number, &[#(#allowed),*]);));
            }
            if f.ty == TypeRef::File {
                let max = match c.max_bytes.map(Literal::u64_unsuffixed) {
                    Some(n) => quote!(Some(#n)),
                    None => quote!(None),
                };
                let types = &c.content_types;
                lines.push(quote!(problems.file(#at, #value, #max, &[#(#types),*]);));
            } else if checked.ty(api, &f.ty) {
                lines.push(quote!(#value.validate(#at, problems);));
            }
            if f.optional() {
                quote!(if let Some(value) = &self.#field { #(#lines)* })
            } else {
                quote!({ let value = &self.#field; #(#lines)* })
            }
        });
    quote!(#(#checks)*)
}

// Unsuffixed literals: the runtime's parameter types say what they are.
fn opt_usize(v: Option<usize>) -> TokenStream {
    match v.map(Literal::usize_unsuffixed) {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    }
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v.map(Literal::f64_unsuffixed) {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    }
}
