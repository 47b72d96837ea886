//! Pure scoring rules (PRODUCT.md, "Weeks, consistency and the leaderboard"): ISO weeks
//! in the programme's time zone, the window of the last N weeks, each week's state for
//! an ambassador, consistency, streaks, and the ranking with shared ranks.

use std::cmp::Ordering;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

pub const DEFAULT_WEEKS: u32 = 12;
pub const MAX_WEEKS: u32 = 52;
/// Fewer eligible weeks than this make an ambassador "new": listed after everyone else.
pub const NEW_BELOW: u32 = 4;

/// The Monday of the ISO week that `instant` falls in, in the time zone `tz`.
pub fn week_of<Tz: TimeZone>(instant: DateTime<Utc>, tz: &Tz) -> NaiveDate {
    monday_of(instant.with_timezone(tz).date_naive())
}

/// The Monday of the ISO week of a calendar date.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The last `weeks` ISO weeks up to and including the week starting `to` (a Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub to: NaiveDate,
    pub weeks: u32,
}

impl Window {
    /// A window ending at the week of `today`; `weeks` is clamped to 1..=52.
    pub fn ending(today: NaiveDate, weeks: u32) -> Window {
        Window {
            to: monday_of(today),
            weeks: weeks.clamp(1, MAX_WEEKS),
        }
    }

    /// The Monday of the window's first week.
    pub fn from(&self) -> NaiveDate {
        self.to - Duration::weeks(i64::from(self.weeks) - 1)
    }

    /// The window's Mondays, oldest first.
    pub fn mondays(&self) -> impl Iterator<Item = NaiveDate> {
        let from = self.from();
        (0..self.weeks).map(move |i| from + Duration::weeks(i64::from(i)))
    }

    pub fn contains(&self, monday: NaiveDate) -> bool {
        monday >= self.from() && monday <= self.to
    }
}

/// What one week of the window is for one ambassador.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// Before the week of `member_since`: not counted.
    NotMember,
    /// A holiday of the programme or approved leave: not counted, does not break a streak.
    Grace,
    /// Eligible, with at least one verified post.
    Active,
    /// Eligible, past, and no verified post.
    Missed,
    /// The current week, eligible and not yet active.
    Current,
}

impl Cell {
    pub fn eligible(self) -> bool {
        matches!(self, Cell::Active | Cell::Missed | Cell::Current)
    }
}

/// The window's weeks for one ambassador, oldest first, with the verified posts of each.
/// `posts(monday)` gives the stored count of that week, `grace(monday)` whether it is a
/// holiday or leave.
pub fn cells(
    window: &Window,
    member_since: Option<NaiveDate>,
    posts: impl Fn(NaiveDate) -> u32,
    grace: impl Fn(NaiveDate) -> bool,
) -> Vec<(NaiveDate, Cell, u32)> {
    let first = member_since.map(monday_of);
    window
        .mondays()
        .map(|w| {
            let n = posts(w);
            let cell = match first {
                None => Cell::NotMember,
                Some(f) if w < f => Cell::NotMember,
                _ if grace(w) => Cell::Grace,
                _ if n > 0 => Cell::Active,
                _ if w == window.to => Cell::Current,
                _ => Cell::Missed,
            };
            (w, cell, n)
        })
        .collect()
}

/// An ambassador's figures over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    pub eligible_weeks: u32,
    pub active_weeks: u32,
    pub current_streak: u32,
    pub best_streak: u32,
    pub verified_posts: u32,
}

impl Score {
    /// Active weeks ÷ eligible weeks; 0 when there are none.
    pub fn consistency(&self) -> f64 {
        if self.eligible_weeks == 0 {
            0.0
        } else {
            f64::from(self.active_weeks) / f64::from(self.eligible_weeks)
        }
    }

    pub fn is_new(&self) -> bool {
        self.eligible_weeks < NEW_BELOW
    }
}

/// Scores a window's cells (oldest first, as [`cells`] gives them).
pub fn score(cells: &[(NaiveDate, Cell, u32)]) -> Score {
    let mut s = Score::default();
    let mut run = 0;
    for &(_, cell, posts) in cells {
        s.verified_posts += posts;
        match cell {
            Cell::Active => {
                s.eligible_weeks += 1;
                s.active_weeks += 1;
                run += 1;
                s.best_streak = s.best_streak.max(run);
            }
            Cell::Missed => {
                s.eligible_weeks += 1;
                run = 0;
            }
            Cell::Current => s.eligible_weeks += 1,
            Cell::NotMember => run = 0,
            Cell::Grace => {}
        }
    }
    // Back from the current week: a current week not yet active does not break the
    // streak (it starts from last week then); grace weeks are stepped over.
    for &(_, cell, _) in cells.iter().rev() {
        match cell {
            Cell::Active => s.current_streak += 1,
            Cell::Current | Cell::Grace => {}
            Cell::Missed | Cell::NotMember => break,
        }
    }
    s
}

/// The ranking order, best first: established before new, then consistency, active
/// weeks, current streak and verified posts, each descending. `Equal` means a shared
/// rank. Consistency is compared exactly (2/4 equals 3/6), by cross-multiplying.
pub fn rank_order(a: &Score, b: &Score) -> Ordering {
    a.is_new()
        .cmp(&b.is_new())
        .then_with(|| {
            let left = u64::from(b.active_weeks) * u64::from(a.eligible_weeks.max(1));
            let right = u64::from(a.active_weeks) * u64::from(b.eligible_weeks.max(1));
            left.cmp(&right)
        })
        .then_with(|| b.active_weeks.cmp(&a.active_weeks))
        .then_with(|| b.current_streak.cmp(&a.current_streak))
        .then_with(|| b.verified_posts.cmp(&a.verified_posts))
}

/// Ranks for scores already sorted by [`rank_order`]: equal neighbours share a rank and
/// the next one skips (1, 2, 2, 4).
pub fn shared_ranks(sorted: &[Score]) -> Vec<u32> {
    let mut ranks = Vec::with_capacity(sorted.len());
    for (i, s) in sorted.iter().enumerate() {
        let rank = match i {
            0 => 1,
            _ if rank_order(&sorted[i - 1], s) == Ordering::Equal => ranks[i - 1],
            _ => i as u32 + 1,
        };
        ranks.push(rank);
    }
    ranks
}

/// One number that orders scores as [`rank_order`] does, smaller first: equal keys are
/// a shared rank. Consistency is kept to a millionth, which separates every two
/// different fractions with at most 52 eligible weeks (they differ by at least
/// 1/(52·51)) and gives equal fractions the same value; verified posts are capped at
/// 2^20 − 1, more than a window can hold.
pub fn sort_key(s: &Score) -> i64 {
    let established = i64::from(!s.is_new());
    let consistency = if s.eligible_weeks == 0 {
        0
    } else {
        i64::from(s.active_weeks) * 1_000_000 / i64::from(s.eligible_weeks)
    };
    let six = |n: u32| i64::from(n.min(63));
    let posts = i64::from(s.verified_posts.min((1 << 20) - 1));
    let goodness = (established << 52)
        | (consistency << 32)
        | (six(s.active_weeks) << 26)
        | (six(s.current_streak) << 20)
        | posts;
    -goodness
}

/// A streak badge for the board: none below 2 weeks, then 2, 4, 8, 12 and 26 weeks.
pub fn streak_badge(streak: u32) -> Option<u32> {
    [26, 12, 8, 4, 2].into_iter().find(|b| streak >= *b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Jakarta;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn wib(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Jakarta
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn weeks_turn_at_monday_midnight_in_jakarta() {
        // Sunday 29 November 2026, 23:59 WIB is still the week of Monday 23 November …
        assert_eq!(
            week_of(wib(2026, 11, 29, 23, 59), &Jakarta),
            d(2026, 11, 23)
        );
        // … and Monday 00:00 WIB begins the next one, although it is Sunday 17:00 UTC.
        let monday = wib(2026, 11, 30, 0, 0);
        assert_eq!(monday.weekday(), chrono::Weekday::Sun);
        assert_eq!(week_of(monday, &Jakarta), d(2026, 11, 30));
        assert_eq!(week_of(monday, &Utc), d(2026, 11, 23));
    }

    #[test]
    fn year_edges_follow_iso_weeks() {
        // 31 December 2024 is a Tuesday of ISO week 2025-W01.
        let w = week_of(wib(2024, 12, 31, 12, 0), &Jakarta);
        assert_eq!(w, d(2024, 12, 30));
        assert_eq!((w.iso_week().year(), w.iso_week().week()), (2025, 1));
        // 2026 has a week 53: Monday 28 December 2026 to Sunday 3 January 2027.
        let w53 = week_of(wib(2027, 1, 3, 23, 0), &Jakarta);
        assert_eq!(w53, d(2026, 12, 28));
        assert_eq!(w53.iso_week().week(), 53);
        // A window of 3 weeks ending in 2027-W01 runs across it.
        let win = Window::ending(d(2027, 1, 6), 3);
        let mondays: Vec<_> = win.mondays().collect();
        assert_eq!(
            mondays,
            vec![d(2026, 12, 21), d(2026, 12, 28), d(2027, 1, 4)]
        );
    }

    #[test]
    fn window_is_clamped_and_includes_the_current_week() {
        let w = Window::ending(d(2026, 11, 25), 12);
        assert_eq!(w.to, d(2026, 11, 23));
        assert_eq!(w.from(), d(2026, 9, 7));
        assert_eq!(Window::ending(d(2026, 11, 25), 0).weeks, 1);
        assert_eq!(Window::ending(d(2026, 11, 25), 500).weeks, 52);
        assert!(w.contains(d(2026, 9, 7)) && !w.contains(d(2026, 8, 31)));
    }

    /// Cells for a 6-week window ending 2026-11-23 from a pattern, oldest first:
    /// `A` active, `-` missed (or current), `G` grace, `.` before membership.
    fn pattern(p: &str) -> Vec<(NaiveDate, Cell, u32)> {
        let win = Window::ending(d(2026, 11, 23), p.len() as u32);
        let mondays: Vec<NaiveDate> = win.mondays().collect();
        let first_member = p.find(|c| c != '.').map(|i| mondays[i]);
        let chars: Vec<char> = p.chars().collect();
        let at = |w: NaiveDate| mondays.iter().position(|m| *m == w).unwrap();
        cells(
            &win,
            first_member,
            |w| u32::from(chars[at(w)] == 'A'),
            |w| chars[at(w)] == 'G',
        )
    }

    #[test]
    fn consistency_counts_active_over_eligible_weeks() {
        let s = score(&pattern("AA-A-A"));
        assert_eq!((s.eligible_weeks, s.active_weeks), (6, 4));
        assert!((s.consistency() - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(s.verified_posts, 4);
        // Weeks before membership and grace weeks are not eligible.
        let s = score(&pattern("..AGA-"));
        assert_eq!((s.eligible_weeks, s.active_weeks), (3, 2));
        assert!(s.is_new());
        assert_eq!(score(&pattern("......")).consistency(), 0.0);
    }

    #[test]
    fn the_current_week_not_yet_active_leaves_the_streak_standing() {
        let c = pattern("-AAAA-");
        assert_eq!(c.last().unwrap().1, Cell::Current);
        let s = score(&c);
        assert_eq!((s.current_streak, s.best_streak), (4, 4));
        let s = score(&pattern("-AAAAA"));
        assert_eq!((s.current_streak, s.best_streak), (5, 5));
        let s = score(&pattern("AAA-A-"));
        assert_eq!((s.current_streak, s.best_streak), (1, 3));
    }

    #[test]
    fn grace_weeks_inside_a_streak_are_stepped_over() {
        let s = score(&pattern("AAGGAA"));
        assert_eq!(s.current_streak, 4);
        assert_eq!(s.best_streak, 4);
        assert_eq!(s.eligible_weeks, 4);
        let s = score(&pattern("A-GAGA"));
        assert_eq!((s.current_streak, s.best_streak), (2, 2));
        // A streak stops where membership begins.
        let s = score(&pattern("..AAA-"));
        assert_eq!(s.current_streak, 3);
    }

    #[test]
    fn a_post_in_a_grace_week_counts_as_a_post_not_an_active_week() {
        let win = Window::ending(d(2026, 11, 23), 2);
        let c = cells(&win, Some(d(2026, 1, 1)), |_| 2, |w| w == d(2026, 11, 16));
        assert_eq!(c[0].1, Cell::Grace);
        let s = score(&c);
        assert_eq!(
            (s.eligible_weeks, s.active_weeks, s.verified_posts),
            (1, 1, 4)
        );
    }

    fn sc(eligible: u32, active: u32, streak: u32, posts: u32) -> Score {
        Score {
            eligible_weeks: eligible,
            active_weeks: active,
            current_streak: streak,
            best_streak: streak,
            verified_posts: posts,
        }
    }

    #[test]
    fn ranking_order_and_shared_ranks() {
        let mut scores = vec![
            sc(2, 2, 2, 9),   // new: last despite a perfect record
            sc(12, 6, 1, 8),  // 0.5
            sc(12, 9, 3, 20), // 0.75
            sc(8, 4, 1, 8),   // 0.5 with fewer active weeks
            sc(12, 6, 1, 8),  // ties with the second
            sc(12, 9, 3, 25), // 0.75, more posts
            sc(12, 6, 2, 8),  // 0.5, longer streak
        ];
        scores.sort_by(rank_order);
        assert_eq!(
            scores,
            vec![
                sc(12, 9, 3, 25),
                sc(12, 9, 3, 20),
                sc(12, 6, 2, 8),
                sc(12, 6, 1, 8),
                sc(12, 6, 1, 8),
                sc(8, 4, 1, 8),
                sc(2, 2, 2, 9),
            ]
        );
        assert_eq!(shared_ranks(&scores), vec![1, 2, 3, 4, 4, 6, 7]);
    }

    #[test]
    fn equal_consistency_is_equal_however_it_is_written() {
        // 2/4 and 3/6: same consistency; active weeks decide.
        assert_eq!(rank_order(&sc(6, 3, 0, 0), &sc(4, 2, 0, 0)), Ordering::Less);
        let ties = [
            sc(4, 2, 1, 1),
            sc(4, 2, 1, 1),
            sc(4, 2, 1, 1),
            sc(4, 1, 0, 0),
        ];
        assert_eq!(shared_ranks(&ties), vec![1, 1, 1, 4]);
        assert_eq!(
            rank_order(&sc(0, 0, 0, 0), &sc(1, 0, 0, 0)),
            Ordering::Equal
        );
    }

    #[test]
    fn the_sort_key_orders_as_the_ranking_does() {
        let mut all = Vec::new();
        for eligible in 0..=52u32 {
            for active in (0..=eligible).step_by(3) {
                for streak in [0, 1, active.min(7), active] {
                    for posts in [0, 1, active, 2 * active + 5] {
                        all.push(sc(eligible, active, streak.min(active), posts));
                    }
                }
            }
        }
        // Every pair near each other in a shuffled order, and the extremes.
        let mut n = 0usize;
        for (i, a) in all.iter().enumerate() {
            for b in all.iter().skip(i).step_by(97).take(40) {
                n += 1;
                assert_eq!(
                    rank_order(a, b),
                    sort_key(a).cmp(&sort_key(b)),
                    "{a:?} against {b:?}"
                );
            }
        }
        assert!(n > 10_000);
        // Equal fractions written differently tie on consistency (the more active
        // weeks then lead); the two nearest fractions are still told apart.
        assert_eq!(
            sort_key(&sc(52, 26, 0, 0)) >> 32,
            sort_key(&sc(4, 2, 0, 0)) >> 32
        );
        assert!(sort_key(&sc(52, 51, 0, 0)) < sort_key(&sc(51, 50, 0, 0)));
    }

    #[test]
    fn badges() {
        assert_eq!(streak_badge(1), None);
        assert_eq!(streak_badge(3), Some(2));
        assert_eq!(streak_badge(12), Some(12));
        assert_eq!(streak_badge(40), Some(26));
    }
}
