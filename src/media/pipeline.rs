//! The image pipeline every upload goes through, as one synchronous function on bytes:
//! header check, decoding under limits, EXIF orientation, re-encoding (JPEG for opaque
//! images, PNG when transparency is used; no metadata is carried over, so EXIF and GPS are
//! gone), a thumbnail and the SHA-256 of the stored file. It is CPU-heavy: callers run it
//! in `spawn_blocking` behind a semaphore (see `service::MediaStore::store`).

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits,
};
use sha2::{Digest, Sha256};

use super::rules::{
    check_dimensions, check_header, image_error, jpeg_is_complete, thumb_size, MediaError,
    MAX_PIXELS, MAX_SIDE, THUMB_SIDE,
};

/// JPEG quality of stored images and thumbnails.
pub const JPEG_QUALITY: u8 = 85;

/// The most a decoder may allocate: 40 MP of RGBA plus a margin for its own buffers.
pub const MAX_DECODE_ALLOC: u64 = MAX_PIXELS * 4 + 32 * 1024 * 1024;

/// How an image is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredFormat {
    Jpeg,
    Png,
}

impl StoredFormat {
    pub fn extension(self) -> &'static str {
        match self {
            StoredFormat::Jpeg => "jpg",
            StoredFormat::Png => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            StoredFormat::Jpeg => "image/jpeg",
            StoredFormat::Png => "image/png",
        }
    }
}

/// A re-encoded upload, ready to be written.
#[derive(Debug, Clone)]
pub struct Processed {
    pub format: StoredFormat,
    /// Size after the EXIF orientation was applied.
    pub width: u32,
    pub height: u32,
    pub main: Vec<u8>,
    pub thumb: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// Lower-case hex SHA-256 of `main`.
    pub sha256: String,
    /// The perceptual hash of the picture ([`dhash`]).
    pub phash: u64,
}

/// The decoder limits: the same side cap as the header check, and a memory cap.
pub fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// Checks, decodes, orients, re-encodes and thumbnails an upload.
pub fn process(bytes: &[u8]) -> Result<Processed, MediaError> {
    let header = check_header(bytes)?;
    if header.format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(MediaError::Corrupt(
            "the JPEG ends before its last scan".into(),
        ));
    }
    let (img, orientation) = decode(bytes, header.format)?;
    let mut img = if uses_transparency(&img) {
        DynamicImage::ImageRgba8(img.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(img.into_rgb8())
    };
    img.apply_orientation(orientation);
    let format = match img {
        DynamicImage::ImageRgba8(_) => StoredFormat::Png,
        _ => StoredFormat::Jpeg,
    };
    let main = encode(&img, format)?;
    let (thumb_width, thumb_height) = thumb_size(img.width(), img.height(), THUMB_SIDE);
    let small = resize(&img, thumb_width, thumb_height)?;
    let thumb = encode(&small, format)?;
    let sha256 = sha256_hex(&main);
    let phash = dhash(&small);
    Ok(Processed {
        format,
        width: img.width(),
        height: img.height(),
        main,
        thumb,
        thumb_width,
        thumb_height,
        sha256,
        phash,
    })
}

/// The difference hash of a picture: shrunk to 9 × 8 grey pixels, one bit per pair of
/// neighbours (is the left one brighter?). The same picture re-saved, rescaled or
/// recompressed keeps nearly every bit; different pictures differ in about half.
pub fn dhash(img: &DynamicImage) -> u64 {
    let grey =
        image::imageops::resize(&img.to_luma8(), 9, 8, image::imageops::FilterType::Triangle);
    let mut hash = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            let left = grey.get_pixel(x, y)[0];
            let right = grey.get_pixel(x + 1, y)[0];
            hash = (hash << 1) | u64::from(left > right);
        }
    }
    hash
}

/// Decodes under [`decode_limits`], returning the pixels and the EXIF orientation (read
/// from the decoder before decoding, as image 0.25 wants it).
fn decode(bytes: &[u8], format: ImageFormat) -> Result<(DynamicImage, Orientation), MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits());
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;
    if decoder.total_bytes() > MAX_DECODE_ALLOC {
        // 16-bit images of near the pixel limit.
        return Err(MediaError::TooManyPixels);
    }
    // A broken EXIF block does not make the picture unreadable: show it unrotated.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    Ok((img, orientation))
}

/// Whether any pixel is less than fully opaque (an alpha channel that is all 255, as in
/// many screenshots, does not count).
fn uses_transparency(img: &DynamicImage) -> bool {
    match img {
        DynamicImage::ImageLumaA8(b) => b.pixels().any(|p| p.0[1] < u8::MAX),
        DynamicImage::ImageRgba8(b) => b.pixels().any(|p| p.0[3] < u8::MAX),
        DynamicImage::ImageLumaA16(b) => b.pixels().any(|p| p.0[1] < u16::MAX),
        DynamicImage::ImageRgba16(b) => b.pixels().any(|p| p.0[3] < u16::MAX),
        DynamicImage::ImageRgba32F(b) => b.pixels().any(|p| p.0[3] < 1.0),
        other => other.color().has_alpha(),
    }
}

/// Encodes 8-bit RGB as JPEG or 8-bit RGBA as PNG, writing no metadata at all.
fn encode(img: &DynamicImage, format: StoredFormat) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let (w, h) = (img.width(), img.height());
    let result = match (format, img) {
        (StoredFormat::Jpeg, DynamicImage::ImageRgb8(rgb)) => JpegEncoder::new_with_quality(
            &mut out,
            JPEG_QUALITY,
        )
        .write_image(rgb.as_raw(), w, h, ExtendedColorType::Rgb8),
        (StoredFormat::Png, DynamicImage::ImageRgba8(rgba)) => {
            PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive)
                .write_image(rgba.as_raw(), w, h, ExtendedColorType::Rgba8)
        }
        _ => {
            return Err(MediaError::Internal(format!(
                "cannot encode {:?} as {format:?}",
                img.color()
            )))
        }
    };
    result.map_err(|e| MediaError::Internal(e.to_string()))?;
    Ok(out)
}

/// Downscales with fast_image_resize (Lanczos3, alpha-aware), keeping the pixel type.
fn resize(img: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, MediaError> {
    if (width, height) == (img.width(), img.height()) {
        return Ok(img.clone());
    }
    let mut dst = DynamicImage::new(width, height, img.color());
    Resizer::new()
        .resize(
            img,
            &mut dst,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)),
        )
        .map_err(|e| MediaError::Internal(e.to_string()))?;
    Ok(dst)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testdata;
    use std::time::{Duration, Instant};

    fn dims(bytes: &[u8]) -> (u32, u32) {
        let img = image::load_from_memory(bytes).unwrap();
        (img.width(), img.height())
    }

    #[test]
    fn a_text_file_named_png_is_refused() {
        let err = process(b"just some notes, saved as holiday.png\n").unwrap_err();
        assert_eq!(err.key(), Some("media.not_image"));
    }

    #[test]
    fn a_png_declaring_100000_px_a_side_is_refused_before_decoding() {
        let bomb = testdata::png_declaring(100_000, 100_000);
        // The crafted header is valid: the image crate reads its dimensions.
        assert_eq!(
            ImageReader::with_format(Cursor::new(&bomb), ImageFormat::Png)
                .into_dimensions()
                .unwrap(),
            (100_000, 100_000)
        );
        let started = Instant::now();
        let err = process(&bomb).unwrap_err();
        let took = started.elapsed();
        assert_eq!(err, MediaError::TooManyPixels);
        assert_eq!(err.key(), Some("media.too_many_pixels"));
        // Decoding 10^10 pixels would take minutes and 40 GB; the header takes microseconds.
        assert!(took < Duration::from_millis(200), "took {took:?}");
    }

    #[test]
    fn a_truncated_jpeg_is_corrupt() {
        let full = testdata::jpeg(120, 80);
        assert!(process(&full).is_ok());
        let err = process(&full[..full.len() * 2 / 3]).unwrap_err();
        assert_eq!(err.key(), Some("media.corrupt"), "{err:?}");
        let err = process(&full[..40]).unwrap_err();
        assert_eq!(err.key(), Some("media.corrupt"), "{err:?}");
    }

    #[test]
    fn exif_and_gps_are_dropped_and_the_orientation_applied() {
        let source = testdata::jpeg_with_exif(40, 20, 6);
        assert!(source.windows(4).any(|w| w == b"Exif"));
        assert!(source
            .windows(testdata::GPS_MARKER.len())
            .any(|w| w == testdata::GPS_MARKER));
        let p = process(&source).unwrap();
        assert_eq!(p.format, StoredFormat::Jpeg);
        assert_eq!((p.width, p.height), (20, 40));
        assert_eq!(dims(&p.main), (20, 40));
        for file in [&p.main, &p.thumb] {
            assert!(!file.windows(4).any(|w| w == b"Exif"));
            assert!(!file
                .windows(testdata::GPS_MARKER.len())
                .any(|w| w == testdata::GPS_MARKER));
            assert!(!testdata::jpeg_markers(file).contains(&0xE1), "no APP1");
        }
        // The rotated picture: the source's red left half is now the top half.
        let stored = image::load_from_memory(&p.main).unwrap().into_rgb8();
        let top = stored.get_pixel(10, 5).0;
        let bottom = stored.get_pixel(10, 35).0;
        assert!(top[0] > 200 && top[2] < 60, "top {top:?}");
        assert!(bottom[2] > 200 && bottom[0] < 60, "bottom {bottom:?}");
    }

    #[test]
    fn thumbnails_fit_320_and_keep_the_aspect() {
        let p = process(&testdata::jpeg(1000, 400)).unwrap();
        assert_eq!((p.thumb_width, p.thumb_height), (320, 128));
        assert_eq!(dims(&p.thumb), (320, 128));
        let p = process(&testdata::png_rgba(300, 900, 128)).unwrap();
        assert_eq!(p.format, StoredFormat::Png);
        assert_eq!(dims(&p.thumb), (107, 320));
        let p = process(&testdata::jpeg(100, 60)).unwrap();
        assert_eq!(dims(&p.thumb), (100, 60));
    }

    #[test]
    fn opaque_images_become_jpeg_and_transparent_ones_png() {
        let opaque_rgba = process(&testdata::png_rgba(50, 50, 255)).unwrap();
        assert_eq!(opaque_rgba.format, StoredFormat::Jpeg);
        assert!(opaque_rgba.main.starts_with(&[0xFF, 0xD8]));
        let see_through = process(&testdata::png_rgba(50, 50, 10)).unwrap();
        assert_eq!(see_through.format, StoredFormat::Png);
        assert!(see_through.main.starts_with(b"\x89PNG"));
        let stored = image::load_from_memory(&see_through.main).unwrap();
        assert!(stored.color().has_alpha());
        assert_eq!(see_through.sha256.len(), 64);
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn gif_and_webp_are_accepted() {
        for format in [ImageFormat::Gif, ImageFormat::WebP] {
            let bytes = testdata::encoded(30, 20, format);
            let p = process(&bytes).unwrap();
            assert_eq!((p.width, p.height), (30, 20), "{format:?}");
        }
    }

    #[test]
    fn over_15_mib_is_too_large() {
        let mut big = testdata::jpeg(16, 16);
        big.resize(crate::media::rules::MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(process(&big).unwrap_err(), MediaError::TooLarge);
    }
}
