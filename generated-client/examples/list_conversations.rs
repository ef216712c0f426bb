//! Lists the conversations of the sending number, optionally searched or filtered by status, and
//! prints them with the totals as JSON.
//!
//! ```text
//! cargo run -p awal-client --example list_conversations -- [--search TERM] [--status unassigned|my|unread|expired|opened|closed|bot]
//! ```
//!
//! `--search` matches names and (partial) phone numbers, ignoring case. A `--status` the spec does not
//! list is not refused here but passed on as is, since the API may know it.
//!
//! Configured from the environment: `AWAL_CLIENT_ID`, `AWAL_DOMAIN`, `AWAL_HMAC_SECRET`,
//! `AWAL_PHONE_NUMBER_ID`, and `AWAL_BASE_URL` (default: the real server). Prints
//! `{"data": [conversations], "meta": {"total", "unread_total"}}` on stdout and exits 0; on any error
//! prints one line on stderr and exits 1 (2 for bad arguments).

use awal_client::types::{ConversationStatus, ListConversationsQuery};
use awal_client::{Client, ConfigError, Error};
use std::process::ExitCode;

const USAGE: &str = "usage: list_conversations [--search TERM] [--status unassigned|my|unread|expired|opened|closed|bot]";

#[derive(Debug, Default)]
struct Args {
    search: Option<String>,
    status: Option<ConversationStatus>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--search" => parsed.search = Some(value("--search")?),
            "--status" => {
                parsed.status = Some(ConversationStatus::from(value("--status")?.as_str()))
            }
            "-h" | "--help" => return Err("help requested".to_owned()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(parsed)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message} ({USAGE})");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<String, String> {
    let (client, phone_number_id) = configure()?;
    let query = ListConversationsQuery {
        search_term: args.search,
        status: args.status,
        ..ListConversationsQuery::new(phone_number_id)
    };
    let listed = client.list_conversations(&query).await.map_err(describe)?;
    let list = listed.body();
    let printed = serde_json::json!({ "data": list.data, "meta": list.meta });
    serde_json::to_string_pretty(&printed).map_err(|e| e.to_string())
}

/// The client and the sender's phone number ID, or one message naming every missing variable.
fn configure() -> Result<(Client, String), String> {
    let phone_number_id = awal_client::config::optional_env("AWAL_PHONE_NUMBER_ID");
    match (Client::from_env(), phone_number_id) {
        (Ok(client), Some(id)) => Ok((client, id)),
        (Err(ConfigError::MissingEnv(mut missing)), None) => {
            missing.push("AWAL_PHONE_NUMBER_ID".to_owned());
            Err(format!(
                "missing environment variables: {}",
                missing.join(", ")
            ))
        }
        (Err(e), _) => Err(e.to_string()),
        (Ok(_), None) => Err("missing environment variables: AWAL_PHONE_NUMBER_ID".to_owned()),
    }
}

/// One line that says what went wrong and, for API errors, what the server said.
fn describe(error: Error<awal_client::types::ErrorEnvelope>) -> String {
    match error.api() {
        Some(api) => match &api.body {
            Some(envelope) => {
                let request = envelope
                    .request_id
                    .as_deref()
                    .map(|id| format!(" (request {id})"))
                    .unwrap_or_default();
                format!(
                    "HTTP {}: {}: {}{request}",
                    api.status.as_u16(),
                    envelope.error,
                    envelope.message
                )
            }
            None => error.to_string(),
        },
        None => error.to_string(),
    }
}
