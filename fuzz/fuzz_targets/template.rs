//! Storytelling template bodies: the blanks are found or the body is refused; a body
//! with every blank filled leaves no `{{` behind; the length per platform never panics.
#![no_main]

use std::collections::BTreeMap;

use duta::story_templates::rules::{blanks, body_chars_ok, length, render, repeated_share};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = body_chars_ok(input);
    for platform in ["facebook", "x", "instagram", "tiktok", "youtube", "other"] {
        let _ = length(platform, input);
    }
    let share = repeated_share(input, "Tahukah Anda? Jalan tol baru dibuka minggu ini.");
    assert!((0.0..=1.0).contains(&share), "{share}");
    if let Ok(names) = blanks(input) {
        assert!(!names.is_empty());
        let fields: BTreeMap<String, String> = names
            .iter()
            .map(|n| (n.clone(), "isi".to_string()))
            .collect();
        let text = render(input, &fields);
        assert!(!text.contains("{{"), "{input:?} rendered {text:?}");
    }
});
