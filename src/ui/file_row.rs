use leptos::prelude::*;

use super::focus::{focus_beside, focus_first, holds_focus};
use super::Controller;
use crate::core::{
    is_displayable_url, shown_name, type_label, Deletion, EntryId, EntryState, Key, Messages,
    Wording,
};

/// Which buttons a row shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Buttons {
    /// Cancel.
    Running,
    /// Cancel and "Retry now", while the file waits to try again.
    Waiting,
    /// Retry and Remove.
    Retryable,
    /// Remove, and "Delete from issue" where the file may be deleted.
    Finished,
    /// The question before deleting: Delete and Keep.
    Confirming,
    /// Those of `Finished`, disabled while the server answers.
    Deleting,
    /// The same, as the row leaves.
    Deleted,
}

impl Buttons {
    /// What takes focus when these buttons replace `before` under it.
    fn focus_after(self, before: Buttons) -> &'static str {
        match (before, self) {
            // The safe answer, as in peers' confirmations.
            (_, Buttons::Confirming) => "[data-ta=keep]",
            // The buttons are disabled: the status says what goes on.
            (_, Buttons::Deleting) => "[data-ta=status]",
            // Kept, or the deletion failed: back where the user was.
            (Buttons::Confirming | Buttons::Deleting, Buttons::Finished) => {
                "[data-ta=delete-from-issue]"
            }
            _ => "button",
        }
    }
}

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
                // Shown without the controls that reorder text.
                (
                    shown_name(&e.file.name).into_owned(),
                    e.file.size,
                    e.file
                        .relative_path
                        .as_deref()
                        .map(|p| shown_name(p).into_owned()),
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
    // Once uploaded, the name the server kept where it differs (Jira keeps
    // `say %22hi%22.txt` for `say "hi".txt`, `x_y.txt` for `x:y.txt`): the
    // name the issue shows.
    let local_name = name.clone();
    // This row's own signal: other rows' progress does not wake it.
    let state: RwSignal<EntryState> = controller
        .rows
        .with_value(|rows| rows.get(&id).cloned())
        .unwrap_or_else(|| ArcRwSignal::new(EntryState::Cancelled))
        .into();
    let shown_as_kept = move || {
        state
            .with(|s| match s {
                EntryState::Done { attachment } => {
                    let kept = shown_name(&attachment.name);
                    (!kept.is_empty() && kept != local_name.as_str()).then(|| kept.into_owned())
                }
                _ => None,
            })
            .unwrap_or_else(|| local_name.clone())
    };
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
                part="progress"
                max=total.max(1).to_string()
                value=sent.to_string()
                aria-label=wording.get().say(Key::ProgressLabel, &[&progress_name], |m| (m.progress_label)(&progress_name))
            ></progress>
        }),
        _ => None,
    };
    let name_for_actions = name.clone();
    let actions_ref = NodeRef::<leptos::html::Span>::new();
    let row_element = move || {
        actions_ref
            .try_get_untracked()
            .flatten()
            .and_then(|actions| actions.closest("[data-ta=row]").ok().flatten())
    };
    // Where this row's deletion from its issue stands: a memo, so that
    // another row's deletion does not redraw this one.
    let deletion = Memo::new(move |_| controller.deletions.with(|d| d.get(id).cloned()));
    // Which buttons are shown: when they change under a keyboard user,
    // focus follows onto the new ones.
    let shown_buttons = StoredValue::new(None::<Buttons>);
    // Where focus is to go at the next frame. The buttons may change again
    // before it (a deletion refused at once): the latest place wins, and
    // the move still happens though the buttons focus was on have gone.
    let focus_to = StoredValue::new(None::<&'static str>);
    // Focus leaves a row before it goes, for its neighbour's buttons.
    let remove = move || {
        if let Some(row) = row_element().filter(holds_focus) {
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
        let deletion = deletion.get();
        // Read as the state changes: only a finished row may be deleted.
        let issue = controller.deletable_from(id);
        // Not a file the issue holds already: a retry would attach a copy.
        // Nor a file the browser no longer reads: it is to be added again.
        let retryable = matches!(state, EntryState::Failed { .. } | EntryState::Cancelled)
            && !state.is_unreadable()
            && left_attached().is_none();
        let buttons = match (&state, &deletion, &issue) {
            (EntryState::Retrying { .. }, _, _) => Buttons::Waiting,
            (EntryState::Queued | EntryState::Uploading { .. }, _, _) => Buttons::Running,
            _ if retryable => Buttons::Retryable,
            (_, Some(Deletion::Confirming { .. }), Some(_)) => Buttons::Confirming,
            (_, Some(Deletion::Deleting), _) => Buttons::Deleting,
            (_, Some(Deletion::Deleted), _) => Buttons::Deleted,
            _ => Buttons::Finished,
        };
        let before = shown_buttons
            .try_update_value(|b| b.replace(buttons))
            .flatten();
        if let Some(before) = before.filter(|b| *b != buttons) {
            let pending = focus_to.try_with_value(Option::is_some).unwrap_or(false);
            if let Some(row) = row_element().filter(|row| pending || holds_focus(row)) {
                if buttons == Buttons::Deleted {
                    // The row leaves in the next task: focus goes now,
                    // while it is still there to find its neighbours from.
                    focus_to.try_set_value(None);
                    focus_beside(&row, "[data-ta=list]", "[data-ta=row]");
                } else {
                    focus_to.try_set_value(Some(buttons.focus_after(before)));
                    // The new buttons are in the page by the next frame. The
                    // row may be gone by then (its owner disposed): `try_`
                    // reads never panic.
                    if !pending {
                        request_animation_frame(move || {
                            let target = focus_to.try_update_value(Option::take).flatten();
                            if let (Some(target), Some(row)) = (target, row_element()) {
                                focus_first(&row, target);
                            }
                        });
                    }
                }
            }
        }
        let (remove_label, remove_text) = (
            label(Key::RemoveFile, |m| m.remove_file),
            w.text(Key::Remove),
        );
        let remove_button = move |disabled: bool| {
            view! {
                <button type="button" part="button" class="ta-action" data-ta="remove" aria-label=remove_label
                    disabled=move || disabled || !controller.enabled() on:click=move |_| remove()>{remove_text}</button>
            }
        };
        let Some(issue) = issue.filter(|_| {
            !matches!(
                buttons,
                Buttons::Running | Buttons::Waiting | Buttons::Retryable
            )
        }) else {
            return match buttons {
                Buttons::Running => view! {
                    <button type="button" part="button" class="ta-action" data-ta="cancel" disabled=move || !controller.enabled() aria-label=label(Key::CancelFile, |m| m.cancel_file)
                        on:click=move |_| controller.cancel(id)>{w.text(Key::Cancel)}</button>
                }
                .into_any(),
                // Cancel first: focus on it stays on it as the file starts
                // waiting, and comes back to it when the file goes now.
                Buttons::Waiting => view! {
                    <button type="button" part="button" class="ta-action" data-ta="cancel" disabled=move || !controller.enabled() aria-label=label(Key::CancelFile, |m| m.cancel_file)
                        on:click=move |_| controller.cancel(id)>{w.text(Key::Cancel)}</button>
                    <button type="button" part="button" class="ta-action" data-ta="retry-now" disabled=move || !controller.enabled() aria-label=label(Key::RetryNowFile, |m| m.retry_now_file)
                        on:click=move |_| controller.retry_now(id)>{w.text(Key::RetryNow)}</button>
                }
                .into_any(),
                Buttons::Retryable => view! {
                    <button type="button" part="button" class="ta-action" data-ta="retry" disabled=move || !controller.enabled() aria-label=label(Key::RetryFile, |m| m.retry_file)
                        on:click=move |_| controller.retry(id)>{w.text(Key::Retry)}</button>
                    {remove_button(false)}
                }
                .into_any(),
                _ => remove_button(controller.deletions.with_untracked(|d| d.is_running(id))).into_any(),
            };
        };
        let values: [&str; 2] = [name, &issue];
        if buttons == Buttons::Confirming {
            let question = w.say(Key::DeleteQuestion, &values, |m| {
                (m.delete_question)(name, &issue)
            });
            // Named by the question it shows, not a copy of it: a screen
            // reader would read the same sentence twice.
            let question_id = format!("ta-delete-question-{id}");
            let labelled_by = question_id.clone();
            return view! {
                <span class="ta-confirm" role="group" aria-labelledby=labelled_by>
                    <span class="ta-question" id=question_id data-ta="delete-question">{question}</span>
                    <button type="button" part="button" class="ta-action ta-danger" data-ta="confirm-delete" disabled=move || !controller.enabled()
                        on:click=move |_| controller.confirm_delete(id)>{w.text(Key::Delete)}</button>
                    <button type="button" part="button" class="ta-action" data-ta="keep" disabled=move || !controller.enabled()
                        on:click=move |_| {
                            controller.keep(id);
                        }>{w.text(Key::Keep)}</button>
                </span>
            }
            .into_any();
        }
        // Disabled while the server answers: one request per file.
        let waiting = matches!(buttons, Buttons::Deleting | Buttons::Deleted);
        view! {
            {remove_button(waiting)}
            <button type="button" part="button" class="ta-action" data-ta="delete-from-issue"
                aria-label=w.say(Key::DeleteFile, &values, |m| (m.delete_file)(name, &issue))
                disabled=move || waiting || !controller.enabled() on:click=move |_| controller.ask_delete(id)>{w.text(Key::DeleteFromIssue)}</button>
        }
        .into_any()
    };
    let deletion_status = move || {
        deletion.with(|d| match d {
            Some(Deletion::Deleting | Deletion::Deleted) => Some(wording.get().text(Key::Deleting)),
            Some(d) => d.failure().map(|error| wording.get().error(error)),
            None => None,
        })
    };
    // Escape answers the question as Keep does.
    let on_key = move |event: web_sys::KeyboardEvent| {
        if event.key() == "Escape" && controller.keep(id) {
            event.prevent_default();
            event.stop_propagation();
        }
    };

    view! {
        <div class="ta-row" part="row" role="listitem" data-ta="row" data-state=move || state.get().name()
            data-attachment-id=attachment_id
            data-deletion=move || deletion.with(|d| d.as_ref().map(Deletion::name))>
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
            <span class="ta-name" part="name" data-ta="name" title=title>{shown_as_kept}</span>
            {folder.map(|folder| {
                let shown = folder.clone();
                view! {
                    <span class="ta-path" data-ta="path" title=folder>
                        {move || wording.get().say(Key::InFolder, &[&shown], |m| (m.in_folder)(&shown))}
                    </span>
                }
            })}
            <span class="ta-size">{move || wording.get().bytes(size)}</span>
            // Focusable from code only: it holds focus while a deletion
            // waits, its buttons disabled.
            <span class="ta-status" part="status" data-ta="status" tabindex="-1">
                {move || left_attached().or_else(deletion_status).unwrap_or_else(|| {
                    status_text(&state.get(), &wording.get(), || controller.online.get())
                })}
            </span>
            {progress}
            <span class="ta-actions" node_ref=actions_ref on:keydown=on_key>{actions}</span>
        </div>
    }
}
