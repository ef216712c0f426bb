//! Incoming webhooks (awal-api.md §6): every documented payload, exactly as the docs print it, signed with
//! `webhooks::signature`, verified and parsed by `WebhookVerifier::parse` into the generated
//! `types::WebhookEvent`; unknown events, tampered bodies and the verification handshake.

use awal_client::types::{
    ConversationCreatedData, MessageReceivedData, MessageStatus, MessageStatusUpdatedData,
    WebhookChallengeResponse, WebhookEvent, WebhookVerification,
};
use awal_client::webhooks::{self, WebhookError, WebhookVerifier, DEFAULT_HEADER};
use awal_client::Secret;
use awal_tests::harness::SECRET;
use axum::http::{HeaderMap, HeaderValue};
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;

/// `message.received`, as awal-api.md §6.2 prints it.
const MESSAGE_RECEIVED: &str = r#"{"event": "message.received", "timestamp": "2024-01-20T10:30:00Z",
 "data": {"message_id": "wamid.HBgMOTY2NTAwMDAwMDAwFQIAERgS...", "conversation_id": 123, "from": "96650000000",
          "to": "96650000001", "type": "text", "body": "Hello, I need help", "timestamp": "2024-01-20T10:30:00Z"}}"#;

/// `message.status.updated`, as awal-api.md §6.2 prints it.
const MESSAGE_STATUS_UPDATED: &str = r#"{"event": "message.status.updated", "timestamp": "2024-01-20T10:31:00Z",
 "data": {"message_id": "wamid.HBgMOTY2NTAwMDAwMDAwFQIAERgS...", "status": "delivered", "timestamp": "2024-01-20T10:31:00Z"}}"#;

/// `conversation.created`, as awal-api.md §6.2 prints it.
const CONVERSATION_CREATED: &str = r#"{"event": "conversation.created", "timestamp": "2024-01-20T10:30:00Z",
 "data": {"conversation_id": 123, "contact_id": 456, "phone_number": "96650000000", "created_at": "2024-01-20T10:30:00Z"}}"#;

/// The verification handshake, as awal-api.md §6.1 prints it.
const HANDSHAKE: &str = r#"{"type": "verification", "challenge": "random_string_here"}"#;

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(Secret::new(SECRET))
}

/// The headers of a webhook request whose body is signed with the shared secret.
fn signed_headers(body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("Content-Type", HeaderValue::from_static("application/json"));
    let signature = webhooks::signature(SECRET.as_bytes(), body);
    headers.insert(
        DEFAULT_HEADER,
        HeaderValue::from_str(&signature).expect("ASCII"),
    );
    headers
}

/// Signs `body`, then verifies and parses it as the receiving server would.
fn receive(body: &str) -> WebhookEvent {
    verifier()
        .parse::<WebhookEvent>(&signed_headers(body.as_bytes()), body.as_bytes())
        .unwrap_or_else(|error| panic!("a signed event must parse: {error}"))
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

#[test]
fn the_signature_is_sha256_prefixed_lowercase_hex_hmac_of_the_raw_body() {
    let signature = webhooks::signature(SECRET.as_bytes(), MESSAGE_RECEIVED.as_bytes());
    // Computed independently with the hmac crate.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(MESSAGE_RECEIVED.as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(signature, expected);
    assert_eq!(DEFAULT_HEADER, "X-Awal-Signature-256");
}

#[test]
fn message_received_is_verified_and_parsed() {
    let event = receive(MESSAGE_RECEIVED);
    assert_eq!(event.tag(), Some("message.received"));
    let WebhookEvent::MessageReceived(event) = event else {
        panic!("expected MessageReceived, got {event:?}");
    };
    assert_eq!(event.event, "message.received");
    assert_eq!(event.timestamp, utc(2024, 1, 20, 10, 30, 0));
    assert_eq!(
        event.data,
        MessageReceivedData {
            message_id: "wamid.HBgMOTY2NTAwMDAwMDAwFQIAERgS...".to_owned(),
            conversation_id: 123,
            from: "96650000000".to_owned(),
            to: "96650000001".to_owned(),
            r#type: "text".to_owned(),
            body: Some("Hello, I need help".to_owned()),
            timestamp: utc(2024, 1, 20, 10, 30, 0),
        }
    );
}

#[test]
fn message_status_updated_is_verified_and_parsed() {
    let event = receive(MESSAGE_STATUS_UPDATED);
    assert_eq!(event.tag(), Some("message.status.updated"));
    let WebhookEvent::MessageStatusUpdated(event) = event else {
        panic!("expected MessageStatusUpdated, got {event:?}");
    };
    assert_eq!(event.event, "message.status.updated");
    assert_eq!(event.timestamp, utc(2024, 1, 20, 10, 31, 0));
    assert_eq!(
        event.data,
        MessageStatusUpdatedData {
            message_id: "wamid.HBgMOTY2NTAwMDAwMDAwFQIAERgS...".to_owned(),
            status: MessageStatus::Delivered,
            timestamp: utc(2024, 1, 20, 10, 31, 0),
        }
    );
}

#[test]
fn every_message_status_in_a_status_event_decodes() {
    for (wire, expected) in [
        ("sent", MessageStatus::Sent),
        ("delivered", MessageStatus::Delivered),
        ("read", MessageStatus::Read),
        ("failed", MessageStatus::Failed),
        ("deleted", MessageStatus::Unknown("deleted".to_owned())),
    ] {
        let body = MESSAGE_STATUS_UPDATED.replace("\"delivered\"", &format!("\"{wire}\""));
        match receive(&body) {
            WebhookEvent::MessageStatusUpdated(event) => {
                assert_eq!(event.data.status, expected, "{wire}")
            }
            other => panic!("expected MessageStatusUpdated, got {other:?}"),
        }
    }
}

#[test]
fn conversation_created_is_verified_and_parsed() {
    let event = receive(CONVERSATION_CREATED);
    assert_eq!(event.tag(), Some("conversation.created"));
    let WebhookEvent::ConversationCreated(event) = event else {
        panic!("expected ConversationCreated, got {event:?}");
    };
    assert_eq!(event.event, "conversation.created");
    assert_eq!(event.timestamp, utc(2024, 1, 20, 10, 30, 0));
    assert_eq!(
        event.data,
        ConversationCreatedData {
            conversation_id: 123,
            contact_id: 456,
            phone_number: "96650000000".to_owned(),
            created_at: utc(2024, 1, 20, 10, 30, 0),
        }
    );
}

#[test]
fn conversation_updated_keeps_its_undocumented_data_as_json() {
    // The docs keep only `{"event": "conversation.updated", "timestamp": "2024-01-20T10:35:00Z", ...`.
    let body = r#"{"event": "conversation.updated", "timestamp": "2024-01-20T10:35:00Z",
 "data": {"conversation_id": 123, "status": "closed", "assigned_to": {"id": 7, "name": "Sara"}, "tags": ["vip", 1, null]}}"#;
    let event = receive(body);
    assert_eq!(event.tag(), Some("conversation.updated"));
    let WebhookEvent::ConversationUpdated(event) = event else {
        panic!("expected ConversationUpdated, got {event:?}");
    };
    assert_eq!(event.event, "conversation.updated");
    assert_eq!(event.timestamp, utc(2024, 1, 20, 10, 35, 0));
    assert_eq!(
        event.data,
        Some(json!({"conversation_id": 123, "status": "closed",
                    "assigned_to": {"id": 7, "name": "Sara"}, "tags": ["vip", 1, null]}))
    );

    // Without `data` at all.
    let bare = r#"{"event": "conversation.updated", "timestamp": "2024-01-20T10:35:00Z"}"#;
    match receive(bare) {
        WebhookEvent::ConversationUpdated(event) => assert_eq!(event.data, None),
        other => panic!("expected ConversationUpdated, got {other:?}"),
    }
}

#[test]
fn an_unknown_event_is_kept_as_json() {
    let body = r#"{"event": "order.updated", "timestamp": "2024-01-20T14:30:00Z",
 "data": {"order_id": 1, "order_number": "ORD-2024-001", "status": "shipped", "total": 1450.00}}"#;
    let event = receive(body);
    assert_eq!(event.tag(), Some("order.updated"));
    let expected: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(event, WebhookEvent::Unknown(expected.clone()));
    // Re-serialized, it is the JSON that came in.
    assert_eq!(serde_json::to_value(&event).expect("serializes"), expected);
}

#[test]
fn a_tampered_body_is_a_signature_mismatch() {
    let headers = signed_headers(MESSAGE_RECEIVED.as_bytes());
    let tampered = MESSAGE_RECEIVED.replace("\"conversation_id\": 123", "\"conversation_id\": 124");
    assert_ne!(tampered, MESSAGE_RECEIVED);
    let result = verifier().parse::<WebhookEvent>(&headers, tampered.as_bytes());
    assert!(
        matches!(result, Err(WebhookError::SignatureMismatch)),
        "{result:?}"
    );
    // Whitespace counts too: the signature covers the raw bytes, not the JSON value.
    let reformatted = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(MESSAGE_RECEIVED).expect("JSON"),
    )
    .expect("JSON");
    assert!(matches!(
        verifier().parse::<WebhookEvent>(&headers, reformatted.as_bytes()),
        Err(WebhookError::SignatureMismatch)
    ));
    // The untouched body still passes with the same headers.
    assert!(verifier()
        .parse::<WebhookEvent>(&headers, MESSAGE_RECEIVED.as_bytes())
        .is_ok());
}

#[test]
fn another_secret_or_no_signature_is_refused() {
    let body = CONVERSATION_CREATED.as_bytes();
    let other = WebhookVerifier::new(Secret::new("not-the-webhook-secret"));
    assert!(matches!(
        other.parse::<WebhookEvent>(&signed_headers(body), body),
        Err(WebhookError::SignatureMismatch)
    ));
    assert!(matches!(
        verifier().parse::<WebhookEvent>(&HeaderMap::new(), body),
        Err(WebhookError::MissingSignature { header }) if header == DEFAULT_HEADER
    ));
}

#[test]
fn a_signed_body_that_is_not_an_event_is_invalid() {
    // A known event name with a missing field: the signature is right, the body is not that event.
    let body = r#"{"event": "message.received", "timestamp": "2024-01-20T10:30:00Z", "data": {"conversation_id": 123}}"#;
    let result =
        verifier().parse::<WebhookEvent>(&signed_headers(body.as_bytes()), body.as_bytes());
    assert!(
        matches!(result, Err(WebhookError::InvalidBody(_))),
        "{result:?}"
    );
}

#[test]
fn the_handshake_echoes_the_challenge() {
    let answer = webhooks::handshake_response(HANDSHAKE.as_bytes()).expect("a handshake");
    assert_eq!(answer, br#"{"challenge":"random_string_here"}"#);
    let parsed: WebhookChallengeResponse = serde_json::from_slice(&answer).expect("JSON");
    assert_eq!(parsed.challenge, "random_string_here");

    let request: WebhookVerification = serde_json::from_str(HANDSHAKE).expect("JSON");
    assert_eq!(
        (request.r#type.as_str(), request.challenge.as_str()),
        ("verification", "random_string_here")
    );
    // Events are not handshakes.
    for event in [
        MESSAGE_RECEIVED,
        MESSAGE_STATUS_UPDATED,
        CONVERSATION_CREATED,
    ] {
        assert_eq!(webhooks::handshake_response(event.as_bytes()), None);
    }
}
