//! The leaderboard pages: the board for everyone, the ambassador's own progress, the
//! admin's holiday calendar and a coordinator's record of an ambassador's leave.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::{Metadata, Template};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::service::{
    self, BoardKept, BoardQuery, EntryView, HolidayView, LeaveView, StandingView,
};
use crate::auth::guards::{Admin, Ambassador, Coordinator, CurrentUser};
use crate::auth::roles::Role;
use crate::briefs::service::WeekBrief;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, CsrfProtected};
use crate::kept::{Kept, Topic};
use crate::org::cache::{unit_options, OrgCache};
use crate::state::Shared;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::splice::{self, OwnPages};

/// Windows offered on the pages.
pub const WINDOWS: [u32; 4] = [4, 12, 26, 52];

#[derive(Serialize)]
struct RowsContext<'a> {
    entries: &'a [EntryView],
    l: Lang,
}

/// Whole board pages, rendered once per stamp of the board (see `crate::kept`), query,
/// language and kind of viewer, with the viewer's own values marked (`Layout::marked`):
/// a busy board then costs a lookup and a fill per request. Pages with errors or a flash
/// message are not kept.
pub struct RenderedPages {
    pages: Kept<PageKey, String>,
}

impl Default for RenderedPages {
    fn default() -> Self {
        RenderedPages {
            pages: Kept::one_at_a_time(Topic::Board, 512),
        }
    }
}

/// Everything a kept page depends on besides the board's stamp and the viewer's marked
/// values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PageKey {
    week: chrono::NaiveDate,
    weeks_shown: u32,
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    offset: u64,
    lang: Lang,
    /// The viewer's own row when it is among the entries (it is highlighted).
    own_row: Option<i64>,
    /// The window as asked for (it is printed back in the filter and the pager).
    weeks: Option<String>,
    role: Role,
    /// The viewer's institution and unit subtree: the unit filter's options.
    viewer_institution_id: Option<i64>,
    work_unit_path: Option<String>,
    /// An ambassador's own row and unread count are on the page.
    own: Option<i64>,
    unread: u64,
    /// The organisation copy the unit names came from.
    org: u64,
}

/// What the page needs of the board besides its rows: a template context is serialised
/// twice per request, so the entries themselves are rendered on their own.
#[derive(Serialize)]
struct BoardSummary {
    window: service::WindowView,
    total: u64,
    empty: bool,
    mine: Option<EntryView>,
}

#[derive(Serialize)]
pub struct BoardPage {
    layout: Layout,
    board: Option<BoardSummary>,
    /// Where the entries' rows go (see `web::splice`).
    rows: String,
    /// Where the work-unit filter's options go; empty when there is nothing to choose.
    unit_options: String,
    windows: [u32; 4],
    weeks: String,
    work_unit_id: Option<i64>,
    page: u64,
    pages: u64,
    /// The own row is not among the entries shown.
    mine_elsewhere: bool,
    errors: BTreeMap<String, Vec<String>>,
}

#[rocket::get("/leaderboard?<work_unit_id>&<weeks>&<page>")]
pub async fn index(
    work_unit_id: Option<i64>,
    weeks: Option<String>,
    page: Option<u64>,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    kept: &Shared<BoardKept>,
    rendered: &Shared<RenderedPages>,
    org: &Shared<OrgCache>,
    templates: Metadata<'_>,
) -> AppResult<(Status, RawHtml<String>)> {
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let org = org.get_at(db, user.stamp(db, Topic::Org).await?).await?;
    let q = BoardQuery {
        institution_id: None,
        work_unit_id,
        weeks: weeks.clone(),
        limit: Some(service::DEFAULT_LIMIT.to_string()),
        offset: Some(((page - 1) * service::DEFAULT_LIMIT).to_string()),
    };
    let (status, view, errors) = match service::board_for(db, kept, &org, user, &q).await {
        Ok(v) => (Status::Ok, Some(v), BTreeMap::new()),
        Err(e) => {
            let (s, errors) = e.form_errors(layout.lang)?;
            let fallback = BoardQuery {
                weeks: None,
                ..q.clone()
            };
            (
                s,
                service::board_for(db, kept, &org, user, &fallback)
                    .await
                    .ok(),
                errors,
            )
        }
    };
    let key = match &view {
        Some(v) if errors.is_empty() && layout.flash.is_none() => Some(PageKey {
            week: v.window.to,
            weeks_shown: v.window.weeks,
            institution_id: v.institution_id,
            work_unit_id: v.work_unit_id,
            offset: v.offset,
            lang: layout.lang,
            own_row: v.entries.iter().find(|e| e.me).map(|e| e.ambassador_id),
            weeks: weeks.clone(),
            role: user.role,
            viewer_institution_id: user.user.institution_id,
            work_unit_path: user.work_unit_path.clone(),
            own: v.mine.as_ref().map(|m| m.ambassador_id),
            unread: layout.unread,
            org: org.serial,
        }),
        _ => None,
    };
    let stamp = view.as_ref().map_or(-1, |v| v.stamp);
    let render = || async {
        let unit_options = if user.role == Role::Ambassador {
            view.as_ref()
                .and_then(|v| v.institution_id)
                .map_or_else(String::new, |i| {
                    unit_options(&org.institution_groups(i), work_unit_id)
                })
        } else {
            org.unit_options_for(user, work_unit_id)
        };
        let pages = view
            .as_ref()
            .map_or(1, |v| v.total.div_ceil(service::DEFAULT_LIMIT).max(1));
        let mine_elsewhere = view
            .as_ref()
            .is_some_and(|v| v.mine.is_some() && !v.entries.iter().any(|e| e.me));
        let rows = match &view {
            Some(v) => {
                templates
                    .render(
                        "leaderboard/_rows",
                        RowsContext {
                            entries: &v.entries,
                            l: layout.lang,
                        },
                    )
                    .ok_or_else(|| AppError::internal("leaderboard rows did not render"))?
                    .1
            }
            None => String::new(),
        };
        // The rows and the unit options are the bulk of the page: they are put in after
        // rendering instead of going through the template context.
        let context = BoardPage {
            layout: layout.marked(),
            board: view.as_ref().map(|v| BoardSummary {
                empty: v.entries.is_empty(),
                window: v.window.clone(),
                total: v.total,
                mine: v.mine.clone(),
            }),
            rows: splice::mark("rows"),
            unit_options: if unit_options.is_empty() {
                String::new()
            } else {
                splice::mark("unit_options")
            },
            windows: WINDOWS,
            weeks: weeks
                .clone()
                .unwrap_or_else(|| super::rules::DEFAULT_WEEKS.to_string()),
            work_unit_id,
            page,
            pages,
            mine_elsewhere,
            errors: errors.clone(),
        };
        let RawHtml(page) = splice::render(
            &templates,
            "leaderboard/index",
            context,
            &[("rows", &rows), ("unit_options", &unit_options)],
        )?;
        Ok(page)
    };
    let page = match key {
        Some(key) => rendered.pages.get_or_compute(stamp, key, render).await?,
        None => std::sync::Arc::new(render().await?),
    };
    Ok((status, RawHtml(layout.fill(&page))))
}

#[derive(Serialize)]
pub struct ProgressPage<'a> {
    layout: Layout,
    standing: &'a StandingView,
    windows: [u32; 4],
    /// This week's briefs that still wait for a post on some platform.
    waiting: Vec<&'a WeekBrief>,
    paused_notice: &'a Option<String>,
    approved: bool,
}

/// The ambassador's own page: streak, consistency week by week, rank, what still waits.
/// Kept rendered per ambassador (see `crate::web::splice::OwnPages`) under the week it
/// shows and the board's stamp.
#[allow(clippy::too_many_arguments)]
#[rocket::get("/progress?<weeks>")]
pub async fn progress(
    weeks: Option<&str>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    kept: &Shared<BoardKept>,
    own_weeks: &Shared<crate::briefs::cache::Weeks>,
    pages: &Shared<OwnPages>,
    templates: Metadata<'_>,
) -> AppResult<RawHtml<String>> {
    let weeks = weeks.filter(|w| w.parse::<u32>().is_ok_and(|n| WINDOWS.contains(&n)));
    let (week, week_stamp, serial) = own_weeks.current_with_serial(db, &user).await?;
    let ((board, monday, window), standing) =
        service::standing_kept(db, kept, &user, weeks).await?;
    let render = |layout: Layout| {
        splice::render(
            &templates,
            "leaderboard/progress",
            ProgressPage {
                layout,
                standing: &standing,
                windows: WINDOWS,
                waiting: week
                    .briefs
                    .iter()
                    .filter(|b| !b.waiting.is_empty())
                    .collect(),
                paused_notice: &week.paused_notice,
                approved: week.approved,
            },
            &[],
        )
    };
    let fingerprint = vec![
        i64::try_from(serial).unwrap_or(-1),
        board,
        i64::from(chrono::Datelike::num_days_from_ce(&monday)),
        i64::from(window),
        i64::try_from(layout.unread).unwrap_or(-1),
    ];
    pages
        .serve(
            week_stamp,
            (user.id(), "progress", layout.lang),
            fingerprint,
            &layout,
            render,
        )
        .await
}

#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct HolidayForm {
    #[field(default = String::new())]
    pub week: String,
    #[field(default = String::new())]
    pub label: String,
    #[field(default = String::new())]
    #[serde(skip)]
    pub csrf_token: String,
}

impl CsrfProtected for HolidayForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Serialize)]
pub struct HolidaysPage {
    layout: Layout,
    rows: Vec<HolidayView>,
    form: HolidayForm,
    errors: BTreeMap<String, Vec<String>>,
}

async fn holidays_page(
    db: &DatabaseConnection,
    layout: Layout,
    form: HolidayForm,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    Ok(Template::render(
        "leaderboard/holidays",
        HolidaysPage {
            layout,
            rows: service::list_holidays(db).await?,
            form,
            errors,
        },
    ))
}

#[rocket::get("/admin/holidays")]
pub async fn holidays(
    _user: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    holidays_page(
        db,
        layout,
        <HolidayForm as Default>::default(),
        BTreeMap::new(),
    )
    .await
}

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

#[rocket::post("/admin/holidays", data = "<form>")]
pub async fn add_holiday(
    form: CsrfForm<HolidayForm>,
    user: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    match service::add_holiday(db, &user, &form.0.week, &form.0.label, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/admin/holidays"),
            "leaderboard.holiday_added",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                holidays_page(db, layout, form.0, errors).await?,
            )))
        }
    }
}

#[rocket::post("/admin/holidays/<id>/delete", data = "<form>")]
pub async fn remove_holiday(
    id: i64,
    form: CsrfForm<crate::http::csrf::TokenOnlyForm>,
    user: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    drop(form);
    service::remove_holiday(db, &user, id, &ip).await?;
    Ok(Flash::success(
        Redirect::to("/admin/holidays"),
        "leaderboard.holiday_removed",
    ))
}

#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct LeaveForm {
    #[field(default = String::new())]
    pub from_week: String,
    #[field(default = String::new())]
    pub to_week: String,
    #[field(default = String::new())]
    pub note: String,
    #[field(default = String::new())]
    #[serde(skip)]
    pub csrf_token: String,
}

impl CsrfProtected for LeaveForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Serialize)]
pub struct LeavePage {
    layout: Layout,
    ambassador_id: i64,
    display_name: String,
    rows: Vec<LeaveView>,
    form: LeaveForm,
    errors: BTreeMap<String, Vec<String>>,
    /// The leave the form changes, or none for a new one.
    editing: Option<i64>,
}

async fn leave_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: i64,
    form: LeaveForm,
    errors: BTreeMap<String, Vec<String>>,
    editing: Option<i64>,
) -> AppResult<Template> {
    let amb = service::get_managed_ambassador(db, user, id).await?;
    Ok(Template::render(
        "leaderboard/leave",
        LeavePage {
            layout,
            ambassador_id: amb.id,
            display_name: amb.display_name,
            rows: service::leaves_of(db, user, id).await?,
            form,
            errors,
            editing,
        },
    ))
}

/// The person's leave, and the form for new leave (or, with `edit`, filled with one to
/// change).
#[rocket::get("/ambassadors/<id>/leave?<edit>")]
pub async fn leave(
    id: i64,
    edit: Option<i64>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let mut form = <LeaveForm as Default>::default();
    let mut editing = None;
    if let Some(leave_id) = edit {
        let row = service::leaves_of(db, &user, id)
            .await?
            .into_iter()
            .find(|l| l.id == leave_id)
            .ok_or(crate::error::AppError::NotFound)?;
        form.from_week = row.from_week;
        form.to_week = row.to_week;
        form.note = row.note;
        editing = Some(leave_id);
    }
    leave_page(db, &user, layout, id, form, BTreeMap::new(), editing).await
}

#[rocket::post("/ambassadors/<id>/leave", data = "<form>")]
pub async fn add_leave(
    id: i64,
    form: CsrfForm<LeaveForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    let f = &form.0;
    match service::add_leave(db, &user, id, &f.from_week, &f.to_week, &f.note, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/ambassadors/{id}/leave")),
            "leaderboard.leave_added",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                leave_page(db, &user, layout, id, form.0, errors, None).await?,
            )))
        }
    }
}

/// Changes a recorded leave from the form; refused, the form keeps what was typed.
#[rocket::post("/ambassadors/<id>/leave/<leave_id>", data = "<form>")]
pub async fn update_leave(
    id: i64,
    leave_id: i64,
    form: CsrfForm<LeaveForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    let f = &form.0;
    let change = Some((f.from_week.as_str(), f.to_week.as_str(), f.note.as_str()));
    match service::change_leave(db, &user, id, leave_id, change, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/ambassadors/{id}/leave")),
            "leaderboard.leave_updated",
        ))),
        Err(crate::error::AppError::NotFound) => Err(crate::error::AppError::NotFound),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                leave_page(db, &user, layout, id, form.0, errors, Some(leave_id)).await?,
            )))
        }
    }
}

/// Cancels a recorded leave.
#[rocket::post("/ambassadors/<id>/leave/<leave_id>/cancel", data = "<_form>")]
pub async fn cancel_leave(
    id: i64,
    leave_id: i64,
    _form: CsrfForm<crate::http::csrf::TokenOnlyForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    service::change_leave(db, &user, id, leave_id, None, &ip).await?;
    Ok(Flash::success(
        Redirect::to(format!("/ambassadors/{id}/leave")),
        "leaderboard.leave_cancelled",
    ))
}

pub fn all() -> Vec<rocket::Route> {
    rocket::routes![
        index,
        progress,
        holidays,
        add_holiday,
        remove_holiday,
        leave,
        add_leave,
        update_leave,
        cancel_leave
    ]
}
