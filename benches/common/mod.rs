//! What the benchmarks share: a photo-like test picture and the statistics they print.

use std::error::Error;
use std::time::Duration;

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

/// A photo-like picture: smooth gradients and soft shapes with sensor-like noise, so the
/// JPEG compresses as a camera picture does (a few MiB for 12 MP), not as a flat test card.
pub fn photo_jpeg(width: u32, height: u32) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 13) as f32 - 6.0
    };
    let (w, h) = (width as f32, height as f32);
    let img = RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / w, y as f32 / h);
        let sky = 1.0 - fy;
        let hill = ((fx * 9.0).sin() * 0.08 + 0.6 - fy).clamp(-0.05, 0.05) * 10.0 + 0.5;
        let sun = (-(((fx - 0.7).powi(2) + (fy - 0.25).powi(2)) * 60.0)).exp();
        let texture = ((fx * 140.0).sin() * (fy * 110.0).cos()) * 10.0;
        let r = 60.0 + 120.0 * sky * hill + 150.0 * sun + texture + noise();
        let g = 90.0 + 100.0 * (1.0 - hill) + 80.0 * sun + texture * 0.7 + noise();
        let b = 70.0 + 160.0 * sky * hill + 20.0 * sun - texture * 0.5 + noise();
        image::Rgb([
            r.clamp(0.0, 255.0) as u8,
            g.clamp(0.0, 255.0) as u8,
            b.clamp(0.0, 255.0) as u8,
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).write_image(
        img.as_raw(),
        width,
        height,
        ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

/// Sorts the samples and returns the middle one.
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
