//! Sending messages, end to end (awal-api.md §3.5): text, media by link and by upload, templates with
//! named and positional parameters, reply buttons, lists and locations. The test server checks every
//! signature with its own code and parses multipart bodies with multer; each test asserts what arrived
//! and how the client decoded the answer.

use awal_client::types::{
    HeaderType, ListRow, ListSection, Location, MediaType, MessageStatus, PhoneNumberIdQuery,
    ReplyButton, SendButtonRequest, SendListRequest, SendLocationRequest, SendMediaLinkRequest,
    SendMediaMessageBody, SendMediaUploadRequest, SendTemplateRequest, SendTextRequest,
    TemplateBodyParams, TemplateButtonParam, TemplateNamedParam,
};
use awal_client::{Error, ErrorKind, FilePart, StatusCode};
use awal_tests::harness::{avatar_png, client, start_server};
use awal_tests::{AuthOutcome, CannedResponse, FormPart, RecordedRequest, TestServer};
use chrono::{TimeZone, Utc};
use serde_json::json;

const PHONE_NUMBER_ID: &str = "123456789012345";
const MULTIPART: &str = "multipart/form-data; boundary=awal-test-boundary-0001";

fn phone_number_id() -> PhoneNumberIdQuery {
    PhoneNumberIdQuery::new(PHONE_NUMBER_ID)
}

/// Every request the server received, each of which must have passed the signature check.
fn signed_requests(server: &TestServer, count: usize) -> Vec<RecordedRequest> {
    let requests = server.requests();
    assert_eq!(requests.len(), count, "requests reaching the server");
    for request in &requests {
        assert_eq!(request.auth, AuthOutcome::Valid, "{}", request.wire_text());
    }
    requests
}

/// Method, path and query of a request to one of the send operations.
fn assert_sent_to(request: &RecordedRequest, path: &str) {
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("POST", path, Some("phone_number_id=123456789012345"))
    );
}

/// The JSON body of a request, parsed, after checking its content type.
fn json_body(request: &RecordedRequest) -> serde_json::Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    serde_json::from_slice(&request.body).expect("the body is JSON")
}

/// The multipart parts of a request, as multer parsed them, after checking its content type.
fn form_parts(request: &RecordedRequest) -> Vec<FormPart> {
    assert_eq!(request.header("content-type"), Some(MULTIPART));
    request
        .form
        .clone()
        .expect("a multipart body")
        .expect("multer parses it")
}

fn text_part(name: &str, value: &str) -> FormPart {
    FormPart {
        name: name.to_owned(),
        file_name: None,
        content_type: None,
        bytes: value.as_bytes().to_vec().into(),
    }
}

fn file_part(name: &str, file_name: &str, content_type: &str, bytes: Vec<u8>) -> FormPart {
    FormPart {
        name: name.to_owned(),
        file_name: Some(file_name.to_owned()),
        content_type: Some(content_type.to_owned()),
        bytes: bytes.into(),
    }
}

/// The documented Send Button response; Send List, Location, Media and Template responses are not
/// documented and are assumed to have this shape.
fn sent(id: i64) -> CannedResponse {
    CannedResponse::json(
        200,
        json!({"status": true, "message": {"id": id, "messageId": "wamid.HBgNOTY2NTA...", "status": "sent"}}),
    )
}

#[tokio::test]
async fn send_text_message_sends_json_and_decodes_the_unix_timestamp() {
    let server = start_server().await;
    server.enqueue(
        CannedResponse::json(
            200,
            json!({"status": true, "message": {"id": 12345, "messageId": "wamid.HBgNOTY2NTA...", "status": "sent", "timestamp": 1704124800}}),
        )
        .with_header("X-RateLimit-Limit", "1000")
        .with_header("X-RateLimit-Remaining", "999")
        .with_header("X-RateLimit-Reset", "1704124800"),
    );
    let body = SendTextRequest {
        name: Some("Ahmed Mohammed".to_owned()),
        email: Some("ahmed@example.com".to_owned()),
        reply_to: Some("wamid.HBgNOTY2NTA...".to_owned()),
        preview_url: Some(true),
        ..SendTextRequest::new(
            "96650000000",
            "Hello Ahmed! Track your order: https://example.com/track/ORD-2024-001",
        )
    };
    let response = client(&server.base_url())
        .send_text_message(&phone_number_id(), &body)
        .await
        .expect("200");

    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.status);
    let message = &response.message;
    assert_eq!(message.id, 12345);
    assert_eq!(message.message_id, "wamid.HBgNOTY2NTA...");
    assert_eq!(message.status, MessageStatus::Sent);
    // 1704124800 Unix seconds is 2024-01-01T16:00:00Z.
    assert_eq!(
        message.timestamp,
        Some(Utc.with_ymd_and_hms(2024, 1, 1, 16, 0, 0).unwrap())
    );
    assert_eq!(message.date, None);
    let limits = response.rate_limit();
    assert_eq!(
        (limits.limit, limits.remaining, limits.reset),
        (Some(1000), Some(999), Some(1_704_124_800))
    );

    let seen = &signed_requests(&server, 1)[0];
    assert_sent_to(seen, "/api/developer/w/message/text");
    assert_eq!(
        json_body(seen),
        json!({"phone": "96650000000",
               "body": "Hello Ahmed! Track your order: https://example.com/track/ORD-2024-001",
               "name": "Ahmed Mohammed", "email": "ahmed@example.com",
               "reply_to": "wamid.HBgNOTY2NTA...", "preview_url": true})
    );
}

#[tokio::test]
async fn send_text_message_leaves_unset_optional_fields_out() {
    let server = start_server().await;
    server.enqueue(sent(12345));
    client(&server.base_url())
        .send_text_message(
            &phone_number_id(),
            &SendTextRequest::new("96650000000", "Hello"),
        )
        .await
        .expect("200");
    let seen = &signed_requests(&server, 1)[0];
    assert_eq!(&seen.body[..], br#"{"phone":"96650000000","body":"Hello"}"#);
}

#[tokio::test]
async fn send_media_message_by_link_is_json_and_by_upload_is_multipart() {
    let server = start_server().await;
    server.enqueue(sent(12350));
    server.enqueue(sent(12351));
    let client = client(&server.base_url());

    // The body type makes the caller pick one of the two documented ways.
    let by_link = SendMediaMessageBody::Json(SendMediaLinkRequest {
        phone: "96650000000".to_owned(),
        r#type: MediaType::Image,
        link: "https://example.com/images/summer-collection.jpg".to_owned(),
        caption: Some("Our summer collection".to_owned()),
    });
    let image = avatar_png();
    let by_upload: SendMediaMessageBody = SendMediaUploadRequest {
        caption: Some("Our summer collection".to_owned()),
        file_name: Some("summer-collection.png".to_owned()),
        ..SendMediaUploadRequest::new(
            "96650000000",
            MediaType::Image,
            FilePart::new(image.clone(), "summer-collection.png", "image/png"),
        )
    }
    .into();
    assert!(matches!(by_upload, SendMediaMessageBody::Multipart(_)));

    let first = client
        .send_media_message(&phone_number_id(), &by_link)
        .await
        .expect("200");
    let second = client
        .send_media_message(&phone_number_id(), &by_upload)
        .await
        .expect("200");
    assert_eq!(
        (first.message.id, first.message.status.clone()),
        (12350, MessageStatus::Sent)
    );
    assert_eq!(second.message.id, 12351);
    assert_eq!(second.message.timestamp, None);

    let requests = signed_requests(&server, 2);
    let (link, upload) = (&requests[0], &requests[1]);
    assert_sent_to(link, "/api/developer/w/message/media");
    assert_sent_to(upload, "/api/developer/w/message/media");
    assert_ne!(
        link.header("content-type"),
        upload.header("content-type"),
        "the same operation is sent as JSON or as multipart"
    );
    assert_eq!(link.form, None);
    assert_eq!(
        json_body(link),
        json!({"phone": "96650000000", "type": "image",
               "link": "https://example.com/images/summer-collection.jpg",
               "caption": "Our summer collection"})
    );
    assert_eq!(
        form_parts(upload),
        vec![
            text_part("phone", "96650000000"),
            text_part("type", "image"),
            file_part("file", "summer-collection.png", "image/png", image),
            text_part("caption", "Our summer collection"),
            text_part("file_name", "summer-collection.png"),
        ]
    );
}

#[tokio::test]
async fn a_document_streamed_from_disk_is_signed_over_the_bytes_sent() {
    let server = start_server().await;
    server.enqueue(sent(12352));
    let client = client(&server.base_url());
    // Larger than the pieces the file is read and sent in, so it goes out in several.
    let mut document = awal_tests::harness::invoice_pdf();
    document.extend((0..700_000u32).map(|i| (i % 241) as u8));
    let dir = std::env::temp_dir().join(format!("awal-streamed-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("invoice.pdf");
    std::fs::write(&path, &document).expect("write the document");

    let file = FilePart::open(&path).await.expect("open the document");
    assert!(file.is_streamed() && file.bytes().is_none());
    assert_eq!(file.content_type(), "application/pdf");
    let body: SendMediaMessageBody =
        SendMediaUploadRequest::new("96650000000", MediaType::Document, file).into();
    let sent = client
        .send_media_message(&phone_number_id(), &body)
        .await
        .expect("200");
    assert_eq!(sent.message.id, 12352);

    // The server checked the signature with its own HMAC code over the body it received, and multer
    // found the whole document in it.
    let requests = signed_requests(&server, 1);
    assert_eq!(
        form_parts(&requests[0]),
        vec![
            text_part("phone", "96650000000"),
            text_part("type", "document"),
            file_part("file", "invoice.pdf", "application/pdf", document),
        ]
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn every_documented_media_type_is_sent_and_an_unknown_one_is_refused_before_sending() {
    let server = start_server().await;
    let types = [
        (MediaType::Image, "image"),
        (MediaType::Video, "video"),
        (MediaType::Audio, "audio"),
        (MediaType::Document, "document"),
        (MediaType::Sticker, "sticker"),
    ];
    let client = client(&server.base_url());
    let link_body = |media_type: MediaType| {
        SendMediaMessageBody::from(SendMediaLinkRequest {
            phone: "96650000000".to_owned(),
            r#type: media_type,
            link: "https://example.com/media/file".to_owned(),
            caption: None,
        })
    };
    for (media_type, _) in &types {
        server.enqueue(sent(1));
        client
            .send_media_message(&phone_number_id(), &link_body(media_type.clone()))
            .await
            .expect("200");
    }
    let requests = signed_requests(&server, types.len());
    for (request, (_, wire)) in requests.iter().zip(&types) {
        assert_eq!(
            json_body(request),
            json!({"phone": "96650000000", "type": wire, "link": "https://example.com/media/file"})
        );
    }

    // A value the docs do not list decodes as `Unknown` in responses, but the client refuses to send one.
    let unknown = MediaType::Unknown("gif".to_owned());
    assert_eq!(unknown.as_str(), "gif");
    assert_eq!(MediaType::from("gif"), unknown);
    let error = client
        .send_media_message(&phone_number_id(), &link_body(unknown))
        .await
        .expect_err("refused locally");
    // MediaType is a closed set (`x-closed`): the docs list every media type the API accepts.
    match &error {
        Error::Validation(problems) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].field, "body.type");
            assert_eq!(problems[0].rule, awal_client::validate::Rule::KnownValue);
            assert!(problems[0].found.contains("gif"), "{problems:?}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    // Nothing reached the server, so there is no server-side kind.
    assert_eq!(error.kind(), None);
    assert_eq!(server.requests().len(), types.len());
}

#[tokio::test]
async fn send_template_message_with_named_params_sends_them_as_compact_json_text() {
    let server = start_server().await;
    server.enqueue(sent(12347));
    let banner = avatar_png();
    let named = |name: &str, value: &str| TemplateNamedParam {
        name: name.to_owned(),
        value: value.to_owned(),
    };
    let body = SendTemplateRequest {
        header_value: Some("https://example.com/offer-banner.jpg".to_owned()),
        header_media: Some(FilePart::new(
            banner.clone(),
            "offer-banner.png",
            "image/png",
        )),
        body_params: Some(TemplateBodyParams::Named(vec![
            named("offer_code", "SUMMER25"),
            named("expiry_date", "2025-06-30"),
        ])),
        button_params: Some(vec![TemplateButtonParam {
            index: 0,
            name: Some("offer_id".to_owned()),
            value: "12345".to_owned(),
        }]),
        ..SendTemplateRequest::new(2, "96650000000", HeaderType::Image)
    };
    let response = client(&server.base_url())
        .send_template_message(&phone_number_id(), &body)
        .await
        .expect("200");
    assert_eq!(response.message.id, 12347);
    assert_eq!(response.message.message_id, "wamid.HBgNOTY2NTA...");

    let seen = &signed_requests(&server, 1)[0];
    assert_sent_to(seen, "/api/developer/w/message/template");
    assert_eq!(
        form_parts(seen),
        vec![
            text_part("template_id", "2"),
            text_part("phone", "96650000000"),
            text_part("header_type", "IMAGE"),
            text_part("header_value", "https://example.com/offer-banner.jpg"),
            file_part("header_media", "offer-banner.png", "image/png", banner),
            text_part(
                "body_params",
                r#"[{"name":"offer_code","value":"SUMMER25"},{"name":"expiry_date","value":"2025-06-30"}]"#
            ),
            text_part(
                "button_params",
                r#"[{"index":0,"name":"offer_id","value":"12345"}]"#
            ),
        ]
    );
    let body_params: serde_json::Value =
        serde_json::from_slice(&seen.form_part("body_params").expect("body_params").bytes)
            .expect("JSON text");
    assert_eq!(
        body_params,
        json!([{"name": "offer_code", "value": "SUMMER25"}, {"name": "expiry_date", "value": "2025-06-30"}])
    );
}

#[tokio::test]
async fn send_template_message_with_positional_params_sends_a_plain_array() {
    let server = start_server().await;
    server.enqueue(sent(12348));
    let banner = avatar_png();
    let body = SendTemplateRequest {
        header_media: Some(FilePart::new(
            banner.clone(),
            "offer-banner.png",
            "image/png",
        )),
        body_params: Some(TemplateBodyParams::Positional(vec![
            "Mohammed".to_owned(),
            "2025-06-30".to_owned(),
        ])),
        ..SendTemplateRequest::new(2, "96650000000", HeaderType::Image)
    };
    let response = client(&server.base_url())
        .send_template_message(&phone_number_id(), &body)
        .await
        .expect("200");
    assert_eq!(response.message.id, 12348);

    let seen = &signed_requests(&server, 1)[0];
    assert_sent_to(seen, "/api/developer/w/message/template");
    assert_eq!(
        form_parts(seen),
        vec![
            text_part("template_id", "2"),
            text_part("phone", "96650000000"),
            text_part("header_type", "IMAGE"),
            file_part("header_media", "offer-banner.png", "image/png", banner),
            text_part("body_params", r#"["Mohammed","2025-06-30"]"#),
        ]
    );
}

#[tokio::test]
async fn the_template_rate_limit_surfaces_with_its_retry_after() {
    let server = start_server().await;
    server.enqueue(
        CannedResponse::json(
            429,
            json!({"error": "Rate limit exceeded", "message": "You have exceeded the rate limit. Please try again later."}),
        )
        .with_header("X-RateLimit-Limit", "100")
        .with_header("X-RateLimit-Remaining", "0")
        .with_header("X-RateLimit-Reset", "1704128400")
        .with_header("Retry-After", "3600"),
    );
    let error = client(&server.base_url())
        .send_template_message(
            &phone_number_id(),
            &SendTemplateRequest::new(2, "96650000000", HeaderType::Text),
        )
        .await
        .expect_err("429");
    assert_eq!(error.kind(), Some(ErrorKind::RateLimited));
    let api = error.api().expect("an API error");
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    let limits = api.rate_limit();
    assert_eq!(
        (
            limits.limit,
            limits.remaining,
            limits.reset,
            limits.retry_after
        ),
        (Some(100), Some(0), Some(1_704_128_400), Some(3600))
    );
    assert_eq!(
        api.body.as_ref().map(|body| body.error.as_str()),
        Some("Rate limit exceeded")
    );
    // A one-hour Retry-After is past the default retry budget: returned at once, not retried.
    assert_eq!(signed_requests(&server, 1).len(), 1);
}

#[tokio::test]
async fn send_button_message_sends_the_buttons_and_decodes_a_response_without_time() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": {"id": 12346, "messageId": "wamid.HBgNOTY2NTA...", "status": "sent"}}),
    ));
    let button = |id: &str, title: &str| ReplyButton {
        id: id.to_owned(),
        title: title.to_owned(),
    };
    let body = SendButtonRequest {
        header_text: Some("Order ORD-2024-001".to_owned()),
        footer_text: Some("Awal Chat".to_owned()),
        ..SendButtonRequest::new(
            "96650000000",
            "Your order is ready. How would you like to receive it?",
            vec![
                button("delivery", "Delivery"),
                button("pickup", "Store pickup"),
                button("support", "Talk to us"),
            ],
        )
    };
    let response = client(&server.base_url())
        .send_button_message(&phone_number_id(), &body)
        .await
        .expect("200");
    let message = &response.message;
    assert_eq!(message.id, 12346);
    assert_eq!(message.message_id, "wamid.HBgNOTY2NTA...");
    assert_eq!(message.status, MessageStatus::Sent);
    assert_eq!((message.timestamp, message.date), (None, None));

    let seen = &signed_requests(&server, 1)[0];
    assert_sent_to(seen, "/api/developer/w/message/button");
    assert_eq!(
        json_body(seen),
        json!({"phone": "96650000000",
               "body_text": "Your order is ready. How would you like to receive it?",
               "buttons": [{"id": "delivery", "title": "Delivery"},
                           {"id": "pickup", "title": "Store pickup"},
                           {"id": "support", "title": "Talk to us"}],
               "header_text": "Order ORD-2024-001", "footer_text": "Awal Chat"})
    );
}

#[tokio::test]
async fn send_list_message_sends_sections_and_rows() {
    let server = start_server().await;
    server.enqueue(sent(12349));
    let body = SendListRequest {
        header_text: Some("Our menu".to_owned()),
        footer_text: Some("Prices include VAT".to_owned()),
        ..SendListRequest::new(
            "96650000000",
            "What would you like to order today?",
            "View menu",
            vec![
                ListSection {
                    title: "Main dishes".to_owned(),
                    rows: vec![
                        ListRow {
                            id: "kabsa".to_owned(),
                            title: "Chicken kabsa".to_owned(),
                            description: Some("Rice with spiced chicken, 45 SAR".to_owned()),
                        },
                        ListRow {
                            id: "mandi".to_owned(),
                            title: "Lamb mandi".to_owned(),
                            description: None,
                        },
                    ],
                },
                ListSection {
                    title: "Drinks".to_owned(),
                    rows: vec![ListRow {
                        id: "qahwa".to_owned(),
                        title: "Arabic coffee".to_owned(),
                        description: Some("With dates".to_owned()),
                    }],
                },
            ],
        )
    };
    let response = client(&server.base_url())
        .send_list_message(&phone_number_id(), &body)
        .await
        .expect("200");
    assert_eq!(response.message.id, 12349);

    let seen = &signed_requests(&server, 1)[0];
    assert_sent_to(seen, "/api/developer/w/message/list");
    assert_eq!(
        json_body(seen),
        json!({"phone": "96650000000", "body_text": "What would you like to order today?",
               "button_text": "View menu",
               "sections": [
                 {"title": "Main dishes", "rows": [
                   {"id": "kabsa", "title": "Chicken kabsa", "description": "Rice with spiced chicken, 45 SAR"},
                   {"id": "mandi", "title": "Lamb mandi"}]},
                 {"title": "Drinks", "rows": [
                   {"id": "qahwa", "title": "Arabic coffee", "description": "With dates"}]}],
               "header_text": "Our menu", "footer_text": "Prices include VAT"})
    );
}

#[tokio::test]
async fn send_location_message_sends_the_documented_example_byte_for_byte() {
    let server = start_server().await;
    server.enqueue(sent(12352));
    let body = SendLocationRequest::new(
        "96650000000",
        Location {
            latitude: 24.7136,
            longitude: 46.6753,
            name: "Riyadh Park".to_owned(),
            address: "King Fahd Road, Riyadh, Saudi Arabia".to_owned(),
        },
    );
    let response = client(&server.base_url())
        .send_location_message(&phone_number_id(), &body)
        .await
        .expect("200");
    assert_eq!(response.message.id, 12352);

    let seen = &signed_requests(&server, 1)[0];
    assert_sent_to(seen, "/api/developer/w/message/location");
    assert_eq!(
        json_body(seen),
        json!({"phone": "96650000000", "location": {"latitude": 24.7136, "longitude": 46.6753,
               "name": "Riyadh Park", "address": "King Fahd Road, Riyadh, Saudi Arabia"}})
    );
    assert_eq!(
        std::str::from_utf8(&seen.body).expect("UTF-8"),
        r#"{"phone":"96650000000","location":{"latitude":24.7136,"longitude":46.6753,"name":"Riyadh Park","address":"King Fahd Road, Riyadh, Saudi Arabia"}}"#
    );
}

#[tokio::test]
async fn a_refused_message_keeps_the_documented_validation_details() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        400,
        json!({"error": "validation_failed", "message": "Validation failed",
               "details": {"phone": "Invalid phone number format", "body": "Message body is required"},
               "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .send_text_message(&phone_number_id(), &SendTextRequest::new("96650000000", ""))
        .await
        .expect_err("400");
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    let body = error
        .api()
        .and_then(|api| api.body.as_ref())
        .expect("the error envelope parses");
    assert_eq!(body.error, "validation_failed");
    assert_eq!(body.message, "Validation failed");
    let details = body.details.as_ref().expect("details");
    assert_eq!(details.len(), 2);
    assert_eq!(details["phone"], "Invalid phone number format");
    assert_eq!(details["body"], "Message body is required");
    assert_eq!(body.request_id.as_deref(), Some("req_abc123xyz"));
}

#[tokio::test]
async fn an_unknown_sent_message_status_is_kept() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": {"id": 12353, "messageId": "wamid.HBgNOTY2NTA...", "status": "queued"}}),
    ));
    let response = client(&server.base_url())
        .send_text_message(
            &phone_number_id(),
            &SendTextRequest::new("96650000000", "Hello"),
        )
        .await
        .expect("200");
    assert_eq!(
        response.message.status,
        MessageStatus::Unknown("queued".to_owned())
    );
}
