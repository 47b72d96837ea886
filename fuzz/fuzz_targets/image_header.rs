//! Uploaded images: the magic-number sniffer, the header check (dimensions without
//! decoding a pixel), the JPEG completeness check, and for small inputs the whole
//! pipeline (decode, orient, re-encode, thumbnail). Any bytes: an image or a refusal.
#![no_main]

use duta::media::pipeline::process;
use duta::media::rules::{check_header, jpeg_is_complete, sniff, MAX_PIXELS, MAX_SIDE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let format = sniff(bytes);
    let _ = jpeg_is_complete(bytes);
    if let Ok(header) = check_header(bytes) {
        assert_eq!(Some(header.format), format);
        assert!(header.width <= MAX_SIDE && header.height <= MAX_SIDE);
        assert!(u64::from(header.width) * u64::from(header.height) <= MAX_PIXELS);
        if bytes.len() <= 64 * 1024 {
            if let Ok(done) = process(bytes) {
                assert!(done.thumb_width >= 1 && done.thumb_height >= 1);
                assert!(!done.main.is_empty());
            }
        }
    } else {
        assert!(process(bytes).is_err());
    }
});
