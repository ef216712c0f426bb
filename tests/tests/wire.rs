//! The exact wire request of every operation, for a fixed clock, secret and boundary, as the test server
//! received it: request line, headers (signature included) and body. A change to any byte of what the
//! client sends shows up as a snapshot diff (`cargo insta review`).

use awal_client::types::{
    PhoneNumberIdQuery, CreateContactRequest, ListContactsQuery, UpdateContactRequest,
};
use awal_client::FilePart;
use awal_tests::harness::{avatar_png, client, start_server};
use awal_tests::{AuthOutcome, CannedResponse, RecordedRequest, TestServer};
use serde_json::json;

fn contact_json() -> serde_json::Value {
    json!({"status": true, "message": "ok", "data": {"id": 1, "name": "Ahmed Mohammed", "phone": "96650000000"}})
}

/// The one request the server received, which must have passed its signature check.
fn only_request(server: &TestServer) -> RecordedRequest {
    let mut requests = server.requests();
    assert_eq!(
        requests.len(),
        1,
        "exactly one request must reach the server"
    );
    let request = requests.remove(0);
    assert_eq!(request.auth, AuthOutcome::Valid, "{}", request.wire_text());
    request
}

#[tokio::test]
async fn create_contact_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(201, contact_json()));
    let body = CreateContactRequest {
        email: Some("ahmed@example.com".to_owned()),
        branch_id: Some("3".to_owned()),
        contact_group_id: Some("1".to_owned()),
        description: Some("VIP — يفضل واتساب".to_owned()),
        address: Some("King Fahd Road, Riyadh".to_owned()),
        full_name: Some("Ahmed Mohammed Al-Saud".to_owned()),
        is_favorite: Some(true),
        file: Some(FilePart::new(avatar_png(), "avatar.png", "image/png")),
        avatar: Some("https://storage.awalchat.com/contacts/1/avatar.jpg".to_owned()),
        ..CreateContactRequest::new("Ahmed Mohammed", "96650000000")
    };
    client(&server.base_url())
        .create_contact(&PhoneNumberIdQuery::new("123456"), &body)
        .await
        .expect("201");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn update_contact_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, contact_json()));
    let body = UpdateContactRequest {
        name: Some("Ahmed Mohammed Updated".to_owned()),
        email: Some("newemail@example.com".to_owned()),
        is_favorite: Some(false),
        ..UpdateContactRequest::default()
    };
    client(&server.base_url())
        .update_contact(1, &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn delete_contact_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Contact deleted successfully"}),
    ));
    client(&server.base_url())
        .delete_contact(42)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn list_contacts_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [], "meta": {"current_page": 2, "per_page": 50, "total": 0, "last_page": 1}}),
    ));
    let query = ListContactsQuery {
        phone_number_id: Some("123456".to_owned()),
        page: Some(2),
        limit: Some(50),
        // Space, `&`, `=` and Arabic: the query is signed exactly as percent-encoded on the wire.
        search_term: Some("أحمد & co=1".to_owned()),
    };
    client(&server.base_url())
        .list_contacts(&query)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}
