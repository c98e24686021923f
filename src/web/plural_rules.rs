//! Plural categories from the browser's `Intl.PluralRules`, for languages
//! without a built-in table (Polish `few`, Arabic `zero` and `two`…).

use wasm_bindgen::prelude::*;

use crate::core::{PluralCategory, PluralRule};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type PluralRules;

    // `catch`: a tag the browser refuses is a RangeError, which must not
    // unwind through WebAssembly.
    #[wasm_bindgen(constructor, catch, js_namespace = Intl)]
    fn new(locales: &str) -> Result<PluralRules, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn select(this: &PluralRules, n: f64) -> Result<String, JsValue>;
}

/// The browser's plural rule for `tag`; `None` where it has no
/// `Intl.PluralRules` or refuses the tag (every count then takes `other`).
pub fn plural_rule(tag: &str) -> Option<PluralRule> {
    let rules = PluralRules::new(tag).ok()?;
    Some(PluralRule::new(move |n| {
        rules
            .select(n)
            .ok()
            .and_then(|name| PluralCategory::from_name(&name))
            .unwrap_or(PluralCategory::Other)
    }))
}
