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

impl WeekError {
    pub fn key(self) -> &'static str {
        match self {
            WeekError::Format => "briefs.week_format",
            WeekError::NoSuchWeek => "briefs.week_missing",
        }
    }
}

impl IsoWeek {
    /// Parses `2026-W48` (also `2026-w48`); `2026-48` or `2026W48` are refused as format.
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
}
