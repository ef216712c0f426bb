//! The clap command built from an [`Api`], and the [`Input`] of a call read from its arguments: `call
//! --input`, or an operation's flags.

use super::api::{Api, Kind, Location, Operation};
use super::{Failure, Input};
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};
use std::io::{Read, Write};

/// The argument ids (and long flags) the command line takes for itself. The generator never gives a
/// parameter one of these flags.
pub(super) const BASE_URL: &str = "base-url";
pub(super) const HEADER: &str = "header";
pub(super) const OUTPUT: &str = "output";
pub(super) const VERBOSE: &str = "verbose";
const BODY: &str = "body";
const CONTENT_TYPE: &str = "content-type";
const INPUT: &str = "input";
const OPERATION: &str = "operation";
/// Where the options every command takes are listed in help: after the operation's own.
const GLOBAL_ORDER: usize = 10_000;
/// The subcommands for programs. The generator never names an operation so.
pub(super) const OPERATIONS: &str = "operations";
pub(super) const CALL: &str = "call";

/// The whole command: the options every subcommand takes, `operations`, `call`, and one subcommand per
/// operation, in spec order.
pub(super) fn build<C>(api: &Api<C>, bin: String) -> Command {
    let command = Command::new(bin)
        .about(format!("{} (API version {})", api.title, api.version))
        .long_about(format!(
            "{} (API version {}), from the command line.\n\n\
             The base URL comes from {} (or --base-url), the credentials from {}.\n\
             The answer is printed on stdout (JSON pretty-printed), a failure as one line on stderr. \
             Exit codes: 0 success, 1 an API error, a transport failure or an answer that does not \
             decode, 2 bad usage or input refused before sending.",
            api.title,
            api.version,
            api.base_url_env,
            super::api::credential_variables(api)
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new(BASE_URL)
                .long(BASE_URL)
                .display_order(GLOBAL_ORDER)
                .value_name("URL")
                .global(true)
                .help(format!("The API's base URL, instead of ${}", api.base_url_env)),
        )
        .arg(
            Arg::new(HEADER)
                .long(HEADER)
                .display_order(GLOBAL_ORDER)
                .value_name("NAME: VALUE")
                .action(ArgAction::Append)
                .global(true)
                .help("Also send this header (repeatable); not a credential's, which come from the environment"),
        )
        .arg(
            Arg::new(OUTPUT)
                .long(OUTPUT)
                .display_order(GLOBAL_ORDER)
                .value_name("FILE")
                .global(true)
                .help("Write the answer's body to FILE instead of stdout"),
        )
        .arg(
            Arg::new(VERBOSE)
                .long(VERBOSE)
                .display_order(GLOBAL_ORDER)
                .action(ArgAction::SetTrue)
                .global(true)
                .help("Print the answer's status and headers on stderr"),
        )
        .subcommand(
            Command::new(OPERATIONS).about(
                "Print the operations and the environment variables as one JSON document (for programs)",
            ),
        )
        .subcommand(
            Command::new(CALL)
                .about("Call an operation with its whole input as JSON (for programs)")
                .long_about(
                    "Call an operation with its whole input as JSON (for programs).\n\n\
                     The input: {\"path\": {...}, \"query\": {...}, \"header\": {...}, \"cookie\": {...}, \
                     \"body\": <JSON>, \"content_type\": \"<media type>\"}, every key optional. Parameters \
                     are keyed by their names in the spec. A file is {\"$file\": \"/path\", \
                     \"content_type\": \"image/png\"}. content_type chooses the body's media type when the \
                     operation takes several.",
                )
                .arg(
                    Arg::new(OPERATION)
                        .required(true)
                        .value_name("OPERATION")
                        .help("The operation's subcommand name, as `operations` lists it"),
                )
                .arg(
                    Arg::new(INPUT)
                        .long(INPUT)
                        .required(true)
                        .value_name("JSON|@FILE|-")
                        .help("The input: JSON, @FILE to read it from FILE, or - for stdin"),
                ),
        );
    command.subcommands(api.operations.iter().map(subcommand))
}

/// An operation's subcommand: a flag per parameter and per top-level body field, `--body`, and
/// `--content-type` when the body has several media types.
fn subcommand<C>(op: &Operation<C>) -> Command {
    let mut command = Command::new(op.name).about(op.about).long_about(op.doc);
    for param in op.params {
        let value_name = match param.kind {
            Kind::Text => "TEXT",
            Kind::Json => "JSON",
            Kind::File => "PATH",
        };
        let mut arg = Arg::new(param.flag)
            .long(param.flag)
            .value_name(value_name)
            .help(param.help)
            .required(param.required && param.location != Location::Body);
        if param.repeated {
            arg = arg.action(ArgAction::Append);
        }
        command = command.arg(arg);
    }
    if let Some(body) = &op.body {
        let required = if body.required {
            "required"
        } else {
            "optional"
        };
        command = command.arg(Arg::new(BODY).long(BODY).value_name("JSON|@FILE|-").help(format!(
            "The whole request body ({required}; {}) as JSON, @FILE or - for stdin; the field flags add to it. A file is {{\"$file\": \"PATH\"}}",
            body.content_types.join(", ")
        )));
        if body.content_types.len() > 1 {
            command = command.arg(
                Arg::new(CONTENT_TYPE)
                    .long(CONTENT_TYPE)
                    .value_name("MEDIA TYPE")
                    .value_parser(clap::builder::PossibleValuesParser::new(
                        body.content_types.iter().copied(),
                    ))
                    .help(format!(
                        "The body's media type (default {})",
                        body.content_types[0]
                    )),
            );
        }
    }
    command
}

/// What a refused command line prints: help and version on stdout (exit 0), anything else as one line
/// on stderr (exit 2).
pub(super) fn refused(error: &clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(out, "{}", error.render());
            0
        }
        // A command without arguments shows its help, but it is still a usage error.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write!(err, "{}", error.render());
            2
        }
        _ => {
            // clap's message is its first paragraph (a list of missing flags is on the lines that
            // follow); the usage and the tips after it are left to `--help`.
            let text = error.render().to_string();
            let message: Vec<&str> = text
                .lines()
                .map(str::trim)
                .skip_while(|line| line.is_empty())
                .take_while(|line| !line.is_empty())
                .collect();
            let message = message.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            let _ = writeln!(err, "error: {message} (see --help)");
            2
        }
    }
}

/// `call OPERATION --input ...`: the operation and its input.
pub(super) fn call_input<'a, C>(
    api: &'a Api<C>,
    matches: &ArgMatches,
) -> Result<(&'a Operation<C>, Input), Failure> {
    let name = matches
        .get_one::<String>(OPERATION)
        .map(String::as_str)
        .unwrap_or_default();
    let op = api
        .operations
        .iter()
        .find(|op| op.name == name)
        .ok_or_else(|| {
            Failure::usage(format!(
                "unknown operation `{name}` (`operations` lists them)"
            ))
        })?;
    let text = matches
        .get_one::<String>(INPUT)
        .map(String::as_str)
        .unwrap_or_default();
    let input = Input::from_json(read_json(text, "--input")?)?;
    Ok((op, input))
}

/// An operation's flags, as the input `call` would take.
pub(super) fn flags_input<C>(op: &Operation<C>, matches: &ArgMatches) -> Result<Input, Failure> {
    let mut input = Input::default();
    let mut fields = Map::new();
    for param in op.params {
        let Some(values) = matches.get_many::<String>(param.flag) else {
            continue;
        };
        let mut values: Vec<Value> = values.map(|text| flag_value(param.kind, text)).collect();
        let value = if param.repeated {
            Value::Array(values)
        } else {
            match values.pop() {
                Some(value) => value,
                None => continue,
            }
        };
        let name = param.name.to_owned();
        match param.location {
            Location::Path => input.path.insert(name, value),
            Location::Query => input.query.insert(name, value),
            Location::Header => input.header.insert(name, value),
            Location::Cookie => input.cookie.insert(name, value),
            Location::Body => fields.insert(name, value),
        };
    }
    // An operation without a body (or with one media type) has no such flag: `try_get_one` says so
    // where `get_one` would panic.
    let flag = |id: &str| matches.try_get_one::<String>(id).ok().flatten();
    let mut body = flag(BODY)
        .map(|text| read_json(text, "--body"))
        .transpose()?;
    if !fields.is_empty() {
        match &mut body {
            None => body = Some(Value::Object(fields)),
            // The flags name single fields: they win over the same fields of `--body`.
            Some(Value::Object(whole)) => whole.extend(fields),
            Some(_) => {
                return Err(Failure::usage(
                    "--body is not a JSON object, so field flags cannot be added to it",
                ))
            }
        }
    }
    input.body = body.filter(|body| !body.is_null());
    input.content_type = flag(CONTENT_TYPE).cloned();
    Ok(input)
}

/// A flag's text as JSON, as its kind says.
fn flag_value(kind: Kind, text: &str) -> Value {
    match kind {
        Kind::Text => Value::String(text.to_owned()),
        Kind::Json => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())),
        Kind::File => {
            let mut reference = Map::new();
            reference.insert("$file".to_owned(), Value::String(text.to_owned()));
            Value::Object(reference)
        }
    }
}

/// JSON given as text, `@FILE` or `-` (stdin).
fn read_json(argument: &str, flag: &str) -> Result<Value, Failure> {
    let (text, source) = if argument == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| Failure::usage(format!("{flag}: reading stdin: {error}")))?;
        (text, "stdin".to_owned())
    } else if let Some(path) = argument.strip_prefix('@') {
        let text = std::fs::read_to_string(path)
            .map_err(|error| Failure::usage(format!("{flag}: {path}: {error}")))?;
        (text, path.to_owned())
    } else {
        (argument.to_owned(), "the argument".to_owned())
    };
    serde_json::from_str(&text)
        .map_err(|error| Failure::usage(format!("{flag}: {source} is not valid JSON: {error}")))
}
