//! The admin's programme-settings page.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{PlatformFormRow, PlatformSetting, SettingsForm, SettingsInput};
use super::service;
use crate::auth::guards::Admin;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfForm;
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct SettingsPage {
    layout: Layout,
    form: SettingsForm,
    errors: BTreeMap<String, Vec<String>>,
}

fn form_of(s: &SettingsInput) -> SettingsForm {
    SettingsForm {
        timezone: s.timezone.clone(),
        window_weeks: s.window_weeks.to_string(),
        retention_days: s.retention_days.to_string(),
        two_factor_required: s.two_factor_required,
        follower_jump_percent: s.follower_jump_percent.to_string(),
        blocklist: s.blocklist.clone(),
        neutrality_from: s.neutrality_from.clone().unwrap_or_default(),
        neutrality_to: s.neutrality_to.clone().unwrap_or_default(),
        reminder_weekday: s.reminder_weekday.to_string(),
        reminder_hour: s.reminder_hour.to_string(),
        platforms: s
            .platforms
            .iter()
            .map(|p| PlatformFormRow {
                platform: p.platform.clone(),
                required: p.required,
                threshold: p.threshold.to_string(),
            })
            .collect(),
        csrf_token: String::new(),
    }
}

#[rocket::get("/admin/settings")]
pub async fn edit(
    _admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let settings = service::get_settings(db).await?;
    Ok(Template::render(
        "admin/settings",
        SettingsPage {
            layout,
            form: form_of(&settings),
            errors: BTreeMap::new(),
        },
    ))
}

#[rocket::post("/admin/settings", data = "<form>")]
pub async fn update(
    form: CsrfForm<SettingsForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let mut errors = FieldErrors::new();
    let window_weeks = form.window_weeks.trim().parse::<i32>().unwrap_or_else(|_| {
        errors.add("window_weeks", Msg::new("settings.window_invalid"));
        12
    });
    let retention_days = form
        .retention_days
        .trim()
        .parse::<i32>()
        .unwrap_or_else(|_| {
            errors.add("retention_days", Msg::new("settings.retention_invalid"));
            30
        });
    let follower_jump_percent = form
        .follower_jump_percent
        .trim()
        .parse::<i32>()
        .unwrap_or_else(|_| {
            errors.add("follower_jump_percent", Msg::new("settings.jump_invalid"));
            50
        });
    let reminder_weekday = form
        .reminder_weekday
        .trim()
        .parse::<i32>()
        .unwrap_or_else(|_| {
            errors.add(
                "reminder_weekday",
                Msg::new("settings.reminder_weekday_invalid"),
            );
            4
        });
    let reminder_hour = form
        .reminder_hour
        .trim()
        .parse::<i32>()
        .unwrap_or_else(|_| {
            errors.add("reminder_hour", Msg::new("settings.reminder_hour_invalid"));
            9
        });
    let platforms = form
        .platforms
        .iter()
        .map(|row| PlatformSetting {
            platform: row.platform.clone(),
            required: row.required,
            threshold: row.threshold.trim().parse::<i32>().unwrap_or_else(|_| {
                errors.add(
                    &format!("platforms.{}", row.platform),
                    Msg::new("settings.threshold_invalid"),
                );
                0
            }),
        })
        .collect();
    let input = SettingsInput {
        timezone: form.timezone.trim().to_string(),
        window_weeks,
        platforms,
        retention_days,
        two_factor_required: form.two_factor_required,
        follower_jump_percent,
        blocklist: form.blocklist.clone(),
        neutrality_from: Some(form.neutrality_from.trim().to_string()),
        neutrality_to: Some(form.neutrality_to.trim().to_string()),
        reminder_weekday,
        reminder_hour,
    };
    let result = match errors.is_empty() {
        true => service::update_settings(db, &admin, &input, &ip).await,
        false => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/admin/settings"),
            "settings.saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                Template::render(
                    "admin/settings",
                    SettingsPage {
                        layout,
                        form,
                        errors,
                    },
                ),
            )))
        }
    }
}
