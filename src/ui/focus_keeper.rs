//! Focus on a row or kept item that leaves by other means than its own
//! buttons: `attachTo()`, `clear()`, another tab removing a kept id. The
//! buttons' own paths move focus before the item goes (`focus_beside`);
//! these removals come from code that knows nothing of the page, and
//! without this focus falls to the page's `<body>`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Element, FocusEvent, HtmlElement};

use super::focus::{focus_drop_zone, focus_first_button, holds_focus, staying_items};
use crate::web::{ChildListWatch, EventListener};

/// The lists whose items are watched, and their items.
const LISTS: [(&str, &str); 2] = [
    ("[data-ta=list]", "[data-ta=row]"),
    ("[data-ta=kept]", "[data-ta=kept-item]"),
];

/// The item focus was last inside, its list, its place there and its
/// neighbours then (the place alone goes stale as other items leave).
#[derive(Clone)]
struct Held {
    item: Element,
    list: Element,
    item_selector: &'static str,
    at: usize,
    next: Option<Element>,
    previous: Option<Element>,
}

/// Watches one widget; stops when dropped.
pub struct FocusKeeper {
    _focus_in: EventListener,
    _focus_out: EventListener,
    _changes: ChildListWatch,
}

impl FocusKeeper {
    pub fn watch(widget: &Element) -> Option<Self> {
        let held = Rc::new(RefCell::new(None::<Held>));

        let on_in = held.clone();
        let focus_in = EventListener::on(widget.clone().into(), "focusin", move |ev| {
            *on_in.borrow_mut() = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|target| held_at(&target));
        })?;

        // Focus moving elsewhere lets go of the item: at once to another
        // element of the page (one inside the widget is held by `focusin`).
        // Chromium also says "focus out, to nowhere" as it removes a
        // focused node: the item is then gone by the time this checks (a
        // microtask later), and is kept for the observer. A click on the
        // page's empty space leaves the item in place, and lets go of it.
        let on_out = held.clone();
        let inside = widget.clone();
        let focus_out = EventListener::on(widget.clone().into(), "focusout", move |ev| {
            let to = ev
                .dyn_ref::<FocusEvent>()
                .and_then(FocusEvent::related_target)
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            if let Some(to) = to {
                if !inside.contains(Some(&to)) {
                    on_out.borrow_mut().take();
                }
                return;
            }
            let left = on_out.borrow().as_ref().map(|h| h.item.clone());
            let held = on_out.clone();
            spawn_local(async move {
                // Only the item focus left, if still held and still there:
                // the observer may have moved focus on meanwhile.
                let stays = held
                    .borrow()
                    .as_ref()
                    .is_some_and(|h| Some(&h.item) == left.as_ref() && h.item.is_connected());
                if stays {
                    held.borrow_mut().take();
                }
            });
        })?;

        let on_change = held;
        let watched = widget.clone();
        let changes = ChildListWatch::new(widget, move || {
            let gone = on_change
                .borrow()
                .as_ref()
                .is_some_and(|h| !h.item.is_connected());
            if !gone {
                return;
            }
            let Some(held) = on_change.borrow_mut().take() else {
                return;
            };
            if focus_fell(&watched) {
                refocus(&watched, &held);
            }
        })?;

        Some(Self {
            _focus_in: focus_in,
            _focus_out: focus_out,
            _changes: changes,
        })
    }
}

/// The watched item `target` is in, with its place in its list.
fn held_at(target: &Element) -> Option<Held> {
    LISTS.iter().find_map(|&(list_selector, item_selector)| {
        let item = target.closest(item_selector).ok().flatten()?;
        let list = item.closest(list_selector).ok().flatten()?;
        let items = staying_items(&list, item_selector, Some(&item));
        let at = items.iter().position(|other| *other == item)?;
        Some(Held {
            next: items.get(at + 1).cloned(),
            previous: at.checked_sub(1).and_then(|i| items.get(i)).cloned(),
            item,
            list,
            item_selector,
            at,
        })
    })
}

/// Whether focus is nowhere: not in the widget, and on no other element
/// of the page either (the user did not move it).
fn focus_fell(widget: &Element) -> bool {
    if holds_focus(widget) {
        return false;
    }
    let Some(document) = widget.owner_document() else {
        return false;
    };
    match document.active_element() {
        None => true,
        Some(active) => document.body().is_some_and(|body| *body == active),
    }
}

/// Focus goes to the item that was next to the one gone, else the one
/// before it, else the item now in its place (or the last), else to the
/// drop zone.
fn refocus(widget: &Element, held: &Held) {
    if held.list.is_connected() {
        let neighbour = [&held.next, &held.previous]
            .into_iter()
            .flatten()
            .filter(|n| n.is_connected() && held.list.contains(Some(n)))
            .find_map(focus_first_button);
        if neighbour.is_some() {
            return;
        }
        let now = staying_items(&held.list, held.item_selector, None);
        let place = now.get(held.at).or_else(|| now.last());
        if place.and_then(focus_first_button).is_some() {
            return;
        }
    }
    let zone = widget
        .query_selector("[data-ta=dropzone]")
        .ok()
        .flatten()
        .and_then(|zone| zone.dyn_into::<HtmlElement>().ok());
    focus_drop_zone(zone.as_ref());
}
