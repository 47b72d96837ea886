//! Times as people read them: in the programme's zone, always with the zone's name —
//! WIB, WITA or WIT for Indonesia's three zones, the offset from UTC for any other.

use chrono::{DateTime, Offset, Utc};
use chrono_tz::Tz;

/// The name of the programme's zone at an instant: WIB (Western Indonesia: Jakarta,
/// Pontianak), WITA (Central: Makassar) or WIT (Eastern: Jayapura); `UTC+hh:mm` for a
/// zone outside Indonesia.
pub fn zone_label(tz: &Tz, at: DateTime<Utc>) -> String {
    match tz.name() {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB".to_string(),
        "Asia/Makassar" => "WITA".to_string(),
        "Asia/Jayapura" => "WIT".to_string(),
        _ => {
            let secs = at.with_timezone(tz).offset().fix().local_minus_utc();
            let sign = if secs < 0 { '-' } else { '+' };
            let secs = secs.abs();
            format!("UTC{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
        }
    }
}

/// A time as `05-12-2026 17:00 WIB` in the programme's zone.
pub fn local_with_zone(t: DateTime<Utc>, tz: &Tz) -> String {
    format!(
        "{} {}",
        t.with_timezone(tz).format("%d-%m-%Y %H:%M"),
        zone_label(tz, t)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn indonesian_zones_have_their_names_and_others_their_offset() {
        let t = Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap();
        assert_eq!(
            local_with_zone(t, &chrono_tz::Asia::Jakarta),
            "05-12-2026 17:00 WIB"
        );
        assert_eq!(
            local_with_zone(t, &chrono_tz::Asia::Pontianak),
            "05-12-2026 17:00 WIB"
        );
        assert_eq!(
            local_with_zone(t, &chrono_tz::Asia::Makassar),
            "05-12-2026 18:00 WITA"
        );
        assert_eq!(
            local_with_zone(t, &chrono_tz::Asia::Jayapura),
            "05-12-2026 19:00 WIT"
        );
        assert_eq!(
            local_with_zone(t, &chrono_tz::UTC),
            "05-12-2026 10:00 UTC+00:00"
        );
        assert_eq!(
            local_with_zone(t, &chrono_tz::America::St_Johns),
            "05-12-2026 06:30 UTC-03:30"
        );
    }
}
