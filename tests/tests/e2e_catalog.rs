//! Templates, tickets, orders, invoices and WABA numbers, end to end (awal-api.md §3.6 to §3.10), against
//! the test server that checks every signature with its own code and parses multipart bodies with multer.
//! Each test asserts what arrived and how the client decoded the documented example response: enums to
//! their variants (or `Unknown` for values the docs do not list), money to `Decimal`, dates to `NaiveDate`,
//! nulls to `None`.

use awal_client::types::{
    HeaderType, ListOrdersQuery, ListTemplatesQuery, MessageStatus, OrderStatus, PaymentStatus,
    PhoneNumberIdQuery, QualityRating, SendInvoiceRequest, Template, TemplateCategory,
    TemplateComponent, TemplateComponentType, TemplateStatus, TicketRoute, UpdateOrderRequest,
    UpdateTicketRequest, WabaStatus,
};
use awal_client::{ErrorKind, FilePart, StatusCode};
use awal_tests::harness::{client, invoice_pdf, start_server};
use awal_tests::{AuthOutcome, CannedResponse, FormPart, RecordedRequest, TestServer};
use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::json;

const PHONE_NUMBER_ID: &str = "123456789012345";

/// Every request the server received, each of which must have passed the signature check.
fn signed_requests(server: &TestServer, count: usize) -> Vec<RecordedRequest> {
    let requests = server.requests();
    assert_eq!(requests.len(), count, "requests reaching the server");
    for request in &requests {
        assert_eq!(request.auth, AuthOutcome::Valid, "{}", request.wire_text());
    }
    requests
}

/// The one request the server received.
fn the_request(server: &TestServer) -> RecordedRequest {
    signed_requests(server, 1).remove(0)
}

/// Method, path and query of a request.
fn request_line(request: &RecordedRequest) -> (&str, &str, Option<&str>) {
    (
        request.method.as_str(),
        request.path.as_str(),
        request.query.as_deref(),
    )
}

/// Checks that a request has no body (GET and DELETE).
fn assert_no_body(request: &RecordedRequest) {
    assert!(request.body.is_empty());
    assert_eq!(request.header("content-type"), None);
}

/// The JSON body of a request, parsed, after checking its content type.
fn json_body(request: &RecordedRequest) -> serde_json::Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    serde_json::from_slice(&request.body).expect("the body is JSON")
}

/// A response with `body` sent exactly as written: the money fields keep the docs' `1250.00` notation,
/// which `json!` would turn into `1250.0`.
fn documented(status: u16, body: &str) -> CannedResponse {
    serde_json::from_str::<serde_json::Value>(body).expect("the canned body is JSON");
    CannedResponse {
        status,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.as_bytes().to_vec(),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// The first template of the documented Get Templates List response, decoded.
fn welcome_message() -> Template {
    Template {
        id: 1,
        name: "welcome_message".to_owned(),
        language: "en".to_owned(),
        status: TemplateStatus::Approved,
        category: TemplateCategory::Utility,
        components: vec![TemplateComponent {
            r#type: TemplateComponentType::Body,
            format: None,
            text: Some("Hello {{1}}, thanks for joining!".to_owned()),
        }],
    }
}

#[tokio::test]
async fn list_templates_sends_paging_and_decodes_the_documented_templates() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true,
               "data": [
                 {"id": 1, "name": "welcome_message", "language": "en", "status": "APPROVED", "category": "UTILITY",
                  "components": [{"type": "BODY", "text": "Hello {{1}}, thanks for joining!"}]},
                 {"id": 2, "name": "order_confirmation", "language": "en", "status": "APPROVED", "category": "MARKETING",
                  "components": [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Your order #{{1}} has been confirmed"}]}
               ],
               "meta": {"current_page": 1, "per_page": 100, "total": 25, "last_page": 1}}),
    ));
    let query = ListTemplatesQuery {
        page: Some(1),
        limit: Some(100),
        search_term: Some("order confirmation".to_owned()),
    };
    let list = client(&server.base_url())
        .list_templates(&query)
        .await
        .expect("200")
        .into_body();

    assert!(list.status);
    assert_eq!(
        list.data,
        vec![
            welcome_message(),
            Template {
                id: 2,
                name: "order_confirmation".to_owned(),
                language: "en".to_owned(),
                status: TemplateStatus::Approved,
                category: TemplateCategory::Marketing,
                components: vec![
                    TemplateComponent {
                        r#type: TemplateComponentType::Header,
                        format: Some(HeaderType::Image),
                        text: None,
                    },
                    TemplateComponent {
                        r#type: TemplateComponentType::Body,
                        format: None,
                        text: Some("Your order #{{1}} has been confirmed".to_owned()),
                    },
                ],
            },
        ]
    );
    let meta = &list.meta;
    assert_eq!(
        (meta.current_page, meta.per_page, meta.total, meta.last_page),
        (1, 100, 25, 1)
    );

    let seen = the_request(&server);
    assert_eq!(
        request_line(&seen),
        (
            "GET",
            "/api/developer/templates",
            Some("page=1&limit=100&searchTerm=order%20confirmation")
        )
    );
    assert_no_body(&seen);
}

#[tokio::test]
async fn get_template_decodes_one_template() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": {"id": 1, "name": "welcome_message", "language": "en", "status": "APPROVED",
               "category": "UTILITY", "components": [{"type": "BODY", "text": "Hello {{1}}, thanks for joining!"}]}}),
    ));
    let response = client(&server.base_url())
        .get_template(1)
        .await
        .expect("200");
    assert!(response.status);
    assert_eq!(response.data, welcome_message());
    let seen = the_request(&server);
    assert_eq!(
        request_line(&seen),
        ("GET", "/api/developer/templates/1", None)
    );
    assert_no_body(&seen);
}

#[tokio::test]
async fn template_values_the_docs_do_not_list_are_kept() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": {"id": 7, "name": "otp_code", "language": "ar", "status": "PENDING",
               "category": "AUTHENTICATION",
               "components": [{"type": "HEADER", "format": "GIF"},
                              {"type": "HEADER", "format": "TEXT", "text": "Your code"},
                              {"type": "HEADER", "format": "DOCUMENT"},
                              {"type": "HEADER", "format": "VIDEO"},
                              {"type": "HEADER", "format": "LOCATION"},
                              {"type": "FOOTER", "text": "Do not share this code"}]}}),
    ));
    let template = client(&server.base_url())
        .get_template(7)
        .await
        .expect("200")
        .into_body()
        .data;
    assert_eq!(
        template.status,
        TemplateStatus::Unknown("PENDING".to_owned())
    );
    assert_eq!(
        template.category,
        TemplateCategory::Unknown("AUTHENTICATION".to_owned())
    );
    let formats: Vec<_> = template
        .components
        .iter()
        .map(|component| component.format.clone())
        .collect();
    assert_eq!(
        formats,
        vec![
            Some(HeaderType::Unknown("GIF".to_owned())),
            Some(HeaderType::Text),
            Some(HeaderType::Document),
            Some(HeaderType::Video),
            Some(HeaderType::Location),
            None,
        ]
    );
    assert_eq!(
        template.components[5].r#type,
        TemplateComponentType::Unknown("FOOTER".to_owned())
    );
    assert_eq!(
        template.components[5].text.as_deref(),
        Some("Do not share this code")
    );
}

#[tokio::test]
async fn an_unknown_template_is_a_not_found_error() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        404,
        json!({"error": "resource_not_found", "message": "Template not found", "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .get_template(404)
        .await
        .expect_err("404");
    assert_eq!(error.kind(), Some(ErrorKind::NotFound));
    let body = error
        .api()
        .and_then(|api| api.body.as_ref())
        .expect("the error envelope parses");
    assert_eq!(
        (body.error.as_str(), body.message.as_str()),
        ("resource_not_found", "Template not found")
    );
}

#[tokio::test]
async fn update_ticket_opens_and_closes_through_the_same_endpoint() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Ticket opened successfully",
               "data": {"ticket_id": 123, "conversation_id": 1, "status": "opened", "opened_at": "2024-01-20T10:30:00Z"}}),
    ));
    // Close Ticket's response is not documented; this one has no `data`, which the envelope allows.
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Ticket closed successfully"}),
    ));
    let client = client(&server.base_url());
    let query = PhoneNumberIdQuery::new("123456");

    let opened = client
        .update_ticket(
            1,
            &query,
            &UpdateTicketRequest::new(TicketRoute::OpenTicket),
        )
        .await
        .expect("200");
    assert_eq!(
        opened.message.as_deref(),
        Some("Ticket opened successfully")
    );
    let ticket = opened.data.as_ref().expect("the opened ticket");
    assert_eq!(ticket.ticket_id, 123);
    assert_eq!(ticket.conversation_id, 1);
    assert_eq!(
        ticket.status,
        awal_client::types::ConversationStatus::Opened
    );
    assert_eq!(ticket.opened_at, Some(utc(2024, 1, 20, 10, 30, 0)));

    let closed = client
        .update_ticket(
            1,
            &query,
            &UpdateTicketRequest::new(TicketRoute::CloseTicket),
        )
        .await
        .expect("200");
    assert!(closed.status);
    assert_eq!(
        closed.message.as_deref(),
        Some("Ticket closed successfully")
    );
    assert_eq!(closed.data, None);

    let requests = signed_requests(&server, 2);
    for (request, route) in requests.iter().zip(["openTicket", "closeTicket"]) {
        assert_eq!(
            request_line(request),
            (
                "POST",
                "/api/developer/wechat/chat/events/1",
                Some("phone_number_id=123456")
            )
        );
        assert_eq!(json_body(request), json!({ "route": route }));
    }
}

#[tokio::test]
async fn an_undocumented_ticket_route_is_sent_as_given() {
    // TicketRoute is an open set (the docs say other routes, if any, are unknown): a route this client
    // does not know goes out as it is, and the server decides.
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "ok"}),
    ));
    client(&server.base_url())
        .update_ticket(
            1,
            &PhoneNumberIdQuery::new("123456"),
            &UpdateTicketRequest::new(TicketRoute::from("reopenTicket")),
        )
        .await
        .expect("sent");
    let seen = &server.requests()[0];
    assert_eq!(seen.auth, AuthOutcome::Valid);
    assert_eq!(seen.body.as_ref(), br#"{"route":"reopenTicket"}"#);
}

#[tokio::test]
async fn list_orders_sends_every_filter_and_decodes_money_and_null_dates() {
    let server = start_server().await;
    server.enqueue(documented(
        200,
        r#"{"status": true,
 "data": [{"id": 1, "order_number": "ORD-2024-001", "customer_name": "Ahmed Mohammed", "customer_phone": "96650000000",
           "total": 1250.00, "currency": "SAR", "status": "pending", "payment_status": "unpaid",
           "shipping_date": null, "delivery_date": null,
           "created_at": "2024-01-15T10:30:00Z", "updated_at": "2024-01-15T10:30:00Z"}],
 "meta": {"current_page": 1, "per_page": 10, "total": 50, "last_page": 5}}"#,
    ));
    let query = ListOrdersQuery {
        page: Some(1),
        limit: Some(10),
        status: Some(OrderStatus::Pending),
        from_date: Some(date(2024, 1, 1)),
        to_date: Some(date(2024, 1, 31)),
        search_term: Some("Ahmed".to_owned()),
        branch_id: Some("1".to_owned()),
        customer_id: Some("456".to_owned()),
        ..ListOrdersQuery::new(PHONE_NUMBER_ID)
    };
    let list = client(&server.base_url())
        .list_orders(&query)
        .await
        .expect("200")
        .into_body();

    assert_eq!(list.data.len(), 1);
    let order = &list.data[0];
    assert_eq!(order.id, 1);
    assert_eq!(order.order_number, "ORD-2024-001");
    assert_eq!(order.customer_name.as_deref(), Some("Ahmed Mohammed"));
    assert_eq!(order.customer_phone.as_deref(), Some("96650000000"));
    assert_eq!(order.total, Decimal::new(125000, 2));
    assert_eq!(order.currency, "SAR");
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.payment_status, PaymentStatus::Unpaid);
    assert_eq!((order.shipping_date, order.delivery_date), (None, None));
    assert_eq!(order.created_at, Some(utc(2024, 1, 15, 10, 30, 0)));
    assert_eq!(order.updated_at, Some(utc(2024, 1, 15, 10, 30, 0)));
    let meta = &list.meta;
    assert_eq!(
        (meta.current_page, meta.per_page, meta.total, meta.last_page),
        (1, 10, 50, 5)
    );

    let seen = the_request(&server);
    assert_eq!(
        request_line(&seen),
        (
            "GET",
            "/api/developer/orders",
            Some(
                "phone_number_id=123456789012345&page=1&limit=10&status=pending&from_date=2024-01-01\
                 &to_date=2024-01-31&searchTerm=Ahmed&branch_id=1&customer_id=456"
            )
        )
    );
    assert_no_body(&seen);
}

#[tokio::test]
async fn get_order_decodes_items_money_and_nulls() {
    let server = start_server().await;
    server.enqueue(documented(
        200,
        r#"{"status": true,
 "data": {"id": 1, "order_number": "ORD-2024-001", "customer_name": "Ahmed Mohammed",
          "customer_phone": "96650000000", "customer_email": "ahmed@example.com",
          "items": [{"product_name": "Product 1", "quantity": 2, "price": 500.00, "subtotal": 1000.00},
                    {"product_name": "Product 2", "quantity": 1, "price": 250.00, "subtotal": 250.00}],
          "subtotal": 1250.00, "tax": 150.00, "shipping": 50.00, "total": 1450.00, "currency": "SAR",
          "status": "pending", "payment_status": "unpaid", "shipping_date": null, "delivery_date": null,
          "admin_notes": null, "created_at": "2024-01-15T10:30:00Z", "updated_at": "2024-01-15T10:30:00Z"}}"#,
    ));
    let order = client(&server.base_url())
        .get_order(1)
        .await
        .expect("200")
        .into_body()
        .data;

    assert_eq!(order.id, 1);
    assert_eq!(order.order_number, "ORD-2024-001");
    assert_eq!(order.customer_name.as_deref(), Some("Ahmed Mohammed"));
    assert_eq!(order.customer_phone.as_deref(), Some("96650000000"));
    assert_eq!(order.customer_email.as_deref(), Some("ahmed@example.com"));
    let items: Vec<_> = order
        .items
        .iter()
        .map(|item| {
            (
                item.product_name.as_str(),
                item.quantity,
                item.price,
                item.subtotal,
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![
            (
                "Product 1",
                2,
                Decimal::new(50000, 2),
                Decimal::new(100000, 2)
            ),
            (
                "Product 2",
                1,
                Decimal::new(25000, 2),
                Decimal::new(25000, 2)
            ),
        ]
    );
    assert_eq!(order.subtotal, Some(Decimal::new(125000, 2)));
    assert_eq!(order.tax, Some(Decimal::new(15000, 2)));
    assert_eq!(order.shipping, Some(Decimal::new(5000, 2)));
    assert_eq!(order.total, Decimal::new(145000, 2));
    // Exact decimal arithmetic: subtotal + tax + shipping is the total, as in the documented example.
    assert_eq!(
        order.subtotal.unwrap() + order.tax.unwrap() + order.shipping.unwrap(),
        order.total
    );
    assert_eq!(order.currency, "SAR");
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.payment_status, PaymentStatus::Unpaid);
    assert_eq!((order.shipping_date, order.delivery_date), (None, None));
    assert_eq!(order.admin_notes, None);
    assert_eq!(order.created_at, Some(utc(2024, 1, 15, 10, 30, 0)));
    assert_eq!(order.updated_at, Some(utc(2024, 1, 15, 10, 30, 0)));

    let seen = the_request(&server);
    assert_eq!(
        request_line(&seen),
        ("GET", "/api/developer/orders/1", None)
    );
    assert_no_body(&seen);
}

#[tokio::test]
async fn money_keeps_every_decimal_digit() {
    let server = start_server().await;
    server.enqueue(documented(
        200,
        r#"{"status": true, "data": {"id": 2, "order_number": "ORD-2024-002",
          "items": [{"product_name": "Dates, 1 kg", "quantity": 3, "price": 33.33, "subtotal": 99.99}],
          "total": 114.99, "currency": "SAR", "status": "accepted", "payment_status": "paid"}}"#,
    ));
    let order = client(&server.base_url())
        .get_order(2)
        .await
        .expect("200")
        .into_body()
        .data;
    assert_eq!(order.items[0].price, Decimal::new(3333, 2));
    assert_eq!(order.items[0].subtotal, Decimal::new(9999, 2));
    assert_eq!(
        order.items[0].price * Decimal::from(order.items[0].quantity),
        order.items[0].subtotal
    );
    assert_eq!(order.total, Decimal::new(11499, 2));
    assert_eq!(order.status, OrderStatus::Accepted);
    assert_eq!(order.payment_status, PaymentStatus::Paid);
    assert_eq!(
        (order.subtotal, order.tax, order.shipping),
        (None, None, None)
    );
    assert_eq!((order.customer_name, order.customer_email), (None, None));
}

#[tokio::test]
async fn order_values_the_docs_do_not_list_are_kept() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [
          {"id": 1, "order_number": "ORD-2024-001", "total": 10, "currency": "SAR", "status": "shipped", "payment_status": "paid"},
          {"id": 2, "order_number": "ORD-2024-002", "total": 10, "currency": "SAR", "status": "delivered", "payment_status": "unpaid"},
          {"id": 3, "order_number": "ORD-2024-003", "total": 10, "currency": "SAR", "status": "completed", "payment_status": "paid"},
          {"id": 4, "order_number": "ORD-2024-004", "total": 10, "currency": "SAR", "status": "cancelled", "payment_status": "refunded"}],
          "meta": {"current_page": 1, "per_page": 10, "total": 4, "last_page": 1}}),
    ));
    let list = client(&server.base_url())
        .list_orders(&ListOrdersQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("200");
    let statuses: Vec<_> = list
        .data
        .iter()
        .map(|order| (order.status.clone(), order.payment_status.clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (OrderStatus::Shipped, PaymentStatus::Paid),
            (OrderStatus::Delivered, PaymentStatus::Unpaid),
            (OrderStatus::Completed, PaymentStatus::Paid),
            (
                OrderStatus::Unknown("cancelled".to_owned()),
                PaymentStatus::Unknown("refunded".to_owned())
            ),
        ]
    );
    assert_eq!(list.data[3].total, Decimal::new(10, 0));
    assert_eq!(
        the_request(&server).query.as_deref(),
        Some("phone_number_id=123456789012345")
    );
}

#[tokio::test]
async fn update_order_puts_json_and_decodes_the_dates() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Order updated successfully",
               "data": {"id": 1, "order_number": "ORD-2024-001", "status": "shipped", "payment_status": "paid",
                        "shipping_date": "2024-01-20", "delivery_date": "2024-01-25",
                        "admin_notes": "Shipped via express courier", "updated_at": "2024-01-20T14:30:00Z"}}),
    ));
    let body = UpdateOrderRequest {
        admin_notes: Some("Shipped via express courier".to_owned()),
        status: Some(OrderStatus::Shipped),
        payment_status: Some(PaymentStatus::Paid),
        shipping_date: Some(date(2024, 1, 20)),
        delivery_date: Some(date(2024, 1, 25)),
        branch_id: Some("1".to_owned()),
    };
    let response = client(&server.base_url())
        .update_order(1, &PhoneNumberIdQuery::new(PHONE_NUMBER_ID), &body)
        .await
        .expect("200");

    assert_eq!(
        response.message.as_deref(),
        Some("Order updated successfully")
    );
    let order = &response.data;
    assert_eq!(order.id, 1);
    assert_eq!(order.order_number, "ORD-2024-001");
    assert_eq!(order.status, OrderStatus::Shipped);
    assert_eq!(order.payment_status, PaymentStatus::Paid);
    assert_eq!(order.shipping_date, Some(date(2024, 1, 20)));
    assert_eq!(order.delivery_date, Some(date(2024, 1, 25)));
    assert_eq!(
        order.admin_notes.as_deref(),
        Some("Shipped via express courier")
    );
    assert_eq!(order.updated_at, Some(utc(2024, 1, 20, 14, 30, 0)));

    let seen = the_request(&server);
    assert_eq!(
        request_line(&seen),
        (
            "PUT",
            "/api/developer/orders/1",
            Some("phone_number_id=123456789012345")
        )
    );
    assert_eq!(
        json_body(&seen),
        json!({"admin_notes": "Shipped via express courier", "status": "shipped", "payment_status": "paid",
               "shipping_date": "2024-01-20", "delivery_date": "2024-01-25", "branch_id": "1"})
    );
}

#[tokio::test]
async fn a_partial_order_update_sends_only_the_fields_set() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Order updated successfully",
               "data": {"id": 1, "order_number": "ORD-2024-001", "status": "accepted", "payment_status": "paid",
                        "shipping_date": null, "delivery_date": null, "admin_notes": null}}),
    ));
    let body = UpdateOrderRequest {
        status: Some(OrderStatus::Accepted),
        payment_status: Some(PaymentStatus::Paid),
        ..Default::default()
    };
    let response = client(&server.base_url())
        .update_order(1, &PhoneNumberIdQuery::new(PHONE_NUMBER_ID), &body)
        .await
        .expect("200");
    assert_eq!(
        (
            response.data.shipping_date,
            response.data.admin_notes.as_deref()
        ),
        (None, None)
    );
    assert_eq!(response.data.updated_at, None);
    assert_eq!(
        &the_request(&server).body[..],
        br#"{"status":"accepted","payment_status":"paid"}"#
    );
}

#[tokio::test]
async fn a_refused_order_update_is_an_invalid_request_with_details() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        422,
        json!({"error": "validation_failed", "message": "Validation failed",
               "details": {"status": "The order cannot move from pending to shipped"},
               "request_id": "req_abc123xyz"}),
    ));
    let body = UpdateOrderRequest {
        status: Some(OrderStatus::Shipped),
        ..Default::default()
    };
    let error = client(&server.base_url())
        .update_order(1, &PhoneNumberIdQuery::new(PHONE_NUMBER_ID), &body)
        .await
        .expect_err("422");
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    assert_eq!(error.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    let details = error
        .api()
        .and_then(|api| api.body.as_ref())
        .and_then(|body| body.details.as_ref())
        .expect("details");
    assert_eq!(
        details.get("status").map(String::as_str),
        Some("The order cannot move from pending to shipped")
    );
}

#[tokio::test]
async fn an_unknown_order_is_a_not_found_error() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        404,
        json!({"error": "resource_not_found", "message": "Order not found", "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .get_order(999)
        .await
        .expect_err("404");
    assert_eq!(error.kind(), Some(ErrorKind::NotFound));
    assert_eq!(
        error
            .api()
            .and_then(|api| api.body.as_ref())
            .map(|body| body.error.as_str()),
        Some("resource_not_found")
    );
}

#[tokio::test]
async fn send_invoice_message_uploads_the_pdf_and_decodes_the_iso_date() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": {"id": 281, "messageId": "wamid.HBgMOTY2NTAwMDAwMDAwFQIAERgS...",
               "status": "sent", "date": "2024-01-15T10:30:00Z"}}),
    ));
    let pdf = invoice_pdf();
    assert!(pdf.starts_with(b"%PDF-"));
    let body = SendInvoiceRequest {
        header_media: Some(FilePart::new(
            pdf.clone(),
            "INV-2024-001.pdf",
            "application/pdf",
        )),
        header_value: Some("https://example.com/invoices/INV-2024-001.pdf".to_owned()),
        name: Some("Ahmed Mohammed".to_owned()),
        email: Some("ahmed@example.com".to_owned()),
        ..SendInvoiceRequest::new(
            "96650000000",
            "Dear Ahmed,\nInvoice #INV-2024-001 of 1,450.00 SAR is attached.",
            HeaderType::Document,
        )
    };
    let response = client(&server.base_url())
        .send_invoice_message(&PhoneNumberIdQuery::new(PHONE_NUMBER_ID), &body)
        .await
        .expect("200");

    let message = &response.message;
    assert_eq!(message.id, 281);
    assert_eq!(message.message_id, "wamid.HBgMOTY2NTAwMDAwMDAwFQIAERgS...");
    assert_eq!(message.status, MessageStatus::Sent);
    assert_eq!(message.date, Some(utc(2024, 1, 15, 10, 30, 0)));
    assert_eq!(message.timestamp, None);

    let seen = the_request(&server);
    assert_eq!(
        request_line(&seen),
        (
            "POST",
            "/api/developer/invoice-message",
            Some("phone_number_id=123456789012345")
        )
    );
    assert_eq!(
        seen.header("content-type"),
        Some("multipart/form-data; boundary=awal-test-boundary-0001")
    );
    let text = |name: &str, value: &str| FormPart {
        name: name.to_owned(),
        file_name: None,
        content_type: None,
        bytes: value.as_bytes().to_vec().into(),
    };
    let parts = seen
        .form
        .clone()
        .expect("multipart")
        .expect("multer parses it");
    assert_eq!(
        parts,
        vec![
            text("phone", "96650000000"),
            text(
                "message_text",
                "Dear Ahmed,\nInvoice #INV-2024-001 of 1,450.00 SAR is attached."
            ),
            text("header_type", "DOCUMENT"),
            FormPart {
                name: "header_media".to_owned(),
                file_name: Some("INV-2024-001.pdf".to_owned()),
                content_type: Some("application/pdf".to_owned()),
                bytes: pdf.into(),
            },
            text(
                "header_value",
                "https://example.com/invoices/INV-2024-001.pdf"
            ),
            text("name", "Ahmed Mohammed"),
            text("email", "ahmed@example.com"),
        ]
    );
    assert!(seen
        .form_part("header_media")
        .expect("the PDF part")
        .bytes
        .starts_with(b"%PDF-"));
}

#[tokio::test]
async fn an_oversized_invoice_is_payload_too_large() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        413,
        json!({"error": "payload_too_large", "message": "The header media may not be greater than 100 MB",
               "request_id": "req_abc123xyz"}),
    ));
    let body = SendInvoiceRequest {
        header_media: Some(FilePart::new(
            invoice_pdf(),
            "INV-2024-001.pdf",
            "application/pdf",
        )),
        ..SendInvoiceRequest::new("96650000000", "Invoice", HeaderType::Document)
    };
    let error = client(&server.base_url())
        .send_invoice_message(&PhoneNumberIdQuery::new(PHONE_NUMBER_ID), &body)
        .await
        .expect_err("413");
    assert_eq!(error.kind(), Some(ErrorKind::PayloadTooLarge));
    assert_eq!(error.status(), Some(StatusCode::PAYLOAD_TOO_LARGE));
}

#[tokio::test]
async fn list_waba_numbers_decodes_every_documented_field() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [
          {"id": 1, "phone_number": "96650000000", "phone_number_id": "123456789012345", "verified_name": "My Business",
           "quality_rating": "GREEN", "status": "CONNECTED", "message_template_count": 25,
           "created_at": "2024-01-10T10:00:00Z", "updated_at": "2024-01-20T14:30:00Z"}]}),
    ));
    let list = client(&server.base_url())
        .list_waba_numbers()
        .await
        .expect("200")
        .into_body();

    assert!(list.status);
    assert_eq!(list.data.len(), 1);
    let number = &list.data[0];
    assert_eq!(number.id, 1);
    assert_eq!(number.phone_number, "96650000000");
    assert_eq!(number.phone_number_id, "123456789012345");
    assert_eq!(number.verified_name.as_deref(), Some("My Business"));
    assert_eq!(number.quality_rating, Some(QualityRating::Green));
    assert_eq!(number.status, WabaStatus::Connected);
    assert_eq!(number.message_template_count, Some(25));
    assert_eq!(number.created_at, Some(utc(2024, 1, 10, 10, 0, 0)));
    assert_eq!(number.updated_at, Some(utc(2024, 1, 20, 14, 30, 0)));

    let seen = the_request(&server);
    assert_eq!(
        request_line(&seen),
        ("GET", "/api/developer/waba-numbers", None)
    );
    assert_no_body(&seen);
}

#[tokio::test]
async fn waba_values_the_docs_do_not_list_are_kept() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [
          {"id": 2, "phone_number": "96650000001", "phone_number_id": "2", "quality_rating": "YELLOW", "status": "DISCONNECTED"},
          {"id": 3, "phone_number": "96650000002", "phone_number_id": "3", "quality_rating": "RED", "status": "CONNECTED"},
          {"id": 4, "phone_number": "96650000003", "phone_number_id": "4", "quality_rating": "UNKNOWN", "status": "FLAGGED"},
          {"id": 5, "phone_number": "96650000004", "phone_number_id": "5", "quality_rating": null, "status": "CONNECTED"}]}),
    ));
    let list = client(&server.base_url())
        .list_waba_numbers()
        .await
        .expect("200");
    let decoded: Vec<_> = list
        .data
        .iter()
        .map(|number| (number.quality_rating.clone(), number.status.clone()))
        .collect();
    assert_eq!(
        decoded,
        vec![
            (Some(QualityRating::Yellow), WabaStatus::Disconnected),
            (Some(QualityRating::Red), WabaStatus::Connected),
            (
                Some(QualityRating::Unknown("UNKNOWN".to_owned())),
                WabaStatus::Unknown("FLAGGED".to_owned())
            ),
            (None, WabaStatus::Connected),
        ]
    );
    assert_eq!(list.data[0].verified_name, None);
    assert_eq!(list.data[0].message_template_count, None);
}
