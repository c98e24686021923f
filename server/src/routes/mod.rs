//! The router: which path goes to which handler, and the layers around them.

mod attachments;
mod health;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::auth;
use crate::errors::{self, ApiError};
use crate::state::AppState;

pub fn router(state: AppState) -> anyhow::Result<Router> {
    let config = state.config.clone();

    let v2 = [
        (
            "/attachments",
            // Uploads are limited by `--max-upload-bytes` while streaming,
            // not by axum's 2 MB default for buffered bodies.
            post(attachments::upload_temporary).layer(DefaultBodyLimit::disable()),
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
    ]
    .into_iter()
    .fold(Router::new(), |router, (path, handler)| {
        with_and_without_slash(router, path, handler)
    })
    .fallback(errors::not_found)
    .method_not_allowed_fallback(errors::method_not_allowed)
    .layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_auth,
    ));

    let mut app = Router::new()
        .route("/healthz", get(health::healthz))
        .nest("/v2", v2);
    app = match &config.static_dir {
        Some(dir) => {
            app.fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
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
    let app = app.layer(
        // One line per request: method and path (no query: it may carry
        // file names), status and latency; never headers, which carry tokens.
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request| {
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
            })
            .on_request(())
            .on_response(
                DefaultOnResponse::new()
                    .level(Level::INFO)
                    .latency_unit(LatencyUnit::Millis),
            )
            .on_failure(()),
    );
    Ok(app.with_state(state))
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

fn cors_layer(origins: &[String]) -> anyhow::Result<Option<CorsLayer>> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow_origin = if origins.iter().any(|o| o == "*") {
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
            .allow_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                HeaderName::from_static("x-org-id"),
                HeaderName::from_static("x-cloud-org-id"),
                header::CONTENT_TYPE,
                HeaderName::from_static("x-atlassian-token"),
            ])
            .max_age(Duration::from_secs(600)),
    ))
}
