//! Contact groups and branches, end to end: the generated client against the test server, which checks
//! every signature with its own HMAC code and parses multipart bodies with multer. Each test asserts what
//! arrived (method, path, query, JSON body or form parts, file bytes) and how the client decoded the
//! documented example response (awal-api.md §3.2 and §3.3).

use awal_client::types::{
    CreateBranchRequest, CreateContactGroupRequest, PhoneNumberIdQuery, UpdateBranchRequest,
    UpdateContactGroupRequest,
};
use awal_client::{ErrorKind, FilePart, StatusCode};
use awal_tests::harness::{avatar_png, client, start_server};
use awal_tests::{AuthOutcome, CannedResponse, FormPart, RecordedRequest, TestServer};
use chrono::{TimeZone, Utc};
use serde_json::json;

/// The one request the server received; it must have passed the signature check.
fn the_request(server: &TestServer) -> RecordedRequest {
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

/// The JSON body of a request, parsed, after checking its content type.
fn json_body(request: &RecordedRequest) -> serde_json::Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    serde_json::from_slice(&request.body).expect("the body is JSON")
}

/// The multipart parts of a request, as multer parsed them.
fn form_parts(request: &RecordedRequest) -> Vec<FormPart> {
    assert_eq!(
        request.header("content-type"),
        Some("multipart/form-data; boundary=awal-test-boundary-0001")
    );
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

#[tokio::test]
async fn create_contact_group_sends_json_and_decodes_the_new_group() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        201,
        json!({"status": true, "message": "Group created successfully",
               "data": {"id": 2, "name": "VIP Customers", "status": 1, "contacts_count": 0,
                        "created_at": "2024-01-15T10:30:00Z"}}),
    ));
    let response = client(&server.base_url())
        .create_contact_group(&CreateContactGroupRequest::new("VIP Customers", 1))
        .await
        .expect("the server answers 201");

    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.status);
    assert_eq!(
        response.message.as_deref(),
        Some("Group created successfully")
    );
    let group = &response.data;
    assert_eq!(group.id, 2);
    assert_eq!(group.name, "VIP Customers");
    assert_eq!(group.status, 1);
    assert_eq!(group.contacts_count, Some(0));
    assert_eq!(
        group.created_at,
        Some(Utc.with_ymd_and_hms(2024, 1, 15, 10, 30, 0).unwrap())
    );
    assert_eq!(group.updated_at, None);

    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        ("POST", "/api/developer/contact-groups", None)
    );
    assert_eq!(
        json_body(&seen),
        json!({"name": "VIP Customers", "status": 1})
    );
}

#[tokio::test]
async fn update_contact_group_sends_the_fields_set_and_decodes_the_group() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Group updated successfully",
               "data": {"id": 1, "name": "Updated Customers", "status": 1, "updated_at": "2024-01-20T14:30:00Z"}}),
    ));
    let body = UpdateContactGroupRequest {
        name: Some("Updated Customers".to_owned()),
        status: Some(1),
    };
    let response = client(&server.base_url())
        .update_contact_group(1, &body)
        .await
        .expect("200");

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.message.as_deref(),
        Some("Group updated successfully")
    );
    let group = &response.data;
    assert_eq!(
        (group.id, group.name.as_str(), group.status),
        (1, "Updated Customers", 1)
    );
    assert_eq!(
        group.updated_at,
        Some(Utc.with_ymd_and_hms(2024, 1, 20, 14, 30, 0).unwrap())
    );
    assert_eq!((group.contacts_count, group.created_at), (None, None));

    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        ("PATCH", "/api/developer/contact-groups/1", None)
    );
    assert_eq!(
        json_body(&seen),
        json!({"name": "Updated Customers", "status": 1})
    );
}

#[tokio::test]
async fn a_partial_contact_group_update_leaves_the_other_fields_out() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Group updated successfully",
               "data": {"id": 1, "name": "Updated Customers", "status": 0}}),
    ));
    let body = UpdateContactGroupRequest {
        status: Some(0),
        ..Default::default()
    };
    let response = client(&server.base_url())
        .update_contact_group(1, &body)
        .await
        .expect("200");
    assert_eq!(response.data.status, 0);
    let seen = the_request(&server);
    // Exactly these bytes: no `"name":null`.
    assert_eq!(&seen.body[..], br#"{"status":0}"#);
}

#[tokio::test]
async fn delete_contact_group_decodes_how_many_contacts_were_unlinked() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Group deleted successfully", "data": {"unlinked_contacts": 25}}),
    ));
    let response = client(&server.base_url())
        .delete_contact_group(2)
        .await
        .expect("200");
    assert_eq!(
        response.message.as_deref(),
        Some("Group deleted successfully")
    );
    assert_eq!(response.data.unlinked_contacts, 25);

    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        ("DELETE", "/api/developer/contact-groups/2", None)
    );
    assert!(seen.body.is_empty());
    assert_eq!(seen.header("content-type"), None);
}

#[tokio::test]
async fn an_unknown_contact_group_is_a_not_found_error() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        404,
        json!({"error": "resource_not_found", "message": "Contact group not found", "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .update_contact_group(999, &UpdateContactGroupRequest::default())
        .await
        .expect_err("404");
    assert_eq!(error.kind(), Some(ErrorKind::NotFound));
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    let body = error
        .api()
        .and_then(|api| api.body.as_ref())
        .expect("the error envelope parses");
    assert_eq!(body.error, "resource_not_found");
    assert_eq!(body.message, "Contact group not found");
    assert_eq!(body.details, None);
    assert_eq!(body.request_id.as_deref(), Some("req_abc123xyz"));
    // An empty update is still a JSON object.
    assert_eq!(&the_request(&server).body[..], b"{}");
}

#[tokio::test]
async fn create_branch_uploads_the_logo_and_decodes_the_branch() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        // The documented example is cut off inside `created_at`; completed here.
        json!({"status": true, "message": "Branch created successfully",
               "data": {"id": 3, "name": "Khobar Branch", "phone": "966500000002", "email": "khobar@example.com",
                        "address": "Corniche, Khobar, Saudi Arabia", "description": "New branch in Khobar",
                        "is_favorite": false, "file_url": "https://storage.awalchat.com/branches/3/logo.png",
                        "created_at": "2025-01-08T15:00:00Z"}}),
    ));
    let logo = avatar_png();
    let body = CreateBranchRequest {
        phone: Some("966500000002".to_owned()),
        email: Some("khobar@example.com".to_owned()),
        address: Some("Corniche, Khobar, Saudi Arabia".to_owned()),
        description: Some("New branch in Khobar".to_owned()),
        branch_id: Some("EXT-KHB-001".to_owned()),
        contact_group_id: Some("2".to_owned()),
        full_name: Some("Khalid Al-Harbi".to_owned()),
        is_favorite: Some(false),
        file: Some(FilePart::new(logo.clone(), "branch-logo.png", "image/png")),
        ..CreateBranchRequest::new("Khobar Branch")
    };
    let response = client(&server.base_url())
        .create_branch(&PhoneNumberIdQuery::new("123456789012345"), &body)
        .await
        .expect("200");

    // The page documents 200 OK (not 201) for this create.
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.message.as_deref(),
        Some("Branch created successfully")
    );
    let branch = &response.data;
    assert_eq!(branch.id, 3);
    assert_eq!(branch.name, "Khobar Branch");
    assert_eq!(branch.phone.as_deref(), Some("966500000002"));
    assert_eq!(branch.email.as_deref(), Some("khobar@example.com"));
    assert_eq!(
        branch.address.as_deref(),
        Some("Corniche, Khobar, Saudi Arabia")
    );
    assert_eq!(branch.description.as_deref(), Some("New branch in Khobar"));
    assert_eq!(branch.is_favorite, Some(false));
    assert_eq!(
        branch.file_url.as_deref(),
        Some("https://storage.awalchat.com/branches/3/logo.png")
    );
    assert_eq!(
        branch.created_at,
        Some(Utc.with_ymd_and_hms(2025, 1, 8, 15, 0, 0).unwrap())
    );
    assert_eq!(branch.updated_at, None);

    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        (
            "POST",
            "/api/developer/branches",
            Some("phone_number_id=123456789012345")
        )
    );
    assert_eq!(
        form_parts(&seen),
        vec![
            text_part("name", "Khobar Branch"),
            text_part("phone", "966500000002"),
            text_part("email", "khobar@example.com"),
            text_part("address", "Corniche, Khobar, Saudi Arabia"),
            text_part("description", "New branch in Khobar"),
            text_part("branch_id", "EXT-KHB-001"),
            text_part("contact_group_id", "2"),
            text_part("full_name", "Khalid Al-Harbi"),
            text_part("is_favorite", "false"),
            file_part("file", "branch-logo.png", "image/png", logo),
        ]
    );
}

#[tokio::test]
async fn update_branch_sends_only_the_fields_set_and_decodes_the_branch() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Branch updated successfully",
               "data": {"id": 3, "name": "Khobar Branch", "phone": "966500000003", "is_favorite": true,
                        "updated_at": "2025-01-08T16:00:00Z"}}),
    ));
    let logo = avatar_png();
    let body = UpdateBranchRequest {
        phone: Some("966500000003".to_owned()),
        is_favorite: Some(true),
        file: Some(FilePart::new(logo.clone(), "new-logo.png", "image/png")),
        ..Default::default()
    };
    let response = client(&server.base_url())
        .update_branch(3, &body)
        .await
        .expect("200");

    assert_eq!(
        response.message.as_deref(),
        Some("Branch updated successfully")
    );
    let branch = &response.data;
    assert_eq!((branch.id, branch.name.as_str()), (3, "Khobar Branch"));
    assert_eq!(branch.phone.as_deref(), Some("966500000003"));
    assert_eq!(branch.is_favorite, Some(true));
    assert_eq!(
        branch.updated_at,
        Some(Utc.with_ymd_and_hms(2025, 1, 8, 16, 0, 0).unwrap())
    );
    assert_eq!(
        (&branch.email, &branch.file_url, &branch.created_at),
        (&None, &None, &None)
    );

    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        ("PATCH", "/api/developer/branches/3", None)
    );
    assert_eq!(
        form_parts(&seen),
        vec![
            text_part("phone", "966500000003"),
            text_part("is_favorite", "true"),
            file_part("file", "new-logo.png", "image/png", logo),
        ]
    );
}

#[tokio::test]
async fn delete_branch_signs_an_empty_body_and_decodes_the_message() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        200,
        json!({"status": true, "message": "Branch deleted successfully"}),
    ));
    let response = client(&server.base_url())
        .delete_branch(3)
        .await
        .expect("200");
    assert!(response.status);
    assert_eq!(
        response.message.as_deref(),
        Some("Branch deleted successfully")
    );
    let seen = the_request(&server);
    assert_eq!(
        (
            seen.method.as_str(),
            seen.path.as_str(),
            seen.query.as_deref()
        ),
        ("DELETE", "/api/developer/branches/3", None)
    );
    assert!(seen.body.is_empty());
}

#[tokio::test]
async fn a_branch_with_associated_data_is_a_conflict() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        409,
        json!({"error": "conflict", "message": "Branch has associated data", "request_id": "req_abc123xyz"}),
    ));
    let error = client(&server.base_url())
        .delete_branch(3)
        .await
        .expect_err("409");
    assert_eq!(error.kind(), Some(ErrorKind::Conflict));
    let api = error.api().expect("an API error");
    assert_eq!(api.status, StatusCode::CONFLICT);
    assert_eq!(
        api.body.as_ref().map(|body| body.message.as_str()),
        Some("Branch has associated data")
    );
}

#[tokio::test]
async fn a_refused_branch_keeps_the_validation_details() {
    let server = start_server().await;
    server.enqueue(CannedResponse::json(
        422,
        json!({"error": "validation_failed", "message": "Validation failed",
               "details": {"contact_group_id": "The selected contact group id is invalid",
                           "branch_id": "The branch id has already been taken"},
               "request_id": "req_abc123xyz"}),
    ));
    let body = CreateBranchRequest {
        // Valid as far as the client can tell: only the server knows these IDs.
        branch_id: Some("EXT-KHB-001".to_owned()),
        contact_group_id: Some("99".to_owned()),
        ..CreateBranchRequest::new("Khobar Branch")
    };
    let error = client(&server.base_url())
        .create_branch(&PhoneNumberIdQuery::new("123456789012345"), &body)
        .await
        .expect_err("422");
    assert_eq!(error.kind(), Some(ErrorKind::InvalidRequest));
    assert_eq!(error.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    let envelope = error
        .api()
        .and_then(|api| api.body.as_ref())
        .expect("the error envelope parses");
    assert_eq!(envelope.error, "validation_failed");
    let details = envelope.details.as_ref().expect("details");
    assert_eq!(details.len(), 2);
    assert_eq!(
        details["contact_group_id"],
        "The selected contact group id is invalid"
    );
    assert_eq!(details["branch_id"], "The branch id has already been taken");
    assert_eq!(the_request(&server).auth, AuthOutcome::Valid);
}
