//! National briefs and their uptake: writing one (checked by the rules of a brief) for the
//! institutions of chosen kinds and regions, each institution's answer (adopted as its own
//! brief with local facts and wording, or declined with a reason), and what the national
//! page shows per institution. Every read filters by the caller's scope in the query.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::briefs::forms::{BriefRequest, Fact};
use crate::briefs::rules::{IsoWeek, MAX_FACTS};
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::org::rules::{INSTITUTION_KINDS, REGIONS};
use crate::text::Text;
use entity::{ambassadors, institutions, national_briefs, national_uptakes, submissions, users};

/// The notice to an institution's coordinators: a national brief waits for their answer.
pub const NOTICE: &str = "national_brief";
/// National briefs per page.
pub const PER_PAGE: u64 = 50;
/// The reason for declining, and local key messages added when adopting.
pub const REASON: Text = Text::lines(1, 1_000);
pub const LOCAL_TEXT: Text = Text::lines(0, 2_000);

/// A national brief as its writer sends it (page form or API).
#[derive(Debug, Clone, Default)]
pub struct NationalInput {
    pub content: BriefRequest,
    pub kinds: Vec<String>,
    pub regions: Vec<String>,
    pub hoax_case_id: Option<i64>,
}

/// What an institution adds when it adopts: key messages of its own (after the national
/// ones), facts of its own (after the national ones), and its own sample wording (instead
/// of the national one).
#[derive(Debug, Clone, Default)]
pub struct AdoptInput {
    pub local_key_messages: String,
    pub local_facts: Vec<Fact>,
    pub sample: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalContent {
    pub title: String,
    /// ISO week it was written in.
    pub week: String,
    pub category: String,
    pub key_messages: String,
    pub facts: Vec<Fact>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
    pub dos: String,
    pub donts: String,
    pub sample: String,
    pub platforms: Vec<String>,
    pub deadline: DateTime<Utc>,
    /// `normal` or `urgent`.
    pub priority: String,
    pub template_ids: Vec<i64>,
}

/// What happened to a national brief so far, over the institutions it reached.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct UptakeSummary {
    pub institutions: u64,
    pub adopted: u64,
    pub declined: u64,
    pub waiting: u64,
    /// Every institution it reached declined it.
    pub declined_by_all: bool,
}

/// One institution's answer to a national brief, with what its own brief did (adopted).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UptakeRow {
    pub institution_id: i64,
    pub institution: String,
    pub kind: String,
    pub region: Option<String>,
    /// `waiting`, `adopted` or `declined`.
    pub state: String,
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The institution's own brief (adopted).
    pub brief_id: Option<i64>,
    /// Approved ambassadors of the institution (adopted: its brief is addressed to all).
    pub reached: u64,
    /// Posts for its brief (awaiting verification or verified).
    pub posts: u64,
    /// The median minutes from its brief coming out to each ambassador's first post.
    pub time_to_amplify_minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalBriefView {
    pub id: i64,
    pub content: NationalContent,
    /// The kinds of institution it was addressed to; empty for every kind.
    pub kinds: Vec<String>,
    /// The regions it was addressed to; empty for every region (and the central
    /// government).
    pub regions: Vec<String>,
    /// The case of the national hoax list it answers.
    pub hoax_case_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub summary: UptakeSummary,
    /// National users and admins: every institution it reached, by name; coordinators:
    /// their institution's only.
    pub uptake: Vec<UptakeRow>,
    /// Over the adopted briefs: ambassadors reached, posts, and the median time to amplify.
    pub reached: u64,
    pub posts: u64,
    pub time_to_amplify_minutes: Option<f64>,
}

/// A national brief in a list: for coordinators, with their institution's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalBriefItem {
    pub id: i64,
    pub title: String,
    pub priority: String,
    pub deadline: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub summary: UptakeSummary,
    /// Coordinators: their institution's answer (`waiting`, `adopted`, `declined`).
    pub my_state: Option<String>,
    /// Coordinators: their institution's own brief, when adopted.
    pub my_brief_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NationalBriefPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<NationalBriefItem>,
}

fn json_list<T: serde::de::DeserializeOwned>(raw: &str) -> Vec<T> {
    serde_json::from_str(raw).unwrap_or_default()
}

fn to_json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(AppError::internal)
}

fn content_of(b: &national_briefs::Model) -> NationalContent {
    NationalContent {
        title: b.title.clone(),
        week: b.week.clone(),
        category: b.category.clone(),
        key_messages: b.key_messages.clone(),
        facts: json_list(&b.facts),
        hashtags: json_list(&b.hashtags),
        mentions: json_list(&b.mentions),
        dos: b.dos.clone(),
        donts: b.donts.clone(),
        sample: b.sample.clone(),
        platforms: json_list(&b.platforms),
        deadline: b.deadline,
        priority: b.priority.clone(),
        template_ids: json_list(&b.template_ids),
    }
}

/// Kinds or regions as asked: each known, once; 422 at `field` otherwise.
fn choices(errors: &mut FieldErrors, field: &str, asked: &[String], known: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in asked {
        let a = a.trim();
        if !known.contains(&a) {
            errors.add(field, Msg::new(&format!("narratives.{field}_invalid")));
            return Vec::new();
        }
        if !out.iter().any(|o| o == a) {
            out.push(a.to_string());
        }
    }
    out
}

/// The institutions of the chosen kinds and regions (each list empty for every one).
async fn addressed(
    db: &impl ConnectionTrait,
    kinds: &[String],
    regions: &[String],
) -> AppResult<Vec<i64>> {
    let mut q = institutions::Entity::find()
        .select_only()
        .column(institutions::Column::Id)
        .order_by_asc(institutions::Column::Id);
    if !kinds.is_empty() {
        q = q.filter(institutions::Column::Kind.is_in(kinds.to_vec()));
    }
    if !regions.is_empty() {
        q = q.filter(institutions::Column::Region.is_in(regions.to_vec()));
    }
    Ok(q.into_tuple().all(db).await?)
}

/// The coordinators who answer for an institution: active, for the whole institution.
async fn desk_of(db: &impl ConnectionTrait, institution_ids: &[i64]) -> AppResult<Vec<i64>> {
    let mut out = Vec::new();
    for chunk in institution_ids.chunks(1000) {
        out.extend(
            users::Entity::find()
                .select_only()
                .column(users::Column::Id)
                .filter(users::Column::InstitutionId.is_in(chunk.to_vec()))
                .filter(users::Column::Role.eq(Role::Coordinator.as_str()))
                .filter(users::Column::WorkUnitId.is_null())
                .filter(users::Column::IsActive.eq(true))
                .into_tuple::<i64>()
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// Writes a national brief (national users): its content checked as a brief's, published
/// at once to every institution of the chosen kinds and regions (422 at `kinds` when none
/// is), each of whose coordinators is told. With `hoax_case_id`, a confirmed case of the
/// national list is answered by it (409 otherwise). Audited.
pub async fn create(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    input: &NationalInput,
    ip: &ClientIp,
) -> AppResult<NationalBriefView> {
    let tz = crate::settings::service::programme_timezone(db).await?;
    let now = Utc::now();
    let req = BriefRequest {
        institution_id: None,
        week: IsoWeek::of(now.with_timezone(&tz).date_naive()).to_string(),
        work_unit_ids: Vec::new(),
        status: "published".into(),
        publish_at: None,
        ..input.content.clone()
    };
    let mut errors = FieldErrors::new();
    let kinds = choices(&mut errors, "kinds", &input.kinds, &INSTITUTION_KINDS);
    let slugs: Vec<&str> = REGIONS.iter().map(|(s, _)| *s).collect();
    let regions = choices(&mut errors, "regions", &input.regions, &slugs);
    let checked = match crate::briefs::service::check_national(db, user, &req).await {
        Ok(c) => Some(c),
        Err(AppError::Validation(f)) => return Err(AppError::Validation(f.merged(errors))),
        Err(e) => return Err(e),
    };
    errors.into_result()?;
    let Some(c) = checked else {
        return Err(AppError::internal("a national brief was not checked"));
    };
    let targets = addressed(db, &kinds, &regions).await?;
    if targets.is_empty() {
        return Err(AppError::Validation(FieldErrors::single(
            "kinds",
            Msg::new("narratives.no_institution"),
        )));
    }
    if let Some(case) = input.hoax_case_id {
        crate::hoaxes::service::case_to_answer(db, user, case, true).await?;
    }
    let txn = begin_write(db).await?;
    let saved = national_briefs::ActiveModel {
        title: Set(c.title.clone()),
        week: Set(c.week.to_string()),
        week_start: Set(c.week.monday()),
        category: Set(c.category.clone()),
        key_messages: Set(c.key_messages.clone()),
        facts: Set(to_json(&c.facts)?),
        hashtags: Set(to_json(&c.hashtags)?),
        mentions: Set(to_json(&c.mentions)?),
        dos: Set(c.dos.clone()),
        donts: Set(c.donts.clone()),
        sample: Set(c.sample.clone()),
        platforms: Set(to_json(&c.platforms)?),
        deadline: Set(c.deadline),
        priority: Set(c.priority.clone()),
        template_ids: Set(to_json(&c.template_ids)?),
        kinds: Set(to_json(&kinds)?),
        regions: Set(to_json(&regions)?),
        hoax_case_id: Set(input.hoax_case_id),
        created_by: Set(user.id()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for chunk in targets.chunks(1000) {
        national_uptakes::Entity::insert_many(chunk.iter().map(|i| {
            national_uptakes::ActiveModel {
                national_brief_id: Set(saved.id),
                institution_id: Set(*i),
                state: Set("waiting".into()),
                reason: Set(None),
                brief_id: Set(None),
                decided_by: Set(None),
                decided_at: Set(None),
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    if let Some(case) = input.hoax_case_id {
        if !crate::hoaxes::service::answer_nationally(&txn, case, now).await? {
            return Err(AppError::Conflict(FieldErrors::single(
                "hoax_case_id",
                Msg::conflict("hoaxes.clarify_has_brief"),
            )));
        }
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "national_brief.create",
            target_type: "national_brief",
            target_id: Some(saved.id),
            institution_id: None,
            detail: serde_json::json!({
                "kinds": kinds, "regions": regions, "institutions": targets.len(),
                "hoax_case_id": input.hoax_case_id,
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    let desk = desk_of(db, &targets).await?;
    if let Err(e) =
        crate::notifications::service::notice_once(db, mailer, NOTICE, &desk, "/national-briefs")
            .await
    {
        tracing::warn!(error = %e, "coordinators not told of a national brief");
    }
    view(db, user, saved.id).await
}

/// The caller's institution when they answer for it: a coordinator of the whole
/// institution (403 for one limited to a unit: the institution answers once, for all).
fn answering_institution(user: &CurrentUser) -> AppResult<i64> {
    match (user.role, user.user.institution_id, user.user.work_unit_id) {
        (Role::Coordinator, Some(i), None) => Ok(i),
        _ => Err(AppError::Forbidden),
    }
}

/// A national brief the caller may see (404 otherwise): national users and admins see
/// every one, coordinators those that reached their institution.
async fn get_for(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> AppResult<national_briefs::Model> {
    let brief = national_briefs::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    match user.role {
        Role::National | Role::Admin => Ok(brief),
        Role::Coordinator => {
            let inst = user.user.institution_id.ok_or(AppError::NotFound)?;
            national_uptakes::Entity::find()
                .filter(national_uptakes::Column::NationalBriefId.eq(id))
                .filter(national_uptakes::Column::InstitutionId.eq(inst))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(brief)
        }
        _ => Err(AppError::NotFound),
    }
}

/// Counts per national brief: institutions reached, adopted, declined, waiting.
async fn summaries(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, UptakeSummary>> {
    let rows: Vec<(i64, String, i64)> = national_uptakes::Entity::find()
        .select_only()
        .column(national_uptakes::Column::NationalBriefId)
        .column(national_uptakes::Column::State)
        .column_as(national_uptakes::Column::Id.count(), "n")
        .filter(national_uptakes::Column::NationalBriefId.is_in(ids.to_vec()))
        .group_by(national_uptakes::Column::NationalBriefId)
        .group_by(national_uptakes::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<i64, UptakeSummary> = HashMap::new();
    for (id, state, n) in rows {
        let s = out.entry(id).or_default();
        let n = u64::try_from(n).unwrap_or(0);
        s.institutions += n;
        match state.as_str() {
            "adopted" => s.adopted += n,
            "declined" => s.declined += n,
            _ => s.waiting += n,
        }
    }
    for s in out.values_mut() {
        s.declined_by_all = s.institutions > 0 && s.declined == s.institutions;
    }
    Ok(out)
}

/// National briefs, newest first, 50 a page: national users and admins every one;
/// coordinators those that reached their institution, with its answer.
pub async fn list(
    db: &DatabaseConnection,
    user: &CurrentUser,
    page: u64,
) -> AppResult<NationalBriefPage> {
    let mut q = national_briefs::Entity::find()
        .order_by_desc(national_briefs::Column::CreatedAt)
        .order_by_desc(national_briefs::Column::Id);
    let mine = match user.role {
        Role::National | Role::Admin => None,
        Role::Coordinator => {
            let inst = user.user.institution_id.ok_or(AppError::Forbidden)?;
            q = q.filter(
                national_briefs::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(national_uptakes::Column::NationalBriefId)
                        .from(national_uptakes::Entity)
                        .and_where(national_uptakes::Column::InstitutionId.eq(inst))
                        .to_owned(),
                ),
            );
            Some(inst)
        }
        _ => return Err(AppError::Forbidden),
    };
    let total = q.clone().count(db).await?;
    let rows = q
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
    let sums = summaries(db, &ids).await?;
    let own: HashMap<i64, national_uptakes::Model> = match mine {
        None => HashMap::new(),
        Some(inst) => national_uptakes::Entity::find()
            .filter(national_uptakes::Column::NationalBriefId.is_in(ids.clone()))
            .filter(national_uptakes::Column::InstitutionId.eq(inst))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.national_brief_id, u))
            .collect(),
    };
    let items = rows
        .into_iter()
        .map(|b| NationalBriefItem {
            id: b.id,
            summary: sums.get(&b.id).cloned().unwrap_or_default(),
            my_state: own.get(&b.id).map(|u| u.state.clone()),
            my_brief_id: own.get(&b.id).and_then(|u| u.brief_id),
            title: b.title,
            priority: b.priority,
            deadline: b.deadline,
            created_at: b.created_at,
        })
        .collect();
    Ok(NationalBriefPage {
        total,
        page,
        per_page: PER_PAGE,
        items,
    })
}

/// A national brief with its uptake (404 outside the caller's reach).
pub async fn view(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<NationalBriefView> {
    let b = get_for(db, user, id).await?;
    let mut uq = national_uptakes::Entity::find()
        .filter(national_uptakes::Column::NationalBriefId.eq(id))
        .order_by_asc(national_uptakes::Column::InstitutionId);
    if user.role == Role::Coordinator {
        uq = uq.filter(national_uptakes::Column::InstitutionId.eq(user.user.institution_id));
    }
    let uptakes = uq.all(db).await?;
    let inst_ids: Vec<i64> = uptakes.iter().map(|u| u.institution_id).collect();
    let mut names: HashMap<i64, institutions::Model> = HashMap::new();
    for chunk in inst_ids.chunks(1000) {
        names.extend(
            institutions::Entity::find()
                .filter(institutions::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .map(|i| (i.id, i)),
        );
    }
    let adopted: Vec<(i64, i64)> = uptakes
        .iter()
        .filter_map(|u| u.brief_id.map(|b| (u.institution_id, b)))
        .collect();
    let figures = adopted_figures(db, &adopted).await?;
    let mut all_minutes: Vec<f64> = Vec::new();
    let (mut reached, mut posts) = (0, 0);
    let mut rows: Vec<UptakeRow> = Vec::with_capacity(uptakes.len());
    for u in uptakes {
        let inst = names.get(&u.institution_id);
        let f = u.brief_id.and_then(|b| figures.get(&b));
        if let Some(f) = f {
            reached += f.reached;
            posts += f.posts;
            all_minutes.extend(f.minutes.iter().copied());
        }
        rows.push(UptakeRow {
            institution_id: u.institution_id,
            institution: inst.map(|i| i.name.clone()).unwrap_or_default(),
            kind: inst.map(|i| i.kind.clone()).unwrap_or_default(),
            region: inst.and_then(|i| i.region.clone()),
            state: u.state,
            reason: u.reason,
            decided_at: u.decided_at,
            brief_id: u.brief_id,
            reached: f.map_or(0, |f| f.reached),
            posts: f.map_or(0, |f| f.posts),
            time_to_amplify_minutes: f
                .and_then(|f| crate::briefs::audience::median(f.minutes.clone()))
                .map(round1),
        });
    }
    let summary = summaries(db, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(NationalBriefView {
        id: b.id,
        content: content_of(&b),
        kinds: json_list(&b.kinds),
        regions: json_list(&b.regions),
        hoax_case_id: b.hoax_case_id,
        created_at: b.created_at,
        summary,
        uptake: rows,
        reached,
        posts,
        time_to_amplify_minutes: crate::briefs::audience::median(all_minutes).map(round1),
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// What one adopted brief did: the institution's approved ambassadors, the posts for it,
/// and each poster's minutes from its coming out to their first post.
struct Adopted {
    reached: u64,
    posts: u64,
    minutes: Vec<f64>,
}

/// The figures of the adopted briefs (institution, brief), by brief: three grouped reads.
async fn adopted_figures(
    db: &DatabaseConnection,
    adopted: &[(i64, i64)],
) -> AppResult<HashMap<i64, Adopted>> {
    let mut out = HashMap::new();
    if adopted.is_empty() {
        return Ok(out);
    }
    let insts: Vec<i64> = adopted.iter().map(|(i, _)| *i).collect();
    let briefs_ids: Vec<i64> = adopted.iter().map(|(_, b)| *b).collect();
    let mut approved: HashMap<i64, i64> = HashMap::new();
    for chunk in insts.chunks(1000) {
        approved.extend(
            ambassadors::Entity::find()
                .select_only()
                .column(ambassadors::Column::InstitutionId)
                .column_as(ambassadors::Column::Id.count(), "n")
                .filter(ambassadors::Column::InstitutionId.is_in(chunk.to_vec()))
                .filter(ambassadors::Column::Status.eq("approved"))
                .group_by(ambassadors::Column::InstitutionId)
                .into_tuple::<(i64, i64)>()
                .all(db)
                .await?,
        );
    }
    let mut out_at: HashMap<i64, DateTime<Utc>> = HashMap::new();
    let mut firsts: Vec<(i64, i64, DateTime<Utc>, i64)> = Vec::new();
    for chunk in briefs_ids.chunks(1000) {
        out_at.extend(
            entity::briefs::Entity::find()
                .filter(entity::briefs::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .filter_map(|b| b.notified_at.or(b.publish_at).map(|t| (b.id, t))),
        );
        firsts.extend(
            submissions::Entity::find()
                .select_only()
                .column(submissions::Column::BriefId)
                .column(submissions::Column::AmbassadorId)
                .column_as(Expr::col(submissions::Column::PostedAt).min(), "first")
                .column_as(submissions::Column::Id.count(), "n")
                .filter(submissions::Column::BriefId.is_in(chunk.to_vec()))
                .filter(submissions::Column::Status.is_in(["pending", "verified"]))
                .group_by(submissions::Column::BriefId)
                .group_by(submissions::Column::AmbassadorId)
                .into_tuple::<(i64, i64, DateTime<Utc>, i64)>()
                .all(db)
                .await?,
        );
    }
    for (inst, brief) in adopted {
        out.insert(
            *brief,
            Adopted {
                reached: u64::try_from(approved.get(inst).copied().unwrap_or(0)).unwrap_or(0),
                posts: 0,
                minutes: Vec::new(),
            },
        );
    }
    for (brief, _, first, n) in firsts {
        if let Some(a) = out.get_mut(&brief) {
            a.posts += u64::try_from(n).unwrap_or(0);
            if let Some(at) = out_at.get(&brief) {
                a.minutes
                    .push((Ord::max((first - *at).num_seconds(), 0) as f64) / 60.0);
            }
        }
    }
    Ok(out)
}

/// The caller's institution's answer row, claimed for an answer: `waiting` becomes
/// `state` in one statement (409 when it was answered before — adopting twice, or
/// adopting what was declined). 404 when the brief did not reach the institution.
async fn claim(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    state: &str,
    reason: Option<String>,
) -> AppResult<national_uptakes::Model> {
    let inst = answering_institution(user)?;
    get_for(db, user, id).await?;
    let row = national_uptakes::Entity::find()
        .filter(national_uptakes::Column::NationalBriefId.eq(id))
        .filter(national_uptakes::Column::InstitutionId.eq(inst))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = national_uptakes::Entity::update_many()
        .col_expr(national_uptakes::Column::State, Expr::value(state))
        .col_expr(national_uptakes::Column::Reason, Expr::value(reason))
        .col_expr(national_uptakes::Column::DecidedBy, Expr::value(user.id()))
        .col_expr(national_uptakes::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(national_uptakes::Column::Id.eq(row.id))
        .filter(national_uptakes::Column::State.eq("waiting"))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict(FieldErrors::single(
            "state",
            Msg::conflict("narratives.already_answered"),
        )));
    }
    Ok(row)
}

/// Gives a claimed answer back (its brief could not be made): `waiting` again.
async fn unclaim(db: &DatabaseConnection, row: i64) -> AppResult<()> {
    national_uptakes::Entity::update_many()
        .col_expr(national_uptakes::Column::State, Expr::value("waiting"))
        .col_expr(
            national_uptakes::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            national_uptakes::Column::DecidedBy,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            national_uptakes::Column::DecidedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(national_uptakes::Column::Id.eq(row))
        .exec(db)
        .await?;
    Ok(())
}

/// The institution adopts a national brief (a coordinator of the whole institution): its
/// own brief, published at once to the whole institution, with the national content, its
/// key messages and facts after the national ones, and its sample wording if given. 409
/// when the institution answered before or the deadline has passed. Audited.
pub async fn adopt(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    id: i64,
    input: &AdoptInput,
    ip: &ClientIp,
) -> AppResult<UptakeRow> {
    let b = get_for(db, user, id).await?;
    answering_institution(user)?;
    let mut errors = FieldErrors::new();
    let local = LOCAL_TEXT
        .clean(&input.local_key_messages)
        .unwrap_or_else(|| {
            errors.add(
                "local_key_messages",
                Msg::new("form.too_long").arg("max", LOCAL_TEXT.max),
            );
            String::new()
        });
    let content = content_of(&b);
    if content.facts.len() + input.local_facts.len() > MAX_FACTS {
        errors.add(
            "local_facts",
            Msg::new("narratives.too_many_facts")
                .arg("max", MAX_FACTS.saturating_sub(content.facts.len())),
        );
    }
    errors.into_result()?;
    if b.deadline <= Utc::now() {
        return Err(AppError::Conflict(FieldErrors::single(
            "state",
            Msg::conflict("narratives.deadline_passed"),
        )));
    }
    let tz = crate::settings::service::programme_timezone(db).await?;
    let key_messages = if local.is_empty() {
        content.key_messages.clone()
    } else {
        format!("{}\n\n{local}", content.key_messages)
    };
    let sample = if input.sample.trim().is_empty() {
        content.sample.clone()
    } else {
        input.sample.clone()
    };
    let req = BriefRequest {
        institution_id: None,
        title: content.title.clone(),
        week: IsoWeek::of(Utc::now().with_timezone(&tz).date_naive()).to_string(),
        category: content.category.clone(),
        key_messages,
        facts: content
            .facts
            .iter()
            .cloned()
            .chain(input.local_facts.iter().cloned())
            .collect(),
        hashtags: content.hashtags.clone(),
        mentions: content.mentions.clone(),
        dos: content.dos.clone(),
        donts: content.donts.clone(),
        sample,
        platforms: content.platforms.clone(),
        deadline: content.deadline.to_rfc3339(),
        priority: content.priority.clone(),
        work_unit_ids: Vec::new(),
        template_ids: content.template_ids.clone(),
        status: "published".into(),
        publish_at: None,
    };
    let row = claim(db, user, id, "adopted", None).await?;
    let made = match crate::briefs::service::create_brief(db, mailer, user, &req, ip).await {
        Ok(made) => made,
        Err(e) => {
            unclaim(db, row.id).await?;
            return Err(match e {
                // The institution's words were refused by the rules of a brief: they are
                // the fields of the adoption.
                AppError::Validation(f) => AppError::Validation(
                    f.renamed("key_messages", "local_key_messages")
                        .renamed("facts", "local_facts"),
                ),
                other => other,
            });
        }
    };
    national_uptakes::Entity::update_many()
        .col_expr(national_uptakes::Column::BriefId, Expr::value(made.id))
        .filter(national_uptakes::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    audit::record(
        db,
        audit::Entry {
            actor: Some(user),
            action: "national_brief.adopt",
            target_type: "national_brief",
            target_id: Some(id),
            institution_id: Some(row.institution_id),
            detail: serde_json::json!({ "brief_id": made.id }),
            ip: Some(ip),
        },
    )
    .await?;
    own_row(db, user, id).await
}

/// The institution declines a national brief, with a reason the national page shows
/// (1 to 1,000 characters). 409 when it answered before. Audited.
pub async fn decline(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    reason: &str,
    ip: &ClientIp,
) -> AppResult<UptakeRow> {
    get_for(db, user, id).await?;
    answering_institution(user)?;
    let Some(reason) = REASON.clean(reason).filter(|r| !r.is_empty()) else {
        return Err(AppError::Validation(FieldErrors::single(
            "reason",
            Msg::new("narratives.reason_invalid").arg("max", REASON.max),
        )));
    };
    let row = claim(db, user, id, "declined", Some(reason.clone())).await?;
    audit::record(
        db,
        audit::Entry {
            actor: Some(user),
            action: "national_brief.decline",
            target_type: "national_brief",
            target_id: Some(id),
            institution_id: Some(row.institution_id),
            detail: serde_json::json!({ "reason": reason }),
            ip: Some(ip),
        },
    )
    .await?;
    own_row(db, user, id).await
}

/// The caller's institution's row of a national brief's uptake.
async fn own_row(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> AppResult<UptakeRow> {
    view(db, user, id)
        .await?
        .uptake
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// The national briefs a case answers (for the case's page): at most one.
pub async fn of_case(db: &DatabaseConnection, case_id: i64) -> AppResult<Option<i64>> {
    Ok(national_briefs::Entity::find()
        .select_only()
        .column(national_briefs::Column::Id)
        .filter(national_briefs::Column::HoaxCaseId.eq(case_id))
        .into_tuple()
        .one(db)
        .await?)
}
