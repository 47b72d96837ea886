//! Security headers on every response: a Content-Security-Policy without inline script,
//! no framing, no referrer leaks, and Strict-Transport-Security when Duta is served over
//! HTTPS (`secure_cookies = true`, which says so; TLS is usually ended by a proxy in
//! front). Rocket's Shield adds nosniff and the rest it knows.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One year, subdomains included: once a browser has seen Duta over HTTPS, it never
/// tries plain HTTP again.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let https = crate::state::part::<crate::config::AppConfig>(req.rocket())
            .is_some_and(|c| c.secure_cookies);
        if https {
            res.set_header(Header::new("Strict-Transport-Security", HSTS));
        }
        res.set_header(Header::new("Content-Security-Policy", CSP));
        res.set_header(Header::new("Referrer-Policy", "same-origin"));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
    }
}
