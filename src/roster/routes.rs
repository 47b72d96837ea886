//! The roster page and its downloads.

use std::collections::BTreeMap;

use rocket::http::{ContentType, Status};
use rocket_dyn_templates::Template;
use sea_orm::{DatabaseConnection, QueryFilter};
use serde::Serialize;

use super::service::{self, RosterQuery, RosterRow};
use crate::auth::guards::Staff;
use crate::error::{AppError, AppResult};
use crate::nip::NipKey;
use crate::org::service::{list_units_grouped, UnitGroup};
use crate::state::Shared;
use crate::stats::export as sheets;
use crate::stats::routes::Download;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct RosterPageView {
    layout: Layout,
    people: Vec<RosterRow>,
    query: RosterQuery,
    /// The filters as typed (the unit and weeks as text).
    work_unit_text: String,
    weeks_text: String,
    groups: Vec<UnitGroup>,
    statuses: Vec<&'static str>,
    verdicts: Vec<&'static str>,
    sorts: Vec<&'static str>,
    errors: BTreeMap<String, Vec<String>>,
    sees_nip: bool,
    total: u64,
    from: u64,
    to: u64,
    prev: Option<String>,
    next: Option<String>,
    /// The query string of the filters, for the download links.
    filters: String,
}

/// The filters of the page's form as a query (what does not parse is kept as typed and
/// refused at its field).
#[allow(clippy::too_many_arguments)]
fn query_of(
    q: Option<String>,
    status: Option<String>,
    work_unit_id: &str,
    verdict: Option<String>,
    invitation: Option<String>,
    attention: Option<bool>,
    no_post_weeks: &str,
    sort: Option<String>,
) -> (RosterQuery, BTreeMap<String, Vec<String>>) {
    let mut bad = BTreeMap::new();
    let work_unit = match work_unit_id.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                bad.insert(
                    "work_unit_id".to_string(),
                    vec!["roster.unit_invalid".to_string()],
                );
                None
            }
        },
    };
    let weeks = match no_post_weeks.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                bad.insert(
                    "no_post_weeks".to_string(),
                    vec!["roster.weeks_invalid".to_string()],
                );
                None
            }
        },
    };
    (
        RosterQuery {
            q: q.unwrap_or_default().trim().to_string(),
            status: status.unwrap_or_default(),
            work_unit_id: work_unit,
            verdict: verdict.unwrap_or_default(),
            invitation: invitation.unwrap_or_default(),
            attention: attention.unwrap_or(false),
            no_post_weeks: weeks,
            sort: sort.unwrap_or_default(),
        },
        bad,
    )
}

fn filters_of(query: &RosterQuery, work_unit: &str, weeks: &str) -> String {
    let enc = crate::web::catchers::urlencode;
    format!(
        "q={}&status={}&work_unit_id={}&verdict={}&invitation={}&attention={}&no_post_weeks={}&sort={}",
        enc(&query.q),
        enc(&query.status),
        enc(work_unit),
        enc(&query.verdict),
        enc(&query.invitation),
        query.attention,
        enc(weeks),
        enc(&query.sort)
    )
}

/// `/roster`: the people in the caller's scope, 50 a page.
#[rocket::get(
    "/roster?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>&<page>"
)]
#[allow(clippy::too_many_arguments)]
pub async fn index(
    q: Option<String>,
    status: Option<String>,
    work_unit_id: Option<String>,
    verdict: Option<String>,
    invitation: Option<String>,
    attention: Option<bool>,
    no_post_weeks: Option<String>,
    sort: Option<String>,
    page: Option<u64>,
    user: Staff<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<(Status, Template)> {
    let work_unit_text = work_unit_id.unwrap_or_default();
    let weeks_text = no_post_weeks.unwrap_or_default();
    let (query, bad) = query_of(
        q,
        status,
        &work_unit_text,
        verdict,
        invitation,
        attention,
        &weeks_text,
        sort,
    );
    let page = page.unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(service::PAGE);
    let mut errors: BTreeMap<String, Vec<String>> = bad
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                v.iter()
                    .map(|m| crate::web::i18n::t(layout.lang, m))
                    .collect(),
            )
        })
        .collect();
    let (status, people, total) = if errors.is_empty() {
        match service::list(db, key, &user, &query, service::PAGE, offset).await {
            Ok(p) => (Status::Ok, p.people, p.total),
            Err(e) => {
                let status = e.status();
                let (_, e) = e.form_errors(layout.lang)?;
                errors.extend(e);
                (status, Vec::new(), 0)
            }
        }
    } else {
        (Status::UnprocessableEntity, Vec::new(), 0)
    };
    let filters = filters_of(&query, &work_unit_text, &weeks_text);
    let shown = people.len() as u64;
    let link = |p: u64| format!("/roster?{filters}&page={p}");
    Ok((
        status,
        Template::render(
            "roster/index",
            RosterPageView {
                groups: list_units_grouped(db, &user).await?,
                statuses: crate::vetting::service::STATUSES.to_vec(),
                verdicts: service::VERDICTS.to_vec(),
                sorts: service::SORTS.to_vec(),
                sees_nip: service::sees_nip(&user),
                from: if shown == 0 { 0 } else { offset + 1 },
                to: offset + shown,
                prev: (page > 1).then(|| link(page - 1)),
                next: (offset + shown < total).then(|| link(page + 1)),
                layout,
                people,
                query,
                work_unit_text,
                weeks_text,
                errors,
                total,
                filters,
            },
        ),
    ))
}

/// `/roster/export/roster.csv` or `roster.xlsx`: every person matching the filters.
#[rocket::get(
    "/roster/export/<file>?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>"
)]
#[allow(clippy::too_many_arguments)]
pub async fn export(
    file: &str,
    q: Option<String>,
    status: Option<String>,
    work_unit_id: Option<String>,
    verdict: Option<String>,
    invitation: Option<String>,
    attention: Option<bool>,
    no_post_weeks: Option<String>,
    sort: Option<String>,
    user: Staff<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Download> {
    let (query, bad) = query_of(
        q,
        status,
        &work_unit_id.unwrap_or_default(),
        verdict,
        invitation,
        attention,
        &no_post_weeks.unwrap_or_default(),
        sort,
    );
    if !bad.is_empty() {
        return Err(AppError::Validation(crate::error::FieldErrors::single(
            "filters",
            crate::error::Msg::new("roster.filters_invalid"),
        )));
    }
    let table = service::table(db, key, &user, &query, layout.lang).await?;
    let name = crate::web::i18n::t(layout.lang, "roster.file_name");
    match file {
        "roster.csv" => Ok(Download {
            bytes: sheets::to_csv(&table),
            content_type: ContentType::new("text", "csv").with_params(("charset", "utf-8")),
            file_name: sheets::file_name(&[&name], "csv"),
        }),
        "roster.xlsx" => Ok(Download {
            bytes: sheets::to_xlsx(&[table]).map_err(AppError::internal)?,
            content_type: ContentType::new(
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            file_name: sheets::file_name(&[&name], "xlsx"),
        }),
        _ => Err(AppError::NotFound),
    }
}

#[derive(rocket::FromForm, Default)]
pub struct BulkForm {
    #[field(default = Vec::new())]
    pub ids: Vec<String>,
    #[field(default = String::new())]
    pub action: String,
    #[field(default = String::new())]
    pub reason: String,
    #[field(default = String::new())]
    pub work_unit_id: String,
    /// The roster's filters, to go back to.
    #[field(default = String::new())]
    pub back: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for BulkForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Serialize)]
pub struct BulkPage {
    layout: Layout,
    action: String,
    done: usize,
    invitations: Vec<super::bulk::BulkInvitation>,
    /// Why nothing was done: a message, or one per person refused.
    problems: Vec<String>,
    back: String,
}

/// Runs an action on the people ticked on the roster page; the answer says what was done
/// (with the invitation links to pass on), or why nothing was.
#[rocket::post("/roster/bulk", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn bulk(
    form: crate::http::csrf::CsrfForm<BulkForm>,
    user: crate::auth::guards::Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<crate::config::AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    origin: crate::http::origin::Origin,
    ip: crate::http::client_ip::ClientIp,
) -> AppResult<(Status, Template)> {
    let f = form.0;
    let back = if f.back.starts_with("/roster") {
        f.back.clone()
    } else {
        "/roster".to_string()
    };
    let ids: Vec<i64> = f.ids.iter().filter_map(|s| s.trim().parse().ok()).collect();
    let input = super::bulk::BulkRequest {
        action: f.action.clone(),
        ids: if ids.len() == f.ids.len() {
            ids
        } else {
            Vec::new()
        },
        reason: Some(f.reason.clone()).filter(|r| !r.trim().is_empty() || f.action == "suspend"),
        work_unit_id: f.work_unit_id.trim().parse().ok(),
    };
    let lang = layout.lang;
    let (status, done, invitations, problems) =
        match super::bulk::run(db, cfg, mailer, &user, &input, &origin.0, &ip).await {
            Ok(d) => (Status::Ok, d.done, d.invitations, Vec::new()),
            Err(AppError::NotFound) => (
                Status::NotFound,
                0,
                Vec::new(),
                vec![crate::web::i18n::t(lang, "roster.bulk_out_of_scope")],
            ),
            Err(e) => {
                let status = e.status();
                let (_, errors) = e.form_errors(lang)?;
                let mut names = std::collections::HashMap::new();
                let refused: Vec<i64> = errors
                    .keys()
                    .filter_map(|k| k.strip_prefix("ids.")?.parse().ok())
                    .collect();
                for a in <entity::ambassadors::Entity as sea_orm::EntityTrait>::find()
                    .filter(sea_orm::ColumnTrait::is_in(
                        &entity::ambassadors::Column::Id,
                        refused,
                    ))
                    .all(db.inner())
                    .await?
                {
                    names.insert(format!("ids.{}", a.id), a.display_name);
                }
                let problems = errors
                    .into_iter()
                    .flat_map(|(k, msgs)| {
                        let who = names.get(&k).cloned();
                        msgs.into_iter().map(move |m| match &who {
                            Some(n) => format!("{n}: {m}"),
                            None => m,
                        })
                    })
                    .collect();
                (status, 0, Vec::new(), problems)
            }
        };
    Ok((
        status,
        Template::render(
            "roster/bulk",
            BulkPage {
                layout,
                action: f.action,
                done,
                invitations,
                problems,
                back,
            },
        ),
    ))
}
