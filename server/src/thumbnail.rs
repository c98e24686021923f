//! Thumbnails for PNG, JPEG, GIF and WebP uploads.
//!
//! Decoding is CPU-bound and may take long on large photos, so it runs on
//! the blocking pool ([`render_bounded`]), a few at a time. Uploads are
//! untrusted: the limits make a decompression bomb fail fast instead of
//! allocating gigabytes, and since every decode may take up to
//! [`MAX_ALLOC`], at most [`RENDER_PERMITS`] run at once: rendering never
//! holds more than their product, however many images arrive together.

use std::fs::File;
use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};

use image::metadata::Orientation;
use image::{
    DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, ImageResult, Limits,
};
use tokio::sync::Semaphore;

/// Longest side of a thumbnail, in pixels.
pub const MAX_SIDE: u32 = 256;
const MAX_DIMENSION: u32 = 16_384;
/// The decoded image (and the decoder's own buffers): 8192 x 8192 RGBA, or
/// a 48-megapixel RGB photo with room to spare. An image that needs more
/// is stored without a thumbnail.
pub const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// Renders at once, process-wide.
pub const RENDER_PERMITS: usize = 2;

static RENDERS: Semaphore = Semaphore::const_new(RENDER_PERMITS);

/// [`render`] on the blocking pool once one of [`RENDER_PERMITS`] is free.
/// The permit goes with the work, so a request dropped meanwhile (its
/// client gone) does not free it while the decode still holds its memory.
pub async fn render_bounded(
    path: PathBuf,
    format: ImageFormat,
) -> Result<ImageResult<Thumbnail>, tokio::task::JoinError> {
    let permit = RENDERS
        .acquire()
        .await
        .expect("the render semaphore is never closed");
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        render(&path, format)
    })
    .await
}

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
    // look like what a viewer shows. Turned once small: turning the full
    // image would copy it, doubling what the decode holds.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder)?;

    let (stored_width, stored_height) = image.dimensions();
    let (width, height) = if swaps_sides(orientation) {
        (stored_height, stored_width)
    } else {
        (stored_width, stored_height)
    };
    let mut small = if width.max(height) > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    small.apply_orientation(orientation);
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

/// Whether the orientation turns the image a quarter, so its displayed
/// width is its stored height.
fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
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

    /// Appends a PNG chunk.
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// A PNG that declares 16000 x 16000 RGBA (about 1 GiB decoded) in a
    /// few dozen bytes: the classic decompression bomb shape.
    fn bomb_png() -> Vec<u8> {
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

    /// A phone photo stored sideways: 300 x 100 on disk with an EXIF hint
    /// to turn it a quarter clockwise. The thumbnail and the reported size
    /// are as shown (100 x 300), and the stored left edge (red) is on top.
    #[test]
    fn follows_the_exif_orientation() {
        let stored = RgbImage::from_fn(300, 100, |x, _| {
            if x < 30 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 255])
            }
        });
        let mut plain = Vec::new();
        DynamicImage::ImageRgb8(stored)
            .write_to(&mut Cursor::new(&mut plain), ImageFormat::Png)
            .unwrap();
        // TIFF, big-endian, one IFD entry: Orientation (0x0112), SHORT, 6.
        let exif = [
            b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0,
            0,
        ];
        // Right after IHDR (signature 8 bytes, IHDR chunk 25).
        let mut png = plain[..33].to_vec();
        chunk(&mut png, b"eXIf", &exif);
        png.extend_from_slice(&plain[33..]);
        let path = std::env::temp_dir().join(format!("ta-thumb-{}-exif.png", std::process::id()));
        std::fs::write(&path, png).unwrap();
        let thumb = render(&path, ImageFormat::Png);
        std::fs::remove_file(&path).unwrap();
        let thumb = thumb.unwrap();
        assert_eq!((thumb.width, thumb.height), (100, 300));
        let small = image::load_from_memory_with_format(&thumb.png, ImageFormat::Png)
            .unwrap()
            .to_rgb8();
        assert_eq!(small.dimensions(), (85, 256));
        assert_eq!(small.get_pixel(40, 5).0, [255, 0, 0]);
        assert_eq!(small.get_pixel(40, 250).0, [0, 0, 255]);
    }

    /// While every permit is taken, a render waits; once one is free, it
    /// runs. Rendering many images at once never holds more than
    /// `RENDER_PERMITS` decodes in memory.
    #[tokio::test]
    async fn renders_wait_for_a_permit() {
        let path = write_png(&DynamicImage::ImageRgb8(RgbImage::new(10, 7)));
        let held = RENDERS.acquire_many(RENDER_PERMITS as u32).await.unwrap();
        let mut render = tokio::spawn(render_bounded(path.clone(), ImageFormat::Png));
        // Long enough for a 10 x 7 render many times over; it cannot
        // finish while the permits are held, so this never passes by luck.
        let waited = tokio::time::timeout(std::time::Duration::from_millis(300), &mut render).await;
        assert!(waited.is_err(), "a render ran without a permit");
        drop(held);
        let thumb = render.await.unwrap().unwrap().unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!((thumb.width, thumb.height), (10, 7));
    }
}
