//! IR → `client.rs`: the crate's own `Client`, a thin wrapper of the runtime's client that the operation
//! methods are defined on (inherent methods cannot be added to another crate's type), its builder, and
//! the constructors that read the credentials and the base URL.

use super::docs::doc_attrs;
use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// The environment variable the base URL is read from: the spec's `x-env`, or `<PREFIX>_BASE_URL`.
pub(super) fn base_url_env(api: &Api) -> String {
    api.base_url_env
        .clone()
        .unwrap_or_else(|| format!("{}_BASE_URL", api.auth.env_prefix))
}

pub fn emit(api: &Api) -> TokenStream {
    let base_env = base_url_env(api);
    let client_doc = doc_attrs(&format!(
        "The {} client: one method per operation of the spec, each returning a future of the decoded answer.\n\n\
         Cheap to clone (the connection pool and settings are shared) and safe to use from many tasks at \
         once. It derefs to the runtime's [`Client`](rt::Client) for what every generated client has \
         (`base_url`, and `send` for a request built by hand). `Debug` shows the base URL and the names of \
         the headers sent, never their values.",
        api.title
    ));
    let (base, builder_doc, from_env_doc, from_env_body) = match crate::standalone::default_base_url(api) {
        Some(_) => (
            quote!(super::security::DEFAULT_BASE_URL),
            doc_attrs(
                "A builder for a client with these credentials and the default base URL; see [`ClientBuilder`] for the other settings.",
            ),
            doc_attrs(&format!(
                "A client configured from the environment: the credentials as in [`Credentials::from_env`](super::Credentials::from_env), and the base URL from `{base_env}` when it is set (otherwise [`DEFAULT_BASE_URL`](super::DEFAULT_BASE_URL))."
            )),
            quote! {
                let mut builder = Self::builder(super::security::Credentials::from_env()?);
                if let Some(url) = rt::config::optional_env(#base_env) {
                    builder = builder.base_url(url);
                }
                builder.build()
            },
        ),
        None => {
            let server = if api.base_url.is_empty() {
                "The spec names no server".to_owned()
            } else {
                format!("The spec's server URL (`{}`) is not absolute", api.base_url)
            };
            (
                quote!(""),
                doc_attrs(&format!(
                    "A builder for a client with these credentials; see [`ClientBuilder`] for the other settings.\n\n{server}, so there is no default base URL: set one with [`ClientBuilder::base_url`](rt::ClientBuilder::base_url), or [`ClientBuilder::build`](rt::ClientBuilder::build) fails with [`ConfigError::InvalidBaseUrl`](rt::ConfigError::InvalidBaseUrl)."
                )),
                doc_attrs(&format!(
                    "A client configured from the environment: the credentials as in [`Credentials::from_env`](super::Credentials::from_env), and the base URL from `{base_env}`, which must be set ({server}).\n\n# Errors\n\n[`ConfigError::MissingEnv`](rt::ConfigError::MissingEnv) when a variable is unset."
                )),
                quote! {
                    let credentials = super::security::Credentials::from_env()?;
                    let [url] = rt::config::require_env([#base_env])?;
                    Self::builder(credentials).base_url(url).build()
                },
            )
        }
    };
    quote! {
        #client_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            pub(super) runtime: rt::Client,
        }

        /// Configures and builds a [`Client`]: the runtime's builder, whose `build` returns this crate's
        /// client. Start one with [`Client::builder`].
        pub type ClientBuilder = rt::ClientBuilder<Client>;

        impl From<rt::Client> for Client {
            fn from(runtime: rt::Client) -> Self {
                Self { runtime }
            }
        }

        impl std::ops::Deref for Client {
            type Target = rt::Client;

            fn deref(&self) -> &rt::Client {
                &self.runtime
            }
        }

        impl Client {
            #builder_doc
            pub fn builder(credentials: super::security::Credentials) -> ClientBuilder {
                ClientBuilder::for_client(#base, credentials.into())
                    .user_agent(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
            }

            #from_env_doc
            pub fn from_env() -> Result<Self, rt::ConfigError> {
                #from_env_body
            }

            /// A copy of this client whose calls use `options` (retry policy, timeout, extra headers) on
            /// top of its own settings; see [`RequestOptions`](rt::RequestOptions). Cheap: the connection
            /// pool and credentials are shared, and `self` is unchanged.
            pub fn with_options(&self, options: rt::RequestOptions) -> Self {
                Self {
                    runtime: self.runtime.with_options(options),
                }
            }
        }
    }
}
