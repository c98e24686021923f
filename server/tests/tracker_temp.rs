//! Tracker temporary attachments (T1, T11) over real HTTP: the server is
//! built from the library, bound to 127.0.0.1:0 and spoken to with reqwest.

mod common;

use std::path::PathBuf;

use common::*;
use image::{GenericImageView, ImageFormat};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use tracker_attachments_server::Config;

#[tokio::test]
async fn healthz_needs_no_auth() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let response = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn png_upload_gives_the_tracker_object_and_a_thumbnail() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let bytes = png(600, 300);

    let body = json(
        server
            .upload(bytes.clone(), "pic.png", Some("image/png"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = body["id"].as_str().expect("id is a string").to_owned();
    assert!(id.parse::<u64>().unwrap() >= 1000);
    let base = &server.base;
    assert_eq!(body["self"], format!("{base}/v2/attachments/{id}"));
    assert_eq!(body["name"], "pic.png");
    assert_eq!(
        body["content"],
        format!("{base}/v2/attachments/{id}/pic.png")
    );
    assert_eq!(
        body["thumbnail"],
        format!("{base}/v2/attachments/{id}/thumbnail")
    );
    assert_eq!(
        body["createdBy"],
        serde_json::json!({
            "self": format!("{base}/v2/users/1130000000000001"),
            "id": "1130000000000001",
            "display": "Dev User",
        })
    );
    assert_tracker_timestamp(body["createdAt"].as_str().unwrap());
    assert_eq!(body["mimetype"], "image/png");
    assert_eq!(body["size"], bytes.len() as u64);
    assert_eq!(body["metadata"], serde_json::json!({"size": "600x300"}));
    assert_eq!(body.as_object().unwrap().len(), 10, "{body}");

    // The thumbnail, with and without auth.
    let thumbnail_url = body["thumbnail"].as_str().unwrap();
    let response = server.get(thumbnail_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    let thumb =
        image::load_from_memory_with_format(&response.bytes().await.unwrap(), ImageFormat::Png)
            .unwrap();
    assert_eq!(thumb.dimensions(), (256, 128));
    let response = server.client.get(thumbnail_url).send().await.unwrap();
    error_message(response, StatusCode::UNAUTHORIZED).await;

    // Metadata and bytes back, the latter byte-identical.
    let again = json(
        server
            .get(&format!("{base}/v2/attachments/{id}"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(again, body);
    let response = server
        .get(body["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename*=UTF-8''pic.png"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn auth_rules() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let url = server.url("/v2/attachments/");
    let form = || file_form("file", b"hello".to_vec(), "a.txt", Some("text/plain"));
    let post = || server.client.post(&url).multipart(form());

    let no_token = post().header("X-Org-ID", ORG).send().await.unwrap();
    error_message(no_token, StatusCode::UNAUTHORIZED).await;
    let wrong_token = post()
        .header("Authorization", "OAuth nope")
        .header("X-Org-ID", ORG)
        .send()
        .await
        .unwrap();
    error_message(wrong_token, StatusCode::UNAUTHORIZED).await;
    let no_org = post()
        .header("Authorization", format!("OAuth {TOKEN}"))
        .send()
        .await
        .unwrap();
    error_message(no_org, StatusCode::FORBIDDEN).await;
    let wrong_org = post()
        .header("Authorization", format!("OAuth {TOKEN}"))
        .header("X-Org-ID", "other")
        .send()
        .await
        .unwrap();
    error_message(wrong_org, StatusCode::FORBIDDEN).await;
    let both_orgs = post()
        .header("Authorization", format!("OAuth {TOKEN}"))
        .header("X-Org-ID", ORG)
        .header("X-Cloud-Org-ID", ORG)
        .send()
        .await
        .unwrap();
    error_message(both_orgs, StatusCode::FORBIDDEN).await;
    let cloud_org = post()
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("X-Cloud-Org-ID", ORG)
        .send()
        .await
        .unwrap();
    assert_eq!(cloud_org.status(), StatusCode::CREATED);

    // Reads need auth too.
    let response = server
        .client
        .get(server.url("/v2/attachments/1000"))
        .send()
        .await
        .unwrap();
    error_message(response, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn error_messages_follow_accept_language() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let url = server.url("/v2/attachments/1000");

    let english = server.client.get(&url).send().await.unwrap();
    let message = error_message(english, StatusCode::UNAUTHORIZED).await;
    assert!(message.starts_with("Not authorized"), "{message}");

    let russian = server
        .client
        .get(&url)
        .header("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(russian.headers()["content-language"], "ru");
    let message = error_message(russian, StatusCode::UNAUTHORIZED).await;
    assert!(message.starts_with("Не авторизован"), "{message}");

    let not_found = server
        .get(&url)
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    let message = error_message(not_found, StatusCode::NOT_FOUND).await;
    assert_eq!(message, "Вложение 1000 не существует.");
}

#[tokio::test]
async fn text_upload_has_no_thumbnail_or_metadata() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    // Field name other than `file`: any name is accepted.
    let form = file_form(
        "file_data",
        b"plain text\n".to_vec(),
        "notes.txt",
        Some("text/plain"),
    );
    let body = json(
        server.upload_request(form).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["mimetype"], "text/plain");
    assert_eq!(body["size"], 11);
    assert!(body.get("thumbnail").is_none(), "{body}");
    assert!(body.get("metadata").is_none(), "{body}");

    let thumbnail = server
        .get(&server.url(&format!(
            "/v2/attachments/{}/thumbnail",
            body["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    error_message(thumbnail, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn corrupt_png_is_kept_without_a_thumbnail() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(std::iter::repeat_n(0xAB, 500));
    // Declared as text: the sniffed type wins.
    let body = json(
        server
            .upload(bytes.clone(), "broken.png", Some("text/plain"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["mimetype"], "image/png");
    assert_eq!(body["size"], bytes.len() as u64);
    assert!(body.get("thumbnail").is_none(), "{body}");
    assert!(body.get("metadata").is_none(), "{body}");
    let content = server
        .get(body["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(content.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn client_file_names_never_become_paths() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let name = "../../etc/passwd";
    let body = json(
        server.upload(b"root:x:0:0".to_vec(), name, None).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["name"], name);
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        body["content"],
        server.url(&format!("/v2/attachments/{id}/..%2F..%2Fetc%2Fpasswd"))
    );

    // Relative to files/ or tmp/, the name would point at <root>/etc/passwd.
    assert!(!dir.0.join("etc").exists());
    assert_eq!(
        walk(&dir.0)
            .iter()
            .filter(|p| !p.starts_with("data"))
            .count(),
        0
    );
    for file in walk(&dir.data_dir()) {
        let first = file
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            ["files", "thumbs", "tmp"].contains(&first.as_str())
                || first.starts_with("meta.sqlite3"),
            "unexpected {}",
            file.display()
        );
    }
    assert_eq!(walk(&dir.data_dir().join("files")), [PathBuf::from(id)]);

    let response = server
        .get(body["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"root:x:0:0");
}

#[tokio::test]
async fn filename_query_overrides_the_part_name() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let form = file_form("file", b"%PDF-1.4".to_vec(), "blob", None);
    let response = server
        .authed(reqwest::Method::POST, &server.url("/v2/attachments"))
        .query(&[("filename", "отчёт 2026.pdf")])
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = json(response, StatusCode::CREATED).await;
    assert_eq!(body["name"], "отчёт 2026.pdf");
    // No declared type: guessed from the extension of the name that counts.
    assert_eq!(body["mimetype"], "application/pdf");
    let content = body["content"].as_str().unwrap();
    assert!(
        content.ends_with("/%D0%BE%D1%82%D1%87%D1%91%D1%82%202026.pdf"),
        "{content}"
    );

    let response = server.get(content).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%202026.pdf"
    );
}

#[tokio::test]
async fn the_first_part_with_a_file_name_is_the_file() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let form = Form::new()
        .text("comment", "not the file")
        .part(
            "upload",
            Part::bytes(b"the file".to_vec()).file_name("real.txt"),
        )
        .part(
            "second",
            Part::bytes(b"ignored".to_vec()).file_name("other.txt"),
        );
    let body = json(
        server.upload_request(form).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["name"], "real.txt");
    assert_eq!(body["size"], 8);
    // Only the chosen part is kept.
    assert_eq!(walk(&dir.data_dir().join("files")).len(), 1);
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));

    // Without any file name the first part is taken, named by the query.
    let form = Form::new().text("file", "inline data");
    let response = server
        .authed(reqwest::Method::POST, &server.url("/v2/attachments/"))
        .query(&[("filename", "inline.txt")])
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = json(response, StatusCode::CREATED).await;
    assert_eq!(body["name"], "inline.txt");
    assert_eq!(body["mimetype"], "text/plain");
}

#[tokio::test]
async fn bad_requests_are_400() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let url = server.url("/v2/attachments/");

    let not_multipart = server
        .authed(reqwest::Method::POST, &url)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    error_message(not_multipart, StatusCode::BAD_REQUEST).await;

    let no_parts = server.upload_request(Form::new()).send().await.unwrap();
    error_message(no_parts, StatusCode::BAD_REQUEST).await;

    let truncated = server
        .authed(reqwest::Method::POST, &url)
        .header("Content-Type", "multipart/form-data; boundary=XYZ")
        .body(
            "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc",
        )
        .send()
        .await
        .unwrap();
    error_message(truncated, StatusCode::BAD_REQUEST).await;
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));
    assert!(dir_is_empty(&dir.data_dir().join("files")));
}

#[tokio::test]
async fn uploads_over_the_limit_are_413_and_leave_nothing() {
    let dir = TempDir::new();
    let server = TestServer::start(Config {
        max_upload_bytes: 1000,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let response = server.upload(vec![b'x'; 5000], "big.bin", None).await;
    let message = error_message(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(message.contains("1000"), "{message}");
    assert!(dir_is_empty(&dir.data_dir().join("files")));
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));

    // Exactly at the limit is fine.
    let response = server.upload(vec![b'x'; 1000], "fits.bin", None).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // With no named part, a text field is the file, and over the limit.
    let form = Form::new().text("file", "n".repeat(5000));
    let response = server.upload_request(form).send().await.unwrap();
    error_message(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));
}

/// A part named only by RFC 5987's `filename*` keeps its name.
#[tokio::test]
async fn an_extended_file_name_is_the_name() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let response = server
        .authed(reqwest::Method::POST, &server.url("/v2/attachments/"))
        .header("Content-Type", "multipart/form-data; boundary=XYZ")
        .body(
            "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; \
             filename*=UTF-8''caf%C3%A9.txt\r\n\r\nbytes\r\n--XYZ--\r\n",
        )
        .send()
        .await
        .unwrap();
    let body = json(response, StatusCode::CREATED).await;
    assert_eq!(body["name"], "café.txt");
    assert_eq!(body["mimetype"], "text/plain");
}

/// A name in bytes that are not UTF-8 (an old client's Latin-1) keeps its
/// other characters and its extension, which gives the type; RFC 5987's
/// ISO-8859-1 is read as such.
#[tokio::test]
async fn a_file_name_that_is_not_utf8_keeps_what_it_can() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let send = |disposition: &[u8]| {
        let mut body = b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; ".to_vec();
        body.extend_from_slice(disposition);
        body.extend_from_slice(b"\r\n\r\nbytes\r\n--XYZ--\r\n");
        server
            .authed(reqwest::Method::POST, &server.url("/v2/attachments/"))
            .header("Content-Type", "multipart/form-data; boundary=XYZ")
            .body(body)
            .send()
    };
    let latin1 = json(
        send(b"filename=\"caf\xe9.txt\"").await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(latin1["name"], "caf\u{FFFD}.txt");
    assert_eq!(latin1["mimetype"], "text/plain");
    let declared = send(b"filename*=ISO-8859-1''caf%E9.txt").await.unwrap();
    let declared = json(declared, StatusCode::CREATED).await;
    assert_eq!(declared["name"], "café.txt");
}

/// A name's URLs carry it percent-encoded: a name past 1024 bytes is
/// refused, one at the bound gets URLs that work.
#[tokio::test]
async fn file_names_over_1024_bytes_are_400() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let longest = format!("{}.t", "界".repeat(340));
    assert_eq!(longest.len(), 1022);
    let body = server.upload_ok(b"long".to_vec(), &longest).await;
    assert_eq!(body["name"], longest.as_str());
    let content = body["content"].as_str().unwrap();
    let bytes = server.get(content).send().await.unwrap();
    assert_eq!(bytes.status(), StatusCode::OK);
    assert_eq!(bytes.bytes().await.unwrap().as_ref(), b"long");

    let too_long = format!("{}.txt", "界".repeat(341));
    let response = server.upload(b"long".to_vec(), &too_long, None).await;
    let message = error_message(response, StatusCode::BAD_REQUEST).await;
    assert!(message.contains("1024"), "{message}");
    let response = server
        .authed(
            reqwest::Method::POST,
            &server.url("/v2/issues/DEMO-1/attachments/"),
        )
        .multipart(file_form("file", b"x".to_vec(), &too_long, None))
        .send()
        .await
        .unwrap();
    error_message(response, StatusCode::BAD_REQUEST).await;
    let response = server
        .jira(
            reqwest::Method::POST,
            "/rest/api/3/issue/DEMO-1/attachments",
        )
        .header("X-Atlassian-Token", "no-check")
        .multipart(file_form("file", b"x".to_vec(), &too_long, None))
        .send()
        .await
        .unwrap();
    jira_error(response, StatusCode::BAD_REQUEST).await;
    assert!(dir_is_empty(&dir.data_dir().join("tmp")));
}

#[tokio::test]
async fn uploads_beyond_axums_default_body_limit_stream_through() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let bytes: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let body = json(
        server.upload(bytes.clone(), "big.bin", None).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["size"], bytes.len() as u64);
    assert_eq!(body["mimetype"], "application/octet-stream");
    let content = server
        .get(body["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        content.headers()["content-length"],
        bytes.len().to_string().as_str()
    );
    assert!(content.bytes().await.unwrap().as_ref() == bytes.as_slice());
}

#[tokio::test]
async fn unknown_things_are_404_in_the_tracker_shape() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    for path in [
        "/v2/attachments/999999",
        "/v2/attachments/abc",
        "/v2/attachments/999999/thumbnail",
        "/v2/attachments/999999/x.txt",
        "/v2/no-such-thing",
    ] {
        let response = server.get(&server.url(path)).send().await.unwrap();
        error_message(response, StatusCode::NOT_FOUND).await;
    }
    let response = server
        .authed(reqwest::Method::DELETE, &server.url("/v2/attachments/"))
        .send()
        .await
        .unwrap();
    error_message(response, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn paths_work_with_and_without_a_trailing_slash() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let form = file_form("file", png(10, 10), "p.png", None);
    let response = server
        .authed(reqwest::Method::POST, &server.url("/v2/attachments"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = json(response, StatusCode::CREATED).await;
    // Small images are not upscaled.
    let thumb = server
        .get(&format!("{}/", body["thumbnail"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status(), StatusCode::OK);
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!(thumb.dimensions(), (10, 10));
    let again = server
        .get(&format!("{}/", body["self"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(json(again, StatusCode::OK).await, body);
}

#[tokio::test]
async fn urls_follow_the_host_and_forwarded_proto() {
    let dir = TempDir::new();
    // A name in front (a reverse proxy's) is the operator's to allow.
    let server = TestServer::start(Config {
        cors_origins: vec!["https://tracker.example:8443".into()],
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let body = json(
        server
            .upload_request(file_form("file", b"x".to_vec(), "x.txt", None))
            .header("Host", "tracker.example:8443")
            .header("X-Forwarded-Proto", "https")
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        body["self"],
        format!("https://tracker.example:8443/v2/attachments/{id}")
    );
}

#[tokio::test]
async fn metadata_survives_a_restart() {
    let dir = TempDir::new();
    let first = TestServer::with_dir(&dir).await;
    let bytes = png(64, 32);
    let body = json(
        first.upload(bytes.clone(), "keep.png", None).await,
        StatusCode::CREATED,
    )
    .await;
    let id: u64 = body["id"].as_str().unwrap().parse().unwrap();
    drop(first);

    let second = TestServer::with_dir(&dir).await;
    let url = second.url(&format!("/v2/attachments/{id}"));
    let again = json(second.get(&url).send().await.unwrap(), StatusCode::OK).await;
    // Same object, only the base URL (the new port) differs.
    assert_eq!(again["name"], "keep.png");
    assert_eq!(again["createdAt"], body["createdAt"]);
    assert_eq!(again["metadata"], serde_json::json!({"size": "64x32"}));
    assert_eq!(again["self"], url);
    let content = second
        .get(again["content"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(content.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let thumb = second
        .get(again["thumbnail"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status(), StatusCode::OK);

    // Ids keep counting up instead of being reused.
    let next = json(
        second.upload(b"x".to_vec(), "n.txt", None).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(next["id"].as_str().unwrap().parse::<u64>().unwrap() > id);
}

#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    let dir = TempDir::new();
    let server = TestServer::start(Config {
        cors_origins: vec!["http://app.test".into()],
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/v2/attachments/"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, x-org-id")
            .send()
    };
    let allowed = preflight("http://app.test").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://app.test"
    );
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    for name in [
        "authorization",
        "x-org-id",
        "x-cloud-org-id",
        "content-type",
        "x-atlassian-token",
    ] {
        assert!(headers.contains(name), "{headers}");
    }
    let other = preflight("http://evil.test").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    // Error answers carry the header too, so the page can read them.
    let denied = server
        .client
        .get(server.url("/v2/attachments/1"))
        .header("Origin", "http://app.test")
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        denied.headers()["access-control-allow-origin"],
        "http://app.test"
    );
}

/// A server whose `--static-dir` holds one index page, with `csp` if given.
async fn static_site(dir: &TempDir, index: &str, csp: Option<&str>) -> TestServer {
    let www = dir.0.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), index).unwrap();
    TestServer::start(Config {
        static_dir: Some(www),
        static_csp: csp.map(str::to_owned),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

#[tokio::test]
async fn static_dir_is_served_at_the_root() {
    let dir = TempDir::new();
    let server = static_site(&dir, "<h1>demo</h1>", None).await;
    let index = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(index.text().await.unwrap(), "<h1>demo</h1>");
    let missing = server
        .client
        .get(server.url("/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The API still wins over the static files.
    let health = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn static_files_carry_the_configured_csp_and_api_answers_do_not() {
    let dir = TempDir::new();
    let policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
    let server = static_site(&dir, "<h1>strict</h1>", Some(policy)).await;
    let index = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(index.headers()["content-security-policy"], policy);
    let health = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert!(health.headers().get("content-security-policy").is_none());
}
