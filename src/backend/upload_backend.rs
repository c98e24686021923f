use super::{Credentials, JsonRequest, UploadRequest};
use crate::core::{Attachment, FileMeta, UploadError};

/// An API that takes a whole upload in one request: Tracker (T1, T2), Jira
/// (J1) and a plain form endpoint. Flow's part protocol needs several
/// requests per file and has its own type ([`super::FlowBackend`]).
///
/// Object safe, so the browser layer can hold a `Box<dyn UploadBackend>`
/// chosen from the `mode` attribute and drive every API the same way.
pub trait UploadBackend {
    /// Most files one request may carry (Jira: up to 60 when batching is asked; others 1).
    fn max_batch(&self) -> usize {
        1
    }

    /// The request for `files` (1..=max_batch of them), with `credentials`
    /// asked again per request so that a token refreshed between retries is
    /// the one sent.
    fn upload_request(&self, files: &[&FileMeta], credentials: &Credentials) -> UploadRequest;

    /// One outcome per file, in the order of `files`, so a batch that half
    /// succeeded reports each file on its own.
    fn parse_upload(
        &self,
        files: &[&FileMeta],
        status: u16,
        body: &str,
    ) -> Vec<Result<Attachment, UploadError>>;

    /// The request that takes `attachment` off the issue again. A server
    /// attaches whatever it received in full, so a file cancelled after its
    /// bytes were out (or cancelled and sent anew) would otherwise stay on
    /// the issue while its row says cancelled. `None` where an upload puts
    /// nothing anywhere lasting: a temporary file expires unattached, and a
    /// plain form endpoint has no known way back.
    fn withdraw_request(
        &self,
        _attachment: &Attachment,
        _credentials: &Credentials,
    ) -> Option<JsonRequest> {
        None
    }

    /// The request for what the issue holds now, to find out whether an
    /// upload whose answer was lost after its last byte was attached
    /// ([`super::find_lost_upload`]). `None` where uploads attach nothing.
    fn listing_request(&self, _credentials: &Credentials) -> Option<JsonRequest> {
        None
    }

    /// The attachments in the answer to [`Self::listing_request`].
    fn parse_listing(&self, status: u16, body: &str) -> Result<Vec<Attachment>, UploadError> {
        let _ = body;
        Err(UploadError::Http {
            status,
            message: String::new(),
        })
    }
}

/// The outcome list for a one-file API: the first file gets `first`, and any
/// extra file (a caller that ignored [`UploadBackend::max_batch`]) an error
/// saying it was never sent, so the list still has one entry per file.
pub(super) fn single_file_outcomes(
    files: &[&FileMeta],
    first: impl FnOnce(&FileMeta) -> Result<Attachment, UploadError>,
) -> Vec<Result<Attachment, UploadError>> {
    let mut outcomes = Vec::with_capacity(files.len());
    if let Some((head, rest)) = files.split_first() {
        outcomes.push(first(head));
        outcomes.extend(rest.iter().map(|_| Err(not_sent())));
    }
    outcomes
}

fn not_sent() -> UploadError {
    UploadError::InvalidResponse("not sent: this API takes one file per request".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::HttpMethod;

    struct Echo;

    impl UploadBackend for Echo {
        fn upload_request(&self, files: &[&FileMeta], credentials: &Credentials) -> UploadRequest {
            UploadRequest {
                method: HttpMethod::Post,
                url: format!("/echo/{}", files.len()),
                headers: credentials.headers(),
                fields: Vec::new(),
                file_parts: Vec::new(),
                with_credentials: false,
            }
        }

        fn parse_upload(
            &self,
            files: &[&FileMeta],
            status: u16,
            _body: &str,
        ) -> Vec<Result<Attachment, UploadError>> {
            single_file_outcomes(files, |file| {
                Ok(Attachment {
                    id: status.to_string(),
                    name: file.name.clone(),
                    size: file.size,
                    mimetype: None,
                    content: None,
                    thumbnail: None,
                    created_at: None,
                })
            })
        }
    }

    #[test]
    fn default_batch_is_one_and_trait_is_object_safe() {
        let backend: Box<dyn UploadBackend> = Box::new(Echo);
        assert_eq!(backend.max_batch(), 1);
        let a = FileMeta::new("a", 1, "");
        let req = backend.upload_request(&[&a], &Credentials::default());
        assert_eq!(req.url, "/echo/1");
    }

    #[test]
    fn extra_files_are_reported_not_sent() {
        let a = FileMeta::new("a", 1, "");
        let b = FileMeta::new("b", 2, "");
        let outcomes = Echo.parse_upload(&[&a, &b], 201, "");
        assert_eq!(outcomes.len(), 2);
        assert_eq!(outcomes[0].as_ref().map(|x| x.name.as_str()), Ok("a"));
        assert_eq!(outcomes[1], Err(not_sent()));
        assert!(Echo.parse_upload(&[], 201, "").is_empty());
    }
}
