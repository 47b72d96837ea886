//! Error answers for requests no handler finished: a page with the layout for people, and
//! `{"error", "message", "fields"}` under `/api/`. A page that needs sign-in sends a GET
//! to the login page (and back afterwards) instead of showing 401.

use std::collections::BTreeMap;

use rocket::catcher::{BoxFuture, Catcher};
use rocket::http::{uri::Origin, Header, Status};
use rocket::request::Request;
use rocket::response::Flash;
use rocket::response::{self, Redirect, Responder, Response};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::i18n;
use super::layout::{cached_lang, Layout};
use crate::error::{api_error_response, is_api_request, status_code_name, AppError};

/// When a client should try again after a write refused for a full disk.
pub const STORAGE_FULL_RETRY_SECS: i64 = 60;
/// How long a client should wait before sending again when the object store is down.
pub const STORAGE_DOWN_RETRY_SECS: i64 = 30;
/// How long a client should wait before sending again when the database is unreachable.
pub const DATABASE_DOWN_RETRY_SECS: i64 = 5;

#[derive(Serialize)]
struct ErrorPage {
    layout: Layout,
    status: u16,
    title_key: String,
    body_key: String,
}

/// Renders the error page for `status` with the base layout.
pub fn error_page(status: Status, req: &Request<'_>) -> response::Result<'static> {
    error_page_saying(status, None, req)
}

/// The error page with its title and text from `errors.<key>` instead of the status's.
fn error_page_saying(
    status: Status,
    key: Option<&str>,
    req: &Request<'_>,
) -> response::Result<'static> {
    let known = matches!(
        status.code,
        400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503
    );
    let code = if known {
        status.code
    } else if status.code >= 500 {
        500
    } else {
        400
    };
    let page = ErrorPage {
        layout: Layout::build_sync(req),
        status: status.code,
        title_key: format!("errors.{}.title", key.unwrap_or(&code.to_string())),
        body_key: format!("errors.{}.body", key.unwrap_or(&code.to_string())),
    };
    let mut response = Template::render("errors/error", &page).respond_to(req)?;
    response.set_status(status);
    Ok(response)
}

/// Set by the JSON body guard so the 400/422 answer can say what was wrong, and which
/// field of the body the operation does not have.
#[derive(Debug, Clone, Default)]
pub struct ApiParseError {
    pub detail: String,
    pub unknown_field: Option<String>,
}

impl ApiParseError {
    pub fn new(detail: String) -> Self {
        ApiParseError {
            detail,
            unknown_field: None,
        }
    }
    pub fn unknown_field(detail: String, field: String) -> Self {
        ApiParseError {
            detail,
            unknown_field: Some(field),
        }
    }
}

fn html_handler<'r>(status: Status, req: &'r Request<'_>) -> BoxFuture<'r> {
    Box::pin(async move {
        // Load the user (if no guard did) so the error page keeps their menu and language.
        let user = crate::auth::guards::CurrentUser::cached(req).await;
        if status == Status::Forbidden
            && req.method() == rocket::http::Method::Get
            && user.is_some_and(|u| u.two_factor_pending)
        {
            return Flash::error(
                Redirect::to("/account/two-factor"),
                "two_factor.setup_first",
            )
            .respond_to(req);
        }
        if status == Status::Unauthorized && req.method() == rocket::http::Method::Get {
            let next = req.uri().to_string();
            let target = format!("/login?next={}", urlencode(&next));
            if Origin::parse_owned(target.clone()).is_ok() {
                return Redirect::to(target).respond_to(req);
            }
            return Redirect::to("/login").respond_to(req);
        }
        match error_page(status, req) {
            Ok(r) => Ok(r),
            Err(_) => Ok(fallback(status)),
        }
    })
}

/// The API's answer to a request no handler finished: the error shape, with what the
/// JSON body guard found wrong.
pub fn api_error(status: Status, req: &Request<'_>) -> Response<'static> {
    let lang = cached_lang(req);
    let parsed = req.local_cache(|| ApiParseError::new(String::new()));
    let message = Some(&parsed.detail).filter(|d| !d.is_empty()).map(|d| {
        let (_, key) = status_code_name(status);
        format!("{} ({d})", i18n::t(lang, key))
    });
    let mut fields = BTreeMap::new();
    if let Some(field) = &parsed.unknown_field {
        let text = i18n::t_with(lang, "error.unknown_field", &[("field", field.as_str())]);
        fields.insert(field.clone(), vec![text]);
    }
    api_error_response(status, lang, message, fields)
}

fn api_handler<'r>(status: Status, req: &'r Request<'_>) -> BoxFuture<'r> {
    Box::pin(async move { Ok(api_error(status, req)) })
}

fn fallback(status: Status) -> Response<'static> {
    let body = format!("{} {}", status.code, status.reason().unwrap_or(""));
    Response::build()
        .status(status)
        .sized_body(body.len(), std::io::Cursor::new(body))
        .finalize()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn html_catchers() -> Vec<Catcher> {
    vec![Catcher::new(None, html_handler)]
}

pub fn api_catchers() -> Vec<Catcher> {
    vec![Catcher::new(None, api_handler)]
}
/// How a refused request answers: the JSON error shape under `/api/`, else the error
/// page, in the request's language.
impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = self.status();
        match &self {
            e if e.is_storage_full() => {
                tracing::error!(error = %e, uri = %req.uri(), "storage full: the write was refused")
            }
            AppError::StorageDown(e) => {
                tracing::error!(error = %e, uri = %req.uri(), "the object store is unavailable")
            }
            e if e.is_database_down() => {
                tracing::error!(error = %e, uri = %req.uri(), "the database is unavailable")
            }
            AppError::Db(e) => tracing::error!(error = %e, uri = %req.uri(), "database error"),
            AppError::Internal(e) => {
                tracing::error!(error = %e, uri = %req.uri(), "internal error")
            }
            other => tracing::debug!(error = %other, uri = %req.uri(), "request refused"),
        }
        let lang = cached_lang(req);
        let retry = match &self {
            AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            e if e.is_storage_full() => Some(STORAGE_FULL_RETRY_SECS),
            AppError::StorageDown(_) => Some(STORAGE_DOWN_RETRY_SECS),
            e if e.is_database_down() => Some(DATABASE_DOWN_RETRY_SECS),
            _ => None,
        };
        let mut response = if is_api_request(req) {
            let fields = self
                .fields()
                .map(|f| f.translated(lang))
                .unwrap_or_default();
            let message = match (&self, retry) {
                (AppError::RateLimited { .. }, Some(secs)) => Some(i18n::t_with(
                    lang,
                    "auth.throttled",
                    &[("minutes", &((secs + 59) / 60).to_string())],
                )),
                (AppError::BadCredentials, _) => Some(i18n::t(lang, "auth.invalid")),
                (AppError::StorageDown(_), _) => Some(i18n::t(lang, "error.storage_down")),
                (e, _) if e.is_storage_full() => Some(i18n::t(lang, "error.storage_full")),
                (AppError::BadRequest(m), _) => {
                    Some(format!("{} ({m})", i18n::t(lang, "error.400")))
                }
                _ => None,
            };
            api_error_response(status, lang, message, fields)
        } else if matches!(self, AppError::StorageDown(_)) {
            error_page_saying(status, Some("storage_down"), req)?
        } else if self.is_storage_full() {
            error_page_saying(status, Some("storage_full"), req)?
        } else {
            error_page(status, req)?
        };
        if let Some(secs) = retry {
            response.set_header(Header::new("Retry-After", secs.max(1).to_string()));
        }
        Ok(response)
    }
}
