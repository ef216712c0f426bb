//! Snapshot and end-to-end tests for the Awal generator and the generated client, and their support code.
//!
//! The tests live in `tests/`; this library holds what they share, chiefly [`server`]: a real HTTP server on
//! 127.0.0.1 that verifies request signatures with its own HMAC code, parses multipart bodies with multer,
//! records every request and answers with canned responses; and [`adversary`]: a raw-TCP server that plays a
//! script of misbehaviours (truncated, oversized, non-JSON or slow answers, resets, hang-ups) for the
//! client's error and retry handling. [`recorder`]: a plain recording server for the clients generated
//! from the fixture specs at build time (`build.rs`). And [`mock`]: a mock of the whole Awal API, served from
//! `spec/awal.yaml` with the same signature checks, to try the client and the examples without an account
//! (`cargo run -p awal-tests --bin awal-mock`).

#![warn(missing_docs)]

pub mod adversary;
/// The client generated from `fixtures/cli.yaml` by `build.rs`, with its command line (the
/// `fixture-cli` binary runs it).
pub mod cli_fixture {
    include!(concat!(env!("OUT_DIR"), "/cli_fixture.rs"));
}
pub mod harness;
pub mod mock;
pub mod pointer;
pub mod recorder;
pub mod server;
pub mod vectors;

pub use server::{
    compute_signature, AuthOutcome, CannedResponse, FormPart, RecordedRequest, ServerConfig,
    TestServer,
};
