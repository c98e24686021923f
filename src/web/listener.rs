use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// An event listener on the document, removed when dropped.
pub struct DocumentListener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl DocumentListener {
    /// `None` when there is no document or it refuses the listener.
    pub fn new(kind: &'static str, handler: impl FnMut(Event) + 'static) -> Option<Self> {
        let target: EventTarget = web_sys::window()?.document()?.into();
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

impl Drop for DocumentListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
