//! `POST /echo`, the browser tests' view of what a `form` mode request
//! carried: `X-…` headers, text fields, file parts, cookie names (never
//! their values); `?reply=` answers a word as text. Local mode only.

mod common;

use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

#[tokio::test]
async fn echoes_headers_fields_files_and_cookie_names() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let form = Form::new()
        .text("folder", "12")
        .part("file", Part::bytes(vec![7u8; 1000]).file_name("a.bin"));
    let response = server
        .client
        .post(server.url("/echo"))
        .header("X-CSRFToken", "tok-1")
        .header("Cookie", "sessionid=very-secret; csrftoken=also-secret")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = json(response, StatusCode::CREATED).await;
    assert_eq!(body["headers"]["x-csrftoken"], "tok-1");
    assert_eq!(body["fields"]["folder"], "12");
    assert_eq!(body["files"][0]["field"], "file");
    assert_eq!(body["files"][0]["filename"], "a.bin");
    assert_eq!(body["files"][0]["size"], 1000);
    assert_eq!(
        body["cookies"],
        serde_json::json!(["sessionid", "csrftoken"])
    );
    assert!(!body.to_string().contains("secret"), "{body}");
}

#[tokio::test]
async fn reply_answers_a_word_as_text() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let form = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("a.txt"));
    let response = server
        .client
        .post(server.url("/echo?reply=fp-42"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.text().await.unwrap(), "fp-42");
}

#[tokio::test]
async fn bad_requests_get_the_api_s_status_and_error_body() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    // Not multipart at all.
    let response = server
        .client
        .post(server.url("/echo"))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    error_message(response, StatusCode::BAD_REQUEST).await;
    // Over the body limit: too large, not "not multipart".
    let form = Form::new().part(
        "file",
        Part::bytes(vec![0u8; 3 * 1024 * 1024]).file_name("big.bin"),
    );
    let response = server
        .client
        .post(server.url("/echo"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    error_message(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    // Another method.
    let response = server.client.get(server.url("/echo")).send().await.unwrap();
    error_message(response, StatusCode::METHOD_NOT_ALLOWED).await;
}
