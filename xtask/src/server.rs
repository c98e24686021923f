//! Starting and stopping the reference server and learning where it
//! listens. The server prints `listening on http://HOST:PORT` once bound;
//! with `--listen 127.0.0.1:0` that line is the only way to learn the port.
//! Its output is forwarded line by line from threads, so a full pipe can
//! never stall it.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::os;
use crate::workspace::Workspace;

pub const BINARY: &str = "target/debug/tracker-attachments-server";
/// Binding is immediate once built; this only guards against a hang.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A running server; dropping it kills the process, so no error path can
/// leave one behind.
pub struct Server {
    child: Child,
    url: String,
    forwarders: Vec<JoinHandle<()>>,
}

impl Server {
    /// Builds nothing: run `cargo build -p tracker-attachments-server` first.
    pub fn start(ws: &Workspace, args: &[OsString]) -> Result<Server, String> {
        let binary = ws.path(BINARY);
        if !binary.is_file() {
            return Err(format!(
                "{} is missing: build the server first",
                binary.display()
            ));
        }
        println!("$ {BINARY} {}", shown_args(args));
        let mut cmd = ws.command(&binary);
        cmd.args(args);
        Server::spawn(cmd)
    }

    /// Starts any program that announces itself like the server does.
    fn spawn(mut cmd: Command) -> Result<Server, String> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        os::die_with_parent(&mut cmd);
        let program = cmd.get_program().to_string_lossy().into_owned();
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("could not start {program}: {e}"))?;

        let (found, listening) = mpsc::channel();
        let mut forwarders = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            forwarders.push(forward(stdout, Some(found)));
        }
        if let Some(stderr) = child.stderr.take() {
            forwarders.push(forward(stderr, None));
        }
        let mut server = Server {
            child,
            url: String::new(),
            forwarders,
        };
        match listening.recv_timeout(STARTUP_TIMEOUT) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            // The stdout reader ended: the server exited (or closed stdout)
            // without ever saying where it listens.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Killing a process that has exited keeps its real status;
                // it only matters if it lives on with stdout closed.
                let _ = server.child.kill();
                let status = server.wait().map(|s| s.to_string()).unwrap_or_default();
                Err(format!(
                    "the server stopped before printing `listening on` ({status})"
                ))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "the server printed no `listening on` line within {} s",
                STARTUP_TIMEOUT.as_secs()
            )),
        }
    }

    /// `http://HOST:PORT` as the server printed it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Waits for the server to exit on its own, then for its last output.
    pub fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let status = self.child.wait()?;
        for forwarder in self.forwarders.drain(..) {
            let _ = forwarder.join();
        }
        Ok(status)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Errors here mean the process is already gone, which is the goal.
        // The forwarding threads are not joined: they end at EOF on their
        // own, and waiting for them could hang if anything still held the
        // pipes open.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies one of the server's streams to ours, prefixed so its lines stand
/// out, and reports the first listening address on `found`.
fn forward(
    stream: impl Read + Send + 'static,
    mut found: Option<mpsc::Sender<String>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end();
            // Our stdout may be closed (e.g. piped into `head`): never panic.
            let _ = writeln!(std::io::stdout(), "server| {text}");
            if let Some(url) = parse_listening_line(text) {
                if let Some(sender) = found.take() {
                    let _ = sender.send(url);
                }
            }
        }
        // Dropping `found` here tells `start` the server never said it.
    })
}

/// `… listening on http://127.0.0.1:41234 …` → `http://127.0.0.1:41234`.
/// Tolerates a log prefix before it and a trailing slash after it.
pub fn parse_listening_line(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on ")?;
    let url = rest.split_whitespace().next()?.trim_end_matches('/');
    let authority = url.strip_prefix("http://")?;
    let (host, port) = authority.rsplit_once(':')?;
    if host.is_empty() || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(url.to_string())
}

/// The URL to put in a browser: a wildcard bind address is not one.
pub fn browsable_url(url: &str) -> String {
    for wildcard in ["http://0.0.0.0:", "http://[::]:"] {
        if let Some(port) = url.strip_prefix(wildcard) {
            return format!("http://127.0.0.1:{port}/");
        }
    }
    format!("{url}/")
}

fn shown_args(args: &[OsString]) -> String {
    let parts: Vec<String> = args
        .iter()
        .map(|a| {
            let a = a.to_string_lossy();
            if a.contains([' ', '*']) {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        })
        .collect();
    parts.join(" ")
}

/// A fresh, empty data directory under `target/xtask-tmp/`, so test runs
/// never see each other's uploads; removed by dropping the guard.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new(ws: &Workspace, name: &str) -> Result<TempDir, String> {
        let dir = ws
            .path("target/xtask-tmp")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_address_from_the_listening_line() {
        assert_eq!(
            parse_listening_line("listening on http://127.0.0.1:41234").as_deref(),
            Some("http://127.0.0.1:41234")
        );
        assert_eq!(
            parse_listening_line("2026-11-21T23:59:01Z  INFO server: listening on http://0.0.0.0:8080/ (static: dist)")
                .as_deref(),
            Some("http://0.0.0.0:8080")
        );
        assert_eq!(
            parse_listening_line("listening on http://[::1]:9000").as_deref(),
            Some("http://[::1]:9000")
        );
    }

    #[test]
    fn ignores_other_lines() {
        assert_eq!(parse_listening_line("starting"), None);
        assert_eq!(parse_listening_line("listening on "), None);
        assert_eq!(
            parse_listening_line("listening on https://127.0.0.1:1"),
            None
        );
        assert_eq!(parse_listening_line("listening on http://127.0.0.1"), None);
        assert_eq!(
            parse_listening_line("listening on http://127.0.0.1:port"),
            None
        );
    }

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn start_waits_for_the_listening_line_and_drop_kills() {
        let started = std::time::Instant::now();
        let server = Server::spawn(sh(
            "echo starting; echo 'listening on http://127.0.0.1:4321' ; exec sleep 30",
        ))
        .unwrap();
        assert_eq!(server.url(), "http://127.0.0.1:4321");
        drop(server);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn start_reports_a_server_that_exits_early() {
        let error = Server::spawn(sh("echo 'address in use' >&2; exit 3"))
            .err()
            .unwrap();
        assert!(error.contains("stopped before"), "{error}");
        assert!(error.contains('3'), "{error}");
    }

    #[test]
    fn wildcard_addresses_become_loopback() {
        assert_eq!(
            browsable_url("http://0.0.0.0:8080"),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(browsable_url("http://[::]:8080"), "http://127.0.0.1:8080/");
        assert_eq!(
            browsable_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/"
        );
    }
}
