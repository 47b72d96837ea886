//! The integrity rules as plain functions: when a follower count jumps, when two pictures
//! are the same, whose account a post URL names, which blocklisted word a text holds,
//! and when engagement is far below the programme's norm.

/// Two perceptual hashes this close (differing bits of 64) are the same picture.
pub const SAME_PICTURE_BITS: u32 = 6;
/// Engagement below this share of the programme's norm is flagged …
pub const LOW_ENGAGEMENT_SHARE: f64 = 0.1;
/// … over at least this many of the ambassador's latest verified posts with counts.
pub const LOW_ENGAGEMENT_POSTS: usize = 3;

/// The rise in percent from `old` to `new` when it is more than `threshold` percent.
pub fn follower_jump(old: i64, new: i64, threshold: i32) -> Option<i64> {
    if old <= 0 || new <= old {
        return None;
    }
    let percent = (new - old).saturating_mul(100) / old;
    (percent > i64::from(threshold)).then_some(percent)
}

/// How many of the 64 bits differ.
pub fn distance(a: i64, b: i64) -> u32 {
    (a ^ b).count_ones()
}

/// The account an X post URL (in its normal form) belongs to.
pub fn x_handle(normalized_url: &str) -> Option<String> {
    let rest = normalized_url.strip_prefix("https://x.com/")?;
    let (handle, tail) = rest.split_once('/')?;
    (tail.starts_with("status/") && !handle.is_empty()).then(|| handle.to_lowercase())
}

/// The first blocklisted word or phrase `text` holds as a whole word (any case).
pub fn blocklisted(text: &str, words: &[String]) -> Option<String> {
    let text = text.to_lowercase();
    words.iter().find_map(|w| {
        let w = w.trim().to_lowercase();
        if w.is_empty() {
            return None;
        }
        let found = text.match_indices(&w).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + w.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        });
        found.then_some(w)
    })
}

/// Whether engagement (interactions per follower) is far below the programme's norm.
/// `own` and `norm` are (interactions, followers) sums.
pub fn low_engagement(own: (i64, i64), norm: (i64, i64)) -> bool {
    let (oi, of) = own;
    let (ni, nf) = norm;
    if of <= 0 || nf <= 0 || ni <= 0 {
        return false;
    }
    let own_rate = oi as f64 / of as f64;
    let norm_rate = ni as f64 / nf as f64;
    own_rate < norm_rate * LOW_ENGAGEMENT_SHARE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumps_above_the_threshold_only() {
        assert_eq!(follower_jump(1000, 1600, 50), Some(60));
        assert_eq!(
            follower_jump(1000, 1500, 50),
            None,
            "exactly 50 % is not more"
        );
        assert_eq!(follower_jump(1000, 900, 50), None, "a drop");
        assert_eq!(follower_jump(0, 5000, 50), None, "no base to compare");
        assert_eq!(follower_jump(400, 10_000, 50), Some(2400));
        assert!(follower_jump(1, i64::MAX, 50).is_some(), "no overflow");
    }

    #[test]
    fn distances_and_handles() {
        assert_eq!(distance(0, 0), 0);
        assert_eq!(distance(0b1011, 0b0001), 2);
        assert_eq!(distance(-1, 0), 64);
        assert_eq!(
            x_handle("https://x.com/Budi_Humas/status/123").as_deref(),
            Some("budi_humas")
        );
        assert_eq!(x_handle("https://www.instagram.com/p/Cx/"), None);
        assert_eq!(x_handle("https://x.com/budi"), None);
    }

    #[test]
    fn blocklisted_words_are_whole_words_in_any_case() {
        let words = vec![
            "pilih nomor".to_string(),
            "paslon".to_string(),
            "  ".to_string(),
        ];
        assert_eq!(
            blocklisted("Ayo PILIH NOMOR 2!", &words).as_deref(),
            Some("pilih nomor")
        );
        assert_eq!(
            blocklisted("dukung paslon kita", &words).as_deref(),
            Some("paslon")
        );
        assert_eq!(
            blocklisted("paslonnya", &words),
            None,
            "inside a longer word"
        );
        assert_eq!(blocklisted("imunisasi di puskesmas", &words), None);
        assert_eq!(blocklisted("", &words), None);
    }

    #[test]
    fn low_engagement_is_a_tenth_of_the_norm() {
        // Norm 5 %: 0.4 % is low, 0.6 % is not.
        assert!(low_engagement((4, 1000), (500, 10_000)));
        assert!(!low_engagement((6, 1000), (500, 10_000)));
        assert!(!low_engagement((0, 0), (500, 10_000)), "no followers known");
        assert!(!low_engagement((0, 1000), (0, 10_000)), "no norm yet");
    }
}
