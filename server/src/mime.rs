//! Deciding an upload's `mimetype`. The client's word is a hint: content that
//! sniffs as one of the images we thumbnail wins, so a mislabelled photo still
//! gets a thumbnail and a script cannot pose as an image by name alone.

use image::ImageFormat;

pub const OCTET_STREAM: &str = "application/octet-stream";

/// Recognises the image formats we can thumbnail from their magic bytes.
pub fn sniff_image(head: &[u8]) -> Option<ImageFormat> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

pub fn image_mimetype(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Gif => "image/gif",
        ImageFormat::WebP => "image/webp",
        _ => OCTET_STREAM,
    }
}

/// `type/subtype` from a Content-Type value, lower case, parameters dropped;
/// `None` if it is not a well-formed media type (it ends up in a response
/// header later, so it must be clean).
pub fn normalize(content_type: &str) -> Option<String> {
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    let (kind, subtype) = essence.split_once('/')?;
    let is_token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    (is_token(kind) && is_token(subtype)).then_some(essence)
}

/// The stored mimetype: sniffed image type, else the declared type, else a
/// guess from the file name's extension, else `application/octet-stream`.
/// A declared `application/octet-stream` says nothing (browsers send it for
/// any unknown type), so the extension may still improve on it.
pub fn choose(declared: Option<&str>, name: &str, head: &[u8]) -> String {
    if let Some(format) = sniff_image(head) {
        return image_mimetype(format).to_owned();
    }
    let declared = declared.and_then(normalize).filter(|m| m != OCTET_STREAM);
    declared
        .or_else(|| {
            mime_guess::from_path(name)
                .first()
                .map(|m| m.essence_str().to_ascii_lowercase())
        })
        .unwrap_or_else(|| OCTET_STREAM.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_wins() {
        assert_eq!(
            choose(Some("text/plain"), "a.txt", b"\x89PNG\r\n\x1a\nxxxx"),
            "image/png"
        );
        assert_eq!(choose(None, "a", b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(choose(None, "a", b"GIF89a"), "image/gif");
        assert_eq!(choose(None, "a", &[0xFF, 0xD8, 0xFF, 0xE0]), "image/jpeg");
    }

    #[test]
    fn declared_then_extension_then_default() {
        assert_eq!(
            choose(Some("Text/Plain; charset=UTF-8"), "a.bin", b"hi"),
            "text/plain"
        );
        assert_eq!(
            choose(Some("application/octet-stream"), "a.pdf", b"%PDF"),
            "application/pdf"
        );
        assert_eq!(
            choose(Some("garbage\r\nx: y"), "a.txt", b"hi"),
            "text/plain"
        );
        assert_eq!(choose(None, "noext", b"hi"), OCTET_STREAM);
    }
}
