//! Uploads stream to disk: the server's peak memory (VmHWM of the real
//! binary, measured from /proc) stays far below the size of what it
//! receives, whether it refuses the upload with 413 at the limit or stores it.

mod common;

use bytes::Bytes;
use common::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

const MIB: u64 = 1024 * 1024;
const LIMIT: u64 = 32 * MIB;
/// Far below the limit, let alone the bodies: what buffering would cost.
const ALLOWED_GROWTH: u64 = 12 * MIB;

/// A multipart body of `len` bytes generated as it is sent, so the test
/// process does not hold it either.
fn streamed_form(len: u64) -> Form {
    const CHUNK: u64 = 64 * 1024;
    let chunk = Bytes::from(noise(CHUNK as usize, 11));
    let chunks = len.div_ceil(CHUNK);
    let stream = futures_util::stream::iter((0..chunks).map(move |i| {
        let size = CHUNK.min(len - i * CHUNK) as usize;
        Ok::<Bytes, std::io::Error>(chunk.slice(..size))
    }));
    let part =
        Part::stream_with_length(reqwest::Body::wrap_stream(stream), len).file_name("big.bin");
    Form::new().part("file", part)
}

#[tokio::test]
async fn memory_stays_flat_for_refused_and_stored_uploads() {
    let dir = TempDir::new();
    let data_dir = dir.data_dir();
    let server = ChildServer::spawn(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--max-upload-bytes",
            &LIMIT.to_string(),
        ],
        &[],
    );
    let client = client();
    let upload = |form: Form| {
        client
            .post(server.url("/v2/attachments/"))
            .header("Authorization", format!("OAuth {TOKEN}"))
            .header("X-Org-ID", ORG)
            .multipart(form)
            .send()
    };
    // Warm up every code path once, so one-time allocations are in the baseline.
    assert_eq!(
        upload(streamed_form(MIB)).await.unwrap().status(),
        StatusCode::CREATED
    );
    let baseline = server.peak_rss();

    // Three times the limit: refused with 413 once the limit is passed.
    let refused = upload(streamed_form(3 * LIMIT)).await.unwrap();
    let message = error_message(refused, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(message.contains(&LIMIT.to_string()), "{message}");
    let after_refused = server.peak_rss();
    assert!(
        after_refused - baseline < ALLOWED_GROWTH,
        "peak RSS grew by {} MiB for a refused {} MiB upload",
        (after_refused - baseline) / MIB,
        3 * LIMIT / MIB
    );
    assert!(
        walk(&data_dir.join("tmp")).is_empty(),
        "the partial file was kept"
    );

    // Exactly the limit: stored, and just as cheap.
    let stored = json(
        upload(streamed_form(LIMIT)).await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(stored["size"], LIMIT);
    let after_stored = server.peak_rss();
    assert!(
        after_stored - baseline < ALLOWED_GROWTH,
        "peak RSS grew by {} MiB for a stored {} MiB upload",
        (after_stored - baseline) / MIB,
        LIMIT / MIB
    );
    let id = stored["id"].as_str().unwrap();
    assert_eq!(
        std::fs::metadata(data_dir.join("files").join(id))
            .unwrap()
            .len(),
        LIMIT
    );
    assert_eq!(walk(&data_dir.join("files")).len(), 2);
}

/// A multipart body that never gets past its framing: `start`, then `len`
/// bytes of `filler` with no boundary or blank line in them.
fn endless_framing(start: &'static [u8], filler: u8, len: u64) -> reqwest::Body {
    const CHUNK: u64 = 64 * 1024;
    let chunk = Bytes::from(vec![filler; CHUNK as usize]);
    let stream = futures_util::stream::iter(
        std::iter::once(Ok::<Bytes, std::io::Error>(Bytes::from_static(start)))
            .chain((0..len / CHUNK).map(move |_| Ok::<Bytes, std::io::Error>(chunk.clone()))),
    );
    reqwest::Body::wrap_stream(stream)
}

#[tokio::test]
async fn endless_preambles_and_part_headers_are_refused_without_buffering() {
    let dir = TempDir::new();
    let data_dir = dir.data_dir();
    let server = ChildServer::spawn(&["--data-dir", data_dir.to_str().unwrap()], &[]);
    let client = client();
    let send = |path: &str, body: reqwest::Body| {
        client
            .post(server.url(path))
            .header("Authorization", format!("OAuth {TOKEN}"))
            .header("X-Org-ID", ORG)
            .header("Content-Type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
    };
    let warm_up = client
        .post(server.url("/v2/attachments/"))
        .header("Authorization", format!("OAuth {TOKEN}"))
        .header("X-Org-ID", ORG)
        .multipart(streamed_form(MIB))
        .send()
        .await
        .unwrap();
    assert_eq!(warm_up.status(), StatusCode::CREATED);
    let baseline = server.peak_rss();
    // Within what the server reads after answering early (64 MiB), so the
    // client gets the answer rather than a reset.
    let len = 40 * MIB;
    for (path, start) in [
        ("/v2/attachments/", &b"preamble "[..]),
        (
            "/v2/issues/DEMO-1/attachments/",
            &b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\""[..],
        ),
        ("/upload/flow", &b"--XyZ\r\n\r\n"[..]),
    ] {
        let refused = send(path, endless_framing(start, b'a', len)).await.unwrap();
        error_message(refused, StatusCode::BAD_REQUEST).await;
        let grown = server.peak_rss() - baseline;
        assert!(
            grown < ALLOWED_GROWTH,
            "{path}: peak RSS grew by {} MiB for {} MiB of framing",
            grown / MIB,
            len / MIB
        );
    }
    // Ordinary forms still pass.
    let stored = client
        .post(server.url("/v2/attachments/"))
        .header("Authorization", format!("OAuth {TOKEN}"))
        .header("X-Org-ID", ORG)
        .multipart(streamed_form(MIB))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::CREATED);
    assert!(walk(&data_dir.join("tmp")).is_empty());
}

/// The bound reads the boundary exactly as the parser does. In
/// `x="; boundary=A"; boundary=B` the first `boundary=` is inside a quoted
/// value: the parser looks for `--B`, so a body that opens with `--A"` and
/// then never ends is all preamble to it and must be cut off at the bound,
/// not taken for field data (which would let it grow without limit).
#[tokio::test]
async fn the_bound_reads_the_boundary_the_parser_reads() {
    use futures_util::StreamExt;

    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let start = Bytes::from_static(
        b"--A\"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n",
    );
    let filler = Bytes::from(vec![b'a'; 64 * 1024]);
    // 1 MiB, far past the 64 KiB bound, then nothing: the body never ends,
    // so only the bound can produce an answer.
    let stream = futures_util::stream::iter(
        std::iter::once(start)
            .chain(std::iter::repeat_n(filler, 16))
            .map(Ok::<Bytes, std::io::Error>),
    )
    .chain(futures_util::stream::pending());
    let refused = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        server
            .authed(reqwest::Method::POST, &server.url("/v2/attachments/"))
            .header(
                "Content-Type",
                "multipart/form-data; x=\"; boundary=A\"; boundary=B",
            )
            .body(reqwest::Body::wrap_stream(stream))
            .send(),
    )
    .await
    .expect("an endless preamble was not refused");
    error_message(refused.unwrap(), StatusCode::BAD_REQUEST).await;

    // A quoted boundary with a space, behind the same decoy, still works.
    let body =
        b"--abc def\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q.txt\"\r\n\
Content-Type: text/plain\r\n\r\nquoted\r\n--abc def--\r\n"
            .to_vec();
    let stored = json(
        server
            .authed(reqwest::Method::POST, &server.url("/v2/attachments/"))
            .header(
                "Content-Type",
                "multipart/form-data; x=\"; boundary=A\"; boundary=\"abc def\"",
            )
            .body(body)
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(stored["name"], "q.txt");
    assert_eq!(stored["size"], 6);
}
