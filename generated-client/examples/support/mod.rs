//! What every example shares: configuration from the environment, and how a run ends (the result as
//! JSON on stdout and exit 0, or one line on stderr and exit 1; 2 for bad arguments).

use awal_client::types::ErrorEnvelope;
use awal_client::{Client, ConfigError, Error};
use std::process::ExitCode;

/// The client (`AWAL_CLIENT_ID`, `AWAL_DOMAIN`, `AWAL_HMAC_SECRET`, optional `AWAL_BASE_URL`) and the
/// sender's number (`AWAL_PHONE_NUMBER_ID`), read before any work; one message naming every missing
/// variable otherwise.
pub fn configure() -> Result<(Client, String), String> {
    let phone_number_id = awal_client::runtime::config::optional_env("AWAL_PHONE_NUMBER_ID");
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
pub fn describe(error: Error<ErrorEnvelope>) -> String {
    match error
        .api()
        .and_then(|api| Some((api.status, api.body.as_ref()?)))
    {
        Some((status, envelope)) => {
            let request = envelope
                .request_id
                .as_deref()
                .map(|id| format!(" (request {id})"))
                .unwrap_or_default();
            format!(
                "HTTP {}: {}: {}{request}",
                status.as_u16(),
                envelope.error,
                envelope.message
            )
        }
        None => error.to_string(),
    }
}

/// A value as pretty JSON, for stdout.
pub fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}

/// Exit 2 with the problem and the usage on one line.
pub fn usage_error(message: &str, usage: &str) -> ExitCode {
    eprintln!("error: {message} ({usage})");
    ExitCode::from(2)
}

/// Prints the outcome of a run and gives its exit code.
pub fn finish(outcome: Result<String, String>) -> ExitCode {
    match outcome {
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
