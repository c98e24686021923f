use leptos::prelude::*;

use super::drop_zone::DropZone;
use super::file_row::FileRow;
use super::kept_list::KeptList;
use super::{Controller, WidgetOptions};
use crate::core::EntryId;

/// The attachment uploader: drop zone, file list and the kept temporary
/// attachments. Style it with `widget.css` (beside this file).
#[component]
pub fn TrackerAttachments(
    #[prop(optional)] options: WidgetOptions,
    /// Receives the controller, for hosts that drive the widget from code.
    #[prop(optional, into)]
    on_ready: Option<Callback<Controller>>,
) -> impl IntoView {
    let controller = Controller::new(options);
    if let Some(on_ready) = on_ready {
        on_ready.run(controller);
    }
    let ids = move || {
        controller
            .queue
            .with(|q| q.entries().iter().map(|e| e.id).collect::<Vec<EntryId>>())
    };
    view! {
        <div class="ta-widget" data-ta="widget">
            <DropZone controller=controller/>
            <ul class="ta-list" data-ta="list" aria-label="Files">
                <For each=ids key=|id| *id let:id>
                    <FileRow id=id controller=controller/>
                </For>
            </ul>
            <KeptList controller=controller/>
            <div class="ta-live" data-ta="live" aria-live="polite" role="status">
                {move || controller.announcement.get()}
            </div>
        </div>
    }
}
