//! Proxy mode (`--upstream`): what a real deployment puts between the
//! browser and Tracker or Jira. `/v2/...` and `/rest/api/...` go to the
//! upstream with the server's credentials instead of the browser's, so the
//! page holds no token; bodies stream both ways and the upstream's status,
//! headers and body come back unchanged.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::Config;
use crate::errors::{ApiError, Flavor};
use crate::lang::Lang;
use crate::storage::PartFile;

/// Read size when streaming an assembled file upstream.
const FILE_READ_CHUNK: usize = 256 * 1024;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Probes of idle upstream connections, so one whose peer vanished fails
/// instead of hanging.
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);

/// An assembled file sent upstream gets this long for the upstream's answer
/// on top of the time its bytes need at `SLOWEST_UPLOAD_RATE`: an upstream
/// that never answers must not hold the upload's assembly (and every retry
/// of its last part) forever, and a 1 GiB file still gets half an hour.
const UPSTREAM_ANSWER_TIME: Duration = Duration::from_secs(120);
const SLOWEST_UPLOAD_RATE: u64 = 512 * 1024;

/// The whole time (connect, send, answer, body) for sending `size` bytes up.
fn upload_timeout(size: u64) -> Duration {
    UPSTREAM_ANSWER_TIME + Duration::from_secs(size / SLOWEST_UPLOAD_RATE)
}

pub struct Proxy {
    client: reqwest::Client,
    /// Without a trailing slash; the request's path is appended as is.
    upstream: String,
    /// Replaces the browser's `Authorization`; `None` passes it through.
    authorization: Option<HeaderValue>,
    org_header: HeaderName,
    org_id: HeaderValue,
}

impl Proxy {
    /// `None` unless `--upstream` is set. Reads the credential from the
    /// environment once, at start-up, so a missing one fails fast.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Arc<Self>>> {
        let Some(upstream) = &config.upstream else {
            return Ok(None);
        };
        let authorization = match &config.upstream_auth_env {
            Some(name) => {
                let value = std::env::var(name)
                    .ok()
                    .filter(|v| !v.trim().is_empty())
                    .with_context(|| {
                        format!("--upstream-auth-env: environment variable {name} is not set")
                    })?;
                let mut value = HeaderValue::from_str(value.trim()).with_context(|| {
                    format!("environment variable {name} is not a valid header value")
                })?;
                // Keeps it out of any Debug output.
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            // Redirects (Jira's 303 to the bytes) are the browser's to follow.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_keepalive(TCP_KEEPALIVE)
            // Only the configured upstream, never a proxy from the environment.
            .no_proxy()
            .build()
            .context("building the upstream HTTP client")?;
        tracing::info!(%upstream, "proxy mode: /v2 and /rest/api go upstream");
        Ok(Some(Arc::new(Self {
            client,
            upstream: upstream.trim_end_matches('/').to_owned(),
            authorization,
            org_header: HeaderName::from_bytes(config.upstream_org_header.as_bytes())
                .context("--upstream-org-header")?,
            org_id: HeaderValue::from_str(&config.org_id).context("--org-id")?,
        })))
    }
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

fn is_hop_by_hop(name: &HeaderName, connection_listed: &[String]) -> bool {
    HOP_BY_HOP.contains(name) || connection_listed.iter().any(|l| l == name.as_str())
}

/// Names listed in `Connection:` are hop-by-hop too.
fn connection_listed(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect()
}

/// Request headers the browser must not pass on: its own credentials and
/// organisation (replaced), its cookies (for our origin, not the upstream's),
/// and `Origin`/`Referer`, which make Jira treat the call as a browser form
/// post and refuse it.
fn is_replaced_or_private(name: &HeaderName) -> bool {
    [
        header::HOST,
        header::AUTHORIZATION,
        header::COOKIE,
        header::ORIGIN,
        header::REFERER,
        HeaderName::from_static("x-org-id"),
        HeaderName::from_static("x-cloud-org-id"),
    ]
    .contains(name)
}

/// Response headers that are ours to decide: CORS (our layer answers the
/// browser) and cookies (they would land on our origin).
fn is_ours(name: &HeaderName) -> bool {
    name.as_str().starts_with("access-control-") || name == header::SET_COOKIE
}

/// The origins whose pages may change things through the proxy, besides
/// the server's own: `--cors-origin`.
#[derive(Debug, Clone)]
pub struct AllowedOrigins {
    any: bool,
    /// Lower case, without a trailing slash, as browsers send `Origin`.
    list: Arc<Vec<String>>,
}

impl AllowedOrigins {
    pub fn new(cors_origins: &[String]) -> Self {
        Self {
            any: cors_origins.iter().any(|o| o == "*"),
            list: Arc::new(
                cors_origins
                    .iter()
                    .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                    .collect(),
            ),
        }
    }

    fn allows(&self, origin: &str) -> bool {
        self.any || self.list.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

/// Whether a request may reach the upstream with the server's credentials.
/// A form POST is a "simple" request that any web page can make to this
/// address without CORS, and the proxy would attach the server's token to
/// it: a state-changing request that a browser marks as coming from another
/// page (`Origin`, `Sec-Fetch-Site`) passes only from the server's own
/// origin or from one of `--cors-origin`. Requests without those headers
/// come from no browser page (curl, other servers) and pass.
fn browser_may_send(method: &Method, headers: &HeaderMap, allowed: &AllowedOrigins) -> bool {
    if [Method::GET, Method::HEAD, Method::OPTIONS].contains(method) {
        return true;
    }
    let origin = match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        None => None,
        Some(Ok(origin)) => Some(origin.trim()),
        Some(Err(_)) => return false,
    };
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    match origin {
        Some(origin) if allowed.allows(origin) => true,
        // Same origin means same host and port; the scheme may differ
        // behind a TLS-terminating proxy.
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            !cross_site
                && matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
        }
        None => !cross_site,
    }
}

/// Middleware for the proxied routes and, in proxy mode, the part endpoint.
pub async fn refuse_cross_site(
    State(allowed): State<AllowedOrigins>,
    request: Request,
    next: Next,
) -> Response {
    if browser_may_send(request.method(), request.headers(), &allowed) {
        return next.run(request).await;
    }
    let flavor = if request.uri().path().starts_with("/rest/") {
        Flavor::Jira
    } else {
        Flavor::Tracker
    };
    ApiError::CrossSite.render(flavor, Lang::from_headers(request.headers()))
}

pub async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let flavor = if parts.uri.path().starts_with("/rest/") {
        Flavor::Jira
    } else {
        Flavor::Tracker
    };
    let lang = Lang::from_headers(&parts.headers);
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}{path_and_query}", proxy.upstream);

    let listed = connection_listed(&parts.headers);
    let mut headers = HeaderMap::with_capacity(parts.headers.len() + 2);
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name, &listed) && !is_replaced_or_private(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    if let Some(value) = proxy.authorization(&parts.headers) {
        headers.insert(header::AUTHORIZATION, value.clone());
    }
    if flavor == Flavor::Tracker {
        headers.insert(proxy.org_header.clone(), proxy.org_id.clone());
    }

    let mut upstream = proxy.client.request(parts.method, url).headers(headers);
    // A body only if the browser sent one; its Content-Length (kept above)
    // makes hyper send it with that length rather than chunked.
    let has_body = parts.headers.contains_key(header::CONTENT_LENGTH)
        || parts.headers.contains_key(header::TRANSFER_ENCODING);
    if has_body {
        upstream = upstream.body(reqwest::Body::wrap_stream(body.into_data_stream()));
    }
    pass_back(upstream.send().await, flavor, lang)
}

impl Proxy {
    /// The credentials for the upstream: the server's, or else the browser's.
    fn authorization<'a>(&'a self, browser: &'a HeaderMap) -> Option<&'a HeaderValue> {
        self.authorization
            .as_ref()
            .or_else(|| browser.get(header::AUTHORIZATION))
    }

    /// Uploads a file assembled from Flow.js parts as a Tracker temporary
    /// attachment (T1), streamed from disk; answers with the upstream's reply.
    pub async fn send_file(
        &self,
        part: PartFile,
        size: u64,
        name: &str,
        browser: &HeaderMap,
    ) -> Response {
        let lang = Lang::from_headers(browser);
        let file = match tokio::fs::File::open(part.path()).await {
            Ok(file) => file,
            Err(e) => return ApiError::internal(e).render(Flavor::Tracker, lang),
        };
        let stream = tokio_util::io::ReaderStream::with_capacity(file, FILE_READ_CHUNK);
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
                .file_name(name.to_owned()),
        );
        let mut request = self
            .client
            .post(format!("{}/v2/attachments/", self.upstream))
            // The name in the query too: Tracker prefers it, and it needs
            // no multipart header encoding.
            .query(&[("filename", name)])
            .header(self.org_header.clone(), self.org_id.clone())
            .timeout(upload_timeout(size))
            .multipart(form);
        if let Some(value) = self.authorization(browser) {
            request = request.header(header::AUTHORIZATION, value.clone());
        }
        let answer = request.send().await;
        // The local copy goes once the upstream has it (or has refused it).
        drop(part);
        pass_back(answer, Flavor::Tracker, lang)
    }
}

/// The upstream's answer as ours: status, headers that are not ours or
/// hop-by-hop, and the body, streamed.
fn pass_back(answer: reqwest::Result<reqwest::Response>, flavor: Flavor, lang: Lang) -> Response {
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => {
            // reqwest's message names the URL but never the headers.
            tracing::warn!(error = %e, "upstream request failed");
            return ApiError::BadGateway.render(flavor, lang);
        }
    };
    let mut response = Response::builder().status(answer.status());
    let listed = connection_listed(answer.headers());
    if let Some(headers) = response.headers_mut() {
        for (name, value) in answer.headers() {
            if !is_hop_by_hop(name, &listed) && !is_ours(name) {
                headers.append(name.clone(), value.clone());
            }
        }
    }
    response
        .body(Body::from_stream(answer.bytes_stream()))
        .unwrap_or_else(|e| ApiError::internal(e).render(flavor, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_includes_connection_listed_names() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONNECTION,
            HeaderValue::from_static("close, X-Secret"),
        );
        let listed = connection_listed(&headers);
        assert!(is_hop_by_hop(&HeaderName::from_static("x-secret"), &listed));
        assert!(is_hop_by_hop(&header::TRANSFER_ENCODING, &listed));
        assert!(!is_hop_by_hop(&header::CONTENT_TYPE, &listed));
    }

    #[test]
    fn only_pages_of_allowed_origins_change_things() {
        let allowed = AllowedOrigins::new(&["http://App.test/".to_owned()]);
        let check = |method: Method, pairs: &[(&str, &str)]| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
            for (name, value) in pairs {
                headers.insert(
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_str(value).unwrap(),
                );
            }
            browser_may_send(&method, &headers, &allowed)
        };
        let evil = ("origin", "http://evil.test");
        let cross = ("sec-fetch-site", "cross-site");
        assert!(!check(Method::POST, &[evil]));
        assert!(!check(Method::DELETE, &[evil, cross]));
        assert!(!check(Method::POST, &[("origin", "null")]));
        assert!(!check(Method::POST, &[cross]));
        // Another port on the same host is another origin.
        assert!(!check(
            Method::PATCH,
            &[("origin", "http://127.0.0.1:3000")]
        ));
        assert!(check(Method::GET, &[evil, cross]));
        assert!(check(Method::POST, &[]));
        assert!(check(Method::POST, &[("origin", "http://127.0.0.1:8080")]));
        assert!(check(Method::POST, &[("origin", "https://127.0.0.1:8080")]));
        assert!(check(Method::POST, &[("origin", "http://app.test"), cross]));
        assert!(!check(
            Method::POST,
            &[("origin", "http://127.0.0.1:8080"), cross]
        ));
        let any = AllowedOrigins::new(&["*".to_owned()]);
        let mut headers = HeaderMap::new();
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://evil.test"));
        assert!(browser_may_send(&Method::POST, &headers, &any));
    }

    #[test]
    fn a_gibibyte_gets_half_an_hour_upstream() {
        assert_eq!(upload_timeout(0), UPSTREAM_ANSWER_TIME);
        let gib = upload_timeout(1 << 30);
        assert!(gib >= Duration::from_secs(30 * 60), "{gib:?}");
        assert!(gib <= Duration::from_secs(60 * 60), "{gib:?}");
    }

    #[test]
    fn missing_credential_fails_at_start() {
        let config = Config {
            upstream: Some("http://127.0.0.1:9".into()),
            upstream_auth_env: Some("TA_SURELY_UNSET_VARIABLE_4711".into()),
            ..Config::default()
        };
        let error = Proxy::from_config(&config).err().unwrap().to_string();
        assert!(error.contains("TA_SURELY_UNSET_VARIABLE_4711"), "{error}");
    }
}
