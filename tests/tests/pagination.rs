//! The generated `*_stream` methods walk every page of a list operation against the test server.

use awal_client::types::{ListContactsQuery, ListOrdersQuery};
use awal_tests::harness::{client, start_server};
use awal_tests::{AuthOutcome, CannedResponse};
use futures_util::StreamExt;
use serde_json::json;

fn contacts_page(ids: &[i64], page: i32, last: i32) -> CannedResponse {
    let data: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "name": format!("C{id}"), "phone": "96650000000"}))
        .collect();
    CannedResponse::json(
        200,
        json!({"status": true, "data": data, "meta": {"current_page": page, "per_page": 2, "total": 5, "last_page": last}}),
    )
}

#[tokio::test]
async fn every_contact_of_every_page_in_order() {
    let server = start_server().await;
    server.enqueue(contacts_page(&[1, 2], 1, 3));
    server.enqueue(contacts_page(&[3, 4], 2, 3));
    server.enqueue(contacts_page(&[5], 3, 3));
    let api = client(&server.base_url());
    let query = ListContactsQuery {
        limit: Some(2),
        search_term: Some("c".into()),
        ..Default::default()
    };
    let ids: Vec<i64> = api
        .list_contacts_stream(&query)
        .map(|c| c.expect("ok").id)
        .collect()
        .await;
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    let queries: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            "page=1&limit=2&searchTerm=c",
            "page=2&limit=2&searchTerm=c",
            "page=3&limit=2&searchTerm=c"
        ]
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.auth == AuthOutcome::Valid),
        "each page is signed anew"
    );
}

#[tokio::test]
async fn a_stream_starts_at_the_given_page_and_stops_at_the_first_error() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "data": [{"id": 7, "order_number": "ORD-7", "total": 10.5, "currency": "SAR", "status": "pending", "payment_status": "unpaid"}],
               "meta": {"current_page": 4, "per_page": 1, "total": 9, "last_page": 9}}),
    ));
    server.enqueue(CannedResponse::json(
        500,
        json!({"error": "server_error", "message": "boom"}),
    ));
    let api = client(&server.base_url());
    let query = ListOrdersQuery {
        page: Some(4),
        ..ListOrdersQuery::new("123")
    };
    let items: Vec<_> = api.list_orders_stream(&query).collect().await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().expect("first page").order_number, "ORD-7");
    let error = items[1].as_ref().expect_err("second page fails");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests().len(), 2, "no page after the error");
}
