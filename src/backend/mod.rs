//! For each API: the request to send and the reading of its answer. Pure, so
//! every wire detail is tested on the host.

mod auth;
mod error_body;
mod percent;
mod request;
mod tracker;

pub use auth::{AuthScheme, Credentials, OrgHeader};
pub use error_body::error_from_response;
pub use percent::encode_component;
pub use request::{FilePart, HttpMethod, UploadRequest};
pub use tracker::{TrackerBackend, TrackerTarget};
