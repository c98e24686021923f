//! `form` mode: a plain multipart POST to any URL the host names, for pages
//! whose own backend stores the files.

use std::cell::Cell;

use super::upload_backend::single_file_outcomes;
use super::{error_from_response, Credentials, FilePart, HttpMethod, UploadBackend, UploadRequest};
use crate::core::json::Json;
use crate::core::{web_url_only, Attachment, FileMeta, UploadError};

/// Any endpoint that takes one file in a multipart POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormBackend {
    pub url: String,
    /// The multipart field the file goes in (the `field` attribute).
    pub field: String,
    /// Where the answer keeps the id: a key, or a dotted path such as
    /// `data.id` (array indexes allowed: `files.0.id`). `id` is tried after
    /// it; an answer that is one short word of text (FilePond's protocol
    /// answers the id as `text/plain`) is the id itself.
    pub id_field: Option<String>,
    /// Text fields sent before the file in every request (Dropzone's
    /// `params`, Uppy's `meta`): a folder id, a CSRF token in the body.
    pub fields: Vec<(String, String)>,
    /// The next local id's number. Per backend, not global: keep one
    /// `FormBackend` per widget, or call [`FormBackend::parse_upload_with`]
    /// with numbers of your own (e.g. the queue's entry id).
    next_local: Cell<u64>,
}

impl FormBackend {
    pub fn new(url: &str, field: &str, id_field: Option<&str>) -> Self {
        let field = field.trim();
        Self {
            url: url.trim().to_owned(),
            field: if field.is_empty() { "file" } else { field }.to_owned(),
            id_field: id_field
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned),
            fields: Vec::new(),
            next_local: Cell::new(1),
        }
    }

    /// The same backend sending `fields` before the file.
    pub fn with_fields(mut self, fields: &[(String, String)]) -> Self {
        self.fields = fields.to_vec();
        self
    }

    /// Reads the answer for one file; `local_number` names it `local-<n>`
    /// when the answer carries no id (JSON without one, or text that is
    /// not one short word: an HTML page, a sentence).
    pub fn parse_upload_with(
        &self,
        file: &FileMeta,
        status: u16,
        body: &str,
        local_number: u64,
    ) -> Result<Attachment, UploadError> {
        if !(200..300).contains(&status) {
            return Err(error_from_response(status, body));
        }
        let json = Json::parse(body).ok();
        let json = json.as_ref();
        // Where the id was found is also where its url and thumbnail sit:
        // `{"data": {"id": 5, "url": ...}}` keeps them together.
        let (id, holder) = self
            .id_field
            .as_deref()
            .and_then(|path| json.and_then(|j| id_at(j, path)))
            .or_else(|| json.and_then(|j| id_at(j, "id")))
            .map_or((None, json), |(id, holder)| (Some(id), Some(holder)));
        // Only where the answer is no JSON structure: `null`, `[]` or
        // `{"ok": true}` are answers without an id, not ids.
        let id = id.or_else(|| {
            matches!(json, None | Some(Json::Number(_)))
                .then(|| plain_text_id(body))
                .flatten()
        });
        let text = |key: &str| {
            holder
                .and_then(|h| string_at(h, key))
                .or_else(|| json.and_then(|j| string_at(j, key)))
        };
        Ok(Attachment {
            id: id.unwrap_or_else(|| format!("local-{local_number}")),
            name: file.name.clone(),
            size: file.size,
            mimetype: Some(file.mime.trim().to_ascii_lowercase()).filter(|m| !m.is_empty()),
            content: web_url_only(text("url")),
            thumbnail: web_url_only(text("thumbnail")),
            created_at: None,
        })
    }

    fn take_local_number(&self) -> u64 {
        let number = self.next_local.get();
        self.next_local.set(number.wrapping_add(1));
        number
    }
}

impl UploadBackend for FormBackend {
    /// The file alone in field [`FormBackend::field`], with the configured
    /// credentials: a form endpoint is the host's own, and a host that sets
    /// an organisation in form mode means it to be sent.
    fn upload_request(&self, files: &[&FileMeta], credentials: &Credentials) -> UploadRequest {
        UploadRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Post,
            url: self.url.clone(),
            headers: credentials.headers(),
            fields: self.fields.clone(),
            file_parts: files
                .first()
                .map(|file| FilePart {
                    field: self.field.clone(),
                    filename: file.name.clone(),
                })
                .into_iter()
                .collect(),
        }
    }

    fn parse_upload(
        &self,
        files: &[&FileMeta],
        status: u16,
        body: &str,
    ) -> Vec<Result<Attachment, UploadError>> {
        single_file_outcomes(files, |file| {
            let local = self.take_local_number();
            self.parse_upload_with(file, status, body, local)
        })
    }
}

/// The most bytes a text answer may have to be taken as an id.
const MAX_TEXT_ID_BYTES: usize = 256;

/// A text answer that is one word (no whitespace, control characters or
/// `<`, at most [`MAX_TEXT_ID_BYTES`]) with a digit in it is the new file's
/// id, as FilePond's server protocol answers it. Without a digit it is a
/// status (`OK`, `success`, `done`, which many endpoints answer to every
/// upload: taken for ids, every file would have the same one); longer or
/// with markup, it is a page or a message.
fn plain_text_id(body: &str) -> Option<String> {
    let word = body.trim();
    let is_word = !word.is_empty()
        && word.len() <= MAX_TEXT_ID_BYTES
        && word.chars().any(|c| c.is_ascii_digit())
        && !word
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<');
    is_word.then(|| word.to_owned())
}

/// The id at a dotted path, with the object that holds it. Strings and
/// numbers count; an empty string, `null`, an object or an array does not.
fn id_at<'a>(root: &'a Json, path: &str) -> Option<(String, &'a Json)> {
    let (parent_path, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (Some(parent), key),
        None => (None, path),
    };
    let holder = match parent_path {
        Some(parent) => walk(root, parent)?,
        None => root,
    };
    let id = match step(holder, key)? {
        Json::String(text) if !text.trim().is_empty() => text.clone(),
        // As the server wrote it: `981`, `3.5`, or more digits than a u64.
        Json::Number(number) => number.clone(),
        _ => return None,
    };
    Some((id, holder))
}

fn walk<'a>(root: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.').try_fold(root, step)
}

fn step<'a>(value: &'a Json, key: &str) -> Option<&'a Json> {
    match value {
        Json::Object(_) => value.get(key),
        Json::Array(items) => items.get(key.parse::<usize>().ok()?),
        _ => None,
    }
}

fn string_at(value: &Json, key: &str) -> Option<String> {
    match step(value, key)? {
        Json::String(text) if !text.trim().is_empty() => Some(text.clone()),
        _ => None,
    }
}

/// A form backend whose answers without an id are named by one fixed
/// number (the caller's entry id) instead of the backend's own counter.
pub(super) struct FormLocalIds {
    backend: FormBackend,
    local_number: u64,
}

impl FormLocalIds {
    pub(super) fn new(backend: FormBackend, local_number: u64) -> Self {
        Self {
            backend,
            local_number,
        }
    }
}

impl UploadBackend for FormLocalIds {
    fn upload_request(&self, files: &[&FileMeta], credentials: &Credentials) -> UploadRequest {
        self.backend.upload_request(files, credentials)
    }

    fn parse_upload(
        &self,
        files: &[&FileMeta],
        status: u16,
        body: &str,
    ) -> Vec<Result<Attachment, UploadError>> {
        files
            .iter()
            .map(|f| {
                self.backend
                    .parse_upload_with(f, status, body, self.local_number)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{AuthScheme, OrgHeader};

    fn pdf() -> FileMeta {
        FileMeta::new("scan.pdf", 2048, "Application/PDF")
    }

    fn parse(backend: &FormBackend, status: u16, body: &str) -> Result<Attachment, UploadError> {
        backend.parse_upload_with(&pdf(), status, body, 7)
    }

    #[test]
    fn request_posts_the_file_under_the_field() {
        let backend = FormBackend::new("https://example.com/api/upload?x=1", "document", None);
        let creds = Credentials {
            scheme: Some(AuthScheme::Bearer),
            authorization: None,
            token: Some("t".into()),
            org_id: Some("42".into()),
            org_header: OrgHeader::XOrgId,
            ..Credentials::default()
        };
        let req = backend.upload_request(&[&pdf()], &creds);
        assert_eq!(
            req,
            UploadRequest {
                method: HttpMethod::Post,
                url: "https://example.com/api/upload?x=1".into(),
                headers: vec![
                    ("Authorization".into(), "Bearer t".into()),
                    ("X-Org-ID".into(), "42".into())
                ],
                fields: Vec::new(),
                file_parts: vec![FilePart {
                    field: "document".into(),
                    filename: "scan.pdf".into()
                }],
                with_credentials: false,
            }
        );
        assert_eq!(backend.max_batch(), 1);
    }

    #[test]
    fn blank_field_defaults_to_file() {
        let backend = FormBackend::new("/up", "  ", Some(" "));
        assert_eq!(backend.field, "file");
        assert_eq!(backend.id_field, None);
        let req = backend.upload_request(&[&pdf()], &Credentials::default());
        assert!(req.headers.is_empty());
        assert_eq!(req.file_parts[0].field, "file");
        assert!(backend
            .upload_request(&[], &Credentials::default())
            .file_parts
            .is_empty());
    }

    #[test]
    fn id_from_a_dotted_path_with_its_urls() {
        let backend = FormBackend::new("/up", "file", Some("data.id"));
        let body = r#"{"ok": true, "url": "/top", "data": {"id": 981, "url": "/files/981",
            "thumbnail": "/files/981/thumb"}}"#;
        assert_eq!(
            parse(&backend, 200, body),
            Ok(Attachment {
                id: "981".into(),
                name: "scan.pdf".into(),
                size: 2048,
                mimetype: Some("application/pdf".into()),
                content: Some("/files/981".into()),
                thumbnail: Some("/files/981/thumb".into()),
                created_at: None,
            })
        );
    }

    #[test]
    fn array_indexes_and_string_ids() {
        let backend = FormBackend::new("/up", "file", Some("files.0.key"));
        let body = r#"{"files": [{"key": "abc-1"}], "url": "/all"}"#;
        let att = parse(&backend, 201, body).unwrap();
        assert_eq!(att.id, "abc-1");
        // Not beside the id, so taken from the top level.
        assert_eq!(att.content.as_deref(), Some("/all"));
        assert_eq!(att.thumbnail, None);
    }

    #[test]
    fn falls_back_to_top_level_id() {
        let backend = FormBackend::new("/up", "file", Some("data.id"));
        let att = parse(&backend, 200, r#"{"id": "x9", "thumbnail": "/t/x9"}"#).unwrap();
        assert_eq!(att.id, "x9");
        assert_eq!(att.thumbnail.as_deref(), Some("/t/x9"));
        let plain = FormBackend::new("/up", "file", None);
        assert_eq!(parse(&plain, 200, r#"{"id": 3.5}"#).unwrap().id, "3.5");
        // Numbers are kept as written, digits a u64 cannot hold included.
        let long = r#"{"id": 123456789012345678901234567890}"#;
        assert_eq!(
            parse(&plain, 200, long).unwrap().id,
            "123456789012345678901234567890"
        );
    }

    #[test]
    fn no_id_gets_the_local_one() {
        let backend = FormBackend::new("/up", "file", Some("data.id"));
        for body in [
            "",
            "   \n",
            "<html>saved</html>",
            "File saved.",
            "true",
            r#""x9""#,
            "null",
            "[]",
            r#"{"data": null}"#,
            r#"{"data": {"id": ""}}"#,
            r#"{"data": {"id": {"v": 1}}, "id": [1]}"#,
            r#"{"data": "x"}"#,
        ] {
            let att = parse(&backend, 200, body).unwrap();
            assert_eq!(att.id, "local-7", "{body}");
            assert_eq!(att.name, "scan.pdf");
            assert_eq!(att.size, 2048);
        }
        let no_mime = backend
            .parse_upload_with(&FileMeta::new("a", 1, ""), 204, "", 1)
            .unwrap();
        assert_eq!(no_mime.mimetype, None);
        assert_eq!(no_mime.content, None);
    }

    #[test]
    fn a_one_word_text_answer_is_the_id() {
        let backend = FormBackend::new("/up", "file", Some("data.id"));
        for (body, id) in [
            // FilePond's server answers the new id as text/plain.
            ("5f3c-9a1e", "5f3c-9a1e"),
            ("  tmp_81273.upload\r\n", "tmp_81273.upload"),
            ("42", "42"),
            ("файл-7", "файл-7"),
        ] {
            assert_eq!(parse(&backend, 201, body).unwrap().id, id, "{body:?}");
        }
        let longest = format!("{}1", "a".repeat(255));
        assert_eq!(parse(&backend, 200, &longest).unwrap().id, longest);
    }

    #[test]
    fn text_that_is_not_one_short_word_is_no_id() {
        let backend = FormBackend::new("/up", "file", None);
        for body in [
            "<!doctype html><title>Saved</title>".to_owned(),
            "<b>1</b>".to_owned(),
            "id 42".to_owned(),
            "a\t1".to_owned(),
            "a\u{7}1".to_owned(),
            "a\u{a0}1".to_owned(),
            format!("{}1", "a".repeat(256)),
            // A status many endpoints answer to every upload.
            "OK".to_owned(),
            "success".to_owned(),
            "null".to_owned(),
            "[]".to_owned(),
            "{}".to_owned(),
        ] {
            assert_eq!(
                parse(&backend, 200, &body).unwrap().id,
                "local-7",
                "{body:?}"
            );
        }
        // An error answer stays an error, however short.
        assert!(parse(&backend, 500, "oops").is_err());
    }

    #[test]
    fn fields_go_before_the_file_in_every_request() {
        let fields = vec![
            ("folder".to_owned(), "12".to_owned()),
            ("csrfmiddlewaretoken".to_owned(), "abc".to_owned()),
        ];
        let backend = FormBackend::new("/up", "file", None).with_fields(&fields);
        for _ in 0..2 {
            let req = backend.upload_request(&[&pdf()], &Credentials::default());
            assert_eq!(req.fields, fields);
            assert_eq!(req.file_parts.len(), 1);
        }
    }

    #[test]
    fn the_pages_headers_and_cookies_go_with_the_upload() {
        let creds = Credentials {
            extra_headers: vec![
                ("X-CSRFToken".into(), "tok".into()),
                ("Authorization".into(), "sneaky".into()),
            ],
            send_cookies: true,
            ..Credentials::default()
        };
        let req = FormBackend::new("/up", "file", None).upload_request(&[&pdf()], &creds);
        assert_eq!(req.headers, vec![("X-CSRFToken".into(), "tok".into())]);
        assert!(req.with_credentials);
        let plain = FormBackend::new("/up", "file", None)
            .upload_request(&[&pdf()], &Credentials::default());
        assert!(!plain.with_credentials);
    }

    #[test]
    fn trait_numbers_local_ids_per_backend() {
        let backend = FormBackend::new("/up", "file", None);
        let file = pdf();
        let first = backend.parse_upload(&[&file], 200, "File saved.");
        let second = backend.parse_upload(&[&file], 200, "File saved.");
        let with_id = backend.parse_upload(&[&file], 200, r#"{"id": 5}"#);
        let third = backend.parse_upload(&[&file], 200, "File saved.");
        let ids: Vec<_> = [first, second, with_id, third]
            .into_iter()
            .map(|o| o[0].clone().map(|a| a.id))
            .collect();
        assert_eq!(
            ids,
            [
                Ok::<_, UploadError>("local-1".to_owned()),
                Ok("local-2".to_owned()),
                Ok("5".to_owned()),
                Ok("local-4".to_owned())
            ]
        );
    }

    #[test]
    fn non_2xx_is_an_error_with_the_servers_words() {
        let backend = FormBackend::new("/up", "file", None);
        assert_eq!(
            parse(
                &backend,
                422,
                r#"{"errorMessages": ["Bad type"], "errors": {}}"#
            ),
            Err(UploadError::Http {
                status: 422,
                message: "Bad type".into()
            })
        );
        assert_eq!(
            parse(&backend, 400, "File type not allowed"),
            Err(UploadError::Http {
                status: 400,
                message: "File type not allowed".into()
            })
        );
        let err = parse(&backend, 302, "").unwrap_err();
        assert_eq!(err.status(), Some(302));
        let err = parse(&backend, 413, "").unwrap_err();
        assert!(err.to_string().contains("larger"), "{err}");
    }
}
