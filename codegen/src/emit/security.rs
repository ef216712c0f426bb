//! IR auth → `security.rs`: the default base URL, the signing rule as a constant (and `sign`, when the
//! spec declares signing), and the `Credentials` struct, which turns into the runtime's `Auth`.

use super::docs::doc_attrs;
use super::ident;
use crate::ir::{
    Api, ApiKeyIn, Credential, CredentialKind, MultipartBody, PathForm, SignedPart, Signing,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn emit(api: &Api) -> TokenStream {
    let base_url = crate::standalone::default_base_url(api);
    let base_const = base_url.map(|url| {
        let doc = doc_attrs(&format!(
            "The API's default base URL, from the spec's first server: <{url}>."
        ));
        quote! {
            #doc
            pub const DEFAULT_BASE_URL: &str = #url;
        }
    });
    let mut credentials: Vec<&Credential> = api.auth.credentials.iter().collect();
    if let Some(s) = &api.auth.signing {
        credentials.push(&s.secret);
    }

    let fields = credentials.iter().map(|c| {
        let name = ident(&c.field);
        let mut doc = c.doc.clone();
        match (&c.kind, &c.env) {
            (CredentialKind::Basic, Some(env)) => doc.push_str(&format!(
                "\n\nRead from `{env}_USERNAME` and `{env}_PASSWORD` by [`Credentials::from_env`]."
            )),
            (_, Some(env)) => doc.push_str(&format!(
                "\n\nRead from `{env}` by [`Credentials::from_env`]."
            )),
            (_, None) => {}
        }
        if !c.required {
            doc.push_str(
                "\n\nOptional: the spec offers alternatives, or no operation requires it; sent when set.",
            );
        }
        let doc = doc_attrs(&doc);
        let ty = field_type(c);
        if c.required {
            quote!(#doc pub #name: #ty,)
        } else {
            quote!(#doc pub #name: Option<#ty>,)
        }
    });
    let all_optional = credentials.iter().all(|c| !c.required);
    let derives = if all_optional {
        quote!(#[derive(Clone, Debug, Default)])
    } else {
        quote!(#[derive(Clone, Debug)])
    };

    let signing = api.auth.signing.as_ref().map(signing_items);
    let from_env = credentials_from_env(api, &credentials);

    let auth_expr = {
        let start = match &api.auth.signing {
            Some(s) => {
                let secret = ident(&s.secret.field);
                let scheme = &s.scheme;
                quote!(rt::Auth::signed(SIGNING_RULE, credentials.#secret).scheme(#scheme))
            }
            None => quote!(rt::Auth::unsigned()),
        };
        // Each credential is named after its scheme, for the operations' security requirements; the
        // spec's top-level requirement applies to the operations that declare none.
        let default = api.auth.security.as_ref().map(|requirement| {
            let alternatives = requirement.iter().map(|schemes| quote!(&[#(#schemes),*]));
            quote!(.security(&[#(#alternatives),*]))
        });
        let required = api.auth.credentials.iter().filter(|c| c.required).map(|c| {
            let field = ident(&c.field);
            let call = apply(c, quote!(credentials.#field));
            let scheme = &c.scheme;
            quote!(.#call.scheme(#scheme))
        });
        let optional: Vec<TokenStream> = api
            .auth
            .credentials
            .iter()
            .filter(|c| !c.required)
            .map(|c| {
                let field = ident(&c.field);
                let call = apply(c, quote!(value));
                let scheme = &c.scheme;
                quote! {
                    if let Some(value) = credentials.#field {
                        auth = auth.#call.scheme(#scheme);
                    }
                }
            })
            .collect();
        if optional.is_empty() {
            quote!(#start #(#required)* #default)
        } else {
            quote! {
                let mut auth = #start #(#required)* #default;
                #(#optional)*
                auth
            }
        }
    };
    // A struct without fields is never read in `from`.
    let credentials_arg = if credentials.is_empty() {
        quote!(_credentials)
    } else {
        quote!(credentials)
    };

    quote! {
        #base_const

        #signing

        /// The credentials the API's security schemes ask for. `Debug` never shows a secret.
        #derives
        pub struct Credentials {
            #(#fields)*
        }

        #from_env

        impl From<Credentials> for rt::Auth {
            fn from(#credentials_arg: Credentials) -> Self {
                #auth_expr
            }
        }

    }
}

/// The Rust type of a credential field (without the `Option` of an optional one).
fn field_type(c: &Credential) -> TokenStream {
    match c.kind {
        CredentialKind::Header(_) => quote!(String),
        CredentialKind::Basic => quote!(rt::BasicAuth),
        CredentialKind::SigningSecret | CredentialKind::ApiKey { .. } | CredentialKind::Bearer => {
            quote!(rt::Secret)
        }
    }
}

/// The `Auth` builder call that sends `value` as the credential says.
fn apply(c: &Credential, value: TokenStream) -> TokenStream {
    match &c.kind {
        CredentialKind::Header(name) => quote!(header(#name, #value)),
        CredentialKind::ApiKey { location, name } => match location {
            ApiKeyIn::Header => quote!(secret_header(#name, #value)),
            ApiKeyIn::Query => quote!(query(#name, #value)),
            ApiKeyIn::Cookie => quote!(cookie(#name, #value)),
        },
        CredentialKind::Basic => quote!(basic(#value)),
        CredentialKind::Bearer => quote!(bearer(#value)),
        // Never sent: `Auth::signed` holds it.
        CredentialKind::SigningSecret => quote!(),
    }
}

/// `SIGNING_RULE` and `sign`.
fn signing_items(s: &Signing) -> TokenStream {
    let header = &s.header;
    let prefix = &s.prefix;
    let ts = &s.timestamp_header;
    let parts = s.parts.iter().map(|p| match p {
        SignedPart::Method => quote!(rt::signing::SignedPart::Method),
        SignedPart::Path => quote!(rt::signing::SignedPart::Path),
        SignedPart::Query => quote!(rt::signing::SignedPart::Query),
        SignedPart::Timestamp => quote!(rt::signing::SignedPart::Timestamp),
        SignedPart::Body => quote!(rt::signing::SignedPart::Body),
    });
    let path = match s.path {
        PathForm::RelativeToServer => quote!(rt::signing::PathForm::RelativeToServer),
        PathForm::Full => quote!(rt::signing::PathForm::Full),
    };
    let skew = match s.clock_skew_status {
        Some(status) => {
            let status = proc_macro2::Literal::u16_unsuffixed(status);
            quote!(Some(#status))
        }
        None => quote!(None),
    };
    let multipart = match s.multipart_body {
        MultipartBody::Raw => quote!(rt::signing::MultipartBody::Raw),
        MultipartBody::Empty => quote!(rt::signing::MultipartBody::Empty),
    };
    let doc = doc_attrs(&format!(
        "The request-signing rule declared by the `{}` security scheme (`x-signing`).",
        s.scheme
    ));
    let path_doc = match s.path {
        PathForm::RelativeToServer => "relative to the base URL",
        PathForm::Full => "the full URL path, base path included",
    };
    let sign_doc = doc_attrs(&format!(
        "Signs with [`SIGNING_RULE`] and returns the value of its `{header}` header, for checking a signature by hand.\n\n`path` is {path_doc}; `query` is `\"\"` or `?` followed by the query string as sent; `timestamp` is the `{ts}` sent; `body` is the exact body bytes sent."
    ));
    quote! {
        #doc
        pub const SIGNING_RULE: rt::signing::SigningRule = rt::signing::SigningRule {
            header: #header,
            prefix: #prefix,
            timestamp_header: #ts,
            parts: &[#(#parts),*],
            path: #path,
            multipart_body: #multipart,
            clock_skew_status: #skew,
        };

        #sign_doc
        pub fn sign(
            secret: &[u8],
            method: &str,
            path: &str,
            query: &str,
            timestamp: u64,
            body: &[u8],
        ) -> String {
            SIGNING_RULE.signature(
                secret,
                &rt::signing::Message {
                    method,
                    path,
                    query,
                    timestamp,
                    body,
                },
            )
        }
    }
}

/// The environment variable a credential is read from (for basic credentials, the prefix of
/// `<env>_USERNAME` and `<env>_PASSWORD`). Every credential lowering makes has one (its own, or one
/// named from the title); the fallback only keeps this total.
pub(super) fn credential_env(api: &Api, c: &Credential) -> String {
    c.env
        .clone()
        .unwrap_or_else(|| format!("{}_{}", api.auth.env_prefix, c.field.to_uppercase()))
}

/// `Credentials::from_env`: every required variable read at once, so one error names all missing
/// ones; optional credentials are read when set.
fn credentials_from_env(api: &Api, credentials: &[&Credential]) -> TokenStream {
    let mut names = Vec::new(); // locals bound by `require_env`
    let mut envs = Vec::new();
    let mut inits = Vec::new();
    let mut listed = Vec::new();
    for c in credentials {
        let field = ident(&c.field);
        let env = credential_env(api, c);
        match (&c.kind, c.required) {
            (CredentialKind::Basic, true) => {
                let user = format_ident!("{}_username", crate::ir::names::unraw(&c.field));
                let pass = format_ident!("{}_password", crate::ir::names::unraw(&c.field));
                let (u, p) = (format!("{env}_USERNAME"), format!("{env}_PASSWORD"));
                listed.push(format!("`{u}`"));
                listed.push(format!("`{p}`"));
                envs.push(u);
                envs.push(p);
                names.push(quote!(#user));
                names.push(quote!(#pass));
                inits.push(quote!(#field: rt::BasicAuth::new(#user, #pass),));
            }
            (CredentialKind::Basic, false) => {
                let (u, p) = (format!("{env}_USERNAME"), format!("{env}_PASSWORD"));
                listed.push(format!("`{u}` (optional)"));
                listed.push(format!("`{p}` (optional)"));
                inits.push(quote! {
                    #field: rt::config::optional_env(#u)
                        .zip(rt::config::optional_env(#p))
                        .map(|(username, password)| rt::BasicAuth::new(username, password)),
                });
            }
            (_, true) => {
                listed.push(format!("`{env}`"));
                envs.push(env);
                names.push(quote!(#field));
                inits.push(match c.kind {
                    CredentialKind::Header(_) => quote!(#field,),
                    _ => quote!(#field: rt::Secret::new(#field),),
                });
            }
            (_, false) => {
                listed.push(format!("`{env}` (optional)"));
                let map = match c.kind {
                    CredentialKind::Header(_) => quote!(),
                    _ => quote!(.map(rt::Secret::new)),
                };
                inits.push(quote!(#field: rt::config::optional_env(#env) #map,));
            }
        }
    }
    let list = listed;
    let doc = if list.is_empty() {
        doc_attrs("The API declares no credentials: nothing is read.\n\n# Errors\n\nNone; the `Result` matches APIs that have credentials.")
    } else if envs.is_empty() {
        doc_attrs(&format!(
            "Reads the credentials from the environment variables {}, each when it is set.\n\n# Errors\n\nNone; the `Result` matches APIs that have required credentials.",
            list.join(", ")
        ))
    } else {
        doc_attrs(&format!(
            "Reads the credentials from the environment variables {}.\n\n# Errors\n\n[`ConfigError::MissingEnv`](rt::ConfigError::MissingEnv) naming every variable that is unset or empty.",
            list.join(", ")
        ))
    };
    let read = (!envs.is_empty()).then(|| {
        quote! {
            let [#(#names),*] = rt::config::require_env([#(#envs),*])?;
        }
    });
    quote! {
        impl Credentials {
            #doc
            pub fn from_env() -> Result<Self, rt::ConfigError> {
                #read
                Ok(Self { #(#inits)* })
            }
        }
    }
}
