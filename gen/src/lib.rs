//! The generator's front end, shared by every way of running it: the `openapi-client-gen` binary
//! ([`cli`]), build scripts ([`build`]) and `cargo xtask`.
//!
//! - [`standalone`]: a complete crate for a spec, depending on the runtime crate ([`runtime`]) by path
//!   or on a vendored copy;
//! - [`sync`]: the one rule for writing generated files (every file checked before any is written;
//!   hand-written files never overwritten; generated files no longer made removed);
//! - [`report`]: spec problems and warnings located by file, line and column ([`locate`]).
//!
//! The generation itself is the `codegen` library, which does no I/O.

#![warn(missing_docs)]

pub mod build;
pub mod cli;
pub mod locate;
pub mod report;
pub mod runtime;
pub mod standalone;
pub mod sync;
