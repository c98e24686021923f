//! Proxy mode (`--upstream`): what a real deployment puts between the
//! browser and Tracker or Jira. `/v2/...` and `/rest/api/...` go to the
//! upstream with the server's credentials instead of the browser's, so the
//! page holds no token; bodies stream both ways and the upstream's status,
//! headers and body come back unchanged, except that URLs on the upstream
//! in JSON answers are moved onto this server (see `Rebase`).

use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde_json::Value;
use tokio::time::Instant;

use crate::auth::UpstreamUser;
use crate::base_url::BaseUrl;
use crate::config::Config;
use crate::credential_verdicts::{CheckSlots, CredentialVerdicts, Judgement};
use crate::errors::{ApiError, Flavor};
use crate::idle_timer::IdleTimer;
use crate::lang::Lang;
use crate::retry_after;
use crate::storage::PartFile;

/// Read size when streaming an assembled file upstream.
const FILE_READ_CHUNK: usize = 256 * 1024;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Probes of idle upstream connections, so one whose peer vanished fails
/// instead of hanging.
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);

/// How long the upstream may keep a request waiting (the default of
/// `Config::upstream_answer_timeout`): an upstream that takes the
/// connection and never answers must not hold the request, its connection
/// and the browser forever.
///
/// An assembled file sent upstream gets this long for the upstream's answer
/// on top of the time its bytes need at `SLOWEST_UPLOAD_RATE`: an upstream
/// that never answers must not hold the upload's assembly (and every retry
/// of its last part) forever, and a 1 GiB file still gets half an hour.
/// Its bytes come from disk, so their pace is the upstream's alone.
///
/// A forwarded request's body comes from the browser, at the browser's
/// pace: a 1 GiB upload on a slow link may take hours, which no bound
/// scaled by its length could know. So there the time counts only while
/// the upstream is what the request waits for (see `answer_in_time`):
/// it may go this long without taking any of the body that is here, and
/// this long without answering once it has taken all of it. The browser's
/// own pauses are the upload idle timeout's (408).
pub const UPSTREAM_ANSWER_TIME: Duration = Duration::from_secs(120);
const SLOWEST_UPLOAD_RATE: u64 = 512 * 1024;

/// Largest JSON answer whose URLs are moved onto this server: it is held
/// whole in memory to be parsed. A larger one streams through unchanged
/// (attachment objects, issues and listings are far smaller).
const MAX_REBASED_BODY: usize = 4 * 1024 * 1024;

/// The whole time for asking the upstream about a credential.
pub const CREDENTIAL_CHECK_TIME: Duration = Duration::from_secs(30);

/// Most of a `GET /v2/myself` answer read to learn whose a credential is:
/// a user object is a few KiB, and nothing the upstream sends may make the
/// server buffer without limit.
const MAX_MYSELF_BODY: usize = 64 * 1024;

/// The whole time (connect, send, answer, body) for sending `size` bytes
/// up from disk, `answer` being the time for the upstream's answer.
fn upload_timeout(answer: Duration, size: u64) -> Duration {
    answer + Duration::from_secs(size / SLOWEST_UPLOAD_RATE)
}

pub struct Proxy {
    client: reqwest::Client,
    /// Without a trailing slash; the request's path is appended as is.
    upstream: String,
    /// How `upstream` starts the URLs in the upstream's answers.
    upstream_base: UpstreamBase,
    /// Replaces the browser's `Authorization`; `None` passes it through.
    authorization: Option<HeaderValue>,
    org_header: HeaderName,
    org_id: HeaderValue,
    /// The upstream's verdicts on the browsers' credentials, by sender.
    verdicts: CredentialVerdicts,
    /// `Config::upstream_answer_timeout`.
    answer_time: Duration,
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
            upstream_base: UpstreamBase::parse(upstream).context("--upstream")?,
            authorization,
            org_header: HeaderName::from_bytes(config.upstream_org_header.as_bytes())
                .context("--upstream-org-header")?,
            org_id: HeaderValue::from_str(&config.org_id).context("--org-id")?,
            verdicts: CredentialVerdicts::new(
                config.clock.clone(),
                CheckSlots {
                    count: config.credential_check_slots,
                    wait: config.credential_slot_wait,
                },
                config.credential_check_waiters.clone(),
                config.credential_slot_waiters.clone(),
            ),
            answer_time: config.upstream_answer_timeout,
        })))
    }
}

/// What Tracker and Jira are spoken with, and what pages may send here
/// (CORS); anything else (TRACE, which would echo the server's
/// `Authorization` back, CONNECT, WebDAV) is 405 here and never goes
/// upstream.
pub const API_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

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
/// `Origin`/`Referer`, which make Jira treat the call as a browser form
/// post and refuse it, and `Accept-Encoding` (replaced by `identity`: a
/// compressed JSON answer could not be read to move its URLs onto this
/// server, and this client does not decompress), and what the browser says
/// of its route (`Forwarded`, `X-Forwarded-*`): the upstream would build
/// its URLs for a scheme or host that is not its own, and they would no
/// longer be moved onto this server.
fn is_replaced_or_private(name: &HeaderName) -> bool {
    if name.as_str().starts_with("x-forwarded-") {
        return true;
    }
    [
        header::FORWARDED,
        header::HOST,
        header::AUTHORIZATION,
        header::ACCEPT_ENCODING,
        header::COOKIE,
        header::ORIGIN,
        header::REFERER,
        HeaderName::from_static("x-org-id"),
        HeaderName::from_static("x-cloud-org-id"),
        // The page's CSRF tokens (the widget's `headers`, which the CORS
        // layer admits): they are for this server's origin, and Tracker or
        // Atlassian have no business reading them.
        HeaderName::from_static("x-csrftoken"),
        HeaderName::from_static("x-csrf-token"),
        HeaderName::from_static("x-xsrf-token"),
        HeaderName::from_static("x-requested-with"),
    ]
    .contains(name)
}

/// Response headers that are ours to decide: CORS (our layer answers the
/// browser), cookies (they would land on our origin) and the upstream's
/// challenge (a `Basic` one would have the browser ask for a password on
/// this origin; the widget reads the status alone).
fn is_ours(name: &HeaderName) -> bool {
    name.as_str().starts_with("access-control-")
        || name == header::SET_COOKIE
        || name == header::WWW_AUTHENTICATE
}

/// Who may use the proxy, which sends the server's credentials upstream:
/// requests addressed to one of the server's own names, and state-changing
/// ones only from pages of the server's own origins or of `--cors-origin`.
#[derive(Debug, Clone)]
pub struct ProxyAccess {
    /// `host[:port]` forms, lower case, that a request's `Host` may name.
    hosts: Arc<Vec<String>>,
    /// `--cors-origin '*'`: any page may change things.
    any_origin: bool,
    /// `--cors-origin`, lower case, without a trailing slash, as browsers
    /// send `Origin`.
    origins: Arc<Vec<String>>,
}

impl ProxyAccess {
    /// `listen` must be the address actually bound (with port 0 resolved):
    /// its port is part of every own name.
    pub fn new(listen: SocketAddr, cors_origins: &[String]) -> Self {
        let port = listen.port();
        let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|host| format!("{host}:{port}"))
            .collect();
        hosts.push(listen.to_string());
        // Browsers leave out the scheme's default port.
        if port == 80 {
            hosts.extend(["127.0.0.1", "localhost", "[::1]"].map(String::from));
            hosts.push(match listen.ip() {
                IpAddr::V4(ip) => ip.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
            });
        }
        let origins: Vec<String> = cors_origins
            .iter()
            .filter(|o| *o != "*")
            .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
            .collect();
        // A listed origin's name is the operator's to trust: the name a
        // reverse proxy in front of this server passes on. Only who owns
        // that name's DNS could rebind it.
        hosts.extend(origins.iter().filter_map(|o| {
            o.split_once("://")
                .map(|(_, authority)| authority.to_owned())
        }));
        for host in &mut hosts {
            host.make_ascii_lowercase();
        }
        Self {
            hosts: Arc::new(hosts),
            any_origin: cors_origins.iter().any(|o| o == "*"),
            origins: Arc::new(origins),
        }
    }

    fn is_own_host(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether the request's `Host` (HTTP/2: the URI's authority) is one
    /// of the server's own names.
    fn addressed_here(&self, uri: &Uri, headers: &HeaderMap) -> bool {
        let host = match headers.get(header::HOST) {
            Some(host) => host.to_str().ok(),
            None => uri.authority().map(|a| a.as_str()),
        };
        host.is_some_and(|h| self.is_own_host(h.trim()))
    }

    /// Local mode checks `Host` too (the default credentials are public,
    /// so a rebound page would need nothing else), unless the server
    /// listens on every address (`0.0.0.0`, `[::]`): then it is meant to be
    /// reached by names and addresses it cannot know (the machine's LAN
    /// address, a container's published port), and is open to the network
    /// anyway. `None` then.
    pub fn for_local(listen: SocketAddr, cors_origins: &[String]) -> Option<Self> {
        (!listen.ip().is_unspecified()).then(|| Self::new(listen, cors_origins))
    }

    /// A page of the server's own (whatever the scheme: a TLS-terminating
    /// proxy may sit in front) or of `--cors-origin`.
    fn allows_origin(&self, origin: &str) -> bool {
        if self.any_origin || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
            return true;
        }
        match origin.split_once("://") {
            Some((scheme, authority)) => {
                (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
                    && self.is_own_host(authority)
            }
            None => false,
        }
    }
}

/// Whether a request may reach the upstream with the server's credentials.
///
/// `Host` must be one of the server's own names. A page whose DNS name an
/// attacker re-resolves to 127.0.0.1 (DNS rebinding) is same-origin to the
/// browser and sends `Host: rebind.attacker:PORT`: without this check it
/// could read and change everything the server's credentials open.
/// `--cors-origin '*'` does not lift it: `*` concerns pages that call the
/// server by its own name, which rebinding is not.
///
/// A form POST is a "simple" request that any web page can make to this
/// address without CORS, and the proxy would attach the server's token to
/// it: a state-changing request that a browser marks as coming from a page
/// (`Origin`, `Sec-Fetch-Site: cross-site`) passes only from the server's
/// own origins or one of `--cors-origin`; `Host` plays no part in that,
/// since under rebinding `Origin` and `Host` agree. Requests without those
/// headers come from no browser page (curl, other servers) and pass.
fn check_access(
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    access: &ProxyAccess,
) -> Result<(), ApiError> {
    if !access.addressed_here(uri, headers) {
        return Err(ApiError::ForeignHost);
    }
    if [Method::GET, Method::HEAD, Method::OPTIONS].contains(method) {
        return Ok(());
    }
    let allowed = match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        Some(Ok(origin)) => access.allows_origin(origin.trim()),
        Some(Err(_)) => false,
        None => !headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site")),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::CrossSite)
    }
}

/// Middleware for the proxied routes and, in proxy mode, the part endpoint:
/// 421 for a request not addressed to the server, 403 for a page that may
/// not change things.
pub async fn refuse_foreign(
    State(access): State<ProxyAccess>,
    request: Request,
    next: Next,
) -> Response {
    match check_access(request.method(), request.uri(), request.headers(), &access) {
        Ok(()) => next.run(request).await,
        Err(error) => error.render(
            flavor_of(request.uri().path()),
            Lang::from_headers(request.headers()),
        ),
    }
}

/// Middleware for local mode's API (see `ProxyAccess::for_local`): 421
/// for a request not addressed to the server, before its credentials are
/// looked at. Its answers hold nothing of the upstream's, so pages of
/// other origins are CORS's to decide, as ever.
pub async fn refuse_foreign_host(
    State(access): State<ProxyAccess>,
    request: Request,
    next: Next,
) -> Response {
    if access.addressed_here(request.uri(), request.headers()) {
        return next.run(request).await;
    }
    ApiError::ForeignHost.render(
        flavor_of(request.uri().path()),
        Lang::from_headers(request.headers()),
    )
}

/// Jira's error shape under `/rest/` (and the `/faulty` mirror's), else
/// Tracker's.
pub(crate) fn flavor_of(path: &str) -> Flavor {
    if path
        .strip_prefix("/faulty")
        .unwrap_or(path)
        .starts_with("/rest/")
    {
        Flavor::Jira
    } else {
        Flavor::Tracker
    }
}

pub async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let flavor = if parts.uri.path().starts_with("/rest/") {
        Flavor::Jira
    } else {
        Flavor::Tracker
    };
    let lang = Lang::from_headers(&parts.headers);
    // Where this request reached us: the base the upstream's URLs move onto.
    // `refuse_foreign` let only the server's own names through, so this
    // fails only for a `Host` no URL could be built on; then JSON passes
    // unchanged rather than refusing a request the upstream may well answer.
    let own = BaseUrl::from_parts(&parts).ok();
    if !API_METHODS.contains(&parts.method) {
        let mut refused = ApiError::MethodNotAllowed.render(flavor, lang);
        refused.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"),
        );
        return refused;
    }
    let Some(url) = proxy.upstream_url(&parts.uri) else {
        return ApiError::NotFound.render(flavor, lang);
    };

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
    headers.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );

    let mut upstream = proxy
        .client
        .request(parts.method.clone(), url)
        .headers(headers);
    // A body only if the browser sent one; its Content-Length (kept above)
    // makes hyper send it with that length rather than chunked.
    let has_body = parts.headers.contains_key(header::CONTENT_LENGTH)
        || parts.headers.contains_key(header::TRANSFER_ENCODING);
    let mut broke = None;
    let mut progress = None;
    if has_body {
        match upstream_body(body).await {
            Ok((body, broken, taken)) => {
                upstream = upstream.body(body);
                broke = Some(broken);
                progress = Some(taken);
            }
            Err(error) => return error.render(flavor, lang),
        }
    }
    let rebase = own.as_ref().map(|own| Moved {
        rebase: proxy.rebase(own),
        // A HEAD answer has no body to rewrite.
        body: parts.method != Method::HEAD,
    });
    let Some(answer) =
        answer_in_time(upstream.send(), progress.as_deref(), proxy.answer_time).await
    else {
        // Dropping the request aborted it: its connection is closed, so a
        // body cut short is never taken as a whole file.
        let path: String = parts.uri.path().chars().take(MAX_LOGGED_PATH).collect();
        tracing::warn!(%path, waited = ?proxy.answer_time, "the upstream did not answer in time: the request was aborted");
        return ApiError::GatewayTimeout.render(flavor, lang);
    };
    if answer.is_err() && broke.is_some_and(|broke| broke.load(Ordering::SeqCst)) {
        // The client's doing, not the upstream's: no 502, no warning.
        let path: String = parts.uri.path().chars().take(MAX_LOGGED_PATH).collect();
        tracing::info!(%path, "request body broke off: the upstream request was aborted");
        return ApiError::BrokenBody.render(flavor, lang);
    }
    pass_back(
        answer,
        parts.uri.path(),
        flavor,
        lang,
        rebase,
        proxy.answer_time,
    )
    .await
}

/// `send`'s outcome, or `None` once the upstream has kept the request
/// waiting for `limit`: without an answer, and, while the body goes up
/// (`progress`), without taking any of it while its bytes are here. Time
/// the body waits for the browser's bytes does not count: that is the
/// browser's pace (a big file on a slow link), and a browser that stops
/// sending meets the upload idle timeout (408) instead.
async fn answer_in_time<F: std::future::Future>(
    send: F,
    progress: Option<&BodyProgress>,
    limit: Duration,
) -> Option<F::Output> {
    let mut send = std::pin::pin!(send);
    let mut deadline = Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, &mut send).await {
            Ok(answer) => return Some(answer),
            Err(_) => {
                let now = Instant::now();
                deadline = match progress.map(BodyProgress::upstream_since) {
                    // The body waits for the browser: not the upstream's time.
                    Some(None) => now + limit,
                    Some(Some(since)) if since + limit > now => since + limit,
                    _ => return None,
                };
            }
        }
    }
}

/// How a request body's trip upstream goes, for `answer_in_time`.
struct BodyProgress(Mutex<Taken>);

struct Taken {
    /// The last poll for the body's next bytes is waiting for the browser.
    awaiting_browser: bool,
    /// When the upstream connection last took bytes of the body (or the
    /// body was made, before it took any).
    at: Instant,
}

impl BodyProgress {
    fn new() -> Self {
        Self(Mutex::new(Taken {
            awaiting_browser: false,
            at: Instant::now(),
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Taken> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Since when the request has been waiting for the upstream alone;
    /// `None` while it waits for the browser's bytes.
    fn upstream_since(&self) -> Option<Instant> {
        let taken = self.lock();
        (!taken.awaiting_browser).then_some(taken.at)
    }

    /// The upstream connection asked for more of the body: it got some
    /// (or the end), or waits for the browser (`pending`).
    fn polled(&self, pending: bool) {
        let mut taken = self.lock();
        taken.awaiting_browser = pending;
        if !pending {
            taken.at = Instant::now();
        }
    }
}

/// A body stream that tells `BodyProgress` how its polls went.
struct Tracked<S> {
    inner: Pin<Box<S>>,
    progress: Arc<BodyProgress>,
}

impl<S: Stream> Stream for Tracked<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<S::Item>> {
        let polled = self.inner.as_mut().poll_next(cx);
        self.progress.polled(polled.is_pending());
        polled
    }
}

/// The browser's body as it goes upstream. The request goes upstream only
/// once the body's first bytes are here: one that never begins (stalled
/// until the upload idle timeout ends it with 408, see `routes`, or broken
/// off) costs the upstream nothing. One that breaks off later, stalled
/// too, fails the upstream request's body, which aborts that request (its
/// connection closes mid-body, so the upstream never takes a cut-off
/// file); the flag then says so. `BodyProgress` follows how the upstream
/// takes it.
async fn upstream_body(
    body: Body,
) -> Result<(reqwest::Body, Arc<AtomicBool>, Arc<BodyProgress>), ApiError> {
    let mut stream = body.into_data_stream();
    let first = match stream.next().await {
        Some(Ok(first)) => Some(first),
        Some(Err(_)) => return Err(ApiError::BrokenBody),
        None => None,
    };
    let broke = Arc::new(AtomicBool::new(false));
    let flag = broke.clone();
    let rest = stream.inspect(move |frame| {
        if frame.is_err() {
            flag.store(true, Ordering::SeqCst);
        }
    });
    let whole = futures_util::stream::iter(first.map(Ok)).chain(rest);
    let progress = Arc::new(BodyProgress::new());
    let tracked = Tracked {
        inner: Box::pin(whole),
        progress: progress.clone(),
    };
    Ok((reqwest::Body::wrap_stream(tracked), broke, progress))
}

impl Proxy {
    /// Where a request for `uri` goes upstream: the path and query appended
    /// to `--upstream` as they are. `None` for a path that a URL parser
    /// would take out of the API: routing matches the path as written, but
    /// the parser resolves dot segments (`..`, `%2e%2e`) and reads `\` as
    /// `/`, so `/rest/api/../../wiki` would reach any path on the upstream's
    /// host, above `--upstream`'s own path too, with the server's
    /// credentials.
    fn upstream_url(&self, uri: &Uri) -> Option<reqwest::Url> {
        if has_dot_segment(uri.path()) {
            return None;
        }
        let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
        let url = reqwest::Url::parse(&format!("{}{path_and_query}", self.upstream)).ok()?;
        // Belt and braces: what the parser made of it is still the API,
        // under the upstream's base path.
        let rest = url.path().strip_prefix(self.upstream_base.path.as_str())?;
        (rest == "/v2" || rest.starts_with("/v2/") || rest.starts_with("/rest/api/")).then_some(url)
    }

    /// Whether the server sends its own credential upstream
    /// (`--upstream-auth-env`) rather than the browser's.
    pub fn holds_credential(&self) -> bool {
        self.authorization.is_some()
    }

    /// Proxy mode without a credential of the server's: whether the browser's
    /// credential is one the upstream takes, asked before a part of its upload
    /// is stored here (parts stay for up to `--temp-ttl` before the upstream
    /// sees the file: a made-up token would otherwise fill the disk), and
    /// before saying whether one is (Flow.js's test request), which a refused
    /// credential has no business knowing. The upstream is asked once per
    /// sender (`sender`: `auth::owner_key`) for `VERDICT_TTL`, parts sent
    /// meanwhile waiting for that one answer, whatever it is (see
    /// `credential_verdicts`): `GET /v2/myself` with the credential and the
    /// server's organisation, which is 200 for a good token and 401 for
    /// another. A refused credential is 401, or 403 when the upstream knows it
    /// but denies it access; an upstream that cannot say is 502 (unreachable,
    /// or another answer), or 429 or 503 as it answered, with its
    /// `Retry-After`, and is asked again by the next request. At most
    /// `Config::credential_check_slots` questions are asked at once; a
    /// request that needs another waits up to `credential_slot_wait` for
    /// one to end, else is 503 with `Retry-After` (not kept either). The
    /// credential itself is never logged nor kept: verdicts are filed under
    /// the sender's hash.
    ///
    /// A credential the upstream takes comes with the user it belongs to,
    /// when the upstream's answer names one: the owner of the sender's
    /// Flow.js uploads, whichever of the user's tokens sends the parts.
    /// With the server's own credential there is nothing to check, and no
    /// user to tell apart: every request goes upstream as the server's one
    /// user (`authorization`), whoever sent it.
    pub async fn check_sender(
        &self,
        browser: &HeaderMap,
        sender: &str,
    ) -> Result<Option<UpstreamUser>, ApiError> {
        if self.holds_credential() {
            return Ok(None);
        }
        match self.verdicts.judge(sender, self.ask_about(browser)).await {
            Judgement::Taken(user) => Ok(user),
            Judgement::Refused(error) | Judgement::Unjudged(error) => Err(error),
        }
    }

    /// The upstream's judgement of the browser's credential.
    async fn ask_about(&self, browser: &HeaderMap) -> Judgement {
        let mut request = self
            .client
            .get(format!("{}/v2/myself", self.upstream))
            .header(self.org_header.clone(), self.org_id.clone())
            .header(header::ACCEPT_ENCODING, "identity")
            .timeout(CREDENTIAL_CHECK_TIME);
        if let Some(value) = browser.get(header::AUTHORIZATION) {
            request = request.header(header::AUTHORIZATION, value.clone());
        }
        let answer = match request.send().await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::warn!(error = %without_url(e), "could not ask the upstream about a credential");
                return Judgement::Unjudged(ApiError::BadGateway);
            }
        };
        let status = answer.status();
        match status.as_u16() {
            200..=299 => Self::user_of(answer).await,
            401 => {
                tracing::info!("the upstream refused a sender's credential: no part of its stored");
                Judgement::Refused(ApiError::Unauthorized)
            }
            // Not local mode's 403, which is about the organisation header
            // the browser sent: here the upstream, asked with the server's
            // organisation, denies the credential access.
            403 => {
                tracing::info!(
                    "the upstream denied a sender's credential access: no part of its stored"
                );
                Judgement::Refused(ApiError::UpstreamForbidden)
            }
            // Busy rather than broken: the browser hears it as the
            // upstream said it, with the upstream's wait, which the
            // widget's retry policy follows in place of its own backoff.
            429 | 503 => {
                tracing::warn!(%status, "the upstream is busy: no verdict on a credential (GET /v2/myself)");
                let retry_after = retry_after::from_upstream(answer.headers());
                Judgement::Unjudged(if status == StatusCode::TOO_MANY_REQUESTS {
                    ApiError::UpstreamRateLimited { retry_after }
                } else {
                    ApiError::UpstreamUnavailable { retry_after }
                })
            }
            _ => {
                tracing::warn!(%status, "the upstream gave no verdict on a credential (GET /v2/myself)");
                Judgement::Unjudged(ApiError::BadGateway)
            }
        }
    }

    /// A taken credential's user, from the upstream's `/v2/myself` answer.
    /// An answer too long to be one (read no further than
    /// `MAX_MYSELF_BODY`) names nobody, as one without `uid` or `login`
    /// does: the sender's uploads are then keyed by its credential. One
    /// that breaks off gives no verdict: keyed by the credential for a
    /// while, the parts sent after a refresh would start afresh again.
    async fn user_of(answer: reqwest::Response) -> Judgement {
        match read_bounded(answer, MAX_MYSELF_BODY).await {
            Ok(Some(body)) => Judgement::Taken(UpstreamUser::from_myself(&body)),
            Ok(None) => {
                tracing::warn!(
                    limit = MAX_MYSELF_BODY,
                    "the upstream's answer about a credential is too long to name its user: its parts are filed by credential"
                );
                Judgement::Taken(None)
            }
            Err(e) => {
                tracing::warn!(error = %without_url(e), "the upstream's answer about a credential broke off");
                Judgement::Unjudged(ApiError::BadGateway)
            }
        }
    }

    /// The credentials for the upstream: the server's, or else the browser's.
    fn authorization<'a>(&'a self, browser: &'a HeaderMap) -> Option<&'a HeaderValue> {
        self.authorization
            .as_ref()
            .or_else(|| browser.get(header::AUTHORIZATION))
    }

    /// How answers to a request that reached this server at `own` are
    /// rewritten.
    pub fn rebase<'a>(&'a self, own: &'a BaseUrl) -> Rebase<'a> {
        Rebase {
            upstream: &self.upstream_base,
            own,
        }
    }

    /// Uploads a file assembled from Flow.js parts as a Tracker temporary
    /// attachment (T1), streamed from disk; answers with the upstream's
    /// reply as the upstream gave it: it is remembered for retries, which
    /// may come in under another name, so the part endpoint rebases it each
    /// time it answers with it.
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
                .file_name(part_file_name(name)),
        );
        let mut request = self
            .client
            .post(format!("{}/v2/attachments/", self.upstream))
            // The name in the query too, whole: Tracker prefers it, and it
            // needs no multipart header encoding.
            .query(&[("filename", name)])
            .header(self.org_header.clone(), self.org_id.clone())
            .timeout(upload_timeout(self.answer_time, size))
            .multipart(form);
        if let Some(value) = self.authorization(browser) {
            request = request.header(header::AUTHORIZATION, value.clone());
        }
        let answer = request.send().await;
        // The local copy goes once the upstream has it (or has refused it).
        drop(part);
        pass_back(
            answer,
            "/v2/attachments/",
            Flavor::Tracker,
            lang,
            None,
            self.answer_time,
        )
        .await
    }
}

/// Whether `path` has a `.` or `..` segment once percent-decoded, with
/// `\` (which URL parsers read as `/` in http URLs) and an encoded `/` or
/// `\` (which an upstream may decode before routing) counted as
/// separators. A name with dots (`..hidden`, `...`) or an encoded slash
/// without such a segment (a file called `a/b`) is no dot segment.
fn has_dot_segment(path: &str) -> bool {
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(path).collect();
    decoded
        .split(|&b| b == b'/' || b == b'\\')
        // Tomcat (Jira Server) cuts a segment's `;parameters` before it
        // resolves dots: `..;x` climbs there.
        .map(|segment| segment.split(|&b| b == b';').next().unwrap_or(segment))
        .any(|segment| segment == b"." || segment == b"..")
}

/// The file name for a multipart part's header: reqwest writes CR and LF
/// into it as they are (after a `\`), so a name with them would add
/// headers, or parts, to a request that carries the server's credentials.
/// Control characters become `_` there; the query carries the name whole.
fn part_file_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect()
}

/// What of an answer moves onto this server.
struct Moved<'a> {
    rebase: Rebase<'a>,
    /// The body too, not only `Location`.
    body: bool,
}

/// The upstream's answer as ours: status, headers that are not ours or
/// hop-by-hop, and the body: streamed, or with `moved.body` and a JSON
/// answer of at most `MAX_REBASED_BODY`, read whole and rebased. With
/// `moved`, `Location` moves onto this server too. `path` is the
/// request's, for the log. A body that sends nothing for `idle` while it
/// is waited for ends there (see `AnswerIdle`).
async fn pass_back(
    answer: reqwest::Result<reqwest::Response>,
    path: &str,
    flavor: Flavor,
    lang: Lang,
    moved: Option<Moved<'_>>,
    idle: Duration,
) -> Response {
    let path: String = path.chars().take(MAX_LOGGED_PATH).collect();
    let answer = match answer {
        // The request's own time limit (the part upload's send-up): the
        // upstream took it and did not answer in time, which is not
        // unreachable (a connect timeout is).
        Err(e) if e.is_timeout() && !e.is_connect() => {
            tracing::warn!(error = %without_url(e), %path, "the upstream did not answer in time");
            return ApiError::GatewayTimeout.render(flavor, lang);
        }
        Ok(answer) => answer,
        Err(e) => {
            tracing::warn!(error = %without_url(e), %path, "upstream request failed");
            return ApiError::BadGateway.render(flavor, lang);
        }
    };
    let status = answer.status();
    let listed = connection_listed(answer.headers());
    let mut headers = HeaderMap::with_capacity(answer.headers().len());
    for (name, value) in answer.headers() {
        if !is_hop_by_hop(name, &listed) && !is_ours(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let fits = answer
        .content_length()
        .is_none_or(|length| length <= MAX_REBASED_BODY as u64);
    // The upstream's bytes are shown on this server's origin, which may
    // be the widget page's and whose requests carry the server's
    // credential: an HTML or SVG attachment opened from here must not run.
    // Local mode's downloads are `attachment` and `nosniff` for the same
    // reason; here the upstream's own headers are kept and these added.
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Not a PDF: Chromium shows none in a sandboxed document, and its
    // viewer runs a PDF's scripts apart from the page's origin anyway.
    if !is_pdf(&headers) {
        headers.append(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
    }
    if let Some(moved) = &moved {
        moved.rebase.location(&mut headers);
    }
    let body = match moved {
        Some(Moved { rebase, body: true }) if fits && is_rebasable(&headers) => {
            match read_whole(body_stream(answer, idle, path)).await {
                Ok(body) => Body::from(rebase.body(&mut headers, body)),
                Err(NotWhole::Streaming(streaming)) => streaming,
                Err(NotWhole::Stalled) => return ApiError::GatewayTimeout.render(flavor, lang),
            }
        }
        _ => Body::from_stream(body_stream(answer, idle, path)),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Whether an answer is a PDF, by its `Content-Type`.
fn is_pdf(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/pdf"))
}

/// Paths can hold long file names; the log does not need them whole.
const MAX_LOGGED_PATH: usize = 256;

/// A reqwest error as the log may show it: with its causes, which say what
/// went wrong, and without its URL, whose query holds file names (the log
/// never shows a query, nor headers).
fn without_url(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(source) = cause {
        text.push_str(": ");
        text.push_str(&source.to_string());
        cause = source.source();
    }
    text
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The upstream's body as a stream whose errors name no URL, should
/// anything log them, and that fails once the upstream has sent nothing
/// for `idle` while the stream was waiting for it (`path`, the request's,
/// is for the log then).
fn body_stream(answer: reqwest::Response, idle: Duration, path: String) -> AnswerIdle {
    AnswerIdle {
        inner: Box::pin(answer.bytes_stream()),
        timer: IdleTimer::new(idle),
        path,
        ended: false,
    }
}

/// An answer's body that stops arriving must not hold the browser (and the
/// upstream connection) forever: once the upstream has sent nothing for
/// the idle time while the browser was ready for more, the body fails
/// there. Streamed, the browser's answer then ends cut short (hyper closes
/// the connection mid-body: a declared length falls short, a chunked one
/// lacks its last chunk), which no client takes for the whole. Time the
/// browser takes to read does not count: the stream is not waiting then.
struct AnswerIdle {
    inner: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    timer: IdleTimer,
    path: String,
    ended: bool,
}

/// What an answer's body cut off by `AnswerIdle` fails with.
#[derive(Debug)]
struct AnswerStalled(Duration);

impl std::fmt::Display for AnswerStalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the upstream's answer sent nothing for {:?}", self.0)
    }
}

impl std::error::Error for AnswerStalled {}

impl Stream for AnswerIdle {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Bytes, BoxError>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(chunk)) => {
                self.timer.stop();
                Poll::Ready(Some(
                    chunk.map_err(|e| Box::new(e.without_url()) as BoxError),
                ))
            }
            Poll::Ready(None) => {
                self.ended = true;
                Poll::Ready(None)
            }
            Poll::Pending => match self.timer.poll_wait(cx).0 {
                Poll::Ready(()) => {
                    self.ended = true;
                    let idle = self.timer.idle();
                    tracing::warn!(path = %self.path, ?idle, "the upstream's answer stopped arriving: it was cut off");
                    Poll::Ready(Some(Err(Box::new(AnswerStalled(idle)))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Why `read_whole` did not give a body whole.
enum NotWhole {
    /// Too long, or broken off: the answer as streaming gives it.
    Streaming(Body),
    /// The upstream stopped sending it.
    Stalled,
}

/// The body whole if it is at most `MAX_REBASED_BODY` (an answer without a
/// length may still be longer); otherwise, or if the upstream breaks off,
/// a body that gives what was read and then the rest (or the error) as
/// streaming would have. One that stalls (`AnswerIdle`) is `Stalled`:
/// nothing of the answer has gone to the browser yet, so it can still be
/// told so properly (504) rather than by a cut-off answer.
async fn read_whole(mut stream: AnswerIdle) -> Result<Bytes, NotWhole> {
    let mut read: Vec<Bytes> = Vec::new();
    let mut len = 0;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                len += chunk.len();
                read.push(chunk);
                if len > MAX_REBASED_BODY {
                    let read = futures_util::stream::iter(read.into_iter().map(Ok));
                    return Err(NotWhole::Streaming(Body::from_stream(read.chain(stream))));
                }
            }
            Err(e) if e.is::<AnswerStalled>() => return Err(NotWhole::Stalled),
            Err(e) => {
                let read = futures_util::stream::iter(read.into_iter().map(Ok));
                let broken = futures_util::stream::once(std::future::ready(Err(e)));
                return Err(NotWhole::Streaming(Body::from_stream(read.chain(broken))));
            }
        }
    }
    Ok(match read.len() {
        1 => read.swap_remove(0),
        _ => Bytes::from(read.concat()),
    })
}

/// The body whole if it is at most `limit` bytes, `None` past it (read
/// no further); an upstream that breaks off is the error.
async fn read_bounded(
    mut answer: reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<Bytes>> {
    if answer
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(Bytes::from(body)))
}

/// Whether an answer with these headers is an API object whose URLs are
/// moved: JSON, readable as it is (not compressed), and not a file being
/// downloaded (`Content-Disposition`: an attached `.json` file must come
/// back byte for byte).
fn is_rebasable(headers: &HeaderMap) -> bool {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::mime::normalize)
        .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
    let plain = headers
        .get(header::CONTENT_ENCODING)
        .is_none_or(|v| v.as_bytes().eq_ignore_ascii_case(b"identity"));
    json && plain && !headers.contains_key(header::CONTENT_DISPOSITION)
}

/// How the upstream's URLs begin: its scheme and authority (any case, with
/// or without the scheme's default port) and then the base path of
/// `--upstream`.
#[derive(Debug, Clone)]
struct UpstreamBase {
    /// `scheme://authority`, lower case: as configured, and with the
    /// default port added or left out.
    origins: Vec<String>,
    /// Without a trailing slash; empty for an upstream at the root.
    path: String,
}

impl UpstreamBase {
    fn parse(upstream: &str) -> anyhow::Result<Self> {
        let uri: Uri = upstream.parse()?;
        let scheme = uri.scheme_str().context("no scheme")?.to_ascii_lowercase();
        let authority = uri.authority().context("no host")?;
        let host = authority.host().to_ascii_lowercase();
        let default_port = if scheme == "https" { 443 } else { 80 };
        let mut origins = vec![format!(
            "{scheme}://{}",
            authority.as_str().to_ascii_lowercase()
        )];
        match authority.port_u16() {
            Some(port) if port == default_port => origins.push(format!("{scheme}://{host}")),
            None => origins.push(format!("{scheme}://{host}:{default_port}")),
            Some(_) => {}
        }
        Ok(Self {
            origins,
            path: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// What follows the upstream's base in `url`, if `url` starts with it
    /// and the base ends there: `http://host:80` does not begin
    /// `http://host:8080/`, nor `/base` `/basement`.
    fn rest<'a>(&self, url: &'a str) -> Option<&'a str> {
        self.origins.iter().find_map(|origin| {
            let head = url.get(..origin.len())?;
            if !head.eq_ignore_ascii_case(origin) {
                return None;
            }
            self.rest_of_path(&url[origin.len()..])
        })
    }

    /// What follows the base path in `path`, if the base ends there.
    fn rest_of_path<'a>(&self, path: &'a str) -> Option<&'a str> {
        let rest = path.strip_prefix(self.path.as_str())?;
        (rest.is_empty() || rest.starts_with(['/', '?', '#'])).then_some(rest)
    }
}

/// Moves the upstream's URLs in a JSON answer onto the base the request
/// came in on. The contract wants every `self`, `content` and `thumbnail`
/// to work on the server that answered, and the page holds no token for
/// the upstream: through this server (whose forwarding adds the token)
/// they do. Only whole string values that begin with the upstream's base
/// move; one that merely mentions it (a comment's text) stays, and so does
/// a body without such a URL, byte for byte.
#[derive(Debug, Clone, Copy)]
pub struct Rebase<'a> {
    upstream: &'a UpstreamBase,
    own: &'a BaseUrl,
}

impl Rebase<'_> {
    /// The upstream's answer (headers and whole body) as this server gives
    /// it: `Location` and the body moved.
    pub fn answer(&self, headers: &mut HeaderMap, body: Bytes) -> Bytes {
        self.location(headers);
        self.body(headers, body)
    }

    /// Moves `Location` (Jira's 303 to an attachment's bytes, say) onto
    /// this server as the body's URLs are: an absolute URL on the upstream,
    /// or, when `--upstream` has a path, an absolute path under it (which
    /// the browser would otherwise resolve against this server without
    /// that path). Any other stays as it is.
    fn location(&self, headers: &mut HeaderMap) {
        let Some(location) = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()) else {
            return;
        };
        let moved = match self.upstream.rest(location) {
            Some(rest) => self.own.join(rest),
            None if location.starts_with('/') && !location.starts_with("//") => {
                match self.upstream.rest_of_path(location) {
                    Some(rest) if !self.upstream.path.is_empty() => {
                        if rest.starts_with('/') {
                            rest.to_owned()
                        } else {
                            format!("/{rest}")
                        }
                    }
                    _ => return,
                }
            }
            None => return,
        };
        if let Ok(value) = HeaderValue::from_str(&moved) {
            headers.insert(header::LOCATION, value);
        }
    }

    /// The body as this server gives it. A changed body has a new length,
    /// so `Content-Length` goes and the server sets it from the body.
    /// `ETag` stays: Tracker's names the version that `If-Match` sends back
    /// upstream, not these bytes.
    fn body(&self, headers: &mut HeaderMap, body: Bytes) -> Bytes {
        if !is_rebasable(headers) {
            return body;
        }
        match self.json(&body) {
            Some(rebased) => {
                headers.remove(header::CONTENT_LENGTH);
                Bytes::from(rebased)
            }
            None => body,
        }
    }

    /// `None` when `body` is not JSON or holds no URL on the upstream.
    /// Parsed rather than searched as text, so escaped forms (`\/`,
    /// `\u0068ttp`) are found. serde_json refuses nesting deeper than 128,
    /// which bounds the walk's recursion.
    fn json(&self, body: &[u8]) -> Option<Vec<u8>> {
        let mut value: Value = serde_json::from_slice(body).ok()?;
        if !self.strings(&mut value) {
            return None;
        }
        serde_json::to_vec(&value).ok()
    }

    /// Rebases every string in `value`; whether any changed.
    fn strings(&self, value: &mut Value) -> bool {
        match value {
            Value::String(s) => match self.upstream.rest(s).map(|rest| self.own.join(rest)) {
                Some(rebased) => {
                    *s = rebased;
                    true
                }
                None => false,
            },
            // `|`, not `||`: every item is visited.
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, item| self.strings(item) | changed),
            Value::Object(fields) => fields
                .values_mut()
                .fold(false, |changed, field| self.strings(field) | changed),
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }
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

    fn check(access: &ProxyAccess, method: Method, pairs: &[(&str, &str)]) -> Option<ApiError> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let uri = axum::http::Uri::from_static("/v2/attachments/");
        check_access(&method, &uri, &headers, access).err()
    }

    #[test]
    fn only_pages_of_allowed_origins_change_things() {
        let access = ProxyAccess::new(
            "127.0.0.1:8080".parse().unwrap(),
            &["http://App.test/".to_owned()],
        );
        let may = |access: &ProxyAccess, method: Method, pairs: &[(&str, &str)]| {
            let mut pairs = pairs.to_vec();
            pairs.push(("host", "127.0.0.1:8080"));
            check(access, method, &pairs).is_none()
        };
        let check = |method: Method, pairs: &[(&str, &str)]| may(&access, method, pairs);
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
        for own in [
            "http://127.0.0.1:8080",
            "https://127.0.0.1:8080",
            "http://localhost:8080",
            "http://LOCALHOST:8080",
            "http://[::1]:8080",
        ] {
            assert!(check(Method::POST, &[("origin", own)]), "{own}");
        }
        assert!(check(Method::POST, &[("origin", "http://app.test"), cross]));
        let any = ProxyAccess::new("127.0.0.1:8080".parse().unwrap(), &["*".to_owned()]);
        assert!(may(&any, Method::POST, &[evil, cross]));
    }

    #[test]
    fn only_requests_addressed_to_the_server_pass() {
        let access = ProxyAccess::new(
            "127.0.0.1:8080".parse().unwrap(),
            &["https://app.test".to_owned(), "*".to_owned()],
        );
        let rebound = [
            ("host", "rebind.attacker:8080"),
            ("origin", "http://rebind.attacker:8080"),
            ("sec-fetch-site", "same-origin"),
        ];
        for method in [Method::GET, Method::POST] {
            assert_eq!(
                check(&access, method.clone(), &rebound),
                Some(ApiError::ForeignHost),
                "{method}"
            );
            assert_eq!(check(&access, method, &[]), Some(ApiError::ForeignHost));
        }
        for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "app.test"] {
            assert_eq!(
                check(&access, Method::GET, &[("host", host)]),
                None,
                "{host}"
            );
        }
        // The default port is left out of `Host`; 8080 is not it.
        assert!(check(&access, Method::GET, &[("host", "localhost")]).is_some());
        let on_80 = ProxyAccess::new("0.0.0.0:80".parse().unwrap(), &[]);
        for host in ["localhost", "127.0.0.1:80", "0.0.0.0"] {
            assert_eq!(
                check(&on_80, Method::GET, &[("host", host)]),
                None,
                "{host}"
            );
        }
        let on_lan = ProxyAccess::new("[fd00::5]:9000".parse().unwrap(), &[]);
        for host in ["[fd00::5]:9000", "[::1]:9000"] {
            assert_eq!(
                check(&on_lan, Method::GET, &[("host", host)]),
                None,
                "{host}"
            );
        }
    }

    #[test]
    fn a_gibibyte_gets_half_an_hour_upstream() {
        assert_eq!(
            upload_timeout(UPSTREAM_ANSWER_TIME, 0),
            UPSTREAM_ANSWER_TIME
        );
        let gib = upload_timeout(UPSTREAM_ANSWER_TIME, 1 << 30);
        assert!(gib >= Duration::from_secs(30 * 60), "{gib:?}");
        assert!(gib <= Duration::from_secs(60 * 60), "{gib:?}");
    }

    /// `http://<host>`, as a request with that `Host` gets it.
    fn base_of(host: &str) -> BaseUrl {
        let request = axum::http::Request::builder().header("host", host);
        BaseUrl::from_parts(&request.body(()).unwrap().into_parts().0).unwrap()
    }

    fn rebased(upstream: &str, own: &str, body: &str) -> Option<String> {
        let upstream = UpstreamBase::parse(upstream).unwrap();
        let own = base_of(own);
        let rebase = Rebase {
            upstream: &upstream,
            own: &own,
        };
        rebase
            .json(body.as_bytes())
            .map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn urls_on_the_upstream_move_and_others_stay() {
        let up = "https://Tracker.test/base/";
        let own = "127.0.0.1:8080";
        let moved = rebased(
            up,
            own,
            r#"{"self": "https://tracker.test/base/v2/attachments/1?x=1",
                "list": [{"content": "https:\/\/tracker.test\/base\/v2\/a\/1\/n"},
                         ["\u0068ttps://tracker.test/base"]],
                "text": "see https://tracker.test/base/v2/x",
                "other": "https://tracker.test/basement/v2/x",
                "port": "https://tracker.test:443/base/v2/y",
                "n": 5}"#,
        )
        .unwrap();
        let moved: Value = serde_json::from_str(&moved).unwrap();
        assert_eq!(moved["self"], "http://127.0.0.1:8080/v2/attachments/1?x=1");
        assert_eq!(
            moved["list"][0]["content"],
            "http://127.0.0.1:8080/v2/a/1/n"
        );
        assert_eq!(moved["list"][1][0], "http://127.0.0.1:8080");
        assert_eq!(moved["text"], "see https://tracker.test/base/v2/x");
        assert_eq!(moved["other"], "https://tracker.test/basement/v2/x");
        assert_eq!(moved["port"], "http://127.0.0.1:8080/v2/y");
        assert_eq!(moved["n"], 5);
        // Another port is another server.
        assert_eq!(
            rebased(
                "http://up.test:80",
                own,
                r#"["http://up.test:8080/v2/x", "http://up.test/v2/x"]"#
            )
            .as_deref(),
            Some(r#"["http://up.test:8080/v2/x","http://127.0.0.1:8080/v2/x"]"#)
        );
        // Nothing to move, or not JSON: the body goes on as it came.
        assert_eq!(
            rebased(up, own, r#"{"self": "https://else.test/v2/x"}"#),
            None
        );
        assert_eq!(rebased(up, own, "https://tracker.test/base/v2/x"), None);
    }

    #[test]
    fn only_plain_json_that_is_no_download_is_rebased() {
        let upstream = UpstreamBase::parse("http://up.test").unwrap();
        let own = base_of("me.test");
        let rebase = Rebase {
            upstream: &upstream,
            own: &own,
        };
        let body = Bytes::from_static(br#"{"self":"http://up.test/v2/x"}"#);
        let answer = |pairs: &[(HeaderName, &'static str)]| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("29"));
            for (name, value) in pairs {
                headers.insert(name.clone(), HeaderValue::from_static(value));
            }
            let body = rebase.answer(&mut headers, body.clone());
            (body, headers.contains_key(header::CONTENT_LENGTH))
        };
        let json = (header::CONTENT_TYPE, "application/json; charset=utf-8");
        let (moved, length_kept) = answer(std::slice::from_ref(&json));
        assert_eq!(moved.as_ref(), br#"{"self":"http://me.test/v2/x"}"#);
        assert!(!length_kept);
        assert_eq!(
            answer(&[(header::CONTENT_TYPE, "application/problem+json")])
                .0
                .as_ref(),
            br#"{"self":"http://me.test/v2/x"}"#
        );
        for unchanged in [
            vec![(header::CONTENT_TYPE, "text/plain")],
            vec![],
            vec![json.clone(), (header::CONTENT_ENCODING, "gzip")],
            vec![json.clone(), (header::CONTENT_DISPOSITION, "attachment")],
        ] {
            assert_eq!(answer(&unchanged), (body.clone(), true), "{unchanged:?}");
        }
    }

    #[test]
    fn locations_on_the_upstream_move() {
        let moved = |upstream: &str, location: &str| {
            let upstream = UpstreamBase::parse(upstream).unwrap();
            let own = base_of("me.test:8080");
            let rebase = Rebase {
                upstream: &upstream,
                own: &own,
            };
            let mut headers = HeaderMap::new();
            headers.insert(header::LOCATION, HeaderValue::from_str(location).unwrap());
            rebase.location(&mut headers);
            headers[header::LOCATION].to_str().unwrap().to_owned()
        };
        let up = "https://gw.test/tracker";
        assert_eq!(
            moved(
                up,
                "https://GW.test:443/tracker/rest/api/3/attachment/content/7?redirect=false"
            ),
            "http://me.test:8080/rest/api/3/attachment/content/7?redirect=false"
        );
        assert_eq!(moved(up, "/tracker/v2/attachments/1"), "/v2/attachments/1");
        assert_eq!(moved(up, "/tracker?x=1"), "/?x=1");
        // Not on the upstream, or not under its path: as it came.
        for stays in [
            "https://media.test/file/7?token=x",
            "https://gw.test/trackers/v2",
            "/other/v2/attachments/1",
            "//gw.test/tracker/v2",
            "v2/attachments/1",
        ] {
            assert_eq!(moved(up, stays), stays);
        }
        assert_eq!(moved("http://up.test", "/v2/x"), "/v2/x");
        assert_eq!(
            moved("http://up.test", "http://up.test/v2/x"),
            "http://me.test:8080/v2/x"
        );
    }

    #[test]
    fn dot_segments_are_found_however_written() {
        for path in [
            "/v2/..",
            "/v2/./x",
            "/rest/api/%2E%2e/x",
            "/v2/.%2e",
            "/v2/%2e",
            "/v2/a%2F..%2Fb",
            "/v2/a\\..\\b",
            "/v2/a%5c..",
            "/rest/api/..;/x",
            "/v2/.%2e;x/y",
            "/v2/.;jsessionid=1/x",
        ] {
            assert!(has_dot_segment(path), "{path}");
        }
        for path in [
            "/v2/issues",
            "/v2/a/..b",
            "/v2/.../x",
            "/v2/a%2Fb",
            "/v2/%252e%252e",
        ] {
            assert!(!has_dot_segment(path), "{path}");
        }
    }

    #[test]
    fn upstream_urls_stay_in_the_api_under_the_base() {
        let config = Config {
            upstream: Some("http://up.test/base/".into()),
            ..Config::default()
        };
        let proxy = Proxy::from_config(&config).unwrap().unwrap();
        let url = |target: &'static str| {
            proxy
                .upstream_url(&Uri::from_static(target))
                .map(|u| u.to_string())
        };
        assert_eq!(
            url("/v2/issues/A-1?x=%2e%2e").as_deref(),
            Some("http://up.test/base/v2/issues/A-1?x=%2e%2e")
        );
        assert_eq!(
            url("/rest/api/3/myself").as_deref(),
            Some("http://up.test/base/rest/api/3/myself")
        );
        assert_eq!(url("/v2").as_deref(), Some("http://up.test/base/v2"));
        assert_eq!(url("/v2/../../x"), None);
        assert_eq!(url("/rest/api/%2e%2e/%2e%2e/x"), None);
        // Not a route this server forwards.
        assert_eq!(url("/v2x"), None);
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
