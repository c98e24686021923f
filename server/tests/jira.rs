//! Jira Cloud's attachment API over real HTTP: J1 (XSRF header, field
//! `file`, several files, 60 at most, the size limit), J2–J6, auth (Basic
//! `email:api_token` and Bearer), `/rest/api/2`, and Jira's error shape.

mod common;

use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json as j, Value};
use tracker_attachments_server::{Config, MAX_FILES_PER_REQUEST, MAX_ISSUE_ATTACHMENTS};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn files(parts: &[(&str, &str, Vec<u8>)]) -> Form {
    parts
        .iter()
        .fold(Form::new(), |form, (field, name, bytes)| {
            form.part(
                field.to_string(),
                Part::bytes(bytes.clone()).file_name(name.to_string()),
            )
        })
}

async fn upload(server: &TestServer, prefix: &str, issue: &str, form: Form) -> reqwest::Response {
    server
        .jira(Method::POST, &format!("{prefix}/issue/{issue}/attachments"))
        .header("X-Atlassian-Token", "no-check")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn upload_answers_an_array_of_jira_attachments() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let picture = png(40, 20);
    let form = files(&[
        ("file", "pic.png", picture.clone()),
        ("comment", "ignored.txt", b"not a file field".to_vec()),
        ("file", "notes.txt", b"hello".to_vec()),
    ]);
    let body = json(
        upload(&server, "/rest/api/3", "DEMO-1", form).await,
        StatusCode::OK,
    )
    .await;
    let list = body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let base = &server.base;
    let png_id = list[0]["id"].as_str().unwrap();
    let mut keys: Vec<_> = list[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "author",
            "content",
            "created",
            "filename",
            "id",
            "mimeType",
            "self",
            "size",
            "thumbnail"
        ]
    );
    assert_eq!(
        list[0]["self"],
        format!("{base}/rest/api/3/attachment/{png_id}")
    );
    assert_eq!(list[0]["filename"], "pic.png");
    assert_eq!(list[0]["mimeType"], "image/png");
    assert_eq!(list[0]["size"], picture.len());
    assert_eq!(
        list[0]["content"],
        format!("{base}/rest/api/3/attachment/content/{png_id}")
    );
    assert_eq!(
        list[0]["thumbnail"],
        format!("{base}/rest/api/3/attachment/thumbnail/{png_id}")
    );
    assert_tracker_timestamp(list[0]["created"].as_str().unwrap());
    let author = &list[0]["author"];
    assert_eq!(author["displayName"], "Dev User");
    assert_eq!(author["active"], true);
    assert!(author["accountId"].is_string());
    let me = json(
        server
            .jira(
                Method::GET,
                author["self"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches(base.as_str()),
            )
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["accountId"], author["accountId"]);
    assert_eq!(me["emailAddress"], "dev@example.com");
    assert_eq!(list[1]["filename"], "notes.txt");
    assert_eq!(list[1]["mimeType"], "text/plain");
    assert!(list[1].get("thumbnail").is_none());

    // The same files, seen through Tracker and through Jira's issue.
    let tracker = json(
        server
            .get(&server.url("/v2/issues/DEMO-1/attachments"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(tracker.as_array().unwrap().len(), 2);
    let issue = json(
        server
            .jira(Method::GET, "/rest/api/3/issue/DEMO-1")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(issue["fields"]["attachment"], body);

    // By issue id, as `issueIdOrKey` allows.
    let by_id = upload(
        &server,
        "/rest/api/3",
        "10001",
        files(&[("file", "c.txt", b"c".to_vec())]),
    )
    .await;
    assert_eq!(by_id.status(), StatusCode::OK);
}

#[tokio::test]
async fn upload_refusals() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let form = || files(&[("file", "a.txt", b"a".to_vec())]);

    for token in [None, Some("check"), Some("")] {
        let mut request = server
            .jira(Method::POST, "/rest/api/3/issue/DEMO-1/attachments")
            .multipart(form());
        if let Some(value) = token {
            request = request.header("X-Atlassian-Token", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        assert_eq!(response.text().await.unwrap(), "XSRF check failed");
    }

    let wrong_field = upload(
        &server,
        "/rest/api/3",
        "DEMO-1",
        files(&[("upload", "a.txt", b"a".to_vec())]),
    )
    .await;
    let body: Value = wrong_field.json().await.unwrap();
    assert_eq!(body["status"], 400);
    assert_eq!(
        body["errors"]["file"],
        "Send the file in the multipart field named 'file'."
    );

    let no_issue = upload(&server, "/rest/api/3", "DEMO-42", form()).await;
    let message = jira_error(no_issue, StatusCode::NOT_FOUND).await;
    assert_eq!(message, "Issue DEMO-42 does not exist.");
    let not_multipart = server
        .jira(Method::POST, "/rest/api/3/issue/DEMO-1/attachments")
        .header("X-Atlassian-Token", "no-check")
        .body("plain")
        .send()
        .await
        .unwrap();
    jira_error(not_multipart, StatusCode::BAD_REQUEST).await;

    // 61 files: 413, and none of the 60 before it is kept.
    let many: Vec<_> = (0..=MAX_FILES_PER_REQUEST)
        .map(|i| ("file", "f.txt", format!("{i}").into_bytes()))
        .collect();
    let too_many = upload(&server, "/rest/api/3", "DEMO-1", files(&many)).await;
    assert_eq!(
        jira_error(too_many, StatusCode::PAYLOAD_TOO_LARGE).await,
        "Too many files in one request: at most 60."
    );
    assert!(dir_is_empty(&dir.data_dir().join("files")));
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));
    let sixty = upload(
        &server,
        "/rest/api/3",
        "DEMO-1",
        files(&many[..MAX_FILES_PER_REQUEST]),
    )
    .await;
    let sixty = json(sixty, StatusCode::OK).await;
    assert_eq!(sixty.as_array().unwrap().len(), 60);
}

#[tokio::test]
async fn files_over_the_limit_are_413_while_streaming() {
    let dir = TempDir::new();
    let server = TestServer::start(Config {
        max_upload_bytes: 10_000,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let form = files(&[
        ("file", "small.txt", vec![1; 100]),
        ("file", "big.bin", vec![2; 200_000]),
    ]);
    let response = upload(&server, "/rest/api/3", "DEMO-1", form).await;
    let message = jira_error(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(message.contains("10000"), "{message}");
    assert!(dir_is_empty(&dir.data_dir().join("files")));
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));
    let meta = json(
        server
            .jira(Method::GET, "/rest/api/3/attachment/meta")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(meta, j!({"enabled": true, "uploadLimit": 10_000}));
}

#[tokio::test]
async fn basic_and_bearer_auth() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let url = server.url("/rest/api/3/attachment/meta");
    let with = |value: Option<&str>| {
        let mut request = server.client.get(&url);
        if let Some(value) = value {
            request = request.header("Authorization", value);
        }
        request.send()
    };
    assert_eq!(
        with(Some(JIRA_BASIC)).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        with(Some("Bearer dev-token")).await.unwrap().status(),
        StatusCode::OK
    );
    for refused in [
        None,
        Some("OAuth dev-token"),
        Some("Bearer nope"),
        // base64("someone@example.com:dev-token")
        Some("Basic c29tZW9uZUBleGFtcGxlLmNvbTpkZXYtdG9rZW4="),
        Some("Basic not-base64!"),
    ] {
        let response = with(refused).await.unwrap();
        jira_error(response, StatusCode::UNAUTHORIZED).await;
    }
    let russian = server
        .client
        .get(&url)
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    assert!(jira_error(russian, StatusCode::UNAUTHORIZED)
        .await
        .starts_with("Не авторизован"));
}

#[tokio::test]
async fn metadata_content_thumbnail_and_delete() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let picture = png(600, 300);
    let body = json(
        upload(
            &server,
            "/rest/api/3",
            "DEMO-2",
            files(&[
                ("file", "p.png", picture.clone()),
                ("file", "t.txt", b"t".to_vec()),
            ]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let png_id = body[0]["id"].as_str().unwrap().to_owned();
    let text_id = body[1]["id"].as_str().unwrap().to_owned();

    // J2, with and without a trailing slash.
    for suffix in ["", "/"] {
        let got = json(
            server
                .jira(
                    Method::GET,
                    &format!("/rest/api/3/attachment/{png_id}{suffix}"),
                )
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(got, body[0]);
    }

    // J4: 303 to the bytes, then the bytes; or the bytes at once.
    let client = no_redirects();
    let redirect = client
        .get(server.url(&format!("/rest/api/3/attachment/content/{png_id}")))
        .header("Authorization", JIRA_BASIC)
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    let location = redirect.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        server.url(&format!(
            "/rest/api/3/attachment/content/{png_id}?redirect=false"
        ))
    );
    let bytes = client
        .get(&location)
        .header("Authorization", JIRA_BASIC)
        .send()
        .await
        .unwrap();
    assert_eq!(bytes.status(), StatusCode::OK);
    assert_eq!(bytes.headers()["content-type"], "image/png");
    assert_eq!(bytes.bytes().await.unwrap().as_ref(), picture.as_slice());

    // J5 likewise; a file without a thumbnail is 404.
    let redirect = client
        .get(server.url(&format!("/rest/api/3/attachment/thumbnail/{png_id}")))
        .header("Authorization", JIRA_BASIC)
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    let thumb = client
        .get(redirect.headers()["location"].to_str().unwrap())
        .header("Authorization", JIRA_BASIC)
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status(), StatusCode::OK);
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (256, 128));
    let none = server
        .jira(
            Method::GET,
            &format!("/rest/api/3/attachment/thumbnail/{text_id}?redirect=false"),
        )
        .send()
        .await
        .unwrap();
    jira_error(none, StatusCode::NOT_FOUND).await;

    // J6.
    let deleted = server
        .jira(Method::DELETE, &format!("/rest/api/3/attachment/{png_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    for path in [
        format!("/rest/api/3/attachment/{png_id}"),
        format!("/rest/api/3/attachment/content/{png_id}"),
        format!("/rest/api/3/attachment/thumbnail/{png_id}"),
    ] {
        let response = server.jira(Method::GET, &path).send().await.unwrap();
        jira_error(response, StatusCode::NOT_FOUND).await;
    }
    let again = server
        .jira(Method::DELETE, &format!("/rest/api/3/attachment/{png_id}"))
        .send()
        .await
        .unwrap();
    jira_error(again, StatusCode::NOT_FOUND).await;

    // Jira has no temporary files: a Tracker temporary id is not found here.
    let temp = server.upload_ok(b"x".to_vec(), "x.txt").await;
    let hidden = server
        .jira(
            Method::GET,
            &format!("/rest/api/3/attachment/{}", temp["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    jira_error(hidden, StatusCode::NOT_FOUND).await;
    let russian = server
        .jira(Method::GET, "/rest/api/3/attachment/99999")
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(
        jira_error(russian, StatusCode::NOT_FOUND).await,
        "Вложение 99999 не существует."
    );
}

#[tokio::test]
async fn api_2_takes_the_same_upload_and_links_to_itself() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let body = json(
        upload(
            &server,
            "/rest/api/2",
            "DEMO-3",
            files(&[("file", "v2.txt", b"two".to_vec())]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let id = body[0]["id"].as_str().unwrap();
    assert_eq!(
        body[0]["self"],
        server.url(&format!("/rest/api/2/attachment/{id}"))
    );
    assert_eq!(
        body[0]["content"],
        server.url(&format!("/rest/api/2/attachment/content/{id}"))
    );
    let content = server
        .jira(
            Method::GET,
            &format!("/rest/api/2/attachment/content/{id}?redirect=false"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(content.text().await.unwrap(), "two");
    let v3 = json(
        server
            .jira(Method::GET, &format!("/rest/api/3/attachment/{id}"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        v3["self"],
        server.url(&format!("/rest/api/3/attachment/{id}"))
    );
    let refused = server
        .jira(Method::POST, "/rest/api/2/issue/DEMO-3/attachments")
        .multipart(files(&[("file", "a", vec![1])]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.text().await.unwrap(), "XSRF check failed");
}

#[tokio::test]
async fn unknown_jira_paths_answer_in_jira_shape() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let unknown = server
        .jira(Method::GET, "/rest/api/3/project")
        .send()
        .await
        .unwrap();
    jira_error(unknown, StatusCode::NOT_FOUND).await;
    let wrong_method = server
        .jira(Method::PUT, "/rest/api/3/attachment/meta")
        .send()
        .await
        .unwrap();
    jira_error(wrong_method, StatusCode::METHOD_NOT_ALLOWED).await;
    let bad_id = server
        .jira(Method::GET, "/rest/api/3/attachment/abc")
        .send()
        .await
        .unwrap();
    jira_error(bad_id, StatusCode::NOT_FOUND).await;
}

/// A server whose J1 uploads take a permit of `gate` per file before
/// storing it, and whose count of J1 requests waiting for their files to
/// be stored the test can watch.
struct HeldStores {
    server: TestServer,
    gate: std::sync::Arc<tokio::sync::Semaphore>,
    waiters: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

async fn held_stores(dir: &TempDir, cap: u64) -> HeldStores {
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let waiters = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = TestServer::start(Config {
        jira_store_gate: Some(gate.clone()),
        jira_store_waiters: Some(waiters.clone()),
        jira_issue_attachment_cap: cap,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    HeldStores {
        server,
        gate,
        waiters,
    }
}

impl HeldStores {
    async fn wait_for_waiters(&self, n: usize) {
        wait_until(
            std::time::Duration::from_secs(30),
            &format!("{n} J1 requests to wait for their files to be stored"),
            || async { self.waiters.load(std::sync::atomic::Ordering::SeqCst) == n },
        )
        .await;
    }

    fn spawn_upload(&self, issue: &str, count: usize) -> tokio::task::JoinHandle<StatusCode> {
        let parts: Vec<_> = (0..count)
            .map(|i| {
                (
                    "file",
                    format!("f{i}.txt"),
                    format!("file {i}").into_bytes(),
                )
            })
            .collect();
        let form = parts
            .into_iter()
            .fold(Form::new(), |form, (field, name, bytes)| {
                form.part(field, Part::bytes(bytes).file_name(name))
            });
        let request = self
            .server
            .jira(
                Method::POST,
                &format!("/rest/api/3/issue/{issue}/attachments"),
            )
            .header("X-Atlassian-Token", "no-check")
            .multipart(form);
        tokio::spawn(async move { request.send().await.unwrap().status() })
    }
}

async fn attachment_count(server: &TestServer, issue: &str) -> usize {
    let body = json(
        server
            .get(&server.url(&format!("/v2/issues/{issue}/attachments")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    body.as_array().unwrap().len()
}

/// A client that gives up while its files are being stored (thumbnails of
/// large images take seconds each) does not leave part of its batch
/// attached: the whole body had arrived, so every file is stored.
#[tokio::test]
async fn a_batch_whose_client_goes_away_mid_store_is_stored_whole() {
    let dir = TempDir::new();
    let held = held_stores(&dir, MAX_ISSUE_ATTACHMENTS).await;
    let server = &held.server;
    let client = held.spawn_upload("DEMO-2", 4);
    held.wait_for_waiters(1).await;
    // The first file goes through; the second waits.
    held.gate.add_permits(1);
    wait_until(
        std::time::Duration::from_secs(30),
        "the first file to pass the gate",
        || async { held.gate.available_permits() == 0 },
    )
    .await;
    client.abort();
    assert!(client.await.unwrap_err().is_cancelled());
    // The server has seen the client go and dropped its request.
    held.wait_for_waiters(0).await;
    held.gate.add_permits(100);
    wait_until(
        std::time::Duration::from_secs(30),
        "all 4 files to be attached",
        || async { attachment_count(server, "DEMO-2").await == 4 },
    )
    .await;
    wait_until(
        std::time::Duration::from_secs(30),
        "the parts to be gone from tmp",
        || async { dir_is_empty(&dir.data_dir().join("tmp")) },
    )
    .await;
    assert_eq!(walk(&dir.data_dir().join("files")).len(), 4);
}

/// Concurrent J1s to one issue cannot pass its cap together: each is
/// counted with its rows inserted, and one that would pass is 413 with
/// nothing kept.
#[tokio::test]
async fn concurrent_uploads_never_pass_the_issue_cap() {
    let dir = TempDir::new();
    let held = held_stores(&dir, 10).await;
    let server = &held.server;
    // All six pass the early count (0 of 10) and wait to be stored.
    let uploads: Vec<_> = (0..6).map(|_| held.spawn_upload("DEMO-1", 3)).collect();
    held.wait_for_waiters(6).await;
    held.gate.add_permits(100);
    let mut stored = 0;
    for upload in uploads {
        match upload.await.unwrap() {
            StatusCode::OK => stored += 1,
            StatusCode::PAYLOAD_TOO_LARGE => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(stored, 3);
    assert_eq!(attachment_count(server, "DEMO-1").await, 9);
    assert_eq!(walk(&dir.data_dir().join("files")).len(), 9);
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));
    // One more fits; two more do not, and neither is kept.
    let two = upload(
        server,
        "/rest/api/3",
        "DEMO-1",
        files(&[("file", "a", b"a".to_vec()), ("file", "b", b"b".to_vec())]),
    );
    let message = jira_error(two.await, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(message.contains("10"), "{message}");
    assert_eq!(attachment_count(server, "DEMO-1").await, 9);
    let one = upload(
        server,
        "/rest/api/3",
        "DEMO-1",
        files(&[("file", "a", b"a".to_vec())]),
    )
    .await;
    json(one, StatusCode::OK).await;
    assert_eq!(attachment_count(server, "DEMO-1").await, 10);
}

/// The README: "A PATCH, T2, T6, J1 and J6 each add one to the issue's
/// `version`" — J1 once, however many files it carries.
#[tokio::test]
async fn a_jira_upload_of_several_files_adds_one_to_the_version() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let version = || async {
        let issue = json(
            server
                .get(&server.url("/v2/issues/DEMO-3"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        issue["version"].as_i64().unwrap()
    };
    let before = version().await;
    let form = files(&[
        ("file", "a.txt", b"a".to_vec()),
        ("file", "b.png", png(8, 8)),
        ("file", "c.txt", b"c".to_vec()),
    ]);
    let list = json(
        upload(&server, "/rest/api/3", "DEMO-3", form).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    let after = version().await;
    assert_eq!(after, before + 1);
}
