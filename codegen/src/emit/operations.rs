//! IR operations → `operations.rs`: one thin method per operation on `Client`, which fills a request
//! and returns the runtime's `Call` from its generic `Client::send` (or `download` for a binary answer,
//! `events` for server-sent events). The methods are not `async`, and return a named type rather than
//! `impl Future`: an `async fn` is a state machine of its own for rustc to check, and an `impl Future`
//! an opaque type, once per operation, and those were a large share of a big crate's check time.

use super::docs::doc_attrs;
use super::{ident, rust_type, Wire};
use crate::ir::names::unraw;
use crate::ir::{
    Api, BodyEncoding, BodyVariant, Decode, Field, Operation, Pagination, ParamLocation,
    ParamStyle, ParamWire, Segment, TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

/// The part of `operations.rs` that holds `api.operations[range]`, as methods in an `impl super::Client`
/// block. The piece that starts at the first operation also has the imports. Each
/// piece has a block of its own so that it parses alone; [`trim_piece`] removes the seams.
pub fn emit_range(
    api: &Api,
    checked: &super::checks::Checked,
    range: std::ops::Range<usize>,
) -> TokenStream {
    let head = (range.start == 0).then(|| imports(api));
    let count = api.operations.len();
    let operations = api
        .operations
        .get(range.start.min(count)..range.end.min(count))
        .unwrap_or_default();
    let methods = operations.iter().map(|op| {
        let method = operation(api, checked, op);
        let stream = op.pagination.as_ref().map(|p| stream(op, p));
        quote!(#method #stream)
    });
    quote! {
        #head
        impl super::Client {
            #(#methods)*
        }
    }
}

/// The rendered text of a piece of `operations.rs` as it goes into the file: every piece but the first
/// loses the line that opens its `impl` block, and every piece but the last its closing brace, so the
/// pieces join into one block. prettyplease prints each method on its own, so the joined text is the
/// text of the file rendered whole.
pub fn trim_piece(text: String, first: bool, last: bool) -> String {
    let mut text = text;
    if !last {
        // The block's closing brace is the last line.
        if let Some(end) = text.trim_end().strip_suffix('}').map(str::len) {
            text.truncate(end);
        }
    }
    if !first {
        const OPEN: &str = "impl super::Client {\n";
        if let Some(at) = text.find(OPEN) {
            text.replace_range(..at + OPEN.len(), "");
        }
    }
    text
}

/// The names the methods use, imported so that signatures and request lines fit on one line each.
/// Only those some method uses: an unused import is a warning.
fn imports(api: &Api) -> TokenStream {
    if api.operations.is_empty() {
        return quote!();
    }
    let types = api.operations.iter().any(|op| {
        op.query.is_some()
            || op.path_params.iter().any(|p| names_a_type(&p.ty))
            || op
                .body
                .as_ref()
                .is_some_and(|b| b.encoding != BodyEncoding::Text && names_a_type(&b.ty))
            || op.success.as_ref().is_some_and(names_a_type)
            || names_a_type(&op.error)
    });
    let encode_path = api.operations.iter().any(|op| {
        op.path_params
            .iter()
            .any(|p| !matches!(super::wire(api, &p.ty), Wire::Json | Wire::File))
    });
    let types = types.then(|| {
        quote!(
            use super::types;
        )
    });
    let encode_path = encode_path.then(|| quote!(encode_path,));
    quote! {
        #types
        use rt::request::{#encode_path Request};
        use rt::Method;
    }
}

/// Whether the type is, or contains, a generated type.
fn names_a_type(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => names_a_type(inner),
        TypeRef::Tuple(items) => items.iter().any(names_a_type),
        _ => false,
    }
}

fn operation(api: &Api, checked: &super::checks::Checked, op: &Operation) -> TokenStream {
    let (args, fill) = request(api, checked, op);
    let error = super::types_module_path(&op.error);
    let (output, send) = match op.decode {
        Decode::EventStream => {
            let data = op.success.clone().unwrap_or(TypeRef::Json);
            events_call(&data, &error)
        }
        Decode::Bytes => (
            quote!(rt::Call<'_, rt::ByteStream<#error>, #error, rt::call::Download>),
            quote!(self.runtime.download(request)),
        ),
        decode => {
            let success = match &op.success {
                Some(ty) => super::types_module_path(ty),
                None => quote!(()),
            };
            let decoder = match decode {
                Decode::Empty => Some(quote!(rt::decode::empty)),
                Decode::Text => Some(quote!(rt::decode::text)),
                Decode::ByStatus => Some(quote!(#success::decode)),
                _ => None,
            };
            match decoder {
                None => (
                    quote!(rt::Call<'_, #success, #error>),
                    quote!(self.send(request)),
                ),
                Some(decoder) => (
                    quote!(rt::Call<'_, #success, #error, rt::decode::Decoder<#success>>),
                    quote!(self.send_with(request, #decoder)),
                ),
            }
        }
    };
    let name = ident(&op.fn_name);
    let mut doc = method_doc(op);
    match op.decode {
        Decode::EventStream => doc.push_str(EVENTS_DOC),
        Decode::Bytes => doc.push_str(
            "\n\nThe answer's body is handed over as it arrives, never buffered whole: a [`ByteStream`](rt::ByteStream) to read piece by piece, save to a file or collect with a limit.",
        ),
        _ => {}
    }
    let main = method(op, &name, &doc, &args, &fill, &output, &send);
    let events = op.events.as_ref().map(|data| {
        let name = ident(&format!("{}_events", unraw(&op.fn_name)));
        let doc = format!(
            "As [`{0}`](Self::{0}), asking for the answer as `text/event-stream`: the events as they arrive. The request must ask the API for a stream where the API wants it asked (a `stream` field ...).{EVENTS_DOC}",
            unraw(&op.fn_name)
        );
        let (output, send) = events_call(data, &error);
        method(op, &name, &doc, &args, &fill, &output, &send)
    });
    quote!(#main #events)
}

/// What the documentation of a method returning events adds.
const EVENTS_DOC: &str = "\n\nThe answer is a stream of server-sent events ([`Events`](rt::sse::Events)), each event's data decoded; a malformed event is an error item and the stream goes on. See [`sse`](rt::sse) for when it reconnects.";

/// The output type and call of a method returning events whose data is `data`.
fn events_call(data: &TypeRef, error: &TokenStream) -> (TokenStream, TokenStream) {
    let ty = super::types_module_path(data);
    let decoder = match data {
        TypeRef::String => quote!(rt::sse::text),
        _ => quote!(rt::sse::json::<#ty>),
    };
    (
        quote!(rt::Call<'_, rt::sse::Events<#ty, #error>, #error, rt::sse::DataDecoder<#ty>>),
        quote!(self.runtime.events(request, #decoder)),
    )
}

/// One method: its signature, the request it fills, and the call that sends it.
fn method(
    op: &Operation,
    name: &proc_macro2::Ident,
    doc: &str,
    args: &TokenStream,
    fill: &TokenStream,
    output: &TokenStream,
    send: &TokenStream,
) -> TokenStream {
    let doc = doc_attrs(doc);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #doc
        #deprecated
        pub fn #name(&self, #args) -> #output {
            #fill
            #send
        }
    }
}

/// The arguments of an operation's methods, and the statements that fill its `request`.
fn request(
    api: &Api,
    checked: &super::checks::Checked,
    op: &Operation,
) -> (TokenStream, TokenStream) {
    let path_args = op.path_params.iter().map(|p| {
        let arg = ident(&p.rust_name);
        let ty = match &p.ty {
            TypeRef::String => quote!(&str),
            TypeRef::Vec(item) => {
                let item = super::types_module_path(item);
                quote!(&[#item])
            }
            other => super::types_module_path(other),
        };
        quote!(#arg: #ty,)
    });
    let query_arg = op.query.as_ref().map(|q| {
        let ty = ident(&q.type_name);
        quote!(query: &types::#ty,)
    });
    // `requestBody.required` is false unless the spec says otherwise: then no body is sent for `None`.
    let body_arg = op.body.as_ref().map(|b| match (b.encoding, b.required) {
        (BodyEncoding::Text, true) => quote!(body: &str,),
        (BodyEncoding::Text, false) => quote!(body: Option<&str>,),
        // In memory, a file or a reader, streamed: `&Bytes`, `Vec<u8>` and `rt::Upload::path(..)` all fit.
        (BodyEncoding::Binary, true) => quote!(body: impl Into<rt::Upload>,),
        (BodyEncoding::Binary, false) => quote!(body: Option<rt::Upload>,),
        (_, required) => {
            let ty = super::types_module_path(&b.ty);
            if required {
                quote!(body: &#ty,)
            } else {
                quote!(body: Option<&#ty>,)
            }
        }
    });

    let method = ident(op.method.as_str());
    let (path_let, path) = path_expr(api, op);
    let query_calls = op
        .query
        .iter()
        .flat_map(|q| &q.params)
        .map(|p| param_call(api, p));
    let body_call = op.body.as_ref().map(|b| match b.encoding {
        BodyEncoding::Choice => {
            let ty = super::types_module_path(&b.ty);
            let arms = choice_variants(api, &b.ty).into_iter().map(|v| {
                let variant = ident(&v.name);
                let call = body_call(v.encoding, &v.content_type, quote!(body));
                quote!(#ty::#variant(body) => #call,)
            });
            quote!(match body { #(#arms)* })
        }
        // An optional body is already an `rt::Upload`.
        BodyEncoding::Binary if !b.required => {
            let content_type = &b.content_type;
            quote!(request.upload(#content_type, body);)
        }
        BodyEncoding::Binary => {
            let content_type = &b.content_type;
            quote!(request.upload(#content_type, body.into());)
        }
        encoding => {
            let call = body_call(encoding, &b.content_type, quote!(body));
            quote!(#call;)
        }
    });
    let public = (!op.authenticated).then(|| quote!(request.without_auth();));
    let security = op.security.as_ref().map(|requirement| {
        let alternatives = requirement.iter().map(|schemes| quote!(&[#(#schemes),*]));
        quote!(request.security(&[#(#alternatives),*]);)
    });
    let accept = op
        .accept
        .as_ref()
        .map(|accept| quote!(request.accept(#accept);));
    let redirect = op
        .redirect_is_answer
        .then(|| quote!(request.redirect_is_answer();));
    let fixed_query = op
        .fixed_query
        .iter()
        .map(|(name, value)| quote!(request.query(#name, &#value);));
    let content_type = op
        .fixed_content_type
        .as_ref()
        .map(|value| quote!(request.header("Content-Type", &#value);));
    // Inputs whose documented limits are checked before anything is sent.
    let mut inputs = Vec::new();
    if let Some(q) = &op.query {
        if checked.fields(api, &q.params) {
            inputs.push(quote!(("query", query as &dyn rt::validate::Validate)));
        }
    }
    let body_checked = op
        .body
        .as_ref()
        .is_some_and(|b| b.encoding != BodyEncoding::Binary && checked.ty(api, &b.ty));
    let optional_body = op.body.as_ref().is_some_and(|b| !b.required);
    if body_checked && !optional_body {
        inputs.push(quote!(("body", body as &dyn rt::validate::Validate)));
    }
    let validation = (!inputs.is_empty()).then(|| quote!(request.check(&[#(#inputs),*]);));
    // An optional body is checked and set only when there is one.
    let body_call = if optional_body {
        let check = body_checked
            .then(|| quote!(request.check(&[("body", body as &dyn rt::validate::Validate)]);));
        Some(quote!(if let Some(body) = body { #check #body_call }))
    } else {
        body_call
    };
    let mutable = (op.query.is_some()
        || op.body.is_some()
        || !op.authenticated
        || op.security.is_some()
        || !inputs.is_empty()
        || op.accept.is_some()
        || op.fixed_content_type.is_some()
        || !op.fixed_query.is_empty()
        || op.redirect_is_answer)
        .then(|| quote!(mut));
    let id = &op.id;
    let args = quote!(#(#path_args)* #query_arg #body_arg);
    let fill = quote! {
        #path_let
        let #mutable request = Request::for_operation(#id, Method::#method, #path);
        #validation
        #(#fixed_query)*
        #(#query_calls)*
        #accept
        #content_type
        #redirect
        #body_call
        #public
        #security
    };
    (args, fill)
}

/// The call that puts one query, header or cookie parameter (a field of `query`) on the request.
fn param_call(api: &Api, p: &Field) -> TokenStream {
    let field = ident(&p.rust_name);
    let name = &p.wire_name;
    let wire = p.param.unwrap_or(ParamWire {
        location: ParamLocation::Query,
        style: ParamStyle::Form,
        explode: true,
    });
    let form = super::wire(api, &p.ty);
    let scalar = !matches!(form, Wire::Json | Wire::File);
    match wire.location {
        ParamLocation::Query | ParamLocation::Path if scalar => match (form, p.optional()) {
            (Wire::Text, false) => quote!(request.query(#name, &query.#field);),
            (Wire::Text, true) => quote!(request.query_opt(#name, query.#field.as_ref());),
            (form, false) => {
                let text = super::wire_text(form, quote!(query.#field));
                quote!(request.query(#name, &#text);)
            }
            (form, true) => {
                let text = super::wire_text(form, quote!(value));
                quote!(if let Some(value) = &query.#field { request.query(#name, &#text); })
            }
        },
        ParamLocation::Query | ParamLocation::Path => {
            let style = match wire.style {
                ParamStyle::Form => quote!(Form),
                ParamStyle::Simple => quote!(Simple),
                ParamStyle::SpaceDelimited => quote!(SpaceDelimited),
                ParamStyle::PipeDelimited => quote!(PipeDelimited),
                ParamStyle::DeepObject => quote!(DeepObject),
            };
            let explode = wire.explode;
            quote!(request.query_value(#name, &query.#field, rt::params::Style::#style, #explode);)
        }
        ParamLocation::Header if scalar => {
            if p.optional() {
                let text = super::wire_text(form, quote!(value));
                quote!(if let Some(value) = &query.#field { request.header(#name, &#text); })
            } else {
                let text = super::wire_text(form, quote!(query.#field));
                quote!(request.header(#name, &#text);)
            }
        }
        ParamLocation::Header => {
            let explode = wire.explode;
            quote!(request.header_value(#name, &query.#field, #explode);)
        }
        ParamLocation::Cookie => quote!(request.cookie(#name, &query.#field);),
    }
}

/// The call that sets the body `value` (a reference) in the given encoding.
fn body_call(encoding: BodyEncoding, content_type: &str, value: TokenStream) -> TokenStream {
    match encoding {
        BodyEncoding::Json if content_type.split(';').next() == Some("application/json") => {
            quote!(request.json(#value))
        }
        BodyEncoding::Json => quote!(request.json_as(#content_type, #value)),
        BodyEncoding::Multipart => quote!(request.multipart(#value.to_form())),
        BodyEncoding::Form => quote!(request.form(#content_type, #value)),
        BodyEncoding::Binary => quote!(request.upload(#content_type, #value.clone())),
        BodyEncoding::Text => quote!(request.text(#content_type, #value)),
        // A choice's variants each have their own encoding; lowering never nests choices.
        BodyEncoding::Choice => quote!(()),
    }
}

fn choice_variants<'a>(api: &'a Api, ty: &TypeRef) -> Vec<&'a BodyVariant> {
    match ty {
        TypeRef::Named(n) => match api.type_def(n).map(|t| &t.kind) {
            Some(TypeKind::BodyChoice(variants)) => variants.iter().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `{op}_stream`: every item of every page, as one stream.
fn stream(op: &Operation, p: &Pagination) -> TokenStream {
    let name = ident(&format!("{}_stream", unraw(&op.fn_name)));
    let call = ident(&op.fn_name);
    let Some(q) = &op.query else { return quote!() }; // lowering guarantees a query struct
    let query_ty = ident(&q.type_name);
    let item = super::types_module_path(&p.item_type);
    let error = super::types_module_path(&op.error);
    let page_field = ident(&p.page_field);
    let page_ty = rust_type(&p.page_type);
    let items = field_path(&p.items, quote!(body), false);
    let last = field_path(&p.last_page, quote!(body), true);
    let doc = doc_attrs(&format!(
        "Every item of [`{0}`](Self::{0}), page after page, as one stream: from `query.{1}` (or page 1) until the last page, with `query`'s other parameters (such as the page size) on every request. A page is fetched only when the items before it are used up; a failed request is the last item of the stream.",
        unraw(&op.fn_name),
        unraw(&p.page_field)
    ));
    quote! {
        #doc
        pub fn #name(&self, query: &types::#query_ty)
            -> rt::pagination::Items<'_, #item, #error>
        {
            let query = query.clone();
            rt::pagination::items(query.#page_field.unwrap_or(1), move |page: #page_ty| {
                let mut query = query.clone();
                query.#page_field = Some(page);
                async move {
                    let body = self.#call(&query).await?.into_body();
                    let last = #last;
                    Ok((#items, last))
                }
            })
        }
    }
}

/// An expression following `steps` from `root`: the value itself, moved out, for the items (an optional
/// link on the way gives an empty list); an `Option` of the `Copy` number for the last page.
fn field_path(steps: &[crate::ir::Step], root: TokenStream, copy_option: bool) -> TokenStream {
    if copy_option {
        let mut expr = quote!(Some(&#root));
        for step in steps {
            let field = ident(&step.field);
            expr = if step.optional {
                quote!(#expr.and_then(|v| v.#field.as_ref()))
            } else {
                quote!(#expr.map(|v| &v.#field))
            };
        }
        return quote!(#expr.copied());
    }
    let mut expr = root;
    let mut in_option = false;
    for step in steps {
        let field = ident(&step.field);
        expr = match (in_option, step.optional) {
            (false, _) => quote!(#expr.#field),
            (true, true) => quote!(#expr.and_then(|v| v.#field)),
            (true, false) => quote!(#expr.map(|v| v.#field)),
        };
        in_option |= step.optional;
    }
    if in_option {
        quote!(#expr.unwrap_or_default())
    } else {
        expr
    }
}

/// The request path: a literal, or a `let path` statement concatenating the literal pieces and the
/// percent-encoded parameters, and `path`.
fn path_expr(api: &Api, op: &Operation) -> (Option<TokenStream>, TokenStream) {
    if op.path_params.is_empty() {
        // The template as sent: its literal pieces (without a fragment the spec's path may have).
        let path: String = op
            .segments
            .iter()
            .filter_map(|seg| match seg {
                Segment::Literal(text) => Some(text.as_str()),
                Segment::Param(_) => None,
            })
            .collect();
        return (None, quote!(#path.to_owned()));
    }
    let pieces = op.segments.iter().map(|seg| match seg {
        Segment::Literal(text) => quote!(#text),
        Segment::Param(i) => {
            let p = &op.path_params[*i];
            let arg = ident(&p.rust_name);
            match super::wire(api, &p.ty) {
                Wire::Json | Wire::File => quote!(&rt::params::path_segment(&#arg)),
                form => {
                    let text = super::wire_text(form, quote!(#arg));
                    quote!(&encode_path(&#text))
                }
            }
        }
    });
    (
        Some(quote!(let path = [#(#pieces),*].concat();)),
        quote!(path),
    )
}

fn method_doc(op: &Operation) -> String {
    let mut doc = op.doc.clone();
    // Parameters the spec does not describe are left out: their names and types say all there is.
    let mut args: Vec<String> = op
        .path_params
        .iter()
        .filter_map(|p| {
            let doc = one_line(&p.doc);
            (!doc.is_empty()).then(|| format!("- `{}`: {doc}", unraw(&p.rust_name)))
        })
        .collect();
    if let Some(q) = &op.query {
        let what = if q
            .params
            .iter()
            .all(|p| p.param.is_none_or(|w| w.location == ParamLocation::Query))
        {
            "the query parameters"
        } else {
            "the query, header and cookie parameters"
        };
        args.push(format!(
            "- `query`: {what}, [`{0}`](super::types::{0}).",
            q.type_name
        ));
    }
    if let Some(b) = &op.body {
        let what = match b.encoding {
            BodyEncoding::Multipart => "sent as `multipart/form-data`".to_owned(),
            BodyEncoding::Choice => "sent as the variant chosen says".to_owned(),
            _ => format!("sent as `{}`", b.content_type),
        };
        let optional = if b.required {
            ""
        } else {
            "; optional: `None` sends no body"
        };
        match &b.ty {
            TypeRef::Named(n) => args.push(format!(
                "- `body`: the request body, [`{n}`](super::types::{n}), {what}{optional}."
            )),
            _ => args.push(format!("- `body`: the request body, {what}{optional}.")),
        }
    }
    if !args.is_empty() {
        doc.push_str("\n\n# Arguments\n\n");
        doc.push_str(&args.join("\n"));
    }
    doc
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
