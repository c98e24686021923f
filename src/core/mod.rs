//! The upload engine's decisions, free of any browser type so that they test
//! on the host in milliseconds.

mod attachment;
mod batch_progress;
mod byte_size;
mod error;
mod file_kind;
mod file_meta;
mod format;
mod header_lines;
mod host_check;
mod intake;
mod issue_deletion;
pub(crate) mod json;
mod kept;
mod list_homes;
mod live_news;
mod locale;
mod news_moment;
mod offline_news;
mod pace;
mod progress_pace;
mod queue;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod queue_properties;
mod restrictions;
mod retry;
mod safe_url;
mod shown_name;
mod size_scale;
mod throughput;
mod timestamp;

pub use attachment::Attachment;
pub use batch_progress::file_shares;
pub use byte_size::parse_byte_size;
pub use error::UploadError;
pub use file_kind::{can_preview, is_inert_image_type, type_label};
pub use file_meta::FileMeta;
pub use format::{format_bytes, format_duration};
pub use header_lines::header_value;
pub use host_check::{host_reason, host_refusal, HostAnswer, HostVerdict, HOST_REASON_MAX_CHARS};
pub use intake::{Intake, INTAKE_SLICE};
pub use issue_deletion::{Deletion, Deletions};
pub use kept::KeptAttachments;
pub use list_homes::ListHomes;
pub use live_news::{LiveNews, NAMED_PER_MOMENT};
pub use locale::{
    fill, Announcement, CustomStrings, CustomText, Key, KeyKind, KeySpec, Language, Locale,
    Messages, PluralCategory, PluralForms, PluralRule, StringsWarning, Wording,
};
pub use news_moment::{MomentEnd, NewsMoment, Urgency, GATHER_WINDOW_MS};
pub use offline_news::OfflineNews;
pub use pace::{KeptSettle, RowPace, Settle, FRAME_BUDGET_MS, ROWS_MAX, ROWS_MIN};
pub use progress_pace::{ProgressPace, PROGRESS_INTERVAL_MS};
pub use queue::{
    BatchLimit, Entry, EntryId, EntryState, IllegalTransition, QueueSummary, UploadQueue,
};
pub use restrictions::{
    accepts, is_accept_rule, parse_accept, ListedFiles, Refusal, Restrictions,
    TRACKER_MAX_FILE_BYTES,
};
pub use retry::{parse_retry_after, RetryDecision, RetryPolicy};
pub use safe_url::{
    is_displayable_url, is_fetchable_url, is_sendable_address, origin_of, web_url_only,
};
pub use shown_name::shown_name;
pub use size_scale::{scale_bytes, ScaledBytes};
pub use throughput::Throughput;
pub use timestamp::parse_timestamp_ms;
