//! Sign-in, sign-out and password-change pages.

use std::collections::BTreeMap;

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{ChangePasswordForm, CodeForm, LoginForm, TwoFactorForm};
use super::guards::{CurrentUser, SESSION_COOKIE};
use super::jwt::JwtKeys;
use super::passwords::Hasher;
use super::service::{self, LoginOutcome, Session};
use crate::config::AppConfig;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, TokenOnlyForm};
use crate::http::safe_next;
use crate::nip::NipKey;
use crate::state::Shared;
use crate::web::i18n;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
    /// Set on the second step of a two-step sign-in.
    ticket: Option<String>,
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
            ticket: None,
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

/// The message a failed sign-in step shows, and its status.
fn login_error(err: &AppError, lang: i18n::Lang) -> (Status, String) {
    match err {
        AppError::BadCredentials => (Status::Unauthorized, i18n::t(lang, "auth.invalid")),
        AppError::RateLimited { retry_after_secs } => (
            Status::TooManyRequests,
            i18n::t_with(
                lang,
                "auth.throttled",
                &[("minutes", &((retry_after_secs + 59) / 60).to_string())],
            ),
        ),
        AppError::Validation(fields) => (
            Status::UnprocessableEntity,
            fields
                .translated(lang)
                .into_values()
                .flatten()
                .next()
                .unwrap_or_default(),
        ),
        other => {
            tracing::error!(error = %other, "sign-in failed");
            (
                Status::InternalServerError,
                i18n::t(lang, "errors.500.body"),
            )
        }
    }
}

#[rocket::post("/login", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn login(
    form: CsrfForm<LoginForm>,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> Result<Redirect, (Status, Template)> {
    let form = form.0;
    let next = safe_next(form.next.as_deref());
    let outcome = service::login(db, cfg, keys, hasher, &form.email, &form.password, &ip).await;
    let (status, error, ticket) = match outcome {
        Ok(LoginOutcome::Session(session)) => {
            set_session_cookie(cookies, cfg, &session);
            return Ok(Redirect::to(next));
        }
        Ok(LoginOutcome::NeedsCode(user)) => {
            match keys.issue_ticket(user.id, &user.security_stamp) {
                Ok(ticket) => (Status::Ok, None, Some(ticket)),
                Err(e) => {
                    let (s, m) = login_error(&AppError::internal(e), layout.lang);
                    (s, Some(m), None)
                }
            }
        }
        Err(err) => {
            let (s, m) = login_error(&err, layout.lang);
            (s, Some(m), None)
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
                error,
                ticket,
            },
        ),
    ))
}

/// The second step of a two-step sign-in: the code of the app, or a recovery code.
#[rocket::post("/login/code", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn login_code(
    form: CsrfForm<CodeForm>,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    keys: &Shared<JwtKeys>,
    nip_key: &Shared<NipKey>,
    ip: ClientIp,
) -> Result<Redirect, (Status, Template)> {
    let form = form.0;
    let next = safe_next(form.next.as_deref());
    let render = |layout: Layout, status: Status, error: String, ticket: Option<String>| {
        Err((
            status,
            Template::render(
                "auth/login",
                LoginPage {
                    layout,
                    email: String::new(),
                    next: next.clone(),
                    error: Some(error),
                    ticket,
                },
            ),
        ))
    };
    let user = match service::ticket_user(db, keys, &form.ticket).await {
        Ok(Some(u)) => u,
        Ok(None) => {
            let message = i18n::t(layout.lang, "two_factor.ticket_expired");
            return render(layout, Status::Unauthorized, message, None);
        }
        Err(e) => {
            let (s, m) = login_error(&e, layout.lang);
            return render(layout, s, m, None);
        }
    };
    match service::finish_login(db, cfg, keys, nip_key, user, &form.code, &ip).await {
        Ok(session) => {
            set_session_cookie(cookies, cfg, &session);
            Ok(Redirect::to(next.clone()))
        }
        Err(err) => {
            let (s, m) = login_error(&err, layout.lang);
            // A wrong code may be retried with the same ticket while it lasts.
            render(layout, s, m, Some(form.ticket.clone()))
        }
    }
}

#[rocket::post("/logout", data = "<_form>")]
pub async fn logout(
    _form: CsrfForm<TokenOnlyForm>,
    user: Option<&CurrentUser>,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
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
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
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

#[derive(Serialize)]
pub struct TwoFactorPage {
    layout: Layout,
    enabled: bool,
    required: bool,
    setup: Option<super::two_factor::Setup>,
    /// Recovery codes just made, shown this once.
    recovery_codes: Vec<String>,
    codes_left: u64,
    errors: BTreeMap<String, Vec<String>>,
    /// The form the errors belong to: enable, disable or renew.
    failed: &'static str,
}

async fn two_factor_page(
    db: &DatabaseConnection,
    nip_key: &NipKey,
    user: &CurrentUser,
    layout: Layout,
    recovery_codes: Vec<String>,
    errors: BTreeMap<String, Vec<String>>,
    failed: &'static str,
) -> AppResult<Template> {
    // A user fresh from enabling is not in `user` yet: read again.
    let fresh = <entity::users::Entity as sea_orm::EntityTrait>::find_by_id(user.id())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let enabled = fresh.totp_enabled_at.is_some();
    let me = CurrentUser {
        user: fresh,
        role: user.role,
        work_unit_path: user.work_unit_path.clone(),
        two_factor_pending: false,
        stamps: None,
    };
    let setup = if enabled {
        None
    } else {
        Some(super::two_factor::begin_setup(db, nip_key, &me).await?)
    };
    Ok(Template::render(
        "account/two_factor",
        TwoFactorPage {
            layout,
            enabled,
            required: user.role.is_staff() && super::two_factor::required(db).await?,
            setup,
            recovery_codes,
            codes_left: super::two_factor::recovery_codes_left(db, user.id()).await?,
            errors,
            failed,
        },
    ))
}

#[rocket::get("/account/two-factor")]
pub async fn two_factor(
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    nip_key: &Shared<NipKey>,
) -> AppResult<Template> {
    two_factor_page(db, nip_key, user, layout, Vec::new(), BTreeMap::new(), "").await
}

type TwoFactorResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// The page after a step that hands out recovery codes (turning it on, renewing them):
/// the codes shown once, or the form's messages.
async fn codes_page(
    db: &DatabaseConnection,
    nip_key: &NipKey,
    user: &CurrentUser,
    layout: Layout,
    result: AppResult<Vec<String>>,
    form: &'static str,
) -> AppResult<(Status, Template)> {
    match result {
        Ok(codes) => {
            let page = two_factor_page(db, nip_key, user, layout, codes, BTreeMap::new(), "");
            Ok((Status::Ok, page.await?))
        }
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = two_factor_page(db, nip_key, user, layout, Vec::new(), errors, form);
            Ok((status, page.await?))
        }
    }
}

#[rocket::post("/account/two-factor/enable", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn two_factor_enable(
    form: CsrfForm<TwoFactorForm>,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    nip_key: &Shared<NipKey>,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    let result = super::two_factor::enable(db, nip_key, user, &form.0.code, &ip).await;
    codes_page(db, nip_key, user, layout, result, "enable").await
}

#[rocket::post("/account/two-factor/recovery-codes", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn two_factor_recovery_codes(
    form: CsrfForm<TwoFactorForm>,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    nip_key: &Shared<NipKey>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    let result =
        super::two_factor::renew_recovery_codes(db, hasher, user, &form.0.password, &ip).await;
    codes_page(db, nip_key, user, layout, result, "renew").await
}

#[rocket::post("/account/two-factor/disable", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn two_factor_disable(
    form: CsrfForm<TwoFactorForm>,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    nip_key: &Shared<NipKey>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> TwoFactorResult {
    let f = form.0;
    match super::two_factor::disable(db, nip_key, hasher, user, &f.password, &f.code, &ip).await {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to("/account/two-factor"),
            "two_factor.disabled",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = two_factor_page(db, nip_key, user, layout, Vec::new(), errors, "disable");
            Ok(Err((status, page.await?)))
        }
    }
}
