//! Proxy mode against a second instance as the upstream: the browser's
//! token (which the upstream rejects) is replaced by the one from the
//! environment (which it accepts), the organisation by `--org-id`, and the
//! upstream's status, headers and body come back unchanged, streamed, but
//! for the upstream's URLs in JSON answers, which name the proxy.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use tracker_attachments_server::Config;

const UPSTREAM_TOKEN: &str = "upstream-secret";
const UPSTREAM_ORG: &str = "upstream-org";
const AUTH_ENV: &str = "TA_TEST_UPSTREAM_AUTH";

async fn upstream(dir: &TempDir) -> TestServer {
    TestServer::start(Config {
        token: UPSTREAM_TOKEN.into(),
        org_id: UPSTREAM_ORG.into(),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

fn proxy_to(upstream: &str, dir: &TempDir, credential: &str) -> ChildServer {
    let data_dir = dir.data_dir();
    ChildServer::spawn(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--upstream",
            upstream,
            "--upstream-auth-env",
            AUTH_ENV,
            "--org-id",
            UPSTREAM_ORG,
        ],
        &[(AUTH_ENV, credential)],
    )
}

/// What a page sends: the dev server's token, which the upstream rejects.
fn browser(client: &reqwest::Client, method: Method, url: String) -> reqwest::RequestBuilder {
    client
        .request(method, url)
        .header("Authorization", format!("OAuth {TOKEN}"))
        .header("X-Org-ID", ORG)
}

#[tokio::test]
async fn the_token_is_replaced_and_answers_pass_through() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    // `Bearer` works for both Tracker and Jira on the upstream.
    let proxy = proxy_to(
        &upstream.base,
        &proxy_dir,
        &format!("Bearer {UPSTREAM_TOKEN}"),
    );
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // The browser's credentials do not open the upstream...
    let direct = browser(&client, Method::GET, upstream.url("/v2/issues/DEMO-1"))
        .send()
        .await
        .unwrap();
    error_message(direct, StatusCode::UNAUTHORIZED).await;
    // ...but through the proxy they need not: it sends its own.
    let bytes = noise(3 * 1024 * 1024 + 7, 21);
    let uploaded = json(
        browser(&client, Method::POST, proxy.url("/v2/attachments/"))
            .query(&[("filename", "через прокси.bin")])
            .multipart(Form::new().part("file", Part::bytes(bytes.clone()).file_name("x")))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(uploaded["name"], "через прокси.bin");
    // The body is the upstream's, with its URLs moved onto the proxy.
    let id = uploaded["id"].as_str().unwrap();
    assert_eq!(
        uploaded["self"],
        proxy.url(&format!("/v2/attachments/{id}"))
    );
    let stored = upstream_dir.data_dir().join("files").join(id);
    assert_eq!(std::fs::read(stored).unwrap(), bytes);

    // No credentials at all from the page: still fine.
    let anonymous = client
        .get(proxy.url("/v2/issues/DEMO-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::OK);

    // Downloads stream back with their headers.
    let content_url = uploaded["content"].as_str().unwrap();
    let content_path = content_url
        .strip_prefix(&proxy.base)
        .expect("content is on the proxy");
    let via_proxy = client.get(content_url).send().await.unwrap();
    let direct = upstream
        .client
        .get(upstream.url(content_path))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .header("X-Org-ID", UPSTREAM_ORG)
        .send()
        .await
        .unwrap();
    for name in ["content-type", "content-disposition", "content-length"] {
        assert_eq!(via_proxy.headers()[name], direct.headers()[name], "{name}");
    }
    assert!(via_proxy.bytes().await.unwrap().as_ref() == bytes.as_slice());

    // Errors: same status, same body, byte for byte.
    let path = "/v2/issues/DEMO-9";
    let via_proxy = browser(&client, Method::GET, proxy.url(path))
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    let direct = upstream
        .client
        .get(upstream.url(path))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .header("X-Org-ID", UPSTREAM_ORG)
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(via_proxy.status(), StatusCode::NOT_FOUND);
    assert_eq!(via_proxy.headers()["content-language"], "ru");
    assert_eq!(
        via_proxy.text().await.unwrap(),
        direct.text().await.unwrap()
    );

    // If-Match reaches the upstream: a stale version is its 412.
    let stale = browser(&client, Method::PATCH, proxy.url("/v2/issues/DEMO-1"))
        .header("If-Match", "\"7\"")
        .json(&serde_json::json!({"summary": "x"}))
        .send()
        .await
        .unwrap();
    error_message(stale, StatusCode::PRECONDITION_FAILED).await;

    // Jira: XSRF refusal in plain text, uploads, and the 303 with its Location.
    let form = || Form::new().part("file", Part::bytes(b"jira".to_vec()).file_name("j.txt"));
    let refused = client
        .post(proxy.url("/rest/api/3/issue/DEMO-2/attachments"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused.text().await.unwrap(), "XSRF check failed");
    let jira = json(
        client
            .post(proxy.url("/rest/api/3/issue/DEMO-2/attachments"))
            .header("X-Atlassian-Token", "no-check")
            // A browser-side Jira credential the upstream does not know.
            .header("Authorization", JIRA_BASIC)
            .multipart(form())
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let jira_id = jira[0]["id"].as_str().unwrap();
    let redirect = client
        .get(proxy.url(&format!("/rest/api/3/attachment/content/{jira_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    // It points at the proxy, like the URLs in bodies: the page holds no
    // credential for the upstream.
    let location = redirect.headers()["location"].to_str().unwrap();
    assert_eq!(
        location,
        proxy.url(&format!(
            "/rest/api/3/attachment/content/{jira_id}?redirect=false"
        ))
    );
    let followed = client.get(location).send().await.unwrap();
    assert_eq!(followed.status(), StatusCode::OK);
    assert_eq!(followed.bytes().await.unwrap().as_ref(), b"jira");
    // A HEAD answer (no body to rewrite) has it moved too.
    let head = client
        .head(proxy.url(&format!("/rest/api/3/attachment/content/{jira_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::SEE_OTHER);
    assert_eq!(head.headers()["location"], location);
}

#[tokio::test]
async fn chunked_uploads_are_assembled_here_and_sent_upstream_whole() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let proxy = proxy_to(
        &upstream.base,
        &proxy_dir,
        &format!("OAuth {UPSTREAM_TOKEN}"),
    );
    let client = client();
    let bytes = noise(2500, 31);
    let part = |number: usize| {
        let chunk = if number == 1 {
            &bytes[..1000]
        } else {
            &bytes[1000..]
        };
        [
            ("flowChunkNumber", number.to_string()),
            ("flowChunkSize", "1000".into()),
            ("flowCurrentChunkSize", chunk.len().to_string()),
            ("flowTotalSize", "2500".into()),
            ("flowIdentifier", "2500-partsbin".into()),
            ("flowFilename", "части.bin".into()),
            ("flowTotalChunks", "2".into()),
        ]
        .into_iter()
        .fold(Form::new(), |form, (k, v)| form.text(k, v))
        .part("file", Part::bytes(chunk.to_vec()).file_name("blob"))
    };
    // No credentials from the page, as with the other proxied routes.
    let first = client
        .post(proxy.url("/upload/flow"))
        .multipart(part(2))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let done = json(
        client
            .post(proxy.url("/upload/flow"))
            .multipart(part(1))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    // The upstream's temporary attachment, its URLs on the proxy.
    assert_eq!(done["name"], "части.bin");
    assert_eq!(done["size"], 2500);
    let id = done["id"].as_str().unwrap();
    assert_eq!(done["self"], proxy.url(&format!("/v2/attachments/{id}")));
    assert_eq!(
        done["content"],
        proxy.url(&format!(
            "/v2/attachments/{id}/%D1%87%D0%B0%D1%81%D1%82%D0%B8.bin"
        ))
    );
    let stored = std::fs::read(upstream_dir.data_dir().join("files").join(id)).unwrap();
    assert_eq!(stored, bytes);
    // Nothing of it stays on the proxy.
    assert!(walk(&proxy_dir.data_dir().join("files")).is_empty());
    assert!(walk(&proxy_dir.data_dir().join("flow")).is_empty());
    assert!(walk(&proxy_dir.data_dir().join("tmp")).is_empty());
}

#[tokio::test]
async fn an_unreachable_upstream_is_502_in_the_right_shape() {
    let (_upstream, address) = refusing_address();
    let dir = TempDir::new();
    let proxy = proxy_to(&format!("http://{address}"), &dir, "OAuth whatever");
    let client = client();
    let tracker = client
        .get(proxy.url("/v2/issues/DEMO-1"))
        .send()
        .await
        .unwrap();
    error_message(tracker, StatusCode::BAD_GATEWAY).await;
    let jira = client
        .get(proxy.url("/rest/api/3/attachment/meta"))
        .send()
        .await
        .unwrap();
    jira_error(jira, StatusCode::BAD_GATEWAY).await;
    // The server's own endpoints still answer.
    let health = client.get(proxy.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_missing_credential_stops_the_server_at_start() {
    let dir = TempDir::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tracker-attachments-server"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.data_dir())
        .args([
            "--upstream",
            "http://127.0.0.1:9",
            "--upstream-auth-env",
            "TA_TEST_SURELY_UNSET_7731",
        ])
        .env_remove("TA_TEST_SURELY_UNSET_7731")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started without its upstream credential");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("TA_TEST_SURELY_UNSET_7731"), "{stderr}");
}

/// The proxy in this process, passing the browser's own credentials on (no
/// `--upstream-auth-env`), so a test can send good and bad ones.
async fn passing_proxy(upstream: &str, dir: &TempDir) -> TestServer {
    TestServer::start(Config {
        upstream: Some(upstream.into()),
        org_id: UPSTREAM_ORG.into(),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// Flow.js part `number` of a 2500-byte file in parts of 1000 (the last 1500).
fn flow_part(bytes: &[u8], identifier: &str, number: usize) -> Form {
    let chunk = if number == 1 {
        &bytes[..1000]
    } else {
        &bytes[1000..]
    };
    [
        ("flowChunkNumber", number.to_string()),
        ("flowChunkSize", "1000".into()),
        ("flowCurrentChunkSize", chunk.len().to_string()),
        ("flowTotalSize", bytes.len().to_string()),
        ("flowIdentifier", identifier.into()),
        ("flowFilename", "f.bin".into()),
        ("flowTotalChunks", "2".into()),
    ]
    .into_iter()
    .fold(Form::new(), |form, (k, v)| form.text(k, v))
    .part("file", Part::bytes(chunk.to_vec()).file_name("blob"))
}

/// The upstream refuses an assembled file from a sender whose credential
/// it takes (here: the file is over its size limit): its answer comes
/// back, and the parts are kept for the retry.
#[tokio::test]
async fn a_refused_assembled_file_keeps_its_parts_for_the_retry() {
    let upstream_dir = TempDir::new();
    let upstream = TestServer::start(Config {
        token: UPSTREAM_TOKEN.into(),
        org_id: UPSTREAM_ORG.into(),
        max_upload_bytes: 2000,
        ..Config::with_data_dir(upstream_dir.data_dir())
    })
    .await;
    let proxy_dir = TempDir::new();
    let proxy = passing_proxy(&upstream.base, &proxy_dir).await;
    let bytes = noise(2500, 41);
    let send = |number: usize| {
        proxy
            .client
            .post(proxy.url("/upload/flow"))
            .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
            .multipart(flow_part(&bytes, "2500-kept", number))
            .send()
    };
    // Its answer comes back, or, when it refused before reading the body
    // and the connection broke under the rest of it, a 502 (which of the
    // two is a race on the upstream's socket).
    let refused = |response: reqwest::Response| async move {
        let status = response.status();
        assert!(
            status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::BAD_GATEWAY,
            "{status}"
        );
        error_message(response, status).await;
    };
    assert_eq!(send(1).await.unwrap().status(), StatusCode::OK);
    refused(send(2).await.unwrap()).await;
    // The parts are still here: the part sent again sends the whole file
    // again (refused again), instead of starting an empty upload that
    // answers 200.
    let is_kept = proxy
        .client
        .get(proxy.url("/upload/flow?flowIdentifier=2500-kept&flowChunkNumber=1"))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(is_kept.status(), StatusCode::OK);
    refused(send(2).await.unwrap()).await;
    // A file the upstream takes goes up whole.
    let done = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .multipart(bytes_form_flow())
        .send()
        .await
        .unwrap();
    let done = json(done, StatusCode::CREATED).await;
    let id = done["id"].as_str().unwrap();
    let stored = std::fs::read(upstream_dir.data_dir().join("files").join(id)).unwrap();
    assert_eq!(stored, b"x");
    // Only the refused file's two parts are left, for the sweeper.
    assert_eq!(walk(&proxy_dir.data_dir().join("flow")).len(), 2);
    assert!(walk(&proxy_dir.data_dir().join("tmp")).is_empty());
}

/// The upstream took the file but its answer was lost (the client gave up
/// waiting, or got 503 after the assembly wait): the part sent again gets
/// the same answer, and the file is not sent up again nor started afresh.
#[tokio::test]
async fn a_part_resent_after_the_upstream_took_the_file_gets_the_same_answer() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let proxy = passing_proxy(&upstream.base, &proxy_dir).await;
    let bytes = noise(2500, 43);
    let send = |form: Form| {
        proxy
            .client
            .post(proxy.url("/upload/flow"))
            .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
            .multipart(form)
            .send()
    };
    let first_answer = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::CREATED);
        let content_type = response.headers()["content-type"].clone();
        (content_type, response.bytes().await.unwrap())
    };
    let part = |number| flow_part(&bytes, "2500-once", number);
    assert_eq!(send(part(1)).await.unwrap().status(), StatusCode::OK);
    let first = first_answer(send(part(2)).await.unwrap()).await;
    for number in [2, 1] {
        let again = first_answer(send(part(number)).await.unwrap()).await;
        assert_eq!(again, first, "part {number} sent again");
    }
    // A one-part file, where a fresh upload would send the file up again.
    let first_one = first_answer(send(bytes_form_flow()).await.unwrap()).await;
    let again = first_answer(send(bytes_form_flow()).await.unwrap()).await;
    assert_eq!(again, first_one);
    // The answer is remembered as the upstream gave it and moved onto the
    // name each retry came in under.
    let port = proxy.base.rsplit(':').next().unwrap();
    let renamed = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Host", format!("localhost:{port}"))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .multipart(bytes_form_flow())
        .send()
        .await
        .unwrap();
    let renamed = json(renamed, StatusCode::CREATED).await;
    let first_one: serde_json::Value = serde_json::from_slice(&first_one.1).unwrap();
    assert_eq!(renamed["id"], first_one["id"]);
    assert_eq!(
        renamed["self"],
        format!(
            "http://localhost:{port}/v2/attachments/{}",
            renamed["id"].as_str().unwrap()
        )
    );
    assert_eq!(walk(&upstream_dir.data_dir().join("files")).len(), 2);
    // Only the answer is kept, no part.
    assert!(walk(&proxy_dir.data_dir().join("flow")).is_empty());
    // Asked by the sender whose upload it was.
    let tested = proxy
        .client
        .get(proxy.url("/upload/flow?flowIdentifier=2500-once&flowChunkNumber=2"))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(tested.status(), StatusCode::NO_CONTENT);
}

/// The upstream's answer is remembered as long as a temporary attachment
/// lives (`--temp-ttl`, from the last part); then the identifier starts
/// afresh, as in local mode.
#[tokio::test]
async fn a_remembered_upstream_answer_lasts_the_temporary_ttl() {
    const TTL: Duration = Duration::from_secs(3600);
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let clock = tracker_attachments_server::Clock::manual(1_700_000_000_000);
    let proxy = TestServer::start(Config {
        upstream: Some(upstream.base.clone()),
        org_id: UPSTREAM_ORG.into(),
        temp_ttl: TTL,
        clock: clock.clone(),
        ..Config::with_data_dir(proxy_dir.data_dir())
    })
    .await;
    let send = || async {
        let response = proxy
            .client
            .post(proxy.url("/upload/flow"))
            .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
            .multipart(bytes_form_flow())
            .send()
            .await
            .unwrap();
        json(response, StatusCode::CREATED).await["id"].clone()
    };
    let first = send().await;
    clock.advance(TTL - Duration::from_millis(1));
    assert_eq!(send().await, first);
    clock.advance(Duration::from_millis(2));
    assert_ne!(send().await, first);
    assert_eq!(walk(&upstream_dir.data_dir().join("files")).len(), 2);
}

#[tokio::test]
async fn pages_of_other_origins_cannot_send_through_the_proxy() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let proxy = TestServer::start(Config {
        upstream: Some(upstream.base.clone()),
        org_id: UPSTREAM_ORG.into(),
        cors_origins: vec!["http://app.test".into()],
        ..Config::with_data_dir(proxy_dir.data_dir())
    })
    .await;
    // The proxy's own credentials would open the upstream: what a page of
    // any origin could borrow with a plain form post.
    let post = |path: &str, headers: &[(&str, String)]| {
        let form = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.txt"));
        headers
            .iter()
            .fold(
                proxy
                    .client
                    .post(proxy.url(path))
                    .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
                    .header("X-Atlassian-Token", "no-check")
                    .multipart(form),
                |request, (name, value)| request.header(*name, value),
            )
            .send()
    };
    let evil = ("Origin", "http://evil.test".to_owned());
    let cross = ("Sec-Fetch-Site", "cross-site".to_owned());
    let refused = post("/v2/attachments/", &[evil.clone(), cross.clone()])
        .await
        .unwrap();
    let message = error_message(refused, StatusCode::FORBIDDEN).await;
    assert!(message.contains("origin"), "{message}");
    let refused = post(
        "/rest/api/3/issue/DEMO-1/attachments",
        std::slice::from_ref(&evil),
    )
    .await
    .unwrap();
    jira_error(refused, StatusCode::FORBIDDEN).await;
    let refused = post(
        "/v2/issues/DEMO-1/attachments",
        std::slice::from_ref(&cross),
    )
    .await
    .unwrap();
    error_message(refused, StatusCode::FORBIDDEN).await;
    let flow = bytes_form_flow();
    let refused = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Origin", "http://evil.test")
        .multipart(flow)
        .send()
        .await
        .unwrap();
    error_message(refused, StatusCode::FORBIDDEN).await;
    // None of them reached the upstream, and no part was kept.
    assert!(walk(&upstream_dir.data_dir().join("files")).is_empty());
    assert!(walk(&proxy_dir.data_dir().join("flow")).is_empty());

    // The server's own pages, the allowed origin, and callers that are no
    // browser page still pass.
    let own = ("Origin", proxy.base.clone());
    let same = ("Sec-Fetch-Site", "same-origin".to_owned());
    let allowed = ("Origin", "http://app.test".to_owned());
    for headers in [vec![own, same], vec![allowed, cross], vec![]] {
        let response = post("/v2/attachments/", &headers).await.unwrap();
        json(response, StatusCode::CREATED).await;
    }
    assert_eq!(walk(&upstream_dir.data_dir().join("files")).len(), 3);
    // Reading is not refused: a cross-site page cannot read the answer anyway.
    let read = proxy
        .client
        .get(proxy.url("/v2/issues/DEMO-1"))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .header("Origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
}

/// DNS rebinding: a page at http://rebind.attacker:PORT whose name now
/// resolves to 127.0.0.1 is same-origin to the browser, so `Origin` and
/// `Host` agree and `Sec-Fetch-Site` says same-origin. The server serves
/// only requests addressed to its own names, reading or writing.
#[tokio::test]
async fn a_rebound_name_cannot_use_the_proxy() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let proxy = TestServer::start(Config {
        upstream: Some(upstream.base.clone()),
        org_id: UPSTREAM_ORG.into(),
        cors_origins: vec!["http://app.test".into(), "*".into()],
        ..Config::with_data_dir(proxy_dir.data_dir())
    })
    .await;
    let port = proxy.base.rsplit(':').next().unwrap().to_owned();
    let rebound = format!("rebind.attacker:{port}");
    // The connection goes to 127.0.0.1 either way; `Host` names the page.
    let request = |method: Method, path: &str, host: &str, origin: Option<String>| {
        let mut request = proxy
            .client
            .request(method.clone(), proxy.url(path))
            .header("Host", host)
            .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
            .header("X-Atlassian-Token", "no-check");
        if let Some(origin) = origin {
            request = request
                .header("Origin", origin)
                .header("Sec-Fetch-Site", "same-origin");
        }
        if method == Method::POST {
            request = request
                .multipart(Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.txt")));
        }
        request.send()
    };
    let same_origin = Some(format!("http://{rebound}"));
    let refused = request(
        Method::POST,
        "/v2/attachments/",
        &rebound,
        same_origin.clone(),
    )
    .await
    .unwrap();
    error_message(refused, StatusCode::MISDIRECTED_REQUEST).await;
    // Reading through the proxy is refused too (`*` does not lift this).
    let refused = request(
        Method::GET,
        "/v2/issues/DEMO-1",
        &rebound,
        same_origin.clone(),
    )
    .await
    .unwrap();
    error_message(refused, StatusCode::MISDIRECTED_REQUEST).await;
    let refused = request(Method::GET, "/rest/api/3/issue/DEMO-1", &rebound, None)
        .await
        .unwrap();
    jira_error(refused, StatusCode::MISDIRECTED_REQUEST).await;
    let refused = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Host", &rebound)
        .header("Origin", format!("http://{rebound}"))
        .multipart(bytes_form_flow())
        .send()
        .await
        .unwrap();
    error_message(refused, StatusCode::MISDIRECTED_REQUEST).await;
    assert!(walk(&upstream_dir.data_dir().join("files")).is_empty());
    assert!(walk(&proxy_dir.data_dir().join("flow")).is_empty());

    // The server's own names, from its own pages or from no page, and a
    // listed origin's name pass.
    let passing = [
        (
            format!("127.0.0.1:{port}"),
            Some(format!("http://127.0.0.1:{port}")),
        ),
        (
            format!("localhost:{port}"),
            Some(format!("http://localhost:{port}")),
        ),
        (format!("localhost:{port}"), None),
        ("app.test".to_owned(), Some("http://app.test".to_owned())),
    ];
    for (host, origin) in &passing {
        let read = request(Method::GET, "/v2/issues/DEMO-1", host, origin.clone())
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK, "{host} {origin:?}");
        let written = request(Method::POST, "/v2/attachments/", host, origin.clone())
            .await
            .unwrap();
        json(written, StatusCode::CREATED).await;
    }
    assert_eq!(
        walk(&upstream_dir.data_dir().join("files")).len(),
        passing.len()
    );
}

/// A one-part Flow.js upload of one byte.
fn bytes_form_flow() -> Form {
    [
        ("flowChunkNumber", "1"),
        ("flowChunkSize", "1000"),
        ("flowCurrentChunkSize", "1"),
        ("flowTotalSize", "1"),
        ("flowIdentifier", "1-x"),
        ("flowFilename", "x.bin"),
        ("flowTotalChunks", "1"),
    ]
    .into_iter()
    .fold(Form::new(), |form, (k, v)| form.text(k, v))
    .part("file", Part::bytes(b"x".to_vec()).file_name("blob"))
}

/// Every string in `value` that begins with `prefix`, with where it is.
fn strings_starting_with(value: &serde_json::Value, prefix: &str, at: &str) -> Vec<String> {
    match value {
        serde_json::Value::String(s) if s.starts_with(prefix) => vec![format!("{at}: {s}")],
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| strings_starting_with(item, prefix, &format!("{at}[{i}]")))
            .collect(),
        serde_json::Value::Object(fields) => fields
            .iter()
            .flat_map(|(k, field)| strings_starting_with(field, prefix, &format!("{at}.{k}")))
            .collect(),
        _ => Vec::new(),
    }
}

/// The contract: every `self`, `content` and `thumbnail` is a working URL
/// on the server that answered. Through the proxy that is the proxy, which
/// adds the token the page does not have; the upstream's own URLs would
/// not open from the page (the widget fetches thumbnails from its API's
/// origin only).
#[tokio::test]
async fn answers_name_the_proxy_and_its_urls_work() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let proxy = proxy_to(
        &upstream.base,
        &proxy_dir,
        &format!("Bearer {UPSTREAM_TOKEN}"),
    );
    let client = client();
    // The page sends no credentials at all.
    let on_proxy = |value: &serde_json::Value, what: &str| {
        let url = value.as_str().unwrap_or_else(|| panic!("{what}: {value}"));
        assert!(url.starts_with(&proxy.url("/")), "{what}: {url}");
        url.to_owned()
    };
    let no_upstream_url = |value: &serde_json::Value| {
        let left = strings_starting_with(value, &upstream.base, "");
        assert!(left.is_empty(), "upstream URLs left: {left:?}");
    };

    // T2: an image attached to an issue, with a thumbnail.
    let image = png(40, 30);
    let response = client
        .post(proxy.url("/v2/issues/DEMO-1/attachments/"))
        .query(&[("filename", "pic.png")])
        .multipart(Form::new().part("file", Part::bytes(image.clone()).file_name("pic.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // The rebased body is longer than the upstream's: the length is its own.
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = response.bytes().await.unwrap();
    assert_eq!(length, body.len());
    let attached: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let id = attached["id"].as_str().unwrap();
    assert_eq!(
        attached["thumbnail"],
        proxy.url(&format!("/v2/issues/DEMO-1/thumbnails/{id}"))
    );
    no_upstream_url(&attached);

    // Following them through the proxy gets the upstream's bytes.
    let upstream_get = |path: &str| {
        upstream
            .client
            .get(upstream.url(path))
            .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
            .header("X-Org-ID", UPSTREAM_ORG)
            .send()
    };
    let thumbnail_url = on_proxy(&attached["thumbnail"], "thumbnail");
    let thumbnail = client.get(&thumbnail_url).send().await.unwrap();
    assert_eq!(thumbnail.status(), StatusCode::OK);
    assert_eq!(thumbnail.headers()["content-type"], "image/png");
    let direct = upstream_get(thumbnail_url.strip_prefix(&proxy.base).unwrap())
        .await
        .unwrap();
    assert_eq!(direct.status(), StatusCode::OK);
    let thumbnail = thumbnail.bytes().await.unwrap();
    assert!(!thumbnail.is_empty());
    assert_eq!(thumbnail, direct.bytes().await.unwrap());
    let content = client
        .get(on_proxy(&attached["content"], "content"))
        .send()
        .await
        .unwrap();
    assert_eq!(content.status(), StatusCode::OK);
    assert!(content.bytes().await.unwrap().as_ref() == image.as_slice());
    let itself = json(
        client
            .get(on_proxy(&attached["self"], "self"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(itself["self"], attached["self"]);

    // T3: an array of attachments, each rebased, nested objects included.
    let listed = json(
        client
            .get(proxy.url("/v2/issues/DEMO-1/attachments"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let listed_one = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .expect("the attachment is listed");
    assert_eq!(listed_one["thumbnail"], attached["thumbnail"]);
    on_proxy(&listed_one["createdBy"]["self"], "createdBy.self");
    no_upstream_url(&listed);

    // A string that mentions the upstream inside it is text, not a URL of
    // the answer: it stays as written.
    let text = format!("Moved from {}/v2/issues/DEMO-1 today", upstream.base);
    let comment = json(
        client
            .post(proxy.url("/v2/issues/DEMO-1/comments"))
            .json(&serde_json::json!({"text": text}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(comment["text"], text);
    on_proxy(&comment["self"], "comment self");

    // Jira: the upload's array and the issue's `fields.attachment`.
    let uploaded = json(
        client
            .post(proxy.url("/rest/api/3/issue/DEMO-2/attachments"))
            .header("X-Atlassian-Token", "no-check")
            .multipart(Form::new().part("file", Part::bytes(image.clone()).file_name("j.png")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let jira_id = uploaded[0]["id"].as_str().unwrap();
    assert_eq!(
        uploaded[0]["content"],
        proxy.url(&format!("/rest/api/3/attachment/content/{jira_id}"))
    );
    no_upstream_url(&uploaded);
    let issue = json(
        client
            .get(proxy.url("/rest/api/3/issue/DEMO-2"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let listed_one = issue["fields"]["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == jira_id)
        .expect("the attachment is on the issue");
    assert_eq!(listed_one["thumbnail"], uploaded[0]["thumbnail"]);
    on_proxy(&listed_one["thumbnail"], "jira thumbnail");
    on_proxy(&issue["self"], "jira issue self");
    no_upstream_url(&issue);
    let thumbnail = client
        .get(format!(
            "{}?redirect=false",
            on_proxy(&listed_one["thumbnail"], "jira thumbnail")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(thumbnail.status(), StatusCode::OK);
    assert_eq!(thumbnail.headers()["content-type"], "image/png");

    // Files come back byte for byte, JSON ones (whose strings do begin
    // with the upstream's URL) included, and so does plain text.
    for (name, file) in [
        (
            "data.json",
            format!(r#"{{"self": "{}/v2/attachments/1"}}"#, upstream.base),
        ),
        ("note.txt", format!("{}/v2/attachments/1", upstream.base)),
    ] {
        let stored = json(
            client
                .post(proxy.url("/v2/attachments/"))
                .query(&[("filename", name)])
                .multipart(Form::new().part(
                    "file",
                    Part::bytes(file.clone().into_bytes()).file_name(name),
                ))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let download = client
            .get(on_proxy(&stored["content"], name))
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), StatusCode::OK);
        if name.ends_with(".json") {
            // What makes it look like an API answer but for its disposition.
            assert_eq!(download.headers()["content-type"], "application/json");
        }
        assert_eq!(download.text().await.unwrap(), file, "{name}");
    }
}

/// Behind the proxy, a chunked upload is its sender's too: another sender
/// (here another organisation, with a token the upstream takes) neither
/// sees its parts nor completes it by sending its last part, nor gets the
/// upstream's remembered answer to it; the same identifier from each
/// becomes a file of each, with their own bytes.
#[tokio::test]
async fn a_chunked_upload_behind_the_proxy_is_its_senders_alone() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let proxy = passing_proxy(&upstream.base, &proxy_dir).await;
    let alices = noise(2500, 51);
    let bobs = noise(2500, 52);
    let send = |org: &'static str, bytes: &[u8], number: usize| {
        proxy
            .client
            .post(proxy.url("/upload/flow"))
            .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
            .header("X-Org-ID", org)
            .multipart(flow_part(bytes, "2500-shared", number))
            .send()
    };
    let test = |org: &'static str| {
        proxy
            .client
            .get(proxy.url("/upload/flow?flowIdentifier=2500-shared&flowChunkNumber=1"))
            .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
            .header("X-Org-ID", org)
            .send()
    };
    let stored = send("org-a", &alices, 1).await.unwrap();
    assert_eq!(stored.status(), StatusCode::OK);
    assert_eq!(test("org-a").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        test("org-b").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    // Bob's last part does not complete Alice's upload: nothing goes up.
    let partial = json(send("org-b", &bobs, 2).await.unwrap(), StatusCode::OK).await;
    assert_eq!(partial["storedChunks"], 1, "{partial}");
    assert!(walk(&upstream_dir.data_dir().join("files")).is_empty());

    let alices_file = json(
        send("org-a", &alices, 2).await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    // The upstream's answer to Alice is not Bob's to have.
    let partial = json(send("org-b", &bobs, 2).await.unwrap(), StatusCode::OK).await;
    assert_eq!(partial["storedChunks"], 1, "{partial}");
    let bobs_file = json(send("org-b", &bobs, 1).await.unwrap(), StatusCode::CREATED).await;
    assert_ne!(bobs_file["id"], alices_file["id"]);
    for (file, bytes) in [(&alices_file, &alices), (&bobs_file, &bobs)] {
        let id = file["id"].as_str().unwrap();
        let stored = std::fs::read(upstream_dir.data_dir().join("files").join(id)).unwrap();
        assert_eq!(&stored, bytes);
    }
    assert!(walk(&proxy_dir.data_dir().join("flow")).is_empty());
}

/// Without a credential of the server's (no `--upstream-auth-env`), the
/// part endpoint, which stores parts here before the upstream sees any,
/// serves only requests that bring a Tracker credential the upstream
/// takes: otherwise 401 in Tracker's error shape, as local mode answers a
/// missing or unknown token, and nothing is stored or sent upstream.
/// (What the upstream is asked, and how often: `proxy_hardening`.)
#[tokio::test]
async fn the_part_endpoint_needs_a_browser_credential_the_upstream_takes() {
    let upstream_dir = TempDir::new();
    let upstream = upstream(&upstream_dir).await;
    let proxy_dir = TempDir::new();
    let proxy = passing_proxy(&upstream.base, &proxy_dir).await;
    let bytes = noise(2500, 61);
    let made_up = format!("OAuth {TOKEN}");
    for authorization in [
        None,
        Some("Basic dXNlcjpwYXNz"),
        Some("OAuth"),
        Some(TOKEN),
        // Well formed, but the upstream does not know it.
        Some(made_up.as_str()),
        Some("Bearer made-up"),
    ] {
        let mut request = proxy
            .client
            .post(proxy.url("/upload/flow"))
            .multipart(flow_part(&bytes, "2500-anon", 1));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let refused = request.send().await.unwrap();
        let message = error_message(refused, StatusCode::UNAUTHORIZED).await;
        assert!(message.contains("token"), "{authorization:?}: {message}");
    }
    let refused = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Authorization", &made_up)
        .header("Accept-Language", "ru")
        .multipart(flow_part(&bytes, "2500-anon", 1))
        .send()
        .await
        .unwrap();
    let message = error_message(refused, StatusCode::UNAUTHORIZED).await;
    assert!(message.starts_with("Не авторизован"), "{message}");
    let refused = proxy
        .client
        .get(proxy.url("/upload/flow?flowIdentifier=2500-anon&flowChunkNumber=1"))
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    let message = error_message(refused, StatusCode::UNAUTHORIZED).await;
    assert!(message.starts_with("Не авторизован"), "{message}");
    assert!(walk(&proxy_dir.data_dir().join("flow")).is_empty());
    assert!(walk(&proxy_dir.data_dir().join("tmp")).is_empty());
    assert!(walk(&upstream_dir.data_dir().join("files")).is_empty());

    // With one the upstream takes, parts are kept.
    let stored = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Authorization", format!("OAuth {UPSTREAM_TOKEN}"))
        .multipart(flow_part(&bytes, "2500-anon", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::OK);
    assert_eq!(walk(&proxy_dir.data_dir().join("flow")).len(), 1);
}
