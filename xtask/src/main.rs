//! `cargo xtask …`: the project's commands (the alias lives in
//! .cargo/config.toml). Plain std and no dependencies, so it builds in
//! seconds on a fresh machine before any tool is installed.

mod bench;
mod demo;
mod os;
mod package;
mod server;
mod stage;
mod test;
mod tools;
mod wasm_opt;
mod workspace;

use std::process::ExitCode;

use workspace::Workspace;

fn usage() -> String {
    format!(
        "usage: cargo xtask <command>

commands:
  demo [--listen ADDR]   build the demo page and serve it with the reference
                         server (default 127.0.0.1:8080); Ctrl-C to stop
  test                   install missing tools, then run every check CI runs
                         {}
  bench {}
                         heavy measurements: a large upload to the
                         reference server vs. plain disk writes
  package                build the npm package into www/pkg (wasm-pack)

stages of `test`, in order: tools, fmt, clippy, clippy-wasm, host-tests,
server-tests, browser-tests, e2e",
        test::USAGE,
        bench::USAGE
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{}", usage());
        return ExitCode::from(2);
    };
    let ws = Workspace::detect();
    match command.as_str() {
        "demo" => demo::main(&ws, rest),
        "test" => test::main(&ws, rest),
        "bench" => bench::main(&ws, rest),
        "package" => package::main(&ws, rest),
        "help" | "-h" | "--help" => {
            println!("{}", usage());
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("error: unknown command `{other}`\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}
