//! The generated client against the mock Awal API (`awal_tests::mock`): contacts that stay consistent from
//! call to call, every other operation answering from the spec, the documented authentication errors,
//! the `create_contact` example and the `awal-mock` binary.
//!
//! The mock's clock is fixed at the harness's `NOW` (the client's too), except where a real program (the
//! example, the binary) reads the machine's clock.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use awal_client::signing::{MultipartBody, PathForm};
use awal_client::types::{
    ContactGroupDeletionEnvelope, CreateBranchRequest, CreateContactGroupRequest,
    CreateContactRequest, ErrorEnvelope, HeaderType, ListContactsQuery, ListConversationsQuery,
    ListOrdersQuery, ListRow, ListSection, ListTemplatesQuery, Location, MediaType, OrderStatus,
    PaymentStatus, PhoneNumberIdQuery, ReplyButton, SendButtonRequest, SendInvoiceRequest,
    SendListRequest, SendLocationRequest, SendMediaUploadRequest, SendTemplateRequest,
    SendTextRequest, TemplateBodyParams, TemplateButtonParam, TemplateNamedParam, TicketRoute,
    UpdateBranchRequest, UpdateContactGroupRequest, UpdateContactRequest, UpdateOrderRequest,
    UpdateTicketRequest,
};
use awal_client::{
    Client, Credentials, Error, ErrorKind, FilePart, RetryPolicy, Secret, StatusCode,
};
use awal_tests::harness::{
    avatar_png, client, client_with, invoice_pdf, CLIENT_ID, DOMAIN, NOW, SECRET,
};
use awal_tests::mock::{MockConfig, MockServer, PHONE_NUMBER_ID};
use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// The mock with the harness's credentials and its clock fixed at `NOW`.
async fn start_mock() -> MockServer {
    MockServer::start(MockConfig {
        secret: SECRET.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        domain: DOMAIN.to_owned(),
        clock: Some(NOW),
    })
    .await
}

fn phone_number_id() -> PhoneNumberIdQuery {
    PhoneNumberIdQuery::new(PHONE_NUMBER_ID)
}

/// `NOW` as the generated types decode times.
fn now_utc() -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(i64::try_from(NOW).expect("fits"), 0)
        .single()
        .expect("a valid time")
}

/// The API error of a failed call: its status and the parsed envelope.
fn api_error<T: std::fmt::Debug>(
    result: Result<T, Error<ErrorEnvelope>>,
) -> (StatusCode, ErrorEnvelope, Option<ErrorKind>) {
    let error = result.expect_err("the mock refuses this call");
    let kind = error.kind();
    let api = error
        .api()
        .unwrap_or_else(|| panic!("not an API error: {error}"));
    let body = api
        .body
        .clone()
        .unwrap_or_else(|| panic!("an error envelope, not {}", api.raw_body));
    (api.status, body, kind)
}

fn list_query(search: Option<&str>, page: Option<i32>, limit: Option<i32>) -> ListContactsQuery {
    ListContactsQuery {
        phone_number_id: Some(PHONE_NUMBER_ID.to_owned()),
        page,
        limit,
        search_term: search.map(str::to_owned),
    }
}

#[tokio::test]
async fn contacts_stay_consistent_from_create_to_list_update_and_delete() {
    let mock = start_mock().await;
    let client = client(&mock.base_url());

    // Create: ids 1 and 2, times from the mock's clock, the uploaded avatar becomes a storage URL.
    let ahmed = CreateContactRequest {
        email: Some("ahmed@example.com".to_owned()),
        contact_group_id: Some("1".to_owned()),
        is_favorite: Some(true),
        file: Some(FilePart::new(avatar_png(), "me.png", "image/png")),
        ..CreateContactRequest::new("Ahmed Mohammed", "96650000000")
    };
    let created = client
        .create_contact(&phone_number_id(), &ahmed)
        .await
        .expect("201");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        created.message.as_deref(),
        Some("Contact created successfully")
    );
    let first = created.into_body().data;
    assert_eq!(first.id, 1);
    assert_eq!(
        (first.name.as_str(), first.phone.as_str()),
        ("Ahmed Mohammed", "96650000000")
    );
    assert_eq!(first.email.as_deref(), Some("ahmed@example.com"));
    assert_eq!(first.contact_group_id, Some(1));
    assert_eq!(first.is_favorite, Some(true));
    assert_eq!(
        first.avatar.as_deref(),
        Some("https://storage.awalchat.com/contacts/1/avatar.png")
    );
    assert_eq!(first.created_at, Some(now_utc()));

    let second = client
        .create_contact(
            &phone_number_id(),
            &CreateContactRequest::new("Sara Ali", "96650000001"),
        )
        .await
        .expect("201")
        .into_body()
        .data;
    assert_eq!(second.id, 2);
    assert_eq!(second.is_favorite, Some(false), "the documented default");
    assert_eq!(
        (second.email.as_deref(), second.avatar.as_deref()),
        (None, None)
    );

    // A phone number that is taken: 409.
    let (status, envelope, kind) = api_error(
        client
            .create_contact(
                &phone_number_id(),
                &CreateContactRequest::new("Someone Else", "96650000000"),
            )
            .await,
    );
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(kind, Some(ErrorKind::Conflict));
    assert_eq!(envelope.error, "duplicate_phone_number");

    // List: both, with meta; search by name and by part of the phone; paging.
    let all = client
        .list_contacts(&list_query(None, None, None))
        .await
        .expect("200")
        .into_body();
    assert_eq!(all.data, vec![first.clone(), second.clone()]);
    let meta = all.meta.expect("meta");
    assert_eq!(
        (meta.current_page, meta.per_page, meta.total, meta.last_page),
        (1, 10, 2, 1)
    );
    for search in ["sara", "SARA ali", "0000001"] {
        let found = client
            .list_contacts(&list_query(Some(search), None, None))
            .await
            .expect("200")
            .into_body();
        assert_eq!(found.data, vec![second.clone()], "searchTerm {search}");
    }
    let page_two = client
        .list_contacts(&list_query(None, Some(2), Some(1)))
        .await
        .expect("200")
        .into_body();
    assert_eq!(page_two.data, vec![second.clone()]);
    let meta = page_two.meta.expect("meta");
    assert_eq!(
        (meta.current_page, meta.per_page, meta.total, meta.last_page),
        (2, 1, 2, 2)
    );

    // Update: only the fields sent change.
    let renamed = client
        .update_contact(
            1,
            &UpdateContactRequest {
                name: Some("Ahmed M.".to_owned()),
                ..UpdateContactRequest::default()
            },
        )
        .await
        .expect("200")
        .into_body()
        .data;
    assert_eq!(renamed.name, "Ahmed M.");
    assert_eq!(
        without_name_and_update_time(&renamed),
        without_name_and_update_time(&first)
    );
    let listed = client
        .list_contacts(&list_query(None, None, None))
        .await
        .expect("200")
        .into_body()
        .data;
    assert_eq!(listed, vec![renamed.clone(), second.clone()]);

    // Delete: gone from the list; a second delete, or an update, is 404 (the spec has no get-contact).
    let deleted = client.delete_contact(1).await.expect("200").into_body();
    assert_eq!(
        deleted.message.as_deref(),
        Some("Contact deleted successfully")
    );
    let listed = client
        .list_contacts(&list_query(None, None, None))
        .await
        .expect("200")
        .into_body();
    assert_eq!(listed.data, vec![second.clone()]);
    assert_eq!(listed.meta.expect("meta").total, 1);
    for (status, envelope, kind) in [
        api_error(client.delete_contact(1).await),
        api_error(
            client
                .update_contact(1, &UpdateContactRequest::default())
                .await,
        ),
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(kind, Some(ErrorKind::NotFound));
        assert_eq!(envelope.error, "resource_not_found");
        assert_eq!(envelope.message, "Contact 1 not found");
        assert!(
            envelope
                .request_id
                .as_deref()
                .is_some_and(|id| id.starts_with("req_0000")),
            "{envelope:?}"
        );
    }

    // Ids are not reused.
    let third = client
        .create_contact(
            &phone_number_id(),
            &CreateContactRequest::new("Omar", "96650000002"),
        )
        .await
        .expect("201")
        .into_body()
        .data;
    assert_eq!(third.id, 3);

    let log = mock.log();
    assert_eq!(
        log[0].split(" -> ").next(),
        Some("POST /api/developer/contacts?phone_number_id=123456789012345")
    );
    assert!(
        log[0].contains(" -> 201 (signature ok, 6 form parts) "),
        "{}",
        log[0]
    );
}

/// A contact with its name and `updated_at` blanked, to compare the rest.
fn without_name_and_update_time(
    contact: &awal_client::types::Contact,
) -> awal_client::types::Contact {
    awal_client::types::Contact {
        name: String::new(),
        updated_at: None,
        ..contact.clone()
    }
}

#[tokio::test]
async fn every_operation_answers_2xx_with_a_body_the_generated_types_decode() {
    let mock = start_mock().await;
    let client = client(&mock.base_url());
    let query = phone_number_id();
    let mut called: Vec<&str> = Vec::new();

    // Contacts.
    let contact = client
        .create_contact(
            &query,
            &CreateContactRequest::new("Ahmed Mohammed", "96650000000"),
        )
        .await
        .expect("createContact")
        .into_body()
        .data;
    called.push("createContact");
    client
        .list_contacts(&ListContactsQuery::default())
        .await
        .expect("listContacts");
    called.push("listContacts");
    client
        .update_contact(
            contact.id,
            &UpdateContactRequest {
                is_favorite: Some(true),
                ..UpdateContactRequest::default()
            },
        )
        .await
        .expect("updateContact");
    called.push("updateContact");
    client
        .delete_contact(contact.id)
        .await
        .expect("deleteContact");
    called.push("deleteContact");

    // Contact groups: the request's fields come back in `data`.
    let group = client
        .create_contact_group(&CreateContactGroupRequest::new("Gold Customers", 1))
        .await
        .expect("createContactGroup");
    assert_eq!(group.status(), StatusCode::CREATED);
    assert_eq!(
        (group.data.name.as_str(), group.data.status),
        ("Gold Customers", 1)
    );
    assert_eq!(group.data.created_at, Some(now_utc()));
    called.push("createContactGroup");
    let group = client
        .update_contact_group(
            7,
            &UpdateContactGroupRequest {
                status: Some(0),
                ..UpdateContactGroupRequest::default()
            },
        )
        .await
        .expect("updateContactGroup");
    assert_eq!((group.data.id, group.data.status), (7, 0));
    called.push("updateContactGroup");
    let deleted: ContactGroupDeletionEnvelope = client
        .delete_contact_group(7)
        .await
        .expect("deleteContactGroup")
        .into_body();
    assert_eq!(deleted.data.unlinked_contacts, 25, "the spec's example");
    called.push("deleteContactGroup");

    // Branches (multipart).
    let branch = client
        .create_branch(
            &query,
            &CreateBranchRequest {
                phone: Some("966500000009".to_owned()),
                is_favorite: Some(true),
                file: Some(FilePart::new(avatar_png(), "logo.png", "image/png")),
                ..CreateBranchRequest::new("Jeddah Branch")
            },
        )
        .await
        .expect("createBranch");
    assert_eq!(
        branch.status(),
        StatusCode::OK,
        "Create Branch documents 200"
    );
    assert_eq!(
        (
            branch.data.name.as_str(),
            branch.data.phone.as_deref(),
            branch.data.is_favorite
        ),
        ("Jeddah Branch", Some("966500000009"), Some(true))
    );
    called.push("createBranch");
    let branch = client
        .update_branch(
            3,
            &UpdateBranchRequest {
                email: Some("jeddah@example.com".to_owned()),
                ..UpdateBranchRequest::default()
            },
        )
        .await
        .expect("updateBranch");
    assert_eq!(branch.data.email.as_deref(), Some("jeddah@example.com"));
    assert_eq!(branch.data.updated_at, Some(now_utc()));
    called.push("updateBranch");
    client.delete_branch(3).await.expect("deleteBranch");
    called.push("deleteBranch");

    // Conversations.
    let conversations = client
        .list_conversations(&ListConversationsQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("listConversations");
    assert_eq!(
        conversations.data[0].name.as_deref(),
        Some("Ahmed Mohammed")
    );
    called.push("listConversations");
    let conversation = client
        .get_conversation(42, &query)
        .await
        .expect("getConversation");
    assert_eq!(conversation.data.id, 42, "the path's id");
    assert_eq!(conversation.data.messages.len(), 2);
    called.push("getConversation");
    let statuses = client
        .get_message_statuses(&query)
        .await
        .expect("getMessageStatuses");
    assert_eq!(statuses.data.len(), 2);
    called.push("getMessageStatuses");

    // Messages.
    let sent = client
        .send_text_message(&query, &SendTextRequest::new("96650000000", "Hello"))
        .await
        .expect("sendTextMessage");
    assert_eq!(sent.message.timestamp, Some(now_utc()));
    assert_eq!(
        sent.rate_limit().limit,
        Some(1000),
        "x-rate-limit: 1000 per hour"
    );
    called.push("sendTextMessage");
    let media = SendMediaUploadRequest {
        caption: Some("Our menu".to_owned()),
        ..SendMediaUploadRequest::new(
            "96650000000",
            MediaType::Image,
            FilePart::new(avatar_png(), "menu.png", "image/png"),
        )
    };
    let sent = client
        .send_media_message(&query, &media.into())
        .await
        .expect("sendMediaMessage");
    // No example in the spec: synthesized from the schema's property examples.
    assert_eq!(sent.message.id, 12345);
    assert_eq!(sent.message.message_id, "wamid.HBgNOTY2NTA...");
    called.push("sendMediaMessage");
    let template = SendTemplateRequest {
        header_value: Some("https://example.com/offer-banner.jpg".to_owned()),
        body_params: Some(TemplateBodyParams::Named(vec![TemplateNamedParam {
            name: "offer_code".to_owned(),
            value: "SUMMER25".to_owned(),
        }])),
        button_params: Some(vec![TemplateButtonParam {
            index: 0,
            name: Some("offer_id".to_owned()),
            value: "12345".to_owned(),
        }]),
        ..SendTemplateRequest::new(2, "96650000000", HeaderType::Image)
    };
    client
        .send_template_message(&query, &template)
        .await
        .expect("sendTemplateMessage");
    called.push("sendTemplateMessage");
    let buttons = SendButtonRequest::new(
        "96650000000",
        "Pick one",
        vec![
            ReplyButton {
                id: "yes".to_owned(),
                title: "Yes".to_owned(),
            },
            ReplyButton {
                id: "no".to_owned(),
                title: "No".to_owned(),
            },
        ],
    );
    client
        .send_button_message(&query, &buttons)
        .await
        .expect("sendButtonMessage");
    called.push("sendButtonMessage");
    let list = SendListRequest::new(
        "96650000000",
        "What would you like?",
        "View menu",
        vec![ListSection {
            title: "Drinks".to_owned(),
            rows: vec![ListRow {
                id: "qahwa".to_owned(),
                title: "Arabic coffee".to_owned(),
                description: None,
            }],
        }],
    );
    client
        .send_list_message(&query, &list)
        .await
        .expect("sendListMessage");
    called.push("sendListMessage");
    let location = SendLocationRequest::new(
        "96650000000",
        Location {
            latitude: 24.7136,
            longitude: 46.6753,
            name: "Riyadh Park".to_owned(),
            address: "King Fahd Road, Riyadh".to_owned(),
        },
    );
    client
        .send_location_message(&query, &location)
        .await
        .expect("sendLocationMessage");
    called.push("sendLocationMessage");

    // Templates.
    let templates = client
        .list_templates(&ListTemplatesQuery {
            limit: Some(20),
            ..ListTemplatesQuery::default()
        })
        .await
        .expect("listTemplates");
    assert_eq!(templates.data.len(), 2);
    assert_eq!(templates.meta.per_page, 20, "the page size asked for");
    called.push("listTemplates");
    let template = client.get_template(2).await.expect("getTemplate");
    assert_eq!(template.data.id, 2);
    called.push("getTemplate");

    // Tickets: the route decides the status.
    let ticket = client
        .update_ticket(
            5,
            &query,
            &UpdateTicketRequest::new(TicketRoute::CloseTicket),
        )
        .await
        .expect("updateTicket");
    let data = ticket.data.clone().expect("data");
    assert_eq!((data.conversation_id, data.status.as_str()), (5, "closed"));
    assert_eq!(
        ticket.message.as_deref(),
        Some("Ticket closed successfully")
    );
    called.push("updateTicket");

    // Orders.
    let orders = client
        .list_orders(&ListOrdersQuery::new(PHONE_NUMBER_ID))
        .await
        .expect("listOrders");
    assert_eq!(orders.data[0].order_number, "ORD-2024-001");
    called.push("listOrders");
    let order = client.get_order(9).await.expect("getOrder");
    assert_eq!(order.data.id, 9);
    assert_eq!(order.data.total, Decimal::new(145_000, 2));
    called.push("getOrder");
    let updated = client
        .update_order(
            9,
            &query,
            &UpdateOrderRequest {
                status: Some(OrderStatus::Shipped),
                payment_status: Some(PaymentStatus::Paid),
                admin_notes: Some("Left at the door".to_owned()),
                ..UpdateOrderRequest::default()
            },
        )
        .await
        .expect("updateOrder");
    assert_eq!(
        (
            updated.data.id,
            &updated.data.status,
            updated.data.admin_notes.as_deref()
        ),
        (9, &OrderStatus::Shipped, Some("Left at the door"))
    );
    called.push("updateOrder");

    // Invoices and WABA numbers.
    let invoice = SendInvoiceRequest {
        header_media: Some(FilePart::new(
            invoice_pdf(),
            "invoice.pdf",
            "application/pdf",
        )),
        ..SendInvoiceRequest::new(
            "96650000000",
            "Invoice INV-1: 1450 SAR",
            HeaderType::Document,
        )
    };
    let sent = client
        .send_invoice_message(&query, &invoice)
        .await
        .expect("sendInvoiceMessage");
    assert_eq!(sent.message.date, Some(now_utc()));
    called.push("sendInvoiceMessage");
    let numbers = client.list_waba_numbers().await.expect("listWabaNumbers");
    assert_eq!(numbers.data[0].phone_number_id, PHONE_NUMBER_ID);
    called.push("listWabaNumbers");

    // Every operation of the spec was called once, and every call was signed correctly.
    let mut served: Vec<String> = mock.operations().into_iter().map(|(id, _)| id).collect();
    served.sort();
    called.sort_unstable();
    assert_eq!(called, served);
    assert_eq!(called.len(), 27);
    let log = mock.log();
    assert_eq!(log.len(), 27);
    for line in &log {
        assert!(line.contains("(signature ok"), "{line}");
        assert!(line.contains(" -> 20"), "{line}");
    }
}

#[tokio::test]
async fn a_wrong_secret_is_a_typed_401_authentication_failed() {
    let mock = start_mock().await;
    let client = client_with(&mock.base_url(), "not-the-secret", NOW);
    let (status, envelope, kind) = api_error(client.list_waba_numbers().await);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(kind, Some(ErrorKind::Authentication));
    assert_eq!(envelope.error, "authentication_failed");
    assert_eq!(envelope.message, "Invalid HMAC signature");
    assert_eq!(envelope.request_id.as_deref(), Some("req_000001"));
    let log = mock.log();
    assert!(
        log[0]
            .starts_with("GET /api/developer/waba-numbers -> 401 (bad signature: expected sha256="),
        "{log:?}"
    );
}

/// The harness's credentials, for clients built with other signing choices.
fn credentials() -> Credentials {
    Credentials {
        client_id: CLIENT_ID.to_owned(),
        domain: DOMAIN.to_owned(),
        hmac_secret: Secret::new(SECRET),
    }
}

#[tokio::test]
async fn the_other_signing_readings_are_401s_the_log_explains() {
    let mock = start_mock().await;
    let builder = || {
        Client::builder(credentials())
            .base_url(mock.base_url())
            .clock(|| NOW)
            .retry(RetryPolicy::none())
    };
    let full_path = builder()
        .signing_path(PathForm::Full)
        .build()
        .expect("valid");
    let (status, envelope, _) = api_error(full_path.list_waba_numbers().await);
    assert_eq!(
        (status, envelope.error.as_str()),
        (StatusCode::UNAUTHORIZED, "authentication_failed")
    );
    let empty_multipart = builder()
        .multipart_signing(MultipartBody::Empty)
        .build()
        .expect("valid");
    let (status, _, _) = api_error(
        empty_multipart
            .create_contact(
                &phone_number_id(),
                &CreateContactRequest::new("Ahmed", "96650000000"),
            )
            .await,
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let log = mock.log();
    assert!(
        is_log_line(
            &log[0],
            "GET /api/developer/waba-numbers -> 401 (bad signature: it was signed over the full path \
             /api/developer/waba-numbers; sign /waba-numbers (PathForm::RelativeToServer))"
        ),
        "{log:?}"
    );
    assert!(
        log[1].contains("(bad signature: it was signed over an empty body; sign the exact body bytes sent (MultipartBody::Raw))"),
        "{log:?}"
    );
}

/// `line` is `expected` followed by a space and a duration in milliseconds, as the mock logs requests.
fn is_log_line(line: &str, expected: &str) -> bool {
    line.strip_prefix(expected)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(|rest| rest.strip_suffix("ms"))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}
#[tokio::test]
async fn a_stale_clock_is_a_typed_403_and_clock_skew_correction_recovers() {
    let mock = start_mock().await;
    let an_hour_behind = NOW - 3600;
    let (status, envelope, kind) = api_error(
        client_with(&mock.base_url(), SECRET, an_hour_behind)
            .list_waba_numbers()
            .await,
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(kind, Some(ErrorKind::Forbidden));
    assert_eq!(envelope.error, "invalid_timestamp");
    assert_eq!(envelope.message, "Timestamp is too old");
    let details = envelope.details.expect("details");
    assert_eq!(
        details["X-Timestamp"],
        format!("{an_hour_behind} is 3600 seconds from server time {NOW} (allowed: 300)")
    );

    // The mock's `Date` comes from its clock, so the client can learn the offset from the 403.
    let corrected = Client::builder(credentials())
        .base_url(mock.base_url())
        .clock(move || an_hour_behind)
        .retry(RetryPolicy::none())
        .correct_clock_skew(true)
        .build()
        .expect("valid");
    let numbers = corrected
        .list_waba_numbers()
        .await
        .expect("200 after correcting");
    assert_eq!(numbers.attempts(), 2);
    assert_eq!(corrected.clock_offset_seconds(), 3600);
}

/// A request signed by hand, as the docs describe, sent with reqwest.
async fn signed(
    mock: &MockServer,
    method: &str,
    path: &str,
    query: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> (u16, Value) {
    let signature =
        awal_tests::compute_signature(SECRET.as_bytes(), method, path, query, NOW, body);
    let url = match query {
        Some(query) => format!("{}{path}?{query}", mock.base_url()),
        None => format!("{}{path}", mock.base_url()),
    };
    let response = reqwest::Client::new()
        .request(method.parse().expect("a method"), url)
        .header("Accept", "application/json")
        .header("Content-Type", content_type)
        .header("X-Awal-Signature-256", signature)
        .header("X-Timestamp", NOW.to_string())
        .header("X-Domain", DOMAIN)
        .header("X-Client-ID", CLIENT_ID)
        .body(body.to_vec())
        .send()
        .await
        .expect("the mock answers");
    let status = response.status().as_u16();
    let body =
        serde_json::from_slice(&response.bytes().await.expect("a body")).expect("a JSON body");
    (status, body)
}

#[tokio::test]
async fn missing_headers_and_bodies_that_do_not_parse_are_documented_400s() {
    let mock = start_mock().await;

    let unsigned = reqwest::get(format!("{}/contacts", mock.base_url()))
        .await
        .expect("the mock answers");
    assert_eq!(unsigned.status().as_u16(), 400);
    let body: Value =
        serde_json::from_slice(&unsigned.bytes().await.expect("a body")).expect("a JSON body");
    assert_eq!(body["error"], "missing_headers");
    assert_eq!(body["request_id"], "req_000001");
    let named: Vec<&str> = body["details"]
        .as_object()
        .expect("details")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        named,
        [
            "Accept",
            "X-Awal-Signature-256",
            "X-Timestamp",
            "X-Domain",
            "X-Client-ID"
        ]
    );

    let (status, body) = signed(
        &mock,
        "POST",
        "/w/message/text",
        Some("phone_number_id=1"),
        "application/json",
        br#"{"phone": "96650000000", "body": "#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "validation_failed");
    assert!(
        body["details"]["body"]
            .as_str()
            .is_some_and(|text| text.starts_with("Not valid JSON")),
        "{body}"
    );
    assert_eq!(body["request_id"], "req_000002");

    let (status, body) = signed(
        &mock,
        "POST",
        "/contacts",
        Some("phone_number_id=1"),
        "multipart/form-data; boundary=XYZ",
        b"--XYZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAhmed",
    )
    .await;
    assert_eq!((status, &body["error"]), (400, &json!("validation_failed")));
    assert!(
        body["details"]["body"]
            .as_str()
            .is_some_and(|text| text.starts_with("Not a valid multipart/form-data body")),
        "{body}"
    );

    // Parsed, but a required field is missing: Create Contact documents 422 for that.
    let form =
        b"--XYZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAhmed\r\n--XYZ--\r\n";
    let (status, body) = signed(
        &mock,
        "POST",
        "/contacts",
        Some("phone_number_id=1"),
        "multipart/form-data; boundary=XYZ",
        form,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["details"],
        json!({"phone": "The phone field is required."})
    );

    // JSON where the operation takes a form.
    let (status, body) = signed(
        &mock,
        "POST",
        "/contacts",
        Some("phone_number_id=1"),
        "application/json",
        br#"{"name": "Ahmed", "phone": "96650000000"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["details"]["Content-Type"],
        "Expected multipart/form-data, got application/json."
    );

    // A required query parameter left out.
    let (status, body) = signed(&mock, "GET", "/orders", None, "application/json", b"").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["details"],
        json!({"phone_number_id": "The phone_number_id query parameter is required."})
    );

    assert!(
        mock.log()[1].starts_with("POST /api/developer/w/message/text?phone_number_id=1 -> 400 (signature ok, unparsable JSON body, validation_failed: body: Not valid JSON"),
        "{:?}",
        mock.log()
    );
}

// ---- programs: the create_contact example and the awal-mock binary ----

/// The binary of example `name`, built (or found fresh) by cargo, as `tests/example.rs` does.
fn example_binary(name: &str) -> PathBuf {
    static EXAMPLES: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = EXAMPLES.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--workspace", "--examples"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the examples failed");
        let deps = std::env::current_exe().expect("test binary path");
        let target = deps
            .parent()
            .and_then(|d| d.parent())
            .expect("target/<profile>/deps");
        target.join("examples")
    });
    let binary = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "no example binary {}", binary.display());
    binary
}

fn machine_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// Runs `binary` with exactly `envs` as its environment.
fn run(binary: &PathBuf, envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(binary);
    command.args(args).env_clear();
    for (name, value) in envs {
        command.env(name, value);
    }
    command.output().expect("the program runs")
}

// Multi-threaded: the mock keeps serving while this thread waits for the example process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_create_contact_example_creates_a_contact_on_the_mock() {
    let example = example_binary("create_contact");
    // The example signs with the machine's clock; the mock's is fixed at the same moment.
    let now = machine_now();
    let mock = MockServer::start(MockConfig {
        clock: Some(now),
        ..MockConfig::default()
    })
    .await;
    let dir = std::env::temp_dir().join(format!("awal-mock-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let avatar = dir.join("me.png");
    std::fs::write(&avatar, avatar_png()).expect("write the avatar");
    let base_url = mock.base_url();
    let env = [
        ("AWAL_BASE_URL", base_url.as_str()),
        ("AWAL_CLIENT_ID", "mock-client"),
        ("AWAL_DOMAIN", "mock-workspace"),
        ("AWAL_HMAC_SECRET", "mock-secret"),
        ("AWAL_PHONE_NUMBER_ID", PHONE_NUMBER_ID),
    ];
    let args = [
        "--name",
        "Ahmed",
        "--phone",
        "96650000000",
        "--favorite",
        "--avatar",
        avatar.to_str().expect("a UTF-8 path"),
    ];
    let first = run(&example, &env, &args);
    let again = run(&example, &env, &args);
    let _ = std::fs::remove_dir_all(&dir);

    assert!(
        first.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    let printed: Value = serde_json::from_slice(&first.stdout).expect("stdout is JSON");
    assert_eq!(
        printed,
        json!({"id": 1, "name": "Ahmed", "phone": "96650000000", "is_favorite": true,
               "avatar": "https://storage.awalchat.com/contacts/1/avatar.png",
               "created_at": iso(now), "updated_at": iso(now)})
    );

    // The same phone number again: one line, exit 1, with the mock's answer.
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("HTTP 409: duplicate_phone_number")
            && stderr.contains("(request req_000002)"),
        "{stderr}"
    );
    assert!(
        mock.log()[0].contains(" -> 201 (signature ok, 4 form parts) "),
        "{:?}",
        mock.log()
    );
}

/// `2024-01-15T10:30:00Z` for a Unix time, as the mock writes times.
fn iso(unix: u64) -> String {
    Utc.timestamp_opt(i64::try_from(unix).expect("fits"), 0)
        .single()
        .expect("a valid time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[test]
fn the_binary_refuses_bad_arguments_in_one_line_with_exit_2() {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_awal-mock"));
    for (args, mentions) in [
        (&["--port", "http"][..], "--port must be a number"),
        (&["--port"][..], "--port needs a value"),
        (&["--secret", ""][..], "--secret must not be empty"),
        (&["--verbose"][..], "unknown argument `--verbose`"),
    ] {
        let output = run(&binary, &[], args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(mentions) && stderr.contains("usage: awal-mock"),
            "{stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_the_environment_logs_each_request_and_stops_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_awal-mock"))
        .args([
            "--port",
            "0",
            "--client-id",
            "client-9",
            "--domain",
            "acme",
            "--secret",
            "it's secret",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awal-mock starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    let export = loop {
        let mut line = String::new();
        let read = stdout.read_line(&mut line).expect("read the banner");
        assert!(read > 0, "no export line in: {banner}");
        banner.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("export ") {
            break rest.to_owned();
        }
    };
    let base_url = export
        .split(' ')
        .find_map(|word| word.strip_prefix("AWAL_BASE_URL="))
        .expect("AWAL_BASE_URL")
        .to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/api/developer"));
    assert!(
        export.ends_with(
            "AWAL_CLIENT_ID=client-9 AWAL_DOMAIN=acme AWAL_HMAC_SECRET='it'\\''s secret' \
             AWAL_PHONE_NUMBER_ID=123456789012345"
        ),
        "{export}"
    );

    let credentials = Credentials {
        client_id: "client-9".to_owned(),
        domain: "acme".to_owned(),
        hmac_secret: Secret::new("it's secret"),
    };
    let client = Client::builder(credentials)
        .base_url(&base_url)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid");
    let numbers = client.list_waba_numbers().await.expect("200");
    assert_eq!(numbers.data.len(), 1);

    // Ctrl-C (SIGINT) stops it cleanly.
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let status = child.wait().expect("awal-mock exits");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert!(status.success(), "{status:?}; stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        is_log_line(
            lines[0],
            "GET /api/developer/waba-numbers -> 200 (signature ok, no body)"
        ),
        "{stderr}"
    );
    assert_eq!(lines[1], "awal-mock: stopped");
}
