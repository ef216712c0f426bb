//! The runtime of Rust API clients generated from OpenAPI specs.
//!
//! A generated crate holds the API's types and one short method per operation; each method fills a
//! [`request::Request`] and hands it to [`Client::send`]. Everything that is the same for every API lives
//! here:
//!
//! - transport and timeouts ([`Client`], [`ClientBuilder`]), retries with backoff that honour
//!   `Retry-After` ([`RetryPolicy`]), per-call overrides ([`RequestOptions`]);
//! - credentials ([`Auth`], [`Secret`], [`BasicAuth`]): API keys in headers, the query string or cookies,
//!   basic and bearer, each named after its security scheme so that every operation sends exactly what
//!   its [`SecurityRequirement`] asks for; never shown in `Debug` output, errors, hooks or traces;
//! - request signing as the spec declares it ([`signing`], feature `signing`): HMAC-SHA256 over the
//!   declared parts of the request and the exact body bytes sent;
//! - parameter styles ([`params`]), strict percent-encoding ([`request::encode_path`]), JSON, form and
//!   text bodies, and `multipart/form-data` bodies encoded once by [`multipart::Form`] (feature
//!   `multipart`) so that the bytes signed are the bytes sent, and every retry sends them again;
//! - checks of the spec's documented limits before anything is sent ([`validate`]);
//! - decoding of answers ([`decode`], [`de`]) into [`Response`], and typed failures ([`Error`],
//!   [`ApiError`], [`ErrorKind`]) that keep the status and the start of the body;
//! - page-by-page streams ([`pagination`]);
//! - answers read as they arrive: binary downloads as a [`ByteStream`] ([`Client::download`]), and
//!   server-sent events (`sse`, feature `sse`); uploads streamed from files and readers (`Upload`,
//!   feature `files`);
//! - hooks that see and change each attempt ([`Hook`], [`ClientBuilder::hook`]), and `tracing` spans
//!   (feature `tracing`);
//! - the command line of a generated client (`cli`, feature `cli`).
//!
//! # Features
//!
//! The generator turns on exactly the features a spec needs, so a crate compiles only what it uses:
//!
//! | feature     | for                                   | brings in                  |
//! |-------------|---------------------------------------|----------------------------|
//! | `signing`   | `x-signing` on a security scheme      | `hmac`, `sha2`             |
//! | `multipart` | `multipart/form-data` bodies, files   | `sha2`, `memchr`           |
//! | `chrono`    | `format: date`, `date-time`, `unix-time` | `chrono` (re-exported)  |
//! | `decimal`   | `format: decimal`                     | `rust_decimal` (re-exported) |
//! | `uuid`      | `format: uuid`                        | `uuid` (re-exported)       |
//! | `pattern`   | `pattern` constraints, checked before sending | `regex`            |
//! | `files`     | uploads from files and readers, downloads saved to files | tokio `fs`, `memchr` |
//! | `sse`       | `text/event-stream` answers              | `memchr`                |
//! | `tracing`   | a span per call, an event per attempt    | `tracing`                  |
//! | `cli`       | the generated crate's command line ([`cli`](mod@cli)) | `clap`, tokio's multi-threaded runtime |
//!
//! `multipart` turns on `files`. `full` turns on all of them.
//!
//! This crate never names generated code and knows nothing about any one API: what is specific to an
//! API is declared in its spec and generated from it.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod auth;
mod base64;
pub mod call;
#[cfg(feature = "cli")]
pub mod cli;
mod client;
pub mod config;
pub mod de;
pub mod decode;
mod download;
mod error;
#[cfg(feature = "multipart")]
mod file;
#[cfg(any(feature = "signing", feature = "multipart"))]
mod hex;
mod hooks;
#[cfg(feature = "multipart")]
pub mod multipart;
mod options;
pub mod pagination;
pub mod params;
mod payload;
pub mod request;
mod response;
mod retry;
mod secret;
pub mod ser;
#[cfg(feature = "signing")]
pub mod signing;
#[cfg(feature = "sse")]
pub mod sse;
pub mod string_enum;
pub mod union;
#[cfg(feature = "files")]
mod upload;
pub mod validate;

#[cfg(test)]
#[path = "../tests/support/server.rs"]
mod test_server;

pub use auth::{Auth, BasicAuth, SecurityRequirement};
// `self::`: the `base64` crate has the same name.
pub use self::base64::Base64;
pub use call::Call;
pub use client::{Client, ClientBuilder};
pub use download::ByteStream;
pub use error::{ApiError, ConfigError, Error, ErrorKind, Result};
#[cfg(feature = "multipart")]
pub use file::FilePart;
pub use hooks::{Hook, HookRequest, HookResponse};
pub use options::RequestOptions;
pub use response::{RateLimit, Response};
pub use retry::{BoxFuture, RetryPolicy};
pub use secret::Secret;
#[cfg(feature = "files")]
pub use upload::Upload;

/// HTTP methods (re-exported from reqwest), as used in [`request::Request::new`].
pub use reqwest::Method;
/// HTTP status codes (re-exported from reqwest), as found in [`Response::status`] and [`ApiError::status`].
pub use reqwest::StatusCode;

// Crates whose types appear in generated code, re-exported so that a generated crate names them through
// this one: it then needs no dependency of its own on them, and always gets the versions and features
// this runtime was built with.
pub use bytes;
#[cfg(feature = "chrono")]
pub use chrono;
pub use reqwest;
#[cfg(feature = "decimal")]
pub use rust_decimal;
#[doc(hidden)]
pub use serde;
pub use serde_json;
#[cfg(feature = "uuid")]
pub use uuid;
