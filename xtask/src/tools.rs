//! The tool bootstrap: everything the build and tests need that cargo does
//! not fetch by itself. Each step checks first and is skipped when
//! satisfied, so a warm run costs a few probes. The commands and versions
//! are the ones that worked on a fresh machine (docs: toolchain.md); only
//! crates.io, npm and Debian are reachable, so nothing may be downloaded
//! from anywhere else.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Instant, SystemTime};

use crate::workspace::Workspace;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// 0.22 needs a newer rustc than the machines have.
const TRUNK_VERSION: &str = "0.21.14";
/// Builds the npm package; run with `--mode no-install` so it never downloads.
const WASM_PACK_VERSION: &str = "0.15.1";

/// Which command the tools are for: `demo` needs no browser.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Demo,
    Test,
}

pub fn bootstrap(ws: &Workspace, purpose: Purpose) -> Result<(), String> {
    wasm_target(ws)?;
    debian_packages(ws, purpose)?;
    wasm_bindgen(ws)?;
    trunk(ws)?;
    if purpose == Purpose::Test {
        // The end-to-end tests install the npm package as a user would.
        wasm_pack(ws)?;
    }
    // Both: the demo build needs the npm package `binaryen` (see Trunk.toml).
    npm_deps(ws)?;
    cargo_fetch(ws)
}

fn wasm_target(ws: &Workspace) -> Result<(), String> {
    let label = format!("tool rust target {WASM_TARGET}");
    if ws.which("rustup").is_none() {
        // A toolchain without rustup (e.g. a distro rustc) manages its
        // targets itself; the wasm builds will say so if it is missing.
        println!("{label}: rustup not found, not checked");
        return Ok(());
    }
    let installed = ws
        .probe(ws.command("rustup").args(["target", "list", "--installed"]))
        .unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("{label}: present");
        return Ok(());
    }
    install(
        ws,
        &label,
        ws.command("rustup").args(["target", "add", WASM_TARGET]),
    )
}

/// The Debian package, and how to tell it is installed.
struct DebianPackage {
    name: &'static str,
    present: fn(&Workspace) -> bool,
}

fn debian_packages(ws: &Workspace, purpose: Purpose) -> Result<(), String> {
    let mut wanted = vec![
        // (wasm-opt comes from the npm package `binaryen`, not Debian's,
        // whose 108 corrupts wasm-bindgen 0.2.130 output; see Trunk.toml.)
        // The npm step and the end-to-end tests; usually preinstalled.
        DebianPackage {
            name: "nodejs",
            present: |ws| ws.which("node").is_some(),
        },
        DebianPackage {
            name: "npm",
            present: |ws| ws.which("npm").is_some(),
        },
    ];
    if purpose == Purpose::Test {
        wanted.extend([
            DebianPackage {
                name: "chromium",
                present: |_| Path::new("/usr/bin/chromium").exists(),
            },
            DebianPackage {
                name: "chromium-driver",
                present: |_| Path::new("/usr/bin/chromedriver").exists(),
            },
        ]);
    }
    let all: Vec<&str> = wanted.iter().map(|p| p.name).collect();
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|p| !(p.present)(ws))
        .map(|p| p.name)
        .collect();
    let label = format!("tool debian {}", all.join(" "));
    if missing.is_empty() {
        println!("{label}: present");
        return Ok(());
    }
    println!("{label}: installing {}", missing.join(" "));
    let started = Instant::now();
    ws.run(apt_get(ws)?.arg("update"))?;
    ws.run(
        apt_get(ws)?
            // With recommends, as measured in toolchain.md: Chromium's
            // recommended fonts keep screenshots legible.
            .args(["install", "-y"])
            .args(&missing),
    )?;
    println!(
        "{label}: installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `apt-get`, through sudo when we are not root.
fn apt_get(ws: &Workspace) -> Result<Command, String> {
    if ws.which("apt-get").is_none() {
        return Err("apt-get not found: install chromium and chromium-driver by hand".into());
    }
    let uid = ws.probe(ws.command("id").arg("-u")).unwrap_or_default();
    let mut cmd = if uid.trim() != "0" && ws.which("sudo").is_some() {
        let mut sudo = ws.command("sudo");
        // sudo drops the environment by default; keep apt non-interactive.
        sudo.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        sudo
    } else {
        ws.command("apt-get")
    };
    cmd.env("DEBIAN_FRONTEND", "noninteractive");
    Ok(cmd)
}

fn wasm_bindgen(ws: &Workspace) -> Result<(), String> {
    let lock_path = ws.path("Cargo.lock");
    if !lock_path.exists() {
        ws.run(ws.cargo().arg("generate-lockfile"))?;
    }
    let lock = fs::read_to_string(&lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let version = lock_package_version(&lock, "wasm-bindgen").ok_or(
        "Cargo.lock has no wasm-bindgen package: is the component crate in the workspace?",
    )?;
    let label = format!("tool wasm-bindgen {version}");
    // The CLI must equal the library version exactly (the generated glue
    // checks it), and Trunk only uses a PATH wasm-bindgen whose version
    // matches the lock file; otherwise it tries to download one.
    let reported = ws.probe(ws.command("wasm-bindgen").arg("--version"));
    let runner = ws.which("wasm-bindgen-test-runner").is_some();
    if runner && reported.is_some_and(|out| reports_version(&out, &version)) {
        println!("{label}: present");
        return Ok(());
    }
    // Without --locked: the CLI's own lock file names a crate version the
    // reachable registry lacks, so let cargo resolve afresh. That fresh
    // resolve may take a dependency release needing a newer rustc than
    // this one, and no setting guards it: for a registry install cargo
    // resolves as if `resolver.incompatible-rust-versions` were "allow",
    // whatever the config or CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS say
    // (`make_ws_rustc_target` in cargo's cargo_install.rs; its test
    // `cargo_install_ignores_msrv_config` sets that variable to "fallback"
    // and expects the newer release). If that happens, install with
    // `--path` from a copy of the crate's source, where the setting holds.
    install(
        ws,
        &label,
        ws.cargo().args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--force",
        ]),
    )
}

fn trunk(ws: &Workspace) -> Result<(), String> {
    let label = format!("tool trunk {TRUNK_VERSION}");
    let reported = ws.probe(ws.command("trunk").arg("--version"));
    if reported.is_some_and(|out| reports_version(&out, TRUNK_VERSION)) {
        println!("{label}: present");
        return Ok(());
    }
    install(
        ws,
        &label,
        ws.cargo()
            .args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]),
    )
}

pub fn wasm_pack(ws: &Workspace) -> Result<(), String> {
    let label = format!("tool wasm-pack {WASM_PACK_VERSION}");
    let reported = ws.probe(ws.command("wasm-pack").arg("--version"));
    if reported.is_some_and(|out| reports_version(&out, WASM_PACK_VERSION)) {
        println!("{label}: present");
        return Ok(());
    }
    install(
        ws,
        &label,
        ws.cargo().args([
            "install",
            "--locked",
            "wasm-pack",
            "--version",
            WASM_PACK_VERSION,
        ]),
    )
}

fn npm_deps(ws: &Workspace) -> Result<(), String> {
    let www = ws.path("www");
    let label = "tool npm deps (www)";
    let mtime = |p: &str| fs::metadata(www.join(p)).and_then(|m| m.modified()).ok();
    let Some(package_json) = mtime("package.json") else {
        println!("{label}: no www/package.json, nothing to install");
        return Ok(());
    };
    let state = NpmState {
        package_json,
        package_lock: mtime("package-lock.json"),
        node_modules: www.join("node_modules").is_dir(),
        installed_marker: mtime("node_modules/.package-lock.json"),
    };
    match state.action() {
        None => {
            println!("{label}: present");
            Ok(())
        }
        Some(args) => install(ws, label, ws.command("npm").args(args).current_dir(&www)),
    }
}

/// What the npm step sees on disk, kept apart so the decision is testable.
struct NpmState {
    package_json: SystemTime,
    package_lock: Option<SystemTime>,
    node_modules: bool,
    /// `node_modules/.package-lock.json`, which npm rewrites on every install.
    installed_marker: Option<SystemTime>,
}

impl NpmState {
    /// The npm arguments to run, or `None` when node_modules is up to date.
    fn action(&self) -> Option<&'static [&'static str]> {
        // `npm install`, not `npm ci`: it installs the lock file's versions
        // too, but the registry reachable here lacks rollup's (Vite's)
        // packages for other platforms, which a lock file written here
        // leaves out and `npm ci` then refuses as out of sync.
        let source = self
            .package_lock
            .map_or(self.package_json, |lock| lock.max(self.package_json));
        let fresh = self.node_modules && self.installed_marker.is_some_and(|m| m >= source);
        (!fresh).then_some(&["install", "--no-audit", "--no-fund"])
    }
}

/// Downloads dependencies up front so `trunk build --offline` and the other
/// stages never need the network; a no-op in well under a second when warm.
fn cargo_fetch(ws: &Workspace) -> Result<(), String> {
    println!("tool cargo fetch: checking");
    ws.run(ws.cargo().arg("fetch"))
}

fn install(ws: &Workspace, label: &str, cmd: &mut Command) -> Result<(), String> {
    println!("{label}: installing");
    let started = Instant::now();
    ws.run(cmd)?;
    println!(
        "{label}: installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The `version` of the first `[[package]]` called `name` in a Cargo.lock.
/// A line-based reader is enough: cargo writes the lock file in one fixed
/// layout (`name = "…"` then `version = "…"` in each package table).
pub fn lock_package_version(lock: &str, name: &str) -> Option<String> {
    let mut in_match = false;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            in_match = false;
        } else if let Some(value) = toml_string(line, "name") {
            in_match = value == name;
        } else if in_match {
            if let Some(value) = toml_string(line, "version") {
                return Some(value.to_string());
            }
        }
    }
    None
}

/// `key = "value"` → `value`.
fn toml_string<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

/// Whether `tool --version` output names exactly `version` as one word
/// (`wasm-bindgen 0.2.130`, `trunk 0.21.14`), so 0.2.13 does not pass for
/// 0.2.130.
pub fn reports_version(output: &str, version: &str) -> bool {
    output
        .split_whitespace()
        .map(|word| word.strip_prefix('v').unwrap_or(word))
        .any(|word| word == version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const LOCK: &str = r#"# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
 "wasm-bindgen-macro",
]

[[package]]
name = "xtask"
version = "0.1.0"
"#;

    #[test]
    fn finds_the_exact_package_in_the_lock_file() {
        assert_eq!(
            lock_package_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            lock_package_version(LOCK, "wasm-bindgen-backend").as_deref(),
            Some("0.2.99")
        );
        assert_eq!(
            lock_package_version(LOCK, "xtask").as_deref(),
            Some("0.1.0")
        );
    }

    #[test]
    fn lock_file_version_header_is_not_a_package() {
        assert_eq!(lock_package_version(LOCK, "missing"), None);
        assert_eq!(lock_package_version("version = 4\n", "wasm-bindgen"), None);
    }

    #[test]
    fn version_must_match_a_whole_word() {
        assert!(reports_version("wasm-bindgen 0.2.130\n", "0.2.130"));
        assert!(reports_version("trunk 0.21.14", "0.21.14"));
        assert!(reports_version("trunk v0.21.14", "0.21.14"));
        assert!(!reports_version("wasm-bindgen 0.2.13", "0.2.130"));
        assert!(!reports_version("wasm-bindgen 0.2.1300", "0.2.130"));
        assert!(!reports_version("trunk 0.22.0", "0.21.14"));
        assert!(!reports_version("", "0.21.14"));
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn npm_install_when_node_modules_missing_or_older_than_the_lock() {
        let install = Some(&["install", "--no-audit", "--no-fund"][..]);
        let mut state = NpmState {
            package_json: at(10),
            package_lock: Some(at(20)),
            node_modules: false,
            installed_marker: None,
        };
        assert_eq!(state.action(), install);
        state.node_modules = true;
        state.installed_marker = Some(at(15));
        assert_eq!(state.action(), install);
        state.installed_marker = Some(at(20));
        assert_eq!(state.action(), None);
        // A package.json edited after the lock counts too.
        state.package_json = at(25);
        assert_eq!(state.action(), install);
    }

    #[test]
    fn npm_install_without_a_lock_file() {
        let mut state = NpmState {
            package_json: at(10),
            package_lock: None,
            node_modules: false,
            installed_marker: None,
        };
        assert_eq!(
            state.action(),
            Some(&["install", "--no-audit", "--no-fund"][..])
        );
        state.node_modules = true;
        state.installed_marker = Some(at(30));
        assert_eq!(state.action(), None);
    }
}
