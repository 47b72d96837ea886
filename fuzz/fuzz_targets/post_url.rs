//! Post links for every platform: a link it accepts is https, and its normal form is
//! accepted again with the same key (two spellings of one post are one post).
#![no_main]

use duta::submissions::rules::normalize_post_url;
use libfuzzer_sys::fuzz_target;

const PLATFORMS: [&str; 5] = ["facebook", "x", "instagram", "tiktok", "youtube"];

fuzz_target!(|input: &str| {
    for platform in PLATFORMS {
        if let Ok(post) = normalize_post_url(platform, input) {
            assert!(post.url.starts_with("https://"), "{platform} {input:?}");
            let again = normalize_post_url(platform, &post.url).expect("its normal form");
            assert_eq!(again.key, post.key, "{platform} {input:?}");
            assert_eq!(again.url, post.url, "{platform} {input:?}");
        }
    }
});
