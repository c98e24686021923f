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

/// Where the last result is kept: one file, replaced by the next change.
const CACHE_DIR: &str = "target/wasm-opt-cache";
/// The binaryen package whose wasm-opt runs (its version is part of the key).
const BINARYEN_MANIFEST: &str = "www/node_modules/binaryen/package.json";

/// Optimises `wasm` in place with the package's wasm-opt settings, or takes
/// back the kept result of the same input.
pub fn optimise_package(ws: &Workspace, wasm: &Path) -> Result<(), String> {
    let manifest = read(&ws.path("Cargo.toml"))?;
    let args = package_settings(&manifest)
        .ok_or("Cargo.toml has no wasm-opt settings for wasm-pack's release profile")?;
    let input = fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let binaryen = fs::read_to_string(ws.path(BINARYEN_MANIFEST)).unwrap_or_default();
    let kept = ws
        .path(CACHE_DIR)
        .join(format!("{:016x}.wasm", key(&input, &args, &binaryen)));
    if kept.is_file() {
        println!(
            "wasm-opt: the same module as last time, its result kept in {}",
            kept.display()
        );
        return copy(&kept, wasm);
    }
    let optimised = wasm.with_extension("opt.wasm");
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
    let _ = fs::remove_dir_all(ws.path(CACHE_DIR));
    if fs::create_dir_all(ws.path(CACHE_DIR)).is_ok() {
        let _ = fs::copy(wasm, &kept);
    }
    Ok(())
}

/// The `wasm-opt = [...]` list of `[package.metadata.wasm-pack.profile.release]`.
fn package_settings(manifest: &str) -> Option<Vec<String>> {
    let mut in_section = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[package.metadata.wasm-pack.profile.release]";
            continue;
        }
        let Some(list) = in_section
            .then(|| line.strip_prefix("wasm-opt"))
            .flatten()
            .and_then(|rest| rest.trim_start().strip_prefix('='))
        else {
            continue;
        };
        let list = list.trim().strip_prefix('[')?.strip_suffix(']')?;
        return list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| Some(item.strip_prefix('"')?.strip_suffix('"')?.to_owned()))
            .collect();
    }
    None
}

/// What the output depends on: the module, the settings and the optimiser.
/// `DefaultHasher::new()` has fixed keys, so the key is the same from one
/// run to the next (a new Rust may change it: one run without the cache).
fn key(input: &[u8], args: &[String], binaryen: &str) -> u64 {
    let mut hash = DefaultHasher::new();
    input.hash(&mut hash);
    args.hash(&mut hash);
    binaryen.hash(&mut hash);
    hash.finish()
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_are_read_from_wasm_packs_release_profile() {
        let manifest = r#"
[package.metadata.wasm-pack.profile.dev]
wasm-opt = false

[package.metadata.wasm-pack.profile.release]
# why
wasm-opt = ["-Oz", "--converge", "--strip-debug"]

[profile.release]
"#;
        assert_eq!(
            package_settings(manifest).unwrap(),
            ["-Oz", "--converge", "--strip-debug"]
        );
        assert_eq!(package_settings("[package]\nwasm-opt = [\"-O\"]\n"), None);
        assert_eq!(
            package_settings("[package.metadata.wasm-pack.profile.release]\nwasm-opt = [-Oz]\n"),
            None
        );
    }

    #[test]
    fn the_real_manifest_has_settings() {
        let manifest = include_str!("../../Cargo.toml");
        let args = package_settings(manifest).expect("settings in Cargo.toml");
        assert!(args.iter().any(|a| a == "-Oz"), "{args:?}");
    }

    #[test]
    fn the_key_changes_with_each_input() {
        let args = vec!["-Oz".to_owned()];
        let base = key(b"module", &args, "132");
        assert_eq!(base, key(b"module", &args, "132"));
        assert_ne!(base, key(b"module!", &args, "132"));
        assert_ne!(base, key(b"module", &["-O".to_owned()], "132"));
        assert_ne!(base, key(b"module", &args, "133"));
    }
}
