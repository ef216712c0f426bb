//! Generates the clients of three fixture specs into `OUT_DIR` with the generator's build-script
//! library, as a user's `build.rs` would: `fixtures/cli.yaml` (`src/lib.rs` includes it as
//! `cli_fixture`; `src/bin/fixture-cli.rs` runs its command line), and the clients that
//! `tests/credentials.rs` and `tests/streams.rs` compile and run against servers on 127.0.0.1. A
//! generator change rebuilds this script (a build dependency changed), which regenerates them.

fn main() -> Result<(), openapi_client_gen::build::Error> {
    for (spec, file) in [
        ("fixtures/cli.yaml", "cli_fixture.rs"),
        ("fixtures/credentials.yaml", "credentials.rs"),
        ("fixtures/streams.yaml", "streams.rs"),
    ] {
        openapi_client_gen::build::generate(spec, file)?;
    }
    Ok(())
}
