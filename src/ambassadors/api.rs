//! The candidate's API: sign-up, the form's choices, resubmission and screenshots.

use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{ResubmitRequest, SignupRequest, CONSENT_VERSION};
use super::service::{self, AmbassadorView};
use crate::auth::guards::{Ambassador, CurrentUser};
use crate::auth::passwords::Hasher;
use crate::auth::view::UserView;
use crate::error::{ApiErrorBody, AppError, AppResult, FieldErrors, Msg};
use crate::followers::FollowerSources;
use crate::http::client_ip::ClientIp;
use crate::media::service::MediaStore;
use crate::nip::NipKey;
use crate::org::service::{InstitutionView, WorkUnitView};
use crate::state::Shared;
use crate::web::json::ApiJson;

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignupCreated {
    pub id: i64,
    pub status: String,
}

/// Applies to become an ambassador; the new account can sign in at once to follow its status.
#[utoipa::path(post, path = "/api/v1/signup", tag = "ambassadors", request_body = SignupRequest,
    responses((status = 201, body = SignupCreated), (status = 400, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 429, description = "Too many sign-ups from this client address in the hour", body = ApiErrorBody)))]
#[rocket::post("/signup", data = "<body>")]
pub async fn signup(
    body: ApiJson<SignupRequest>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    hasher: &Shared<Hasher>,
    sources: &Shared<FollowerSources>,
    cfg: &Shared<crate::config::AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Json<SignupCreated>)> {
    let (_, amb) = service::signup(
        db,
        Some(cfg.signup_max_per_ip),
        Some((mailer, cfg.default_language)),
        hasher,
        sources,
        key,
        &body.0,
        &ip,
    )
    .await?;
    Ok((
        Status::Created,
        Json(SignupCreated {
            id: amb.id,
            status: amb.status,
        }),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignupChoices {
    pub consent_version: String,
    pub required_platforms: Vec<String>,
    /// Platforms whose follower count Duta can read from the API.
    pub api_platforms: Vec<String>,
    pub thresholds: std::collections::HashMap<String, i64>,
    pub institutions: Vec<InstitutionChoice>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InstitutionChoice {
    #[serde(flatten)]
    pub institution: InstitutionView,
    pub work_units: Vec<WorkUnitView>,
}

/// What the sign-up form offers: institutions with their work units, platforms, consent version.
#[utoipa::path(get, path = "/api/v1/signup/form", tag = "ambassadors",
    responses((status = 200, body = SignupChoices)))]
#[rocket::get("/signup/form")]
pub async fn signup_form(
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
) -> AppResult<Json<SignupChoices>> {
    let (required, thresholds) = crate::settings::service::thresholds(db).await?;
    let groups = crate::org::service::list_all_units_grouped(db).await?;
    Ok(Json(SignupChoices {
        consent_version: CONSENT_VERSION.into(),
        required_platforms: required,
        api_platforms: sources
            .configured()
            .into_iter()
            .map(str::to_string)
            .collect(),
        thresholds,
        institutions: groups
            .into_iter()
            .map(|g| InstitutionChoice {
                institution: g.institution,
                work_units: g.units,
            })
            .collect(),
    }))
}

/// The caller's own candidate record (also part of `GET /api/v1/me`).
#[utoipa::path(get, path = "/api/v1/me/ambassador", tag = "ambassadors", security(("bearer" = [])),
    responses((status = 200, body = AmbassadorView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/me/ambassador")]
pub async fn show_own(
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<AmbassadorView>> {
    let amb = service::get_own(db, &user).await?;
    Ok(Json(service::view_of(db, key, &amb).await?))
}

/// Fixes the application and sends it again (while pending, or after a rejection).
#[utoipa::path(put, path = "/api/v1/me/ambassador", tag = "ambassadors", security(("bearer" = [])),
    request_body = ResubmitRequest,
    responses((status = 200, body = AmbassadorView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/me/ambassador", data = "<body>")]
pub async fn resubmit(
    body: ApiJson<ResubmitRequest>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    key: &Shared<NipKey>,
    sources: &Shared<FollowerSources>,
    ip: ClientIp,
) -> AppResult<Json<AmbassadorView>> {
    let amb = service::resubmit(db, sources, mailer, &user, &body.0, &ip).await?;
    Ok(Json(service::view_of(db, key, &amb).await?))
}

/// The screenshot form as sent: `count` as the values that came (see
/// [`crate::http::upload::one_value`]).
#[derive(FromForm)]
pub struct ScreenshotUpload<'r> {
    pub file: TempFile<'r>,
    pub count: rocket::form::Lenient<Vec<String>>,
}

/// The screenshot form as the document shows it: these fields and no others (a form with
/// other fields is refused, as a JSON body with unknown fields is).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ScreenshotUploadDoc {
    /// A JPEG, PNG, WebP or GIF image of the profile (its bytes are read).
    #[schema(value_type = String, format = Binary, content_media_type = "image/*")]
    file: Vec<u8>,
    /// The follower count the screenshot shows, as typed (`1.050`); empty: none.
    #[schema(schema_with = super::forms::blank_count_schema)]
    count: Option<String>,
}

/// Uploads the screenshot of a platform profile (multipart: `file`, optional `count`).
#[utoipa::path(post, path = "/api/v1/me/platforms/{platform}/screenshot", tag = "ambassadors", security(("bearer" = [])),
    params(("platform" = String, Path, pattern = "^(facebook|x|instagram|tiktok|youtube)$", description = "one the candidate registered (404 otherwise)")),
    request_body(content = ScreenshotUploadDoc, content_type = "multipart/form-data"),
    responses((status = 200, body = AmbassadorView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/platforms/<platform>/screenshot", data = "<upload>")]
pub async fn upload_screenshot(
    platform: &str,
    upload: Result<
        Form<crate::http::upload::StrictUpload<ScreenshotUpload<'_>>>,
        rocket::form::Errors<'_>,
    >,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    store: &Shared<MediaStore>,
    ip: ClientIp,
) -> AppResult<Json<AmbassadorView>> {
    let amb = service::get_own(db, &user).await?;
    // Checked before any file is stored, so a closed application leaves no orphan image.
    service::ensure_open(db.inner(), &amb, platform).await?;
    // Rocket reports an oversized file together with the field it then misses; 413 wins.
    let count_msg = Msg::new("signup.count_invalid");
    let upload = upload.map_err(|errors| {
        crate::http::upload::form_errors(
            &errors,
            &[
                ("file", Msg::new("media.not_image")),
                ("count", count_msg.clone()),
            ],
        )
    })?;
    let mut errors = FieldErrors::new();
    let count = crate::http::upload::one_value(&upload.count, "count", &count_msg, &mut errors)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    errors.into_result()?;
    let count = match count {
        Some(text) => Some(
            super::forms::parse_count_text(text)
                .ok()
                .filter(|n| *n <= super::forms::MAX_FOLLOWERS)
                .ok_or_else(|| AppError::Validation(FieldErrors::single("count", count_msg)))?,
        ),
        None => None,
    };
    // The account must exist before any file is stored.
    if !service::platforms_of(db.inner(), amb.id)
        .await?
        .iter()
        .any(|p| p.platform == platform)
    {
        return Err(AppError::NotFound);
    }
    let bytes = crate::http::upload::read_upload(
        &upload.file,
        crate::media::rules::MAX_UPLOAD_BYTES as u64,
    )
    .await?;
    let media = store
        .store(db, user.id(), Some(amb.institution_id), "screenshot", bytes)
        .await?;
    service::attach_screenshot(db, &user, platform, media.id, count, &ip).await?;
    let amb = service::get_own(db, &user).await?;
    Ok(Json(service::view_of(db, key, &amb).await?))
}

/// The signed-in user, and for an ambassador their programme record.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    pub ambassador: Option<AmbassadorView>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = ApiErrorBody)))]
#[rocket::get("/me")]
pub async fn me(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<MeView>> {
    let ambassador = match service::find_ambassador_by_user(db.inner(), user.id()).await? {
        Some(a) => Some(service::view_of(db, key, &a).await?),
        None => None,
    };
    Ok(Json(MeView {
        user: UserView::from(&user.user),
        ambassador,
    }))
}

/// An approved ambassador adds the account of a platform that is now required and on which
/// they have none (the evidence follows with the screenshot upload; a coordinator reviews
/// it). 409 unless the platform needs it; 409 for a handle another person registered.
#[utoipa::path(post, path = "/api/v1/me/platforms/{platform}/account", tag = "ambassadors", security(("bearer" = [])),
    params(("platform" = String, Path, pattern = "^(facebook|x|instagram|tiktok|youtube)$", description = "a required platform")),
    request_body = super::forms::AccountRequest,
    responses((status = 201, body = AmbassadorView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/platforms/<platform>/account", data = "<body>")]
pub async fn add_account(
    platform: &str,
    body: ApiJson<super::forms::AccountRequest>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> AppResult<(Status, Json<AmbassadorView>)> {
    service::add_account(db, &user, platform, &body.0.handle, &ip).await?;
    let amb = service::get_own(db, &user).await?;
    Ok((
        Status::Created,
        Json(service::view_of(db, key, &amb).await?),
    ))
}
