//! Pure rules for accounts: email shape and the random security stamp.

pub use crate::auth::rules::{new_stamp, normalize_email};

/// A deliberately plain check: one `@`, a dotted domain, no spaces, at most 254 bytes.
pub fn is_valid_email(email: &str) -> bool {
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
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
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// A display name: trimmed, 2 to 120 characters, no control characters.
pub fn clean_name(name: &str) -> Option<String> {
    let n = name.trim();
    let len = n.chars().count();
    ((2..=120).contains(&len) && !n.chars().any(char::is_control)).then(|| n.to_string())
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
