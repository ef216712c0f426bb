//! Sends a text message and prints the sent message as JSON.
//!
//! ```text
//! cargo run -p awal-client --example send_text -- --to PHONE --body TEXT [--name NAME] [--email EMAIL] [--reply-to ID] [--preview-url]
//! ```
//!
//! `--name` and `--email` create the contact on the first message to a number; `--reply-to` takes the
//! `messageId` (`wamid....`) of the message answered.
//!
//! Configured from the environment: `AWAL_CLIENT_ID`, `AWAL_DOMAIN`, `AWAL_HMAC_SECRET`,
//! `AWAL_PHONE_NUMBER_ID`, and `AWAL_BASE_URL` (default: the real server). Prints the sent message
//! on stdout and exits 0; on any error prints one line on stderr and exits 1 (2 for bad arguments).

use awal_client::types::{PhoneNumberIdQuery, SendTextRequest};

use std::process::ExitCode;

mod support;

const USAGE: &str = "usage: send_text --to PHONE --body TEXT [--name NAME] [--email EMAIL] [--reply-to ID] [--preview-url]";

#[derive(Debug, Default)]
struct Args {
    to: Option<String>,
    body: Option<String>,
    name: Option<String>,
    email: Option<String>,
    reply_to: Option<String>,
    preview_url: bool,
}

/// The message to send, straight from the command line.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<SendTextRequest, String> {
    let mut parsed = Args::default();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--to" => parsed.to = Some(value("--to")?),
            "--body" => parsed.body = Some(value("--body")?),
            "--name" => parsed.name = Some(value("--name")?),
            "--email" => parsed.email = Some(value("--email")?),
            "--reply-to" => parsed.reply_to = Some(value("--reply-to")?),
            "--preview-url" => parsed.preview_url = true,
            "-h" | "--help" => return Err("help requested".to_owned()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let (Some(to), Some(body)) = (parsed.to, parsed.body) else {
        return Err("--to and --body are required".to_owned());
    };
    Ok(SendTextRequest {
        name: parsed.name,
        email: parsed.email,
        reply_to: parsed.reply_to,
        preview_url: parsed.preview_url.then_some(true),
        ..SendTextRequest::new(to, body)
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => return support::usage_error(&message, USAGE),
    };
    support::finish(run(args).await)
}

async fn run(message: SendTextRequest) -> Result<String, String> {
    let (client, phone_number_id) = support::configure()?;
    let sent = client
        .send_text_message(&PhoneNumberIdQuery::new(phone_number_id), &message)
        .await
        .map_err(support::describe)?;
    support::json(&sent.body().message)
}
