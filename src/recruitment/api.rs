//! The recruitment API: an institution's public programme page (no token), its text
//! written by staff, an ambassador's own referral link, and staff's referral figures.

use rocket::form::FromForm;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::ProgrammePageRequest;
use super::service::{self, ProgrammeView, Recruitment, ReferralView};
use crate::auth::guards::{Ambassador, Coordinator};
use crate::error::{ApiErrorBody, AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// An institution's public programme page (no token): its text as the coordinators wrote
/// it (none: Duta's own), the thresholds, the consent version and the links to the page,
/// its sign-up form and its QR code. With `ref`, the referral code of a link: when it is
/// an approved ambassador's of this institution, `invited_by` names them and the links
/// carry it; any other well-formed code is ignored. 404 for an institution that does not
/// exist.
#[utoipa::path(get, path = "/api/v1/institutions/{id}/programme", tag = "recruitment",
    params(("id" = i64, Path, description = "institution id"),
           ("ref" = Option<String>, Query, pattern = "^[1-9][0-9]{0,17}-[0-9a-f]{12}$", max_length = 31,
            description = "a referral code (an ambassador's id and 12 hex digits)")),
    responses((status = 200, body = ProgrammeView), (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/institutions/<id>/programme?<referral..>")]
pub async fn show(
    id: i64,
    referral: Referrals,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<ProgrammeView>> {
    // One code, of the documented shape; a repeated `ref` is not one.
    let code = match referral.codes.as_slice() {
        [] => None,
        [code] if super::rules::is_referral_shaped(code) => Some(code.as_str()),
        _ => {
            return Err(AppError::Validation(FieldErrors::single(
                "ref",
                Msg::new("recruitment.referral_invalid"),
            )))
        }
    };
    Ok(Json(service::programme(db, key, id, code).await?))
}

/// Every `ref` of the query, so that a repeated one is refused rather than one chosen.
#[derive(FromForm, Default)]
pub struct Referrals {
    #[field(name = "ref")]
    pub codes: Vec<String>,
}

/// Writes an institution's programme page: admins any, coordinators of the whole
/// institution their own (403 for a coordinator of a unit; 404 for another institution).
/// 422 with every bad field, nothing stored. Audited.
#[utoipa::path(put, path = "/api/v1/institutions/{id}/programme", tag = "recruitment", security(("bearer" = [])),
    params(("id" = i64, Path, description = "institution id")),
    request_body = ProgrammePageRequest,
    responses((status = 200, body = ProgrammeView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::put("/institutions/<id>/programme", data = "<body>")]
pub async fn update(
    id: i64,
    body: ApiJson<ProgrammePageRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> AppResult<Json<ProgrammeView>> {
    Ok(Json(
        service::save_page(db, key, &user, id, &body.0.input(), &ip).await?,
    ))
}

/// The signed-in ambassador's referral link (approved ambassadors who have not left;
/// none for others) and how many signed up through it and were approved.
#[utoipa::path(get, path = "/api/v1/me/referral", tag = "recruitment", security(("bearer" = [])),
    responses((status = 200, body = ReferralView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/me/referral")]
pub async fn referral(
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<ReferralView>> {
    Ok(Json(service::my_referral(db, key, &user).await?))
}

/// Staff's recruitment figures for an institution (coordinators their own, 404 for
/// another; admins any, by default the first by name): its programme page, the people of
/// the caller's scope who came through a referral link, and the referrers who brought
/// most.
#[utoipa::path(get, path = "/api/v1/recruitment", tag = "recruitment", security(("bearer" = [])),
    params(("institution" = Option<i64>, Query, minimum = 1, description = "institution id (admins)")),
    responses((status = 200, body = Recruitment), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/recruitment?<institution>")]
pub async fn recruitment(
    institution: Opt<i64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<Recruitment>> {
    let id = service::institution_for(db, &user, institution.0).await?;
    Ok(Json(service::recruitment(db, key, &user, id).await?))
}
