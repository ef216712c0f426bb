//! `fixture-cli`: the command line of the client generated from `fixtures/cli.yaml` (`cli_fixture`),
//! which `tests/cli.rs` runs against servers on 127.0.0.1.

fn main() -> std::process::ExitCode {
    awal_tests::cli_fixture::cli::main()
}
