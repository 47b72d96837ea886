//! The briefs API: coordinators write, publish and pause briefs; ambassadors read the
//! ones addressed to them and their week.

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{BriefRequest, PauseRequest};
use super::service::{self, BriefView, CurrentWeek};
use crate::auth::guards::{Ambassador, Coordinator, CurrentUser};
use crate::error::{ApiErrorBody, AppResult, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::state::Shared;
use crate::web::i18n::Lang;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// Writes a brief. `status` draft (default), scheduled (with `publish_at` ahead),
/// published (now, or at a past `publish_at` to bring history) or closed.
#[utoipa::path(post, path = "/api/v1/briefs", tag = "briefs", security(("bearer" = [])),
    request_body = BriefRequest,
    responses((status = 201, body = BriefView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/briefs", data = "<body>")]
pub async fn create(
    body: ApiJson<BriefRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Json<BriefView>)> {
    let saved = service::create_brief(db, mailer, &user, &body.0, &ip).await?;
    Ok((Status::Created, Json(saved)))
}

/// Replaces a brief's fields and state. A published brief cannot go back to draft.
#[utoipa::path(put, path = "/api/v1/briefs/{id}", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id")), request_body = BriefRequest,
    responses((status = 200, body = BriefView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::put("/briefs/<id>", data = "<body>")]
pub async fn update(
    id: i64,
    body: ApiJson<BriefRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<Json<BriefView>> {
    Ok(Json(
        service::update_brief(db, mailer, &user, id, &body.0, &ip).await?,
    ))
}

/// Briefs the caller may read, newest week first: staff their scope's, ambassadors the
/// published ones addressed to them.
#[utoipa::path(get, path = "/api/v1/briefs", tag = "briefs", security(("bearer" = [])),
    params(("week" = Option<String>, Query, description = "ISO week like 2026-W48")),
    responses((status = 200, body = [BriefView]), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/briefs?<week>")]
pub async fn index(
    week: Opt<&str>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<BriefView>>> {
    let week = week.0;
    Ok(Json(service::list_briefs(db, user, week).await?))
}

/// The ambassador's week: this week's open briefs for them, urgent first.
#[utoipa::path(get, path = "/api/v1/briefs/current", tag = "briefs", security(("bearer" = [])),
    responses((status = 200, body = CurrentWeek), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/briefs/current")]
pub async fn current(
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    weeks: &Shared<super::cache::Weeks>,
) -> AppResult<Json<CurrentWeek>> {
    Ok(Json(weeks.current(db, &user).await?))
}

#[utoipa::path(get, path = "/api/v1/briefs/{id}", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id")),
    responses((status = 200, body = BriefView), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/briefs/<id>")]
pub async fn show(
    id: i64,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<BriefView>> {
    let view = service::get_brief_view_for(db, user, id).await?;
    super::audience::record_read_by(db.inner(), user, id).await?;
    Ok(Json(view))
}

/// When the caller first opened a brief.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SeenView {
    pub brief_id: i64,
    pub first_seen_at: chrono::DateTime<chrono::Utc>,
}

/// A read receipt: the ambassador has opened the brief (the app or a notification did);
/// the first time is kept, later ones change nothing. 404 for a brief not addressed to
/// them.
#[utoipa::path(post, path = "/api/v1/briefs/{id}/seen", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id")),
    responses((status = 200, body = SeenView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::post("/briefs/<id>/seen")]
pub async fn seen(
    id: i64,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<SeenView>> {
    let first_seen_at = super::audience::mark_seen(db, &user, id).await?;
    Ok(Json(SeenView {
        brief_id: id,
        first_seen_at,
    }))
}

/// How far a brief has travelled (for urgent briefs above all): its audience in the
/// caller's scope pushed, seen, drafted, posted and verified, the median minutes from its
/// coming out to each person's first post ("time to amplify"), and the share of the
/// audience that had seen it and posted by 1, 3 and 24 hours. Coordinators and admins;
/// 404 for a brief they do not manage.
#[utoipa::path(get, path = "/api/v1/briefs/{id}/amplification", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id")),
    responses((status = 200, body = super::audience::Amplification), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/briefs/<id>/amplification")]
pub async fn amplification(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<super::audience::Amplification>> {
    Ok(Json(
        super::audience::amplification_of(db, &user, id).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PauseView {
    pub institution_id: i64,
    pub paused: bool,
    pub notice: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<entity::crisis_pauses::Model> for PauseView {
    fn from(p: entity::crisis_pauses::Model) -> Self {
        PauseView {
            institution_id: p.institution_id,
            paused: p.ended_at.is_none(),
            notice: p.notice,
            started_at: p.started_at,
            ended_at: p.ended_at,
        }
    }
}

/// The crisis switch: pauses every open brief of the institution; ambassadors see the
/// notice instead. 409 when already paused; a subtree coordinator gets 403.
#[utoipa::path(post, path = "/api/v1/briefs/pause-all", tag = "briefs", security(("bearer" = [])),
    params(("institution_id" = Option<i64>, Query, minimum = 1, description = "admins only (409 without it)")), request_body = PauseRequest,
    responses((status = 200, body = PauseView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/briefs/pause-all?<institution_id>", data = "<body>")]
pub async fn pause_all(
    institution_id: Opt<i64>,
    body: ApiJson<PauseRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<PauseView>> {
    let institution_id = institution_id.0;
    Ok(Json(
        service::pause_all(db, &user, institution_id, &body.0, &ip)
            .await?
            .into(),
    ))
}

/// Ends the crisis pause. 409 when nothing is paused.
#[utoipa::path(post, path = "/api/v1/briefs/resume-all", tag = "briefs", security(("bearer" = [])),
    params(("institution_id" = Option<i64>, Query, minimum = 1, description = "admins only (409 without it)")),
    responses((status = 200, body = PauseView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::post("/briefs/resume-all?<institution_id>")]
pub async fn resume_all(
    institution_id: Opt<i64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<PauseView>> {
    let institution_id = institution_id.0;
    Ok(Json(
        service::resume_all(db, &user, institution_id, &ip)
            .await?
            .into(),
    ))
}

/// Makes the clarification brief of a confirmed hoax case of an institution's list: an
/// urgent counter-narrative draft of this week, due in six hours, with the hoax's links
/// as facts and the clarification template; publishing it answers the case. 409 for a
/// case not confirmed, of the national list, or with a brief already. Coordinators and
/// admins; 404 for a case outside the caller's list.
#[utoipa::path(post, path = "/api/v1/hoax-cases/{id}/clarification", tag = "hoaxes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "case id")),
    responses((status = 201, body = BriefView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody)))]
#[rocket::post("/hoax-cases/<id>/clarification")]
pub async fn clarify(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<(Status, Json<BriefView>)> {
    let made = service::create_clarification(db, (mailer, store), &user, id, &ip).await?;
    Ok((Status::Created, Json(made)))
}

/// Adds an image to a brief (multipart: `file`; optional `focal_x`, `focal_y` in percent
/// of width and height, default the centre; `alt`, a description for screen readers).
/// The variants for every platform are ready when this answers.
#[utoipa::path(post, path = "/api/v1/briefs/{id}/images", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id")),
    request_body(content = ImageUploadDoc, content_type = "multipart/form-data"),
    responses((status = 201, body = super::service::BriefImageView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/briefs/<id>/images", data = "<upload>")]
#[allow(clippy::too_many_arguments)]
pub async fn add_image(
    id: i64,
    upload: ImageUploadResult<'_>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<(Status, Json<super::service::BriefImageView>)> {
    // The brief first: one out of reach is 404 before anything is read.
    service::get_managed_brief(db.inner(), &user, id).await?;
    let upload = open_upload(upload)?;
    let mut errors = crate::error::FieldErrors::new();
    let (x, y, alt) = upload_fields(&upload, &mut errors);
    let focal = super::images::focal_from_percent(x, y, &mut errors);
    errors.into_result()?;
    let alt = alt.unwrap_or_default();
    let bytes = super::routes::read_image(Some(&upload.file)).await?;
    let saved =
        super::images::add_image(db, store, mailer, &user, id, bytes, focal, &alt, &ip).await?;
    Ok((Status::Created, Json(saved)))
}

/// Replaces the file of an image of a brief, keeping its place (multipart: `file`;
/// `focal_x`, `focal_y` and `alt` as for a new image, each kept as it was when absent).
/// The new variants are ready when this answers; the old files are gone.
#[utoipa::path(post, path = "/api/v1/briefs/{id}/images/{image_id}/file", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id"), ("image_id" = i64, Path, description = "image id")),
    request_body(content = ImageUploadDoc, content_type = "multipart/form-data"),
    responses((status = 200, body = super::service::BriefImageView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/briefs/<id>/images/<image_id>/file", data = "<upload>")]
#[allow(clippy::too_many_arguments)]
pub async fn replace_image(
    id: i64,
    image_id: i64,
    upload: ImageUploadResult<'_>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Json<super::service::BriefImageView>> {
    service::get_managed_brief(db.inner(), &user, id).await?;
    let upload = open_upload(upload)?;
    let mut errors = crate::error::FieldErrors::new();
    let (x, y, alt) = upload_fields(&upload, &mut errors);
    let focal = super::images::focal_given(x, y, &mut errors);
    errors.into_result()?;
    let bytes = super::routes::read_image(Some(&upload.file)).await?;
    let saved = super::images::replace_image(
        db,
        store,
        mailer,
        &user,
        id,
        image_id,
        bytes,
        focal,
        alt.as_deref(),
        &ip,
    )
    .await?;
    Ok(Json(saved))
}

/// Deletes an image of a brief with its files. A download already under way finishes;
/// one after answers 404.
#[utoipa::path(delete, path = "/api/v1/briefs/{id}/images/{image_id}", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id"), ("image_id" = i64, Path, description = "image id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::delete("/briefs/<id>/images/<image_id>")]
pub async fn delete_image(
    id: i64,
    image_id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Status> {
    super::images::delete_image(db, store, mailer, &user, id, image_id, &ip).await?;
    Ok(Status::NoContent)
}

type ImageUploadResult<'r> = Result<
    rocket::form::Form<crate::http::upload::StrictUpload<ImageUpload<'r>>>,
    rocket::form::Errors<'r>,
>;

fn focal_msg() -> Msg {
    Msg::new("briefs.focal_invalid")
}

fn alt_msg() -> Msg {
    Msg::new("briefs.alt_invalid").arg("max", super::images::MAX_ALT_CHARS)
}

/// The image form as read: one refused by the form reader is a 422 naming its fields.
fn open_upload(
    upload: ImageUploadResult<'_>,
) -> AppResult<rocket::form::Form<crate::http::upload::StrictUpload<ImageUpload<'_>>>> {
    upload.map_err(|errors| {
        crate::http::upload::form_errors(
            &errors,
            &[
                ("file", Msg::new("media.not_image")),
                ("focal_x", focal_msg()),
                ("focal_y", focal_msg()),
                ("alt", alt_msg()),
            ],
        )
    })
}

/// The focal point (in percent, as sent) and the description of an image form, each
/// `None` when absent; more than one value of a field is an error.
fn upload_fields(
    upload: &ImageUpload<'_>,
    errors: &mut crate::error::FieldErrors,
) -> (Option<f64>, Option<f64>, Option<String>) {
    use crate::http::upload::{one_number, one_value};
    let x = one_number(&upload.focal_x, "focal_x", &focal_msg(), errors);
    let y = one_number(&upload.focal_y, "focal_y", &focal_msg(), errors);
    let alt = one_value(&upload.alt, "alt", &alt_msg(), errors).map(str::to_string);
    (x, y, alt)
}

/// The image form as the document shows it: these fields and no others (a form with
/// other fields is refused, as a JSON body with unknown fields is).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImageUploadDoc {
    /// A JPEG, PNG, WebP or GIF image (its bytes are read, not its name or type).
    #[schema(value_type = String, format = Binary, content_media_type = "image/*")]
    file: Vec<u8>,
    /// The focal point, in percent of the width (the centre when absent).
    #[schema(value_type = f64, required = false, minimum = 0, maximum = 100)]
    focal_x: Option<f64>,
    /// The focal point, in percent of the height.
    #[schema(value_type = f64, required = false, minimum = 0, maximum = 100)]
    focal_y: Option<f64>,
    /// A description for screen readers.
    #[schema(schema_with = alt_schema)]
    alt: Option<String>,
}

crate::text_schema!(alt_schema, super::images::ALT);

/// The image form as sent: each text field as the values that came (see
/// [`crate::http::upload::one_value`]; `Lenient`: none is no value, not a missing field,
/// while the form itself is read strictly).
#[derive(rocket::form::FromForm)]
pub struct ImageUpload<'r> {
    pub file: rocket::fs::TempFile<'r>,
    pub focal_x: rocket::form::Lenient<Vec<String>>,
    pub focal_y: rocket::form::Lenient<Vec<String>>,
    pub alt: rocket::form::Lenient<Vec<String>>,
}

/// Everyone a brief is addressed to (within the caller's scope) with how far each got —
/// `not_seen`, `seen` (opened the brief), `draft` (saved a draft), `rejected` (only
/// rejected posts), `submitted` (a post waiting for verification) or `verified` — and a
/// WhatsApp reminder link; the counts are of the whole audience. Coordinators and admins;
/// 404 for a brief they do not manage.
#[utoipa::path(get, path = "/api/v1/briefs/{id}/audience", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id"),
           ("state" = Option<String>, Query, pattern = "^(not_seen|seen|draft|rejected|submitted|verified)?$", description = "only the people in this state"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "default 50"),
           ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, body = super::audience::AudiencePage), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/briefs/<id>/audience?<state>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn audience(
    id: i64,
    state: Opt<String>,
    limit: Opt<u64>,
    offset: Opt<u64>,
    user: Coordinator<'_>,
    lang: Lang,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<super::audience::AudiencePage>> {
    Ok(Json(
        super::audience::page_of(
            db,
            &user,
            id,
            state.0.as_deref(),
            lang,
            limit.0.unwrap_or(super::audience::PAGE),
            offset.0.unwrap_or(0),
        )
        .await?,
    ))
}

/// Where to copy a brief.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyRequest {
    /// ISO week like `2026-W50`.
    #[serde(default)]
    #[schema(required = true, schema_with = super::rules::week_schema)]
    pub week: String,
}

/// Copies a brief to another week as a new draft: the same text, platforms, audience and
/// templates, the deadline moved by as many weeks; images are not copied. 409 when a unit
/// or template of it is out of the caller's reach now.
#[utoipa::path(post, path = "/api/v1/briefs/{id}/copy", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id")), request_body = CopyRequest,
    responses((status = 201, body = BriefView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/briefs/<id>/copy", data = "<body>")]
pub async fn copy(
    id: i64,
    body: ApiJson<CopyRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Json<BriefView>)> {
    let copy = service::copy_brief(db, mailer, &user, id, &body.0.week, &ip).await?;
    Ok((Status::Created, Json(copy)))
}

/// Deletes a brief nobody has seen (a draft, or one scheduled for later) with its links
/// and images. 409 for a brief ambassadors have seen: close it instead.
#[utoipa::path(delete, path = "/api/v1/briefs/{id}", tag = "briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "brief id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::delete("/briefs/<id>")]
pub async fn delete(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Status> {
    service::delete_brief(db, store, &user, id, &ip).await?;
    Ok(Status::NoContent)
}
