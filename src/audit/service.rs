//! Reading the audit log: filtered, in the reader's scope, newest first, and as CSV for a
//! breach report (UU PDP: notification within 3 × 24 hours).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::auth::guards::CurrentUser;
use crate::auth::roles::Scope;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use entity::{ambassadors, audit_log, users};

/// Rows per page.
pub const PAGE_SIZE: u64 = 50;
/// The most rows one CSV export holds (newest first).
pub const EXPORT_MAX: u64 = 100_000;

/// The filters as typed (query string or form).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditQuery {
    pub action: String,
    /// Part of the actor's email or name.
    pub actor: String,
    pub target_type: String,
    pub target_id: String,
    /// First and last day, `YYYY-MM-DD`, in the programme's time zone.
    pub from: String,
    pub to: String,
}

/// The checked filters.
struct Filters {
    action: Option<String>,
    actor: Option<String>,
    target_type: Option<String>,
    target_id: Option<i64>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

fn day_start(tz: chrono_tz::Tz, d: NaiveDate) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// For the page: a last day before the first is a mistake worth a message (the API
/// answers such a range with no rows, as any range that holds none).
pub fn check_range(q: &AuditQuery) -> AppResult<()> {
    if let (Ok(Some(f)), Ok(Some(t))) = (crate::text::date(&q.from), crate::text::date(&q.to)) {
        if f > t {
            return Err(AppError::Validation(FieldErrors::single(
                "to",
                Msg::new("audit.range_invalid"),
            )));
        }
    }
    Ok(())
}

/// The answer to a target id that is not a whole number above 0.
pub fn target_id_error() -> AppError {
    AppError::Validation(FieldErrors::single(
        "target_id",
        Msg::new("audit.target_id_invalid"),
    ))
}

/// The text filters (action, actor, target type).
pub const FILTER_TEXT: crate::text::Text = crate::text::Text::line(0, 120);

fn check(q: &AuditQuery, tz: chrono_tz::Tz) -> AppResult<Filters> {
    let mut errors = FieldErrors::new();
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let too_long = |s: &str| FILTER_TEXT.clean(s).is_none();
    for (field, value) in [
        ("action", &q.action),
        ("actor", &q.actor),
        ("target_type", &q.target_type),
    ] {
        if too_long(value) {
            errors.add(field, Msg::new("audit.text_invalid"));
        }
    }
    let target_id = match text(&q.target_id) {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.add("target_id", Msg::new("audit.target_id_invalid"));
                None
            }
        },
    };
    let mut date = |field: &str, value: &str| match crate::text::date(value) {
        Ok(d) => d,
        Err(crate::text::NotADate) => {
            errors.add(field, Msg::new("audit.date_invalid"));
            None
        }
    };
    let from = date("from", &q.from);
    let to = date("to", &q.to);
    errors.into_result()?;
    Ok(Filters {
        action: text(&q.action),
        actor: text(&q.actor).map(|s| s.to_lowercase()),
        target_type: text(&q.target_type),
        target_id,
        from: from.and_then(|d| day_start(tz, d)),
        to: to.and_then(|d| d.succ_opt()).and_then(|d| day_start(tz, d)),
    })
}

/// The rows a reader may see: everything for admins; for a coordinator, their
/// institution's rows, or, when they are limited to a work unit, the rows about
/// ambassadors in it and what they did themselves.
fn scope_condition(user: &CurrentUser) -> Condition {
    match user.scope() {
        Scope::All => Condition::all(),
        Scope::Institution {
            institution_id,
            work_unit_path: None,
        } => Condition::all().add(audit_log::Column::InstitutionId.eq(institution_id)),
        Scope::Institution {
            institution_id,
            work_unit_path: Some(path),
        } => {
            let in_units = Query::select()
                .column(ambassadors::Column::Id)
                .from(ambassadors::Entity)
                .and_where(ambassadors::Column::InstitutionId.eq(institution_id))
                .and_where(
                    ambassadors::Column::WorkUnitId
                        .in_subquery(crate::vetting::service::subtree_units(&path)),
                )
                .to_owned();
            Condition::any()
                .add(audit_log::Column::ActorId.eq(user.id()))
                .add(
                    Condition::all()
                        .add(audit_log::Column::TargetType.eq("ambassador"))
                        .add(audit_log::Column::TargetId.in_subquery(in_units)),
                )
        }
    }
}

fn condition(user: &CurrentUser, f: &Filters) -> Condition {
    let mut c = Condition::all().add(scope_condition(user));
    if let Some(a) = &f.action {
        c = c.add(audit_log::Column::Action.eq(a.as_str()));
    }
    if let Some(t) = &f.target_type {
        c = c.add(audit_log::Column::TargetType.eq(t.as_str()));
    }
    if let Some(id) = f.target_id {
        c = c.add(audit_log::Column::TargetId.eq(id));
    }
    if let Some(from) = f.from {
        c = c.add(audit_log::Column::At.gte(from));
    }
    if let Some(to) = f.to {
        c = c.add(audit_log::Column::At.lt(to));
    }
    if let Some(actor) = &f.actor {
        let who = Query::select()
            .column(users::Column::Id)
            .from(users::Entity)
            .cond_where(
                Condition::any()
                    .add(users::Column::Email.contains(actor.as_str()))
                    .add(users::Column::Name.contains(actor.as_str())),
            )
            .to_owned();
        c = c.add(audit_log::Column::ActorId.in_subquery(who));
    }
    c
}

/// One audit row as a reviewer reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// The actor's name and email; none for Duta itself (jobs) and sign-ups.
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub institution_id: Option<i64>,
    /// What changed (never passwords, tokens or whole NIPs).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub client_ip: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub total: u64,
    pub items: Vec<AuditRow>,
}

async fn with_actors(
    db: &DatabaseConnection,
    rows: Vec<audit_log::Model>,
) -> AppResult<Vec<AuditRow>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
    let actors: HashMap<i64, (String, String)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Name)
        .column(users::Column::Email)
        .filter(users::Column::Id.is_in(ids))
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, email)| (id, (name, email)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let actor = r.actor_id.and_then(|id| actors.get(&id));
            AuditRow {
                id: r.id,
                at: r.at,
                actor_id: r.actor_id,
                actor_name: actor.map(|a| a.0.clone()),
                actor_email: actor.map(|a| a.1.clone()),
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                institution_id: r.institution_id,
                detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
                client_ip: r.client_ip,
            }
        })
        .collect())
}

/// One page of the log in the reader's scope, newest first.
/// The most rows one page of the API gives.
pub const MAX_LIMIT: u64 = 500;
/// The furthest a page may start (the largest offset the databases take).
pub const MAX_OFFSET: u64 = i64::MAX as u64;

/// The API's page: `limit` 1 to [`MAX_LIMIT`], `offset` at most [`MAX_OFFSET`].
pub fn check_page(limit: u64, offset: u64) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.add("limit", Msg::new("audit.limit_invalid"));
    }
    if offset > MAX_OFFSET {
        errors.add("offset", Msg::new("audit.offset_invalid"));
    }
    errors.into_result()
}

pub async fn list(
    db: &DatabaseConnection,
    user: &CurrentUser,
    q: &AuditQuery,
    limit: u64,
    offset: u64,
) -> AppResult<AuditPage> {
    let tz = crate::settings::service::programme_timezone(db).await?;
    let f = check(q, tz)?;
    let select = audit_log::Entity::find().filter(condition(user, &f));
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok(AuditPage {
        total,
        items: with_actors(db, rows).await?,
    })
}

/// The actions recorded so far in the reader's scope, for the filter's choices.
pub async fn actions(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<Vec<String>> {
    Ok(audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Action)
        .distinct()
        .filter(scope_condition(user))
        .order_by_asc(audit_log::Column::Action)
        .into_tuple()
        .all(db)
        .await?)
}

/// The filtered log as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
/// it right), newest first, at most [`EXPORT_MAX`] rows.
pub async fn export_csv(
    db: &DatabaseConnection,
    user: &CurrentUser,
    q: &AuditQuery,
) -> AppResult<Vec<u8>> {
    let page = list(db, user, q, EXPORT_MAX, 0).await?;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = [
        "id",
        "at_utc",
        "actor_id",
        "actor_name",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "institution_id",
        "client_ip",
        "detail",
    ];
    out.write_record(header).map_err(AppError::internal)?;
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for r in page.items {
        out.write_record([
            r.id.to_string(),
            r.at.to_rfc3339(),
            opt(r.actor_id),
            crate::stats::export::defuse(r.actor_name.as_deref().unwrap_or("")),
            crate::stats::export::defuse(r.actor_email.as_deref().unwrap_or("")),
            r.action,
            r.target_type,
            opt(r.target_id),
            opt(r.institution_id),
            r.client_ip.unwrap_or_default(),
            crate::stats::export::defuse(&r.detail.to_string()),
        ])
        .map_err(AppError::internal)?;
    }
    out.into_inner().map_err(AppError::internal)
}
