use leptos::prelude::*;

use super::controller::AttachStatus;
use super::focus::{drop_zone_of, focus_beside, focus_drop_zone, holds_focus};
use super::Controller;
use crate::core::{shown_name, Attachment, KeptAttachments, Key, UploadError};

/// Kept items per page of the list.
const PAGE_ITEMS: usize = 100;

/// The temporary attachments waiting to be attached to an issue, and one
/// hidden input per id so that a surrounding `<form>` of a Leptos page
/// submits them (the custom element hands its form the ids itself).
#[component]
pub fn KeptList(controller: Controller) -> impl IntoView {
    // Redrawn when the list has settled (`kept_revision`), not on every
    // upload of a stream of thousands; in pages of `PAGE_ITEMS`, which the
    // browser lays out only near the viewport.
    let pages = move || {
        controller.kept_revision.track();
        let len = controller.kept.with_untracked(KeptAttachments::len);
        (0..len.div_ceil(PAGE_ITEMS)).collect::<Vec<usize>>()
    };
    let page_items = move |page: usize| {
        controller.kept_revision.track();
        controller.kept.with_untracked(|k| {
            let items = k.items();
            let end = ((page + 1) * PAGE_ITEMS).min(items.len());
            items
                .get(page * PAGE_ITEMS..end)
                .map(<[Attachment]>::to_vec)
                .unwrap_or_default()
        })
    };
    // How many items a page holds, for the height a page out of view is
    // given before the browser has laid it out.
    let page_len = move |page: usize| {
        controller.kept_revision.track();
        controller
            .kept
            .with_untracked(|k| k.len().saturating_sub(page * PAGE_ITEMS).min(PAGE_ITEMS))
    };
    let wording = controller.wording;
    let text = move |key| wording.get().text(key);
    // The form is rebuilt only when what it attaches to changes, and its
    // comment outlives that: the host changing any other option (a token,
    // the locale) must not wipe a comment being typed.
    let target = Memo::new(move |_| {
        controller.options_revision.track();
        controller
            .options
            .try_with_value(|o| (o.mode, o.issue.trim().to_owned()))
    });
    let form = AttachForm::new();
    view! {
        <section class="ta-kept" part="kept" data-ta="kept" aria-label=move || text(Key::KeptLabel)
            hidden=move || {
                controller.kept_revision.track();
                // Kept by a Tracker mode, the list waits out a switch to
                // Jira or a form, which cannot attach it.
                target.track();
                !controller.attaches_kept() || controller.kept.with_untracked(|k| k.is_empty())
            }>
            // Not a heading: the page's own outline decides the levels, and
            // an `<h3>` under a page's `<h1>` broke it.
            <p class="ta-kept-title">{move || text(Key::KeptTitle)}</p>
            <div class="ta-kept-list" role="list">
                <For each=pages key=|page| *page let:page>
                    <div class="ta-kept-page" style:--ta-rows=move || page_len(page).to_string()>
                        <For each=move || page_items(page) key=|a: &Attachment| a.id.clone() let:attachment>
                            <KeptItem attachment=attachment controller=controller/>
                        </For>
                    </div>
                </For>
            </div>
            {move || {
                target
                    .get()
                    .and_then(|(_, issue)| form.view(controller, issue))
            }}
        </section>
        <p class="ta-attach-status" data-ta="attach-status" role="status">
            {move || {
                let w = wording.get();
                match controller.attach_status.get() {
                    AttachStatus::Idle => String::new(),
                    AttachStatus::Working => w.text(Key::Attaching),
                    AttachStatus::Attached { issue, count, dropped, commented } => {
                        // The comment is said too: the user typed it, and
                        // wants to know it went.
                        let posted = commented
                            .then(|| w.say(Key::CommentPosted, &[&issue], |m| (m.comment_posted)(&issue)));
                        let files = (count > 0)
                            .then(|| w.count(Key::Attached, count, &[&issue], |m| (m.attached)(count, &issue)));
                        let attached = match (files, posted) {
                            (Some(files), Some(posted)) => format!("{files}. {posted}"),
                            (Some(one), None) | (None, Some(one)) => one,
                            (None, None) => String::new(),
                        };
                        match dropped {
                            0 => attached,
                            count => {
                                let gone = w.error(&UploadError::KeptExpired { count });
                                format!("{attached}. {gone}")
                            }
                        }
                    }
                    AttachStatus::Failed(error) => {
                        let error = w.error(&error);
                        w.say(Key::AttachFailed, &[&error], |m| (m.attach_failed)(&error))
                    }
                }
            }}
        </p>
    }
}

/// With an issue configured, the kept files can be attached from the widget
/// itself, optionally with a comment; hosts can also call the controller.
/// Its state lives as long as the kept list, across rebuilds of its view.
#[derive(Clone, Copy)]
struct AttachForm {
    comment: RwSignal<String>,
    /// The text this button sent: once posted with the files it goes, so
    /// the next attach does not post it again. Only that text: an attach
    /// the host made, or words typed while the attach ran, stay.
    sent: StoredValue<Option<String>>,
    /// A keyboard user who attached everything: the button and its section
    /// go, and focus goes to the drop zone rather than to the page.
    zone_after: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
}

impl AttachForm {
    fn new() -> Self {
        Self {
            comment: RwSignal::new(String::new()),
            sent: StoredValue::new(None),
            zone_after: StoredValue::new_local(None),
        }
    }

    /// The form for `issue`: none where the kept list cannot be attached
    /// (the mode's, read when the memo of mode and issue changes), or no
    /// issue is named.
    fn view(self, controller: Controller, issue: String) -> Option<impl IntoView> {
        if !controller.attaches_kept() || issue.is_empty() {
            return None;
        }
        let Self {
            comment,
            sent,
            zone_after,
        } = self;
        Effect::new(move |_| {
            if matches!(
                controller.attach_status.get(),
                AttachStatus::Attached { .. }
            ) {
                let emptied = controller.kept.with_untracked(|k| k.is_empty());
                if let Some(zone) = zone_after.try_update_value(Option::take).flatten() {
                    if emptied {
                        focus_drop_zone(Some(&zone));
                    }
                }
                if let Some(posted) = sent.try_update_value(Option::take).flatten() {
                    if comment.get_untracked() == posted {
                        comment.set(String::new());
                    }
                }
            }
        });
        let button_issue = issue.clone();
        let text = move |key| controller.wording.get().text(key);
        let attaching = move || controller.attach_status.get() == AttachStatus::Working;
        Some(view! {
            <div class="ta-attach" part="attach" data-ta="attach">
                <label class="ta-attach-label">
                    {move || text(Key::CommentLabel)}
                    <input type="text" class="ta-attach-comment" data-ta="attach-comment"
                        disabled=move || !controller.enabled()
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))/>
                </label>
                // Marked, not `disabled`, while the attach runs: a disabled
                // button drops focus to the page, where it would stay
                // should the attach fail. `disabled` only while the whole
                // widget is.
                <button type="button" part="button" class="ta-action ta-attach-button" data-ta="attach-button"
                    aria-disabled=move || attaching().then_some("true")
                    disabled=move || !controller.enabled()
                    on:click=move |ev| {
                        if attaching() {
                            return;
                        }
                        let button = event_target::<web_sys::Element>(&ev);
                        if holds_focus(&button) {
                            zone_after.set_value(drop_zone_of(&button));
                        }
                        let text = comment.get_untracked();
                        sent.set_value(Some(text.clone()));
                        controller.attach_kept(button_issue.clone(), text);
                    }>
                    {move || controller.wording.get().say(Key::AttachTo, &[&issue], |m| (m.attach_to)(&issue))}
                </button>
            </div>
        })
    }
}

#[component]
fn KeptItem(attachment: Attachment, controller: Controller) -> impl IntoView {
    // Its effects stay in the subscriber lists of what it reads until the
    // controller prunes them: it counts the items gone.
    on_cleanup(move || controller.kept_item_gone());
    let field = move || {
        controller.options_revision.track();
        controller.options.with_value(|o| o.name.clone())
    };
    let id = attachment.id.clone();
    // Shown without the controls that reorder text.
    let shown = shown_name(&attachment.name).into_owned();
    let name = shown.clone();
    let label = move || {
        controller
            .wording
            .get()
            .say(Key::RemoveKept, &[&name], |m| (m.remove_kept)(&name))
    };
    let remove_id = id.clone();
    let attaching = move || controller.attach_status.get() == AttachStatus::Working;
    view! {
        <div class="ta-kept-item" part="kept-item" role="listitem" data-ta="kept-item" data-id=id.clone()>
            <span class="ta-name" title=shown.clone()>{shown.clone()}</span>
            <code class="ta-kept-id" data-ta="kept-id">{id.clone()}</code>
            // Submitted even while the widget is disabled: a reactive
            // `disabled` on each of ten thousand items made a long list
            // twice as slow to draw (the element and `mount()` leave a
            // disabled widget's ids out of the form).
            <input type="hidden" name=field value=id.clone()/>
            // Not while an attach runs: the item would go onto the issue all
            // the same, and be counted as attached. Marked, not `disabled`:
            // a disabled button drops focus to the page, which the item's
            // leaving when the attach ends should hand to a neighbour.
            // `disabled` only while the whole widget is.
            <button type="button" part="button" class="ta-action" aria-label=label
                aria-disabled=move || attaching().then_some("true")
                disabled=move || !controller.enabled()
                on:click=move |ev| {
                    if attaching() {
                        return;
                    }
                    // Focus goes to the neighbour before this item goes.
                    let item = event_target::<web_sys::Element>(&ev)
                        .closest("[data-ta=kept-item]")
                        .ok()
                        .flatten();
                    if let Some(item) = item.filter(holds_focus) {
                        focus_beside(&item, "[data-ta=kept]", "[data-ta=kept-item]");
                    }
                    controller.remove_kept(&remove_id);
                }>
                {move || controller.wording.get().text(Key::Remove)}</button>
        </div>
    }
}
