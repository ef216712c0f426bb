//! A local mock of the Awal Chat API, to make signed calls without an account.
//!
//! ```text
//! cargo run -p awal-tests --bin awal-mock -- [--port 8080] [--client-id ID] [--domain D] [--secret S]
//! ```
//!
//! Serves every operation of `spec/awal.yaml` on `http://127.0.0.1:PORT/api/developer` and checks every
//! request's signature as the real API does (see `awal_tests::mock`). On start it prints the environment
//! that points the client and the examples at it; then it logs one line per request on stderr until
//! Ctrl-C. Bad arguments: one line on stderr, exit 2. A port that cannot be bound: one line, exit 1.

use std::net::SocketAddr;
use std::process::ExitCode;

use awal_tests::mock::{
    MockConfig, MockServer, DEFAULT_CLIENT_ID, DEFAULT_DOMAIN, DEFAULT_SECRET, PHONE_NUMBER_ID,
};

const USAGE: &str =
    "usage: awal-mock [--port PORT] [--client-id ID] [--domain DOMAIN] [--secret SECRET]";

/// The port used without `--port`.
const DEFAULT_PORT: u16 = 8080;

#[derive(Debug)]
struct Args {
    port: u16,
    config: MockConfig,
}

/// `Ok(None)` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut port = DEFAULT_PORT;
    let mut config = MockConfig {
        secret: DEFAULT_SECRET.to_owned(),
        client_id: DEFAULT_CLIENT_ID.to_owned(),
        domain: DEFAULT_DOMAIN.to_owned(),
        clock: None,
    };
    while let Some(flag) = args.next() {
        let mut value = |name: &str| {
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            if value.is_empty() {
                return Err(format!("{name} must not be empty"));
            }
            Ok(value)
        };
        match flag.as_str() {
            "--port" => {
                let text = value("--port")?;
                port = text.parse().map_err(|_| {
                    format!("--port must be a number from 0 to 65535, not `{text}`")
                })?;
            }
            "--client-id" => config.client_id = value("--client-id")?,
            "--domain" => config.domain = value("--domain")?,
            "--secret" => config.secret = value("--secret")?,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(Args { port, config }))
}

/// `value` as one shell word: bare when it is plain, else in single quotes.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:@%+=,".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("awal-mock: error: {message} ({USAGE})");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let config = args.config.clone();
    let server = match MockServer::bind(addr, args.config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("awal-mock: error: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let stop = stop_signals();
    let base_url = server.base_url();
    let environment = [
        ("AWAL_BASE_URL", base_url.as_str()),
        ("AWAL_CLIENT_ID", config.client_id.as_str()),
        ("AWAL_DOMAIN", config.domain.as_str()),
        ("AWAL_HMAC_SECRET", config.secret.as_str()),
        ("AWAL_PHONE_NUMBER_ID", PHONE_NUMBER_ID),
    ]
    .iter()
    .map(|(name, value)| format!("{name}={}", shell_word(value)))
    .collect::<Vec<_>>()
    .join(" ");
    println!(
        "awal-mock: {} operations of spec/awal.yaml on {base_url} (Ctrl-C stops it)\n\
         \n\
         In another shell, point the client and the examples at it:\n\
         \n\
         \x20 export {environment}\n\
         \x20 cargo run -p awal-client --example create_contact -- --name Ahmed --phone 96650000000\n\
         \n\
         Requests are logged below (stderr), one line each.",
        server.operations().len()
    );
    stop.await;
    drop(server);
    eprintln!("awal-mock: stopped");
    ExitCode::SUCCESS
}

/// Returns a future that completes on Ctrl-C (or SIGTERM on Unix). The handlers are installed before it
/// returns, not when it is first polled: the banner tells a user (or a test) that the server is ready,
/// and a Ctrl-C right after it must stop the server cleanly, not kill it.
fn stop_signals() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                (Ok(mut interrupt), Err(_)) => {
                    interrupt.recv().await;
                }
                (Err(_), _) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
