//! Pure rules of submissions: which URLs are posts of which platform and their one
//! normal form, the time an X status id carries, and the checks on what an ambassador
//! reports with a post.

use chrono::{DateTime, Duration, TimeZone, Utc};
use url::Url;

/// Longer than any real post URL; a 10 KB paste is refused before it is parsed.
pub const MAX_URL_LEN: usize = 2048;
/// Likes, comments, shares or saves above this are a typing mistake, not a post.
pub const MAX_COUNT: i64 = 1_000_000_000;
/// How far `posted_at` may lie ahead of the server's clock (phones run a little fast).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);
/// An X status id's time and `posted_at` may differ by at most this to verify at once.
pub const X_AUTO_WINDOW: Duration = Duration::hours(24);
/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z) in milliseconds.
const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;

/// A post URL in its one form: `url` to show and open, `key` unique across Duta
/// (platform and the post's own id, so two spellings of one post collide), and for X the
/// handle written in the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostUrl {
    pub platform: &'static str,
    pub url: String,
    pub key: String,
    pub handle: Option<String>,
    /// X: the status id, whose high bits are the posting time.
    pub status_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    Empty,
    TooLong,
    /// Not an http(s) address (`javascript:`, `data:`, no scheme, garbage).
    NotWeb,
    /// A post of another platform: the platform it belongs to.
    OtherPlatform(&'static str),
    /// The right platform, but a profile, home or search page rather than one post.
    NotAPost,
    /// A site Duta does not know.
    UnknownSite,
}

impl UrlError {
    pub fn key(&self) -> &'static str {
        match self {
            UrlError::Empty => "submissions.url_required",
            UrlError::TooLong => "submissions.url_too_long",
            UrlError::NotWeb => "submissions.url_not_web",
            UrlError::OtherPlatform(_) => "submissions.url_other_platform",
            UrlError::NotAPost => "submissions.url_not_post",
            UrlError::UnknownSite => "submissions.url_unknown_site",
        }
    }
}

/// A platform's name as people write it (the same in Indonesian and English).
pub fn platform_label(platform: &str) -> &str {
    match platform {
        "x" => "X",
        "instagram" => "Instagram",
        "facebook" => "Facebook",
        "tiktok" => "TikTok",
        "youtube" => "YouTube",
        other => other,
    }
}

/// The platform a host belongs to, after `www.`, `m.` and similar prefixes are dropped.
pub fn platform_of_host(host: &str) -> Option<&'static str> {
    let host = host.trim_end_matches('.');
    let bare = [
        "www.", "m.", "mobile.", "web.", "mbasic.", "touch.", "vm.", "vt.",
    ]
    .iter()
    .find_map(|p| host.strip_prefix(p))
    .unwrap_or(host);
    match bare {
        "x.com" | "twitter.com" => Some("x"),
        "instagram.com" | "instagr.am" => Some("instagram"),
        "facebook.com" | "fb.com" | "fb.watch" => Some("facebook"),
        "tiktok.com" => Some("tiktok"),
        "youtube.com" | "youtu.be" | "youtube-nocookie.com" => Some("youtube"),
        _ => None,
    }
}

fn segments(u: &Url) -> Vec<&str> {
    u.path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default()
}

fn query(u: &Url, name: &str) -> Option<String> {
    u.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 25 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// Checks that `raw` is a post of `platform` and gives its normal form: https, the
/// platform's canonical host, no tracking parameters, and a key unique per post.
pub fn normalize_post_url(platform: &str, raw: &str) -> Result<PostUrl, UrlError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(UrlError::Empty);
    }
    if raw.len() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    // People paste `x.com/…` without a scheme; anything with another scheme is refused.
    let lower = raw.to_ascii_lowercase();
    let with_scheme = if lower.starts_with("http://") || lower.starts_with("https://") {
        raw.to_string()
    } else if lower.contains(':') && !lower.split('/').next().unwrap_or("").contains('.') {
        return Err(UrlError::NotWeb);
    } else {
        format!("https://{raw}")
    };
    let u = Url::parse(&with_scheme).map_err(|_| UrlError::NotWeb)?;
    if !matches!(u.scheme(), "http" | "https") || u.username() != "" || u.password().is_some() {
        return Err(UrlError::NotWeb);
    }
    let host = u.host_str().ok_or(UrlError::NotWeb)?.to_ascii_lowercase();
    let found = platform_of_host(&host).ok_or(UrlError::UnknownSite)?;
    if found != platform {
        return Err(UrlError::OtherPlatform(found));
    }
    let segs = segments(&u);
    match found {
        "x" => x_post(&segs),
        "instagram" => instagram_post(&segs),
        "facebook" => facebook_post(&host, &u, &segs),
        "tiktok" => tiktok_post(&segs),
        _ => youtube_post(&host, &u, &segs),
    }
}

fn x_post(segs: &[&str]) -> Result<PostUrl, UrlError> {
    let (handle, id) = match segs {
        ["i", "web", "status", id, ..] | ["i", "status", id, ..] => (None, *id),
        [user, "status" | "statuses", id, ..] => (Some(*user), *id),
        _ => return Err(UrlError::NotAPost),
    };
    if !is_digits(id) {
        return Err(UrlError::NotAPost);
    }
    let status_id: u64 = id.parse().map_err(|_| UrlError::NotAPost)?;
    let handle = match handle {
        Some(h) if is_token(h) => Some(h.to_ascii_lowercase()),
        Some(_) => return Err(UrlError::NotAPost),
        None => None,
    };
    let url = match &handle {
        Some(h) => format!("https://x.com/{h}/status/{status_id}"),
        None => format!("https://x.com/i/web/status/{status_id}"),
    };
    Ok(PostUrl {
        platform: "x",
        url,
        key: format!("x:{status_id}"),
        handle,
        status_id: Some(status_id),
    })
}

fn instagram_post(segs: &[&str]) -> Result<PostUrl, UrlError> {
    let (kind, code) = match segs {
        [kind @ ("p" | "reel" | "reels" | "tv"), code, ..] => (*kind, *code),
        [_user, kind @ ("p" | "reel"), code, ..] => (*kind, *code),
        _ => return Err(UrlError::NotAPost),
    };
    if !is_token(code) || code.contains('.') {
        return Err(UrlError::NotAPost);
    }
    let kind = if kind == "p" { "p" } else { "reel" };
    Ok(PostUrl {
        platform: "instagram",
        url: format!("https://www.instagram.com/{kind}/{code}/"),
        key: format!("instagram:{code}"),
        handle: None,
        status_id: None,
    })
}

fn facebook_post(host: &str, u: &Url, segs: &[&str]) -> Result<PostUrl, UrlError> {
    let post = |path: String, key: String| PostUrl {
        platform: "facebook",
        url: format!("https://www.facebook.com/{path}"),
        key: format!("facebook:{key}"),
        handle: None,
        status_id: None,
    };
    if host.ends_with("fb.watch") {
        return match segs {
            [code] if is_token(code) => Ok(PostUrl {
                platform: "facebook",
                url: format!("https://fb.watch/{code}/"),
                key: format!("facebook:watch:{code}"),
                handle: None,
                status_id: None,
            }),
            _ => Err(UrlError::NotAPost),
        };
    }
    match segs {
        ["permalink.php"] | ["story.php"] => {
            let story = query(u, "story_fbid").filter(|s| is_token(s));
            let owner = query(u, "id").filter(|s| is_token(s));
            match (story, owner) {
                (Some(s), Some(o)) => Ok(post(
                    format!("permalink.php?story_fbid={s}&id={o}"),
                    format!("{o}:{s}"),
                )),
                _ => Err(UrlError::NotAPost),
            }
        }
        ["photo.php"] | ["photo"] => match query(u, "fbid").filter(|s| is_token(s)) {
            Some(f) => Ok(post(format!("photo/?fbid={f}"), format!("photo:{f}"))),
            None => Err(UrlError::NotAPost),
        },
        ["watch"] => match query(u, "v").filter(|s| is_digits(s)) {
            Some(v) => Ok(post(format!("watch/?v={v}"), format!("video:{v}"))),
            None => Err(UrlError::NotAPost),
        },
        ["share", kind @ ("p" | "r" | "v"), code] if is_token(code) => Ok(post(
            format!("share/{kind}/{code}/"),
            format!("share:{code}"),
        )),
        ["share", code] if is_token(code) => {
            Ok(post(format!("share/{code}/"), format!("share:{code}")))
        }
        ["reel", id] if is_digits(id) => Ok(post(format!("reel/{id}"), format!("video:{id}"))),
        ["groups", group, kind @ ("posts" | "permalink"), id]
            if is_token(group) && is_token(id) =>
        {
            Ok(post(
                format!("groups/{group}/{kind}/{id}/"),
                format!("group:{group}:{id}"),
            ))
        }
        [page, "posts", id] if is_token(page) && is_token(id) => Ok(post(
            format!("{page}/posts/{id}"),
            format!("{}:{id}", page.to_ascii_lowercase()),
        )),
        [page, "videos", id] | [page, "videos", _, id] if is_token(page) && is_digits(id) => {
            Ok(post(format!("{page}/videos/{id}"), format!("video:{id}")))
        }
        [_page, "photos", _, id] if is_digits(id) => {
            Ok(post(format!("photo/?fbid={id}"), format!("photo:{id}")))
        }
        _ => Err(UrlError::NotAPost),
    }
}

fn tiktok_post(segs: &[&str]) -> Result<PostUrl, UrlError> {
    match segs {
        [user, kind @ ("video" | "photo"), id, ..]
            if user.starts_with('@') && is_token(&user[1..]) && is_digits(id) =>
        {
            let user = user.to_ascii_lowercase();
            Ok(PostUrl {
                platform: "tiktok",
                url: format!("https://www.tiktok.com/{user}/{kind}/{id}"),
                key: format!("tiktok:{id}"),
                handle: None,
                status_id: None,
            })
        }
        _ => Err(UrlError::NotAPost),
    }
}

fn youtube_post(host: &str, u: &Url, segs: &[&str]) -> Result<PostUrl, UrlError> {
    let id = if host.ends_with("youtu.be") {
        segs.first().map(|s| s.to_string())
    } else {
        match segs {
            ["watch"] => query(u, "v"),
            ["shorts" | "live" | "embed" | "v", id, ..] => Some(id.to_string()),
            _ => None,
        }
    };
    match id {
        Some(id) if id.len() == 11 && is_token(&id) && !id.contains('.') => Ok(PostUrl {
            platform: "youtube",
            url: format!("https://www.youtube.com/watch?v={id}"),
            key: format!("youtube:{id}"),
            handle: None,
            status_id: None,
        }),
        _ => Err(UrlError::NotAPost),
    }
}

/// The instant an X status id was created (its top bits are milliseconds since
/// Twitter's epoch). Ids from before November 2010 carry no time.
pub fn x_status_time(status_id: u64) -> Option<DateTime<Utc>> {
    let ms = i64::try_from(status_id >> 22).ok()? + TWITTER_EPOCH_MS;
    if status_id >> 22 == 0 {
        return None;
    }
    Utc.timestamp_millis_opt(ms).single()
}

/// Whether an X post verifies itself: written under the ambassador's registered handle
/// (case and `@` ignored) and created within a day of the reported `posted_at`.
pub fn x_verifies_itself(
    post: &PostUrl,
    registered: Option<&str>,
    posted_at: DateTime<Utc>,
) -> bool {
    let (Some(handle), Some(registered), Some(id)) = (&post.handle, registered, post.status_id)
    else {
        return false;
    };
    let registered = registered.trim().trim_start_matches('@');
    if registered.is_empty() || !registered.eq_ignore_ascii_case(handle) {
        return false;
    }
    match x_status_time(id) {
        Some(t) => (t - posted_at).abs() <= X_AUTO_WINDOW,
        None => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostedAtError {
    InFuture,
    BeforeWeek,
}

impl PostedAtError {
    pub fn key(self) -> &'static str {
        match self {
            PostedAtError::InFuture => "submissions.posted_future",
            PostedAtError::BeforeWeek => "submissions.posted_before_week",
        }
    }
}

/// `posted_at` lies between the start of the brief's week and now (with a few minutes
/// for a phone's clock).
pub fn check_posted_at(
    posted_at: DateTime<Utc>,
    week_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), PostedAtError> {
    if posted_at > now + CLOCK_SKEW {
        Err(PostedAtError::InFuture)
    } else if posted_at < week_start {
        Err(PostedAtError::BeforeWeek)
    } else {
        Ok(())
    }
}

/// A reported count: absent, or 0 to [`MAX_COUNT`].
pub fn count_ok(v: Option<i64>) -> bool {
    v.is_none_or(|n| (0..=MAX_COUNT).contains(&n))
}

/// Interactions (likes + comments + shares + saves) and followers of a post that counts
/// for engagement: one with any count and a follower count above zero.
pub fn engagement_counts(counts: [Option<i64>; 4], followers: Option<i64>) -> Option<(i64, i64)> {
    let followers = followers.filter(|f| *f > 0)?;
    if counts.iter().all(Option::is_none) {
        return None;
    }
    Some((counts.iter().map(|c| c.unwrap_or(0)).sum(), followers))
}

/// Engagement rate of a post in percent: interactions ÷ followers × 100; none when the
/// post does not count for engagement.
pub fn engagement_rate(counts: [Option<i64>; 4], followers: Option<i64>) -> Option<f64> {
    engagement_counts(counts, followers)
        .map(|(sum, followers)| sum as f64 / followers as f64 * 100.0)
}

/// An Indonesian phone number as WhatsApp wants it in a `wa.me` link: digits only,
/// with the country code 62 instead of the leading 0; none when it cannot be one.
pub fn wa_number(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("62") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest.to_string()
    } else {
        return None;
    };
    (national.starts_with('8') && (8..=13).contains(&national.len()))
        .then(|| format!("62{national}"))
}

/// A `wa.me` link that opens a chat with `phone` and `text` typed in.
pub fn wa_message_link(phone: &str, text: &str) -> Option<String> {
    let number = wa_number(phone)?;
    let share = crate::briefs::rules::wa_share_link(text);
    Some(share.replacen("https://wa.me/", &format!("https://wa.me/{number}"), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(platform: &str, raw: &str) -> PostUrl {
        match normalize_post_url(platform, raw) {
            Ok(p) => p,
            Err(e) => panic!("{raw}: {e:?}"),
        }
    }

    fn err(platform: &str, raw: &str) -> UrlError {
        match normalize_post_url(platform, raw) {
            Ok(p) => panic!("{raw} accepted as {p:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn x_urls_come_to_one_form_whatever_the_spelling() {
        let a = ok("x", "https://x.com/BudiHumas/status/1861234567890123456");
        assert_eq!(a.url, "https://x.com/budihumas/status/1861234567890123456");
        assert_eq!(a.key, "x:1861234567890123456");
        assert_eq!(a.handle.as_deref(), Some("budihumas"));
        for spelling in [
            "http://twitter.com/budihumas/status/1861234567890123456?s=20&t=abc",
            "https://mobile.twitter.com/BudiHumas/status/1861234567890123456/photo/1",
            "www.x.com/budihumas/status/1861234567890123456#reply",
            "  https://x.com/budihumas/statuses/1861234567890123456?utm_source=wa  ",
        ] {
            let b = ok("x", spelling);
            assert_eq!(b.key, a.key, "{spelling}");
            assert_eq!(b.url, a.url, "{spelling}");
        }
        let web = ok("x", "https://x.com/i/web/status/1861234567890123456");
        assert_eq!(web.key, a.key);
        assert_eq!(web.handle, None);
    }

    #[test]
    fn other_sites_and_pages_that_are_not_posts_are_refused() {
        assert_eq!(err("x", "https://x.com/budihumas"), UrlError::NotAPost);
        assert_eq!(
            err("x", "https://x.com/budihumas/status/abc"),
            UrlError::NotAPost
        );
        assert_eq!(err("x", "https://x.com/home"), UrlError::NotAPost);
        assert_eq!(
            err("x", "https://www.instagram.com/p/C0dEfGh1234/"),
            UrlError::OtherPlatform("instagram")
        );
        assert_eq!(
            err("instagram", "https://x.com/a/status/1"),
            UrlError::OtherPlatform("x")
        );
        assert_eq!(
            err("instagram", "https://instagram.com/budi.humas/"),
            UrlError::NotAPost
        );
        assert_eq!(
            err("x", "https://example.com/a/status/1"),
            UrlError::UnknownSite
        );
        assert_eq!(
            err("x", "https://x.com.evil.example/a/status/1"),
            UrlError::UnknownSite
        );
        assert_eq!(err("x", "javascript:alert(1)"), UrlError::NotWeb);
        assert_eq!(
            err("x", "JavaScript:alert(document.cookie)//x.com/a/status/1"),
            UrlError::NotWeb
        );
        assert_eq!(
            err("x", "data:text/html,<script>alert(1)</script>"),
            UrlError::NotWeb
        );
        assert_eq!(err("x", "ftp://x.com/a/status/1"), UrlError::NotWeb);
        assert_eq!(
            err("x", "https://user:pw@x.com/a/status/1"),
            UrlError::NotWeb
        );
        assert_eq!(err("x", "   "), UrlError::Empty);
        let long = format!("https://x.com/a/status/1?{}", "a".repeat(10 * 1024));
        assert_eq!(err("x", &long), UrlError::TooLong);
    }

    #[test]
    fn instagram_posts_and_reels() {
        let p = ok(
            "instagram",
            "https://instagram.com/p/C0dEfGh1234/?igsh=MWx0&utm_source=ig_web",
        );
        assert_eq!(p.url, "https://www.instagram.com/p/C0dEfGh1234/");
        assert_eq!(p.key, "instagram:C0dEfGh1234");
        let r = ok("instagram", "https://www.instagram.com/reels/C0dEfGh9999");
        assert_eq!(r.url, "https://www.instagram.com/reel/C0dEfGh9999/");
        let u = ok(
            "instagram",
            "https://www.instagram.com/budi.humas/p/C0dEfGh1234/",
        );
        assert_eq!(u.key, p.key);
    }

    #[test]
    fn facebook_posts_permalinks_and_share_links() {
        let p = ok(
            "facebook",
            "https://m.facebook.com/HumasKemenkeu/posts/pfbid02abcDEF?__cft__[0]=xyz&__tn__=R",
        );
        assert_eq!(
            p.url,
            "https://www.facebook.com/HumasKemenkeu/posts/pfbid02abcDEF"
        );
        let perm = ok(
            "facebook",
            "https://www.facebook.com/permalink.php?id=100012345&story_fbid=987654321&mibextid=abc",
        );
        assert_eq!(
            perm.url,
            "https://www.facebook.com/permalink.php?story_fbid=987654321&id=100012345"
        );
        let story = ok(
            "facebook",
            "https://web.facebook.com/story.php?story_fbid=987654321&id=100012345",
        );
        assert_eq!(story.key, perm.key);
        let share = ok(
            "facebook",
            "https://www.facebook.com/share/p/1AbCdEfGh/?mibextid=WC7FNe",
        );
        assert_eq!(share.url, "https://www.facebook.com/share/p/1AbCdEfGh/");
        ok("facebook", "https://www.facebook.com/share/1AbCdEfGh/");
        ok("facebook", "https://www.facebook.com/watch/?v=1234567890");
        ok(
            "facebook",
            "https://www.facebook.com/groups/asn.berakhlak/posts/123456/",
        );
        assert_eq!(
            err("facebook", "https://www.facebook.com/HumasKemenkeu"),
            UrlError::NotAPost
        );
        assert_eq!(
            err("facebook", "https://www.facebook.com/permalink.php?id=1"),
            UrlError::NotAPost
        );
    }

    #[test]
    fn tiktok_and_youtube_videos() {
        let t = ok(
            "tiktok",
            "https://vt.tiktok.com/@Humas.Go/video/7301234567890123456?is_from_webapp=1",
        );
        assert_eq!(
            t.url,
            "https://www.tiktok.com/@humas.go/video/7301234567890123456"
        );
        assert_eq!(
            err("tiktok", "https://www.tiktok.com/@humas"),
            UrlError::NotAPost
        );
        let a = ok("youtube", "https://youtu.be/dQw4w9WgXcQ?si=abc");
        let b = ok(
            "youtube",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share",
        );
        let c = ok("youtube", "https://www.youtube.com/shorts/dQw4w9WgXcQ");
        assert_eq!(a.key, b.key);
        assert_eq!(a.key, c.key);
        assert_eq!(a.url, "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
        assert_eq!(
            err("youtube", "https://www.youtube.com/@humas"),
            UrlError::NotAPost
        );
    }

    #[test]
    fn an_x_status_id_carries_its_time() {
        // 1861234567890123456 >> 22 = 443752901051 ms after the epoch.
        let t = x_status_time(1_861_234_567_890_123_456).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-11-26T02:24:35.708+00:00");
        assert_eq!(x_status_time(20), None);
    }

    #[test]
    fn x_verifies_itself_only_under_the_registered_handle_within_a_day() {
        let p = ok("x", "https://x.com/BudiHumas/status/1861234567890123456");
        let t = x_status_time(1_861_234_567_890_123_456).unwrap();
        assert!(x_verifies_itself(
            &p,
            Some("@budihumas"),
            t + Duration::hours(23)
        ));
        assert!(x_verifies_itself(
            &p,
            Some("BUDIHUMAS"),
            t - Duration::hours(24)
        ));
        assert!(!x_verifies_itself(
            &p,
            Some("budihumas"),
            t + Duration::hours(25)
        ));
        assert!(!x_verifies_itself(&p, Some("someoneelse"), t));
        assert!(!x_verifies_itself(&p, None, t));
        let web = ok("x", "https://x.com/i/web/status/1861234567890123456");
        assert!(!x_verifies_itself(&web, Some("budihumas"), t));
    }

    #[test]
    fn posted_at_lies_between_the_week_start_and_now() {
        let week = Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap();
        assert_eq!(check_posted_at(week, week, now), Ok(()));
        assert_eq!(
            check_posted_at(now + Duration::minutes(4), week, now),
            Ok(())
        );
        assert_eq!(
            check_posted_at(now + Duration::minutes(6), week, now),
            Err(PostedAtError::InFuture)
        );
        assert_eq!(
            check_posted_at(week - Duration::seconds(1), week, now),
            Err(PostedAtError::BeforeWeek)
        );
    }

    #[test]
    fn whatsapp_numbers_and_links() {
        assert_eq!(
            wa_number("0812 3456 0001").as_deref(),
            Some("6281234560001")
        );
        assert_eq!(
            wa_number("+62 812-3456-0001").as_deref(),
            Some("6281234560001")
        );
        assert_eq!(
            wa_number("021 555 1234"),
            None,
            "a landline has no WhatsApp"
        );
        assert_eq!(wa_number("12345"), None);
        assert_eq!(
            wa_message_link("0812 3456 0001", "Halo Budi, ayo unggah!").as_deref(),
            Some("https://wa.me/6281234560001?text=Halo%20Budi%2C%20ayo%20unggah%21")
        );
    }

    #[test]
    fn counts_and_engagement() {
        assert!(count_ok(None));
        assert!(count_ok(Some(0)));
        assert!(count_ok(Some(MAX_COUNT)));
        assert!(!count_ok(Some(-1)));
        assert!(!count_ok(Some(MAX_COUNT + 1)));
        let rate = engagement_rate([Some(40), Some(5), Some(3), Some(2)], Some(1000)).unwrap();
        assert!((rate - 5.0).abs() < 1e-9);
        assert_eq!(engagement_rate([None; 4], Some(1000)), None);
        assert_eq!(engagement_rate([Some(1), None, None, None], Some(0)), None);
        assert_eq!(engagement_rate([Some(1), None, None, None], None), None);
    }
}
