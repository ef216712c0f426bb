//! Signing and encoding a create-contact request with a 5 MiB avatar (issue 6, target 3).
//!
//! Two benchmarks in one group, so both come from the same run on the same machine:
//!
//! - `floor_hmac_sha256`: one HMAC-SHA256 pass over the 5 MiB file, with `hmac` + `sha2` directly. No client
//!   can sign the body for less.
//! - `to_form_encode_sign`: what the client does per call before sending: the generated `to_form()`, a fresh
//!   boundary, [`Form::encode`](awal_client::runtime::multipart::Form::encode) (boundary scan, size pass, one copy)
//!   and [`SIGNING_RULE`](awal_client::SIGNING_RULE)`.signature(...)` over the encoded bytes.
//!
//! The target is `to_form_encode_sign` within 1.3x of the floor. After criterion, the two also run in paired
//! rounds (`support/paired.rs`: alternating, median of the per-round ratios), which is the ratio reported
//! as a `bench-summary` line, robust to load that changes between criterion's windows. Before criterion runs, a counting global
//! allocator measures the bytes `to_form_encode_sign` allocates, prints the number and asserts it is about
//! one copy of the file (at most 1.1 x 5 MiB + 64 KiB).
//!
//! ```sh
//! cargo bench -p awal-client --bench sign_encode -- --warm-up-time 1 --measurement-time 3
//! ```

#[path = "support/paired.rs"]
mod paired;
#[path = "support/summary.rs"]
mod summary;

use awal_client::runtime::multipart;
use awal_client::signing::Message;
use awal_client::types::CreateContactRequest;
use awal_client::{FilePart, SIGNING_RULE};
use bytes::Bytes;
use criterion::{criterion_group, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

/// 5 MiB: the largest avatar the API accepts.
const FILE_LEN: usize = 5 * 1024 * 1024;
const SECRET: &[u8] = b"your-hmac-secret";
const TIMESTAMP: u64 = 1_704_124_800;

/// [`System`], counting every byte asked for (a `realloc` counts its whole new size, which can only
/// overstate).
struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; the counter has no effect on the allocations.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` through this wrapper with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: as for `dealloc`; `new_size` is the caller's, under `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A 5 MiB buffer that starts with the PNG signature, then pseudo-random bytes (xorshift), so it does not
/// compress or repeat and the boundary scan does real work.
fn avatar() -> Vec<u8> {
    let mut bytes = Vec::with_capacity(FILE_LEN);
    bytes.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while bytes.len() < FILE_LEN {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let take = (FILE_LEN - bytes.len()).min(8);
        bytes.extend_from_slice(&state.to_le_bytes()[..take]);
    }
    bytes
}

fn request() -> CreateContactRequest {
    let file = FilePart::new(avatar(), "avatar.png", "image/png");
    assert_eq!(file.detected_content_type(), Some("image/png"));
    CreateContactRequest {
        email: Some("ahmed@example.com".into()),
        is_favorite: Some(true),
        file: Some(file),
        ..CreateContactRequest::new("Ahmed Mohammed", "96650000000")
    }
}

/// The floor: one HMAC-SHA256 pass over the file's bytes.
fn floor(file: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
    mac.update(file);
    mac.finalize().into_bytes().into()
}

/// The client's per-call work on a multipart body: form, boundary, encode (one copy), shared bytes, signature.
fn to_form_encode_sign(request: &CreateContactRequest) -> (Bytes, String) {
    let form = request.to_form();
    let boundary = multipart::random_boundary();
    let body = Bytes::from(form.encode(&boundary).expect("encodes"));
    let signature = SIGNING_RULE.signature(
        SECRET,
        &Message {
            method: "POST",
            path: "/contacts",
            query: "?phone_number_id=123456789012345",
            timestamp: TIMESTAMP,
            body: &body,
        },
    );
    (body, signature)
}

/// Bytes allocated by one `to_form_encode_sign` call: printed, and held to about one copy of the file.
fn allocation_check(request: &CreateContactRequest) -> usize {
    // One call first, so one-time lazy initialisation (e.g. CPU feature detection) is not counted.
    drop(black_box(to_form_encode_sign(request)));
    let before = ALLOCATED.load(Ordering::Relaxed);
    let out = black_box(to_form_encode_sign(request));
    let allocated = ALLOCATED.load(Ordering::Relaxed) - before;
    drop(out);
    let limit = FILE_LEN + FILE_LEN / 10 + 64 * 1024;
    println!(
        "create_contact_5MiB/to_form_encode_sign allocates {allocated} bytes per call \
         (file {FILE_LEN} bytes, {:.4}x; limit {limit})",
        allocated as f64 / FILE_LEN as f64
    );
    assert!(
        allocated <= limit,
        "to_form_encode_sign allocated {allocated} bytes, more than about one copy of the {FILE_LEN}-byte file"
    );
    allocated
}

fn sign_encode(c: &mut Criterion) {
    let request = request();
    let file = request
        .file
        .as_ref()
        .and_then(|file| file.bytes())
        .expect("a file in memory")
        .clone();

    let mut group = c.benchmark_group("create_contact_5MiB");
    group.throughput(Throughput::Bytes(FILE_LEN as u64));
    group.bench_function("floor_hmac_sha256", |b| b.iter(|| floor(black_box(&file))));
    group.bench_function("to_form_encode_sign", |b| {
        b.iter(|| to_form_encode_sign(black_box(&request)))
    });
    group.finish();
}

criterion_group!(benches, sign_encode);

/// The floor and the client's work in paired rounds; prints the median ratio.
fn paired_ratio(request: &CreateContactRequest) {
    let file = request
        .file
        .as_ref()
        .and_then(|file| file.bytes())
        .expect("a file in memory")
        .clone();
    let rounds = paired::measure(
        41,
        20,
        &mut [
            &mut || {
                black_box(floor(black_box(&file)));
            },
            &mut || drop(black_box(to_form_encode_sign(black_box(request)))),
        ],
    );
    println!(
        "create_contact_5MiB paired ({} rounds of 20): floor {:.3} ms, to_form_encode_sign {:.3} ms, \
         ratio {:.3}",
        rounds.len(),
        rounds.seconds(0) * 1e3,
        rounds.seconds(1) * 1e3,
        rounds.ratio(1, 0)
    );
    summary::print("sign_floor_s", rounds.seconds(0));
    summary::print("sign_client_s", rounds.seconds(1));
    summary::print("sign_ratio", format!("{:.3}", rounds.ratio(1, 0)));
}

fn main() {
    summary::start();
    let request = request();
    let allocated = allocation_check(&request);
    summary::print("sign_allocated_bytes", allocated);
    summary::print(
        "sign_allocated_copies",
        format!("{:.4}", allocated as f64 / FILE_LEN as f64),
    );
    benches();
    Criterion::default().configure_from_args().final_summary();
    for function in ["floor_hmac_sha256", "to_form_encode_sign"] {
        if let Some(seconds) = summary::seconds("create_contact_5MiB", function) {
            summary::print(&format!("sign_criterion_{function}_s"), seconds);
        }
    }
    if paired::benchmarking() {
        paired_ratio(&request);
    }
}
