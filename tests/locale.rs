//! Languages in headless Chromium: every word and number of the widget
//! follows its locale, and switches with it at run time.
#![cfg(target_arch = "wasm32")]

mod support;

use leptos::prelude::WithUntracked;
use support::*;
use tracker_attachments::core::Restrictions;
use tracker_attachments::Locale;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn status_of(row: &web_sys::Element) -> String {
    text(&query(row, "[data-ta=status]").unwrap())
}

#[wasm_bindgen_test]
async fn russian_then_english_at_run_time() {
    let root = container();
    let mut options = dev_options(server(), "dev-token");
    options.locale = Some(Locale::Ru.into());
    options.restrictions = Restrictions {
        max_file_size: Some(1024),
        ..Restrictions::default()
    };
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    let widget = query(&root, "[data-ta=widget]").unwrap();
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    let live = query(&root, "[data-ta=live]").unwrap();
    let summary = query(&root, "[data-ta=summary]").unwrap();
    assert_eq!(attr(&widget, "lang").as_deref(), Some("ru"));
    assert!(
        text(&zone).starts_with("Перетащите файлы сюда"),
        "{}",
        text(&zone)
    );
    // The accessible name starts with the words shown.
    let label = attr(&zone, "aria-label").unwrap();
    assert!(label.starts_with(&text(&zone)), "{label}");

    // Two files, both too large: nothing uploads, so the news stays.
    drop_files(
        &zone,
        &[
            file(&[0u8; 2048], "big.txt", "text/plain"),
            file(&[0u8; 3072], "bigger.txt", "text/plain"),
        ],
    );
    wait_for("two refused rows", 2_000, || {
        query_all(&root, "[data-ta=row][data-state=refused]").len() == 2
    })
    .await;
    // The drop and both refusals, told together in Russian (the second
    // used to replace the first before a screen reader had read it).
    wait_for("the refusals in the live region", 2_000, || {
        text(&live)
            == "Добавлено 2 файла. \
                Файл «big.txt» не загружен: Слишком большой: 2,0\u{a0}КБ (не больше 1,0\u{a0}КБ). \
                Файл «bigger.txt» не загружен: Слишком большой: 3,0\u{a0}КБ (не больше 1,0\u{a0}КБ)"
    })
    .await;
    let rows = query_all(&root, "[data-ta=row]");
    assert_eq!(
        status_of(&rows[0]),
        "Слишком большой: 2,0\u{a0}КБ (не больше 1,0\u{a0}КБ)"
    );
    assert_eq!(
        text(&query(&rows[0], "[data-ta=remove]").unwrap()),
        "Убрать"
    );
    assert!(text(&rows[1]).contains("3,0\u{a0}КБ"), "{}", text(&rows[1]));

    // One that uploads: its row, the summary and the news in Russian.
    drop_files(&zone, &[file(b"ok", "ok.txt", "text/plain")]);
    wait_for("the upload", 15_000, || {
        query(&root, "[data-ta=row][data-state=done]").is_some()
    })
    .await;
    let done = query(&root, "[data-ta=row][data-state=done]").unwrap();
    assert_eq!(status_of(&done), "Загружено");
    wait_for("the news of the upload", 2_000, || {
        text(&live) == "Файл «ok.txt» загружен"
    })
    .await;
    assert!(
        text(&summary).starts_with("Загружено 1 из 1 · 2\u{a0}Б из 2\u{a0}Б"),
        "{}",
        text(&summary)
    );
    assert_eq!(
        text(&query(&root, "[data-ta=kept] .ta-kept-title").unwrap()),
        "Готовы к прикреплению"
    );

    controller.set_locale(Locale::En);
    wait_for("the switch to English", 2_000, || {
        attr(&widget, "lang").as_deref() == Some("en")
    })
    .await;
    wait_for("English everywhere", 2_000, || {
        status_of(&done) == "Uploaded"
    })
    .await;
    // But for the last news, which is not news again in another language:
    // set anew, it would be read out a second time.
    assert_eq!(text(&live), "Файл «ok.txt» загружен");
    let rows = query_all(&root, "[data-ta=row]");
    assert_eq!(
        status_of(&rows[0]),
        "Too large: 2.0\u{a0}KB (at most 1.0\u{a0}KB)"
    );
    assert_eq!(
        text(&query(&rows[0], "[data-ta=remove]").unwrap()),
        "Remove"
    );
    assert!(text(&summary).starts_with("1 of 1 uploaded · 2\u{a0}B of 2\u{a0}B"));
    assert!(text(&zone).starts_with("Drop files here or"));
    assert_eq!(
        text(&query(&root, "[data-ta=kept] .ta-kept-title").unwrap()),
        "Ready to attach"
    );
}

#[wasm_bindgen_test]
async fn without_a_locale_the_browser_language_decides() {
    let navigator = js_sys::Reflect::get(&web_sys::window().unwrap(), &js("navigator")).unwrap();
    let languages = js_sys::Reflect::get(&navigator, &js("languages")).unwrap();
    let language = js_sys::Reflect::get(&navigator, &js("language")).unwrap();
    let asked: Vec<String> = js_sys::Array::from(&languages)
        .iter()
        .filter_map(|v| v.as_string())
        .chain(language.as_string())
        .collect();
    let expected = Locale::negotiate(asked.iter().map(String::as_str));
    // Headless Chromium asks for en-US.
    if asked.first().is_some_and(|l| l.starts_with("en")) {
        assert_eq!(expected, Locale::En);
    }

    let root = container();
    let mut options = dev_options(server(), "dev-token");
    options.locale = None;
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    let table = controller.wording.with_untracked(|w| w.language().table());
    assert_eq!(table, expected, "{asked:?}");
    let widget = query(&root, "[data-ta=widget]").unwrap();
    assert_eq!(attr(&widget, "lang").as_deref(), Some(expected.tag()));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    assert!(text(&zone).starts_with(expected.messages().drop_here.trim_end()));
}
