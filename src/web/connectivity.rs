//! Whether the browser is online (`navigator.onLine`), and word when that
//! changes (the window's `online` and `offline` events). `onLine` false is
//! certain (no network at all); true only means a network is there, so a
//! failed request while "online" is still retried as ever.

use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use super::EventListener;

/// `navigator.onLine`, read through `Reflect` so that a page (or a test)
/// that redefines it with a throwing getter cannot take the widget down.
/// Online when it cannot be read: then only failures tell.
pub fn is_online() -> bool {
    let read = |target: &JsValue, key: &str| Reflect::get(target, &JsValue::from_str(key)).ok();
    web_sys::window()
        .and_then(|window| read(&window, "navigator"))
        .filter(JsValue::is_object)
        .and_then(|navigator| read(&navigator, "onLine"))
        .and_then(|value| value.as_bool())
        .unwrap_or(true)
}

/// Listens for the browser going offline and coming back until dropped.
pub struct Connectivity {
    _online: EventListener,
    _offline: EventListener,
}

impl Connectivity {
    /// Calls `on_change` with [`is_online`] on each `online` or `offline`
    /// event: the property, not the event's name, is the state, so a
    /// repeated or stale event tells nothing new. `None` without a window.
    pub fn watch(on_change: impl Fn(bool) + 'static) -> Option<Self> {
        let on_change = Rc::new(on_change);
        let back = on_change.clone();
        Some(Self {
            _online: EventListener::on_window("online", move |_| back(is_online()))?,
            _offline: EventListener::on_window("offline", move |_| on_change(is_online()))?,
        })
    }
}
