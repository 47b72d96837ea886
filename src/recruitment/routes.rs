//! Recruitment's pages: the public programme page of an institution and its QR code (no
//! sign-in), and staff's recruitment page where the page's text is written.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::{ContentType, Status};
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::ProgrammePageForm;
use super::service::{self, ProgrammeView, Recruitment, ReferralView};
use crate::auth::guards::{Ambassador, Coordinator, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfForm;
use crate::http::origin::Origin;
use crate::nip::NipKey;
use crate::notify::Mailer;
use crate::state::Shared;
use crate::web::layout::Layout;
use crate::web::query::Opt;

/// The referral code a link carries (`?ref=…`).
#[derive(FromForm, Default)]
pub struct Referral {
    #[field(name = "ref")]
    pub code: Option<String>,
}

#[derive(Serialize)]
pub struct ProgrammePage {
    layout: Layout,
    programme: ProgrammeView,
    /// Signed in: the sign-up button is for others (shown as the link to share).
    signed_in: bool,
}

/// An institution's public programme page: what the programme is, its thresholds and
/// consent text, the sign-up button and the QR code; through a referral link, whose
/// link it is. No sign-in; 404 for an institution that does not exist.
#[rocket::get("/program/<id>?<referral..>")]
pub async fn programme(
    id: i64,
    referral: Referral,
    layout: Layout,
    user: Option<&CurrentUser>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Template> {
    let programme = service::programme(db, key, id, referral.code.as_deref()).await?;
    Ok(Template::render(
        "recruitment/programme",
        ProgrammePage {
            layout,
            programme,
            signed_in: user.is_some(),
        },
    ))
}

/// The QR code of an institution's programme page (SVG, to print or share), with the
/// referral code when the link carries a valid one. Links start with `smtp.public_url`,
/// or without it with the address the browser used.
#[rocket::get("/program/<id>/qr.svg?<referral..>")]
pub async fn qr(
    id: i64,
    referral: Referral,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    mailer: &Shared<Mailer>,
    origin: Origin,
) -> AppResult<(ContentType, String)> {
    let programme = service::programme(db, key, id, referral.code.as_deref()).await?;
    let path = programme.page_path;
    let link = mailer
        .link(&path)
        .unwrap_or_else(|| format!("{}{path}", origin.0));
    let svg = super::rules::qr_svg(&link).ok_or_else(|| AppError::internal("link too long"))?;
    Ok((ContentType::SVG, svg))
}

#[derive(Serialize)]
pub struct RecruitmentPage {
    layout: Layout,
    recruitment: Recruitment,
    /// Admins choose the institution.
    institutions: Vec<(i64, String)>,
    /// The public link of the programme page, as it is shared.
    link: String,
    form: ProgrammePageForm,
    errors: BTreeMap<String, Vec<String>>,
}

#[allow(clippy::too_many_arguments)]
async fn recruitment_page(
    db: &DatabaseConnection,
    key: &NipKey,
    mailer: &Mailer,
    origin: &Origin,
    user: &CurrentUser,
    layout: Layout,
    institution_id: i64,
    form: Option<ProgrammePageForm>,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let recruitment = service::recruitment(db, key, user, institution_id).await?;
    let path = recruitment.programme.page_path.clone();
    let form = form.unwrap_or_else(|| ProgrammePageForm {
        headline: recruitment.programme.headline.clone().unwrap_or_default(),
        body: recruitment.programme.body.clone().unwrap_or_default(),
        csrf_token: String::new(),
    });
    Ok(Template::render(
        "recruitment/index",
        RecruitmentPage {
            layout,
            institutions: service::institution_choices(db, user).await?,
            link: mailer
                .link(&path)
                .unwrap_or_else(|| format!("{}{path}", origin.0)),
            recruitment,
            form,
            errors,
        },
    ))
}

/// Staff's recruitment page: the programme page's text (written here by admins and the
/// coordinators of the whole institution), its link and QR code, and who came through
/// referral links in the caller's scope.
#[rocket::get("/recruitment?<institution>")]
pub async fn index(
    institution: Opt<i64>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    mailer: &Shared<Mailer>,
    origin: Origin,
) -> AppResult<Template> {
    let id = service::institution_for(db, &user, institution.0).await?;
    recruitment_page(
        db,
        key,
        mailer,
        &origin,
        &user,
        layout,
        id,
        None,
        BTreeMap::new(),
    )
    .await
}

/// Saves the programme page's text; 422 with the typed text kept and a message at each
/// bad field.
#[rocket::post("/recruitment?<institution>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn save(
    institution: Opt<i64>,
    form: CsrfForm<ProgrammePageForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    mailer: &Shared<Mailer>,
    origin: Origin,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let id = service::institution_for(db, &user, institution.0).await?;
    match service::save_page(db, key, &user, id, &form.input(), &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/recruitment?institution={id}")),
            "recruitment.saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = recruitment_page(
                db,
                key,
                mailer,
                &origin,
                &user,
                layout,
                id,
                Some(form),
                errors,
            )
            .await?;
            Ok(Err((status, page)))
        }
    }
}

#[derive(Serialize)]
pub struct ReferralPage {
    layout: Layout,
    referral: ReferralView,
    /// The referral link as it is shared (absolute); none without a link.
    link: Option<String>,
    /// WhatsApp's share link with the invitation and the link (as the composer makes one).
    whatsapp_url: Option<String>,
}

/// An ambassador's own referral link (approved ambassadors who have not left), to copy
/// or show as a QR code, with how many signed up through it and were approved.
#[rocket::get("/me/referral")]
pub async fn referral(
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    mailer: &Shared<Mailer>,
    origin: Origin,
) -> AppResult<Template> {
    let referral = service::my_referral(db, key, &user).await?;
    let link = referral.page_path.as_ref().map(|path| {
        mailer
            .link(path)
            .unwrap_or_else(|| format!("{}{path}", origin.0))
    });
    let whatsapp_url = link.as_ref().map(|l| {
        let invitation = crate::web::i18n::t(layout.lang, "recruitment.whatsapp_text");
        crate::briefs::rules::wa_share_link(&format!("{invitation} {l}"))
    });
    Ok(Template::render(
        "recruitment/referral",
        ReferralPage {
            layout,
            referral,
            link,
            whatsapp_url,
        },
    ))
}
