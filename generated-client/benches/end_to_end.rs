//! End to end: create-contact through the generated client against a server on 127.0.0.1, compared in the
//! same run with hand-written reqwest requests that send the same bytes (issue 6, target 4).
//!
//! Two request sizes, one criterion group each: `e2e_small` (a 530-byte avatar) and `e2e_5mib` (a 5 MiB
//! avatar, the largest the API accepts). In each group:
//!
//! - `plain_replay`: a plain `reqwest::Client` sends the client's own first request again, replayed
//!   byte for byte (request target, every header including the signature, the multipart body, all captured
//!   by the server), reads the answer and decodes it into the same `ContactEnvelope`. No encoding, no
//!   signing: the floor of the network path.
//! - `plain_timeout`: as `plain_replay`, with the per-request timeout the client sets on every attempt
//!   (60 s by default; reqwest then arms a tokio timer per request). Shows how much of the client's
//!   overhead is that timer.
//! - `plain_hmac`: as `plain_timeout`, plus one HMAC-SHA256 pass over the body whose result goes into the
//!   signature header: the least a hand-written client of this API must do per call, configured as the
//!   generated client configures itself (connect and per-request timeouts, no redirects). A request to
//!   this API carries a fresh signature, so this is the routine the client is judged against; the
//!   unsigned replays show how much of the difference is signing.
//! - `client`: `Client::create_contact` with the typed request: validation, `to_form`, a fresh boundary,
//!   encoding, signing, sending, reading and decoding.
//!
//! The server (`support/loopback.rs`) runs on its own thread, reads each body in full and throws it away,
//! and answers `201` with a fixed contact. After criterion's summary the bench prints
//! `bench-summary` lines: each group's times and the overheads `(client - plain) / plain` in percent.
//!
//! ```sh
//! cargo bench -p awal-client --bench end_to_end -- --warm-up-time 1 --measurement-time 3
//! ```

#[path = "support/loopback.rs"]
mod loopback;
#[path = "support/paired.rs"]
mod paired;
#[path = "support/summary.rs"]
mod summary;

use awal_client::types::{ContactEnvelope, CreateContactRequest, PhoneNumberIdQuery};
use awal_client::{Client, Credentials, FilePart, Secret};
use bytes::Bytes;
use criterion::{Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use loopback::Loopback;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use sha2::Sha256;
use std::hint::black_box;
use std::time::Duration;
use tokio::runtime::Runtime;

const SECRET: &str = "your-hmac-secret";
const SIGNATURE_HEADER: &str = "x-awal-signature-256";
/// A small avatar: the PNG signature and some bytes, so the fixed per-call costs dominate.
const SMALL_LEN: usize = 530;
/// 5 MiB: the largest avatar the API accepts (`x-max-bytes: 5242880`).
const LARGE_LEN: usize = 5 * 1024 * 1024;
/// The server's answer: a created contact, as the API documents it.
const REPLY: &str = r#"{"status":true,"message":"Contact created successfully","data":{"id":9,"name":"Ahmed Mohammed","phone":"96650000000","email":"ahmed@example.com","is_favorite":true,"created_at":"2024-01-15T10:30:00Z"}}"#;

/// A PNG-signed file of `len` bytes, the rest pseudo-random (xorshift), so nothing compresses or repeats.
fn png(len: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len);
    bytes.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let take = (len - bytes.len()).min(8);
        bytes.extend_from_slice(&state.to_le_bytes()[..take]);
    }
    bytes
}

fn request(avatar_len: usize) -> CreateContactRequest {
    CreateContactRequest {
        email: Some("ahmed@example.com".into()),
        is_favorite: Some(true),
        file: Some(FilePart::new(png(avatar_len), "avatar.png", "image/png")),
        ..CreateContactRequest::new("Ahmed Mohammed", "96650000000")
    }
}

fn query() -> PhoneNumberIdQuery {
    PhoneNumberIdQuery::new("123456789012345")
}

/// The generated client with its defaults (random boundary, real clock, default retry policy and
/// timeouts), pointed at the server.
fn client(base_url: &str) -> Client {
    let credentials = Credentials {
        client_id: "client-123".to_owned(),
        domain: "your-workspace".to_owned(),
        hmac_secret: Secret::new(SECRET),
    };
    Client::builder(credentials)
        .base_url(base_url)
        .build()
        .expect("valid client configuration")
}

/// A request as the client sent it, ready to be sent again by plain reqwest.
struct Replay {
    url: String,
    /// Every header but `host` and `content-length`, which reqwest sets from the URL and the body.
    headers: HeaderMap,
    body: Bytes,
}

/// Sends one create-contact through the client while the server keeps it whole.
fn capture(
    runtime: &Runtime,
    server: &Loopback,
    client: &Client,
    request: &CreateContactRequest,
) -> Replay {
    server.capture_next();
    let created = runtime
        .block_on(client.create_contact(&query(), request))
        .expect("the client's request succeeds");
    assert_eq!(created.data.id, 9);
    let captured = server.take_captured().expect("the server kept the request");
    let target = captured
        .request_line
        .split(' ')
        .nth(1)
        .expect("request line has a target");
    let mut headers = HeaderMap::new();
    for (name, value) in &captured.headers {
        if name == "host" || name == "content-length" {
            continue;
        }
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name as received"),
            HeaderValue::from_str(value).expect("header value as received"),
        );
    }
    assert!(
        headers.contains_key(SIGNATURE_HEADER),
        "the client signed its request"
    );
    Replay {
        url: format!("{}{target}", server.base_url()),
        headers,
        body: Bytes::from(captured.body),
    }
}

/// The client's default per-attempt timeout.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The hand-written request: the replayed bytes, the answer read and decoded into the same type.
async fn plain(
    http: &reqwest::Client,
    url: &str,
    headers: HeaderMap,
    body: Bytes,
    timeout: Option<Duration>,
) -> ContactEnvelope {
    let mut request = http.post(url).headers(headers).body(body);
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    let response = request.send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let bytes = response.bytes().await.expect("answer read");
    serde_json::from_slice(&bytes).expect("answer decodes")
}

/// As [`plain`] with the client's timeout, signing the body first: one HMAC-SHA256 pass, hex, into the
/// signature header.
async fn plain_hmac(http: &reqwest::Client, replay: &Replay) -> ContactEnvelope {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(&replay.body);
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let mut headers = replay.headers.clone();
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&signature).expect("hex is a valid header value"),
    );
    plain(
        http,
        &replay.url,
        headers,
        replay.body.clone(),
        Some(TIMEOUT),
    )
    .await
}

/// What is measured, by criterion name; the client last.
const ROUTINES: [&str; 4] = ["plain_replay", "plain_timeout", "plain_hmac", "client"];

/// The groups, by criterion name, and the avatar size of each.
const CASES: [(&str, usize); 2] = [("e2e_small", SMALL_LEN), ("e2e_5mib", LARGE_LEN)];

/// What every measurement shares: the server, the client runtime and both clients.
struct Bench {
    server: Loopback,
    runtime: Runtime,
    client: Client,
    http: reqwest::Client,
}

/// One request size: the typed request and the client's first request, captured for replaying.
struct Case {
    group: &'static str,
    request: CreateContactRequest,
    replay: Replay,
}

impl Bench {
    fn new() -> Self {
        let server = Loopback::start(REPLY);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        let client = client(&server.base_url());
        // Configured as the generated client configures its own reqwest client, so the comparison is
        // about the generated code and the runtime, not about reqwest settings.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client");
        Bench {
            server,
            runtime,
            client,
            http,
        }
    }

    fn case(&self, group: &'static str, avatar_len: usize) -> Case {
        let request = request(avatar_len);
        let replay = capture(&self.runtime, &self.server, &self.client, &request);
        // Sanity: the replay is accepted as the client's request is.
        assert_eq!(
            self.runtime
                .block_on(plain_hmac(&self.http, &replay))
                .data
                .id,
            9
        );
        Case {
            group,
            request,
            replay,
        }
    }

    /// Runs routine `routine` (an index into [`ROUTINES`]) once.
    fn run(&self, case: &Case, routine: usize) -> ContactEnvelope {
        let replay = &case.replay;
        let plain_with = |timeout| {
            plain(
                &self.http,
                &replay.url,
                replay.headers.clone(),
                replay.body.clone(),
                timeout,
            )
        };
        match ROUTINES[routine] {
            "plain_replay" => self.runtime.block_on(plain_with(None)),
            "plain_timeout" => self.runtime.block_on(plain_with(Some(TIMEOUT))),
            "plain_hmac" => self
                .runtime
                .block_on(plain_hmac(&self.http, black_box(replay))),
            _ => self
                .runtime
                .block_on(
                    self.client
                        .create_contact(&query(), black_box(&case.request)),
                )
                .expect("created")
                .into_body(),
        }
    }

    fn criterion(&self, c: &mut Criterion, case: &Case) {
        let mut group = c.benchmark_group(case.group);
        group.throughput(Throughput::Bytes(case.replay.body.len() as u64));
        for (i, name) in ROUTINES.iter().enumerate() {
            group.bench_function(*name, |b| b.iter(|| self.run(case, i)));
        }
        group.finish();
    }

    /// The routines in paired rounds: their median times and the client's overheads.
    fn paired(&self, case: &Case, rounds: usize, per_round: usize) {
        let mut routines: Vec<Box<dyn FnMut() + '_>> = (0..ROUTINES.len())
            .map(|i| Box::new(move || drop(black_box(self.run(case, i)))) as Box<dyn FnMut()>)
            .collect();
        let mut routines: Vec<&mut dyn FnMut()> = routines
            .iter_mut()
            .map(|r| &mut **r as &mut dyn FnMut())
            .collect();
        let rounds = paired::measure(rounds, per_round, &mut routines);
        let group = case.group;
        let mut line = format!("{group} paired ({} rounds of {per_round}):", rounds.len());
        for (i, name) in ROUTINES.iter().enumerate() {
            line.push_str(&format!(" {name} {:.1} µs", rounds.seconds(i) * 1e6));
            summary::print(&format!("{group}_paired_{name}_s"), rounds.seconds(i));
        }
        println!("{line}");
        let client = ROUTINES.len() - 1;
        for (i, name) in ROUTINES[..client].iter().enumerate() {
            let short = name.trim_start_matches("plain_");
            summary::print(
                &format!("{group}_overhead_vs_{short}_pct"),
                format!("{:.1}", (rounds.ratio(client, i) - 1.0) * 100.0),
            );
        }
    }
}

/// Criterion's times from this run, as `bench-summary` lines.
fn print_criterion_times() {
    for (group, _) in CASES {
        for function in ROUTINES {
            if let Some(seconds) = summary::seconds(group, function) {
                summary::print(&format!("{group}_{function}_s"), seconds);
            }
        }
    }
}

fn main() {
    summary::start();
    let bench = Bench::new();
    let cases: Vec<Case> = CASES
        .iter()
        .map(|&(group, len)| bench.case(group, len))
        .collect();
    let mut criterion = Criterion::default().configure_from_args();
    for case in &cases {
        bench.criterion(&mut criterion, case);
    }
    criterion.final_summary();
    print_criterion_times();
    if paired::benchmarking() {
        bench.paired(&cases[0], 41, 200);
        bench.paired(&cases[1], 41, 8);
    }
    println!(
        "server: {} requests, {} body bytes",
        bench.server.requests(),
        bench.server.body_bytes()
    );
}
