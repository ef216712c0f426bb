//! Emit: pure functions from the IR to token streams, one module per generated file. They cannot fail:
//! everything they rely on was checked by lowering.

mod checks;
mod cli;
mod client;
mod docs;
mod operations;
mod responses;
mod runtime;
mod security;
mod types;
mod webhooks;

pub use runtime::{RuntimeUse, RUNTIME_CRATE, RUNTIME_PACKAGE};
pub use types::FULL_SERDE;

use crate::ir::{Api, TypeKind, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

pub use checks::Checked;

/// The names of the generated files, in their fixed order. `mod.rs` comes first in the output but is
/// emitted last: what it re-exports depends on what the other files use of the runtime. `cli.rs` is
/// compiled only with the crate feature [`CLI`].
pub const FILES: [&str; 7] = [
    "mod.rs",
    "types.rs",
    "client.rs",
    "security.rs",
    "operations.rs",
    "checks.rs",
    "cli.rs",
];

/// The crate feature that compiles the command line (`cli.rs`); it turns on [`FULL_SERDE`] (every
/// request type must be read from JSON) and the runtime's feature of the same name.
pub const CLI: &str = "cli";

/// The generated files, as (file name, tokens), in the order of [`FILES`], each emitted whole.
pub fn emit(api: &Api) -> Vec<(&'static str, TokenStream)> {
    let context = Context::new(api);
    let mut used = RuntimeUse::default();
    let mut files: Vec<(&'static str, TokenStream)> = FILES[1..]
        .iter()
        .map(|&file| {
            let whole = Piece {
                file,
                items: 0..api.types.len().max(api.operations.len()),
            };
            let content = emit_piece(api, &context, &whole);
            let uses = RuntimeUse::of(&content);
            let prelude = prelude(api, file, !uses.is_empty());
            used.add(&uses);
            (file, quote!(#prelude #content))
        })
        .collect();
    let module = module(api, &used);
    let prelude = prelude(api, "mod.rs", true);
    files.insert(0, ("mod.rs", quote!(#prelude #module)));
    files
}

/// What every piece of every file may need, worked out once from the whole IR.
#[derive(Debug)]
pub struct Context<'a> {
    checked: Checked,
    types: types::Context<'a>,
    cli: cli::Context,
}

impl<'a> Context<'a> {
    /// Works out which types get checks, and which serde impls each type needs.
    pub fn new(api: &'a Api) -> Self {
        Context {
            checked: Checked::find(api),
            types: types::Context::new(api),
            cli: cli::Context::new(api),
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

/// Every piece of every file but `mod.rs`, in file order then text order, with at most `types_per_piece` types in a
/// piece of `types.rs` and `operations_per_piece` operations in a piece of `operations.rs` (at least
/// one each).
pub fn pieces(api: &Api, types_per_piece: usize, operations_per_piece: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    // `mod.rs` is not made in pieces: see [`module`].
    for file in FILES.into_iter().skip(1) {
        let (count, per_piece) = match file {
            "types.rs" => (api.types.len(), types_per_piece),
            "operations.rs" | "cli.rs" => (api.operations.len(), operations_per_piece),
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

/// The tokens of one piece (see [`Piece`]), without the file's prelude ([`prelude`]). `mod.rs` and a file
/// name outside [`FILES`] give no tokens: `mod.rs` is made by [`module`] once every other file is known.
pub fn emit_piece(api: &Api, context: &Context<'_>, piece: &Piece) -> TokenStream {
    let items = piece.items.clone();
    match piece.file {
        "types.rs" => types::emit_range(api, &context.types, items),
        "client.rs" => client::emit(api),
        "security.rs" => security::emit(api),
        "operations.rs" => operations::emit_range(api, &context.checked, items),
        "checks.rs" => checks::emit(api, &context.checked),
        "cli.rs" => cli::emit_range(api, &context.cli, items),
        _ => TokenStream::new(),
    }
}

/// The start of a file: its module doc, and the import of the runtime crate as `rt` when the file's code
/// names it (an unused import would be a warning).
pub fn prelude(api: &Api, file: &str, uses_runtime: bool) -> TokenStream {
    let doc = docs::inner_doc_attrs(&file_doc(api, file));
    let crate_name = ident(RUNTIME_CRATE);
    let import = uses_runtime.then(|| quote!(use #crate_name as rt;));
    quote!(#doc #import)
}

/// Inner `#![doc]` attributes for `markdown`, for the crate docs of a generated `lib.rs`.
pub fn inner_doc(markdown: &str) -> TokenStream {
    docs::inner_doc_attrs(markdown)
}

/// The module doc of a generated file.
fn file_doc(api: &Api, file: &str) -> String {
    match file {
        "mod.rs" => {
            let mut text = format!(
                "Code generated from the {} spec, version {}.",
                api.title, api.version
            );
            if let Some(d) = &api.description {
                text.push_str("\n\n");
                text.push_str(d.trim());
            }
            text
        }
        "types.rs" => format!(
            "Types of the {} (version {}): request bodies, query parameters and responses.\n\n\
             Every type implements `Serialize`. `Deserialize` is implemented by the types the API sends \
             back, and by those no operation uses; the crate feature `{FULL_SERDE}` adds it to the types \
             that are only sent.",
            api.title, api.version
        ),
        "client.rs" => "The client the operations are methods of, and its builder.".to_owned(),
        "security.rs" => "How the client authenticates: the default base URL, the request-signing rule and the credentials, all taken from the spec.".to_owned(),
        "operations.rs" => format!(
            "The operations of the {}, as methods on [`Client`](super::Client).",
            api.title
        ),
        "checks.rs" => "Checks of every request type against the limits the spec documents, run before a request is sent.".to_owned(),
        "cli.rs" => format!(
            "The command line of the {} client (crate feature `{CLI}`): one subcommand per operation, with \
             a flag per parameter and per top-level body field, and `operations` and `call` for programs. \
             [`main`] runs it; the runtime's `cli` module does the work.",
            api.title
        ),
        _ => String::new(),
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

/// `mod.rs`: the modules, and what the crate exports: the client, the credentials, and the runtime
/// items its users name (errors, responses, options, and those of `used` that its types contain).
pub fn module(api: &Api, used: &RuntimeUse) -> TokenStream {
    let default_base_url =
        crate::standalone::default_base_url(api).map(|_| quote!(DEFAULT_BASE_URL,));
    let signing_rule = used.names("signing").then(|| quote!(SIGNING_RULE,));
    let optional = ["Base64", "BasicAuth", "ByteStream", "FilePart", "Upload"]
        .into_iter()
        .filter(|name| used.names(name))
        .map(ident);
    let sse = used.names("sse").then(|| {
        quote! {
            /// Server-sent events: the [`Events`](sse::Events) stream some operations return.
            pub use rt::sse;
        }
    });
    let signing = used.names("signing").then(|| {
        quote! {
            /// Request signing: the rule as data ([`SigningRule`](signing::SigningRule)) and HMAC-SHA256 over
            /// it, and `sign`, which recomputes a signature by hand with this API's rule.
            pub mod signing {
                pub use super::rt::signing::*;
                pub use super::security::sign;
            }
        }
    });
    let runtime = ident(RUNTIME_CRATE);
    quote! {
        mod checks;
        mod client;
        mod operations;
        mod security;
        pub mod types;
        #[cfg(feature = #CLI)]
        pub mod cli;

        pub use client::{Client, ClientBuilder};
        pub use security::{Credentials, #default_base_url #signing_rule};
        pub use rt::{
            pagination, validate, ApiError, ConfigError, Error, ErrorKind, Method, RateLimit,
            RequestOptions, Response, Result, RetryPolicy, Secret, StatusCode, #(#optional),*
        };
        /// The runtime crate, for the items not re-exported here.
        pub use #runtime as runtime;

        #sse
        #signing
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
        Wire::Rfc3339 => quote!(#value.to_rfc3339_opts(rt::chrono::SecondsFormat::AutoSi, true)),
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
        TypeRef::DateTime => quote!(rt::chrono::DateTime<rt::chrono::Utc>),
        TypeRef::Date => quote!(rt::chrono::NaiveDate),
        TypeRef::UnixTime => quote!(rt::chrono::DateTime<rt::chrono::Utc>),
        TypeRef::Decimal => quote!(rt::rust_decimal::Decimal),
        TypeRef::File => quote!(rt::FilePart),
        TypeRef::Json => quote!(rt::serde_json::Value),
        TypeRef::Uuid => quote!(rt::uuid::Uuid),
        TypeRef::Base64 => quote!(rt::Base64),
        TypeRef::Bytes => quote!(rt::bytes::Bytes),
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
