use leptos::ev::DragEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::page_drop::{carries_files, take_once};
use super::Controller;

/// The handlers that make the whole widget a drop target, not only its
/// drop zone: a file dropped on the list or the kept items would otherwise
/// be opened by the browser, and the page left with its uploads. `over` is
/// set while files are dragged over the widget (the zone lights up).
pub(super) struct DropTarget {
    pub over: RwSignal<bool>,
}

impl DropTarget {
    pub fn new() -> Self {
        Self {
            over: RwSignal::new(false),
        }
    }

    /// Without preventDefault on dragover the browser opens the file
    /// instead. A drag of text or a link is left alone: the widget takes
    /// files only. A disabled widget shows the drag refused (the "no"
    /// cursor), and the file is not opened either.
    pub fn on_drag_over(&self, controller: Controller) -> impl Fn(DragEvent) + 'static {
        let over = self.over;
        move |ev: DragEvent| {
            if carries_files(&ev) {
                ev.prevent_default();
                if controller.enabled_now() {
                    over.set(true);
                } else if let Some(transfer) = ev.data_transfer() {
                    transfer.set_drop_effect("none");
                }
            }
        }
    }

    /// A drag leaves the widget, not one of its children for another.
    pub fn on_drag_leave(&self) -> impl Fn(DragEvent) + 'static {
        let over = self.over;
        move |ev: DragEvent| {
            let inside = match (ev.current_target(), ev.related_target()) {
                (Some(widget), Some(to)) => match (
                    widget.dyn_into::<web_sys::Node>(),
                    to.dyn_into::<web_sys::Node>(),
                ) {
                    (Ok(widget), Ok(to)) => widget.contains(Some(&to)),
                    _ => false,
                },
                _ => false,
            };
            if !inside {
                over.set(false);
            }
        }
    }

    pub fn on_drop(&self, controller: Controller) -> impl Fn(DragEvent) + 'static {
        let over = self.over;
        move |ev: DragEvent| {
            over.set(false);
            if !carries_files(&ev) {
                return;
            }
            ev.prevent_default();
            if !controller.enabled_now() {
                return;
            }
            if let Some(dropped) = take_once(&ev) {
                controller.add_drop(dropped);
            }
        }
    }
}
