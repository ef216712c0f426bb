//! Conversations, end to end: listing them, reading one with its messages, and the status of sent
//! messages (awal-api.md §3.4), against the test server that checks every signature with its own code.

use awal_client::types::{
    ConversationStatus, ListConversationsQuery, MessageDirection, MessageStatus, PhoneNumberIdQuery,
};
use awal_client::{ErrorKind, StatusCode};
use awal_tests::harness::{client, start_server};
use awal_tests::{AuthOutcome, CannedResponse, RecordedRequest, TestServer};
use chrono::{TimeZone, Utc};
use serde_json::json;

const PHONE_NUMBER_ID: &str = "123456789012345";

/// The one request the server received; it must have passed the signature check and have no body.
fn the_request(server: &TestServer) -> RecordedRequest {
    let mut requests = server.requests();
    assert_eq!(
        requests.len(),
        1,
        "exactly one request must reach the server"
    );
    let request = requests.remove(0);
    assert_eq!(request.auth, AuthOutcome::Valid, "{}", request.wire_text());
    assert!(request.body.is_empty(), "a GET has no body");
    assert_eq!(request.header("content-type"), None);
    request
}

#[tokio::test]
async fn list_conversations_sends_the_filters_and_decodes_the_documented_list() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true,
               "data": [
                 {"id": 1, "phone": "96650000000", "name": "Ahmed Mohammed", "last_message": "Hello, how can I help?",
                  "last_message_type": "text", "unread_count": 3, "status": "unread",
                  "updated_at": "2024-01-20T10:30:00Z", "created_at": "2024-01-15T09:00:00Z"}
               ],
               "meta": {"total": 50, "unread_total": 15}}),
    ));
    let query = ListConversationsQuery {
        search_term: Some("Ahmed".to_owned()),
        status: Some(ConversationStatus::Unread),
        ..ListConversationsQuery::new(PHONE_NUMBER_ID)
    };
    let list = client(&server.base_url())
        .list_conversations(&query)
        .await
        .expect("200")
        .into_body();

    assert!(list.status);
    assert_eq!(list.data.len(), 1);
    let conversation = &list.data[0];
    assert_eq!(conversation.id, 1);
    assert_eq!(conversation.phone, "96650000000");
    assert_eq!(conversation.name.as_deref(), Some("Ahmed Mohammed"));
    assert_eq!(
        conversation.last_message.as_deref(),
        Some("Hello, how can I help?")
    );
    assert_eq!(conversation.last_message_type.as_deref(), Some("text"));
    assert_eq!(conversation.unread_count, Some(3));
    assert_eq!(conversation.status, ConversationStatus::Unread);
    assert_eq!(
        conversation.updated_at,
        Some(Utc.with_ymd_and_hms(2024, 1, 20, 10, 30, 0).unwrap())
    );
    assert_eq!(
        conversation.created_at,
        Some(Utc.with_ymd_and_hms(2024, 1, 15, 9, 0, 0).unwrap())
    );
    let meta = list.meta.expect("meta");
    assert_eq!((meta.total, meta.unread_total), (50, 15));

    let seen = the_request(&server);
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("GET", "/api/developer/conversations")
    );
    assert_eq!(
        seen.query.as_deref(),
        Some("phone_number_id=123456789012345&searchTerm=Ahmed&status=unread")
    );
}

#[tokio::test]
async fn list_conversations_without_filters_sends_only_the_phone_number_id() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": []}),
    ));
    let list = client(&server.base_url())
        .list_conversations(&ListConversationsQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("200");
    assert!(list.data.is_empty());
    assert_eq!(list.meta, None);
    assert_eq!(
        the_request(&server).query.as_deref(),
        Some("phone_number_id=123456789012345")
    );
}

#[tokio::test]
async fn every_documented_conversation_status_decodes_and_others_are_kept() {
    let statuses = [
        ("unassigned", ConversationStatus::Unassigned),
        ("my", ConversationStatus::My),
        ("unread", ConversationStatus::Unread),
        ("expired", ConversationStatus::Expired),
        ("opened", ConversationStatus::Opened),
        ("closed", ConversationStatus::Closed),
        ("bot", ConversationStatus::Bot),
        (
            "archived",
            ConversationStatus::Unknown("archived".to_owned()),
        ),
    ];
    let server = start_server().await;
    let data: Vec<_> = statuses
        .iter()
        .enumerate()
        .map(|(id, (wire, _))| json!({"id": id, "phone": "96650000000", "status": wire}))
        .collect();
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": data}),
    ));
    let list = client(&server.base_url())
        .list_conversations(&ListConversationsQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("200");
    let decoded: Vec<_> = list.data.iter().map(|c| c.status.clone()).collect();
    let expected: Vec<_> = statuses.iter().map(|(_, status)| status.clone()).collect();
    assert_eq!(decoded, expected);
    // An unknown value goes back out exactly as it came in.
    assert_eq!(decoded[7].as_str(), "archived");
    // Absent optional fields decode to None.
    assert_eq!(list.data[0].name, None);
    assert_eq!(list.data[0].unread_count, None);
}

#[tokio::test]
async fn get_conversation_decodes_the_messages_and_the_nested_meta() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true,
               "data": {"id": 1, "phone": "96650000000", "name": "Ahmed Mohammed", "status": "opened",
                        "messages": [
                          {"id": 1, "content": "Hello", "type": "text", "direction": "inbound",
                           "date": "2024-01-20T10:30:00Z", "status": "read"},
                          {"id": 2, "content": "Welcome! How can I help you?", "type": "text", "direction": "outbound",
                           "date": "2024-01-20T10:31:00Z", "status": "delivered"}],
                        "meta": {"total_messages": 2}}}),
    ));
    let response = client(&server.base_url())
        .get_conversation(1, &PhoneNumberIdQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("200");

    assert_eq!(response.status(), StatusCode::OK);
    let conversation = &response.data;
    assert_eq!(conversation.id, 1);
    assert_eq!(conversation.phone, "96650000000");
    assert_eq!(conversation.name.as_deref(), Some("Ahmed Mohammed"));
    assert_eq!(conversation.status, ConversationStatus::Opened);
    assert_eq!(conversation.messages.len(), 2);
    let [first, second] = &conversation.messages[..] else {
        unreachable!()
    };
    assert_eq!(first.id, 1);
    assert_eq!(first.content.as_deref(), Some("Hello"));
    assert_eq!(first.r#type, "text");
    assert_eq!(first.direction, MessageDirection::Inbound);
    assert_eq!(
        first.date,
        Utc.with_ymd_and_hms(2024, 1, 20, 10, 30, 0).unwrap()
    );
    assert_eq!(first.status, Some(MessageStatus::Read));
    assert_eq!(second.id, 2);
    assert_eq!(
        second.content.as_deref(),
        Some("Welcome! How can I help you?")
    );
    assert_eq!(second.r#type, "text");
    assert_eq!(second.direction, MessageDirection::Outbound);
    assert_eq!(
        second.date,
        Utc.with_ymd_and_hms(2024, 1, 20, 10, 31, 0).unwrap()
    );
    assert_eq!(second.status, Some(MessageStatus::Delivered));
    assert_eq!(
        conversation.meta.as_ref().map(|meta| meta.total_messages),
        Some(2)
    );

    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        (
            "GET",
            "/api/developer/conversations/1",
            Some("phone_number_id=123456789012345")
        )
    );
}

#[tokio::test]
async fn an_unknown_message_direction_is_kept() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true,
               "data": {"id": 1, "phone": "96650000000", "status": "bot",
                        "messages": [{"id": 9, "content": null, "type": "system", "direction": "internal",
                                      "date": "2024-01-20T10:32:00Z"}]}}),
    ));
    let response = client(&server.base_url())
        .get_conversation(1, &PhoneNumberIdQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("200");
    let message = &response.data.messages[0];
    assert_eq!(
        message.direction,
        MessageDirection::Unknown("internal".to_owned())
    );
    assert_eq!(message.r#type, "system");
    assert_eq!(message.content, None);
    assert_eq!(message.status, None);
    assert_eq!(response.data.status, ConversationStatus::Bot);
    assert_eq!(response.data.meta, None);
}

#[tokio::test]
async fn get_message_statuses_decodes_each_status_and_its_time() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [
          {"message_id": 123, "status": "delivered", "timestamp": "2024-01-20T10:30:00Z"},
          {"message_id": 124, "status": "read", "timestamp": "2024-01-20T10:35:00Z"},
          {"message_id": 125, "status": "sent"},
          {"message_id": 126, "status": "failed", "timestamp": null},
          {"message_id": 127, "status": "deleted", "timestamp": "2024-01-20T10:40:00Z"}]}),
    ));
    let response = client(&server.base_url())
        .get_message_statuses(&PhoneNumberIdQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("200");

    let decoded: Vec<_> = response
        .data
        .iter()
        .map(|record| (record.message_id, record.status.clone(), record.timestamp))
        .collect();
    assert_eq!(
        decoded,
        vec![
            (
                123,
                MessageStatus::Delivered,
                Some(Utc.with_ymd_and_hms(2024, 1, 20, 10, 30, 0).unwrap())
            ),
            (
                124,
                MessageStatus::Read,
                Some(Utc.with_ymd_and_hms(2024, 1, 20, 10, 35, 0).unwrap())
            ),
            (125, MessageStatus::Sent, None),
            (126, MessageStatus::Failed, None),
            (
                127,
                MessageStatus::Unknown("deleted".to_owned()),
                Some(Utc.with_ymd_and_hms(2024, 1, 20, 10, 40, 0).unwrap())
            ),
        ]
    );

    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        (
            "GET",
            "/api/developer/fetch-message-status-app",
            Some("phone_number_id=123456789012345")
        )
    );
}

#[tokio::test]
async fn an_unknown_conversation_is_a_not_found_error() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        404,
        json!({"error": "resource_not_found", "message": "Conversation not found", "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .get_conversation(999, &PhoneNumberIdQuery::new(PHONE_NUMBER_ID))
        .await
        .expect_err("404");
    assert_eq!(error.kind(), Some(ErrorKind::NotFound));
    let api = error.api().expect("an API error");
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let body = api.body.as_ref().expect("the error envelope parses");
    assert_eq!(body.error, "resource_not_found");
    assert_eq!(body.message, "Conversation not found");
    assert_eq!(body.request_id.as_deref(), Some("req_abc123xyz"));
    assert_eq!(
        the_request(&server).path,
        "/api/developer/conversations/999"
    );
}

#[tokio::test]
async fn a_bad_phone_number_id_is_an_invalid_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        400,
        json!({"error": "validation_failed", "message": "Validation failed",
               "details": {"phone_number_id": "The selected phone number id is invalid"},
               "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .get_message_statuses(&PhoneNumberIdQuery::new("000"))
        .await
        .expect_err("400");
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    let details = error
        .api()
        .and_then(|api| api.body.as_ref())
        .and_then(|body| body.details.as_ref())
        .expect("details");
    assert_eq!(
        details.get("phone_number_id").map(String::as_str),
        Some("The selected phone number id is invalid")
    );
}
