//! `cargo xtask gen [--check]`, `cargo xtask gen --spec PATH --out DIR [--name CRATE]` and
//! `cargo xtask corpus [--filter S]`: see the library docs.
//!
//! Exit codes: 0 done (or fresh, or every corpus spec passed), 1 spec problems, stale generated code, a
//! file error or a failed corpus spec, 2 usage.

use std::process::ExitCode;

/// Generation allocates and frees millions of small token trees and strings; with mimalloc instead of
/// glibc's malloc, generating the Awal spec takes about a fifth less time (BENCHMARKS.md, target 1).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use openapi_client_gen::report::{self, Style};

const USAGE: &str = "usage: cargo xtask gen [--check]
       cargo xtask gen --spec PATH --out DIR [--name CRATE] [--vendor-runtime]
       cargo xtask corpus [--filter S[,S...]] [--keep-going]
       cargo xtask conformance [--filter S[,S...]]
       cargo xtask bench [--only SECTION[,SECTION...]]

  gen          regenerate generated-client/src/generated/ from spec/awal.yaml
  gen --check  write nothing; fail with a diff if a generated file is stale
  gen --spec   generate a standalone crate (Cargo.toml, src/lib.rs, src/generated/) in DIR from any
               OpenAPI 3.0.x or 3.1.x spec, YAML or JSON: the same as `openapi-client-gen gen --spec ...`
               (see its --help); the package name defaults to the spec's title
  corpus       generate every spec of ../shared/corpus/ (those whose file name contains one of the
               filters) into target/corpus/ and `cargo check` each; one line per spec, then a total.
               A failing spec never stops the run (--keep-going is the default)
  conformance  for every spec of ../shared/corpus/ (those whose file name contains one of the filters)
               and spec/awal.yaml: generate the crate with its command line, build it, start
               Stoplight Prism (installed into target/ by npm) on the spec, and call every operation
               twice (required fields, then all); one line per spec, then `N passed, M failed` over
               operations. The whole corpus takes about an hour
  bench        run the speed measurements (criterion benches of the generator and the client, the
               generated crates' warm `cargo check`) and print one summary; see BENCHMARKS.md.
               --only generate,client,crates,build-cost runs some sections

Set NO_COLOR to turn colour off.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => run(false),
        ["gen", "--check"] | ["--check", "gen"] => run(true),
        ["gen", rest @ ..] if rest.contains(&"--spec") => {
            match openapi_client_gen::cli::parse_gen(rest) {
                Some(args) => openapi_client_gen::cli::run_gen(&args),
                None => usage(),
            }
        }
        ["bench"] => run_bench(None),
        ["bench", "--only", only] => run_bench(Some(only)),
        ["corpus", rest @ ..] => {
            let rest: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|a| *a != "--keep-going")
                .collect();
            match flags(&rest, &["--filter"]) {
                Some(f) => run_corpus(f[0]),
                None => usage(),
            }
        }
        ["conformance", rest @ ..] => match flags(rest, &["--filter"]) {
            Some(f) => run_conformance(f[0]),
            None => usage(),
        },
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage(),
    }
}

/// `cargo xtask bench [--only SECTIONS]`: the summary on stdout, progress on stderr.
fn run_bench(only: Option<&str>) -> ExitCode {
    let err_style = Style::detect(&std::io::stderr());
    let sections = match xtask::bench::sections(only) {
        Ok(sections) => sections,
        Err(e) => {
            eprintln!("{}", err_style.error(&e));
            return ExitCode::from(2);
        }
    };
    match xtask::bench::run(&xtask::project_root(), &sections) {
        Ok(summary) => {
            print!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", err_style.error(&e));
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// `--flag value` pairs, each flag at most once, in the order of `names`; `None` on anything else.
fn flags<'a>(args: &[&'a str], names: &[&str]) -> Option<Vec<Option<&'a str>>> {
    let mut values = vec![None; names.len()];
    let mut i = 0;
    while i < args.len() {
        let at = names.iter().position(|n| *n == args[i])?;
        let value = args.get(i + 1)?;
        if values[at].is_some() || value.starts_with("--") {
            return None;
        }
        values[at] = Some(*value);
        i += 2;
    }
    Some(values)
}

/// `--filter a,b` as a list.
fn filters(filter: Option<&str>) -> Vec<String> {
    filter
        .map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `cargo xtask conformance [--filter S]`: one line per spec, then the total; exit 1 when an operation
/// failed (known exceptions aside) or a spec could not be run.
fn run_conformance(filter: Option<&str>) -> ExitCode {
    let root = xtask::project_root();
    let start = std::time::Instant::now();
    match xtask::conformance::run(&root, &filters(filter)) {
        Ok(runs) => {
            println!(
                "{} ({:.0} s)",
                xtask::conformance::summary(&runs),
                start.elapsed().as_secs_f64()
            );
            if runs.iter().all(|r| r.counts().1 == 0) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("{}", Style::detect(&std::io::stderr()).error(&e));
            ExitCode::FAILURE
        }
    }
}

fn run_corpus(filter: Option<&str>) -> ExitCode {
    let root = xtask::project_root();
    let filters = filters(filter);
    match xtask::corpus::run(&root, &filters) {
        Ok(rows) => {
            println!("{}", xtask::corpus::summary(&rows));
            if rows.iter().all(xtask::corpus::Row::passed) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("{}", Style::detect(&std::io::stderr()).error(&e));
            ExitCode::FAILURE
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
                report::render_diagnostics(&diagnostics.0, xtask::SPEC, text.as_deref(), err_style)
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
            if let Some(problem) = &report.manifest_problem {
                eprintln!("{}", err_style.error(problem));
            }
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
            match &report.manifest_problem {
                Some(problem) => {
                    eprintln!("{}", err_style.error(problem));
                    ExitCode::FAILURE
                }
                None => ExitCode::SUCCESS,
            }
        }
    }
}
