//! Account handles as people type them (a handle, `@handle`, a profile URL), for every
//! platform: a handle it accepts is accepted again unchanged.
#![no_main]

use duta::followers::handles::normalize_handle;
use libfuzzer_sys::fuzz_target;

const PLATFORMS: [&str; 5] = ["facebook", "x", "instagram", "tiktok", "youtube"];

fuzz_target!(|input: &str| {
    for platform in PLATFORMS {
        if let Some(handle) = normalize_handle(platform, input) {
            assert!(!handle.is_empty());
            assert_eq!(
                normalize_handle(platform, &handle).as_deref(),
                Some(handle.as_str()),
                "{platform} {input:?}"
            );
        }
    }
});
