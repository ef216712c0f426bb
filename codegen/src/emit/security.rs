//! IR auth → `security.rs`: the default base URL, the signing rule as a constant, the `Credentials`
//! struct, and the `Client` constructors that tie them together.

use super::docs::doc_attrs;
use super::ident;
use crate::ir::{Api, Credential, MultipartBody, PathForm, SignedPart};
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(api: &Api) -> TokenStream {
    let base_url = &api.base_url;
    let base_doc = doc_attrs(&format!(
        "The API's default base URL, from the spec's first server: <{base_url}>."
    ));
    let mut credentials: Vec<&Credential> = api.auth.headers.iter().collect();
    if let Some(s) = &api.auth.signing {
        credentials.push(&s.secret);
    }
    let is_secret = |c: &Credential| {
        api.auth
            .signing
            .as_ref()
            .is_some_and(|s| s.secret.field == c.field)
    };

    let fields = credentials.iter().map(|c| {
        let name = ident(&c.field);
        let mut doc = c.doc.clone();
        if let Some(env) = &c.env {
            doc.push_str(&format!(
                "\n\nRead from `{env}` by [`Credentials::from_env`]."
            ));
        }
        let doc = doc_attrs(&doc);
        if is_secret(c) {
            quote!(#doc pub #name: crate::Secret,)
        } else {
            quote!(#doc pub #name: String,)
        }
    });

    let signing = api.auth.signing.as_ref().map(|s| {
        let header = &s.header;
        let prefix = &s.prefix;
        let ts = &s.timestamp_header;
        let parts = s.parts.iter().map(|p| match p {
            SignedPart::Method => quote!(crate::signing::SignedPart::Method),
            SignedPart::Path => quote!(crate::signing::SignedPart::Path),
            SignedPart::Query => quote!(crate::signing::SignedPart::Query),
            SignedPart::Timestamp => quote!(crate::signing::SignedPart::Timestamp),
            SignedPart::Body => quote!(crate::signing::SignedPart::Body),
        });
        let path = match s.path {
            PathForm::RelativeToServer => quote!(crate::signing::PathForm::RelativeToServer),
            PathForm::Full => quote!(crate::signing::PathForm::Full),
        };
        let multipart = match s.multipart_body {
            MultipartBody::Raw => quote!(crate::signing::MultipartBody::Raw),
            MultipartBody::Empty => quote!(crate::signing::MultipartBody::Empty),
        };
        let doc = doc_attrs(&format!(
            "The request-signing rule declared by the `{}` security scheme (`x-signing`).",
            s.scheme
        ));
        quote! {
            #doc
            pub const SIGNING_RULE: crate::signing::SigningRule = crate::signing::SigningRule {
                header: #header,
                prefix: #prefix,
                timestamp_header: #ts,
                parts: &[#(#parts),*],
                path: #path,
                multipart_body: #multipart,
            };
        }
    });

    // Credentials::from_env: every variable read at once, so one error names all missing ones.
    let with_env: Vec<&&Credential> = credentials.iter().filter(|c| c.env.is_some()).collect();
    let from_env = (with_env.len() == credentials.len() && !credentials.is_empty()).then(|| {
        let names = credentials.iter().map(|c| ident(&c.field));
        let envs = credentials.iter().filter_map(|c| c.env.as_deref());
        let inits = credentials.iter().map(|c| {
            let name = ident(&c.field);
            if is_secret(c) {
                quote!(#name: crate::Secret::new(#name),)
            } else {
                quote!(#name,)
            }
        });
        let list: Vec<String> = credentials.iter().filter_map(|c| c.env.as_deref()).map(|e| format!("`{e}`")).collect();
        let doc = doc_attrs(&format!(
            "Reads the credentials from the environment variables {}.\n\n# Errors\n\n[`ConfigError::MissingEnv`](crate::ConfigError::MissingEnv) naming every variable that is unset or empty.",
            list.join(", ")
        ));
        quote! {
            impl Credentials {
                #doc
                pub fn from_env() -> Result<Self, crate::ConfigError> {
                    let [#(#names),*] = crate::config::require_env([#(#envs),*])?;
                    Ok(Self { #(#inits)* })
                }
            }
        }
    });

    let auth_expr = {
        let start = match &api.auth.signing {
            Some(s) => {
                let secret = ident(&s.secret.field);
                quote!(crate::Auth::signed(SIGNING_RULE, credentials.#secret))
            }
            None => quote!(crate::Auth::unsigned()),
        };
        let headers = api.auth.headers.iter().map(|c| {
            let field = ident(&c.field);
            let header = c.header.as_deref().unwrap_or_default();
            quote!(.header(#header, credentials.#field))
        });
        quote!(#start #(#headers)*)
    };

    let client_from_env = from_env.is_some().then(|| {
        let base_env = api.base_url_env.as_ref().map(|env| {
            quote! {
                if let Some(url) = crate::config::optional_env(#env) {
                    builder = builder.base_url(url);
                }
            }
        });
        let mut doc = "A client configured from the environment: the credentials as in [`Credentials::from_env`]".to_owned();
        match &api.base_url_env {
            Some(env) => doc.push_str(&format!(", and the base URL from `{env}` when it is set (otherwise [`DEFAULT_BASE_URL`]).")),
            None => doc.push_str(", and the default base URL."),
        }
        let mutable = base_env.is_some().then(|| quote!(mut));
        let doc = doc_attrs(&doc);
        quote! {
            #doc
            pub fn from_env() -> Result<Self, crate::ConfigError> {
                let #mutable builder = Self::builder(Credentials::from_env()?);
                #base_env
                builder.build()
            }
        }
    });

    let module_doc = super::docs::inner_doc_attrs(
        "How the client authenticates: the default base URL, the request-signing rule and the credentials, all taken from the spec.",
    );
    quote! {
        #module_doc

        #base_doc
        pub const DEFAULT_BASE_URL: &str = #base_url;

        #signing

        /// The credentials of a workspace. `Debug` never shows the secret.
        #[derive(Clone, Debug)]
        pub struct Credentials {
            #(#fields)*
        }

        #from_env

        impl From<Credentials> for crate::Auth {
            fn from(credentials: Credentials) -> Self {
                #auth_expr
            }
        }

        impl crate::Client {
            /// A builder for a client with these credentials and the default base URL; see
            /// [`ClientBuilder`](crate::ClientBuilder) for the other settings.
            pub fn builder(credentials: Credentials) -> crate::ClientBuilder {
                crate::ClientBuilder::new(DEFAULT_BASE_URL, credentials.into())
            }

            #client_from_env
        }
    }
}
