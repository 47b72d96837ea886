//! ISO weeks and instants as the API takes them: the parser and the document's pattern
//! agree on every input, and a parsed week prints and parses back to itself.
#![no_main]

use std::sync::OnceLock;

use chrono::Utc;
use duta::briefs::rules::{instant_pattern, parse_instant, week_pattern, IsoWeek, WeekError};
use libfuzzer_sys::fuzz_target;
use regex::Regex;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&week_pattern()).unwrap())
}

fn instant() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&instant_pattern()).unwrap())
}

fuzz_target!(|input: &str| {
    let parsed = IsoWeek::parse(input);
    assert_eq!(
        pattern().is_match(input),
        parsed.is_ok(),
        "{input:?}: {parsed:?}"
    );
    match parsed {
        Ok(week) => {
            assert_eq!(IsoWeek::parse(&week.to_string()), Ok(week));
            assert_eq!(IsoWeek::of(week.monday()), week);
        }
        Err(WeekError::Format | WeekError::NoSuchWeek) => {}
    }
    if instant().is_match(input) {
        let _ = parse_instant(input, &Utc);
    }
});
