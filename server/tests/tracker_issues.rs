//! Tracker issues over real HTTP: the seeded DEMO issues, creation with
//! `unique` (T10), PATCH with `If-Match` and attaching temporary files (T8),
//! comments (T9), fields (T12), and an issue's own files (T2–T7).

mod common;

use common::*;
use image::GenericImageView;
use reqwest::{Method, StatusCode};
use serde_json::{json as j, Value};

async fn issue(server: &TestServer, key: &str) -> Value {
    json(
        server
            .get(&server.url(&format!("/v2/issues/{key}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

fn ids(issue: &Value) -> Vec<String> {
    issue["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_fresh_data_dir_has_demo_1_to_3() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    for n in 1..=3 {
        let key = format!("DEMO-{n}");
        let body = issue(&server, &key).await;
        assert_eq!(body["key"], key);
        assert_eq!(body["self"], server.url(&format!("/v2/issues/{key}")));
        assert_eq!(body["id"], (10_000 + n).to_string());
        assert_eq!(body["version"], 1);
        assert_eq!(
            body["queue"],
            j!({"self": server.url("/v2/queues/DEMO"), "id": "1", "key": "DEMO", "display": "Demo"})
        );
        assert!(!body["summary"].as_str().unwrap().is_empty());
        assert_tracker_timestamp(body["createdAt"].as_str().unwrap());
        assert_tracker_timestamp(body["updatedAt"].as_str().unwrap());
        assert_eq!(body["createdBy"]["id"], "1130000000000001");
        assert_eq!(body["attachments"], j!([]));
    }
    // By id, as Tracker allows, and with a trailing slash.
    assert_eq!(issue(&server, "10002/").await["key"], "DEMO-2");

    let missing = server
        .get(&server.url("/v2/issues/DEMO-4"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_message(missing, StatusCode::NOT_FOUND).await,
        "Issue DEMO-4 does not exist."
    );
    let russian = server
        .get(&server.url("/v2/issues/DEMO-4"))
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_message(russian, StatusCode::NOT_FOUND).await,
        "Задача DEMO-4 не существует."
    );

    let all = json(
        server.get(&server.url("/v2/issues/")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    let keys: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].clone())
        .collect();
    assert_eq!(keys, ["DEMO-1", "DEMO-2", "DEMO-3"]);
}

#[tokio::test]
async fn issues_need_auth_like_everything_else() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let url = server.url("/v2/issues/DEMO-1");
    let anonymous = server.client.get(&url).send().await.unwrap();
    error_message(anonymous, StatusCode::UNAUTHORIZED).await;
    let no_org = server
        .client
        .patch(&url)
        .header("Authorization", format!("OAuth {TOKEN}"))
        .json(&j!({"summary": "x"}))
        .send()
        .await
        .unwrap();
    error_message(no_org, StatusCode::FORBIDDEN).await;
    assert_eq!(issue(&server, "DEMO-1").await["version"], 1);
}

#[tokio::test]
async fn every_self_url_in_an_issue_answers() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let body = issue(&server, "DEMO-1").await;
    for url in [
        &body["self"],
        &body["queue"]["self"],
        &body["createdBy"]["self"],
        &body["updatedBy"]["self"],
    ] {
        let response = server.get(url.as_str().unwrap()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
    }
    let me = json(
        server.get(&server.url("/v2/myself")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["display"], "Dev User");
    let nobody = server
        .get(&server.url("/v2/users/42"))
        .send()
        .await
        .unwrap();
    error_message(nobody, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn creating_issues_with_unique_and_validation() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let create = |body: Value| server.send_json(Method::POST, "/v2/issues/", body);

    let first = json(
        create(j!({"queue": "DEMO", "summary": "New one", "description": "text", "unique": "u-1"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(first["key"], "DEMO-4");
    assert_eq!(first["summary"], "New one");
    assert_eq!(first["description"], "text");
    assert_eq!(first["version"], 1);
    assert_eq!(issue(&server, "DEMO-4").await["summary"], "New one");

    // The official client's retry: same `unique`, 409, nothing created.
    let again = create(j!({"queue": "DEMO", "summary": "New one", "unique": "u-1"})).await;
    let message = error_message(again, StatusCode::CONFLICT).await;
    assert!(message.contains("DEMO-4"), "{message}");

    // Without `unique`, repeats are new issues; the queue as an object works too.
    let second = json(
        create(j!({"queue": {"key": "DEMO"}, "summary": "x"})).await,
        StatusCode::CREATED,
    )
    .await;
    let third = json(
        create(j!({"queue": "DEMO", "summary": "x"})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (second["key"].as_str(), third["key"].as_str()),
        (Some("DEMO-5"), Some("DEMO-6"))
    );

    let missing_summary = create(j!({"queue": "DEMO"})).await;
    assert_eq!(missing_summary.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = missing_summary.json().await.unwrap();
    assert_eq!(body["errors"]["summary"], "Field summary is required.");
    let missing_queue = create(j!({"summary": "s"})).await;
    error_message(missing_queue, StatusCode::UNPROCESSABLE_ENTITY).await;
    let unknown_queue = create(j!({"queue": "NOPE", "summary": "s"})).await;
    assert_eq!(
        error_message(unknown_queue, StatusCode::UNPROCESSABLE_ENTITY).await,
        "Queue NOPE does not exist."
    );
    let wrong_type = create(j!({"queue": "DEMO", "summary": 5})).await;
    error_message(wrong_type, StatusCode::BAD_REQUEST).await;
    let not_json = server
        .authed(Method::POST, &server.url("/v2/issues"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    error_message(not_json, StatusCode::BAD_REQUEST).await;
    let not_an_object = create(j!(["DEMO"])).await;
    error_message(not_an_object, StatusCode::BAD_REQUEST).await;

    // Nothing above created an issue.
    let all = json(
        server.get(&server.url("/v2/issues")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn creating_an_issue_attaches_temporary_files() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let temp = server.upload_ok(b"log line".to_vec(), "a.log").await;
    let id = temp["id"].as_str().unwrap();
    let created = json(
        server
            .send_json(
                Method::POST,
                "/v2/issues",
                j!({"queue": "DEMO", "summary": "s", "attachmentIds": [id]}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(ids(&created), [id]);
    assert_eq!(
        created["attachments"][0]["self"],
        server.url(&format!("/v2/issues/DEMO-4/attachments/{id}"))
    );
    // A refused id creates no issue.
    let refused = server
        .send_json(
            Method::POST,
            "/v2/issues",
            j!({"queue": "DEMO", "summary": "s", "attachmentIds": [id]}),
        )
        .await;
    error_message(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let gone = server
        .get(&server.url("/v2/issues/DEMO-5"))
        .send()
        .await
        .unwrap();
    error_message(gone, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn patch_attaches_temporary_files_given_as_strings_or_numbers() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let picture = server.upload_ok(png(300, 150), "pic.png").await;
    let text = server.upload_ok(b"notes".to_vec(), "notes.txt").await;
    let picture_id = picture["id"].as_str().unwrap().to_owned();
    let text_id: u64 = text["id"].as_str().unwrap().parse().unwrap();

    let patched = json(
        server
            .authed(Method::PATCH, &server.url("/v2/issues/DEMO-1"))
            .header("If-Match", "\"1\"")
            .json(&j!({"attachmentIds": [picture_id, text_id]}))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["version"], 2);
    assert_eq!(ids(&patched), [picture_id.clone(), text_id.to_string()]);
    let attached = &patched["attachments"][0];
    let base = &server.base;
    assert_eq!(
        attached["self"],
        format!("{base}/v2/issues/DEMO-1/attachments/{picture_id}")
    );
    assert_eq!(
        attached["content"],
        format!("{base}/v2/issues/DEMO-1/attachments/{picture_id}/pic.png")
    );
    assert_eq!(
        attached["thumbnail"],
        format!("{base}/v2/issues/DEMO-1/thumbnails/{picture_id}")
    );
    assert_eq!(attached["metadata"], j!({"size": "300x150"}));
    assert!(patched["attachments"][1].get("thumbnail").is_none());

    // The URLs work, and T11 now reports the file under its issue.
    let content = server
        .get(attached["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        content.bytes().await.unwrap().as_ref(),
        png(300, 150).as_slice()
    );
    let thumbnail = server
        .get(attached["thumbnail"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let thumbnail = image::load_from_memory(&thumbnail.bytes().await.unwrap()).unwrap();
    assert_eq!(thumbnail.dimensions(), (256, 128));
    let again = json(
        server
            .get(&server.url(&format!("/v2/attachments/{picture_id}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["self"], attached["self"]);

    // Once only: reuse is 422 naming the id, and changes nothing.
    for key in ["DEMO-1", "DEMO-2"] {
        let reuse = server
            .send_json(
                Method::PATCH,
                &format!("/v2/issues/{key}"),
                j!({"attachmentIds": [text_id]}),
            )
            .await;
        assert_eq!(reuse.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = reuse.json().await.unwrap();
        assert_eq!(
            body["errorMessages"][0],
            format!("Attachment {text_id} cannot be attached: it does not exist, has expired or is already attached.")
        );
        assert!(body["errors"]["attachmentIds"].is_string());
    }
    assert_eq!(issue(&server, "DEMO-2").await["version"], 1);
    assert_eq!(issue(&server, "DEMO-1").await["version"], 2);

    for unknown in [j!(["999999"]), j!(["abc"]), j!([1.5])] {
        let response = server
            .send_json(
                Method::PATCH,
                "/v2/issues/DEMO-2",
                j!({"attachmentIds": unknown}),
            )
            .await;
        let message = error_message(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        let shown = match &unknown[0] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert!(
            message.starts_with(&format!("Attachment {shown} ")),
            "{message}"
        );
    }
    let not_an_id = server
        .send_json(
            Method::PATCH,
            "/v2/issues/DEMO-2",
            j!({"attachmentIds": [true]}),
        )
        .await;
    error_message(not_an_id, StatusCode::BAD_REQUEST).await;

    // One bad id spoils the batch: the good one stays temporary.
    let fresh = server.upload_ok(b"x".to_vec(), "x.txt").await;
    let fresh_id = fresh["id"].as_str().unwrap();
    let mixed = server
        .send_json(
            Method::PATCH,
            "/v2/issues/DEMO-2",
            j!({"attachmentIds": [fresh_id, "999999"]}),
        )
        .await;
    error_message(mixed, StatusCode::UNPROCESSABLE_ENTITY).await;
    let still_temporary = json(
        server
            .get(fresh["self"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(still_temporary["self"], fresh["self"]);
}

#[tokio::test]
async fn stale_if_match_is_412_and_changes_nothing() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let patch = |if_match: Option<&'static str>, body: Value| {
        let mut request = server
            .authed(Method::PATCH, &server.url("/v2/issues/DEMO-1/"))
            .json(&body);
        if let Some(value) = if_match {
            request = request.header("If-Match", value);
        }
        request.send()
    };
    let first = json(
        patch(Some("\"1\""), j!({"summary": "first"}))
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["version"], 2);

    let temp = server.upload_ok(b"x".to_vec(), "x.txt").await;
    let stale = patch(
        Some("\"1\""),
        j!({"summary": "second", "attachmentIds": [temp["id"]]}),
    )
    .await
    .unwrap();
    let message = error_message(stale, StatusCode::PRECONDITION_FAILED).await;
    assert!(message.contains('2'), "{message}");
    let now = issue(&server, "DEMO-1").await;
    assert_eq!(
        (now["summary"].as_str(), now["version"].as_i64()),
        (Some("first"), Some(2))
    );
    assert_eq!(now["attachments"], j!([]));
    let garbage = patch(Some("\"two\""), j!({"summary": "x"})).await.unwrap();
    error_message(garbage, StatusCode::PRECONDITION_FAILED).await;

    // Current version, `*`, or none at all: accepted.
    let weak = json(
        patch(Some("W/\"2\""), j!({"description": "d"}))
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(weak["version"], 3);
    let any = json(
        patch(Some("*"), j!({"description": null})).await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(any["version"], 4);
    // The contract's issue object always has `description`.
    assert_eq!(any.get("description"), Some(&Value::Null), "{any}");
    let none = json(
        patch(None, j!({"summary": "last"})).await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["version"], 5);
    let empty_summary = patch(None, j!({"summary": ""})).await.unwrap();
    error_message(empty_summary, StatusCode::UNPROCESSABLE_ENTITY).await;
    let missing = server
        .send_json(Method::PATCH, "/v2/issues/DEMO-9", j!({"summary": "x"}))
        .await;
    error_message(missing, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn an_issues_own_files_t2_to_t7() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let bytes = png(512, 64);
    let uploaded = json(
        server
            .authed(Method::POST, &server.url("/v2/issues/DEMO-2/attachments/"))
            .query(&[("filename", "wide.png")])
            .multipart(file_form("file", bytes.clone(), "blob", None))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let id = uploaded["id"].as_str().unwrap().to_owned();
    let base = &server.base;
    assert_eq!(uploaded["name"], "wide.png");
    assert_eq!(
        uploaded["self"],
        format!("{base}/v2/issues/DEMO-2/attachments/{id}")
    );
    assert_eq!(
        uploaded["content"],
        format!("{base}/v2/issues/DEMO-2/attachments/{id}/wide.png")
    );
    assert_eq!(
        uploaded["thumbnail"],
        format!("{base}/v2/issues/DEMO-2/thumbnails/{id}")
    );
    assert_eq!(uploaded["metadata"], j!({"size": "512x64"}));
    assert_eq!(issue(&server, "DEMO-2").await["version"], 2);

    for path in [
        "/v2/issues/DEMO-2/attachments",
        "/v2/issues/DEMO-2/attachments/",
    ] {
        let list = json(
            server.get(&server.url(path)).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(list, j!([uploaded.clone()]));
    }
    let one = json(
        server
            .get(uploaded["self"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(one, uploaded);
    let content = server
        .get(uploaded["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        content.headers()["content-disposition"],
        "attachment; filename*=UTF-8''wide.png"
    );
    assert_eq!(content.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let thumbnail = server
        .get(uploaded["thumbnail"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(thumbnail.headers()["content-type"], "image/png");
    let thumbnail = image::load_from_memory(&thumbnail.bytes().await.unwrap()).unwrap();
    assert_eq!(thumbnail.dimensions(), (256, 32));

    // Another issue's path does not reach it.
    for path in [
        format!("/v2/issues/DEMO-1/attachments/{id}"),
        format!("/v2/issues/DEMO-1/thumbnails/{id}"),
        format!("/v2/issues/DEMO-1/attachments/{id}/wide.png"),
    ] {
        let response = server.get(&server.url(&path)).send().await.unwrap();
        error_message(response, StatusCode::NOT_FOUND).await;
    }
    let wrong_issue = server
        .authed(
            Method::DELETE,
            &server.url(&format!("/v2/issues/DEMO-1/attachments/{id}/")),
        )
        .send()
        .await
        .unwrap();
    error_message(wrong_issue, StatusCode::NOT_FOUND).await;

    // T6, as the docs write it (trailing slash).
    let deleted = server
        .authed(
            Method::DELETE,
            &server.url(&format!("/v2/issues/DEMO-2/attachments/{id}/")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(issue(&server, "DEMO-2").await["version"], 3);
    for url in [
        &uploaded["self"],
        &uploaded["content"],
        &uploaded["thumbnail"],
    ] {
        let response = server.get(url.as_str().unwrap()).send().await.unwrap();
        error_message(response, StatusCode::NOT_FOUND).await;
    }
    let twice = server
        .authed(
            Method::DELETE,
            &server.url(&format!("/v2/issues/DEMO-2/attachments/{id}")),
        )
        .send()
        .await
        .unwrap();
    error_message(twice, StatusCode::NOT_FOUND).await;
    assert!(walk(&dir.data_dir().join("files")).is_empty());
    assert!(walk(&dir.data_dir().join("thumbs")).is_empty());

    // T2 to an issue that does not exist stores nothing.
    let nowhere = server
        .authed(Method::POST, &server.url("/v2/issues/DEMO-99/attachments"))
        .multipart(file_form("file", b"x".to_vec(), "x.txt", None))
        .send()
        .await
        .unwrap();
    error_message(nowhere, StatusCode::NOT_FOUND).await;
    assert!(walk(&dir.data_dir().join("files")).is_empty());
}

#[tokio::test]
async fn issue_uploads_are_limited_while_streaming() {
    let dir = TempDir::new();
    let server = TestServer::start(tracker_attachments_server::Config {
        max_upload_bytes: 4096,
        ..tracker_attachments_server::Config::with_data_dir(dir.data_dir())
    })
    .await;
    let response = server
        .authed(Method::POST, &server.url("/v2/issues/DEMO-1/attachments"))
        .multipart(file_form("file", vec![7; 100_000], "big.bin", None))
        .send()
        .await
        .unwrap();
    error_message(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(dir_is_empty(&dir.data_dir().join("files")));
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));
    assert_eq!(issue(&server, "DEMO-1").await["version"], 1);
}

#[tokio::test]
async fn comments_carry_temporary_files() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let temp = server.upload_ok(b"trace".to_vec(), "trace.txt").await;
    let id = temp["id"].as_str().unwrap();
    let comment = json(
        server
            .send_json(
                Method::POST,
                "/v2/issues/DEMO-3/comments",
                j!({"text": "See the trace", "attachmentIds": [id]}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(comment["text"], "See the trace");
    assert!(comment["id"].is_i64());
    assert_eq!(comment["longId"].as_str().unwrap().len(), 24);
    assert_tracker_timestamp(comment["createdAt"].as_str().unwrap());
    assert_eq!(
        comment["attachments"],
        j!([{"self": server.url(&format!("/v2/issues/DEMO-3/attachments/{id}")), "id": id, "display": "trace.txt"}])
    );
    let again = json(
        server
            .get(comment["self"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(again, comment);
    let list = json(
        server
            .get(&server.url("/v2/issues/DEMO-3/comments/"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(list, j!([comment]));
    // The file is now the issue's.
    assert_eq!(ids(&issue(&server, "DEMO-3").await), [id]);

    let reuse = server
        .send_json(
            Method::POST,
            "/v2/issues/DEMO-3/comments",
            j!({"text": "again", "attachmentIds": [id]}),
        )
        .await;
    error_message(reuse, StatusCode::UNPROCESSABLE_ENTITY).await;
    let empty = server
        .send_json(
            Method::POST,
            "/v2/issues/DEMO-3/comments",
            j!({"text": " "}),
        )
        .await;
    error_message(empty, StatusCode::UNPROCESSABLE_ENTITY).await;
    let nowhere = server
        .send_json(
            Method::POST,
            "/v2/issues/DEMO-9/comments",
            j!({"text": "x"}),
        )
        .await;
    error_message(nowhere, StatusCode::NOT_FOUND).await;
    // Neither refused comment was kept.
    let list = json(
        server
            .get(&server.url("/v2/issues/DEMO-3/comments"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let missing = server
        .get(&server.url("/v2/issues/DEMO-3/comments/9999"))
        .send()
        .await
        .unwrap();
    error_message(missing, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_comment_that_attaches_files_is_a_new_version() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let before = issue(&server, "DEMO-3").await["version"].as_i64().unwrap();
    // Text alone leaves the issue as it was.
    let text = server
        .send_json(
            Method::POST,
            "/v2/issues/DEMO-3/comments",
            j!({"text": "just words"}),
        )
        .await;
    assert_eq!(text.status(), StatusCode::CREATED);
    assert_eq!(issue(&server, "DEMO-3").await["version"], before);
    // Files change its attachment list: a PATCH based on what was read
    // before must not pass.
    let temp = server.upload_ok(b"log".to_vec(), "log.txt").await;
    let with_file = server
        .send_json(
            Method::POST,
            "/v2/issues/DEMO-3/comments",
            j!({"text": "the log", "attachmentIds": [temp["id"]]}),
        )
        .await;
    assert_eq!(with_file.status(), StatusCode::CREATED);
    assert_eq!(issue(&server, "DEMO-3").await["version"], before + 1);
    let stale = server
        .authed(Method::PATCH, &server.url("/v2/issues/DEMO-3"))
        .header("If-Match", format!("\"{before}\""))
        .json(&j!({"summary": "from a stale read"}))
        .send()
        .await
        .unwrap();
    error_message(stale, StatusCode::PRECONDITION_FAILED).await;
}

#[tokio::test]
async fn fields_t12() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    for path in ["/v2/fields/", "/v2/fields"] {
        let fields = json(
            server.get(&server.url(path)).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        let fields = fields.as_array().unwrap();
        for id in ["summary", "description", "attachments"] {
            let field = fields
                .iter()
                .find(|f| f["id"] == id)
                .unwrap_or_else(|| panic!("no {id}"));
            assert_eq!(field["self"], server.url(&format!("/v2/fields/{id}")));
            assert!(field["name"].is_string());
            assert!(field["schema"]["type"].is_string());
            let again = json(
                server
                    .get(field["self"].as_str().unwrap())
                    .send()
                    .await
                    .unwrap(),
                StatusCode::OK,
            )
            .await;
            assert_eq!(&again, field);
        }
    }
    let russian = json(
        server
            .get(&server.url("/v2/fields/summary"))
            .header("Accept-Language", "ru")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(russian["name"], "Задача");
    assert_eq!(russian["schema"]["type"], "string");
    let unknown = server
        .get(&server.url("/v2/fields/nope"))
        .send()
        .await
        .unwrap();
    error_message(unknown, StatusCode::NOT_FOUND).await;
}

/// api-contract.md §1: an issue object has `description` at least; `null`
/// when there is none.
#[tokio::test]
async fn an_issue_without_a_description_has_it_as_null() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let created = json(
        server
            .send_json(
                Method::POST,
                "/v2/issues/",
                j!({"queue": "DEMO", "summary": "x"}),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created.get("description"), Some(&Value::Null), "{created}");
    let key = created["key"].as_str().unwrap();
    assert_eq!(
        issue(&server, key).await.get("description"),
        Some(&Value::Null)
    );
    let listed = json(
        server.get(&server.url("/v2/issues/")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i.get("description").is_some()));
}

/// RFC 9110 §13.1.1: `If-Match` may list entity tags; one matching passes.
#[tokio::test]
async fn if_match_takes_a_list_of_versions() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let patch = |if_match: &'static str, summary: &str| {
        server
            .authed(Method::PATCH, &server.url("/v2/issues/DEMO-2"))
            .header("If-Match", if_match)
            .json(&j!({ "summary": summary }))
            .send()
    };
    let listed = json(patch("\"23\", \"1\"", "a").await.unwrap(), StatusCode::OK).await;
    assert_eq!(listed["version"], 2);
    let weak_in_list = json(patch("\"7\",W/\"2\"", "b").await.unwrap(), StatusCode::OK).await;
    assert_eq!(weak_in_list["version"], 3);
    // None of them current: 412, nothing changed.
    let stale = patch("\"1\", \"2\"", "c").await.unwrap();
    error_message(stale, StatusCode::PRECONDITION_FAILED).await;
    // Not a list of entity tags: 412.
    let broken = patch("\"3\" \"3\"", "d").await.unwrap();
    error_message(broken, StatusCode::PRECONDITION_FAILED).await;
    let now = issue(&server, "DEMO-2").await;
    assert_eq!(
        (now["summary"].as_str(), now["version"].as_i64()),
        (Some("b"), Some(3))
    );
    let any = json(patch("*", "e").await.unwrap(), StatusCode::OK).await;
    assert_eq!(any["version"], 4);
}

/// A JSON body over its 2 MiB limit is 413 with a message of its own, not
/// the one for files.
#[tokio::test]
async fn a_json_body_over_the_limit_is_413_about_the_body() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let text = "x".repeat(3_000_000);
    for (lang, expected) in [
        (
            "en",
            "The request body is larger than the limit of 2097152 bytes.",
        ),
        (
            "ru",
            "Тело запроса больше допустимого размера 2097152 байт.",
        ),
    ] {
        let response = server
            .authed(Method::POST, &server.url("/v2/issues/DEMO-3/comments"))
            .header("Accept-Language", lang)
            .json(&j!({ "text": text }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_message(response, StatusCode::PAYLOAD_TOO_LARGE).await,
            expected
        );
    }
    let patch = server
        .send_json(
            Method::PATCH,
            "/v2/issues/DEMO-3",
            j!({ "description": text }),
        )
        .await;
    assert_eq!(
        error_message(patch, StatusCode::PAYLOAD_TOO_LARGE).await,
        "The request body is larger than the limit of 2097152 bytes."
    );
    assert!(json(
        server
            .get(&server.url("/v2/issues/DEMO-3/comments"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK
    )
    .await
    .as_array()
    .unwrap()
    .is_empty());
}
