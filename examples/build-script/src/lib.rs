//! A Petstore client generated at build time (see `build.rs`): the generated module is included from
//! `OUT_DIR` and re-exported, so this crate reads as a crate made by `openapi-client-gen gen --spec`.

#![warn(missing_docs)]

/// The generated client.
#[rustfmt::skip]
mod petstore {
    include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
}

pub use petstore::*;
