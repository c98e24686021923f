//! Origins as the browser reads addresses against the page.

use crate::core::origin_of;

/// Whether `url` is on the API's own origin: only there may the user's
/// credentials be sent. Both are read as the browser reads them against
/// the page (`api` empty or relative is the page's origin; `//host` and
/// `/\host` are other hosts').
pub fn same_origin_as_api(url: &str, api: &str) -> bool {
    let origin = |address: &str| {
        let page = web_sys::window()?.location().href().ok()?;
        origin_of(&web_sys::Url::new_with_base(address, &page).ok()?.origin())
    };
    matches!((origin(url), origin(api)), (Some(a), Some(b)) if a == b)
}
