//! Pure rules of programme settings.

use super::forms::{PlatformSetting, SettingsInput};
use crate::error::{FieldErrors, Msg};

/// Every platform Duta knows, in display order.
pub const PLATFORMS: [&str; 5] = ["facebook", "x", "instagram", "tiktok", "youtube"];
pub const DEFAULT_THRESHOLD: i32 = 500;
pub const MAX_THRESHOLD: i32 = 100_000_000;

/// Kominfo's rule: 500 followers on each of Facebook, X and Instagram; TikTok and
/// YouTube known but optional.
pub fn default_platforms() -> Vec<PlatformSetting> {
    PLATFORMS
        .iter()
        .map(|p| PlatformSetting {
            platform: p.to_string(),
            required: matches!(*p, "facebook" | "x" | "instagram"),
            threshold: DEFAULT_THRESHOLD,
        })
        .collect()
}

/// The blocklist's limits: characters in all (spaces and line breaks included), and
/// characters a line.
pub const BLOCKLIST_CHARS: usize = 12_000;
pub const BLOCKLIST_LINE_CHARS: usize = 60;

/// The blocklist as typed: at most [`BLOCKLIST_CHARS`] characters, lines of at most
/// [`BLOCKLIST_LINE_CHARS`] split at `\n` (a `\r` only just before one), no other
/// control characters. [`blocklist_pattern`] and `maxLength` say the same to API clients.
pub fn blocklist_ok(text: &str) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    text.chars().count() <= BLOCKLIST_CHARS
        && lines.iter().enumerate().all(|(i, line)| {
            let line = if i + 1 < lines.len() {
                line.strip_suffix('\r').unwrap_or(line)
            } else {
                line
            };
            line.chars().count() <= BLOCKLIST_LINE_CHARS && !line.chars().any(char::is_control)
        })
}

pub fn blocklist_pattern() -> String {
    let line = format!("[^\\u0000-\\u001f\\u007f-\\u009f]{{0,{BLOCKLIST_LINE_CHARS}}}");
    format!("^({line}\\r?\\n)*{line}$")
}

/// The blocklist's words: one a line, trimmed, lower case, blank lines left out.
pub fn blocklist_words(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The neutrality period as dates, when both ends are set and valid.
pub fn neutrality_period(
    from: &Option<String>,
    to: &Option<String>,
) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let parse = |v: &Option<String>| {
        chrono::NaiveDate::parse_from_str(v.as_deref()?.trim(), "%Y-%m-%d").ok()
    };
    Some((parse(from)?, parse(to)?))
}

/// Checks a settings change; platforms not listed keep their current values.
pub fn check(input: &SettingsInput) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if input.timezone.parse::<chrono_tz::Tz>().is_err() {
        errors.add("timezone", Msg::new("settings.timezone_invalid"));
    }
    if !(1..=52).contains(&input.window_weeks) {
        errors.add("window_weeks", Msg::new("settings.window_invalid"));
    }
    if !(1..=3650).contains(&input.retention_days) {
        errors.add("retention_days", Msg::new("settings.retention_invalid"));
    }
    if !(1..=1000).contains(&input.follower_jump_percent) {
        errors.add("follower_jump_percent", Msg::new("settings.jump_invalid"));
    }
    if !(1..=7).contains(&input.reminder_weekday) {
        errors.add(
            "reminder_weekday",
            Msg::new("settings.reminder_weekday_invalid"),
        );
    }
    if !(0..=23).contains(&input.reminder_hour) {
        errors.add("reminder_hour", Msg::new("settings.reminder_hour_invalid"));
    }
    if !blocklist_ok(&input.blocklist) {
        errors.add("blocklist", Msg::new("settings.blocklist_invalid"));
    }
    let date = |field: &str, v: &Option<String>, errors: &mut FieldErrors| match crate::text::date(
        v.as_deref().unwrap_or(""),
    ) {
        Ok(d) => d,
        Err(crate::text::NotADate) => {
            errors.add(field, Msg::new("settings.date_invalid"));
            None
        }
    };
    let from = date("neutrality_from", &input.neutrality_from, &mut errors);
    let to = date("neutrality_to", &input.neutrality_to, &mut errors);
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    if given(&input.neutrality_from) != given(&input.neutrality_to) {
        errors.add("neutrality_to", Msg::new("settings.neutrality_both"));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.add("neutrality_to", Msg::new("settings.neutrality_order"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for p in &input.platforms {
        let field = format!("platforms.{}", p.platform);
        if !PLATFORMS.contains(&p.platform.as_str()) {
            errors.add(
                "platforms",
                Msg::new("settings.platform_unknown").arg("platform", &p.platform),
            );
        } else if !seen.insert(p.platform.clone()) {
            errors.add(
                "platforms",
                Msg::new("settings.platform_twice").arg("platform", &p.platform),
            );
        } else if !(0..=MAX_THRESHOLD).contains(&p.threshold) {
            errors.add(&field, Msg::new("settings.threshold_invalid"));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(platforms: Vec<PlatformSetting>) -> SettingsInput {
        SettingsInput {
            timezone: "Asia/Makassar".into(),
            window_weeks: 12,
            retention_days: 30,
            two_factor_required: false,
            follower_jump_percent: 50,
            blocklist: String::new(),
            neutrality_from: None,
            neutrality_to: None,
            reminder_weekday: 4,
            reminder_hour: 9,
            platforms,
        }
    }

    #[test]
    fn defaults_follow_kominfo() {
        let d = default_platforms();
        assert_eq!(d.iter().filter(|p| p.required).count(), 3);
        assert!(d.iter().all(|p| p.threshold == 500));
        assert!(check(&input(d)).is_empty());
    }

    #[test]
    fn hostile_settings_are_named() {
        let mut bad = input(vec![
            PlatformSetting {
                platform: "myspace".into(),
                required: true,
                threshold: 1,
            },
            PlatformSetting {
                platform: "x".into(),
                required: true,
                threshold: -5,
            },
            PlatformSetting {
                platform: "instagram".into(),
                required: true,
                threshold: 1,
            },
            PlatformSetting {
                platform: "instagram".into(),
                required: false,
                threshold: 1,
            },
        ]);
        bad.timezone = "WIB".into();
        bad.window_weeks = 0;
        bad.retention_days = 0;
        bad.reminder_weekday = 8;
        bad.reminder_hour = 24;
        let e = check(&bad);
        for field in [
            "timezone",
            "window_weeks",
            "retention_days",
            "reminder_weekday",
            "reminder_hour",
            "platforms",
            "platforms.x",
        ] {
            assert!(e.0.contains_key(field), "{field} not flagged: {e:?}");
        }
        assert_eq!(e.0["platforms"].len(), 2);
    }
}

#[cfg(test)]
mod blocklist_tests {
    use super::{blocklist_ok, blocklist_pattern};

    #[test]
    fn check_and_pattern_agree() {
        let re = regex::Regex::new(&blocklist_pattern()).expect("compiles");
        let long = "x".repeat(61);
        let many = "kata\n".repeat(2_400);
        let samples = [
            "",
            "partai\nkampanye",
            "partai\r\nkampanye\r\n",
            "a\rb",
            "a\u{7}",
            long.as_str(),
            &long[1..],
            many.as_str(),
            many.trim_end(),
            "\n\n",
            "kata\r",
        ];
        for s in samples {
            let by_schema = s.chars().count() <= super::BLOCKLIST_CHARS && re.is_match(s);
            assert_eq!(blocklist_ok(s), by_schema, "{s:?}");
        }
    }
}
