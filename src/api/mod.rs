//! The OpenAPI document at `/api/openapi.json`, generated from the handlers'
//! annotations (the JSON body guard every domain uses is `crate::web::json`).

use rocket::serde::json::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Duta API", description = "ASN ambassador programmes for government PR offices (humas)."),
    paths(
        crate::auth::api::login,
        crate::auth::api::logout,
        crate::ambassadors::api::me,
        crate::auth::api::change_password,
        crate::auth::api::two_factor_setup,
        crate::auth::api::two_factor_enable,
        crate::auth::api::two_factor_disable,
        crate::auth::api::two_factor_recovery_codes,
        crate::org::api::index,
        crate::org::api::create,
        crate::org::api::show,
        crate::org::api::work_units,
        crate::org::api::create_work_unit,
        crate::accounts::api::index,
        crate::accounts::api::create,
        crate::accounts::api::update,
        crate::accounts::api::deactivate,
        crate::settings::api::show,
        crate::settings::api::update,
        crate::ambassadors::api::signup,
        crate::ambassadors::api::signup_form,
        crate::ambassadors::api::show_own,
        crate::ambassadors::api::resubmit,
        crate::ambassadors::api::upload_screenshot,
        crate::vetting::api::index,
        crate::vetting::api::show,
        crate::vetting::api::approve,
        crate::vetting::api::reject,
        crate::vetting::api::followers,
        crate::vetting::api::recheck,
        crate::vetting::api::import,
        crate::briefs::api::create,
        crate::briefs::api::update,
        crate::briefs::api::index,
        crate::briefs::api::current,
        crate::briefs::api::show,
        crate::briefs::api::pause_all,
        crate::briefs::api::resume_all,
        crate::briefs::api::add_image,
        crate::story_templates::api::index,
        crate::story_templates::api::create,
        crate::story_templates::api::render,
        crate::notifications::api::index,
        crate::submissions::api::create,
        crate::submissions::api::mine,
        crate::submissions::api::queue,
        crate::submissions::api::show,
        crate::submissions::api::verify,
        crate::submissions::api::reject,
        crate::submissions::api::revert,
        crate::leaderboard::api::index,
        crate::leaderboard::api::me,
        crate::leaderboard::api::holidays,
        crate::leaderboard::api::add_holiday,
        crate::leaderboard::api::remove_holiday,
        crate::leaderboard::api::leaves,
        crate::leaderboard::api::add_leave,
        crate::stats::api::participation,
        crate::privacy::api::export,
        crate::privacy::api::correct,
        crate::privacy::api::withdraw,
        crate::privacy::api::erase,
        crate::audit::api::index,
        crate::integrity::api::index,
        crate::integrity::api::clear,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[rocket::get("/openapi.json")]
pub fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
