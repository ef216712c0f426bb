//! IR webhooks → the webhook enum at the end of `types.rs`: one variant per webhook holding its
//! payload, `parse` by the webhook's name, `parse_any` by the payloads' tag property when they have
//! one, and the error both return. Nothing when the spec has no webhooks.

use super::docs::doc_attrs;
use super::{ident, rust_type};
use crate::ir::{Api, Decode, TypeRef, Webhook};
use proc_macro2::TokenStream;
use quote::quote;

/// The enum, its functions and its error type.
pub fn emit(api: &Api) -> TokenStream {
    let hooks = &api.webhooks;
    if hooks.events.is_empty() {
        return TokenStream::new();
    }
    let name = ident(&hooks.enum_name);
    let error = ident(&hooks.error_name);
    let uses = |decode: Decode| hooks.events.iter().any(|e| e.decode == decode);
    let (json, text) = (uses(Decode::Json), uses(Decode::Text));
    let reads_body = hooks.events.iter().any(|e| e.decode != Decode::Empty);

    let variants = hooks.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let doc = doc_attrs(&e.doc);
        match &e.payload {
            Some(ty) if boxed(ty) => {
                let ty = rust_type(ty);
                quote!(#doc #variant(Box<#ty>),)
            }
            Some(ty) => {
                let ty = rust_type(ty);
                quote!(#doc #variant(#ty),)
            }
            None => quote!(#doc #variant,),
        }
    });
    let names = hooks.events.iter().map(|e| e.name.as_str());
    let name_arms = hooks.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let wire = &e.name;
        match e.payload {
            Some(_) => quote!(Self::#variant(_) => #wire,),
            None => quote!(Self::#variant => #wire,),
        }
    });
    let parse_arms = hooks.events.iter().map(|e| {
        let wire = &e.name;
        let read = construct(e, quote!(rt::serde_json::from_slice(body)?));
        quote!(#wire => Ok(#read),)
    });
    let ignore_body = (!reads_body).then(|| quote!(let _ = body;));
    let enum_doc = doc_attrs(&enum_doc(api));
    let parse_any = hooks.tag.as_ref().map(|property| {
        let arms = hooks.events.iter().filter_map(|e| {
            let tag = e.tag.as_ref()?;
            let read = construct(e, quote!(rt::serde_json::from_value(value)?));
            Some(quote!(#tag => Ok(#read),))
        });
        let doc = doc_attrs(&format!(
            "Reads a webhook body by its `{property}` property, whose value differs for each webhook."
        ));
        quote! {
            #doc
            pub fn parse_any(body: &[u8]) -> Result<Self, #error> {
                let value: rt::serde_json::Value = rt::serde_json::from_slice(body)?;
                let tag = match value.get(#property).and_then(rt::serde_json::Value::as_str) {
                    Some(tag) => tag.to_owned(),
                    None => return Err(#error::NoTag),
                };
                match tag.as_str() {
                    #(#arms)*
                    _ => Err(#error::UnknownTag(tag)),
                }
            }
        }
    });
    let error_type = error_type(api, json, text);
    quote! {
        #enum_doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variants)* }
        impl #name {
            /// The webhooks' names, in the order the spec lists them.
            pub const NAMES: &'static [&'static str] = &[#(#names),*];

            /// This webhook's name in the spec.
            pub fn name(&self) -> &'static str {
                match self { #(#name_arms)* }
            }

            /// Reads the body of the webhook called `name` (one of [`Self::NAMES`]).
            pub fn parse(name: &str, body: &[u8]) -> Result<Self, #error> {
                #ignore_body
                match name {
                    #(#parse_arms)*
                    _ => Err(#error::UnknownName(name.to_owned())),
                }
            }

            #parse_any
        }
        #error_type
    }
}

/// A payload held in a `Box`: a struct or tuple can be large, and the enum is as large as its largest
/// variant.
fn boxed(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::Named(_) | TypeRef::Tuple(_) | TypeRef::Nullable(_)
    )
}

/// The variant for one webhook, its JSON payload read by `json` (an expression that may use `?`).
fn construct(e: &Webhook, json: TokenStream) -> TokenStream {
    let variant = ident(&e.variant);
    match (&e.payload, e.decode) {
        (None, _) | (_, Decode::Empty) => quote!(Self::#variant),
        (Some(_), Decode::Text) => quote!(Self::#variant(std::str::from_utf8(body)?.to_owned())),
        (Some(_), Decode::Bytes) => quote!(Self::#variant(bytes::Bytes::copy_from_slice(body))),
        (Some(ty), _) if boxed(ty) => quote!(Self::#variant(Box::new(#json))),
        (Some(_), _) => quote!(Self::#variant(#json)),
    }
}

fn enum_doc(api: &Api) -> String {
    let hooks = &api.webhooks;
    let mut doc = format!(
        "A webhook request from {}: one variant per entry of the spec's `webhooks`, holding the \
         request's body.\n\n[`{}::parse`] reads a body given the webhook's name",
        api.title, hooks.enum_name
    );
    match &hooks.tag {
        Some(property) => doc.push_str(&format!(
            "; [`{}::parse_any`] reads it by its `{property}` property alone",
            hooks.enum_name
        )),
        None => doc.push_str(
            " (the payloads have no property that tells them apart, so the name is needed)",
        ),
    }
    doc.push_str(". Check the request's signature first, as the API documents it.");
    doc
}

/// The error of `parse` and `parse_any`, with only the variants that can occur.
fn error_type(api: &Api, json: bool, text: bool) -> TokenStream {
    let hooks = &api.webhooks;
    let error = ident(&hooks.error_name);
    let tagged = hooks.tag.as_ref();
    let tag_variants = tagged.map(|property| {
        let unknown = doc_attrs(&format!("The body's `{property}` names no webhook."));
        let none = doc_attrs(&format!("The body has no `{property}` text property."));
        quote! { #unknown UnknownTag(String), #none NoTag, }
    });
    let tag_display = tagged.map(|property| {
        // A format string: braces in the property name are escaped.
        let shown = property.replace('{', "{{").replace('}', "}}");
        let unknown = format!("no webhook has the {shown} `{{tag}}`");
        let none = format!("the webhook body has no `{property}`");
        quote! {
            Self::UnknownTag(tag) => write!(f, #unknown),
            Self::NoTag => f.write_str(#none),
        }
    });
    let (json_variant, json_display, json_source, json_from) = match json {
        true => (
            Some(quote! {
                /// The body is not the webhook's JSON payload.
                Json(rt::serde_json::Error),
            }),
            Some(
                quote!(Self::Json(e) => write!(f, "the webhook body is not its JSON payload: {e}"),),
            ),
            Some(quote!(Self::Json(e) => Some(e),)),
            Some(quote! {
                impl From<rt::serde_json::Error> for #error {
                    fn from(e: rt::serde_json::Error) -> Self { Self::Json(e) }
                }
            }),
        ),
        false => (None, None, None, None),
    };
    let (text_variant, text_display, text_source, text_from) = match text {
        true => (
            Some(quote! {
                /// The body is not UTF-8 text.
                Text(std::str::Utf8Error),
            }),
            Some(quote!(Self::Text(e) => write!(f, "the webhook body is not UTF-8 text: {e}"),)),
            Some(quote!(Self::Text(e) => Some(e),)),
            Some(quote! {
                impl From<std::str::Utf8Error> for #error {
                    fn from(e: std::str::Utf8Error) -> Self { Self::Text(e) }
                }
            }),
        ),
        false => (None, None, None, None),
    };
    let source = (json || text).then(|| {
        quote! {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                match self {
                    #json_source
                    #text_source
                    _ => None,
                }
            }
        }
    });
    let doc = doc_attrs(&format!(
        "Why [`{}::parse`] could not read a webhook body.",
        hooks.enum_name
    ));
    quote! {
        #doc
        #[derive(Debug)]
        pub enum #error {
            /// No webhook has this name.
            UnknownName(String),
            #tag_variants
            #json_variant
            #text_variant
        }
        impl std::fmt::Display for #error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    Self::UnknownName(name) => write!(f, "no webhook is called `{name}`"),
                    #tag_display
                    #json_display
                    #text_display
                }
            }
        }
        impl std::error::Error for #error {
            #source
        }
        #json_from
        #text_from
    }
}
