//! Generates the clients of two fixture specs into `OUT_DIR` with the generator's build-script library,
//! as a user's `build.rs` would, so that `tests/credentials.rs` and `tests/streams.rs` compile them and
//! run them against servers on 127.0.0.1. A generator change rebuilds this script (a build dependency
//! changed), which regenerates them.

fn main() -> Result<(), openapi_client_gen::build::Error> {
    for (spec, file) in [
        ("fixtures/credentials.yaml", "credentials.rs"),
        ("fixtures/streams.yaml", "streams.rs"),
    ] {
        openapi_client_gen::build::generate(spec, file)?;
    }
    Ok(())
}
