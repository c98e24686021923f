//! How a surrounding `<form>` gets the ids of `attachmentIds`.
//!
//! `<tracker-attachments>` is a form-associated element: its
//! `ElementInternals` hold the ids as its value. They live in no DOM a
//! framework could rewrite (React setting the element's text removed
//! light-DOM inputs, and hydration met children its server never
//! rendered), and `form="…"`, `<fieldset disabled>` and `form.elements`
//! treat the element as any other control.
//!
//! A `mount()` host is the page's own element and cannot become a form
//! control: there the ids are hidden inputs in its light DOM.

use std::cell::Cell;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Marks the light-DOM hidden inputs a `mount()` widget owns.
const KEPT_INPUT_MARK: &str = "data-tracker-attachments-kept";

pub enum FormValue {
    /// The element's `setFormValue(name, ids)` (element.js), which hands
    /// its internals a `FormData` of the ids, or nothing. A disabled
    /// element's value the browser leaves out of the form itself.
    Internals(Function),
    /// A `mount()` host (or an element in a browser without
    /// `ElementInternals`): one hidden input per id, `disabled` while the
    /// widget is, so that the form leaves them out as it would a disabled
    /// control's.
    Inputs {
        host: HtmlElement,
        disabled: Cell<bool>,
    },
}

impl FormValue {
    /// The form value of `host`: the element class's setter when it gave
    /// one (a function), else hidden inputs.
    pub fn of(host: &HtmlElement, setter: JsValue) -> Self {
        match setter.dyn_into::<Function>() {
            Ok(set) => Self::Internals(set),
            Err(_) => Self::Inputs {
                host: host.clone(),
                disabled: Cell::new(false),
            },
        }
    }

    /// Whether the widget is disabled, for the next [`Self::show`].
    pub fn set_disabled(&self, now: bool) {
        if let Self::Inputs { disabled, .. } = self {
            disabled.set(now);
        }
    }

    /// Submits `ids` under `name` with the surrounding form.
    pub fn show(&self, name: &str, ids: &[String]) {
        match self {
            Self::Internals(set) => {
                let ids: Array = ids.iter().map(|id| JsValue::from(id.as_str())).collect();
                // The setter is ours; a throw would be a browser's refusal,
                // and the widget goes on whatever the form holds.
                let _ = set.call2(&JsValue::NULL, &JsValue::from(name), &ids);
            }
            Self::Inputs { host, disabled } => sync_inputs(host, name, ids, disabled.get()),
        }
    }

    /// Submits nothing: the widget went.
    pub fn clear(&self) {
        match self {
            Self::Internals(_) => self.show("", &[]),
            Self::Inputs { host, .. } => remove_inputs(host),
        }
    }
}

fn sync_inputs(host: &HtmlElement, name: &str, ids: &[String], disabled: bool) {
    remove_inputs(host);
    let Some(document) = host.owner_document() else {
        return;
    };
    for id in ids {
        let Ok(input) = document.create_element("input") else {
            return;
        };
        let _ = input.set_attribute("type", "hidden");
        let _ = input.set_attribute("name", name);
        let _ = input.set_attribute("value", id);
        let _ = input.set_attribute(KEPT_INPUT_MARK, "");
        if disabled {
            let _ = input.set_attribute("disabled", "");
        }
        let _ = host.append_child(&input);
    }
}

fn remove_inputs(host: &HtmlElement) {
    let selector = format!(":scope > input[{KEPT_INPUT_MARK}]");
    if let Ok(list) = host.query_selector_all(&selector) {
        for i in 0..list.length() {
            if let Some(node) = list.item(i) {
                if let Some(element) = node.dyn_ref::<web_sys::Element>() {
                    element.remove();
                }
            }
        }
    }
}
