//! The roster: every person of the programme in the caller's scope, searched, filtered,
//! sorted and paged in the database (no cap but the page), with what a coordinator checks
//! at a glance: status, unit, invitation, needs attention, each platform's verdict and the
//! last week with a verified post.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::error::{AppResult, FieldErrors, Msg};
use crate::nip::NipKey;
use entity::{ambassador_platforms as ap, ambassadors, users, week_activity, work_units};

/// Rows per page, and the most an API client may ask for.
pub const PAGE: u64 = 50;
pub const MAX_LIMIT: u64 = 500;
/// The search text.
pub const SEARCH: crate::text::Text = crate::text::Text::line(0, 120);
pub const VERDICTS: [&str; 3] = ["meets", "below", "unverified"];
pub const INVITATIONS: [&str; 2] = ["pending", "accepted"];
pub const SORTS: [&str; 4] = ["name", "newest", "oldest", "member_since"];

/// What the roster is filtered and sorted by (empty: no filter; `name` by default).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RosterQuery {
    /// Part of a name, display name, email or platform handle; a whole NIP; or its last
    /// four digits.
    pub q: String,
    pub status: String,
    pub work_unit_id: Option<i64>,
    /// People with an account of this verdict on some platform.
    pub verdict: String,
    pub invitation: String,
    /// Approved people short of the programme's rules now.
    pub attention: bool,
    /// No verified post in the last this many weeks (this one included), or never.
    pub no_post_weeks: Option<i64>,
    pub sort: String,
}

/// A platform account on the roster.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterPlatform {
    pub platform: String,
    pub handle: String,
    pub verdict: String,
    pub follower_count: Option<i64>,
}

/// One person on the roster.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterRow {
    /// The ambassador's id (as in `/api/v1/vetting/candidates/{id}`).
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub display_name: String,
    pub email: String,
    /// Only for coordinators and admins.
    pub nip: Option<String>,
    pub employee_type: String,
    pub status: String,
    pub work_unit_id: i64,
    pub work_unit_name: String,
    #[schema(value_type = Option<String>)]
    pub member_since: Option<NaiveDate>,
    pub invitation_pending: bool,
    pub needs_attention: bool,
    pub below_since: Option<chrono::DateTime<chrono::Utc>>,
    /// The Monday of the last week with a verified post.
    #[schema(value_type = Option<String>)]
    pub last_post_week: Option<NaiveDate>,
    pub platforms: Vec<RosterPlatform>,
    /// People who signed up through this ambassador's referral link.
    pub referrals: u64,
}

/// One page of the roster and how many people match in all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterPage {
    pub people: Vec<RosterRow>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// Whether the caller sees NIPs on the roster.
pub fn sees_nip(user: &CurrentUser) -> bool {
    matches!(user.role, Role::Coordinator | Role::Admin)
}

/// The people matching `query` in the caller's scope, a page at a time. Every filter is
/// checked (422 at its field; 409 for a unit outside the scope).
pub async fn list(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    query: &RosterQuery,
    limit: u64,
    offset: u64,
) -> AppResult<RosterPage> {
    let mut errors = FieldErrors::new();
    let text = SEARCH.clean(&query.q);
    if text.is_none() {
        errors.add("q", Msg::new("roster.q_invalid"));
    }
    let status = query.status.as_str();
    if !status.is_empty() && !crate::vetting::service::STATUSES.contains(&status) {
        errors.add("status", Msg::new("vetting.status_invalid"));
    }
    let verdict = query.verdict.as_str();
    if !verdict.is_empty() && !VERDICTS.contains(&verdict) {
        errors.add("verdict", Msg::new("roster.verdict_invalid"));
    }
    let invitation = query.invitation.as_str();
    if !invitation.is_empty() && !INVITATIONS.contains(&invitation) {
        errors.add("invitation", Msg::new("roster.invitation_invalid"));
    }
    let sort = if query.sort.is_empty() {
        "name"
    } else {
        query.sort.as_str()
    };
    if !SORTS.contains(&sort) {
        errors.add("sort", Msg::new("roster.sort_invalid"));
    }
    if query.no_post_weeks.is_some_and(|w| !(1..=52).contains(&w)) {
        errors.add("no_post_weeks", Msg::new("roster.weeks_invalid"));
    }
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.add("limit", Msg::new("audit.limit_invalid"));
    }
    if offset > crate::audit::service::MAX_OFFSET {
        errors.add("offset", Msg::new("audit.offset_invalid"));
    }
    let unit = match query.work_unit_id {
        Some(id) => {
            let u = work_units::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|u| user.scope().allows_work_unit(u.institution_id, &u.path));
            if u.is_none() {
                errors.add("work_unit_id", Msg::conflict("users.work_unit_unknown"));
            }
            u
        }
        None => None,
    };
    errors.into_result()?;

    let mut q = crate::ambassadors::service::scoped(user);
    if let Some(t) = text
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        let digits: String = t.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        if all_digits && digits.len() == 18 {
            q = q.filter(ambassadors::Column::Nip.eq(key.index(&digits)));
        } else if all_digits && digits.len() == 4 {
            q = q.filter(ambassadors::Column::NipTail.eq(digits));
        } else {
            use sea_orm::sea_query::{ExprTrait, Func};
            let pattern = format!("%{t}%");
            let lower = |c: users::Column| Expr::expr(Func::lower(Expr::col((users::Entity, c))));
            // Correlated to each person in scope (a coordinator's scope is a small part of
            // everyone): their account's name and email, their handles, their display name.
            let people = Query::select()
                .expr(Expr::val(1))
                .from(users::Entity)
                .and_where(
                    Expr::col((users::Entity, users::Column::Id))
                        .equals((ambassadors::Entity, ambassadors::Column::UserId)),
                )
                .cond_where(
                    Condition::any()
                        .add(lower(users::Column::Name).like(pattern.clone()))
                        .add(lower(users::Column::Email).like(pattern.clone())),
                )
                .to_owned();
            let handles = Query::select()
                .expr(Expr::val(1))
                .from(ap::Entity)
                .and_where(
                    Expr::col((ap::Entity, ap::Column::AmbassadorId))
                        .equals((ambassadors::Entity, ambassadors::Column::Id)),
                )
                .and_where(Expr::col((ap::Entity, ap::Column::Handle)).like(pattern.clone()))
                .to_owned();
            q = q.filter(
                Condition::any()
                    .add(
                        Expr::expr(Func::lower(Expr::col((
                            ambassadors::Entity,
                            ambassadors::Column::DisplayName,
                        ))))
                        .like(pattern),
                    )
                    .add(Expr::exists(people))
                    .add(Expr::exists(handles)),
            );
        }
    }
    if !status.is_empty() {
        q = q.filter(ambassadors::Column::Status.eq(status));
    }
    if let Some(u) = &unit {
        q = q.filter(
            ambassadors::Column::WorkUnitId
                .in_subquery(crate::org::service::subtree_units(&u.path)),
        );
    }
    if !verdict.is_empty() {
        q = q.filter(
            ambassadors::Column::Id.in_subquery(
                Query::select()
                    .column(ap::Column::AmbassadorId)
                    .from(ap::Entity)
                    .and_where(ap::Column::Verdict.eq(verdict))
                    .to_owned(),
            ),
        );
    }
    if !invitation.is_empty() {
        let pending = Query::select()
            .column(users::Column::Id)
            .from(users::Entity)
            .and_where(users::Column::InvitationPendingSince.is_not_null())
            .to_owned();
        q = q.filter(if invitation == "pending" {
            ambassadors::Column::UserId.in_subquery(pending)
        } else {
            ambassadors::Column::UserId.not_in_subquery(pending)
        });
    }
    if query.attention {
        let (required, _) = crate::settings::service::thresholds(db).await?;
        let mut short = Condition::any();
        for p in &required {
            short = short.add(
                ambassadors::Column::Id.not_in_subquery(
                    Query::select()
                        .column(ap::Column::AmbassadorId)
                        .from(ap::Entity)
                        .and_where(ap::Column::Platform.eq(p.as_str()))
                        .and_where(ap::Column::Verdict.eq("meets"))
                        .to_owned(),
                ),
            );
        }
        q = q.filter(ambassadors::Column::Status.eq("approved"));
        // Nobody is short of rules that require nothing.
        q = if required.is_empty() {
            q.filter(ambassadors::Column::Id.lt(0))
        } else {
            q.filter(short)
        };
    }
    if let Some(weeks) = query.no_post_weeks {
        let current = crate::leaderboard::standings::current_week(db).await?;
        let since = current - Duration::weeks(weeks - 1);
        q = q.filter(
            ambassadors::Column::Id.not_in_subquery(
                Query::select()
                    .column(week_activity::Column::AmbassadorId)
                    .from(week_activity::Entity)
                    .and_where(week_activity::Column::VerifiedPosts.gt(0))
                    .and_where(week_activity::Column::WeekStart.gte(since))
                    .to_owned(),
            ),
        );
    }
    let total = q.clone().count(db).await?;
    q = match sort {
        "newest" => q.order_by_desc(ambassadors::Column::SubmittedAt),
        "oldest" => q.order_by_asc(ambassadors::Column::SubmittedAt),
        "member_since" => q.order_by_asc(ambassadors::Column::MemberSince),
        _ => q.order_by_asc(ambassadors::Column::DisplayName),
    };
    let rows = q
        .order_by_asc(ambassadors::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok(RosterPage {
        people: describe(db, key, user, rows).await?,
        total,
        limit,
        offset,
    })
}

/// The roster rows of a page of ambassadors: a handful of queries for the whole page.
async fn describe(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    rows: Vec<ambassadors::Model>,
) -> AppResult<Vec<RosterRow>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let people: HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let units: HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(rows.iter().map(|r| r.work_unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut platforms: HashMap<i64, Vec<RosterPlatform>> = HashMap::new();
    for p in ap::Entity::find()
        .filter(ap::Column::AmbassadorId.is_in(ids.iter().copied()))
        .order_by_asc(ap::Column::Platform)
        .all(db)
        .await?
    {
        platforms
            .entry(p.ambassador_id)
            .or_default()
            .push(RosterPlatform {
                platform: p.platform,
                handle: p.handle,
                verdict: p.verdict,
                follower_count: p.follower_count,
            });
    }
    let last: HashMap<i64, Option<NaiveDate>> = week_activity::Entity::find()
        .select_only()
        .column(week_activity::Column::AmbassadorId)
        .column_as(week_activity::Column::WeekStart.max(), "last")
        .filter(week_activity::Column::AmbassadorId.is_in(ids.iter().copied()))
        .filter(week_activity::Column::VerifiedPosts.gt(0))
        .group_by(week_activity::Column::AmbassadorId)
        .into_tuple::<(i64, Option<NaiveDate>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let (required, _) = crate::settings::service::thresholds(db).await?;
    let approved: Vec<i64> = rows
        .iter()
        .filter(|r| r.status == "approved")
        .map(|r| r.id)
        .collect();
    let attention =
        crate::ambassadors::attention::needing_attention(db, &required, &approved).await?;
    let below = crate::ambassadors::attention::below_since(db, &approved).await?;
    let referred = crate::recruitment::service::counts_for(db, &ids).await?;
    let nip = sees_nip(user);
    Ok(rows
        .into_iter()
        .map(|r| {
            let person = people.get(&r.user_id);
            RosterRow {
                id: r.id,
                user_id: r.user_id,
                name: person.map(|u| u.name.clone()).unwrap_or_default(),
                email: person.map(|u| u.email.clone()).unwrap_or_default(),
                nip: nip.then(|| crate::nip::nip_digits(key, &r)).flatten(),
                invitation_pending: person.is_some_and(|u| u.invitation_pending_since.is_some()),
                needs_attention: attention.contains(&r.id),
                below_since: below.get(&r.id).copied(),
                last_post_week: last.get(&r.id).copied().flatten(),
                work_unit_name: units.get(&r.work_unit_id).cloned().unwrap_or_default(),
                platforms: platforms.remove(&r.id).unwrap_or_default(),
                referrals: referred.get(&r.id).map_or(0, |c| c.0),
                display_name: r.display_name,
                employee_type: r.employee_type,
                status: r.status,
                work_unit_id: r.work_unit_id,
                member_since: r.member_since,
            }
        })
        .collect())
}

/// The whole roster matching `query` as one table for a download (CSV or XLSX): every
/// page, in the query's order. No NIP for leadership and national users.
pub async fn table(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    query: &RosterQuery,
    lang: crate::web::i18n::Lang,
) -> AppResult<crate::stats::export::Table> {
    use crate::stats::export::{Cell, Column, Kind, Table};
    use crate::web::i18n::t;
    let nip = sees_nip(user);
    let mut columns = vec![
        ("roster.col_name", Kind::Text),
        ("roster.col_display_name", Kind::Text),
        ("roster.col_email", Kind::Text),
    ];
    if nip {
        columns.push(("roster.col_nip", Kind::Text));
    }
    columns.extend([
        ("roster.col_type", Kind::Text),
        ("roster.col_status", Kind::Text),
        ("roster.col_unit", Kind::Text),
        ("roster.col_member_since", Kind::Text),
        ("roster.col_invitation", Kind::Text),
        ("roster.col_attention", Kind::Text),
        ("roster.col_last_post", Kind::Text),
        ("roster.col_referrals", Kind::Integer),
        ("roster.col_facebook", Kind::Integer),
        ("roster.col_x", Kind::Integer),
        ("roster.col_instagram", Kind::Integer),
        ("roster.col_tiktok", Kind::Integer),
        ("roster.col_youtube", Kind::Integer),
    ]);
    let mut out = Table {
        name: t(lang, "roster.title"),
        columns: columns
            .iter()
            .map(|(k, kind)| Column {
                label: t(lang, k),
                kind: *kind,
            })
            .collect(),
        rows: Vec::new(),
    };
    let yes_no = |b: bool| t(lang, if b { "roster.yes" } else { "roster.no" });
    let mut offset = 0;
    loop {
        let page = list(db, key, user, query, MAX_LIMIT, offset).await?;
        let n = page.people.len() as u64;
        for r in page.people {
            let count = |p: &str| {
                r.platforms
                    .iter()
                    .find(|x| x.platform == p)
                    .and_then(|x| x.follower_count)
                    .map_or(Cell::Empty, Cell::Int)
            };
            let mut row = vec![
                Cell::Text(r.name.clone()),
                Cell::Text(r.display_name.clone()),
                Cell::Text(r.email.clone()),
            ];
            if nip {
                row.push(Cell::Text(r.nip.clone().unwrap_or_default()));
            }
            row.extend([
                Cell::Text(r.employee_type.to_uppercase()),
                Cell::Text(t(lang, &format!("statuses.{}", r.status))),
                Cell::Text(r.work_unit_name.clone()),
                Cell::Text(r.member_since.map(|d| d.to_string()).unwrap_or_default()),
                Cell::Text(yes_no(r.invitation_pending)),
                Cell::Text(yes_no(r.needs_attention)),
                Cell::Text(r.last_post_week.map(|d| d.to_string()).unwrap_or_default()),
                Cell::Int(r.referrals as i64),
                count("facebook"),
                count("x"),
                count("instagram"),
                count("tiktok"),
                count("youtube"),
            ]);
            out.rows.push(row);
        }
        offset += n;
        if n < MAX_LIMIT || offset >= page.total {
            break;
        }
    }
    Ok(out)
}
