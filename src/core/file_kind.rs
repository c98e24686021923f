//! How a file is shown: before the server has seen it, and the thumbnail
//! the server returns.

/// Images the browser can be expected to decode for a local preview.
/// HEIC/HEIF decode only in Safari; elsewhere they would show a broken
/// image, so they get the type icon.
pub fn can_preview(mime: &str, name: &str) -> bool {
    let mime = mime.to_ascii_lowercase();
    let lower = name.to_ascii_lowercase();
    let heic = mime.contains("heic")
        || mime.contains("heif")
        || lower.ends_with(".heic")
        || lower.ends_with(".heif");
    mime.starts_with("image/") && !heic
}

/// Whether a server thumbnail of this `Content-Type` may be shown as a
/// `blob:` URL: raster types only. A `blob:` URL has the page's origin, and
/// an SVG (or anything a browser renders as a document) opened from it,
/// as "Open image in new tab" does, runs its scripts there, whatever the
/// page's Content-Security-Policy. Local previews are re-encoded to PNG and
/// need no such check; a server's bytes are shown as they come.
pub fn is_inert_image_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    [
        "image/png",
        "image/apng",
        "image/jpeg",
        "image/pjpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "image/x-icon",
        "image/vnd.microsoft.icon",
    ]
    .iter()
    .any(|inert| essence.eq_ignore_ascii_case(inert))
}

/// The few letters shown in a file's type icon: its extension, upper case,
/// at most four characters; none for a name without one.
pub fn type_label(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => {
            ext.chars().take(4).map(label_upper).collect()
        }
        _ => String::new(),
    }
}

/// Upper case for the letters of our locales, ASCII and Cyrillic; other
/// letters (é, ß, Ukrainian ґ) stay as they are. `char::to_uppercase` would link the whole
/// Unicode case table, 7 KB of gzipped wasm, for an icon's four letters.
fn label_upper(c: char) -> char {
    let shift = match c {
        'a'..='z' | 'а'..='я' => 0x20,
        'ѐ'..='џ' => 0x50,
        _ => 0,
    };
    char::from_u32(c as u32 - shift).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_raster_thumbnails_are_inert() {
        use super::is_inert_image_type as inert;
        assert!(inert("image/png"));
        assert!(inert("IMAGE/JPEG; charset=binary"));
        assert!(inert(" image/webp "));
        assert!(!inert("image/svg+xml"));
        assert!(!inert("Image/SVG+XML;charset=utf-8"));
        assert!(!inert("image/svg"));
        assert!(!inert("text/html"));
        assert!(!inert("image/"));
        assert!(!inert(""));
        assert!(!inert("image/png-but-not"));
    }

    use super::*;

    #[test]
    fn previews_decodable_images_only() {
        assert!(can_preview("image/png", "a.png"));
        assert!(can_preview("IMAGE/JPEG", "a.jpg"));
        assert!(!can_preview("image/heic", "a.heic"));
        assert!(!can_preview("", "IMG_0001.HEIC"));
        assert!(!can_preview("image/jpeg", "IMG_0001.HEIF"));
        assert!(!can_preview("application/pdf", "a.pdf"));
        assert!(!can_preview("", "a.png"));
    }

    #[test]
    fn labels_by_extension() {
        assert_eq!(type_label("report.pdf"), "PDF");
        assert_eq!(type_label("IMG_0001.heic"), "HEIC");
        assert_eq!(type_label("archive.tar.gzip"), "GZIP");
        assert_eq!(type_label("data.parquet"), "PARQ");
        assert_eq!(type_label("отчёт.док"), "ДОК");
        assert_eq!(type_label("заметки.ёж"), "ЁЖ");
        assert_eq!(type_label("photo.JpG"), "JPG");
        // Other scripts keep their letters.
        assert_eq!(type_label("a.ßé"), "ßé");
        assert_eq!(type_label(".bashrc"), "");
        assert_eq!(type_label("README"), "");
        assert_eq!(type_label("trailing."), "");
    }
}
