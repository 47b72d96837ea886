//! Sign-in, sign-out, password-change and password-reset pages, and the sign-in help staff
//! give (a reset link, turning off a lost authenticator).

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{ChangePasswordForm, CodeForm, ForgotForm, LoginForm, ResetForm, TwoFactorForm};
use super::guards::{Coordinator, CurrentUser, SESSION_COOKIE};
use super::invite;
use super::jwt::JwtKeys;
use super::passwords::Hasher;
use super::reset;
use super::service::{self, LoginOutcome, Session};
use crate::config::AppConfig;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, CsrfProtected, TokenOnlyForm};
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
        opening_stamps: None,
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

#[derive(Serialize)]
pub struct ForgotPage {
    layout: Layout,
    email: String,
    errors: BTreeMap<String, Vec<String>>,
    /// The request went through: the page says what happens next.
    sent: bool,
}

#[rocket::get("/password/forgot")]
pub fn forgot_page(layout: Layout) -> Template {
    Template::render(
        "auth/forgot",
        ForgotPage {
            layout,
            email: String::new(),
            errors: BTreeMap::new(),
            sent: false,
        },
    )
}

#[rocket::post("/password/forgot", data = "<form>")]
pub async fn forgot(
    form: CsrfForm<ForgotForm>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    let email = form.0.email;
    let (status, errors, sent) = match reset::request_reset(db, cfg, mailer, &email, &ip).await {
        Ok(()) => (Status::Ok, BTreeMap::new(), true),
        Err(AppError::RateLimited { retry_after_secs }) => {
            let minutes = ((retry_after_secs + 59) / 60).to_string();
            let message = i18n::t_with(layout.lang, "reset.throttled", &[("minutes", &minutes)]);
            let errors = BTreeMap::from([("email".to_string(), vec![message])]);
            (Status::TooManyRequests, errors, false)
        }
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            (status, errors, false)
        }
    };
    Ok((
        status,
        Template::render(
            "auth/forgot",
            ForgotPage {
                layout,
                email,
                errors,
                sent,
            },
        ),
    ))
}

#[derive(Serialize)]
pub struct ResetPage {
    layout: Layout,
    token: String,
    /// The account the link opens; none when the link cannot be used.
    email: Option<String>,
    errors: BTreeMap<String, Vec<String>>,
}

fn reset_page(
    layout: Layout,
    token: &str,
    email: Option<String>,
    errors: BTreeMap<String, Vec<String>>,
) -> Template {
    Template::render(
        "auth/reset",
        ResetPage {
            layout,
            token: token.to_string(),
            email,
            errors,
        },
    )
}

/// Why a link cannot be used, as a page says it at `token`, with its status: 404 for a
/// token Duta never made (`unknown_key`), 409 for a used, replaced or expired link.
fn dead_link_errors(
    lang: i18n::Lang,
    err: AppError,
    unknown_key: &str,
) -> AppResult<(Status, BTreeMap<String, Vec<String>>)> {
    let status = err.status();
    let mut errors = match err {
        AppError::NotFound => {
            BTreeMap::from([("token".to_string(), vec![i18n::t(lang, unknown_key)])])
        }
        other => other.form_errors(lang)?.1,
    };
    errors.entry("token".to_string()).or_default();
    Ok((status, errors))
}

/// A reset link that cannot be used: its message in place of the form.
fn dead_link(layout: Layout, token: &str, err: AppError) -> AppResult<(Status, Template)> {
    let (status, errors) = dead_link_errors(layout.lang, err, "reset.link_unknown")?;
    Ok((status, reset_page(layout, token, None, errors)))
}

#[rocket::get("/password/reset/<token>")]
pub async fn reset_form(
    token: &str,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    match reset::link_account(db, token).await {
        Ok(user) => Ok((
            Status::Ok,
            reset_page(layout, token, Some(user.email), BTreeMap::new()),
        )),
        Err(e) => dead_link(layout, token, e),
    }
}

#[rocket::post("/password/reset/<token>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn reset_password(
    token: &str,
    form: CsrfForm<ResetForm>,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let f = form.0;
    let done = reset::reset_password(
        db,
        keys,
        hasher,
        token,
        &f.new_password,
        &f.confirm_password,
        &ip,
    )
    .await;
    match done {
        Ok(reset::Reset::Session(session)) => {
            set_session_cookie(cookies, cfg, &session);
            Ok(Ok(Flash::success(Redirect::to("/"), "reset.done")))
        }
        Ok(reset::Reset::NeedsCode(_)) => Ok(Ok(Flash::success(
            Redirect::to("/login"),
            "reset.done_sign_in",
        ))),
        Err(AppError::Validation(fields)) if !fields.0.contains_key("token") => {
            let email = reset::link_account(db, token).await.ok().map(|u| u.email);
            let errors = fields.translated(layout.lang);
            Ok(Err((
                Status::UnprocessableEntity,
                reset_page(layout, token, email, errors),
            )))
        }
        Err(e) => dead_link(layout, token, e).map(Err),
    }
}

/// Who an invitation is for, as its page greets them.
#[derive(Serialize)]
pub struct Invitee {
    name: String,
    email: String,
}

#[derive(Serialize)]
pub struct InvitationPage {
    layout: Layout,
    token: String,
    /// The account the link opens; none when the link cannot be used.
    account: Option<Invitee>,
    errors: BTreeMap<String, Vec<String>>,
}

fn invitation_page(
    layout: Layout,
    token: &str,
    account: Option<&entity::users::Model>,
    errors: BTreeMap<String, Vec<String>>,
) -> Template {
    Template::render(
        "auth/invitation",
        InvitationPage {
            layout,
            token: token.to_string(),
            account: account.map(|u| Invitee {
                name: u.name.clone(),
                email: u.email.clone(),
            }),
            errors,
        },
    )
}

/// An invitation link that cannot be used: its message in place of the form.
fn dead_invitation(layout: Layout, token: &str, err: AppError) -> AppResult<(Status, Template)> {
    let (status, errors) = dead_link_errors(layout.lang, err, "invite.link_unknown")?;
    Ok((status, invitation_page(layout, token, None, errors)))
}

#[rocket::get("/invitation/<token>")]
pub async fn invitation_form(
    token: &str,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    match invite::link_account(db, token).await {
        Ok(user) => Ok((
            Status::Ok,
            invitation_page(layout, token, Some(&user), BTreeMap::new()),
        )),
        Err(e) => dead_invitation(layout, token, e),
    }
}

/// Accepts an invitation: the person's first password, and they are signed in.
#[rocket::post("/invitation/<token>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn accept_invitation(
    token: &str,
    form: CsrfForm<ResetForm>,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let f = form.0;
    let done = invite::accept(
        db,
        keys,
        hasher,
        token,
        &f.new_password,
        &f.confirm_password,
        &ip,
    )
    .await;
    match done {
        Ok(session) => {
            set_session_cookie(cookies, cfg, &session);
            Ok(Ok(Flash::success(Redirect::to("/"), "invite.done")))
        }
        Err(AppError::Validation(fields)) if !fields.0.contains_key("token") => {
            let account = invite::link_account(db, token).await.ok();
            let errors = fields.translated(layout.lang);
            Ok(Err((
                Status::UnprocessableEntity,
                invitation_page(layout, token, account.as_ref(), errors),
            )))
        }
        Err(e) => dead_invitation(layout, token, e).map(Err),
    }
}

#[derive(FromForm, Default)]
pub struct StaffActionForm {
    /// The page to return to (a local path).
    pub back: Option<String>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for StaffActionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Serialize)]
pub struct LinkPage {
    layout: Layout,
    /// `reset` or `invite`: which texts the page shows.
    kind: &'static str,
    /// Shown on the page of an account just made.
    created: bool,
    user: super::view::UserView,
    link: reset::LinkToPassOn,
    expires_local: String,
    back: String,
}

/// The page that shows a link made for someone, to copy or send over WhatsApp.
pub async fn link_page(
    db: &DatabaseConnection,
    layout: Layout,
    kind: &'static str,
    created: bool,
    person: &entity::users::Model,
    link: reset::LinkToPassOn,
    back: String,
) -> AppResult<Template> {
    let tz = crate::settings::service::programme_timezone(db).await?;
    Ok(Template::render(
        "auth/link",
        LinkPage {
            layout,
            kind,
            created,
            user: super::view::UserView::from(person),
            expires_local: crate::web::time::local_with_zone(link.expires_at, &tz),
            link,
            back,
        },
    ))
}

/// A coordinator or admin makes someone a password-reset link: the page shows it to copy
/// or send over WhatsApp (and says whether it was emailed).
#[rocket::post("/users/<id>/password-reset-link", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn password_reset_link(
    id: i64,
    form: CsrfForm<StaffActionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    origin: crate::http::origin::Origin,
    ip: ClientIp,
) -> AppResult<Result<Template, Flash<Redirect>>> {
    let back = safe_next(form.0.back.as_deref());
    let link = match reset::send_reset_link(db, cfg, mailer, &user, id, &origin.0, &ip).await {
        Ok(link) => link,
        Err(AppError::Validation(_)) => {
            return Ok(Err(Flash::error(Redirect::to(back), "reset.inactive")));
        }
        Err(e) => return Err(e),
    };
    let person = <entity::users::Entity as sea_orm::EntityTrait>::find_by_id(id)
        .one(db.inner())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Ok(link_page(
        db, layout, "reset", false, &person, link, back,
    )
    .await?))
}

/// A coordinator or admin sends someone's invitation again: a new link (the old one stops
/// working) on a page to copy or send over WhatsApp, emailed when Duta sends email.
#[rocket::post("/users/<id>/invitation", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn send_invitation(
    id: i64,
    form: CsrfForm<StaffActionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    origin: crate::http::origin::Origin,
    ip: ClientIp,
) -> AppResult<Result<Template, Flash<Redirect>>> {
    let back = safe_next(form.0.back.as_deref());
    let link = match invite::send_again(db, cfg, mailer, &user, id, &origin.0, &ip).await {
        Ok(link) => link,
        Err(e @ AppError::Validation(_)) => {
            return Ok(Err(Flash::error(Redirect::to(back), first_key(e))));
        }
        Err(e) => return Err(e),
    };
    let person = <entity::users::Entity as sea_orm::EntityTrait>::find_by_id(id)
        .one(db.inner())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Ok(link_page(
        db, layout, "invite", false, &person, link, back,
    )
    .await?))
}

/// A coordinator or admin revokes someone's open invitation link.
#[rocket::post("/users/<id>/invitation/revoke", data = "<form>")]
pub async fn revoke_invitation(
    id: i64,
    form: CsrfForm<StaffActionForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    let back = safe_next(form.0.back.as_deref());
    match invite::revoke(db, &user, id, &ip).await {
        Ok(()) => Ok(Flash::success(Redirect::to(back), "invite.revoked")),
        Err(e @ AppError::Validation(_)) => Ok(Flash::error(Redirect::to(back), first_key(e))),
        Err(e) => Err(e),
    }
}

/// The catalogue key of the first message of a refusal, for a flash.
fn first_key(e: AppError) -> String {
    match e {
        AppError::Validation(fields) | AppError::Conflict(fields) => fields
            .0
            .values()
            .flatten()
            .next()
            .map(|m| m.key.clone())
            .unwrap_or_else(|| "errors.generic".into()),
        _ => "errors.generic".into(),
    }
}

/// A coordinator or admin turns off someone's two-step sign-in (a lost authenticator).
#[rocket::post("/users/<id>/two-factor/reset", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn reset_two_factor(
    id: i64,
    form: CsrfForm<StaffActionForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    let back = safe_next(form.0.back.as_deref());
    match reset::reset_two_factor(db, cfg, mailer, &user, id, &ip).await {
        Ok(()) => Ok(Flash::success(Redirect::to(back), "reset.two_factor_done")),
        Err(AppError::Validation(_)) => {
            Ok(Flash::error(Redirect::to(back), "reset.two_factor_off"))
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
pub struct ConfirmPage {
    layout: Layout,
    token: String,
    /// The address the link confirms, while it works.
    email: Option<String>,
    /// Confirmed just now.
    done: bool,
    errors: BTreeMap<String, Vec<String>>,
}

fn confirm_page(
    layout: Layout,
    token: &str,
    email: Option<String>,
    done: bool,
    errors: BTreeMap<String, Vec<String>>,
) -> Template {
    Template::render(
        "auth/confirm",
        ConfirmPage {
            layout,
            token: token.to_string(),
            email,
            done,
            errors,
        },
    )
}

/// A confirmation link that cannot be used: its message in place of the button.
fn dead_confirmation(layout: Layout, token: &str, err: AppError) -> AppResult<(Status, Template)> {
    let (status, errors) = dead_link_errors(layout.lang, err, "confirm.link_unknown")?;
    Ok((status, confirm_page(layout, token, None, false, errors)))
}

/// The emailed link: a button confirms (a mail scanner opening the link confirms nothing).
#[rocket::get("/email/confirm/<token>")]
pub async fn confirm_form(
    token: &str,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    match super::confirm::link_account(db, token).await {
        Ok(user) => Ok((
            Status::Ok,
            confirm_page(layout, token, Some(user.email), false, BTreeMap::new()),
        )),
        Err(e) => dead_confirmation(layout, token, e),
    }
}

#[rocket::post("/email/confirm/<token>", data = "<_form>")]
pub async fn confirm_email(
    token: &str,
    _form: CsrfForm<TokenOnlyForm>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    match super::confirm::confirm(db, mailer, token, &ip).await {
        Ok(user) => Ok((
            Status::Ok,
            confirm_page(layout, token, Some(user.email), true, BTreeMap::new()),
        )),
        Err(e) => dead_confirmation(layout, token, e),
    }
}

/// The candidate asks for the confirmation link again, from their status page.
#[rocket::post("/me/email/confirmation", data = "<_form>")]
pub async fn resend_confirmation(
    _form: CsrfForm<TokenOnlyForm>,
    user: super::guards::Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    let back = Redirect::to("/me/status");
    match super::confirm::resend(db, cfg, mailer, &user, &ip).await {
        Ok(()) => Ok(Flash::success(back, "confirm.resent")),
        Err(AppError::RateLimited { .. }) => Ok(Flash::error(back, "confirm.throttled")),
        Err(AppError::Validation(_)) => Ok(Flash::error(back, "confirm.not_needed")),
        Err(e) => Err(e),
    }
}
