//! When a job is due: plain arithmetic on instants, tested without a database. A run is
//! named by the instant it is due at, so every node that computes it names the same run.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// How often a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// At every multiple of the period since the Unix epoch (each minute at :00 seconds,
    /// each hour at :00 UTC, every 60 minutes of `jobs.tick_minutes` on the hour).
    Every(TimeDelta),
    /// Once a week, on a day (1 = Monday … 7 = Sunday) at an hour, in the programme's
    /// time zone.
    Weekly { weekday: u32, hour: u32, tz: Tz },
}

/// The run that should exist at `now`, if any: when it is due, and for a weekly job the
/// week it belongs to (a week has one run, even if the day or hour changes within it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueRun {
    pub due_at: DateTime<Utc>,
    /// `[from, until)`: no second run of the job is scheduled in this span.
    pub once_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// The start of the period `now` falls in.
pub fn period_start(now: DateTime<Utc>, period: TimeDelta) -> DateTime<Utc> {
    let step = period.num_seconds().max(1);
    let secs = now.timestamp().div_euclid(step) * step;
    DateTime::from_timestamp(secs, 0).unwrap_or(now)
}

/// A local day and hour as an instant; in a zone that skips that hour, the first instant
/// after it.
fn local(tz: Tz, day: NaiveDate, hour: u32) -> DateTime<Utc> {
    let mut at = day.and_time(NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or_default());
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += TimeDelta::hours(1);
    }
    Utc.from_utc_datetime(&at)
}

/// The Monday 00:00 that starts the programme's week around `now`, and the next one.
pub fn week_around(now: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
    (
        local(tz, monday, 0),
        local(tz, monday + TimeDelta::weeks(1), 0),
    )
}

/// The instant of a weekly schedule in the week around `now`.
fn this_week(now: DateTime<Utc>, weekday: u32, hour: u32, tz: Tz) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
    let offset = i64::from(weekday.clamp(1, 7) - 1);
    local(tz, monday + TimeDelta::days(offset), hour)
}

/// The run due at `now`: the current period's, or this week's once its time has come.
pub fn due_run(schedule: Schedule, now: DateTime<Utc>) -> Option<DueRun> {
    match schedule {
        Schedule::Every(period) => Some(DueRun {
            due_at: period_start(now, period),
            once_between: None,
        }),
        Schedule::Weekly { weekday, hour, tz } => {
            let at = this_week(now, weekday, hour, tz);
            (at <= now).then(|| DueRun {
                due_at: at,
                once_between: Some(week_around(now, tz)),
            })
        }
    }
}

/// The first instant after `now` at which a new run falls due. For a weekly job whose
/// run of this week exists already (`ran_this_week`), next week's.
pub fn next_due(schedule: Schedule, now: DateTime<Utc>, ran_this_week: bool) -> DateTime<Utc> {
    match schedule {
        Schedule::Every(period) => period_start(now, period) + period,
        Schedule::Weekly { weekday, hour, tz } => {
            let at = this_week(now, weekday, hour, tz);
            if at > now && !ran_this_week {
                at
            } else {
                let (_, next_monday) = week_around(now, tz);
                this_week(next_monday, weekday, hour, tz)
            }
        }
    }
}

/// Cuts a text to at most `max` characters (an error or a summary kept in a row).
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
    }

    #[test]
    fn periods_start_on_their_multiples() {
        let now = utc(2026, 12, 10, 9, 41, 17);
        assert_eq!(
            period_start(now, TimeDelta::minutes(1)),
            utc(2026, 12, 10, 9, 41, 0)
        );
        assert_eq!(
            period_start(now, TimeDelta::hours(1)),
            utc(2026, 12, 10, 9, 0, 0)
        );
        assert_eq!(
            period_start(now, TimeDelta::minutes(15)),
            utc(2026, 12, 10, 9, 30, 0)
        );
        let every = Schedule::Every(TimeDelta::hours(1));
        assert_eq!(
            due_run(every, now),
            Some(DueRun {
                due_at: utc(2026, 12, 10, 9, 0, 0),
                once_between: None
            })
        );
        assert_eq!(next_due(every, now, true), utc(2026, 12, 10, 10, 0, 0));
        // Exactly on the boundary: this period's run is due now, the next one an hour on.
        let on = utc(2026, 12, 10, 10, 0, 0);
        assert_eq!(due_run(every, on).unwrap().due_at, on);
        assert_eq!(next_due(every, on, false), utc(2026, 12, 10, 11, 0, 0));
    }

    #[test]
    fn a_weekly_run_is_due_from_its_hour_in_the_programmes_zone_until_the_week_ends() {
        let tz = chrono_tz::Asia::Jakarta; // UTC+7
        let thursday_nine = Schedule::Weekly {
            weekday: 4,
            hour: 9,
            tz,
        };
        // Thursday 10 December 2026, 08:59 WIB = 01:59 UTC: not yet.
        let before = utc(2026, 12, 10, 1, 59, 0);
        assert_eq!(due_run(thursday_nine, before), None);
        assert_eq!(
            next_due(thursday_nine, before, false),
            utc(2026, 12, 10, 2, 0, 0)
        );
        // From 09:00 WIB on, and still on Sunday evening, the same run.
        let week = (utc(2026, 12, 6, 17, 0, 0), utc(2026, 12, 13, 17, 0, 0));
        for now in [utc(2026, 12, 10, 2, 0, 0), utc(2026, 12, 13, 16, 59, 0)] {
            assert_eq!(
                due_run(thursday_nine, now),
                Some(DueRun {
                    due_at: utc(2026, 12, 10, 2, 0, 0),
                    once_between: Some(week)
                }),
                "{now}"
            );
        }
        // Monday 00:00 WIB starts a new week, whose run is on Thursday.
        let monday = utc(2026, 12, 13, 17, 0, 0);
        assert_eq!(due_run(thursday_nine, monday), None);
        assert_eq!(
            next_due(thursday_nine, monday, false),
            utc(2026, 12, 17, 2, 0, 0)
        );
        // Once this week's run exists, the next is next week's even before its hour.
        assert_eq!(
            next_due(thursday_nine, before, true),
            utc(2026, 12, 17, 2, 0, 0)
        );
    }

    #[test]
    fn sunday_is_day_seven_and_hours_are_kept_in_range() {
        let tz = chrono_tz::Asia::Jayapura; // UTC+9
        let sunday = Schedule::Weekly {
            weekday: 7,
            hour: 23,
            tz,
        };
        let now = utc(2026, 12, 13, 14, 30, 0); // Sunday 23:30 WIT
        assert_eq!(
            due_run(sunday, now).unwrap().due_at,
            utc(2026, 12, 13, 14, 0, 0)
        );
    }

    #[test]
    fn long_texts_are_clipped_on_a_character() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("ééééé", 3), "ééé…");
    }
}
