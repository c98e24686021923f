//! The console, for warnings to the page's developer. A page may replace
//! `console.warn` with a function that throws (tests that fail on any
//! warning do): the exception is caught here, as a throw unwinding through
//! WebAssembly would skip Rust's clean-up and leave state half-changed.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(text: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn_with(text: &str, value: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(catch, js_namespace = console, js_name = error)]
    fn console_error(text: &str, error: &JsValue) -> Result<(), JsValue>;
}

/// `console.warn(text)`; a throwing console is ignored.
pub fn warn(text: &str) {
    let _ = console_warn(text);
}

/// `console.warn(text, value)` (an error the page threw, shown with its
/// stack); a throwing console is ignored.
pub fn warn_with(text: &str, value: &JsValue) {
    let _ = console_warn_with(text, value);
}

/// `console.error(text, error)`; a throwing console is ignored.
pub fn error(text: &str, error: &JsValue) {
    let _ = console_error(text, error);
}
