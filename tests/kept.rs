//! The kept temporary attachments: they survive a remount, carry no token
//! into storage, and can be attached to an issue (or posted with a comment)
//! from the widget; plus paste and the summary line.
#![cfg(target_arch = "wasm32")]

mod support;

use leptos::prelude::WithUntracked;
use support::*;
use tracker_attachments::core::KeptAttachments;
use tracker_attachments::web::{load_kept, save_kept, storage_key, Persist};
use tracker_attachments::WidgetOptions;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{ClipboardEvent, ClipboardEventInit, DataTransfer, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn unique_key(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Math::random().to_bits())
}

async fn wait_all_done(root: &web_sys::Element, count: usize) {
    wait_for("the uploads", 20_000, || {
        let rows = query_all(root, "[data-ta=row]");
        rows.len() == count
            && rows
                .iter()
                .all(|r| attr(r, "data-state").as_deref() == Some("done"))
    })
    .await;
}

/// Removes what a test stored under `key` in `localStorage`, which
/// outlives the test.
fn forget_local(key: &str) {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .remove_item(&storage_key(key))
        .unwrap();
}

fn kept_ids(root: &web_sys::Element) -> Vec<String> {
    query_all(root, "[data-ta=kept-id]")
        .iter()
        .map(text)
        .collect()
}

#[wasm_bindgen_test]
async fn kept_list_survives_a_remount_without_tokens_in_storage() {
    let key = unique_key("remount");
    let options = WidgetOptions {
        persist: Persist::Session,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let handle = mount_widget(root.clone(), options.clone());
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"kept", "kept.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    let ids = kept_ids(&root);
    assert_eq!(ids.len(), 1);

    let stored = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(&storage_key(&key))
        .unwrap()
        .expect("the kept list is stored");
    assert!(stored.contains(&ids[0]), "{stored}");
    assert!(!stored.contains("dev-token"), "{stored}");

    drop(handle);
    let again = container();
    let _handle = mount_widget(again.clone(), options);
    wait_for("the kept list to load", 2_000, || {
        !kept_ids(&again).is_empty()
    })
    .await;
    assert_eq!(kept_ids(&again), ids);
    let hidden = query(&again, "input[type=hidden][name=attachmentIds]").unwrap();
    assert_eq!(attr(&hidden, "value"), Some(ids[0].clone()));
}

#[wasm_bindgen_test]
async fn persist_none_keeps_nothing() {
    let options = WidgetOptions {
        persist: Persist::None,
        persist_key: unique_key("none"),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let handle = mount_widget(root.clone(), options.clone());
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"gone", "gone.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    drop(handle);
    let again = container();
    let _handle = mount_widget(again.clone(), options);
    assert!(kept_ids(&again).is_empty());
}

/// How the last attach ended goes when the widget attaches elsewhere: it
/// told of another issue.
#[wasm_bindgen_test]
async fn the_last_attach_news_goes_with_a_switch_of_issue() {
    let options = WidgetOptions {
        issue: "DEMO-3".into(),
        persist: Persist::None,
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options.clone());
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"one", "one.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    click(&root, "[data-ta=attach-button]");
    let status = query(&root, "[data-ta=attach-status]").unwrap();
    wait_for("the attach", 10_000, || {
        text(&status) == "1 file attached to DEMO-3"
    })
    .await;
    controller.set_options(WidgetOptions {
        locale: Some(tracker_attachments::Locale::En.into()),
        ..options.clone()
    });
    next_tick(0).await;
    assert_eq!(
        text(&status),
        "1 file attached to DEMO-3",
        "other options keep it"
    );
    controller.set_options(WidgetOptions {
        issue: "DEMO-4".into(),
        ..options
    });
    wait_for("the news gone", 5_000, || text(&status).is_empty()).await;
}

/// A file another tab keeps takes the attach news away, as one kept here
/// does: "1 file attached to DEMO-3" would stand over a list it does not
/// tell of.
#[wasm_bindgen_test]
async fn a_file_kept_in_another_tab_takes_the_attach_news_away() {
    let key = unique_key("news");
    let options = WidgetOptions {
        issue: "DEMO-3".into(),
        persist: Persist::Local,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"mine", "mine.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    click(&root, "[data-ta=attach-button]");
    let status = || text(&query(&root, "[data-ta=attach-status]").unwrap());
    wait_for("the attach", 10_000, || {
        status() == "1 file attached to DEMO-3"
    })
    .await;
    // The other tab's list: what storage holds now, and its new file.
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let stored = local.get_item(&storage_key(&key)).unwrap().unwrap();
    let mut theirs = tracker_attachments::KeptAttachments::from_json(&stored).unwrap();
    theirs.add(kept_item("other-tab-2"));
    storage_event_from_another_tab(&storage_key(&key), Some(&theirs.to_json()));
    wait_for("the other tab's file", 5_000, || {
        kept_ids(&root) == ["other-tab-2"]
    })
    .await;
    assert_eq!(status(), "");
    forget_local(&key);
}

/// A widget that attaches to `issue` and keeps nothing across reloads,
/// with `files` uploaded and kept.
async fn uploaded_for(issue: &str, files: &[web_sys::File]) -> (web_sys::HtmlElement, impl Sized) {
    let options = WidgetOptions {
        issue: issue.into(),
        persist: Persist::None,
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let handle = mount_widget(root.clone(), options);
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), files);
    wait_all_done(&root, files.len()).await;
    (root, handle)
}

#[wasm_bindgen_test]
async fn kept_files_attach_to_an_issue_and_the_list_empties() {
    let (root, _handle) = uploaded_for(
        "DEMO-3",
        &[
            file(b"one", "one.txt", "text/plain"),
            file(&PNG_40X20, "two.png", "image/png"),
        ],
    )
    .await;
    let ids = kept_ids(&root);
    assert_eq!(ids.len(), 2);
    let summary = text(&query(&root, "[data-ta=summary]").unwrap());
    assert!(summary.starts_with("2 of 2 uploaded"), "{summary}");

    assert_eq!(
        text(&query(&root, "[data-ta=attach-button]").unwrap()),
        "Attach to DEMO-3"
    );
    click(&root, "[data-ta=attach-button]");
    wait_for("the attach to finish", 10_000, || {
        text(&query(&root, "[data-ta=attach-status]").unwrap()) == "2 files attached to DEMO-3"
    })
    .await;
    assert!(kept_ids(&root).is_empty());
    assert!(query(&root, "[data-ta=kept]")
        .unwrap()
        .has_attribute("hidden"));
    // Their rows went with them: the same file may go to another issue.
    assert!(query_all(&root, "[data-ta=row]").is_empty());

    let (status, body) = get_json(&format!("{}/v2/issues/DEMO-3/attachments", server())).await;
    assert_eq!(status, 200);
    for id in &ids {
        assert!(
            body.contains(&format!("\"id\":\"{id}\"")),
            "{id} not in {body}"
        );
    }

    // A comment carries the next file.
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"three", "three.txt", "text/plain")],
    );
    // The last attach's news went as a new file was kept: it told of a
    // list no longer shown.
    wait_for("the third upload, and the old news gone", 20_000, || {
        kept_ids(&root).len() == 1
            && text(&query(&root, "[data-ta=attach-status]").unwrap()).is_empty()
    })
    .await;
    let third = kept_ids(&root)[0].clone();
    let comment: HtmlInputElement = query(&root, "[data-ta=attach-comment]")
        .unwrap()
        .unchecked_into();
    // Unique: the server's issue outlives one run of the tests.
    let remark = unique_key("see the log");
    comment.set_value(&remark);
    comment
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    click(&root, "[data-ta=attach-button]");
    wait_for("the comment", 10_000, || {
        text(&query(&root, "[data-ta=attach-status]").unwrap())
            == "1 file attached to DEMO-3. Comment posted to DEMO-3"
    })
    .await;
    let (_, comments) = get_json(&format!("{}/v2/issues/DEMO-3/comments", server())).await;
    assert!(comments.contains(&remark), "{comments}");
    let (_, attached) = get_json(&format!("{}/v2/issues/DEMO-3/attachments", server())).await;
    assert!(
        attached.contains(&format!("\"id\":\"{third}\"")),
        "{attached}"
    );

    // The comment went with that attach: the next file's form starts empty,
    // so attaching it does not post the comment a second time.
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"four", "four.txt", "text/plain")],
    );
    wait_for("the fourth upload", 20_000, || kept_ids(&root).len() == 1).await;
    assert_eq!(comment.value(), "");
    click(&root, "[data-ta=attach-button]");
    wait_for("the attach without a comment", 10_000, || {
        kept_ids(&root).is_empty()
            && text(&query(&root, "[data-ta=attach-status]").unwrap())
                == "1 file attached to DEMO-3"
    })
    .await;
    let (_, comments) = get_json(&format!("{}/v2/issues/DEMO-3/comments", server())).await;
    assert_eq!(comments.matches(&remark).count(), 1, "{comments}");

    // Words typed while an attach runs were not posted: they stay.
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"five", "five.txt", "text/plain")],
    );
    wait_for("the fifth upload", 20_000, || kept_ids(&root).len() == 1).await;
    let type_in = |words: &str| {
        comment.set_value(words);
        comment
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    let posted = unique_key("posted");
    type_in(&posted);
    click(&root, "[data-ta=attach-button]");
    type_in("typed meanwhile");
    wait_for("the attach with the first words", 10_000, || {
        kept_ids(&root).is_empty()
    })
    .await;
    let (_, comments) = get_json(&format!("{}/v2/issues/DEMO-3/comments", server())).await;
    assert!(comments.contains(&posted), "{comments}");
    assert_eq!(comment.value(), "typed meanwhile");
}

#[wasm_bindgen_test]
async fn a_comment_outlives_option_changes_and_items_stay_while_attaching() {
    // The slow server answers after four seconds: the attach runs a while.
    let options = WidgetOptions {
        issue: "DEMO-3".into(),
        persist: Persist::None,
        ..dev_options(slow_server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options.clone());
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"x", "slowly.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    let comment: HtmlInputElement = query(&root, "[data-ta=attach-comment]")
        .unwrap()
        .unchecked_into();
    let remark = unique_key("half-typed");
    comment.set_value(&remark);
    comment
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    // The host renews the token: the form and its words stay.
    controller.set_options(options);
    next_tick(0).await;
    let now: HtmlInputElement = query(&root, "[data-ta=attach-comment]")
        .unwrap()
        .unchecked_into();
    assert_eq!(now.value(), remark);
    assert!(now == comment, "the same input, not a new one");

    click(&root, "[data-ta=attach-button]");
    let remove = query(&root, "[data-ta=kept-item] button").unwrap();
    wait_for("Remove off while attaching", 3_000, || {
        attr(&remove, "aria-disabled").as_deref() == Some("true")
    })
    .await;
    wait_for("the attach", 15_000, || kept_ids(&root).is_empty()).await;
    let (_, comments) = get_json(&format!("{}/v2/issues/DEMO-3/comments", slow_server())).await;
    assert!(comments.contains(&remark), "{comments}");
}

#[wasm_bindgen_test]
async fn a_mode_that_keeps_nothing_attaches_nothing_kept() {
    let key = unique_key("mode-change");
    let options = WidgetOptions {
        issue: "DEMO-1".into(),
        persist: Persist::Session,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let (options, told) = told_ids(options);
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options.clone());
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"x", "kept.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    wait_for("the kept id told", 2_000, || told.borrow().len() == 1).await;
    let stored = || {
        web_sys::window()
            .unwrap()
            .session_storage()
            .unwrap()
            .unwrap()
            .get_item(&storage_key(&key))
            .unwrap()
            .unwrap_or_default()
    };
    let before = stored();
    assert!(before.contains("kept.txt"), "{before}");
    controller.set_options(WidgetOptions {
        mode: tracker_attachments::backend::Mode::Jira,
        ..options.clone()
    });
    // The host's ids are now Jira's uploads: none, and it hears so.
    assert_eq!(told.borrow().last().map(Vec::len), Some(0));
    // Jira cannot attach Tracker's temporary files: the list is hidden,
    // not lost.
    wait_for("the kept list hidden", 2_000, || {
        query(&root, "[data-ta=kept]")
            .unwrap()
            .has_attribute("hidden")
    })
    .await;
    assert_eq!(
        controller.attach("DEMO-1".into(), String::new()).await,
        Ok(Vec::new())
    );
    controller.clear();
    next_tick(0).await;
    assert_eq!(stored(), before);
    // Back in a keeping mode, the kept id is the host's again.
    controller.set_options(options);
    assert_eq!(told.borrow().last().map(Vec::len), Some(1));
}

#[wasm_bindgen_test]
async fn files_kept_before_a_switch_to_tracker_issue_still_attach() {
    let issue = "DEMO-2";
    let options = WidgetOptions {
        issue: issue.into(),
        persist: Persist::None,
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options.clone());
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(
        &zone,
        &[
            file(b"first", "first-kept.txt", "text/plain"),
            file(b"second", "second-kept.txt", "text/plain"),
        ],
    );
    wait_all_done(&root, 2).await;
    controller.set_options(WidgetOptions {
        mode: tracker_attachments::backend::Mode::TrackerIssue,
        ..options.clone()
    });
    drop_files(&zone, &[file(b"direct", "direct.txt", "text/plain")]);
    wait_all_done(&root, 3).await;
    // The host's ids are this mode's uploads: the kept ones are temporary
    // files, waiting in their own list with the attach button.
    let own: Vec<String> = controller
        .attachments()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(own, ["direct.txt"]);
    let kept = query(&root, "[data-ta=kept]").unwrap();
    assert!(!kept.has_attribute("hidden"));
    assert_eq!(kept_ids(&root).len(), 2);
    assert!(query(&root, "[data-ta=attach-button]").is_some());
    // A row uploaded into the kept list takes its item along, in any mode.
    let first_row = query_all(&root, "[data-ta=row]")
        .into_iter()
        .find(|r| text(r).contains("first-kept.txt"))
        .unwrap();
    click(&first_row, "[data-ta=remove]");
    wait_for("one kept", 2_000, || kept_ids(&root).len() == 1).await;
    let second = kept_ids(&root)[0].clone();
    assert_eq!(
        controller.attach(issue.into(), String::new()).await,
        Ok(vec![second.clone()])
    );
    let (_, attached) = get_json(&format!("{}/v2/issues/{issue}/attachments", server())).await;
    assert!(
        attached.contains(&format!("\"id\":\"{second}\"")),
        "{attached}"
    );
    assert!(kept.has_attribute("hidden"));
    let own: Vec<String> = controller
        .attachments()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(own, ["direct.txt"]);
}

#[wasm_bindgen_test]
async fn a_tracker_issue_widget_leaves_another_widgets_kept_list_alone() {
    // A "new issue" page's widget kept a file under the default key; the
    // issue page's widget, never in a keeping mode, is not its owner.
    let key = unique_key("issue-page");
    let mut stored = KeptAttachments::new();
    stored.add(kept_item("left-by-another-page"));
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .set_item(&storage_key(&key), &stored.to_json())
        .unwrap();
    let options = WidgetOptions {
        mode: tracker_attachments::backend::Mode::TrackerIssue,
        issue: "DEMO-1".into(),
        persist: Persist::Session,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    next_tick(0).await;
    assert!(query(&root, "[data-ta=kept]")
        .unwrap()
        .has_attribute("hidden"));
    assert!(query(&root, "[data-ta=attach-button]").is_none());
    assert_eq!(
        controller.attach("DEMO-1".into(), String::new()).await,
        Ok(Vec::new())
    );
    controller.clear();
    next_tick(0).await;
    let left = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(&storage_key(&key))
        .unwrap()
        .unwrap_or_default();
    assert!(left.contains("left-by-another-page"), "{left}");
}

#[wasm_bindgen_test]
async fn a_long_kept_list_is_stored_in_full_as_the_page_goes() {
    // Ten thousand kept already: the list is stored at most once a second,
    // so of two uploads ending together the second waits for the timer.
    let key = unique_key("going");
    let long = long_kept_list(10_000);
    save_kept(Persist::Session, &storage_key(&key), &long);
    let options = WidgetOptions {
        persist: Persist::Session,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[
            file(b"a", "a.txt", "text/plain"),
            file(b"b", "b.txt", "text/plain"),
        ],
    );
    wait_all_done(&root, 2).await;
    // The second is not stored yet (else this test shows nothing).
    assert_eq!(
        load_kept(Persist::Session, &storage_key(&key)).len(),
        10_001
    );
    // The page goes (a reload) before that timer: what it would have
    // stored is stored now.
    let leaving = web_sys::Event::new("pagehide").unwrap();
    web_sys::window().unwrap().dispatch_event(&leaving).unwrap();
    let stored = load_kept(Persist::Session, &storage_key(&key));
    assert_eq!(stored.len(), 10_002);
    drop(handle);
}

#[wasm_bindgen_test]
async fn a_list_merged_with_another_tabs_is_told_once() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use tracker_attachments::ui::{EventHandler, WidgetEvent};
    let key = unique_key("merged");
    let told = Rc::new(RefCell::new(Vec::<Vec<String>>::new()));
    let sink = told.clone();
    let options = WidgetOptions {
        persist: Persist::Local,
        persist_key: key.clone(),
        on_event: Some(EventHandler::new(move |event| {
            if let WidgetEvent::AttachmentsChange(items) = event {
                sink.borrow_mut()
                    .push(items.iter().map(|a| a.id.clone()).collect());
            }
        })),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    // Another tab stores a list, and this tab hears nothing of it yet (a
    // tab gets no storage event for its own writes).
    let mut theirs = KeptAttachments::new();
    theirs.add(kept_item("from-the-other-tab"));
    save_kept(Persist::Local, &storage_key(&key), &theirs);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"ours", "ours.txt", "text/plain")],
    );
    wait_for("the merged list told", 10_000, || {
        told.borrow().last().is_some_and(|ids| ids.len() == 2)
    })
    .await;
    // One more task: a second telling would have come by now. Each list
    // is told once (the other tab's list, found when this one stored its
    // own, was told twice).
    next_tick(0).await;
    let told = told.borrow();
    assert!(told.windows(2).all(|pair| pair[0] != pair[1]), "{told:?}");
    forget_local(&key);
}

#[wasm_bindgen_test]
async fn what_another_tab_stored_joins_the_list_as_the_page_goes() {
    let key = unique_key("hidden");
    let options = WidgetOptions {
        persist: Persist::Local,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    // The page is up (its first effects ran) when another tab stores a
    // list; the storage event has not come yet when the page is hidden.
    next_tick(0).await;
    let mut theirs = KeptAttachments::new();
    theirs.add(kept_item("theirs"));
    save_kept(Persist::Local, &storage_key(&key), &theirs);
    let leaving = web_sys::Event::new("pagehide").unwrap();
    web_sys::window().unwrap().dispatch_event(&leaving).unwrap();
    // Back from the back-forward cache, the list has it: saving again
    // keeps it rather than reading it as removed here.
    wait_for("the other tab's id", 2_000, || {
        kept_ids(&root) == ["theirs"]
    })
    .await;
    let again = web_sys::Event::new("pagehide").unwrap();
    web_sys::window().unwrap().dispatch_event(&again).unwrap();
    assert_eq!(load_kept(Persist::Local, &storage_key(&key)).len(), 1);
    forget_local(&key);
}

#[wasm_bindgen_test]
async fn a_failed_attach_keeps_the_list_and_says_why() {
    let options = WidgetOptions {
        issue: "NOPE-404".into(),
        persist: Persist::None,
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"x", "stays.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    let ids = kept_ids(&root);
    click(&root, "[data-ta=attach-button]");
    wait_for("the failure", 10_000, || {
        text(&query(&root, "[data-ta=attach-status]").unwrap()).starts_with("Could not attach:")
    })
    .await;
    let status = text(&query(&root, "[data-ta=attach-status]").unwrap());
    assert!(status.ends_with("(HTTP 404)"), "{status}");
    assert_eq!(kept_ids(&root), ids);
}

#[wasm_bindgen_test]
async fn pasted_files_are_added() {
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(server(), "dev-token"));
    let transfer = DataTransfer::new().unwrap();
    transfer
        .items()
        .add_with_file(&file(&PNG_40X20, "screenshot.png", "image/png"))
        .unwrap();
    let init = ClipboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_clipboard_data(Some(&transfer));
    let event = ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    assert!(
        !zone.dispatch_event(&event).unwrap(),
        "the paste was not taken"
    );
    wait_all_done(&root, 1).await;
    assert_eq!(
        text(&query(&root, "[data-ta=row] [data-ta=name]").unwrap()),
        "screenshot.png"
    );
}

/// Stores, as kept under `key` in `sessionStorage`, an id the server
/// has no temporary file of (expired long ago).
fn store_expired_in_session(key: &str, id: &str) {
    let mut stale = KeptAttachments::new();
    stale.add(tracker_attachments::Attachment {
        id: id.into(),
        name: "expired.txt".into(),
        size: 1,
        mimetype: None,
        content: None,
        thumbnail: None,
        created_at: None,
    });
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .set_item(&storage_key(key), &stale.to_json())
        .unwrap();
}

#[wasm_bindgen_test]
async fn an_expired_kept_id_is_dropped_and_the_rest_attach() {
    let key = unique_key("expired");
    store_expired_in_session(&key, "987654321");

    let options = WidgetOptions {
        issue: "DEMO-2".into(),
        persist: Persist::Session,
        persist_key: key,
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    wait_for("the stored id", 2_000, || kept_ids(&root) == ["987654321"]).await;
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"fresh", "fresh.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    wait_for("both kept", 2_000, || kept_ids(&root).len() == 2).await;
    let fresh = kept_ids(&root)[1].clone();

    click(&root, "[data-ta=attach-button]");
    wait_for("the attach, and the file that could not go", 10_000, || {
        text(&query(&root, "[data-ta=attach-status]").unwrap())
            == "1 file attached to DEMO-2. The kept file had expired or was attached already"
    })
    .await;
    assert!(kept_ids(&root).is_empty());
    let (_, attached) = get_json(&format!("{}/v2/issues/DEMO-2/attachments", server())).await;
    assert!(
        attached.contains(&format!("\"id\":\"{fresh}\"")),
        "{attached}"
    );
}

#[wasm_bindgen_test]
async fn a_comment_whose_kept_files_all_expired_is_posted_alone() {
    let key = unique_key("all-expired");
    store_expired_in_session(&key, "987654322");
    let options = WidgetOptions {
        persist: Persist::Session,
        persist_key: key,
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    wait_for("the stored id", 2_000, || kept_ids(&root) == ["987654322"]).await;
    // Unique: the server's issue outlives one run of the tests.
    let remark = unique_key("said anyway");
    assert_eq!(
        controller.attach("DEMO-2".into(), remark.clone()).await,
        Ok(Vec::new())
    );
    let (_, comments) = get_json(&format!("{}/v2/issues/DEMO-2/comments", server())).await;
    assert!(comments.contains(&remark), "{comments}");
    assert!(kept_ids(&root).is_empty());
    wait_for("the status", 2_000, || {
        text(&query(&root, "[data-ta=attach-status]").unwrap())
            == "Comment posted to DEMO-2. The kept file had expired or was attached already"
    })
    .await;
}

/// Attaches `ids` to `issue` past the widget (T8), as another page or an
/// attach whose answer was lost did.
async fn attach_directly(issue: &str, ids: &[String]) {
    let quoted: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    let (status, body) = send_json(
        "PATCH",
        &format!("{}/v2/issues/{issue}", server()),
        Some(&format!(r#"{{"attachmentIds":[{}]}}"#, quoted.join(","))),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[wasm_bindgen_test]
async fn a_comment_goes_with_the_rest_when_a_kept_id_went_to_another_issue() {
    // The first file was attached to DEMO-2 by other means: the comment for
    // DEMO-3 must still be posted, with the second file.
    let (root, _handle) = uploaded_for(
        "DEMO-3",
        &[
            file(b"elsewhere", "elsewhere.txt", "text/plain"),
            file(b"here", "here.txt", "text/plain"),
        ],
    )
    .await;
    let ids = kept_ids(&root);
    attach_directly("DEMO-2", &ids[..1]).await;
    let remark = unique_key("not lost");
    let comment: HtmlInputElement = query(&root, "[data-ta=attach-comment]")
        .unwrap()
        .unchecked_into();
    comment.set_value(&remark);
    comment
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    click(&root, "[data-ta=attach-button]");
    // The comment that went with the file is said too.
    wait_for("the attach", 10_000, || {
        text(&query(&root, "[data-ta=attach-status]").unwrap())
            == "1 file attached to DEMO-3. Comment posted to DEMO-3. \
                The kept file had expired or was attached already"
    })
    .await;
    let (_, comments) = get_json(&format!("{}/v2/issues/DEMO-3/comments", server())).await;
    assert_eq!(comments.matches(&remark).count(), 1, "{comments}");
    let (_, attached) = get_json(&format!("{}/v2/issues/DEMO-3/attachments", server())).await;
    assert!(
        attached.contains(&format!("\"id\":\"{}\"", ids[1])),
        "{attached}"
    );
}

#[wasm_bindgen_test]
async fn kept_ids_attached_already_are_dropped_and_the_rest_attach() {
    let (root, _handle) = uploaded_for(
        "DEMO-2",
        &[
            file(b"early", "early.txt", "text/plain"),
            file(b"again", "again.txt", "text/plain"),
            file(b"later", "later.txt", "text/plain"),
        ],
    )
    .await;
    let ids = kept_ids(&root);
    assert_eq!(ids.len(), 3);
    // The first two went onto DEMO-1 already: an attach whose answer was
    // lost, or a form that posted the ids. Their metadata still reads (T11:
    // 200), and the server's 422 names one id at a time.
    attach_directly("DEMO-1", &ids[..2]).await;
    let (status, _) = get_json(&format!("{}/v2/attachments/{}", server(), ids[0])).await;
    assert_eq!(status, 200);

    click(&root, "[data-ta=attach-button]");
    wait_for(
        "the attach, and the files that could not go",
        10_000,
        || {
            text(&query(&root, "[data-ta=attach-status]").unwrap())
                == "1 file attached to DEMO-2. 2 kept files had expired or were attached already"
        },
    )
    .await;
    assert!(kept_ids(&root).is_empty());
    let (_, attached) = get_json(&format!("{}/v2/issues/DEMO-2/attachments", server())).await;
    assert!(
        attached.contains(&format!("\"id\":\"{}\"", ids[2])),
        "{attached}"
    );
}

/// Another tab's write to `localStorage`, as this tab's window receives it.
fn storage_event_from_another_tab(key: &str, new_value: Option<&str>) {
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    match new_value {
        Some(value) => local.set_item(key, value).unwrap(),
        None => local.remove_item(key).unwrap(),
    }
    storage_event_arrives(key, new_value);
}

/// The `storage` event of another tab's write, arriving in this tab (maybe
/// late: storage may hold a newer list by then).
fn storage_event_arrives(key: &str, new_value: Option<&str>) {
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage_event_in(&local, key, new_value);
}

/// The same for a write to `area`, `localStorage` or `sessionStorage`.
fn storage_event_in(area: &web_sys::Storage, key: &str, new_value: Option<&str>) {
    let init = web_sys::StorageEventInit::new();
    init.set_key(Some(key));
    init.set_new_value(new_value);
    init.set_storage_area(Some(area));
    let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn local_persistence_follows_another_tabs_list() {
    let key = unique_key("tabs");
    let options = WidgetOptions {
        persist: Persist::Local,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"mine", "mine.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    let mine = kept_ids(&root);

    // The other tab added a file: its list (ours plus its own) is stored.
    let mut theirs = tracker_attachments::KeptAttachments::default();
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(&storage_key(&key))
        .unwrap()
        .unwrap();
    for attachment in tracker_attachments::KeptAttachments::from_json(&stored)
        .unwrap()
        .items()
    {
        theirs.add(attachment.clone());
    }
    theirs.add(kept_item("other-tab-1"));
    storage_event_from_another_tab(&storage_key(&key), Some(&theirs.to_json()));
    wait_for("the other tab's file in this list", 5_000, || {
        kept_ids(&root).len() == 2
    })
    .await;
    assert_eq!(kept_ids(&root)[0], mine[0]);
    assert_eq!(kept_ids(&root)[1], "other-tab-1");

    // A change under another key, or in sessionStorage, is not ours. Were
    // either taken for ours, the list would be read again from storage: so
    // storage holds another list under our key by then (as when a tab's
    // write is here before its event), which must not come in. The handler
    // runs within the dispatch: the list right after it is the outcome.
    let window = web_sys::window().unwrap();
    let local = window.local_storage().unwrap().unwrap();
    let session = window.session_storage().unwrap().unwrap();
    let both = local.get_item(&storage_key(&key)).unwrap().unwrap();
    let mut only_mine = tracker_attachments::KeptAttachments::from_json(&both).unwrap();
    assert!(only_mine.remove("other-tab-1"));
    local
        .set_item(&storage_key(&key), &only_mine.to_json())
        .unwrap();
    storage_event_in(&local, "tracker-attachments:someone-else", Some("[]"));
    assert_eq!(
        controller.kept.with_untracked(|k| k.ids()),
        [mine[0].clone(), "other-tab-1".into()],
        "a change under another key"
    );
    session
        .set_item(&storage_key(&key), &only_mine.to_json())
        .unwrap();
    storage_event_in(&session, &storage_key(&key), Some(&only_mine.to_json()));
    session.remove_item(&storage_key(&key)).unwrap();
    assert_eq!(
        controller.kept.with_untracked(|k| k.ids()),
        [mine[0].clone(), "other-tab-1".into()],
        "a change in sessionStorage"
    );
    // The other tab attached everything: the list empties here too, and
    // the row uploaded here goes with its item, so the same file may be
    // added again rather than refused as already listed.
    storage_event_from_another_tab(&storage_key(&key), None);
    wait_for("the emptied list", 5_000, || kept_ids(&root).is_empty()).await;
    wait_for("the row gone with its item", 2_000, || {
        query_all(&root, "[data-ta=row]").is_empty()
    })
    .await;
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"mine", "mine.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    forget_local(&key);
}

/// A `persist: local` widget with nothing to keep writes no key: a page
/// that never kept anything leaves nothing in `localStorage`. A list that
/// is stored is written on (emptied, its expired removals forgotten), not
/// removed: another tab may have stored an id since it was read.
#[wasm_bindgen_test]
async fn a_local_list_with_nothing_to_tell_writes_no_key() {
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let local_options = |key: &str| WidgetOptions {
        persist: Persist::Local,
        persist_key: key.to_owned(),
        ..dev_options(server(), "dev-token")
    };
    let nothing = unique_key("nothing");
    let root = container();
    let _first = mount_widget(root.clone(), local_options(&nothing));

    // A second widget, mounted after the first (whose mount has stored by
    // the time this one has): its expired removal is forgotten.
    let stale = unique_key("stale");
    local
        .set_item(
            &storage_key(&stale),
            r#"{"v":1,"items":[],"gone":[{"id":"long-gone","at":1000}]}"#,
        )
        .unwrap();
    let root = container();
    let _second = mount_widget(root.clone(), local_options(&stale));
    let stored = || {
        local
            .get_item(&storage_key(&stale))
            .unwrap()
            .and_then(|text| KeptAttachments::from_json(&text))
    };
    wait_for("the expired removal forgotten", 5_000, || {
        stored().is_some_and(|k| k.is_empty() && k.removed_ids().is_empty())
    })
    .await;
    assert_eq!(local.get_item(&storage_key(&nothing)).unwrap(), None);

    // An upload stores the list, and removing it stores the removal.
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"kept", "kept.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
    let id = kept_ids(&root)[0].clone();
    query(&root, "[data-ta=kept-item] button")
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    wait_for("the removal stored", 5_000, || {
        stored().is_some_and(|k| k.is_empty() && k.removed_ids() == [id.clone()])
    })
    .await;
    forget_local(&stale);
}

#[wasm_bindgen_test]
async fn tabs_storing_at_about_the_same_time_keep_both_lists() {
    let key = unique_key("race");
    let options = WidgetOptions {
        persist: Persist::Local,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, &[file(b"mine", "mine.txt", "text/plain")]);
    wait_all_done(&root, 1).await;
    let mine = kept_ids(&root)[0].clone();

    // The other tab stores its list (ours plus its own file); its storage
    // event has not reached this tab yet when this tab stores its next.
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let stored = || {
        tracker_attachments::KeptAttachments::from_json(
            &local.get_item(&storage_key(&key)).unwrap().unwrap(),
        )
        .unwrap()
        .ids()
    };
    let mut theirs = tracker_attachments::KeptAttachments::from_json(
        &local.get_item(&storage_key(&key)).unwrap().unwrap(),
    )
    .unwrap();
    theirs.add(kept_item("other-tab-2"));
    local
        .set_item(&storage_key(&key), &theirs.to_json())
        .unwrap();
    drop_files(&zone, &[file(b"next", "next.txt", "text/plain")]);
    wait_all_done(&root, 2).await;
    wait_for("both tabs' files here", 5_000, || {
        kept_ids(&root).len() == 3
    })
    .await;
    let next = kept_ids(&root)[2].clone();
    assert_eq!(
        kept_ids(&root),
        [mine.clone(), "other-tab-2".into(), next.clone()]
    );
    assert_eq!(stored(), kept_ids(&root), "stored for the other tab too");

    // Its event comes late, with a list older than the stored one: nothing
    // of this tab's is lost to it (the handler runs within the dispatch).
    storage_event_arrives(&storage_key(&key), Some(&theirs.to_json()));
    let kept = controller.kept.with_untracked(|k| k.ids());
    assert_eq!(kept, [mine, "other-tab-2".into(), next]);
}

#[wasm_bindgen_test]
async fn a_list_cleared_as_the_widget_mounts_is_drawn_empty() {
    // A host that clears the restored list in the task that mounts the
    // widget (a page that has just submitted the ids, say).
    let key = unique_key("cleared-at-mount");
    let mut restored = KeptAttachments::new();
    restored.add(kept_item("restored-1"));
    restored.add(kept_item("restored-2"));
    save_kept(Persist::Session, &storage_key(&key), &restored);
    let options = WidgetOptions {
        persist: Persist::Session,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    assert_eq!(kept_ids(&root).len(), 2, "drawn from storage first");
    controller.clear();
    wait_for("the cleared list to be drawn", 2_000, || {
        kept_ids(&root).is_empty()
            && query(&root, "input[type=hidden][name=attachmentIds]").is_none()
    })
    .await;
    assert!(load_kept(Persist::Session, &storage_key(&key)).is_empty());
}

#[wasm_bindgen_test]
async fn restrictions_count_the_kept_list_restored_after_a_reload() {
    // Two kept before the reload; the page allows three files.
    let key = unique_key("restored-limits");
    let mut restored = KeptAttachments::new();
    restored.add(kept_item("one"));
    restored.add(kept_item("two"));
    save_kept(Persist::Session, &storage_key(&key), &restored);
    let options = WidgetOptions {
        persist: Persist::Session,
        persist_key: key.clone(),
        restrictions: tracker_attachments::core::Restrictions {
            max_files: Some(3),
            ..Default::default()
        },
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[
            // `kept_item("one")` is one.txt of one byte: the same file.
            file(b"1", "one.txt", "text/plain"),
            file(b"new", "new.txt", "text/plain"),
            file(b"more", "more.txt", "text/plain"),
        ],
    );
    wait_for("the three rows", 2_000, || {
        query_all(&root, "[data-ta=row]").len() == 3
    })
    .await;
    let states: Vec<Option<String>> = query_all(&root, "[data-ta=row]")
        .iter()
        .map(|r| attr(r, "data-state"))
        .collect();
    assert_eq!(states[0].as_deref(), Some("refused"), "a second copy");
    assert_ne!(states[1].as_deref(), Some("refused"));
    assert_eq!(states[2].as_deref(), Some("refused"), "a fourth file");
    let status = text(&query(&query_all(&root, "[data-ta=row]")[2], "[data-ta=status]").unwrap());
    assert!(status.contains('3'), "{status}");
}

#[wasm_bindgen_test]
async fn removing_a_done_row_or_its_kept_item_removes_both() {
    let key = unique_key("remove-both");
    let options = WidgetOptions {
        persist: Persist::Session,
        persist_key: key.clone(),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[
            file(b"row", "by-row.txt", "text/plain"),
            file(b"kept", "by-kept.txt", "text/plain"),
        ],
    );
    wait_all_done(&root, 2).await;
    wait_for("both kept", 2_000, || kept_ids(&root).len() == 2).await;
    let row_named = |name: &str| {
        query_all(&root, "[data-ta=row]")
            .into_iter()
            .find(|r| text(r).contains(name))
    };
    // Removed from the uploads, the file is not submitted either.
    click(&row_named("by-row.txt").unwrap(), "[data-ta=remove]");
    wait_for("one kept", 2_000, || kept_ids(&root).len() == 1).await;
    // Removed from the kept list, its row goes too, and the same file
    // may be added again.
    let item = query(&root, "[data-ta=kept-item]").unwrap();
    click(&item, "button");
    wait_for("no row and nothing kept", 2_000, || {
        query_all(&root, "[data-ta=row]").is_empty() && kept_ids(&root).is_empty()
    })
    .await;
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"kept", "by-kept.txt", "text/plain")],
    );
    wait_all_done(&root, 1).await;
}

/// `AttachmentsChange` events of a widget, as lists of ids.
fn told_ids(
    options: WidgetOptions,
) -> (
    WidgetOptions,
    std::rc::Rc<std::cell::RefCell<Vec<Vec<String>>>>,
) {
    use tracker_attachments::ui::{EventHandler, WidgetEvent};
    let told = std::rc::Rc::new(std::cell::RefCell::new(Vec::<Vec<String>>::new()));
    let sink = told.clone();
    let options = WidgetOptions {
        on_event: Some(EventHandler::new(move |event| {
            if let WidgetEvent::AttachmentsChange(items) = event {
                sink.borrow_mut()
                    .push(items.iter().map(|a| a.id.clone()).collect());
            }
        })),
        ..options
    };
    (options, told)
}

#[wasm_bindgen_test]
async fn the_last_change_is_told_before_the_idle_and_no_change_twice() {
    use tracker_attachments::ui::{EventHandler, WidgetEvent};
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let sink = log.clone();
    let options = WidgetOptions {
        persist: Persist::None,
        on_event: Some(EventHandler::new(move |event| match event {
            WidgetEvent::AttachmentsChange(items) => {
                sink.borrow_mut().push(format!("change {}", items.len()))
            }
            WidgetEvent::BusyChange { busy, .. } => sink.borrow_mut().push(format!("busy {busy}")),
            _ => {}
        })),
        ..dev_options(server(), "dev-token")
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[
            file(b"one", "idle-one.txt", "text/plain"),
            file(b"two", "idle-two.txt", "text/plain"),
        ],
    );
    wait_for("the idle", 20_000, || {
        log.borrow().last().map(String::as_str) == Some("busy false")
    })
    .await;
    // A page that submits at the idle has heard the whole list.
    let at_idle = log.borrow().clone();
    assert_eq!(
        at_idle.iter().rev().nth(1).map(String::as_str),
        Some("change 2"),
        "{at_idle:?}"
    );
    // The paced list catches up a task later: nothing new to tell.
    next_tick(50).await;
    assert_eq!(*log.borrow(), at_idle);
    controller.clear();
    wait_for("the emptied list told", 2_000, || {
        log.borrow().last().map(String::as_str) == Some("change 0")
    })
    .await;
    let told = log.borrow().len();
    controller.clear();
    next_tick(50).await;
    assert_eq!(log.borrow().len(), told, "{:?}", log.borrow());
}

#[wasm_bindgen_test]
async fn at_the_idle_another_tabs_list_is_told_before_it() {
    use tracker_attachments::ui::{EventHandler, WidgetEvent};
    let key = unique_key("idle-tabs");
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let sink = log.clone();
    let options = WidgetOptions {
        persist: Persist::Local,
        persist_key: key.clone(),
        on_event: Some(EventHandler::new(move |event| match event {
            WidgetEvent::AttachmentsChange(items) => {
                sink.borrow_mut().push(format!("change {}", items.len()))
            }
            WidgetEvent::BusyChange {
                busy,
                attachment_ids,
                ..
            } => sink
                .borrow_mut()
                .push(format!("busy {busy} {}", attachment_ids.len())),
            _ => {}
        })),
        ..dev_options(slow_server(), "dev-token")
    };
    let root = container();
    let _handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"slow", "slow.txt", "text/plain")],
    );
    wait_for("the upload under way", 5_000, || {
        query(&root, "[data-ta=row][data-state=uploading]").is_some()
    })
    .await;
    // Another tab stores its file meanwhile; its event is still to come.
    let mut theirs = KeptAttachments::new();
    theirs.add(kept_item("from-the-other-tab"));
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(&storage_key(&key), &theirs.to_json())
        .unwrap();
    wait_for("the idle", 20_000, || {
        log.borrow()
            .last()
            .is_some_and(|l| l.starts_with("busy false"))
    })
    .await;
    let at_idle = log.borrow().clone();
    assert_eq!(
        at_idle[at_idle.len() - 2..],
        ["change 2".to_owned(), "busy false 2".to_owned()],
        "{at_idle:?}"
    );
    next_tick(50).await;
    assert_eq!(*log.borrow(), at_idle);
    forget_local(&key);
}

/// A widget keeping its list in `localStorage` under `key`, the lists it
/// told the host, and its mount; `files` dropped on it and uploaded.
async fn local_widget_uploading(
    key: &str,
    files: &[web_sys::File],
) -> (
    web_sys::HtmlElement,
    tracker_attachments::ui::Controller,
    std::rc::Rc<std::cell::RefCell<Vec<Vec<String>>>>,
    impl Sized,
) {
    let (options, told) = told_ids(WidgetOptions {
        persist: Persist::Local,
        persist_key: key.to_owned(),
        ..dev_options(server(), "dev-token")
    });
    let root = container();
    let (handle, controller) = mount_with_controller(root.clone(), options);
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), files);
    wait_all_done(&root, files.len()).await;
    (root, controller, told, handle)
}

#[wasm_bindgen_test]
async fn another_tabs_list_written_from_a_stale_read_removes_no_id_here() {
    let key = unique_key("stale");
    let (root, controller, told, _handle) = local_widget_uploading(
        &key,
        &[
            file(b"one", "one.txt", "text/plain"),
            file(b"two", "two.txt", "text/plain"),
        ],
    )
    .await;
    wait_for("both kept", 5_000, || kept_ids(&root).len() == 2).await;
    let mine = kept_ids(&root);

    // The other tab stored its list from a read that did not show this
    // tab's: its own id only, and no removals.
    let mut theirs = KeptAttachments::new();
    theirs.add(kept_item("other-tab"));
    storage_event_from_another_tab(&storage_key(&key), Some(&theirs.to_json()));
    wait_for("the other tab's id joining ours", 5_000, || {
        kept_ids(&root).len() == 3
    })
    .await;
    let all = [mine[0].clone(), mine[1].clone(), "other-tab".into()];
    let mut held = kept_ids(&root);
    held.sort();
    let mut expected = all.to_vec();
    expected.sort();
    assert_eq!(held, expected);
    // Stored again, so that the other tab hears of this tab's ids.
    wait_for("the stored list with every id", 5_000, || {
        let mut stored = load_kept(Persist::Local, &storage_key(&key)).ids();
        stored.sort();
        stored == expected
    })
    .await;
    assert_eq!(told.borrow().last().map(Vec::len), Some(3));
    // A list that lacks one of this tab's ids, from a read older still,
    // though it has all this tab holds otherwise: stored again with it.
    let mut older = KeptAttachments::new();
    for attachment in load_kept(Persist::Local, &storage_key(&key)).items() {
        if attachment.id != mine[1] {
            older.add(attachment.clone());
        }
    }
    let told_before = told.borrow().len();
    storage_event_from_another_tab(&storage_key(&key), Some(&older.to_json()));
    wait_for("this tab's id stored again", 5_000, || {
        load_kept(Persist::Local, &storage_key(&key))
            .ids()
            .contains(&mine[1])
    })
    .await;
    assert_eq!(kept_ids(&root).len(), 3);
    assert_eq!(told.borrow().len(), told_before, "nothing new for the host");

    // A removal told by the other tab spreads here.
    let mut theirs = load_kept(Persist::Local, &storage_key(&key));
    assert!(theirs.remove(&mine[0]));
    storage_event_from_another_tab(&storage_key(&key), Some(&theirs.to_json()));
    wait_for("the removal told", 5_000, || kept_ids(&root).len() == 2).await;
    assert!(!kept_ids(&root).contains(&mine[0]));
    // And this tab's own removal is told on to the others.
    controller.remove_kept(&mine[1]);
    wait_for("this tab's removal stored", 5_000, || {
        let stored = load_kept(Persist::Local, &storage_key(&key));
        stored.ids() == ["other-tab"] && stored.removed_ids().contains(&mine[1])
    })
    .await;
    forget_local(&key);
}

#[wasm_bindgen_test]
async fn removals_heard_of_ids_not_here_tell_the_host_nothing() {
    let key = unique_key("tombstones-only");
    let (root, controller, told, _handle) =
        local_widget_uploading(&key, &[file(b"mine", "mine.txt", "text/plain")]).await;
    wait_for("the list told", 5_000, || {
        told.borrow().last().is_some_and(|ids| ids.len() == 1)
    })
    .await;
    next_tick(50).await;
    let told_before = told.borrow().len();
    // The other tab removed an id this tab never had: same attachments.
    let mut theirs = load_kept(Persist::Local, &storage_key(&key));
    theirs.add(kept_item("gone-elsewhere"));
    theirs.remove("gone-elsewhere");
    storage_event_from_another_tab(&storage_key(&key), Some(&theirs.to_json()));
    // The handler runs within the dispatch; effects would run by now.
    next_tick(50).await;
    assert_eq!(told.borrow().len(), told_before, "{:?}", told.borrow());
    assert_eq!(
        controller.kept.with_untracked(|k| k.removed_ids()),
        ["gone-elsewhere"],
        "the removal is kept, to be told on"
    );
    assert_eq!(kept_ids(&root).len(), 1);
    forget_local(&key);
}

/// The page switches lists (another issue's `persist_key`) while a file
/// goes out: the file ends in the list it was dropped for, not the one
/// shown when its answer comes. Where the key only names the same list
/// anew (`set_options_moving_uploads`), it follows the move.
#[wasm_bindgen_test]
async fn an_upload_ends_in_the_list_it_was_dropped_for() {
    let (first, second, renamed) = (
        unique_key("issue-41"),
        unique_key("issue-42"),
        unique_key("renamed"),
    );
    let options = |key: &str| WidgetOptions {
        persist: Persist::Session,
        persist_key: key.to_owned(),
        // Answers four seconds late: time to switch meanwhile.
        ..dev_options(slow_server(), "dev-token")
    };
    let stored = |key: &str| {
        load_kept(Persist::Session, &storage_key(key))
            .items()
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
    };
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), options(&first));
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"for 41", "for-41.txt", "text/plain")],
    );
    wait_for("the upload to go out", 5_000, || {
        query(&root, "[data-ta=row][data-state=uploading]").is_some()
    })
    .await;
    controller.set_options(options(&second));
    wait_all_done(&root, 1).await;
    assert_eq!(stored(&first), ["for-41.txt"]);
    assert!(stored(&second).is_empty());
    assert!(kept_ids(&root).is_empty());
    assert!(controller.attachments().is_empty(), "not issue 42's");
    controller.set_options(options(&first));
    wait_for("the file back with its list", 5_000, || {
        kept_ids(&root).len() == 1
    })
    .await;

    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"moved", "moved.txt", "text/plain")],
    );
    wait_for("the second upload to go out", 5_000, || {
        query(&root, "[data-ta=row][data-state=uploading]").is_some()
    })
    .await;
    controller.set_options_moving_uploads(options(&renamed));
    wait_all_done(&root, 2).await;
    let mut names = stored(&renamed);
    names.sort();
    assert_eq!(names, ["for-41.txt", "moved.txt"]);
    assert!(stored(&first).is_empty());
    wait_for("both shown", 5_000, || kept_ids(&root).len() == 2).await;

    // Back to the first key, a switch: a file dropped now is its own, not
    // the moved list's (the move is of the files before it).
    controller.set_options(options(&first));
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"after", "after.txt", "text/plain")],
    );
    wait_all_done(&root, 3).await;
    assert_eq!(stored(&first), ["after.txt"]);
    assert_eq!(stored(&renamed).len(), 2);
    wait_for("the new file shown", 5_000, || kept_ids(&root).len() == 1).await;
}
