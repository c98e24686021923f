//! What an upload may hold, and for how long: the memory of a thumbnail
//! render, the open files of a many-file Jira request, a connection whose
//! body stopped arriving, and partial files that nobody owns any more; and
//! what a download may: a client that stops reading holds its connection
//! and the open file only for the write idle time.

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tracker_attachments_server::Config;

/// Short, so a stalled request is answered at once; see `slow_but_steady`.
const IDLE: Duration = Duration::from_millis(300);
/// How long a test waits for an answer the server owes it.
const ANSWER_WAIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// Thumbnails

/// Appends bits to a deflate stream, least significant first.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    len: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.len;
        self.len += count;
        while self.len >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    /// Huffman codes go most significant bit first.
    fn code(&mut self, code: u32, count: u32) {
        self.put(code.reverse_bits() >> (32 - count), count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.len > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A zlib stream of `n` zero bytes: one fixed-Huffman block, a literal
/// zero and then copies of 258 bytes at distance 1 (13 bits each).
fn zlib_zeros(n: u64) -> Vec<u8> {
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        len: 0,
    };
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    let literal_zero = |bits: &mut Bits| bits.code(0x30, 8);
    literal_zero(&mut bits);
    let rest = n - 1;
    for _ in 0..rest / 258 {
        bits.code(0xC5, 8); // length 258
        bits.code(0, 5); // distance 1
    }
    for _ in 0..rest % 258 {
        literal_zero(&mut bits);
    }
    bits.code(0, 7); // end of block
    let mut out = bits.finish();
    // Adler-32 of zeros: a stays 1, b counts the bytes.
    let adler = ((n % 65_521) << 16) | 1;
    out.extend_from_slice(&(adler as u32).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A valid, all-black PNG of one bit per pixel (a one-colour palette),
/// which decoders expand to 3 bytes per pixel: 16384 x 6000 is about
/// 80 KB here and 281 MiB decoded.
fn black_png(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[1, 3, 0, 0, 0]); // 1 bit, palette
    let raw = u64::from(height) * (1 + u64::from(width.div_ceil(8)));
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(&mut png, b"PLTE", &[0, 0, 0]);
    png_chunk(&mut png, b"IDAT", &zlib_zeros(raw));
    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// Decoding it would take more memory than one render may (256 MiB):
/// stored all the same, without a thumbnail, as an undecodable image is;
/// and the server goes on answering.
#[tokio::test]
async fn an_image_too_large_to_decode_is_stored_without_a_thumbnail() {
    let (width, height) = (16_384, 6_000);
    assert!(u64::from(width) * u64::from(height) * 3 > 256 * 1024 * 1024);
    let huge = black_png(width, height);
    assert!(huge.len() < 200_000, "{} bytes", huge.len());
    // The PNG is sound: it reads as what it says.
    let header =
        image::ImageReader::with_format(std::io::Cursor::new(&huge), image::ImageFormat::Png)
            .into_dimensions()
            .unwrap();
    assert_eq!(header, (width, height));

    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let size = huge.len();
    let created = server.upload_ok(huge, "huge.png").await;
    assert_eq!(created["mimetype"], "image/png");
    assert_eq!(created["size"], size);
    assert!(created.get("thumbnail").is_none(), "{created}");
    assert!(created.get("metadata").is_none(), "{created}");
    assert!(walk(&dir.data_dir().join("thumbs")).is_empty());

    let health = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let id = created["id"].as_str().unwrap();
    let again = server
        .get(&server.url(&format!("/v2/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(json(again, StatusCode::OK).await["size"], size);
    // A small image still gets its thumbnail.
    let small = server.upload_ok(png(64, 32), "small.png").await;
    assert_eq!(small["metadata"]["size"], "64x32");
}

// ---------------------------------------------------------------------------
// Stalled bodies

async fn server_with_idle(dir: &TempDir, idle: Duration) -> TestServer {
    TestServer::start(Config {
        upload_idle_timeout: idle,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

const BOUNDARY: &str = "stalled-boundary";

/// A multipart body of one part (`name`, with a file name when `file`)
/// holding `data`, whole.
fn one_part_body(name: &str, file: bool, data: &[u8]) -> Vec<u8> {
    let file_name = if file { "; filename=\"a.bin\"" } else { "" };
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{file_name}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Sends the headers and the first half of `body` (declaring all of it),
/// then nothing; returns the status and JSON body of the answer.
async fn send_half(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Value) {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    send_half_as(server, "POST", path, &content_type, headers, body).await
}

/// `send_half` with any method and content type.
async fn send_half_as(
    server: &TestServer,
    method: &str,
    path: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Value) {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    tokio::time::timeout(ANSWER_WAIT, read_answer(&mut stream))
        .await
        .expect("a stalled request was never answered")
}

async fn read_answer(stream: &mut TcpStream) -> (u16, Value) {
    let mut buf = Vec::new();
    let end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed without an answer");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..end].to_vec()).unwrap();
    let status: u16 = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .expect("no Content-Length");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    while buf.len() < end + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed mid-answer");
        buf.extend_from_slice(&chunk[..n]);
    }
    (
        status,
        serde_json::from_slice(&buf[end..end + length]).unwrap(),
    )
}

fn assert_no_partial_file(data_dir: &Path) {
    let left = walk(&data_dir.join("tmp"));
    assert!(left.is_empty(), "left in tmp/: {left:?}");
    assert!(walk(&data_dir.join("files")).is_empty());
}

const TRACKER_AUTH: [(&str, &str); 2] = [
    ("Authorization", "OAuth dev-token"),
    ("X-Org-ID", "dev-org"),
];

/// A Tracker upload that stops halfway through its file is answered 408 in
/// Tracker's error shape once it has sent nothing for the idle time, and
/// its partial file is gone.
#[tokio::test]
async fn a_stalled_tracker_upload_ends_with_408_and_leaves_no_file() {
    let dir = TempDir::new();
    let server = server_with_idle(&dir, IDLE).await;
    let body = one_part_body("file", true, &noise(64 * 1024, 1));
    let (status, answer) = send_half(&server, "/v2/attachments/", &TRACKER_AUTH, &body).await;
    assert_eq!(status, 408, "{answer}");
    assert_eq!(answer["statusCode"], 408, "{answer}");
    assert_eq!(answer["errorsData"], serde_json::json!({}), "{answer}");
    let message = answer["errorMessages"][0].as_str().unwrap();
    assert!(message.contains("300 ms"), "{message}");
    assert_no_partial_file(&dir.data_dir());
    // The server is fine, and so is the next upload.
    server.upload_ok(b"whole".to_vec(), "whole.txt").await;
}

/// The same for Jira, in Jira's shape, and in the language asked for.
#[tokio::test]
async fn a_stalled_jira_upload_ends_with_408_in_jira_shape() {
    let dir = TempDir::new();
    let server = server_with_idle(&dir, IDLE).await;
    let body = one_part_body("file", true, &noise(64 * 1024, 2));
    let (status, answer) = send_half(
        &server,
        "/rest/api/3/issue/DEMO-1/attachments",
        &[
            ("Authorization", "Bearer dev-token"),
            ("X-Atlassian-Token", "no-check"),
            ("Accept-Language", "ru"),
        ],
        &body,
    )
    .await;
    assert_eq!(status, 408, "{answer}");
    assert_eq!(answer["status"], 408, "{answer}");
    let message = answer["errorMessages"][0].as_str().unwrap();
    assert!(message.starts_with("Загрузка прервана"), "{message}");
    assert!(answer.get("statusCode").is_none(), "{answer}");
    assert_no_partial_file(&dir.data_dir());
}

/// A Flow.js part whose parameters stop arriving (no file written yet)
/// does not hold its connection either.
#[tokio::test]
async fn a_stalled_flow_field_ends_with_408() {
    let dir = TempDir::new();
    let server = server_with_idle(&dir, IDLE).await;
    let body = one_part_body("flowIdentifier", false, &[b'x'; 200]);
    let (status, answer) = send_half(&server, "/upload/flow", &TRACKER_AUTH, &body).await;
    assert_eq!(status, 408, "{answer}");
    assert_eq!(answer["statusCode"], 408, "{answer}");
    assert_no_partial_file(&dir.data_dir());
}

/// Not only uploads: a JSON body (creating an issue, changing one, adding
/// a comment) that stops halfway is answered 408 in Tracker's error shape,
/// in the language asked for, instead of holding its connection forever;
/// nothing is created.
#[tokio::test]
async fn a_stalled_json_body_ends_with_408() {
    let dir = TempDir::new();
    let server = server_with_idle(&dir, IDLE).await;
    let body = serde_json::to_vec(&serde_json::json!({
        "queue": "DEMO",
        "summary": "x".repeat(1000),
    }))
    .unwrap();
    for (method, path) in [
        ("POST", "/v2/issues"),
        ("POST", "/v2/issues/"),
        ("PATCH", "/v2/issues/DEMO-1"),
        ("POST", "/v2/issues/DEMO-1/comments"),
    ] {
        let (status, answer) = send_half_as(
            &server,
            method,
            path,
            "application/json",
            &TRACKER_AUTH,
            &body,
        )
        .await;
        assert_eq!(status, 408, "{method} {path}: {answer}");
        assert_eq!(answer["statusCode"], 408, "{method} {path}: {answer}");
        assert_eq!(answer["errorsData"], serde_json::json!({}), "{answer}");
        let message = answer["errorMessages"][0].as_str().unwrap();
        assert!(message.contains("300 ms"), "{message}");
    }
    let mut russian = TRACKER_AUTH.to_vec();
    russian.push(("Accept-Language", "ru"));
    let (status, answer) = send_half_as(
        &server,
        "POST",
        "/v2/issues",
        "application/json",
        &russian,
        &body,
    )
    .await;
    assert_eq!(status, 408, "{answer}");
    let message = answer["errorMessages"][0].as_str().unwrap();
    assert!(message.starts_with("Запрос прерван"), "{message}");
    // Nothing was created, and the server is fine.
    let issues = server.get(&server.url("/v2/issues")).send().await.unwrap();
    let issues = json(issues, StatusCode::OK).await;
    assert!(
        issues
            .as_array()
            .unwrap()
            .iter()
            .all(|issue| issue["summary"] != serde_json::json!("x".repeat(1000))),
        "{issues}"
    );
}

/// The idle time counts from the last bytes, not from the start: an upload
/// that takes several idle times in all, but never pauses that long, is
/// stored.
#[tokio::test]
async fn a_slow_but_steady_upload_is_stored() {
    let dir = TempDir::new();
    let idle = Duration::from_secs(1);
    let server = server_with_idle(&dir, idle).await;
    const PIECES: usize = 8;
    let piece = Bytes::from(noise(1024, 3));
    let pieces = futures_util::stream::unfold(0, move |i| {
        let piece = piece.clone();
        async move {
            if i == PIECES {
                return None;
            }
            // The client's pace (a fifth of the idle time), not a wait for
            // the server.
            if i > 0 {
                tokio::time::sleep(idle / 5).await;
            }
            Some((Ok::<_, std::io::Error>(piece), i + 1))
        }
    });
    let part = Part::stream(reqwest::Body::wrap_stream(pieces)).file_name("slow.bin");
    let response = server
        .upload_request(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let created = json(response, StatusCode::CREATED).await;
    assert_eq!(created["size"], PIECES * 1024);
}

// ---------------------------------------------------------------------------
// Partial files nobody owns

fn set_age(path: &Path, age: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

/// A `tmp/*.part` left behind (no upload owns it) is removed by the
/// sweeper once it is old; a fresh one is left alone.
#[tokio::test]
async fn the_sweeper_removes_old_unowned_parts_only() {
    let dir = TempDir::new();
    // The sweeper runs every quarter of the TTL.
    let server = TestServer::start(Config {
        temp_ttl: Duration::from_secs(1),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let tmp = dir.data_dir().join("tmp");
    let old = tmp.join("left-behind.part");
    let fresh = tmp.join("just-written.part");
    std::fs::write(&old, b"old").unwrap();
    std::fs::write(&fresh, b"fresh").unwrap();
    set_age(&old, Duration::from_secs(3600));
    wait_until(ANSWER_WAIT, "the old part to be swept", || {
        let old = old.clone();
        async move { !old.exists() }
    })
    .await;
    // The pass that removed the old one saw this one too.
    assert!(fresh.exists());
    drop(server);
}

// ---------------------------------------------------------------------------
// Open files

/// Descriptors of this process open on files under `dir`.
fn open_files_under(dir: &Path) -> usize {
    let dir = dir.canonicalize().unwrap();
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter(|target| target.starts_with(&dir))
        .count()
}

fn parts_in(tmp: &Path) -> usize {
    std::fs::read_dir(tmp)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "part"))
        })
        .count()
}

/// A Jira request of many files keeps at most one of them open at a time:
/// each part is closed once streamed, not when the request is stored.
#[tokio::test]
async fn a_jira_upload_holds_one_open_part_at_a_time() {
    const FILES: usize = 6;
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let tmp = dir.data_dir().join("tmp");

    // The last file's bytes wait for the test's word.
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let last = futures_util::stream::once(async move {
        let _ = released.await;
        Ok::<_, std::io::Error>(Bytes::from_static(b"last"))
    });
    let mut form = Form::new();
    for i in 1..FILES {
        form = form.part(
            "file",
            Part::bytes(noise(300 * 1024, i as u64)).file_name(format!("{i}.bin")),
        );
    }
    form = form.part(
        "file",
        Part::stream(reqwest::Body::wrap_stream(last)).file_name("last.bin"),
    );
    let upload = tokio::spawn(
        server
            .jira(Method::POST, "/rest/api/3/issue/DEMO-1/attachments")
            .header("X-Atlassian-Token", "no-check")
            .multipart(form)
            .send(),
    );

    // Every part is on disk, the last one still being written.
    wait_until(ANSWER_WAIT, "all parts to reach tmp/", || {
        let tmp = tmp.clone();
        async move { parts_in(&tmp) == FILES }
    })
    .await;
    assert_eq!(open_files_under(&tmp), 1);

    release.send(()).unwrap();
    let response = upload.await.unwrap().unwrap();
    let stored = json(response, StatusCode::OK).await;
    assert_eq!(stored.as_array().unwrap().len(), FILES);
    assert_eq!(open_files_under(&tmp), 0);
}

// ---------------------------------------------------------------------------
// Downloads nobody reads

/// The write idle time, shortened.
const WRITE_IDLE: Duration = Duration::from_secs(1);
/// Far larger than every socket buffer between the server and the client
/// (the server's send buffer grows to 4 MiB at most here; the client's
/// receive buffer is fixed, see `request_download`).
const LARGE: usize = 16 * 1024 * 1024;

/// A server with the short write idle time, holding a `LARGE` file; the
/// path its bytes are downloaded from.
async fn server_with_large_file(dir: &TempDir) -> (TestServer, String) {
    let server = TestServer::start(Config {
        write_idle_timeout: WRITE_IDLE,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let uploaded = server.upload_ok(noise(LARGE, 77), "large.bin").await;
    let content = uploaded["content"].as_str().unwrap();
    let path = content.strip_prefix(&server.base).unwrap().to_owned();
    (server, path)
}

/// A connection that has sent a GET for `path`, asking the server to
/// close it after the answer (so the end of the answer shows). Its
/// receive buffer is
/// fixed (it would grow to 32 MiB as the client reads), and not smaller
/// than loopback's segment size (64 KiB): a window smaller than that is
/// advertised as zero, and the transfer would then crawl on the sender's
/// window probes.
async fn request_download(server: &TestServer, path: &str) -> TcpStream {
    let address = server.base.strip_prefix("http://").unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(256 * 1024).unwrap();
    let mut stream = socket.connect(address.parse().unwrap()).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: OAuth {TOKEN}\r\n\
         X-Org-ID: {ORG}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

/// Reads `stream` until the server closes it, or, with `limit`, until that
/// many bytes came; what came.
async fn read_to_close(stream: &mut TcpStream, limit: Option<usize>) -> Vec<u8> {
    let read = async {
        let mut read = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        while limit.is_none_or(|limit| read.len() < limit) {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read.extend_from_slice(&buf[..n]),
            }
        }
        read
    };
    tokio::time::timeout(ANSWER_WAIT, read)
        .await
        .expect("the server neither sent nor closed")
}

/// A client that asks for a large file and then reads nothing holds its
/// connection, and the open file, only until the server has been unable
/// to write for the write idle time: then the server closes both; the
/// client finds the answer cut short. Other requests are served meanwhile
/// and after.
#[tokio::test]
async fn a_download_nobody_reads_is_closed_after_the_write_idle_time() {
    let dir = TempDir::new();
    let (server, path) = server_with_large_file(&dir).await;
    let files = dir.data_dir().join("files");
    assert_eq!(open_files_under(&files), 0);

    let started = std::time::Instant::now();
    let mut stream = request_download(&server, &path).await;
    wait_until(ANSWER_WAIT, "the server to open the file", || {
        let files = files.clone();
        async move { open_files_under(&files) == 1 }
    })
    .await;
    let health = server.client.get(server.url("/healthz")).send().await;
    assert_eq!(health.unwrap().status(), StatusCode::OK);
    wait_until(
        WRITE_IDLE + ANSWER_WAIT,
        "the server to close the file",
        || {
            let files = files.clone();
            async move { open_files_under(&files) == 0 }
        },
    )
    .await;
    assert!(started.elapsed() >= WRITE_IDLE, "{:?}", started.elapsed());

    // What the buffers held, then the end: the connection is closed.
    let read = read_to_close(&mut stream, None).await;
    assert!(read.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(read.len() < LARGE, "the whole file came: {}", read.len());
    // The file is whole and served on.
    let whole = server.get(&server.url(&path)).send().await.unwrap();
    assert_eq!(whole.bytes().await.unwrap().len(), LARGE);
    assert_eq!(open_files_under(&files), 0);
}

/// A client that reads in bursts, pausing for less than the write idle time
/// each time (and for longer than it in all), gets the whole file.
#[tokio::test]
async fn a_download_read_with_pauses_shorter_than_the_limit_completes() {
    let dir = TempDir::new();
    let (server, path) = server_with_large_file(&dir).await;
    let mut stream = request_download(&server, &path).await;
    let mut read = Vec::new();
    for _ in 0..6 {
        // The client's pace, half a megabyte every half limit: the buffers
        // fill, and the server's write waits longer than the limit before
        // the socket is writable again, though the client takes some in
        // every half of it (the slack leaves room for a busy machine).
        tokio::time::sleep(WRITE_IDLE / 2).await;
        read.extend(read_to_close(&mut stream, Some(512 * 1024)).await);
    }
    read.extend(read_to_close(&mut stream, None).await);
    let head_end = read.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(read.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert_eq!(read.len() - head_end, LARGE);
    assert_eq!(&read[head_end..], noise(LARGE, 77).as_slice());
}
