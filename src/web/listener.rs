use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// An event listener, removed when dropped.
pub struct EventListener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl EventListener {
    /// On the document; `None` when there is none or it refuses the listener.
    pub fn on_document(kind: &'static str, handler: impl FnMut(Event) + 'static) -> Option<Self> {
        Self::on(web_sys::window()?.document()?.into(), kind, handler)
    }

    /// On the window (e.g. `storage`, which only the window receives).
    pub fn on_window(kind: &'static str, handler: impl FnMut(Event) + 'static) -> Option<Self> {
        Self::on(web_sys::window()?.into(), kind, handler)
    }

    /// On any target (an `AbortSignal`, say).
    pub(crate) fn on(
        target: EventTarget,
        kind: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) -> Option<Self> {
        let callback = Closure::<dyn FnMut(Event)>::new(handler);
        target
            .add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Self {
            target,
            kind,
            callback,
        })
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
