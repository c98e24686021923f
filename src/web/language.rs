use js_sys::Reflect;
use wasm_bindgen::JsValue;

use std::rc::Rc;

use crate::core::{CustomStrings, Language, Locale, Wording};

/// What the widget says: `language` (the browser's when `None`) with the
/// host's `strings`, and for a language without a built-in table, the
/// browser's plural rule for it.
pub fn wording(language: Option<&Language>, strings: Option<Rc<CustomStrings>>) -> Wording {
    let language = language.cloned().unwrap_or_else(|| browser_locale().into());
    let rule = if language.is_built_in() {
        None
    } else {
        super::plural_rule(language.tag())
    };
    Wording::new(language, strings, rule)
}

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
    // Read with every exception caught: a page (or an extension) may put
    // a Proxy there whose traps throw, which must not throw through the
    // wasm.
    let mut tags: Vec<String> = Reflect::get(&navigator, &JsValue::from_str("languages"))
        .ok()
        .filter(|list| super::is_array(list) == Some(true))
        .and_then(|list| super::items_of(&list))
        .map(|items| items.iter().filter_map(JsValue::as_string).collect())
        .unwrap_or_default();
    if let Some(tag) = Reflect::get(&navigator, &JsValue::from_str("language"))
        .ok()
        .and_then(|v| v.as_string())
    {
        tags.push(tag);
    }
    Locale::negotiate(tags.iter().map(String::as_str))
}
