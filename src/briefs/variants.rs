//! The ready-to-post images a brief offers for each platform: one crop per format
//! (Instagram square and portrait, X, Facebook link), cut around the focal point the
//! coordinator chose so the subject stays in every crop, resized and encoded as JPEG, and
//! a zip of them for "download all". Everything here is synchronous and CPU-heavy: callers
//! run it in `spawn_blocking` behind the media semaphore, as they do the upload pipeline.

use std::io::{Cursor, Write};

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Rgb,
    RgbImage,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::media::pipeline::{decode_limits, JPEG_QUALITY, MAX_DECODE_ALLOC};
use crate::media::rules::{check_dimensions, image_error, jpeg_is_complete, sniff, MediaError};

/// One output format: a file key and the exact size a platform shows best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantSpec {
    pub key: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The formats every brief image is rendered to, in the order they are offered.
pub const VARIANTS: [VariantSpec; 4] = [
    VariantSpec {
        key: "instagram_square",
        width: 1080,
        height: 1080,
    },
    VariantSpec {
        key: "instagram_portrait",
        width: 1080,
        height: 1350,
    },
    VariantSpec {
        key: "x",
        width: 1600,
        height: 900,
    },
    VariantSpec {
        key: "facebook",
        width: 1200,
        height: 630,
    },
];

/// Looks a format up by the key a URL or a form carries, so an unknown key is a 404
/// rather than a panic.
pub fn spec(key: &str) -> Option<&'static VariantSpec> {
    VARIANTS.iter().find(|v| v.key == key)
}

/// The part of a `src_w`×`src_h` image to keep for a `target_w`×`target_h` output, as
/// `(x, y, w, h)`: the largest rectangle of the target's aspect ratio that fits, centred
/// on the focal point (fractions of the width and height) and pushed back inside the
/// image where the focal point is near an edge. Cropping before resizing means no output
/// is ever stretched or letterboxed. A focal point out of 0..1 is clamped and a NaN one
/// taken as the centre; zero sizes are taken as 1, so the rectangle is never empty.
pub fn crop_rect(
    src_w: u32,
    src_h: u32,
    target_w: u32,
    target_h: u32,
    focal_x: f64,
    focal_y: f64,
) -> (u32, u32, u32, u32) {
    let (sw, sh) = (u64::from(src_w.max(1)), u64::from(src_h.max(1)));
    let (tw, th) = (u64::from(target_w.max(1)), u64::from(target_h.max(1)));
    // Compare sw/sh with tw/th without division: the side that is relatively longer in
    // the source is cut, the other kept whole. Products fit u64 (each factor < 2^32).
    let (w, h) = if sw * th >= sh * tw {
        // Source at least as wide as the target: keep the full height.
        ((sh * tw + th / 2) / th, sh)
    } else {
        (sw, (sw * th + tw / 2) / tw)
    };
    let (w, h) = (w.clamp(1, sw), h.clamp(1, sh));
    let x = centred_start(sw, w, focal_x);
    let y = centred_start(sh, h, focal_y);
    // Every value is at most the u32 source side it came from.
    (
        u32::try_from(x).unwrap_or(0),
        u32::try_from(y).unwrap_or(0),
        u32::try_from(w).unwrap_or(1),
        u32::try_from(h).unwrap_or(1),
    )
}

/// Where a span of `len` out of `total` starts so that its middle is at `focal`×`total`,
/// kept within `0..=total - len`.
fn centred_start(total: u64, len: u64, focal: f64) -> u64 {
    let focal = if focal.is_nan() {
        0.5
    } else {
        focal.clamp(0.0, 1.0)
    };
    let max_start = total.saturating_sub(len);
    let start = (focal * total as f64 - len as f64 / 2.0).round();
    // `as` saturates, and the value is already clamped to a range that fits.
    start.clamp(0.0, max_start as f64) as u64
}

/// One rendered format, ready to be served or zipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedVariant {
    pub key: &'static str,
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

/// Renders every [`VARIANTS`] format from an image the media pipeline stored (JPEG or
/// PNG, already oriented and stripped), so ambassadors get files sized for each platform
/// instead of letting each platform crop the subject away. The image is decoded once,
/// under the same limits as uploads, and each crop goes straight from the decoded pixels
/// to the output size.
pub fn render_variants(
    stored: &[u8],
    focal_x: f64,
    focal_y: f64,
) -> Result<Vec<RenderedVariant>, MediaError> {
    let source = decode_rgb(stored)?;
    let (src_w, src_h) = source.dimensions();
    let mut resizer = Resizer::new();
    let mut out = Vec::with_capacity(VARIANTS.len());
    for variant in &VARIANTS {
        let (x, y, w, h) = crop_rect(
            src_w,
            src_h,
            variant.width,
            variant.height,
            focal_x,
            focal_y,
        );
        // Catmull-Rom rather than the Lanczos3 of upload thumbnails: brief images are
        // often posters with text, and small ones are upscaled, where Lanczos3's wider
        // kernel rings (light and dark halos) around hard edges. At these 1-4x ratios
        // Catmull-Rom is nearly as sharp, with a support of 2 instead of 3, so two
        // thirds of the taps for four resizes a request; the platforms re-compress
        // what is posted anyway.
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom))
            .crop(f64::from(x), f64::from(y), f64::from(w), f64::from(h));
        let mut dst = RgbImage::new(variant.width, variant.height);
        resizer
            .resize(&source, &mut dst, &options)
            .map_err(|e| MediaError::Internal(e.to_string()))?;
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
            .write_image(
                dst.as_raw(),
                variant.width,
                variant.height,
                ExtendedColorType::Rgb8,
            )
            .map_err(|e| MediaError::Internal(e.to_string()))?;
        out.push(RenderedVariant {
            key: variant.key,
            width: variant.width,
            height: variant.height,
            jpeg,
        });
    }
    Ok(out)
}

/// Decodes a stored JPEG or PNG under [`decode_limits`] into 8-bit RGB. Stored files carry
/// no EXIF (the pipeline applied the orientation), so none is read. A transparent PNG is
/// laid on white: dropping the alpha would turn its see-through parts black.
fn decode_rgb(bytes: &[u8]) -> Result<RgbImage, MediaError> {
    let format = match sniff(bytes) {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png)) => f,
        _ => return Err(MediaError::NotImage),
    };
    // Decoders fill a cut-off JPEG with grey; a stored file that lost its end is an error.
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(MediaError::Corrupt(
            "the JPEG ends before its last scan".into(),
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits());
    let decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;
    if decoder.total_bytes() > MAX_DECODE_ALLOC {
        return Err(MediaError::TooManyPixels);
    }
    let img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    if !img.color().has_alpha() {
        return Ok(img.into_rgb8());
    }
    let rgba = img.into_rgba8();
    Ok(RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            // c·a + 255·(255 − a), divided by 255 with rounding: at most 255.
            ((c * a + 255 * (255 - a) + 127) / 255) as u8
        };
        Rgb([over_white(r), over_white(g), over_white(b)])
    }))
}

/// Why a zip could not be built (a repeated file name, or the writer failing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build the zip archive: {0}")]
pub struct ZipError(pub String);

/// Packs named files into one zip in memory, so "download all formats" is a single file
/// on a phone. Entries are stored, not deflated: JPEGs do not compress further, and
/// storing costs nothing. Entries carry the zip epoch (1980-01-01) as their time, so
/// the same files always give the same archive.
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ZipError> {
    let zip_error = |e: zip::result::ZipError| ZipError(e.to_string());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer
            .start_file(name.as_str(), options)
            .map_err(zip_error)?;
        writer
            .write_all(bytes)
            .map_err(|e| ZipError(e.to_string()))?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    // --- crop_rect ---------------------------------------------------------------------

    fn aspect_matches(rect: (u32, u32, u32, u32), tw: u32, th: u32) -> bool {
        let (_, _, w, h) = rect;
        // Within one pixel of rounding on the cut side.
        let exact_w = f64::from(h) * f64::from(tw) / f64::from(th);
        let exact_h = f64::from(w) * f64::from(th) / f64::from(tw);
        (f64::from(w) - exact_w).abs() <= 1.0 || (f64::from(h) - exact_h).abs() <= 1.0
    }

    fn inside(rect: (u32, u32, u32, u32), sw: u32, sh: u32) -> bool {
        let (x, y, w, h) = rect;
        w >= 1 && h >= 1 && x + w <= sw && y + h <= sh
    }

    #[test]
    fn the_variants_have_their_platform_sizes() {
        let sizes: Vec<_> = VARIANTS
            .iter()
            .map(|v| (v.key, v.width, v.height))
            .collect();
        assert_eq!(
            sizes,
            [
                ("instagram_square", 1080, 1080),
                ("instagram_portrait", 1080, 1350),
                ("x", 1600, 900),
                ("facebook", 1200, 630),
            ]
        );
        assert_eq!(spec("x"), Some(&VARIANTS[2]));
        assert_eq!(spec("facebook").map(|s| s.height), Some(630));
        assert_eq!(spec("tiktok"), None);
        assert_eq!(spec(""), None);
    }

    #[test]
    fn a_centred_focal_point_crops_the_middle() {
        // 4000×3000 to a square: full height, 500 px off each side.
        assert_eq!(
            crop_rect(4000, 3000, 1080, 1080, 0.5, 0.5),
            (500, 0, 3000, 3000)
        );
        // 4000×3000 to 16:9: full width, 3000 - 2250 = 750 px cut, half at each end.
        assert_eq!(
            crop_rect(4000, 3000, 1600, 900, 0.5, 0.5),
            (0, 375, 4000, 2250)
        );
        // Portrait 3000×4000 to 4:5: full width, 3750 high.
        assert_eq!(
            crop_rect(3000, 4000, 1080, 1350, 0.5, 0.5),
            (0, 125, 3000, 3750)
        );
    }

    #[test]
    fn focal_points_at_corners_push_the_crop_to_those_corners() {
        let (sw, sh) = (4000, 3000);
        assert_eq!(crop_rect(sw, sh, 1080, 1080, 0.0, 0.0), (0, 0, 3000, 3000));
        assert_eq!(
            crop_rect(sw, sh, 1080, 1080, 1.0, 1.0),
            (1000, 0, 3000, 3000)
        );
        assert_eq!(crop_rect(sw, sh, 1600, 900, 0.0, 1.0), (0, 750, 4000, 2250));
        assert_eq!(crop_rect(sw, sh, 1600, 900, 1.0, 0.0), (0, 0, 4000, 2250));
        // Not at the corner, but too near an edge to be centred: shifted, not shrunk.
        assert_eq!(
            crop_rect(sw, sh, 1080, 1080, 0.9, 0.5),
            (1000, 0, 3000, 3000)
        );
        // Off-centre but with room: centred on the focal point (0.4·4000 − 1500 = 100).
        assert_eq!(
            crop_rect(sw, sh, 1080, 1080, 0.4, 0.5),
            (100, 0, 3000, 3000)
        );
    }

    #[test]
    fn out_of_range_and_nan_focal_points_are_clamped() {
        let (sw, sh) = (4000, 3000);
        assert_eq!(
            crop_rect(sw, sh, 1080, 1080, -3.0, 7.0),
            crop_rect(sw, sh, 1080, 1080, 0.0, 1.0)
        );
        assert_eq!(
            crop_rect(sw, sh, 1080, 1080, f64::NAN, f64::NAN),
            crop_rect(sw, sh, 1080, 1080, 0.5, 0.5)
        );
        assert_eq!(
            crop_rect(sw, sh, 1080, 1080, f64::INFINITY, f64::NEG_INFINITY),
            crop_rect(sw, sh, 1080, 1080, 1.0, 0.0)
        );
    }

    #[test]
    fn a_source_of_the_exact_aspect_is_kept_whole() {
        for v in &VARIANTS {
            for scale in [1, 2, 3] {
                let (sw, sh) = (v.width * scale, v.height * scale);
                for (fx, fy) in [(0.0, 0.0), (0.5, 0.5), (1.0, 0.3)] {
                    assert_eq!(
                        crop_rect(sw, sh, v.width, v.height, fx, fy),
                        (0, 0, sw, sh),
                        "{} at {scale}x",
                        v.key
                    );
                }
            }
        }
        // 1200×630 reduces to 40:21; a 40×21 source is that aspect too.
        assert_eq!(crop_rect(40, 21, 1200, 630, 0.7, 0.7), (0, 0, 40, 21));
    }

    #[test]
    fn extreme_sources_give_valid_crops_for_every_variant() {
        for (sw, sh) in [(4000, 100), (100, 4000), (8192, 1), (1, 8192), (3, 2)] {
            for v in &VARIANTS {
                for (fx, fy) in [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0), (0.1, 0.9)] {
                    let r = crop_rect(sw, sh, v.width, v.height, fx, fy);
                    assert!(inside(r, sw, sh), "{sw}x{sh} {} {r:?}", v.key);
                    if r.2 > 1 && r.3 > 1 {
                        assert!(aspect_matches(r, v.width, v.height), "{sw}x{sh} {r:?}");
                    }
                }
            }
        }
        // A banner to a square: the full 100 px height, centred where asked.
        assert_eq!(
            crop_rect(4000, 100, 1080, 1080, 0.5, 0.5),
            (1950, 0, 100, 100)
        );
        assert_eq!(
            crop_rect(4000, 100, 1080, 1080, 0.1, 0.5),
            (350, 0, 100, 100)
        );
        assert_eq!(
            crop_rect(4000, 100, 1080, 1080, 1.0, 0.5),
            (3900, 0, 100, 100)
        );
        // A tall strip to 16:9: full 100 px width, 56 px high (100·9/16 = 56.25).
        assert_eq!(
            crop_rect(100, 4000, 1600, 900, 0.5, 0.5),
            (0, 1972, 100, 56)
        );
        assert_eq!(crop_rect(100, 4000, 1600, 900, 0.5, 0.0), (0, 0, 100, 56));
        assert_eq!(
            crop_rect(100, 4000, 1600, 900, 0.5, 1.0),
            (0, 3944, 100, 56)
        );
        // One pixel high to a portrait: one pixel wide, never zero.
        assert_eq!(crop_rect(8192, 1, 1080, 1350, 0.5, 0.5).2, 1);
    }

    #[test]
    fn a_one_pixel_source_and_zero_sizes_never_give_an_empty_rect() {
        for v in &VARIANTS {
            assert_eq!(crop_rect(1, 1, v.width, v.height, 0.5, 0.5), (0, 0, 1, 1));
            assert_eq!(crop_rect(1, 1, v.width, v.height, 1.0, 0.0), (0, 0, 1, 1));
        }
        assert_eq!(crop_rect(0, 0, 1080, 1080, 0.5, 0.5), (0, 0, 1, 1));
        let r = crop_rect(400, 300, 0, 0, 0.5, 0.5);
        assert!(inside(r, 400, 300), "{r:?}");
        let r = crop_rect(400, 300, 0, 100, 0.5, 0.5);
        assert!(inside(r, 400, 300), "{r:?}");
    }

    #[test]
    fn the_largest_side_sources_do_not_overflow() {
        let r = crop_rect(u32::MAX, u32::MAX - 1, u32::MAX - 2, 7, 0.99, 0.01);
        assert!(r.2 >= 1 && r.3 >= 1);
        assert!(u64::from(r.0) + u64::from(r.2) <= u64::from(u32::MAX));
    }

    // --- render_variants ---------------------------------------------------------------

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    /// Left half red, right half blue.
    fn red_blue(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([220, 20, 20])
            } else {
                Rgb([20, 20, 220])
            }
        });
        encode(&DynamicImage::ImageRgb8(img), format)
    }

    /// The share of pixels that are clearly red and clearly blue.
    fn red_and_blue_share(jpeg: &[u8]) -> (f64, f64) {
        let img = image::load_from_memory(jpeg).unwrap().into_rgb8();
        let total = f64::from(img.width() * img.height());
        let red = img
            .pixels()
            .filter(|p| p.0[0] > 150 && p.0[2] < 100)
            .count();
        let blue = img
            .pixels()
            .filter(|p| p.0[2] > 150 && p.0[0] < 100)
            .count();
        (red as f64 / total, blue as f64 / total)
    }

    #[test]
    fn every_variant_has_exactly_its_size() {
        // Larger than every target (downscaling), and smaller (upscaling), JPEG and PNG.
        for source in [
            red_blue(2000, 1500, ImageFormat::Jpeg),
            red_blue(300, 500, ImageFormat::Png),
        ] {
            let rendered = render_variants(&source, 0.3, 0.6).unwrap();
            assert_eq!(rendered.len(), VARIANTS.len());
            for (r, v) in rendered.iter().zip(&VARIANTS) {
                assert_eq!((r.key, r.width, r.height), (v.key, v.width, v.height));
                assert!(r.jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
                let img = image::load_from_memory_with_format(&r.jpeg, ImageFormat::Jpeg).unwrap();
                assert_eq!(
                    (img.width(), img.height()),
                    (v.width, v.height),
                    "{}",
                    v.key
                );
            }
        }
    }

    #[test]
    fn the_focal_point_decides_what_the_crop_keeps() {
        let source = red_blue(2000, 500, ImageFormat::Jpeg);
        let left = render_variants(&source, 0.1, 0.5).unwrap();
        let (red, blue) = red_and_blue_share(&left[0].jpeg);
        assert_eq!(left[0].key, "instagram_square");
        assert!(
            red > 0.95 && blue < 0.02,
            "focal 0.1: red {red}, blue {blue}"
        );
        let right = render_variants(&source, 0.9, 0.5).unwrap();
        let (red, blue) = red_and_blue_share(&right[0].jpeg);
        assert!(
            blue > 0.95 && red < 0.02,
            "focal 0.9: red {red}, blue {blue}"
        );
    }

    #[test]
    fn transparent_pngs_are_laid_on_white() {
        let clear = image::RgbaImage::from_pixel(64, 64, image::Rgba([0, 0, 0, 0]));
        let png = encode(&DynamicImage::ImageRgba8(clear), ImageFormat::Png);
        let rendered = render_variants(&png, 0.5, 0.5).unwrap();
        let img = image::load_from_memory(&rendered[2].jpeg)
            .unwrap()
            .into_rgb8();
        let p = img.get_pixel(800, 450).0;
        assert!(p.iter().all(|&c| c > 245), "{p:?}");
    }

    #[test]
    fn garbage_gives_an_error_never_a_panic() {
        assert_eq!(
            render_variants(b"definitely not an image", 0.5, 0.5),
            Err(MediaError::NotImage)
        );
        assert_eq!(render_variants(b"", 0.5, 0.5), Err(MediaError::NotImage));
        // A GIF or WebP is never stored by the pipeline.
        let gif = crate::media::testdata::encoded(8, 8, ImageFormat::Gif);
        assert_eq!(render_variants(&gif, 0.5, 0.5), Err(MediaError::NotImage));
        // Right magic bytes, then noise or a cut: unreadable, not a crash.
        let mut fake_png = b"\x89PNG\r\n\x1a\n".to_vec();
        fake_png.extend((0..500u32).map(|i| (i * 37 % 251) as u8));
        assert!(matches!(
            render_variants(&fake_png, 0.5, 0.5),
            Err(MediaError::Corrupt(_))
        ));
        let png = red_blue(64, 64, ImageFormat::Png);
        assert!(matches!(
            render_variants(&png[..png.len() / 2], 0.5, 0.5),
            Err(MediaError::Corrupt(_))
        ));
        let jpeg = red_blue(64, 64, ImageFormat::Jpeg);
        for cut in [3, 20, jpeg.len() / 2, jpeg.len() - 2] {
            assert!(
                matches!(
                    render_variants(&jpeg[..cut], 0.5, 0.5),
                    Err(MediaError::Corrupt(_))
                ),
                "cut {cut}"
            );
        }
        // A header declaring 100000×100000 pixels is refused before decoding.
        let bomb = crate::media::testdata::png_declaring(100_000, 100_000);
        assert_eq!(
            render_variants(&bomb, 0.5, 0.5),
            Err(MediaError::TooManyPixels)
        );
    }

    // --- zip_of ------------------------------------------------------------------------

    #[test]
    fn a_zip_reads_back_with_the_same_names_and_bytes() {
        let files = vec![
            (
                "instagram_square.jpg".to_string(),
                vec![0xFF, 0xD8, 1, 2, 3],
            ),
            (
                "x.jpg".to_string(),
                (0..=255u8).cycle().take(70_000).collect(),
            ),
            ("empty.txt".to_string(), Vec::new()),
        ];
        let bytes = zip_of(&files).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), files.len());
        for (i, (name, content)) in files.iter().enumerate() {
            let mut entry = archive.by_index(i).unwrap();
            assert_eq!(entry.name().unwrap(), name.as_str());
            assert_eq!(entry.compression(), CompressionMethod::Stored);
            let mut read = Vec::new();
            entry.read_to_end(&mut read).unwrap();
            assert_eq!(&read, content, "{name}");
        }
        // The same files give the same archive.
        assert_eq!(zip_of(&files).unwrap(), zip_of(&files).unwrap());
    }

    #[test]
    fn an_empty_list_is_an_empty_zip_and_a_repeated_name_an_error() {
        let bytes = zip_of(&[]).unwrap();
        assert_eq!(zip::ZipArchive::new(Cursor::new(bytes)).unwrap().len(), 0);
        let twice = vec![
            ("a.jpg".to_string(), vec![1]),
            ("a.jpg".to_string(), vec![2]),
        ];
        assert!(zip_of(&twice).is_err());
    }
}
