//! What every page shares: the layout context, the i18n catalogue, CSRF protection,
//! catchers and error pages, the client address, security headers and request metrics.

pub mod catchers;
pub mod client_ip;
pub mod csrf;
pub mod headers;
pub mod i18n;
pub mod kept;
pub mod layout;
pub mod metrics;
pub mod routes;
pub mod splice;

/// A local path to go back to after sign-in; anything else (other hosts, `//evil`) is `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_is_local_only() {
        assert_eq!(super::safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(super::safe_next(Some("//evil.example")), "/");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/");
        assert_eq!(super::safe_next(Some("/\\evil.example")), "/");
        assert_eq!(super::safe_next(None), "/");
    }
}
