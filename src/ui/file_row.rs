use leptos::prelude::*;

use super::focus::{focus_beside, focus_first_button, holds_focus};
use super::Controller;
use crate::core::{is_displayable_url, type_label, EntryId, EntryState, Key, Messages, Wording};

/// `online` is read only for a file in line, the one state it changes:
/// offline, that file waits for the connection, and says so.
fn status_text(state: &EntryState, wording: &Wording, online: impl Fn() -> bool) -> String {
    match state {
        EntryState::Queued if !online() => wording.text(Key::WaitingForNetwork),
        EntryState::Queued => wording.text(Key::Waiting),
        EntryState::Uploading { sent, total } if *total > 0 => {
            let (sent, total) = (wording.bytes(*sent), wording.bytes(*total));
            wording.say(Key::UploadingOf, &[&sent, &total], |m| {
                (m.uploading_of)(&sent, &total)
            })
        }
        EntryState::Uploading { .. } => wording.text(Key::Uploading),
        EntryState::Retrying { error, .. } => {
            let error = wording.error(error);
            wording.say(Key::Retrying, &[&error], |m| (m.retrying)(&error))
        }
        EntryState::Refused { reason } => wording.refusal(reason),
        EntryState::Done { .. } => wording.text(Key::Uploaded),
        EntryState::Failed { error } => wording.error(error),
        EntryState::Cancelled => wording.text(Key::Cancelled),
    }
}

/// One file: what it is, where it stands, and what can be done with it.
/// Names and server text go in as text nodes, never as HTML.
#[component]
pub fn FileRow(id: EntryId, controller: Controller) -> impl IntoView {
    let (name, size, path) = controller
        .queue
        .with_untracked(|q| {
            q.get(id).map(|e| {
                (
                    e.file.name.clone(),
                    e.file.size,
                    e.file.relative_path.clone(),
                )
            })
        })
        .unwrap_or_default();
    let wording = controller.wording;
    // A file from a dropped folder shows the folder it lay in.
    let folder = path
        .as_deref()
        .and_then(|p| p.rsplit_once('/'))
        .map(|(folder, _)| folder.to_owned())
        .filter(|f| !f.is_empty());
    let title = path.clone().unwrap_or_else(|| name.clone());
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
    // Cancelled too late and still on the issue: said instead of
    // "Cancelled" (in the status, not an element of its own: a view type
    // more costs kilobytes of WebAssembly).
    let left_attached = move || {
        controller
            .left_attached
            .with(|m| m.get(&id).map(|error| wording.get().error(error)))
    };

    let attachment_id = move || match state.get() {
        EntryState::Done { attachment } => Some(attachment.id),
        _ => None,
    };
    let progress_name = name.clone();
    let progress = move || match state.get() {
        EntryState::Uploading { sent, total } => Some(view! {
            <progress
                class="ta-progress"
                max=total.max(1).to_string()
                value=sent.to_string()
                aria-label=wording.get().say(Key::ProgressLabel, &[&progress_name], |m| (m.progress_label)(&progress_name))
            ></progress>
        }),
        _ => None,
    };
    let name_for_actions = name.clone();
    let actions_ref = NodeRef::<leptos::html::Span>::new();
    // Which buttons are shown (Cancel; Retry and Remove; Remove): when they
    // change under a keyboard user, focus follows onto the new ones.
    let shown_buttons = StoredValue::new(None::<u8>);
    // Focus leaves a row before it goes, for its neighbour's buttons.
    let remove = move || {
        let row = actions_ref
            .try_get_untracked()
            .flatten()
            .and_then(|actions| actions.closest("[data-ta=row]").ok().flatten());
        if let Some(row) = row.filter(holds_focus) {
            focus_beside(&row, "[data-ta=list]", "[data-ta=row]");
        }
        controller.remove(id);
    };
    let actions = move || {
        let w = wording.get();
        let name = name_for_actions.as_str();
        let label = |key, builtin: fn(&Messages) -> fn(&str) -> String| {
            w.say(key, &[name], |m| builtin(m)(name))
        };
        let state = state.get();
        // Not a file the issue holds already: a retry would attach a copy.
        let retryable = matches!(state, EntryState::Failed { .. } | EntryState::Cancelled)
            && left_attached().is_none();
        let buttons = match state {
            EntryState::Queued | EntryState::Uploading { .. } | EntryState::Retrying { .. } => 0,
            _ if retryable => 1,
            _ => 2,
        };
        let before = shown_buttons
            .try_update_value(|b| b.replace(buttons))
            .flatten();
        if before.is_some_and(|b| b != buttons)
            && actions_ref
                .try_get_untracked()
                .flatten()
                .is_some_and(|a| holds_focus(&a))
        {
            // The new buttons are in the page by the next frame. The row may
            // be gone by then (its owner disposed): `try_` reads never panic.
            request_animation_frame(move || {
                if let Some(actions) = actions_ref.try_get_untracked().flatten() {
                    focus_first_button(&actions);
                }
            });
        }
        match state {
            EntryState::Queued | EntryState::Uploading { .. } | EntryState::Retrying { .. } => view! {
                <button type="button" class="ta-action" data-ta="cancel" aria-label=label(Key::CancelFile, |m| m.cancel_file)
                    on:click=move |_| controller.cancel(id)>{w.text(Key::Cancel)}</button>
            }
            .into_any(),
            _ if retryable => view! {
                <button type="button" class="ta-action" data-ta="retry" aria-label=label(Key::RetryFile, |m| m.retry_file)
                    on:click=move |_| controller.retry(id)>{w.text(Key::Retry)}</button>
                <button type="button" class="ta-action" data-ta="remove" aria-label=label(Key::RemoveFile, |m| m.remove_file)
                    on:click=move |_| remove()>{w.text(Key::Remove)}</button>
            }
            .into_any(),
            _ => view! {
                <button type="button" class="ta-action" data-ta="remove" aria-label=label(Key::RemoveFile, |m| m.remove_file)
                    on:click=move |_| remove()>{w.text(Key::Remove)}</button>
            }
            .into_any(),
        }
    };

    view! {
        <div class="ta-row" role="listitem" data-ta="row" data-state=move || state.get().name()
            data-attachment-id=attachment_id>
            <span class="ta-preview" aria-hidden="true">
                {move || match (thumbnail(), preview()) {
                    (Some(src), _) => view! {
                        <img class="ta-thumb" data-ta="thumbnail" src=src alt=""
                            on:error=move |_| controller.drop_thumbnail(id)/>
                    }.into_any(),
                    (None, Some(src)) => view! {
                        <img class="ta-thumb" data-ta="preview" src=src alt=""
                            on:error=move |_| controller.drop_preview(id)/>
                    }.into_any(),
                    (None, None) => view! { <span class="ta-icon" data-ta="icon">{icon_label.clone()}</span> }.into_any(),
                }}
            </span>
            <span class="ta-name" data-ta="name" title=title>{name.clone()}</span>
            {folder.map(|folder| {
                let shown = folder.clone();
                view! {
                    <span class="ta-path" data-ta="path" title=folder>
                        {move || wording.get().say(Key::InFolder, &[&shown], |m| (m.in_folder)(&shown))}
                    </span>
                }
            })}
            <span class="ta-size">{move || wording.get().bytes(size)}</span>
            <span class="ta-status" data-ta="status">
                {move || left_attached().unwrap_or_else(|| {
                    status_text(&state.get(), &wording.get(), || controller.online.get())
                })}
            </span>
            {progress}
            <span class="ta-actions" node_ref=actions_ref>{actions}</span>
        </div>
    }
}
