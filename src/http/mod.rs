//! Request plumbing that knows no user and no domain: CSRF protection, the client
//! address behind trusted proxies, the address the browser used, security headers, request
//! metrics, safe redirects, which database a read may use.

pub mod client_ip;
pub mod csrf;
pub mod headers;
pub mod metrics;
pub mod origin;
pub mod reads;
pub mod upload;

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
