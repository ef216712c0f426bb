//! Credentials per operation, on the wire. A client generated at build time (`build.rs`) from
//! `tests/fixtures/credentials.yaml`: basic on the token endpoint, bearer (the spec's default) on the
//! items, an API key in the query on the search, nothing on the health check, bearer or nothing on the
//! profile. Each call must carry exactly what its operation asks for, and a call whose requirement the
//! configured credentials do not meet must fail before anything is sent, naming what is missing.

// The whole generated crate is included; these tests use part of it, and its `full-serde` feature is
// the generated crate's, not this one's.
#[allow(dead_code, unused_imports, unexpected_cfgs)]
mod api {
    include!(concat!(env!("OUT_DIR"), "/credentials.rs"));
}

use api::{BasicAuth, Client, Credentials, Error, Secret};
use awal_tests::recorder::{Received, Recorder, Route};
use serde_json::json;

async fn server() -> Recorder {
    Recorder::start(vec![
        ("/v1/token", Route::json(200, json!({"token": "issued"}))),
        ("/v1/items", Route::json(200, json!(["a", "b"]))),
        ("/v1/search", Route::json(200, json!(["a"]))),
        ("/v1/health", Route::body(204, "text/plain", "")),
        ("/v1/profile", Route::json(200, json!({"name": "Ahmed"}))),
    ])
    .await
}

fn client(server: &Recorder, credentials: Credentials) -> Client {
    Client::builder(credentials)
        .base_url(format!("{}/v1", server.base_url()))
        .build()
        .expect("valid configuration")
}

fn every_credential() -> Credentials {
    Credentials {
        basic_auth: Some(BasicAuth::new("user", "pass")),
        bearer_auth: Some(Secret::new("t0ken")),
        api_key_query: Some(Secret::new("k3y")),
    }
}

/// The one request received for `path`.
fn only(server: &Recorder, path: &str) -> Received {
    let mut matching: Vec<Received> = server
        .received()
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    assert_eq!(matching.len(), 1, "one request for {path}");
    matching.remove(0)
}

#[tokio::test]
async fn every_operation_sends_exactly_the_credentials_it_asks_for() {
    let server = server().await;
    let api = client(&server, every_credential());
    assert_eq!(api.create_token().await.expect("200").token, "issued");
    assert_eq!(*api.list_items().await.expect("200"), ["a", "b"]);
    let query = api::types::SearchItemsQuery::new("x y");
    assert_eq!(*api.search_items(&query).await.expect("200"), ["a"]);
    api.health().await.expect("204");
    api.get_profile().await.expect("200");

    let token = only(&server, "/v1/token");
    assert_eq!(
        token.headers_named("authorization"),
        ["Basic dXNlcjpwYXNz"],
        "basic only, never also the bearer token that shares its header"
    );
    assert_eq!(token.query, None);

    let items = only(&server, "/v1/items");
    assert_eq!(items.headers_named("authorization"), ["Bearer t0ken"]);
    assert_eq!(items.query, None);

    let search = only(&server, "/v1/search");
    assert_eq!(search.headers_named("authorization"), Vec::<&str>::new());
    assert_eq!(search.query.as_deref(), Some("q=x%20y&api_key=k3y"));

    let health = only(&server, "/v1/health");
    assert_eq!(health.headers_named("authorization"), Vec::<&str>::new());
    assert_eq!(health.query, None);

    let profile = only(&server, "/v1/profile");
    assert_eq!(profile.headers_named("authorization"), ["Bearer t0ken"]);
}

#[tokio::test]
async fn an_unmet_requirement_fails_before_sending_and_names_the_missing_schemes() {
    let server = server().await;
    let bearer_only = client(
        &server,
        Credentials {
            bearer_auth: Some(Secret::new("t0ken")),
            ..Credentials::default()
        },
    );
    let missing = |error: Error<serde_json::Value>| match error {
        Error::MissingCredentials { missing } => missing,
        other => panic!("expected missing credentials, got {other:?}"),
    };
    let error = bearer_only.create_token().await.expect_err("no basic");
    assert_eq!(
        error.to_string(),
        "missing credentials: this operation needs `basicAuth`"
    );
    assert_eq!(missing(error), [vec!["basicAuth".to_owned()]]);
    let query = api::types::SearchItemsQuery::new("x");
    assert_eq!(
        missing(bearer_only.search_items(&query).await.expect_err("no key")),
        [vec!["apiKeyQuery".to_owned()]]
    );
    // What it can do, it does.
    bearer_only.list_items().await.expect("200");
    bearer_only.health().await.expect("204");
    let paths: Vec<String> = server.received().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v1/items", "/v1/health"], "nothing else was sent");
}

#[tokio::test]
async fn an_optional_requirement_sends_nothing_when_nothing_is_configured() {
    let server = server().await;
    let anonymous = client(&server, Credentials::default());
    assert_eq!(
        anonymous.get_profile().await.expect("200").name.as_deref(),
        Some("Ahmed")
    );
    let error = anonymous.list_items().await.expect_err("no bearer");
    assert!(
        matches!(&error, Error::MissingCredentials { missing } if missing == &[vec!["bearerAuth".to_owned()]]),
        "{error:?}"
    );
    let profile = only(&server, "/v1/profile");
    assert_eq!(profile.headers_named("authorization"), Vec::<&str>::new());
    assert_eq!(profile.query, None);
    assert_eq!(server.received().len(), 1);
}
