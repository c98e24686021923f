//! Reading what a page hands in (options objects, arrays) with every
//! exception caught: a Proxy's trap or a getter may throw, and an
//! exception thrown through the wasm leaves the widget's state borrowed
//! for good. What cannot be read is `None`, for the caller to warn about.

use js_sys::Array;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn checked_entries(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn checked_is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_name = String)]
    fn checked_string(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// `String(value)`: an object's own text (a URL's `href`, an array's items
/// joined by commas); `None` if its `toString` threw.
pub fn text_of(value: &JsValue) -> Option<String> {
    checked_string(value).ok()?.as_string()
}

/// Whether `value` is an array (a Proxy of one too); `None` if asking
/// threw (a revoked Proxy).
pub fn is_array(value: &JsValue) -> Option<bool> {
    checked_is_array(value).ok()
}

/// The own enumerable string-keyed members of `value`, as `Object.entries`
/// reads them (getters included); `None` if reading them threw.
pub fn entries_of(value: &JsValue) -> Option<Vec<(String, JsValue)>> {
    let entries = checked_entries(value).ok()?;
    let entries: Array = entries.dyn_into().ok()?;
    Some(
        entries
            .iter()
            .filter_map(|entry| {
                let entry: Array = entry.dyn_into().ok()?;
                Some((entry.get(0).as_string()?, entry.get(1)))
            })
            .collect(),
    )
}

/// The items of an array (or any iterable); `None` if reading them threw.
pub fn items_of(value: &JsValue) -> Option<Vec<JsValue>> {
    js_sys::try_iter(value)
        .ok()
        .flatten()?
        .collect::<Result<Vec<_>, _>>()
        .ok()
}
