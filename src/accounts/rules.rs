//! Pure rules for accounts: email shape and the random security stamp.

pub use crate::auth::rules::{new_stamp, normalize_email};

/// A deliberately plain check of an address as typed (`crate::text::email_pattern` says
/// the same to API clients): at most 254 characters, spaces around it ignored, ASCII,
/// one `@` with 1 to 64 characters before it, a dotted domain of letters, digits and
/// hyphens.
pub fn is_valid_email(raw: &str) -> bool {
    let email = raw.trim();
    if raw.chars().count() > crate::text::EMAIL_MAX || !email.bytes().all(|b| b.is_ascii_graphic())
    {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// A person's name.
pub const PERSON_NAME: crate::text::Text = crate::text::Text::line(2, 120);

/// An ambassador's display name on the board.
pub const DISPLAY_NAME: crate::text::Text = crate::text::Text::line(2, 60);

/// A display name: trimmed, 2 to 120 characters, no control characters.
pub fn clean_name(name: &str) -> Option<String> {
    PERSON_NAME.clean(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_valid_email("humas@kominfo.go.id"));
        assert!(!is_valid_email("humas@kominfo"));
        assert!(!is_valid_email("humas kominfo@go.id"));
        assert!(!is_valid_email("@go.id"));
        assert!(!is_valid_email("a@b@go.id"));
        assert!(!is_valid_email(&format!("{}@go.id", "a".repeat(300))));
        assert_eq!(
            normalize_email("  Humas@Kominfo.GO.id "),
            "humas@kominfo.go.id"
        );
    }

    #[test]
    fn stamps_differ() {
        assert_ne!(new_stamp(), new_stamp());
    }

    #[test]
    fn names() {
        assert_eq!(clean_name("  Siti Rahma "), Some("Siti Rahma".into()));
        assert_eq!(clean_name("x"), None);
        assert_eq!(clean_name("a\u{0}b"), None);
    }
}
