use leptos::prelude::*;

use super::Controller;
use crate::core::Attachment;

/// The temporary attachments waiting to be attached to an issue, and one
/// hidden input per id so a surrounding `<form>` submits them.
#[component]
pub fn KeptList(controller: Controller) -> impl IntoView {
    let field = controller.options.with_value(|o| o.name.clone());
    let items = move || controller.kept.with(|k| k.items().to_vec());
    view! {
        <section class="ta-kept" data-ta="kept" aria-label="Uploaded, not yet attached"
            hidden=move || controller.kept.with(|k| k.is_empty())>
            <h3 class="ta-kept-title">"Ready to attach"</h3>
            <ul class="ta-kept-list">
                <For each=items key=|a: &Attachment| a.id.clone() let:attachment>
                    <KeptItem attachment=attachment controller=controller field=field.clone()/>
                </For>
            </ul>
        </section>
    }
}

#[component]
fn KeptItem(attachment: Attachment, controller: Controller, field: String) -> impl IntoView {
    let id = attachment.id.clone();
    let label = format!("Remove {} from the list", attachment.name);
    let remove_id = id.clone();
    view! {
        <li class="ta-kept-item" data-ta="kept-item" data-id=id.clone()>
            <span class="ta-name" title=attachment.name.clone()>{attachment.name.clone()}</span>
            <code class="ta-kept-id" data-ta="kept-id">{id.clone()}</code>
            <input type="hidden" name=field value=id.clone()/>
            <button type="button" class="ta-action" aria-label=label
                on:click=move |_| controller.remove_kept(&remove_id)>"Remove"</button>
        </li>
    }
}
