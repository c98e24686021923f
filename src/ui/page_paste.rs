//! With `page_paste`, files pasted anywhere on the page come to this
//! widget, as FilePond takes them by default: in a tracker a screenshot is
//! pasted wherever the cursor happens to be, not into the widget.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ClipboardEvent, DataTransfer, Event, HtmlElement};

use super::page_drop::{still_on_page, widget_shown};
use super::Controller;
use crate::web::{files_from_data_transfer, EventListener};

/// Whether a paste on `target` is meant for it: an input, a text area or
/// an editable element.
fn is_editable(target: Option<&JsValue>) -> bool {
    let Some(el) = target.and_then(|t| t.dyn_ref::<HtmlElement>()) else {
        return false;
    };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA") || el.is_content_editable()
}

/// Whether the clipboard holds text as well as files: what a spreadsheet
/// or a word processor copies (a picture of the cells beside their text).
fn holds_text(data: &DataTransfer) -> bool {
    data.types().iter().any(|ty| {
        ty.as_string()
            .is_some_and(|ty| ty == "text/plain" || ty == "text/html")
    })
}

/// The document's paste listener, for as long as the widget is there.
/// Renders a hidden marker so the listener can tell the widget has left
/// the page ([`still_on_page`]).
#[component]
pub fn PagePaste(controller: Controller) -> impl IntoView {
    let marker = NodeRef::<html::Span>::new();
    let listener = StoredValue::new_local(None::<EventListener>);
    let paste = move |ev: Event| {
        let marker = marker.try_get_untracked().flatten();
        let marker: Option<&web_sys::Node> = marker.as_ref().map(AsRef::as_ref);
        if !still_on_page(marker, move || {
            listener.try_set_value(None);
        }) || !widget_shown(marker)
            || !controller.enabled_now()
        {
            return;
        }
        // The widget itself (a paste inside it), an editor on the page or
        // a widget listening before this one took it.
        if ev.default_prevented() {
            return;
        }
        let Some(data) = ev
            .dyn_ref::<ClipboardEvent>()
            .and_then(ClipboardEvent::clipboard_data)
        else {
            return;
        };
        // Inside a shadow root the event's target is its host: the path's
        // first node is where the paste really went.
        let target = ev.composed_path().get(0);
        if is_editable(Some(&target)) && holds_text(&data) {
            return;
        }
        let files = files_from_data_transfer(&data);
        if !files.is_empty() {
            ev.prevent_default();
            controller.add_files(files);
        }
    };
    listener.try_set_value(EventListener::on_document("paste", paste));
    on_cleanup(move || {
        listener.try_set_value(None);
    });
    view! { <span node_ref=marker hidden data-ta="page-paste"></span> }
}
