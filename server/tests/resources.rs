//! What an upload may hold: the memory of a thumbnail render, and the
//! open files of a many-file Jira request.

mod common;

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};

/// How long a test waits for what the server owes it.
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
