//! The staff-accounts API (admins only).

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{NewUser, UserUpdate};
use super::service::{self, UserView};
use crate::auth::guards::Admin;
use crate::auth::passwords::Hasher;
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [UserView]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/users")]
pub async fn index(
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<UserView>>> {
    Ok(Json(
        service::list_users(db, &admin)
            .await?
            .into_iter()
            .map(|r| r.user)
            .collect(),
    ))
}

/// Creates a coordinator, leadership, national or admin account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = UserView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/users", data = "<body>")]
pub async fn create(
    body: ApiJson<NewUser>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<(Status, Json<UserView>)> {
    let user = service::create_user(db, hasher, Some(&admin), &body.0, Some(&ip)).await?;
    Ok((Status::Created, Json(UserView::from(&user))))
}

/// Changes name, role or scope; a role or scope change ends the user's sessions.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), request_body = UserUpdate,
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/users/<id>", data = "<body>")]
pub async fn update(
    id: i64,
    body: ApiJson<UserUpdate>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<UserView>> {
    let user = service::update_user(db, &admin, id, &body.0, &ip).await?;
    Ok(Json(UserView::from(&user)))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/users/<id>/deactivate")]
pub async fn deactivate(
    id: i64,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<UserView>> {
    let user = service::deactivate_user(db, &admin, id, &ip).await?;
    Ok(Json(UserView::from(&user)))
}

/// Lets a deactivated account sign in again. 409 for an active account, or an ambassador
/// who withdrew or whose data was erased.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::post("/users/<id>/reactivate")]
pub async fn reactivate(
    id: i64,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<UserView>> {
    let user = service::reactivate_user(db, &admin, id, &ip).await?;
    Ok(Json(UserView::from(&user)))
}
