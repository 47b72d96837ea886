//! Pure checks on image bytes, made before anything is decoded: the format from its magic
//! bytes (not from a file name or a Content-Type a client chose), the dimensions from the
//! header alone, the size limits, whether a JPEG reaches its end marker, and the shape of
//! the names files are stored under.

use std::io::Cursor;

use image::{ImageError, ImageFormat, ImageReader};

use crate::error::{AppError, FieldErrors, Msg};

/// The longest side an upload may have, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// The most pixels an upload may have (a 40-megapixel photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The largest upload accepted, in bytes (15 MiB).
pub const MAX_UPLOAD_BYTES: usize = 15 * 1024 * 1024;
/// Thumbnails fit in a square of this many pixels a side.
pub const THUMB_SIDE: u32 = 320;

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("the upload is larger than {MAX_UPLOAD_BYTES} bytes")]
    TooLarge,
    #[error("not a JPEG, PNG, WebP or GIF image")]
    NotImage,
    #[error("more than {MAX_SIDE} px a side or {MAX_PIXELS} pixels")]
    TooManyPixels,
    #[error("the image cannot be read: {0}")]
    Corrupt(String),
    /// Our side failed (encoding, resizing): not the uploader's fault.
    #[error("the image cannot be processed: {0}")]
    Internal(String),
}

impl MediaError {
    /// The catalogue key shown under the file field, for refusals the uploader can fix.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            MediaError::NotImage => Some("media.not_image"),
            MediaError::TooManyPixels => Some("media.too_many_pixels"),
            MediaError::Corrupt(_) => Some("media.corrupt"),
            MediaError::TooLarge | MediaError::Internal(_) => None,
        }
    }
}

impl From<MediaError> for AppError {
    fn from(e: MediaError) -> AppError {
        match (&e, e.key()) {
            (MediaError::TooLarge, _) => AppError::TooLarge,
            (_, Some(key)) => AppError::Validation(FieldErrors::single("file", Msg::new(key))),
            _ => AppError::internal(e),
        }
    }
}

/// What the header of an accepted upload says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// The format the bytes really are, from their magic numbers; `None` for anything but
/// JPEG, PNG, WebP and GIF.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Refuses an image larger than [`MAX_SIDE`] a side or [`MAX_PIXELS`] in all.
pub fn check_dimensions(width: u32, height: u32) -> Result<(), MediaError> {
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt("zero width or height".into()));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(MediaError::TooManyPixels);
    }
    Ok(())
}

/// Reads the format and the dimensions from the header only (no pixel is decoded, so a
/// "decompression bomb" costs nothing) and checks them against the limits.
pub fn check_header(bytes: &[u8]) -> Result<Header, MediaError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(MediaError::TooLarge);
    }
    let format = sniff(bytes).ok_or(MediaError::NotImage)?;
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(image_error)?;
    check_dimensions(width, height)?;
    Ok(Header {
        format,
        width,
        height,
    })
}

/// How the image crate's errors read to an uploader: a limit hit means too many pixels,
/// anything else a file that cannot be read.
pub fn image_error(e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(_) => MediaError::TooManyPixels,
        other => MediaError::Corrupt(other.to_string()),
    }
}

/// Whether a JPEG's segments and scans run, in order, up to an end-of-image marker.
/// Decoders fill a cut-off JPEG with grey instead of failing; this catches the truncated
/// upload. Data after the end marker (some phones append their own) is allowed.
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    loop {
        // Fill bytes (0xFF repeated) may precede a marker.
        while i < bytes.len() && bytes[i] == 0xFF && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if i + 1 >= bytes.len() || bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        i += 2;
        match marker {
            0xD9 => return true,
            // Standalone markers: no length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = bytes
            .get(i..i + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            return false;
        };
        if len < 2 || i + len > bytes.len() {
            return false;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00
            // or a restart marker.
            loop {
                match bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
                {
                    None => return false,
                    Some(p) => i += p,
                }
                match bytes.get(i + 1) {
                    None => return false,
                    Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => i += 1,
                    Some(_) => break,
                }
            }
        }
    }
}

/// The size of a thumbnail that fits `max`×`max` with the same aspect; a smaller image
/// keeps its size (no upscaling).
pub fn thumb_size(width: u32, height: u32, max: u32) -> (u32, u32) {
    if width <= max && height <= max {
        return (width.max(1), height.max(1));
    }
    let (w, h) = (u64::from(width), u64::from(height));
    let m = u64::from(max);
    let (tw, th) = if w >= h {
        (m, (h * m + w / 2) / w)
    } else {
        ((w * m + h / 2) / h, m)
    };
    (tw.max(1) as u32, th.max(1) as u32)
}

/// Whether a stored name has the shape Duta gives it (`<32 hex>.jpg`, `<32 hex>.png`,
/// `<32 hex>.thumb.jpg` …), so that a name read from the database can never walk out of
/// the upload folder.
pub fn is_stored_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && matches!(ext, "jpg" | "png" | "thumb.jpg" | "thumb.png")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::new_rgb8(width, height)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
        });
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn formats_are_sniffed_from_magic_bytes() {
        assert_eq!(sniff(&png(2, 2)), Some(ImageFormat::Png));
        assert_eq!(sniff(&jpeg(2, 2)), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"GIF89a\x01\x00\x01\x00"), Some(ImageFormat::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_text_file_named_png_is_not_an_image() {
        let err = check_header(b"hello, this is not a picture\n").unwrap_err();
        assert_eq!(err, MediaError::NotImage);
        assert_eq!(err.key(), Some("media.not_image"));
    }

    #[test]
    fn header_gives_format_and_size() {
        let h = check_header(&png(40, 20)).unwrap();
        assert_eq!((h.format, h.width, h.height), (ImageFormat::Png, 40, 20));
        let h = check_header(&jpeg(33, 17)).unwrap();
        assert_eq!((h.format, h.width, h.height), (ImageFormat::Jpeg, 33, 17));
    }

    #[test]
    fn limits_are_per_side_and_in_all() {
        assert!(check_dimensions(8192, 4882).is_ok());
        assert_eq!(check_dimensions(8193, 10), Err(MediaError::TooManyPixels));
        assert_eq!(check_dimensions(10, 8193), Err(MediaError::TooManyPixels));
        assert_eq!(check_dimensions(8000, 5001), Err(MediaError::TooManyPixels));
        assert!(check_dimensions(0, 5).is_err());
    }

    #[test]
    fn too_large_maps_to_413_and_refusals_to_field_errors() {
        assert!(matches!(
            AppError::from(MediaError::TooLarge),
            AppError::TooLarge
        ));
        match AppError::from(MediaError::Corrupt("x".into())) {
            AppError::Validation(f) => assert_eq!(f.0["file"][0].key, "media.corrupt"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            AppError::from(MediaError::Internal("x".into())),
            AppError::Internal(_)
        ));
    }

    #[test]
    fn a_whole_jpeg_is_complete_and_a_cut_one_is_not() {
        let full = jpeg(64, 48);
        assert!(jpeg_is_complete(&full));
        let mut trailing = full.clone();
        trailing.extend_from_slice(b"appended by a phone");
        assert!(jpeg_is_complete(&trailing));
        for cut in [3, 20, full.len() / 2, full.len() - 2] {
            assert!(!jpeg_is_complete(&full[..cut]), "cut at {cut}");
        }
    }

    #[test]
    fn thumbnails_keep_the_aspect_and_never_grow() {
        assert_eq!(thumb_size(4000, 3000, 320), (320, 240));
        assert_eq!(thumb_size(3000, 4000, 320), (240, 320));
        assert_eq!(thumb_size(8192, 1, 320), (320, 1));
        assert_eq!(thumb_size(100, 50, 320), (100, 50));
        assert_eq!(thumb_size(320, 320, 320), (320, 320));
    }

    #[test]
    fn stored_names_cannot_escape_the_folder() {
        let hex = "0123456789abcdef0123456789abcdef";
        assert!(is_stored_name(&format!("{hex}.jpg")));
        assert!(is_stored_name(&format!("{hex}.thumb.png")));
        assert!(!is_stored_name(&format!("{hex}.gif")));
        assert!(!is_stored_name("../../etc/passwd"));
        assert!(!is_stored_name(&format!("{}.jpg", hex.to_uppercase())));
        assert!(!is_stored_name(&format!("../{}.jpg", &hex[3..])));
    }
}
