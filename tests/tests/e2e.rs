//! The generated client against a real HTTP server on 127.0.0.1: the server checks every signature with
//! its own HMAC code and parses multipart bodies with multer; the tests assert what arrived, field by
//! field and byte by byte, and how the client decoded the answer.

use awal_client::types::{
    CreateContactRequest, ErrorEnvelope, ListContactsQuery, PhoneNumberIdQuery,
    UpdateContactRequest,
};
use awal_client::{Error, FilePart, StatusCode};
use awal_tests::harness::{avatar_png, client, client_with, start_server, NOW, SECRET};
use awal_tests::{AuthOutcome, CannedResponse, FormPart};
use chrono::{TimeZone, Utc};
use serde_json::json;

fn created_contact() -> serde_json::Value {
    json!({
        "status": true,
        "message": "Contact created successfully",
        "data": {
            "id": 1,
            "name": "Ahmed Mohammed",
            "phone": "96650000000",
            "email": "ahmed@example.com",
            "contact_group_id": 1,
            "is_favorite": true,
            "avatar": "https://storage.awalchat.com/contacts/1/avatar.jpg",
            "created_at": "2024-01-15T10:30:00Z"
        }
    })
}

fn text_part(name: &str, value: &str) -> FormPart {
    FormPart {
        name: name.to_owned(),
        file_name: None,
        content_type: None,
        bytes: value.as_bytes().to_vec().into(),
    }
}

#[tokio::test]
async fn create_contact_sends_every_field_and_decodes_the_contact() {
    let server = start_server().await;
    server.enqueue(
        CannedResponse::json(201, created_contact())
            .with_header("X-RateLimit-Limit", "100")
            .with_header("X-RateLimit-Remaining", "99")
            .with_header("X-RateLimit-Reset", "1704124860"),
    );
    let avatar = avatar_png();
    let body = CreateContactRequest {
        email: Some("ahmed@example.com".to_owned()),
        branch_id: Some("3".to_owned()),
        contact_group_id: Some("1".to_owned()),
        description: Some("VIP".to_owned()),
        address: Some("King Fahd Road, Riyadh".to_owned()),
        full_name: Some("Ahmed Mohammed Al-Saud".to_owned()),
        is_favorite: Some(true),
        file: Some(FilePart::new(avatar.clone(), "avatar.png", "image/png")),
        avatar: Some("https://example.com/a.png".to_owned()),
        ..CreateContactRequest::new("Ahmed Mohammed", "96650000000")
    };
    let response = client(&server.base_url())
        .create_contact(&PhoneNumberIdQuery::new("123456"), &body)
        .await
        .expect("the server answers 201");

    // What the client decoded.
    assert_eq!(response.status(), StatusCode::CREATED);
    let contact = &response.body().data;
    assert_eq!(contact.id, 1);
    assert_eq!(contact.phone, "96650000000");
    assert_eq!(contact.contact_group_id, Some(1));
    assert_eq!(
        contact.created_at,
        Some(Utc.with_ymd_and_hms(2024, 1, 15, 10, 30, 0).unwrap())
    );
    let limits = response.rate_limit();
    assert_eq!(
        (limits.limit, limits.remaining, limits.reset),
        (Some(100), Some(99), Some(1_704_124_860))
    );

    // What the server received.
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let seen = &requests[0];
    assert_eq!(seen.auth, AuthOutcome::Valid);
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("POST", "/api/developer/contacts")
    );
    assert_eq!(seen.query.as_deref(), Some("phone_number_id=123456"));
    assert_eq!(seen.header("x-timestamp"), Some(NOW.to_string().as_str()));
    let parts = seen
        .form
        .clone()
        .expect("a multipart body")
        .expect("multer parses it");
    let expected = vec![
        text_part("name", "Ahmed Mohammed"),
        text_part("phone", "96650000000"),
        text_part("email", "ahmed@example.com"),
        text_part("branch_id", "3"),
        text_part("contact_group_id", "1"),
        text_part("description", "VIP"),
        text_part("address", "King Fahd Road, Riyadh"),
        text_part("full_name", "Ahmed Mohammed Al-Saud"),
        text_part("is_favorite", "true"),
        FormPart {
            name: "file".to_owned(),
            file_name: Some("avatar.png".to_owned()),
            content_type: Some("image/png".to_owned()),
            bytes: avatar.into(),
        },
        text_part("avatar", "https://example.com/a.png"),
    ];
    assert_eq!(parts, expected);
}

#[tokio::test]
async fn update_contact_sends_only_the_fields_that_are_set() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, created_contact()));
    let body = UpdateContactRequest {
        phone: Some("966500000003".to_owned()),
        is_favorite: Some(false),
        ..Default::default()
    };
    client(&server.base_url())
        .update_contact(7, &body)
        .await
        .expect("200");
    let seen = &server.requests()[0];
    assert_eq!(seen.auth, AuthOutcome::Valid);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        ("PATCH", "/api/developer/contacts/7", None)
    );
    let parts = seen.form.clone().expect("multipart").expect("parses");
    assert_eq!(
        parts,
        vec![
            text_part("phone", "966500000003"),
            text_part("is_favorite", "false")
        ]
    );
}

#[tokio::test]
async fn list_contacts_sends_the_query_and_decodes_the_page() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({
            "status": true,
            "data": [{"id": 1, "name": "A", "phone": "96650000000", "email": null, "avatar": null},
                     {"id": 2, "name": "B", "phone": "96650000001", "updated_at": "2024-01-20T14:30:00Z"}],
            "meta": {"current_page": 1, "per_page": 2, "total": 3, "last_page": 2}
        }),
    ));
    let query = ListContactsQuery {
        page: Some(1),
        limit: Some(2),
        search_term: Some("a b".to_owned()),
        ..Default::default()
    };
    let page = client(&server.base_url())
        .list_contacts(&query)
        .await
        .expect("200")
        .into_body();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].email, None);
    assert_eq!(
        page.data[1].updated_at,
        Some(Utc.with_ymd_and_hms(2024, 1, 20, 14, 30, 0).unwrap())
    );
    let meta = page.meta.expect("meta");
    assert_eq!((meta.current_page, meta.last_page, meta.total), (1, 2, 3));
    let seen = &server.requests()[0];
    assert_eq!(seen.auth, AuthOutcome::Valid);
    assert_eq!(
        seen.query.as_deref(),
        Some("page=1&limit=2&searchTerm=a%20b")
    );
    assert!(seen.body.is_empty());
    assert_eq!(seen.header("content-type"), None);
}

#[tokio::test]
async fn delete_contact_signs_an_empty_body() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Contact deleted successfully"}),
    ));
    let response = client(&server.base_url())
        .delete_contact(1)
        .await
        .expect("200");
    assert_eq!(
        response.message.as_deref(),
        Some("Contact deleted successfully")
    );
    let seen = &server.requests()[0];
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("DELETE", "/api/developer/contacts/1")
    );
    assert_eq!(seen.auth, AuthOutcome::Valid);
}

/// The error envelope of a failed call, or a panic naming what came instead.
fn envelope(error: &Error<ErrorEnvelope>) -> (StatusCode, &ErrorEnvelope) {
    let api = error
        .api()
        .unwrap_or_else(|| panic!("expected an API error, got {error:?}"));
    (
        api.status,
        api.body
            .as_ref()
            .unwrap_or_else(|| panic!("the envelope must parse: {}", api.raw_body)),
    )
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_server_and_surfaces_as_a_typed_401() {
    let server = start_server().await;
    let error = client_with(&server.base_url(), "not-the-secret", NOW)
        .delete_contact(1)
        .await
        .expect_err("401");
    let (status, body) = envelope(&error);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body.error, "authentication_failed");
    assert_eq!(body.request_id.as_deref(), Some("req_test"));
    assert!(matches!(
        server.requests()[0].auth,
        AuthOutcome::BadSignature { .. }
    ));
    // Neither secret shows in the error.
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("not-the-secret") && !shown.contains(SECRET),
        "{shown}"
    );
}

#[tokio::test]
async fn a_stale_clock_gets_the_403_the_docs_describe() {
    let server = start_server().await;
    let error = client_with(&server.base_url(), SECRET, NOW - 3600)
        .delete_contact(1)
        .await
        .expect_err("403");
    assert_eq!(envelope(&error).0, StatusCode::FORBIDDEN);
    assert_eq!(
        server.requests()[0].auth,
        AuthOutcome::StaleTimestamp {
            timestamp: NOW - 3600,
            now: NOW
        }
    );
}

#[tokio::test]
async fn validation_errors_keep_the_details_map() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        422,
        json!({"error": "validation_failed", "message": "Validation failed",
               "details": {"phone": "Invalid phone number format"}, "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .create_contact(
            &PhoneNumberIdQuery::new("1"),
            &CreateContactRequest::new("A", "96650000000"),
        )
        .await
        .expect_err("422");
    let (status, body) = envelope(&error);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body.details
            .as_ref()
            .and_then(|d| d.get("phone"))
            .map(String::as_str),
        Some("Invalid phone number format")
    );
    assert_eq!(error.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
}

#[tokio::test]
async fn a_non_json_error_keeps_status_and_body() {
    let server = start_server().await;
    server.enqueue(CannedResponse {
        status: 502,
        headers: vec![],
        body: b"<html>Bad Gateway</html>".to_vec(),
    });
    let error = client(&server.base_url())
        .delete_contact(1)
        .await
        .expect_err("502");
    let api = error.api().expect("an API error");
    assert_eq!(api.status, StatusCode::BAD_GATEWAY);
    assert!(api.body.is_none());
    assert_eq!(api.raw_body, "<html>Bad Gateway</html>");
}

#[tokio::test]
async fn a_success_of_the_wrong_shape_is_a_decode_error_with_the_body_start() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        201,
        json!({"status": true, "data": {"id": "not-a-number"}}),
    ));
    let error = client(&server.base_url())
        .create_contact(
            &PhoneNumberIdQuery::new("1"),
            &CreateContactRequest::new("A", "96650000000"),
        )
        .await
        .expect_err("decode error");
    match error {
        Error::Decode {
            status, body_start, ..
        } => {
            assert_eq!(status, StatusCode::CREATED);
            assert!(body_start.contains("not-a-number"), "{body_start}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn credentials_debug_never_shows_the_secret() {
    let credentials = awal_client::Credentials {
        client_id: "client-123".to_owned(),
        domain: "your-workspace".to_owned(),
        hmac_secret: awal_client::Secret::new(SECRET),
    };
    let shown = format!("{credentials:?}");
    assert!(shown.contains("client-123"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    let client = awal_client::Client::builder(credentials)
        .build()
        .expect("valid");
    assert!(!format!("{client:?}").contains(SECRET));
}
