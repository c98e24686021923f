//! Many uploads at once: each is stored whole and apart, ids are unique,
//! and issue versions count every change.

mod common;

use std::collections::HashSet;

use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn fifty_concurrent_uploads() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50u64 {
        let bytes = noise(96 * 1024 + i as usize, i + 1);
        let request =
            server.upload_request(file_form("file", bytes.clone(), &format!("f{i}.bin"), None));
        tasks.spawn(async move {
            let response = request.send().await.unwrap();
            (i, bytes, json(response, StatusCode::CREATED).await)
        });
    }
    let mut ids = HashSet::new();
    let mut uploads = Vec::new();
    while let Some(result) = tasks.join_next().await {
        let (i, bytes, body) = result.unwrap();
        assert_eq!(body["name"], format!("f{i}.bin"));
        assert_eq!(body["size"], bytes.len());
        assert!(ids.insert(body["id"].as_str().unwrap().to_owned()));
        uploads.push((bytes, body));
    }
    assert_eq!(ids.len(), 50);
    for (bytes, body) in &uploads {
        let content = server
            .get(body["content"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert!(content.bytes().await.unwrap().as_ref() == bytes.as_slice());
    }
    assert_eq!(walk(&dir.data_dir().join("files")).len(), 50);
    assert!(walk(&dir.data_dir().join("tmp")).is_empty());
}

#[tokio::test]
async fn concurrent_changes_to_one_issue_each_count() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let jira = server
            .jira(Method::POST, "/rest/api/3/issue/DEMO-2/attachments")
            .header("X-Atlassian-Token", "no-check")
            .multipart(Form::new().part("file", Part::bytes(vec![i; 1000]).file_name("j.bin")));
        let tracker = server
            .authed(Method::POST, &server.url("/v2/issues/DEMO-2/attachments"))
            .multipart(file_form("file", vec![i; 1000], "t.bin", None));
        tasks.spawn(async move { jira.send().await.unwrap().status() });
        tasks.spawn(async move { tracker.send().await.unwrap().status() });
    }
    while let Some(status) = tasks.join_next().await {
        assert!(status.unwrap().is_success());
    }
    let issue: Value = json(
        server
            .get(&server.url("/v2/issues/DEMO-2"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(issue["version"], 41);
    assert_eq!(issue["attachments"].as_array().unwrap().len(), 40);
}
