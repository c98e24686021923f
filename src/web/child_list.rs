use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationObserver, MutationObserverInit};

/// Calls back after nodes were added to or removed from anywhere under an
/// element (once per task's batch of changes, as a `MutationObserver`
/// does); stops when dropped.
pub struct ChildListWatch {
    observer: MutationObserver,
    // Kept alive for as long as the observer may call it.
    _callback: Closure<dyn FnMut()>,
}

impl ChildListWatch {
    /// `None` if the browser refuses the observer.
    pub fn new(under: &Element, on_change: impl FnMut() + 'static) -> Option<Self> {
        let callback = Closure::<dyn FnMut()>::new(on_change);
        let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        observer.observe_with_options(under, &init).ok()?;
        Some(Self {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for ChildListWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
