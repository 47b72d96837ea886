//! Pure rules of briefs: ISO weeks as `2026-W48` in the programme's time zone.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekError {
    /// Not written `YYYY-Www`.
    Format,
    /// Week 0, week 54, or week 53 of a year that has 52.
    NoSuchWeek,
}

/// An ISO week as [`IsoWeek::parse`] takes it, as a regular expression: `YYYY-Www` (or
/// `-w`) from
/// 2000 to 2100, week 53 only in the years that have one, spaces around it allowed.
pub fn week_pattern() -> String {
    let (first, last) = crate::text::YEARS;
    let long_years: Vec<String> = (first..=last)
        .filter(|y| NaiveDate::from_isoywd_opt(*y, 53, Weekday::Mon).is_some())
        .map(|y| y.to_string())
        .collect();
    let space = crate::text::SPACE;
    format!(
        "^{space}*((20[0-9]{{2}}|2100)-[Ww](0[1-9]|[1-4][0-9]|5[0-2])|({})-[Ww]53){space}*$",
        long_years.join("|")
    )
}

pub fn week_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        crate::text::pattern_schema(week_pattern()).examples([serde_json::json!("2026-W48")]),
    )
}

impl WeekError {
    pub fn key(self) -> &'static str {
        match self {
            WeekError::Format => "briefs.week_format",
            WeekError::NoSuchWeek => "briefs.week_missing",
        }
    }
}

impl IsoWeek {
    /// Parses `2026-W48` (also `2026-w48`; spaces around it are ignored); `2026-48` or
    /// `2026W48` are refused as format, and so are years outside 2000–2100. The
    /// document's [`week_pattern`] says the same.
    pub fn parse(s: &str) -> Result<IsoWeek, WeekError> {
        let s = s.trim();
        let (year, week) = s.split_once(['W', 'w']).ok_or(WeekError::Format)?;
        let year = year.strip_suffix('-').ok_or(WeekError::Format)?;
        if year.len() != 4
            || week.len() != 2
            || !year.chars().chain(week.chars()).all(|c| c.is_ascii_digit())
        {
            return Err(WeekError::Format);
        }
        let (year, week) = (
            year.parse::<i32>().map_err(|_| WeekError::Format)?,
            week.parse::<u32>().map_err(|_| WeekError::Format)?,
        );
        if !(crate::text::YEARS.0..=crate::text::YEARS.1).contains(&year) {
            return Err(WeekError::Format);
        }
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or(WeekError::NoSuchWeek)?;
        Ok(IsoWeek { year, week })
    }

    pub fn of(date: NaiveDate) -> IsoWeek {
        let w = date.iso_week();
        IsoWeek {
            year: w.year(),
            week: w.week(),
        }
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or(NaiveDate::MIN)
    }

    /// Monday 00:00 of this week and of the next, in `tz`, as UTC instants.
    pub fn bounds<Tz: TimeZone>(self, tz: &Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self.monday();
        let end = start + chrono::Duration::days(7);
        (local_midnight(start, tz), local_midnight(end, tz))
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

pub const CATEGORIES: [&str; 5] = [
    "sosialisasi",
    "edukasi",
    "kampanye",
    "kontra_narasi",
    "nation_branding",
];
pub const PRIORITIES: [&str; 2] = ["normal", "urgent"];
pub const STATUSES: [&str; 4] = ["draft", "scheduled", "published", "closed"];
/// Platforms a brief can target (those with a length rule).
pub const PLATFORMS: [&str; 5] = ["x", "instagram", "facebook", "tiktok", "youtube"];
pub const MAX_TAGS: usize = 30;
pub const MAX_FACTS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagError {
    TooMany,
    /// The tag as written, cut to 40 characters.
    Bad(String),
}

/// Splits what a person typed into items: on commas, semicolons and white space.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The characters of a hashtag's name: what Rust calls alphanumeric (letters and digits
/// of any script), and `_`, as a regular expression class built from the same test.
pub fn hashtag_class() -> &'static str {
    static CLASS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CLASS.get_or_init(|| {
        let mut class = String::from("[_");
        let mut start: Option<u32> = None;
        let push = |from: u32, to: u32, class: &mut String| {
            if from == to {
                class.push_str(&escape(from));
            } else {
                class.push_str(&format!("{}-{}", escape(from), escape(to)));
            }
        };
        for cp in 0..=0x11_0000u32 {
            let alnum = char::from_u32(cp).is_some_and(char::is_alphanumeric);
            match (alnum, start) {
                (true, None) => start = Some(cp),
                (false, Some(from)) => {
                    push(from, cp - 1, &mut class);
                    start = None;
                }
                _ => {}
            }
        }
        class.push(']');
        class
    })
}

/// A code point in a class: ASCII letters and digits as they are, the rest of the Basic
/// Multilingual Plane as `\\uXXXX`, and beyond it the character itself (no escape of
/// those reads the same in ECMA 262 and Python).
fn escape(cp: u32) -> String {
    match char::from_u32(cp) {
        Some(c) if c.is_ascii_alphanumeric() || cp > 0xFFFF => c.to_string(),
        _ => format!("\\u{cp:04x}"),
    }
}

/// A hashtag as written (at most [`MAX_TAG_CHARS`] characters, its `maxLength`): an
/// optional `#`, then letters, digits or `_`, not only ASCII digits.
pub fn hashtag_pattern() -> String {
    let w = hashtag_class();
    let not_digit = w.replacen("0-9", "", 1);
    format!("^#?{w}*{not_digit}{w}*$")
}

/// A mention as written: an optional `@`, then 1 to 50 ASCII letters, digits, `_` or `.`.
pub const MENTION_PATTERN: &str = "^@?[A-Za-z0-9_.]{1,50}$";
pub const MAX_TAG_CHARS: usize = 100;

/// Hashtags (`prefix` `#`) or mentions (`@`) as the platforms write them: the prefix added
/// when missing, repeats (ignoring case) dropped, at most [`MAX_TAGS`] given. Each is
/// checked as sent, as [`hashtag_pattern`] and [`MENTION_PATTERN`] say (pages split what
/// was typed into such items first).
pub fn clean_tags(items: &[String], prefix: char) -> Result<Vec<String>, TagError> {
    if items.len() > MAX_TAGS {
        return Err(TagError::TooMany);
    }
    let mut out: Vec<String> = Vec::new();
    for raw in items {
        let name = raw.strip_prefix(prefix).unwrap_or(raw);
        let ok = match prefix {
            '#' => {
                raw.chars().count() <= MAX_TAG_CHARS
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                    && !name.chars().all(|c| c.is_ascii_digit())
            }
            _ => {
                (1..=50).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            }
        };
        if !ok {
            return Err(TagError::Bad(raw.chars().take(40).collect()));
        }
        let tag = format!("{prefix}{name}");
        if !out.iter().any(|o| o.to_lowercase() == tag.to_lowercase()) {
            out.push(tag);
        }
    }
    Ok(out)
}

/// Facts written one per line as `fact | source`; a line without `|` has no source.
pub fn parse_fact_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.rsplit_once('|') {
            Some((fact, source)) => (fact.trim().to_string(), source.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// An instant as Duta takes it, as a regular expression (spaces around it allowed): a
/// date from 2000 to 2100, `T` or a space, `HH:MM` or `HH:MM:SS` with up to nine
/// decimals, and an offset (`Z` or `±HH:MM`) or none — then it is read in the
/// programme's time zone.
pub fn instant_pattern() -> String {
    let space = crate::text::SPACE;
    let date = "((20[0-9]{2}|2100)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|20(0[048]|[2468][048]|[13579][26])-02-29)";
    let time = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?";
    let offset = "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";
    format!("^{space}*{date}[T ]{time}{offset}?{space}*$")
}

/// A week, or empty (or only spaces): none.
pub fn week_or_blank_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let space = crate::text::SPACE;
    crate::text::as_schema(crate::text::pattern_schema(format!(
        "^{space}*$|{}",
        week_pattern()
    )))
}

pub fn instant_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        crate::text::pattern_schema(instant_pattern())
            .examples([serde_json::json!("2026-11-27T17:00:00+07:00")]),
    )
}

/// The instant a text names, when it is written as [`instant_pattern`] says; a local
/// time in a gap of the time zone (a clock change) names none.
pub fn parse_instant<Tz: TimeZone>(s: &str, tz: &Tz) -> Option<DateTime<Utc>> {
    static SHAPE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let shape = SHAPE.get_or_init(|| regex::Regex::new(&instant_pattern()).ok());
    if !shape.as_ref().is_some_and(|re| re.is_match(s)) {
        return None;
    }
    let s = s.trim().replacen(' ', "T", 1);
    if s.ends_with('Z') || s[10..].contains(['+', '-']) {
        return DateTime::parse_from_rfc3339(&s)
            .or_else(|_| DateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M%:z"))
            .or_else(|_| DateTime::parse_from_str(&s.replace('Z', "+00:00"), "%Y-%m-%dT%H:%M%:z"))
            .ok()
            .map(|t| t.with_timezone(&Utc));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Whole hours left until a deadline (0 once it has passed), for urgent briefs.
/// The start of a day in `tz` as a UTC instant.
pub fn local_midnight<Tz: TimeZone>(d: NaiveDate, tz: &Tz) -> DateTime<Utc> {
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()))
}

pub fn hours_left(deadline: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (deadline - now).num_seconds();
    if secs <= 0 {
        0
    } else {
        (secs + 3599) / 3600
    }
}

/// The ids of a work unit and its ancestors, from its materialised path `/3/17/42/`:
/// a brief addressed to any of them reaches an ambassador of the unit.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|p| p.parse().ok()).collect()
}

/// A WhatsApp share link for a draft: `wa.me` opens WhatsApp with the text ready to send
/// to a chat or a group the ambassador picks.
pub fn wa_share_link(text: &str) -> String {
    let mut out = String::from("https://wa.me/?text=");
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_parse_and_print() {
        let w = IsoWeek::parse("2026-W48").unwrap();
        assert_eq!(w.to_string(), "2026-W48");
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(
            IsoWeek::of(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()),
            w
        );
        assert_eq!(
            IsoWeek::parse("2026-w01").unwrap().monday(),
            NaiveDate::from_ymd_opt(2025, 12, 29).unwrap()
        );
    }

    #[test]
    fn hostile_weeks() {
        assert_eq!(IsoWeek::parse("2026-W54"), Err(WeekError::NoSuchWeek));
        assert_eq!(
            IsoWeek::parse("2027-W53"),
            Err(WeekError::NoSuchWeek),
            "2027 has 52 ISO weeks"
        );
        assert!(
            IsoWeek::parse("2026-W53").is_ok(),
            "2026 starts on a Thursday: 53 weeks"
        );
        assert!(IsoWeek::parse("2026-W00").is_err());
        assert_eq!(IsoWeek::parse("2026-53"), Err(WeekError::Format));
        assert_eq!(IsoWeek::parse("2026W48"), Err(WeekError::Format));
        assert_eq!(IsoWeek::parse("W48"), Err(WeekError::Format));
        assert_eq!(IsoWeek::parse("２０２６-W48"), Err(WeekError::Format));
        assert!(IsoWeek::parse("2020-W53").is_ok(), "2020 had 53 weeks");
    }

    #[test]
    fn a_week_starts_monday_midnight_in_the_programme_zone() {
        let (start, end) = IsoWeek::parse("2026-W48")
            .unwrap()
            .bounds(&chrono_tz::Asia::Jakarta);
        assert_eq!(start.to_rfc3339(), "2026-11-22T17:00:00+00:00");
        assert_eq!((end - start).num_days(), 7);
        let (papua, _) = IsoWeek::parse("2026-W48")
            .unwrap()
            .bounds(&chrono_tz::Asia::Jayapura);
        assert_eq!(papua.to_rfc3339(), "2026-11-22T15:00:00+00:00");
    }
    #[test]
    fn tags_are_cleaned() {
        let items = split_list("#JagaRuang, jagaruang  Indonesia_Maju;#Indonesia\u{2009}#Ceria");
        assert_eq!(
            clean_tags(&items, '#').unwrap(),
            vec!["#JagaRuang", "#Indonesia_Maju", "#Indonesia", "#Ceria"]
        );
        assert_eq!(
            clean_tags(&["@kominfo".into(), "humas.jatim".into()], '@').unwrap(),
            vec!["@kominfo", "@humas.jatim"]
        );
        assert_eq!(
            clean_tags(&["#<script>".into()], '#'),
            Err(TagError::Bad("#<script>".into()))
        );
        assert_eq!(
            clean_tags(&["#2026".into()], '#'),
            Err(TagError::Bad("#2026".into()))
        );
        assert_eq!(
            clean_tags(&["@a b".into()], '@'),
            Err(TagError::Bad("@a b".into()))
        );
        let many: Vec<String> = (0..10_000).map(|i| format!("#tag{i}")).collect();
        assert_eq!(clean_tags(&many, '#'), Err(TagError::TooMany));
        // At most 30 are taken as sent (the document's `maxItems`); repeats among them
        // are kept once.
        let repeated: Vec<String> = (0..30).map(|_| "#sama".to_string()).collect();
        assert_eq!(clean_tags(&repeated, '#').unwrap(), vec!["#sama"]);
        let repeated: Vec<String> = (0..31).map(|_| "#sama".to_string()).collect();
        assert_eq!(clean_tags(&repeated, '#'), Err(TagError::TooMany));
    }

    #[test]
    fn facts_and_instants() {
        assert_eq!(
            parse_fact_lines("Angka stunting turun 2,8% | SSGI 2024\n\n  Tanpa sumber  \n"),
            vec![
                (
                    "Angka stunting turun 2,8%".to_string(),
                    "SSGI 2024".to_string()
                ),
                ("Tanpa sumber".to_string(), String::new())
            ]
        );
        let wib = chrono_tz::Asia::Jakarta;
        let at = parse_instant("2026-11-27T17:00", &wib).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-27T10:00:00+00:00");
        assert_eq!(parse_instant("2026-11-27T17:00:00+07:00", &wib), Some(at));
        assert_eq!(parse_instant("besok sore", &wib), None);
        assert_eq!(parse_instant("2026-02-30T10:00", &wib), None);
        assert_eq!(hours_left(at, at - chrono::Duration::minutes(61)), 2);
        assert_eq!(hours_left(at, at - chrono::Duration::hours(5)), 5);
        assert_eq!(hours_left(at, at + chrono::Duration::hours(1)), 0);
        assert_eq!(path_ids("/3/17/42/"), vec![3, 17, 42]);
    }

    #[test]
    fn whatsapp_links_carry_the_whole_draft() {
        assert_eq!(
            wa_share_link("Halo & selamat #JagaRuang\nhttps://a.id/x?y=1"),
            "https://wa.me/?text=Halo%20%26%20selamat%20%23JagaRuang%0Ahttps%3A%2F%2Fa.id%2Fx%3Fy%3D1"
        );
        assert_eq!(
            wa_share_link("Kopi ☕"),
            "https://wa.me/?text=Kopi%20%E2%98%95"
        );
    }
}

#[cfg(test)]
mod week_pattern_tests {
    use super::{week_pattern, IsoWeek};

    #[test]
    fn parse_and_pattern_agree() {
        let re = regex::Regex::new(&week_pattern()).expect("compiles");
        let mut samples: Vec<String> = Vec::new();
        for year in [1999, 2000, 2004, 2020, 2025, 2026, 2027, 2099, 2100, 2101] {
            for week in [0, 1, 9, 10, 52, 53, 54] {
                samples.push(format!("{year}-W{week:02}"));
            }
        }
        for s in [
            "2026-w48",
            "2026-w53",
            "2026W48",
            "2026-48",
            " 2026-W48\n",
            "2026-W4",
            "20260-W48",
            "+026-W48",
        ] {
            samples.push(s.to_string());
        }
        for s in samples {
            assert_eq!(IsoWeek::parse(&s).is_ok(), re.is_match(&s), "{s:?}");
        }
    }
}

#[cfg(test)]
mod pattern_tests {
    use super::{clean_tags, hashtag_pattern, instant_pattern, parse_instant, MENTION_PATTERN};

    #[test]
    fn tags_and_patterns_agree() {
        let hashtag = regex::Regex::new(&hashtag_pattern()).expect("compiles");
        let mention = regex::Regex::new(MENTION_PATTERN).expect("compiles");
        let long = "a".repeat(100);
        for s in [
            "PasporMudah",
            "#PasporMudah",
            "##dua",
            "2026",
            "#2026",
            "#",
            "",
            "Indonesia2045",
            "巴厘岛",
            "#ภาษาไทย",
            "a b",
            " #a",
            "a-b",
            "_",
            "#𝐀",
            "#a\u{7}",
            long.as_str(),
            "a\u{301}",
        ] {
            let ok = clean_tags(&[s.to_string()], '#').is_ok();
            assert_eq!(
                ok,
                s.chars().count() <= 100 && hashtag.is_match(s),
                "#{s:?}"
            );
        }
        for s in [
            "imigrasi",
            "@imigrasi",
            "@@x",
            "a.b_c",
            "",
            "@",
            "é",
            "a b",
            &"a".repeat(51),
        ] {
            let ok = clean_tags(&[s.to_string()], '@').is_ok();
            assert_eq!(ok, mention.is_match(s), "@{s:?}");
        }
    }

    #[test]
    fn instants_and_pattern_agree() {
        let re = regex::Regex::new(&instant_pattern()).expect("compiles");
        let tz = chrono_tz::Asia::Jakarta;
        for s in [
            "2026-11-27T17:00",
            "2026-11-27 17:00",
            "2026-11-27T17:00:05",
            "2026-11-27T17:00:05.123456789",
            "2026-11-27T17:00:00Z",
            "2026-11-27T17:00:00+07:00",
            "2026-11-27T17:00+07:00",
            "2026-11-27T17:00Z",
            " 2026-11-27T17:00 ",
            "2026-02-30T10:00",
            "2026-11-27T24:00",
            "2026-11-27T17:60",
            "2026-11-27t17:00",
            "2026-11-27T17:00:00z",
            "1999-12-31T23:59",
            "2101-01-01T00:00",
            "2026-11-27T17:00:00.1234567890",
            "2026-11-27T17:00+24:00",
            "2026-11-27",
            "2026-11-27T7:00",
            "2024-02-29T08:00",
            "2023-02-29T08:00",
        ] {
            assert_eq!(parse_instant(s, &tz).is_some(), re.is_match(s), "{s:?}");
        }
    }
}
