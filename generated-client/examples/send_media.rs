//! Sends an image, video, audio file, document or sticker, uploaded from a file or fetched by the
//! server from a link, and prints the sent message as JSON.
//!
//! ```text
//! cargo run -p awal-client --example send_media -- --to PHONE (--file PATH | --link URL) --type image|video|audio|document|sticker [--caption TEXT] [--file-name NAME]
//! ```
//!
//! `--file` uploads the file as `multipart/form-data` (its content type is sniffed from its first bytes);
//! `--link` sends JSON with an `https://` URL. Give exactly one of them. `--file-name` (the name shown to
//! the recipient of a document) goes with `--file` only. A `--type` the spec does not list is not refused
//! here but passed on as is, since the API may know it.
//!
//! Configured from the environment: `AWAL_CLIENT_ID`, `AWAL_DOMAIN`, `AWAL_HMAC_SECRET`,
//! `AWAL_PHONE_NUMBER_ID`, and `AWAL_BASE_URL` (default: the real server). Prints the sent message
//! on stdout and exits 0; on any error prints one line on stderr and exits 1 (2 for bad arguments).

use awal_client::types::{
    MediaType, PhoneNumberIdQuery, SendMediaLinkRequest, SendMediaMessageBody,
    SendMediaUploadRequest,
};
use awal_client::FilePart;
use std::process::ExitCode;

mod support;

const USAGE: &str = "usage: send_media --to PHONE (--file PATH | --link URL) --type image|video|audio|document|sticker [--caption TEXT] [--file-name NAME]";

/// Where the media comes from.
#[derive(Debug)]
enum Media {
    /// A local file, uploaded.
    File(String),
    /// A URL the server downloads.
    Link(String),
}

#[derive(Debug)]
struct Args {
    to: String,
    media: Media,
    media_type: MediaType,
    caption: Option<String>,
    file_name: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut to, mut file, mut link, mut media_type) = (None, None, None, None);
    let (mut caption, mut file_name) = (None, None);
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--to" => to = Some(value("--to")?),
            "--file" => file = Some(value("--file")?),
            "--link" => link = Some(value("--link")?),
            "--type" => media_type = Some(MediaType::from(value("--type")?.as_str())),
            "--caption" => caption = Some(value("--caption")?),
            "--file-name" => file_name = Some(value("--file-name")?),
            "-h" | "--help" => return Err("help requested".to_owned()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let (Some(to), Some(media_type)) = (to, media_type) else {
        return Err("--to and --type are required".to_owned());
    };
    let media = match (file, link) {
        (Some(path), None) => Media::File(path),
        (None, Some(url)) => Media::Link(url),
        (Some(_), Some(_)) => return Err("give --file or --link, not both".to_owned()),
        (None, None) => return Err("one of --file and --link is required".to_owned()),
    };
    if matches!(media, Media::Link(_)) && file_name.is_some() {
        return Err("--file-name goes with --file only".to_owned());
    }
    Ok(Args {
        to,
        media,
        media_type,
        caption,
        file_name,
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

async fn run(args: Args) -> Result<String, String> {
    // The environment first, so a misconfiguration costs no file read.
    let (client, phone_number_id) = support::configure()?;
    let body = match args.media {
        Media::File(path) => {
            let file =
                FilePart::from_path(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            SendMediaMessageBody::Multipart(SendMediaUploadRequest {
                caption: args.caption,
                file_name: args.file_name,
                ..SendMediaUploadRequest::new(args.to, args.media_type, file)
            })
        }
        Media::Link(link) => SendMediaMessageBody::Json(SendMediaLinkRequest {
            phone: args.to,
            r#type: args.media_type,
            link,
            caption: args.caption,
        }),
    };
    let sent = client
        .send_media_message(&PhoneNumberIdQuery::new(phone_number_id), &body)
        .await
        .map_err(support::describe)?;
    support::json(&sent.body().message)
}
