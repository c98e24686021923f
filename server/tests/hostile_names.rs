//! File names are metadata only: whatever a client sends is stored and
//! served back as given, on every upload route, and never becomes a path.

mod common;

use common::*;
use percent_encoding::percent_decode_str;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn hostile_names() -> Vec<String> {
    vec![
        "../../etc/passwd".into(),
        "..\\..\\windows\\system32\\config".into(),
        "/etc/shadow".into(),
        "CON".into(),
        "NUL.txt".into(),
        "..".into(),
        ".".into(),
        "thumbnail".into(),
        // The longest name taken: 1,024 bytes.
        "😀".repeat(256),
        "quote\"semi;colon back\\slash.txt".into(),
        "line\r\nbreak: header.txt".into(),
        "nul\0byte.txt".into(),
        "%2e%2e%2fencoded.txt".into(),
    ]
}

/// A multipart body as a browser builds it: the name as raw UTF-8.
fn browser_multipart(field: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----ta-hostile-7d1f0c";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Downloads `content` and checks the bytes and the name it is served under.
async fn assert_served_back(
    server: &TestServer,
    content: &str,
    name: &str,
    bytes: &[u8],
    auth: &str,
) {
    let response = server
        .client
        .get(content)
        .header("Authorization", auth)
        .header("X-Org-ID", ORG)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{content}");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let encoded = disposition
        .strip_prefix("attachment; filename*=UTF-8''")
        .unwrap_or_else(|| panic!("{disposition}"));
    assert_eq!(percent_decode_str(encoded).decode_utf8().unwrap(), name);
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes);
}

#[tokio::test]
async fn names_in_the_query_are_kept_exactly() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    for (i, name) in hostile_names().into_iter().enumerate() {
        let bytes = format!("file {i}").into_bytes();
        let body = json(
            server
                .authed(Method::POST, &server.url("/v2/attachments/"))
                .query(&[("filename", &name)])
                .multipart(file_form("file", bytes.clone(), "x", None))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(body["name"], name.as_str());
        let content = body["content"].as_str().unwrap();
        assert!(
            content.starts_with(body["self"].as_str().unwrap()),
            "{content}"
        );
        assert_served_back(&server, content, &name, &bytes, &format!("OAuth {TOKEN}")).await;
        // Attached, the name (and its URL) still works under the issue.
        let issue = json(
            server
                .send_json(
                    Method::PATCH,
                    "/v2/issues/DEMO-1",
                    serde_json::json!({"attachmentIds": [body["id"]]}),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        let attached = issue["attachments"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(attached["name"], name.as_str());
        assert_served_back(
            &server,
            attached["content"].as_str().unwrap(),
            &name,
            &bytes,
            &format!("OAuth {TOKEN}"),
        )
        .await;
    }
    assert!(!dir.0.join("etc").exists());
    assert_only_data_layout(&dir.0);
}

#[tokio::test]
async fn names_in_multipart_headers_on_every_upload_route() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let names: Vec<String> = hostile_names()
        .into_iter()
        // A raw CR, LF, quote or NUL cannot stand in a multipart header.
        .filter(|n| !n.contains(['\r', '\n', '"', '\0']))
        .collect();
    for name in &names {
        let bytes = name.as_bytes().to_vec();
        for path in ["/v2/attachments/", "/v2/issues/DEMO-2/attachments/"] {
            let (content_type, body) = browser_multipart("file", name, &bytes);
            let uploaded = json(
                server
                    .authed(Method::POST, &server.url(path))
                    .header("Content-Type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap(),
                StatusCode::CREATED,
            )
            .await;
            assert_eq!(uploaded["name"], name.as_str(), "{path}");
            assert_served_back(
                &server,
                uploaded["content"].as_str().unwrap(),
                name,
                &bytes,
                &format!("OAuth {TOKEN}"),
            )
            .await;
        }
        let (content_type, body) = browser_multipart("file", name, &bytes);
        let jira: Value = json(
            server
                .jira(Method::POST, "/rest/api/3/issue/DEMO-3/attachments")
                .header("X-Atlassian-Token", "no-check")
                .header("Content-Type", content_type)
                .body(body)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(jira[0]["filename"], name.as_str());
        let id = jira[0]["id"].as_str().unwrap();
        let content = server.url(&format!(
            "/rest/api/3/attachment/content/{id}?redirect=false"
        ));
        assert_served_back(&server, &content, name, &bytes, &format!("Bearer {TOKEN}")).await;
    }
    assert_only_data_layout(&dir.0);
}

#[tokio::test]
async fn names_of_chunked_uploads() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    for (i, name) in hostile_names().into_iter().enumerate() {
        let form = [
            ("flowChunkNumber", "1".to_owned()),
            ("flowChunkSize", "1024".into()),
            ("flowCurrentChunkSize", "3".into()),
            ("flowTotalSize", "3".into()),
            // Identifiers are client-chosen too.
            ("flowIdentifier", format!("../{i}/{name}")),
            ("flowFilename", name.clone()),
            ("flowRelativePath", format!("../../{name}")),
            ("flowTotalChunks", "1".into()),
        ]
        .into_iter()
        .fold(Form::new(), |form, (k, v)| form.text(k, v))
        .part("file", Part::bytes(b"abc".to_vec()).file_name("blob"));
        let done = json(
            server
                .authed(Method::POST, &server.url("/upload/flow"))
                .multipart(form)
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(done["name"], name.as_str());
        assert_served_back(
            &server,
            done["content"].as_str().unwrap(),
            &name,
            b"abc",
            &format!("OAuth {TOKEN}"),
        )
        .await;
    }
    assert_only_data_layout(&dir.0);
}
