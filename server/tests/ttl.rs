//! `--temp-ttl`: an unattached temporary file answers 404 once its time is
//! up and its bytes are deleted; parts of an abandoned chunked upload go the
//! same way. Time is a manual clock moved by the test; only the sweeper's
//! own ticks are waited for, by polling for their effect.

mod common;

use std::time::Duration;

use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use tracker_attachments_server::{Clock, Config};

const TTL: Duration = Duration::from_secs(1);
/// Generous: the sweeper runs every TTL/4 of real time.
const SWEEP_WAIT: Duration = Duration::from_secs(20);

async fn server_with_clock(dir: &TempDir) -> (TestServer, Clock) {
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let clock = Clock::manual(start);
    let server = TestServer::start(Config {
        temp_ttl: TTL,
        clock: clock.clone(),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    (server, clock)
}

#[tokio::test]
async fn expired_temporary_files_answer_404_and_are_deleted() {
    let dir = TempDir::new();
    let (server, clock) = server_with_clock(&dir).await;
    let doomed = server.upload_ok(png(64, 64), "doomed.png").await;
    let kept = server.upload_ok(b"kept".to_vec(), "kept.txt").await;
    let doomed_id = doomed["id"].as_str().unwrap().to_owned();
    let kept_id = kept["id"].as_str().unwrap().to_owned();
    let attach = server
        .send_json(
            Method::PATCH,
            "/v2/issues/DEMO-1",
            serde_json::json!({"attachmentIds": [kept_id]}),
        )
        .await;
    assert_eq!(attach.status(), StatusCode::OK);

    let files = dir.data_dir().join("files");
    let thumb = dir
        .data_dir()
        .join("thumbs")
        .join(format!("{doomed_id}.png"));
    assert!(files.join(&doomed_id).exists() && thumb.exists());

    // At the very end of its life it is still there...
    clock.advance(TTL - Duration::from_millis(1));
    let alive = server
        .get(doomed["self"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), StatusCode::OK);

    // ...and one tick later it is gone for every use.
    clock.advance(Duration::from_millis(2));
    for url in [&doomed["self"], &doomed["content"], &doomed["thumbnail"]] {
        let response = server.get(url.as_str().unwrap()).send().await.unwrap();
        error_message(response, StatusCode::NOT_FOUND).await;
    }
    let late = server
        .send_json(
            Method::PATCH,
            "/v2/issues/DEMO-2",
            serde_json::json!({"attachmentIds": [doomed_id]}),
        )
        .await;
    let message = error_message(late, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(message.contains(&doomed_id), "{message}");

    wait_until(SWEEP_WAIT, "the expired file to be deleted", || async {
        !files.join(&doomed_id).exists() && !thumb.exists()
    })
    .await;
    // An attached file has no TTL.
    assert!(files.join(&kept_id).exists());
    let attached = server
        .get(&server.url(&format!("/v2/issues/DEMO-1/attachments/{kept_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(attached.status(), StatusCode::OK);
}

fn part(identifier: &str, number: usize, total_chunks: usize) -> Form {
    [
        ("flowChunkNumber", number.to_string()),
        ("flowChunkSize", "10".into()),
        ("flowCurrentChunkSize", "10".into()),
        ("flowTotalSize", (10 * total_chunks).to_string()),
        ("flowIdentifier", identifier.into()),
        ("flowFilename", "f.bin".into()),
        ("flowTotalChunks", total_chunks.to_string()),
    ]
    .into_iter()
    .fold(Form::new(), |form, (k, v)| form.text(k, v))
    .part("file", Part::bytes(vec![b'x'; 10]).file_name("blob"))
}

#[tokio::test]
async fn parts_of_abandoned_uploads_are_removed() {
    let dir = TempDir::new();
    let (server, clock) = server_with_clock(&dir).await;
    let post = |form: Form| {
        server
            .authed(Method::POST, &server.url("/upload/flow"))
            .multipart(form)
            .send()
    };
    let stored = |identifier: &'static str| {
        server
            .get(&server.url("/upload/flow"))
            .query(&[("flowIdentifier", identifier), ("flowChunkNumber", "1")])
            .send()
    };
    assert_eq!(
        post(part("abandoned", 1, 2)).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        post(part("active", 1, 3)).await.unwrap().status(),
        StatusCode::OK
    );
    clock.advance(TTL / 2 + Duration::from_millis(100));
    // Activity keeps an upload alive.
    assert_eq!(
        post(part("active", 2, 3)).await.unwrap().status(),
        StatusCode::OK
    );
    clock.advance(TTL / 2 + Duration::from_millis(100));

    wait_until(SWEEP_WAIT, "the abandoned parts to be removed", || async {
        stored("abandoned").await.unwrap().status() == StatusCode::NO_CONTENT
    })
    .await;
    // That sweep saw "active" within its TTL: it survives and completes.
    assert_eq!(stored("active").await.unwrap().status(), StatusCode::OK);
    let done = post(part("active", 3, 3)).await.unwrap();
    assert_eq!(done.status(), StatusCode::CREATED);
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
}

#[tokio::test]
async fn a_finished_upload_is_not_remembered_past_its_attachments_ttl() {
    let dir = TempDir::new();
    // A TTL no sweep reaches during the test: only the clock ends the file.
    let ttl = Duration::from_secs(3600);
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let clock = Clock::manual(start);
    let server = TestServer::start(Config {
        temp_ttl: ttl,
        clock: clock.clone(),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let post = || {
        server
            .authed(Method::POST, &server.url("/upload/flow"))
            .multipart(part("memo", 1, 1))
            .send()
    };
    let first = json(post().await.unwrap(), StatusCode::CREATED).await;
    clock.advance(ttl + Duration::from_millis(1));
    let expired = server
        .get(first["self"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    error_message(expired, StatusCode::NOT_FOUND).await;
    // The part sent again is a new upload, not the expired attachment.
    let again = json(post().await.unwrap(), StatusCode::CREATED).await;
    assert_ne!(again["id"], first["id"]);
    let alive = server
        .get(again["self"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
}
