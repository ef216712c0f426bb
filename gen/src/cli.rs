//! The command line shared by the `openapi-client-gen` binary and `cargo xtask gen --spec`: the same
//! arguments, the same output and the same exit codes.
//!
//! Exit codes: 0 written (or already up to date), 1 spec problems or a file that could not be written,
//! 2 usage.

use crate::report::{self, Style};
use crate::standalone::{self, Request};
use std::path::Path;
use std::process::ExitCode;

/// How many generator warnings are printed in full.
pub const WARNINGS_SHOWN: usize = 10;

/// The arguments of `gen --spec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenArgs<'a> {
    /// `--spec PATH`.
    pub spec: &'a str,
    /// `--out DIR`.
    pub out: &'a str,
    /// `--name NAME`.
    pub name: Option<&'a str>,
    /// `--vendor-runtime`.
    pub vendor_runtime: bool,
}

/// Parses `--spec PATH --out DIR [--name NAME] [--vendor-runtime]` (any order, each at most once);
/// `None` on anything else.
pub fn parse_gen<'a>(args: &[&'a str]) -> Option<GenArgs<'a>> {
    let mut spec = None;
    let mut out = None;
    let mut name = None;
    let mut vendor_runtime = false;
    let mut rest = args.iter();
    while let Some(&flag) = rest.next() {
        let slot = match flag {
            "--vendor-runtime" if !vendor_runtime => {
                vendor_runtime = true;
                continue;
            }
            "--spec" => &mut spec,
            "--out" => &mut out,
            "--name" => &mut name,
            _ => return None,
        };
        let value = rest.next().filter(|v| !v.starts_with("--"))?;
        if slot.replace(*value).is_some() {
            return None;
        }
    }
    Some(GenArgs {
        spec: spec?,
        out: out?,
        name,
        vendor_runtime,
    })
}

/// Generates a standalone crate and prints what happened: the summary line on stdout, warnings and
/// errors on stderr, each spec problem located by file, line and column.
pub fn run_gen(args: &GenArgs<'_>) -> ExitCode {
    let err_style = Style::detect(&std::io::stderr());
    let request = Request {
        spec: Path::new(args.spec),
        out: Path::new(args.out),
        name: args.name,
        vendor_runtime: args.vendor_runtime,
    };
    // Read again for locating: generation keeps no copy.
    let text = || std::fs::read_to_string(args.spec).ok();
    match standalone::generate(&request) {
        Err(standalone::Error::Spec(diagnostics)) => {
            eprint!(
                "{}",
                report::render_diagnostics(&diagnostics.0, args.spec, text().as_deref(), err_style)
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{}", err_style.error(&e.to_string()));
            ExitCode::FAILURE
        }
        Ok(done) => {
            println!("{}", done.summary());
            eprint!(
                "{}",
                report::render_warnings(
                    &done.warnings,
                    args.spec,
                    text().as_deref(),
                    WARNINGS_SHOWN,
                    err_style
                )
            );
            ExitCode::SUCCESS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_in_any_order_each_once() {
        assert_eq!(
            parse_gen(&["--out", "o", "--vendor-runtime", "--spec", "s.yaml"]),
            Some(GenArgs {
                spec: "s.yaml",
                out: "o",
                name: None,
                vendor_runtime: true
            })
        );
        assert_eq!(
            parse_gen(&["--spec", "s", "--out", "o", "--name", "n"]).and_then(|a| a.name),
            Some("n")
        );
        for bad in [
            &["--spec", "s"][..],
            &["--spec", "s", "--out"],
            &["--spec", "s", "--out", "--name"],
            &["--spec", "s", "--spec", "t", "--out", "o"],
            &[
                "--spec",
                "s",
                "--out",
                "o",
                "--vendor-runtime",
                "--vendor-runtime",
            ],
            &["--spec", "s", "--out", "o", "--other"],
        ] {
            assert_eq!(parse_gen(bad), None, "{bad:?}");
        }
    }
}
