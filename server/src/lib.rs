//! Reference server for tracker-attachments: speaks the Yandex Tracker v2
//! and Jira Cloud v3 attachment APIs and a Flow.js part endpoint, so the
//! component can be developed, demonstrated and tested without the real
//! services, and proxies to the real ones (`--upstream`). See
//! `shared/design/api-contract.md`.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! // Bound first: requests must be addressed to the address served on.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let mut config = tracker_attachments_server::Config::with_data_dir("/tmp/data");
//! config.listen = listener.local_addr()?;
//! let app = tracker_attachments_server::app(config).await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod access_log;
mod auth;
mod base_url;
mod clock;
mod config;
mod errors;
mod faults;
mod flow_protocol;
mod framing;
mod lang;
mod linger;
mod mime;
mod model;
mod proxy;
mod routes;
mod state;
mod storage;
mod sweeper;
mod thumbnail;

use std::sync::Arc;

use anyhow::Context;
use axum::Router;

pub use clock::Clock;
pub use config::Config;
pub use routes::{MAX_FILES_PER_REQUEST, MAX_ISSUE_ATTACHMENTS};

/// Opens (or creates) the data directory, starts the sweeper of expired
/// temporary files, and builds the router. Needs a Tokio runtime.
/// `config.listen` must be the address the router is served on (bind
/// first, as `main` does): unless it is `0.0.0.0` or `[::]`, requests
/// addressed to other names are refused (421), in local mode too.
pub async fn app(config: Config) -> anyhow::Result<Router> {
    config.validate()?;
    let proxy = proxy::Proxy::from_config(&config)?;
    let faults = (config.fault_rate > 0.0).then(|| {
        let seed = config.fault_seed.unwrap_or_else(faults::random_seed);
        tracing::warn!(
            rate = config.fault_rate,
            seed,
            "injecting faults into uploads; replay with --fault-seed {seed}"
        );
        Arc::new(faults::Faults::new(config.fault_rate, seed))
    });

    let mirror_faults = config.faulty_mirror_rate.map(|rate| {
        let seed = config.fault_seed.unwrap_or_else(faults::random_seed);
        tracing::info!(rate, seed, "serving the API with faults under /faulty");
        Arc::new(faults::Faults::new(rate, seed))
    });

    let data_dir = config.data_dir.clone();
    let now = config.clock.now_millis();
    let storage = tokio::task::spawn_blocking(move || storage::Storage::open(&data_dir, now))
        .await
        .context("opening the data directory")??;
    sweeper::spawn(&storage, config.temp_ttl, config.clock.clone());
    routes::router(
        state::AppState {
            config: Arc::new(config),
            storage,
            proxy,
        },
        routes::Modes {
            faults,
            mirror_faults,
        },
    )
}
