//! Queries and writes for institutions and work units. Reads filter by the caller's
//! scope in the query itself, so an institution or unit outside it is simply not found.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
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
    /// The province (a slug); none for the central government.
    pub region: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&institutions::Model> for InstitutionView {
    fn from(i: &institutions::Model) -> Self {
        InstitutionView {
            id: i.id,
            name: i.name.clone(),
            short_name: i.short_name.clone(),
            kind: i.kind.clone(),
            region: i.region.clone(),
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
    let region = super::rules::parse_region(input.region.as_deref().unwrap_or_default())
        .unwrap_or_else(|| {
            errors.add("region", Msg::new("org.region_invalid"));
            None
        });
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
        region: Set(region),
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

/// The names of many units by id: each unit once, a thousand per statement (a national
/// list may name every unit, and SQLite takes at most 32,766 values in one statement).
pub async fn unit_name_map(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<std::collections::HashMap<i64, String>> {
    let ids: std::collections::BTreeSet<i64> = ids.into_iter().collect();
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(1_000) {
        for u in work_units::Entity::find()
            .filter(work_units::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            names.insert(u.id, u.name);
        }
    }
    Ok(names)
}

/// The ids of the work units under a materialised path (the unit and its subtree).
pub fn subtree_units(path: &str) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(work_units::Column::Id)
        .from(work_units::Entity)
        .and_where(work_units::Column::Path.starts_with(path))
        .to_owned()
}

fn unit_cycle() -> AppError {
    AppError::Validation(FieldErrors::single(
        "parent_id",
        Msg::conflict("org.unit_cycle"),
    ))
}

/// Renames an institution or changes its short name or kind (admins). 409 for a name
/// another institution has.
pub async fn change_institution(
    db: &DatabaseConnection,
    admin: &CurrentUser,
    id: i64,
    input: &super::forms::InstitutionChange,
    ip: &ClientIp,
) -> AppResult<institutions::Model> {
    let current = get_institution_for(db, admin, id).await?;
    let mut errors = FieldErrors::new();
    let name = match input.name.as_deref() {
        None => None,
        Some(n) => {
            let clean = clean_org_name(n);
            if clean.is_none() {
                errors.add("name", Msg::new("org.name_invalid"));
            }
            clean
        }
    };
    let short_name = match input.short_name.as_deref().map(|s| SHORT_NAME.clean(s)) {
        None => None,
        Some(Some(s)) => Some(Some(s).filter(|s| !s.is_empty())),
        Some(None) => {
            errors.add("short_name", Msg::new("org.short_name_invalid"));
            None
        }
    };
    if input
        .kind
        .as_deref()
        .is_some_and(|k| !INSTITUTION_KINDS.contains(&k))
    {
        errors.add("kind", Msg::new("org.kind_invalid"));
    }
    let region = match input.region.as_deref().map(super::rules::parse_region) {
        None => None,
        Some(Some(r)) => Some(r),
        Some(None) => {
            errors.add("region", Msg::new("org.region_invalid"));
            None
        }
    };
    errors.into_result()?;
    let conflict = || AppError::Conflict(FieldErrors::single("name", Msg::new("org.name_taken")));
    let txn = begin_write(db).await?;
    if let Some(n) = &name {
        let other = institutions::Entity::find()
            .filter(institutions::Column::Name.eq(n.as_str()))
            .filter(institutions::Column::Id.ne(id))
            .one(&txn)
            .await?;
        if other.is_some() {
            return Err(conflict());
        }
    }
    let mut active: institutions::ActiveModel = current.clone().into();
    if let Some(n) = name {
        active.name = Set(n);
    }
    if let Some(s) = short_name {
        active.short_name = Set(s);
    }
    if let Some(k) = &input.kind {
        active.kind = Set(k.clone());
    }
    if let Some(r) = region {
        active.region = Set(r);
    }
    let saved = match active.update(&txn).await {
        Ok(s) => s,
        Err(e) if is_unique_violation(&e) => return Err(conflict()),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin),
            action: "institution.changed",
            target_type: "institution",
            target_id: Some(id),
            institution_id: Some(id),
            detail: serde_json::json!({
                "from": { "name": current.name, "short_name": current.short_name, "kind": current.kind, "region": current.region },
                "to": { "name": saved.name, "short_name": saved.short_name, "kind": saved.kind, "region": saved.region },
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Gives `unit` (and its subtree) a new parent's path: every path under its old one moves.
async fn reroot(
    db: &impl ConnectionTrait,
    unit: &work_units::Model,
    parent: Option<&work_units::Model>,
) -> AppResult<()> {
    let new_path = child_path(parent.map(|p| p.path.as_str()), unit.id);
    let subtree = work_units::Entity::find()
        .filter(work_units::Column::Path.starts_with(unit.path.as_str()))
        .all(db)
        .await?;
    for u in subtree {
        let rest = u.path[unit.path.len()..].to_string();
        let mut active: work_units::ActiveModel = u.into();
        active.path = Set(format!("{new_path}{rest}"));
        active.update(db).await?;
    }
    Ok(())
}

/// Renames a work unit, or moves it with its subtree under another unit of the
/// institution or to the top level (admins). 409 for a parent that is the unit or one of
/// its sub-units, of another institution, or a sibling with the same name there.
pub async fn change_work_unit(
    db: &DatabaseConnection,
    admin: &CurrentUser,
    id: i64,
    input: &super::forms::UnitChange,
    ip: &ClientIp,
) -> AppResult<work_units::Model> {
    let unit = work_units::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    get_institution_for(db, admin, unit.institution_id).await?;
    let mut errors = FieldErrors::new();
    let name = match input.name.as_deref() {
        None => None,
        Some(n) => {
            let clean = clean_org_name(n);
            if clean.is_none() {
                errors.add("name", Msg::new("org.name_invalid"));
            }
            clean
        }
    };
    if input.top_level && input.parent_id.is_some() {
        errors.add("parent_id", Msg::new("org.parent_or_top"));
    }
    errors.into_result()?;
    let txn = begin_write(db).await?;
    // Read again inside the write: the tree as it is now.
    let unit = work_units::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    // Some(None): to the top level; Some(Some(p)): under p; None: where it is.
    let new_parent: Option<Option<work_units::Model>> = match (input.top_level, input.parent_id) {
        (true, _) => Some(None),
        (false, Some(pid)) => {
            let p = work_units::Entity::find_by_id(pid)
                .filter(work_units::Column::InstitutionId.eq(unit.institution_id))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    AppError::Validation(FieldErrors::single(
                        "parent_id",
                        Msg::conflict("org.parent_unknown"),
                    ))
                })?;
            if p.path.starts_with(&unit.path) {
                return Err(unit_cycle());
            }
            Some(Some(p))
        }
        (false, None) => None,
    };
    let parent_id = match &new_parent {
        Some(p) => p.as_ref().map(|p| p.id),
        None => unit.parent_id,
    };
    let final_name = name.clone().unwrap_or_else(|| unit.name.clone());
    let sibling = work_units::Entity::find()
        .filter(work_units::Column::InstitutionId.eq(unit.institution_id))
        .filter(match parent_id {
            Some(p) => Condition::all().add(work_units::Column::ParentId.eq(p)),
            None => Condition::all().add(work_units::Column::ParentId.is_null()),
        })
        .filter(work_units::Column::Name.eq(final_name.as_str()))
        .filter(work_units::Column::Id.ne(id))
        .one(&txn)
        .await?;
    let taken = || AppError::Conflict(FieldErrors::single("name", Msg::new("org.unit_name_taken")));
    if sibling.is_some() {
        return Err(taken());
    }
    if let Some(p) = &new_parent {
        reroot(&txn, &unit, p.as_ref()).await?;
    }
    let fresh = work_units::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: work_units::ActiveModel = fresh.into();
    active.name = Set(final_name);
    active.parent_id = Set(parent_id);
    let saved = match active.update(&txn).await {
        Ok(s) => s,
        Err(e) if is_unique_violation(&e) => return Err(taken()),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin),
            action: "work_unit.changed",
            target_type: "work_unit",
            target_id: Some(id),
            institution_id: Some(unit.institution_id),
            detail: serde_json::json!({
                "from": { "name": unit.name, "parent_id": unit.parent_id },
                "to": { "name": saved.name, "parent_id": saved.parent_id },
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Merges the unit `id` into `into` (same institution; admins): its sub-units move under
/// `into`, its ambassadors and staff join `into` (their history with them, as any move),
/// briefs addressed to it are addressed to `into`, and posts sent from it count for
/// `into` in the brief figures; then the unit is gone. 409 for `into` being the unit or
/// one of its sub-units, or of another institution.
pub async fn merge_work_unit(
    db: &DatabaseConnection,
    admin: &CurrentUser,
    id: i64,
    into: i64,
    ip: &ClientIp,
) -> AppResult<work_units::Model> {
    use entity::{ambassadors, brief_activity, brief_work_units, submissions, unit_weeks, users};
    use sea_orm::sea_query::Expr;
    let unit = work_units::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    get_institution_for(db, admin, unit.institution_id).await?;
    if into < 1 {
        return Err(AppError::Validation(FieldErrors::single(
            "into",
            Msg::new("org.merge_target_required"),
        )));
    }
    let txn = begin_write(db).await?;
    let target = work_units::Entity::find_by_id(into)
        .filter(work_units::Column::InstitutionId.eq(unit.institution_id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            AppError::Validation(FieldErrors::single(
                "into",
                Msg::conflict("org.parent_unknown"),
            ))
        })?;
    if target.path.starts_with(&unit.path) {
        return Err(AppError::Validation(FieldErrors::single(
            "into",
            Msg::conflict("org.unit_cycle"),
        )));
    }
    // The people first, locked in id order like every write to their figures.
    let people: Vec<i64> = ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::Id)
        .filter(ambassadors::Column::WorkUnitId.eq(id))
        .order_by_asc(ambassadors::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    crate::leaderboard::participation::lock(&txn, &people).await?;
    // Sub-units go under the target (a name the target already has below it is 409).
    let children = work_units::Entity::find()
        .filter(work_units::Column::ParentId.eq(id))
        .all(&txn)
        .await?;
    for child in children {
        let clash = work_units::Entity::find()
            .filter(work_units::Column::ParentId.eq(target.id))
            .filter(work_units::Column::Name.eq(child.name.as_str()))
            .one(&txn)
            .await?;
        if clash.is_some() {
            return Err(AppError::Conflict(FieldErrors::single(
                "into",
                Msg::new("org.merge_name_clash"),
            )));
        }
        reroot(&txn, &child, Some(&target)).await?;
        let mut c: work_units::ActiveModel = work_units::Entity::find_by_id(child.id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?
            .into();
        c.parent_id = Set(Some(target.id));
        c.update(&txn).await?;
    }
    ambassadors::Entity::update_many()
        .col_expr(ambassadors::Column::WorkUnitId, Expr::value(target.id))
        .filter(ambassadors::Column::WorkUnitId.eq(id))
        .exec(&txn)
        .await?;
    users::Entity::update_many()
        .col_expr(users::Column::WorkUnitId, Expr::value(target.id))
        .filter(users::Column::WorkUnitId.eq(id))
        .exec(&txn)
        .await?;
    // Brief audiences: the target once.
    let addressed: Vec<i64> = brief_work_units::Entity::find()
        .select_only()
        .column(brief_work_units::Column::BriefId)
        .filter(brief_work_units::Column::WorkUnitId.eq(id))
        .into_tuple()
        .all(&txn)
        .await?;
    for brief in addressed {
        brief_work_units::Entity::delete_many()
            .filter(brief_work_units::Column::BriefId.eq(brief))
            .filter(brief_work_units::Column::WorkUnitId.eq(id))
            .exec(&txn)
            .await?;
        brief_work_units::Entity::insert(brief_work_units::ActiveModel {
            brief_id: Set(brief),
            work_unit_id: Set(target.id),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                brief_work_units::Column::BriefId,
                brief_work_units::Column::WorkUnitId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    // Posts sent from the unit, and their per-brief figures, count for the target.
    submissions::Entity::update_many()
        .col_expr(submissions::Column::WorkUnitId, Expr::value(target.id))
        .filter(submissions::Column::WorkUnitId.eq(id))
        .exec(&txn)
        .await?;
    for row in brief_activity::Entity::find()
        .filter(brief_activity::Column::WorkUnitId.eq(id))
        .all(&txn)
        .await?
    {
        let existing =
            brief_activity::Entity::find_by_id((row.brief_id, target.id, row.platform.clone()))
                .one(&txn)
                .await?;
        match existing {
            Some(e) => {
                let mut a: brief_activity::ActiveModel = e.clone().into();
                a.submitted = Set(e.submitted + row.submitted);
                a.verified = Set(e.verified + row.verified);
                a.on_time = Set(e.on_time + row.on_time);
                a.interactions = Set(e.interactions + row.interactions);
                a.followers = Set(e.followers + row.followers);
                a.update(&txn).await?;
            }
            None => {
                brief_activity::Entity::insert(brief_activity::ActiveModel {
                    brief_id: Set(row.brief_id),
                    work_unit_id: Set(target.id),
                    platform: Set(row.platform.clone()),
                    submitted: Set(row.submitted),
                    verified: Set(row.verified),
                    on_time: Set(row.on_time),
                    interactions: Set(row.interactions),
                    followers: Set(row.followers),
                })
                .exec_without_returning(&txn)
                .await?;
            }
        }
    }
    brief_activity::Entity::delete_many()
        .filter(brief_activity::Column::WorkUnitId.eq(id))
        .exec(&txn)
        .await?;
    // The people's shares and standings follow them; the unit's rows are then empty.
    crate::leaderboard::standings::refresh(&txn, &people).await?;
    unit_weeks::Entity::delete_many()
        .filter(unit_weeks::Column::WorkUnitId.eq(id))
        .exec(&txn)
        .await?;
    work_units::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin),
            action: "work_unit.merged",
            target_type: "work_unit",
            target_id: Some(id),
            institution_id: Some(unit.institution_id),
            detail: serde_json::json!({
                "name": unit.name,
                "into": target.id,
                "into_name": target.name,
                "ambassadors": people.len(),
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(target)
}
