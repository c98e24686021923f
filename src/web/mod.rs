//! Browser I/O. Every JavaScript exception becomes a `Result` here; nothing
//! in this layer decides anything.

mod authorization;
mod child_list;
mod connection_wait;
mod connectivity;
pub mod console;
mod files;
mod folders;
mod host_values;
mod language;
mod listener;
mod object_url;
mod origin;
mod part_upload;
mod plural_rules;
mod preview;
mod storage;
mod strings;
mod thumbnail;
mod timer;
mod transport;
mod transport_trait;
mod xhr;

pub use authorization::{
    fresh_credentials, send_authorized, AuthorizationAsk, AuthorizationProvider,
    DEFAULT_PROVIDER_TIMEOUT_MS,
};
pub use child_list::ChildListWatch;
pub use connectivity::{is_online, Connectivity};
pub use files::{
    as_file, as_file_list, file_meta, files_from_data_transfer, files_from_list, picked_meta,
};
pub use folders::{take_drop, walk_folders, Dropped, PickedFile, Walked};
pub use host_values::{entries_of, is_array, items_of, text_of};
pub use language::{browser_locale, wording};
pub use listener::EventListener;
pub use object_url::ObjectUrl;
pub use origin::same_origin_as_api;
pub use part_upload::{upload_in_parts, PartUploader};
pub use plural_rules::plural_rule;
pub use preview::{downscaled_preview, PREVIEW_WIDTH};
pub use storage::{
    is_kept_change, load_kept, save_kept, storage_key, store_failed_warning, Persist,
};
pub use strings::custom_strings;
pub use thumbnail::{fetch_thumbnail, ThumbnailHeaders};
pub use timer::sleep;
pub use transport::{send_json, RawResponse, MAX_ANSWER_UNITS};
pub use transport_trait::{
    BrowserTransport, Transport, TransportFuture, DEFAULT_ANSWER_TIMEOUT_MS,
    DEFAULT_STALL_TIMEOUT_MS,
};
pub use xhr::{send_upload_xhr, Watchdog};

/// The text of a JavaScript exception, for error messages.
pub(crate) fn js_error_text(value: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
