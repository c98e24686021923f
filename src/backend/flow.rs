//! The Flow.js part protocol (API contract §3): a file cut into parts, each
//! first tested with a GET (so a reload resumes instead of starting over),
//! then POSTed; the part that completes the file answers with the Tracker
//! attachment object of the new temporary file.

use super::tracker::parse_attachment_object;
use super::{
    encode_component, error_from_response, Credentials, FilePart, HttpMethod, JsonRequest,
    UploadRequest,
};
use crate::core::{Attachment, FileMeta, UploadError};

/// Part size when the page sets none: small enough for proxies that cap
/// bodies, large enough that per-request overhead stays under a percent.
pub const DEFAULT_CHUNK_SIZE: u64 = 8 * 1024 * 1024;

/// Parts never smaller than this, whatever the page asks: per-request
/// overhead would dominate.
pub const MIN_CHUNK_SIZE: u64 = 64 * 1024;

/// Parts per file at most: the plan is a list in memory and each part is two
/// requests, so a tiny `chunk-size` on a huge file must not mean millions.
pub const MAX_PARTS: u64 = 10_000;

/// The part size actually used for a file of `file_size` bytes when the page
/// asked for `requested`.
pub fn bounded_chunk_size(requested: u64, file_size: u64) -> u64 {
    requested
        .max(MIN_CHUNK_SIZE)
        .max(file_size.div_ceil(MAX_PARTS))
}

/// Longest piece of the cleaned name kept in an identifier: servers use the
/// identifier in file names, and a 255-byte name plus a prefix would not fit.
const MAX_IDENTIFIER_NAME: usize = 64;

/// The chunk endpoint of the reference server (or any Flow.js server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowBackend {
    /// API origin, without a trailing slash (empty: the page's own origin).
    pub base: String,
    /// Bytes per part; the last part may be up to twice this. Zero is read
    /// as one so that no setting can divide by zero.
    pub chunk_size: u64,
}

/// One part of a file: the bytes `offset..offset + size`, for `Blob.slice`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartSpec {
    /// 1-based, as `flowChunkNumber`.
    pub number: u64,
    pub offset: u64,
    pub size: u64,
    pub total_parts: u64,
}

impl PartSpec {
    /// The end of the byte range (exclusive).
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.size)
    }

    pub fn is_last(&self) -> bool {
        self.number >= self.total_parts
    }
}

/// What the test GET said about a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartPresence {
    /// The server has it (200): skip the POST.
    Stored,
    /// The server lacks it (204): send it.
    Missing,
}

/// What a part POST achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartOutcome {
    /// Stored; the file is not complete yet (200).
    Stored,
    /// This part completed the file, which is now a Tracker temporary
    /// attachment (201). If every part reports `Stored` and none
    /// `Completed`, the server is not the reference one and the caller
    /// should fail the file rather than wait.
    Completed(Attachment),
}

impl FlowBackend {
    pub fn new(base: &str, chunk_size: u64) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            chunk_size,
        }
    }

    fn chunk(&self) -> u64 {
        self.chunk_size.max(1)
    }

    fn url(&self) -> String {
        format!("{}/upload/flow", self.base.trim_end_matches('/'))
    }

    /// `flowIdentifier`: the same for the same file across reloads, so that
    /// the test GET finds the parts sent before, and only `[0-9A-Za-z_-]`,
    /// so servers can use it in a file name. Flow.js uses `size-name` with
    /// other characters dropped; dropping them alone would make "отчёт.pdf"
    /// and "счёт.pdf" of one size the same file, so the last modified time
    /// and a hash of the full name and path are added. The part size goes
    /// into the hash too: parts of another size are another upload, which
    /// a server holding the old parts would refuse under the old name.
    pub fn identifier(&self, file: &FileMeta) -> String {
        let path = relative_path(file);
        let cleaned: String = path
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            .take(MAX_IDENTIFIER_NAME)
            .collect();
        let mut hash = Fnv64::new();
        hash.write(file.name.as_bytes());
        hash.write(&[0]);
        hash.write(path.as_bytes());
        hash.write(&[0]);
        hash.write(self.chunk().to_string().as_bytes());
        let mut parts = vec![file.size.to_string()];
        if !cleaned.is_empty() {
            parts.push(cleaned);
        }
        parts.push(millis(file.last_modified).to_string());
        parts.push(format!("{:016x}", hash.finish()));
        parts.join("-")
    }

    /// How many parts the file takes: whole chunks only, the remainder riding
    /// on the last one, as Flow.js counts them (`max(1, floor(size / chunk))`).
    pub fn total_parts(&self, file: &FileMeta) -> u64 {
        (file.size / self.chunk()).max(1)
    }

    /// Part `number` (1-based) of the file, or `None` past the last one.
    pub fn part(&self, file: &FileMeta, number: u64) -> Option<PartSpec> {
        let total_parts = self.total_parts(file);
        if number == 0 || number > total_parts {
            return None;
        }
        // number ≤ size / chunk, so this product is at most the file size.
        let offset = (number - 1) * self.chunk();
        let size = if number == total_parts {
            file.size - offset
        } else {
            self.chunk()
        };
        Some(PartSpec {
            number,
            offset,
            size,
            total_parts,
        })
    }

    /// Every part in order. One entry per part: for a tiny chunk size and a
    /// huge file prefer [`Self::part`] one at a time.
    pub fn plan(&self, file: &FileMeta) -> Vec<PartSpec> {
        (1..=self.total_parts(file))
            .filter_map(|number| self.part(file, number))
            .collect()
    }

    /// The eight Flow.js parameters, in Flow.js's order.
    pub fn params(&self, file: &FileMeta, part: &PartSpec) -> Vec<(String, String)> {
        [
            ("flowChunkNumber", part.number.to_string()),
            ("flowChunkSize", self.chunk().to_string()),
            ("flowCurrentChunkSize", part.size.to_string()),
            ("flowTotalSize", file.size.to_string()),
            ("flowIdentifier", self.identifier(file)),
            ("flowFilename", file.name.clone()),
            ("flowRelativePath", relative_path(file).to_owned()),
            ("flowTotalChunks", part.total_parts.to_string()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// The test: `GET /upload/flow?<params>`, no body.
    pub fn test_request(
        &self,
        file: &FileMeta,
        part: &PartSpec,
        credentials: &Credentials,
    ) -> JsonRequest {
        let query: Vec<String> = self
            .params(file, part)
            .iter()
            .map(|(name, value)| format!("{name}={}", encode_component(value)))
            .collect();
        JsonRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Get,
            url: format!("{}?{}", self.url(), query.join("&")),
            headers: credentials.headers(),
            body: String::new(),
        }
    }

    /// The part itself: the params as fields, then the bytes
    /// [`PartSpec::offset`]..[`PartSpec::end`] of the file in field `file`.
    pub fn part_request(
        &self,
        file: &FileMeta,
        part: &PartSpec,
        credentials: &Credentials,
    ) -> UploadRequest {
        UploadRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Post,
            url: self.url(),
            headers: credentials.headers(),
            fields: self.params(file, part),
            file_parts: vec![FilePart {
                field: "file".to_owned(),
                filename: file.name.clone(),
            }],
        }
    }

    /// Reads the answer to [`Self::test_request`]: 200 stored, 204 missing.
    pub fn parse_test(&self, status: u16, body: &str) -> Result<PartPresence, UploadError> {
        match status {
            200 => Ok(PartPresence::Stored),
            204 => Ok(PartPresence::Missing),
            201..=203 | 205..=299 => Err(unexpected(status, "a part test")),
            _ => Err(error_from_response(status, body)),
        }
    }

    /// Reads the answer to [`Self::part_request`]: 200 stored (202 too, which
    /// Flow.js counts as success), 201 with the completed file.
    pub fn parse_part(&self, status: u16, body: &str) -> Result<PartOutcome, UploadError> {
        match status {
            200 | 202 => Ok(PartOutcome::Stored),
            201 => parse_attachment_object(body).map(PartOutcome::Completed),
            203..=299 => Err(unexpected(status, "a part")),
            _ => Err(error_from_response(status, body)),
        }
    }
}

fn unexpected(status: u16, what: &str) -> UploadError {
    UploadError::InvalidResponse(format!("status {status} is no answer to {what}"))
}

/// `flowRelativePath`: the path inside a dropped folder, else the name, as
/// Flow.js sends it.
fn relative_path(file: &FileMeta) -> &str {
    file.relative_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or(&file.name)
}

/// `File.lastModified` as whole milliseconds; NaN and negatives are 0
/// (`as` saturates, so no value can panic).
fn millis(last_modified: f64) -> u64 {
    if last_modified.is_finite() && last_modified > 0.0 {
        last_modified as u64
    } else {
        0
    }
}

/// FNV-1a, 64 bit: stable across Rust versions and builds, unlike
/// `DefaultHasher`, which the identifier's persistence across reloads needs.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_size_is_bounded() {
        assert_eq!(bounded_chunk_size(1, 100), MIN_CHUNK_SIZE);
        assert_eq!(bounded_chunk_size(8 << 20, 1 << 30), 8 << 20);
        // 1 KiB parts of 100 GiB would be 100 million parts.
        let size = 100u64 << 30;
        let chunk = bounded_chunk_size(1024, size);
        assert!(size / chunk <= MAX_PARTS, "{chunk}");
        let backend = FlowBackend::new("", chunk);
        assert!(backend.total_parts(&FileMeta::new("x", size, "")) <= MAX_PARTS);
    }
    use crate::backend::{AuthScheme, OrgHeader};

    fn creds() -> Credentials {
        Credentials {
            scheme: Some(AuthScheme::OAuth),
            authorization: None,
            token: Some("dev-token".into()),
            org_id: Some("dev-org".into()),
            org_header: OrgHeader::XOrgId,
            ..Credentials::default()
        }
    }

    fn file(name: &str, size: u64) -> FileMeta {
        FileMeta {
            last_modified: 1_700_000_000_123.0,
            ..FileMeta::new(name, size, "")
        }
    }

    fn spec(number: u64, offset: u64, size: u64, total_parts: u64) -> PartSpec {
        PartSpec {
            number,
            offset,
            size,
            total_parts,
        }
    }

    #[test]
    fn fnv_matches_reference_vectors() {
        let hash = |text: &str| {
            let mut h = Fnv64::new();
            h.write(text.as_bytes());
            h.finish()
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn identifier_is_flow_like_stable_and_clean() {
        let id = FlowBackend::new("", 1024).identifier(&file("my photo (1).JPG", 1234));
        assert!(id.starts_with("1234-myphoto1JPG-1700000000123-"), "{id}");
        assert_eq!(
            id,
            FlowBackend::new("", 1024).identifier(&file("my photo (1).JPG", 1234))
        );
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        // Fixed forever: a reload must find the parts sent before it.
        assert_eq!(
            id,
            format!("1234-myphoto1JPG-1700000000123-{:016x}", {
                let mut h = Fnv64::new();
                h.write(b"my photo (1).JPG\0my photo (1).JPG\x001024");
                h.finish()
            })
        );
    }

    #[test]
    fn identifier_tells_apart_what_cleaning_would_merge() {
        let a = FlowBackend::new("", 1024).identifier(&file("отчёт.pdf", 10));
        let b = FlowBackend::new("", 1024).identifier(&file("счёт.pdf", 10));
        assert_ne!(a, b);
        assert!(a.starts_with("10-pdf-1700000000123-"), "{a}");
        let only_cyrillic = FlowBackend::new("", 1024).identifier(&file("файл", 1));
        assert!(
            only_cyrillic.starts_with("1-1700000000123-"),
            "{only_cyrillic}"
        );

        let mut in_folder = file("a.txt", 5);
        in_folder.relative_path = Some("docs/a.txt".into());
        let mut elsewhere = in_folder.clone();
        elsewhere.relative_path = Some("old/a.txt".into());
        assert_ne!(
            FlowBackend::new("", 1024).identifier(&in_folder),
            FlowBackend::new("", 1024).identifier(&elsewhere)
        );
        assert_ne!(
            FlowBackend::new("", 1024).identifier(&in_folder),
            FlowBackend::new("", 2048).identifier(&in_folder)
        );
        let mut touched = file("a.txt", 5);
        touched.last_modified = 1.0;
        assert_ne!(
            FlowBackend::new("", 1024).identifier(&touched),
            FlowBackend::new("", 1024).identifier(&file("a.txt", 5))
        );
    }

    #[test]
    fn identifier_caps_long_names_and_odd_times() {
        let mut odd = file(&"x".repeat(300), 0);
        odd.last_modified = f64::NAN;
        let id = FlowBackend::new("", 1024).identifier(&odd);
        assert_eq!(
            id,
            format!("0-{}-0-{}", "x".repeat(64), &id[id.len() - 16..])
        );
        odd.last_modified = -5.0;
        assert_eq!(FlowBackend::new("", 1024).identifier(&odd), id);
    }

    #[test]
    fn plan_lets_the_last_part_absorb_the_remainder() {
        let backend = FlowBackend::new("", 10);
        assert_eq!(
            backend.plan(&file("a", 25)),
            vec![spec(1, 0, 10, 2), spec(2, 10, 15, 2)]
        );
        assert_eq!(
            backend.plan(&file("a", 30)),
            vec![spec(1, 0, 10, 3), spec(2, 10, 10, 3), spec(3, 20, 10, 3)]
        );
        // Under two chunks: one part, up to twice the chunk size.
        assert_eq!(backend.plan(&file("a", 19)), vec![spec(1, 0, 19, 1)]);
        assert_eq!(backend.plan(&file("a", 7)), vec![spec(1, 0, 7, 1)]);
    }

    #[test]
    fn empty_file_is_one_empty_part() {
        let backend = FlowBackend::new("", 10);
        assert_eq!(backend.plan(&file("empty", 0)), vec![spec(1, 0, 0, 1)]);
    }

    #[test]
    fn zero_chunk_size_does_not_divide_by_zero() {
        let backend = FlowBackend::new("", 0);
        assert_eq!(backend.total_parts(&file("a", 3)), 3);
        assert_eq!(backend.part(&file("a", 3), 3), Some(spec(3, 2, 1, 3)));
    }

    #[test]
    fn parts_cover_the_file_exactly() {
        for (size, chunk) in [
            (1u64, 1u64),
            (99, 10),
            (8 << 20, 8 << 20),
            (3 << 30, 8 << 20),
        ] {
            let backend = FlowBackend::new("", chunk);
            let plan = backend.plan(&file("a", size));
            let mut next = 0;
            for (index, part) in plan.iter().enumerate() {
                assert_eq!(part.number, index as u64 + 1);
                assert_eq!(part.offset, next);
                assert!(part.size >= chunk.min(size) && part.size < 2 * chunk.max(1));
                next = part.end();
            }
            assert_eq!(next, size);
            assert!(plan.last().is_some_and(PartSpec::is_last));
        }
    }

    #[test]
    fn part_outside_the_plan_is_none() {
        let backend = FlowBackend::new("", 10);
        assert_eq!(backend.part(&file("a", 25), 0), None);
        assert_eq!(backend.part(&file("a", 25), 3), None);
        assert_eq!(backend.part(&file("a", 25), u64::MAX), None);
        let huge = FlowBackend::new("", 1);
        assert_eq!(
            huge.part(&file("a", u64::MAX), u64::MAX),
            Some(spec(u64::MAX, u64::MAX - 1, 1, u64::MAX))
        );
    }

    fn expected_params(identifier: &str) -> Vec<(String, String)> {
        [
            ("flowChunkNumber", "2"),
            ("flowChunkSize", "10"),
            ("flowCurrentChunkSize", "15"),
            ("flowTotalSize", "25"),
            ("flowIdentifier", identifier),
            ("flowFilename", "отчёт 1.pdf"),
            ("flowRelativePath", "docs/отчёт 1.pdf"),
            ("flowTotalChunks", "2"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
    }

    fn report() -> FileMeta {
        FileMeta {
            relative_path: Some("docs/отчёт 1.pdf".into()),
            ..file("отчёт 1.pdf", 25)
        }
    }

    #[test]
    fn test_request_is_a_get_with_every_param() {
        let backend = FlowBackend::new("http://127.0.0.1:8080/", 10);
        let report = report();
        let part = backend.part(&report, 2).unwrap();
        let req = backend.test_request(&report, &part, &creds());
        let id = backend.identifier(&report);
        assert_eq!(req.method, HttpMethod::Get);
        assert_eq!(
            req.url,
            format!(
                "http://127.0.0.1:8080/upload/flow?flowChunkNumber=2&flowChunkSize=10\
                 &flowCurrentChunkSize=15&flowTotalSize=25&flowIdentifier={id}\
                 &flowFilename=%D0%BE%D1%82%D1%87%D1%91%D1%82%201.pdf\
                 &flowRelativePath=docs%2F%D0%BE%D1%82%D1%87%D1%91%D1%82%201.pdf\
                 &flowTotalChunks=2"
            )
        );
        assert_eq!(
            req.headers,
            vec![
                ("Authorization".to_owned(), "OAuth dev-token".to_owned()),
                ("X-Org-ID".to_owned(), "dev-org".to_owned()),
            ]
        );
        assert!(!req.has_body());
    }

    #[test]
    fn part_request_sends_params_then_the_part() {
        let backend = FlowBackend::new("", 10);
        let report = report();
        let part = backend.part(&report, 2).unwrap();
        let req = backend.part_request(&report, &part, &Credentials::default());
        assert_eq!(req.method, HttpMethod::Post);
        assert_eq!(req.url, "/upload/flow");
        assert!(req.headers.is_empty());
        assert_eq!(req.fields, expected_params(&backend.identifier(&report)));
        assert_eq!(
            req.file_parts,
            vec![FilePart {
                field: "file".into(),
                filename: "отчёт 1.pdf".into()
            }]
        );
    }

    #[test]
    fn relative_path_defaults_to_the_name() {
        let backend = FlowBackend::new("", 10);
        let mut plain = file("a.txt", 3);
        plain.relative_path = Some(String::new());
        let part = backend.part(&plain, 1).unwrap();
        let params = backend.params(&plain, &part);
        assert_eq!(
            params[6],
            ("flowRelativePath".to_owned(), "a.txt".to_owned())
        );
        assert_eq!(
            params[2],
            ("flowCurrentChunkSize".to_owned(), "3".to_owned())
        );
    }

    #[test]
    fn reads_test_answers() {
        let backend = FlowBackend::new("", 10);
        assert_eq!(backend.parse_test(200, ""), Ok(PartPresence::Stored));
        assert_eq!(backend.parse_test(204, ""), Ok(PartPresence::Missing));
        assert!(matches!(
            backend.parse_test(201, ""),
            Err(UploadError::InvalidResponse(_))
        ));
        assert_eq!(
            backend.parse_test(
                401,
                r#"{"errors": {}, "errorsData": {}, "errorMessages": ["Not authorized."], "statusCode": 401}"#
            ),
            Err(UploadError::Http {
                status: 401,
                message: "Not authorized.".into()
            })
        );
        let err = backend.parse_test(404, "").unwrap_err();
        assert_eq!(err.status(), Some(404));
    }

    #[test]
    fn reads_part_answers() {
        let backend = FlowBackend::new("", 10);
        assert_eq!(backend.parse_part(200, ""), Ok(PartOutcome::Stored));
        assert_eq!(backend.parse_part(202, "ok"), Ok(PartOutcome::Stored));
        let body = r#"{"self": "http://h/v2/attachments/55", "id": "55", "name": "a.txt",
            "content": "http://h/v2/attachments/55/a.txt", "mimetype": "Text/Plain",
            "size": 25, "createdAt": "2026-11-22T00:00:00.000+0000"}"#;
        assert_eq!(
            backend.parse_part(201, body),
            Ok(PartOutcome::Completed(Attachment {
                id: "55".into(),
                name: "a.txt".into(),
                size: 25,
                mimetype: Some("text/plain".into()),
                content: Some("http://h/v2/attachments/55/a.txt".into()),
                thumbnail: None,
                created_at: Some("2026-11-22T00:00:00.000+0000".into()),
            }))
        );
    }

    #[test]
    fn part_errors() {
        let backend = FlowBackend::new("", 10);
        assert!(matches!(
            backend.parse_part(201, "done"),
            Err(UploadError::InvalidResponse(_))
        ));
        assert!(matches!(
            backend.parse_part(204, ""),
            Err(UploadError::InvalidResponse(_))
        ));
        let html = "<html><head><title>413 Request Entity Too Large</title></head></html>";
        assert_eq!(
            backend.parse_part(413, html),
            Err(UploadError::Http {
                status: 413,
                message: "413 Request Entity Too Large".into()
            })
        );
        let err = backend.parse_part(503, "").unwrap_err();
        assert!(err.is_retryable());
    }
}
