use leptos::prelude::*;

use super::drop_target::DropTarget;
use super::drop_zone::DropZone;
use super::file_row::FileRow;
use super::focus_keeper::FocusKeeper;
use super::kept_list::KeptList;
use super::page_drop::PageDrop;
use super::page_paste::PagePaste;
use super::summary::Summary;
use super::{Controller, WidgetOptions};
use crate::core::{shown_name, EntryId, Key, RowPace, Wording};
use crate::web::files_from_data_transfer;

/// Rows per page of the file list (see `pages` below).
const PAGE_ROWS: usize = 100;

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
    view! { <ControlledWidget controller=controller/> }
}

/// The widget's view around a [`Controller`] the host made itself (inside
/// the reactive owner the view lives in), e.g. to keep a handle on it.
#[component]
pub fn ControlledWidget(controller: Controller) -> impl IntoView {
    // Rows are rendered in slices, one per animation frame, so a drop of
    // thousands of files never blocks the page for seconds in one task; the
    // slice follows the frames' measured length (`RowPace`).
    let pace = StoredValue::new(RowPace::default());
    let shown = RwSignal::new(pace.with_value(RowPace::step));
    // The list is drawn in pages of `PAGE_ROWS`: the browser lays out and
    // paints only the pages near the viewport, and a new slice of rows
    // touches only the last page.
    let pages = move || {
        let limit = shown.get();
        let len = controller.order.with(Vec::len).min(limit);
        (0..len.div_ceil(PAGE_ROWS)).collect::<Vec<usize>>()
    };
    let page_ids = move |page: usize| {
        let limit = shown.get();
        controller.order.with(|order| {
            let end = ((page + 1) * PAGE_ROWS).min(limit).min(order.len());
            order
                .get(page * PAGE_ROWS..end)
                .map(<[EntryId]>::to_vec)
                .unwrap_or_default()
        })
    };
    // How many rows a page holds, for the height a page out of view is
    // given before the browser has laid it out.
    let page_rows = move |page: usize| {
        let limit = shown.get();
        controller.order.with(|order| {
            order
                .len()
                .min(limit)
                .saturating_sub(page * PAGE_ROWS)
                .min(PAGE_ROWS)
        })
    };
    // One frame request at a time: files arriving while one is pending
    // must not add a second slice to the same frame.
    let frame_pending = StoredValue::new(false);
    Effect::new(move |_| {
        let total = controller.order.with(Vec::len);
        if shown.get() < total {
            if frame_pending.try_update_value(|p| std::mem::replace(p, true)) == Some(false) {
                request_animation_frame(move || {
                    frame_pending.try_set_value(false);
                    let step = pace
                        .try_update_value(|p| p.next(js_sys::Date::now()))
                        .unwrap_or(0);
                    shown.try_update(|n| *n = n.saturating_add(step));
                });
            }
        } else {
            pace.try_update_value(RowPace::pause);
            let shown_now = shown.get_untracked();
            let limit = pace
                .try_with_value(|p| p.limit_for(shown_now, total))
                .unwrap_or(shown_now);
            if limit != shown_now {
                shown.try_set(limit);
            }
        }
    });
    // Rebuilt when the host turns the option on or off at run time, and
    // only then (memos): another option changing must not move this
    // widget's page listeners behind another widget's.
    let option = move |of: fn(&WidgetOptions) -> bool| {
        Memo::new(move |_| {
            controller.options_revision.track();
            controller.options.try_with_value(of).unwrap_or(false)
        })
    };
    let (page_drop_on, page_paste_on) = (option(|o| o.page_drop), option(|o| o.page_paste));
    let theme = Memo::new(move |_| {
        controller.options_revision.track();
        controller
            .options
            .try_with_value(|o| o.theme)
            .unwrap_or_default()
    });
    let page_drop = move || {
        page_drop_on
            .get()
            .then(|| view! { <PageDrop controller=controller/> })
    };
    let page_paste = move || {
        page_paste_on
            .get()
            .then(|| view! { <PagePaste controller=controller/> })
    };
    let wording = controller.wording;
    // Each moment's news as a new text node, set from here rather than
    // rendered: news repeating the last word for word is still a change to
    // the region, and read out (a rendered text would be left as it is).
    // The same moment's same words are not set again: the effect runs
    // again for other reasons too (the signals rows read are pruned as
    // rows leave), and old news would be read out once more. Worded in
    // the language of the moment it came: a switch of language later is
    // no news, and must not read the last out again.
    let live_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |told: Option<Option<(u64, String)>>| {
        let (number, news) = controller.announcement.with(|live| {
            (
                live.number,
                wording.with_untracked(|w| w.announcements(&live.items)),
            )
        });
        let told = told.flatten();
        let region = live_ref.get()?;
        if told.is_some_and(|(n, words)| n == number && words == news) {
            return Some((number, news));
        }
        // As the rows show names: without the controls that reorder text.
        region.set_text_content(Some(&shown_name(&news)));
        Some((number, news))
    });
    let target = DropTarget::new();
    let dragging = target.over;
    // Focus in a row or kept item that code removes moves to a neighbour.
    let widget_ref = NodeRef::<leptos::html::Div>::new();
    let focus_keeper = StoredValue::new_local(None::<FocusKeeper>);
    widget_ref.on_load(move |widget| {
        focus_keeper.try_set_value(FocusKeeper::watch(&widget));
    });
    on_cleanup(move || {
        focus_keeper.try_set_value(None);
    });
    view! {
        // Paste anywhere inside the widget (the drop zone is focusable):
        // screenshots arrive this way in a tracker. Files are dropped
        // anywhere on it too.
        <div class="ta-widget" part="widget" data-ta="widget" lang=move || wording.with(|w| w.tag().to_owned())
            dir=move || wording.with(Wording::dir)
            data-theme=move || theme.get().as_str() node_ref=widget_ref
            on:dragover=target.on_drag_over(controller)
            on:dragleave=target.on_drag_leave()
            on:drop=target.on_drop(controller)
            on:paste=move |ev: leptos::ev::ClipboardEvent| {
                // Disabled, it leaves the paste to the page (or to a widget
                // that takes the page's pastes).
                if !controller.enabled_now() {
                    return;
                }
                let files = ev
                    .clipboard_data()
                    .map(|data| files_from_data_transfer(&data))
                    .unwrap_or_default();
                if !files.is_empty() {
                    ev.prevent_default();
                    controller.add_files(files);
                }
            }>
            <DropZone controller=controller dragging=dragging/>
            <Summary controller=controller/>
            <div class="ta-list" part="list" role="list" data-ta="list" aria-label=move || wording.get().text(Key::ListLabel)>
                <For each=pages key=|page| *page let:page>
                    <div class="ta-page" style:--ta-rows=move || page_rows(page).to_string()>
                        <For each=move || page_ids(page) key=|id| *id let:id>
                            <FileRow id=id controller=controller/>
                        </For>
                    </div>
                </For>
            </div>
            <KeptList controller=controller/>
            <div class="ta-live" data-ta="live" aria-live="polite" role="status"
                node_ref=live_ref></div>
            {page_drop}
            {page_paste}
        </div>
    }
}
