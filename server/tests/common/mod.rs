//! Shared by the integration tests: servers on 127.0.0.1:0 (in-process from
//! the library, or the real binary), temporary data directories, and checks
//! of the two error shapes. Each test file uses a different subset.
#![allow(dead_code)]

use std::future::Future;
use std::io::{BufRead, BufReader, Cursor};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tracker_attachments_server::Config;

pub const TOKEN: &str = "dev-token";
pub const ORG: &str = "dev-org";
/// base64("dev@example.com:dev-token"): the dev server's Jira Basic credentials.
pub const JIRA_BASIC: &str = "Basic ZGV2QGV4YW1wbGUuY29tOmRldi10b2tlbg==";

/// A directory that disappears with the test.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // The data dir sits one level down so that a path escaping it (the
        // traversal tests) would still land inside our own directory.
        let root =
            std::env::temp_dir().join(format!("ta-server-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        Self(root)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.0.join("data")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The router from the library, served on an ephemeral port of this process.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(config: Config) -> Self {
        // Bound first, as the binary does: proxy mode serves only requests
        // addressed to the bound port.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            listen: addr,
            ..config
        };
        let app = tracker_attachments_server::app(config.clone())
            .await
            .unwrap();
        let task = tokio::spawn(async move {
            tracker_attachments_server::serve(listener, app, &config, std::future::pending()).await;
        });
        Self {
            base: format!("http://{addr}"),
            client: client(),
            task,
        }
    }

    pub async fn with_dir(dir: &TempDir) -> Self {
        Self::start(Config::with_data_dir(dir.data_dir())).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A Tracker request with the right token and organisation.
    pub fn authed(&self, method: Method, url: &str) -> RequestBuilder {
        self.client
            .request(method, url)
            .header("Authorization", format!("OAuth {TOKEN}"))
            .header("X-Org-ID", ORG)
    }

    pub fn get(&self, url: &str) -> RequestBuilder {
        self.authed(Method::GET, url)
    }

    /// A Jira request with Bearer auth (no organisation: Jira has none).
    pub fn jira(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("Authorization", format!("Bearer {TOKEN}"))
    }

    pub fn upload_request(&self, form: Form) -> RequestBuilder {
        self.authed(Method::POST, &self.url("/v2/attachments/"))
            .multipart(form)
    }

    pub async fn upload(&self, bytes: Vec<u8>, file_name: &str, mime: Option<&str>) -> Response {
        self.upload_request(file_form("file", bytes, file_name, mime))
            .send()
            .await
            .unwrap()
    }

    /// T1, expecting 201; the attachment object.
    pub async fn upload_ok(&self, bytes: Vec<u8>, file_name: &str) -> Value {
        json(
            self.upload(bytes, file_name, None).await,
            StatusCode::CREATED,
        )
        .await
    }

    /// A Tracker JSON request.
    pub async fn send_json(&self, method: Method, path: &str, body: Value) -> Response {
        self.authed(method, &self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Tests talk to 127.0.0.1 only and never through a proxy from the environment.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// The real binary, started on 127.0.0.1:0; killed on drop.
pub struct ChildServer {
    child: Child,
    pub base: String,
}

impl ChildServer {
    pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Self {
        Self::spawn_logging(args, envs, None)
    }

    /// As `spawn`, with the server's log (stderr) written to `log`.
    pub fn spawn_logging(args: &[&str], envs: &[(&str, &str)], log: Option<&Path>) -> Self {
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::null(),
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_tracker-attachments-server"));
        command
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        for (name, value) in envs {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = ChildServer {
            child,
            base: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server printed no address");
        server.base = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM (what a service manager stops it with) and waits,
    /// up to `timeout`, for the process to end; its exit status.
    pub async fn terminate(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server was still running {timeout:?} after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("no VmHWM line");
        let kib: u64 = line
            .trim_start_matches("VmHWM:")
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap();
        kib * 1024
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn file_form(field: &str, bytes: Vec<u8>, file_name: &str, mime: Option<&str>) -> Form {
    let mut part = Part::bytes(bytes).file_name(file_name.to_owned());
    if let Some(mime) = mime {
        part = part.mime_str(mime).unwrap();
    }
    Form::new().part(field.to_owned(), part)
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    encode(DynamicImage::ImageRgb8(image), ImageFormat::Png)
}

/// A PNG that does not compress: random pixels.
pub fn noisy_png(width: u32, height: u32) -> Vec<u8> {
    let pixels = noise((width * height * 3) as usize, 99);
    let image = RgbImage::from_raw(width, height, pixels).unwrap();
    encode(DynamicImage::ImageRgb8(image), ImageFormat::Png)
}

pub fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// Deterministic bytes that do not compress.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub async fn json(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Asserts the Tracker error shape and returns the message.
pub async fn error_message(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorsData"], serde_json::json!({}), "{body}");
    assert!(body["errors"].is_object(), "{body}");
    assert_eq!(body["statusCode"], status.as_u16(), "{body}");
    let messages = body["errorMessages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    messages[0].as_str().unwrap().to_owned()
}

/// Asserts the Jira error shape and returns the message.
pub async fn jira_error(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    let object = body.as_object().unwrap();
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["errorMessages", "errors", "status"], "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    let messages = body["errorMessages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    messages[0].as_str().unwrap().to_owned()
}

/// `YYYY-MM-DDThh:mm:ss.sss+0000`, checked character by character.
pub fn assert_tracker_timestamp(value: &str) {
    assert_eq!(value.len(), 28, "{value}");
    for (i, c) in value.chars().enumerate() {
        let expected_ok = match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            19 => c == '.',
            23 => c == '+',
            _ => c.is_ascii_digit(),
        };
        assert!(expected_ok, "unexpected {c:?} at {i} in {value}");
    }
    assert!(value.ends_with("+0000"), "{value}");
}

/// Every file under `dir`, relative to it.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

pub fn dir_is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}

/// Asserts that nothing was written under `root` except `data/` with its
/// known layout, and that stored files are named by id only.
pub fn assert_only_data_layout(root: &Path) {
    for file in walk(root) {
        assert!(
            file.starts_with("data"),
            "written outside the data dir: {}",
            file.display()
        );
        let inner = file.strip_prefix("data").unwrap();
        let first = inner
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            ["files", "thumbs", "tmp", "flow"].contains(&first.as_str())
                || first.starts_with("meta.sqlite3"),
            "unexpected {}",
            file.display()
        );
        if first == "files" {
            let name = inner.file_name().unwrap().to_str().unwrap();
            assert!(name.bytes().all(|b| b.is_ascii_digit()), "stored as {name}");
        }
    }
}

/// Polls `check` until it holds or `timeout` passes: waiting for a condition,
/// never for a fixed time.
pub async fn wait_until<F, Fut>(timeout: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An address where every connection is refused for as long as the
/// returned socket lives. A port taken from the OS and let go again is not
/// that: a test running alongside may bind 127.0.0.1:0 and be given it
/// (12 times in 100,000 binds, tried). This socket keeps the port bound,
/// and without `SO_REUSEADDR` (with it, Linux lets a second socket that
/// sets it too share a port no one listens on) no other socket gets it;
/// but it never listens, so a connection attempt is answered with a reset
/// (ECONNREFUSED), at once: a listener that never accepts would instead
/// take the connection and leave the request hanging.
pub fn refusing_address() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(false).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let refused = std::net::TcpStream::connect(address).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    (socket, address)
}
