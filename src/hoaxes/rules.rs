//! Pure rules of hoax reports: which links may be reported and their one form (so the
//! same hoax reported twice is found again), the channels a hoax is seen on, a case's
//! states and the decisions that move it, and the line a case is listed by.

use url::Url;

use crate::text::Text;

/// Where people see hoaxes: the programme's platforms and the chat apps they spread in.
pub const CHANNELS: [&str; 8] = [
    "whatsapp",
    "x",
    "facebook",
    "instagram",
    "tiktok",
    "youtube",
    "telegram",
    "other",
];

/// A report holds one to this many links (a story and its copies on other sites).
pub const MAX_LINKS: usize = 5;
/// The longest link kept; longer pastes are refused before they are parsed.
pub const MAX_LINK_LEN: usize = 2048;
/// The links field as typed: up to five links of 2,048 characters and their separators.
pub const LINKS_TEXT: Text = Text::lines(0, 10_300);
/// Where it was seen, in the reporter's words ("Grup WA alumni SMA").
pub const SEEN_WHERE: Text = Text::line(0, 200);
/// What the reporter says of it.
pub const NOTE: Text = Text::lines(0, 2_000);
/// A decision's note, shown to the reporters: why it is or is not a hoax.
pub const DECISION_NOTE: Text = Text::lines(0, 1_000);
/// Why a case goes to another list.
pub const FORWARD_NOTE: Text = Text::lines(3, 1_000);
/// The length of a case's name in lists.
pub const SUMMARY_CHARS: usize = 160;

/// Query parameters people add when they share a link, which do not change the page.
const TRACKING: [&str; 11] = [
    "fbclid", "gclid", "igsh", "igshid", "si", "ref", "ref_src", "ref_url", "mibextid", "rdid",
    "share_id",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not an http(s) address: `javascript:`, `data:`, `file:`, garbage.
    NotWeb,
    TooLong,
}

impl LinkError {
    pub fn key(self) -> &'static str {
        match self {
            LinkError::NotWeb => "hoaxes.link_not_web",
            LinkError::TooLong => "hoaxes.link_too_long",
        }
    }
}

/// The one form of a reported link: a post of a platform Duta knows in that platform's
/// form; any other web address with https, its host in lower case, without `www.`, the
/// fragment or tracking parameters.
pub fn normalize_link(raw: &str) -> Result<String, LinkError> {
    let raw = raw.trim();
    if raw.len() > MAX_LINK_LEN {
        return Err(LinkError::TooLong);
    }
    let lower = raw.to_ascii_lowercase();
    let with_scheme = if lower.starts_with("http://") || lower.starts_with("https://") {
        raw.to_string()
    } else if lower.contains(':') && !lower.split('/').next().unwrap_or("").contains('.') {
        return Err(LinkError::NotWeb);
    } else {
        format!("https://{raw}")
    };
    let mut u = Url::parse(&with_scheme).map_err(|_| LinkError::NotWeb)?;
    if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() || u.password().is_some()
    {
        return Err(LinkError::NotWeb);
    }
    let host = u
        .host_str()
        .filter(|h| h.contains('.') || h.contains(':'))
        .ok_or(LinkError::NotWeb)?
        .to_ascii_lowercase();
    if let Some(platform) = crate::submissions::rules::platform_of_host(&host) {
        if let Ok(post) = crate::submissions::rules::normalize_post_url(platform, raw) {
            return Ok(post.url);
        }
    }
    let bare = host.strip_prefix("www.").unwrap_or(&host).to_string();
    u.set_host(Some(&bare)).map_err(|_| LinkError::NotWeb)?;
    if u.scheme() == "http" {
        u.set_scheme("https").map_err(|_| LinkError::NotWeb)?;
    }
    u.set_port(None).map_err(|_| LinkError::NotWeb)?;
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    let mut out = u.to_string();
    if u.path() == "/" && u.query().is_none() {
        out.pop();
    }
    if out.len() > MAX_LINK_LEN {
        return Err(LinkError::TooLong);
    }
    Ok(out)
}

/// The links of a report as typed (one per line, or separated by spaces): each in its
/// one form, repeats kept once. Errors name the first bad link's problem.
pub fn parse_links(raw: &str) -> Result<Vec<String>, LinksError> {
    let mut out: Vec<String> = Vec::new();
    for piece in raw.split_whitespace() {
        let link = normalize_link(piece).map_err(LinksError::Bad)?;
        if !out.contains(&link) {
            out.push(link);
        }
    }
    if out.len() > MAX_LINKS {
        return Err(LinksError::TooMany);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinksError {
    Bad(LinkError),
    TooMany,
}

impl LinksError {
    pub fn key(self) -> &'static str {
        match self {
            LinksError::Bad(e) => e.key(),
            LinksError::TooMany => "hoaxes.links_too_many",
        }
    }
}

/// A case's states. `new` waits for triage; `confirmed` is a hoax to answer; `not_hoax`
/// needs no answer; `answered` has its clarification out.
pub const STATES: [&str; 4] = ["new", "confirmed", "not_hoax", "answered"];
/// What a coordinator decides of a case.
pub const DECISIONS: [&str; 2] = ["confirmed", "not_hoax"];

/// Whether a case in `state` may be decided (again): anything but an answered case,
/// whose clarification is out.
pub fn decidable(state: &str) -> bool {
    matches!(state, "new" | "confirmed" | "not_hoax")
}

/// A case's name in lists: the first report's note, or its first link, shortened.
pub fn summary_of(note: &str, links: &[String]) -> String {
    let source = note
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .or(links.first().map(String::as_str))
        .unwrap_or("");
    let mut s: String = source.chars().take(SUMMARY_CHARS).collect();
    if source.chars().count() > SUMMARY_CHARS {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_of_other_schemes_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:msgbox",
            "https://user:pw@example.com/x",
            "https://",
            "localhost",
            "not a link",
        ] {
            assert_eq!(normalize_link(bad), Err(LinkError::NotWeb), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_LINK_LEN));
        assert_eq!(normalize_link(&long), Err(LinkError::TooLong));
    }

    #[test]
    fn two_spellings_of_one_link_are_one() {
        let one =
            normalize_link("https://www.Contoh-Berita.id/2026/12/hoaks?utm_source=wa&id=7#top")
                .unwrap();
        let two = normalize_link("contoh-berita.id/2026/12/hoaks?id=7&fbclid=abc").unwrap();
        assert_eq!(one, "https://contoh-berita.id/2026/12/hoaks?id=7");
        assert_eq!(one, two);
        assert_eq!(
            normalize_link("http://example.com/").unwrap(),
            "https://example.com"
        );
    }

    #[test]
    fn posts_of_known_platforms_take_the_platforms_form() {
        assert_eq!(
            normalize_link("https://twitter.com/SomeOne/status/1861234567890123456?s=20").unwrap(),
            "https://x.com/someone/status/1861234567890123456"
        );
    }

    #[test]
    fn a_report_holds_at_most_five_distinct_links() {
        let five = "a.com/1\nb.com/2  c.com/3\r\nd.com/4 e.com/5 a.com/1";
        assert_eq!(parse_links(five).unwrap().len(), 5);
        assert_eq!(
            parse_links("a.com/1 b.com/2 c.com/3 d.com/4 e.com/5 f.com/6"),
            Err(LinksError::TooMany)
        );
        assert_eq!(
            parse_links("a.com/1 javascript:alert(1)"),
            Err(LinksError::Bad(LinkError::NotWeb))
        );
        assert_eq!(parse_links("  \n ").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_case_is_named_by_its_first_note_line_or_link() {
        assert_eq!(
            summary_of("\n  Vaksin berisi chip  \nlainnya", &[]),
            "Vaksin berisi chip"
        );
        assert_eq!(
            summary_of("", &["https://a.id/x".to_string()]),
            "https://a.id/x"
        );
        let long = "x".repeat(200);
        assert_eq!(summary_of(&long, &[]).chars().count(), SUMMARY_CHARS + 1);
    }

    #[test]
    fn answered_cases_are_not_decided_again() {
        assert!(decidable("new") && decidable("confirmed") && decidable("not_hoax"));
        assert!(!decidable("answered"));
    }
}
