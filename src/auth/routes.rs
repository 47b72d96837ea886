//! Sign-in, sign-out and password-change pages.

use std::collections::BTreeMap;

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{ChangePasswordForm, LoginForm};
use super::guards::{CurrentUser, SESSION_COOKIE};
use super::jwt::JwtKeys;
use super::passwords::Hasher;
use super::service::{self, Session};
use crate::config::AppConfig;
use crate::error::{AppError, AppResult};
use crate::web::client_ip::ClientIp;
use crate::web::csrf::{CsrfForm, TokenOnlyForm};
use crate::web::i18n;
use crate::web::layout::Layout;
use crate::web::safe_next;

#[derive(Serialize)]
pub struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[rocket::get("/login?<next>")]
pub fn login_page(
    layout: Layout,
    next: Option<&str>,
    user: Option<&CurrentUser>,
) -> Result<Template, Redirect> {
    if user.is_some() {
        return Err(Redirect::to(safe_next(next)));
    }
    Ok(Template::render(
        "auth/login",
        LoginPage {
            layout,
            email: String::new(),
            next: safe_next(next),
            error: None,
        },
    ))
}

pub fn set_session_cookie(cookies: &CookieJar<'_>, cfg: &AppConfig, session: &Session) {
    let max_age = (session.expires_at - chrono::Utc::now())
        .num_seconds()
        .max(0);
    cookies.add(
        Cookie::build((SESSION_COOKIE, session.token.clone()))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(cfg.secure_cookies)
            .path("/")
            .max_age(rocket::time::Duration::seconds(max_age)),
    );
}

#[rocket::post("/login", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn login(
    form: CsrfForm<LoginForm>,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &State<DatabaseConnection>,
    cfg: &State<AppConfig>,
    keys: &State<JwtKeys>,
    hasher: &State<Hasher>,
    ip: ClientIp,
) -> Result<Redirect, (Status, Template)> {
    let form = form.0;
    let next = safe_next(form.next.as_deref());
    match service::login(db, cfg, keys, hasher, &form.email, &form.password, &ip).await {
        Ok(session) => {
            set_session_cookie(cookies, cfg, &session);
            Ok(Redirect::to(next))
        }
        Err(err) => {
            let lang = layout.lang;
            let (status, message) = match &err {
                AppError::BadCredentials => (Status::Unauthorized, i18n::t(lang, "auth.invalid")),
                AppError::RateLimited { retry_after_secs } => (
                    Status::TooManyRequests,
                    i18n::t_with(
                        lang,
                        "auth.throttled",
                        &[("minutes", &((retry_after_secs + 59) / 60).to_string())],
                    ),
                ),
                other => {
                    tracing::error!(error = %other, "sign-in failed");
                    (
                        Status::InternalServerError,
                        i18n::t(lang, "errors.500.body"),
                    )
                }
            };
            Err((
                status,
                Template::render(
                    "auth/login",
                    LoginPage {
                        layout,
                        email: form.email,
                        next,
                        error: Some(message),
                    },
                ),
            ))
        }
    }
}

#[rocket::post("/logout", data = "<_form>")]
pub async fn logout(
    _form: CsrfForm<TokenOnlyForm>,
    user: Option<&CurrentUser>,
    cookies: &CookieJar<'_>,
    db: &State<DatabaseConnection>,
) -> AppResult<Flash<Redirect>> {
    if let Some(user) = user {
        service::logout(db, user).await?;
    }
    cookies.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(Flash::success(Redirect::to("/login"), "auth.logged_out"))
}

#[derive(Serialize)]
pub struct PasswordPage {
    layout: Layout,
    errors: BTreeMap<String, Vec<String>>,
}

#[rocket::get("/account/password")]
pub fn password_page(layout: Layout, _user: &CurrentUser) -> Template {
    Template::render(
        "account/password",
        PasswordPage {
            layout,
            errors: BTreeMap::new(),
        },
    )
}

#[rocket::post("/account/password", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn change_password(
    form: CsrfForm<ChangePasswordForm>,
    user: &CurrentUser,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &State<DatabaseConnection>,
    cfg: &State<AppConfig>,
    keys: &State<JwtKeys>,
    hasher: &State<Hasher>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let f = form.0;
    match service::change_password(
        db,
        keys,
        hasher,
        user,
        service::PasswordChange {
            current: &f.current_password,
            new: &f.new_password,
            confirm: &f.confirm_password,
        },
        &ip,
    )
    .await
    {
        Ok(session) => {
            set_session_cookie(cookies, cfg, &session);
            Ok(Ok(Flash::success(Redirect::to("/"), "password.changed")))
        }
        Err(AppError::Validation(fields)) => {
            let errors = fields.translated(layout.lang);
            Ok(Err((
                Status::UnprocessableEntity,
                Template::render("account/password", PasswordPage { layout, errors }),
            )))
        }
        Err(other) => Err(other),
    }
}
