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
        let timer = schedule(&callback, u64::from(ms));
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
        unschedule(self.timer);
    }
}

/// Resolves after `ms` milliseconds, like [`sleep`], but clears the
/// browser's timer when dropped first: a limit raced against an answer
/// that usually comes at once leaves no timer behind per request.
pub(crate) struct Alarm {
    shared: Rc<AlarmState>,
    timer: Option<i32>,
    _callback: Closure<dyn FnMut()>,
}

#[derive(Default)]
struct AlarmState {
    rang: Cell<bool>,
    waker: std::cell::RefCell<Option<std::task::Waker>>,
}

impl Alarm {
    pub(crate) fn set(ms: u64) -> Self {
        let shared = Rc::new(AlarmState::default());
        let callback = {
            let shared = shared.clone();
            Closure::<dyn FnMut()>::new(move || {
                shared.rang.set(true);
                if let Some(waker) = shared.waker.borrow_mut().take() {
                    waker.wake();
                }
            })
        };
        let timer = schedule(&callback, ms);
        // Without a window nothing would ring: ring at once, as `sleep`
        // resolves at once, rather than hang.
        if timer.is_none() {
            shared.rang.set(true);
        }
        Self {
            shared,
            timer,
            _callback: callback,
        }
    }
}

impl std::future::Future for Alarm {
    type Output = ();

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.shared.rang.get() {
            return std::task::Poll::Ready(());
        }
        *self.shared.waker.borrow_mut() = Some(cx.waker().clone());
        std::task::Poll::Pending
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        unschedule(self.timer);
    }
}

/// Has the window call `callback` after `ms` milliseconds; the timer's id,
/// `None` without a window.
fn schedule(callback: &Closure<dyn FnMut()>, ms: u64) -> Option<i32> {
    let delay = i32::try_from(ms).unwrap_or(i32::MAX);
    web_sys::window().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            delay,
        )
        .ok()
    })
}

fn unschedule(timer: Option<i32>) {
    if let (Some(window), Some(id)) = (web_sys::window(), timer) {
        window.clear_timeout_with_handle(id);
    }
}
