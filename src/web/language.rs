use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

use crate::core::Locale;

/// The language the browser asks for: the first of `navigator.languages`
/// (then `navigator.language`) that the widget speaks, else English.
/// Read through `Reflect` so a page without a navigator yields English.
pub fn browser_locale() -> Locale {
    let navigator = web_sys::window()
        .and_then(|w| Reflect::get(&w, &JsValue::from_str("navigator")).ok())
        .filter(|n| n.is_object());
    let Some(navigator) = navigator else {
        return Locale::default();
    };
    let mut tags: Vec<String> = Reflect::get(&navigator, &JsValue::from_str("languages"))
        .ok()
        .filter(Array::is_array)
        .map(|list| {
            Array::from(&list)
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default();
    if let Some(tag) = Reflect::get(&navigator, &JsValue::from_str("language"))
        .ok()
        .and_then(|v| v.as_string())
    {
        tags.push(tag);
    }
    Locale::negotiate(tags.iter().map(String::as_str))
}
