use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsCast;
use web_sys::{Event, Storage, StorageEvent};

use crate::core::kept_pages::{self, KeyValueStore, StoreRefused};
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
/// (or two forms of an app) keep separate lists. The key holds the list's
/// manifest, its pages are under `<key>#1`, `<key>#2`, … (`kept_pages`).
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
    try_load_kept(persist, key).unwrap_or_default()
}

/// The list stored under `key` (empty when there is none), or `None` when
/// what is stored cannot be read whole: a merge must not take that for
/// another tab having removed everything.
pub fn try_load_kept(persist: Persist, key: &str) -> Option<KeptAttachments> {
    let Some(storage) = storage(persist) else {
        return Some(KeptAttachments::new());
    };
    with_known_manifest(persist, key, |known| {
        kept_pages::load(&BrowserStore(storage), key, known)
    })
}

/// Stores ids and metadata only: the serialised form holds no credentials.
pub fn save_kept(persist: Persist, key: &str, kept: &KeptAttachments) {
    if let Some(storage) = storage(persist) {
        // A full quota is not worth failing an upload over.
        let _ = with_known_manifest(persist, key, |known| {
            kept_pages::save(&BrowserStore(storage), key, kept, known)
        });
    }
}

thread_local! {
    /// Per storage area and key, the manifest this page last wrote or read
    /// whole (see `kept_pages`): widgets on one key share storage, and so
    /// this too.
    static KNOWN_MANIFESTS: RefCell<HashMap<(bool, String), String>> =
        RefCell::new(HashMap::new());
}

fn with_known_manifest<T>(
    persist: Persist,
    key: &str,
    use_it: impl FnOnce(&mut Option<String>) -> T,
) -> T {
    let slot = (persist == Persist::Local, key.to_owned());
    let mut known = KNOWN_MANIFESTS.with(|m| m.borrow_mut().remove(&slot));
    // Outside the borrow: `Storage` calls may run a page's script (a
    // patched `setItem`), which may call back into the widget.
    let outcome = use_it(&mut known);
    if let Some(known) = known {
        KNOWN_MANIFESTS.with(|m| m.borrow_mut().insert(slot, known));
    }
    outcome
}

/// `Storage` as the pages' store; every exception is a refusal or nothing.
struct BrowserStore(Storage);

impl KeyValueStore for BrowserStore {
    fn get(&self, key: &str) -> Option<String> {
        self.0.get_item(key).ok().flatten()
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreRefused> {
        self.0.set_item(key, value).map_err(|_| StoreRefused)
    }

    fn remove(&self, key: &str) {
        let _ = self.0.remove_item(key);
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
