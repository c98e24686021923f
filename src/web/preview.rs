//! Local previews of picked images: the browser decodes the file already
//! shrunk (`createImageBitmap` with a resize width, off the main thread),
//! draws it into a small canvas and encodes that, and the row shows the
//! result through a `blob:` URL. Showing the file itself would decode a
//! 48-megapixel photo at full size for a 3rem square, a thousand times over
//! for a thousand photos. The file's bytes never reach WebAssembly.

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, CanvasRenderingContext2d, File, HtmlCanvasElement, ImageBitmap, ImageBitmapOptions,
    ResizeQuality,
};

use super::{js_error_text, ObjectUrl};

/// Width of a preview in pixels: the row's 3rem box at twice the density.
pub const PREVIEW_WIDTH: u32 = 96;

/// A downscaled preview of `file`, or why there is none (a HEIC or a corrupt
/// file the browser cannot decode: the row keeps its type icon).
pub async fn downscaled_preview(file: &File) -> Result<ObjectUrl, String> {
    let window = web_sys::window().ok_or("no window")?;
    let options = ImageBitmapOptions::new();
    options.set_resize_width(PREVIEW_WIDTH);
    options.set_resize_quality(ResizeQuality::Medium);
    let decoding = window
        .create_image_bitmap_with_blob_and_image_bitmap_options(file, &options)
        .map_err(|e| js_error_text(&e))?;
    let bitmap: ImageBitmap = JsFuture::from(decoding)
        .await
        .map_err(|e| js_error_text(&e))?
        .dyn_into()
        .map_err(|_| "not an image bitmap".to_owned())?;
    let drawn = draw(&bitmap).await;
    // The decoded pixels go at once, whatever happened to the drawing.
    bitmap.close();
    ObjectUrl::new(&drawn?)
}

/// The bitmap, encoded as a PNG blob by way of a canvas of its size.
async fn draw(bitmap: &ImageBitmap) -> Result<Blob, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| js_error_text(&e))?
        .unchecked_into();
    canvas.set_width(bitmap.width().max(1));
    canvas.set_height(bitmap.height().max(1));
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|e| js_error_text(&e))?
        .ok_or("no 2d context")?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap(bitmap, 0.0, 0.0)
        .map_err(|e| js_error_text(&e))?;
    // `toBlob` calls back once, with null when encoding failed.
    let encoded = Promise::new(&mut |resolve: Function, _reject: Function| {
        let on_blob = resolve.clone();
        let callback = wasm_bindgen::closure::Closure::once_into_js(move |blob: JsValue| {
            let _ = on_blob.call1(&JsValue::NULL, &blob);
        });
        if canvas
            .to_blob_with_type(callback.unchecked_ref(), "image/png")
            .is_err()
        {
            // Never called back: settle here so the await ends.
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
    });
    let blob = JsFuture::from(encoded)
        .await
        .map_err(|e| js_error_text(&e))?;
    blob.dyn_into::<Blob>()
        .map_err(|_| "the preview could not be encoded".to_owned())
}
