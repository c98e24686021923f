//! `cargo xtask bench`: the measurements too heavy for `test`. Each section
//! reports ratios against a baseline measured in the same run, because this
//! machine is shared and absolute numbers drift from run to run.

use std::process::ExitCode;

use crate::package;
use crate::stage;
use crate::tools::{self, Purpose};
use crate::workspace::Workspace;

/// The server is benchmarked as it would be deployed: optimised for speed,
/// not with the size-tuned `release` profile the wasm build uses.
const SERVER_PROFILE: &str = "server-release";

pub const USAGE: &str = "[--bytes N[KiB|MiB|GiB]] (default 1GiB) [--runs N] (default 3;
                         browser-upload 9)
                         [--only SECTION[,SECTION]] (size, server-upload,
                         browser-upload, many-files; default all)";

/// In run order. `many-files` reuses the builds of `browser-upload`.
const SECTIONS: &[&str] = &["size", "server-upload", "browser-upload", "many-files"];

struct Args {
    bytes: String,
    /// Given: every section runs this often. Not given: each its own default.
    runs: Option<String>,
    only: Option<Vec<String>>,
}

impl Args {
    /// A browser upload varies far more from one round to the next than a
    /// server upload (the renderer, the network service and the server share
    /// 2 cores), so its ratio needs more rounds to settle.
    fn runs_for(&self, section: &str) -> &str {
        match (&self.runs, section) {
            (Some(runs), _) => runs,
            (None, "browser-upload") => "9",
            (None, _) => "3",
        }
    }

    fn wants(&self, section: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|s| s == section))
    }
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        bytes: "1GiB".to_owned(),
        runs: None,
        only: None,
    };
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .clone();
        match flag.as_str() {
            "--bytes" => parsed.bytes = value,
            "--runs" => parsed.runs = Some(value),
            "--only" => {
                let names = value.split(',').map(str::trim).filter(|s| !s.is_empty());
                for name in names {
                    if !SECTIONS.contains(&name) {
                        return Err(format!(
                            "unknown section {name}; sections: {}",
                            SECTIONS.join(", ")
                        ));
                    }
                    parsed
                        .only
                        .get_or_insert_with(Vec::new)
                        .push(name.to_owned());
                }
            }
            other => return Err(format!("unknown option {other}; usage: bench {USAGE}")),
        }
    }
    Ok(parsed)
}

pub fn main(ws: &Workspace, args: &[String]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut outcomes = vec![stage::run("tools", || tools::bootstrap(ws, Purpose::Test))];
    if outcomes[0].ok {
        for &section in SECTIONS.iter().filter(|s| args.wants(s)) {
            outcomes.push(stage::run(section, || match section {
                "size" => size(ws),
                "server-upload" => server_upload(ws, &args),
                "browser-upload" => browser_upload(ws, &args),
                _ => many_files(ws),
            }));
        }
    }
    println!("{}", stage::summary(&outcomes));
    if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The npm package's directory, measured by `size` once `cargo xtask
/// package` has built it there.
/// Our gzip size next to FilePond's, Uppy's and Dropzone's from their npm
/// packages (issue 6); the script is www/bench/size.mjs. Ours is the npm
/// package as `cargo xtask package` builds it: wasm, JS (glue, entry and
/// the element's snippet); its styles live inside the wasm. The peers are
/// installed under target/, not into www/package.json.
fn size(ws: &Workspace) -> Result<(), String> {
    tools::wasm_pack(ws)?;
    let pkg = package::build(ws)?;
    ws.run(
        ws.command("node")
            .arg("bench/size.mjs")
            .arg("--ours")
            .arg(&pkg)
            .args(["--label", "npm package (www/pkg)"])
            .args(["--exclude", ""])
            .arg("--peers-dir")
            .arg(ws.path("target/size-peers"))
            .current_dir(ws.path("www")),
    )
}

/// The server binary (and `extra` targets) in the speed-tuned profile.
fn build_server(ws: &Workspace, extra: &[&str]) -> Result<(), String> {
    ws.run(
        ws.cargo()
            .args(["build", "--profile", SERVER_PROFILE])
            .args(["-p", "tracker-attachments-server"])
            .args(["--bin", "tracker-attachments-server"])
            .args(extra),
    )
}

/// A large upload over loopback against plain writes of the same bytes to
/// the same disk, and the server's peak memory (issue 3).
fn server_upload(ws: &Workspace, args: &Args) -> Result<(), String> {
    build_server(ws, &["--example", "upload_bench"])?;
    let bin = ws.path(format!(
        "target/{SERVER_PROFILE}/tracker-attachments-server"
    ));
    let example = ws.path(format!("target/{SERVER_PROFILE}/examples/upload_bench"));
    let dir = ws.path("target/xtask-tmp");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    ws.run(
        ws.command(&example)
            .arg("--bytes")
            .arg(&args.bytes)
            .arg("--runs")
            .arg(args.runs_for("server-upload"))
            .arg("--server-bin")
            .arg(&bin)
            .arg("--dir")
            .arg(&dir),
    )
}

/// The widget's engine against a plain `fetch` of the same file in headless
/// Chromium (issue 4); the script is www/bench/upload.mjs.
fn browser_upload(ws: &Workspace, args: &Args) -> Result<(), String> {
    ws.run(
        ws.command("trunk")
            .args(["build", "--release", "--offline"]),
    )?;
    // Same targets as the server section: building the bin alone would
    // unify other features and recompile everything.
    build_server(ws, &["--example", "upload_bench"])?;
    ws.run(
        ws.command("node")
            .args([
                "bench/upload.mjs",
                "--bytes",
                &args.bytes,
                "--runs",
                args.runs_for("browser-upload"),
            ])
            .current_dir(ws.path("www"))
            .env(
                "TA_SERVER_BIN",
                ws.path(format!(
                    "target/{SERVER_PROFILE}/tracker-attachments-server"
                )),
            )
            .env("TA_DIST_DIR", ws.path("dist")),
    )
}

/// 10,000 files dropped at once on the demo (issue 5): time until listed
/// and the longest main-thread task. Runs after `browser_upload`, whose
/// builds it reuses.
fn many_files(ws: &Workspace) -> Result<(), String> {
    ws.run(
        ws.command("node")
            .args(["bench/many-files.mjs", "--files", "10000"])
            .current_dir(ws.path("www"))
            .env(
                "TA_SERVER_BIN",
                ws.path(format!(
                    "target/{SERVER_PROFILE}/tracker-attachments-server"
                )),
            )
            .env("TA_DIST_DIR", ws.path("dist")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_and_overrides() {
        let a = parse_args(&[]).unwrap();
        assert_eq!(a.bytes, "1GiB");
        assert_eq!(a.runs_for("server-upload"), "3");
        assert_eq!(a.runs_for("browser-upload"), "9");
        assert!(SECTIONS.iter().all(|s| a.wants(s)));
        let a = parse_args(&strings(&["--bytes", "64MiB", "--runs", "5"])).unwrap();
        assert_eq!(a.bytes, "64MiB");
        assert_eq!(a.runs_for("server-upload"), "5");
        assert_eq!(a.runs_for("browser-upload"), "5");
        assert!(parse_args(&strings(&["--bytes"])).is_err());
        assert!(parse_args(&strings(&["--fast", "1"])).is_err());
    }

    #[test]
    fn only_picks_sections() {
        let a = parse_args(&strings(&["--only", "size,many-files"])).unwrap();
        assert!(a.wants("size") && a.wants("many-files"));
        assert!(!a.wants("server-upload") && !a.wants("browser-upload"));
        assert!(parse_args(&strings(&["--only", "sizes"])).is_err());
        assert!(parse_args(&strings(&["--only"])).is_err());
    }
}
