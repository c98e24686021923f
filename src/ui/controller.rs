use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::reactive::graph::Source;
use leptos::task::spawn_local;
use web_sys::{AbortController, File};

use super::{EventFile, WidgetEvent, WidgetOptions};
use crate::backend::{
    answer_lost, attach_request, batch_limit, bounded_chunk_size, can_be_looked_up,
    comment_request, deletable, deletion_outcome, find_lost_upload, ids_refused_by_name,
    look_up_again, may_be_on_the_issue, oversized_headers_warning, parse_attach, parse_comment,
    refused_header_warning, single_request_backend, surely_owns, temporary_attachment_is_gone,
    temporary_attachment_request, usable_issue_key, BackendSettings, Credentials, FlowBackend,
    LookUpAgain, LostUpload, Mode, UploadBackend,
};
use crate::core::{
    can_preview, file_shares, parse_retry_after, Announcement, Attachment, BatchLimit, Deletion,
    Deletions, Entry, EntryId, EntryState, FileMeta, HostVerdict, Intake, KeptAttachments,
    KeptSettle, Language, ListHomes, LiveNews, MomentEnd, NewsMoment, OfflineNews, ProgressPace,
    Refusal, Settle, Throughput, UploadError, UploadQueue, Urgency, Wording,
};
use crate::web::{
    downscaled_preview, fetch_thumbnail, fresh_credentials, is_kept_change, is_online, load_kept,
    picked_meta, same_origin_as_api, save_kept, send_authorized, sleep, storage_key,
    store_failed_warning, upload_in_parts, walk_folders, wording, AuthorizationProvider,
    Connectivity, Dropped, EventListener, ObjectUrl, PartUploader, Persist, PickedFile,
    ThumbnailHeaders,
};

/// How often the speed is sampled while uploads run (see `measure_speed`).
const SPEED_SAMPLE_MS: u64 = 1_000;
/// How often a lost answer's look-up, waiting for the connection, checks
/// that the browser is back online.
const ONLINE_POLL_MS: u64 = 1_000;

/// One widget's state and the intents its components send. It carries out
/// what [`UploadQueue`] decides and reports results back to it.
///
/// Every handle is a Leptos arena id, so the controller is `Copy` and every
/// access after unmount is a `try_` call that quietly does nothing: an upload
/// finishing after its widget is gone must not panic.
/// Where attaching the kept files to an issue stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachStatus {
    Idle,
    Working,
    /// `count` files went onto `issue`; the kept list is empty again.
    /// `dropped` kept ids could not go (expired, or attached elsewhere
    /// already) and left the list: said too, or the user would think them
    /// on `issue`.
    Attached {
        issue: String,
        count: usize,
        dropped: usize,
        /// A comment went with them (or alone, with `count` 0).
        commented: bool,
    },
    /// Nothing was dropped from the kept list (but ids the server no longer
    /// knows); shown in the current locale.
    Failed(UploadError),
}

/// Where a kept list is stored: its persistence and its key.
type StoredList = (Persist, String);

#[derive(Clone, Copy)]
pub struct Controller {
    pub queue: RwSignal<UploadQueue>,
    /// The rows in list order; changes only when files arrive or go.
    pub order: RwSignal<Vec<EntryId>>,
    /// Each row's state as a signal of its own, so that one file's progress
    /// re-renders one row, not all ten thousand.
    pub rows: StoredValue<HashMap<EntryId, ArcRwSignal<EntryState>>>,
    pub kept: RwSignal<KeptAttachments>,
    /// Bumped when the kept list's consumers (storage, the host's event, the
    /// rendered list) should catch up with `kept`: at once for a short list,
    /// at most about once a second for ten thousand files (`KeptSettle`).
    pub kept_revision: RwSignal<u64>,
    kept_settle: StoredValue<KeptSettle>,
    /// The kept list as last stored (written here or read from another
    /// tab): what this tab changed since is what it merges into another
    /// tab's list (`KeptAttachments::merged`).
    kept_base: StoredValue<KeptAttachments>,
    /// When `kept_base` was agreed on (ms): a base older than the removals
    /// told between tabs last may miss one (`KeptAttachments::merged_since`).
    kept_base_at: StoredValue<f64>,
    /// Whether the console was told that the list could not be stored (a
    /// full quota); told once, again only after a store went through.
    store_failure_told: StoredValue<bool>,
    /// The same pacing for the modes that keep nothing: bumped when the
    /// host's `attachments-change` should catch up with the finished files.
    /// Each catch-up lists every finished file, so ten thousand successes
    /// told one by one would copy fifty million attachments.
    pub done_revision: RwSignal<u64>,
    done_settle: StoredValue<KeptSettle>,
    /// Server thumbnails as revocable `blob:` URLs, per row.
    pub thumbnails: RwSignal<HashMap<EntryId, Rc<ObjectUrl>>, LocalStorage>,
    /// Local previews of picked images (a small PNG the browser decoded and
    /// shrank from the file, never read into wasm), until the server's
    /// thumbnail replaces them.
    pub previews: RwSignal<HashMap<EntryId, Rc<ObjectUrl>>, LocalStorage>,
    /// Cancelled rows whose file the server had already attached and that
    /// could not be taken back ([`UploadError::NotTakenBack`]): the row
    /// says so and offers no retry, which would attach a second copy.
    pub left_attached: RwSignal<HashMap<EntryId, UploadError>>,
    /// Where each finished row stands in being deleted from its issue
    /// (the row's "Delete from issue", in the modes that attach to one).
    pub deletions: RwSignal<Deletions>,
    /// The options each finished row of those modes was uploaded with: its
    /// deletion goes to the issue and the API the file went to, even once
    /// the host has moved the widget to another issue.
    uploaded_with: StoredValue<HashMap<EntryId, Rc<WidgetOptions>>, LocalStorage>,
    /// Which stored list each file was added for: an upload ends there,
    /// whatever list is shown when its answer comes.
    list_homes: StoredValue<ListHomes<StoredList>>,
    /// The finished rows whose upload went to the kept list: after a
    /// switch to a mode that keeps nothing they are still the kept list's,
    /// not that mode's uploads.
    kept_rows: StoredValue<HashSet<EntryId>>,
    /// What `attachments-change` told last: a change of the lists behind
    /// it that leaves the same attachments (a clear of an empty list, a
    /// move to another storage key) tells nothing.
    told_attachments: StoredValue<Vec<Attachment>>,
    /// Whether this widget has kept a file itself: only then does
    /// `tracker-issue` take up the kept list, as files kept before a
    /// switch to it. A list another page's widget left under the same
    /// key is not this issue's (nor when the page sets `mode` only after
    /// the element has started in the default one).
    kept_here: StoredValue<bool>,
    pub attach_status: RwSignal<AttachStatus>,
    /// Whether the form around the widget is disabled (a `<fieldset
    /// disabled>`, told by the custom element); with `disabled` in the
    /// options, see [`Self::enabled`].
    form_disabled: RwSignal<bool>,
    /// Bytes per second over the last seconds, while anything uploads.
    pub speed: RwSignal<Option<f64>>,
    throughput: StoredValue<Throughput>,
    /// Whether the once-a-second speed sample is running (see
    /// `measure_speed`).
    speed_ticking: StoredValue<bool>,
    /// Rows removed since the signals rows read were last pruned
    /// ([`Self::let_go_of_rows`]).
    rows_gone: StoredValue<usize>,
    /// The same for kept items ([`Self::kept_item_gone`]).
    kept_items_gone: StoredValue<usize>,
    /// The news of the latest moment that ended, for the screen-reader
    /// live region, read out in the current locale.
    pub announcement: RwSignal<LiveNews>,
    /// The news of the moment under way, told when it ends.
    news: StoredValue<LiveNews>,
    /// Whether news told now belongs to the moment under way, and what
    /// ends that moment (`NewsMoment`).
    news_moment: StoredValue<NewsMoment>,
    /// Whether news was shown so lately that the page may not have been
    /// drawn since (see `show_news`).
    news_shown_lately: StoredValue<bool>,
    /// News that ended while the last was shown lately, shown next.
    news_to_show: StoredValue<Option<LiveNews>>,
    /// When the live region says the browser is offline, and back.
    offline_news: StoredValue<OfflineNews>,
    /// Listed slices whose refusals are yet to be told, each in a task of
    /// its own: the moment they belong to waits for them.
    refusals_untold: StoredValue<usize>,
    /// Whether the browser is online, as the queue knows it: offline,
    /// nothing starts and files wait for the connection (the summary and
    /// the rows in line say so).
    pub online: RwSignal<bool>,
    /// The language of every word and number the widget shows, and the
    /// host's wording.
    pub wording: RwSignal<Wording, LocalStorage>,
    pub options: StoredValue<WidgetOptions, LocalStorage>,
    /// Bumped when the host replaces the options, so the parts of the view
    /// that show an option (the attach button, the dialog's `accept`) redraw.
    pub options_revision: RwSignal<u64>,
    /// The dialog's `<input type=file>`, for hosts that open it from code.
    file_input: StoredValue<Option<web_sys::HtmlInputElement>, LocalStorage>,
    files: StoredValue<HashMap<EntryId, File>, LocalStorage>,
    /// Files taken in but not listed yet: a big drop is listed a slice per
    /// task so that no task blocks the page.
    intake: StoredValue<Intake<PickedFile>, LocalStorage>,
    /// Rows waiting for a local preview, and whether one is being made.
    preview_backlog: StoredValue<VecDeque<EntryId>, LocalStorage>,
    previewing: StoredValue<bool>,
    /// How a cancel reaches each entry's running request, with the run it
    /// belongs to.
    aborts: StoredValue<HashMap<EntryId, (u64, RunStop)>, LocalStorage>,
    /// Bumped by `clear()` and `cancel_all()`: a folder still being read
    /// for a drop made before it stops, and adds nothing more.
    clears: StoredValue<u64>,
    /// Folders being read and big drops being listed a slice per task: the
    /// queue may run dry between two of their batches.
    reading: RwSignal<u32>,
    /// Files cancelled after they were sent in full whose request still
    /// runs (its answer says what to take back), and deletions taking
    /// such files back off the issue: the widget is not done until they
    /// are, or a page acting on the idle would leave them attached.
    taking_back: RwSignal<usize>,
    withdrawing: RwSignal<usize>,
    /// Anything queued, uploading, waiting to retry, or still being read.
    busy: Memo<bool>,
    /// The one pending retry timer, replaced rather than multiplied.
    retry_timer: StoredValue<Option<leptos::leptos_dom::helpers::TimeoutHandle>, LocalStorage>,
}

/// What cancelling a file does to the request it is in.
#[derive(Clone)]
enum RunStop {
    /// The body is still going out: stop the request.
    Abort(AbortController),
    /// Every byte is out and the server will attach the file whatever the
    /// page does: the request runs on, and this flag, owned by the run
    /// itself, has its answer taken back, even if the widget is gone by then.
    TakeBack(Rc<Cell<bool>>),
}

impl Controller {
    pub fn new(options: WidgetOptions) -> Self {
        warn_refused_headers(&options.credentials);
        let stored = load_kept(options.persist, &storage_key(&options.persist_key));
        let stored_at_start = stored.clone();
        let mut first_queue = UploadQueue::new(options.concurrency)
            .with_restrictions(options.restrictions.clone())
            .with_retry_policy(options.retry);
        let online = is_online();
        first_queue.set_online(online);
        let first_id = first_queue.next_id();
        let queue = RwSignal::new(first_queue);
        let reading = RwSignal::new(0);
        let taking_back = RwSignal::new(0);
        let withdrawing = RwSignal::new(0);
        // A memo: the queue changes with every progress report, `busy`
        // seldom.
        let busy = Memo::new(move |_| {
            queue.with(|q| q.summary().running)
                || reading.get() > 0
                || taking_back.get() + withdrawing.get() > 0
        });
        let controller = Self {
            queue,
            order: RwSignal::new(Vec::new()),
            rows: StoredValue::new(HashMap::new()),
            kept: RwSignal::new(stored.clone()),
            kept_base: StoredValue::new(stored),
            kept_base_at: StoredValue::new(js_sys::Date::now()),
            store_failure_told: StoredValue::new(false),
            kept_revision: RwSignal::new(0),
            kept_settle: StoredValue::new(KeptSettle::default()),
            done_revision: RwSignal::new(0),
            done_settle: StoredValue::new(KeptSettle::default()),
            thumbnails: RwSignal::new_local(HashMap::new()),
            previews: RwSignal::new_local(HashMap::new()),
            left_attached: RwSignal::new(HashMap::new()),
            deletions: RwSignal::new(Deletions::default()),
            uploaded_with: StoredValue::new_local(HashMap::new()),
            kept_rows: StoredValue::new(HashSet::new()),
            list_homes: StoredValue::new(ListHomes::new(
                first_id,
                (options.persist, options.persist_key.clone()),
            )),
            told_attachments: StoredValue::new(Vec::new()),
            kept_here: StoredValue::new(false),
            attach_status: RwSignal::new(AttachStatus::Idle),
            form_disabled: RwSignal::new(false),
            speed: RwSignal::new(None),
            throughput: StoredValue::new(Throughput::default()),
            speed_ticking: StoredValue::new(false),
            rows_gone: StoredValue::new(0),
            kept_items_gone: StoredValue::new(0),
            announcement: RwSignal::new(LiveNews::default()),
            news: StoredValue::new(LiveNews::default()),
            news_moment: StoredValue::new(NewsMoment::default()),
            news_shown_lately: StoredValue::new(false),
            news_to_show: StoredValue::new(None),
            offline_news: StoredValue::new(OfflineNews::default()),
            refusals_untold: StoredValue::new(0),
            online: RwSignal::new(online),
            wording: RwSignal::new_local(wording(options.locale.as_ref(), options.strings.clone())),
            options: StoredValue::new_local(options),
            options_revision: RwSignal::new(0),
            file_input: StoredValue::new_local(None),
            files: StoredValue::new_local(HashMap::new()),
            intake: StoredValue::new_local(Intake::default()),
            preview_backlog: StoredValue::new_local(VecDeque::new()),
            previewing: StoredValue::new(false),
            aborts: StoredValue::new_local(HashMap::new()),
            retry_timer: StoredValue::new_local(None),
            clears: StoredValue::new(0),
            reading,
            taking_back,
            withdrawing,
            busy,
        };
        // Unmounting stops every upload still going out. One whose body is
        // out is the server's already; it is taken back only if the user
        // cancelled it.
        on_cleanup(move || {
            // A host waiting for the end (a disabled submit) is told of it.
            if controller.busy.try_get_untracked() == Some(true) {
                controller.tell_busy(false);
            }
            controller.stop_all(false);
        });
        controller.follow_other_tabs();
        // The host is told when uploading starts and when it is over. A
        // widget starts idle: files added in the task that mounts it are
        // busy by this effect's first run.
        Effect::new(move |was_busy: Option<bool>| {
            let busy = controller.busy.get();
            if was_busy.unwrap_or(false) != busy {
                controller.tell_busy(busy);
            }
            busy
        });
        // The finished files of the modes that keep nothing, told when paced.
        Effect::new(move |first_run_done: Option<()>| {
            controller.done_revision.track();
            if first_run_done.is_some() {
                controller.tell_attachments(controller.attachments());
            }
        });
        // A change of the kept list schedules its consumers' catch-up. The
        // first run catches up only if the list changed since the view
        // was drawn from it: a host may clear or fill it in the task that
        // mounts the widget, before any effect has run.
        let drawn = StoredValue::new(Some(stored_at_start));
        Effect::new(move |first_run_done: Option<()>| {
            let len = controller.kept.with(KeptAttachments::len);
            let changed = match drawn.try_update_value(Option::take).flatten() {
                Some(drawn) => controller.kept.with_untracked(|k| !k.same_items(&drawn)),
                None => true,
            };
            if first_run_done.is_some() || changed {
                controller.settle_kept(len);
            }
        });
        // Every change of the kept list is stored, so a reload keeps it, and
        // told to the host (a list restored from storage counts as a change).
        Effect::new(move |_| {
            controller.kept_revision.track();
            controller.let_go_of_kept_items();
            let Some((kept, ours)) = controller.store_kept() else {
                return;
            };
            let keeps = controller.keeps_attachments();
            if !kept.same_items(&ours) {
                // Runs this effect once more, which then finds nothing new
                // and tells the host: telling it here too would be twice.
                controller.take_merged(kept, &ours);
            } else {
                // Only the removals told differ (dated now, or heard from
                // another tab): nothing for the host or the view, and no
                // run of this effect again.
                controller.take_removals(kept.clone(), &ours);
                if keeps {
                    controller.tell_attachments(kept.items().to_vec());
                }
            }
        });
        // A long list is stored at most once a second: what changed since
        // is stored as the widget goes, or as the page does (a reload).
        on_cleanup(move || {
            controller.store_kept();
        });
        let leaving = EventListener::on_window("pagehide", move |_| {
            // Another tab's ids found in storage join this tab's list too:
            // the page may come back from the back-forward cache, and a
            // base ahead of its list would read them as removed here.
            controller.store_and_follow();
        });
        let _ = StoredValue::new_local(leaving);
        let connectivity = Connectivity::watch(move |online| controller.set_online(online));
        let _ = StoredValue::new_local(connectivity);
        controller
    }

    /// The browser went offline or came back (its events, or a request
    /// failing while `navigator.onLine` is false). Told once per change: to
    /// the queue, the view, and, while there are files to upload, the live
    /// region. Back online, the files in line start at once.
    fn set_online(&self, online: bool) {
        if self.queue.try_with_untracked(UploadQueue::is_online) != Some(!online) {
            return;
        }
        let moved = self
            .queue
            .try_update(|q| q.set_online(online))
            .unwrap_or_default();
        self.sync_rows(&moved);
        self.online.try_set(online);
        let busy = self.is_busy();
        let news = self
            .offline_news
            .try_update_value(|n| n.connectivity(online, busy))
            .flatten();
        if let Some(news) = news {
            self.announce(news);
        }
        if online {
            self.pump();
        }
        // Offline this clears the retry timer: nothing is due.
        self.wake_for_retries();
    }

    /// Stores the kept list and returns it with the list as this widget
    /// had it: in `localStorage` another tab may have stored its list since
    /// this one last looked, and both tabs' changes go in.
    fn store_kept(&self) -> Option<(KeptAttachments, KeptAttachments)> {
        let (persist, persist_key) = self
            .options
            .try_with_value(|o| (o.persist, o.persist_key.clone()))?;
        let key = storage_key(&persist_key);
        let ours = self.kept.try_get_untracked()?;
        let theirs = (persist == Persist::Local).then(|| load_kept(persist, &key));
        let mut kept = match &theirs {
            Some(theirs) => self.merged_with(&ours, theirs),
            None => ours.clone(),
        };
        // Removals are dated as they are first stored, and forgotten a day
        // later (`REMOVAL_TOLD_FOR_MS`); only other tabs need them.
        if persist == Persist::Local {
            kept.stamp_removals(js_sys::Date::now() as u64);
        } else {
            kept.forget_removals();
        }
        let stored = save_kept(persist, &key, &kept);
        // A full quota is not worth failing an upload over, but the page's
        // developer hears of it once: a reload would lose the list.
        let told = self.store_failure_told.try_get_value().unwrap_or(true);
        if !stored && !told {
            crate::web::console::warn(&store_failed_warning(persist, &persist_key));
        }
        self.store_failure_told.try_set_value(!stored);
        // Not stored, the list in storage is the one just read and merged
        // in: what this tab kept beyond it stays its own to tell (taken for
        // stored, a next merge would read its absence there as removed),
        // and what it took from it is agreed on (else a removal of one of
        // those, told later, would lose to "added here").
        if stored {
            self.agree_on(kept.clone());
        } else if let Some(theirs) = theirs {
            self.agree_on(theirs);
        }
        Some((kept, ours))
    }

    /// The stored list, `theirs`, with this tab's changes since it last
    /// agreed on one; a base of long ago takes absences as removals.
    fn merged_with(&self, ours: &KeptAttachments, theirs: &KeptAttachments) -> KeptAttachments {
        let age = js_sys::Date::now() - self.kept_base_at.try_get_value().unwrap_or(0.0);
        let fresh = KeptAttachments::base_is_fresh(age);
        self.kept_base
            .try_with_value(|base| KeptAttachments::merged_since(base, ours, theirs, fresh))
            .unwrap_or_else(|| theirs.clone())
    }

    /// `base` is the list this tab and storage agree on, as of now.
    fn agree_on(&self, base: KeptAttachments) {
        self.kept_base.try_set_value(base);
        self.kept_base_at.try_set_value(js_sys::Date::now());
    }

    /// Stores the kept list now, and takes what another tab stored meanwhile
    /// (or only the removals, without telling anyone, if nothing else).
    fn store_and_follow(&self) {
        if let Some((kept, ours)) = self.store_kept() {
            if !kept.same_items(&ours) {
                self.take_merged(kept, &ours);
            } else {
                self.take_removals(kept, &ours);
            }
        }
    }

    /// `merged`, this list with another tab's changes, becomes the list.
    /// Rows uploaded here into the kept list whose ids the other tab
    /// removed (or attached, or cleared) go too, as a removal here takes
    /// its row: left, they would refuse the same file as a duplicate.
    fn take_merged(&self, merged: KeptAttachments, ours: &KeptAttachments) {
        let gone = ours.ids_missing_from(&merged);
        // A file another tab kept is news of the list, as one kept here:
        // "2 files attached to DEMO-1" no longer tells of it.
        if !merged.ids_missing_from(ours).is_empty() {
            self.forget_attach_outcome();
        }
        self.kept.try_set(merged);
        if gone.is_empty() {
            return;
        }
        let rows: Vec<EntryId> = self
            .queue
            .try_with_untracked(|q| gone.iter().filter_map(|id| q.finished_as(id)).collect())
            .unwrap_or_default();
        let rows: Vec<EntryId> = self
            .kept_rows
            .try_with_value(|kept_rows| {
                rows.into_iter().filter(|r| kept_rows.contains(r)).collect()
            })
            .unwrap_or_default();
        if !rows.is_empty() {
            self.remove_all(&rows);
        }
    }

    /// `kept`, which holds the same attachments as `ours` (the list this
    /// widget had when it was merged), becomes the list without telling
    /// anyone: only the removals it remembers changed. Unless the list
    /// changed meanwhile (it has not: all of this runs in one task).
    fn take_removals(&self, kept: KeptAttachments, ours: &KeptAttachments) {
        if kept != *ours {
            self.kept.try_update_untracked(|k| {
                if k == ours {
                    *k = kept;
                }
            });
        }
    }

    /// Lets the kept list's consumers catch up now or after a wait, per
    /// [`KeptSettle`].
    fn settle_kept(&self, len: usize) {
        catch_up(self.kept_settle, self.kept_revision, len);
    }

    /// Whether anything is queued, uploading, waiting to retry, or still
    /// being read from a drop (told as `busy-change`).
    pub fn is_busy(&self) -> bool {
        self.busy.try_get_untracked().unwrap_or(false)
    }

    /// Switches every word and number of the widget to `locale`; the
    /// host's wording stays.
    pub fn set_locale(&self, locale: impl Into<Language>) {
        let strings = self.options.try_with_value(|o| o.strings.clone()).flatten();
        self.wording.try_set(wording(Some(&locale.into()), strings));
    }

    /// Whether the widget takes files and its buttons work: not while it
    /// is disabled (its options, or the form around it). Tracked.
    pub fn enabled(&self) -> bool {
        self.options_revision.track();
        let disabled = self.options.try_with_value(|o| o.disabled).unwrap_or(false);
        !disabled && !self.form_disabled.get()
    }

    /// [`Self::enabled`] now, for event handlers: nothing subscribes.
    pub fn enabled_now(&self) -> bool {
        untrack(|| self.enabled())
    }

    /// The form around the widget was disabled or enabled again.
    pub fn set_form_disabled(&self, disabled: bool) {
        self.form_disabled.try_set(disabled);
    }

    /// Takes files in (drop, dialog, paste) and starts what may start;
    /// none while the widget is disabled.
    pub fn add_files(&self, files: Vec<File>) {
        if !self.enabled_now() {
            return;
        }
        let count = files.len();
        // Told first: a refusal while listing is the later, weightier news.
        if count > 0 {
            self.announce(Announcement::FilesAdded(count));
        }
        self.add_picked(files.into_iter().map(PickedFile::from).collect());
    }

    /// Takes a drop in: its files at once, its folders as they are read,
    /// a batch at a time, each file with its path in the folder.
    pub fn add_drop(&self, dropped: Dropped) {
        if !self.enabled_now() {
            return;
        }
        let Dropped { files, folders } = dropped;
        self.add_files(files);
        if folders.is_empty() {
            return;
        }
        let this = *self;
        let clears = self.clears.try_get_value();
        self.reading.try_update(|n| *n += 1);
        // The drop's loose files and refusals, and the folders' own, wait
        // for the folders' count: one moment, begun here if none is open.
        if self.news_moment.try_with_value(NewsMoment::is_open) == Some(false) {
            self.news.try_update_value(LiveNews::begin);
        }
        let hold = self
            .news_moment
            .try_update_value(NewsMoment::hold_for_folder);
        if let Some((_, end)) = hold {
            self.schedule_moment_end(Some(end));
        }
        spawn_local(async move {
            // Unmounted or cleared since the drop: stop reading.
            let current = move || clears.is_some() && this.clears.try_get_value() == clears;
            let walked = walk_folders(folders, |batch| {
                if !current() {
                    return false;
                }
                this.add_picked(batch);
                true
            })
            .await;
            this.reading.try_update(|n| *n = n.saturating_sub(1));
            if current() && (walked.added > 0 || walked.unreadable > 0) {
                this.announce(Announcement::FolderRead {
                    added: walked.added,
                    unreadable: walked.unreadable,
                });
            }
            if let Some((hold, _)) = hold {
                let end = this.news_moment.try_update_value(|m| m.folder_read(hold));
                this.schedule_moment_end(end);
            }
        });
    }

    /// Adds one batch to the queue without announcing it, behind any files
    /// still waiting from an earlier batch: a small batch at once, a big one
    /// a slice per task from the next task on (the drop's own task has
    /// enough to do reading its items).
    fn add_picked(&self, files: Vec<PickedFile>) {
        let Some(start) = self.intake.try_update_value(|i| i.push(files)) else {
            return;
        };
        if !start {
            return;
        }
        if self.intake.try_with_value(Intake::fits_one_slice) == Some(true) {
            // Listed now; the second call finds nothing and ends the drain.
            while self.list_next_slice().is_some() {}
            return;
        }
        let this = *self;
        self.reading.try_update(|n| *n += 1);
        spawn_local(async move {
            loop {
                // A timer task of its own: input, rendering and the uploads'
                // callbacks get their turn between slices.
                sleep(0).await;
                if this.list_next_slice().is_none() {
                    this.end_news_moment();
                    break;
                }
            }
            this.reading.try_update(|n| *n = n.saturating_sub(1));
        });
    }

    /// Lists the next slice waiting in the intake; `None` when there was
    /// none (the drain ends) or the widget is gone.
    fn list_next_slice(&self) -> Option<()> {
        let files = self.intake.try_update_value(Intake::next_slice).flatten()?;
        self.list(files);
        Some(())
    }

    /// Lists files in the queue and starts what may start.
    fn list(&self, files: Vec<PickedFile>) {
        if files.is_empty() {
            return;
        }
        let Some(checked) = self.host_checked(&files) else {
            return;
        };
        // The kept attachments count too: restored after a reload, or their
        // row removed, they still go onto the issue.
        let keeps = self.attaches_kept();
        // One queue update (and one re-render) for the whole slice.
        let ids = self
            .kept
            .try_with_untracked(|kept| {
                let kept = if keeps { kept.items() } else { &[] };
                self.queue
                    .try_update(|q| q.add_checked_beside(checked, kept))
            })
            .flatten();
        let Some(ids) = ids else {
            return;
        };
        let states: Vec<(EntryId, EntryState)> = self
            .queue
            .try_with_untracked(|q| {
                ids.iter()
                    .filter_map(|id| q.get(*id).map(|e| (*id, e.state.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let refused = states
            .iter()
            .any(|(_, state)| matches!(state, EntryState::Refused { .. }));
        self.rows.try_update_value(|rows| {
            for (id, state) in states {
                rows.insert(id, ArcRwSignal::new(state));
            }
        });
        self.order
            .try_update(|order| order.extend(ids.iter().copied()));
        if refused {
            // In a task of its own: thousands of refusals told in the task
            // that listed them would make it a long one.
            self.refusals_untold.try_update_value(|n| *n += 1);
            let this = *self;
            let ids = ids.clone();
            spawn_local(async move {
                sleep(0).await;
                this.tell_refusals(&ids);
                this.refusals_untold
                    .try_update_value(|n| *n = n.saturating_sub(1));
                this.end_news_moment();
            });
        }
        let mut wanted = Vec::new();
        self.files.try_update_value(|m| {
            for (id, PickedFile { file, .. }) in ids.iter().zip(files) {
                if can_preview(&file.type_(), &file.name()) {
                    wanted.push(*id);
                }
                m.insert(*id, file);
            }
        });
        self.pump();
        self.tell_offline_once();
        if !wanted.is_empty() {
            self.preview_backlog.try_update_value(|b| b.extend(wanted));
            self.make_previews();
        }
    }

    /// What the browser says of each file, with the host's verdict on it
    /// (taken when the host set no check). The check is asked before the
    /// queue is touched: the host's function may call back into the widget.
    /// `None` when the widget was cleared or unmounted from inside the
    /// check: the files belong to a list that is gone.
    fn host_checked(&self, files: &[PickedFile]) -> Option<Vec<(FileMeta, HostVerdict)>> {
        let check = self.options.try_with_value(|o| o.before_add.clone())?;
        let clears = self.clears.try_get_value();
        let mut checked = Vec::with_capacity(files.len());
        for picked in files {
            let meta = picked_meta(picked);
            let verdict = match &check {
                Some(check) => check.check(&meta, &picked.file),
                None => Ok(()),
            };
            // The page's check cleared or removed the widget: the rest of
            // the slice belongs to a list that is gone, and is not asked about.
            if check.is_some() && self.clears.try_get_value() != clears {
                return None;
            }
            checked.push((meta, verdict));
        }
        Some(checked)
    }

    /// Makes the waiting local previews one at a time, in list order: the
    /// browser decodes each image already shrunk, off the main thread, and a
    /// thousand dropped photos never decode at once.
    fn make_previews(&self) {
        if self
            .previewing
            .try_update_value(|busy| std::mem::replace(busy, true))
            != Some(false)
        {
            return;
        }
        let this = *self;
        spawn_local(async move {
            while let Some(Some(id)) = this.preview_backlog.try_update_value(VecDeque::pop_front) {
                // Gone, or uploaded already (the server's thumbnail comes).
                let Some(Some(file)) = this.files.try_with_value(|m| m.get(&id).cloned()) else {
                    continue;
                };
                let Ok(url) = downscaled_preview(&file).await else {
                    // HEIC on Chromium, a corrupt file: the type icon stays.
                    continue;
                };
                let wanted = this
                    .thumbnails
                    .try_with_untracked(|t| !t.contains_key(&id))
                    .unwrap_or(false)
                    && this
                        .queue
                        .try_with_untracked(|q| q.get(id).is_some())
                        .unwrap_or(false);
                if wanted {
                    this.previews.try_update(|m| m.insert(id, Rc::new(url)));
                }
            }
            this.previewing.try_set_value(false);
        });
    }

    pub fn cancel(&self, id: EntryId) {
        self.cancel_rows(&[id]);
    }

    /// Cancels `ids` in one change of the queue, then starts what the
    /// freed slots let start: one pass, however many (the bulk "Cancel
    /// all" of thousands).
    fn cancel_rows(&self, ids: &[EntryId]) {
        for id in ids {
            match self.aborts.try_with_value(|m| m.get(id).cloned()).flatten() {
                Some((_, RunStop::Abort(controller))) => controller.abort(),
                Some((_, RunStop::TakeBack(flag))) => flag.set(true),
                None => {}
            }
        }
        self.recount_take_backs();
        let _ = self.queue.try_update(|q| {
            for id in ids {
                let _ = q.cancel(*id);
            }
        });
        self.sync_rows(ids);
        self.pump();
        // The slot is free now, though a request sent in full runs on: a
        // waiting retry must not wait for its end.
        self.wake_for_retries();
    }

    pub fn retry(&self, id: EntryId) {
        self.retry_rows(&[id], false);
    }

    /// A file waiting out its wait before the next try goes now (the
    /// row's "Retry now": the server is back, and the user knows it).
    pub fn retry_now(&self, id: EntryId) {
        if self.queue.try_update(|q| q.retry_now(id).is_ok()) != Some(true) {
            return;
        }
        self.sync_rows(&[id]);
        self.pump();
        self.wake_for_retries();
    }

    /// Cancels every file queued, uploading or waiting to retry (the bulk
    /// "Cancel all"), each as its row's Cancel would, in one change of the
    /// queue: no slot a running one frees starts one of them. Folders
    /// still being read and drops still being listed stop too, as with
    /// [`Self::clear`]: the user cancels the drop. The live region tells
    /// how many.
    pub fn cancel_all(&self) {
        let ids = self
            .queue
            .try_with_untracked(UploadQueue::running_ids_waiting_first)
            .unwrap_or_default();
        if ids.is_empty() {
            return;
        }
        // The rest of the drop is not listed.
        self.stop_listing();
        self.announce_bulk(Announcement::Cancelled(ids.len()));
        self.cancel_rows(&ids);
    }

    /// Stops listing what drops brought: folders still being read stop
    /// (they check [`Self::clears`]), and the files of a big drop not
    /// listed yet go.
    fn stop_listing(&self) {
        self.clears.try_update_value(|n| *n += 1);
        self.intake.try_update_value(Intake::clear);
    }

    /// [`Self::retry`] for many rows at once, with one pass over the list
    /// (the bulk "Retry all" of thousands); the live region tells how many
    /// went back in line (the restrictions may refuse some again).
    pub fn retry_all(&self, ids: &[EntryId]) {
        self.retry_rows(ids, true);
    }

    fn retry_rows(&self, ids: &[EntryId], tell_count: bool) {
        // A row whose file stayed attached offers no retry: the issue has it.
        let ids: Vec<EntryId> = self
            .left_attached
            .try_with_untracked(|m| {
                ids.iter()
                    .filter(|id| !m.contains_key(id))
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        if ids.is_empty() {
            return;
        }
        // The kept attachments count, as for a file added now.
        let keeps = self.attaches_kept();
        let changed = self
            .kept
            .try_with_untracked(|kept| {
                let kept = if keeps { kept.items() } else { &[] };
                self.queue.try_update(|q| q.retry_all_beside(&ids, kept))
            })
            .flatten()
            .unwrap_or_default();
        self.sync_rows(&changed);
        if tell_count {
            let queued = self
                .queue
                .try_with_untracked(|q| {
                    changed
                        .iter()
                        .filter(|id| q.get(**id).is_some_and(|e| e.state == EntryState::Queued))
                        .count()
                })
                .unwrap_or(0);
            self.announce_bulk(Announcement::Retrying(queued));
        }
        self.tell_refusals(&changed);
        self.pump();
        self.tell_offline_once();
    }

    /// Tells the host and the live region of each of `ids` the restrictions
    /// refused, as of any failure (the row says why already).
    fn tell_refusals(&self, ids: &[EntryId]) {
        let refused: Vec<(EntryId, FileMeta, Refusal)> = self
            .queue
            .try_with_untracked(|q| {
                ids.iter()
                    .filter_map(|id| match q.get(*id) {
                        Some(Entry {
                            file,
                            state: EntryState::Refused { reason },
                            ..
                        }) => Some((*id, file.clone(), reason.clone())),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (id, meta, reason) in refused {
            self.tell_failure(id, &meta, UploadError::Refused(reason), Urgency::Now);
        }
    }

    /// In the modes that keep nothing, the finished uploads are what the
    /// host acts on: a change of them is told when paced.
    fn done_changed(&self) {
        let keeps = self
            .options
            .try_with_value(|o| o.mode.keeps_attachments())
            .unwrap_or(true);
        if !keeps {
            let done = self
                .queue
                .try_with_untracked(|q| q.summary().done)
                .unwrap_or(0);
            catch_up(self.done_settle, self.done_revision, done);
        }
    }

    /// Forgets a finished row and frees its file handle and thumbnail. A
    /// file uploaded and kept for an issue leaves the kept list too: removed
    /// from the widget, it is not submitted.
    pub fn remove(&self, id: EntryId) {
        self.remove_all(&[id]);
    }

    /// [`Self::remove`] for many rows in one pass over the list and one
    /// change of each map (the bulk "Remove refused" of thousands). Rows
    /// still uploading stay.
    pub fn remove_all(&self, ids: &[EntryId]) {
        let Some(taken) = self.queue.try_update(|q| q.take_all(ids)) else {
            return;
        };
        if taken.is_empty() {
            return;
        }
        let gone: HashSet<EntryId> = taken.iter().map(|e| e.id).collect();
        let done: Vec<(EntryId, &str)> = taken
            .iter()
            .filter_map(|e| match &e.state {
                EntryState::Done { attachment } => Some((e.id, attachment.id.as_str())),
                _ => None,
            })
            .collect();
        if !done.is_empty() {
            self.done_changed();
            // Whatever the mode now: a row uploaded into the kept list
            // takes its item along.
            let kept_done: Vec<&str> = self
                .kept_rows
                .try_with_value(|rows| {
                    done.iter()
                        .filter(|(id, _)| rows.contains(id))
                        .map(|(_, attachment_id)| *attachment_id)
                        .collect()
                })
                .unwrap_or_default();
            if !kept_done.is_empty() {
                self.kept.try_update(|k| {
                    for attachment_id in &kept_done {
                        k.remove(attachment_id);
                    }
                });
            }
        }
        self.order
            .try_update(|order| order.retain(|o| !gone.contains(o)));
        let listed = self.order.try_with_untracked(Vec::len).unwrap_or(0);
        self.let_go_of_rows(taken.len(), listed);
        self.rows
            .try_update_value(|rows| rows.retain(|id, _| !gone.contains(id)));
        self.files
            .try_update_value(|m| m.retain(|id, _| !gone.contains(id)));
        forget_rows(self.thumbnails, &gone);
        forget_rows(self.previews, &gone);
        forget_rows(self.left_attached, &gone);
        self.uploaded_with
            .try_update_value(|m| m.retain(|id, _| !gone.contains(id)));
        self.kept_rows
            .try_update_value(|rows| rows.retain(|id| !gone.contains(id)));
        if self.deletions.try_with_untracked(Deletions::is_empty) == Some(false) {
            self.deletions.try_update(|d| d.forget(&gone));
        }
    }

    /// The browser could not show the row's preview (a HEIC on Chromium, a
    /// corrupt file, a `blob:` image under a Content-Security-Policy without
    /// `img-src blob:`): the row falls back to its type icon rather than a
    /// broken image. Only the preview: its error may come after the
    /// server's thumbnail replaced it.
    pub fn drop_preview(&self, id: EntryId) {
        self.previews.try_update(|m| m.remove(&id));
    }

    /// The same for the server's thumbnail (refused by such a policy).
    pub fn drop_thumbnail(&self, id: EntryId) {
        self.thumbnails.try_update(|m| m.remove(&id));
    }

    /// The issue a finished row may be deleted from ("Delete from issue"),
    /// by its key; `None` for a row that may not be: not finished, or
    /// uploaded in a mode that keeps temporary files or has no way to
    /// delete ([`deletable`]).
    pub fn deletable_from(&self, id: EntryId) -> Option<String> {
        self.deletion_target(id)
            .map(|(options, _, _)| options.issue.clone())
    }

    /// What deleting row `id` from its issue needs: the options it was
    /// uploaded with, its attachment and its file's name.
    fn deletion_target(&self, id: EntryId) -> Option<(Rc<WidgetOptions>, Attachment, String)> {
        let options = self
            .uploaded_with
            .try_with_value(|m| m.get(&id).cloned())
            .flatten()?;
        let (attachment, name) = self
            .queue
            .try_with_untracked(|q| {
                let entry = q.get(id)?;
                let attachment = deletable(options.mode, &entry.state)?;
                Some((attachment.clone(), entry.file.name.clone()))
            })
            .flatten()?;
        Some((options, attachment, name))
    }

    /// The row's first click on "Delete from issue": the row asks to
    /// confirm, as deleting cannot be undone.
    pub fn ask_delete(&self, id: EntryId) {
        if self.deletion_target(id).is_some() {
            self.deletions.try_update(|d| d.ask(id));
        }
    }

    /// The user keeps the file (the row's Keep, or Escape): the row is as
    /// before it asked. `false` when it was not asking.
    pub fn keep(&self, id: EntryId) -> bool {
        let asking = self
            .deletions
            .try_with_untracked(|d| matches!(d.get(id), Some(Deletion::Confirming { .. })))
            .unwrap_or(false);
        asking && self.deletions.try_update(|d| d.keep(id)).unwrap_or(false)
    }

    /// The row's confirmed "Delete": [`Self::delete_from_issue`], with its
    /// outcome shown on the row and told in the live region.
    pub fn confirm_delete(&self, id: EntryId) {
        let this = *self;
        spawn_local(async move {
            let _ = this.delete_from_issue(id).await;
        });
    }

    /// Deletes finished row `id` from the issue it was uploaded to (T6,
    /// J6), with the widget's credentials, asking no confirmation (the
    /// row's own button asks first). Deleted, or gone already (404): the
    /// row leaves the list, and so `attachments` and `attachments-change`,
    /// and the live region tells it. Otherwise the row stays, saying why
    /// the file is still on the issue ([`UploadError::NotDeleted`], also
    /// the error returned), and it may be tried again. A row that may not
    /// be deleted is [`UploadError::NothingToDelete`]; one being deleted,
    /// [`UploadError::DeleteRunning`].
    pub async fn delete_from_issue(&self, id: EntryId) -> Result<(), UploadError> {
        let (options, attachment, name) = self
            .deletion_target(id)
            .ok_or(UploadError::NothingToDelete)?;
        self.deletions
            .try_update(|d| d.start(id))
            .ok_or(UploadError::Cancelled)??;
        let outcome = match self.deletion(attachment, &options) {
            Some(deletion) => deletion.await,
            None => Err(UploadError::NothingToDelete),
        };
        // A widget gone meanwhile has no row to change: the outcome is
        // still the caller's.
        let outcome = self
            .deletions
            .try_update(|d| d.finish(id, outcome.clone()))
            .unwrap_or_else(|| Deletions::default().finish(id, outcome));
        match &outcome {
            Ok(()) => {
                self.announce(Announcement::Deleted {
                    name,
                    issue: options.issue.clone(),
                });
                // The row leaves a task later, once its view has seen it
                // deleted and moved focus off it; before the caller hears,
                // so that `attachments` no longer has it by then.
                sleep(0).await;
                self.remove(id);
            }
            Err(error) => self.announce(Announcement::NotDeleted {
                name,
                error: error.clone(),
            }),
        }
        outcome
    }

    /// [`Self::delete_from_issue`] for the finished upload whose
    /// attachment has id `attachment_id` (the host's `deleteAttachment`).
    pub async fn delete_attachment(&self, attachment_id: &str) -> Result<(), UploadError> {
        let row = self
            .queue
            .try_with_untracked(|q| q.finished_as(attachment_id))
            .flatten()
            .ok_or(UploadError::NothingToDelete)?;
        self.delete_from_issue(row).await
    }

    /// Removes a kept attachment, and the row it was uploaded in: that row
    /// would count for the restrictions a file no longer kept.
    pub fn remove_kept(&self, attachment_id: &str) {
        self.kept.try_update(|k| k.remove(attachment_id));
        let row = self
            .queue
            .try_with_untracked(|q| q.finished_as(attachment_id))
            .flatten();
        if let Some(row) = row {
            self.remove(row);
        }
    }

    fn keeps_attachments(&self) -> bool {
        self.options
            .try_with_value(|o| o.mode.keeps_attachments())
            .unwrap_or(false)
    }

    /// Whether the widget shows the kept list, and counts and attaches it:
    /// in the modes that keep files, and in `tracker-issue` once this
    /// widget has kept a file itself (a switch from such a mode).
    pub fn attaches_kept(&self) -> bool {
        let here = self.kept_here.try_get_value().unwrap_or(false);
        self.options
            .try_with_value(|o| o.mode.keeps_attachments() || (here && o.mode.attaches_kept()))
            .unwrap_or(false)
    }

    /// Attaches every kept temporary file to `issue` (Tracker T8), or posts
    /// `comment` with them when it is not blank (T9). On success the kept
    /// list empties; on failure it stays as it was and the error is shown.
    pub fn attach_kept(&self, issue: String, comment: String) {
        let this = *self;
        spawn_local(async move {
            let _ = this.attach(issue, comment).await;
        });
    }

    /// [`attach_kept`](Self::attach_kept) for hosts that await the outcome:
    /// the ids that went onto the issue.
    pub async fn attach(&self, issue: String, comment: String) -> Result<Vec<String>, UploadError> {
        let mode = self
            .options
            .try_with_value(|o| o.mode)
            .ok_or(UploadError::Cancelled)?;
        let keeps = self.attaches_kept();
        // Jira's and a form's endpoints have no comments: the user's text
        // would go nowhere, so the host is told rather than answered `[]`.
        if matches!(mode, Mode::Jira | Mode::Form) && !comment.trim().is_empty() {
            return Err(UploadError::NoComments {
                mode: mode.as_str().to_owned(),
            });
        }
        // Jira and a form's endpoint cannot attach Tracker's temporary
        // files: a list stored under their key (another page's widget, or
        // before a mode change) is not theirs to send. `tracker-issue`
        // attaches what this widget kept before a switch to it.
        let ids = match keeps {
            true => self
                .kept
                .try_with_untracked(|k| k.ids())
                .ok_or(UploadError::Cancelled)?,
            false => Vec::new(),
        };
        if !usable_issue_key(&issue) {
            return Err(UploadError::NoIssueKey);
        }
        if ids.is_empty() {
            // A comment is posted even with nothing to attach, so the
            // user's text is not dropped (Jira and form were refused above).
            if !comment.trim().is_empty() {
                self.send_attach(&issue, &comment, &[]).await?;
                self.attach_status.try_set(AttachStatus::Attached {
                    issue,
                    count: 0,
                    dropped: 0,
                    commented: true,
                });
            }
            return Ok(Vec::new());
        }
        if self.attach_status.try_get_untracked() == Some(AttachStatus::Working) {
            return Err(UploadError::AttachRunning);
        }
        self.attach_status.try_set(AttachStatus::Working);
        let mut ids = ids;
        let mut outcome = self.send_attach(&issue, &comment, &ids).await;
        // One unusable id (expired, or attached elsewhere already) fails
        // the whole list: find those, drop them, and try the rest. The
        // expired ones are looked up once (T11: 404). A 422 names the first
        // id it could not attach, and an attach whose answer was lost left
        // all of its ids attached: each further 422 naming a new id drops
        // that one too, at most once per id.
        let mut dropped = 0;
        let mut looked_up = false;
        while let Err(
            refusal @ UploadError::Http {
                status: 404 | 422, ..
            },
        ) = &outcome
        {
            let mut gone = ids_refused_by_name(refusal, &ids);
            if !looked_up {
                looked_up = true;
                let rest: Vec<String> = ids
                    .iter()
                    .filter(|id| !gone.contains(id))
                    .cloned()
                    .collect();
                gone.extend(self.gone_ids(&rest).await);
            }
            if gone.is_empty() {
                break;
            }
            self.let_go_of_kept(&gone);
            ids.retain(|id| !gone.contains(id));
            dropped += gone.len();
            // The comment goes with the rest, or alone when none is left:
            // an id attached already may have gone to another issue, or by
            // a plain attach, and the user's words must not be lost. (After
            // a lost answer to this very comment, it is posted twice.)
            outcome = if ids.is_empty() && comment.trim().is_empty() {
                Err(UploadError::KeptExpired { count: dropped })
            } else {
                self.send_attach(&issue, &comment, &ids).await
            };
        }
        match outcome {
            Ok(()) => {
                // Only the ids that were sent leave the list: a file that
                // finished meanwhile stays for the next attach. Their rows
                // go too, as other tabs' do when they hear of it: left,
                // they would refuse the same file for another issue.
                self.let_go_of_kept(&ids);
                // Told by the attach status, a live region of its own.
                self.attach_status.try_set(AttachStatus::Attached {
                    issue: issue.clone(),
                    count: ids.len(),
                    dropped,
                    commented: !comment.trim().is_empty(),
                });
                if !ids.is_empty() {
                    self.emit(WidgetEvent::Attached {
                        issue,
                        attachment_ids: ids.clone(),
                    });
                }
                Ok(ids)
            }
            Err(error) => {
                self.attach_status
                    .try_set(AttachStatus::Failed(error.clone()));
                Err(error)
            }
        }
    }

    /// What the host may act on: the kept temporary attachments in the
    /// modes that keep them, the finished uploads in the others.
    pub fn attachments(&self) -> Vec<Attachment> {
        let keeps = self.keeps_attachments();
        if keeps {
            self.kept
                .try_with_untracked(|k| k.items().to_vec())
                .unwrap_or_default()
        } else {
            // Rows finished into the kept list before a switch of mode
            // are temporary files, not this mode's uploads.
            let kept_rows = self.kept_rows.try_get_value().unwrap_or_default();
            self.queue
                .try_with_untracked(|q| q.done_attachments_except(&kept_rows))
                .unwrap_or_default()
        }
    }

    /// Empties the widget: stops every upload, forgets every row and the
    /// kept list (the host has attached or discarded them).
    pub fn clear(&self) {
        // A cancel of every file: those already sent in full are taken back.
        self.stop_all(true);
        // Files of a drop not listed yet are dropped too.
        self.stop_listing();
        let ids: Vec<EntryId> = self.order.try_get_untracked().unwrap_or_default();
        self.queue.try_update(|q| {
            for id in &ids {
                let _ = q.cancel(*id);
            }
            q.remove_all(&ids)
        });
        self.order.try_set(Vec::new());
        self.let_go_of_rows(ids.len(), 0);
        // No file is left to find its list: the spans of earlier switches go.
        let next = self.queue.try_with_untracked(UploadQueue::next_id);
        let shown = self
            .options
            .try_with_value(|o| (o.persist, o.persist_key.clone()));
        if let (Some(next), Some(shown)) = (next, shown) {
            self.list_homes.try_set_value(ListHomes::new(next, shown));
        }
        self.rows.try_update_value(HashMap::clear);
        self.files.try_update_value(HashMap::clear);
        self.thumbnails.try_update(HashMap::clear);
        self.previews.try_update(HashMap::clear);
        self.left_attached.try_update(HashMap::clear);
        self.uploaded_with.try_update_value(HashMap::clear);
        self.kept_rows.try_update_value(HashSet::clear);
        self.deletions.try_update(Deletions::clear);
        self.preview_backlog.try_update_value(VecDeque::clear);
        if self.attaches_kept() {
            self.kept.try_update(KeptAttachments::clear);
        }
        self.attach_status.try_set(AttachStatus::Idle);
        self.done_changed();
    }

    /// Leptos 0.8 leaves a removed row's effects in the subscriber lists of
    /// the signals they read, for good: an effect leaves a list only when
    /// it runs again, and a removed one never does. Rows read the wording,
    /// the connection and the per-row maps, which live as long as the
    /// widget: a long-lived page would pile up half a kilobyte per row ever
    /// listed. Each of these signals is pruned once as many rows have left
    /// as remain (so the cost spreads over the removals): its subscribers
    /// are marked to run again, which subscribes the live ones anew, and
    /// the list is emptied, which lets the dead ones go. This holds for
    /// what reads these signals here: effects, render effects and memos
    /// (read again by their readers). It would not for a paused owner (its
    /// mark is ignored, and resuming does not run it) or an immediate
    /// effect (it would subscribe during the marking, then be emptied
    /// out); neither is used. A test watches a row follow the language
    /// after a prune, should Leptos change this.
    fn let_go_of_rows(&self, removed: usize, remaining: usize) {
        if !prune_due(self.rows_gone, removed, remaining) {
            return;
        }
        // Once the rows have gone from the view, in a later task.
        let this = *self;
        spawn_local(async move {
            prune(&this.wording);
            prune(&this.online);
            prune(&this.thumbnails);
            prune(&this.previews);
            prune(&this.left_attached);
            prune(&this.deletions);
            // Their buttons ask whether the widget is enabled.
            prune(&this.options_revision);
            prune(&this.form_disabled);
        });
    }

    /// A kept item left the view (removed, attached, cleared, or moved
    /// to another page of the list as one before it went): counted for
    /// [`Self::let_go_of_kept_items`].
    pub(super) fn kept_item_gone(&self) {
        self.kept_items_gone.try_update_value(|n| *n += 1);
    }

    /// [`Self::let_go_of_rows`] for the kept list's items, which read the
    /// wording, the options, the form's disabled state and the attach
    /// status, and its pages, which
    /// read its revision: each upload of a `tracker-temp` widget that
    /// clears its list now and then would leave a fifth of a kilobyte.
    /// Called as the list is drawn anew, with the items that left the view
    /// since counted as they went ([`Self::kept_item_gone`]): a prune may
    /// come one drawing late.
    fn let_go_of_kept_items(&self) {
        let Some(shown) = self.kept.try_with_untracked(KeptAttachments::len) else {
            return;
        };
        if !prune_due(self.kept_items_gone, 0, shown) {
            return;
        }
        let this = *self;
        spawn_local(async move {
            prune(&this.wording);
            prune(&this.options_revision);
            prune(&this.attach_status);
            prune(&this.kept_revision);
            prune(&this.form_disabled);
        });
    }

    /// Opens the browser's file dialog (browsers allow it only while the
    /// page handles a user's click or key press).
    pub fn open_file_dialog(&self) {
        if !self.enabled_now() {
            return;
        }
        if let Some(Some(input)) = self.file_input.try_get_value() {
            input.click();
        }
    }

    pub(super) fn set_file_input(&self, input: Option<web_sys::HtmlInputElement>) {
        self.file_input.try_set_value(input);
    }

    /// Takes away how the last attach ended ("2 files attached to
    /// DEMO-1", or its failure) once it no longer tells of the list shown:
    /// a new file is kept, or the widget attaches elsewhere. One running
    /// stays.
    fn forget_attach_outcome(&self) {
        if self.attach_status.try_with_untracked(|s| {
            matches!(s, AttachStatus::Attached { .. } | AttachStatus::Failed(_))
        }) == Some(true)
        {
            self.attach_status.try_set(AttachStatus::Idle);
        }
    }

    /// Replaces the options (an attribute of the element changed). Running
    /// uploads finish with the settings they started with; the next ones,
    /// and files added from now on, use the new ones. A new persistence key
    /// or store loads the list kept there.
    pub fn set_options(&self, options: WidgetOptions) {
        self.reconfigure(options, false);
    }

    /// [`Self::set_options`] where a new `persist_key` names the same list
    /// (the element's fallen-back key replaced by an `id` or `name` set
    /// after the fact): the files this widget uploaded and still lists
    /// move from the old key's stored list into the new one's.
    pub fn set_options_moving_uploads(&self, options: WidgetOptions) {
        self.reconfigure(options, true);
    }

    fn reconfigure(&self, options: WidgetOptions, move_uploads: bool) {
        let Some(old) = self.options.try_get_value() else {
            return;
        };
        let store_changed =
            old.persist != options.persist || old.persist_key != options.persist_key;
        if old.mode != options.mode || old.issue.trim() != options.issue.trim() {
            self.forget_attach_outcome();
        }

        if old.credentials.extra_headers != options.credentials.extra_headers {
            warn_refused_headers(&options.credentials);
        }
        if options.locale != old.locale || options.strings != old.strings {
            self.wording
                .try_set(wording(options.locale.as_ref(), options.strings.clone()));
        }
        let resumes_alike = old.resumes_parts_like(&options);
        self.queue.try_update(|q| {
            q.reconfigure(
                options.concurrency,
                options.restrictions.clone(),
                options.retry,
            );
            if !resumes_alike {
                q.forget_held();
            }
        });
        if store_changed {
            let stored = load_kept(options.persist, &storage_key(&options.persist_key));
            let mut kept = stored.clone();
            if move_uploads {
                self.list_homes.try_update_value(|homes| {
                    homes.moved(
                        &(old.persist, old.persist_key.clone()),
                        &(options.persist, options.persist_key.clone()),
                    );
                });
                // Their rows say "Uploaded": a page setting `id` or `name`
                // after the fact must not lose them, nor find them under
                // both keys.
                let own = self.own_uploads_kept();
                let old_key = storage_key(&old.persist_key);
                let mut left = load_kept(old.persist, &old_key);
                for attachment in &own {
                    left.remove(&attachment.id);
                }
                left.stamp_removals(js_sys::Date::now() as u64);
                save_kept(old.persist, &old_key, &left);
                for attachment in own {
                    kept.add(attachment);
                }
            }
            // Files added from now on are the new list's.
            let next = self.queue.try_with_untracked(UploadQueue::next_id);
            if let Some(next) = next {
                let shown = (options.persist, options.persist_key.clone());
                self.list_homes
                    .try_update_value(|homes| homes.show(next, shown));
            }
            self.options.try_set_value(options);
            self.agree_on(stored);
            self.kept.try_set(kept);
        } else {
            self.options.try_set_value(options);
        }
        self.options_revision.try_update(|r| *r += 1);
        // A switch of mode changes what the host's ids are (the kept ones,
        // or the finished uploads): told, unless they are the same.
        self.tell_attachments(self.attachments());
        self.pump();
        // A higher concurrency may free a slot for a waiting retry.
        self.wake_for_retries();
    }

    /// The stored list `id`'s file was added for, if that is not the one
    /// shown now: the page switched lists while it went out.
    fn list_elsewhere(&self, id: EntryId) -> Option<StoredList> {
        let home = self.list_homes.try_with_value(|h| h.home_of(id).clone())?;
        let shown = self
            .options
            .try_with_value(|o| (o.persist, o.persist_key.clone()))?;
        (home != shown).then_some(home)
    }

    /// The kept attachments this widget uploaded itself and still lists.
    fn own_uploads_kept(&self) -> Vec<Attachment> {
        let uploaded: HashSet<String> = self
            .queue
            .try_with_untracked(|q| q.done_attachments().into_iter().map(|a| a.id).collect())
            .unwrap_or_default();
        self.kept
            .try_with_untracked(|k| {
                k.items()
                    .iter()
                    .filter(|a| uploaded.contains(&a.id))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// With `persist: local`, another tab's change of the stored list
    /// becomes this widget's list too (the listener goes with the widget).
    fn follow_other_tabs(&self) {
        let this = *self;
        let listener = EventListener::on_window("storage", move |event| {
            let Some((persist, key)) = this
                .options
                .try_with_value(|o| (o.persist, storage_key(&o.persist_key)))
            else {
                return;
            };
            if persist != Persist::Local {
                return;
            }
            if is_kept_change(&event, &key) {
                // The list as stored now, not as the event has it: events
                // come late, and this tab may have stored a newer list
                // since. What this tab changed and has not stored yet (a
                // long list is stored at most once a second) stays changed.
                let theirs = load_kept(persist, &key);
                let Some(ours) = this.kept.try_get_untracked() else {
                    return;
                };
                let merged = this.merged_with(&ours, &theirs);
                // The stored list lacks what this tab has to tell (ids it
                // kept that the other tab's list, written from a read that
                // did not show them yet, left out; removals): stored again.
                let untold = merged != theirs;
                this.agree_on(theirs);
                if !merged.same_items(&ours) {
                    // Stored by the kept list's effect.
                    this.take_merged(merged, &ours);
                } else {
                    // Only removals of ids this tab does not have: kept
                    // to be told on, and nothing for the host.
                    this.take_removals(merged, &ours);
                    if untold {
                        this.store_and_follow();
                    }
                }
            }
        });
        // Owned by the widget's reactive owner: dropped, and so removed, with it.
        let _ = StoredValue::new_local(listener);
    }

    /// Whether news that came on its own waits out a moment to be told
    /// with more (`NewsMoment`); never once the widget is idle. For tests.
    #[doc(hidden)]
    pub fn news_waits_out_a_window(&self) -> bool {
        self.news_moment
            .try_with_value(NewsMoment::waits_out_a_window)
            .unwrap_or(false)
    }

    fn tell_busy(&self, busy: bool) {
        // What the last uploads' news gathered is heard now: a page may
        // act on the idle at once (submit, navigate).
        let now = js_sys::Date::now();
        if !busy && self.news_moment.try_update_value(|m| m.went_idle(now)) == Some(true) {
            self.end_news_moment();
        }
        let failed = self
            .queue
            .try_with_untracked(UploadQueue::failed_count)
            .unwrap_or(0);
        // With another tab's list: what it stored meanwhile, merged in
        // by the kept list's effect later, would be told after the idle.
        let local = self.options.try_with_value(|o| o.persist == Persist::Local);
        if !busy && local == Some(true) && self.keeps_attachments() {
            self.store_and_follow();
        }
        let attachments = self.attachments();
        let attachment_ids = attachments.iter().map(|a| a.id.clone()).collect();
        // The last change is told before the idle, which a page may act
        // on at once: the paced list may be a task or a second behind.
        if !busy {
            self.tell_attachments(attachments);
        }
        self.emit(WidgetEvent::BusyChange {
            busy,
            failed,
            attachment_ids,
        });
    }

    /// Tells the host `attachments` unless they are what it heard last.
    fn tell_attachments(&self, attachments: Vec<Attachment>) {
        let changed = self.told_attachments.try_update_value(|told| {
            let changed = *told != attachments;
            if changed {
                told.clone_from(&attachments);
            }
            changed
        });
        if changed == Some(true) {
            self.emit(WidgetEvent::AttachmentsChange(attachments));
        }
    }

    fn emit(&self, event: WidgetEvent) {
        // Cloned out first: a handler may call back into this controller.
        if let Some(Some(handler)) = self.options.try_with_value(|o| o.on_event.clone()) {
            handler.emit(&event);
        }
    }

    fn event_file(&self, id: EntryId, meta: &FileMeta) -> EventFile {
        EventFile {
            id,
            meta: meta.clone(),
        }
    }

    /// T8, or T9 when `comment` is not blank.
    async fn send_attach(
        &self,
        issue: &str,
        comment: &str,
        ids: &[String],
    ) -> Result<(), UploadError> {
        let Some(options) = self.options.try_get_value() else {
            return Err(UploadError::Cancelled);
        };
        let comment = comment.trim();
        let raw = send_authorized(
            &options.credentials,
            options.authorization.as_ref(),
            &|| true,
            |credentials| {
                let request = if comment.is_empty() {
                    attach_request(&options.api, issue, ids, &credentials, None)
                } else {
                    comment_request(&options.api, issue, comment, ids, &credentials)
                };
                let transport = &options.transport;
                async move { transport.json(&request, None).await }
            },
        )
        .await?;
        if comment.is_empty() {
            parse_attach(raw.status, &raw.body)
        } else {
            parse_comment(raw.status, &raw.body)
        }
    }

    /// The kept ids the server no longer knows (T11 answers 404).
    async fn gone_ids(&self, ids: &[String]) -> Vec<String> {
        let Some(options) = self.options.try_get_value() else {
            return Vec::new();
        };
        let mut gone = Vec::new();
        for id in ids {
            let answer = send_authorized(
                &options.credentials,
                options.authorization.as_ref(),
                &|| true,
                |credentials| {
                    let request = temporary_attachment_request(&options.api, id, &credentials);
                    let transport = &options.transport;
                    async move { transport.json(&request, None).await }
                },
            )
            .await;
            match answer {
                Ok(raw) if temporary_attachment_is_gone(raw.status) => gone.push(id.clone()),
                Ok(_) => {}
                // The provider failed: the rest would fail alike.
                Err(UploadError::Browser(_)) => break,
                Err(_) => {}
            }
        }
        gone
    }

    /// Lets `ids` go from the kept list, and their rows with them, as
    /// another tab's removal of them does ([`Self::take_merged`]).
    fn let_go_of_kept(&self, ids: &[String]) {
        let Some(ours) = self.kept.try_get_untracked() else {
            return;
        };
        let mut rest = ours.clone();
        for id in ids {
            rest.remove(id);
        }
        self.take_merged(rest, &ours);
    }

    /// Feeds the total bytes sent into the sliding window behind the speed
    /// and time-left figures. Progress events come only while bytes move,
    /// so while anything runs a sample is also taken every second: a stall
    /// brings the speed down instead of freezing the last figure. While
    /// nothing is sent (every file waits to retry) or nothing runs, the
    /// window starts afresh, or the next figures would span the idle time.
    fn measure_speed(&self) {
        let Some((sent, _)) = self.queue.try_with_untracked(|q| q.total_progress()) else {
            return;
        };
        if self
            .speed_ticking
            .try_update_value(|ticking| std::mem::replace(ticking, true))
            == Some(false)
        {
            let this = *self;
            spawn_local(async move {
                loop {
                    sleep(SPEED_SAMPLE_MS).await;
                    let summary = this.queue.try_with_untracked(|q| q.summary());
                    let Some(summary) = summary.filter(|s| s.running) else {
                        this.forget_speed();
                        this.speed_ticking.try_set_value(false);
                        break;
                    };
                    if summary.uploading {
                        // A file sent whole and waiting for its answer
                        // counts: the next file's bytes follow at once.
                        this.sample_speed();
                    } else {
                        // Every file waits (to retry, for a connection):
                        // the speed starts afresh when bytes move again,
                        // or its first figures would average in the wait.
                        this.forget_speed();
                    }
                }
            });
        }
        self.record_speed(sent);
    }

    /// No speed until bytes move again; the window starts afresh then.
    fn forget_speed(&self) {
        self.throughput.try_set_value(Throughput::default());
        self.speed.try_set(None);
    }

    /// One speed sample without a progress event.
    fn sample_speed(&self) {
        if let Some((sent, _)) = self.queue.try_with_untracked(|q| q.total_progress()) {
            self.record_speed(sent);
        }
    }

    fn record_speed(&self, sent: u64) {
        let now = js_sys::Date::now();
        let speed = self
            .throughput
            .try_update_value(|t| {
                t.record(now, sent);
                t.bytes_per_second()
            })
            .flatten();
        self.speed.try_set(speed);
    }

    fn stop_all(&self, take_back: bool) {
        if let Some(all) = self
            .aborts
            .try_with_value(|m| m.values().cloned().collect::<Vec<_>>())
        {
            for (_, stop) in all {
                match stop {
                    RunStop::Abort(controller) => controller.abort(),
                    RunStop::TakeBack(flag) => flag.set(flag.get() || take_back),
                }
            }
        }
        self.recount_take_backs();
        if let Some(Some(timer)) = self.retry_timer.try_update_value(Option::take) {
            timer.clear();
        }
    }

    /// Files added (or retried) while offline wait: said once per outage
    /// ([`OfflineNews`]). Files in line count, not a folder still being
    /// read: a slice of it the restrictions refused whole leaves nothing
    /// to wait.
    fn tell_offline_once(&self) {
        let Some((offline, waiting)) = self
            .queue
            .try_with_untracked(|q| (!q.is_online(), q.summary().running))
        else {
            return;
        };
        let news = self
            .offline_news
            .try_update_value(|n| n.files_waiting(offline, waiting))
            .flatten();
        if let Some(news) = news {
            self.announce(news);
        }
    }

    /// Tells `news` of the user's own doing with the rest of its moment.
    /// The region hears a moment once, when it ends: a drop's refusals,
    /// listed a slice per task, are one sentence with the drop, not one
    /// per slice.
    fn announce(&self, news: Announcement) {
        self.tell_news(news, Urgency::Now);
    }

    /// Tells news that came on its own (an upload settled): heard at once,
    /// unless such news was heard just now; then it waits a moment for
    /// more, so that many files finishing together are heard as a count.
    fn announce_settled(&self, news: Announcement) {
        self.tell_news(news, Urgency::MayWait);
    }

    fn tell_news(&self, news: Announcement, urgency: Urgency) {
        let Some(same_moment) = self.news_moment.try_with_value(NewsMoment::is_open) else {
            return;
        };
        self.news
            .try_update_value(|live| live.tell(news, same_moment));
        let end = self
            .news_moment
            .try_update_value(|m| m.told(urgency, js_sys::Date::now()));
        self.schedule_moment_end(end);
    }

    /// Sets going what `end` asks for.
    fn schedule_moment_end(&self, end: Option<MomentEnd>) {
        let this = *self;
        match end {
            // Runs once the code telling this news has run to its end.
            Some(MomentEnd::AfterThisTask) => spawn_local(async move { this.end_news_moment() }),
            Some(MomentEnd::AfterWindow { window, wait_ms }) => spawn_local(async move {
                sleep(wait_ms).await;
                let passed = this
                    .news_moment
                    .try_update_value(|m| m.window_passed(window));
                if passed == Some(true) {
                    this.end_news_moment();
                }
            }),
            Some(MomentEnd::AlreadySet) | None => {}
        }
    }

    /// Tells the live region what a bulk button did, as its first news:
    /// the rows a screen-reader user acted on change or go out of hearing,
    /// and the button itself may go.
    pub fn announce_bulk(&self, news: Announcement) {
        if matches!(news, Announcement::Retrying(0) | Announcement::Removed(0)) {
            return;
        }
        self.announce(news);
    }

    /// Ends the moment and lets the live region read it, unless files are
    /// still being listed or their refusals told: the end of those calls
    /// this again.
    fn end_news_moment(&self) {
        let listing = self.intake.try_with_value(Intake::is_draining) == Some(true)
            || self.refusals_untold.try_get_value().is_some_and(|n| n > 0);
        let now = js_sys::Date::now();
        if listing || self.news_moment.try_update_value(|m| m.end(now)) != Some(true) {
            return;
        }
        // A moment held for a folder that added nothing has nothing to say.
        let Some(news) = self.news.try_get_value().filter(|n| !n.items.is_empty()) else {
            return;
        };
        self.show_news(news);
    }

    /// Shows `news` in the live region, unless news was shown so lately
    /// that the page may not have been drawn since: replaced at once, it
    /// would never be heard. Then it is shown a timer task later, with any
    /// more that ends meanwhile.
    fn show_news(&self, news: LiveNews) {
        if self.news_shown_lately.try_get_value() == Some(true) {
            self.news_to_show.try_update_value(|waiting| match waiting {
                Some(waiting) => waiting.take_in(news),
                None => *waiting = Some(news),
            });
            return;
        }
        self.announcement.try_set(news);
        self.news_shown_lately.try_set_value(true);
        let this = *self;
        spawn_local(async move {
            sleep(0).await;
            this.news_shown_lately.try_set_value(false);
            if let Some(Some(next)) = this.news_to_show.try_update_value(Option::take) {
                this.show_news(next);
            }
        });
    }

    /// Copies the queue's state of `ids` into their row signals; a row whose
    /// state did not change is not touched.
    fn sync_rows(&self, ids: &[EntryId]) {
        for id in ids {
            let state = self
                .queue
                .try_with_untracked(|q| q.get(*id).map(|e| e.state.clone()))
                .flatten();
            let row = self
                .rows
                .try_with_value(|rows| rows.get(id).cloned())
                .flatten();
            if let (Some(state), Some(row)) = (state, row) {
                if row.try_with_untracked(|current| *current != state) == Some(true) {
                    row.try_set(state);
                }
            }
        }
    }

    /// Starts every request the queue lets start: one file each, or a
    /// batch of small files in a batching Jira.
    fn pump(&self) {
        let limit = self
            .options
            .try_with_value(|o| batch_limit(&backend_settings(o)))
            .unwrap_or(BatchLimit::SINGLE);
        // Notifies only when something started: the retry timer pumps too.
        // Each file with the run it was started on, read in the same update:
        // a file cancelled (or cancelled and retried) before its request
        // goes out must not be sent on a stale start.
        let started = self
            .queue
            .try_maybe_update(|q| {
                let started: Vec<Vec<(EntryId, u64)>> = q
                    .start_batches(js_sys::Date::now(), limit)
                    .into_iter()
                    .map(|batch| {
                        batch
                            .into_iter()
                            .filter_map(|id| q.run_of(id).map(|run| (id, run)))
                            .collect()
                    })
                    .collect();
                (!started.is_empty(), started)
            })
            .unwrap_or_default();
        for batch in started {
            let ids: Vec<EntryId> = batch.iter().map(|(id, _)| *id).collect();
            self.sync_rows(&ids);
            let this = *self;
            spawn_local(async move { this.run(batch).await });
        }
    }

    /// Sends one request carrying `started` (one file, or a batch, each with
    /// the run it was started on) and records each file's outcome.
    async fn run(self, started: Vec<(EntryId, u64)>) {
        // Shared with the rows it finishes, whose deletion goes where the
        // file went.
        let Some(options) = self.options.try_get_value().map(Rc::new) else {
            return;
        };
        // Each file with its handle, its run and what the queue knows of it
        // (the path inside a dropped folder); a lost handle fails that file.
        let mut files: Vec<(EntryId, File, u64, FileMeta)> = Vec::with_capacity(started.len());
        for (id, run) in started {
            let meta = self
                .queue
                .try_with_untracked(|q| {
                    q.is_current(id, run)
                        .then(|| q.get(id).map(|e| e.file.clone()))
                        .flatten()
                })
                .flatten();
            let Some(meta) = meta else {
                continue;
            };
            match self.files.try_with_value(|m| m.get(&id).cloned()).flatten() {
                Some(file) => files.push((id, file, run, meta)),
                None => self.fail_before_sending(
                    id,
                    &meta,
                    UploadError::Browser("file handle lost".into()),
                ),
            }
        }
        // The options may have changed since the queue started the batch
        // (batching turned off, another mode): the files over the limit go
        // back in line.
        let limit = batch_limit(&backend_settings(&options)).files.max(1);
        if files.len() > limit {
            for (id, _, _, _) in files.drain(limit..) {
                let _ = self.queue.try_update(|q| q.requeue(id));
                self.sync_rows(&[id]);
            }
            // They start now, under the concurrency limit, rather than when
            // this request ends.
            self.pump();
        }
        if files.is_empty() {
            return;
        }
        if options.mode.needs_issue() && !usable_issue_key(&options.issue) {
            // Refused before a byte goes out: without an issue key the
            // request would only meet a 404 after the whole body.
            let error = UploadError::NeedsIssue {
                mode: options.mode.as_str().to_owned(),
            };
            for (id, _, _, meta) in &files {
                self.fail_before_sending(*id, meta, error.clone());
            }
            return;
        }
        // One abort for the request: cancelling any of its files stops it.
        let abort = AbortController::new().ok();
        self.arm_abort(&files, abort.as_ref());
        let signal = abort.as_ref().map(|a| a.signal());
        // Once every byte is out, the server decides: it attaches what it
        // received whether or not anyone still waits for its answer.
        let decided_when_sent = files.len() > 1 || options.mode.needs_issue();
        let take_back: Vec<Rc<Cell<bool>>> = files.iter().map(|_| Rc::default()).collect();
        let show_next = Rc::new(Cell::new(false));
        let on_progress = self.progress_reporter(
            &files,
            decided_when_sent.then_some(take_back.as_slice()),
            show_next.clone(),
        );

        let metas: Vec<&FileMeta> = files.iter().map(|(_, _, _, meta)| meta).collect();
        // Files whose attachment was found by name, size and time after a
        // lost answer: likely theirs, but never taken back on that guess.
        let mut guessed = vec![false; files.len()];
        let (outcomes, retry_after_ms) = match options.mode {
            Mode::Flow => {
                // Parts retry themselves, one by one; the queue sees the file.
                let (id, file, run, meta) = &files[0];
                let (id, run) = (*id, *run);
                // The run starts from the bytes the server held (`hold`).
                let (shown_from, epoch) = self
                    .queue
                    .try_with_untracked(|q| (q.get(id).map_or(0, |e| e.held), q.held_epoch()))
                    .unwrap_or_default();
                let chunk = bounded_chunk_size(options.chunk_size, meta.size);
                let backend = FlowBackend::new(&options.api, chunk);
                let uploader = PartUploader {
                    backend: &backend,
                    credentials: &options.credentials,
                    provider: options.authorization.as_ref(),
                    policy: &options.retry,
                    transport: options.transport.as_ref(),
                    // The report of a skipped part is shown at once, so the
                    // total sent and the speed's samples move together.
                    on_skipped: &|bytes| {
                        self.throughput.try_update_value(|t| t.skip(bytes));
                        show_next.set(true);
                    },
                    // Untracked: an uploading file shows its run's count,
                    // not the bytes held, so nothing on screen changes.
                    on_confirmed: &|bytes| {
                        self.queue.try_update_untracked(|q| {
                            if q.is_current(id, run) {
                                q.hold(id, bytes, epoch);
                            }
                        });
                    },
                    shown_from,
                };
                let outcome =
                    upload_in_parts(&uploader, file, meta, signal.as_ref(), on_progress).await;
                (vec![outcome.map_err(|e| (e, true))], None)
            }
            _ => {
                // Whether the whole body went out: an answer lost after that
                // may hide a file the server attached (`AnswerLost`).
                let body_out = Rc::new(Cell::new(false));
                let on_progress: Rc<dyn Fn(u64, u64)> = {
                    let body_out = body_out.clone();
                    Rc::new(move |loaded, total| {
                        body_out.set(body_out.get() || (total > 0 && loaded >= total));
                        on_progress(loaded, total);
                    })
                };
                let backend = single_request_backend(&backend_settings(&options), files[0].0 .0);
                let sent_at = js_sys::Date::now();
                let blobs: Vec<web_sys::Blob> = files
                    .iter()
                    .map(|(_, file, _, _)| file.clone().into())
                    .collect();
                // Asked per attempt: a retry after a token refresh sends the
                // new one, and a refused token is refreshed and sent again.
                // After a 401 the body goes again only while nobody has
                // cancelled it (a cancel once it was out in full only set
                // the file's flag) and the widget is there; and it can be
                // stopped again while it goes.
                let still_wanted = || {
                    !signal.as_ref().is_some_and(web_sys::AbortSignal::aborted)
                        && take_back.iter().all(|flag| !flag.get())
                        && files.iter().all(|(id, _, run, _)| {
                            self.queue
                                .try_with_untracked(|q| q.is_current(*id, *run))
                                .unwrap_or(false)
                        })
                };
                let sent = send_authorized(
                    &options.credentials,
                    options.authorization.as_ref(),
                    &still_wanted,
                    |credentials| {
                        let request = backend.upload_request(&metas, &credentials);
                        let (blobs, signal, on_progress) =
                            (&blobs, signal.as_ref(), on_progress.clone());
                        let transport = &options.transport;
                        if body_out.replace(false) {
                            self.arm_abort(&files, abort.as_ref());
                        }
                        async move {
                            // XHR, not fetch: the only way to show bytes as they go out.
                            transport.upload(&request, blobs, signal, on_progress).await
                        }
                    },
                )
                .await;
                let (mut outcomes, retry_after) = match sent {
                    Ok(raw) => {
                        let now = js_sys::Date::now() as u64;
                        let mut outcomes: Vec<_> = backend
                            .parse_upload(&metas, raw.status, &raw.body)
                            .into_iter()
                            .map(|outcome| outcome.map_err(|e| (e, false)))
                            .collect();
                        // The backend answers for every file; a short list
                        // must not leave a file uploading forever.
                        outcomes.resize_with(files.len(), || {
                            Err((
                                UploadError::InvalidResponse("no answer for the file".into()),
                                false,
                            ))
                        });
                        let retry_after = raw
                            .retry_after
                            .as_deref()
                            .and_then(|v| parse_retry_after(v, now));
                        (outcomes, retry_after)
                    }
                    Err(error) => (vec![Err((error, false)); files.len()], None),
                };
                // The whole file went onto an issue and the answer was lost:
                // sent again blindly, it would be attached twice whenever the
                // server had taken it. The issue tells, read after a moment
                // (a server may still be storing a large file): there, the
                // file is done; missing, it goes again; there but of unknown
                // age, the issue unreadable, or not worth reading
                // (`can_be_looked_up`), the user checks before retrying.
                let unknown: Vec<usize> = (0..outcomes.len())
                    .filter(
                        |&i| matches!(&outcomes[i], Err((error, _)) if may_be_on_the_issue(error)),
                    )
                    .collect();
                if body_out.get() && options.mode.needs_issue() && !unknown.is_empty() {
                    let lookable = unknown
                        .iter()
                        .any(|&i| matches!(&outcomes[i], Err((e, _)) if can_be_looked_up(e)));
                    let mut listing = None;
                    if lookable {
                        sleep(
                            options
                                .retry
                                .base_ms
                                .saturating_mul(4)
                                .min(options.retry.cap_ms),
                        )
                        .await;
                        // Wanted while the widget is there and any file of
                        // the request still runs or was cancelled after its
                        // last byte (to be taken back, or told to be there):
                        // one cancel in a batch does not leave its partners
                        // unlooked-for. A clear sets every file's flag;
                        // only the widget's removal ends the look-up.
                        let look_up_wanted = || {
                            self.queue.try_with_untracked(|_| ()).is_some()
                                && files.iter().zip(&take_back).any(|((id, _, run, _), flag)| {
                                    flag.get()
                                        || self
                                            .queue
                                            .try_with_untracked(|q| q.is_current(*id, *run))
                                            .unwrap_or(false)
                                })
                        };
                        listing = self
                            .look_up_issue(backend.as_ref(), &options, &look_up_wanted)
                            .await;
                    }
                    for i in unknown {
                        let Err((error, _)) = &mut outcomes[i] else {
                            continue;
                        };
                        let verdict = match listing.as_mut() {
                            Some(listing) if can_be_looked_up(error) => {
                                find_lost_upload(listing, metas[i], sent_at)
                            }
                            _ => LostUpload::Unsure,
                        };
                        match verdict {
                            LostUpload::Found(attachment) => {
                                outcomes[i] = Ok(attachment);
                                guessed[i] = true;
                            }
                            LostUpload::NotThere => {}
                            LostUpload::Unsure => {
                                *error = answer_lost(error.clone());
                            }
                        }
                    }
                }
                (outcomes, retry_after)
            }
        };
        // Jira refuses a whole request with 413 for the one file of it too
        // large, and the browser fails it for the one file it no longer
        // reads: each file goes again, alone, to be answered for itself.
        let refused_whole = files.len() > 1
            && outcomes.iter().all(|outcome| {
                matches!(
                    outcome,
                    Err((
                        UploadError::Http { status: 413, .. } | UploadError::FileChanged,
                        _
                    ))
                )
            });
        if refused_whole {
            for (id, _, run, _) in &files {
                self.aborts.try_update_value(|m| {
                    if m.get(id).is_some_and(|(r, _)| r == run) {
                        m.remove(id);
                    }
                });
                let _ = self.queue.try_update(|q| {
                    if q.is_current(*id, *run) {
                        let _ = q.requeue_alone(*id);
                    }
                });
            }
            self.recount_take_backs();
            let ids: Vec<EntryId> = files.iter().map(|(id, ..)| *id).collect();
            self.sync_rows(&ids);
            self.pump();
            return;
        }
        // A stopped batch whose files are all still current was not stopped
        // by a partner's cancel (a browser abort, a custom transport): its
        // outcome is recorded, not sent again forever.
        let partner_cancelled = files.len() > 1
            && files.iter().any(|(id, _, run, _)| {
                !self
                    .queue
                    .try_with_untracked(|q| q.is_current(*id, *run))
                    .unwrap_or(false)
            });
        // One draw for the request: its files' retries come due together and
        // go out as one batch again, not as sixty single requests.
        let jitter = js_sys::Math::random();
        // And one moment: recording sixty answers takes milliseconds, and
        // a retry due a millisecond later than its partner's misses the
        // batch that partner starts.
        let answered_at = js_sys::Date::now();
        for (index, (((id, _, run, meta), outcome), flag)) in
            files.iter().zip(outcomes).zip(&take_back).enumerate()
        {
            self.aborts.try_update_value(|m| {
                if m.get(id).is_some_and(|(r, _)| r == run) {
                    m.remove(id);
                }
            });
            let owns_attachment = !guessed[index]
                && outcome
                    .as_ref()
                    .is_ok_and(|attachment| surely_owns(&metas, index, attachment));
            let answer = Answer {
                outcome,
                retry_after_ms,
                jitter,
                answered_at,
                requeue_if_cancelled: partner_cancelled,
                cancelled_after_sent: flag.get(),
                owns_attachment,
            };
            self.settle(*id, *run, meta, answer, &options);
        }
        // After `settle` began any take-back: the widget stays busy.
        self.recount_take_backs();
        self.pump();
        self.wake_for_retries();
    }

    /// Lets a cancel of any of `files` stop their request through `abort`.
    fn arm_abort(&self, files: &[(EntryId, File, u64, FileMeta)], abort: Option<&AbortController>) {
        if let Some(abort) = abort {
            self.aborts.try_update_value(|m| {
                for (id, _, run, _) in files {
                    m.insert(*id, (*run, RunStop::Abort(abort.clone())));
                }
            });
        }
    }

    /// Shows each file's share of the request's bytes (`file_shares`), at
    /// most every 200 ms (`ProgressPace`) and always for the last byte.
    /// With `take_back` (one flag per file), a cancel after the last byte
    /// no longer stops the request but sets the file's flag (see `settle`).
    /// `show_next` set shows the next report whatever the pace.
    fn progress_reporter(
        &self,
        files: &[(EntryId, File, u64, FileMeta)],
        take_back: Option<&[Rc<Cell<bool>>]>,
        show_next: Rc<Cell<bool>>,
    ) -> Rc<dyn Fn(u64, u64)> {
        let take_back: Option<Vec<Rc<Cell<bool>>>> = take_back.map(<[_]>::to_vec);
        let files: Vec<(EntryId, u64, FileMeta)> = files
            .iter()
            .map(|(id, _, run, meta)| (*id, *run, meta.clone()))
            .collect();
        let sizes: Vec<u64> = files.iter().map(|(_, _, meta)| meta.size).collect();
        let size: u64 = sizes.iter().sum();
        let pace = Cell::new(ProgressPace::default());
        // What each file last showed: a file already sent in full is not
        // told again on every later report of its batch.
        let shown_bytes: Vec<Cell<Option<u64>>> = files.iter().map(|_| Cell::new(None)).collect();
        let this = *self;
        Rc::new(move |loaded: u64, total: u64| {
            if let Some(flags) = take_back.as_ref().filter(|_| total > 0 && loaded >= total) {
                // The whole body is out; the server decides now. Cancelling
                // from here on takes back what the file's answer attached
                // instead of stopping the request: stopping would send a
                // batch's partners a second time, and leave a lone file
                // attached or not by a race with the server.
                this.aborts.try_update_value(|m| {
                    for ((id, run, _), flag) in files.iter().zip(flags) {
                        if let Some((_, stop)) = m.get_mut(id).filter(|(r, _)| r == run) {
                            *stop = RunStop::TakeBack(flag.clone());
                        }
                    }
                });
            }
            let shares = file_shares(loaded, total, &sizes);
            let sent: u64 = shares.iter().sum();
            let mut due = pace.get();
            let shown = due.show(js_sys::Date::now(), sent, size) | show_next.replace(false);
            pace.set(due);
            if !shown {
                return;
            }
            for (((id, run, meta), shown), own) in files.iter().zip(&shown_bytes).zip(shares) {
                if shown.replace(Some(own)) == Some(own) {
                    continue;
                }
                let current = this
                    .queue
                    .try_with_untracked(|q| q.is_current(*id, *run))
                    .unwrap_or(false);
                if !current {
                    continue;
                }
                let _ = this.queue.try_update(|q| q.progress(*id, own, meta.size));
                this.sync_rows(&[*id]);
                this.emit(WidgetEvent::UploadProgress {
                    file: this.event_file(*id, meta),
                    loaded: own,
                    total: meta.size,
                });
            }
            this.measure_speed();
        })
    }

    /// Records one file's outcome: done, failed, waiting to retry, or (a
    /// batch partner of a cancelled file) back in line.
    fn settle(
        self,
        id: EntryId,
        run: u64,
        meta: &FileMeta,
        answer: Answer,
        options: &Rc<WidgetOptions>,
    ) {
        let Answer {
            outcome,
            retry_after_ms,
            jitter,
            answered_at,
            requeue_if_cancelled,
            cancelled_after_sent,
            owns_attachment,
        } = answer;
        // A cancelled run, or one retried meanwhile: its answer is stale.
        // What it attached all the same is taken back, or the issue would
        // keep a file its row calls cancelled (or hold it twice). A widget
        // removed meanwhile sends nothing more, except to take back a file
        // the user cancelled before that.
        let current = self.queue.try_with_untracked(|q| q.is_current(id, run));
        if current != Some(true) {
            let take_back = current == Some(false) || cancelled_after_sent;
            match (take_back, outcome) {
                (true, Ok(attachment)) if owns_attachment => {
                    self.withdraw(id, meta, attachment, options);
                }
                (true, Ok(_)) => self.left_attached_after_cancel(id, meta, None),
                // Sent whole, then no answer, and the issue did not say:
                // the file may be there although its row says cancelled.
                (true, Err((lost @ UploadError::AnswerLost(_), _))) => {
                    self.told_after_cancel(id, meta, lost);
                }
                _ => {}
            }
            return;
        }
        if requeue_if_cancelled && matches!(outcome, Err((UploadError::Cancelled, _))) {
            // Still uploading after its request was stopped: another file of
            // the batch was cancelled, not this one. It goes again.
            let _ = self.queue.try_update(|q| q.requeue(id));
            self.sync_rows(&[id]);
            return;
        }

        // A request that failed as the browser went offline: the `offline`
        // event may come after the request's error, and the queue must know
        // before it settles the file.
        if matches!(&outcome, Err((error, _)) if error.waits_for_network()) && !is_online() {
            self.set_online(false);
        }
        // Deletable only where the answer surely named this file's own
        // attachment: one found on the issue by name, size and time after
        // a lost answer may be a colleague's copy (as a late cancel does
        // not take it back either).
        if outcome.is_ok() && owns_attachment && options.mode.deletes_from_issue() {
            self.uploaded_with
                .try_update_value(|m| m.insert(id, options.clone()));
        }
        // Part uploads have already used their retries: record those as
        // final, unless the file waits for the connection.
        let recorded = self
            .queue
            .try_update(|q| match outcome.clone() {
                Err((error, true)) if !q.holds_for_network(&error) => q.finish(id, Err(error)),
                other => q.finish_at(
                    id,
                    other.map_err(|(e, _)| e),
                    answered_at,
                    retry_after_ms,
                    jitter,
                ),
            })
            .is_some_and(|r| r.is_ok());
        self.sync_rows(&[id]);
        // Waiting to retry, or back in line for the connection: not over.
        let waiting = self
            .queue
            .try_with_untracked(|q| {
                matches!(
                    q.get(id).map(|e| &e.state),
                    Some(EntryState::Retrying { .. } | EntryState::Queued)
                )
            })
            .unwrap_or(false);
        if !recorded || waiting {
            return;
        }
        match &outcome {
            Ok(attachment) => {
                self.announce_settled(Announcement::Uploaded {
                    name: meta.name.clone(),
                });
                self.files.try_update_value(|m| m.remove(&id));
                if options.mode.keeps_attachments() {
                    self.kept_here.try_set_value(true);
                    self.kept_rows.try_update_value(|rows| rows.insert(id));
                    match self.list_elsewhere(id) {
                        // The page switched lists (another issue's) while
                        // the file went out: it belongs to the list it was
                        // dropped for, not to the one shown now. A list
                        // kept nowhere went with the switch.
                        Some((Persist::None, _)) => {}
                        Some((persist, key)) => {
                            let key = storage_key(&key);
                            let mut list = load_kept(persist, &key);
                            list.add(attachment.clone());
                            save_kept(persist, &key, &list);
                        }
                        // The kept list's effect tells the host.
                        None => {
                            self.kept.try_update(|k| k.add(attachment.clone()));
                            self.forget_attach_outcome();
                        }
                    }
                } else {
                    self.done_changed();
                }
                // After the file is in `attachmentIds`: a listener reads
                // them, or clears or unmounts the widget, from here.
                self.emit(WidgetEvent::UploadSuccess {
                    file: self.event_file(id, meta),
                    attachment: attachment.clone(),
                });
                if let Some(url) = attachment
                    .thumbnail
                    .clone()
                    .filter(|url| same_origin_as_api(url, &options.api))
                {
                    let (credentials, provider) = self.credentials_for_api_of(options);
                    let mode = options.mode;
                    spawn_local(async move {
                        let credentials = fresh_credentials(&credentials, provider.as_ref()).await;
                        if let Ok(credentials) = credentials {
                            let headers = ThumbnailHeaders {
                                all: credentials.headers_for(mode),
                                api: credentials.api_headers_for(mode),
                            };
                            let cookies = credentials.send_cookies;
                            self.show_thumbnail(id, url, headers, cookies).await;
                        }
                    });
                }
            }
            Err((UploadError::Cancelled, _)) => {}
            Err((error, _)) => {
                self.tell_failure(id, meta, error.clone(), Urgency::MayWait);
            }
        }
    }

    /// The credentials for a later request to the API a run's `options`
    /// spoke to: the widget's current ones while it still talks to that
    /// API (a token replaced since the upload is the one that works), else
    /// the run's, so that a new API's token never goes to the old one.
    fn credentials_for_api_of(
        &self,
        options: &WidgetOptions,
    ) -> (Credentials, Option<AuthorizationProvider>) {
        self.options
            .try_with_value(|now| {
                (now.api == options.api)
                    .then(|| (now.credentials.clone(), now.authorization.clone()))
            })
            .flatten()
            .unwrap_or_else(|| (options.credentials.clone(), options.authorization.clone()))
    }

    /// Takes `attachment` off the issue the run's `options` uploaded it to
    /// (J6, T6), best effort: a failure is told as the file left attached.
    fn withdraw(
        self,
        id: EntryId,
        meta: &FileMeta,
        attachment: Attachment,
        options: &WidgetOptions,
    ) {
        let Some(deletion) = self.deletion(attachment, options) else {
            return;
        };
        let meta = meta.clone();
        self.withdrawing.try_update(|n| *n += 1);
        spawn_local(async move {
            if let Err(failure) = deletion.await {
                self.left_attached_after_cancel(id, &meta, Some(failure));
            }
            self.withdrawing.try_update(|n| *n = n.saturating_sub(1));
        });
    }

    /// Counts the files cancelled after they were sent whose request still
    /// runs ([`Self::taking_back`]'s first part), as cancels set their flag
    /// and answers take them out.
    fn recount_take_backs(&self) {
        let Some(count) = self.aborts.try_with_value(|m| {
            m.values()
                .filter(|(_, stop)| matches!(stop, RunStop::TakeBack(flag) if flag.get()))
                .count()
        }) else {
            return;
        };
        self.taking_back.try_maybe_update(|n| {
            let changed = *n != count;
            *n = count;
            (changed, ())
        });
    }

    /// The deletion of `attachment` (J6, T6) from the issue the run's
    /// `options` uploaded it to, for a cancel that came too late and for
    /// the user's "Delete from issue"; `None` where that mode attaches
    /// nothing lasting. The credentials are the widget's current ones
    /// while it still talks to the same API (a token replaced since the
    /// upload is the one that works), else the run's. The future holds no
    /// part of the widget: it runs to its end if the widget goes.
    fn deletion(
        self,
        attachment: Attachment,
        options: &WidgetOptions,
    ) -> Option<impl std::future::Future<Output = Result<(), UploadError>> + 'static> {
        let backend = single_request_backend(&backend_settings(options), 0);
        // Modes that attach nothing lasting ask no one for a token.
        backend.withdraw_request(&attachment, &options.credentials)?;
        let (credentials, provider) = self.credentials_for_api_of(options);
        let transport = options.transport.clone();
        Some(async move {
            let raw = send_authorized(&credentials, provider.as_ref(), &|| true, |credentials| {
                let request = backend.withdraw_request(&attachment, &credentials);
                let transport = &transport;
                async move {
                    match request {
                        Some(request) => transport.json(&request, None).await,
                        None => Err(UploadError::Browser("no deletion for this mode".into())),
                    }
                }
            })
            .await?;
            deletion_outcome(raw.status, &raw.body)
        })
    }

    /// A file cancelled after the server had it stays attached: `reason` is
    /// why deleting it failed, `None` when the answer did not tell which
    /// attachment was the file's. Told on the console always (the widget
    /// may be gone), and, while the widget lives, on the row if it is still
    /// the cancelled one (a retried row shows its new run), in the live
    /// region and to the host as `upload-error`.
    fn left_attached_after_cancel(self, id: EntryId, meta: &FileMeta, reason: Option<UploadError>) {
        let error = UploadError::NotTakenBack {
            reason: reason.map(Box::new),
        };
        self.told_after_cancel(id, meta, error);
    }

    /// What became of a file after its cancel, when it is or may be on the
    /// issue: on the console always, and on the row, in the live region and
    /// to the host as for [`Self::left_attached_after_cancel`].
    fn told_after_cancel(self, id: EntryId, meta: &FileMeta, error: UploadError) {
        crate::web::console::warn(&format!("tracker-attachments: {}: {error}", meta.name));
        let cancelled = self.queue.try_with_untracked(|q| {
            matches!(q.get(id).map(|e| &e.state), Some(EntryState::Cancelled))
        });
        if cancelled == Some(true) {
            self.left_attached
                .try_update(|m| m.insert(id, error.clone()));
            // Counted by the restrictions again: the same file dropped
            // again would be a second copy on the issue.
            self.queue
                .try_update_untracked(|q| q.mark_left_on_server(id));
        }
        self.tell_failure(id, meta, error, Urgency::MayWait);
    }

    /// A file's failure, read out in the live region (a refusal at once,
    /// an upload's failure with others of its moment) and sent to the host
    /// as `upload-error`.
    fn tell_failure(&self, id: EntryId, meta: &FileMeta, error: UploadError, urgency: Urgency) {
        self.tell_news(
            Announcement::Failed {
                name: meta.name.clone(),
                error: error.clone(),
            },
            urgency,
        );
        self.emit(WidgetEvent::UploadError {
            file: self.event_file(id, meta),
            error,
        });
    }

    fn fail_before_sending(&self, id: EntryId, meta: &FileMeta, error: UploadError) {
        let _ = self.queue.try_update(|q| q.finish(id, Err(error.clone())));
        self.sync_rows(&[id]);
        self.tell_failure(id, meta, error, Urgency::MayWait);
        self.pump();
    }

    /// Sets a timer for the earliest waiting retry; pumping is idempotent, so
    /// an extra timer costs nothing.
    fn wake_for_retries(&self) {
        if let Some(Some(timer)) = self.retry_timer.try_update_value(Option::take) {
            timer.clear();
        }
        let Some(at) = self
            .queue
            .try_with_untracked(|q| q.next_wake_at())
            .flatten()
        else {
            return;
        };
        // setTimeout takes an i32 of milliseconds; longer waits would throw.
        let wait = (at - js_sys::Date::now()).clamp(0.0, f64::from(i32::MAX)) as u64;
        let this = *self;
        let timer = set_timeout_with_handle(
            move || {
                this.retry_timer.try_update_value(|t| *t = None);
                this.pump();
                this.wake_for_retries();
            },
            std::time::Duration::from_millis(wait),
        )
        .ok();
        self.retry_timer.try_update_value(|t| *t = timer);
    }

    async fn show_thumbnail(
        self,
        id: EntryId,
        url: String,
        headers: ThumbnailHeaders,
        with_credentials: bool,
    ) {
        // A missing thumbnail is cosmetic: the row keeps its type icon.
        if let Ok(object_url) = fetch_thumbnail(&url, &headers, with_credentials).await {
            let still_there = self
                .queue
                .try_with_untracked(|q| {
                    matches!(q.get(id).map(|e| &e.state), Some(EntryState::Done { .. }))
                })
                .unwrap_or(false);
            if still_there {
                self.thumbnails
                    .try_update(|m| m.insert(id, Rc::new(object_url)));
                // The server's rendering replaces the local one; free it.
                self.previews.try_update(|m| m.remove(&id));
            }
        }
    }
}

impl Controller {
    /// What the issue holds now, read for a lost answer: again while the
    /// failures are transient, and once the browser is back when it went
    /// offline (`look_up_again`); `None` when the issue cannot be read, or
    /// the look-up is no longer `still_wanted` (the widget gone, or no
    /// file of the request left to settle) while it waits. Each read takes the widget's
    /// credentials of the moment: a wait for the connection may outlast
    /// the token the upload went with.
    async fn look_up_issue(
        self,
        backend: &dyn UploadBackend,
        options: &WidgetOptions,
        still_wanted: &dyn Fn() -> bool,
    ) -> Option<Vec<Attachment>> {
        let mut failures = 0;
        loop {
            let (credentials, provider) = self.credentials_for_api_of(options);
            let error = match list_issue(backend, &credentials, provider.as_ref(), options).await {
                Ok(listing) => return Some(listing),
                Err(error) => error,
            };
            failures += 1;
            let next = look_up_again(
                &options.retry,
                failures,
                &error,
                is_online(),
                js_sys::Math::random(),
            );
            match next {
                LookUpAgain::In(wait) => sleep(wait).await,
                LookUpAgain::WhenOnline => {
                    // Polled, not an `online` listener: the widget's
                    // removal ends the wait within a second, and the
                    // file's row holds its slot anyway.
                    while !is_online() {
                        sleep(ONLINE_POLL_MS).await;
                        if !still_wanted() {
                            return None;
                        }
                    }
                    // Tries before the drop say nothing of the connection back.
                    failures = 0;
                }
                LookUpAgain::GiveUp => return None,
            }
            if !still_wanted() {
                return None;
            }
        }
    }
}

/// What the issue of `backend` holds now (T3, or Jira's issue).
async fn list_issue(
    backend: &dyn UploadBackend,
    credentials: &Credentials,
    provider: Option<&AuthorizationProvider>,
    options: &WidgetOptions,
) -> Result<Vec<Attachment>, UploadError> {
    let raw = send_authorized(credentials, provider, &|| true, |credentials| {
        let request = backend.listing_request(&credentials);
        let transport = &options.transport;
        async move {
            let request =
                request.ok_or_else(|| UploadError::Browser("no listing for this mode".into()))?;
            // Right after a broken connection: not waited for without end.
            let timeout = web_sys::AbortSignal::timeout_with_u32(30_000);
            transport.json(&request, Some(&timeout)).await
        }
    })
    .await?;
    backend.parse_listing(raw.status, &raw.body)
}

/// What a request brought back for one of its files.
struct Answer {
    /// The file's result; `true` with an error when the part uploader has
    /// already spent the retries.
    outcome: Result<Attachment, (UploadError, bool)>,
    retry_after_ms: Option<u64>,
    /// The request's one random draw for retry jitter.
    jitter: f64,
    /// When the request's answer came (`Date.now()`), the same for all
    /// its files.
    answered_at: f64,
    /// A partner in the batch was cancelled: a `Cancelled` here means go again.
    requeue_if_cancelled: bool,
    /// The file was cancelled after its request was out in full.
    cancelled_after_sent: bool,
    /// The attachment in `outcome` is surely this file's ([`surely_owns`]).
    owns_attachment: bool,
}

/// Drops the rows of `gone` from a map of rows, leaving a map none of them
/// is in untouched: every row drawn watches it, and a change wakes them all.
fn forget_rows<V, M>(map: M, gone: &HashSet<EntryId>)
where
    M: WithUntracked<Value = HashMap<EntryId, V>> + Update<Value = HashMap<EntryId, V>>,
{
    if map.try_with_untracked(|m| m.keys().any(|id| gone.contains(id))) == Some(true) {
        map.try_update(|m| m.retain(|id, _| !gone.contains(id)));
    }
}

/// Bumps `revision` now or after a wait, as `pacer` ([`KeptSettle`]) says
/// for a list of `len` items.
fn catch_up(pacer: StoredValue<KeptSettle>, revision: RwSignal<u64>, len: usize) {
    let now = js_sys::Date::now();
    let Some(settle) = pacer.try_update_value(|s| s.changed(now, len)) else {
        return;
    };
    match settle {
        Settle::Now => {
            revision.try_update(|r| *r += 1);
        }
        Settle::After(wait) => {
            set_timeout(
                move || {
                    let now = js_sys::Date::now();
                    if pacer.try_update_value(|s| s.caught_up(now)).is_some() {
                        revision.try_update(|r| *r += 1);
                    }
                },
                // setTimeout takes an i32 of milliseconds (leptos throws
                // past it); `KeptSettle` waits a second at most anyway.
                std::time::Duration::from_millis(wait.ceil().clamp(0.0, f64::from(i32::MAX)) as u64),
            );
        }
        Settle::Pending => {}
    }
}

/// Names each of the page's headers that will not be sent, and why; never
/// a value, which may be a secret. Uploads go on without them. Headers
/// sent that are more than servers commonly take are told too.
fn warn_refused_headers(credentials: &Credentials) {
    for (name, refusal) in credentials.refused_headers() {
        crate::web::console::warn(&refused_header_warning(name, refusal));
    }
    if let Some(warning) = oversized_headers_warning(credentials.sent_extra_headers()) {
        crate::web::console::warn(&warning);
    }
}

/// The backend settings of `options`.
fn backend_settings(options: &WidgetOptions) -> BackendSettings<'_> {
    BackendSettings {
        mode: options.mode,
        api: &options.api,
        issue: &options.issue,
        form_url: &options.form_url,
        form_field: &options.form_field,
        form_id_field: options.form_id_field.as_deref(),
        form_fields: &options.form_fields,
        jira_batch: options.jira_batch,
    }
}

/// Adds `removed` to the count of those `gone`, and whether the signals
/// they read are due a prune: once as many have gone as `remaining`, and
/// at least 64 (see [`Controller::let_go_of_rows`]).
fn prune_due(gone: StoredValue<usize>, removed: usize, remaining: usize) -> bool {
    gone.try_update_value(|gone| {
        *gone += removed;
        let due = *gone >= remaining.max(64);
        if due {
            *gone = 0;
        }
        due
    })
    .unwrap_or(false)
}

/// Lets the dead subscribers of `signal` go (see
/// [`Controller::let_go_of_rows`]): the live ones are marked to run again,
/// and subscribe anew as they do.
fn prune<S: Notify + Source>(signal: &S) {
    signal.notify();
    signal.clear_subscribers();
}
