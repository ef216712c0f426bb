//! Emit: pure functions from the IR to token streams, one module per generated file. They cannot fail:
//! everything they rely on was checked by lowering.

mod docs;
mod operations;
mod responses;
mod security;
mod types;
mod validate;
mod webhooks;

pub use types::FULL_SERDE;

use crate::ir::{Api, TypeKind, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

pub use validate::Checked;

/// The names of the generated files, in their fixed order.
pub const FILES: [&str; 5] = [
    "mod.rs",
    "types.rs",
    "security.rs",
    "operations.rs",
    "validate.rs",
];

/// The generated files, as (file name, tokens), in the order of [`FILES`].
pub fn emit(api: &Api) -> Vec<(&'static str, TokenStream)> {
    let context = Context::new(api);
    FILES
        .into_iter()
        .map(|file| {
            let whole = Piece {
                file,
                items: 0..api.types.len().max(api.operations.len()),
            };
            (file, emit_piece(api, &context, &whole))
        })
        .collect()
}

/// What every piece of every file may need, worked out once from the whole IR.
#[derive(Debug)]
pub struct Context<'a> {
    checked: Checked,
    types: types::Context<'a>,
}

impl<'a> Context<'a> {
    /// Works out which types get checks, and which serde impls each type needs.
    pub fn new(api: &'a Api) -> Self {
        Context {
            checked: Checked::find(api),
            types: types::Context::new(api),
        }
    }
}

/// Part of a generated file, emitted and rendered on its own so that the pieces of a large spec can be
/// spread over threads and no file's syntax tree is ever whole in memory. A file is the concatenation of
/// its pieces' rendered text (after [`trim_piece`]), in order: `types.rs` comes in runs of types (the
/// first piece carries the module doc, the last one the query structs), `operations.rs` in runs of
/// operations, every other file in one piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The file the piece belongs to, one of [`FILES`].
    pub file: &'static str,
    /// For `types.rs`, the indices into `api.types` of the types this piece holds; for `operations.rs`,
    /// into `api.operations`. Other files ignore it.
    pub items: std::ops::Range<usize>,
}

impl Piece {
    /// Whether this is the first piece of its file.
    pub fn is_first(&self) -> bool {
        self.items.start == 0
    }
}

/// Every piece of every file, in file order then text order, with at most `types_per_piece` types in a
/// piece of `types.rs` and `operations_per_piece` operations in a piece of `operations.rs` (at least
/// one each).
pub fn pieces(api: &Api, types_per_piece: usize, operations_per_piece: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for file in FILES {
        let (count, per_piece) = match file {
            "types.rs" => (api.types.len(), types_per_piece),
            "operations.rs" => (api.operations.len(), operations_per_piece),
            _ => (0, 1),
        };
        let per_piece = per_piece.max(1);
        let mut start: usize = 0;
        loop {
            let end = start.saturating_add(per_piece).min(count);
            pieces.push(Piece {
                file,
                items: start..end,
            });
            if end == count {
                break;
            }
            start = end;
        }
    }
    pieces
}

/// The tokens of one piece (see [`Piece`]). A file name outside [`FILES`] gives no tokens.
pub fn emit_piece(api: &Api, context: &Context<'_>, piece: &Piece) -> TokenStream {
    let items = piece.items.clone();
    match piece.file {
        "mod.rs" => module(api),
        "types.rs" => types::emit_range(api, &context.types, items),
        "security.rs" => security::emit(api),
        "operations.rs" => operations::emit_range(api, &context.checked, items),
        "validate.rs" => validate::emit(api, &context.checked),
        _ => TokenStream::new(),
    }
}

/// A piece's rendered text as it goes into its file: the pieces of `operations.rs` share one `impl`
/// block, so the seams between them are removed. `last` says whether the piece ends its file.
pub fn trim_piece(piece: &Piece, text: String, last: bool) -> String {
    match piece.file {
        "operations.rs" => operations::trim_piece(text, piece.is_first(), last),
        _ => text,
    }
}

fn module(api: &Api) -> TokenStream {
    let mut text = format!(
        "Code generated from the {} spec, version {}.",
        api.title, api.version
    );
    if let Some(d) = &api.description {
        text.push_str("\n\n");
        text.push_str(d.trim());
    }
    let doc = docs::inner_doc_attrs(&text);
    quote! {
            #doc
            pub mod security;
            pub mod types;
    mod validate;
            mod operations;
        }
}

/// An identifier; raw identifiers (`r#type`) are kept raw.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type for a type reference, as written inside `types.rs`.
pub(crate) fn rust_type(ty: &TypeRef) -> TokenStream {
    type_tokens(ty, &quote!())
}

/// The Rust type for a type reference, as written outside `types.rs`.
pub(crate) fn types_path(ty: &TypeRef) -> TokenStream {
    type_tokens(ty, &quote!(super::types::))
}

/// The Rust type for a type reference, as written in `operations.rs`, which imports `super::types`.
pub(crate) fn types_module_path(ty: &TypeRef) -> TokenStream {
    type_tokens(ty, &quote!(types::))
}

/// How a value goes into a query string or a multipart part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// `Display` gives the wire form.
    Text,
    /// An RFC 3339 timestamp (chrono's `Display` is not RFC 3339).
    Rfc3339,
    /// Unix seconds.
    UnixSeconds,
    /// A file part.
    File,
    /// Compact JSON text.
    Json,
}

/// The type an alias stands for (through chains of aliases); any other type as it is.
pub(crate) fn unaliased<'a>(api: &'a Api, mut ty: &'a TypeRef) -> &'a TypeRef {
    // Lowering names every alias after a schema; a chain longer than the type list would be a cycle.
    for _ in 0..=api.types.len() {
        match ty {
            TypeRef::Named(n) => match api.type_def(n).map(|t| &t.kind) {
                Some(TypeKind::Alias(inner, _)) => ty = inner,
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}

/// The wire form of a type, looking through aliases.
pub(crate) fn wire(api: &Api, ty: &TypeRef) -> Wire {
    match unaliased(api, ty) {
        TypeRef::DateTime => Wire::Rfc3339,
        TypeRef::UnixTime => Wire::UnixSeconds,
        TypeRef::File => Wire::File,
        TypeRef::Json
        | TypeRef::Vec(_)
        | TypeRef::Map(_)
        | TypeRef::Nullable(_)
        | TypeRef::Tuple(_) => Wire::Json,
        TypeRef::Named(n) => match api.type_def(n).map(|t| &t.kind) {
            Some(TypeKind::Enum(_)) => Wire::Text,
            _ => Wire::Json,
        },
        _ => Wire::Text,
    }
}

/// Tokens that turn `value` (an expression of a type with this wire form, by reference) into what
/// `Display`s as its wire text.
pub(crate) fn wire_text(form: Wire, value: TokenStream) -> TokenStream {
    match form {
        Wire::Rfc3339 => quote!(#value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        Wire::UnixSeconds => quote!(#value.timestamp()),
        _ => value,
    }
}

fn type_tokens(ty: &TypeRef, prefix: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::I8 => quote!(i8),
        TypeRef::I16 => quote!(i16),
        TypeRef::U8 => quote!(u8),
        TypeRef::U16 => quote!(u16),
        TypeRef::U32 => quote!(u32),
        TypeRef::U64 => quote!(u64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Date => quote!(chrono::NaiveDate),
        TypeRef::UnixTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Decimal => quote!(rust_decimal::Decimal),
        TypeRef::File => quote!(crate::FilePart),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::Uuid => quote!(uuid::Uuid),
        TypeRef::Base64 => quote!(crate::Base64),
        TypeRef::Bytes => quote!(bytes::Bytes),
        TypeRef::Named(name) => {
            let name = ident(name);
            quote!(#prefix #name)
        }
        TypeRef::Vec(inner) => {
            let inner = type_tokens(inner, prefix);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(inner, prefix);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Nullable(inner) => {
            let inner = type_tokens(inner, prefix);
            quote!(Option<#inner>)
        }
        TypeRef::Tuple(items) => {
            let items = items.iter().map(|item| type_tokens(item, prefix));
            // `(A,)` for one item: a trailing comma in every case.
            quote!((#(#items,)*))
        }
    }
}
