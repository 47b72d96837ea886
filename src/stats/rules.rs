//! The definitions of the participation statistics (PRODUCT.md, "Participation
//! statistics"), as pure functions over one ambassador's stored weekly aggregate:
//!
//! - active in week W: approved, with `member_since` on or before W's Sunday;
//! - expected in W: active and not on a grace week (a programme holiday or their leave),
//!   the same weeks the leaderboard counts as eligible;
//! - participating in W: expected and with a verified post in W (on the chosen platform);
//!   the participation rate is participating ÷ expected (none when nobody is expected);
//! - posting in W: any verified post in W, grace week or not (the JSON's
//!   `posting_ambassadors`); posts and reach count every verified post;
//! - reach in W per platform: the latest follower counts of those who posted on it in W;
//! - the engagement rate of an ambassador's week on a platform: interactions ÷ followers ×
//!   100 over the posts that carry counts (followers as they were when each was sent);
//!   the median is taken over those ambassador-weeks;
//! - inactive: the last [`INACTIVE_WEEKS`] finished weeks were all expected and missed.

use chrono::{Duration, NaiveDate};

pub const PLATFORMS: [&str; 3] = ["x", "instagram", "facebook"];
/// The windows leadership chooses from.
pub const WINDOWS: [u32; 4] = [4, 12, 26, 52];
pub const DEFAULT_WINDOW: u32 = 12;
/// Finished weeks without a post that make an ambassador inactive.
pub const INACTIVE_WEEKS: u32 = 3;
/// Engagement rates are kept in hundredths of a percent; this marks "no rate".
pub const NO_RATE: u16 = u16::MAX;

pub fn platform_index(p: &str) -> Option<usize> {
    PLATFORMS.iter().position(|x| *x == p)
}

/// One ambassador's week in the stored aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub monday: NaiveDate,
    /// All verified posts of the week.
    pub total: u16,
    /// Verified posts per platform (in [`PLATFORMS`] order).
    pub posts: [u8; 3],
    /// Engagement rate per platform in hundredths of a percent, or [`NO_RATE`].
    pub rate: [u16; 3],
}

impl Week {
    /// A week from the aggregate's columns: totals, and per platform posts, interactions
    /// and the followers summed over the posts with counts.
    pub fn from_counts(
        monday: NaiveDate,
        total: i64,
        posts: [i64; 3],
        interactions: [i64; 3],
        followers: [i64; 3],
    ) -> Week {
        let mut rate = [NO_RATE; 3];
        for p in 0..3 {
            if followers[p] > 0 {
                let bp = interactions[p].max(0) as f64 * 10_000.0 / followers[p] as f64;
                rate[p] = bp.round().min(f64::from(NO_RATE - 1)) as u16;
            }
        }
        Week {
            monday,
            total: total.clamp(0, i64::from(u16::MAX)) as u16,
            posts: posts.map(|n| n.clamp(0, i64::from(u8::MAX)) as u8),
            rate,
        }
    }

    /// Whether the week has a verified post (on `platform`, or anywhere).
    pub fn posted(&self, platform: Option<usize>) -> bool {
        match platform {
            None => self.total > 0,
            Some(p) => self.posts[p] > 0,
        }
    }
}

/// What the statistics know of one ambassador.
pub struct Person<'a> {
    pub member_since: Option<NaiveDate>,
    /// The stored weeks, oldest first (weeks without a row had no verified post).
    pub weeks: &'a [Week],
    /// The latest follower count per platform.
    pub followers: [Option<u32>; 3],
}

impl Person<'_> {
    /// Active in the week starting `monday`: a member by its Sunday.
    pub fn active(&self, monday: NaiveDate) -> bool {
        self.member_since
            .is_some_and(|d| d <= monday + Duration::days(6))
    }

    pub fn week(&self, monday: NaiveDate) -> Option<&Week> {
        self.weeks
            .binary_search_by_key(&monday, |w| w.monday)
            .ok()
            .map(|i| &self.weeks[i])
    }
}

/// Sums over the weeks of a window (oldest first) for a group of ambassadors.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub mondays: Vec<NaiveDate>,
    pub platform: Option<usize>,
    pub active: Vec<u32>,
    pub expected: Vec<u32>,
    pub participating: Vec<u32>,
    pub posting: Vec<u32>,
    pub posts: Vec<[u32; 3]>,
    pub reach: Vec<[u64; 3]>,
    /// Engagement-rate histograms per platform over the whole window (hundredths of a
    /// percent → ambassador-weeks), for exact medians without keeping every value.
    pub rates: [Vec<(u16, u32)>; 3],
    /// Posts, reach and engagement are summed from this week of the window on (none: only
    /// participation is counted).
    pub detail_from: Option<usize>,
    /// Ambassadors counted (active in the last week).
    pub members: u32,
    /// Of them, inactive for [`INACTIVE_WEEKS`] finished weeks.
    pub inactive: u32,
}

impl Tally {
    pub fn new(mondays: Vec<NaiveDate>, platform: Option<usize>) -> Tally {
        let n = mondays.len();
        Tally {
            mondays,
            platform,
            active: vec![0; n],
            expected: vec![0; n],
            participating: vec![0; n],
            posting: vec![0; n],
            posts: vec![[0; 3]; n],
            reach: vec![[0; 3]; n],
            rates: [Vec::new(), Vec::new(), Vec::new()],
            detail_from: None,
            members: 0,
            inactive: 0,
        }
    }

    /// Also sums posts and reach over every week, and engagement from week `i` on.
    pub fn with_detail_from(mut self, i: usize) -> Tally {
        self.detail_from = Some(i);
        self
    }

    /// Adds one ambassador; `grace(monday)` tells whether a week is a grace week for them.
    pub fn add(&mut self, person: &Person, grace: impl Fn(NaiveDate) -> bool) {
        for (i, monday) in self.mondays.iter().copied().enumerate() {
            if !person.active(monday) {
                continue;
            }
            self.active[i] += 1;
            let week = person.week(monday);
            let in_grace = grace(monday);
            let posted = week.is_some_and(|w| w.posted(self.platform));
            if !in_grace {
                self.expected[i] += 1;
                if posted {
                    self.participating[i] += 1;
                }
            }
            if posted {
                self.posting[i] += 1;
            }
            let Some(detail_from) = self.detail_from else {
                continue;
            };
            if let Some(w) = week {
                for p in self.platforms() {
                    if w.posts[p] == 0 {
                        continue;
                    }
                    self.posts[i][p] += u32::from(w.posts[p]);
                    self.reach[i][p] += u64::from(person.followers[p].unwrap_or(0));
                    if i >= detail_from && w.rate[p] != NO_RATE {
                        let h = &mut self.rates[p];
                        match h.binary_search_by_key(&w.rate[p], |(v, _)| *v) {
                            Ok(j) => h[j].1 += 1,
                            Err(j) => h.insert(j, (w.rate[p], 1)),
                        }
                    }
                }
            }
        }
        if let Some(last) = self.mondays.last().copied() {
            if person.active(last) {
                self.members += 1;
                if inactive(person, last, &grace) {
                    self.inactive += 1;
                }
            }
        }
    }

    fn platforms(&self) -> std::ops::Range<usize> {
        match self.platform {
            Some(p) => p..p + 1,
            None => 0..3,
        }
    }

    /// Participation rate of week `i` (0..=1), none when nobody was expected.
    pub fn rate(&self, i: usize) -> Option<f64> {
        ratio(self.participating[i], self.expected[i])
    }

    /// Participation over the weeks `range` of the window: all participating weeks ÷ all
    /// expected weeks.
    pub fn rate_over(&self, range: std::ops::Range<usize>) -> Option<f64> {
        let range = range.start.min(self.mondays.len())..range.end.min(self.mondays.len());
        let p: u32 = self.participating[range.clone()].iter().sum();
        let e: u32 = self.expected[range].iter().sum();
        ratio(p, e)
    }

    /// The median engagement rate on a platform over the window, in percent.
    pub fn median_rate(&self, p: usize) -> Option<f64> {
        median_of_histogram(&self.rates[p]).map(|bp| bp / 100.0)
    }

    /// Posts on a platform over the window.
    pub fn posts_on(&self, p: usize) -> u64 {
        self.posts.iter().map(|w| u64::from(w[p])).sum()
    }
}

fn ratio(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| f64::from(a) / f64::from(b))
}

/// The median of values given as (value, count) sorted by value; the mean of the two
/// middle values for an even count.
pub fn median_of_histogram(h: &[(u16, u32)]) -> Option<f64> {
    let n: u64 = h.iter().map(|(_, c)| u64::from(*c)).sum();
    if n == 0 {
        return None;
    }
    let nth = |k: u64| {
        let mut seen = 0;
        for (v, c) in h {
            seen += u64::from(*c);
            if seen > k {
                return f64::from(*v);
            }
        }
        0.0
    };
    Some(if n % 2 == 1 {
        nth(n / 2)
    } else {
        (nth(n / 2 - 1) + nth(n / 2)) / 2.0
    })
}

/// Whether the [`INACTIVE_WEEKS`] weeks before the week of `current` were all expected
/// and without a verified post (the current week is still running and does not count).
pub fn inactive(person: &Person, current: NaiveDate, grace: impl Fn(NaiveDate) -> bool) -> bool {
    (1..=i64::from(INACTIVE_WEEKS)).all(|k| {
        let monday = current - Duration::weeks(k);
        person.active(monday) && !grace(monday) && person.week(monday).is_none_or(|w| w.total == 0)
    })
}

/// The last week with a verified post, if any.
pub fn last_active(person: &Person) -> Option<NaiveDate> {
    person
        .weeks
        .iter()
        .rev()
        .find(|w| w.total > 0)
        .map(|w| w.monday)
}

/// A brief's figures summed over work units and platforms in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BriefCounts {
    pub submitted: i64,
    pub verified: i64,
    pub on_time: i64,
    pub interactions: i64,
    pub followers: i64,
}

impl BriefCounts {
    pub fn add(&mut self, o: &BriefCounts) {
        self.submitted += o.submitted;
        self.verified += o.verified;
        self.on_time += o.on_time;
        self.interactions += o.interactions;
        self.followers += o.followers;
    }

    /// Verified posts sent before the deadline ÷ verified posts.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.verified > 0).then(|| self.on_time as f64 / self.verified as f64)
    }

    /// Interactions ÷ followers × 100 over the verified posts with counts.
    pub fn engagement(&self) -> Option<f64> {
        (self.followers > 0).then(|| self.interactions as f64 / self.followers as f64 * 100.0)
    }
}

/// Change between two rates in percentage points.
pub fn change_points(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    Some((now? - before?) * 100.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn mondays(first: &str, n: i64) -> Vec<NaiveDate> {
        (0..n).map(|i| d(first) + Duration::weeks(i)).collect()
    }

    fn week(monday: &str, posts: [i64; 3]) -> Week {
        Week::from_counts(d(monday), posts.iter().sum(), posts, [0; 3], [0; 3])
    }

    const NO_GRACE: fn(NaiveDate) -> bool = |_| false;

    #[test]
    fn an_ambassador_approved_mid_window_counts_from_that_week() {
        // Weeks of 2 to 23 November 2026 (Mondays); approved on Wednesday 11 November.
        let ws = mondays("2026-11-02", 4);
        let weeks = [week("2026-11-09", [1, 0, 0]), week("2026-11-16", [0, 2, 0])];
        let p = Person {
            member_since: Some(d("2026-11-11")),
            weeks: &weeks,
            followers: [Some(100), Some(200), None],
        };
        let mut t = Tally::new(ws, None).with_detail_from(0);
        t.add(&p, NO_GRACE);
        assert_eq!(t.active, vec![0, 1, 1, 1]);
        assert_eq!(t.expected, vec![0, 1, 1, 1]);
        assert_eq!(t.participating, vec![0, 1, 1, 0]);
        assert_eq!(t.rate(0), None);
        assert_eq!(t.rate(1), Some(1.0));
        assert_eq!(t.rate(3), Some(0.0));
        assert_eq!(t.rate_over(0..4), Some(2.0 / 3.0));
        assert_eq!(t.posts, vec![[0; 3], [1, 0, 0], [0, 2, 0], [0; 3]]);
        // Reach counts the latest followers of those who posted on the platform.
        assert_eq!(t.reach[1], [100, 0, 0]);
        assert_eq!(t.reach[2], [0, 200, 0]);
        // Sunday is still the week: approved on Sunday 8 November counts that week.
        let sunday = Person {
            member_since: Some(d("2026-11-08")),
            weeks: &[],
            followers: [None; 3],
        };
        assert!(sunday.active(d("2026-11-02")));
        assert!(!sunday.active(d("2026-10-26")));
    }

    #[test]
    fn a_grace_week_is_not_expected_but_its_posts_still_count() {
        let ws = mondays("2026-11-02", 3);
        let weeks = [week("2026-11-09", [0, 0, 1])];
        let p = Person {
            member_since: Some(d("2026-01-01")),
            weeks: &weeks,
            followers: [None, None, Some(50)],
        };
        let leave = d("2026-11-09");
        let mut t = Tally::new(ws, None).with_detail_from(0);
        t.add(&p, |m| m == leave);
        assert_eq!(t.expected, vec![1, 0, 1]);
        assert_eq!(t.participating, vec![0, 0, 0]);
        assert_eq!(t.posting, vec![0, 1, 0]);
        assert_eq!(t.posts[1], [0, 0, 1]);
        assert_eq!(t.rate(1), None);
        assert_eq!(t.rate_over(0..3), Some(0.0));
    }

    #[test]
    fn a_reversed_verification_leaves_a_week_without_posts() {
        // The aggregate row stays with zero posts after the reversal.
        let ws = mondays("2026-11-02", 1);
        let weeks = [week("2026-11-02", [0, 0, 0])];
        let p = Person {
            member_since: Some(d("2026-01-01")),
            weeks: &weeks,
            followers: [Some(10); 3],
        };
        let mut t = Tally::new(ws, None).with_detail_from(0);
        t.add(&p, NO_GRACE);
        assert_eq!((t.expected[0], t.participating[0], t.posting[0]), (1, 0, 0));
        assert_eq!(t.reach[0], [0; 3]);
    }

    #[test]
    fn the_platform_filter_counts_only_posts_there() {
        let ws = mondays("2026-11-02", 2);
        let weeks = [week("2026-11-02", [1, 0, 0]), week("2026-11-09", [0, 1, 0])];
        let p = Person {
            member_since: Some(d("2026-01-01")),
            weeks: &weeks,
            followers: [Some(10), Some(20), Some(30)],
        };
        let mut t = Tally::new(ws, platform_index("instagram")).with_detail_from(0);
        t.add(&p, NO_GRACE);
        assert_eq!(t.participating, vec![0, 1]);
        assert_eq!(t.posts, vec![[0; 3], [0, 1, 0]]);
        assert_eq!(t.reach, vec![[0; 3], [0, 20, 0]]);
    }

    #[test]
    fn engagement_is_per_ambassador_week_and_the_median_is_exact() {
        // 50 interactions on 1,000 followers = 5 %; 3 on 1,000 = 0.3 %.
        let a = Week::from_counts(d("2026-11-02"), 1, [1, 0, 0], [50, 0, 0], [1000, 0, 0]);
        assert_eq!(a.rate, [500, NO_RATE, NO_RATE]);
        let ws = mondays("2026-11-02", 2);
        let mut t = Tally::new(ws, None).with_detail_from(0);
        for (i, inter) in [50, 3, 20].into_iter().enumerate() {
            let weeks = [Week::from_counts(
                d("2026-11-02"),
                1,
                [1, 0, 0],
                [inter, 0, 0],
                [1000, 0, 0],
            )];
            let p = Person {
                member_since: Some(d("2026-01-01")),
                weeks: &weeks,
                followers: [Some(1000), None, None],
            };
            t.add(&p, NO_GRACE);
            assert_eq!(t.members, i as u32 + 1);
        }
        assert_eq!(t.median_rate(0), Some(2.0));
        assert_eq!(t.median_rate(1), None);
        assert_eq!(median_of_histogram(&[(10, 1), (30, 1)]), Some(20.0));
        assert_eq!(median_of_histogram(&[(10, 2), (30, 1)]), Some(10.0));
        assert_eq!(median_of_histogram(&[]), None);
    }

    #[test]
    fn inactive_means_three_finished_weeks_missed() {
        let current = d("2026-11-23");
        let posted_4_weeks_ago = [week("2026-10-26", [1, 0, 0])];
        let p = Person {
            member_since: Some(d("2026-01-01")),
            weeks: &posted_4_weeks_ago,
            followers: [None; 3],
        };
        assert!(inactive(&p, current, NO_GRACE));
        assert_eq!(last_active(&p), Some(d("2026-10-26")));
        // A leave week among the three is not a missed week.
        assert!(!inactive(&p, current, |m| m == d("2026-11-09")));
        // Posting three weeks ago keeps them active.
        let recent = [week("2026-11-02", [1, 0, 0])];
        let q = Person {
            member_since: Some(d("2026-01-01")),
            weeks: &recent,
            followers: [None; 3],
        };
        assert!(!inactive(&q, current, NO_GRACE));
        // Someone who joined two weeks ago is not inactive yet.
        let new = Person {
            member_since: Some(d("2026-11-10")),
            weeks: &[],
            followers: [None; 3],
        };
        assert!(!inactive(&new, current, NO_GRACE));
        // Nothing posted in the current week does not matter yet.
        let mut t = Tally::new(mondays("2026-11-02", 4), None).with_detail_from(0);
        t.add(&q, NO_GRACE);
        t.add(&p, NO_GRACE);
        assert_eq!((t.members, t.inactive), (2, 1));
    }

    #[test]
    fn brief_counts_and_changes() {
        let mut b = BriefCounts::default();
        b.add(&BriefCounts {
            submitted: 5,
            verified: 4,
            on_time: 3,
            interactions: 30,
            followers: 1000,
        });
        assert_eq!(b.on_time_rate(), Some(0.75));
        assert_eq!(b.engagement(), Some(3.0));
        assert_eq!(BriefCounts::default().on_time_rate(), None);
        let c = change_points(Some(0.5), Some(0.25)).unwrap();
        assert!((c - 25.0).abs() < 1e-9);
        assert_eq!(change_points(Some(0.5), None), None);
    }
}
