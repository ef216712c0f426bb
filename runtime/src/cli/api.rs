//! What a generated crate tells the command line about its API: `'static` data the generator writes out
//! as constants (the operations, their parameters and body, the environment variables), and the two
//! functions only generated code can write (building the client, calling an operation).

use super::{Call, Failure, Input};
use crate::client::ClientBuilder;
use crate::error::ConfigError;

/// A whole API, as the command line sees it.
pub struct Api<C: 'static> {
    /// `info.title`.
    pub title: &'static str,
    /// `info.version`.
    pub version: &'static str,
    /// The environment variable the base URL is read from.
    pub base_url_env: &'static str,
    /// The security schemes whose credentials are read from the environment, in spec order.
    pub credentials: &'static [Credential],
    /// Every operation, in spec order.
    pub operations: &'static [Operation<C>],
    /// Builds the client from the environment, as `Client::from_env` does, with what the command line
    /// adds (`--base-url`, `--header`).
    pub connect: fn(Connection) -> Result<C, ConfigError>,
}

/// What the command line adds to the client's configuration: `--base-url` and `--header`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    pub(crate) base_url: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
}

impl Connection {
    /// `builder` with the base URL of `--base-url`, else `from_env` (the API's variable), else its own;
    /// and the headers of `--header`.
    pub fn configure<C>(
        self,
        builder: ClientBuilder<C>,
        from_env: Option<String>,
    ) -> ClientBuilder<C> {
        let mut builder = match self.base_url.or(from_env) {
            Some(url) => builder.base_url(url),
            None => builder,
        };
        for (name, value) in self.headers {
            builder = builder.header(name, value);
        }
        builder
    }
}

/// A security scheme and the environment variables its credential is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential {
    /// The scheme's key in `components.securitySchemes`.
    pub scheme: &'static str,
    /// The variables (two for basic authentication: user name and password).
    pub env: &'static [&'static str],
}

/// One operation: a subcommand, and an entry of `operations`.
pub struct Operation<C: 'static> {
    /// The subcommand: the operation's name in kebab-case (`list-pets`).
    pub name: &'static str,
    /// The spec's `operationId`; `None` when the spec gives none (the name is then made from the method
    /// and path).
    pub operation_id: Option<&'static str>,
    /// The HTTP method, uppercase.
    pub method: &'static str,
    /// The path template as in the spec (`/pets/{id}`).
    pub path: &'static str,
    /// One line for the list of subcommands: the summary, or the start of the description.
    pub about: &'static str,
    /// The whole description, for `--help`.
    pub doc: &'static str,
    /// The parameters and the top-level body fields, each a flag.
    pub params: &'static [Param],
    /// The request body, when the operation takes one.
    pub body: Option<BodyInput>,
    /// Takes the operation's arguments out of the input and calls it.
    pub run: for<'a> fn(&'a C, &Input) -> Result<Call<'a>, Failure>,
}

/// A parameter (or a top-level field of the body): one flag of the operation's subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The name in the spec, which `call --input` uses.
    pub name: &'static str,
    /// The flag, without `--`: unique in the subcommand.
    pub flag: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether the operation cannot be called without it. A required path, query, header or cookie
    /// parameter is a required flag; a required body field is not (`--body` may give it).
    pub required: bool,
    /// How the flag's text becomes a JSON value.
    pub kind: Kind,
    /// A list: the flag may be given several times, each value one item.
    pub repeated: bool,
    /// One line of help, from the spec.
    pub help: &'static str,
}

/// Where a parameter goes: the keys of the `call` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A path parameter (`path`).
    Path,
    /// A query parameter (`query`).
    Query,
    /// A header (`header`; names compare case-insensitively).
    Header,
    /// A cookie (`cookie`).
    Cookie,
    /// A top-level field of the body (`body`).
    Body,
}

impl Location {
    /// The key of the `call` input that holds this location's values.
    pub fn key(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
            Location::Body => "body",
        }
    }

    /// How the location is named in messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Location::Path => "path parameter",
            Location::Query => "query parameter",
            Location::Header => "header",
            Location::Cookie => "cookie",
            Location::Body => "body field",
        }
    }
}

/// How a flag's text becomes the JSON value of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, taken as a JSON string whatever it looks like (`--name 007` is `"007"`).
    Text,
    /// JSON (numbers, booleans, objects, lists); text that is not JSON is taken as a string.
    Json,
    /// A path to a file: `{"$file": PATH}`.
    File,
}

/// The request body of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyInput {
    /// `requestBody.required`.
    pub required: bool,
    /// The media types it can be sent as, in spec order; the first is the default, `content_type`
    /// chooses another.
    pub content_types: &'static [&'static str],
}

/// Every credential variable of `api`, for messages: `A, B` or `none`.
pub(super) fn credential_variables<C>(api: &Api<C>) -> String {
    let all: Vec<&str> = api
        .credentials
        .iter()
        .flat_map(|c| c.env.iter().copied())
        .collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        all.join(", ")
    }
}
