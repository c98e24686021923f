//! `cargo xtask demo`: build the demo page and serve it with the reference
//! server until Ctrl-C.

use std::ffi::OsString;
use std::process::ExitCode;

use crate::os;
use crate::server::{self, Server};
use crate::tools::{self, Purpose};
use crate::workspace::Workspace;

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

pub fn main(ws: &Workspace, args: &[String]) -> ExitCode {
    let listen = match parse_args(args) {
        Ok(listen) => listen,
        Err(message) => {
            eprintln!("error: {message}\nusage: cargo xtask demo [--listen ADDR]");
            return ExitCode::from(2);
        }
    };
    match run(ws, &listen) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(args: &[String]) -> Result<String, String> {
    let mut listen = DEFAULT_LISTEN.to_string();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--listen" {
            listen = args.next().ok_or("--listen needs an address")?.clone();
        } else if let Some(value) = arg.strip_prefix("--listen=") {
            listen = value.to_string();
        } else {
            return Err(format!("unknown argument `{arg}`"));
        }
    }
    Ok(listen)
}

fn run(ws: &Workspace, listen: &str) -> Result<(), String> {
    tools::bootstrap(ws, Purpose::Demo)?;
    ws.run(
        ws.command("trunk")
            .args(["build", "--release", "--offline"]),
    )?;
    // The dev profile on purpose: the same build serves tests and demo, and
    // the workspace optimises the image codecs even in dev.
    ws.run(
        ws.cargo()
            .args(["build", "-p", "tracker-attachments-server"]),
    )?;

    let args: Vec<OsString> = [
        "--listen",
        listen,
        "--static-dir",
        "dist",
        "--data-dir",
        "target/demo-data",
        // The page's "simulate faults" switch sends uploads to /faulty.
        "--faulty-mirror-rate",
        "0.3",
    ]
    .map(OsString::from)
    .to_vec();
    let mut server = Server::start(ws, &args)?;
    // From here Ctrl-C is the normal way out: it reaches the server through
    // the process group, and we only wait for it.
    os::ignore_interrupts();
    let url = server::browsable_url(server.url());
    println!();
    println!("  tracker-attachments demo");
    println!("    open:   {url}");
    println!("    token: dev-token");
    println!("    org id: dev-org");
    println!("  Ctrl-C to stop");
    println!();

    let status = server
        .wait()
        .map_err(|e| format!("waiting for the server: {e}"))?;
    if status.success() || stopped_by_interrupt(status) {
        println!("demo stopped");
        Ok(())
    } else {
        Err(format!("the server exited: {status}"))
    }
}

/// Killed by SIGINT, or exited with the conventional 128 + SIGINT.
fn stopped_by_interrupt(status: std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if status.signal() == Some(2) {
            return true;
        }
    }
    status.code() == Some(130)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn listen_address() {
        assert_eq!(parse_args(&[]).unwrap(), DEFAULT_LISTEN);
        assert_eq!(
            parse_args(&args(&["--listen", "0.0.0.0:9000"])).unwrap(),
            "0.0.0.0:9000"
        );
        assert_eq!(
            parse_args(&args(&["--listen=[::1]:80"])).unwrap(),
            "[::1]:80"
        );
        assert!(parse_args(&args(&["--listen"])).is_err());
        assert!(parse_args(&args(&["--port", "1"])).is_err());
    }
}
