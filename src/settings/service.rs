//! Reading and changing programme settings.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder, QuerySelect,
    Set,
};

use super::forms::{PlatformSetting, SettingsInput};
use super::rules::{self, PLATFORMS};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::db::begin_write;
use crate::error::AppResult;
use crate::http::client_ip::ClientIp;
use entity::{platform_settings, programme_settings};

/// Creates the settings row and the platform rows when they are missing, from the
/// configured time zone and Kominfo's defaults; existing values are never touched.
pub async fn ensure_defaults(db: &DatabaseConnection, timezone: &str) -> AppResult<()> {
    let txn = begin_write(db).await?;
    if programme_settings::Entity::find_by_id(1)
        .one(&txn)
        .await?
        .is_none()
    {
        programme_settings::ActiveModel {
            id: Set(1),
            timezone: Set(timezone.to_string()),
            window_weeks: Set(12),
            retention_days: Set(super::forms::default_retention_days()),
            two_factor_required: Set(false),
            follower_jump_percent: Set(super::forms::default_follower_jump()),
            blocklist: Set(String::new()),
            neutrality_from: Set(None),
            neutrality_to: Set(None),
            reminder_weekday: Set(super::forms::default_reminder_weekday()),
            reminder_hour: Set(super::forms::default_reminder_hour()),
            updated_at: Set(Utc::now()),
            updated_by: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    for p in rules::default_platforms() {
        if platform_settings::Entity::find_by_id(p.platform.clone())
            .one(&txn)
            .await?
            .is_none()
        {
            platform_settings::ActiveModel {
                platform: Set(p.platform),
                required: Set(p.required),
                threshold: Set(p.threshold),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

async fn read(db: &impl ConnectionTrait) -> AppResult<SettingsInput> {
    let row = programme_settings::Entity::find_by_id(1).one(db).await?;
    let mut platforms: Vec<PlatformSetting> = platform_settings::Entity::find()
        .order_by_asc(platform_settings::Column::Platform)
        .all(db)
        .await?
        .into_iter()
        .map(|p| PlatformSetting {
            platform: p.platform,
            required: p.required,
            threshold: p.threshold,
        })
        .collect();
    platforms.sort_by_key(|p| {
        PLATFORMS
            .iter()
            .position(|k| *k == p.platform)
            .unwrap_or(usize::MAX)
    });
    Ok(SettingsInput {
        timezone: row
            .as_ref()
            .map(|r| r.timezone.clone())
            .unwrap_or_else(|| "Asia/Jakarta".into()),
        window_weeks: row.as_ref().map(|r| r.window_weeks).unwrap_or(12),
        two_factor_required: row.as_ref().is_some_and(|r| r.two_factor_required),
        follower_jump_percent: row
            .as_ref()
            .map(|r| r.follower_jump_percent)
            .unwrap_or_else(super::forms::default_follower_jump),
        blocklist: row
            .as_ref()
            .map(|r| r.blocklist.clone())
            .unwrap_or_default(),
        neutrality_from: row
            .as_ref()
            .and_then(|r| r.neutrality_from)
            .map(|d| d.to_string()),
        neutrality_to: row
            .as_ref()
            .and_then(|r| r.neutrality_to)
            .map(|d| d.to_string()),
        reminder_weekday: row
            .as_ref()
            .map(|r| r.reminder_weekday)
            .unwrap_or_else(super::forms::default_reminder_weekday),
        reminder_hour: row
            .as_ref()
            .map(|r| r.reminder_hour)
            .unwrap_or_else(super::forms::default_reminder_hour),
        retention_days: row
            .map(|r| r.retention_days)
            .unwrap_or_else(super::forms::default_retention_days),
        platforms,
    })
}

pub async fn get_settings(db: &DatabaseConnection) -> AppResult<SettingsInput> {
    read(db).await
}

/// The programme's time zone (Asia/Jakarta unless the admin chose another).
pub async fn programme_timezone(db: &DatabaseConnection) -> AppResult<chrono_tz::Tz> {
    let tz: Option<String> = programme_settings::Entity::find_by_id(1)
        .select_only()
        .column(programme_settings::Column::Timezone)
        .into_tuple()
        .one(db)
        .await?;
    Ok(tz
        .and_then(|t| t.parse().ok())
        .unwrap_or(chrono_tz::Asia::Jakarta))
}

/// Today's date in the programme's time zone.
pub async fn programme_today(db: &DatabaseConnection) -> AppResult<chrono::NaiveDate> {
    let tz = programme_timezone(db).await?;
    Ok(Utc::now().with_timezone(&tz).date_naive())
}

/// The required platforms and every platform's threshold.
pub async fn thresholds(
    db: &DatabaseConnection,
) -> AppResult<(Vec<String>, std::collections::HashMap<String, i64>)> {
    let s = read(db).await?;
    let required = s
        .platforms
        .iter()
        .filter(|p| p.required)
        .map(|p| p.platform.clone())
        .collect();
    let all = s
        .platforms
        .iter()
        .map(|p| (p.platform.clone(), i64::from(p.threshold)))
        .collect();
    Ok((required, all))
}

/// Saves a checked change in one transaction with an audit row of before and after.
pub async fn update_settings(
    db: &DatabaseConnection,
    admin: &CurrentUser,
    input: &SettingsInput,
    ip: &ClientIp,
) -> AppResult<SettingsInput> {
    rules::check(input).into_result()?;
    let txn = begin_write(db).await?;
    let before = read(&txn).await?;
    let required_of = |s: &SettingsInput| -> Vec<String> {
        s.platforms
            .iter()
            .filter(|p| p.required)
            .map(|p| p.platform.clone())
            .collect()
    };
    let short_before = crate::ambassadors::attention::short_of(&txn, &required_of(&before)).await?;
    programme_settings::ActiveModel {
        id: Set(1),
        timezone: Set(input.timezone.trim().to_string()),
        window_weeks: Set(input.window_weeks),
        retention_days: Set(input.retention_days),
        two_factor_required: Set(input.two_factor_required),
        follower_jump_percent: Set(input.follower_jump_percent),
        blocklist: Set(rules::blocklist_words(&input.blocklist).join("\n")),
        neutrality_from: Set(rules::neutrality_period(
            &input.neutrality_from,
            &input.neutrality_to,
        )
        .map(|p| p.0)),
        neutrality_to: Set(
            rules::neutrality_period(&input.neutrality_from, &input.neutrality_to).map(|p| p.1),
        ),
        reminder_weekday: Set(input.reminder_weekday),
        reminder_hour: Set(input.reminder_hour),
        updated_at: Set(Utc::now()),
        updated_by: Set(Some(admin.id())),
    }
    .update(&txn)
    .await?;
    for p in &input.platforms {
        let row = platform_settings::ActiveModel {
            platform: Set(p.platform.clone()),
            required: Set(p.required),
            threshold: Set(p.threshold),
        };
        if platform_settings::Entity::find_by_id(p.platform.clone())
            .one(&txn)
            .await?
            .is_some()
        {
            row.update(&txn).await?;
        } else {
            row.insert(&txn).await?;
        }
    }
    let after = read(&txn).await?;
    // Stored verdicts follow changed thresholds; who now falls short is told.
    let changed: Vec<(String, i64)> = after
        .platforms
        .iter()
        .filter(|p| {
            !before
                .platforms
                .iter()
                .any(|b| b.platform == p.platform && b.threshold == p.threshold)
        })
        .map(|p| (p.platform.clone(), i64::from(p.threshold)))
        .collect();
    crate::ambassadors::attention::recompute_verdicts(&txn, &changed).await?;
    let short_after = crate::ambassadors::attention::short_of(&txn, &required_of(&after)).await?;
    let told =
        crate::ambassadors::attention::tell_newly_short(&txn, &short_before, &short_after).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin),
            action: "settings.updated",
            target_type: "programme_settings",
            target_id: Some(1),
            institution_id: None,
            detail: serde_json::json!({ "from": before, "to": after, "newly_short": told }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
