//! Reference server for tracker-attachments: speaks the Yandex Tracker
//! attachment API (and, in later slices, Jira's and a Flow.js chunk
//! endpoint) so the component can be developed, demonstrated and tested
//! without the real services. See `shared/design/api-contract.md`.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let config = tracker_attachments_server::Config::with_data_dir("/tmp/data");
//! let app = tracker_attachments_server::app(config).await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod auth;
mod base_url;
mod config;
mod errors;
mod lang;
mod mime;
mod model;
mod routes;
mod state;
mod storage;
mod thumbnail;

use std::sync::Arc;

use anyhow::Context;
use axum::Router;

pub use config::Config;

/// Opens (or creates) the data directory and builds the router.
pub async fn app(config: Config) -> anyhow::Result<Router> {
    let data_dir = config.data_dir.clone();
    let storage = tokio::task::spawn_blocking(move || storage::Storage::open(&data_dir))
        .await
        .context("opening the data directory")??;
    routes::router(state::AppState {
        config: Arc::new(config),
        storage,
    })
}
