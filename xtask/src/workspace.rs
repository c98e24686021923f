//! Where the workspace is, which `cargo` to call, and the environment every
//! child process gets. Every command xtask runs is built here so that the
//! working directory and PATH are right no matter where `cargo xtask` was
//! started from.

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Workspace {
    pub root: PathBuf,
    /// The cargo that launched us (`CARGO`), so a pinned toolchain is kept.
    cargo: OsString,
    /// PATH for children: the inherited one with two directories in front.
    /// `~/.cargo/bin`, because a fresh shell on CI may not have it on PATH
    /// yet and that is where `cargo install` puts trunk and wasm-bindgen.
    /// `www/node_modules/.bin`, for the wasm-opt of the npm package
    /// `binaryen` that Trunk.toml pins (Debian's is too old); it has to come
    /// before /usr/bin so Trunk finds that one first.
    path: OsString,
}

impl Workspace {
    pub fn detect() -> Workspace {
        // `cargo run` sets CARGO_MANIFEST_DIR at run time; the compile-time
        // value is the fallback for running target/debug/xtask directly.
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(manifest_dir);
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let cargo_bin = env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
            .map(|home| home.join("bin"));
        let path = child_path(&root, env::var_os("PATH").unwrap_or_default(), cargo_bin);
        Workspace { root, cargo, path }
    }

    pub fn path(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    /// A command run in the workspace root with the child PATH. std resolves
    /// the program with the PATH given to the child, so tools that were just
    /// installed into `~/.cargo/bin` are found too.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root).env("PATH", &self.path);
        cmd
    }

    pub fn cargo(&self) -> Command {
        self.command(&self.cargo)
    }

    /// Runs a command with inherited stdio, echoing it first, and turns a
    /// non-zero exit into an error that names the command.
    pub fn run(&self, cmd: &mut Command) -> Result<(), String> {
        let shown = self.describe(cmd);
        println!("$ {shown}");
        let status = cmd
            .status()
            .map_err(|e| format!("could not start `{shown}`: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{shown}` failed ({status})"))
        }
    }

    /// Captures stdout of a probe such as `trunk --version`; `None` when the
    /// program is missing or fails, which callers read as "not installed".
    pub fn probe(&self, cmd: &mut Command) -> Option<String> {
        let out = cmd
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Looks a program up on the child PATH (not ours, see `path`).
    pub fn which(&self, name: &str) -> Option<PathBuf> {
        env::split_paths(&self.path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    }

    /// `program arg arg`, plus `(in DIR)` when not run from the root.
    fn describe(&self, cmd: &Command) -> String {
        let program = Path::new(cmd.get_program());
        // Show `cargo` rather than the toolchain's full path to it.
        let mut text = match program.file_name() {
            Some(name) if cmd.get_program() == self.cargo => name.to_string_lossy().into_owned(),
            _ => program.to_string_lossy().into_owned(),
        };
        for arg in cmd.get_args() {
            let arg = arg.to_string_lossy();
            text.push(' ');
            if arg.is_empty() || arg.contains([' ', '*', '\'', '"']) {
                text.push('\'');
                text.push_str(&arg);
                text.push('\'');
            } else {
                text.push_str(&arg);
            }
        }
        if let Some(dir) = cmd.get_current_dir() {
            if dir != self.root {
                let dir = dir.strip_prefix(&self.root).unwrap_or(dir);
                text.push_str(&format!("  (in {})", dir.display()));
            }
        }
        text
    }
}

/// The inherited PATH with cargo's and the npm packages' bin directories
/// moved to the front (see `Workspace::path`).
fn child_path(root: &Path, inherited: OsString, cargo_bin: Option<PathBuf>) -> OsString {
    let npm_bin = root.join("www/node_modules/.bin");
    let front: Vec<PathBuf> = cargo_bin.into_iter().chain([npm_bin]).collect();
    let rest = env::split_paths(&inherited).filter(|dir| !front.contains(dir));
    env::join_paths(front.iter().cloned().chain(rest)).unwrap_or(inherited)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_directories_come_first_once() {
        let path = child_path(
            Path::new("/ws"),
            "/usr/bin:/root/.cargo/bin:/bin".into(),
            Some("/root/.cargo/bin".into()),
        );
        assert_eq!(
            path,
            "/root/.cargo/bin:/ws/www/node_modules/.bin:/usr/bin:/bin"
        );
    }

    #[test]
    fn without_a_home_only_npm_is_added() {
        let path = child_path(Path::new("/ws"), "/usr/bin".into(), None);
        assert_eq!(path, "/ws/www/node_modules/.bin:/usr/bin");
    }
}
