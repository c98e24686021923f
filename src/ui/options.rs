use crate::backend::{Credentials, TrackerTarget};
use crate::core::{Restrictions, RetryPolicy};

/// How one widget talks to its server. The custom element builds this from
/// its attributes; Rust hosts build it directly.
#[derive(Clone, Debug, PartialEq)]
pub struct WidgetOptions {
    /// API origin; empty means the page's own origin (a proxy, or the
    /// reference server serving the page).
    pub api: String,
    pub credentials: Credentials,
    pub target: TrackerTarget,
    /// Uploads running at once.
    pub concurrency: usize,
    /// Form field name of the hidden inputs carrying kept ids.
    pub name: String,
    /// Checked on arrival, before any byte is sent.
    pub restrictions: Restrictions,
    pub retry: RetryPolicy,
}

impl Default for WidgetOptions {
    fn default() -> Self {
        Self {
            api: String::new(),
            credentials: Credentials::default(),
            target: TrackerTarget::Temporary,
            concurrency: 3,
            name: "attachmentIds".to_owned(),
            restrictions: Restrictions::default(),
            retry: RetryPolicy::default(),
        }
    }
}
