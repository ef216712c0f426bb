//! Peak memory and throughput of streamed bodies (issue 15, item 4): a 1 GiB download saved to a file,
//! and a 1 GiB upload from a file, unsigned and signed. Each keeps the client's peak RSS under 64 MB
//! above its baseline, at a throughput within 10% of a hand-written reqwest stream doing the same over
//! loopback in the same run.
//!
//! A measurement, not a criterion benchmark: a transfer of 1 GiB is one sample. For each of the three
//! transfers, the client's way and the hand-written way take turns, five rounds of each (the machine is
//! shared, so the turns spread the noise over both); the median time of each side is compared.
//!
//! 1. A server on 127.0.0.1 (`support/loopback.rs`, on its own thread) reads each upload and throws it
//!    away, and serves downloads from one 1 MiB pattern, so the process's memory is the client's.
//! 2. The 1 GiB file to upload is written once, 1 MiB at a time (never whole in memory); it stays in the
//!    page cache, which is not the process's RSS, for both sides alike.
//! 3. Before each transfer the peak marker `VmHWM` is reset (`5` written to `/proc/self/clear_refs`) and
//!    `VmRSS` read as the baseline; after it, `VmHWM` is the peak.
//!
//! The transfers:
//!
//! - download: `Client::download` + `ByteStream::save_to`, against reqwest's `Response::chunk` loop into a
//!   1 MiB `BufWriter` (the buffer `save_to` uses);
//! - unsigned upload: `Request::upload(Upload::path(..))` with an unsigned client, against a
//!   `reqwest::Body::wrap_stream` of a `ReaderStream` of the file with `Content-Length` set;
//! - signed upload: the same with Awal's signing rule, which reads the file twice (to sign, then to send,
//!   checking that the bytes sent are the bytes signed), against a hand-written request that reads the
//!   file once to compute the HMAC and once to send it.
//!
//! It prints the numbers and `bench-summary` lines for `cargo xtask bench`, and fails if a peak exceeds
//! the 64 MB target (throughput is reported, not asserted: a shared machine can slow either side).
//! Linux only (it reads `/proc`). `STREAM_BENCH_BYTES` sets another size, for a quick run.
//!
//! ```sh
//! cargo bench -p awal-client --bench stream_rss
//! ```

#[path = "support/loopback.rs"]
mod loopback;
#[path = "support/summary.rs"]
mod summary;

use awal_client::runtime::request::Request;
use awal_client::runtime::{Auth, Client, ClientBuilder, Method, RetryPolicy, Secret, Upload};
use futures_util::StreamExt as _;
use hmac::{KeyInit as _, Mac as _};
use loopback::Loopback;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;

/// 1 GiB.
const DEFAULT_BYTES: u64 = 1 << 30;
/// Rounds of each side, taking turns.
const ROUNDS: usize = 5;
/// The most the peak RSS may rise above the baseline during a transfer (MB, 10^6 bytes).
const MAX_PEAK_MB: f64 = 64.0;
const SECRET: &str = "your-hmac-secret";
/// The fixed clock of the signed uploads.
const NOW: u64 = 1_704_124_800;
/// What reqwest reads from the file per piece, on the hand-written side.
const READ_CHUNK: usize = 256 * 1024;
const REPLY: &str = r#"{"status":true}"#;

/// A field of `/proc/self/status` in kB (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

/// One transfer: its time, the processor time the process spent on it (client and server threads;
/// the server's work is the same for both sides), and its peak RSS above the RSS before it (MB).
struct Sample {
    seconds: f64,
    cpu_seconds: f64,
    peak_mb: f64,
}

/// The processor time this process has used (user and system, all threads), from `/proc/self/stat`,
/// in seconds (clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux)");
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// Runs `transfer` on `runtime` between a reset of the peak marker and a reading of it, after the
/// kernel has written out what earlier transfers left in the page cache (so that writing it back does
/// not slow down this one).
fn sample(
    runtime: &tokio::runtime::Runtime,
    transfer: impl std::future::Future<Output = u64>,
    bytes: u64,
) -> Sample {
    let _ = std::process::Command::new("sync").status();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let baseline = status_kb("VmRSS");
    let cpu_before = cpu_seconds();
    let start = Instant::now();
    let moved = runtime.block_on(transfer);
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let peak = status_kb("VmHWM");
    assert_eq!(moved, bytes, "the whole body was transferred");
    Sample {
        seconds,
        cpu_seconds: cpu,
        peak_mb: mb(peak.saturating_sub(baseline)),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Writes `len` bytes of the download pattern to `path`, 1 MiB at a time.
fn write_file(path: &Path, len: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create the file"));
    let piece: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let mut left = len;
    while left > 0 {
        let take = left.min(piece.len() as u64) as usize;
        file.write_all(&piece[..take]).expect("write the file");
        left -= take as u64;
    }
    file.flush().expect("write the file");
}

/// Removes a file however the measurement ends.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp(name: &str) -> TempFile {
    TempFile(std::env::temp_dir().join(format!("awal-stream-rss-{}-{name}", std::process::id())))
}

/// The runtime's client, unsigned or signed with Awal's rule, with the fixed clock.
fn client(base: &str, signed: bool) -> Client {
    let auth = if signed {
        Auth::signed(awal_client::SIGNING_RULE, Secret::new(SECRET))
    } else {
        Auth::unsigned()
    };
    ClientBuilder::new(base, auth)
        .clock(|| NOW)
        .timeout(Duration::from_secs(300))
        .retry(RetryPolicy::none())
        .build()
        .expect("valid client configuration")
}

async fn ours_download(client: &Client, size: u64, to: &Path) -> u64 {
    let request = Request::new(Method::GET, format!("/download/{size}"));
    client
        .download::<serde_json::Value>(request)
        .await
        .expect("200")
        .into_body()
        .save_to(to)
        .await
        .expect("saved")
}

async fn reqwest_download(http: &reqwest::Client, base: &str, size: u64, to: &Path) -> u64 {
    let mut response = http
        .get(format!("{base}/download/{size}"))
        .send()
        .await
        .expect("200");
    let file = tokio::fs::File::create(to).await.expect("create");
    let mut file = tokio::io::BufWriter::with_capacity(1 << 20, file);
    let mut written = 0;
    while let Some(chunk) = response.chunk().await.expect("a piece") {
        file.write_all(&chunk).await.expect("write");
        written += chunk.len() as u64;
    }
    file.flush().await.expect("flush");
    written
}

async fn ours_upload(client: &Client, from: &Path, size: u64) -> u64 {
    let mut request = Request::new(Method::PUT, "/upload".to_owned());
    request.upload("application/octet-stream", Upload::path(from));
    let response = client
        .send::<serde_json::Value, serde_json::Value>(request)
        .await
        .expect("201");
    assert_eq!(response.status().as_u16(), 201);
    size
}

/// The hand-written upload: the HMAC pass first when `signed`, then the file streamed.
async fn reqwest_upload(http: &reqwest::Client, base: &str, from: &Path, signed: bool) -> u64 {
    let size = tokio::fs::metadata(from).await.expect("metadata").len();
    let mut request = http
        .put(format!("{base}/upload"))
        .header("content-type", "application/octet-stream")
        .header("content-length", size);
    if signed {
        let rule = awal_client::SIGNING_RULE;
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
        mac.update(b"PUT/upload");
        mac.update(NOW.to_string().as_bytes());
        let mut file = tokio::fs::File::open(from).await.expect("open");
        let mut buffer = vec![0u8; READ_CHUNK];
        loop {
            let n = tokio::io::AsyncReadExt::read(&mut file, &mut buffer)
                .await
                .expect("read");
            if n == 0 {
                break;
            }
            mac.update(&buffer[..n]);
        }
        let signature = format!(
            "{}{}",
            rule.prefix,
            hex::encode(mac.finalize().into_bytes())
        );
        request = request
            .header(rule.header, signature)
            .header(rule.timestamp_header, NOW);
    }
    let file = tokio::fs::File::open(from).await.expect("open");
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
        file, READ_CHUNK,
    ));
    let response = request.body(body).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let _ = response.bytes().await.expect("the reply");
    size
}

/// The client's samples and the hand-written ones, for one transfer.
struct Compared {
    name: &'static str,
    ours: Vec<Sample>,
    theirs: Vec<Sample>,
}

impl Compared {
    fn report(&self, bytes: u64) {
        let seconds = |samples: &[Sample]| median(samples.iter().map(|s| s.seconds).collect());
        let fastest = |samples: &[Sample]| {
            samples
                .iter()
                .map(|s| s.seconds)
                .fold(f64::INFINITY, f64::min)
        };
        let peak = |samples: &[Sample]| samples.iter().map(|s| s.peak_mb).fold(0.0_f64, f64::max);
        let (ours, theirs) = (seconds(&self.ours), seconds(&self.theirs));
        let listed = |samples: &[Sample]| {
            samples
                .iter()
                .map(|s| format!("{:.2}", s.seconds))
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!(
            "  {} rounds: client {} s; reqwest {} s",
            self.name,
            listed(&self.ours),
            listed(&self.theirs)
        );
        let throughput = |s: f64| bytes as f64 / s / 1e6;
        let slower_pct = (ours / theirs - 1.0) * 100.0;
        let fastest_pct = (fastest(&self.ours) / fastest(&self.theirs) - 1.0) * 100.0;
        let cpu = |samples: &[Sample]| median(samples.iter().map(|s| s.cpu_seconds).collect());
        let cpu_pct = (cpu(&self.ours) / cpu(&self.theirs) - 1.0) * 100.0;
        println!(
            "{}: client {:.2} s ({:.0} MB/s), peak +{:.1} MB; hand-written reqwest {:.2} s ({:.0} MB/s), peak +{:.1} MB; client {slower_pct:+.1}% time",
            self.name,
            ours,
            throughput(ours),
            peak(&self.ours),
            theirs,
            throughput(theirs),
            peak(&self.theirs),
        );
        summary::print(
            &format!("stream_{}_client_mbps", self.name),
            format!("{:.0}", throughput(ours)),
        );
        summary::print(
            &format!("stream_{}_reqwest_mbps", self.name),
            format!("{:.0}", throughput(theirs)),
        );
        println!(
            "  {}: fastest rounds: client {:.2} s, reqwest {:.2} s: client {fastest_pct:+.1}% time",
            self.name,
            fastest(&self.ours),
            fastest(&self.theirs)
        );
        println!(
            "  {}: processor time (median): client {:.2} s, reqwest {:.2} s: client {cpu_pct:+.1}%",
            self.name,
            cpu(&self.ours),
            cpu(&self.theirs)
        );
        summary::print(
            &format!("stream_{}_fastest_time_pct", self.name),
            format!("{fastest_pct:.1}"),
        );
        summary::print(
            &format!("stream_{}_cpu_pct", self.name),
            format!("{cpu_pct:.1}"),
        );
        summary::print(
            &format!("stream_{}_time_pct", self.name),
            format!("{slower_pct:.1}"),
        );
        summary::print(
            &format!("stream_{}_client_peak_mb", self.name),
            format!("{:.1}", peak(&self.ours)),
        );
        summary::print(
            &format!("stream_{}_reqwest_peak_mb", self.name),
            format!("{:.1}", peak(&self.theirs)),
        );
    }
}

fn main() {
    // `STREAM_BENCH_ONLY=signed_upload` (or `download`, `upload`): one transfer, for a quick look.
    let only = std::env::var("STREAM_BENCH_ONLY").ok();
    let bytes = std::env::var("STREAM_BENCH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_BYTES);
    let server = Loopback::start(REPLY);
    let base = server.base_url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let unsigned = client(&base, false);
    let signed = client(&base, true);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client");

    let upload = temp("upload.bin");
    write_file(&upload.0, bytes);
    let ours_file = temp("download-client.bin");
    let theirs_file = temp("download-reqwest.bin");

    // Warm-up: connections, buffers and lazy initialisation exist before the first baseline.
    runtime.block_on(async {
        let small = temp("warm-up.bin");
        write_file(&small.0, 4096);
        ours_download(&unsigned, 4096, &ours_file.0).await;
        reqwest_download(&http, &base, 4096, &theirs_file.0).await;
        ours_upload(&unsigned, &small.0, 4096).await;
        ours_upload(&signed, &small.0, 4096).await;
        reqwest_upload(&http, &base, &small.0, true).await;
    });

    let mut results = [
        Compared {
            name: "download",
            ours: Vec::new(),
            theirs: Vec::new(),
        },
        Compared {
            name: "upload",
            ours: Vec::new(),
            theirs: Vec::new(),
        },
        Compared {
            name: "signed_upload",
            ours: Vec::new(),
            theirs: Vec::new(),
        },
    ];
    for round in 0..ROUNDS {
        // Alternate which side goes first, so neither always follows the same transfer.
        let order = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for client_turn in order {
            let wanted = |name: &str| only.as_deref().is_none_or(|only| only == name);
            let mut record = |index: usize, sample: Sample| {
                let compared = &mut results[index];
                if client_turn {
                    compared.ours.push(sample);
                } else {
                    compared.theirs.push(sample);
                }
            };
            if wanted("download") {
                let (file, transfer) = if client_turn {
                    let transfer: std::pin::Pin<Box<dyn std::future::Future<Output = u64>>> =
                        Box::pin(ours_download(&unsigned, bytes, &ours_file.0));
                    (&ours_file.0, transfer)
                } else {
                    let transfer: std::pin::Pin<Box<dyn std::future::Future<Output = u64>>> =
                        Box::pin(reqwest_download(&http, &base, bytes, &theirs_file.0));
                    (&theirs_file.0, transfer)
                };
                let download = sample(&runtime, transfer, bytes);
                // Removed at once: its pages are then dropped rather than written out.
                let _ = std::fs::remove_file(file);
                record(0, download);
            }
            if wanted("upload") {
                let upload = if client_turn {
                    sample(&runtime, ours_upload(&unsigned, &upload.0, bytes), bytes)
                } else {
                    sample(
                        &runtime,
                        reqwest_upload(&http, &base, &upload.0, false),
                        bytes,
                    )
                };
                record(1, upload);
            }
            if wanted("signed_upload") {
                let signed_upload = if client_turn {
                    sample(&runtime, ours_upload(&signed, &upload.0, bytes), bytes)
                } else {
                    sample(
                        &runtime,
                        reqwest_upload(&http, &base, &upload.0, true),
                        bytes,
                    )
                };
                record(2, signed_upload);
            }
        }
    }
    assert_eq!(
        std::fs::metadata(&upload.0).map(|m| m.len()).ok(),
        Some(bytes)
    );
    println!(
        "streamed bodies of {bytes} bytes ({:.0} MB) over loopback, median of {ROUNDS} rounds each:",
        bytes as f64 / 1e6
    );
    summary::print("stream_bytes", bytes);
    for compared in results.iter().filter(|c| !c.ours.is_empty()) {
        compared.report(bytes);
    }
    // The body stream of `download` is a `Stream`, too: read piece by piece without saving.
    let pieces = runtime.block_on(async {
        let request = Request::new(Method::GET, "/download/3000000".to_owned());
        let mut stream = unsigned
            .download::<serde_json::Value>(request)
            .await
            .expect("200")
            .into_body();
        let mut total = 0;
        while let Some(piece) = stream.next().await {
            total += piece.expect("a piece").len();
        }
        total
    });
    assert_eq!(pieces, 3_000_000);
    for compared in &results {
        let worst = compared
            .ours
            .iter()
            .map(|s| s.peak_mb)
            .fold(0.0_f64, f64::max);
        assert!(
            worst < MAX_PEAK_MB,
            "{}: the client's peak RSS rose {worst:.1} MB above its baseline (limit {MAX_PEAK_MB} MB)",
            compared.name
        );
    }
}
