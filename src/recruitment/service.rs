//! Recruitment's reads and writes: an institution's public programme page (as its
//! coordinators wrote it, or Duta's own text), referral links and who came through them,
//! and the figures staff read (per referrer, per scope).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{ambassadors, institutions, programme_pages, referrals, work_units};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::rules::{self, BODY, HEADLINE, REFERRAL};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::{Role, Scope};
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;

/// A programme page's text as a coordinator sends it.
#[derive(Debug, Clone, Default)]
pub struct PageInput {
    pub headline: String,
    pub body: String,
}

/// A platform the programme requires, with its minimum of followers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Threshold {
    pub platform: String,
    pub minimum: i64,
}

/// The ambassador whose link a visitor followed, as the public sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Inviter {
    pub display_name: String,
}

/// An institution's public programme page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeView {
    pub institution_id: i64,
    pub institution_name: String,
    /// As its coordinators wrote it; none: the page shows Duta's own headline and text in
    /// the reader's language.
    pub headline: Option<String>,
    pub body: Option<String>,
    /// `body` split into paragraphs at empty lines.
    pub paragraphs: Vec<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The platforms an ambassador needs an account on, with the minimum of followers.
    pub thresholds: Vec<Threshold>,
    /// The version of the consent text a sign-up agrees to.
    pub consent_version: String,
    /// The page itself, its sign-up form and its QR code (SVG): with the referral code
    /// when the page was opened through a valid referral link.
    pub page_path: String,
    pub signup_path: String,
    pub qr_path: String,
    /// Whose referral link brought the visitor (a valid link of an approved ambassador of
    /// this institution); none otherwise.
    pub invited_by: Option<Inviter>,
}

/// The approved, active ambassador of `institution_id` whose referral code `code` is;
/// `None` for a code that names nobody, is changed or guessed, or names someone who left,
/// is not (or no longer) approved, or belongs to another institution.
pub async fn find_referrer(
    db: &impl ConnectionTrait,
    key: &NipKey,
    code: &str,
    institution_id: i64,
) -> AppResult<Option<ambassadors::Model>> {
    let Some(id) = key.open_link_code(REFERRAL, code) else {
        return Ok(None);
    };
    Ok(ambassadors::Entity::find_by_id(id)
        .filter(ambassadors::Column::InstitutionId.eq(institution_id))
        .filter(ambassadors::Column::Status.eq("approved"))
        .filter(ambassadors::Column::WithdrawnAt.is_null())
        .filter(ambassadors::Column::ErasedAt.is_null())
        .one(db)
        .await?)
}

/// The public programme page of an institution (404 for one that does not exist), as seen
/// through the referral link `referral` when there is one.
pub async fn programme(
    db: &DatabaseConnection,
    key: &NipKey,
    institution_id: i64,
    referral: Option<&str>,
) -> AppResult<ProgrammeView> {
    let institution = institutions::Entity::find_by_id(institution_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = programme_pages::Entity::find()
        .filter(programme_pages::Column::InstitutionId.eq(institution_id))
        .one(db)
        .await?;
    let referrer = match referral.filter(|c| rules::is_referral_shaped(c)) {
        Some(code) => find_referrer(db, key, code, institution_id).await?,
        None => None,
    };
    let (required, limits) = crate::settings::service::thresholds(db).await?;
    let code = referrer.as_ref().map(|_| referral.unwrap_or_default());
    Ok(ProgrammeView {
        institution_id,
        institution_name: institution.name,
        paragraphs: page
            .as_ref()
            .map(|p| rules::paragraphs(&p.body))
            .unwrap_or_default(),
        headline: page.as_ref().map(|p| p.headline.clone()),
        body: page.as_ref().map(|p| p.body.clone()),
        updated_at: page.as_ref().map(|p| p.updated_at),
        thresholds: required
            .iter()
            .map(|p| Threshold {
                platform: p.clone(),
                minimum: limits.get(p).copied().unwrap_or(0),
            })
            .collect(),
        consent_version: crate::ambassadors::forms::CONSENT_VERSION.to_string(),
        page_path: rules::programme_path(institution_id, code),
        signup_path: rules::signup_path(institution_id, code),
        qr_path: rules::qr_path(institution_id, code),
        invited_by: referrer.map(|r| Inviter {
            display_name: r.display_name,
        }),
    })
}

/// The institution a member of staff may write the programme page of: admins any,
/// coordinators their own (404 for another), and only those of the whole institution
/// (403 for a coordinator of a unit).
pub async fn writable_institution(
    db: &DatabaseConnection,
    user: &CurrentUser,
    institution_id: i64,
) -> AppResult<institutions::Model> {
    if !user.scope().allows_institution(institution_id) {
        return Err(AppError::NotFound);
    }
    let institution = institutions::Entity::find_by_id(institution_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    match user.role {
        Role::Admin => Ok(institution),
        Role::Coordinator if user.user.work_unit_id.is_none() => Ok(institution),
        _ => Err(AppError::Forbidden),
    }
}

/// Checks a page's text: every problem at its field.
pub fn check_page(input: &PageInput) -> AppResult<PageInput> {
    let mut errors = FieldErrors::new();
    let headline = HEADLINE.clean(&input.headline);
    if headline.is_none() {
        errors.add("headline", Msg::new("recruitment.headline_invalid"));
    }
    let body = BODY.clean(&input.body);
    if body.is_none() {
        let too_long = input.body.chars().count() > BODY.max;
        errors.add(
            "body",
            Msg::new(if too_long {
                "recruitment.body_too_long"
            } else {
                "recruitment.body_invalid"
            }),
        );
    }
    errors.into_result()?;
    Ok(PageInput {
        headline: headline.unwrap_or_default(),
        body: body.unwrap_or_default(),
    })
}

/// Writes an institution's programme page (admins, and its coordinators of the whole
/// institution): 422 with every bad field, nothing stored; audited.
pub async fn save_page(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    institution_id: i64,
    input: &PageInput,
    ip: &ClientIp,
) -> AppResult<ProgrammeView> {
    writable_institution(db, user, institution_id).await?;
    let clean = check_page(input)?;
    let txn = begin_write(db).await?;
    programme_pages::Entity::insert(programme_pages::ActiveModel {
        institution_id: Set(institution_id),
        headline: Set(clean.headline.clone()),
        body: Set(clean.body.clone()),
        updated_by: Set(Some(user.id())),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(programme_pages::Column::InstitutionId)
            .update_columns([
                programme_pages::Column::Headline,
                programme_pages::Column::Body,
                programme_pages::Column::UpdatedBy,
                programme_pages::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "programme_page.updated",
            target_type: "institution",
            target_id: Some(institution_id),
            institution_id: Some(institution_id),
            detail: serde_json::json!({
                "headline_chars": clean.headline.chars().count(),
                "body_chars": clean.body.chars().count(),
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    programme(db, key, institution_id, None).await
}

/// An ambassador's own referral link and who came through it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferralView {
    /// Only approved ambassadors who have not left have a link; none otherwise.
    pub code: Option<String>,
    pub page_path: Option<String>,
    pub qr_path: Option<String>,
    /// People who signed up through the link, and of them those approved.
    pub signed_up: u64,
    pub approved: u64,
}

/// The signed-in ambassador's referral link and its figures (404 for an account that is
/// not an ambassador).
pub async fn my_referral(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
) -> AppResult<ReferralView> {
    let me = ambassadors::Entity::find()
        .filter(ambassadors::Column::UserId.eq(user.id()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let active = me.status == "approved" && me.withdrawn_at.is_none() && me.erased_at.is_none();
    let code = active.then(|| key.link_code(REFERRAL, me.id));
    let (signed_up, approved) = counts_for(db, &[me.id])
        .await?
        .remove(&me.id)
        .unwrap_or_default();
    Ok(ReferralView {
        page_path: code
            .as_deref()
            .map(|c| rules::programme_path(me.institution_id, Some(c))),
        qr_path: code
            .as_deref()
            .map(|c| rules::qr_path(me.institution_id, Some(c))),
        code,
        signed_up,
        approved,
    })
}

/// Per referrer among `ids`: people who signed up through their link, and of them those
/// approved.
pub async fn counts_for(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, (u64, u64)>> {
    let mut out: HashMap<i64, (u64, u64)> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = referrals::Entity::find()
            .select_only()
            .column(referrals::Column::ReferrerId)
            .column(ambassadors::Column::Status)
            .join(
                sea_orm::JoinType::InnerJoin,
                referrals::Entity::belongs_to(ambassadors::Entity)
                    .from(referrals::Column::AmbassadorId)
                    .to(ambassadors::Column::Id)
                    .into(),
            )
            .filter(referrals::Column::ReferrerId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (referrer, status) in rows {
            let entry = out.entry(referrer).or_default();
            entry.0 += 1;
            if status == "approved" {
                entry.1 += 1;
            }
        }
    }
    Ok(out)
}

/// Who brought an ambassador (for the vetting page), as staff see them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferrerRow {
    /// The referrer's ambassador id.
    pub id: i64,
    pub display_name: String,
    pub work_unit_name: String,
}

/// The ambassador whose link brought `ambassador_id`, if one did.
pub async fn referrer_of(
    db: &impl ConnectionTrait,
    ambassador_id: i64,
) -> AppResult<Option<ReferrerRow>> {
    let Some(r) = referrals::Entity::find()
        .filter(referrals::Column::AmbassadorId.eq(ambassador_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(referrer) = ambassadors::Entity::find_by_id(r.referrer_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let unit = work_units::Entity::find_by_id(referrer.work_unit_id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(Some(ReferrerRow {
        id: referrer.id,
        display_name: referrer.display_name,
        work_unit_name: unit,
    }))
}

/// Records that `ambassador_id` came through the referral link of `referrer_id`; call it
/// in the sign-up's transaction.
pub async fn record_referral(
    db: &impl ConnectionTrait,
    ambassador_id: i64,
    referrer_id: i64,
) -> AppResult<()> {
    referrals::Entity::insert(referrals::ActiveModel {
        ambassador_id: Set(ambassador_id),
        referrer_id: Set(referrer_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The people of a scope who came through a referral link, and of them those approved
/// (the statistics' funnel). `institution_id` and `path` narrow the scope as the
/// statistics' filter does.
pub async fn scope_counts(
    db: &DatabaseConnection,
    institution_id: Option<i64>,
    path: Option<&str>,
) -> AppResult<(u64, u64)> {
    let mut people = Query::select()
        .column(ambassadors::Column::Id)
        .from(ambassadors::Entity)
        .to_owned();
    if let Some(i) = institution_id {
        people.and_where(ambassadors::Column::InstitutionId.eq(i));
    }
    if let Some(p) = path {
        people.and_where(
            ambassadors::Column::WorkUnitId.in_subquery(crate::org::service::subtree_units(p)),
        );
    }
    let all = referrals::Entity::find()
        .filter(referrals::Column::AmbassadorId.in_subquery(people.clone()))
        .count(db)
        .await?;
    people.and_where(ambassadors::Column::Status.eq("approved"));
    let approved = referrals::Entity::find()
        .filter(referrals::Column::AmbassadorId.in_subquery(people))
        .count(db)
        .await?;
    Ok((all, approved))
}

/// One referrer on the recruitment page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TopReferrer {
    pub id: i64,
    pub display_name: String,
    pub work_unit_name: String,
    pub signed_up: u64,
    pub approved: u64,
}

/// Staff's recruitment page: the institution's programme page and links, what came
/// through referral links in the caller's scope, and the referrers who brought most.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recruitment {
    pub programme: ProgrammeView,
    /// Admins and coordinators of the whole institution write the page.
    pub can_edit: bool,
    pub referred: u64,
    pub referred_approved: u64,
    /// At most 20, most sign-ups first.
    pub top_referrers: Vec<TopReferrer>,
}

/// How many referrers the recruitment page lists.
const TOP: usize = 20;

/// The recruitment page of `institution_id` (coordinators: their own, 404 for another;
/// admins any) with the referral figures of the caller's scope in it.
pub async fn recruitment(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    institution_id: i64,
) -> AppResult<Recruitment> {
    if !user.scope().allows_institution(institution_id) {
        return Err(AppError::NotFound);
    }
    let programme = programme(db, key, institution_id, None).await?;
    let path = match user.scope() {
        Scope::Institution {
            work_unit_path: Some(p),
            ..
        } => Some(p),
        _ => None,
    };
    let (referred, referred_approved) =
        scope_counts(db, Some(institution_id), path.as_deref()).await?;
    let referrers: Vec<i64> = crate::ambassadors::service::scoped(user)
        .filter(ambassadors::Column::InstitutionId.eq(institution_id))
        .filter(
            ambassadors::Column::Id.in_subquery(
                Query::select()
                    .column(referrals::Column::ReferrerId)
                    .from(referrals::Entity)
                    .to_owned(),
            ),
        )
        .select_only()
        .column(ambassadors::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let counts = counts_for(db, &referrers).await?;
    let mut ranked: Vec<(i64, (u64, u64))> = counts.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then(b.1 .1.cmp(&a.1 .1))
            .then(a.0.cmp(&b.0))
    });
    ranked.truncate(TOP);
    let people: HashMap<i64, ambassadors::Model> = ambassadors::Entity::find()
        .filter(ambassadors::Column::Id.is_in(ranked.iter().map(|r| r.0)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let units: HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(people.values().map(|a| a.work_unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let top_referrers = ranked
        .into_iter()
        .filter_map(|(id, (signed_up, approved))| {
            let a = people.get(&id)?;
            Some(TopReferrer {
                id,
                display_name: a.display_name.clone(),
                work_unit_name: units.get(&a.work_unit_id).cloned().unwrap_or_default(),
                signed_up,
                approved,
            })
        })
        .collect();
    let can_edit = match user.role {
        Role::Admin => true,
        Role::Coordinator => user.user.work_unit_id.is_none(),
        _ => false,
    };
    Ok(Recruitment {
        programme,
        can_edit,
        referred,
        referred_approved,
        top_referrers,
    })
}

/// The institution a member of staff's recruitment page is about: their own, or for
/// admins the one asked for (else the first by name); 404 when there is none.
pub async fn institution_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    asked: Option<i64>,
) -> AppResult<i64> {
    match (user.scope(), asked) {
        (Scope::Institution { institution_id, .. }, None) => Ok(institution_id),
        (Scope::Institution { institution_id, .. }, Some(a)) if a == institution_id => Ok(a),
        (Scope::Institution { .. }, Some(_)) => Err(AppError::NotFound),
        (Scope::All, Some(a)) => Ok(a),
        (Scope::All, None) => institutions::Entity::find()
            .order_by_asc(institutions::Column::Name)
            .one(db)
            .await?
            .map(|i| i.id)
            .ok_or(AppError::NotFound),
    }
}

/// The institutions a member of staff may choose on the recruitment page: every one for
/// admins (by name), none for others (theirs is given).
pub async fn institution_choices(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Vec<(i64, String)>> {
    if user.scope() != Scope::All {
        return Ok(Vec::new());
    }
    Ok(institutions::Entity::find()
        .select_only()
        .columns([institutions::Column::Id, institutions::Column::Name])
        .order_by_asc(institutions::Column::Name)
        .into_tuple()
        .all(db)
        .await?)
}
