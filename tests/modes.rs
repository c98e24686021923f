//! Every mode's backend uploading real `File`s to the reference server, and
//! retries riding out a server that fails 30% of uploads; a Flow.js part's
//! progress on a slow link, scripted.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::Cell;
use std::rc::Rc;
use support::*;
use tracker_attachments::backend::{
    find_lost_upload, AuthScheme, Credentials, JiraBackend, JsonRequest, LostUpload, Mode,
    TrackerBackend, TrackerTarget, UploadBackend, UploadRequest,
};
use tracker_attachments::core::{RetryPolicy, UploadError};

use tracker_attachments::ui::{EventHandler, WidgetEvent};
use tracker_attachments::web::{
    sleep, AuthorizationAsk, AuthorizationProvider, RawResponse, Transport, TransportFuture,
};
use tracker_attachments::WidgetOptions;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a widget with `options`, drops `files`, waits until every row is
/// done, and returns the attachment ids in row order.
async fn upload_all(options: WidgetOptions, files: &[web_sys::File]) -> Vec<String> {
    let root = container();
    let handle = mount_widget(root.clone(), options);
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, files);
    wait_for("every file to upload", 60_000, || {
        let rows = query_all(&root, "[data-ta=row]");
        for row in &rows {
            let state = attr(row, "data-state").unwrap_or_default();
            assert!(
                state != "failed" && state != "refused",
                "{state}: {}",
                text(row)
            );
        }
        rows.len() == files.len()
            && rows
                .iter()
                .all(|r| attr(r, "data-state").as_deref() == Some("done"))
    })
    .await;
    let ids = query_all(&root, "[data-ta=row]")
        .iter()
        .map(|r| attr(r, "data-attachment-id").unwrap_or_default())
        .collect();
    drop(handle);
    ids
}

/// Whether `backend`'s listing of its issue, read as the widget reads it
/// after an answer lost in transit, shows `name` uploaded as `id` since
/// `sent_at`.
async fn found_after_a_lost_answer(
    backend: &dyn UploadBackend,
    credentials: &Credentials,
    sent_at: f64,
    (id, name, size): (&str, &str, u64),
) -> bool {
    let transport = tracker_attachments::web::BrowserTransport::default();
    let request = backend.listing_request(credentials).unwrap();
    let raw = tracker_attachments::web::Transport::json(&transport, &request, None)
        .await
        .unwrap();
    let mut listing = backend.parse_listing(raw.status, &raw.body).unwrap();
    let meta = tracker_attachments::core::FileMeta::new(name, size, "");
    matches!(find_lost_upload(&mut listing, &meta, sent_at), LostUpload::Found(a) if a.id == id)
}

#[wasm_bindgen_test]
async fn tracker_issue_mode_attaches_to_the_issue() {
    let sent_at = js_sys::Date::now();
    let options = WidgetOptions {
        mode: Mode::TrackerIssue,
        issue: "DEMO-1".into(),
        ..dev_options(server(), "dev-token")
    };
    let ids = upload_all(options, &[file(&PNG_40X20, "on-issue.png", "image/png")]).await;
    let (status, body) = get_json(&format!("{}/v2/issues/DEMO-1/attachments", server())).await;
    assert_eq!(status, 200);
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let found = listed
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == ids[0].as_str() && a["name"] == "on-issue.png");
    assert!(found, "{} not among {body}", ids[0]);
    let backend = TrackerBackend::new(server(), TrackerTarget::Issue("DEMO-1".into()));
    let credentials = dev_options(server(), "dev-token").credentials;
    let upload = (ids[0].as_str(), "on-issue.png", PNG_40X20.len() as u64);
    assert!(found_after_a_lost_answer(&backend, &credentials, sent_at, upload).await);
}

#[wasm_bindgen_test]
async fn jira_mode_uploads_with_a_bearer_token() {
    let sent_at = js_sys::Date::now();
    let jira = |scheme, token: &str| WidgetOptions {
        mode: Mode::Jira,
        issue: "DEMO-2".into(),
        credentials: Credentials {
            scheme,
            token: Some(token.into()),
            ..Credentials::default()
        },
        ..dev_options(server(), "dev-token")
    };
    // Basic with `email:api_token` as Jira hands them out: encoded here.
    let basic = jira(Some(AuthScheme::Basic), "dev@example.com:dev-token");
    let ids = upload_all(basic, &[file(b"x", "basic.txt", "text/plain")]).await;
    assert!(!ids[0].is_empty());
    // No scheme chosen: Jira's, Bearer (Tracker's OAuth would get 401).
    let ids = upload_all(
        jira(None, "dev-token"),
        &[file(b"a,b\n1,2\n", "table.csv", "")],
    )
    .await;
    assert!(!ids[0].is_empty());
    let (status, body) = get_json(&format!("{}/v2/issues/DEMO-2/attachments", server())).await;
    assert_eq!(status, 200);
    assert!(body.contains("table.csv"), "{body}");
    let backend = JiraBackend::new(server(), "DEMO-2", false);
    let bearer = Credentials {
        scheme: Some(AuthScheme::Bearer),
        token: Some("dev-token".into()),
        ..Credentials::default()
    };
    let upload = (ids[0].as_str(), "table.csv", 8);
    assert!(found_after_a_lost_answer(&backend, &bearer, sent_at, upload).await);
}

#[wasm_bindgen_test]
async fn flow_mode_sends_parts_and_keeps_the_temporary_id() {
    let options = WidgetOptions {
        mode: Mode::Flow,
        chunk_size: 64 * 1024,
        ..dev_options(server(), "dev-token")
    };
    // 3 parts of 64 KiB; the remainder rides on the last one.
    let size = 3 * 64 * 1024 + 1000;
    let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let ids = upload_all(options, &[file(&bytes, "parts.bin", "")]).await;
    let (status, body) = get_json(&format!("{}/v2/attachments/{}", server(), ids[0])).await;
    assert_eq!(status, 200, "{body}");
    let meta: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(meta["size"], size);
    assert_eq!(meta["name"], "parts.bin");
}

#[wasm_bindgen_test]
async fn form_mode_posts_to_any_url_and_reads_the_id_field() {
    let options = WidgetOptions {
        mode: Mode::Form,
        form_url: format!("{}/v2/attachments/", server()),
        form_field: "attachment".into(),
        form_id_field: Some("id".into()),
        ..dev_options(server(), "dev-token")
    };
    let ids = upload_all(options, &[file(b"plain", "form.txt", "text/plain")]).await;
    assert!(ids[0].chars().all(|c| c.is_ascii_digit()), "{}", ids[0]);
    let (status, _) = get_json(&format!("{}/v2/attachments/{}", server(), ids[0])).await;
    assert_eq!(status, 200);
}

#[wasm_bindgen_test]
async fn retries_finish_every_file_despite_faults() {
    let files: Vec<web_sys::File> = (0..12)
        .map(|i| {
            file(
                format!("file {i}").as_bytes(),
                &format!("f{i}.txt"),
                "text/plain",
            )
        })
        .collect();
    // Ten tries, not the default seven: at a 30% fault rate seven faults
    // in a row hit one of twelve files in about 0.3% of runs, and this
    // test must not flake. The backoff is shortened to keep it quick.
    let options = WidgetOptions {
        retry: RetryPolicy {
            base_ms: 20,
            cap_ms: 200,
            max_attempts: 10,
            max_retry_after_ms: 1_000,
        },
        ..dev_options(faulty_server(), "dev-token")
    };
    let ids = upload_all(options, &files).await;
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "{ids:?}");
}

#[wasm_bindgen_test]
async fn authorization_provider_is_asked_before_every_request() {
    let (provider, calls) = counting_provider("OAuth dev-token");
    // No token in the options at all: only the provider knows it.
    let base = WidgetOptions {
        credentials: Credentials {
            org_id: Some("dev-org".into()),
            ..Credentials::default()
        },
        authorization: Some(provider),
        ..dev_options(server(), "unused")
    };

    let two = [
        file(b"1", "one.txt", "text/plain"),
        file(b"2", "two.txt", "text/plain"),
    ];
    upload_all(base.clone(), &two).await;
    assert_eq!(calls.get(), 2, "one call per upload request");

    calls.set(0);
    let flow = WidgetOptions {
        mode: Mode::Flow,
        chunk_size: 64 * 1024,
        ..base
    };
    let bytes = vec![7u8; 3 * 64 * 1024];
    upload_all(flow, &[file(&bytes, "three-parts.bin", "")]).await;
    assert_eq!(calls.get(), 6, "a test GET and a POST for each of 3 parts");
}

/// An authorization provider that counts its calls: one per request.
fn counting_provider(value: &'static str) -> (AuthorizationProvider, Rc<Cell<u32>>) {
    let calls = Rc::new(Cell::new(0u32));
    let counter = calls.clone();
    let provider = AuthorizationProvider::new(move || {
        let counter = counter.clone();
        async move {
            counter.set(counter.get() + 1);
            Ok(value.to_owned())
        }
    });
    (provider, calls)
}

fn batching_jira(api: &str, provider: AuthorizationProvider) -> WidgetOptions {
    WidgetOptions {
        mode: Mode::Jira,
        issue: "DEMO-2".into(),
        jira_batch: true,
        authorization: Some(provider),
        ..dev_options(api, "unused")
    }
}

#[wasm_bindgen_test]
async fn a_batching_jira_sends_small_files_in_one_request() {
    let (provider, calls) = counting_provider("Bearer dev-token");
    let names: Vec<String> = (1..=5).map(|i| format!("batch-{i}-of-5.txt")).collect();
    let files: Vec<web_sys::File> = names
        .iter()
        .map(|name| file(name.as_bytes(), name, "text/plain"))
        .collect();
    // Jira keeps nothing to attach later: the host hears of the files
    // attached, in `attachments-change`.
    let told = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let heard = told.clone();
    let options = WidgetOptions {
        on_event: Some(EventHandler::new(move |event| {
            if let WidgetEvent::AttachmentsChange(list) = event {
                *heard.borrow_mut() = list.iter().map(|a| a.id.clone()).collect();
            }
        })),
        ..batching_jira(server(), provider)
    };
    let ids = upload_all(options, &files).await;
    assert_eq!(calls.get(), 1, "five files, one request");
    wait_for("the host to hear of all five", 5_000, || {
        *told.borrow() == ids
    })
    .await;
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "{ids:?}");
    let (status, body) = get_json(&format!("{}/v2/issues/DEMO-2/attachments", server())).await;
    assert_eq!(status, 200);
    for name in &names {
        assert!(body.contains(name.as_str()), "{name} not in {body}");
    }
}

/// Jira keeps `say "hi".txt` as `say %22hi%22.txt`, the name a multipart
/// body carries: in a batch the row still knows its attachment (it may be
/// deleted from the issue) and shows the name the issue shows.
#[wasm_bindgen_test]
async fn a_batched_jira_file_with_quotes_in_its_name_can_be_deleted() {
    let (provider, _) = counting_provider("Bearer dev-token");
    let root = container();
    let _handle = mount_widget(root.clone(), batching_jira(server(), provider));
    // Unique: the server's issue outlives one run of the tests.
    let quoted = format!("say \"hi\" {}", js_sys::Math::random().to_bits());
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[
            file(b"quoted", &format!("{quoted}.txt"), "text/plain"),
            file(b"plain", "plain.txt", "text/plain"),
        ],
    );
    wait_for("both uploaded", 20_000, || {
        query_all(&root, "[data-ta=row][data-state=done]").len() == 2
    })
    .await;
    let row = query_all(&root, "[data-ta=row]").remove(0);
    let kept = format!("{}.txt", quoted.replace('"', "%22"));
    assert_eq!(text(&query(&row, "[data-ta=name]").unwrap()), kept);
    let delete = query(&row, "[data-ta=delete-from-issue]").expect("Delete from issue");
    delete.unchecked_ref::<web_sys::HtmlElement>().click();
    wait_for("the question", 5_000, || {
        query(&row, "[data-ta=confirm-delete]").is_some()
    })
    .await;
    click(&row, "[data-ta=confirm-delete]");
    wait_for("the row gone", 10_000, || {
        query_all(&root, "[data-ta=row]").len() == 1
    })
    .await;
    let (_, body) = get_json(&format!("{}/v2/issues/DEMO-2/attachments", server())).await;
    assert!(!body.contains(&kept), "{body}");
}

/// The states of the rows, in list order.
fn row_states(root: &web_sys::HtmlElement) -> Vec<String> {
    query_all(root, "[data-ta=row]")
        .iter()
        .map(|r| attr(r, "data-state").unwrap_or_default())
        .collect()
}

/// Drops three `files` on the widget in `root`, waits for `moment` (until
/// `reached`), cancels the second file and waits for the other two to end
/// done.
async fn cancel_the_second_of_three(
    root: &web_sys::HtmlElement,
    files: &[web_sys::File],
    moment: &str,
    reached: impl FnMut() -> bool,
) {
    drop_files(&query(root, "[data-ta=dropzone]").unwrap(), files);
    wait_for(moment, 10_000, reached).await;
    let second = query_all(root, "[data-ta=row]")[1].clone();
    click(&second, "[data-ta=cancel]");
    wait_for("the other two to upload", 60_000, || {
        row_states(root) == ["done", "cancelled", "done"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn cancelling_one_file_of_a_batch_while_it_goes_out_sends_the_others_again() {
    // The slow server reads nothing for four seconds, and 15 MiB is more
    // than the sockets between take meanwhile: the batch is still going out
    // when one of its files is cancelled.
    let (provider, calls) = counting_provider("Bearer dev-token");
    let root = container();
    let _handle = mount_widget(root.clone(), batching_jira(slow_server(), provider));
    let names = ["keep-a.bin", "drop-b.bin", "keep-c.bin"];
    let files: Vec<web_sys::File> = names.iter().map(|name| big_file(5 << 20, name)).collect();
    cancel_the_second_of_three(&root, &files, "the batch to be under way", || {
        row_states(&root) == ["uploading", "uploading", "uploading"]
    })
    .await;
    assert_eq!(calls.get(), 2, "the stopped batch, then the two again");
    let (status, body) = get_json(&format!("{}/v2/issues/DEMO-2/attachments", slow_server())).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("keep-a.bin") && body.contains("keep-c.bin"),
        "{body}"
    );
    assert!(!body.contains("drop-b.bin"), "{body}");
}

#[wasm_bindgen_test]
async fn cancelling_one_file_of_a_batch_already_sent_lets_the_request_finish() {
    // Small files are out at once, while the slow server sits on them: the
    // server will attach all three, so stopping the request now would only
    // send the other two a second time.
    let (provider, calls) = counting_provider("Bearer dev-token");
    let sent_in_full = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let heard = sent_in_full.clone();
    let options = WidgetOptions {
        on_event: Some(EventHandler::new(move |event| {
            if let WidgetEvent::UploadProgress {
                file,
                loaded,
                total,
            } = event
            {
                if loaded == total {
                    heard.borrow_mut().push(file.meta.name.clone());
                }
            }
        })),
        ..batching_jira(slow_server(), provider)
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    // Named afresh each run: the counts below must not meet an earlier
    // run's files on a server that kept them.
    let tag = (js_sys::Math::random() * 1e9) as u64;
    let names = ["a", "b", "c"].map(|n| format!("late-{n}-{tag}.txt"));
    let files: Vec<web_sys::File> = names
        .iter()
        .map(|name| file(name.as_bytes(), name, "text/plain"))
        .collect();
    cancel_the_second_of_three(&root, &files, "the whole batch to be sent", || {
        sent_in_full.borrow().len() == 3
    })
    .await;
    // The server attached all three; the cancelled one is taken back (J6),
    // its own request asking for the token once more.
    wait_for("the cancelled file to be taken back", 30_000, || {
        calls.get() >= 2
    })
    .await;
    let listed = wait_for_issue_attachments(slow_server(), "DEMO-2", |listed| {
        !listed.contains(&names[1])
    })
    .await;
    for kept in [&names[0], &names[2]] {
        let copies = listed.iter().filter(|n| *n == kept).count();
        assert_eq!(
            copies, 1,
            "{kept} once, the batch not sent again: {listed:?}"
        );
    }
    assert_eq!(calls.get(), 2, "one upload and one DELETE");
    assert_eq!(row_states(&root), ["done", "cancelled", "done"]);
}

#[wasm_bindgen_test]
async fn a_lone_file_cancelled_after_it_was_sent_is_taken_off_the_issue() {
    // Once the body is out, the server attaches the file whatever the page
    // does; stopping the request would only make that a race. The widget
    // lets the answer come and deletes the attachment (T6).
    let (provider, calls) = counting_provider("OAuth dev-token");
    let sent_in_full = Rc::new(Cell::new(false));
    let heard = sent_in_full.clone();
    let options = WidgetOptions {
        mode: Mode::TrackerIssue,
        issue: "DEMO-3".into(),
        authorization: Some(provider),
        on_event: Some(EventHandler::new(move |event| {
            if let WidgetEvent::UploadProgress { loaded, total, .. } = event {
                heard.set(heard.get() || loaded == total);
            }
        })),
        ..dev_options(slow_server(), "unused")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    // Named afresh each run, so that an earlier run's copy cannot stand in.
    let name = format!(
        "cancelled-late-{}.txt",
        (js_sys::Math::random() * 1e9) as u64
    );
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(name.as_bytes(), &name, "text/plain")],
    );
    wait_for("the body to be sent", 10_000, || sent_in_full.get()).await;
    click(&query_all(&root, "[data-ta=row]")[0], "[data-ta=cancel]");
    // The slow server answers the upload, then the DELETE, 4 s each.
    wait_for("the DELETE to be asked for", 30_000, || calls.get() >= 2).await;
    let names =
        wait_for_issue_attachments(slow_server(), "DEMO-3", |names| !names.contains(&name)).await;
    assert!(!names.contains(&name), "{names:?}");
    assert_eq!(
        calls.get(),
        2,
        "one upload and one DELETE, nothing sent again"
    );
    assert_eq!(row_states(&root), ["cancelled"]);
}

/// Polls the names of `issue`'s attachments on `api` until `done` holds
/// for them (30 s at most), and returns them.
async fn wait_for_issue_attachments(
    api: &str,
    issue: &str,
    mut done: impl FnMut(&[String]) -> bool,
) -> Vec<String> {
    let url = format!("{api}/v2/issues/{issue}/attachments");
    let deadline = js_sys::Date::now() + 30_000.0;
    loop {
        let (status, body) = get_json(&url).await;
        assert_eq!(status, 200, "{body}");
        let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
        let names: Vec<String> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["name"].as_str().map(str::to_owned))
            .collect();
        if done(&names) {
            return names;
        }
        assert!(
            js_sys::Date::now() < deadline,
            "issue {issue} never settled: {names:?}"
        );
        next_tick(100).await;
    }
}

/// A Flow.js server behind a slow link, scripted: every part test answers
/// "missing", and a part's request (the part and some form fields) goes
/// out a tenth every 100 ms. The first upload is lost to the network six
/// tenths in; the next one completes the file.
struct SlowPartLink {
    uploads: Cell<u32>,
    completed: String,
}

impl SlowPartLink {
    const STEPS: u64 = 10;
    const LOST_AFTER: u64 = 6;
    /// The form fields around the part: the request is bigger than it.
    const FIELDS: u64 = 700;
}

impl Transport for SlowPartLink {
    fn upload<'a>(
        &'a self,
        _: &'a UploadRequest,
        files: &'a [web_sys::Blob],
        _: Option<&'a web_sys::AbortSignal>,
        on_progress: Rc<dyn Fn(u64, u64)>,
    ) -> TransportFuture<'a> {
        let total = files.iter().map(|f| f.size() as u64).sum::<u64>() + Self::FIELDS;
        self.uploads.set(self.uploads.get() + 1);
        let lost = self.uploads.get() == 1;
        let completed = self.completed.clone();
        Box::pin(async move {
            let steps = if lost { Self::LOST_AFTER } else { Self::STEPS };
            for step in 1..=steps {
                sleep(100).await;
                on_progress(total * step / Self::STEPS, total);
            }
            if lost {
                return Err(UploadError::Network("the link dropped".into()));
            }
            Ok(RawResponse {
                status: 201,
                body: completed,
                retry_after: None,
            })
        })
    }

    fn json<'a>(
        &'a self,
        _: &'a JsonRequest,
        _: Option<&'a web_sys::AbortSignal>,
    ) -> TransportFuture<'a> {
        Box::pin(async {
            Ok(RawResponse {
                status: 204,
                body: String::new(),
                retry_after: None,
            })
        })
    }
}

#[wasm_bindgen_test]
async fn a_flow_part_shows_its_bytes_as_they_go_out_and_never_goes_back() {
    // One part at the default 8 MiB chunk size: progress counted by whole
    // parts jumped from nothing to all of it.
    let size: u32 = 300 * 1024;
    let link = Rc::new(SlowPartLink {
        uploads: Cell::new(0),
        completed: format!(r#"{{"id":"91","name":"one-part.bin","size":{size}}}"#),
    });
    // Every `upload-progress`, with the upload it came during (asserted
    // on afterwards: a panic in the widget's callback would stop it).
    let heard = Rc::new(std::cell::RefCell::new(Vec::<(u32, u64, u64)>::new()));
    let (sink, during) = (heard.clone(), link.clone());
    let options = WidgetOptions {
        mode: Mode::Flow,
        transport: link.clone(),
        retry: RetryPolicy {
            base_ms: 20,
            cap_ms: 50,
            max_attempts: 3,
            max_retry_after_ms: 0,
        },
        on_event: Some(EventHandler::new(move |event| {
            if let WidgetEvent::UploadProgress { loaded, total, .. } = event {
                sink.borrow_mut()
                    .push((during.uploads.get(), *loaded, *total));
            }
        })),
        ..dev_options("http://scripted.invalid", "dev-token")
    };
    let ids = upload_all(options, &[big_file(size, "one-part.bin")]).await;
    assert_eq!(ids, ["91"]);
    assert_eq!(link.uploads.get(), 2, "the part lost once, then sent again");
    let heard = heard.borrow();
    let size = u64::from(size);
    assert!(heard.iter().all(|h| h.2 == size), "{heard:?}");
    let shown_before_the_loss = heard
        .iter()
        .filter(|(upload, _, _)| *upload == 1)
        .map(|(_, loaded, _)| *loaded)
        .max()
        .unwrap_or(0);
    assert!(
        0 < shown_before_the_loss && shown_before_the_loss < size,
        "the first try's bytes shown as they went out: {heard:?}"
    );
    assert!(
        heard.windows(2).all(|w| w[0].1 <= w[1].1),
        "progress went back when the part was sent again: {heard:?}"
    );
    assert_eq!(heard.last().map(|h| h.1), Some(size));
}

#[wasm_bindgen_test]
async fn a_token_changed_mid_file_still_completes_it_in_flow_mode() {
    // The reference server keeps a Flow upload per sender (`Authorization`
    // and organisation): from the third request on the host gives another
    // value for the same token, so the parts sent before are not the new
    // sender's, and the last part alone completes nothing.
    let asks = Rc::new(Cell::new(0u32));
    let counter = asks.clone();
    let provider = AuthorizationProvider::new(move || {
        let counter = counter.clone();
        async move {
            counter.set(counter.get() + 1);
            Ok(if counter.get() <= 2 {
                "OAuth dev-token".to_owned()
            } else {
                "Bearer dev-token".to_owned()
            })
        }
    });
    let options = WidgetOptions {
        mode: Mode::Flow,
        chunk_size: 64 * 1024,
        authorization: Some(provider),
        ..dev_options(server(), "dev-token")
    };
    let size = 3 * 64 * 1024 + 10;
    let bytes: Vec<u8> = (0..size).map(|i| (i % 241) as u8).collect();
    let ids = upload_all(options, &[file(&bytes, "rotated.bin", "")]).await;
    let (status, body) = get_json(&format!("{}/v2/attachments/{}", server(), ids[0])).await;
    assert_eq!(status, 200, "{body}");
    let meta: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(meta["size"], size);
    // Walked twice: 6 requests, then 3 tests and the first part again and
    // the last part.
    assert!(asks.get() > 6, "asked {} times", asks.get());
}

#[wasm_bindgen_test]
async fn an_authorization_function_that_never_answers_fails_in_time() {
    // A token fetch that never settles: the file fails (Retry) and the
    // widget goes idle, and an attach ends, instead of waiting for good.
    let provider = AuthorizationProvider::new(std::future::pending::<Result<String, String>>)
        .with_timeout_ms(300);
    let options = WidgetOptions {
        issue: "DEMO-1".into(),
        authorization: Some(provider),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"never", "never.txt", "text/plain")],
    );
    wait_for("the file to fail", 5_000, || {
        query(&root, "[data-ta=row][data-state=failed]").is_some()
    })
    .await;
    let row = query(&root, "[data-ta=row]").unwrap();
    assert!(
        text(&row).contains("no answer within 1 s"),
        "{}",
        text(&row)
    );
    assert!(query(&row, "[data-ta=retry]").is_some());
    assert!(!controller.is_busy());
    let attached = controller.attach("DEMO-1".into(), "a comment".into()).await;
    assert!(
        matches!(&attached, Err(UploadError::Browser(reason)) if reason.contains("no answer")),
        "{attached:?}"
    );
}

#[wasm_bindgen_test]
async fn flow_parts_refresh_a_refused_token() {
    // A host that caches its token and fetches a new one only when told
    // the cached one was refused.
    let refusals = Rc::new(Cell::new(0u32));
    let counter = refusals.clone();
    let provider = AuthorizationProvider::answering(move |ask: AuthorizationAsk| {
        let counter = counter.clone();
        async move {
            if ask.refused {
                counter.set(counter.get() + 1);
                Ok("OAuth dev-token".to_owned())
            } else {
                Ok("OAuth expired-token".to_owned())
            }
        }
    });
    let options = WidgetOptions {
        mode: Mode::Flow,
        chunk_size: 64 * 1024,
        authorization: Some(provider),
        ..dev_options(server(), "dev-token")
    };
    let bytes = vec![3u8; 2 * 64 * 1024];
    upload_all(options, &[file(&bytes, "refreshed.bin", "")]).await;
    // A test GET and a POST for each of 2 parts, each refused once.
    assert_eq!(refusals.get(), 4);
}

/// The page's own header, text fields and cookie setting in `form` mode,
/// seen by the reference server's `/echo`: the attachment id is read from
/// where the echo puts what arrived.
fn echo_form(id_field: &str, credentials: Credentials) -> WidgetOptions {
    WidgetOptions {
        mode: Mode::Form,
        form_url: format!("{}/echo", server()),
        form_id_field: Some(id_field.into()),
        credentials,
        ..dev_options(server(), "dev-token")
    }
}

fn with_headers(headers: &[(&str, &str)]) -> Credentials {
    Credentials {
        token: Some("dev-token".into()),
        org_id: Some("dev-org".into()),
        extra_headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        ..Credentials::default()
    }
}

#[wasm_bindgen_test]
async fn the_pages_header_reaches_the_server_and_refused_ones_only_warn() {
    let headers = [
        ("X-CSRFToken", "csrf-from-page"),
        ("Authorization", "secret-a"),
        ("Cookie", "sessionid=secret-c"),
        ("X-Broken", "secret-b\r\nX-Evil: 1"),
    ];
    let warnings = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let restore = capture_warnings(warnings.clone());
    let ids = upload_all(
        echo_form("headers.x-csrftoken", with_headers(&headers)),
        &[file(b"csrf", "csrf.txt", "text/plain")],
    )
    .await;
    restore();
    assert_eq!(ids, ["csrf-from-page"]);
    let warned = warnings.borrow().join("\n");
    for name in ["\"Authorization\"", "\"Cookie\"", "\"X-Broken\""] {
        assert!(warned.contains(name), "{warned}");
    }
    assert!(!warned.contains("X-CSRFToken"), "{warned}");
    assert!(!warned.contains("secret"), "{warned}");
    // The widget's own `Authorization` went, not the page's: the echo
    // shows only `x-` headers, so look at the organisation's instead.
    let ids = upload_all(
        echo_form("headers.x-org-id", with_headers(&headers)),
        &[file(b"org", "org.txt", "text/plain")],
    )
    .await;
    assert_eq!(ids, ["dev-org"]);
}

#[wasm_bindgen_test]
async fn form_fields_go_in_the_body() {
    let options = WidgetOptions {
        form_fields: vec![
            ("folder".into(), "folder-12".into()),
            ("note".into(), "from the page".into()),
        ],
        ..echo_form("fields.folder", Credentials::default())
    };
    let ids = upload_all(options, &[file(b"fields", "fields.txt", "text/plain")]).await;
    assert_eq!(ids, ["folder-12"]);
}

#[wasm_bindgen_test]
async fn a_text_answer_of_one_word_is_the_attachment_id() {
    let options = WidgetOptions {
        form_url: format!("{}/echo?reply=fp-4711", server()),
        form_id_field: None,
        ..echo_form("id", Credentials::default())
    };
    let ids = upload_all(options, &[file(b"pond", "pond.txt", "text/plain")]).await;
    assert_eq!(ids, ["fp-4711"]);
    // A sentence is no id.
    let options = WidgetOptions {
        form_url: format!("{}/echo?reply=Saved%20it", server()),
        form_id_field: None,
        ..echo_form("id", Credentials::default())
    };
    let ids = upload_all(options, &[file(b"said", "said.txt", "text/plain")]).await;
    assert!(ids[0].starts_with("local-"), "{}", ids[0]);
}

#[wasm_bindgen_test]
async fn flow_parts_and_tests_go_with_the_pages_header_across_origins() {
    // A header the preflight must allow, on the part test (fetch) and the
    // part itself (XHR): the file completes.
    let options = WidgetOptions {
        mode: Mode::Flow,
        chunk_size: 64 * 1024,
        credentials: with_headers(&[("X-CSRF-Token", "rails-token")]),
        ..dev_options(server(), "dev-token")
    };
    let ids = upload_all(options, &[big_file(150 * 1024, "csrf-parts.bin")]).await;
    assert!(ids[0].chars().all(|c| c.is_ascii_digit()), "{}", ids[0]);
}

#[wasm_bindgen(inline_js = r#"
// The browser's own functions, taken before the first patch. Each patch
// starts from them: a failing test ends at its panic (an abort on wasm32,
// no destructor runs), so it may not have put its patch back.
const own = { send: XMLHttpRequest.prototype.send, fetch: window.fetch, warn: console.warn };
export function spy_credentials() {
  const seen = [];
  XMLHttpRequest.prototype.send = function (body) {
    seen.push('xhr ' + this.withCredentials);
    return own.send.call(this, body);
  };
  window.fetch = function (input, init) {
    seen.push('fetch ' + (input instanceof Request ? input.credentials : 'same-origin'));
    return own.fetch.call(window, input, init);
  };
  return {
    seen: () => seen.slice(),
    restore: () => { XMLHttpRequest.prototype.send = own.send; window.fetch = own.fetch; },
  };
}
export function capture_warn(sink) {
  console.warn = (message) => sink(String(message));
  return () => { console.warn = own.warn; };
}
"#)]
extern "C" {
    fn spy_credentials() -> JsValue;
    fn capture_warn(sink: &wasm_bindgen::closure::Closure<dyn Fn(String)>) -> js_sys::Function;
}

/// Collects `console.warn` lines into `sink` until the returned function runs.
fn capture_warnings(sink: Rc<std::cell::RefCell<Vec<String>>>) -> impl FnOnce() {
    let closure = wasm_bindgen::closure::Closure::<dyn Fn(String)>::new(move |line: String| {
        sink.borrow_mut().push(line)
    });
    let restore = capture_warn(&closure);
    move || {
        let _ = restore.call0(&JsValue::NULL);
        drop(closure);
    }
}

/// What the spy saw while a widget with `options` tried one file, until
/// it saw `wanted` requests (the widget is then removed).
async fn credentials_seen(options: WidgetOptions, wanted: usize) -> Vec<String> {
    let spy = spy_credentials();
    let seen = || -> Vec<String> {
        let list: js_sys::Function = js_sys::Reflect::get(&spy, &"seen".into())
            .unwrap()
            .unchecked_into();
        js_sys::Array::from(&list.call0(&JsValue::NULL).unwrap())
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    };
    let root = container();
    let handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"cookie", "cookie.txt", "text/plain")],
    );
    wait_for("the requests", 10_000, || seen().len() >= wanted).await;
    drop(handle);
    let restore: js_sys::Function = js_sys::Reflect::get(&spy, &"restore".into())
        .unwrap()
        .unchecked_into();
    restore.call0(&JsValue::NULL).unwrap();
    seen()
}

#[wasm_bindgen_test]
async fn with_credentials_sends_cookies_on_uploads_and_json_calls() {
    let cookies = |mode: Mode, on: bool| WidgetOptions {
        mode,
        form_url: format!("{}/echo", server()),
        credentials: Credentials {
            send_cookies: on,
            ..with_headers(&[])
        },
        ..dev_options(server(), "dev-token")
    };
    // An upload goes by XHR; a Flow part test by fetch.
    let seen = credentials_seen(cookies(Mode::Form, true), 1).await;
    assert_eq!(seen[0], "xhr true");
    let seen = credentials_seen(cookies(Mode::Flow, true), 1).await;
    assert_eq!(seen[0], "fetch include");
    // Off by default, as before.
    let seen = credentials_seen(cookies(Mode::Form, false), 1).await;
    assert_eq!(seen[0], "xhr false");
    let seen = credentials_seen(cookies(Mode::Flow, false), 1).await;
    assert_eq!(seen[0], "fetch same-origin");
}

/// `window.fetch` watched until dropped: for each request, its URL, its
/// redirect mode and whether it carried `header`.
struct FetchLog {
    seen: Rc<std::cell::RefCell<Vec<(String, String, bool)>>>,
    original: JsValue,
    _watch: Closure<dyn Fn(JsValue, JsValue) -> JsValue>,
}

impl FetchLog {
    fn start(header: &'static str) -> Self {
        use js_sys::{Function, Reflect};
        let window: JsValue = web_sys::window().unwrap().into();
        let original = Reflect::get(&window, &js("fetch")).unwrap();
        let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
        let (sink, call, this) = (
            seen.clone(),
            original.clone().unchecked_into::<Function>(),
            window.clone(),
        );
        let watch = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
            move |input: JsValue, init: JsValue| {
                if let Some(request) = input.dyn_ref::<web_sys::Request>() {
                    let carried = request.headers().has(header).unwrap_or(false);
                    let redirect = Reflect::get(request, &js("redirect"))
                        .ok()
                        .and_then(|r| r.as_string())
                        .unwrap_or_default();
                    sink.borrow_mut().push((request.url(), redirect, carried));
                }
                call.call2(&this, &input, &init)
                    .unwrap_or(JsValue::UNDEFINED)
            },
        );
        Reflect::set(&window, &js("fetch"), watch.as_ref()).unwrap();
        Self {
            seen,
            original,
            _watch: watch,
        }
    }

    /// (redirect mode, header carried) of each request to a URL holding
    /// `part`.
    fn to(&self, part: &str) -> Vec<(String, bool)> {
        self.seen
            .borrow()
            .iter()
            .filter(|(url, _, _)| url.contains(part))
            .map(|(_, redirect, carried)| (redirect.clone(), *carried))
            .collect()
    }
}

impl Drop for FetchLog {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        let _ = js_sys::Reflect::set(&window, &js("fetch"), &self.original);
    }
}

/// Jira's thumbnail answer is a redirect (J5's 303; Jira Cloud's goes to
/// its media server): it is followed without the page's own headers,
/// which are for the API's origin only, and the thumbnail still shows.
#[wasm_bindgen_test]
async fn a_redirected_thumbnail_is_followed_without_the_pages_headers() {
    let fetches = FetchLog::start("X-CSRFToken");
    let options = WidgetOptions {
        mode: Mode::Jira,
        issue: "DEMO-2".into(),
        credentials: with_headers(&[("X-CSRFToken", "from-the-page")]),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, &[file(&PNG_40X20, "redirected.png", "image/png")]);
    wait_for("the thumbnail", 15_000, || {
        query(&root, "img[data-ta=thumbnail]").is_some()
    })
    .await;
    assert_eq!(
        fetches.to("/attachment/thumbnail/"),
        [("manual".to_owned(), true), ("follow".to_owned(), false)]
    );
}
