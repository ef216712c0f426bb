//! Fixed inputs shared by the wire-snapshot and end-to-end tests: one clock, secret, boundary and set of
//! credentials, so that every request the client sends is reproducible byte for byte.

use crate::server::{ServerConfig, TestServer};
use awal_client::{Client, Credentials, RetryPolicy, Secret};

/// The HMAC secret both sides use (non-ASCII on purpose: the key is bytes, not text).
pub const SECRET: &str = "s3cr3t-مفتاح";
/// The client ID sent in `X-Client-ID`.
pub const CLIENT_ID: &str = "client-123";
/// The workspace domain sent in `X-Domain`.
pub const DOMAIN: &str = "your-workspace";
/// The fixed time of both the client's clock and the server's.
pub const NOW: u64 = 1_704_124_800;
/// The fixed multipart boundary.
pub const BOUNDARY: &str = "awal-test-boundary-0001";
/// The server's base path, as in the real API.
pub const BASE_PATH: &str = "/api/developer";

/// A server that expects [`SECRET`], [`CLIENT_ID`] and [`DOMAIN`] at [`NOW`].
pub async fn start_server() -> TestServer {
    TestServer::start(ServerConfig {
        secret: SECRET.as_bytes().to_vec(),
        client_id: CLIENT_ID.to_owned(),
        domain: DOMAIN.to_owned(),
        base_path: BASE_PATH.to_owned(),
        now: NOW,
        max_skew_seconds: 300,
    })
    .await
}

/// The generated client pointed at `base_url`, with the fixed clock, boundary and credentials.
pub fn client(base_url: &str) -> Client {
    client_with(base_url, SECRET, NOW)
}

/// As [`client`], with another secret or clock (to provoke the server's 401 and 403).
pub fn client_with(base_url: &str, secret: &str, now: u64) -> Client {
    let credentials = Credentials {
        client_id: CLIENT_ID.to_owned(),
        domain: DOMAIN.to_owned(),
        hmac_secret: Secret::new(secret),
    };
    Client::builder(credentials)
        .base_url(base_url)
        .clock(move || now)
        .boundary(|| BOUNDARY.to_owned())
        // One request per call, so each test's canned answers line up with its calls; retries have tests
        // of their own.
        .retry(RetryPolicy::none())
        .build()
        .expect("the test client configuration is valid")
}

/// A small PNG-signed file holding every byte value, CR LF pairs and `--` runs: whatever a multipart
/// encoder or parser could trip over.
pub fn avatar_png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(0u8..=255);
    bytes.extend_from_slice(b"\r\n--\r\n--awal\r\n\r\n");
    bytes.extend((0u8..=255).rev());
    bytes
}

/// A small PDF-signed invoice file (`%PDF-` header, the binary-marker comment line, CR LF line ends and a
/// short binary stream), as sent in `header_media` by Send Invoice.
pub fn invoice_pdf() -> Vec<u8> {
    let mut bytes =
        b"%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\r\n<< /Type /Catalog >>\r\nendobj\r\n\
2 0 obj\r\n<< /Length 16 /Filter /FlateDecode >>\r\nstream\r\n"
            .to_vec();
    bytes.extend((0u8..16).map(|i| i.wrapping_mul(37) ^ 0xa5));
    bytes
        .extend_from_slice(b"\r\nendstream\r\nendobj\r\ntrailer\r\n<< /Root 1 0 R >>\r\n%%EOF\r\n");
    bytes
}
