//! `cargo xtask package`: the npm package `tracker-attachments` in
//! `www/pkg/`. wasm-pack builds the module (`--target web`, which Vite and a
//! plain script tag both load without plugins); the hand-written entry,
//! types, README and package.json come from `www/package/`. Its JavaScript
//! ships minified, as FilePond's, Uppy's and Dropzone's does.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::tools::{self, Purpose};
use crate::wasm_opt;
use crate::workspace::Workspace;

/// Files of `www/package/` copied as they are (package.json is filled in).
const TEMPLATE_FILES: [&str; 3] = ["index.js", "index.d.ts", "README.md"];
/// What wasm-pack makes that the package ships.
const BUILT_FILES: [&str; 2] = ["tracker_attachments.js", "tracker_attachments_bg.wasm"];
/// The licences at the repository's root, shipped as they are.
const LICENSE_FILES: [&str; 2] = ["LICENSE-MIT", "LICENSE-APACHE"];
const VERSION_PLACEHOLDER: &str = "0.0.0-set-by-xtask";

pub fn main(ws: &Workspace, args: &[String]) -> ExitCode {
    if let Some(arg) = args.first() {
        eprintln!("error: unknown argument `{arg}`\nusage: cargo xtask package");
        return ExitCode::from(2);
    }
    let built = tools::bootstrap(ws, Purpose::Demo)
        .and_then(|()| tools::wasm_pack(ws))
        .and_then(|()| build(ws));
    match built {
        Ok(dir) => {
            println!("package: {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the package into `www/pkg/` and returns that directory.
pub fn build(ws: &Workspace) -> Result<PathBuf, String> {
    let out = ws.path("target/wasm-pack");
    remove_dir(&out)?;
    ws.run(
        ws.command("wasm-pack")
            .args([
                "build",
                "--mode",
                "no-install",
                "--target",
                "web",
                "--release",
                "--no-typescript",
                "--no-pack",
                // wasm_opt.rs runs it, with the same settings, and keeps
                // the result for the next build of the same module.
                "--no-opt",
                "--out-name",
                "tracker_attachments",
                "--out-dir",
            ])
            .arg(&out)
            .arg(ws.path("."))
            // The root is also the workspace: without this, cargo would build
            // the default members (the server too) for wasm.
            .args(["--", "-p", "tracker-attachments"]),
    )?;
    wasm_opt::optimise_package(ws, &out.join("tracker_attachments_bg.wasm"))?;

    let pkg = ws.path("www/pkg");
    remove_dir(&pkg)?;
    fs::create_dir_all(&pkg).map_err(|e| format!("cannot create {}: {e}", pkg.display()))?;
    let template = ws.path("www/package");
    let manifest = read(&ws.path("Cargo.toml"))?;
    let version = workspace_version(&manifest).ok_or("Cargo.toml has no version")?;
    let package_json = read(&template.join("package.json"))?;
    write(
        &pkg.join("package.json"),
        &with_version(&package_json, &version)?,
    )?;
    for name in TEMPLATE_FILES {
        copy(&template.join(name), &pkg.join(name))?;
    }
    for name in LICENSE_FILES {
        copy(&ws.path(name), &pkg.join(name))?;
    }
    for name in BUILT_FILES {
        copy(&out.join(name), &pkg.join(name))?;
    }
    copy_tree(&out.join("snippets"), &pkg.join("snippets"))?;
    minify_scripts(ws, &pkg)?;
    Ok(pkg)
}

/// Minifies every JavaScript file of the package in place, each on its own
/// so the modules and their relative imports stay as they are: 18.3 KB
/// gzip as wasm-bindgen and we write them, 11.7 KB minified (README
/// "Sizes"). Minifying renames locals and drops comments only: exports,
/// property names (the wasm's imports are looked up by them) and
/// `import.meta.url` are kept, and the end-to-end tests load the minified
/// package in Vite and from a script tag.
fn minify_scripts(ws: &Workspace, pkg: &Path) -> Result<(), String> {
    let mut scripts = Vec::new();
    scripts_in(pkg, &mut scripts)?;
    scripts.sort();
    for script in scripts {
        ws.run(
            ws.command("esbuild")
                .arg(&script)
                .args(["--minify", "--format=esm", "--log-level=warning"])
                .arg(format!("--outfile={}", script.display()))
                .arg("--allow-overwrite"),
        )?;
    }
    Ok(())
}

fn scripts_in(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            scripts_in(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "js") {
            found.push(path);
        }
    }
    Ok(())
}

/// The first `version = "…"` of the root manifest: `[workspace.package]`'s,
/// which every crate of the workspace inherits.
fn workspace_version(manifest: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let value = line.trim().strip_prefix("version")?.trim_start();
        let value = value.strip_prefix('=')?.trim();
        Some(value.strip_prefix('"')?.strip_suffix('"')?.to_owned())
    })
}

fn with_version(package_json: &str, version: &str) -> Result<String, String> {
    if !package_json.contains(VERSION_PLACEHOLDER) {
        return Err(format!(
            "www/package/package.json must carry the version {VERSION_PLACEHOLDER:?}"
        ));
    }
    Ok(package_json.replace(VERSION_PLACEHOLDER, version))
}

fn remove_dir(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot list {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", from.display()))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            copy(&entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_workspace_one() {
        let manifest = "[workspace]\nmembers = [\".\"]\n\n[workspace.package]\nversion = \"1.2.3\"\n\n[package]\nname = \"x\"\nversion.workspace = true\n";
        assert_eq!(workspace_version(manifest).as_deref(), Some("1.2.3"));
        assert_eq!(workspace_version("[package]\nname = \"x\"\n"), None);
    }

    #[test]
    fn the_template_must_carry_the_placeholder() {
        let filled = with_version("{\"version\": \"0.0.0-set-by-xtask\"}", "0.4.0").unwrap();
        assert_eq!(filled, "{\"version\": \"0.4.0\"}");
        assert!(with_version("{\"version\": \"1.0.0\"}", "0.4.0").is_err());
    }

    #[test]
    fn the_real_template_and_manifest_fit_together() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let version = workspace_version(&manifest).unwrap();
        let template = fs::read_to_string(root.join("www/package/package.json")).unwrap();
        let filled = with_version(&template, &version).unwrap();
        assert!(filled.contains(&format!("\"version\": \"{version}\"")));
        for name in TEMPLATE_FILES.iter().chain(&BUILT_FILES) {
            assert!(template.contains(&format!("\"{name}\"")), "{name} in files");
        }
    }
}
