use wasm_bindgen::JsCast;
use web_sys::{Event, Storage, StorageEvent};

use crate::core::KeptAttachments;

/// Where the kept temporary attachments survive a reload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Persist {
    /// This tab, until it closes (`sessionStorage`).
    #[default]
    Session,
    /// Every tab of the origin, across restarts (`localStorage`).
    Local,
    None,
}

impl Persist {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "session" => Some(Persist::Session),
            "local" => Some(Persist::Local),
            "none" => Some(Persist::None),
            _ => None,
        }
    }
}

/// The storage key: one list per `persist-key`, so two widgets on a page
/// (or two forms of an app) keep separate lists.
pub fn storage_key(persist_key: &str) -> String {
    format!("tracker-attachments:{persist_key}")
}

fn storage(persist: Persist) -> Option<Storage> {
    let window = web_sys::window()?;
    // Both getters throw when storage is disabled (privacy modes, sandboxed
    // iframes): then the list simply is not kept.
    match persist {
        Persist::Session => window.session_storage().ok().flatten(),
        Persist::Local => window.local_storage().ok().flatten(),
        Persist::None => None,
    }
}

/// The list stored under `key`. Nothing stored: an empty list that tells
/// no removals ([`KeptAttachments::nothing_stored`]), so that another tab
/// of an older build (or the page) removing the list empties it here too.
/// An unreadable one (a later format) is taken as empty and removing
/// nothing: this tab's ids stay.
pub fn load_kept(persist: Persist, key: &str) -> KeptAttachments {
    match storage(persist).and_then(|s| s.get_item(key).ok().flatten()) {
        Some(text) => KeptAttachments::from_json(&text).unwrap_or_default(),
        None => KeptAttachments::nothing_stored(),
    }
}

/// Stores ids and metadata only: the serialised form holds no credentials.
/// `false` when the storage refused the write (a full quota): the list is
/// not kept then, and a reload would not find it. No storage at all
/// (`Persist::None`, or storage disabled) is no failure: nothing is meant
/// to be kept then.
///
/// With `persist: local` an empty list is written, not removed: other
/// tabs read a removed list as emptied by an older build, every id they
/// had from it removed, and one may have stored an id since this tab read
/// the list. But where no list is stored and this one tells nothing (no
/// attachment, no removal still told), nothing is written: a page that
/// never kept anything leaves no key behind. With `persist: session` (one
/// tab) an empty list is removed.
pub fn save_kept(persist: Persist, key: &str, kept: &KeptAttachments) -> bool {
    let Some(storage) = storage(persist) else {
        return true;
    };
    let stored = match persist {
        Persist::Local if !kept.is_worth_storing() && matches!(storage.get_item(key), Ok(None)) => {
            Ok(())
        }
        Persist::Local => storage.set_item(key, &kept.to_json()),
        _ if kept.is_empty() => storage.remove_item(key),
        _ => storage.set_item(key, &kept.to_json()),
    };
    stored.is_ok()
}

/// The warning for a list that could not be stored: names the storage and
/// the widget's `persist-key`, never an id.
pub fn store_failed_warning(persist: Persist, persist_key: &str) -> String {
    let storage = match persist {
        Persist::Local => "localStorage",
        _ => "sessionStorage",
    };
    format!(
        "tracker-attachments: the kept attachments (persist-key \"{persist_key}\") could not be \
         stored in {storage}: it is full or refused the write. Uploading goes on, but a reload \
         of the page will not find these attachments; free some of the site's storage."
    )
}

/// Whether `event` says another tab stored (or removed) the list under
/// `key` in `localStorage`. Tabs sharing `persist: local` follow each
/// other's list this way instead of overwriting it with their own; the
/// list itself is read from storage, which may be newer than the event.
pub fn is_kept_change(event: &Event, key: &str) -> bool {
    let Some(event) = event.dyn_ref::<StorageEvent>() else {
        return false;
    };
    let local = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    match (local, event.storage_area()) {
        (Some(local), Some(area)) => {
            event.key().as_deref() == Some(key) && js_sys::Object::is(&area, &local)
        }
        _ => false,
    }
}
