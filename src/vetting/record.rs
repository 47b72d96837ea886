//! Corrections and transfers of an ambassador's record by their coordinators: a mistyped
//! name, email, NIP or employee type; a move to another work unit; and, for admins, a
//! transfer to another institution (mutasi), of which the receiving coordinators are told.
//!
//! Rules:
//! - Every field is optional; absent or `null` keeps what is stored. The NIP follows the
//!   sign-up rules for the (new) employee type and stays unique; the email stays unique.
//! - A coordinator moves people within their own scope (a coordinator of one unit, within
//!   its subtree); only admins move people to another institution, and then name a unit of
//!   it.
//! - History moves with the person: their verified posts and the weeks they were expected
//!   count, on the board and in the statistics, for the unit and institution they are in
//!   now (the board always shows people with their current unit; the statistics follow).
//! - One transaction with its audit row naming the fields changed (never the NIP digits).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;

use crate::ambassadors::rules::{self as arules, EmployeeType};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;
use entity::{ambassadors, notifications, users, work_units};

crate::text_schema!(
    nullable_name_schema,
    crate::accounts::rules::PERSON_NAME,
    nullable
);

fn nullable(
    builder: utoipa::openapi::schema::ObjectBuilder,
) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{SchemaType, Type};
    crate::text::as_schema(builder.schema_type(SchemaType::from_iter([Type::String, Type::Null])))
}

fn nullable_email_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    nullable(
        crate::text::pattern_schema(crate::text::email_pattern())
            .max_length(Some(crate::text::EMAIL_MAX)),
    )
}

fn nullable_nip_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    nullable(crate::text::pattern_schema(
        crate::ambassadors::forms::nip_pattern(),
    ))
}

fn nullable_employee_type_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    nullable(crate::text::pattern_schema(
        crate::ambassadors::forms::employee_type_pattern(),
    ))
}

/// A correction or move of an ambassador's record: every field optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordChange {
    #[schema(schema_with = nullable_name_schema)]
    pub name: Option<String>,
    /// The sign-in address too; must not be another account's.
    #[schema(schema_with = nullable_email_schema)]
    pub email: Option<String>,
    /// 18 digits (spaces and dots allowed), valid for the employee type.
    #[schema(schema_with = nullable_nip_schema)]
    pub nip: Option<String>,
    /// `pns` or `pppk`; the NIP is checked again with it.
    #[schema(schema_with = nullable_employee_type_schema)]
    pub employee_type: Option<String>,
    /// A unit of the ambassador's institution (of `institution_id` when that is given) in
    /// the caller's scope.
    #[schema(minimum = 1)]
    pub work_unit_id: Option<i64>,
    /// Admins only: another institution (mutasi); `work_unit_id` then names a unit of it.
    #[schema(minimum = 1)]
    pub institution_id: Option<i64>,
}

/// Corrects or moves the record of the ambassador `id` in the caller's scope (404 outside
/// it). 422 for a field that breaks its rule; 409 for an email or NIP another person has,
/// a unit outside the caller's scope or the institution, or a transfer by a coordinator.
/// Returns the names of the fields changed.
pub async fn change(
    db: &DatabaseConnection,
    key: &NipKey,
    actor: &CurrentUser,
    id: i64,
    input: &RecordChange,
    ip: &ClientIp,
) -> AppResult<Vec<&'static str>> {
    let amb = super::service::get_candidate_for(db, actor, id).await?;
    let user = users::Entity::find_by_id(amb.user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = crate::settings::service::programme_today(db).await?;
    let mut errors = FieldErrors::new();

    let name = match input.name.as_deref() {
        None => None,
        Some(n) => {
            let clean = crate::accounts::rules::clean_name(n);
            if clean.is_none() {
                errors.add("name", Msg::new("users.name_invalid"));
            }
            clean.filter(|c| *c != user.name)
        }
    };
    let email = match input.email.as_deref() {
        None => None,
        Some(e) => {
            if !crate::accounts::rules::is_valid_email(e) {
                errors.add("email", Msg::new("users.email_invalid"));
                None
            } else {
                Some(crate::accounts::rules::normalize_email(e)).filter(|e| *e != user.email)
            }
        }
    };
    let kind = match input.employee_type.as_deref() {
        None => EmployeeType::parse(&amb.employee_type),
        Some(t) => {
            let parsed = EmployeeType::parse(t);
            if parsed.is_none() {
                errors.add("employee_type", Msg::new("signup.employee_type_invalid"));
            }
            parsed
        }
    };
    // The NIP as it will be: the new one, or the stored one read again for a new type.
    let current_nip = crate::nip::nip_digits(key, &amb).unwrap_or_default();
    let nip_text = input.nip.clone().unwrap_or_else(|| current_nip.clone());
    let nip = match kind {
        Some(k) if input.nip.is_some() || input.employee_type.is_some() => {
            match arules::parse_nip(&nip_text, k, today) {
                Ok(_) => Some(arules::clean_nip(&nip_text)),
                Err(e) => {
                    errors.add("nip", Msg::new(e.key()));
                    None
                }
            }
        }
        _ => None,
    };
    let nip = nip.filter(|n| *n != current_nip);
    let kind_changed = kind
        .filter(|_| input.employee_type.is_some())
        .map(|k| k.as_str())
        .filter(|k| *k != amb.employee_type);

    // Where to: an institution (admins only) and a unit of it in the caller's scope.
    let institution_id = match input.institution_id {
        Some(i) if i != amb.institution_id => {
            if actor.role != Role::Admin {
                errors.add(
                    "institution_id",
                    Msg::conflict("record.transfer_admins_only"),
                );
            } else if input.work_unit_id.is_none() {
                errors.add("work_unit_id", Msg::new("record.unit_required"));
            }
            Some(i)
        }
        _ => None,
    };
    let target_institution = institution_id.unwrap_or(amb.institution_id);
    let unit = match input.work_unit_id {
        None => None,
        Some(u) => {
            let found = work_units::Entity::find_by_id(u)
                .one(db)
                .await?
                .filter(|w| w.institution_id == target_institution)
                .filter(|w| actor.scope().allows_work_unit(w.institution_id, &w.path));
            if found.is_none() {
                errors.add("work_unit_id", Msg::conflict("users.work_unit_unknown"));
            }
            found.filter(|w| w.id != amb.work_unit_id)
        }
    };
    errors.into_result()?;

    let mut changed = Vec::new();
    let now = Utc::now();
    let txn = begin_write(db).await?;
    crate::leaderboard::participation::lock(&txn, &[id]).await?;
    if name.is_some() || email.is_some() {
        let mut u: users::ActiveModel = user.clone().into();
        if let Some(n) = &name {
            changed.push("name");
            u.name = Set(n.clone());
        }
        if let Some(e) = &email {
            changed.push("email");
            u.email = Set(e.clone());
        }
        u.updated_at = Set(now);
        match u.update(&txn).await {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::Conflict(FieldErrors::single(
                    "email",
                    Msg::new("users.email_taken"),
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut a: ambassadors::ActiveModel = amb.clone().into();
    let mut record_changed = false;
    if let Some(n) = &nip {
        changed.push("nip");
        a.nip = Set(key.index(n));
        a.nip_sealed = Set(Some(key.seal(n)));
        a.nip_tail = Set(crate::nip::tail(n));
        record_changed = true;
    }
    if let Some(k) = kind_changed {
        changed.push("employee_type");
        a.employee_type = Set(k.to_string());
        record_changed = true;
    }
    if let Some(i) = institution_id {
        changed.push("institution_id");
        a.institution_id = Set(i);
        record_changed = true;
    }
    if let Some(w) = &unit {
        changed.push("work_unit_id");
        a.work_unit_id = Set(w.id);
        record_changed = true;
    }
    if record_changed {
        a.updated_at = Set(now);
        match a.update(&txn).await {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::Conflict(FieldErrors::single(
                    "nip",
                    Msg::new("signup.nip_taken"),
                )))
            }
            Err(e) => return Err(e.into()),
        }
        if institution_id.is_some() || unit.is_some() {
            // The account's scope follows the ambassador's.
            let mut u: users::ActiveModel = users::Entity::find_by_id(user.id)
                .one(&txn)
                .await?
                .ok_or(AppError::NotFound)?
                .into();
            u.institution_id = Set(Some(target_institution));
            u.work_unit_id = Set(unit.as_ref().map(|w| w.id).or(user.work_unit_id));
            u.updated_at = Set(now);
            u.update(&txn).await?;
        }
    }
    if changed.is_empty() {
        return Ok(changed);
    }
    crate::leaderboard::standings::refresh(&txn, &[id]).await?;
    if let Some(i) = institution_id {
        // The receiving institution's coordinators are told.
        let coordinators: Vec<i64> = users::Entity::find()
            .filter(users::Column::InstitutionId.eq(i))
            .filter(users::Column::Role.eq(Role::Coordinator.as_str()))
            .filter(users::Column::IsActive.eq(true))
            .all(&txn)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        if !coordinators.is_empty() {
            notifications::Entity::insert_many(coordinators.into_iter().map(|c| {
                notifications::ActiveModel {
                    user_id: Set(c),
                    kind: Set("ambassador_transferred_in".to_string()),
                    brief_id: Set(None),
                    created_at: Set(now),
                    read_at: Set(None),
                    ..Default::default()
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(actor),
            action: if institution_id.is_some() {
                "ambassador.transferred"
            } else {
                "ambassador.corrected"
            },
            target_type: "ambassador",
            target_id: Some(id),
            institution_id: Some(target_institution),
            detail: serde_json::json!({
                "fields": changed,
                "from_institution": amb.institution_id,
                "from_work_unit": amb.work_unit_id,
                "to_work_unit": unit.as_ref().map(|w| w.id),
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(changed)
}
