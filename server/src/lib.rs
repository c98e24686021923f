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
//! let app = tracker_attachments_server::app(config.clone()).await?;
//! // Until Ctrl-C; then the requests in progress get `config.shutdown_grace`
//! // (30 s) to finish.
//! let stop = async {
//!     let _ = tokio::signal::ctrl_c().await;
//! };
//! tracker_attachments_server::serve(listener, app, &config, stop).await;
//! # Ok(()) }
//! ```

mod access_log;
mod auth;
mod base_url;
mod clock;
mod config;
mod credential_verdicts;
mod errors;
mod faults;
mod flow_protocol;
mod framing;
mod idle_timer;
mod lang;
mod linger;
mod mime;
mod model;
mod proxy;
mod retry_after;
mod routes;
mod state;
mod storage;
mod sweeper;
mod thumbnail;
mod waiting_count;
mod write_idle;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

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
        Arc::new(faults::Faults::new(config.fault_rate, seed, "--fault-rate"))
    });

    let mirror_faults = config.faulty_mirror_rate.map(|rate| {
        let seed = config.fault_seed.unwrap_or_else(faults::random_seed);
        tracing::info!(rate, seed, "serving the API with faults under /faulty");
        Arc::new(faults::Faults::new(rate, seed, "--faulty-mirror-rate"))
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

/// Serves `app` (from [`app`]) on `listener` over HTTP/1.1 until
/// `shutdown` completes; then accepts no more connections, closes the idle
/// ones, and returns once the requests in progress are answered, or once
/// `config.shutdown_grace` has passed: the connections still open then (a
/// stalled upload, a download nobody reads) are closed, their requests
/// dropped, before it returns.
///
/// Unlike `axum::serve`, it limits how long a client may take to send a
/// request's line and headers (`config.header_read_timeout`): a client
/// that sends them a byte a minute (slowloris) would otherwise hold its
/// connection, and with enough of them every descriptor, forever. The same
/// limit ends a kept-alive connection that sends no next request. A body
/// that stops arriving is the upload routes' idle timeout's to end; an
/// answer the client stops taking, `config.write_idle_timeout`'s (see
/// `write_idle`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: &Config,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    // hyper counts the limit from when it starts waiting for a head: on a
    // new connection, and again each time a kept-alive one goes idle.
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let connections = GracefulShutdown::new();
    // Every connection's task, so that those still running after the
    // grace period can be ended (a task merely left behind would keep its
    // connection, and whatever its request holds, open).
    let mut tasks = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // The ended ones, so the set holds only what runs.
        while tasks.try_join_next().is_some() {}
        let service = TowerToHyperService::new(app.clone());
        let io = TokioIo::new(write_idle::WriteIdle::new(
            stream,
            config.write_idle_timeout,
        ));
        let connection = connections.watch(http.serve_connection(io, service));
        tasks.spawn(async move {
            // A client that went away, or one cut off by a time limit.
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let grace = config.shutdown_grace;
    if tokio::time::timeout(grace, connections.shutdown())
        .await
        .is_err()
    {
        while tasks.try_join_next().is_some() {}
        tracing::warn!(
            connections = tasks.len(),
            ?grace,
            "closing the connections whose requests did not finish in the shutdown grace period"
        );
    }
    // Aborts what still runs and waits until it is gone (its request's
    // future dropped: partial uploads removed, files closed).
    tasks.shutdown().await;
}

/// What `axum::serve` does: a connection that failed before it was
/// accepted is the client's business; anything else (out of descriptors)
/// is logged, and the loop pauses rather than spin on it.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
