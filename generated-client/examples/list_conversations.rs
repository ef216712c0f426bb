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

use std::process::ExitCode;

mod support;

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
        Err(message) => return support::usage_error(&message, USAGE),
    };
    support::finish(run(args).await)
}

async fn run(args: Args) -> Result<String, String> {
    let (client, phone_number_id) = support::configure()?;
    let query = ListConversationsQuery {
        search_term: args.search,
        status: args.status,
        ..ListConversationsQuery::new(phone_number_id)
    };
    let listed = client
        .list_conversations(&query)
        .await
        .map_err(support::describe)?;
    let list = listed.body();
    let printed = serde_json::json!({ "data": list.data, "meta": list.meta });
    support::json(&printed)
}
