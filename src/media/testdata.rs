//! Images made in code for the media tests: plain encodings, a PNG whose header declares
//! a huge size, and a JPEG carrying an EXIF block with an orientation and GPS tags.

use std::io::Cursor;

use chrono::Utc;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::service::MediaStore;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;

/// Bytes placed in the GPS block, to be searched for in stored files.
pub const GPS_MARKER: &[u8] = b"DUTATESTGPS";

pub fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, y| {
        Rgba([(x * 9) as u8, (y * 11) as u8, 90, 255])
    });
    let img = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(img).into_rgb8()),
        _ => DynamicImage::ImageRgba8(img),
    };
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::Jpeg)
}

/// A PNG with every pixel's alpha set to `alpha`.
pub fn png_rgba(width: u32, height: u32, alpha: u8) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, y| {
        Rgba([(x % 256) as u8, (y % 256) as u8, 200, alpha])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

/// The CRC-32 of PNG chunks (ISO 3309, reflected, polynomial 0xEDB88320).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
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

/// A valid little PNG whose IHDR was rewritten to declare `width`×`height` (with a
/// correct CRC): a decompression bomb as far as any header reader can tell.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = Vec::new();
    DynamicImage::new_rgb8(1, 1)
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    // Signature (8), IHDR length (4), "IHDR" (4), 13 bytes of data, CRC (4).
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// A little-endian TIFF block: IFD0 with the orientation and a GPS IFD pointer; the GPS
/// IFD with a version, a latitude and a processing method holding [`GPS_MARKER`].
fn exif_tiff(orientation: u16) -> Vec<u8> {
    fn entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value);
    }
    let ifd0_at = 8u32;
    let gps_at = ifd0_at + 2 + 2 * 12 + 4;
    let latitude_at = gps_at + 2 + 4 * 12 + 4;
    let method_at = latitude_at + 24;
    let mut method = b"ASCII\0\0\0".to_vec();
    method.extend_from_slice(GPS_MARKER);

    let mut t = b"II\x2a\x00".to_vec();
    t.extend_from_slice(&ifd0_at.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, 4, 1, gps_at.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, gps_at);
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 0x0000, 1, 4, [2, 3, 0, 0]);
    entry(&mut t, 0x0001, 2, 2, *b"S\0\0\0");
    entry(&mut t, 0x0002, 5, 3, latitude_at.to_le_bytes());
    entry(
        &mut t,
        0x001B,
        7,
        method.len() as u32,
        method_at.to_le_bytes(),
    );
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, latitude_at);
    for (num, den) in [(6u32, 1u32), (10, 1), (0, 1)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    t.extend_from_slice(&method);
    t
}

/// A JPEG, red in its left half and blue in its right, with an APP1 "Exif" segment right
/// after SOI carrying `orientation` (0x0112) and a GPS IFD (0x8825).
pub fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    let mut jpeg = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
        .unwrap();
    let tiff = exif_tiff(orientation);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The markers of a JPEG's header segments, up to and including the first SOS.
pub fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        i += 2 + len;
    }
    markers
}

/// A fresh, migrated SQLite database and an upload folder, in a temporary folder.
pub struct Setup {
    pub _dir: tempfile::TempDir,
    pub db: DatabaseConnection,
    pub store: MediaStore,
}

pub async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = crate::db::connect(&url).await.unwrap();
    crate::db::migrate(&db).await.unwrap();
    let store = MediaStore::local(&dir.path().join("uploads")).unwrap();
    Setup {
        _dir: dir,
        db,
        store,
    }
}

pub async fn institution(db: &DatabaseConnection, name: &str) -> i64 {
    let row = entity::institutions::ActiveModel {
        name: Set(name.into()),
        kind: Set("ministry".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    row.insert(db).await.unwrap().id
}

/// An active user of `role`, as the guard would load them.
pub async fn user(db: &DatabaseConnection, role: Role, institution_id: Option<i64>) -> CurrentUser {
    let row = entity::users::ActiveModel {
        email: Set(format!(
            "{}-{}@example.go.id",
            role.as_str(),
            rand::random::<u32>()
        )),
        name: Set("Test".into()),
        password_hash: Set("x".into()),
        role: Set(role.as_str().into()),
        institution_id: Set(institution_id),
        security_stamp: Set("stamp".into()),
        is_active: Set(true),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    CurrentUser {
        user: row.insert(db).await.unwrap(),
        role,
        work_unit_path: None,
        two_factor_pending: false,
        stamps: None,
        opening_stamps: None,
    }
}

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn the_exif_jpeg_reports_its_orientation() {
    use image::ImageDecoder;
    let bytes = jpeg_with_exif(40, 20, 6);
    let mut d = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(
        d.orientation().unwrap(),
        image::metadata::Orientation::Rotate90
    );
    assert!(jpeg_markers(&bytes).starts_with(&[0xE1]));
}
