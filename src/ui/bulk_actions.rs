//! Buttons that act on many rows at once, beside the summary line: after a
//! network drop every failed row would need its own Retry, a drop over
//! `max-files` leaves thousands of refused rows to remove one by one, and
//! a wrong folder dropped would need a Cancel per file.
//! Each button is there only while it has rows to act on, and acts on each
//! row exactly as the row's own button would.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::focus::{drop_zone_of, focus_drop_zone, holds_focus};
use super::Controller;
use crate::core::{Announcement, EntryId, EntryState, Key, Messages};

/// What the bulk buttons count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    failed: usize,
    refused: usize,
    running: usize,
}

/// Refused rows only, not cancelled ones (as Uppy's "clear finished" would
/// take): a refused file can never upload as it is, while a cancelled row
/// still offers Retry (the user stopped it and may want it back), and a
/// cancelled row left attached on the issue tells the user so. Sweeping
/// those away under a "refused" label would lose both.
fn is_refused(state: &EntryState) -> bool {
    matches!(state, EntryState::Refused { .. })
}

/// The ids of the rows in a state `wanted` takes, collected in one pass
/// before anything is done to them: retry and remove update the queue,
/// which must not be borrowed meanwhile.
fn ids_where(controller: Controller, wanted: fn(&EntryState) -> bool) -> Vec<EntryId> {
    controller
        .queue
        .try_with_untracked(|q| {
            q.entries()
                .iter()
                .filter(|e| wanted(&e.state))
                .map(|e| e.id)
                .collect()
        })
        .unwrap_or_default()
}

/// Before a bulk button that holds focus goes: focus moves to the other
/// bulk button, if it is there, else to the drop zone, never to `<body>`.
/// Called while the button still is in the page (the view is redrawn
/// after the closure that decides it returns).
fn hand_focus_on(button: NodeRef<html::Button>) {
    let Some(button) = button.try_get_untracked().flatten() else {
        return;
    };
    let button: &Element = button.unchecked_ref();
    if !button.is_connected() || !holds_focus(button) {
        return;
    }
    let zone = drop_zone_of(button);
    let other = button
        .parent_element()
        .and_then(|bar| bar.query_selector_all(".ta-bulk").ok())
        .and_then(|all| {
            (0..all.length())
                .filter_map(|i| all.item(i))
                .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
                .find(|other| other.unchecked_ref::<Element>() != button && other.is_connected())
        });
    match other {
        // Should that one go in the same redraw, its own closure hands
        // focus on again, to the drop zone.
        Some(other) if other.focus().is_ok() => {}
        _ => focus_drop_zone(zone.as_ref()),
    }
}

/// "Cancel all", "Retry all failed" and "Remove refused", each with its
/// count.
#[component]
pub fn BulkActions(controller: Controller) -> impl IntoView {
    let wording = controller.wording;
    // Both counts come from the queue's running tally: no pass over the
    // list per progress tick. The memo's equality check keeps a tick, which
    // changes neither count, from redrawing the buttons.
    let counts = Memo::new(move |_| {
        controller
            .queue
            .try_with(|q| Counts {
                failed: q.failed_for_sure_count(),
                refused: q.refused_count(),
                running: q.running_count(),
            })
            .unwrap_or_default()
    });
    let count = move |of: fn(Counts) -> usize| counts.try_get().map(of).unwrap_or(0);
    // Whether each button is there: it is built once when its first row
    // comes and kept while its count changes, so the focus on it stays.
    let retry_shown = Memo::new(move |_| count(|c| c.failed) > 0);
    let remove_shown = Memo::new(move |_| count(|c| c.refused) > 0);
    // A lone upload has its row's Cancel; two and more, one button too.
    let cancel_shown = Memo::new(move |_| count(|c| c.running) > 1);
    let say = move |key, n: usize, builtin: fn(&Messages) -> fn(usize) -> String| {
        wording
            .try_get()
            .unwrap_or_default()
            .count(key, n, &[], |m| builtin(m)(n))
    };

    let retry_ref = NodeRef::<html::Button>::new();
    // One pass over the list for thousands of rows, as for the removal.
    let retry_failed = move |_| {
        controller.retry_all(&ids_where(controller, EntryState::is_failed_for_sure));
    };
    let retry_button = move || {
        if !retry_shown.try_get().unwrap_or(false) {
            hand_focus_on(retry_ref);
            return None;
        }
        Some(view! {
            <button type="button" part="button" class="ta-action ta-bulk" disabled=move || !controller.enabled() data-ta="retry-failed"
                node_ref=retry_ref on:click=retry_failed>
                {move || say(Key::RetryFailed, count(|c| c.failed), |m| m.retry_failed)}
            </button>
        })
    };

    let remove_ref = NodeRef::<html::Button>::new();
    let remove_refused = move |_| {
        // One pass over the list and one change of each map, however many
        // rows: 9,800 single removals took 20 s.
        let ids = ids_where(controller, is_refused);
        controller.announce_bulk(Announcement::Removed(ids.len()));
        controller.remove_all(&ids);
    };
    let remove_button = move || {
        if !remove_shown.try_get().unwrap_or(false) {
            hand_focus_on(remove_ref);
            return None;
        }
        Some(view! {
            <button type="button" part="button" class="ta-action ta-bulk" disabled=move || !controller.enabled() data-ta="remove-refused"
                node_ref=remove_ref on:click=remove_refused>
                {move || say(Key::RemoveRefused, count(|c| c.refused), |m| m.remove_refused)}
            </button>
        })
    };

    let cancel_ref = NodeRef::<html::Button>::new();
    let cancel_button = move || {
        if !cancel_shown.try_get().unwrap_or(false) {
            hand_focus_on(cancel_ref);
            return None;
        }
        Some(view! {
            <button type="button" part="button" class="ta-action ta-bulk" disabled=move || !controller.enabled() data-ta="cancel-all"
                node_ref=cancel_ref on:click=move |_| controller.cancel_all()>
                {move || say(Key::CancelAll, count(|c| c.running), |m| m.cancel_all)}
            </button>
        })
    };

    view! { {cancel_button} {retry_button} {remove_button} }
}
