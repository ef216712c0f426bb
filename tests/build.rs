//! Generates the client of `fixtures/cli.yaml` (`src/lib.rs` includes it as `cli_fixture`), the way a
//! crate using the generator from its build script does; `src/bin/fixture-cli.rs` runs its command line.

fn main() -> Result<(), openapi_client_gen::build::Error> {
    openapi_client_gen::build::generate("fixtures/cli.yaml", "cli_fixture.rs")?;
    Ok(())
}
