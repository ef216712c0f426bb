//! Requests that break a documented limit are refused before anything is sent: each test asserts the
//! error names the field and the rule, and that the server saw no request at all.

use awal_client::types::{
    CreateContactGroupRequest, CreateContactRequest, ListContactsQuery, ListRow, ListSection,
    Location, MediaType, PhoneNumberIdQuery, ReplyButton, SendButtonRequest, SendListRequest,
    SendLocationRequest, SendMediaMessageBody, SendMediaUploadRequest,
};
use awal_client::validate::Rule;
use awal_client::{Error, FilePart};
use awal_tests::harness::{avatar_png, client, start_server};
use awal_tests::{CannedResponse, TestServer};
use serde_json::json;

/// Every (field, rule) the error names.
fn problems<E: std::fmt::Debug>(error: &Error<E>) -> Vec<(String, Rule)> {
    match error {
        Error::Validation(errors) => errors
            .iter()
            .map(|e| (e.field.clone(), e.rule.clone()))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn nothing_sent(server: &TestServer) {
    assert!(
        server.requests().is_empty(),
        "the server must see no request"
    );
}

fn button(id: &str, title: &str) -> ReplyButton {
    ReplyButton {
        id: id.to_owned(),
        title: title.to_owned(),
    }
}

#[tokio::test]
async fn every_broken_limit_of_a_button_message_is_reported_at_once() {
    let server = start_server().await;
    let body = SendButtonRequest {
        footer_text: Some("f".repeat(61)),
        ..SendButtonRequest::new(
            "+966 50 000 0000",
            "Choose",
            vec![
                button("a", "One"),
                button("b", "A title longer than twenty"),
                button("c", "Three"),
                button("d", "Four"),
            ],
        )
    };
    let error = client(&server.base_url())
        .send_button_message(&PhoneNumberIdQuery::new("1"), &body)
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [
            ("body.phone".to_owned(), Rule::Pattern("^[1-9][0-9]{6,14}$")),
            ("body.buttons".to_owned(), Rule::MaxItems(3)),
            ("body.buttons[1].title".to_owned(), Rule::MaxLength(20)),
            ("body.footer_text".to_owned(), Rule::MaxLength(60)),
        ]
    );
    nothing_sent(&server);
}

#[tokio::test]
async fn nested_list_limits_name_the_item() {
    let server = start_server().await;
    let rows = (0..11)
        .map(|i| ListRow {
            id: format!("r{i}"),
            title: format!("Row {i}"),
            description: None,
        })
        .collect();
    let body = SendListRequest::new(
        "96650000000",
        "Pick",
        "Menu",
        vec![ListSection {
            title: "S".into(),
            rows,
        }],
    );
    let error = client(&server.base_url())
        .send_list_message(&PhoneNumberIdQuery::new("1"), &body)
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [("body.sections[0].rows".to_owned(), Rule::MaxItems(10))]
    );
    nothing_sent(&server);
}

#[tokio::test]
async fn numbers_out_of_range_are_refused() {
    let server = start_server().await;
    let location = Location {
        latitude: 91.0,
        longitude: -181.0,
        name: "X".into(),
        address: "Y".into(),
    };
    let error = client(&server.base_url())
        .send_location_message(
            &PhoneNumberIdQuery::new("1"),
            &SendLocationRequest::new("96650000000", location),
        )
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [
            (
                "body.location.latitude".to_owned(),
                Rule::Maximum("90".into())
            ),
            (
                "body.location.longitude".to_owned(),
                Rule::Minimum("-180".into())
            ),
        ]
    );
    let error = client(&server.base_url())
        .list_contacts(&ListContactsQuery {
            page: Some(0),
            ..Default::default()
        })
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [("query.page".to_owned(), Rule::Minimum("1".into()))]
    );
    nothing_sent(&server);
}

#[tokio::test]
async fn closed_sets_refuse_values_outside_them() {
    let server = start_server().await;
    let error = client(&server.base_url())
        .create_contact_group(&CreateContactGroupRequest::new("VIP", 2))
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [(
            "body.status".to_owned(),
            Rule::OneOf(vec!["0".into(), "1".into()])
        )]
    );
    let upload = SendMediaUploadRequest::new(
        "96650000000",
        MediaType::from("hologram"),
        FilePart::new(avatar_png(), "a.png", "image/png"),
    );
    let error = client(&server.base_url())
        .send_media_message(
            &PhoneNumberIdQuery::new("1"),
            &SendMediaMessageBody::from(upload),
        )
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [("body.type".to_owned(), Rule::KnownValue)]
    );
    nothing_sent(&server);
}

#[tokio::test]
async fn avatars_are_judged_by_their_bytes_and_size() {
    let server = start_server().await;
    let api = client(&server.base_url());
    let query = PhoneNumberIdQuery::new("1");

    // A PDF is not an avatar, whatever it is called.
    let pdf = FilePart::new(b"%PDF-1.7\n...".to_vec(), "me.png", "image/png");
    let body = CreateContactRequest {
        file: Some(pdf),
        ..CreateContactRequest::new("A", "96650000000")
    };
    let error = api
        .create_contact(&query, &body)
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [(
            "body.file".to_owned(),
            Rule::ContentType(vec!["image/jpeg", "image/png"])
        )]
    );

    // Over 5 MiB.
    let mut big = avatar_png();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let body = CreateContactRequest {
        file: Some(FilePart::new(big, "big.png", "image/png")),
        ..CreateContactRequest::new("A", "96650000000")
    };
    let error = api
        .create_contact(&query, &body)
        .await
        .expect_err("refused");
    assert_eq!(
        problems(&error),
        [("body.file".to_owned(), Rule::MaxBytes(5_242_880))]
    );
    nothing_sent(&server);

    // A PNG named .jpg and declared as JPEG is an image: it goes out.
    server.enqueue(CannedResponse::json(
        201,
        json!({"status": true, "data": {"id": 1, "name": "A", "phone": "96650000000"}}),
    ));
    let png = FilePart::new(avatar_png(), "me.jpg", "image/jpeg");
    let body = CreateContactRequest {
        file: Some(png),
        ..CreateContactRequest::new("A", "96650000000")
    };
    api.create_contact(&query, &body).await.expect("accepted");
    assert_eq!(server.requests().len(), 1);
}
