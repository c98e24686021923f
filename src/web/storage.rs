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

/// The list stored under `key`, or an empty one when there is none or it is
/// unreadable.
pub fn load_kept(persist: Persist, key: &str) -> KeptAttachments {
    storage(persist)
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|text| KeptAttachments::from_json(&text))
        .unwrap_or_default()
}

/// Stores ids and metadata only: the serialised form holds no credentials.
pub fn save_kept(persist: Persist, key: &str, kept: &KeptAttachments) {
    if let Some(storage) = storage(persist) {
        // A full quota is not worth failing an upload over.
        let _ = if kept.is_empty() {
            storage.remove_item(key)
        } else {
            storage.set_item(key, &kept.to_json())
        };
    }
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
