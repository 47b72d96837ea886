//! The organisation API: institutions and work-unit trees.

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{InstitutionChange, NewInstitution, NewWorkUnit, UnitChange, UnitMerge};
use super::service::{self, InstitutionView, WorkUnitView};
use crate::auth::guards::{Admin, Staff};
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;

/// The institutions the caller may see (all for admins and national users).
#[utoipa::path(get, path = "/api/v1/institutions", tag = "organisation", security(("bearer" = [])),
    responses((status = 200, body = [InstitutionView]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/institutions")]
pub async fn index(
    user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<InstitutionView>>> {
    let list = service::list_institutions_for(db, &user).await?;
    Ok(Json(list.iter().map(InstitutionView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/institutions", tag = "organisation", security(("bearer" = [])),
    request_body = NewInstitution,
    responses((status = 201, body = InstitutionView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/institutions", data = "<body>")]
pub async fn create(
    body: ApiJson<NewInstitution>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<InstitutionView>)> {
    let i = service::create_institution(db, Some(&admin), &body.0, Some(&ip)).await?;
    Ok((Status::Created, Json(InstitutionView::from(&i))))
}

#[utoipa::path(get, path = "/api/v1/institutions/{id}", tag = "organisation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "institution id")),
    responses((status = 200, body = InstitutionView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::get("/institutions/<id>")]
pub async fn show(
    id: i64,
    user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<InstitutionView>> {
    let i = service::get_institution_for(db, &user, id).await?;
    Ok(Json(InstitutionView::from(&i)))
}

/// The work-unit tree of an institution, in display order with depths.
#[utoipa::path(get, path = "/api/v1/institutions/{id}/work-units", tag = "organisation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "institution id")),
    responses((status = 200, body = [WorkUnitView]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::get("/institutions/<id>/work-units")]
pub async fn work_units(
    id: i64,
    user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<WorkUnitView>>> {
    Ok(Json(service::list_work_units_for(db, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/institutions/{id}/work-units", tag = "organisation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "institution id")), request_body = NewWorkUnit,
    responses((status = 201, body = WorkUnitView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/institutions/<id>/work-units", data = "<body>")]
pub async fn create_work_unit(
    id: i64,
    body: ApiJson<NewWorkUnit>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<WorkUnitView>)> {
    let u = service::create_work_unit(db, Some(&admin), id, &body.0, Some(&ip)).await?;
    Ok((Status::Created, Json(unit_view(u))))
}

fn unit_view(u: entity::work_units::Model) -> WorkUnitView {
    let depth = u.path.matches('/').count().saturating_sub(2);
    WorkUnitView {
        id: u.id,
        institution_id: u.institution_id,
        parent_id: u.parent_id,
        name: u.name,
        depth,
    }
}

/// Renames an institution, or changes its short name or kind. 409 for another
/// institution's name.
#[utoipa::path(put, path = "/api/v1/institutions/{id}", tag = "organisation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "institution id")), request_body = InstitutionChange,
    responses((status = 200, body = InstitutionView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::put("/institutions/<id>", data = "<body>")]
pub async fn change(
    id: i64,
    body: ApiJson<InstitutionChange>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<InstitutionView>> {
    let i = service::change_institution(db, &admin, id, &body.0, &ip).await?;
    Ok(Json(InstitutionView::from(&i)))
}

/// Renames a work unit, or moves it with its sub-units under another unit of the
/// institution (`parent_id`) or to the top (`top_level`). 409 for a parent that is the
/// unit itself or one of its sub-units, or a sibling of the same name there.
#[utoipa::path(put, path = "/api/v1/work-units/{id}", tag = "organisation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "work unit id")), request_body = UnitChange,
    responses((status = 200, body = WorkUnitView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::put("/work-units/<id>", data = "<body>")]
pub async fn change_work_unit(
    id: i64,
    body: ApiJson<UnitChange>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<WorkUnitView>> {
    let u = service::change_work_unit(db, &admin, id, &body.0, &ip).await?;
    Ok(Json(unit_view(u)))
}

/// Merges a work unit into another of the institution: its sub-units, ambassadors (with
/// their history), staff and brief audiences go to `into`, and the unit is gone. Answers
/// the unit merged into.
#[utoipa::path(post, path = "/api/v1/work-units/{id}/merge", tag = "organisation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "work unit id")), request_body = UnitMerge,
    responses((status = 200, body = WorkUnitView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/work-units/<id>/merge", data = "<body>")]
pub async fn merge_work_unit(
    id: i64,
    body: ApiJson<UnitMerge>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<WorkUnitView>> {
    let u = service::merge_work_unit(db, &admin, id, body.0.into, &ip).await?;
    Ok(Json(unit_view(u)))
}
