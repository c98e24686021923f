//! Where keyboard focus goes when the button it is on goes away. A row's
//! buttons are replaced when its state changes (Cancel becomes Retry and
//! Remove, or Remove when the upload ends) and a removed row takes its
//! buttons with it; without this, focus falls to the page's `<body>` and a
//! keyboard or screen-reader user starts again from the top.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Marks an item on its way out of its list.
const LEAVING: &str = "data-ta-leaving";

/// Whether focus is on `element` or inside it (shadow roots included: the
/// pseudo-class sees focus within the element's own tree).
pub fn holds_focus(element: &Element) -> bool {
    element.matches(":focus-within").unwrap_or(false)
}

/// Focuses the first button inside `container`; `false` if it has none.
pub fn focus_first_button(container: &Element) -> bool {
    let Some(button) = container
        .query_selector("button")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
    else {
        return false;
    };
    button.focus().is_ok()
}

/// Before `item` leaves its list (`list_selector` names the list, and
/// `item_selector` its items): focus goes to the next item's first button,
/// else the previous one's, else the widget's drop zone, as in peers'
/// lists where Delete moves to the neighbour.
pub fn focus_beside(item: &Element, list_selector: &str, item_selector: &str) {
    // The list is redrawn in a later task: an item removed a moment ago may
    // still be there, and is no place for focus.
    let _ = item.set_attribute(LEAVING, "");
    let neighbours = item
        .closest(list_selector)
        .ok()
        .flatten()
        .and_then(|list| list.query_selector_all(item_selector).ok());
    if let Some(items) = neighbours {
        let all: Vec<Element> = (0..items.length())
            .filter_map(|i| items.item(i))
            .filter_map(|node| node.dyn_into::<Element>().ok())
            .collect();
        if let Some(at) = all.iter().position(|other| other == item) {
            let after = all.iter().skip(at + 1);
            let before = all.iter().take(at).rev();
            let staying = |other: &&Element| !other.has_attribute(LEAVING);
            if after.chain(before).filter(staying).any(focus_first_button) {
                return;
            }
        }
    }
    let zone = item
        .closest("[data-ta=widget]")
        .ok()
        .flatten()
        .and_then(|widget| widget.query_selector("[data-ta=dropzone]").ok().flatten())
        .and_then(|zone| zone.dyn_into::<HtmlElement>().ok());
    if let Some(zone) = zone {
        let _ = zone.focus();
    }
}
