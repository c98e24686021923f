//! The host's `strings` object, read into loose values for
//! [`CustomStrings::parse`]: text stays text, arrays and plain objects
//! keep their entries (two levels deep, as far as plural forms go), and
//! anything else (numbers, functions) becomes `null`, which the parse
//! reports as not text.

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};

use super::host_values::{entries_of, is_array, items_of};
use crate::core::json::Json;
use crate::core::CustomStrings;

/// Warnings told one by one; past these, one line counts the rest.
const WARNINGS_TOLD: usize = 10;

/// The wording in `value`, and a warning per entry left out; `None` for
/// `null`, `undefined`, an object without usable entries and (with a
/// warning) anything but an object. The caller tells the warnings: a page
/// setting the same strings on every render should hear them once.
pub fn custom_strings(value: &JsValue) -> (Option<CustomStrings>, Vec<String>) {
    if value.is_null() || value.is_undefined() {
        return (None, Vec::new());
    }
    let (strings, warnings) = CustomStrings::parse(&loose(value, 2));
    let mut told: Vec<String> = warnings
        .iter()
        .take(WARNINGS_TOLD)
        .map(ToString::to_string)
        .collect();
    // An object of thousands of unknown keys is not told key by key.
    if warnings.len() > WARNINGS_TOLD {
        told.push(format!(
            "tracker-attachments: strings: {} more entries were left out",
            warnings.len() - WARNINGS_TOLD
        ));
    }
    (Some(strings).filter(|s| !s.is_empty()), told)
}

/// `value` as [`Json`], `depth` levels of arrays and objects deep.
fn loose(value: &JsValue, depth: usize) -> Json {
    if let Some(text) = value.as_string() {
        return Json::String(text);
    }
    if depth == 0 || value.is_function() {
        return Json::Null;
    }
    // What throws as it is read is no text (`null`), which the parse
    // reports.
    let Some(array) = is_array(value) else {
        return Json::Null;
    };
    if array {
        let Some(items) = items_of(value) else {
            return Json::Null;
        };
        return Json::Array(items.iter().map(|item| loose(item, depth - 1)).collect());
    }
    if value.dyn_ref::<Object>().is_none() {
        return Json::Null;
    }
    let Some(entries) = entries_of(value) else {
        return Json::Null;
    };
    Json::Object(
        entries
            .into_iter()
            .map(|(name, member)| (name, loose(&member, depth - 1)))
            .collect(),
    )
}
