//! Upload throughput of the reference server, as a ratio to what the disk
//! itself does in the same run, and the server's peak memory.
//!
//! ```text
//! cargo run --release -p tracker-attachments-server --example upload_bench -- --bytes 1GiB \
//!     [--server-bin target/release/tracker-attachments-server] [--runs 3] [--dir /tmp]
//! ```
//!
//! Each run (median of `--runs`, default 3):
//! (a) a plain buffered copy of the N-byte source file to a new file on the
//!     same disk, fsync included (what `dd conv=fsync` measures);
//! (b) a fresh server on 127.0.0.1:0 with its data dir on that disk, and one
//!     multipart upload of the same file to `POST /v2/attachments/`,
//!     streamed from disk by reqwest (the server fsyncs before answering);
//! then the server's peak RSS (`VmHWM` from /proc/<pid>/status).
//! Prints a Markdown table, and on its last line a JSON object with the
//! medians. Every temporary file is removed, on failure too.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};

const MIB: f64 = 1024.0 * 1024.0;
const BLOCK: usize = 1024 * 1024;
const TOKEN: &str = "dev-token";
const ORG: &str = "dev-org";

struct Args {
    bytes: u64,
    server_bin: Option<PathBuf>,
    runs: usize,
    dir: PathBuf,
}

fn usage() -> String {
    "usage: upload_bench --bytes N[KiB|MiB|GiB] [--server-bin PATH] [--runs N] [--dir DIR]".into()
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        bytes: 0,
        server_bin: None,
        runs: 3,
        dir: std::env::temp_dir(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{}", usage()))
        };
        match flag.as_str() {
            "--bytes" => args.bytes = parse_size(&value()?)?,
            "--server-bin" => args.server_bin = Some(PathBuf::from(value()?)),
            "--runs" => args.runs = value()?.parse().map_err(|_| usage())?,
            "--dir" => args.dir = PathBuf::from(value()?),
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    if args.bytes == 0 || args.runs == 0 {
        return Err(usage());
    }
    Ok(args)
}

/// `268435456`, `256MiB`, `1GiB`, `64M`, `512KiB`.
fn parse_size(value: &str) -> Result<u64, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number.parse().map_err(|_| format!("bad size {value:?}"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => return Err(format!("bad size unit in {value:?}")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("size {value:?} too large"))
}

/// Removed on drop, whatever happened.
struct TempRoot(PathBuf);

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Killed on drop, whatever happened.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(bin: &Path, data_dir: &Path, max_upload: u64) -> Result<Self, String> {
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--max-upload-bytes", &max_upload.to_string()])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server {
            child,
            base: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| "the server printed no address".to_owned())?;
        server.base = line
            .trim_end()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected first line {line:?}"))?
            .to_owned();
        Ok(server)
    }

    /// Peak resident memory so far, in bytes.
    fn peak_rss(&self) -> Result<u64, String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .map_err(|e| format!("reading /proc: {e}"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
            .ok_or_else(|| "no VmHWM in /proc/<pid>/status".to_owned())
    }
}

/// The server next to this example (`target/<profile>/`), built if missing.
fn server_bin(explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(bin) = explicit {
        return bin
            .is_file()
            .then_some(bin.clone())
            .ok_or_else(|| format!("{} does not exist", bin.display()));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // target/<profile>/examples/upload_bench -> target/<profile>/
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot locate the target directory")?;
    let bin = profile_dir.join("tracker-attachments-server");
    if !bin.is_file() {
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        eprintln!("building the server ({})", bin.display());
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command.args([
            "build",
            "-p",
            "tracker-attachments-server",
            "--bin",
            "tracker-attachments-server",
        ]);
        if release {
            command.arg("--release");
        }
        let status = command.status().map_err(|e| e.to_string())?;
        if !status.success() || !bin.is_file() {
            return Err(format!(
                "could not build {}; pass --server-bin",
                bin.display()
            ));
        }
    }
    Ok(bin)
}

/// N bytes of xorshift output: nothing on the way can compress it.
fn write_source(path: &Path, bytes: u64) -> Result<(), String> {
    let mut file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut block = vec![0u8; BLOCK];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut left = bytes;
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(BLOCK as u64) as usize;
        file.write_all(&block[..n]).map_err(|e| e.to_string())?;
        left -= n as u64;
    }
    // On disk before anything is timed, so no timed fsync pays for it.
    file.sync_all().map_err(|e| e.to_string())
}

/// (a): read the source and write it to a new file in 1 MiB blocks, fsync.
fn plain_write(source: &Path, target: &Path) -> Result<Duration, String> {
    let start = Instant::now();
    let mut input = std::fs::File::open(source).map_err(|e| e.to_string())?;
    let mut output = std::fs::File::create(target).map_err(|e| e.to_string())?;
    let mut block = vec![0u8; BLOCK];
    loop {
        let n = input.read(&mut block).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        output.write_all(&block[..n]).map_err(|e| e.to_string())?;
    }
    output.sync_all().map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    drop(output);
    let _ = std::fs::remove_file(target);
    Ok(elapsed)
}

/// (b): one multipart upload of the source, streamed from disk.
async fn upload(server: &Server, source: &Path, bytes: u64) -> Result<Duration, String> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let file = tokio::fs::File::open(source)
        .await
        .map_err(|e| e.to_string())?;
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024);
    let part = Part::stream_with_length(reqwest::Body::wrap_stream(stream), bytes)
        .file_name("bench.bin")
        .mime_str("application/octet-stream")
        .map_err(|e| e.to_string())?;
    let response = client
        .post(format!("{}/v2/attachments/", server.base))
        .header("Authorization", format!("OAuth {TOKEN}"))
        .header("X-Org-ID", ORG)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .map_err(|e| format!("upload: {e}"))?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("upload answer: {e}"))?;
    let elapsed = start.elapsed();
    if status != reqwest::StatusCode::CREATED || body["size"].as_u64() != Some(bytes) {
        return Err(format!("upload failed: {status} {body}"));
    }
    Ok(elapsed)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

async fn run(args: Args) -> Result<(), String> {
    let bin = server_bin(args.server_bin.clone())?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .subsec_nanos();
    let root = TempRoot(
        args.dir
            .join(format!("ta-upload-bench-{}-{nanos}", std::process::id())),
    );
    std::fs::create_dir_all(&root.0).map_err(|e| e.to_string())?;
    let source = root.0.join("source.bin");
    eprintln!(
        "generating {:.0} MiB of incompressible data in {}",
        args.bytes as f64 / MIB,
        root.0.display()
    );
    write_source(&source, args.bytes)?;

    let mib = args.bytes as f64 / MIB;
    let (mut plain, mut uploads, mut ratios, mut rss) = (vec![], vec![], vec![], vec![]);
    for n in 1..=args.runs {
        let plain_time = plain_write(&source, &root.0.join("plain.bin"))?;
        let data_dir = root.0.join(format!("data-{n}"));
        let server = Server::start(&bin, &data_dir, args.bytes.max(1 << 20) + (1 << 20))?;
        let upload_time = upload(&server, &source, args.bytes).await?;
        let peak = server.peak_rss()? as f64 / MIB;
        drop(server);
        let _ = std::fs::remove_dir_all(&data_dir);

        let plain_rate = mib / plain_time.as_secs_f64();
        let upload_rate = mib / upload_time.as_secs_f64();
        eprintln!(
            "run {n}: plain write {plain_rate:.0} MiB/s, upload {upload_rate:.0} MiB/s, server peak RSS {peak:.1} MiB"
        );
        plain.push(plain_rate);
        uploads.push(upload_rate);
        ratios.push(upload_rate / plain_rate);
        rss.push(peak);
    }

    let row = |name: &str, unit: &str, values: &[f64], digits: usize| {
        let runs: Vec<String> = values.iter().map(|v| format!("{v:.digits$}")).collect();
        println!(
            "| {name} | {unit} | {} | **{:.digits$}** |",
            runs.join(" | "),
            median(values)
        );
    };
    println!(
        "\nUpload of {:.0} MiB over loopback ({} runs; server `{}`)\n",
        mib,
        args.runs,
        bin.display()
    );
    let headers: Vec<String> = (1..=args.runs).map(|n| format!("run {n}")).collect();
    println!("| measure | unit | {} | median |", headers.join(" | "));
    println!("|---|---|{}---|", "---|".repeat(args.runs));
    row("(a) plain write + fsync", "MiB/s", &plain, 0);
    row("(b) multipart upload to the server", "MiB/s", &uploads, 0);
    row("ratio (b)/(a)", "", &ratios, 2);
    row("server peak RSS (VmHWM)", "MiB", &rss, 1);
    println!();
    println!(
        "{}",
        serde_json::json!({
            "bytes": args.bytes,
            "runs": args.runs,
            "plain_write_mib_s": (median(&plain) * 10.0).round() / 10.0,
            "upload_mib_s": (median(&uploads) * 10.0).round() / 10.0,
            "ratio": (median(&ratios) * 1000.0).round() / 1000.0,
            "server_peak_rss_mib": (median(&rss) * 10.0).round() / 10.0,
        })
    );
    Ok(())
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    if let Err(message) = run(args).await {
        eprintln!("upload_bench: {message}");
        std::process::exit(1);
    }
}
