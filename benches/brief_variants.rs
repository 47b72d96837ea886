//! What the brief image variants cost: `briefs::variants::render_variants` on a
//! 12-megapixel photo (limited decode, one RGB conversion, four focal-point crops resized
//! with fast_image_resize Catmull-Rom, four JPEG q85 encodes) against the image crate
//! doing the same work by itself (decode, `crop_imm` + `imageops::resize` with its own
//! Catmull-Rom to the same four rectangles, JPEG q85).
//!
//! Run: `cargo bench --bench brief_variants`

mod common;

use std::error::Error;
use std::time::Instant;

use common::{median, ms, photo_jpeg};
use duta::briefs::variants::{crop_rect, render_variants, VARIANTS};
use duta::media::pipeline::JPEG_QUALITY;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder};

const RUNS: usize = 5;
/// Off-centre on purpose, so the crops are not all the middle of the picture.
const FOCAL: (f64, f64) = (0.62, 0.4);

fn main() -> Result<(), Box<dyn Error>> {
    let photo = photo_jpeg(4000, 3000)?;

    // One untimed round each, so neither side pays for first-touch page faults.
    let first = render_variants(&photo, FOCAL.0, FOCAL.1)?;
    let first_baseline = image_crate_variants(&photo)?;
    for (r, v) in first.iter().zip(&VARIANTS) {
        let decoded = image::load_from_memory(&r.jpeg)?;
        if (decoded.width(), decoded.height()) != (v.width, v.height) {
            return Err(format!(
                "{} came out {}x{}",
                v.key,
                decoded.width(),
                decoded.height()
            )
            .into());
        }
    }

    let mut ours = Vec::with_capacity(RUNS);
    let mut baseline = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let out = render_variants(&photo, FOCAL.0, FOCAL.1)?;
        ours.push(started.elapsed());
        std::hint::black_box(out);

        let started = Instant::now();
        let out = image_crate_variants(&photo)?;
        baseline.push(started.elapsed());
        std::hint::black_box(out);
    }

    let (a, b) = (median(&mut ours), median(&mut baseline));
    println!("brief variants, {RUNS} runs each (after one warm-up), focal point {FOCAL:?}");
    println!(
        "  source: 4000x3000 JPEG, {:.2} MiB",
        photo.len() as f64 / 1048576.0
    );
    for (r, base) in first.iter().zip(&first_baseline) {
        println!(
            "  {:<18} {}x{}: {:.0} KiB (image crate: {:.0} KiB)",
            r.key,
            r.width,
            r.height,
            r.jpeg.len() as f64 / 1024.0,
            base.len() as f64 / 1024.0
        );
    }
    println!(
        "  (a) render_variants (limited decode + RGB8 + 4x fast_image_resize CatmullRom crop + JPEG q{JPEG_QUALITY}): median {:.1} ms  [min {:.1}]",
        ms(a),
        ms(*ours.first().unwrap_or(&a))
    );
    println!(
        "  (b) image crate (load_from_memory + 4x crop_imm + imageops::resize CatmullRom + JPEG q85):            median {:.1} ms  [min {:.1}]",
        ms(b),
        ms(*baseline.first().unwrap_or(&b))
    );
    println!(
        "  ratio (a)/(b), medians: {:.3}",
        a.as_secs_f64() / b.as_secs_f64()
    );
    Ok(())
}

/// The same four crops done with the image crate alone (JPEGs in [`VARIANTS`] order): what
/// the feature would cost without fast_image_resize.
fn image_crate_variants(bytes: &[u8]) -> Result<Vec<Vec<u8>>, Box<dyn Error>> {
    let img = image::load_from_memory(bytes)?.into_rgb8();
    let mut out = Vec::with_capacity(VARIANTS.len());
    for v in &VARIANTS {
        let (x, y, w, h) = crop_rect(
            img.width(),
            img.height(),
            v.width,
            v.height,
            FOCAL.0,
            FOCAL.1,
        );
        let view = imageops::crop_imm(&img, x, y, w, h);
        let resized = imageops::resize(&*view, v.width, v.height, FilterType::CatmullRom);
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 85).write_image(
            resized.as_raw(),
            v.width,
            v.height,
            ExtendedColorType::Rgb8,
        )?;
        out.push(jpeg);
    }
    Ok(out)
}
