//! Updates an order (status, payment status, dates, notes, branch) and prints the updated fields as JSON.
//!
//! ```text
//! cargo run -p awal-client --example update_order -- --id ORDER_ID [--status pending|accepted|shipped|delivered|completed] [--payment-status paid|unpaid] [--shipping-date YYYY-MM-DD] [--delivery-date YYYY-MM-DD] [--notes TEXT] [--branch-id ID]
//! ```
//!
//! Only the fields given are sent; at least one is needed. `--notes` sets the admin notes. A status
//! or payment status the spec does not list is not refused here but passed on as is, since the API
//! may know it.
//!
//! Configured from the environment: `AWAL_CLIENT_ID`, `AWAL_DOMAIN`, `AWAL_HMAC_SECRET`,
//! `AWAL_PHONE_NUMBER_ID`, and `AWAL_BASE_URL` (default: the real server). Prints the updated order
//! on stdout and exits 0; on any error prints one line on stderr and exits 1 (2 for bad arguments).

use awal_client::types::{OrderStatus, PaymentStatus, PhoneNumberIdQuery, UpdateOrderRequest};

use chrono::NaiveDate;
use std::process::ExitCode;

mod support;

const USAGE: &str = "usage: update_order --id ORDER_ID [--status pending|accepted|shipped|delivered|completed] [--payment-status paid|unpaid] [--shipping-date YYYY-MM-DD] [--delivery-date YYYY-MM-DD] [--notes TEXT] [--branch-id ID]";

#[derive(Debug)]
struct Args {
    id: i64,
    update: UpdateOrderRequest,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut id = None;
    let mut update = UpdateOrderRequest::default();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--id" => {
                let text = value("--id")?;
                let parsed = text
                    .parse()
                    .map_err(|_| format!("--id must be an integer, got `{text}`"))?;
                id = Some(parsed);
            }
            "--status" => update.status = Some(OrderStatus::from(value("--status")?.as_str())),
            "--payment-status" => {
                update.payment_status =
                    Some(PaymentStatus::from(value("--payment-status")?.as_str()));
            }
            "--shipping-date" => {
                update.shipping_date = Some(date("--shipping-date", value("--shipping-date")?)?);
            }
            "--delivery-date" => {
                update.delivery_date = Some(date("--delivery-date", value("--delivery-date")?)?);
            }
            "--notes" => update.admin_notes = Some(value("--notes")?),
            "--branch-id" => update.branch_id = Some(value("--branch-id")?),
            "-h" | "--help" => return Err("help requested".to_owned()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let Some(id) = id else {
        return Err("--id is required".to_owned());
    };
    if update == UpdateOrderRequest::default() {
        return Err("nothing to update: give at least one field to change".to_owned());
    }
    Ok(Args { id, update })
}

/// The value `text` of `flag` as a calendar date, `YYYY-MM-DD`.
fn date(flag: &str, text: String) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|e| format!("{flag} must be a date YYYY-MM-DD, got `{text}` ({e})"))
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
    let updated = client
        .update_order(
            args.id,
            &PhoneNumberIdQuery::new(phone_number_id),
            &args.update,
        )
        .await
        .map_err(support::describe)?;
    support::json(&updated.body().data)
}
