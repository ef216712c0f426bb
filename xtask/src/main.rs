//! `cargo xtask gen [--check]`: see the library docs.

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask gen [--check]\n\n  gen          regenerate generated-client/src/generated/ from spec/awal.yaml\n  gen --check  write nothing; fail with a diff if a generated file is stale";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => run(false),
        ["gen", "--check"] | ["--check", "gen"] => run(true),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(check: bool) -> ExitCode {
    let root = xtask::project_root();
    match xtask::gen(&root, !check) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Ok(report) if check && !report.is_fresh() => {
            eprint!("{}", report.diff);
            eprintln!("{}", report.summary(false));
            eprintln!(
                "error: generated code is stale; run `{}` and commit the result",
                xtask::COMMAND
            );
            ExitCode::FAILURE
        }
        Ok(report) => {
            println!("{}", report.summary(!check));
            ExitCode::SUCCESS
        }
    }
}
