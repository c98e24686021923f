//! Command-line flags. The flag names are part of the project's public face
//! (architecture.md), so the xtask, the demo and the docs rely on them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::clock::Clock;

/// Reference server for the Yandex Tracker and Jira attachment APIs.
#[derive(Debug, Clone, Parser)]
#[command(name = "tracker-attachments-server", version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the real one is printed).
    /// The API serves only requests addressed to it, to a loopback name with
    /// its port, or to a `--cors-origin` host; in local mode on `0.0.0.0` or
    /// `[::]`, any.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where files, thumbnails and the SQLite metadata live; created if missing.
    #[arg(long, default_value = "./data")]
    pub data_dir: PathBuf,

    /// Serve this directory at `/` (index.html for directories).
    #[arg(long)]
    pub static_dir: Option<PathBuf>,

    /// `Content-Security-Policy` header sent with every static file, to prove
    /// a page works under a strict policy (header form, not a meta tag).
    #[arg(long)]
    pub static_csp: Option<String>,

    /// The only accepted token: `OAuth <token>` or `Bearer <token>` for
    /// Tracker; `Bearer <token>` or Basic `<jira-email>:<token>` for Jira.
    #[arg(long, default_value = "dev-token")]
    pub token: String,

    /// The only accepted value of `X-Org-ID` / `X-Cloud-Org-ID`; in proxy
    /// mode, the organisation sent upstream.
    #[arg(long, default_value = "dev-org")]
    pub org_id: String,

    /// The e-mail half of Jira Basic credentials (`email:api_token`).
    #[arg(long, default_value = "dev@example.com")]
    pub jira_email: String,

    /// Largest accepted file, in bytes (Tracker documents 1024 MiB).
    #[arg(long, default_value_t = 1024 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// How long an unattached temporary file (and the parts of an unfinished
    /// chunked upload) lives: seconds, or with a unit (500ms, 90s, 15m, 24h, 1d).
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    pub temp_ttl: Duration,

    /// Allowed CORS origin; repeat for several, `*` for any.
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,

    /// Share of upload requests that fail on purpose (0.0..=1.0): half answer
    /// 503, half have their connection closed mid-body.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,

    /// Also serve the whole API under `/faulty/…` with this share of uploads
    /// failing (the demo's "simulate faults" switch), while `/v2/…` stays
    /// reliable. Same storage, same credentials.
    #[arg(long, value_parser = parse_rate)]
    pub faulty_mirror_rate: Option<f64>,

    /// Seed for the fault generator, so a failing run can be replayed
    /// (random, and logged, when not given).
    #[arg(long)]
    pub fault_seed: Option<u64>,

    /// Delay added before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Forward `/v2/...` and `/rest/api/...` to this base URL instead of answering locally.
    #[arg(long)]
    pub upstream: Option<String>,

    /// Name of the environment variable holding the upstream `Authorization`
    /// value (the whole value, e.g. `OAuth y0_...`); without it the browser's
    /// own `Authorization` goes upstream.
    #[arg(long)]
    pub upstream_auth_env: Option<String>,

    /// Which organisation header carries `--org-id` upstream.
    #[arg(long, default_value = "X-Org-ID", value_parser = ["X-Org-ID", "X-Cloud-Org-ID"])]
    pub upstream_org_header: String,

    /// Where "now" comes from; tests use a manual clock.
    #[arg(skip)]
    pub clock: Clock,

    /// Test hook: when set, every chunked-upload assembly first takes a
    /// permit from it, so a test can hold an assembly in progress (create it
    /// with no permits) and release it with `add_permits`.
    #[arg(skip)]
    pub assembly_gate: Option<std::sync::Arc<tokio::sync::Semaphore>>,

    /// Not a flag: how long a request's body may send nothing while the
    /// server waits for it before the request ends with 408: an upload's
    /// (its partial file is removed), a JSON body's (creating or changing
    /// an issue, adding a comment), and in proxy mode any body going
    /// upstream. Two minutes; tests shorten it.
    #[arg(skip = Duration::from_secs(120))]
    pub upload_idle_timeout: Duration,

    /// Not a flag: in proxy mode, how long the upstream may keep a request
    /// waiting before it ends: without taking any of the body while its
    /// bytes are here, without answering once it has taken it all, or
    /// without sending any more of an answer's body (then 504, or the
    /// answer is cut off). The `/upload/flow` send-up gets it plus a
    /// second per 512 KiB in all. Two minutes; tests shorten it.
    #[arg(skip = crate::proxy::UPSTREAM_ANSWER_TIME)]
    pub upstream_answer_timeout: Duration,

    /// How long the server may be unable to write any of an answer because
    /// the client takes none of it (a download it stopped reading) before
    /// the connection is closed, and with it the file being sent: such a
    /// client would otherwise hold both forever. Counted from when a write
    /// first waits; any byte taken starts it afresh. Hidden: tests shorten it.
    #[arg(long, hide = true, default_value = "2m", value_parser = parse_duration)]
    pub write_idle_timeout: Duration,

    /// After SIGTERM or Ctrl-C, how long the requests in progress get to
    /// finish; then the connections still open (a stalled upload, a
    /// download nobody reads) are closed and the server exits. Hidden:
    /// tests shorten it.
    #[arg(long, hide = true, default_value = "30s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,

    /// How long a client may take to send a request's line and headers,
    /// and how long a kept-alive connection may wait for its next request,
    /// before the connection is closed: a client that sends its headers a
    /// byte a minute would otherwise hold a connection forever. Hidden:
    /// tests shorten it.
    #[arg(long, hide = true, default_value = "30s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,

    /// Test hook: when set, holds how many requests are waiting for the
    /// outcome of an assembly right now, so a test can tell that a request
    /// reached the wait (rather than guess from how long it took).
    #[arg(skip)]
    pub assembly_waiters: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,

    /// Test hook: when set, each file of a Jira upload (J1) takes a
    /// permit from it before it is stored, so a test can hold a batch
    /// mid-store (create it with no permits, release with `add_permits`).
    #[arg(skip)]
    pub jira_store_gate: Option<std::sync::Arc<tokio::sync::Semaphore>>,

    /// Test hook: when set, holds how many J1 requests are waiting for
    /// their files to be stored right now.
    #[arg(skip)]
    pub jira_store_waiters: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,

    /// Not a flag: Jira Cloud's cap on attachments per issue (2,000).
    /// Tests lower it.
    #[arg(skip = crate::routes::MAX_ISSUE_ATTACHMENTS)]
    pub jira_issue_attachment_cap: u64,

    /// Test hook: when set, holds how many requests are waiting for
    /// another request's check of their sender's credential right now
    /// (proxy mode without a credential of the server's).
    #[arg(skip)]
    pub credential_check_waiters: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,

    /// Not a flag: how many credential checks (proxy mode without a
    /// credential of the server's) may ask the upstream at once. Tests
    /// lower it.
    #[arg(skip = crate::credential_verdicts::MAX_CONCURRENT_CHECKS)]
    pub credential_check_slots: usize,

    /// Not a flag: how long a request that needs one more credential check
    /// while all `credential_check_slots` are taken waits for one to end
    /// before it is 503: as long as a check itself may take, so that one
    /// of those under way ends within it. Tests shorten it.
    #[arg(skip = crate::proxy::CREDENTIAL_CHECK_TIME)]
    pub credential_slot_wait: Duration,

    /// Test hook: when set, holds how many requests are waiting for a
    /// slot to check their sender's credential with right now.
    #[arg(skip)]
    pub credential_slot_waiters: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
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

    pub fn temp_ttl_millis(&self) -> i64 {
        i64::try_from(self.temp_ttl.as_millis()).unwrap_or(i64::MAX)
    }

    /// Checks what clap checks, for configs built in code (tests, embedders).
    pub fn validate(&self) -> anyhow::Result<()> {
        parse_rate(&self.fault_rate.to_string()).map_err(anyhow::Error::msg)?;
        // Zero would close every connection before its first request.
        if self.header_read_timeout.is_zero() {
            anyhow::bail!("--header-read-timeout must be longer than zero");
        }
        // Zero would close a connection the moment a socket buffer fills.
        if self.write_idle_timeout.is_zero() {
            anyhow::bail!("--write-idle-timeout must be longer than zero");
        }
        // None would turn away every credential not judged yet.
        if self.credential_check_slots == 0 {
            anyhow::bail!("credential_check_slots must be at least one");
        }
        if let Some(upstream) = &self.upstream {
            // Never echoed whole: it may hold a password.
            let shown = without_userinfo(upstream);
            let scheme_ok = upstream.starts_with("http://") || upstream.starts_with("https://");
            let Some(uri) = upstream
                .parse::<axum::http::Uri>()
                .ok()
                .filter(|_| scheme_ok)
            else {
                anyhow::bail!("--upstream must be an http:// or https:// URL, got {shown:?}");
            };
            // It would be logged at start and sent (as Basic) on every request.
            if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
                anyhow::bail!(
                    "--upstream must not hold credentials (user:password@), got {shown:?}: \
                     put the upstream's Authorization value in an environment variable \
                     and name it with --upstream-auth-env"
                );
            }
            // Request paths are appended to it.
            if uri.query().is_some() || upstream.contains('#') {
                anyhow::bail!("--upstream must be a base URL without a query or fragment");
            }
            // Any page could then read and change whatever the server's
            // credential opens: CORS lets every origin read the answers,
            // and the proxy lets every origin send changes. `null` is as
            // wide: any site's sandboxed iframe or data: URL is `null`.
            if let Some(open) = self
                .cors_origins
                .iter()
                .find(|o| *o == "*" || o.eq_ignore_ascii_case("null"))
                .filter(|_| self.upstream_auth_env.is_some())
            {
                anyhow::bail!(
                    "--cors-origin '{open}' with --upstream-auth-env would let every website \
                     use the server's upstream credential: list the pages' origins instead"
                );
            }
        }
        Ok(())
    }
}

/// `scheme://user:password@host/...` as `scheme://…@host/...`: what an
/// error message may quote of a URL.
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://…{}", &rest[at..]),
        None => url.to_owned(),
    }
}

impl Default for Config {
    /// Parsed from an empty command line, so the defaults live in one place
    /// (the `#[arg]` attributes) and cannot drift.
    fn default() -> Self {
        Self::parse_from(["tracker-attachments-server"])
    }
}

/// `86400`, `500ms`, `90s`, `15m`, `24h`, `1d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let invalid =
        || format!("invalid duration {value:?}: use e.g. 86400, 500ms, 90s, 15m, 24h, 1d");
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let seconds = |factor: u64| {
        number
            .checked_mul(factor)
            .map(Duration::from_secs)
            .ok_or_else(invalid)
    };
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "" | "s" => seconds(1),
        "m" => seconds(60),
        "h" => seconds(3600),
        "d" => seconds(86_400),
        _ => Err(invalid()),
    }
}

fn parse_rate(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("invalid fault rate {value:?}: expected 0.0..=1.0")),
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
        assert_eq!(c.jira_email, "dev@example.com");
        assert_eq!(c.max_upload_bytes, 1_073_741_824);
        assert_eq!(c.temp_ttl, Duration::from_secs(86_400));
        assert!(c.cors_origins.is_empty());
        assert!(c.static_dir.is_none());
        assert_eq!(c.fault_rate, 0.0);
        assert_eq!(c.upstream_org_header, "X-Org-ID");
        assert_eq!(c.upload_idle_timeout, Duration::from_secs(120));
        assert_eq!(c.upstream_answer_timeout, Duration::from_secs(120));
        assert_eq!(c.header_read_timeout, Duration::from_secs(30));
        assert_eq!(c.write_idle_timeout, Duration::from_secs(120));
        assert_eq!(c.shutdown_grace, Duration::from_secs(30));
        assert_eq!(c.credential_check_slots, 32);
        assert_eq!(c.credential_slot_wait, Duration::from_secs(30));
        assert_eq!(c.jira_issue_attachment_cap, 2000);
    }

    #[test]
    fn shutdown_grace_is_a_hidden_duration() {
        let c = Config::parse_from(["x", "--shutdown-grace", "1500ms"]);
        assert_eq!(c.shutdown_grace, Duration::from_millis(1500));
        // No grace: the connections are closed at once.
        let zero = Config::parse_from(["x", "--shutdown-grace", "0"]);
        assert_eq!(zero.shutdown_grace, Duration::ZERO);
        assert!(zero.validate().is_ok());
        use clap::CommandFactory;
        let help = Config::command().render_help().to_string();
        assert!(!help.contains("shutdown-grace"), "{help}");
    }

    #[test]
    fn write_idle_timeout_is_a_hidden_duration() {
        let c = Config::parse_from(["x", "--write-idle-timeout", "1500ms"]);
        assert_eq!(c.write_idle_timeout, Duration::from_millis(1500));
        assert!(c.validate().is_ok());
        let zero = Config::parse_from(["x", "--write-idle-timeout", "0"]);
        assert!(zero.validate().is_err());
        use clap::CommandFactory;
        let help = Config::command().render_help().to_string();
        assert!(!help.contains("write-idle-timeout"), "{help}");
    }

    #[test]
    fn credential_checks_need_a_slot() {
        let none = Config {
            credential_check_slots: 0,
            ..Config::default()
        };
        assert!(none.validate().is_err());
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

    #[test]
    fn durations() {
        assert_eq!(parse_duration("86400"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("-5").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("9999999999999999999d").is_err());
    }

    #[test]
    fn fault_rate_is_a_fraction() {
        assert!(Config::try_parse_from(["x", "--fault-rate", "0.25"]).is_ok());
        assert!(Config::try_parse_from(["x", "--fault-rate", "1.5"]).is_err());
        assert!(Config::try_parse_from(["x", "--fault-rate", "NaN"]).is_err());
        let bad = Config {
            fault_rate: -0.1,
            ..Config::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn upstream_must_be_http() {
        let with = |u: &str| Config {
            upstream: Some(u.into()),
            ..Config::default()
        };
        assert!(with("http://127.0.0.1:9").validate().is_ok());
        assert!(with("https://api.tracker.yandex.net").validate().is_ok());
        assert!(with("ftp://x").validate().is_err());
        assert!(with("http://bad host").validate().is_err());
        assert!(with("https://gw.test/tracker/").validate().is_ok());
        assert!(with("https://gw.test/tracker?key=1").validate().is_err());
        assert!(with("https://gw.test/tracker#x").validate().is_err());
    }

    #[test]
    fn any_origin_is_refused_with_the_servers_credential() {
        let config = |cors: &str, auth: Option<&str>| Config {
            upstream: Some("http://127.0.0.1:9".into()),
            upstream_auth_env: auth.map(str::to_owned),
            cors_origins: vec![cors.into()],
            ..Config::default()
        };
        let error = config("*", Some("X")).validate().unwrap_err().to_string();
        assert!(error.contains("--cors-origin '*'"), "{error}");
        assert!(config("http://a.test", Some("X")).validate().is_ok());
        assert!(config("*", None).validate().is_ok());
        // Without --upstream the variable is never read.
        let local = Config {
            upstream: None,
            ..config("*", Some("X"))
        };
        assert!(local.validate().is_ok());
    }

    #[test]
    fn upstream_credentials_are_refused_and_never_echoed() {
        for upstream in [
            "https://me:pa55word@tracker.test",
            "http://pa55word@127.0.0.1:9/base",
            "htps://me:pa55word@tracker.test",
            "http://me:pa55word@bad host/",
        ] {
            let config = Config {
                upstream: Some(upstream.into()),
                ..Config::default()
            };
            let error = config.validate().unwrap_err().to_string();
            assert!(error.contains("--upstream"), "{error}");
            assert!(!error.contains("pa55word"), "{error}");
        }
        assert_eq!(
            without_userinfo("https://a:b@h.test/p@q"),
            "https://…@h.test/p@q"
        );
        assert_eq!(without_userinfo("https://h.test/p@q"), "https://h.test/p@q");
    }
}
