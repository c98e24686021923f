use leptos::prelude::*;

use super::Controller;
use crate::core::{format_bytes, is_displayable_url, type_label, EntryId, EntryState};

fn status_text(state: &EntryState) -> String {
    match state {
        EntryState::Queued => "Waiting".to_owned(),
        EntryState::Uploading { sent, total } if *total > 0 => {
            format!(
                "Uploading {} of {}",
                format_bytes(*sent),
                format_bytes(*total)
            )
        }
        EntryState::Uploading { .. } => "Uploading".to_owned(),
        EntryState::Retrying { error, .. } => format!("{error} — retrying"),
        EntryState::Refused { reason } => reason.to_string(),
        EntryState::Done { .. } => "Uploaded".to_owned(),
        EntryState::Failed { error } => error.to_string(),
        EntryState::Cancelled => "Cancelled".to_owned(),
    }
}

/// One file: what it is, where it stands, and what can be done with it.
/// Names and server text go in as text nodes, never as HTML.
#[component]
pub fn FileRow(id: EntryId, controller: Controller) -> impl IntoView {
    let (name, size) = controller
        .queue
        .with_untracked(|q| q.get(id).map(|e| (e.file.name.clone(), e.file.size)))
        .unwrap_or_default();
    // This row's own signal: other rows' progress does not wake it.
    let state: RwSignal<EntryState> = controller
        .rows
        .with_value(|rows| rows.get(&id).cloned())
        .unwrap_or_else(|| ArcRwSignal::new(EntryState::Cancelled))
        .into();
    let thumbnail = move || {
        controller
            .thumbnails
            .with(|m| m.get(&id).map(|u| u.as_str().to_owned()))
            .filter(|url| is_displayable_url(url))
    };
    let preview = move || {
        controller
            .previews
            .with(|m| m.get(&id).map(|u| u.as_str().to_owned()))
            .filter(|url| is_displayable_url(url))
    };
    let icon_label = type_label(&name);

    let attachment_id = move || match state.get() {
        EntryState::Done { attachment } => Some(attachment.id),
        _ => None,
    };
    let progress_label = format!("Upload progress of {name}");
    let progress = move || match state.get() {
        EntryState::Uploading { sent, total } => Some(view! {
            <progress
                class="ta-progress"
                max=total.max(1).to_string()
                value=sent.to_string()
                aria-label=progress_label.clone()
            ></progress>
        }),
        _ => None,
    };
    let name_for_actions = name.clone();
    let actions = move || {
        let label = |verb: &str| format!("{verb} {name_for_actions}");
        match state.get() {
            EntryState::Queued | EntryState::Uploading { .. } | EntryState::Retrying { .. } => view! {
                <button type="button" class="ta-action" data-ta="cancel" aria-label=label("Cancel")
                    on:click=move |_| controller.cancel(id)>"Cancel"</button>
            }
            .into_any(),
            EntryState::Failed { .. } | EntryState::Cancelled => view! {
                <button type="button" class="ta-action" data-ta="retry" aria-label=label("Retry")
                    on:click=move |_| controller.retry(id)>"Retry"</button>
                <button type="button" class="ta-action" data-ta="remove" aria-label=label("Remove")
                    on:click=move |_| controller.remove(id)>"Remove"</button>
            }
            .into_any(),
            EntryState::Done { .. } | EntryState::Refused { .. } => view! {
                <button type="button" class="ta-action" data-ta="remove" aria-label=label("Remove")
                    on:click=move |_| controller.remove(id)>"Remove"</button>
            }
            .into_any(),
        }
    };

    view! {
        <li class="ta-row" data-ta="row" data-state=move || state.get().name()
            data-attachment-id=attachment_id>
            <span class="ta-preview" aria-hidden="true">
                {move || match (thumbnail(), preview()) {
                    (Some(src), _) => view! { <img class="ta-thumb" data-ta="thumbnail" src=src alt=""/> }.into_any(),
                    (None, Some(src)) => view! {
                        <img class="ta-thumb" data-ta="preview" src=src alt=""
                            on:error=move |_| controller.drop_preview(id)/>
                    }.into_any(),
                    (None, None) => view! { <span class="ta-icon" data-ta="icon">{icon_label.clone()}</span> }.into_any(),
                }}
            </span>
            <span class="ta-name" data-ta="name" title=name.clone()>{name.clone()}</span>
            <span class="ta-size">{format_bytes(size)}</span>
            <span class="ta-status" data-ta="status">{move || status_text(&state.get())}</span>
            {progress}
            <span class="ta-actions">{actions}</span>
        </li>
    }
}
