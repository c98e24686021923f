use crate::backend::{Credentials, Mode, DEFAULT_CHUNK_SIZE};
use crate::core::{CustomStrings, Language, Restrictions, RetryPolicy};
use std::rc::Rc;

use super::{BeforeAdd, EventHandler, Theme};
use crate::web::{AuthorizationProvider, BrowserTransport, Persist, Transport};

/// How one widget talks to its server. The custom element builds this from
/// its attributes; Rust hosts build it directly.
#[derive(Clone)]
pub struct WidgetOptions {
    /// API origin; empty means the page's own origin (a proxy, or the
    /// reference server serving the page).
    pub api: String,
    /// Who the user is: token or provider value, organisation, and the
    /// page's own headers (`extra_headers`, e.g. a CSRF token) and cookies
    /// (`send_cookies`) that go with every request.
    pub credentials: Credentials,
    /// Asked for the `Authorization` value before every request and retry;
    /// when set, it wins over `credentials`' scheme and token.
    pub authorization: Option<AuthorizationProvider>,
    /// Which API the files go to.
    pub mode: Mode,
    /// The issue key for `tracker-issue` and `jira` modes.
    pub issue: String,
    /// Part size for `flow` mode.
    pub chunk_size: u64,
    /// Target URL and file field of `form` mode.
    pub form_url: String,
    pub form_field: String,
    /// JSON field holding the id in a `form` answer (dotted path allowed);
    /// an answer that is one short word of text is the id itself.
    pub form_id_field: Option<String>,
    /// Text fields added before the file to every `form` mode body
    /// (Dropzone's `params`, Uppy's `meta`); the other modes' bodies are
    /// fixed by their APIs and never carry them.
    pub form_fields: Vec<(String, String)>,
    /// Uploads running at once.
    pub concurrency: usize,
    /// Form field name under which a surrounding form submits the kept ids.
    pub name: String,
    /// Where kept temporary attachments survive a reload, and under which
    /// key (`tracker-attachments:{persist_key}`).
    pub persist: Persist,
    pub persist_key: String,
    /// The host's own check of each arriving file, asked before the
    /// restrictions: a file it refuses is listed as refused, told as an
    /// `upload-error`, and takes no place under `max_files`.
    pub before_add: Option<BeforeAdd>,
    /// Checked on arrival, before any byte is sent.
    pub restrictions: Restrictions,
    pub retry: RetryPolicy,
    /// Whether the file dialog takes several files at once.
    pub multiple: bool,
    /// Receives every [`WidgetEvent`](super::WidgetEvent) (changes of the
    /// attachment list, progress, success, errors, attached).
    pub on_event: Option<EventHandler>,
    /// How requests go out: the browser's by default; tests script one.
    pub transport: Rc<dyn Transport>,
    /// The language of every word and number; `None` follows the browser
    /// (`navigator.languages`), English when it asks for none we speak.
    /// A language without a built-in table (`Language::parse("de")`) sets
    /// `lang` and the plural rules, and shows English where `strings`
    /// gives no text.
    pub locale: Option<Language>,
    /// The host's wording over the built-in one, message by message.
    pub strings: Option<Rc<CustomStrings>>,
    /// Light, dark, or the system's choice (the default).
    pub theme: Theme,
    /// Takes no new files: the drop zone is greyed out and out of the tab
    /// order, and drops, pastes, the dialog and `addFiles()` bring none;
    /// every button is disabled. Uploads under way go on. A form's `<fieldset disabled>` does the
    /// same to the custom element.
    pub disabled: bool,
    /// Files dropped anywhere on the page come to this widget, with an
    /// overlay while they are dragged over it.
    pub page_drop: bool,
    /// Files pasted anywhere on the page come to this widget (FilePond's
    /// default), not only those pasted with focus inside it. A paste into
    /// a text field is left to the field when the clipboard holds text too
    /// (a spreadsheet's cells come with a picture of them).
    pub page_paste: bool,
    /// In `jira` mode, up to 60 files go in one request (as long as they
    /// come to at most 16 MiB together; a larger file goes alone), which
    /// spares Jira's rate limit when dozens of screenshots are dropped.
    /// Each file still reports its own outcome and retries on its own;
    /// cancelling one file while the batch goes out stops the request and
    /// sends the others again (once it is all out, only that file's answer
    /// is dropped).
    pub jira_batch: bool,
}

impl WidgetOptions {
    /// Whether a Flow upload stopped under `self` goes on where it stopped
    /// under `other`: the parts on the server are another upload's when
    /// the mode, API or part size (the identifier holds it) changed, or the
    /// credentials (the reference server keys uploads by who sends them).
    pub fn resumes_parts_like(&self, other: &Self) -> bool {
        self.mode == other.mode
            && self.api == other.api
            && self.chunk_size == other.chunk_size
            && self.credentials == other.credentials
    }
}

impl std::fmt::Debug for WidgetOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetOptions")
            .field("api", &self.api)
            .field("credentials", &self.credentials)
            .field("mode", &self.mode)
            .field("issue", &self.issue)
            .field("concurrency", &self.concurrency)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

impl Default for WidgetOptions {
    fn default() -> Self {
        Self {
            api: String::new(),
            credentials: Credentials::default(),
            authorization: None,
            mode: Mode::TrackerTemp,
            issue: String::new(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            form_url: String::new(),
            form_field: "file".to_owned(),
            form_id_field: None,
            form_fields: Vec::new(),
            concurrency: 3,
            name: "attachmentIds".to_owned(),
            persist: Persist::Session,
            persist_key: "default".to_owned(),
            before_add: None,
            restrictions: Restrictions::default(),
            retry: RetryPolicy::default(),
            multiple: true,
            on_event: None,
            transport: Rc::new(BrowserTransport::default()),
            locale: None,
            theme: Theme::Auto,
            strings: None,
            disabled: false,
            page_drop: false,
            page_paste: false,
            jira_batch: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_parts_resume_unless_what_names_or_keys_them_changed() {
        let before = WidgetOptions::default();
        let other_words = WidgetOptions {
            concurrency: 1,
            name: "files".into(),
            ..WidgetOptions::default()
        };
        assert!(before.resumes_parts_like(&other_words));
        let other_parts = WidgetOptions {
            chunk_size: before.chunk_size * 2,
            ..WidgetOptions::default()
        };
        assert!(!before.resumes_parts_like(&other_parts));
        let other_api = WidgetOptions {
            api: "https://elsewhere.example".into(),
            ..WidgetOptions::default()
        };
        assert!(!before.resumes_parts_like(&other_api));
        let mut other_token = WidgetOptions::default();
        other_token.credentials.token = Some("another".into());
        assert!(!before.resumes_parts_like(&other_token));
    }
}
