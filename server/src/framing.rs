//! A bound on the multipart bytes that are not file data. The multipart
//! parser (multer, inside axum's `Multipart`) streams field data, but keeps
//! everything before the first boundary and each part's headers in memory
//! until it finds their end, with no limit: a body of endless preamble or
//! endless headers would grow the server without bound. Upload routes pass
//! their body through [`FramingLimit`], which follows the same framing and
//! fails the body once one such stretch passes [`MAX_FRAMING`]; the parser
//! then reports a broken body, which the handlers answer with 400.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// Longest preamble, and longest boundary line plus headers of one part.
/// Real clients send a few hundred bytes.
pub const MAX_FRAMING: usize = 64 * 1024;

pub async fn bound(request: Request, next: Next) -> Response {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart_boundary);
    let request = match boundary {
        Some(boundary) => request.map(|body| Body::new(FramingLimit::new(body, &boundary))),
        // Not multipart: the parser refuses it before reading anything.
        None => request,
    };
    next.run(request).await
}

/// The `boundary` of a `multipart/form-data` content type, unquoted.
/// Exactly `multer::parse_boundary` (which axum's `Multipart` calls), with
/// the same `mime` parser: a boundary read any other way (a quoted
/// parameter may hold `;` or `boundary=`) would make this bound watch for
/// one delimiter while the parser looks for another.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let m = content_type.parse::<mime_guess::mime::Mime>().ok()?;
    if !(m.type_() == mime_guess::mime::MULTIPART && m.subtype() == mime_guess::mime::FORM_DATA) {
        return None;
    }
    m.get_param(mime_guess::mime::BOUNDARY)
        .map(|name| name.as_str().to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the first `--boundary`.
    Preamble,
    /// Just past a delimiter: `--` closes the body, anything else starts a
    /// part. Holds how many of the two bytes were seen (and whether the
    /// first was `-`).
    AfterDelimiter { seen_dash: bool },
    /// The rest of the boundary line, up to its CRLF.
    BoundaryLine,
    /// The part's headers, up to CRLF CRLF: searched from after the boundary
    /// line, as the parser does (so a part with no headers needs a second
    /// blank line, and its bytes up to it count as headers).
    Headers,
    /// Field data, up to `\r\n--boundary`: streamed by the parser.
    Data,
    /// After the closing delimiter: never read by the parser.
    Epilogue,
}

/// The body of a multipart request, passed through unchanged while the
/// framing stays within bounds.
pub struct FramingLimit {
    inner: Body,
    first: Vec<u8>,
    delimiter: Vec<u8>,
    stage: Stage,
    /// Bytes of the current preamble or header stretch.
    framing: usize,
    /// The last bytes of the stream since the stage began, fewer than the
    /// pattern sought: a match may straddle two frames.
    carry: Vec<u8>,
    failed: bool,
}

impl FramingLimit {
    fn new(inner: Body, boundary: &str) -> Self {
        Self {
            inner,
            first: format!("--{boundary}").into_bytes(),
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            stage: Stage::Preamble,
            framing: 0,
            carry: Vec::new(),
            failed: false,
        }
    }

    /// Follows the framing through `data`; `false` once a stretch of
    /// framing is too long.
    fn scan(&mut self, mut data: &[u8]) -> bool {
        while !data.is_empty() {
            // A stretch that ends in this frame counts up to its end too:
            // counted only while open, one long frame holding all of it
            // would pass whatever its length.
            let open = matches!(
                self.stage,
                Stage::Preamble | Stage::BoundaryLine | Stage::Headers
            )
            .then_some(self.framing);
            let consumed = match self.stage {
                Stage::Epilogue => return true,
                Stage::AfterDelimiter { seen_dash } => {
                    let dash = data[0] == b'-';
                    match (seen_dash, dash) {
                        (true, true) => self.enter(Stage::Epilogue),
                        (false, true) => self.stage = Stage::AfterDelimiter { seen_dash: true },
                        _ => {
                            self.enter(Stage::BoundaryLine);
                            // The dash seen before belongs to the line.
                            self.framing = usize::from(seen_dash);
                            // Not consumed: it may be the line's CR.
                            continue;
                        }
                    }
                    1
                }
                Stage::Preamble => {
                    let pattern = std::mem::take(&mut self.first);
                    let found = self.find(&pattern, data);
                    self.first = pattern;
                    match found {
                        Some(end) => {
                            self.enter(Stage::AfterDelimiter { seen_dash: false });
                            end
                        }
                        None => data.len(),
                    }
                }
                Stage::BoundaryLine => match self.find(b"\r\n", data) {
                    Some(end) => {
                        // One stretch with the headers: the count goes on.
                        let framing = self.framing;
                        self.enter(Stage::Headers);
                        self.framing = framing;
                        end
                    }
                    None => data.len(),
                },
                Stage::Headers => match self.find(b"\r\n\r\n", data) {
                    Some(end) => {
                        self.enter(Stage::Data);
                        end
                    }
                    None => data.len(),
                },
                Stage::Data => {
                    let pattern = std::mem::take(&mut self.delimiter);
                    let found = self.find(&pattern, data);
                    self.delimiter = pattern;
                    match found {
                        Some(end) => {
                            self.enter(Stage::AfterDelimiter { seen_dash: false });
                            end
                        }
                        None => data.len(),
                    }
                }
            };
            if open.is_some_and(|counted| counted + consumed > MAX_FRAMING) {
                return false;
            }
            if matches!(
                self.stage,
                Stage::Preamble | Stage::BoundaryLine | Stage::Headers
            ) {
                self.framing += consumed;
                if self.framing > MAX_FRAMING {
                    return false;
                }
            }
            data = &data[consumed..];
        }
        true
    }

    fn enter(&mut self, stage: Stage) {
        self.stage = stage;
        self.framing = 0;
        self.carry.clear();
    }

    /// Where in `data` the first match of `pattern` ends (counting a match
    /// that began in earlier frames); otherwise keeps the tail for the next
    /// frame and answers `None`.
    fn find(&mut self, pattern: &[u8], data: &[u8]) -> Option<usize> {
        let keep = pattern.len() - 1;
        if !self.carry.is_empty() {
            // Matches that begin in the carried bytes end within the first
            // `keep` bytes of this frame.
            let mut joint = self.carry.clone();
            joint.extend_from_slice(&data[..keep.min(data.len())]);
            if let Some(start) = joint.windows(pattern.len()).position(|w| w == pattern) {
                return Some(start + pattern.len() - self.carry.len());
            }
        }
        if let Some(start) = find_in(pattern, data) {
            return Some(start + pattern.len());
        }
        self.carry
            .extend_from_slice(&data[data.len().saturating_sub(keep)..]);
        let excess = self.carry.len().saturating_sub(keep);
        self.carry.drain(..excess);
        None
    }
}

/// The first occurrence of `pattern` (not empty) in `data`. File data goes
/// through here, so candidates for its first byte are found by `memchr`.
fn find_in(pattern: &[u8], data: &[u8]) -> Option<usize> {
    let first = pattern[0];
    let mut from = 0;
    while let Some(offset) = find_byte(first, &data[from..]) {
        let start = from + offset;
        if data[start..].starts_with(pattern) {
            return Some(start);
        }
        if data.len() - start < pattern.len() {
            return None;
        }
        from = start + 1;
    }
    None
}

/// `BufRead::skip_until` on a slice is the C library's `memchr`: fast even
/// in the dev profile the server's tests and demo run in (a loop here would
/// cost seconds per GiB there).
fn find_byte(byte: u8, data: &[u8]) -> Option<usize> {
    use std::io::BufRead;
    let mut rest = data;
    let skipped = rest.skip_until(byte).ok()?;
    // Without the byte, everything is skipped and the last byte is another.
    (skipped > 0 && data[skipped - 1] == byte).then(|| skipped - 1)
}

impl http_body::Body for FramingLimit {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        if let Some(data) = frame.data_ref() {
            if !self.scan(data) {
                self.failed = true;
                return Poll::Ready(Some(Err(axum::Error::new(std::io::Error::other(
                    "multipart framing (preamble or part headers) too long",
                )))));
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit() -> FramingLimit {
        FramingLimit::new(Body::empty(), "XyZ")
    }

    /// Feeds `body` in frames of `size` bytes; whether it stayed in bounds.
    fn feed(body: &[u8], size: usize) -> (bool, Stage) {
        let mut limit = limit();
        let ok = body.chunks(size).all(|frame| limit.scan(frame));
        (ok, limit.stage)
    }

    fn form(data: &[u8]) -> Vec<u8> {
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n".to_vec();
        body.extend_from_slice(data);
        body.extend_from_slice(
            b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n",
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        body
    }

    #[test]
    fn boundaries() {
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            multipart_boundary("Multipart/Form-Data;charset=x; Boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(multipart_boundary("multipart/form-data"), None);
        assert_eq!(multipart_boundary("application/json; boundary=x"), None);
        // Empty, as the parser takes it too: the bound then follows `--`.
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=").as_deref(),
            Some("")
        );
        // A quoted value may hold what looks like another parameter.
        assert_eq!(
            multipart_boundary("multipart/form-data; x=\"; boundary=A\"; boundary=B").as_deref(),
            Some("B")
        );
    }

    #[test]
    fn forms_pass_whatever_the_frame_size() {
        // Large data, with bytes that start the delimiter but do not finish it.
        let mut data = vec![b'\r'; 300_000];
        data.extend_from_slice(b"\r\n--XyQ\r\n--Xy");
        let body = form(&data);
        for size in [1, 2, 3, 7, 8, 64, 4096, body.len()] {
            assert_eq!(
                feed(&body, size),
                (true, Stage::Epilogue),
                "frames of {size}"
            );
        }
    }

    #[test]
    fn a_preamble_and_an_epilogue_of_reasonable_size_pass() {
        let mut body = b"This is a preamble.\r\n".to_vec();
        body.extend_from_slice(&form(b"x"));
        body.extend_from_slice(&vec![b'e'; 1_000_000]);
        assert_eq!(feed(&body, 1000), (true, Stage::Epilogue));
    }

    #[test]
    fn a_part_without_headers_reads_to_the_next_blank_line() {
        // The parser takes everything up to CRLF CRLF after the boundary
        // line as headers, so the count must too.
        let mut body = b"--XyZ\r\n\r\n".to_vec();
        body.extend_from_slice(&vec![b'd'; MAX_FRAMING]);
        assert!(!feed(&body, 100).0);
        let mut body = b"--XyZ\r\n\r\n\r\n".to_vec();
        body.extend_from_slice(&vec![b'd'; MAX_FRAMING]);
        assert_eq!(feed(&body, 100), (true, Stage::Data));
    }

    #[test]
    fn long_headers_ended_within_one_frame_fail() {
        let mut headers =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"".to_vec();
        headers.extend_from_slice(&vec![b'n'; MAX_FRAMING]);
        headers.extend_from_slice(b"\"\r\n\r\ndata\r\n--XyZ--\r\n");
        for size in [headers.len(), MAX_FRAMING / 2 + 7, 4096] {
            assert!(!feed(&headers, size).0, "frames of {size}");
        }
        let preamble = [vec![b'p'; MAX_FRAMING], form(b"x")].concat();
        assert!(!feed(&preamble, preamble.len()).0);
        // Just within the bound, in one frame.
        let mut within = b"--XyZ\r\n".to_vec();
        within.extend_from_slice(&vec![b'h'; MAX_FRAMING - 20]);
        within.extend_from_slice(b"\r\n\r\nd\r\n--XyZ--\r\n");
        assert_eq!(feed(&within, within.len()), (true, Stage::Epilogue));
    }

    #[test]
    fn endless_preamble_or_headers_fail() {
        let preamble = vec![b'-'; MAX_FRAMING + 1];
        assert!(!feed(&preamble, 4096).0);
        let mut headers = b"--XyZ\r\n".to_vec();
        headers.extend_from_slice(&vec![b'h'; MAX_FRAMING]);
        assert!(!feed(&headers, 4096).0);
        // The headers of the second part count afresh.
        let mut second = form(b"x");
        second.truncate(second.len() - b"--\r\n".len());
        second.extend_from_slice(b"\r\n");
        second.extend_from_slice(&vec![b'h'; MAX_FRAMING - 10]);
        assert_eq!(feed(&second, 999), (true, Stage::Headers));
        second.extend_from_slice(&[b'h'; 20]);
        assert!(!feed(&second, 999).0);
    }

    #[test]
    fn byte_search() {
        let data: Vec<u8> = (0..100u8).collect();
        for b in 0..100u8 {
            assert_eq!(find_byte(b, &data), Some(usize::from(b)));
        }
        assert_eq!(find_byte(200, &data), None);
        assert_eq!(find_byte(1, &[]), None);
        assert_eq!(find_byte(7, &[1, 7, 7]), Some(1));
        assert_eq!(find_in(b"\x05\x06\x07", &data), Some(5));
        assert_eq!(find_in(b"\x05\x07", &data), None);
        // A match would run past the end.
        assert_eq!(find_in(b"\x62\x63\x64", &data), None);
    }
}
