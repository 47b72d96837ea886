//! The definitions of the participation statistics (PRODUCT.md, "Participation
//! statistics"), as pure functions over the stored figures of a row of the dashboard
//! (see `crate::leaderboard::participation`):
//!
//! - active in week W: approved, with `member_since` on or before W's Sunday;
//! - expected in W: active and not on a grace week (a programme holiday or their leave),
//!   the same weeks the leaderboard counts as eligible;
//! - participating in W: expected and with a verified post in W (on the chosen platform);
//!   the participation rate is participating ÷ expected (none when nobody is expected);
//! - posting in W: any verified post in W, grace week or not (the JSON's
//!   `posting_ambassadors`); posts and reach count every verified post;
//! - reach in W per platform: the latest follower counts of those who posted on it in W;
//! - the engagement rate on a platform over the window: all interactions ÷ all followers
//!   × 100 over the verified posts that carry counts (followers as they were when each
//!   was sent), as the brief performance table counts it;
//! - inactive: the last [`INACTIVE_WEEKS`] finished weeks were all expected and missed.

use chrono::NaiveDate;

pub use crate::leaderboard::participation::{ByPlatform, Cell, PLATFORMS};

/// The windows leadership chooses from.
pub const WINDOWS: [u32; 4] = [4, 12, 26, 52];
pub const DEFAULT_WINDOW: u32 = 12;
/// Finished weeks without a post that make an ambassador inactive.
pub const INACTIVE_WEEKS: u32 = 3;

pub fn platform_index(p: &str) -> Option<usize> {
    PLATFORMS.iter().position(|x| *x == p)
}

/// Where a platform filter (none: any platform) reads its posting count: 0 for any, then
/// one per platform.
fn column(platform: Option<usize>) -> usize {
    platform.map_or(0, |p| p + 1)
}

/// What one row of the dashboard (a unit with its subtree, an institution, the whole
/// scope) reads, per week of the window, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    /// Ambassadors who became members before the first week.
    pub before: i64,
    /// The stored figures of each week.
    pub cells: Vec<Cell>,
    /// Active ambassadors on leave in each week.
    pub on_leave: Vec<i64>,
    /// Of them, those who posted: on any platform, then per platform.
    pub on_leave_posted: Vec<[i64; 1 + PLATFORMS.len()]>,
}

impl Raw {
    pub fn new(weeks: usize) -> Raw {
        Raw {
            before: 0,
            cells: vec![Cell::default(); weeks],
            on_leave: vec![0; weeks],
            on_leave_posted: vec![[0; 1 + PLATFORMS.len()]; weeks],
        }
    }

    pub fn add(&mut self, o: &Raw) {
        self.before += o.before;
        for (a, b) in self.cells.iter_mut().zip(&o.cells) {
            a.add(b, 1);
        }
        for (a, b) in self.on_leave.iter_mut().zip(&o.on_leave) {
            *a += b;
        }
        for (a, b) in self.on_leave_posted.iter_mut().zip(&o.on_leave_posted) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Counts an active ambassador on leave in week `i`, with what they posted.
    pub fn leave(&mut self, i: usize, posts: Option<ByPlatform<i64>>) {
        self.on_leave[i] += 1;
        if let Some(posts) = posts {
            let any = posts.iter().any(|n| *n > 0);
            self.on_leave_posted[i][0] += i64::from(any);
            for (slot, n) in self.on_leave_posted[i][1..].iter_mut().zip(posts) {
                *slot += i64::from(n > 0);
            }
        }
    }
}

/// Who posted in a stored week, for a platform filter.
fn posting(c: &Cell, platform: Option<usize>) -> i64 {
    match platform {
        None => c.posting,
        Some(p) => c.posting_on[p],
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn total(n: i64) -> u64 {
    u64::try_from(n.max(0)).unwrap_or(0)
}

/// The figures of one row over the weeks of a window (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub mondays: Vec<NaiveDate>,
    pub platform: Option<usize>,
    pub active: Vec<u32>,
    pub expected: Vec<u32>,
    pub participating: Vec<u32>,
    pub posting: Vec<u32>,
    pub posts: Vec<ByPlatform<u64>>,
    pub reach: Vec<ByPlatform<u64>>,
    /// Interactions and followers of the posts with counts, per platform, from week
    /// `detail_from` on.
    pub interactions: ByPlatform<u64>,
    pub followers: ByPlatform<u64>,
    /// Ambassadors counted (active in the last week).
    pub members: u32,
}

impl Tally {
    /// A row's figures from what it read; `holiday(monday)` tells the programme's
    /// holidays, and engagement is summed from week `detail_from` on.
    pub fn of(
        raw: &Raw,
        mondays: Vec<NaiveDate>,
        platform: Option<usize>,
        holiday: impl Fn(NaiveDate) -> bool,
        detail_from: usize,
    ) -> Tally {
        let n = mondays.len();
        let mut t = Tally {
            mondays,
            platform,
            active: vec![0; n],
            expected: vec![0; n],
            participating: vec![0; n],
            posting: vec![0; n],
            posts: vec![ByPlatform::default(); n],
            reach: vec![ByPlatform::default(); n],
            interactions: ByPlatform::default(),
            followers: ByPlatform::default(),
            members: 0,
        };
        let mut active = raw.before;
        for i in 0..n {
            let c = raw.cells.get(i).copied().unwrap_or_default();
            active += c.joined;
            t.active[i] = count(active);
            let posted = posting(&c, platform);
            t.posting[i] = count(posted);
            if !holiday(t.mondays[i]) {
                let away = raw.on_leave.get(i).copied().unwrap_or(0);
                let away_posted = raw
                    .on_leave_posted
                    .get(i)
                    .map_or(0, |a| a[column(platform)]);
                t.expected[i] = count(active - away);
                t.participating[i] = count(posted - away_posted);
            }
            for p in 0..PLATFORMS.len() {
                if platform.is_some_and(|q| q != p) {
                    continue;
                }
                t.posts[i][p] = total(c.posts[p]);
                t.reach[i][p] = total(c.reach[p]);
                if i >= detail_from {
                    t.interactions[p] += total(c.interactions[p]);
                    t.followers[p] += total(c.followers[p]);
                }
            }
        }
        t.members = count(active);
        t
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

    /// The engagement rate on a platform over the window, in percent.
    pub fn engagement(&self, p: usize) -> Option<f64> {
        (self.followers[p] > 0)
            .then(|| self.interactions[p] as f64 / self.followers[p] as f64 * 100.0)
    }

    /// Posts on a platform over the window.
    pub fn posts_on(&self, p: usize) -> u64 {
        self.posts.iter().map(|w| w[p]).sum()
    }
}

fn ratio(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| f64::from(a) / f64::from(b))
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
    use crate::leaderboard::participation::{share, Applied, WeekRow};
    use chrono::Duration;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn mondays(first: &str, n: i64) -> Vec<NaiveDate> {
        (0..n).map(|i| d(first) + Duration::weeks(i)).collect()
    }

    fn week(monday: &str, posts: ByPlatform<i64>) -> WeekRow {
        WeekRow {
            monday: d(monday),
            total: posts.iter().sum(),
            posts,
            interactions: [0; 5],
            followers: [0; 5],
        }
    }

    /// One ambassador: their stored share of a unit's weeks, and their leave weeks.
    fn person(
        ws: &[NaiveDate],
        since: &str,
        followers: ByPlatform<i64>,
        weeks: &[WeekRow],
        leave: &[NaiveDate],
    ) -> Raw {
        let state = Applied {
            institution_id: 1,
            work_unit_id: 1,
            member_since: Some(d(since)),
            followers,
            breaks: Vec::new(),
        };
        let mut raw = Raw::new(ws.len());
        let joined = crate::leaderboard::rules::monday_of(d(since));
        if joined < ws[0] {
            raw.before += 1;
        }
        for (i, m) in ws.iter().enumerate() {
            if joined == *m {
                raw.cells[i].joined += 1;
            }
            let w = weeks.iter().find(|w| w.monday == *m);
            if let Some(c) = w.and_then(|w| share(&state, w)) {
                raw.cells[i].add(&c, 1);
            }
            if leave.contains(m) && crate::leaderboard::participation::active(Some(d(since)), *m) {
                raw.leave(i, w.map(|w| w.posts));
            }
        }
        raw
    }

    const NO_HOLIDAY: fn(NaiveDate) -> bool = |_| false;

    #[test]
    fn an_ambassador_approved_mid_window_counts_from_that_week() {
        // Weeks of 2 to 23 November 2026 (Mondays); approved on Wednesday 11 November.
        let ws = mondays("2026-11-02", 4);
        let weeks = [
            week("2026-11-09", [1, 0, 0, 0, 0]),
            week("2026-11-16", [0, 2, 0, 0, 0]),
        ];
        let raw = person(&ws, "2026-11-11", [100, 200, 0, 0, 0], &weeks, &[]);
        let t = Tally::of(&raw, ws, None, NO_HOLIDAY, 0);
        assert_eq!(t.active, vec![0, 1, 1, 1]);
        assert_eq!(t.expected, vec![0, 1, 1, 1]);
        assert_eq!(t.participating, vec![0, 1, 1, 0]);
        assert_eq!(t.rate(0), None);
        assert_eq!(t.rate(1), Some(1.0));
        assert_eq!(t.rate(3), Some(0.0));
        assert_eq!(t.rate_over(0..4), Some(2.0 / 3.0));
        assert_eq!(
            t.posts,
            vec![[0; 5], [1, 0, 0, 0, 0], [0, 2, 0, 0, 0], [0; 5]]
        );
        // Reach counts the latest followers of those who posted on the platform.
        assert_eq!(t.reach[1], [100, 0, 0, 0, 0]);
        assert_eq!(t.reach[2], [0, 200, 0, 0, 0]);
        // Sunday is still the week: approved on Sunday 8 November counts that week.
        let sunday = Some(d("2026-11-08"));
        assert!(crate::leaderboard::participation::active(
            sunday,
            d("2026-11-02")
        ));
        assert!(!crate::leaderboard::participation::active(
            sunday,
            d("2026-10-26")
        ));
    }

    #[test]
    fn a_post_before_membership_is_not_counted() {
        let ws = mondays("2026-11-02", 2);
        let weeks = [week("2026-11-02", [1, 0, 0, 0, 0])];
        let raw = person(&ws, "2026-11-10", [5, 0, 0, 0, 0], &weeks, &[]);
        let t = Tally::of(&raw, ws, None, NO_HOLIDAY, 0);
        assert_eq!((t.active, t.posting), (vec![0, 1], vec![0, 0]));
        assert_eq!(t.posts[0], [0; 5]);
    }

    #[test]
    fn a_grace_week_is_not_expected_but_its_posts_still_count() {
        let ws = mondays("2026-11-02", 3);
        let weeks = [week("2026-11-09", [0, 0, 1, 0, 0])];
        let leave = [d("2026-11-09")];
        let raw = person(&ws, "2026-01-01", [0, 0, 50, 0, 0], &weeks, &leave);
        let t = Tally::of(&raw, ws.clone(), None, NO_HOLIDAY, 0);
        assert_eq!(t.expected, vec![1, 0, 1]);
        assert_eq!(t.participating, vec![0, 0, 0]);
        assert_eq!(t.posting, vec![0, 1, 0]);
        assert_eq!(t.posts[1], [0, 0, 1, 0, 0]);
        assert_eq!(t.rate(1), None);
        assert_eq!(t.rate_over(0..3), Some(0.0));
        // A holiday is a grace week for everyone.
        let raw = person(&ws, "2026-01-01", [0, 0, 50, 0, 0], &weeks, &[]);
        let t = Tally::of(&raw, ws, None, |m| m == d("2026-11-09"), 0);
        assert_eq!(t.expected, vec![1, 0, 1]);
        assert_eq!((t.participating[1], t.posting[1]), (0, 1));
    }

    #[test]
    fn a_reversed_verification_leaves_a_week_without_posts() {
        // The aggregate row stays with zero posts after the reversal.
        let ws = mondays("2026-11-02", 1);
        let weeks = [week("2026-11-02", [0, 0, 0, 0, 0])];
        let raw = person(&ws, "2026-01-01", [10; 5], &weeks, &[]);
        let t = Tally::of(&raw, ws, None, NO_HOLIDAY, 0);
        assert_eq!((t.expected[0], t.participating[0], t.posting[0]), (1, 0, 0));
        assert_eq!(t.reach[0], [0; 5]);
    }

    #[test]
    fn the_platform_filter_counts_only_posts_there() {
        let ws = mondays("2026-11-02", 2);
        let weeks = [
            week("2026-11-02", [1, 0, 0, 0, 0]),
            week("2026-11-09", [0, 1, 0, 0, 0]),
        ];
        let raw = person(&ws, "2026-01-01", [10, 20, 30, 0, 0], &weeks, &[]);
        let t = Tally::of(&raw, ws, platform_index("instagram"), NO_HOLIDAY, 0);
        assert_eq!(t.participating, vec![0, 1]);
        assert_eq!(t.posts, vec![[0; 5], [0, 1, 0, 0, 0]]);
        assert_eq!(t.reach, vec![[0; 5], [0, 20, 0, 0, 0]]);
    }

    #[test]
    fn rows_add_up_and_engagement_pools_the_window() {
        // 50 interactions on 1,000 followers, then 3 and 20: 73 on 3,000 = 2.43 %.
        let ws = mondays("2026-11-02", 2);
        let mut all = Raw::new(2);
        for inter in [50, 3, 20] {
            let weeks = [WeekRow {
                monday: d("2026-11-09"),
                total: 1,
                posts: [1, 0, 0, 0, 0],
                interactions: [inter, 0, 0, 0, 0],
                followers: [1000, 0, 0, 0, 0],
            }];
            all.add(&person(&ws, "2026-01-01", [1000, 0, 0, 0, 0], &weeks, &[]));
        }
        let t = Tally::of(&all, ws.clone(), None, NO_HOLIDAY, 1);
        assert_eq!(t.members, 3);
        assert_eq!(t.participating, vec![0, 3]);
        assert!((t.engagement(0).unwrap() - 73.0 / 30.0).abs() < 1e-9);
        assert_eq!(t.engagement(1), None);
        // Engagement counts only the weeks from `detail_from` on.
        let t = Tally::of(&all, ws, None, NO_HOLIDAY, 2);
        assert_eq!(t.engagement(0), None);
    }

    #[test]
    fn tiktok_and_youtube_count_like_the_others() {
        // TikTok one week, YouTube the next, each with its own reach and engagement.
        let ws = mondays("2026-11-02", 2);
        let weeks = [
            WeekRow {
                monday: d("2026-11-02"),
                total: 1,
                posts: [0, 0, 0, 1, 0],
                interactions: [0, 0, 0, 30, 0],
                followers: [0, 0, 0, 1500, 0],
            },
            week("2026-11-09", [0, 0, 0, 0, 2]),
        ];
        let raw = person(&ws, "2026-01-01", [0, 0, 0, 1500, 700], &weeks, &[]);
        let t = Tally::of(&raw, ws.clone(), None, NO_HOLIDAY, 0);
        assert_eq!(t.participating, vec![1, 1]);
        assert_eq!(t.posts, vec![[0, 0, 0, 1, 0], [0, 0, 0, 0, 2]]);
        assert_eq!(t.reach, vec![[0, 0, 0, 1500, 0], [0, 0, 0, 0, 700]]);
        assert_eq!(t.engagement(platform_index("tiktok").unwrap()), Some(2.0));
        assert_eq!(t.posts_on(4), 2);
        let t = Tally::of(&raw, ws, platform_index("youtube"), NO_HOLIDAY, 0);
        assert_eq!(t.participating, vec![0, 1]);
        assert_eq!(t.reach, vec![[0; 5], [0, 0, 0, 0, 700]]);
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
