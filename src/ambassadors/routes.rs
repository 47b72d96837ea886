//! The candidate's pages: sign-up (with screenshots), the status page, fixing and
//! resubmitting, and adding a screenshot later.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{PlatformInput, ResubmitRequest, SignupRequest, CONSENT_VERSION};
use super::service::{self, AmbassadorView};
use crate::auth::guards::{Ambassador, CurrentUser};
use crate::auth::jwt::JwtKeys;
use crate::auth::passwords::Hasher;
use crate::auth::roles::Role;
use crate::config::AppConfig;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::followers::FollowerSources;
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, CsrfMultipart, CsrfProtected};
use crate::media::pipeline::Processed;
use crate::media::service::MediaStore;
use crate::nip::NipKey;
use crate::org::service::{list_all_units_grouped, UnitGroup};
use crate::settings::rules::PLATFORMS;
use crate::state::Shared;
use crate::web::i18n;
use crate::web::layout::Layout;

#[derive(FromForm, Default)]
pub struct PlatformFields<'r> {
    #[field(default = String::new())]
    pub platform: String,
    #[field(default = String::new())]
    pub handle: String,
    #[field(default = String::new())]
    pub method: String,
    #[field(default = String::new())]
    pub count: String,
    pub screenshot: Option<TempFile<'r>>,
}

#[derive(FromForm, Default)]
pub struct SignupForm<'r> {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub display_name: String,
    #[field(default = String::new())]
    pub nip: String,
    #[field(default = String::new())]
    pub employee_type: String,
    #[field(default = String::new())]
    pub email: String,
    #[field(default = String::new())]
    pub phone: String,
    #[field(default = String::new())]
    pub institution_id: String,
    #[field(default = String::new())]
    pub work_unit_id: String,
    #[field(default = String::new())]
    pub password: String,
    #[field(default = false)]
    pub consent: bool,
    #[field(default = Vec::new())]
    pub platforms: Vec<PlatformFields<'r>>,
    /// The referral code of the link the candidate came through (a hidden field).
    #[field(default = String::new())]
    pub referral_code: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for SignupForm<'_> {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// A platform row of the form as the page shows it again.
#[derive(Serialize, Clone, Default)]
pub struct PlatformRow {
    platform: String,
    required: bool,
    threshold: i64,
    api_available: bool,
    handle: String,
    method: String,
    count: String,
}

#[derive(Serialize, Default)]
pub struct SignupValues {
    name: String,
    display_name: String,
    nip: String,
    employee_type: String,
    email: String,
    phone: String,
    institution_id: String,
    work_unit_id: String,
    consent: bool,
    referral_code: String,
}

#[derive(Serialize)]
pub struct SignupPage {
    layout: Layout,
    values: SignupValues,
    platforms: Vec<PlatformRow>,
    groups: Vec<UnitGroup>,
    errors: BTreeMap<String, Vec<String>>,
    consent_version: &'static str,
    /// The display name of the ambassador whose referral link brought the candidate.
    invited_by: Option<String>,
}

async fn platform_rows(
    db: &DatabaseConnection,
    sources: &FollowerSources,
) -> AppResult<Vec<PlatformRow>> {
    let (required, limits) = crate::settings::service::thresholds(db).await?;
    let api = sources.configured();
    Ok(PLATFORMS
        .iter()
        .map(|p| PlatformRow {
            platform: p.to_string(),
            required: required.iter().any(|r| r == p),
            threshold: limits.get(*p).copied().unwrap_or(500),
            api_available: api.contains(p),
            method: "screenshot".into(),
            ..Default::default()
        })
        .collect())
}

/// The platform rows again with what the person typed (platform, handle, method, count).
fn refill(
    mut rows: Vec<PlatformRow>,
    typed: impl IntoIterator<Item = (String, String, String, String)>,
) -> Vec<PlatformRow> {
    for (platform, handle, method, count) in typed {
        if let Some(row) = rows.iter_mut().find(|r| r.platform == platform) {
            row.handle = handle;
            row.method = if method == "api" {
                "api".into()
            } else {
                "screenshot".into()
            };
            row.count = count;
        }
    }
    rows
}

/// Where the sign-up form was opened from: an institution's programme page, through a
/// referral link or not (`/signup?institution=7&ref=42-3fa9c0d18e2b`).
#[derive(FromForm, Default)]
pub struct SignupFrom {
    pub institution: Option<String>,
    #[field(name = "ref")]
    pub code: Option<String>,
}

/// The referral code to keep on the form: one of the right shape (whether it names
/// anyone is decided at sign-up).
fn referral_of(code: Option<&str>) -> Option<String> {
    code.map(str::trim)
        .filter(|c| crate::recruitment::rules::is_referral_shaped(c))
        .map(str::to_string)
}

/// Whose valid referral link of `institution_id` the code is, for the page to say so.
async fn inviter(
    db: &DatabaseConnection,
    key: &NipKey,
    code: &str,
    institution_id: &str,
) -> AppResult<Option<String>> {
    let (Some(code), Ok(institution)) = (referral_of(Some(code)), institution_id.parse()) else {
        return Ok(None);
    };
    Ok(
        crate::recruitment::service::find_referrer(db, key, &code, institution)
            .await?
            .map(|a| a.display_name),
    )
}

#[rocket::get("/signup?<from..>")]
pub async fn signup_page(
    from: SignupFrom,
    layout: Layout,
    user: Option<&CurrentUser>,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
) -> AppResult<Result<Template, Redirect>> {
    if user.is_some() {
        return Ok(Err(Redirect::to("/")));
    }
    let groups = list_all_units_grouped(db).await?;
    // An institution that exists is chosen in advance; anything else is left to choose.
    let institution_id = from
        .institution
        .as_deref()
        .and_then(|i| i.trim().parse::<i64>().ok())
        .filter(|i| groups.iter().any(|g| g.institution.id == *i))
        .map(|i| i.to_string())
        .unwrap_or_default();
    let referral_code = referral_of(from.code.as_deref()).unwrap_or_default();
    let invited_by = inviter(db, key, &referral_code, &institution_id).await?;
    Ok(Ok(Template::render(
        "ambassadors/signup",
        SignupPage {
            layout,
            values: SignupValues {
                employee_type: "pns".into(),
                institution_id,
                referral_code,
                ..Default::default()
            },
            platforms: platform_rows(db, sources).await?,
            groups,
            errors: BTreeMap::new(),
            consent_version: CONSENT_VERSION,
            invited_by,
        },
    )))
}

fn count_value(text: &str) -> Option<serde_json::Value> {
    let t = text.trim();
    (!t.is_empty()).then(|| serde_json::Value::String(t.to_string()))
}

fn optional_id(text: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    match crate::accounts::forms::parse_optional_id(text) {
        Ok(v) => v,
        Err(_) => {
            errors.add(
                field,
                Msg::new(if field == "institution_id" {
                    "users.institution_unknown"
                } else {
                    "users.work_unit_unknown"
                }),
            );
            None
        }
    }
}

/// Reads and checks every screenshot of the form before anything is written.
async fn prepare_screenshots(
    store: &MediaStore,
    platforms: &[PlatformFields<'_>],
    errors: &mut FieldErrors,
) -> AppResult<Vec<(String, Processed)>> {
    let mut ready = Vec::new();
    for p in platforms {
        let field = format!("platforms.{}.screenshot", p.platform);
        let file = p.screenshot.as_ref().filter(|f| f.len() > 0);
        match file {
            Some(f) => {
                let bytes = crate::http::upload::read_upload(
                    f,
                    crate::media::rules::MAX_UPLOAD_BYTES as u64,
                )
                .await?;
                match store.prepare(bytes).await {
                    Ok(processed) => ready.push((p.platform.clone(), processed)),
                    Err(AppError::Validation(f)) => {
                        for msgs in f.0.into_values() {
                            for m in msgs {
                                errors.add(&field, m);
                            }
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            None if p.method != "api" && !p.handle.trim().is_empty() => {
                errors.add(&field, Msg::new("signup.screenshot_required"));
            }
            None => {}
        }
    }
    Ok(ready)
}

#[rocket::post("/signup", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn signup(
    form: CsrfMultipart<SignupForm<'_>>,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    store: &Shared<MediaStore>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let mut errors = FieldErrors::new();
    let institution_id = optional_id(&form.institution_id, "institution_id", &mut errors);
    let work_unit_id = optional_id(&form.work_unit_id, "work_unit_id", &mut errors);
    let input = SignupRequest {
        name: form.name.clone(),
        display_name: form.display_name.clone(),
        nip: form.nip.clone(),
        employee_type: form.employee_type.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        institution_id,
        work_unit_id,
        password: form.password.clone(),
        consent: form.consent,
        consent_version: CONSENT_VERSION.into(),
        referral_code: referral_of(Some(&form.referral_code)),
        platforms: form
            .platforms
            .iter()
            .map(|p| PlatformInput {
                platform: p.platform.clone(),
                handle: p.handle.clone(),
                method: p.method.clone(),
                count: count_value(&p.count),
            })
            .collect(),
    };
    let screenshots = prepare_screenshots(store, &form.platforms, &mut errors).await?;
    // The screenshots' files are stored before the account is made, so that a store that
    // is down or full refuses the sign-up as a whole instead of leaving an account without
    // the screenshots it was sent with.
    let mut staged = Vec::with_capacity(screenshots.len());
    if errors.is_empty() {
        for (platform, processed) in screenshots {
            match store.stage(processed).await {
                Ok(files) => staged.push((platform, files)),
                Err(e) => {
                    for (_, files) in &staged {
                        store.discard(files).await;
                    }
                    return Err(e);
                }
            }
        }
    }
    let outcome = if errors.is_empty() {
        service::signup(
            db,
            Some(cfg.signup_max_per_ip),
            Some((mailer, cfg.default_language)),
            hasher,
            sources,
            key,
            &input,
            &ip,
        )
        .await
    } else {
        // Show every problem at once without writing anything.
        match service::check_only(db, sources, &input).await {
            Err(AppError::Validation(mut f)) => {
                f.0.extend(errors.0);
                Err(AppError::Validation(f))
            }
            Err(other) => Err(other),
            Ok(()) => Err(AppError::Validation(errors)),
        }
    };
    match outcome {
        Ok((user, amb)) => {
            let me = CurrentUser {
                user: user.clone(),
                role: Role::Ambassador,
                work_unit_path: None,
                two_factor_pending: false,
                stamps: None,
                opening_stamps: None,
            };
            for (platform, files) in staged {
                let media = store
                    .record(db, user.id, Some(amb.institution_id), "screenshot", files)
                    .await?;
                service::attach_screenshot(db, &me, &platform, media.id, None, &ip).await?;
            }
            let (token, expires_at) = keys
                .issue(user.id, &user.role, &user.security_stamp)
                .map_err(AppError::internal)?;
            let session = crate::auth::service::Session {
                user,
                token,
                expires_at,
            };
            crate::auth::routes::set_session_cookie(cookies, cfg, &session);
            let done = if session.user.email_unconfirmed_since.is_some() {
                "signup.done_confirm"
            } else {
                "signup.done"
            };
            Ok(Ok(Flash::success(Redirect::to("/me/status"), done)))
        }
        Err(e) => {
            for (_, files) in &staged {
                store.discard(files).await;
            }
            let (status, errors) = match e {
                AppError::RateLimited { retry_after_secs } => {
                    let minutes = ((retry_after_secs + 59) / 60).to_string();
                    let message =
                        i18n::t_with(layout.lang, "signup.throttled", &[("minutes", &minutes)]);
                    (
                        Status::TooManyRequests,
                        BTreeMap::from([("form".to_string(), vec![message])]),
                    )
                }
                other => other.form_errors(layout.lang)?,
            };
            let platforms = refill(
                platform_rows(db, sources).await?,
                form.platforms.iter().map(|p| {
                    (
                        p.platform.clone(),
                        p.handle.clone(),
                        p.method.clone(),
                        p.count.clone(),
                    )
                }),
            );
            let values = SignupValues {
                name: form.name,
                display_name: form.display_name,
                nip: form.nip,
                employee_type: form.employee_type,
                email: form.email,
                phone: form.phone,
                institution_id: form.institution_id,
                work_unit_id: form.work_unit_id,
                consent: form.consent,
                referral_code: referral_of(Some(&form.referral_code)).unwrap_or_default(),
            };
            let invited_by =
                inviter(db, key, &values.referral_code, &values.institution_id).await?;
            let page = SignupPage {
                layout,
                values,
                platforms,
                groups: list_all_units_grouped(db).await?,
                errors,
                consent_version: CONSENT_VERSION,
                invited_by,
            };
            Ok(Err((status, Template::render("ambassadors/signup", page))))
        }
    }
}

#[derive(Serialize)]
pub struct StatusPage {
    layout: Layout,
    view: AmbassadorView,
    can_edit: bool,
    errors: BTreeMap<String, Vec<String>>,
    rows: Vec<PlatformRow>,
    display_name: String,
    phone: String,
    /// The address still waits for its confirmation link (shown with a resend button).
    email_unconfirmed: Option<String>,
    /// Approved, and short of the rules on these required platforms now.
    attention: Vec<String>,
    /// Of them, those with no account yet.
    to_add: Vec<String>,
    /// A handle typed into an "add the account" form that was refused, by platform.
    typed_handles: BTreeMap<String, String>,
}

async fn status_page(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    key: &NipKey,
    user: &Ambassador<'_>,
    layout: Layout,
    errors: BTreeMap<String, Vec<String>>,
    typed: Option<(String, String, Vec<PlatformRow>)>,
) -> AppResult<Template> {
    status_page_with(
        db,
        sources,
        key,
        user,
        layout,
        errors,
        typed,
        BTreeMap::new(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn status_page_with(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    key: &NipKey,
    user: &Ambassador<'_>,
    layout: Layout,
    errors: BTreeMap<String, Vec<String>>,
    typed: Option<(String, String, Vec<PlatformRow>)>,
    typed_handles: BTreeMap<String, String>,
) -> AppResult<Template> {
    let amb = service::get_own(db, user).await?;
    let view = service::view_of(db, key, &amb).await?;
    let email_unconfirmed = <entity::users::Entity as sea_orm::EntityTrait>::find_by_id(user.id())
        .one(db)
        .await?
        .filter(|u| u.email_unconfirmed_since.is_some())
        .map(|u| u.email);
    let (display_name, phone, rows) = match typed {
        Some(t) => t,
        None => {
            let rows = refill(
                platform_rows(db, sources).await?,
                view.platforms.iter().map(|p| {
                    (
                        p.platform.clone(),
                        p.handle.clone(),
                        p.method.clone(),
                        p.follower_count.map(|n| n.to_string()).unwrap_or_default(),
                    )
                }),
            );
            (view.display_name.clone(), view.phone.clone(), rows)
        }
    };
    let attention = service::attention_platforms(db, &amb).await?;
    let to_add = attention
        .iter()
        .filter(|p| !view.platforms.iter().any(|v| v.platform == **p))
        .cloned()
        .collect();
    Ok(Template::render(
        "ambassadors/status",
        StatusPage {
            layout,
            attention,
            to_add,
            typed_handles,
            can_edit: matches!(view.status.as_str(), "pending" | "rejected"),
            view,
            errors,
            rows,
            display_name,
            phone,
            email_unconfirmed,
        },
    ))
}

#[rocket::get("/me/status")]
pub async fn status(
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
) -> AppResult<Template> {
    status_page(db, sources, key, &user, layout, BTreeMap::new(), None).await
}

#[derive(FromForm, Default)]
pub struct ResubmitForm {
    #[field(default = String::new())]
    pub display_name: String,
    #[field(default = String::new())]
    pub phone: String,
    #[field(default = Vec::new())]
    pub platforms: Vec<PlatformText>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

#[derive(FromForm, Default)]
pub struct PlatformText {
    #[field(default = String::new())]
    pub platform: String,
    #[field(default = String::new())]
    pub handle: String,
    #[field(default = String::new())]
    pub method: String,
    #[field(default = String::new())]
    pub count: String,
}

impl CsrfProtected for ResubmitForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[rocket::post("/me/status", data = "<form>")]
pub async fn resubmit(
    form: CsrfForm<ResubmitForm>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let input = ResubmitRequest {
        display_name: form.display_name.clone(),
        phone: form.phone.clone(),
        work_unit_id: None,
        platforms: form
            .platforms
            .iter()
            .map(|p| PlatformInput {
                platform: p.platform.clone(),
                handle: p.handle.clone(),
                method: p.method.clone(),
                count: count_value(&p.count),
            })
            .collect(),
    };
    match service::resubmit(db, sources, mailer, &user, &input, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/me/status"),
            "signup.resubmitted",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let rows = refill(
                platform_rows(db, sources).await?,
                form.platforms.iter().map(|p| {
                    (
                        p.platform.clone(),
                        p.handle.clone(),
                        p.method.clone(),
                        p.count.clone(),
                    )
                }),
            );
            let typed = Some((form.display_name, form.phone, rows));
            Ok(Err((
                status,
                status_page(db, sources, key, &user, layout, errors, typed).await?,
            )))
        }
    }
}

#[derive(FromForm)]
pub struct ScreenshotForm<'r> {
    pub file: Option<TempFile<'r>>,
    #[field(default = String::new())]
    pub count: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ScreenshotForm<'_> {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(FromForm)]
pub struct AccountForm {
    #[field(default = String::new())]
    pub handle: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for AccountForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// An approved ambassador adds the account of a platform that became required.
#[rocket::post("/me/platforms/<platform>/account", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn add_account(
    platform: &str,
    form: CsrfForm<AccountForm>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    match service::add_account(db, &user, platform, &form.0.handle, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/me/status"),
            "attention.account_added",
        ))),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let status = e.status();
            let (_, errors) = e.form_errors(layout.lang)?;
            let handles = BTreeMap::from([(platform.to_string(), form.0.handle.clone())]);
            let page =
                status_page_with(db, sources, key, &user, layout, errors, None, handles).await?;
            Ok(Err((status, page)))
        }
    }
}

#[rocket::post("/me/platforms/<platform>/screenshot", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn upload_screenshot(
    platform: &str,
    form: CsrfMultipart<ScreenshotForm<'_>>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    store: &Shared<MediaStore>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let amb = service::get_own(db, &user).await?;
    service::ensure_open(db.inner(), &amb, platform).await?;
    if !service::platforms_of(db.inner(), amb.id)
        .await?
        .iter()
        .any(|p| p.platform == platform)
    {
        return Err(AppError::NotFound);
    }
    let field = format!("platforms.{platform}.screenshot");
    let result: AppResult<()> = async {
        let count = match form.count.trim() {
            "" => None,
            text => Some(
                super::forms::parse_count_text(text)
                    .ok()
                    .filter(|n| *n <= super::forms::MAX_FOLLOWERS)
                    .ok_or_else(|| {
                        AppError::Validation(FieldErrors::single(
                            &format!("platforms.{platform}.count"),
                            Msg::new("signup.count_invalid"),
                        ))
                    })?,
            ),
        };
        let file = form.file.as_ref().filter(|f| f.len() > 0).ok_or_else(|| {
            AppError::Validation(FieldErrors::single(
                &field,
                Msg::new("signup.screenshot_required"),
            ))
        })?;
        let bytes =
            crate::http::upload::read_upload(file, crate::media::rules::MAX_UPLOAD_BYTES as u64)
                .await?;
        let processed = store.prepare(bytes).await.map_err(|e| match e {
            AppError::Validation(f) => {
                let mut moved = FieldErrors::new();
                for m in f.0.into_values().flatten() {
                    moved.add(&field, m);
                }
                AppError::Validation(moved)
            }
            other => other,
        })?;
        let media = store
            .save(
                db,
                user.id(),
                Some(amb.institution_id),
                "screenshot",
                processed,
            )
            .await?;
        service::attach_screenshot(db, &user, platform, media.id, count, &ip).await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to("/me/status"),
            "signup.screenshot_saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                status_page(db, sources, key, &user, layout, errors, None).await?,
            )))
        }
    }
}
