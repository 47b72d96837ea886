//! The address a browser reached Duta at (`https://duta.example.go.id`), for links that
//! staff copy or send over WhatsApp when no `smtp.public_url` says it. Emails never use
//! it: a request's `Host` is the caller's word, and an emailed link must not follow it.

use rocket::request::{FromRequest, Outcome, Request};

use crate::config::AppConfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(pub String);

/// `scheme://host` from the request's `Host`; a host with anything but letters, digits,
/// dots, hyphens, a port or an IPv6 address in brackets is `localhost`.
pub fn origin_of(host: Option<&str>, https: bool) -> String {
    let host = host
        .map(str::trim)
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("{}://{host}", if https { "https" } else { "http" })
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Origin {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let https = crate::state::part::<AppConfig>(req.rocket()).is_some_and(|c| c.secure_cookies);
        Outcome::Success(Origin(origin_of(req.headers().get_one("Host"), https)))
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn only_a_plain_host_is_taken() {
        assert_eq!(
            origin_of(Some("duta.jatimprov.go.id"), true),
            "https://duta.jatimprov.go.id"
        );
        assert_eq!(
            origin_of(Some("127.0.0.1:8000"), false),
            "http://127.0.0.1:8000"
        );
        assert_eq!(origin_of(Some("[::1]:8000"), false), "http://[::1]:8000");
        assert_eq!(
            origin_of(Some("evil.example/x?"), false),
            "http://localhost"
        );
        assert_eq!(origin_of(Some("a@b"), false), "http://localhost");
        assert_eq!(origin_of(None, false), "http://localhost");
    }
}
