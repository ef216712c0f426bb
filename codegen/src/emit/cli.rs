//! IR → `cli.rs`: the crate's command line (compiled with the crate feature `cli` only).
//!
//! The file is data and thin glue; the runtime's `cli` module does the rest. Per operation it holds an
//! `OP_*` constant (the subcommand's name, the spec's method, path and docs, one entry per parameter and
//! top-level body field) and a `call_*` function that takes the operation's typed arguments out of the
//! runtime's `Input` (the JSON that `call --input` reads, or the subcommand's flags turned into it) and
//! calls the operation's method, saying how its answer is printed. The last piece adds `API` (the
//! constants, the environment variables and `connect`, which builds the client as `Client::from_env`
//! does) and `main`.

use super::docs::doc_attrs;
use super::{ident, types_module_path, unaliased};
use crate::ir::names::unraw;
use crate::ir::{
    Api, Body, BodyEncoding, BodyVariant, Credential, CredentialKind, Decode, Field, Operation,
    ParamLocation, ResponseVariant, TypeKind, TypeRef,
};
use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// The subcommands the runtime's command line has of its own: no operation is named so.
const RESERVED_COMMANDS: [&str; 3] = ["operations", "call", "help"];
/// The flags the runtime's command line takes itself (`--base-url`, `--header`, `--output`,
/// `--verbose` on every command, `--body` and `--content-type` on operations, `--input` on `call`) or
/// clap does (`--help`).
const RESERVED_FLAGS: [&str; 9] = [
    "base-url",
    "header",
    "output",
    "verbose",
    "body",
    "content-type",
    "input",
    "help",
    "version",
];
/// The most characters of a parameter's help line.
const HELP_CHARS: usize = 200;
/// The most characters of an operation's line in the list of subcommands.
const ABOUT_CHARS: usize = 120;

/// The subcommand names of all operations, decided once: kebab-case of the method name, with `-op`
/// added (and a number if need be) when that is one of the runtime's own subcommands.
#[derive(Debug)]
pub struct Context {
    commands: Vec<String>,
}

impl Context {
    /// Names every operation's subcommand.
    pub fn new(api: &Api) -> Self {
        let mut taken: BTreeSet<String> =
            RESERVED_COMMANDS.iter().map(|c| (*c).to_owned()).collect();
        let commands = api
            .operations
            .iter()
            .map(|op| unique(&mut taken, unraw(&op.fn_name).replace('_', "-"), "op"))
            .collect();
        Context { commands }
    }
}

/// `name`, or `name-<suffix>`, `name-<suffix>-2` ... when it is taken.
fn unique(taken: &mut BTreeSet<String>, name: String, suffix: &str) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let with_suffix = format!("{name}-{suffix}");
    if taken.insert(with_suffix.clone()) {
        return with_suffix;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{with_suffix}-{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// The part of `cli.rs` for `api.operations[range]`; the piece that ends the list also has `API`,
/// `main` and `connect`, and the first one the imports.
pub fn emit_range(api: &Api, context: &Context, range: std::ops::Range<usize>) -> TokenStream {
    let count = api.operations.len();
    let start = range.start.min(count);
    let end = range.end.min(count);
    let head = (start == 0 && names_types(api)).then(|| {
        quote!(
            use super::types;
        )
    });
    let items = api.operations[start..end]
        .iter()
        .zip(&context.commands[start..end])
        .map(|(op, command)| operation(api, op, command));
    let tail = (end == count).then(|| api_items(api));
    quote! {
        #head
        #(#items)*
        #tail
    }
}

/// Whether a `call_*` function names a generated type (a query struct, a form, a body choice, a
/// response enum): then the file imports `types`.
fn names_types(api: &Api) -> bool {
    api.operations.iter().any(|op| {
        op.query.is_some()
            || op.decode == Decode::ByStatus
            || op.body.as_ref().is_some_and(|b| {
                matches!(b.encoding, BodyEncoding::Multipart | BodyEncoding::Choice)
            })
    })
}

/// `OP_*` and `call_*` of one operation.
fn operation(api: &Api, op: &Operation, command: &str) -> TokenStream {
    let constant = format_ident!("OP_{}", unraw(&op.fn_name).to_ascii_uppercase());
    let function = format_ident!("call_{}", unraw(&op.fn_name));
    let doc = doc_attrs(&format!(
        "The `{command}` subcommand: [`Client::{0}`](super::Client::{0}).",
        unraw(&op.fn_name)
    ));
    let operation_id = if op.synthesized_id {
        quote!(None)
    } else {
        let id = &op.id;
        quote!(Some(#id))
    };
    let method = op.method.as_str();
    let path = &op.path;
    let about = about(&op.doc);
    let long = op.doc.trim();
    let params = params(api, op);
    let body = op.body.as_ref().map_or_else(
        || quote!(None),
        |b| {
            let required = b.required;
            let types = content_types(api, b);
            quote!(Some(rt::cli::BodyInput { required: #required, content_types: &[#(#types),*] }))
        },
    );
    let call = call_function(api, op, &function);
    quote! {
        #doc
        const #constant: rt::cli::Operation<super::Client> = rt::cli::Operation {
            name: #command,
            operation_id: #operation_id,
            method: #method,
            path: #path,
            about: #about,
            doc: #long,
            params: &[#(#params),*],
            body: #body,
            run: #function,
        };
        #call
    }
}

/// The operation's line in the list of subcommands: the first paragraph of its docs, on one line.
fn about(doc: &str) -> String {
    let first = doc.trim().split("\n\n").next().unwrap_or_default();
    shorten(&one_line(first), ABOUT_CHARS)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The media types of a body, in the order the spec lists them (one for a single body).
fn content_types<'a>(api: &'a Api, body: &'a Body) -> Vec<&'a str> {
    match body.encoding {
        BodyEncoding::Choice => choice_variants(api, &body.ty)
            .iter()
            .map(|v| v.content_type.as_str())
            .collect(),
        _ => vec![body.content_type.as_str()],
    }
}

fn choice_variants<'a>(api: &'a Api, ty: &TypeRef) -> &'a [BodyVariant] {
    match ty {
        TypeRef::Named(n) => match api.type_def(n).map(|t| &t.kind) {
            Some(TypeKind::BodyChoice(variants)) => variants,
            _ => &[],
        },
        _ => &[],
    }
}

/// One `rt::cli::Param` per path, query, header and cookie parameter, then per top-level body field,
/// each with a flag of its own.
fn params(api: &Api, op: &Operation) -> Vec<TokenStream> {
    let mut taken: BTreeSet<String> = RESERVED_FLAGS.iter().map(|f| (*f).to_owned()).collect();
    let mut out = Vec::new();
    let query = op.query.iter().flat_map(|q| &q.params);
    let located = op
        .path_params
        .iter()
        .map(|p| (p, quote!(Path), "path", true))
        .chain(query.map(|p| {
            let (location, word) = match p.param.map(|w| w.location) {
                Some(ParamLocation::Header) => (quote!(Header), "header"),
                Some(ParamLocation::Cookie) => (quote!(Cookie), "cookie"),
                Some(ParamLocation::Path) => (quote!(Path), "path"),
                _ => (quote!(Query), "query"),
            };
            (p, location, word, p.required)
        }))
        .chain(
            body_fields(api, op)
                .into_iter()
                .map(|f| (f, quote!(Body), "body", f.required && !f.nullable)),
        );
    for (field, location, word, required) in located {
        let flag = flag_name(&mut taken, &field.wire_name, word);
        let name = &field.wire_name;
        let (kind, repeated) = kind(api, &field.ty);
        let help = shorten(&one_line(&field.doc), HELP_CHARS);
        out.push(quote! {
            rt::cli::Param {
                name: #name,
                flag: #flag,
                location: rt::cli::Location::#location,
                required: #required,
                kind: rt::cli::Kind::#kind,
                repeated: #repeated,
                help: #help,
            }
        });
    }
    out
}

/// The flag of a parameter: its name in kebab-case (ASCII letters, digits and dashes); when that is
/// taken, with its location in front, then numbered.
fn flag_name(taken: &mut BTreeSet<String>, wire_name: &str, location: &str) -> String {
    let kebab: String = wire_name
        .to_kebab_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let kebab = kebab.trim_matches('-').to_owned();
    let kebab = if kebab.is_empty() {
        "param".to_owned()
    } else {
        kebab
    };
    if taken.insert(kebab.clone()) {
        return kebab;
    }
    unique(taken, format!("{location}-{kebab}"), "2")
}

/// The top-level fields of the body, when it is an object: a flag each. For a body with several media
/// types, the fields of every object variant, each once.
fn body_fields<'a>(api: &'a Api, op: &'a Operation) -> Vec<&'a Field> {
    let Some(body) = &op.body else {
        return Vec::new();
    };
    let types: Vec<&TypeRef> = match body.encoding {
        BodyEncoding::Choice => choice_variants(api, &body.ty)
            .iter()
            .map(|v| &v.ty)
            .collect(),
        BodyEncoding::Json | BodyEncoding::Form | BodyEncoding::Multipart => vec![&body.ty],
        BodyEncoding::Text | BodyEncoding::Binary => Vec::new(),
    };
    let mut fields: Vec<&Field> = Vec::new();
    for ty in types {
        if let TypeRef::Named(n) = unaliased(api, ty) {
            if let Some(TypeKind::Struct(s)) = api.type_def(n).map(|t| &t.kind) {
                for field in &s.fields {
                    if !fields.iter().any(|f| f.wire_name == field.wire_name) {
                        fields.push(field);
                    }
                }
            }
        }
    }
    fields
}

/// How a flag of this type is read (`Text`, `Json` or `File`), and whether it repeats (a list).
fn kind(api: &Api, ty: &TypeRef) -> (TokenStream, bool) {
    match unaliased(api, ty) {
        TypeRef::Vec(item) => (item_kind(api, item), true),
        TypeRef::Nullable(inner) => kind(api, inner),
        other => (item_kind(api, other), false),
    }
}

fn item_kind(api: &Api, ty: &TypeRef) -> TokenStream {
    match unaliased(api, ty) {
        TypeRef::String | TypeRef::Date | TypeRef::DateTime | TypeRef::Uuid | TypeRef::Base64 => {
            quote!(Text)
        }
        TypeRef::File | TypeRef::Bytes => quote!(File),
        TypeRef::Nullable(inner) => item_kind(api, inner),
        TypeRef::Named(n) => match api.type_def(n).map(|t| &t.kind) {
            Some(TypeKind::Enum(_)) => quote!(Text),
            _ => quote!(Json),
        },
        _ => quote!(Json),
    }
}

/// `call_*`: the operation's arguments taken out of the input, the method called, and how its answer is
/// printed.
fn call_function(api: &Api, op: &Operation, function: &proc_macro2::Ident) -> TokenStream {
    let method = ident(&op.fn_name);
    let mut args: Vec<TokenStream> = Vec::new();
    for p in &op.path_params {
        let value = param_value(api, p, quote!(Path), true);
        args.push(match &p.ty {
            TypeRef::String | TypeRef::Vec(_) => quote!(&#value),
            _ => value,
        });
    }
    let query = op.query.as_ref().map(|q| {
        let ty = ident(&q.type_name);
        let fields = q.params.iter().map(|p| {
            let field = ident(&p.rust_name);
            let location = match p.param.map(|w| w.location) {
                Some(ParamLocation::Header) => quote!(Header),
                Some(ParamLocation::Cookie) => quote!(Cookie),
                Some(ParamLocation::Path) => quote!(Path),
                _ => quote!(Query),
            };
            let value = param_value(api, p, location, !p.optional());
            quote!(#field: #value,)
        });
        args.push(quote!(&query));
        quote!(let query = types::#ty { #(#fields)* };)
    });
    let body = op.body.as_ref().map(|b| {
        let value = body_value(api, b);
        args.push(match (b.required, b.encoding) {
            (true, BodyEncoding::Binary) => quote!(body),
            (false, BodyEncoding::Binary) => quote!(body),
            (true, _) => quote!(&body),
            (false, BodyEncoding::Text) => quote!(body.as_deref()),
            (false, _) => quote!(body.as_ref()),
        });
        quote!(let body = #value;)
    });
    let answer = answer(api, op);
    let input = if op.path_params.is_empty() && op.query.is_none() && op.body.is_none() {
        quote!(_input)
    } else {
        quote!(input)
    };
    // The command line offers every operation; calling a deprecated one is not this code's warning.
    let allow = op.deprecated.then(|| quote!(#[allow(deprecated)]));
    quote! {
        #allow
        fn #function<'a>(
            client: &'a super::Client,
            #input: &rt::cli::Input,
        ) -> Result<rt::cli::Call<'a>, rt::cli::Failure> {
            #query
            #body
            Ok(rt::cli::call(client.#method(#(#args),*), #answer))
        }
    }
}

/// The expression reading one parameter: required (`param`) or optional (`param_opt`); Unix seconds
/// through the runtime's own reader, everything else as the field's type. A path parameter's type is
/// written out, since the method takes it as `&str` or a slice.
fn param_value(api: &Api, p: &Field, location: TokenStream, required: bool) -> TokenStream {
    let name = &p.wire_name;
    let location = quote!(rt::cli::Location::#location);
    let unix = *unaliased(api, &p.ty) == TypeRef::UnixTime;
    match (unix, required) {
        (true, true) => quote!(input.unix_param(#location, #name)?),
        (true, false) => quote!(input.unix_param_opt(#location, #name)?),
        (false, true) if p.param.is_none_or(|w| w.location == ParamLocation::Path) => {
            let ty = types_module_path(&p.ty);
            quote!(input.param::<#ty>(#location, #name)?)
        }
        (false, true) => quote!(input.param(#location, #name)?),
        (false, false) => quote!(input.param_opt(#location, #name)?),
    }
}

/// The expression reading the body, as the type the method takes (an `Option` of it when optional).
fn body_value(api: &Api, body: &Body) -> TokenStream {
    match body.encoding {
        BodyEncoding::Choice => {
            let ty = types_module_path(&body.ty);
            let variants = choice_variants(api, &body.ty);
            let offered = variants.iter().map(|v| v.content_type.as_str());
            let last = variants.len().saturating_sub(1);
            let arms = variants.iter().enumerate().map(|(i, v)| {
                let variant = ident(&v.name);
                let index = proc_macro2::Literal::usize_unsuffixed(i);
                let value = single_body(api, v.encoding, &v.ty, true);
                let pattern = match (i == last, body.required) {
                    (true, true) => quote!(_),
                    (true, false) => quote!(Some(_)),
                    (false, true) => quote!(#index),
                    (false, false) => quote!(Some(#index)),
                };
                if body.required {
                    quote!(#pattern => #ty::#variant(#value),)
                } else {
                    quote!(#pattern => Some(#ty::#variant(#value)),)
                }
            });
            if body.required {
                quote!(match input.variant(&[#(#offered),*])? { #(#arms)* })
            } else {
                quote!(match input.variant_opt(&[#(#offered),*])? { #(#arms)* None => None, })
            }
        }
        encoding => single_body(api, encoding, &body.ty, body.required),
    }
}

/// A body of one encoding: JSON and forms through serde, text, bytes, or a multipart form built field
/// by field (files from file references).
fn single_body(api: &Api, encoding: BodyEncoding, ty: &TypeRef, required: bool) -> TokenStream {
    match (encoding, required) {
        (BodyEncoding::Multipart, true) => {
            let form = form_literal(api, ty);
            quote!({ let fields = input.fields()?; #form })
        }
        (BodyEncoding::Multipart, false) => {
            let form = form_literal(api, ty);
            quote!(match input.fields_opt()? { Some(fields) => Some(#form), None => None })
        }
        (BodyEncoding::Text, true) => quote!(input.text()?),
        (BodyEncoding::Text, false) => quote!(input.text_opt()?),
        (BodyEncoding::Binary, true) => quote!(input.upload()?),
        (BodyEncoding::Binary, false) => quote!(input.upload_opt()?),
        (_, true) => quote!(input.body()?),
        (_, false) => quote!(input.body_opt()?),
    }
}

/// `types::Form { field: fields.field("name")?, ... }`.
fn form_literal(api: &Api, ty: &TypeRef) -> TokenStream {
    let ty_tokens = types_module_path(ty);
    let fields = match unaliased(api, ty) {
        TypeRef::Named(n) => match api.type_def(n).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s.fields.as_slice(),
            _ => &[],
        },
        _ => &[],
    };
    let inits = fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let name = &f.wire_name;
        let read = match (unaliased(api, &f.ty), f.optional()) {
            (TypeRef::File, false) => quote!(fields.file(#name)?),
            (TypeRef::File, true) => quote!(fields.file_opt(#name)?),
            (TypeRef::Vec(item), false) if **item == TypeRef::File => quote!(fields.files(#name)?),
            (TypeRef::Vec(item), true) if **item == TypeRef::File => {
                quote!(fields.files_opt(#name)?)
            }
            (TypeRef::UnixTime, false) => quote!(fields.unix_field(#name)?),
            (TypeRef::UnixTime, true) => quote!(fields.unix_field_opt(#name)?),
            (_, false) => quote!(fields.field(#name)?),
            (_, true) => quote!(fields.field_opt(#name)?),
        };
        let read = match (f.boxed, f.optional()) {
            (false, _) => read,
            (true, false) => quote!(Box::new(#read)),
            (true, true) => quote!(#read.map(Box::new)),
        };
        quote!(#field: #read,)
    });
    quote!(#ty_tokens { #(#inits)* })
}

/// How the success body is printed: a function of the body's type to `rt::cli::Answer`.
fn answer(api: &Api, op: &Operation) -> TokenStream {
    match (op.decode, &op.success) {
        (Decode::Text, _) => quote!(rt::cli::Answer::text),
        // Written as it arrives: a download is never held whole, events are printed one per line.
        (Decode::Bytes, _) => quote!(rt::cli::Answer::stream),
        (Decode::EventStream, _) => quote!(rt::cli::Answer::events),
        (Decode::ByStatus, Some(ty)) => {
            let name = types_module_path(ty);
            let variants: &[ResponseVariant] = match ty {
                TypeRef::Named(n) => match api.type_def(n).map(|t| &t.kind) {
                    Some(TypeKind::Responses(variants)) => variants,
                    _ => &[],
                },
                _ => &[],
            };
            let arms = variants.iter().map(|v| {
                let variant = ident(&v.name);
                match (&v.ty, v.decode) {
                    (None, _) => quote!(#name::#variant => rt::cli::Answer::empty(),),
                    (Some(_), Decode::Text) => {
                        quote!(#name::#variant(body) => rt::cli::Answer::text(body),)
                    }
                    (Some(_), Decode::Bytes) => {
                        quote!(#name::#variant(body) => rt::cli::Answer::bytes(body),)
                    }
                    (Some(_), _) => quote!(#name::#variant(body) => rt::cli::Answer::json(body),),
                }
            });
            quote!(|body| match body { #(#arms)* })
        }
        (_, None) => quote!(rt::cli::Answer::none),
        (_, Some(_)) => quote!(rt::cli::Answer::json),
    }
}

/// `API`, `main` and `connect`.
fn api_items(api: &Api) -> TokenStream {
    let title = &api.title;
    let version = &api.version;
    let base_url_env = super::client::base_url_env(api);
    let mut credentials: Vec<&Credential> = api.auth.credentials.iter().collect();
    if let Some(signing) = &api.auth.signing {
        credentials.push(&signing.secret);
    }
    let credentials = credentials.into_iter().map(|c| {
        let scheme = &c.scheme;
        let env = super::security::credential_env(api, c);
        let envs = match c.kind {
            CredentialKind::Basic => vec![format!("{env}_USERNAME"), format!("{env}_PASSWORD")],
            _ => vec![env],
        };
        quote!(rt::cli::Credential { scheme: #scheme, env: &[#(#envs),*] })
    });
    let operations = api
        .operations
        .iter()
        .map(|op| format_ident!("OP_{}", unraw(&op.fn_name).to_ascii_uppercase()));
    let api_doc = doc_attrs(&format!(
        "The {title} as the command line sees it: every operation, the environment variables it reads \
         (`{base_url_env}` for the base URL), and how the client is built."
    ));
    let main_doc = doc_attrs(
        "Runs the command line with the process's arguments and returns its exit code: 0 for a 2xx \
         answer (printed on stdout), 1 for an API error, a transport failure or an answer that does not \
         decode, 2 for bad usage or input refused before sending (one line on stderr).\n\n\
         `<bin> --help` lists the operations; `<bin> operations` and `<bin> call <name> --input JSON` are \
         for programs.",
    );
    quote! {
        #api_doc
        pub const API: rt::cli::Api<super::Client> = rt::cli::Api {
            title: #title,
            version: #version,
            base_url_env: #base_url_env,
            credentials: &[#(#credentials),*],
            operations: &[#(#operations),*],
            connect,
        };

        #main_doc
        pub fn main() -> std::process::ExitCode {
            rt::cli::main(&API)
        }

        /// The client as `Client::from_env` builds it, with what the command line adds (`--base-url`,
        /// `--header`).
        fn connect(connection: rt::cli::Connection) -> Result<super::Client, rt::ConfigError> {
            let builder = super::Client::builder(super::Credentials::from_env()?);
            connection
                .configure(builder, rt::config::optional_env(#base_url_env))
                .build()
        }
    }
}
