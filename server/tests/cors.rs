//! CORS: none by default (same origin, like the real services); with
//! `--cors-origin`, preflights succeed for every route, Jira and Flow.js
//! included, and answers expose the headers a page needs to read.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use tracker_attachments_server::Config;

const ORIGIN: &str = "http://app.test";

/// (method, path, extra request header) of every kind of route.
const ROUTES: [(&str, &str, &str); 14] = [
    ("POST", "/v2/attachments/", "x-org-id"),
    ("GET", "/v2/attachments/1000/thumbnail", "x-cloud-org-id"),
    ("POST", "/v2/issues/", "content-type"),
    ("PATCH", "/v2/issues/DEMO-1", "if-match"),
    ("POST", "/v2/issues/DEMO-1/attachments", "x-org-id"),
    ("DELETE", "/v2/issues/DEMO-1/attachments/1000/", "x-org-id"),
    ("POST", "/v2/issues/DEMO-1/comments", "content-type"),
    ("GET", "/v2/fields/", "accept-language"),
    (
        "POST",
        "/rest/api/3/issue/DEMO-1/attachments",
        "x-atlassian-token",
    ),
    (
        "POST",
        "/rest/api/2/issue/DEMO-1/attachments",
        "x-atlassian-token",
    ),
    (
        "GET",
        "/rest/api/3/attachment/content/1000",
        "authorization",
    ),
    ("DELETE", "/rest/api/3/attachment/1000", "authorization"),
    ("GET", "/upload/flow", "x-org-id"),
    ("POST", "/upload/flow", "x-org-id"),
];

async fn preflight(
    server: &TestServer,
    method: &str,
    path: &str,
    header: &str,
) -> reqwest::Response {
    server
        .client
        .request(Method::OPTIONS, server.url(path))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            format!("authorization, {header}"),
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn preflight_succeeds_for_every_route() {
    let dir = TempDir::new();
    let server = TestServer::start(Config {
        cors_origins: vec![ORIGIN.into()],
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    for (method, path, header) in ROUTES {
        let response = preflight(&server, method, path, header).await;
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], ORIGIN, "{path}");
        let methods = headers["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains(method), "{path}: {methods}");
        let allowed = headers["access-control-allow-headers"].to_str().unwrap();
        assert!(allowed.contains(header), "{path}: {allowed}");
    }

    // Real answers, errors included, carry the origin and expose headers.
    let jira = server
        .client
        .get(server.url("/rest/api/3/attachment/meta"))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(jira.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(jira.headers()["access-control-allow-origin"], ORIGIN);
    let exposed = jira.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "content-disposition",
        "location",
        "content-language",
        "retry-after",
    ] {
        assert!(exposed.contains(name), "{exposed}");
    }
}

#[tokio::test]
async fn csrf_headers_and_cookies_pass_for_the_origins_named() {
    let dir = TempDir::new();
    let server = TestServer::start(Config {
        cors_origins: vec![ORIGIN.into()],
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    for header in [
        "x-csrftoken",
        "x-csrf-token",
        "x-xsrf-token",
        "x-requested-with",
    ] {
        for (method, path) in [("POST", "/echo"), ("POST", "/v2/attachments/")] {
            let response = preflight(&server, method, path, header).await;
            assert!(response.status().is_success(), "{path} {header}");
            let headers = response.headers();
            let allowed = headers["access-control-allow-headers"].to_str().unwrap();
            assert!(allowed.contains(header), "{path}: {allowed}");
            assert_eq!(headers["access-control-allow-credentials"], "true");
        }
    }
}

#[tokio::test]
async fn any_origin_never_takes_cookies() {
    let dir = TempDir::new();
    let server = TestServer::start(Config {
        cors_origins: vec!["*".into()],
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let response = preflight(&server, "POST", "/v2/attachments/", "x-csrftoken").await;
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("x-csrftoken"));
    assert!(headers.get("access-control-allow-credentials").is_none());
}

#[tokio::test]
async fn no_cors_headers_by_default() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    for (method, path, header) in ROUTES {
        let response = preflight(&server, method, path, header).await;
        assert!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{path}"
        );
    }
}
