//! The exact wire request of every operation, for a fixed clock, secret and boundary, as the test server
//! received it: request line, headers (signature included) and body. A change to any byte of what the
//! client sends shows up as a snapshot diff (`cargo insta review`).

use awal_client::types::{
    ConversationStatus, CreateBranchRequest, CreateContactGroupRequest, CreateContactRequest,
    HeaderType, ListContactsQuery, ListConversationsQuery, ListOrdersQuery, ListRow, ListSection,
    ListTemplatesQuery, Location, MediaType, OrderStatus, PaymentStatus, PhoneNumberIdQuery,
    ReplyButton, SendButtonRequest, SendInvoiceRequest, SendListRequest, SendLocationRequest,
    SendMediaLinkRequest, SendMediaMessageBody, SendMediaUploadRequest, SendTemplateRequest,
    SendTextRequest, TemplateBodyParams, TemplateButtonParam, TemplateNamedParam, TicketRoute,
    UpdateBranchRequest, UpdateContactGroupRequest, UpdateContactRequest, UpdateOrderRequest,
    UpdateTicketRequest,
};
use awal_client::FilePart;
use awal_tests::harness::{avatar_png, client, invoice_pdf, start_server};
use awal_tests::{AuthOutcome, CannedResponse, RecordedRequest, TestServer};
use chrono::NaiveDate;
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

/// Meta's ID of the sending WhatsApp number, as `GET /waba-numbers` documents it.
const PHONE_NUMBER_ID: &str = "123456789012345";

fn phone_number_id() -> PhoneNumberIdQuery {
    PhoneNumberIdQuery::new(PHONE_NUMBER_ID)
}

/// A decodable Send Text response (the snapshot is of the request, not of this).
fn sent_message_json() -> serde_json::Value {
    json!({"status": true, "message": {"id": 12345, "messageId": "wamid.HBgNOTY2NTA...", "status": "sent", "timestamp": 1704124800}})
}

fn branch_json() -> serde_json::Value {
    json!({"status": true, "message": "ok", "data": {"id": 3, "name": "Khobar Branch"}})
}

fn group_json() -> serde_json::Value {
    json!({"status": true, "message": "ok", "data": {"id": 2, "name": "VIP Customers", "status": 1}})
}

fn template_json() -> serde_json::Value {
    json!({"id": 1, "name": "welcome_message", "language": "en", "status": "APPROVED", "category": "UTILITY",
           "components": [{"type": "BODY", "text": "Hello {{1}}, thanks for joining!"}]})
}

fn order_json() -> serde_json::Value {
    json!({"status": true, "message": "Order updated successfully",
           "data": {"id": 1, "order_number": "ORD-2024-001", "status": "shipped", "payment_status": "paid"}})
}

#[tokio::test]
async fn create_contact_group_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(201, group_json()));
    client(&server.base_url())
        .create_contact_group(&CreateContactGroupRequest::new("VIP Customers", 1))
        .await
        .expect("201");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn update_contact_group_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, group_json()));
    let body = UpdateContactGroupRequest {
        name: Some("Updated Customers".to_owned()),
        status: Some(1),
    };
    client(&server.base_url())
        .update_contact_group(1, &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn delete_contact_group_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Group deleted successfully", "data": {"unlinked_contacts": 25}}),
    ));
    client(&server.base_url())
        .delete_contact_group(2)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn create_branch_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, branch_json()));
    let body = CreateBranchRequest {
        phone: Some("966500000002".to_owned()),
        email: Some("khobar@example.com".to_owned()),
        address: Some("Corniche, Khobar, Saudi Arabia".to_owned()),
        description: Some("New branch in Khobar".to_owned()),
        branch_id: Some("EXT-KHB-001".to_owned()),
        contact_group_id: Some("2".to_owned()),
        full_name: Some("Khalid Al-Harbi".to_owned()),
        is_favorite: Some(false),
        file: Some(FilePart::new(avatar_png(), "branch-logo.png", "image/png")),
        ..CreateBranchRequest::new("Khobar Branch")
    };
    client(&server.base_url())
        .create_branch(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn update_branch_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, branch_json()));
    let body = UpdateBranchRequest {
        name: Some("Khobar Branch".to_owned()),
        phone: Some("966500000003".to_owned()),
        email: Some("newemail@example.com".to_owned()),
        address: Some("Prince Turki Street, Khobar, Saudi Arabia".to_owned()),
        description: Some("Khobar branch, moved to the corniche".to_owned()),
        branch_id: Some("EXT-KHB-001".to_owned()),
        contact_group_id: Some("2".to_owned()),
        full_name: Some("Khalid Al-Harbi".to_owned()),
        is_favorite: Some(true),
        file: Some(FilePart::new(avatar_png(), "branch-logo.png", "image/png")),
    };
    client(&server.base_url())
        .update_branch(3, &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn delete_branch_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Branch deleted successfully"}),
    ));
    client(&server.base_url())
        .delete_branch(3)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn list_conversations_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [], "meta": {"total": 0, "unread_total": 0}}),
    ));
    let query = ListConversationsQuery {
        search_term: Some("Ahmed".to_owned()),
        status: Some(ConversationStatus::Unread),
        ..ListConversationsQuery::new(PHONE_NUMBER_ID)
    };
    client(&server.base_url())
        .list_conversations(&query)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn get_conversation_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": {"id": 1, "phone": "96650000000", "status": "opened", "messages": []}}),
    ));
    client(&server.base_url())
        .get_conversation(1, &phone_number_id())
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn get_message_statuses_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": []}),
    ));
    client(&server.base_url())
        .get_message_statuses(&phone_number_id())
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_text_message_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, sent_message_json()));
    let body = SendTextRequest {
        name: Some("Ahmed Mohammed".to_owned()),
        email: Some("ahmed@example.com".to_owned()),
        reply_to: Some("wamid.HBgNOTY2NTA...".to_owned()),
        preview_url: Some(true),
        ..SendTextRequest::new(
            "96650000000",
            "Your order has shipped — تم شحن طلبك: https://example.com/track/ORD-2024-001",
        )
    };
    client(&server.base_url())
        .send_text_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_media_message_by_link_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, sent_message_json()));
    let body = SendMediaMessageBody::Json(SendMediaLinkRequest {
        phone: "96650000000".to_owned(),
        r#type: MediaType::Image,
        link: "https://example.com/images/summer-collection.jpg".to_owned(),
        caption: Some("Our summer collection".to_owned()),
    });
    client(&server.base_url())
        .send_media_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_media_message_by_upload_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, sent_message_json()));
    let body = SendMediaMessageBody::Multipart(SendMediaUploadRequest {
        caption: Some("Our summer collection".to_owned()),
        file_name: Some("summer-collection.png".to_owned()),
        ..SendMediaUploadRequest::new(
            "96650000000",
            MediaType::Image,
            FilePart::new(avatar_png(), "summer-collection.png", "image/png"),
        )
    });
    client(&server.base_url())
        .send_media_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_template_message_named_params_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, sent_message_json()));
    let named = |name: &str, value: &str| TemplateNamedParam {
        name: name.to_owned(),
        value: value.to_owned(),
    };
    let body = SendTemplateRequest {
        header_value: Some("https://example.com/offer-banner.jpg".to_owned()),
        header_media: Some(FilePart::new(avatar_png(), "offer-banner.png", "image/png")),
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
    client(&server.base_url())
        .send_template_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_template_message_positional_params_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, sent_message_json()));
    let body = SendTemplateRequest {
        header_value: Some("https://example.com/offer-banner.jpg".to_owned()),
        header_media: Some(FilePart::new(avatar_png(), "offer-banner.png", "image/png")),
        body_params: Some(TemplateBodyParams::Positional(vec![
            "Mohammed".to_owned(),
            "2025-06-30".to_owned(),
        ])),
        button_params: Some(vec![TemplateButtonParam {
            index: 0,
            name: Some("offer_id".to_owned()),
            value: "12345".to_owned(),
        }]),
        ..SendTemplateRequest::new(2, "96650000000", HeaderType::Image)
    };
    client(&server.base_url())
        .send_template_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_button_message_wire_request() {
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
    client(&server.base_url())
        .send_button_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_list_message_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": {"id": 12347, "messageId": "wamid.HBgNOTY2NTA...", "status": "sent"}}),
    ));
    let row = |id: &str, title: &str, description: &str| ListRow {
        id: id.to_owned(),
        title: title.to_owned(),
        description: Some(description.to_owned()),
    };
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
                        row("kabsa", "Chicken kabsa", "Rice with spiced chicken, 45 SAR"),
                        row("mandi", "Lamb mandi", "Slow-cooked lamb with rice, 60 SAR"),
                    ],
                },
                ListSection {
                    title: "Drinks".to_owned(),
                    rows: vec![row("qahwa", "Arabic coffee", "With dates")],
                },
            ],
        )
    };
    client(&server.base_url())
        .send_list_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_location_message_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, sent_message_json()));
    let body = SendLocationRequest::new(
        "96650000000",
        Location {
            latitude: 24.7136,
            longitude: 46.6753,
            name: "Riyadh Park".to_owned(),
            address: "King Fahd Road, Riyadh, Saudi Arabia".to_owned(),
        },
    );
    client(&server.base_url())
        .send_location_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn list_templates_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [template_json()],
               "meta": {"current_page": 2, "per_page": 50, "total": 51, "last_page": 2}}),
    ));
    let query = ListTemplatesQuery {
        page: Some(2),
        limit: Some(50),
        search_term: Some("welcome_message".to_owned()),
    };
    client(&server.base_url())
        .list_templates(&query)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn get_template_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": template_json()}),
    ));
    client(&server.base_url())
        .get_template(1)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn update_ticket_open_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Ticket opened successfully",
               "data": {"ticket_id": 123, "conversation_id": 1, "status": "opened", "opened_at": "2024-01-20T10:30:00Z"}}),
    ));
    client(&server.base_url())
        .update_ticket(
            1,
            &PhoneNumberIdQuery::new("123456"),
            &UpdateTicketRequest::new(TicketRoute::OpenTicket),
        )
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn update_ticket_close_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Ticket closed successfully"}),
    ));
    client(&server.base_url())
        .update_ticket(
            1,
            &PhoneNumberIdQuery::new("123456"),
            &UpdateTicketRequest::new(TicketRoute::CloseTicket),
        )
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn list_orders_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [], "meta": {"current_page": 1, "per_page": 10, "total": 0, "last_page": 1}}),
    ));
    let query = ListOrdersQuery {
        page: Some(1),
        limit: Some(10),
        status: Some(OrderStatus::Pending),
        from_date: NaiveDate::from_ymd_opt(2024, 1, 1),
        to_date: NaiveDate::from_ymd_opt(2024, 1, 31),
        // `#` and a space: percent-encoded, and signed as encoded.
        search_term: Some("ORD-2024 #001".to_owned()),
        branch_id: Some("1".to_owned()),
        customer_id: Some("456".to_owned()),
        ..ListOrdersQuery::new(PHONE_NUMBER_ID)
    };
    client(&server.base_url())
        .list_orders(&query)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn get_order_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": {"id": 1, "order_number": "ORD-2024-001", "items": [],
               "total": 0, "currency": "SAR", "status": "pending", "payment_status": "unpaid"}}),
    ));
    client(&server.base_url()).get_order(1).await.expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn update_order_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(200, order_json()));
    let body = UpdateOrderRequest {
        admin_notes: Some("Shipped via express courier".to_owned()),
        status: Some(OrderStatus::Shipped),
        payment_status: Some(PaymentStatus::Paid),
        shipping_date: NaiveDate::from_ymd_opt(2024, 1, 20),
        delivery_date: NaiveDate::from_ymd_opt(2024, 1, 25),
        branch_id: Some("1".to_owned()),
    };
    client(&server.base_url())
        .update_order(1, &phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn send_invoice_message_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": {"id": 281, "messageId": "wamid.HBgMOTY2NTAwMDAwMDAwFQIAERgS...",
               "status": "sent", "date": "2024-01-15T10:30:00Z"}}),
    ));
    let body = SendInvoiceRequest {
        header_media: Some(FilePart::new(invoice_pdf(), "INV-2024-001.pdf", "application/pdf")),
        header_value: Some("https://example.com/invoices/INV-2024-001.pdf".to_owned()),
        name: Some("Ahmed Mohammed".to_owned()),
        email: Some("ahmed@example.com".to_owned()),
        ..SendInvoiceRequest::new(
            "96650000000",
            "Dear Ahmed,\nInvoice #INV-2024-001 of 1,450.00 SAR is attached.\nDue date: 2024-01-31.",
            HeaderType::Document,
        )
    };
    client(&server.base_url())
        .send_invoice_message(&phone_number_id(), &body)
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}

#[tokio::test]
async fn list_waba_numbers_wire_request() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": []}),
    ));
    client(&server.base_url())
        .list_waba_numbers()
        .await
        .expect("200");
    insta::assert_snapshot!(only_request(&server).wire_text());
}
