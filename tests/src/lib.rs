//! Snapshot and end-to-end tests for the Awal generator and the generated client, and their support code.
//!
//! The tests live in `tests/`; this library holds what they share, chiefly [`server`]: a real HTTP server on
//! 127.0.0.1 that verifies request signatures with its own HMAC code, parses multipart bodies with multer,
//! records every request and answers with canned responses.

#![warn(missing_docs)]

pub mod harness;
pub mod server;
pub mod vectors;

pub use server::{
    compute_signature, AuthOutcome, CannedResponse, FormPart, RecordedRequest, ServerConfig,
    TestServer,
};
