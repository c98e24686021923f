use std::io::IsTerminal;

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use tracker_attachments_server::{app, serve, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config = Config::parse();
    // Logs go to stderr: stdout carries only the `listening on` line that
    // the xtask and tests parse.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let listen = config.listen;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    // The real address: with port 0 the OS picked one. Proxy mode takes
    // the server's own names (which requests it serves) from it.
    config.listen = listener.local_addr()?;
    let listen = config.listen;
    let app = app(config.clone()).await?;
    println!("listening on http://{listen}");

    serve(listener, app, &config, shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
