//! Queries and writes for staff accounts. Every change is one write transaction with its
//! audit row; role and scope changes rotate the security stamp, so old tokens stop working.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::forms::{NewUser, UserUpdate};
use super::rules::{clean_name, is_valid_email, new_stamp, normalize_email};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::passwords::{check_new_password, Hasher};
use crate::auth::roles::Role;
use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::web::i18n::Lang;
use entity::{institutions, users, work_units};

pub use crate::auth::view::UserView;

/// A row of the admin's user list, with the institution's name.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    #[serde(flatten)]
    pub user: UserView,
    pub institution_name: Option<String>,
    pub work_unit_name: Option<String>,
}

/// Checks role, institution and work unit together; returns the parsed role.
async fn check_scope(
    db: &impl ConnectionTrait,
    role: &str,
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    errors: &mut FieldErrors,
) -> AppResult<Option<Role>> {
    let Some(role) = Role::parse(role).filter(|r| r.is_staff()) else {
        errors.add("role", Msg::new("users.role_invalid"));
        return Ok(None);
    };
    match (role.needs_institution(), institution_id) {
        (true, None) => errors.add("institution_id", Msg::new("users.institution_required")),
        (false, Some(_)) => errors.add("institution_id", Msg::new("users.institution_not_allowed")),
        (true, Some(id)) => {
            if institutions::Entity::find_by_id(id)
                .one(db)
                .await?
                .is_none()
            {
                errors.add("institution_id", Msg::conflict("users.institution_unknown"));
            }
        }
        (false, None) => {}
    }
    if let Some(wu) = work_unit_id {
        let unit = work_units::Entity::find_by_id(wu).one(db).await?;
        if !matches!((unit, institution_id), (Some(u), Some(i)) if u.institution_id == i) {
            errors.add("work_unit_id", Msg::conflict("users.work_unit_unknown"));
        }
    }
    Ok(Some(role))
}

async fn email_taken(db: &impl ConnectionTrait, email: &str) -> AppResult<bool> {
    Ok(users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await?
        .is_some())
}

/// Creates a staff account with the password in `input` (the admin command, the demo, an
/// API client that sends one); 422 for bad fields, 409 for a used email.
pub async fn create_user(
    db: &DatabaseConnection,
    hasher: &Hasher,
    admin: Option<&CurrentUser>,
    input: &NewUser,
    ip: Option<&ClientIp>,
) -> AppResult<users::Model> {
    Ok(create(db, hasher, admin, input, ip, None).await?.0)
}

/// Creates a staff account without a password and its invitation (see
/// [`crate::auth::invite`]), which the caller passes on after this returns.
pub async fn invite_user(
    db: &DatabaseConnection,
    hasher: &Hasher,
    cfg: &crate::config::AppConfig,
    admin: &CurrentUser,
    input: &NewUser,
    ip: &ClientIp,
) -> AppResult<(users::Model, crate::auth::tokens::Issued)> {
    let (user, issued) = create(db, hasher, Some(admin), input, Some(ip), Some(cfg)).await?;
    let issued = issued.ok_or_else(|| AppError::internal("no invitation made"))?;
    Ok((user, issued))
}

/// Creates a staff account: with `input.password` when `invitation` is none (required),
/// else with an invitation valid as `invitation` says (a password in `input` is refused).
async fn create(
    db: &DatabaseConnection,
    hasher: &Hasher,
    admin: Option<&CurrentUser>,
    input: &NewUser,
    ip: Option<&ClientIp>,
    invitation: Option<&crate::config::AppConfig>,
) -> AppResult<(users::Model, Option<crate::auth::tokens::Issued>)> {
    let email = normalize_email(&input.email);
    let mut errors = FieldErrors::new();
    if !is_valid_email(&input.email) {
        errors.add("email", Msg::new("users.email_invalid"));
    }
    let name = clean_name(&input.name);
    if name.is_none() {
        errors.add("name", Msg::new("users.name_invalid"));
    }
    let role = check_scope(
        db,
        &input.role,
        input.institution_id,
        input.work_unit_id,
        &mut errors,
    )
    .await?;
    let password = match (invitation, &input.password) {
        (None, Some(p)) => Some(p.as_str()),
        (None, None) => Some(""),
        (Some(_), _) => None,
    };
    if let Some(p) = password {
        errors.0.extend(check_new_password("password", p, &email).0);
    }
    errors.into_result()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(AppError::internal("unreachable"));
    };
    if email_taken(db, &email).await? {
        return Err(AppError::Conflict(FieldErrors::single(
            "email",
            Msg::new("users.email_taken"),
        )));
    }
    // An invited account's password is the hash of a random secret nobody keeps.
    let secret = format!("invited-{}-{}", new_stamp(), new_stamp());
    let hash = hasher.hash(password.unwrap_or(&secret)).await?;
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let inserted = users::ActiveModel {
        email: Set(email),
        name: Set(name),
        password_hash: Set(hash),
        invitation_pending_since: Set(invitation.is_some().then_some(now)),
        role: Set(role.as_str().to_string()),
        institution_id: Set(input.institution_id),
        work_unit_id: Set(input.work_unit_id),
        language: Set(None),
        security_stamp: Set(new_stamp()),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let user = match inserted {
        Ok(u) => u,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(FieldErrors::single(
                "email",
                Msg::new("users.email_taken"),
            )))
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        audit::Entry {
            actor: admin,
            action: "user.created",
            target_type: "user",
            target_id: Some(user.id),
            institution_id: user.institution_id,
            detail: serde_json::json!({
                "role": user.role,
                "work_unit_id": user.work_unit_id,
                "invited": invitation.is_some(),
            }),
            ip,
        },
    )
    .await?;
    let issued = match invitation {
        Some(cfg) => {
            Some(crate::auth::invite::issue(&txn, cfg, user.id, admin.map(|a| a.id())).await?)
        }
        None => None,
    };
    txn.commit().await?;
    Ok((user, issued))
}

/// What the admin's list of users is filtered by: part of a name or email, a role, and
/// active or inactive (each empty for all).
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub q: String,
    pub role: String,
    pub status: String,
}

/// The search text of the user list.
pub const SEARCH_TEXT: crate::text::Text = crate::text::Text::line(0, 120);
/// The statuses the user list filters by.
/// `invited`: active accounts whose invitation is not accepted yet.
pub const USER_STATUSES: [&str; 3] = ["active", "inactive", "invited"];
/// Rows per page of the admin's list, and the most an API client may ask for.
pub const USERS_PAGE: u64 = 50;
pub const USERS_MAX_LIMIT: u64 = 500;

/// One page of users matching the filters, by name, and how many match in all. Every
/// filter is checked (422 at its field); there is no cap but the page.
pub async fn list_users(
    db: &DatabaseConnection,
    _admin: &CurrentUser,
    query: &UserQuery,
    limit: u64,
    offset: u64,
) -> AppResult<(Vec<UserRow>, u64)> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    use sea_orm::{Condition, PaginatorTrait, QuerySelect};
    let mut errors = FieldErrors::new();
    let text = SEARCH_TEXT.clean(&query.q);
    if text.is_none() {
        errors.add("q", Msg::new("audit.text_invalid"));
    }
    let role = query.role.as_str();
    if !role.is_empty() && Role::parse(role).is_none() {
        errors.add("role", Msg::new("users.role_filter_invalid"));
    }
    let status = query.status.as_str();
    if !status.is_empty() && !USER_STATUSES.contains(&status) {
        errors.add("status", Msg::new("users.status_invalid"));
    }
    if !(1..=USERS_MAX_LIMIT).contains(&limit) {
        errors.add("limit", Msg::new("audit.limit_invalid"));
    }
    if offset > crate::audit::service::MAX_OFFSET {
        errors.add("offset", Msg::new("audit.offset_invalid"));
    }
    errors.into_result()?;
    let mut select = users::Entity::find();
    if let Some(q) = text
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        let pattern = format!("%{q}%");
        select = select.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(users::Column::Email))).like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(users::Column::Name))).like(pattern)),
        );
    }
    if !role.is_empty() {
        select = select.filter(users::Column::Role.eq(role));
    }
    match status {
        "" => {}
        "invited" => {
            select = select
                .filter(users::Column::IsActive.eq(true))
                .filter(users::Column::InvitationPendingSince.is_not_null());
        }
        _ => select = select.filter(users::Column::IsActive.eq(status == "active")),
    }
    let total = select.clone().count(db).await?;
    let users = select
        .order_by_asc(users::Column::Name)
        .order_by_asc(users::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    let institution_ids: Vec<i64> = users.iter().filter_map(|u| u.institution_id).collect();
    let unit_ids: Vec<i64> = users.iter().filter_map(|u| u.work_unit_id).collect();
    let institutions: HashMap<i64, String> = institutions::Entity::find()
        .filter(institutions::Column::Id.is_in(institution_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect();
    let units: HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let rows = users
        .iter()
        .map(|u| UserRow {
            user: UserView::from(u),
            institution_name: u.institution_id.and_then(|i| institutions.get(&i).cloned()),
            work_unit_name: u.work_unit_id.and_then(|w| units.get(&w).cloned()),
        })
        .collect();
    Ok((rows, total))
}

pub async fn get_user(
    db: &DatabaseConnection,
    _admin: &CurrentUser,
    id: i64,
) -> AppResult<users::Model> {
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes name, role or scope. A role or scope change rotates the stamp; an admin
/// cannot change their own role (they would lock themselves out).
pub async fn update_user(
    db: &DatabaseConnection,
    admin: &CurrentUser,
    id: i64,
    input: &UserUpdate,
    ip: &ClientIp,
) -> AppResult<users::Model> {
    let user = get_user(db, admin, id).await?;
    if input.role.is_none() && !Role::parse(&user.role).is_some_and(Role::is_staff) {
        // An ambassador's account is changed through the programme, not as staff.
        return Err(AppError::Validation(FieldErrors::single(
            "role",
            Msg::conflict("users.not_staff"),
        )));
    }
    let mut errors = FieldErrors::new();
    let name = match &input.name {
        Some(n) => clean_name(n).or_else(|| {
            errors.add("name", Msg::new("users.name_invalid"));
            None
        }),
        None => Some(user.name.clone()),
    };
    let role = input.role.clone().unwrap_or_else(|| user.role.clone());
    let role_parsed = Role::parse(&role);
    let institution_id = match (
        input.institution_id,
        role_parsed.map(|r| r.needs_institution()),
    ) {
        (Some(i), _) => Some(i),
        (None, Some(false)) => None,
        (None, _) => user.institution_id,
    };
    let work_unit_id = if input.clear_work_unit || institution_id.is_none() {
        None
    } else {
        input
            .work_unit_id
            .or(if institution_id == user.institution_id {
                user.work_unit_id
            } else {
                None
            })
    };
    if admin.id() == user.id && role != user.role {
        errors.add("role", Msg::conflict("users.own_role"));
    }

    let role = check_scope(db, &role, institution_id, work_unit_id, &mut errors).await?;
    // What the body says alone is checked by the document (a national or admin role
    // with an institution); a scope that clashes with the account as it is, is a
    // conflict with the programme's state.
    let body_says_unscoped = input
        .role
        .as_deref()
        .and_then(Role::parse)
        .is_some_and(|r| !r.needs_institution());
    if body_says_unscoped && input.work_unit_id.is_some() {
        errors.add("work_unit_id", Msg::new("users.institution_not_allowed"));
    }
    if !(body_says_unscoped && (input.institution_id.is_some() || input.work_unit_id.is_some())) {
        for field in ["institution_id", "work_unit_id"] {
            for m in errors.0.get_mut(field).into_iter().flatten() {
                m.conflict = true;
            }
        }
    }
    errors.into_result()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(AppError::internal("unreachable"));
    };
    let scope_changed = role.as_str() != user.role
        || institution_id != user.institution_id
        || work_unit_id != user.work_unit_id;
    let txn = begin_write(db).await?;
    let mut active: users::ActiveModel = user.clone().into();
    active.name = Set(name);
    active.role = Set(role.as_str().to_string());
    active.institution_id = Set(institution_id);
    active.work_unit_id = Set(work_unit_id);
    active.updated_at = Set(Utc::now());
    if scope_changed {
        active.security_stamp = Set(new_stamp());
    }
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin),
            action: if scope_changed { "user.role_changed" } else { "user.updated" },
            target_type: "user",
            target_id: Some(updated.id),
            institution_id: updated.institution_id.or(user.institution_id),
            detail: serde_json::json!({
                "from": { "role": user.role, "institution_id": user.institution_id, "work_unit_id": user.work_unit_id },
                "to": { "role": updated.role, "institution_id": updated.institution_id, "work_unit_id": updated.work_unit_id },
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deactivates an account: it can no longer sign in and its tokens stop working.
pub async fn deactivate_user(
    db: &DatabaseConnection,
    admin: &CurrentUser,
    id: i64,
    ip: &ClientIp,
) -> AppResult<users::Model> {
    let user = get_user(db, admin, id).await?;
    if user.id == admin.id() {
        return Err(AppError::Validation(FieldErrors::single(
            "id",
            Msg::conflict("users.own_deactivate"),
        )));
    }
    let txn = begin_write(db).await?;
    let mut active: users::ActiveModel = user.clone().into();
    active.is_active = Set(false);
    active.security_stamp = Set(new_stamp());
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin),
            action: "user.deactivated",
            target_type: "user",
            target_id: Some(updated.id),
            institution_id: updated.institution_id,
            detail: serde_json::json!({ "was_active": user.is_active }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Lets a deactivated account sign in again (with its password as it was). Not for an
/// account that is active (409), nor for an ambassador who withdrew or whose data was
/// erased (409): they left the programme themselves.
pub async fn reactivate_user(
    db: &DatabaseConnection,
    admin: &CurrentUser,
    id: i64,
    ip: &ClientIp,
) -> AppResult<users::Model> {
    let user = get_user(db, admin, id).await?;
    if user.is_active {
        return Err(AppError::Validation(FieldErrors::single(
            "id",
            Msg::conflict("users.already_active"),
        )));
    }
    let left = entity::ambassadors::Entity::find()
        .filter(entity::ambassadors::Column::UserId.eq(user.id))
        .one(db)
        .await?
        .is_some_and(|a| a.withdrawn_at.is_some() || a.erased_at.is_some());
    if left {
        return Err(AppError::Validation(FieldErrors::single(
            "id",
            Msg::conflict("users.left_programme"),
        )));
    }
    let txn = begin_write(db).await?;
    let mut active: users::ActiveModel = user.into();
    active.is_active = Set(true);
    active.security_stamp = Set(new_stamp());
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin),
            action: "user.reactivated",
            target_type: "user",
            target_id: Some(updated.id),
            institution_id: updated.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// How many active admins exist; zero on a fresh install, when `serve` says how to make one.
pub async fn count_active_admins(db: &DatabaseConnection) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(users::Entity::find()
        .filter(users::Column::Role.eq("admin"))
        .filter(users::Column::IsActive.eq(true))
        .count(db)
        .await?)
}

pub async fn set_language(
    db: &DatabaseConnection,
    user: &CurrentUser,
    lang: Lang,
) -> AppResult<()> {
    let mut active: users::ActiveModel = user.user.clone().into();
    active.language = Set(Some(lang.code().to_string()));
    active.update(db).await?;
    Ok(())
}
