//! Creates a contact, optionally with an avatar, and prints it as JSON.
//!
//! ```text
//! cargo run -p awal-client --example create_contact -- --name NAME --phone PHONE [--email EMAIL] [--favorite] [--avatar PATH]
//! ```
//!
//! Configured from the environment: `AWAL_CLIENT_ID`, `AWAL_DOMAIN`, `AWAL_HMAC_SECRET`,
//! `AWAL_PHONE_NUMBER_ID`, and `AWAL_BASE_URL` (default: the real server). Prints the created contact
//! on stdout and exits 0; on any error prints one line on stderr and exits 1 (2 for bad arguments).

use awal_client::types::{CreateContactRequest, PhoneNumberIdQuery};
use awal_client::FilePart;
use std::process::ExitCode;

mod support;

const USAGE: &str =
    "usage: create_contact --name NAME --phone PHONE [--email EMAIL] [--favorite] [--avatar PATH]";

#[derive(Debug, Default)]
struct Args {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    favorite: bool,
    avatar: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--name" => parsed.name = Some(value("--name")?),
            "--phone" => parsed.phone = Some(value("--phone")?),
            "--email" => parsed.email = Some(value("--email")?),
            "--avatar" => parsed.avatar = Some(value("--avatar")?),
            "--favorite" => parsed.favorite = true,
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
    let (Some(name), Some(phone)) = (args.name, args.phone) else {
        return Err(format!("--name and --phone are required ({USAGE})"));
    };
    // Read everything before doing any work, so a misconfiguration costs nothing.
    let (client, phone_number_id) = support::configure()?;

    let file = match &args.avatar {
        Some(path) => {
            Some(FilePart::from_path(path).map_err(|e| format!("cannot read avatar {path}: {e}"))?)
        }
        None => None,
    };
    let body = CreateContactRequest {
        email: args.email,
        is_favorite: args.favorite.then_some(true),
        file,
        ..CreateContactRequest::new(name, phone)
    };
    let created = client
        .create_contact(&PhoneNumberIdQuery::new(phone_number_id), &body)
        .await
        .map_err(support::describe)?;
    support::json(&created.body().data)
}
