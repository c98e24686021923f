//! The npm package's wasm-opt pass, run by xtask rather than by wasm-pack so
//! that its result can be kept: `-Oz --converge` over the package takes
//! 40-70 s on these machines, and every `cargo xtask test` builds the
//! package for its end-to-end tests. The same input with the same settings
//! gives the same output, so a run whose wasm did not change takes the last
//! result back. The settings stay where wasm-pack reads them
//! (`[package.metadata.wasm-pack.profile.release]` in Cargo.toml), so a
//! plain `wasm-pack build` still ships the same module.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::Path;

use crate::workspace::Workspace;

/// Where the last result is kept: one file per input, the older ones
/// removed by the next change.
const CACHE_DIR: &str = "target/wasm-opt-cache";

/// What wasm-pack's release profile asks of wasm-opt.
#[derive(Debug, PartialEq)]
enum Settings {
    Run(Vec<String>),
    /// `wasm-opt = false`: the module ships as wasm-bindgen wrote it.
    Off,
}

/// Optimises `wasm` in place with the package's wasm-opt settings, or takes
/// back the kept result of the same input. Anything wrong with the kept
/// result (missing, unreadable, a run beside this one replacing it) costs
/// a run of wasm-opt, never a wrong module.
pub fn optimise_package(ws: &Workspace, wasm: &Path) -> Result<(), String> {
    let manifest = read(&ws.path("Cargo.toml"))?;
    let args = match package_settings(&manifest)
        .ok_or("Cargo.toml has no wasm-opt settings for wasm-pack's release profile")?
    {
        Settings::Run(args) => args,
        Settings::Off => return Ok(()),
    };
    let input = fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    // The wasm-opt that will run, by its own word: PATH decides which one
    // that is (Debian's 108 corrupts this module; see Trunk.toml).
    let version = ws
        .command("wasm-opt")
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run wasm-opt: {e}"))?;
    let key = format!("{:016x}", key(&input, &args, &version.stdout));
    let cache = ws.path(CACHE_DIR);
    let kept = cache.join(format!("{key}.wasm"));
    let optimised = wasm.with_extension("opt.wasm");
    // Copied beside the module and renamed over it: a copy that fails
    // halfway leaves the module as it was, and wasm-opt runs instead.
    if fs::copy(&kept, &optimised).is_ok() && fs::rename(&optimised, wasm).is_ok() {
        println!(
            "wasm-opt: the same module as last time, its result kept in {}",
            kept.display()
        );
        return Ok(());
    }
    ws.run(
        ws.command("wasm-opt")
            .arg(wasm)
            .arg("-o")
            .arg(&optimised)
            .args(&args),
    )?;
    fs::rename(&optimised, wasm)
        .map_err(|e| format!("cannot move {} into place: {e}", optimised.display()))?;
    // A cache that cannot be written costs the next run time, not this one.
    // Written under a name of its own and renamed into place, so an entry
    // is whole or absent, whatever stops this run.
    if fs::create_dir_all(&cache).is_ok() {
        let partial = cache.join(format!("{key}.{}.partial", std::process::id()));
        if fs::copy(wasm, &partial).is_ok() && fs::rename(&partial, &kept).is_ok() {
            forget_others(&cache, &kept);
        } else {
            let _ = fs::remove_file(&partial);
        }
    }
    Ok(())
}

/// Removes the cache's other entries: results of modules built before.
fn forget_others(cache: &Path, kept: &Path) {
    let Ok(entries) = fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // `.partial`: a copy a stopped run left behind.
        if path != kept
            && path
                .extension()
                .is_some_and(|e| e == "wasm" || e == "partial")
        {
            let _ = fs::remove_file(path);
        }
    }
}

/// The `wasm-opt` setting of `[package.metadata.wasm-pack.profile.release]`:
/// a list of arguments, or `false`.
fn package_settings(manifest: &str) -> Option<Settings> {
    let mut in_section = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[package.metadata.wasm-pack.profile.release]";
            continue;
        }
        let Some(value) = in_section
            .then(|| line.strip_prefix("wasm-opt"))
            .flatten()
            .and_then(|rest| rest.trim_start().strip_prefix('='))
            .map(str::trim)
        else {
            continue;
        };
        if value == "false" {
            return Some(Settings::Off);
        }
        let list = value.strip_prefix('[')?.strip_suffix(']')?;
        return list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| Some(item.strip_prefix('"')?.strip_suffix('"')?.to_owned()))
            .collect::<Option<Vec<_>>>()
            .map(Settings::Run);
    }
    None
}

/// What the output depends on: the module, the settings and the optimiser
/// (its `--version`). `DefaultHasher::new()` has fixed keys, so the key is
/// the same from one run to the next (a new Rust may change it: one run
/// without the cache).
fn key(input: &[u8], args: &[String], optimiser: &[u8]) -> u64 {
    let mut hash = DefaultHasher::new();
    input.hash(&mut hash);
    args.hash(&mut hash);
    optimiser.hash(&mut hash);
    hash.finish()
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
