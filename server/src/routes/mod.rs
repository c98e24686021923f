//! The router: which path goes to which handler, and the layers around them.

mod attachments;
mod comments;
mod directory;
mod download;
mod echo;
mod flow;
mod health;
mod issue_attachments;
mod issues;
mod jira;
mod json;
mod upload;

pub(crate) use upload::MAX_FILE_NAME_BYTES;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, any_service, get, patch, post, MethodRouter};
use axum::{Extension, Router};
use percent_encoding::percent_decode_str;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

use crate::errors::{self, ApiError, Flavor};
use crate::faults::{self, Faults};
use crate::proxy;
use crate::state::AppState;
use crate::storage::{Attachment, Issue, IssueError};
use crate::{access_log, auth, framing, linger};

pub use jira::{MAX_FILES_PER_REQUEST, MAX_ISSUE_ATTACHMENTS};

/// What the router needs besides the state.
pub struct Modes {
    pub faults: Option<Arc<Faults>>,
    /// Faults of the `/faulty` mirror of the API, when it is served.
    pub mirror_faults: Option<Arc<Faults>>,
}

pub fn router(state: AppState, modes: Modes) -> anyhow::Result<Router> {
    let config = state.config.clone();
    let uploads = Uploads {
        faults: modes.faults,
        idle: config.upload_idle_timeout,
    };

    let mut app = Router::new()
        .route("/healthz", get(health::healthz))
        .merge(flow_routes(&state, &uploads));
    app = match state.proxy.clone() {
        // Proxy mode: the API goes upstream. The part endpoint, which no
        // upstream has, collects the parts here and sends the whole file up.
        // A body that stops arriving ends its request as a local upload's
        // does (408), so it holds neither its connection nor the upstream's.
        Some(proxy) => {
            let holds_credential = proxy.holds_credential();
            let forwarded = Router::new()
                .route("/v2", uploads.forwarded(Flavor::Tracker))
                .route("/v2/{*rest}", uploads.forwarded(Flavor::Tracker))
                .route("/rest/api/{*rest}", uploads.forwarded(Flavor::Jira))
                .with_state(proxy)
                .route_layer(middleware::from_fn_with_state(
                    proxy::ProxyAccess::new(config.listen, &config.cors_origins),
                    proxy::refuse_foreign,
                ));
            // With the server's credential an `<img>` of any site would load
            // thumbnails (telling which attachments exist, and their size):
            // no page of another origin embeds these answers. The widget
            // fetches them (CORS), which this does not touch.
            let forwarded = if holds_credential {
                forwarded.layer(SetResponseHeaderLayer::overriding(
                    HeaderName::from_static("cross-origin-resource-policy"),
                    HeaderValue::from_static("same-origin"),
                ))
            } else {
                forwarded
            };
            app.merge(forwarded)
        }
        None => {
            let app = app.merge(addressed_here(
                &state,
                local_api(&state, &uploads).route(
                    "/echo",
                    post(echo::echo)
                        .fallback(errors::method_not_allowed)
                        .layer(DefaultBodyLimit::max(echo::MAX_BODY)),
                ),
            ));
            match modes.mirror_faults {
                Some(faults) => {
                    let flaky = Uploads {
                        faults: Some(faults),
                        idle: config.upload_idle_timeout,
                    };
                    app.nest(
                        "/faulty",
                        addressed_here(&state, local_api(&state, &flaky))
                            .merge(flow_routes(&state, &flaky)),
                    )
                }
                None => app,
            }
        }
    };
    app = match &config.static_dir {
        Some(dir) => {
            let files = ServeDir::new(dir).append_index_html_on_directories(true);
            let bounded = middleware::from_fn_with_state(dir.as_os_str().len(), refuse_overlong);
            match &config.static_csp {
                Some(policy) => {
                    let policy = HeaderValue::from_str(policy)
                        .map_err(|_| anyhow::anyhow!("--static-csp is not a header value"))?;
                    app.fallback(
                        any_service(SetResponseHeader::overriding(
                            files,
                            header::CONTENT_SECURITY_POLICY,
                            policy,
                        ))
                        .layer(bounded),
                    )
                }
                None => app.fallback(any_service(files).layer(bounded)),
            }
        }
        None => app.fallback(|| async { ApiError::NotFound }),
    };

    // Layers wrap what is above them: the last one added sees the request first.
    let mut app = app.layer(middleware::from_fn(errors::localize));
    if let Some(cors) = cors_layer(&config.cors_origins)? {
        app = app.layer(cors);
    }
    let latency = config.latency();
    if !latency.is_zero() {
        app = app.layer(middleware::from_fn(
            move |request: Request, next: Next| async move {
                tokio::time::sleep(latency).await;
                next.run(request).await
            },
        ));
    }
    // Outside CORS: a preflight names its server too.
    let app = app
        .layer(middleware::from_fn(refuse_repeated_host))
        // Around everything that may answer before a body is read: the
        // upload routes' own refusals, and the credential and origin
        // checks in front of them, which answer a whole upload at once.
        .layer(middleware::from_fn(linger::linger))
        .layer(middleware::from_fn(access_log::log));
    Ok(app.with_state(state))
}

/// An HTTP/1.1 request must name its server in exactly one `Host` header
/// (RFC 9112, 3.2): two name two servers, for one check to read the first
/// and another part the last; none names none. HTTP/1.0 may send none.
async fn refuse_repeated_host(request: Request, next: Next) -> Response {
    let hosts = request.headers().get_all(header::HOST).iter().count();
    let lacking = hosts == 0 && request.version() == axum::http::Version::HTTP_11;
    if hosts <= 1 && !lacking {
        return next.run(request).await;
    }
    ApiError::BadHost.render(
        proxy::flavor_of(request.uri().path()),
        crate::lang::Lang::from_headers(request.headers()),
    )
}

/// Longest path segment, and longest path, that file systems take.
const MAX_NAME_BYTES: usize = 255;
const MAX_PATH_BYTES: usize = 4096;

/// Before the static files: a name the file system cannot hold is a file
/// that is not there, 404 in the error shape. The system refuses such a
/// name (ENAMETOOLONG), which `ServeDir` answers with a bare 500. The path
/// counts as `ServeDir` opens it: decoded, after the static directory
/// (`dir_len` bytes), perhaps with `/index.html` added.
async fn refuse_overlong(State(dir_len): State<usize>, request: Request, next: Next) -> Response {
    let decoded: Vec<u8> = percent_decode_str(request.uri().path()).collect();
    let overlong = decoded
        .split(|&b| b == b'/')
        .any(|segment| segment.len() > MAX_NAME_BYTES)
        || dir_len + decoded.len() + "/index.html".len() >= MAX_PATH_BYTES;
    if overlong {
        return ApiError::NotFound.into_response();
    }
    next.run(request).await
}

/// The Tracker and Jira APIs answered from local storage.
fn local_api(state: &AppState, uploads: &Uploads) -> Router<AppState> {
    Router::new()
        .nest("/v2", tracker_routes(state, uploads))
        .nest("/rest/api/3", jira_routes(state, uploads, "/rest/api/3"))
        .nest("/rest/api/2", jira_routes(state, uploads, "/rest/api/2"))
}

/// Tracker API v2: T0–T12 and what their `self` URLs point at.
fn tracker_routes(state: &AppState, uploads: &Uploads) -> Router<AppState> {
    let routes = [
        (
            "/attachments",
            uploads.route(post(attachments::upload_temporary), Flavor::Tracker),
        ),
        ("/attachments/{id}", get(attachments::get_temporary)),
        (
            "/attachments/{id}/thumbnail",
            get(attachments::get_temporary_thumbnail),
        ),
        (
            "/attachments/{id}/{filename}",
            get(attachments::get_temporary_content),
        ),
        (
            "/issues",
            get(issues::list).merge(uploads.json(post(issues::create), Flavor::Tracker)),
        ),
        (
            "/issues/{key}",
            get(issues::get).merge(uploads.json(patch(issues::patch), Flavor::Tracker)),
        ),
        (
            "/issues/{key}/attachments",
            get(issue_attachments::list)
                .merge(uploads.route(post(issue_attachments::upload), Flavor::Tracker)),
        ),
        (
            "/issues/{key}/attachments/{id}",
            get(issue_attachments::get).delete(issue_attachments::delete),
        ),
        (
            "/issues/{key}/attachments/{id}/{filename}",
            get(issue_attachments::content),
        ),
        (
            "/issues/{key}/thumbnails/{id}",
            get(issue_attachments::thumbnail),
        ),
        (
            "/issues/{key}/comments",
            get(comments::list).merge(uploads.json(post(comments::create), Flavor::Tracker)),
        ),
        ("/issues/{key}/comments/{id}", get(comments::get)),
        ("/fields", get(directory::fields)),
        ("/fields/{id}", get(directory::field)),
        ("/users/{id}", get(directory::user)),
        ("/myself", get(directory::myself)),
        ("/queues/{key}", get(directory::queue)),
    ];
    routes
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| {
            with_and_without_slash(router, path, handler)
        })
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_auth,
        ))
}

/// Jira REST J1–J6 (plus what their links point at) under `prefix`.
fn jira_routes(state: &AppState, uploads: &Uploads, prefix: &'static str) -> Router<AppState> {
    let routes = [
        (
            "/issue/{key}/attachments",
            uploads.route(post(jira::upload), Flavor::Jira),
        ),
        ("/issue/{key}", get(jira::issue)),
        ("/attachment/meta", get(jira::meta)),
        ("/attachment/content/{id}", get(jira::content)),
        ("/attachment/thumbnail/{id}", get(jira::thumbnail)),
        ("/attachment/{id}", get(jira::get).delete(jira::delete)),
        ("/user", get(jira::user)),
        ("/myself", get(jira::myself)),
    ];
    routes
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| {
            with_and_without_slash(router, path, handler)
        })
        .fallback(errors::jira_not_found)
        .method_not_allowed_fallback(errors::jira_method_not_allowed)
        .layer(Extension(jira::JiraApi { prefix }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_jira_auth,
        ))
}

/// The Flow.js part endpoint, with Tracker's auth; in proxy mode, like the
/// other proxied routes, with none when the credentials are the server's,
/// and with a credential required when the browser's go upstream (its
/// form here; whether the upstream takes it, `Proxy::check_sender`, asked
/// by the handlers before a part is stored or said to be).
fn flow_routes(state: &AppState, uploads: &Uploads) -> Router<AppState> {
    // Another method gets the API's 405 and its error body, as the other
    // routes do.
    let route = get(flow::test_chunk)
        .merge(uploads.route(post(flow::upload_chunk), Flavor::Tracker))
        .fallback(errors::method_not_allowed);
    let router = with_and_without_slash(Router::new(), "/upload/flow", route);
    if let Some(proxy) = &state.proxy {
        // Parts are stored here before the upstream sees any: without a
        // credential of the server's, one from the browser is the least
        // an upload needs, or anyone who can reach the server could fill
        // its disk for `--temp-ttl`.
        let router = if proxy.holds_credential() {
            router
        } else {
            router.route_layer(middleware::from_fn(auth::require_credential))
        };
        // The server's credentials go with the file: only pages the
        // operator allowed may send it. Outermost, as in local mode.
        return router.route_layer(middleware::from_fn_with_state(
            proxy::ProxyAccess::new(state.config.listen, &state.config.cors_origins),
            proxy::refuse_foreign,
        ));
    }
    let router = router.route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_auth,
    ));
    addressed_here(state, router)
}

/// Local mode: the API answers only requests addressed to the server's own
/// names, unless it listens on every address (`ProxyAccess::for_local`).
/// The default credentials are public: a page whose DNS name was rebound
/// to 127.0.0.1 would need nothing else to read and change everything.
/// Outermost, so such a request learns nothing of the credentials either.
fn addressed_here(state: &AppState, router: Router<AppState>) -> Router<AppState> {
    match proxy::ProxyAccess::for_local(state.config.listen, &state.config.cors_origins) {
        Some(access) => router.route_layer(middleware::from_fn_with_state(
            access,
            proxy::refuse_foreign_host,
        )),
        None => router,
    }
}

/// What every upload route shares (and the idle timeout, every route
/// that reads a body).
struct Uploads {
    faults: Option<Arc<Faults>>,
    /// See `Config::upload_idle_timeout`.
    idle: Duration,
}

impl Uploads {
    /// A proxied route: every method goes upstream, bodies with the idle
    /// timeout (GET and the like have none to wait for), its 408 speaking
    /// of a file for uploads only. An answer that comes before the body is
    /// all here (the upstream's early refusal, or 504 for an upstream that
    /// stopped taking it) lingers as a local upload's does (`router`'s
    /// outermost layer), so the browser hears it rather than a reset.
    fn forwarded(&self, flavor: Flavor) -> MethodRouter<Arc<proxy::Proxy>> {
        any(proxy::forward).layer(middleware::from_fn_with_state(
            (self.idle, flavor),
            upload::forwarded_idle_timeout,
        ))
    }

    /// A route that reads a JSON body: one that stops arriving ends the
    /// request (408) as an upload's does, or it would hold its connection
    /// for as long as the client likes.
    fn json(&self, route: MethodRouter<AppState>, flavor: Flavor) -> MethodRouter<AppState> {
        route.layer(middleware::from_fn_with_state(
            (self.idle, flavor),
            upload::body_idle_timeout,
        ))
    }

    fn route(&self, route: MethodRouter<AppState>, flavor: Flavor) -> MethodRouter<AppState> {
        // A body that stops arriving ends its request (408).
        let route: MethodRouter<AppState> = route.layer(middleware::from_fn_with_state(
            (self.idle, flavor),
            upload::idle_timeout,
        ));
        // Limited by `--max-upload-bytes` while streaming, not by axum's
        // 2 MB default for buffered bodies; what the multipart parser
        // buffers besides field data is bounded by `framing`.
        let route = route
            .layer(DefaultBodyLimit::disable())
            .layer(middleware::from_fn(framing::bound));
        // An injected 503 lingers (`router`'s outermost layer) and reaches
        // the client; an injected close fails the response, which ends the
        // connection regardless.
        match &self.faults {
            Some(faults) => route.layer(middleware::from_fn_with_state(
                (faults.clone(), flavor),
                faults::inject,
            )),
            None => route,
        }
    }
}

/// The contract: every path works with and without a trailing slash (the
/// official Python client adds one, the docs do not).
fn with_and_without_slash(
    router: Router<AppState>,
    path: &str,
    handler: MethodRouter<AppState>,
) -> Router<AppState> {
    router
        .route(path, handler.clone())
        .route(&format!("{path}/"), handler)
}

/// The issue named in the path, by key or id.
async fn load_issue(
    state: &AppState,
    key: Result<Path<String>, PathRejection>,
) -> Result<Issue, ApiError> {
    let Path(key) = key.map_err(|_| ApiError::NotFound)?;
    state
        .storage
        .issue(key.clone())
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::IssueNotFound(ApiError::echo(&key)))
}

/// An attachment by the id as written in the path; anything that is not a
/// known id is 404 naming it.
async fn attachment_by_raw_id(state: &AppState, raw: &str) -> Result<Attachment, ApiError> {
    let not_found = || ApiError::AttachmentNotFound(ApiError::echo(raw));
    let id: i64 = raw.parse().map_err(|_| not_found())?;
    state
        .storage
        .get(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(not_found)
}

/// `name` is the issue key (or, on creation, the queue) the request named.
fn issue_error(error: IssueError, name: &str) -> ApiError {
    match error {
        IssueError::NotFound => ApiError::IssueNotFound(ApiError::echo(name)),
        IssueError::UnknownQueue => ApiError::UnknownQueue(ApiError::echo(name)),
        IssueError::VersionMismatch { current } => ApiError::VersionMismatch { current },
        IssueError::Duplicate { key } => ApiError::DuplicateIssue { key },
        IssueError::Unattachable(id) => ApiError::Unattachable(id),
        IssueError::Db(e) => ApiError::internal(e),
    }
}

fn cors_layer(origins: &[String]) -> anyhow::Result<Option<CorsLayer>> {
    if origins.is_empty() {
        return Ok(None);
    }
    let any = origins.iter().any(|o| o == "*");
    let allow_origin = if any {
        AllowOrigin::any()
    } else {
        let list = origins
            .iter()
            .map(|o| {
                // Browsers send the origin without a trailing slash.
                HeaderValue::from_str(o.trim_end_matches('/'))
                    .map_err(|_| anyhow::anyhow!("invalid --cors-origin {o:?}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(list)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            // Cookies from the pages named, for a page whose API session is
            // a cookie (the widget's `with-credentials`). Browsers refuse
            // credentials with `*`, and so does tower-http.
            .allow_credentials(!any)
            .allow_methods(crate::proxy::API_METHODS)
            .allow_headers([
                header::AUTHORIZATION,
                HeaderName::from_static("x-org-id"),
                HeaderName::from_static("x-cloud-org-id"),
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::ACCEPT_LANGUAGE,
                HeaderName::from_static("x-atlassian-token"),
                // The CSRF headers of Django, Rails/Laravel and Angular, and
                // jQuery's marker, which pages add through the widget's
                // `headers`.
                HeaderName::from_static("x-csrftoken"),
                HeaderName::from_static("x-csrf-token"),
                HeaderName::from_static("x-xsrf-token"),
                HeaderName::from_static("x-requested-with"),
            ])
            // Readable from script: the download's name, the error's
            // language, where a Jira 303 points, and how long a 429 or 503
            // (one passed on from upstream, say) asks clients to wait.
            .expose_headers([
                header::CONTENT_DISPOSITION,
                header::CONTENT_LANGUAGE,
                header::LOCATION,
                header::RETRY_AFTER,
            ])
            .max_age(Duration::from_secs(600)),
    ))
}
