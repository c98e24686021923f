//! The demo page built by Trunk: the widget in every mode against the
//! reference server that serves this page, an issue picker for attaching
//! later, a language switch, and a "simulate faults" switch that sends the
//! uploads to the server's `/faulty` mirror (started with
//! `--faulty-mirror-rate`), where some of them fail and are retried.
//!
//! The token is the reference server's development token and lives in
//! memory; a production page puts a proxy in front of Tracker instead.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tracker_attachments::backend::{HttpMethod, JsonRequest, Mode};
use tracker_attachments::core::{Attachment, Locale};
use tracker_attachments::ui::{Controller, EventHandler, WidgetEvent};
use tracker_attachments::web::{browser_locale, send_json, Persist, DEFAULT_ANSWER_TIMEOUT_MS};
use tracker_attachments::{Credentials, Theme, TrackerAttachments, WidgetOptions};

const TOKEN: &str = "dev-token";
const ORG: &str = "dev-org";
/// The reference server seeds these on a fresh data directory.
const SEEDED_ISSUES: [&str; 3] = ["DEMO-1", "DEMO-2", "DEMO-3"];

/// What the controls above the widget choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Choice {
    mode: Mode,
    issue: &'static str,
    locale: Locale,
    theme: Theme,
    faults: bool,
}

fn main() {
    leptos::mount::mount_to_body(Demo);
}

#[component]
fn Demo() -> impl IntoView {
    let choice = RwSignal::new(Choice {
        mode: Mode::TrackerTemp,
        issue: SEEDED_ISSUES[0],
        locale: browser_locale(),
        theme: Theme::Auto,
        faults: false,
    });
    // Bumped whenever files land on an issue, to reload its list.
    let issue_changed = RwSignal::new(0u32);
    let on_event = EventHandler::new(move |event| {
        if matches!(
            event,
            WidgetEvent::Attached { .. } | WidgetEvent::AttachmentsChange(_)
        ) {
            issue_changed.update(|n| *n += 1);
        }
    });
    // Views must be Send; the handler is not, so it waits in local storage.
    let on_event = StoredValue::new_local(on_event);

    // One widget for the page's life: a new choice of mode, issue or fault
    // switch becomes its new options, as a page setting the element's
    // attributes does. Files already going finish as they started, and
    // each mode keeps its own stored list (its own `persist_key`).
    let setup = Memo::new(move |_| choice.with(|c| (c.mode, c.issue, c.faults)));
    let controller = StoredValue::new(None::<Controller>);
    Effect::new(move |before: Option<(Mode, &'static str, bool)>| {
        let now = setup.get();
        if before.is_some_and(|before| before != now) {
            if let Some(controller) = controller.get_value() {
                controller.set_options(options_for(choice.get_untracked(), on_event.get_value()));
            }
        }
        now
    });
    Effect::new(move |_| {
        let locale = choice.with(|c| c.locale);
        if let Some(controller) = controller.get_value() {
            controller.set_locale(locale);
        }
    });
    Effect::new(move |_| {
        let theme = choice.with(|c| c.theme);
        let Some(controller) = controller.get_value() else {
            return;
        };
        // The theme switches live, as the language does.
        let changed = controller
            .options
            .try_with_value(|o| (o.theme != theme).then(|| WidgetOptions { theme, ..o.clone() }))
            .flatten();
        if let Some(options) = changed {
            controller.set_options(options);
        }
    });
    let options = options_for(choice.get_untracked(), on_event.get_value());
    let on_ready = Callback::new(move |ready: Controller| controller.set_value(Some(ready)));
    let widget = view! { <TrackerAttachments options=options on_ready=on_ready/> };

    view! {
        <main class="demo">
            <h1>"tracker-attachments"</h1>
            <p class="demo-lead">
                "Drop, browse or paste files. In tracker-temp and flow modes they become Tracker temporary attachments, kept below (across a reload) until you attach them to the chosen issue; the other modes attach at once. Everything runs against the reference server that serves this page."
            </p>
            <Controls choice=choice/>
            {widget}
            <IssueAttachments choice=choice changed=issue_changed/>
        </main>
    }
}

#[component]
fn Controls(choice: RwSignal<Choice>) -> impl IntoView {
    let mode_value = move || choice.with(|c| c.mode.as_str());
    let issue_value = move || choice.with(|c| c.issue);
    let locale_value = move || choice.with(|c| c.locale.tag());
    view! {
        <form class="demo-controls" aria-label="Demo settings" on:submit=|ev| ev.prevent_default()>
            <label>
                "Mode"
                <select data-demo="mode" prop:value=mode_value
                    on:change=move |ev| {
                        if let Some(mode) = Mode::parse(&event_target_value(&ev)) {
                            choice.update(|c| c.mode = mode);
                        }
                    }>
                    {Mode::ALL
                        .into_iter()
                        .map(|mode| view! { <option value=mode.as_str()>{mode.as_str()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Issue"
                <select data-demo="issue" prop:value=issue_value
                    on:change=move |ev| {
                        let picked = event_target_value(&ev);
                        if let Some(issue) = SEEDED_ISSUES.into_iter().find(|i| *i == picked) {
                            choice.update(|c| c.issue = issue);
                        }
                    }>
                    {SEEDED_ISSUES
                        .into_iter()
                        .map(|issue| view! { <option value=issue>{issue}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Language"
                <select data-demo="locale" prop:value=locale_value
                    on:change=move |ev| {
                        if let Some(locale) = Locale::from_tag(&event_target_value(&ev)) {
                            choice.update(|c| c.locale = locale);
                        }
                    }>
                    <option value="en">"English"</option>
                    <option value="ru">"Русский"</option>
                </select>
            </label>
            <label>
                "Theme"
                <select data-demo="theme" prop:value=move || choice.with(|c| c.theme.as_str())
                    on:change=move |ev| {
                        if let Some(theme) = Theme::parse(&event_target_value(&ev)) {
                            choice.update(|c| c.theme = theme);
                        }
                    }>
                    <option value="auto">"As the system"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </label>
            <label class="demo-check">
                <input type="checkbox" data-demo="faults"
                    prop:checked=move || choice.with(|c| c.faults)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        choice.update(|c| c.faults = on);
                    }/>
                "Simulate faults (30% of uploads fail and are retried)"
            </label>
        </form>
    }
}

/// The chosen issue's attachments as the server lists them, reloaded when
/// files land there.
#[component]
fn IssueAttachments(choice: RwSignal<Choice>, changed: RwSignal<u32>) -> impl IntoView {
    let issue = Memo::new(move |_| choice.with(|c| c.issue));
    let list = RwSignal::new(Vec::<Attachment>::new());
    let failed = RwSignal::new(false);
    Effect::new(move |_| {
        changed.track();
        let key = issue.get();
        spawn_local(async move {
            match issue_attachments(key).await {
                Some(items) => {
                    list.try_set(items);
                    failed.try_set(false);
                }
                None => {
                    failed.try_set(true);
                }
            }
        });
    });
    view! {
        <section class="demo-issue" aria-labelledby="demo-issue-title">
            <h2 id="demo-issue-title">"Attachments on " {move || issue.get()}</h2>
            <p class="demo-note" hidden=move || !failed.get()>"Could not load the list."</p>
            <p class="demo-note" hidden=move || failed.get() || !list.with(Vec::is_empty)>"None yet."</p>
            <ul class="demo-issue-list" data-demo="issue-attachments">
                <For each=move || list.get() key=|a| a.id.clone() let:attachment>
                    <li data-id=attachment.id.clone()>{attachment.name.clone()}</li>
                </For>
            </ul>
        </section>
    }
}

/// `GET /v2/issues/<key>/attachments`: the reference server lists Tracker
/// and Jira uploads of an issue alike.
async fn issue_attachments(issue: &str) -> Option<Vec<Attachment>> {
    let request = JsonRequest {
        method: HttpMethod::Get,
        url: format!("/v2/issues/{issue}/attachments"),
        headers: vec![
            ("Authorization".to_owned(), format!("OAuth {TOKEN}")),
            ("X-Org-ID".to_owned(), ORG.to_owned()),
        ],
        body: String::new(),
        with_credentials: false,
    };
    let answer = send_json(&request, None, DEFAULT_ANSWER_TIMEOUT_MS)
        .await
        .ok()?;
    if answer.status != 200 {
        return None;
    }
    Attachment::list_from_json(&answer.body)
}

fn options_for(choice: Choice, on_event: EventHandler) -> WidgetOptions {
    let api = if choice.faults { "/faulty" } else { "" };
    let mut credentials = Credentials {
        token: Some(TOKEN.to_owned()),
        org_id: Some(ORG.to_owned()),
        ..Credentials::default()
    };
    if choice.mode == Mode::Jira {
        // Jira takes no organisation (and Bearer, its default scheme).
        credentials.org_id = None;
    }
    WidgetOptions {
        api: api.to_owned(),
        credentials,
        mode: choice.mode,
        issue: choice.issue.to_owned(),
        // Form mode posts to any URL; here, Tracker's own upload endpoint,
        // whose JSON answer carries the id in `id`.
        form_url: format!("{api}/v2/attachments/"),
        form_field: "file".to_owned(),
        form_id_field: Some("id".to_owned()),
        persist: Persist::Session,
        persist_key: format!("demo-{}", choice.mode.as_str()),
        locale: Some(choice.locale.into()),
        theme: choice.theme,
        page_drop: true,
        page_paste: true,
        // Jira mode sends small files in batches of up to 60 per request.
        jira_batch: true,
        on_event: Some(on_event),
        ..WidgetOptions::default()
    }
}
