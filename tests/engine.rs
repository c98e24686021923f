//! The upload engine in headless Chromium against the reference server:
//! memory stays flat for large files, cancel stops a running upload, and
//! each mode's backend uploads real `File`s.
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

#[wasm_bindgen_test]
async fn a_256_mib_upload_leaves_wasm_memory_flat() {
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    let before = wasm_memory_bytes();

    drop_files(&zone, &[big_file(256 << 20, "quarter.bin")]);
    wait_for("the row", 2_000, || query(&root, "[data-ta=row]").is_some()).await;
    let row = query(&root, "[data-ta=row]").unwrap();
    let started = js_sys::Date::now();
    wait_for("the 256 MiB upload", 120_000, || {
        let state = attr(&row, "data-state").unwrap_or_default();
        if js_sys::Date::now() - started > 90_000.0 {
            panic!("still {state} after 90 s: {}", text(&row));
        }
        state == "done"
    })
    .await;

    let grown = wasm_memory_bytes() - before;
    assert!(
        grown <= f64::from(2u32 << 20),
        "wasm memory grew by {grown} bytes during a 256 MiB upload"
    );
}

#[wasm_bindgen_test]
async fn cancel_stops_a_running_upload() {
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();

    drop_files(&zone, &[big_file(128 << 20, "eighth.bin")]);
    wait_for("the row", 2_000, || query(&root, "[data-ta=row]").is_some()).await;
    let row = query(&root, "[data-ta=row]").unwrap();
    wait_for("bytes to go out", 30_000, || {
        let state = attr(&row, "data-state").unwrap_or_default();
        assert!(
            state == "queued" || state == "uploading",
            "the upload ended before it could be cancelled: {state}: {}",
            text(&row)
        );
        query(&row, "progress")
            .and_then(|p| attr(&p, "value"))
            .and_then(|v| v.parse::<f64>().ok())
            .is_some_and(|v| v > 0.0)
    })
    .await;
    let cancel: HtmlElement = query(&row, "[data-ta=cancel]").unwrap().unchecked_into();
    cancel.click();
    wait_for("the row to be cancelled", 5_000, || {
        attr(&row, "data-state").as_deref() == Some("cancelled")
    })
    .await;
    assert_eq!(text(&query(&row, "[data-ta=status]").unwrap()), "Cancelled");
    assert!(query(&row, "[data-ta=retry]").is_some());
    assert!(query_all(&root, "[data-ta=kept-id]").is_empty());
}
