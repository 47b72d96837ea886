//! Platform account handles as people type them: a handle, `@handle` or a profile URL,
//! reduced to the handle the platforms know.

/// Reduces what someone typed for a platform account (a handle, `@handle` or a profile
/// URL) to the handle, lower-cased; `None` when it cannot be a handle of that platform.
pub fn normalize_handle(platform: &str, input: &str) -> Option<String> {
    // `@` in front is dropped before anything else, so that `@instagram.com` is read as
    // the address it is and not as a handle (found by fuzzing: `@@@instagram.com` gave the
    // handle `instagram.com`, which is read again as an address with no account in it).
    let mut s = input.trim().trim_start_matches('@').to_string();
    if s.is_empty() || s.chars().count() > 200 {
        return None;
    }
    if let Some(path) = url_path(&s, platform) {
        s = path;
    }
    let s = s
        .trim_start_matches('@')
        .trim_end_matches('/')
        .to_lowercase();
    let valid = match platform {
        "x" => {
            (1..=15).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        "instagram" => {
            (1..=30).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                && !s.starts_with('.')
                && !s.ends_with('.')
                && !s.contains("..")
        }
        "facebook" => {
            (s.len() >= 5
                && s.len() <= 50
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
                || (s.len() <= 20 && s.len() >= 5 && s.chars().all(|c| c.is_ascii_digit()))
        }
        "tiktok" => {
            (2..=24).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        }
        "youtube" => {
            (3..=30).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        }
        _ => false,
    };
    // A platform's own address is not an account on it, wherever it came from (a handle
    // must read back as itself: `facebook.com/facebook.com/…` gave `facebook.com`).
    (valid && url_path(&s, platform).is_none()).then_some(s)
}

/// For a profile URL of the platform, the part of its path that names the account.
fn url_path(input: &str, platform: &str) -> Option<String> {
    let lower = input.to_lowercase();
    let without_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let (host, rest) = without_scheme
        .split_once('/')
        .unwrap_or((without_scheme, ""));
    let host = host
        .trim_start_matches("www.")
        .trim_start_matches("m.")
        .trim_start_matches("mobile.")
        .trim_start_matches("web.");
    let hosts: &[&str] = match platform {
        "x" => &["x.com", "twitter.com"],
        "instagram" => &["instagram.com", "instagr.am"],
        "facebook" => &["facebook.com", "fb.com"],
        "tiktok" => &["tiktok.com"],
        "youtube" => &["youtube.com"],
        _ => &[],
    };
    if !hosts.contains(&host) {
        return None;
    }
    // facebook.com/profile.php?id=1000123 names the account by its number.
    if platform == "facebook" && rest.starts_with("profile.php") {
        let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
        return query
            .split('&')
            .find_map(|kv| kv.strip_prefix("id="))
            .map(str::to_string)
            .or(Some(String::new()));
    }
    let path = rest.split(['?', '#']).next().unwrap_or("");
    Some(
        path.split('/')
            .find(|p| !p.is_empty())
            .unwrap_or("")
            .to_string(),
    )
}
