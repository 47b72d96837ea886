//! The statistics pages: the dashboard, its printable A4 report, and the downloads of
//! each table as CSV and of all of them as one XLSX workbook.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rocket::http::{ContentType, Header, Status};
use rocket_dyn_templates::{Metadata, Template};
use serde::Serialize;

use super::charts::{self, LineChart, Series, StackedBars};
use super::export::{self, Table};
use super::service::{self, Participation, ScopeView, StatsCache, StatsQuery};
use super::tables;
use crate::auth::guards::Staff;
use crate::auth::roles::Role;
use crate::error::{AppError, AppResult};
use crate::http::reads::Reads;
use crate::kept::Topic;
use crate::leaderboard::service::BoardKept;
use crate::leaderboard::service::WindowView;
use crate::org::cache::OrgCache;
use crate::state::Shared;
use crate::web::i18n::{t, Lang};
use crate::web::layout::Layout;

/// Briefs listed on the dashboard and the report.
const PAGE_BRIEFS: usize = 30;

#[derive(Serialize)]
struct Charts {
    participation: String,
    posts: String,
    /// One trend line per row of the unit table.
    trends: Vec<String>,
}

/// What a page shows of the statistics around its figures.
#[derive(Serialize)]
struct StatsHead {
    scope: ScopeView,
    window: WindowView,
}

#[derive(Serialize)]
pub struct StatsPage {
    layout: Layout,
    stats: Option<StatsHead>,
    /// The figures as HTML (see `RenderedFigures`).
    figures: String,
    /// The filters' options as HTML.
    institution_options: String,
    unit_options: String,
    sees_all: bool,
    windows: [u32; 4],
    platforms: super::rules::ByPlatform<&'static str>,
    weeks: String,
    platform: String,
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    /// The filters as a query string, for the export and report links.
    query: String,
    errors: BTreeMap<String, Vec<String>>,
}

/// A page that shows the figures, and how many briefs and inactive ambassadors it lists.
#[derive(Clone, Copy, PartialEq, Eq)]
struct PageKind {
    template: &'static str,
    brief_rows: usize,
    inactive_rows: usize,
}

const DASHBOARD: PageKind = PageKind {
    template: "stats/dashboard",
    brief_rows: 20,
    inactive_rows: 100,
};
const REPORT: PageKind = PageKind {
    template: "stats/report",
    brief_rows: 30,
    inactive_rows: 50,
};

#[derive(Serialize)]
struct FiguresContext<'a> {
    stats: &'a Participation,
    charts: &'a Charts,
    l: Lang,
    /// Coordinators and admins follow up inactive ambassadors by name.
    follow_up: bool,
    /// The lengths of the lists before the page cut them short.
    brief_total: usize,
    inactive_total: usize,
    brief_rows: usize,
    inactive_rows: usize,
    query: &'a str,
    /// The urgent briefs of the window with their time to amplify (at most `brief_rows`
    /// of them), and how many there are.
    urgent: Vec<&'a super::service::BriefRow>,
    urgent_total: usize,
}

/// The figures of a page (`stats/_figures`: charts and tables) as HTML, rendered once
/// per computed result, page, language, kind of viewer and query, so that the many
/// views of one scope between two computations share one rendering.
#[derive(Default)]
pub struct RenderedFigures {
    entries: Mutex<Vec<Rendered>>,
}

/// The result it was rendered from (held, so that it is compared by identity), the
/// page, language, whether names of inactive ambassadors show, the query; the HTML.
type Rendered = (Arc<Participation>, &'static str, Lang, bool, String, String);

/// Renderings kept at most; the oldest goes first.
const MAX_FIGURES: usize = 64;

impl RenderedFigures {
    fn of(
        &self,
        templates: &Metadata<'_>,
        p: &Arc<Participation>,
        page: PageKind,
        lang: Lang,
        role: Role,
        query: &str,
    ) -> AppResult<String> {
        let follow_up = follows_up(role);
        let same = |e: &Rendered| {
            Arc::ptr_eq(&e.0, p)
                && e.1 == page.template
                && e.2 == lang
                && e.3 == follow_up
                && e.4 == query
        };
        if let Some(html) = self
            .entries
            .lock()
            .ok()
            .and_then(|e| e.iter().find(|e| same(e)).map(|e| e.5.clone()))
        {
            return Ok(html);
        }
        // The page shows the first rows of the long lists; the downloads have them all.
        let shown = shown(p, role, PAGE_BRIEFS, service::INACTIVE_SHOWN);
        let charts = charts_of(&shown, lang);
        let (_, html) = templates
            .render(
                "stats/_figures",
                FiguresContext {
                    stats: &shown,
                    charts: &charts,
                    l: lang,
                    follow_up,
                    brief_total: p.briefs.len(),
                    inactive_total: p.funnel.inactive as usize,
                    brief_rows: page.brief_rows,
                    inactive_rows: page.inactive_rows,
                    query,
                    urgent: p
                        .briefs
                        .iter()
                        .filter(|b| b.urgent)
                        .take(page.brief_rows)
                        .collect(),
                    urgent_total: p.briefs.iter().filter(|b| b.urgent).count(),
                },
            )
            .ok_or_else(|| AppError::internal("statistics figures did not render"))?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_FIGURES {
                entries.remove(0);
            }
            entries.push((
                p.clone(),
                page.template,
                lang,
                follow_up,
                query.to_string(),
                html.clone(),
            ));
        }
        Ok(html)
    }
}

/// Who may see the names of inactive ambassadors: those who follow them up.
pub fn follows_up(role: Role) -> bool {
    matches!(role, Role::Coordinator | Role::Admin)
}

/// The statistics as a user may see them: leadership and national users get the count of
/// inactive ambassadors, not their names.
pub fn for_viewer(p: &Participation, role: Role) -> Participation {
    shown(p, role, usize::MAX, usize::MAX)
}

/// The statistics as the viewer may see them, with at most `briefs` briefs and
/// `inactive` inactive ambassadors (copied, the rest left where they are).
fn shown(p: &Participation, role: Role, briefs: usize, inactive: usize) -> Participation {
    Participation {
        scope: p.scope.clone(),
        window: p.window.clone(),
        weeks: p.weeks.clone(),
        work_units: p.work_units.clone(),
        platforms: p.platforms.clone(),
        funnel: p.funnel.clone(),
        briefs: p.briefs.iter().take(briefs).cloned().collect(),
        categories: p.categories.clone(),
        amplify: p.amplify.clone(),
        most_consistent: p.most_consistent.clone(),
        inactive: if follows_up(role) {
            p.inactive.iter().take(inactive).cloned().collect()
        } else {
            Vec::new()
        },
    }
}

fn query_string(q: &StatsQuery) -> String {
    let mut parts = Vec::new();
    if let Some(i) = q.institution_id {
        parts.push(format!("institution_id={i}"));
    }
    if let Some(u) = q.work_unit_id {
        parts.push(format!("work_unit_id={u}"));
    }
    if let Some(p) = q.platform.as_deref().filter(|p| !p.is_empty()) {
        parts.push(format!(
            "platform={}",
            url::form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>()
        ));
    }
    if let Some(w) = q.weeks.as_deref().filter(|w| !w.is_empty()) {
        parts.push(format!(
            "weeks={}",
            url::form_urlencoded::byte_serialize(w.as_bytes()).collect::<String>()
        ));
    }
    parts.join("&")
}

fn charts_of(p: &Participation, lang: Lang) -> Charts {
    let decimal_comma = lang == Lang::Id;
    let labels: Vec<String> = p.weeks.iter().map(|w| w.week.clone()).collect();
    let participation = charts::line_chart(&LineChart {
        title: t(lang, "stats.chart_participation"),
        x_labels: labels.clone(),
        series: vec![Series {
            name: t(lang, "stats.participation_rate"),
            values: p
                .weeks
                .iter()
                .map(|w| w.participation_rate.map(|r| r * 100.0))
                .collect(),
        }],
        y_unit: "%".into(),
        y_max: Some(100.0),
        decimal_comma,
        empty_text: t(lang, "stats.no_data"),
    });
    // One series per platform the programme has (only the chosen one under a filter).
    let series = p
        .platforms
        .iter()
        .map(|pl| Series {
            name: crate::submissions::rules::platform_label(pl.platform).into(),
            values: p
                .weeks
                .iter()
                .map(|w| Some(w.posts.get(pl.platform) as f64))
                .collect(),
        })
        .collect();
    let posts = charts::stacked_bars(&StackedBars {
        title: t(lang, "stats.chart_posts"),
        x_labels: labels,
        series,
        y_unit: t(lang, "stats.posts_unit"),
        decimal_comma,
        empty_text: t(lang, "stats.no_data"),
    });
    let trends = p
        .work_units
        .iter()
        .map(|u| {
            let values: Vec<Option<f64>> = u.trend.iter().map(|r| r.map(|v| v * 100.0)).collect();
            charts::sparkline(&values, Some(100.0))
        })
        .collect();
    Charts {
        participation,
        posts,
        trends,
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    db: &Reads<'_>,
    board: &BoardKept,
    org: &OrgCache,
    cache: &StatsCache,
    (rendered, templates): (&RenderedFigures, &Metadata<'_>),
    user: &Staff<'_>,
    layout: Layout,
    q: StatsQuery,
    kind: PageKind,
) -> AppResult<(Status, Template)> {
    let lang = layout.lang;
    let (status, stats, errors) =
        match service::participation(db.primary, db.replica, board, org, cache, user, &q).await {
            Ok(p) => (Status::Ok, Some(p), BTreeMap::new()),
            Err(e) => {
                let (s, errors) = e.form_errors(lang)?;
                let fallback = StatsQuery {
                    weeks: None,
                    platform: None,
                    ..q.clone()
                };
                let p = service::participation(
                    db.primary, db.replica, board, org, cache, user, &fallback,
                )
                .await
                .ok();
                (s, p, errors)
            }
        };
    let query = query_string(&q);
    let figures = match &stats {
        Some(p) => rendered.of(templates, p, kind, lang, user.role, &query)?,
        None => String::new(),
    };
    let org_now = org
        .get_at(db.primary, user.stamp(db.primary, Topic::Org).await?)
        .await?;
    Ok((
        status,
        Template::render(
            kind.template,
            StatsPage {
                layout,
                stats: stats.map(|p| StatsHead {
                    scope: p.scope.clone(),
                    window: p.window.clone(),
                }),
                figures,
                institution_options: org_now.institution_options_for(user, q.institution_id),
                unit_options: org_now.unit_options_for(user, q.work_unit_id),
                sees_all: user.role.sees_all_institutions(),
                windows: super::rules::WINDOWS,
                platforms: super::rules::PLATFORMS,
                weeks: q
                    .weeks
                    .clone()
                    .unwrap_or_else(|| super::rules::DEFAULT_WINDOW.to_string()),
                platform: q.platform.clone().unwrap_or_default(),
                institution_id: q.institution_id,
                work_unit_id: q.work_unit_id,
                query,
                errors,
            },
        ),
    ))
}

/// On the pages a chosen work unit decides the institution.
fn page_query(
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    platform: Option<String>,
    weeks: Option<String>,
) -> StatsQuery {
    StatsQuery {
        institution_id: institution_id.filter(|_| work_unit_id.is_none()),
        work_unit_id,
        platform,
        weeks,
    }
}

#[rocket::get("/stats?<institution_id>&<work_unit_id>&<platform>&<weeks>")]
pub async fn dashboard(
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    platform: Option<String>,
    weeks: Option<String>,
    user: Staff<'_>,
    layout: Layout,
    db: Reads<'_>,
    kept: &Shared<BoardKept>,
    org: &Shared<OrgCache>,
    cache: &Shared<StatsCache>,
    rendered: &Shared<RenderedFigures>,
    templates: Metadata<'_>,
) -> AppResult<(Status, Template)> {
    let q = page_query(institution_id, work_unit_id, platform, weeks);
    let figures = (rendered.inner(), &templates);
    page(&db, kept, org, cache, figures, &user, layout, q, DASHBOARD).await
}

/// The same figures on A4 for a meeting: charts and tables, no filters or navigation.
#[rocket::get("/stats/report?<institution_id>&<work_unit_id>&<platform>&<weeks>")]
pub async fn report(
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    platform: Option<String>,
    weeks: Option<String>,
    user: Staff<'_>,
    layout: Layout,
    db: Reads<'_>,
    kept: &Shared<BoardKept>,
    org: &Shared<OrgCache>,
    cache: &Shared<StatsCache>,
    rendered: &Shared<RenderedFigures>,
    templates: Metadata<'_>,
) -> AppResult<(Status, Template)> {
    let q = page_query(institution_id, work_unit_id, platform, weeks);
    let figures = (rendered.inner(), &templates);
    page(&db, kept, org, cache, figures, &user, layout, q, REPORT).await
}

/// A download: the bytes, their type and the file name.
pub struct Download {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: ContentType,
    pub(crate) file_name: String,
}

impl Download {
    pub fn new(bytes: Vec<u8>, content_type: ContentType, file_name: String) -> Download {
        Download {
            bytes,
            content_type,
            file_name,
        }
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build()
            .header(self.content_type)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.file_name),
            ))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// `/stats/export/<file>`: `weeks.csv`, `work_units.csv`, `platforms.csv`, `briefs.csv`,
/// `categories.csv`, `most_consistent.csv`, `inactive.csv` (coordinators and admins), or
/// `participation.xlsx` with every table as a sheet. Named after the scope and window.
#[rocket::get("/stats/export/<file>?<institution_id>&<work_unit_id>&<platform>&<weeks>")]
pub async fn export_file(
    file: &str,
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    platform: Option<String>,
    weeks: Option<String>,
    user: Staff<'_>,
    layout: Layout,
    db: Reads<'_>,
    kept: &Shared<BoardKept>,
    org: &Shared<OrgCache>,
    cache: &Shared<StatsCache>,
) -> AppResult<Download> {
    let (name, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    // A name that is no download answers before anything is read; the whole inactive list
    // (at national scale a long read) only for the two files that carry it.
    let every_inactive = match (name, ext) {
        ("participation", "xlsx") | ("inactive", "csv") => true,
        (_, "csv") => false,
        _ => return Err(AppError::NotFound),
    };
    let q = page_query(institution_id, work_unit_id, platform, weeks);
    let p = service::participation(db.primary, db.replica, kept, org, cache, &user, &q).await?;
    let mut p = for_viewer(&p, user.role);
    if follows_up(user.role) && every_inactive {
        // The statistics list the longest inactive; the downloads list every one.
        p.inactive = service::all_inactive(db.primary, db.replica, kept, org, &user, &q).await?;
    }
    let lang = layout.lang;
    let all = tables::all(&p, lang, follows_up(user.role));
    let base = tables::file_base(&p, lang);
    match ext {
        "xlsx" if name == "participation" => {
            let bytes =
                export::to_xlsx(&all.iter().map(|(_, t)| t.clone()).collect::<Vec<Table>>())
                    .map_err(AppError::internal)?;
            Ok(Download {
                bytes,
                content_type: ContentType::new(
                    "application",
                    "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                file_name: export::file_name(
                    &base.iter().map(String::as_str).collect::<Vec<_>>(),
                    "xlsx",
                ),
            })
        }
        "csv" => {
            let (_, table) = all
                .iter()
                .find(|(k, _)| *k == name)
                .ok_or(AppError::NotFound)?;
            let mut parts: Vec<&str> = base.iter().map(String::as_str).collect();
            parts.push(name);
            Ok(Download {
                bytes: export::to_csv(table),
                content_type: ContentType::new("text", "csv").with_params(("charset", "utf-8")),
                file_name: export::file_name(&parts, "csv"),
            })
        }
        _ => Err(AppError::NotFound),
    }
}
