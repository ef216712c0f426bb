//! What the compiled fixtures do when run, beyond compiling: code whose snapshot shows its shape, here
//! shown to behave.

use compiled_fixtures::oas31_webhooks::types::{Webhook, WebhookParseError};

const PAID: &[u8] = br#"{"invoice":"in_1","type":"invoice.paid","amount":250}"#;

#[test]
fn webhooks_parse_by_name_and_by_their_tag() {
    match Webhook::parse("invoice.paid", PAID).expect("a paid invoice") {
        Webhook::InvoicePaid(paid) => {
            assert_eq!((paid.invoice.as_str(), paid.amount), ("in_1", 250))
        }
        other => panic!("expected InvoicePaid, got {other:?}"),
    }
    let created = br#"{"type":"customer.created","customer":"cu_9"}"#;
    match Webhook::parse_any(created).expect("a new customer") {
        Webhook::CustomerCreated(event) => assert_eq!(event.customer, "cu_9"),
        other => panic!("expected CustomerCreated, got {other:?}"),
    }
    assert!(matches!(
        Webhook::parse_any(PAID),
        Ok(Webhook::InvoicePaid(_))
    ));
}

#[test]
fn webhooks_that_do_not_fit_are_typed_errors() {
    assert!(matches!(
        Webhook::parse("invoice.refunded", PAID),
        Err(WebhookParseError::UnknownName(name)) if name == "invoice.refunded"
    ));
    assert!(matches!(
        Webhook::parse_any(br#"{"type":"invoice.refunded"}"#),
        Err(WebhookParseError::UnknownTag(tag)) if tag == "invoice.refunded"
    ));
    assert!(matches!(
        Webhook::parse_any(br#"{"invoice":"in_1"}"#),
        Err(WebhookParseError::NoTag)
    ));
    // A paid invoice without its amount is not the payload the spec describes.
    let error = Webhook::parse(
        "invoice.paid",
        br#"{"invoice":"in_1","type":"invoice.paid"}"#,
    )
    .expect_err("amount is required");
    assert!(matches!(&error, WebhookParseError::Json(_)));
    assert!(error.to_string().contains("amount"), "{error}");
}
