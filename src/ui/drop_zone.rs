use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::Controller;
use crate::core::Key;
use crate::web::files_from_list;

/// The target for clicks and Enter/Space, lit while files are dragged over
/// the widget (`dragging`; the widget takes the drop, see `DropTarget`). A
/// hidden `<input type=file>` does the browsing so the native dialog and its
/// accessibility come free.
#[component]
pub fn DropZone(controller: Controller, dragging: RwSignal<bool>) -> impl IntoView {
    let input_ref = NodeRef::<html::Input>::new();
    let text = move |key| controller.wording.get().text(key);

    // Hosts open the dialog from code (`openFileDialog()`).
    Effect::new(move |_| controller.set_file_input(input_ref.get()));
    let accept = move || {
        controller.options_revision.track();
        controller
            .options
            .with_value(|o| o.restrictions.accept.join(","))
    };
    let multiple = move || {
        controller.options_revision.track();
        controller.options.with_value(|o| o.multiple)
    };

    let enabled = move || controller.enabled();
    let open_dialog = move || {
        if !enabled() {
            return;
        }
        if let Some(input) = input_ref.get() {
            input.click();
        }
    };

    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            open_dialog();
        }
    };
    let on_change = move |_| {
        if let Some(input) = input_ref.get() {
            if let Some(list) = input.files() {
                controller.add_files(files_from_list(&list));
            }
            // Clearing lets the same file be chosen again after a removal.
            input.set_value("");
        }
    };

    view! {
        <div
            class="ta-dropzone"
            class:ta-dragging=move || dragging.get()
            data-ta="dropzone"
            part="dropzone"
            role="button"
            // As a disabled control: out of the tab order, and said so.
            tabindex=move || if enabled() { "0" } else { "-1" }
            aria-disabled=move || (!enabled()).then_some("true")
            aria-label=move || text(Key::DropZoneLabel)
            on:click=move |_| open_dialog()
            on:keydown=on_key
        >
            // One run of text, read in its own direction: English words in
            // a right-to-left widget read "Drop files here or browse".
            <span class="ta-dropzone-words">
                <span class="ta-dropzone-title">{move || text(Key::DropHere)}</span>
                <span class="ta-dropzone-browse">{move || text(Key::Browse)}</span>
            </span>
            <input
                node_ref=input_ref
                type="file"
                multiple=multiple
                accept=accept
                hidden
                disabled=move || !enabled()
                tabindex="-1"
                data-ta="file-input"
                on:change=on_change
                on:click=|ev| ev.stop_propagation()
            />
        </div>
    }
}
