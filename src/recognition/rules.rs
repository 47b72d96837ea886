//! Recognition's plain rules: the badges and what earns each, as anyone may read them.

use serde::Serialize;

/// What an ambassador has done, as the badges read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deeds {
    /// Posts verified, ever.
    pub verified_posts: u64,
    /// The longest run of active weeks (a verified post each; holidays and leave step over)
    /// within the board's longest window, 52 weeks.
    pub best_streak: u32,
    /// Lessons of the training path completed.
    pub lessons_completed: u64,
    /// Lessons on the ambassador's path now.
    pub lessons_on_path: u64,
    /// Drafts a coordinator or mentor reviewed and accepted.
    pub drafts_accepted: u64,
    /// People who signed up through the ambassador's link and were approved.
    pub referrals_approved: u64,
}

/// A badge: its key and the rule that earns it (the page words both in the reader's
/// language from `badges.<key>` and `badges.<key>_rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Badge {
    pub key: &'static str,
    /// The figure the rule reads (`verified_posts`, `best_streak`, …).
    pub measure: &'static str,
    /// The least that earns it.
    pub at_least: u64,
}

/// Every badge, in the order pages show them.
pub const BADGES: [Badge; 10] = [
    Badge {
        key: "first_post",
        measure: "verified_posts",
        at_least: 1,
    },
    Badge {
        key: "streak_4",
        measure: "best_streak",
        at_least: 4,
    },
    Badge {
        key: "streak_12",
        measure: "best_streak",
        at_least: 12,
    },
    Badge {
        key: "streak_26",
        measure: "best_streak",
        at_least: 26,
    },
    Badge {
        key: "first_lesson",
        measure: "lessons_completed",
        at_least: 1,
    },
    // Every lesson on the path (at least the five Duta ships); see `earned`.
    Badge {
        key: "whole_path",
        measure: "lessons_completed",
        at_least: 5,
    },
    Badge {
        key: "mentored",
        measure: "drafts_accepted",
        at_least: 1,
    },
    Badge {
        key: "mentored_5",
        measure: "drafts_accepted",
        at_least: 5,
    },
    Badge {
        key: "recruiter",
        measure: "referrals_approved",
        at_least: 1,
    },
    Badge {
        key: "recruiter_5",
        measure: "referrals_approved",
        at_least: 5,
    },
];

fn measure(d: &Deeds, name: &str) -> u64 {
    match name {
        "verified_posts" => d.verified_posts,
        "best_streak" => u64::from(d.best_streak),
        "lessons_completed" => d.lessons_completed,
        "drafts_accepted" => d.drafts_accepted,
        "referrals_approved" => d.referrals_approved,
        _ => 0,
    }
}

/// The badges `d` earns, in the order of [`BADGES`].
pub fn earned(d: &Deeds) -> Vec<&'static str> {
    BADGES
        .iter()
        .filter(|b| {
            let have = measure(d, b.measure);
            if b.key == "whole_path" {
                have >= b.at_least && have >= d.lessons_on_path
            } else {
                have >= b.at_least
            }
        })
        .map(|b| b.key)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_done_earns_nothing() {
        assert!(earned(&Deeds::default()).is_empty());
    }

    #[test]
    fn each_badge_is_earned_at_its_threshold_and_not_below() {
        for b in BADGES {
            let mut d = Deeds {
                lessons_on_path: 5,
                ..Deeds::default()
            };
            let set = |d: &mut Deeds, n: u64| match b.measure {
                "verified_posts" => d.verified_posts = n,
                "best_streak" => d.best_streak = n as u32,
                "lessons_completed" => d.lessons_completed = n,
                "drafts_accepted" => d.drafts_accepted = n,
                "referrals_approved" => d.referrals_approved = n,
                other => panic!("{other}"),
            };
            set(&mut d, b.at_least - 1);
            assert!(!earned(&d).contains(&b.key), "{} below", b.key);
            set(&mut d, b.at_least);
            assert!(earned(&d).contains(&b.key), "{} at", b.key);
        }
    }

    #[test]
    fn the_whole_path_means_every_lesson_on_it() {
        let d = Deeds {
            lessons_completed: 6,
            lessons_on_path: 7,
            ..Deeds::default()
        };
        assert!(!earned(&d).contains(&"whole_path"));
        let d = Deeds {
            lessons_on_path: 6,
            ..d
        };
        assert!(earned(&d).contains(&"whole_path"));
        assert_eq!(
            earned(&Deeds {
                best_streak: 13,
                ..Deeds::default()
            }),
            ["streak_4", "streak_12"]
        );
    }
}
