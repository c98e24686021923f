//! Everything survives a restart on the same data directory: issues and
//! their versions, `unique`, temporary and attached files, comments, Jira
//! uploads, thumbnails, and the parts of an unfinished chunked upload.

mod common;

use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::json as j;

fn flow_part(number: usize) -> Form {
    [
        ("flowChunkNumber", number.to_string()),
        ("flowChunkSize", "4".into()),
        ("flowCurrentChunkSize", "4".into()),
        ("flowTotalSize", "8".into()),
        ("flowIdentifier", "resume-me".into()),
        ("flowFilename", "resumed.txt".into()),
        ("flowTotalChunks", "2".into()),
    ]
    .into_iter()
    .fold(Form::new(), |form, (k, v)| form.text(k, v))
    .part(
        "file",
        Part::bytes(if number == 1 {
            b"abcd".to_vec()
        } else {
            b"efgh".to_vec()
        })
        .file_name("blob"),
    )
}

#[tokio::test]
async fn everything_survives_a_restart() {
    let dir = TempDir::new();
    let first = TestServer::with_dir(&dir).await;
    let created = json(
        first
            .send_json(
                Method::POST,
                "/v2/issues/",
                j!({"queue": "DEMO", "summary": "kept", "unique": "keep"}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["key"], "DEMO-4");
    let attached = first.upload_ok(png(32, 16), "attached.png").await;
    let temporary = first
        .upload_ok(b"still temporary".to_vec(), "temp.txt")
        .await;
    let for_comment = first.upload_ok(b"comment file".to_vec(), "c.txt").await;
    let patched = first
        .send_json(
            Method::PATCH,
            "/v2/issues/DEMO-1",
            j!({"attachmentIds": [attached["id"]]}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let comment = json(
        first
            .send_json(
                Method::POST,
                "/v2/issues/DEMO-2/comments",
                j!({"text": "c", "attachmentIds": [for_comment["id"]]}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let jira = json(
        first
            .jira(Method::POST, "/rest/api/3/issue/DEMO-3/attachments")
            .header("X-Atlassian-Token", "no-check")
            .multipart(Form::new().part("file", Part::bytes(png(20, 40)).file_name("j.png")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let flow = first
        .authed(Method::POST, &first.url("/upload/flow"))
        .multipart(flow_part(1))
        .send()
        .await
        .unwrap();
    assert_eq!(flow.status(), StatusCode::OK);
    drop(first);

    let second = TestServer::with_dir(&dir).await;
    let demo_1 = json(
        second
            .get(&second.url("/v2/issues/DEMO-1"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(demo_1["version"], 2);
    let attached_again = &demo_1["attachments"][0];
    assert_eq!(attached_again["id"], attached["id"]);
    assert_eq!(attached_again["metadata"], j!({"size": "32x16"}));
    let bytes = second
        .get(attached_again["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        bytes.bytes().await.unwrap().as_ref(),
        png(32, 16).as_slice()
    );
    let thumb = second
        .get(attached_again["thumbnail"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status(), StatusCode::OK);

    let kept = json(
        second
            .get(&second.url("/v2/issues/DEMO-4"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(kept["summary"], "kept");
    let repeat = second
        .send_json(
            Method::POST,
            "/v2/issues/",
            j!({"queue": "DEMO", "summary": "kept", "unique": "keep"}),
        )
        .await;
    error_message(repeat, StatusCode::CONFLICT).await;
    let next = json(
        second
            .send_json(
                Method::POST,
                "/v2/issues/",
                j!({"queue": "DEMO", "summary": "next"}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(next["key"], "DEMO-5");

    let temp_id = temporary["id"].as_str().unwrap();
    let temp_again = json(
        second
            .get(&second.url(&format!("/v2/attachments/{temp_id}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(temp_again["name"], "temp.txt");
    assert_eq!(temp_again["createdAt"], temporary["createdAt"]);
    let attach_later = second
        .send_json(
            Method::PATCH,
            "/v2/issues/DEMO-3",
            j!({"attachmentIds": [temp_id]}),
        )
        .await;
    assert_eq!(attach_later.status(), StatusCode::OK);

    let comments = json(
        second
            .get(&second.url("/v2/issues/DEMO-2/comments"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(comments[0]["id"], comment["id"]);
    assert_eq!(comments[0]["attachments"][0]["id"], for_comment["id"]);

    let jira_id = jira[0]["id"].as_str().unwrap();
    let jira_again = json(
        second
            .jira(Method::GET, &format!("/rest/api/3/attachment/{jira_id}"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(jira_again["filename"], "j.png");
    assert_eq!(jira_again["created"], jira[0]["created"]);

    let done = json(
        second
            .authed(Method::POST, &second.url("/upload/flow"))
            .multipart(flow_part(2))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let content = second
        .get(done["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(content.text().await.unwrap(), "abcdefgh");
    assert_only_data_layout(&dir.0);
}
