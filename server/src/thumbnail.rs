//! Thumbnails for PNG, JPEG, GIF and WebP uploads.
//!
//! Decoding is CPU-bound and may take long on large photos, so callers run it
//! in `spawn_blocking`. Uploads are untrusted: the limits make a decompression
//! bomb fail fast instead of allocating gigabytes.

use std::fs::File;
use std::io::{BufReader, Cursor};
use std::path::Path;

use image::{
    DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, ImageResult, Limits,
};

/// Longest side of a thumbnail, in pixels.
pub const MAX_SIDE: u32 = 256;
const MAX_DIMENSION: u32 = 16_384;
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Thumbnail {
    /// The thumbnail, PNG-encoded.
    pub png: Vec<u8>,
    /// Size of the original image as displayed (after EXIF orientation).
    pub width: u32,
    pub height: u32,
}

pub fn limits() -> Limits {
    // `Limits` is non-exhaustive, so start from the defaults.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// Decodes the image at `path` (whose format the caller sniffed) and renders
/// a PNG whose longest side is at most [`MAX_SIDE`]; never upscales.
pub fn render(path: &Path, format: ImageFormat) -> ImageResult<Thumbnail> {
    let file = BufReader::new(File::open(path)?);
    let mut reader = ImageReader::with_format(file, format);
    let mut limits = limits();
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder()?;
    // `into_decoder` checks the dimensions but, unlike `decode`, not the size
    // of the output buffer.
    limits.reserve(decoder.total_bytes())?;
    // Phone photos are stored sideways with an EXIF hint; a thumbnail should
    // look like what a viewer shows.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);

    let (width, height) = image.dimensions();
    let small = if width.max(height) > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    // 16-bit and float sources would make needlessly large PNGs.
    let small = if small.color().has_alpha() {
        DynamicImage::ImageRgba8(small.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(small.to_rgb8())
    };
    let mut png = Vec::new();
    small.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)?;
    Ok(Thumbnail { png, width, height })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, RgbImage};

    fn write_png(image: &DynamicImage) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "ta-thumb-{}-{}x{}.png",
            std::process::id(),
            image.width(),
            image.height()
        ));
        image.save_with_format(&path, ImageFormat::Png).unwrap();
        path
    }

    fn decoded_size(thumb: &Thumbnail) -> (u32, u32) {
        image::load_from_memory_with_format(&thumb.png, ImageFormat::Png)
            .unwrap()
            .dimensions()
    }

    #[test]
    fn scales_the_longest_side_to_256() {
        let path = write_png(&DynamicImage::ImageRgb8(RgbImage::new(300, 900)));
        let thumb = render(&path, ImageFormat::Png).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!((thumb.width, thumb.height), (300, 900));
        assert_eq!(decoded_size(&thumb), (85, 256));
    }

    #[test]
    fn every_sniffed_format_decodes() {
        let image =
            DynamicImage::ImageRgb8(RgbImage::from_pixel(512, 100, image::Rgb([200, 10, 10])));
        for format in [ImageFormat::Jpeg, ImageFormat::Gif, ImageFormat::WebP] {
            let path =
                std::env::temp_dir().join(format!("ta-thumb-{}-{format:?}", std::process::id()));
            image.save_with_format(&path, format).unwrap();
            let thumb = render(&path, format);
            std::fs::remove_file(&path).unwrap();
            let thumb = thumb.unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!((thumb.width, thumb.height), (512, 100), "{format:?}");
            assert_eq!(decoded_size(&thumb), (256, 50), "{format:?}");
        }
    }

    #[test]
    fn never_upscales() {
        let path = write_png(&DynamicImage::ImageRgb8(RgbImage::new(40, 20)));
        let thumb = render(&path, ImageFormat::Png).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(decoded_size(&thumb), (40, 20));
    }

    #[test]
    fn refuses_images_beyond_the_dimension_limit() {
        // Cheap to store (one grey row), but wider than any decoder may go.
        let path = write_png(&DynamicImage::ImageLuma8(GrayImage::new(
            MAX_DIMENSION + 1,
            1,
        )));
        let result = render(&path, ImageFormat::Png);
        std::fs::remove_file(&path).unwrap();
        assert!(
            matches!(result, Err(image::ImageError::Limits(_))),
            "{result:?}"
        );
    }

    /// A PNG that declares 16000 x 16000 RGBA (about 1 GiB decoded) in a
    /// few dozen bytes: the classic decompression bomb shape.
    fn bomb_png() -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = !0u32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let crc = crc32(&out[start..]);
            out.extend_from_slice(&crc.to_be_bytes());
        }
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&16_000u32.to_be_bytes());
        ihdr.extend_from_slice(&16_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn refuses_images_beyond_the_memory_limit() {
        let path = std::env::temp_dir().join(format!("ta-thumb-{}-bomb.png", std::process::id()));
        std::fs::write(&path, bomb_png()).unwrap();
        let result = render(&path, ImageFormat::Png);
        std::fs::remove_file(&path).unwrap();
        assert!(
            matches!(result, Err(image::ImageError::Limits(_))),
            "{result:?}"
        );
    }
}
