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
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(week_pattern()))
            .examples([serde_json::json!("2026-W48")]),
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
        let at = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| {
                    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                })
        };
        (at(start), at(end))
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

/// Hashtags (`prefix` `#`) or mentions (`@`) as the platforms write them: the prefix added
/// when missing, repeats (ignoring case) dropped, at most [`MAX_TAGS`]. A hashtag is
/// letters, digits and `_` (any script); a mention ASCII letters, digits, `_` and `.`.
pub fn clean_tags(items: &[String], prefix: char) -> Result<Vec<String>, TagError> {
    let mut out: Vec<String> = Vec::new();
    for raw in items {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        let name = t.trim_start_matches(prefix);
        let ok = match prefix {
            '#' => {
                (1..=100).contains(&name.chars().count())
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
            return Err(TagError::Bad(t.chars().take(40).collect()));
        }
        let tag = format!("{prefix}{name}");
        if !out.iter().any(|o| o.to_lowercase() == tag.to_lowercase()) {
            out.push(tag);
        }
        if out.len() > MAX_TAGS {
            return Err(TagError::TooMany);
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

/// An instant written as RFC 3339 (`2026-11-27T17:00:00+07:00`), or as a date and time
/// without a zone (`2026-11-27T17:00`, what a browser's date-time field sends), read in
/// the programme's time zone.
pub fn parse_instant<Tz: TimeZone>(s: &str, tz: &Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Whole hours left until a deadline (0 once it has passed), for urgent briefs.
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
        let repeated: Vec<String> = (0..10_000).map(|_| "#sama".to_string()).collect();
        assert_eq!(clean_tags(&repeated, '#').unwrap(), vec!["#sama"]);
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
