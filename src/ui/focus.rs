//! Where keyboard focus goes when the button it is on goes away. A row's
//! buttons are replaced when its state changes (Cancel becomes Retry and
//! Remove, or Remove when the upload ends) and a removed row takes its
//! buttons with it; without this, focus falls to the page's `<body>` and a
//! keyboard or screen-reader user starts again from the top.

use leptos::prelude::request_animation_frame;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Marks an item on its way out of its list.
const LEAVING: &str = "data-ta-leaving";

/// Whether focus is on `element` or inside it (shadow roots included: the
/// pseudo-class sees focus within the element's own tree).
pub fn holds_focus(element: &Element) -> bool {
    element.matches(":focus-within").unwrap_or(false)
}

/// Focuses the first button inside `container` and hands it back; `None`
/// if it has none.
pub fn focus_first_button(container: &Element) -> Option<HtmlElement> {
    focus_first(container, "button")
}

/// Focuses the first element inside `container` that `selector` finds
/// and hands it back; `None` if there is none.
pub fn focus_first(container: &Element, selector: &str) -> Option<HtmlElement> {
    let element = container
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())?;
    element.focus().ok()?;
    Some(element)
}

/// Before `item` leaves its list (`list_selector` names the list, and
/// `item_selector` its items): focus goes to the next item's first button,
/// else the previous one's, else the widget's drop zone, as in peers'
/// lists where Delete moves to the neighbour.
pub fn focus_beside(item: &Element, list_selector: &str, item_selector: &'static str) {
    // The list is redrawn in a later task: an item removed a moment ago may
    // still be there, and is no place for focus.
    let _ = item.set_attribute(LEAVING, "");
    let zone = drop_zone_of(item);
    let Some(list) = item.closest(list_selector).ok().flatten() else {
        focus_drop_zone(zone.as_ref());
        return;
    };
    let all = staying_items(&list, item_selector, Some(item));
    let at = all.iter().position(|other| other == item);
    let focused = at.and_then(|at| {
        let after = all.iter().skip(at + 1);
        let before = all.iter().take(at).rev();
        after.chain(before).find_map(focus_first_button)
    });
    let Some((at, button)) = at.zip(focused) else {
        focus_drop_zone(zone.as_ref());
        return;
    };
    // The neighbour may be drawn again as a new node once the item is gone
    // (it moves onto the page of 100 before it): if the button that took
    // focus has left the page by the next frame, whatever now holds the
    // item's place takes it.
    request_animation_frame(move || {
        if button.is_connected() {
            return;
        }
        let now = staying_items(&list, item_selector, None);
        let place = now.get(at).or_else(|| now.last());
        if place.and_then(focus_first_button).is_none() {
            focus_drop_zone(zone.as_ref());
        }
    });
}

/// The items of `list` not on their way out (`leaving` counts as staying:
/// it is the one whose place is asked for).
pub(super) fn staying_items(
    list: &Element,
    selector: &str,
    leaving: Option<&Element>,
) -> Vec<Element> {
    let Ok(items) = list.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..items.length())
        .filter_map(|i| items.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .filter(|other| Some(other) == leaving || !other.has_attribute(LEAVING))
        .collect()
}

/// The drop zone of the widget `inside` belongs to.
pub fn drop_zone_of(inside: &Element) -> Option<HtmlElement> {
    inside
        .closest("[data-ta=widget]")
        .ok()
        .flatten()
        .and_then(|widget| widget.query_selector("[data-ta=dropzone]").ok().flatten())
        .and_then(|zone| zone.dyn_into::<HtmlElement>().ok())
}

/// Focuses `zone`, if there is one and it still is in the page.
pub fn focus_drop_zone(zone: Option<&HtmlElement>) {
    if let Some(zone) = zone.filter(|z| z.is_connected()) {
        let _ = zone.focus();
    }
}
