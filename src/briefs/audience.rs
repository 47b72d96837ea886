//! A brief's audience, person by person: who has seen it, saved a draft, submitted a post
//! and had it verified, for the coordinators who chase the rest. The state is the
//! furthest a person got (verified, submitted, rejected, draft, seen, not seen), computed
//! in one statement from the submissions, drafts and first reads of this brief, so the
//! counts and the page always agree with the tables they come from.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Cond, Expr, ExprTrait, JoinType, OnConflict, Order, Query, SelectStatement,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Serialize;

use crate::auth::guards::CurrentUser;
use crate::auth::roles::Scope;
use crate::error::{AppResult, FieldErrors, Msg};
use crate::web::i18n::Lang;
use entity::{ambassadors, brief_reads, brief_work_units, briefs, drafts, submissions, work_units};

/// The states, from not having opened the brief to a verified post.
pub const STATES: [&str; 6] = [
    "not_seen",
    "seen",
    "draft",
    "rejected",
    "submitted",
    "verified",
];
/// Rows per page, and the most an API client may ask for.
pub const PAGE: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

/// How many people of the audience are in each state.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AudienceCounts {
    /// Everyone the brief is addressed to (approved ambassadors in the caller's scope).
    pub audience: u64,
    pub not_seen: u64,
    pub seen: u64,
    pub draft: u64,
    /// Only rejected posts so far.
    pub rejected: u64,
    /// A post waiting for verification.
    pub submitted: u64,
    pub verified: u64,
    /// Submitted and verified together: the people who have posted.
    pub posted: u64,
}

impl AudienceCounts {
    fn add(&mut self, state: &str, n: u64) {
        self.audience += n;
        match state {
            "seen" => self.seen += n,
            "draft" => self.draft += n,
            "rejected" => self.rejected += n,
            "submitted" => {
                self.submitted += n;
                self.posted += n;
            }
            "verified" => {
                self.verified += n;
                self.posted += n;
            }
            _ => self.not_seen += n,
        }
    }
}

/// One person of a brief's audience.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AudiencePerson {
    pub ambassador_id: i64,
    pub display_name: String,
    pub work_unit: String,
    /// not_seen, seen, draft, rejected, submitted or verified
    pub state: String,
    /// When they first opened the brief.
    pub first_seen_at: Option<DateTime<Utc>>,
    /// A `wa.me` link to the person's number with a reminder about this brief typed in;
    /// none when the phone is not a mobile number.
    pub wa_link: Option<String>,
}

/// A page of a brief's audience, with the counts of the whole audience.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AudiencePage {
    pub brief_id: i64,
    pub counts: AudienceCounts,
    /// People matching the state asked for (everyone without one).
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
    pub people: Vec<AudiencePerson>,
}

/// Notes that an approved ambassador opened a brief addressed to them (the first time
/// only; later opens change nothing).
pub async fn record_read(
    db: &impl ConnectionTrait,
    ambassador_id: i64,
    brief_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    brief_reads::Entity::insert(brief_reads::ActiveModel {
        brief_id: Set(brief_id),
        ambassador_id: Set(ambassador_id),
        first_seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            brief_reads::Column::BriefId,
            brief_reads::Column::AmbassadorId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Notes the read when `user` is an approved ambassador (the brief was found for them,
/// so it is addressed to them).
pub async fn record_read_by(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    brief_id: i64,
) -> AppResult<()> {
    if let Some(own) = super::service::reader_of(db, user).await? {
        record_read(db, own.record.id, brief_id, Utc::now()).await?;
    }
    Ok(())
}

/// A read receipt from an approved ambassador for a brief addressed to them (404
/// otherwise): the first time is kept; answers it.
pub async fn mark_seen(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: i64,
) -> AppResult<DateTime<Utc>> {
    super::service::get_brief_for(db, user, brief_id).await?;
    let own = super::service::reader_of(db, user)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    record_read(db, own.record.id, brief_id, Utc::now()).await?;
    brief_reads::Entity::find_by_id((brief_id, own.record.id))
        .one(db)
        .await?
        .map(|r| r.first_seen_at)
        .ok_or(crate::error::AppError::NotFound)
}

const STATE: &str = "state";

/// Every approved ambassador the brief is addressed to, within the caller's scope, with
/// their state as a number (the index in [`STATES`]).
async fn audience_query(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    brief: &briefs::Model,
) -> AppResult<SelectStatement> {
    let a = Alias::new("a");
    let s = Alias::new("s");
    let d = Alias::new("d");
    let r = Alias::new("r");
    let best = Alias::new("best");
    // The best post of each person for this brief (one pass over the brief's posts).
    let posts = Query::select()
        .column(submissions::Column::AmbassadorId)
        .expr_as(
            Expr::case(submissions::Column::Status.eq("verified"), 5)
                .case(submissions::Column::Status.eq("pending"), 4)
                .finally(3)
                .max(),
            best.clone(),
        )
        .from(submissions::Entity)
        .and_where(submissions::Column::BriefId.eq(brief.id))
        .group_by_col(submissions::Column::AmbassadorId)
        .to_owned();
    let drafted = Query::select()
        .distinct()
        .column(drafts::Column::UserId)
        .from(drafts::Entity)
        .and_where(drafts::Column::BriefId.eq(brief.id))
        .to_owned();
    let state = Expr::case(
        Expr::col((s.clone(), best.clone())).is_not_null(),
        Expr::col((s.clone(), best.clone())),
    )
    .case(
        Expr::col((d.clone(), drafts::Column::UserId)).is_not_null(),
        2,
    )
    .case(
        Expr::col((r.clone(), brief_reads::Column::AmbassadorId)).is_not_null(),
        1,
    )
    .finally(0);
    let mut q = Query::select();
    q.columns([
        (a.clone(), ambassadors::Column::Id),
        (a.clone(), ambassadors::Column::DisplayName),
        (a.clone(), ambassadors::Column::WorkUnitId),
        (a.clone(), ambassadors::Column::Phone),
    ])
    .column((r.clone(), brief_reads::Column::FirstSeenAt))
    .expr_as(state, Alias::new(STATE))
    .from_as(ambassadors::Entity, a.clone())
    .join_subquery(
        JoinType::LeftJoin,
        posts,
        s.clone(),
        Expr::col((s.clone(), submissions::Column::AmbassadorId))
            .equals((a.clone(), ambassadors::Column::Id)),
    )
    .join_subquery(
        JoinType::LeftJoin,
        drafted,
        d.clone(),
        Expr::col((d.clone(), drafts::Column::UserId))
            .equals((a.clone(), ambassadors::Column::UserId)),
    )
    .join_as(
        JoinType::LeftJoin,
        brief_reads::Entity,
        r.clone(),
        Cond::all()
            .add(Expr::col((r.clone(), brief_reads::Column::BriefId)).eq(brief.id))
            .add(
                Expr::col((r.clone(), brief_reads::Column::AmbassadorId))
                    .equals((a.clone(), ambassadors::Column::Id)),
            ),
    )
    .and_where(Expr::col((a.clone(), ambassadors::Column::InstitutionId)).eq(brief.institution_id))
    .and_where(Expr::col((a.clone(), ambassadors::Column::Status)).eq("approved"));
    if brief.audience != "institution" {
        let unit_ids: Vec<i64> = brief_work_units::Entity::find()
            .filter(brief_work_units::Column::BriefId.eq(brief.id))
            .all(db)
            .await?
            .into_iter()
            .map(|u| u.work_unit_id)
            .collect();
        let paths: Vec<String> = work_units::Entity::find()
            .filter(work_units::Column::Id.is_in(unit_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| u.path)
            .collect();
        let mut any = Cond::any();
        for p in &paths {
            any = any.add(work_units::Column::Path.starts_with(p));
        }
        if paths.is_empty() {
            any = any.add(Expr::val(1).eq(0));
        }
        q.and_where(
            Expr::col((a.clone(), ambassadors::Column::WorkUnitId)).in_subquery(
                Query::select()
                    .column(work_units::Column::Id)
                    .from(work_units::Entity)
                    .cond_where(any)
                    .to_owned(),
            ),
        );
    }
    if let Scope::Institution {
        work_unit_path: Some(p),
        ..
    } = user.scope()
    {
        q.and_where(
            Expr::col((a.clone(), ambassadors::Column::WorkUnitId))
                .in_subquery(crate::org::service::subtree_units(&p)),
        );
    }
    Ok(q)
}

/// How many of the brief's audience are in each state.
pub async fn counts_of(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    brief: &briefs::Model,
) -> AppResult<AudienceCounts> {
    counts_in(db, audience_query(db, user, brief).await?).await
}

/// The counts per state of an audience query.
async fn counts_in(db: &impl ConnectionTrait, inner: SelectStatement) -> AppResult<AudienceCounts> {
    let t = Alias::new("t");
    let q = Query::select()
        .column((t.clone(), Alias::new(STATE)))
        .expr(Expr::col((t.clone(), Alias::new(STATE))).count())
        .from_subquery(inner, t.clone())
        .group_by_col((t.clone(), Alias::new(STATE)))
        .to_owned();
    let backend = db.get_database_backend();
    let mut counts = AudienceCounts::default();
    for row in db.query_all_raw(backend.build(&q)).await? {
        let state: i32 = row.try_get_by_index(0)?;
        let n: i64 = row.try_get_by_index(1)?;
        counts.add(state_name(state), u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}

fn state_name(n: i32) -> &'static str {
    usize::try_from(n)
        .ok()
        .and_then(|i| STATES.get(i))
        .copied()
        .unwrap_or("not_seen")
}

/// The reminder typed into a person's WhatsApp link for a brief.
fn reminder_text(lang: Lang, name: &str, title: &str, deadline: &str) -> String {
    crate::web::i18n::t_with(
        lang,
        "audience.reminder_wa",
        &[("name", name), ("title", title), ("deadline", deadline)],
    )
}

/// A page of a brief's audience (coordinators and admins; 404 for a brief they do not
/// manage), by state then name, optionally only those in `state`.
pub async fn page_of(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: i64,
    state: Option<&str>,
    lang: Lang,
    limit: u64,
    offset: u64,
) -> AppResult<AudiencePage> {
    let brief = super::service::get_managed_brief(db, user, brief_id).await?;
    let mut errors = FieldErrors::new();
    let wanted = match state.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match STATES.iter().position(|x| *x == s) {
            Some(i) => Some(i as i64),
            None => {
                errors.add("state", Msg::new("audience.state_invalid"));
                None
            }
        },
    };
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.add("limit", Msg::new("audit.limit_invalid"));
    }
    if offset > crate::audit::service::MAX_OFFSET {
        errors.add("offset", Msg::new("audit.offset_invalid"));
    }
    errors.into_result()?;
    let inner = audience_query(db, user, &brief).await?;
    let counts = counts_in(db, inner.clone()).await?;
    let total = match wanted {
        None => counts.audience,
        Some(i) => match STATES[i as usize] {
            "seen" => counts.seen,
            "draft" => counts.draft,
            "rejected" => counts.rejected,
            "submitted" => counts.submitted,
            "verified" => counts.verified,
            _ => counts.not_seen,
        },
    };
    let people = people_of(db, inner, &brief, wanted, lang, Some((limit, offset))).await?;
    Ok(AudiencePage {
        brief_id: brief.id,
        counts,
        total,
        limit,
        offset,
        people,
    })
}

/// The people of the audience in `wanted` (everyone without one), not seen first then by
/// name; a page of them or all.
async fn people_of(
    db: &DatabaseConnection,
    inner: SelectStatement,
    brief: &briefs::Model,
    wanted: Option<i64>,
    lang: Lang,
    page: Option<(u64, u64)>,
) -> AppResult<Vec<AudiencePerson>> {
    let t = Alias::new("t");
    let mut q = Query::select();
    q.column(sea_orm::sea_query::Asterisk)
        .from_subquery(inner, t.clone());
    if let Some(w) = wanted {
        q.and_where(Expr::col((t.clone(), Alias::new(STATE))).eq(w));
    }
    q.order_by((t.clone(), Alias::new(STATE)), Order::Asc)
        .order_by((t.clone(), ambassadors::Column::DisplayName), Order::Asc)
        .order_by((t.clone(), ambassadors::Column::Id), Order::Asc);
    if let Some((limit, offset)) = page {
        q.limit(limit).offset(offset);
    }
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(backend.build(&q)).await?;
    let tz = crate::settings::service::programme_timezone(db).await?;
    let deadline = crate::web::time::local_with_zone(brief.deadline, &tz);
    let mut people = Vec::with_capacity(rows.len());
    let mut unit_ids = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        let name: String = row.try_get("", "display_name")?;
        let unit: i64 = row.try_get("", "work_unit_id")?;
        let phone: String = row.try_get("", "phone")?;
        let seen: Option<DateTime<Utc>> = row.try_get("", "first_seen_at")?;
        let state: i32 = row.try_get("", STATE)?;
        unit_ids.push(unit);
        people.push((
            unit,
            AudiencePerson {
                ambassador_id: id,
                wa_link: crate::submissions::rules::wa_message_link(
                    &phone,
                    &reminder_text(lang, &name, &brief.title, &deadline),
                ),
                display_name: name,
                work_unit: String::new(),
                state: state_name(state).to_string(),
                first_seen_at: seen,
            },
        ));
    }
    let units = crate::org::service::unit_name_map(db, unit_ids).await?;
    Ok(people
        .into_iter()
        .map(|(unit, mut p)| {
            p.work_unit = units.get(&unit).cloned().unwrap_or_default();
            p
        })
        .collect())
}

/// The whole audience (or those in `state`) as a table for a CSV download.
pub async fn table(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: i64,
    state: Option<&str>,
    lang: Lang,
) -> AppResult<(briefs::Model, crate::stats::export::Table)> {
    use crate::stats::export::{Cell, Column, Kind, Table};
    use crate::web::i18n::t;
    let brief = super::service::get_managed_brief(db, user, brief_id).await?;
    let wanted = match state.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(STATES.iter().position(|x| *x == s).ok_or_else(|| {
            crate::error::AppError::Validation(FieldErrors::single(
                "state",
                Msg::new("audience.state_invalid"),
            ))
        })? as i64),
    };
    let inner = audience_query(db, user, &brief).await?;
    let people = people_of(db, inner, &brief, wanted, lang, None).await?;
    let tz = crate::settings::service::programme_timezone(db).await?;
    let columns = [
        ("audience.col_name", Kind::Text),
        ("audience.col_unit", Kind::Text),
        ("audience.col_state", Kind::Text),
        ("audience.col_first_seen", Kind::Text),
    ]
    .into_iter()
    .map(|(k, kind)| Column {
        label: t(lang, k),
        kind,
    })
    .collect();
    let rows = people
        .into_iter()
        .map(|p| {
            vec![
                Cell::Text(p.display_name),
                Cell::Text(p.work_unit),
                Cell::Text(t(lang, &format!("audience.state_{}", p.state))),
                Cell::Text(
                    p.first_seen_at
                        .map(|s| crate::web::time::local_with_zone(s, &tz))
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    Ok((
        brief.clone(),
        Table {
            name: brief.title,
            columns,
            rows,
        },
    ))
}

/// How far an urgent brief has travelled: its audience (in the caller's scope) pushed,
/// seen, drafted, posted and verified; the median minutes from its coming out to each
/// person's first post ("time to amplify"); and the share of the audience who had seen
/// it and posted by 1, 3 and 24 hours.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Amplification {
    pub brief_id: i64,
    /// When the brief came out (its audience was told); null while it has not.
    pub published_at: Option<DateTime<Utc>>,
    pub audience: u64,
    /// People with at least one browser the push reached.
    pub pushed: u64,
    /// People who opened it (or went further).
    pub seen: u64,
    /// People who saved a draft (or went further).
    pub drafted: u64,
    /// People with a post waiting or verified.
    pub posted: u64,
    pub verified: u64,
    /// Median minutes from coming out to a person's first post (of those who posted);
    /// null before anyone has.
    pub time_to_amplify_minutes: Option<f64>,
    /// By 1, 3 and 24 hours after coming out.
    pub reach: Vec<Reach>,
}

/// The share of the audience reached within some hours of a brief coming out.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reach {
    pub hours: i64,
    /// Had opened it, 0 to 1.
    pub seen_share: f64,
    /// Had posted, 0 to 1.
    pub posted_share: f64,
}

/// The hours at which reach is counted.
pub const REACH_HOURS: [i64; 3] = [1, 3, 24];

/// The median of minutes (sorted here), the mean of the middle two for an even count.
pub fn median(mut minutes: Vec<f64>) -> Option<f64> {
    if minutes.is_empty() {
        return None;
    }
    minutes.sort_by(f64::total_cmp);
    let n = minutes.len();
    Some(if n % 2 == 1 {
        minutes[n / 2]
    } else {
        (minutes[n / 2 - 1] + minutes[n / 2]) / 2.0
    })
}

/// An instant as the database gives it back as text: RFC 3339 (SQLite, as SeaORM writes
/// it, with `T` or a space) or PostgreSQL's `2026-12-06 14:00:00.123+00`.
fn stored_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%#z"))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// The amplification of a brief the caller manages (404 otherwise), over its audience in
/// the caller's scope, counted in the database in one statement: it sums the steps and
/// the reach by each hour mark over the audience (each person's state and first read)
/// joined to their first post, and lists the posters' first post times (for the median).
/// Nothing per person comes to the node but those times.
pub async fn amplification_of(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: i64,
) -> AppResult<Amplification> {
    let brief = super::service::get_managed_brief(db, user, brief_id).await?;
    let published_at = brief.notified_at.or(brief.publish_at);
    let t = Alias::new("t");
    let fp = Alias::new("fp");
    let first_at = Alias::new("first_at");
    // Each person's first post that counts (waiting or verified), when they say they
    // posted it.
    let first_posts = Query::select()
        .column(submissions::Column::AmbassadorId)
        .expr_as(
            Expr::col(submissions::Column::PostedAt).min(),
            first_at.clone(),
        )
        .from(submissions::Entity)
        .and_where(submissions::Column::BriefId.eq(brief.id))
        .and_where(submissions::Column::Status.is_in(["pending", "verified"]))
        .group_by_col(submissions::Column::AmbassadorId)
        .to_owned();
    let pushed = Query::select()
        .column(ambassadors::Column::Id)
        .from(ambassadors::Entity)
        .and_where(ambassadors::Column::InstitutionId.eq(brief.institution_id))
        .and_where(
            ambassadors::Column::UserId.in_subquery(
                Query::select()
                    .column(entity::push_deliveries::Column::UserId)
                    .from(entity::push_deliveries::Entity)
                    .and_where(entity::push_deliveries::Column::BriefId.eq(brief.id))
                    .and_where(entity::push_deliveries::Column::State.eq("sent"))
                    .to_owned(),
            ),
        )
        .to_owned();
    let state = || Expr::col((t.clone(), Alias::new(STATE)));
    let seen_at = || Expr::col((t.clone(), Alias::new("first_seen_at")));
    let posted_at = || Expr::col((fp.clone(), first_at.clone()));
    let count_if = |cond: sea_orm::sea_query::SimpleExpr| {
        sea_orm::sea_query::Func::cast_as(
            Expr::case(cond, 1).finally(0).sum(),
            Alias::new("BIGINT"),
        )
    };
    let mut q = Query::select();
    q.expr_as(
        sea_orm::sea_query::Func::cast_as(
            Expr::col((t.clone(), Alias::new("id"))).count(),
            Alias::new("BIGINT"),
        ),
        Alias::new("audience"),
    )
    .expr_as(
        count_if(Expr::col((t.clone(), Alias::new("id"))).in_subquery(pushed)),
        Alias::new("pushed"),
    )
    .expr_as(
        count_if(state().gte(1).or(seen_at().is_not_null())),
        Alias::new("seen"),
    )
    .expr_as(count_if(state().gte(2)), Alias::new("drafted"))
    .expr_as(count_if(state().is_in([4, 5])), Alias::new("posted"))
    .expr_as(count_if(state().eq(5)), Alias::new("verified"));
    // Seen by each mark: opened by then, or posted by then (a post needs no page).
    for h in REACH_HOURS {
        let mark = published_at.map(|out| out + chrono::TimeDelta::hours(h));
        let cond = match mark {
            Some(m) => seen_at().lte(m).or(posted_at().lte(m)),
            None => Expr::value(false),
        };
        q.expr_as(count_if(cond), Alias::new(format!("seen_{h}")));
    }
    // The posters' first post times, one text: `string_agg` on PostgreSQL, `group_concat`
    // on SQLite (both leave out the NULLs of those who did not post).
    let concat = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "string_agg",
        _ => "group_concat",
    };
    q.expr_as(
        Expr::cust(format!(
            "{concat}(CASE WHEN \"t\".\"{STATE}\" IN (4, 5) THEN CAST(\"fp\".\"first_at\" AS TEXT) END, '|')"
        )),
        Alias::new("posted_times"),
    );
    q.from_subquery(audience_query(db, user, &brief).await?, t.clone())
        .join_subquery(
            JoinType::LeftJoin,
            first_posts,
            fp.clone(),
            Expr::col((fp.clone(), submissions::Column::AmbassadorId))
                .equals((t.clone(), Alias::new("id"))),
        );
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(backend.build(&q))
        .await?
        .ok_or_else(|| crate::error::AppError::internal("no amplification row"))?;
    let get = |name: &str| -> AppResult<u64> {
        Ok(u64::try_from(row.try_get::<Option<i64>>("", name)?.unwrap_or(0)).unwrap_or(0))
    };
    let audience = get("audience")?;
    // The posters' first posts, in minutes from coming out (never below nothing: a post
    // reported as made before the brief came out counts as made at once).
    let times: Option<String> = row.try_get("", "posted_times")?;
    let minutes: Vec<f64> = match published_at {
        None => Vec::new(),
        Some(out) => times
            .as_deref()
            .unwrap_or_default()
            .split('|')
            .filter(|t| !t.is_empty())
            .map(|t| {
                let at = stored_instant(t).ok_or_else(|| {
                    crate::error::AppError::internal(format!("a post time not understood: {t}"))
                })?;
                Ok((Ord::max((at - out).num_seconds(), 0) as f64) / 60.0)
            })
            .collect::<AppResult<_>>()?,
    };
    let share = |n: u64| {
        if audience == 0 {
            0.0
        } else {
            n as f64 / audience as f64
        }
    };
    let mut reach = Vec::with_capacity(REACH_HOURS.len());
    for h in REACH_HOURS {
        reach.push(Reach {
            hours: h,
            seen_share: share(get(&format!("seen_{h}"))?),
            posted_share: share(minutes.iter().filter(|m| **m <= (h * 60) as f64).count() as u64),
        });
    }
    Ok(Amplification {
        brief_id: brief.id,
        published_at,
        audience,
        pushed: get("pushed")?,
        seen: get("seen")?,
        drafted: get("drafted")?,
        posted: get("posted")?,
        verified: get("verified")?,
        time_to_amplify_minutes: median(minutes),
        reach,
    })
}
