//! The staff-accounts API (admins only).

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{NewUser, UserUpdate};
use super::service::{self, UserView};
use crate::auth::guards::Admin;
use crate::auth::invite;
use crate::auth::passwords::Hasher;
use crate::auth::reset::LinkToPassOn;
use crate::config::AppConfig;
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::origin::Origin;
use crate::notify::Mailer;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// One page of the users matching the filters.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub users: Vec<UserView>,
    /// How many users match in all.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// Every user (ambassadors too), by name: `q` matches part of a name or email (any case),
/// `role` and `status` narrow it; `total` says how many match, and `limit`/`offset` page
/// through them (no other cap).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(("q" = Option<String>, Query, description = "part of a name or email"),
           ("role" = Option<String>, Query, pattern = "^(ambassador|coordinator|leadership|national|admin)?$"),
           ("status" = Option<String>, Query, pattern = "^(active|inactive|invited)?$"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "default 50"),
           ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, body = UserPage), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/users?<q>&<role>&<status>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn index(
    q: Opt<String>,
    role: Opt<String>,
    status: Opt<String>,
    limit: Opt<u64>,
    offset: Opt<u64>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<UserPage>> {
    let query = service::UserQuery {
        q: q.0.unwrap_or_default(),
        role: role.0.unwrap_or_default(),
        status: status.0.unwrap_or_default(),
    };
    let (limit, offset) = (
        limit.0.unwrap_or(service::USERS_PAGE),
        offset.0.unwrap_or(0),
    );
    let (rows, total) = service::list_users(db, &admin, &query, limit, offset).await?;
    Ok(Json(UserPage {
        users: rows.into_iter().map(|r| r.user).collect(),
        total,
        limit,
        offset,
    }))
}

/// A new account, and its invitation when it was made without a password.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserView,
    /// The link with which the person sets their password (valid `invitation_days`, once),
    /// to pass on; also emailed when Duta sends email. `null` when a password was given.
    pub invitation: Option<LinkToPassOn>,
}

/// Creates a coordinator, leadership, national or admin account. Without a `password` the
/// account gets an invitation (answered here, and emailed when Duta sends email).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = CreatedUser), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/users", data = "<body>")]
#[allow(clippy::too_many_arguments)]
pub async fn create(
    body: ApiJson<NewUser>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<Mailer>,
    hasher: &Shared<Hasher>,
    origin: Origin,
    ip: ClientIp,
) -> AppResult<(Status, Json<CreatedUser>)> {
    let input = body.0;
    let created = if input.password.is_some() {
        let user = service::create_user(db, hasher, Some(&admin), &input, Some(&ip)).await?;
        CreatedUser {
            user: UserView::from(&user),
            invitation: None,
        }
    } else {
        let (user, issued) = service::invite_user(db, hasher, cfg, &admin, &input, &ip).await?;
        let link = invite::pass_on(
            mailer,
            cfg,
            &user,
            None,
            &issued,
            &origin.0,
            Some(&admin.user.name),
        );
        CreatedUser {
            user: UserView::from(&user),
            invitation: Some(link),
        }
    };
    Ok((Status::Created, Json(created)))
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
