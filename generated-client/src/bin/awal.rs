//! `awal`: the Awal Chat API from the command line (crate feature `cli`). `awal --help` lists the
//! operations; see the README for the machine interface (`awal operations`, `awal call`).

fn main() -> std::process::ExitCode {
    awal_client::cli::main()
}
