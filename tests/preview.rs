//! Local previews: decoded already shrunk, shown from a small PNG, and
//! refused (so the row keeps its type icon) for what the browser cannot read.
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use tracker_attachments::web::{downscaled_preview, PREVIEW_WIDTH};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::HtmlImageElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Loads `src` into an image and returns its natural size.
async fn natural_size(src: &str) -> (u32, u32) {
    let img: HtmlImageElement = document().create_element("img").unwrap().unchecked_into();
    img.set_src(src);
    JsFuture::from(img.decode())
        .await
        .expect("the preview decodes");
    (img.natural_width(), img.natural_height())
}

#[wasm_bindgen_test]
async fn an_image_becomes_a_small_png_with_its_aspect_ratio() {
    let source = file(&PNG_40X20, "red.png", "image/png");
    let preview = downscaled_preview(&source).await.expect("a preview");
    assert!(preview.as_str().starts_with("blob:"));
    assert_eq!(
        natural_size(preview.as_str()).await,
        (PREVIEW_WIDTH, PREVIEW_WIDTH / 2)
    );
}

#[wasm_bindgen_test]
async fn what_the_browser_cannot_decode_has_no_preview() {
    let heic = file(b"\0\0\0\x18ftypheic not really", "photo.heic", "image/heic");
    assert!(downscaled_preview(&heic).await.is_err());
    let broken = file(b"\x89PNG broken", "broken.png", "image/png");
    assert!(downscaled_preview(&broken).await.is_err());
}

#[wasm_bindgen_test]
async fn a_row_shows_the_small_preview_while_its_file_uploads() {
    // The slow server answers after four seconds: time to see the preview.
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(slow_server(), "dev-token"));
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(&PNG_40X20, "red.png", "image/png")],
    );
    wait_for("the local preview", 4_000, || {
        query(&root, "img[data-ta=preview]").is_some()
    })
    .await;
    let img: HtmlImageElement = query(&root, "img[data-ta=preview]")
        .unwrap()
        .unchecked_into();
    assert!(img.src().starts_with("blob:"));
    JsFuture::from(img.decode())
        .await
        .expect("the preview decodes");
    assert_eq!(img.natural_width(), PREVIEW_WIDTH);
}
