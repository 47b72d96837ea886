//! Queries and writes for institutions and work units. Reads filter by the caller's
//! scope in the query itself, so an institution or unit outside it is simply not found.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Select, Set,
};
use serde::Serialize;

use super::forms::{NewInstitution, NewWorkUnit};
use super::rules::{child_path, clean_org_name, flatten_tree, INSTITUTION_KINDS, SHORT_NAME};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Scope;
use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use entity::{institutions, work_units};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstitutionView {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

impl From<&institutions::Model> for InstitutionView {
    fn from(i: &institutions::Model) -> Self {
        InstitutionView {
            id: i.id,
            name: i.name.clone(),
            short_name: i.short_name.clone(),
            kind: i.kind.clone(),
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkUnitView {
    pub id: i64,
    pub institution_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// 0 for a top-level unit, 1 for its children, …
    pub depth: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitGroup {
    pub institution: InstitutionView,
    pub units: Vec<WorkUnitView>,
}

fn scoped_institutions(user: &CurrentUser) -> Select<institutions::Entity> {
    let q = institutions::Entity::find();
    match user.scope() {
        Scope::All => q,
        Scope::Institution { institution_id, .. } => {
            q.filter(institutions::Column::Id.eq(institution_id))
        }
    }
}

fn scoped_units(user: &CurrentUser, institution_id: i64) -> Select<work_units::Entity> {
    let q = work_units::Entity::find().filter(work_units::Column::InstitutionId.eq(institution_id));
    match user.scope() {
        Scope::All => q,
        Scope::Institution {
            institution_id: own,
            work_unit_path,
        } => {
            let q = q.filter(work_units::Column::InstitutionId.eq(own));
            match work_unit_path {
                Some(p) => q.filter(work_units::Column::Path.starts_with(p)),
                None => q,
            }
        }
    }
}

pub async fn list_institutions_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Vec<institutions::Model>> {
    Ok(scoped_institutions(user)
        .order_by_asc(institutions::Column::Name)
        .all(db)
        .await?)
}

pub async fn get_institution_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<institutions::Model> {
    scoped_institutions(user)
        .filter(institutions::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create_institution(
    db: &DatabaseConnection,
    admin: Option<&CurrentUser>,
    input: &NewInstitution,
    ip: Option<&ClientIp>,
) -> AppResult<institutions::Model> {
    let mut errors = FieldErrors::new();
    let name = clean_org_name(&input.name);
    if name.is_none() {
        errors.add("name", Msg::new("org.name_invalid"));
    }
    let short_name = match input.short_name.as_deref().map(|s| SHORT_NAME.clean(s)) {
        None => None,
        Some(Some(s)) => Some(s).filter(|s| !s.is_empty()),
        Some(None) => {
            errors.add("short_name", Msg::new("org.short_name_invalid"));
            None
        }
    };
    if !INSTITUTION_KINDS.contains(&input.kind.as_str()) {
        errors.add("kind", Msg::new("org.kind_invalid"));
    }
    errors.into_result()?;
    let Some(name) = name else {
        return Err(AppError::internal("unreachable"));
    };
    let conflict = || AppError::Conflict(FieldErrors::single("name", Msg::new("org.name_taken")));
    let existing = institutions::Entity::find()
        .filter(institutions::Column::Name.eq(name.as_str()))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(conflict());
    }
    let txn = begin_write(db).await?;
    let inserted = institutions::ActiveModel {
        name: Set(name),
        short_name: Set(short_name),
        kind: Set(input.kind.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let institution = match inserted {
        Ok(i) => i,
        Err(e) if is_unique_violation(&e) => return Err(conflict()),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        audit::Entry {
            actor: admin,
            action: "institution.created",
            target_type: "institution",
            target_id: Some(institution.id),
            institution_id: Some(institution.id),
            detail: serde_json::json!({ "name": institution.name, "kind": institution.kind }),
            ip,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(institution)
}

/// Units in tree order with their depths.
fn tree_views(units: &[work_units::Model]) -> Vec<WorkUnitView> {
    flatten_tree(units, |u| (u.id, u.parent_id, u.name.clone()))
        .into_iter()
        .map(|row| WorkUnitView {
            id: row.item.id,
            institution_id: row.item.institution_id,
            parent_id: row.item.parent_id,
            name: row.item.name,
            depth: row.depth,
        })
        .collect()
}

/// Each institution with its own units: two queries' results, grouped in memory.
pub(crate) fn group_units(
    institutions: &[institutions::Model],
    units: &[work_units::Model],
) -> Vec<UnitGroup> {
    institutions
        .iter()
        .map(|i| {
            let own: Vec<work_units::Model> = units
                .iter()
                .filter(|u| u.institution_id == i.id)
                .cloned()
                .collect();
            UnitGroup {
                institution: InstitutionView::from(i),
                units: tree_views(&own),
            }
        })
        .collect()
}

/// The institution's work units that the caller may see, in tree order.
pub async fn list_work_units_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    institution_id: i64,
) -> AppResult<Vec<WorkUnitView>> {
    get_institution_for(db, user, institution_id).await?;
    let units = scoped_units(user, institution_id).all(db).await?;
    Ok(tree_views(&units))
}

/// Every institution the caller may see with its units, for the pickers of forms
/// (two queries, however many institutions there are).
pub async fn list_units_grouped(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Vec<UnitGroup>> {
    let institutions = list_institutions_for(db, user).await?;
    let units = match user.scope() {
        Scope::All => work_units::Entity::find().all(db).await?,
        Scope::Institution { institution_id, .. } => {
            scoped_units(user, institution_id).all(db).await?
        }
    };
    Ok(group_units(&institutions, &units))
}

/// Every institution with its units, for the public sign-up form.
pub async fn list_all_units_grouped(db: &DatabaseConnection) -> AppResult<Vec<UnitGroup>> {
    let institutions = institutions::Entity::find()
        .order_by_asc(institutions::Column::Name)
        .all(db)
        .await?;
    let units = work_units::Entity::find().all(db).await?;
    Ok(group_units(&institutions, &units))
}

pub async fn create_work_unit(
    db: &DatabaseConnection,
    admin: Option<&CurrentUser>,
    institution_id: i64,
    input: &NewWorkUnit,
    ip: Option<&ClientIp>,
) -> AppResult<work_units::Model> {
    let institution = match admin {
        Some(a) => get_institution_for(db, a, institution_id).await?,
        None => institutions::Entity::find_by_id(institution_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    let mut errors = FieldErrors::new();
    let name = clean_org_name(&input.name);
    if name.is_none() {
        errors.add("name", Msg::new("org.name_invalid"));
    }
    let parent = match input.parent_id {
        Some(pid) => {
            let p = work_units::Entity::find_by_id(pid)
                .filter(work_units::Column::InstitutionId.eq(institution.id))
                .one(db)
                .await?;
            if p.is_none() {
                errors.add("parent_id", Msg::conflict("org.parent_unknown"));
            }
            p
        }
        None => None,
    };
    errors.into_result()?;
    let Some(name) = name else {
        return Err(AppError::internal("unreachable"));
    };
    let conflict =
        || AppError::Conflict(FieldErrors::single("name", Msg::new("org.unit_name_taken")));
    let parent_cond = match &parent {
        Some(p) => Condition::all().add(work_units::Column::ParentId.eq(p.id)),
        None => Condition::all().add(work_units::Column::ParentId.is_null()),
    };
    let txn = begin_write(db).await?;
    // Checked inside the write transaction: top-level names have no unique index to lean on.
    let sibling = work_units::Entity::find()
        .filter(work_units::Column::InstitutionId.eq(institution.id))
        .filter(parent_cond)
        .filter(work_units::Column::Name.eq(name.as_str()))
        .one(&txn)
        .await?;
    if sibling.is_some() {
        return Err(conflict());
    }
    let inserted = work_units::ActiveModel {
        institution_id: Set(institution.id),
        parent_id: Set(parent.as_ref().map(|p| p.id)),
        name: Set(name),
        path: Set(String::from("/")),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let unit = match inserted {
        Ok(u) => u,
        Err(e) if is_unique_violation(&e) => return Err(conflict()),
        Err(e) => return Err(e.into()),
    };
    let mut active: work_units::ActiveModel = unit.clone().into();
    active.path = Set(child_path(
        parent.as_ref().map(|p| p.path.as_str()),
        unit.id,
    ));
    let unit = active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: admin,
            action: "work_unit.created",
            target_type: "work_unit",
            target_id: Some(unit.id),
            institution_id: Some(institution.id),
            detail: serde_json::json!({ "name": unit.name, "parent_id": unit.parent_id }),
            ip,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(unit)
}

/// The names of work units, in the order of `ids`, for showing a brief's audience.
pub async fn unit_names(db: &DatabaseConnection, ids: &[i64]) -> AppResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let units = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| units.iter().find(|u| u.id == *id).map(|u| u.name.clone()))
        .collect())
}
/// The ids of the work units under a materialised path (the unit and its subtree).
pub fn subtree_units(path: &str) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(work_units::Column::Id)
        .from(work_units::Entity)
        .and_where(work_units::Column::Path.starts_with(path))
        .to_owned()
}
