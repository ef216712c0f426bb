//! IR response enums (`TypeKind::Responses`) → an enum with one variant per documented success status
//! and the `decode` function the client calls with the status it received.

use super::docs::doc_attrs;
use super::{ident, rust_type};
use crate::ir::{Decode, ResponseVariant, TypeDef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The enum and its `decode`.
pub(super) fn response_enum(t: &TypeDef, variants: &[ResponseVariant]) -> TokenStream {
    let name = ident(&t.name);
    let doc = doc_attrs(&t.doc);
    let items = variants.iter().map(|v| {
        let variant = ident(&v.name);
        let doc = doc_attrs(&format!("`{}`: {}", v.status, v.doc));
        match &v.ty {
            Some(ty) => {
                let ty = rust_type(ty);
                quote!(#doc #variant(#ty),)
            }
            None => quote!(#doc #variant,),
        }
    });
    // Exact statuses first, then `2XX` ranges, then `default`: the most specific documentation wins.
    let mut ordered: Vec<&ResponseVariant> = variants.iter().collect();
    ordered.sort_by_key(|v| match v.status.as_str() {
        "default" => 2,
        s if s.ends_with("XX") => 1,
        _ => 0,
    });
    let mut has_fallback = false;
    let arms: Vec<TokenStream> = ordered
        .iter()
        .map(|v| {
            let variant = ident(&v.name);
            let pattern = match v.status.as_str() {
                "default" => {
                    has_fallback = true;
                    quote!(_)
                }
                range if range.ends_with("XX") => {
                    let first: u16 = range[..1].parse::<u16>().unwrap_or(2) * 100;
                    let (first, last) = (
                        Literal::u16_unsuffixed(first),
                        Literal::u16_unsuffixed(first + 99),
                    );
                    quote!(#first..=#last)
                }
                code => {
                    let code = Literal::u16_unsuffixed(code.parse().unwrap_or(200));
                    quote!(#code)
                }
            };
            let read = match (&v.ty, v.decode) {
                (None, _) | (_, Decode::Empty) => quote!(Ok(Self::#variant)),
                (Some(_), Decode::Text) => {
                    quote!(rt::decode::text(status, body).map(Self::#variant))
                }
                (Some(_), Decode::Bytes) => {
                    quote!(rt::decode::bytes(status, body).map(Self::#variant))
                }
                (Some(_), _) => quote!(rt::decode::json(status, body).map(Self::#variant)),
            };
            quote!(#pattern => #read,)
        })
        .collect();
    let fallback = (!has_fallback).then(|| quote!(_ => Err(rt::decode::undocumented(status)),));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#items)* }
        impl #name {
            /// Reads a successful answer's body by its status, as the spec documents each one.
            ///
            /// # Errors
            ///
            /// The body does not match the status's documented type, or the status is not documented.
            pub fn decode(status: rt::StatusCode, body: &rt::bytes::Bytes) -> Result<Self, rt::serde_json::Error> {
                match status.as_u16() {
                    #(#arms)*
                    #fallback
                }
            }
        }
    }
}
