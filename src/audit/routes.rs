//! The audit-log page for admins and coordinators (their scope), and its CSV export.

use std::collections::BTreeMap;

use rocket::http::{ContentType, Status};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::service::{self, AuditQuery, AuditRow, PAGE_SIZE};
use crate::auth::guards::Coordinator;
use crate::error::AppResult;
use crate::state::Shared;
use crate::stats::routes::Download;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct ShownRow {
    #[serde(flatten)]
    row: AuditRow,
    /// The time in the programme's time zone.
    at_local: String,
    /// The detail as compact JSON text ("" when empty).
    detail_text: String,
}

#[derive(Serialize)]
pub struct AuditPageContext {
    layout: Layout,
    query: AuditQuery,
    /// The filters as a query string, for the pager and the export link.
    query_string: String,
    actions: Vec<String>,
    rows: Vec<ShownRow>,
    total: u64,
    page: u64,
    pages: u64,
    errors: BTreeMap<String, Vec<String>>,
}

fn query_of(
    action: Option<&str>,
    actor: Option<&str>,
    target_type: Option<&str>,
    target_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> AuditQuery {
    // People paste spaces around what they type; the API takes values as sent.
    let s = |v: Option<&str>| v.unwrap_or("").trim().to_string();
    AuditQuery {
        action: s(action),
        actor: s(actor),
        target_type: s(target_type),
        target_id: s(target_id),
        from: s(from),
        to: s(to),
    }
}

fn query_string(q: &AuditQuery) -> String {
    [
        ("action", &q.action),
        ("actor", &q.actor),
        ("target_type", &q.target_type),
        ("target_id", &q.target_id),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| {
        format!(
            "{k}={}",
            url::form_urlencoded::byte_serialize(v.trim().as_bytes()).collect::<String>()
        )
    })
    .collect::<Vec<_>>()
    .join("&")
}

#[rocket::get("/audit?<action>&<actor>&<target_type>&<target_id>&<from>&<to>&<page>")]
#[allow(clippy::too_many_arguments)]
pub async fn index(
    action: Option<&str>,
    actor: Option<&str>,
    target_type: Option<&str>,
    target_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    page: Option<u64>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    let query = query_of(action, actor, target_type, target_id, from, to);
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let tz = crate::settings::service::programme_timezone(db).await?;
    let listed = match service::check_range(&query) {
        Ok(()) => service::list(db, &user, &query, PAGE_SIZE, (page - 1) * PAGE_SIZE).await,
        Err(e) => Err(e),
    };
    let (status, result, errors) = match listed {
        Ok(r) => (Status::Ok, Some(r), BTreeMap::new()),
        Err(e) => {
            let (s, errors) = e.form_errors(layout.lang)?;
            (s, None, errors)
        }
    };
    let (total, rows) = match result {
        Some(r) => (r.total, r.items),
        None => (0, Vec::new()),
    };
    let rows = rows
        .into_iter()
        .map(|row| ShownRow {
            at_local: format!(
                "{} {}",
                row.at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S"),
                crate::web::time::zone_label(&tz, row.at)
            ),
            detail_text: match &row.detail {
                serde_json::Value::Object(m) if m.is_empty() => String::new(),
                serde_json::Value::Null => String::new(),
                d => d.to_string(),
            },
            row,
        })
        .collect();
    Ok((
        status,
        Template::render(
            "audit/index",
            AuditPageContext {
                layout,
                query_string: query_string(&query),
                query,
                actions: service::actions(db, &user).await?,
                rows,
                total,
                page,
                pages: total.div_ceil(PAGE_SIZE).max(1),
                errors,
            },
        ),
    ))
}

/// The filtered log as CSV, for a breach report.
#[rocket::get("/audit/export.csv?<action>&<actor>&<target_type>&<target_id>&<from>&<to>")]
#[allow(clippy::too_many_arguments)]
pub async fn export(
    action: Option<&str>,
    actor: Option<&str>,
    target_type: Option<&str>,
    target_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Download> {
    let query = query_of(action, actor, target_type, target_id, from, to);
    let bytes = service::export_csv(db, &user, &query).await?;
    Ok(Download::new(
        bytes,
        ContentType::CSV,
        format!(
            "duta-audit-{}.csv",
            chrono::Utc::now().format("%Y%m%d-%H%M")
        ),
    ))
}
