use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

/// Resolves after `ms` milliseconds (a retry's backoff). Without a window
/// (a worker, a torn-down page) it resolves at once rather than hang.
pub async fn sleep(ms: u64) {
    let promise = Promise::new(&mut |resolve, _| {
        let delay = i32::try_from(ms).unwrap_or(i32::MAX);
        let scheduled = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, delay)
                .ok()
        });
        if scheduled.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Aborts `controller` after `ms` milliseconds unless dropped first: the
/// limit on how long a request may wait for its answer.
pub(crate) struct Deadline {
    fired: Rc<Cell<bool>>,
    timer: Option<i32>,
    _callback: Closure<dyn FnMut()>,
}

impl Deadline {
    pub(crate) fn arm(ms: u32, controller: &AbortController) -> Self {
        let fired = Rc::new(Cell::new(false));
        let callback = {
            let fired = fired.clone();
            let controller = controller.clone();
            Closure::<dyn FnMut()>::new(move || {
                fired.set(true);
                controller.abort();
            })
        };
        let delay = i32::try_from(ms).unwrap_or(i32::MAX);
        let timer = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                delay,
            )
            .ok()
        });
        Self {
            fired,
            timer,
            _callback: callback,
        }
    }

    /// Whether the time ran out (rather than someone else aborting).
    pub(crate) fn fired(&self) -> bool {
        self.fired.get()
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some(window), Some(id)) = (web_sys::window(), self.timer) {
            window.clear_timeout_with_handle(id);
        }
    }
}
