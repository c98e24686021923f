//! `cargo xtask test`: every check CI runs, as named stages in a fixed
//! order. A failed stage does not stop the later ones (one run shows every
//! problem), except `tools`: without the tools nothing else can run.

use std::ffi::OsString;
use std::process::ExitCode;

use crate::package;
use crate::server::{self, Server, TempDir};
use crate::stage::{self, Outcome};
use crate::tools::{self, Purpose};
use crate::workspace::Workspace;

type Body = fn(&Workspace) -> Result<(), String>;

/// In run order.
const STAGES: &[(&str, Body)] = &[
    ("tools", tools_stage),
    ("fmt", fmt),
    ("clippy", clippy),
    ("clippy-wasm", clippy_wasm),
    ("host-tests", host_tests),
    ("server-tests", server_tests),
    ("browser-tests", browser_tests),
    ("e2e", e2e),
];

pub const USAGE: &str = "cargo xtask test [--only STAGE[,STAGE]] [--skip STAGE[,STAGE]]";

pub fn main(ws: &Workspace, args: &[String]) -> ExitCode {
    let selected = match select(args) {
        Ok(selected) => selected,
        Err(message) => {
            eprintln!(
                "error: {message}\nusage: {USAGE}\nstages: {}",
                stage_names().join(", ")
            );
            return ExitCode::from(2);
        }
    };
    let mut outcomes: Vec<Outcome> = Vec::new();
    for (name, body) in STAGES.iter().filter(|(name, _)| selected.contains(name)) {
        let outcome = stage::run(name, || body(ws));
        let stop = *name == "tools" && !outcome.ok;
        outcomes.push(outcome);
        if stop {
            println!("the tools are missing, so the other stages cannot run");
            break;
        }
    }
    println!();
    println!("{}", stage::summary(&outcomes));
    if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn stage_names() -> Vec<&'static str> {
    STAGES.iter().map(|(name, _)| *name).collect()
}

/// The stages to run, in run order, from `--only` and `--skip` (each takes
/// a comma list and may repeat). `tools` always runs: every other stage
/// relies on it, and it costs nothing when the tools are there.
fn select(args: &[String]) -> Result<Vec<&'static str>, String> {
    let mut only: Option<Vec<String>> = None;
    let mut skip: Vec<String> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        let list = match flag {
            "--only" => only.get_or_insert_with(Vec::new),
            "--skip" => &mut skip,
            _ => return Err(format!("unknown argument `{arg}`")),
        };
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .ok_or(format!("{flag} needs a stage name"))?
                .clone(),
        };
        list.extend(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
    }
    let names = stage_names();
    for name in only.iter().flatten().chain(&skip) {
        if !names.contains(&name.as_str()) {
            return Err(format!("unknown stage `{name}`"));
        }
    }
    if skip.iter().any(|name| name == "tools") {
        return Err("the tools stage cannot be skipped".into());
    }
    Ok(names
        .into_iter()
        .filter(|name| {
            *name == "tools" || only.as_ref().is_none_or(|o| o.iter().any(|n| n == name))
        })
        .filter(|name| !skip.iter().any(|n| n == name))
        .collect())
}

fn tools_stage(ws: &Workspace) -> Result<(), String> {
    tools::bootstrap(ws, Purpose::Test)
}

fn fmt(ws: &Workspace) -> Result<(), String> {
    ws.run(ws.cargo().args(["fmt", "--all", "--", "--check"]))
}

fn clippy(ws: &Workspace) -> Result<(), String> {
    ws.run(ws.cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

fn clippy_wasm(ws: &Workspace) -> Result<(), String> {
    ws.run(ws.cargo().args([
        "clippy",
        "-p",
        "tracker-attachments",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

fn host_tests(ws: &Workspace) -> Result<(), String> {
    ws.run(ws.cargo().args([
        "test",
        "--no-fail-fast",
        "-p",
        "tracker-attachments",
        "-p",
        "xtask",
    ]))
}

fn server_tests(ws: &Workspace) -> Result<(), String> {
    ws.run(
        ws.cargo()
            .args(["test", "--no-fail-fast", "-p", "tracker-attachments-server"]),
    )
}

fn build_server(ws: &Workspace) -> Result<(), String> {
    ws.run(
        ws.cargo()
            .args(["build", "-p", "tracker-attachments-server"]),
    )
}

/// The wasm-bindgen-test suites in headless Chromium, against a live
/// reference server on a free port.
fn browser_tests(ws: &Workspace) -> Result<(), String> {
    build_server(ws)?;
    // The tests read the servers' URLs when they are compiled: a port of
    // its own per server, the same every run, spares a warm run compiling
    // every suite again. Taken (another run beside this one), any free one.
    let start = |name: &str, port: u16, extra: &[&str]| -> Result<(Server, TempDir), String> {
        let data_dir = TempDir::new(ws, name)?;
        let args = |port: u16| {
            let mut args: Vec<OsString> =
                vec!["--listen".into(), format!("127.0.0.1:{port}").into()];
            args.extend(["--data-dir".into(), data_dir.path().into()]);
            args.extend(["--cors-origin", "*"].map(OsString::from));
            args.extend(extra.iter().map(OsString::from));
            args
        };
        let server = match Server::start(ws, &args(port)) {
            Ok(server) => server,
            Err(_) => Server::start(ws, &args(0))?,
        };
        Ok((server, data_dir))
    };
    // Dropped at the end of this function, on success or failure alike,
    // which kills the servers and removes their data.
    let (server, _data) = start("browser-tests", 47461, &[])?;
    // A second server that fails 30% of uploads (503 or a cut connection),
    // for the retry tests; the seed makes the failure plan repeatable.
    let (faulty, _faulty_data) = start(
        "browser-tests-faulty",
        47462,
        &["--fault-rate", "0.3", "--fault-seed", "7"],
    )?;
    // A server that waits 4 s before reading a request, for the stall
    // watchdog: a large body stops going out meanwhile.
    let (slow, _slow_data) = start("browser-tests-slow", 47463, &["--latency-ms", "4000"])?;
    // ChromeDriver leaves a ~70 MB Chromium profile in the temp directory
    // per test binary; this one goes away with the stage.
    let browser_tmp = TempDir::new(ws, "browser-tests-tmp")?;
    ws.run(
        ws.cargo()
            .args([
                "test",
                // Every suite runs and reports, not only those before the
                // first to fail: one CI run then shows all that broke.
                "--no-fail-fast",
                "-p",
                "tracker-attachments",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("TMPDIR", browser_tmp.path())
            // Without debug info: a test binary is 9 MB of wasm instead of
            // 130 MB, which the runner's wasm-bindgen pass and Chromium's
            // compile read per binary (28-41 s of a 3-test suite on this
            // machine, 5-11 s without). Panic messages keep their file and
            // line: those come from `Location`, not from DWARF.
            .env("CARGO_PROFILE_DEV_DEBUG", "0")
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "300")
            // For a whole test binary (the runner waits for its summary
            // line), whose tests run one after another. engine.rs (a 256 MiB
            // upload, a 128 MiB cancel, the 4 s slow server) took 57 s on
            // this 2-core machine at a load average of 1-2, modes.rs up to
            // 50 s. Busy with other builds, the machine can be several
            // times slower, and the 256 MiB upload alone may use its own
            // 120 s wait. 600 s, ten times the slowest seen, still ends a
            // hung binary within ten minutes.
            .env("WASM_BINDGEN_TEST_TIMEOUT", "600")
            // Read by the tests with `option_env!`, i.e. when cargo compiles
            // them, so it has to be in cargo's environment.
            .env("TA_TEST_SERVER", server.url())
            .env("TA_TEST_FAULTY_SERVER", faulty.url())
            .env("TA_TEST_SLOW_SERVER", slow.url()),
    )
}

/// The Playwright end-to-end tests in www/e2e; they start their own
/// servers from the binary and the built demo page.
fn e2e(ws: &Workspace) -> Result<(), String> {
    let www = ws.path("www");
    if !www.join("e2e").is_dir() {
        return Err(format!(
            "{} is missing: there are no end-to-end tests to run",
            www.join("e2e").display()
        ));
    }
    ws.run(
        ws.command("trunk")
            .args(["build", "--release", "--offline"]),
    )?;
    // The npm package, tested as a user installs it (npm pack, then a plain
    // page and a Vite project), and served to the examples.
    let pkg = package::build(ws)?;
    build_server(ws)?;
    ws.run(
        ws.command("node")
            .args(["--test", "--test-reporter=spec", "e2e/"])
            .current_dir(&www)
            .env("TA_SERVER_BIN", ws.path(server::BINARY))
            .env("TA_DIST_DIR", ws.path("dist"))
            .env("TA_PKG_DIR", pkg)
            .env("TA_WWW_DIR", &www)
            // Screenshots for a person to look at (light, dark, ru, examples).
            .env("TA_SCREENSHOT_DIR", ws.path("target/e2e-screenshots")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(list: &[&str]) -> Result<Vec<&'static str>, String> {
        select(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn everything_by_default() {
        assert_eq!(sel(&[]).unwrap(), stage_names());
    }

    #[test]
    fn only_keeps_tools_first_and_run_order() {
        assert_eq!(
            sel(&["--only", "e2e,fmt"]).unwrap(),
            ["tools", "fmt", "e2e"]
        );
        assert_eq!(
            sel(&["--only=clippy", "--only", "fmt"]).unwrap(),
            ["tools", "fmt", "clippy"]
        );
        assert_eq!(sel(&["--only", "tools"]).unwrap(), ["tools"]);
    }

    #[test]
    fn skip_removes_stages() {
        assert_eq!(
            sel(&["--skip", "browser-tests,e2e"]).unwrap(),
            [
                "tools",
                "fmt",
                "clippy",
                "clippy-wasm",
                "host-tests",
                "server-tests"
            ]
        );
        assert_eq!(
            sel(&["--only", "fmt,clippy", "--skip=clippy"]).unwrap(),
            ["tools", "fmt"]
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(sel(&["--only", "lint"]).is_err());
        assert!(sel(&["--skip", "tools"]).is_err());
        assert!(sel(&["--only"]).is_err());
        assert!(sel(&["fmt"]).is_err());
    }
}
