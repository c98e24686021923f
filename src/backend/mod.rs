//! For each API: the request to send and the reading of its answer. Pure, so
//! every wire detail is tested on the host.

mod attach;
mod auth;
mod error_body;
mod extra_headers;
mod flow;
mod form;
mod issue_delete;
mod issue_key;
mod jira;
mod lost_answer;
mod mode;
mod percent;
mod request;
mod select;
mod sent_name;
mod take_back;
mod tracker;
mod upload_backend;

pub use attach::{
    attach_request, comment_request, ids_refused_by_name, parse_attach, parse_comment,
    temporary_attachment_is_gone, temporary_attachment_request,
};
pub use auth::{AuthScheme, Credentials, OrgHeader};
pub use error_body::error_from_response;
pub use extra_headers::{
    header_refusal, oversized_headers_warning, refused_header_warning, HeaderRefusal,
};
pub use flow::{
    bounded_chunk_size, FlowBackend, PartOutcome, PartPresence, PartSpec, DEFAULT_CHUNK_SIZE,
    MAX_PARTS, MIN_CHUNK_SIZE,
};
pub use form::FormBackend;
pub use issue_delete::{deletable, deletion_outcome};
pub use issue_key::usable_issue_key;
pub use jira::{JiraBackend, JIRA_MAX_BATCH};
pub use lost_answer::{
    answer_lost, can_be_looked_up, find_lost_upload, look_up_again, may_be_on_the_issue,
    unreadable_success, LookUpAgain, LostUpload, CLOCK_SKEW_MS, UNSURE_WINDOW_MS,
};
pub use mode::Mode;
pub use percent::{encode_component, is_dot_segment};
pub use request::{FilePart, HttpMethod, JsonRequest, UploadRequest};
pub use select::{batch_limit, single_request_backend, BackendSettings, JIRA_BATCH_BYTES};
pub use take_back::surely_owns;
pub use tracker::{TrackerBackend, TrackerTarget};
pub use upload_backend::UploadBackend;
