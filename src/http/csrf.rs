//! Cross-site request forgery protection for every state-changing form.
//!
//! Two checks, both required: the browser's `Sec-Fetch-Site` / `Origin` headers must say
//! the request comes from Duta itself, and the form's `csrf_token` must equal the random
//! token in the `duta_csrf` cookie (SameSite=Strict, HttpOnly). Handlers take a
//! [`CsrfForm`] instead of a `Form`, so a form cannot be added without the check.
//! The JSON API is not cookie-authenticated (Bearer only), so it needs neither.

use base64::Engine;
use rand::RngCore;
use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::form::{self, Form, FromForm};
use rocket::http::{Cookie, SameSite, Status};
use rocket::request::Request;

use crate::config::AppConfig;

pub const CSRF_COOKIE: &str = "duta_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// Forms that carry the token.
pub trait CsrfProtected {
    fn csrf_token(&self) -> &str;
}

/// The request's CSRF token, creating the cookie on first use.
pub fn token(req: &Request<'_>) -> String {
    if let Some(c) = req.cookies().get(CSRF_COOKIE) {
        if c.value().len() >= 32 {
            return c.value().to_string();
        }
    }
    // A token made earlier in this request (the cookie jar shows pending cookies too).
    if let Some(c) = req.cookies().get_pending(CSRF_COOKIE) {
        return c.value().to_string();
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let secure = crate::state::part::<AppConfig>(req.rocket()).is_some_and(|c| c.secure_cookies);
    let cookie = Cookie::build((CSRF_COOKIE, value.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/");
    req.cookies().add(cookie);
    value
}

/// Whether the browser says this request was made by one of Duta's own pages.
pub fn same_origin(req: &Request<'_>) -> bool {
    if let Some(site) = req.headers().get_one("Sec-Fetch-Site") {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    if let Some(origin) = req.headers().get_one("Origin") {
        let host = match req.headers().get_one("Host") {
            Some(h) => h,
            None => return false,
        };
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return false;
        }
    }
    true
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A form that passed both CSRF checks.
pub struct CsrfForm<T>(pub T);

#[rocket::async_trait]
impl<'r, T: for<'a> FromForm<'a> + CsrfProtected + Send + 'static> FromData<'r> for CsrfForm<T> {
    type Error = form::Errors<'r>;

    /// The token is checked before the form is parsed, so a forged post is refused with
    /// 403 whatever else it lacks; only then do missing or malformed fields count (422).
    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let refuse = |status: Status, why: &'static str| {
            data::Outcome::Error((status, form::Errors::from(form::Error::validation(why))))
        };
        if !same_origin(req) {
            tracing::warn!(uri = %req.uri(), "cross-site form refused");
            return refuse(Status::Forbidden, "csrf");
        }
        let limit = req.limits().get("form").unwrap_or(64.kibibytes());
        let body = match data.open(limit).into_string().await {
            Ok(s) if s.is_complete() => s.into_inner(),
            Ok(_) => return refuse(Status::PayloadTooLarge, "too large"),
            Err(_) => return refuse(Status::BadRequest, "unreadable"),
        };
        // The token is URL-safe base64, so its raw and decoded forms are the same.
        let submitted = Form::<()>::values(&body)
            .find(|f| f.name == CSRF_FIELD)
            .map(|f| f.value);
        let expected = req
            .cookies()
            .get(CSRF_COOKIE)
            .map(|c| c.value().to_string());
        let valid = match (expected, submitted) {
            (Some(exp), Some(sub)) => {
                exp.len() >= 32 && constant_time_eq(exp.as_bytes(), sub.as_bytes())
            }
            _ => false,
        };
        if !valid {
            tracing::warn!(uri = %req.uri(), "form without a valid CSRF token refused");
            return refuse(Status::Forbidden, "csrf");
        }
        match Form::<T>::parse_encoded(rocket::http::RawStr::new(&body)) {
            Ok(form) => data::Outcome::Success(CsrfForm(form)),
            Err(errors) => {
                tracing::debug!(uri = %req.uri(), %errors, "malformed form");
                refuse(Status::UnprocessableEntity, "malformed form")
            }
        }
    }
}

/// A multipart form (with files) that passed both CSRF checks. The origin is checked
/// before the body is read; the token, which travels inside the multipart body, right
/// after parsing and before the handler sees anything.
pub struct CsrfMultipart<T>(pub T);

#[rocket::async_trait]
impl<'r, T: FromForm<'r> + CsrfProtected + Send + 'r> FromData<'r> for CsrfMultipart<T> {
    type Error = form::Errors<'r>;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !same_origin(req) {
            tracing::warn!(uri = %req.uri(), "cross-site form refused");
            return data::Outcome::Error((
                Status::Forbidden,
                form::Errors::from(form::Error::validation("csrf")),
            ));
        }
        let form = match Form::<T>::from_data(req, data).await {
            data::Outcome::Success(f) => f.into_inner(),
            data::Outcome::Error((status, errors)) => {
                // An oversized file is reported with the fields it then lacks; 413 wins.
                let status = if errors.iter().any(|e| e.status() == Status::PayloadTooLarge) {
                    Status::PayloadTooLarge
                } else {
                    status
                };
                return data::Outcome::Error((status, errors));
            }
            data::Outcome::Forward(f) => return data::Outcome::Forward(f),
        };
        let expected = req
            .cookies()
            .get(CSRF_COOKIE)
            .map(|c| c.value().to_string());
        match expected {
            Some(exp)
                if exp.len() >= 32
                    && constant_time_eq(exp.as_bytes(), form.csrf_token().as_bytes()) =>
            {
                data::Outcome::Success(CsrfMultipart(form))
            }
            _ => {
                tracing::warn!(uri = %req.uri(), "form without a valid CSRF token refused");
                data::Outcome::Error((
                    Status::Forbidden,
                    form::Errors::from(form::Error::validation("csrf")),
                ))
            }
        }
    }
}

/// A form with nothing but the token (logout, deactivate, …).
#[derive(FromForm)]
pub struct TokenOnlyForm {
    #[field(name = "csrf_token")]
    pub csrf_token: String,
}

impl CsrfProtected for TokenOnlyForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
