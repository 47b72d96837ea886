//! The vetting API for coordinators (and admins).

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{
    ApproveRequest, FollowersRequest, MembershipRequest, RecheckRequest, RejectRequest,
};
use super::service::{self, CandidateDetail, CandidateRow};
use crate::auth::guards::Coordinator;
use crate::error::{ApiErrorBody, AppResult};
use crate::followers::FollowerSources;
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

#[utoipa::path(get, path = "/api/v1/vetting/candidates", tag = "vetting", security(("bearer" = [])),
    params(("status" = Option<String>, Query, pattern = "^(pending|approved|rejected|suspended|withdrawn)$", description = "pending (default)"),
           ("work_unit_id" = Option<i64>, Query, minimum = 1, description = "a work unit; its subtree is included")),
    responses((status = 200, body = [CandidateRow]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/vetting/candidates?<status>&<work_unit_id>")]
pub async fn index(
    status: Opt<&str>,
    work_unit_id: Opt<i64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<CandidateRow>>> {
    let status = status.0;
    let work_unit_id = work_unit_id.0;
    Ok(Json(
        service::list_candidates(db, &user, status, work_unit_id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/vetting/candidates/{id}", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate (ambassador) id")),
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::get("/vetting/candidates/<id>")]
pub async fn show(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
) -> AppResult<Json<CandidateDetail>> {
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/approve", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = ApproveRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/approve", data = "<body>")]
pub async fn approve(
    id: i64,
    body: ApiJson<ApproveRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::approve(db, key, mailer, &user, id, &body.0, &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/reject", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = RejectRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/reject", data = "<body>")]
pub async fn reject(
    id: i64,
    body: ApiJson<RejectRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::reject(db, mailer, &user, id, &body.0, &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

/// Records a follower count the coordinator read themselves (method `coordinator`).
#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/followers", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = FollowersRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/followers", data = "<body>")]
pub async fn followers(
    id: i64,
    body: ApiJson<FollowersRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::set_followers(db, &user, id, &body.0, &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

/// Asks the platform's API again (where Duta has the platform's API).
#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/recheck", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = RecheckRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/recheck", data = "<body>")]
pub async fn recheck(
    id: i64,
    body: ApiJson<RecheckRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    sources: &Shared<FollowerSources>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::recheck(db, sources, &user, id, &body.0.platform, &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

/// Suspends an approved ambassador from this week on, with a reason shown to them: off
/// the board, no reminders, not expected to post, no submissions; earlier weeks stay.
/// 409 unless approved.
#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/suspend", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = MembershipRequest,
    responses((status = 200, body = CandidateDetail), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/suspend", data = "<body>")]
pub async fn suspend(
    id: i64,
    body: ApiJson<MembershipRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    let step = super::lifecycle::Step::Suspend;
    super::lifecycle::change(db, mailer, &user, id, step, Some(&body.0.reason), &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

/// Removes an approved or suspended ambassador from the programme from this week on, with
/// a reason shown to them; earlier weeks stay. 409 from any other status.
#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/remove", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = MembershipRequest,
    responses((status = 200, body = CandidateDetail), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/remove", data = "<body>")]
pub async fn remove(
    id: i64,
    body: ApiJson<MembershipRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    let step = super::lifecycle::Step::Remove;
    super::lifecycle::change(db, mailer, &user, id, step, Some(&body.0.reason), &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

/// Reinstates a suspended or removed ambassador from this week on (the weeks out count as
/// not expected). 409 from any other status.
#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/reinstate", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")),
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/reinstate")]
pub async fn reinstate(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    let step = super::lifecycle::Step::Reinstate;
    super::lifecycle::change(db, mailer, &user, id, step, None, &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

/// Corrects an ambassador's name, email, NIP or employee type, or moves them to another
/// work unit; admins also to another institution (mutasi: `institution_id` with a unit of
/// it), whose coordinators are told. Every field optional; their history moves with them.
/// 409 for an email or NIP another person has, a unit outside the caller's scope, or a
/// transfer by a coordinator.
#[utoipa::path(put, path = "/api/v1/vetting/candidates/{id}/record", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = super::record::RecordChange,
    responses((status = 200, body = CandidateDetail), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::put("/vetting/candidates/<id>/record", data = "<body>")]
pub async fn correct(
    id: i64,
    body: ApiJson<super::record::RecordChange>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    super::record::change(db, key, &user, id, &body.0, &ip).await?;
    Ok(Json(service::candidate_detail(db, key, &user, id).await?))
}

#[derive(rocket::FromForm)]
pub struct RosterUpload<'r> {
    pub file: rocket::fs::TempFile<'r>,
}

/// The roster form as the document shows it: `file` and nothing else (a form with other
/// fields is refused, as a JSON body with unknown fields is).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RosterUploadDoc {
    /// The roster: CSV in UTF-8 (a byte-order mark is allowed), commas or semicolons, a
    /// header row naming the columns, at most 50,000 rows and 16 MiB.
    #[schema(value_type = String, format = Binary, content_media_type = "text/csv")]
    file: Vec<u8>,
}

/// Imports an existing roster from CSV (multipart `file`). Columns: name, nip, type, email,
/// phone, work_unit, member_since, and per platform `<platform>` (handle) and
/// `<platform>_followers`. One bad row refuses the whole file (422, every refused row
/// listed in `fields` as `rows.<line>.<column>`); a good file is imported at once (201).
#[utoipa::path(post, path = "/api/v1/vetting/import", tag = "vetting", security(("bearer" = [])),
    params(("institution_id" = Option<i64>, Query, minimum = 1, description = "for admins: the institution to import into (409 without it)")),
    request_body(content = RosterUploadDoc, content_type = "multipart/form-data"),
    responses((status = 201, body = super::import::ImportReport), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/import?<institution_id>", data = "<upload>")]
pub async fn import(
    institution_id: Opt<i64>,
    upload: Result<
        rocket::form::Form<crate::http::upload::StrictUpload<RosterUpload<'_>>>,
        rocket::form::Errors<'_>,
    >,
    user: Coordinator<'_>,
    lang: crate::web::i18n::Lang,
    db: &Shared<DatabaseConnection>,
    hasher: &Shared<crate::auth::passwords::Hasher>,
    key: &Shared<crate::nip::NipKey>,
    cfg: &Shared<crate::config::AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    origin: crate::http::origin::Origin,
    ip: ClientIp,
) -> Result<(rocket::http::Status, Json<super::import::ImportReport>), crate::error::AppError> {
    let institution_id = institution_id.0;
    use crate::error::{AppError, FieldErrors, Msg};
    let upload = upload.map_err(|errors| {
        crate::http::upload::form_errors(&errors, &[("file", Msg::new("import.unreadable"))])
    })?;
    let target = super::import::target_institution(&user, institution_id)?;
    let bytes = crate::http::upload::read_upload(&upload.file, super::import::MAX_BYTES).await?;
    let report = {
        let inviting = super::import::Inviting {
            cfg,
            mailer,
            origin: &origin.0,
        };
        super::import::import_roster(db, hasher, key, &inviting, &user, target, &bytes, lang, &ip)
            .await
    }?;
    if report.imported > 0 {
        return Ok((rocket::http::Status::Created, Json(report)));
    }
    let mut fields = FieldErrors::new();
    for e in &report.file_errors {
        fields.add("file", Msg::new(e));
    }
    for r in &report.refused {
        for (column, msgs) in &r.errors {
            for m in msgs {
                let msg = if r.conflict {
                    Msg::conflict(m)
                } else {
                    Msg::new(m)
                };
                fields.add(&format!("rows.{}.{column}", r.line), msg);
            }
        }
    }
    Err(AppError::Validation(fields))
}
