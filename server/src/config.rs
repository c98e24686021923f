//! Command-line flags. The flag names are part of the project's public face
//! (architecture.md), so the xtask, the demo and the docs rely on them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Reference server for the Yandex Tracker and Jira attachment APIs.
#[derive(Debug, Clone, Parser)]
#[command(name = "tracker-attachments-server", version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the real one is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where files, thumbnails and the SQLite metadata live; created if missing.
    #[arg(long, default_value = "./data")]
    pub data_dir: PathBuf,

    /// Serve this directory at `/` (index.html for directories).
    #[arg(long)]
    pub static_dir: Option<PathBuf>,

    /// The only accepted OAuth/Bearer token.
    #[arg(long, default_value = "dev-token")]
    pub token: String,

    /// The only accepted value of `X-Org-ID` / `X-Cloud-Org-ID`.
    #[arg(long, default_value = "dev-org")]
    pub org_id: String,

    /// Largest accepted file, in bytes (Tracker documents 1024 MiB).
    #[arg(long, default_value_t = 1024 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Seconds an unattached temporary file lives.
    #[arg(long, default_value_t = 86_400)]
    pub temp_ttl: u64,

    /// Allowed CORS origin; repeat for several, `*` for any.
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,

    /// Share of requests that fail on purpose (0.0..=1.0).
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,

    /// Seed for the fault generator, so a failing run can be replayed.
    #[arg(long)]
    pub fault_seed: Option<u64>,

    /// Delay added before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Forward `/v2/...` and `/rest/api/...` to this base URL instead of answering locally.
    #[arg(long)]
    pub upstream: Option<String>,

    /// Name of the environment variable holding the upstream `Authorization` value.
    #[arg(long)]
    pub upstream_auth_env: Option<String>,
}

impl Config {
    /// The defaults every flag documents, with another data directory; what
    /// tests start from.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            ..Self::default()
        }
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms)
    }

    pub fn temp_ttl(&self) -> Duration {
        Duration::from_secs(self.temp_ttl)
    }
}

impl Default for Config {
    /// Parsed from an empty command line, so the defaults live in one place
    /// (the `#[arg]` attributes) and cannot drift.
    fn default() -> Self {
        Self::parse_from(["tracker-attachments-server"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_flags() {
        let c = Config::default();
        assert_eq!(c.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.token, "dev-token");
        assert_eq!(c.org_id, "dev-org");
        assert_eq!(c.max_upload_bytes, 1_073_741_824);
        assert_eq!(c.temp_ttl, 86_400);
        assert!(c.cors_origins.is_empty());
        assert!(c.static_dir.is_none());
    }

    #[test]
    fn cors_origin_repeats() {
        let c = Config::parse_from([
            "x",
            "--cors-origin",
            "http://a.test",
            "--cors-origin",
            "http://b.test",
        ]);
        assert_eq!(c.cors_origins, ["http://a.test", "http://b.test"]);
    }
}
