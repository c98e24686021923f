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
/// With `persist: local` an empty list is still written while it tells
/// removals: other tabs read a removed list as emptied by an older build,
/// every id they had from it removed, and must hear which ids went. Once
/// those are told (a day later) or when there never were any, the key is
/// removed: no tab can hold an id then that the absence would take away.
/// With `persist: session` (one tab) an empty list is removed.
pub fn save_kept(persist: Persist, key: &str, kept: &KeptAttachments) -> bool {
    let Some(storage) = storage(persist) else {
        return true;
    };
    let worth_storing = match persist {
        Persist::Local => kept.is_worth_storing(),
        _ => !kept.is_empty(),
    };
    let stored = if worth_storing {
        storage.set_item(key, &kept.to_json())
    } else {
        storage.remove_item(key)
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
