//! Importing an existing roster from CSV. Every row is checked like a sign-up (NIP, email,
//! phone, handles, counts) and against the rest of the file and Duta; one bad row refuses
//! the whole file with a report of every refused row, so nothing is half-imported. A good
//! file is written in one transaction: approved ambassadors with `member_since` and the
//! counts as entered by the coordinator.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Serialize;

use crate::accounts::rules::new_stamp;
use crate::ambassadors::forms::{check_signup, PlatformInput, SignupRequest, CONSENT_VERSION};
use crate::ambassadors::rules;
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::passwords::Hasher;
use crate::auth::reset::LinkToPassOn;
use crate::auth::roles::Scope;
use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::settings::rules::PLATFORMS;
use crate::settings::service::{programme_today, thresholds};
use crate::web::i18n::Lang;
use entity::{ambassador_platforms as ap, ambassadors, follower_checks, users, work_units};

/// The most rows one file may hold (a national roster at once).
pub const MAX_ROWS: usize = 50_000;
/// The largest roster file read.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;
pub const REQUIRED_COLUMNS: [&str; 6] = ["name", "nip", "type", "email", "phone", "work_unit"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefusedRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub name: String,
    pub errors: BTreeMap<String, Vec<String>>,
    /// Every error of the row is a conflict with what Duta holds (a NIP, email or handle
    /// already registered), not a fault of the file.
    #[serde(skip)]
    pub conflict: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    pub refused: Vec<RefusedRow>,
    /// Problems with the file itself (columns, encoding, size).
    pub file_errors: Vec<String>,
    /// Everyone imported, in the file's order, with the invitation link with which they
    /// set their password (emailed too when Duta sends email).
    pub invitations: Vec<ImportedInvitation>,
}

/// An imported ambassador's invitation, to pass on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportedInvitation {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub invitation: LinkToPassOn,
}

/// What invitations of an import need: the settings, the mailer, and the address links
/// start with when Duta has no public address configured.
pub struct Inviting<'a> {
    pub cfg: &'a crate::config::AppConfig,
    pub mailer: &'a crate::notify::Mailer,
    pub origin: &'a str,
}

/// A row that passed the checks of [`check_file`], waiting for the checks against Duta.
pub struct Row {
    line: usize,
    input: SignupRequest,
    member_since: Option<NaiveDate>,
}

fn cell(record: &csv::StringRecord, index: &HashMap<String, usize>, name: &str) -> String {
    index
        .get(name)
        .and_then(|i| record.get(*i))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// What a roster file is checked against before anything is stored: the institution, its
/// work units in the coordinator's reach, the programme's today and thresholds.
pub struct RosterContext {
    pub institution_id: i64,
    pub units: Vec<work_units::Model>,
    pub today: NaiveDate,
    pub required: Vec<String>,
    pub limits: HashMap<String, i64>,
    pub lang: Lang,
}

/// Reads a roster file (UTF-8, with or without a byte-order mark; commas or semicolons)
/// and checks each row as a sign-up would, without reading the database: the rows that
/// pass, and the report of the file's and the refused rows' problems. Any bytes at all
/// give an answer (the parser is fuzzed: `fuzz/fuzz_targets/roster.rs`).
pub fn check_file(bytes: &[u8], ctx: &RosterContext) -> (Vec<Row>, ImportReport) {
    let RosterContext {
        institution_id,
        units,
        today,
        required,
        limits,
        lang,
    } = ctx;
    let (institution_id, today, lang) = (*institution_id, *today, *lang);
    let mut report = ImportReport {
        imported: 0,
        refused: Vec::new(),
        file_errors: Vec::new(),
        invitations: Vec::new(),
    };
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => t,
        Err(_) => {
            report
                .file_errors
                .push(Msg::new("import.not_utf8").text(lang));
            return (Vec::new(), report);
        }
    };
    // Spreadsheets in Indonesian locales save CSV with semicolons.
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|h| h.matches(';').count() > h.matches(',').count())
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(_) => {
            report
                .file_errors
                .push(Msg::new("import.unreadable").text(lang));
            return (Vec::new(), report);
        }
    };
    let index: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_lowercase(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !index.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        report.file_errors.push(
            Msg::new("import.missing_columns")
                .arg("columns", missing.join(", "))
                .text(lang),
        );
        return (Vec::new(), report);
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        if rows.len() + report.refused.len() >= MAX_ROWS {
            report.file_errors.push(
                Msg::new("import.too_many_rows")
                    .arg("max", MAX_ROWS)
                    .text(lang),
            );
            return (Vec::new(), report);
        }
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                report.refused.push(RefusedRow {
                    line,
                    name: String::new(),
                    errors: FieldErrors::single("row", Msg::new("import.unreadable_row"))
                        .translated(lang),
                    conflict: false,
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut errors = FieldErrors::new();
        let unit_text = cell(&record, &index, "work_unit");
        let unit = units
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(&unit_text) || u.id.to_string() == unit_text);
        if unit.is_none() {
            errors.add("work_unit", Msg::conflict("users.work_unit_unknown"));
        }
        let member_since = match cell(&record, &index, "member_since").as_str() {
            "" => None,
            s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) if d <= today => Some(d),
                Ok(_) => {
                    errors.add("member_since", Msg::new("vetting.member_since_future"));
                    None
                }
                Err(_) => {
                    errors.add("member_since", Msg::new("vetting.member_since_invalid"));
                    None
                }
            },
        };
        let mut platforms = Vec::new();
        for p in PLATFORMS {
            let handle = cell(&record, &index, p);
            let count = cell(&record, &index, &format!("{p}_followers"));
            if handle.is_empty() && count.is_empty() && !required.iter().any(|r| r == p) {
                continue;
            }
            platforms.push(PlatformInput {
                platform: p.to_string(),
                handle,
                method: "screenshot".into(),
                count: (!count.is_empty()).then_some(serde_json::Value::String(count)),
            });
        }
        let name = cell(&record, &index, "name");
        let input = SignupRequest {
            display_name: cell(&record, &index, "display_name")
                .chars()
                .take(60)
                .collect::<String>(),
            name: name.clone(),
            nip: cell(&record, &index, "nip"),
            employee_type: cell(&record, &index, "type"),
            email: cell(&record, &index, "email"),
            phone: cell(&record, &index, "phone"),
            institution_id: Some(institution_id),
            work_unit_id: unit.map(|u| u.id),
            password: format!("imported-{}", new_stamp()),
            consent: true,
            consent_version: CONSENT_VERSION.into(),
            referral_code: None,
            platforms,
        };
        let mut input = input;
        if input.display_name.trim().is_empty() {
            input.display_name = name.chars().take(60).collect();
        }
        // Existing ambassadors must meet today's thresholds, as a sign-up would.
        for p in &input.platforms {
            let threshold = limits.get(&p.platform).copied().unwrap_or(500);
            let count = p
                .count
                .as_ref()
                .and_then(|c| crate::ambassadors::forms::parse_count(c).ok());
            if required.contains(&p.platform) && count.is_some_and(|n| n < threshold) {
                errors.add(
                    &format!("{}_followers", p.platform),
                    Msg::new("import.below_threshold").arg("n", threshold),
                );
            }
        }
        match check_signup(&input, required, &[], today) {
            Ok(_) => {}
            Err(e) => {
                for (field, msgs) in e.0 {
                    let field = match field.as_str() {
                        "employee_type" => "type".to_string(),
                        f if f.starts_with("platforms.") => {
                            let mut parts = f.split('.');
                            let platform = parts.nth(1).unwrap_or("");
                            if f.ends_with(".count") {
                                format!("{platform}_followers")
                            } else {
                                platform.to_string()
                            }
                        }
                        f => f.to_string(),
                    };
                    for m in msgs {
                        errors.add(&field, m);
                    }
                }
            }
        }
        if errors.is_empty() {
            rows.push(Row {
                line,
                input,
                member_since,
            });
        } else {
            report.refused.push(RefusedRow {
                line,
                name,
                errors: errors.translated(lang),
                conflict: errors.only_conflicts(),
            });
        }
    }
    (rows, report)
}

/// Checks a roster file and, when every row is good, imports it; otherwise imports nothing.
#[allow(clippy::too_many_arguments)]
pub async fn import_roster(
    db: &DatabaseConnection,
    hasher: &Hasher,
    key: &crate::nip::NipKey,
    inviting: &Inviting<'_>,
    user: &CurrentUser,
    institution_id: i64,
    bytes: &[u8],
    lang: Lang,
    ip: &ClientIp,
) -> AppResult<ImportReport> {
    if !user.scope().allows_institution(institution_id)
        || entity::institutions::Entity::find_by_id(institution_id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(AppError::NotFound);
    }
    let (required, limits) = thresholds(db).await?;
    let ctx = RosterContext {
        institution_id,
        units: work_units::Entity::find()
            .filter(work_units::Column::InstitutionId.eq(institution_id))
            .all(db)
            .await?
            .into_iter()
            .filter(|u| user.scope().allows_work_unit(u.institution_id, &u.path))
            .collect(),
        today: programme_today(db).await?,
        required,
        limits,
        lang,
    };
    let (rows, mut report) = check_file(bytes, &ctx);
    let RosterContext {
        today,
        required,
        limits,
        ..
    } = ctx;
    // Duplicates inside the file and against Duta.
    let mut seen_nip = HashSet::new();
    let mut seen_email = HashSet::new();
    let mut seen_handle = HashSet::new();
    let mut good = Vec::new();
    for row in rows {
        let mut errors = FieldErrors::new();
        let nip = rules::clean_nip(&row.input.nip);
        let email = crate::accounts::rules::normalize_email(&row.input.email);
        // Twice in the file is the file's fault (422); already in Duta is a conflict with
        // what is stored (409 when every refusal is one).
        if !seen_nip.insert(nip.clone()) {
            errors.add("nip", Msg::new("signup.nip_taken"));
        } else if ambassadors::Entity::find()
            .filter(ambassadors::Column::Nip.eq(key.index(&nip)))
            .one(db)
            .await?
            .is_some()
        {
            errors.add("nip", Msg::conflict("signup.nip_taken"));
        }
        if !seen_email.insert(email.clone()) {
            errors.add("email", Msg::new("users.email_taken"));
        } else if users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(db)
            .await?
            .is_some()
        {
            errors.add("email", Msg::conflict("users.email_taken"));
        }
        for p in &row.input.platforms {
            if let Some(h) = rules::normalize_handle(&p.platform, &p.handle) {
                let taken = ap::Entity::find()
                    .filter(ap::Column::Platform.eq(p.platform.as_str()))
                    .filter(ap::Column::Handle.eq(h.as_str()))
                    .one(db)
                    .await?
                    .is_some();
                if !seen_handle.insert((p.platform.clone(), h)) {
                    errors.add(&p.platform, Msg::new("signup.handle_taken"));
                } else if taken {
                    errors.add(&p.platform, Msg::conflict("signup.handle_taken"));
                }
            }
        }
        if errors.is_empty() {
            good.push(row);
        } else {
            report.refused.push(RefusedRow {
                line: row.line,
                name: row.input.name.clone(),
                errors: errors.translated(lang),
                conflict: errors.only_conflicts(),
            });
        }
    }
    report.refused.sort_by_key(|r| r.line);
    if !report.refused.is_empty() || good.is_empty() {
        if good.is_empty() && report.refused.is_empty() {
            report.file_errors.push(Msg::new("import.empty").text(lang));
        }
        return Ok(report);
    }
    // Nobody signs in with these accounts until they accept their invitation: they share
    // the hash of a random secret that is thrown away (one hash, not one per row: argon2
    // is slow).
    let unusable = hasher
        .hash(&format!("imported-{}-{}", new_stamp(), new_stamp()))
        .await?;
    let t = Utc::now();
    let txn = begin_write(db).await?;
    let mut imported_ids = Vec::with_capacity(good.len());
    let mut invited = Vec::with_capacity(good.len());
    for row in &good {
        let hash = unusable.clone();
        let clean =
            check_signup(&row.input, &required, &[], today).map_err(AppError::Validation)?;
        let written: Result<(), sea_orm::DbErr> = async {
            let u = users::ActiveModel {
                email: Set(clean.email.clone()),
                name: Set(clean.name.clone()),
                password_hash: Set(hash),
                role: Set("ambassador".into()),
                institution_id: Set(Some(institution_id)),
                work_unit_id: Set(Some(clean.work_unit_id)),
                language: Set(None),
                security_stamp: Set(new_stamp()),
                is_active: Set(true),
                created_at: Set(t),
                updated_at: Set(t),
                last_login_at: Set(None),
                invitation_pending_since: Set(Some(t)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let a = ambassadors::ActiveModel {
                user_id: Set(u.id),
                display_name: Set(clean.profile.display_name.clone()),
                nip: Set(key.index(&clean.nip.digits)),
                nip_sealed: Set(Some(key.seal(&clean.nip.digits))),
                nip_tail: Set(crate::nip::tail(&clean.nip.digits)),
                employee_type: Set(clean.employee_type.as_str().into()),
                phone: Set(clean.profile.phone.clone()),
                institution_id: Set(institution_id),
                work_unit_id: Set(clean.work_unit_id),
                status: Set("approved".into()),
                rejection_reason: Set(None),
                member_since: Set(Some(row.member_since.unwrap_or(today))),
                consent_version: Set(format!("import:{CONSENT_VERSION}")),
                consent_at: Set(t),
                submitted_at: Set(t),
                decided_at: Set(Some(t)),
                decided_by: Set(Some(user.id())),
                created_at: Set(t),
                updated_at: Set(t),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            imported_ids.push(a.id);
            invited.push((u, a.phone.clone()));
            for p in &clean.profile.platforms {
                let threshold = limits.get(&p.platform).copied().unwrap_or(500);
                let saved = ap::ActiveModel {
                    ambassador_id: Set(a.id),
                    platform: Set(p.platform.clone()),
                    handle: Set(p.handle.clone()),
                    method: Set("coordinator".into()),
                    follower_count: Set(p.count),
                    checked_at: Set(Some(t)),
                    evidence_media_id: Set(None),
                    reviewed_by: Set(Some(user.id())),
                    verdict: Set(rules::verdict("coordinator", p.count, threshold).into()),
                    check_error: Set(None),
                    retry_after: Set(None),
                    below_since: Set(None),
                    updated_at: Set(t),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                follower_checks::ActiveModel {
                    ambassador_platform_id: Set(saved.id),
                    method: Set("coordinator".into()),
                    follower_count: Set(p.count),
                    outcome: Set("imported".into()),
                    checked_by: Set(Some(user.id())),
                    checked_at: Set(t),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
            Ok(())
        }
        .await;
        match written {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => {
                txn.rollback().await?;
                report.refused.push(RefusedRow {
                    line: row.line,
                    name: row.input.name.clone(),
                    errors: FieldErrors::single("row", Msg::new("import.changed_meanwhile"))
                        .translated(lang),
                    conflict: true,
                });
                return Ok(report);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut issued = Vec::with_capacity(invited.len());
    for (u, _) in &invited {
        issued.push(crate::auth::invite::issue(&txn, inviting.cfg, u.id, Some(user.id())).await?);
    }
    crate::leaderboard::standings::refresh(&txn, &imported_ids).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "ambassador.roster_imported",
            target_type: "institution",
            target_id: Some(institution_id),
            institution_id: Some(institution_id),
            detail: serde_json::json!({ "rows": good.len(), "invited": invited.len() }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    report.imported = good.len();
    report.invitations = invited
        .iter()
        .zip(&issued)
        .map(|((u, phone), issued)| ImportedInvitation {
            user_id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            invitation: crate::auth::invite::pass_on(
                inviting.mailer,
                inviting.cfg,
                u,
                Some(phone),
                issued,
                inviting.origin,
                Some(&user.user.name),
            ),
        })
        .collect();
    Ok(report)
}

/// The institution an import goes into: the coordinator's own, or the one an admin names.
pub fn target_institution(user: &CurrentUser, requested: Option<i64>) -> AppResult<i64> {
    // An id is a whole number from 1, from whoever it comes (coordinators' is not read).
    if requested.is_some_and(|id| id < 1) {
        return Err(AppError::Validation(FieldErrors::single(
            "institution_id",
            Msg::new("users.institution_unknown"),
        )));
    }
    match (user.scope(), requested) {
        (Scope::Institution { institution_id, .. }, _) => Ok(institution_id),
        (Scope::All, Some(id)) => Ok(id),
        // Which institution is the caller's to say, not the file's: a conflict (409).
        (Scope::All, None) => Err(AppError::Validation(FieldErrors::single(
            "institution_id",
            Msg::conflict("users.institution_required"),
        ))),
    }
}
