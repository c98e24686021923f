use leptos::ev::DragEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, Node};

use super::Controller;
use crate::core::Key;
use crate::web::{take_drop, Dropped, EventListener};

/// Set on a drop event once a widget has taken its files, so that the drop
/// zone and a page-wide target (in whichever order they hear it) never
/// take the same drop twice.
const TAKEN: &str = "trackerAttachmentsTaken";

/// The drop's files and folders, unless another handler took them already.
pub(super) fn take_once(ev: &DragEvent) -> Option<Dropped> {
    let key = JsValue::from_str(TAKEN);
    if js_sys::Reflect::get(ev, &key).is_ok_and(|v| v.is_truthy()) {
        return None;
    }
    let _ = js_sys::Reflect::set(ev, &key, &JsValue::TRUE);
    ev.data_transfer().map(|t| take_drop(&t))
}

/// Whether a drag carries files (not text or a link); `types` is readable
/// during the whole drag, the files only on drop.
pub(super) fn carries_files(ev: &DragEvent) -> bool {
    ev.data_transfer().is_some_and(|t| {
        t.types()
            .iter()
            .any(|ty| ty.as_string().as_deref() == Some("Files"))
    })
}

type Handler = Box<dyn FnMut(Event)>;

/// Whether a widget's page listener should act: its `marker` element is
/// still on the page. The owner's cleanup can come late (after the garbage
/// collector frees the view's handlers): once the widget has left the
/// page, its listeners ignore every event, and `forget` (which drops them)
/// runs after this one, not inside a listener it frees.
pub(super) fn still_on_page(marker: Option<&Node>, forget: impl FnOnce() + 'static) -> bool {
    let on_page = marker.is_some_and(Node::is_connected);
    if !on_page {
        set_timeout(forget, std::time::Duration::ZERO);
    }
    on_page
}

/// Whether the widget `inside` belongs to is drawn: not in a hidden tab, a
/// closed dialog or anything else laid out as `display: none`. A widget
/// nobody sees must not take the page's drops and pastes from one that is
/// seen (the next one listening then takes them).
pub(super) fn widget_shown(inside: Option<&Node>) -> bool {
    inside
        .and_then(|node| node.dyn_ref::<Element>())
        .and_then(|el| el.closest("[data-ta=widget]").ok().flatten())
        .is_some_and(|widget| widget.get_client_rects().length() > 0)
}

/// With `page_drop`, files dragged anywhere over the page show an overlay,
/// and dropped anywhere they come to this widget. The listeners live on the
/// document and go with the widget.
#[component]
pub fn PageDrop(controller: Controller) -> impl IntoView {
    let over = RwSignal::new(false);
    // dragenter/dragleave pairs, one per element crossed.
    let depth = StoredValue::new(0_i32);
    let listeners = StoredValue::new_local(Vec::<EventListener>::new());
    let overlay = NodeRef::<html::Div>::new();
    let drag = move |ev: Event| {
        let overlay = overlay.try_get_untracked().flatten();
        let overlay: Option<&Node> = overlay.as_ref().map(AsRef::as_ref);
        if !still_on_page(overlay, move || {
            listeners.try_update_value(Vec::clear);
        }) || !widget_shown(overlay)
            || !controller.enabled_now()
        {
            return None;
        }
        ev.dyn_into::<DragEvent>().ok().filter(carries_files)
    };

    let handlers: [(&'static str, Handler); 4] = [
        (
            "dragenter",
            Box::new(move |ev| {
                if drag(ev).is_some() {
                    depth.try_update_value(|d| *d += 1);
                    over.try_set(true);
                }
            }),
        ),
        (
            "dragover",
            Box::new(move |ev| {
                if let Some(ev) = drag(ev) {
                    // Without this the browser would open the file instead.
                    ev.prevent_default();
                    over.try_set(true);
                }
            }),
        ),
        (
            "dragleave",
            Box::new(move |ev| {
                if drag(ev).is_some() {
                    let left = depth.try_update_value(|d| {
                        *d = (*d - 1).max(0);
                        *d == 0
                    });
                    if left == Some(true) {
                        over.try_set(false);
                    }
                }
            }),
        ),
        (
            "drop",
            Box::new(move |ev| {
                depth.try_set_value(0);
                over.try_set(false);
                let Some(ev) = drag(ev) else {
                    return;
                };
                // Something on the page (an editor, another widget) took it.
                if ev.default_prevented() {
                    return;
                }
                if let Some(dropped) = take_once(&ev) {
                    ev.prevent_default();
                    controller.add_drop(dropped);
                }
            }),
        ),
    ];
    for (kind, handler) in handlers {
        if let Some(listener) = EventListener::on_document(kind, handler) {
            listeners.try_update_value(|l| l.push(listener));
        }
    }
    on_cleanup(move || {
        listeners.try_update_value(Vec::clear);
    });

    view! {
        <div node_ref=overlay class="ta-page-drop" data-ta="page-drop" aria-hidden="true"
            hidden=move || !over.get()>
            <p class="ta-page-drop-text">{move || controller.wording.get().text(Key::PageDrop)}</p>
        </div>
    }
}
