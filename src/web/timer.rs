use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

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
