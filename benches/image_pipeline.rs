//! What the upload pipeline costs: a 12-megapixel photo through `media::pipeline::process`
//! (header check, limited decode, orientation, re-encode, thumbnail, SHA-256) against a
//! plain decode and JPEG q85 re-encode of the same file, and what refusing a PNG that
//! declares 100000×100000 pixels costs in time and in memory.
//!
//! Run: `cargo bench --bench image_pipeline`

mod common;

use std::error::Error;
use std::io::Cursor;
use std::time::Instant;

use common::{median, ms, photo_jpeg};
use duta::media::pipeline::{process, JPEG_QUALITY};
use duta::media::rules::MediaError;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ExtendedColorType, ImageEncoder, ImageFormat};

const RUNS: usize = 7;
const REFUSALS: usize = 2000;

fn main() -> Result<(), Box<dyn Error>> {
    // Refusal first, while the process is still small, so the high-water mark means something.
    let bomb = png_declaring(100_000, 100_000)?;
    // One warm-up so the code pages of the PNG reader are already resident.
    std::hint::black_box(process(&bomb).is_err());
    let hwm_before = vm_hwm_kib();
    let mut refusals = Vec::with_capacity(REFUSALS);
    for _ in 0..REFUSALS {
        let started = Instant::now();
        let result = process(&bomb);
        refusals.push(started.elapsed());
        if !matches!(result, Err(MediaError::TooManyPixels)) {
            return Err(format!("the 100000×100000 PNG was not refused: {result:?}").into());
        }
    }
    let hwm_after = vm_hwm_kib();

    let photo = photo_jpeg(4000, 3000)?;
    let mut pipeline = Vec::with_capacity(RUNS);
    let mut baseline = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let processed = process(&photo)?;
        pipeline.push(started.elapsed());
        last = Some(processed);

        let started = Instant::now();
        let out = plain_reencode(&photo)?;
        baseline.push(started.elapsed());
        std::hint::black_box(out);
    }
    let hwm_end = vm_hwm_kib();

    let (p, b) = (median(&mut pipeline), median(&mut baseline));
    println!("image pipeline, {RUNS} runs each, medians");
    println!(
        "  source: 4000x3000 JPEG, {:.2} MiB",
        photo.len() as f64 / 1048576.0
    );
    if let Some(last) = &last {
        println!(
            "  stored: {}x{} {:?}, {:.2} MiB; thumbnail {}x{}, {:.1} KiB",
            last.width,
            last.height,
            last.format,
            last.main.len() as f64 / 1048576.0,
            last.thumb_width,
            last.thumb_height,
            last.thumb.len() as f64 / 1024.0
        );
    }
    println!(
        "  pipeline (check + limited decode + orientation + JPEG q{JPEG_QUALITY} + thumbnail + sha256): {:.1} ms  [min {:.1}, max {:.1}]",
        ms(p),
        ms(*pipeline.first().unwrap_or(&p)),
        ms(*pipeline.last().unwrap_or(&p))
    );
    println!(
        "  baseline (load_from_memory + JPEG q85):                                    {:.1} ms  [min {:.1}, max {:.1}]",
        ms(b),
        ms(*baseline.first().unwrap_or(&b)),
        ms(*baseline.last().unwrap_or(&b))
    );
    println!(
        "  ratio pipeline / baseline: {:.3}",
        p.as_secs_f64() / b.as_secs_f64()
    );
    let r = median(&mut refusals);
    println!(
        "refusing a PNG declaring 100000x100000 ({} bytes), {REFUSALS} tries: median {:.1} µs [min {:.1}, max {:.1}]",
        bomb.len(),
        r.as_secs_f64() * 1e6,
        refusals.first().map_or(0.0, |d| d.as_secs_f64() * 1e6),
        refusals.last().map_or(0.0, |d| d.as_secs_f64() * 1e6)
    );
    println!(
        "peak memory (VmHWM): before refusals {} KiB, after refusals {} KiB (+{} KiB); after the 12 MP runs {} KiB",
        show(hwm_before),
        show(hwm_after),
        match (hwm_before, hwm_after) {
            (Some(a), Some(b)) => (b - a).to_string(),
            _ => "?".into(),
        },
        show(hwm_end)
    );
    Ok(())
}

/// What a handler without the pipeline would do: decode and re-encode as JPEG q85.
fn plain_reencode(bytes: &[u8]) -> Result<Vec<u8>, Box<dyn Error>> {
    let img = image::load_from_memory(bytes)?.into_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

fn crc32(bytes: &[u8]) -> u32 {
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

/// A 1×1 PNG whose IHDR is rewritten to declare `width`×`height`, CRC included.
fn png_declaring(width: u32, height: u32) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut png = Vec::new();
    DynamicImage::new_rgb8(1, 1).write_to(&mut Cursor::new(&mut png), ImageFormat::Png)?;
    if png.get(12..16) != Some(b"IHDR".as_slice()) {
        return Err("unexpected PNG layout".into());
    }
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    Ok(png)
}

/// The process's peak resident set size, from /proc/self/status (Linux only).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn show(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".into(), |k| k.to_string())
}
