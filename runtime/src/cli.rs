//! The command line of a generated client (feature `cli`).
//!
//! A generated crate describes its API as `'static` data ([`Api`]: the operations, their parameters and
//! body, the environment variables it reads, how to build its client) and writes, for each operation, a
//! short function that takes the operation's typed arguments out of an [`Input`] and calls the
//! operation's method. Everything else is here, the same for every API:
//!
//! - the clap command built from that data: one subcommand per operation, with a flag per parameter and
//!   per top-level body field, `--body`, and the help text from the spec; `operations` and `call` for
//!   programs; `--base-url`, `--header`, `--output` and `--verbose` everywhere;
//! - reading `--input` and `--body` (inline JSON, `@FILE`, or `-` for stdin), and file references
//!   (`{"$file": "/path", "content_type": "image/png"}`);
//! - printing the answer: JSON pretty-printed, text as it is, bytes raw or to `--output FILE`; a failure
//!   as one line on stderr;
//! - the exit codes: 0 for a 2xx answer; 1 for an API error (non-2xx), a transport failure or an answer
//!   that does not decode; 2 for bad usage and input refused before anything was sent.
//!
//! The subcommands for people and `call` take one path: the flags of a subcommand are turned into the
//! same [`Input`] that `call --input` reads, and the operation's function takes it from there.

mod api;
mod command;
mod input;
mod output;

pub use api::{Api, BodyInput, Connection, Credential, Kind, Location, Operation, Param};
pub use input::{Fields, Input};
pub use output::{call, Answer, Call, Failure, Reply};

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Runs the command line of `api` with the process's arguments, and returns its exit code: what a
/// generated `main` does.
pub fn main<C: 'static>(api: &Api<C>) -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = run(
        api,
        std::env::args_os().collect(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    );
    ExitCode::from(code)
}

/// What every command may be given: `--base-url`, `--header`, `--output`, `--verbose`.
#[derive(Debug, Default)]
struct Globals {
    connection: Connection,
    output: Option<std::path::PathBuf>,
    verbose: bool,
}

/// Runs the command line on `args` (the program name first), writing the answer to `out` (or the
/// `--output` file) and failures to `err`; returns the exit code.
fn run<C: 'static>(
    api: &Api<C>,
    args: Vec<OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let bin = args
        .first()
        .map(std::path::Path::new)
        .and_then(std::path::Path::file_stem)
        .map_or_else(|| "client".to_owned(), |s| s.to_string_lossy().into_owned());
    let matches = match command::build(api, bin).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(error) => return command::refused(&error, out, err),
    };
    let mut globals = Globals {
        connection: Connection {
            base_url: matches.get_one::<String>(command::BASE_URL).cloned(),
            headers: Vec::new(),
        },
        output: matches
            .get_one::<String>(command::OUTPUT)
            .map(std::path::PathBuf::from),
        verbose: matches.get_flag(command::VERBOSE),
    };
    for header in matches
        .get_many::<String>(command::HEADER)
        .into_iter()
        .flatten()
    {
        match header.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => globals
                .connection
                .headers
                .push((name.trim().to_owned(), value.trim().to_owned())),
            _ => {
                let failure =
                    Failure::usage(format!("--header `{header}`: expected `NAME: VALUE`"));
                return output::finish(Err(failure), &globals, out, err);
            }
        }
    }
    let outcome = match matches.subcommand() {
        Some((command::OPERATIONS, _)) => {
            let document = output::operations(api);
            return output::finish(Ok(Reply::document(document)), &globals, out, err);
        }
        Some((command::CALL, sub)) => command::call_input(api, sub),
        Some((name, sub)) => match api.operations.iter().find(|op| op.name == name) {
            Some(op) => command::flags_input(op, sub).map(|input| (op, input)),
            // clap accepts only the subcommands it was given, which are these.
            None => Err(Failure::usage(format!("unknown command `{name}`"))),
        },
        // `subcommand_required`: clap refuses a command line without one.
        None => Err(Failure::usage("a command is required (see --help)")),
    };
    let outcome = outcome.and_then(|(op, input)| execute(api, op, &input, &globals));
    output::finish(outcome, &globals, out, err)
}

/// Checks `input` against the operation, builds the client, and makes the call.
fn execute<C: 'static>(
    api: &Api<C>,
    op: &Operation<C>,
    input: &Input,
    globals: &Globals,
) -> Result<Reply, Failure> {
    input.check(op)?;
    let client = (api.connect)(globals.connection.clone()).map_err(|error| {
        Failure::usage(format!(
            "{error} (credentials: {}; base URL: {} or --base-url)",
            api::credential_variables(api),
            api.base_url_env
        ))
    })?;
    let call = (op.run)(&client, input)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::failed(format!("could not start the async runtime: {error}")))?;
    let mut reply = runtime.block_on(call)?;
    // A streamed body is read after the call returns, on the runtime its connection belongs to.
    reply.runtime = Some(runtime);
    Ok(reply)
}

#[cfg(test)]
mod tests;
