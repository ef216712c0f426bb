//! `cargo xtask gen [--check]`: see the library docs.
//!
//! Exit codes: 0 done (or fresh), 1 spec problems, stale generated code or a file error, 2 usage.

use std::process::ExitCode;
use xtask::output::{self, Style};

const USAGE: &str = "usage: cargo xtask gen [--check]\n\n  gen          regenerate generated-client/src/generated/ from spec/awal.yaml\n  gen --check  write nothing; fail with a diff if a generated file is stale\n\nBoth list the operations and types that changed. Set NO_COLOR to turn colour off.";

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
    let err_style = Style::detect(&std::io::stderr());
    match xtask::gen(&root, !check) {
        Err(xtask::GenError::Spec(diagnostics)) => {
            // Read again for locating: gen keeps no copy, and a spec that cannot be read again
            // still gets its pointers printed.
            let text = std::fs::read_to_string(root.join(xtask::SPEC)).ok();
            eprint!(
                "{}",
                output::render_diagnostics(&diagnostics.0, xtask::SPEC, text.as_deref(), err_style)
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{}", err_style.error(&e.to_string()));
            ExitCode::FAILURE
        }
        Ok(report) if check && !report.is_fresh() => {
            eprintln!("{}", report.summary(false));
            eprint!("{}", report.api_summary(err_style));
            eprint!("{}", report.diff);
            eprintln!(
                "{}",
                err_style.error(&format!(
                    "generated code is stale; run `{}` and commit the result",
                    xtask::COMMAND
                ))
            );
            ExitCode::FAILURE
        }
        Ok(report) => {
            println!("{}", report.summary(!check));
            print!("{}", report.api_summary(Style::detect(&std::io::stdout())));
            ExitCode::SUCCESS
        }
    }
}
