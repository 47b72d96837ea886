//! Recognition's pages: the badges' rules (public) and an ambassador's own badges.

use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::rules::{Badge, BADGES};
use super::service::{self, BadgesView};
use crate::auth::guards::{Ambassador, CurrentUser};
use crate::error::AppResult;
use crate::http::csrf::{CsrfForm, CsrfProtected};
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct RulesPage {
    layout: Layout,
    badges: Vec<Badge>,
    signed_in: bool,
}

/// The badges and what earns each: anyone may read them, signed in or not.
#[rocket::get("/badges")]
pub async fn rules_page(layout: Layout, user: Option<&CurrentUser>) -> Template {
    Template::render(
        "recognition/rules",
        RulesPage {
            layout,
            badges: BADGES.to_vec(),
            signed_in: user.is_some(),
        },
    )
}

#[derive(Serialize)]
pub struct MinePage {
    layout: Layout,
    view: BadgesView,
    /// Every badge, with whether the ambassador holds it.
    all: Vec<(Badge, bool)>,
}

/// The signed-in ambassador's badges, the ones still ahead and the board setting.
#[rocket::get("/me/badges")]
pub async fn mine(
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let view = service::mine(db, &user).await?;
    let all = BADGES
        .iter()
        .map(|b| (*b, view.badges.iter().any(|e| e.key == b.key)))
        .collect();
    Ok(Template::render(
        "recognition/mine",
        MinePage { layout, view, all },
    ))
}

#[derive(FromForm, Default)]
pub struct BoardForm {
    /// Present (a ticked box) to show the badges on the board.
    #[field(default = false)]
    pub show_on_board: bool,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for BoardForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Shows the ambassador's badges on the board, or stops.
#[rocket::post("/me/badges", data = "<form>")]
pub async fn set_board(
    form: CsrfForm<BoardForm>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Flash<Redirect>> {
    service::set_show_on_board(db, &user, form.0.show_on_board).await?;
    Ok(Flash::success(
        Redirect::to("/me/badges"),
        "badges.board_saved",
    ))
}

// ---------------------------------------------------------------------------------------
// Certificates of participation.

use super::certificates::{self as certs, CertificateList, CertificateRow, IssueOutcome, Verified};
use crate::auth::guards::Coordinator;
use crate::http::client_ip::ClientIp;
use crate::http::origin::Origin;
use crate::nip::NipKey;
use crate::notify::Mailer;
use rocket::http::{ContentType, Status};
use std::collections::BTreeMap;

/// A PDF or zip to download.
pub struct File {
    bytes: Vec<u8>,
    content_type: ContentType,
    name: String,
}

impl<'r> rocket::response::Responder<'r, 'static> for File {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build()
            .header(self.content_type)
            .raw_header(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.name),
            )
            .raw_header("Cache-Control", "private, no-store")
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// Where Duta's public pages start: `smtp.public_url` when set, else the address the
/// browser used.
pub fn public_base(mailer: &Mailer, origin: &Origin) -> String {
    mailer.link("").unwrap_or_else(|| origin.0.clone())
}

#[derive(Serialize)]
pub struct CertificatesPage {
    layout: Layout,
    from: String,
    to: String,
    list: CertificateList,
    outcome: Option<IssueOutcome>,
    errors: BTreeMap<String, Vec<String>>,
    page: u64,
    pages: u64,
}

const PER_PAGE: u64 = 50;

#[allow(clippy::too_many_arguments)]
async fn certificates_page(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    layout: Layout,
    (from, to): (String, String),
    page: u64,
    outcome: Option<IssueOutcome>,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let list = certs::list(db, key, user, PER_PAGE, page.saturating_sub(1) * PER_PAGE).await?;
    Ok(Template::render(
        "recognition/certificates",
        CertificatesPage {
            pages: list.total.div_ceil(PER_PAGE).max(1),
            layout,
            from,
            to,
            list,
            outcome,
            errors,
            page: page.max(1),
        },
    ))
}

/// Certificates: the form to issue them for a period (the last half-year offered) and
/// those issued in the caller's scope, newest first.
#[rocket::get("/certificates?<page>")]
pub async fn certificates(
    page: Option<u64>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Template> {
    let (from, to) = certs::default_period(
        crate::leaderboard::standings::programme_zone(db.inner())
            .await
            .map(|tz| chrono::Utc::now().with_timezone(&tz).date_naive())?,
    );
    certificates_page(
        db,
        key,
        &user,
        layout,
        (from.to_string(), to.to_string()),
        page.unwrap_or(1),
        None,
        BTreeMap::new(),
    )
    .await
}

#[derive(FromForm, Default)]
pub struct IssueForm {
    #[field(default = String::new())]
    pub from: String,
    #[field(default = String::new())]
    pub to: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for IssueForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// The programme's today.
async fn today(db: &DatabaseConnection) -> AppResult<chrono::NaiveDate> {
    let tz = crate::leaderboard::standings::programme_zone(db).await?;
    Ok(chrono::Utc::now().with_timezone(&tz).date_naive())
}

/// Issues certificates for the period typed; the page again with what was done, or with
/// the message at each bad date and the dates kept.
#[rocket::post("/certificates", data = "<form>")]
pub async fn issue(
    form: CsrfForm<IssueForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    let f = form.0;
    let typed = (f.from.clone(), f.to.clone());
    let result = match certs::check_period(&f.from, &f.to, today(db).await?) {
        Ok((from, to)) => certs::issue(db, &user, from, to, &ip).await,
        Err(e) => Err(crate::error::AppError::Validation(e)),
    };
    let (status, outcome, errors) = match result {
        Ok(o) => (Status::Ok, Some(o), BTreeMap::new()),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            (status, None, errors)
        }
    };
    Ok((
        status,
        certificates_page(db, key, &user, layout, typed, 1, outcome, errors).await?,
    ))
}

/// One certificate as PDF (its holder, or staff whose scope holds them).
#[rocket::get("/certificates/<id>/pdf")]
pub async fn pdf(
    id: i64,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    mailer: &Shared<Mailer>,
    origin: Origin,
) -> AppResult<File> {
    let base = public_base(mailer, &origin);
    Ok(File {
        bytes: certs::pdf(db, key, user, id, &base).await?,
        content_type: ContentType::PDF,
        name: format!("sertifikat-duta-{id}.pdf"),
    })
}

/// Every certificate of a period in the caller's scope as PDFs in one zip, to print.
#[rocket::get("/certificates/zip?<from>&<to>")]
#[allow(clippy::too_many_arguments)]
pub async fn zip(
    from: Option<String>,
    to: Option<String>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
    mailer: &Shared<Mailer>,
    origin: Origin,
) -> AppResult<File> {
    let (from, to) = certs::check_period(
        from.as_deref().unwrap_or_default(),
        to.as_deref().unwrap_or_default(),
        today(db).await?,
    )
    .map_err(crate::error::AppError::Validation)?;
    let base = public_base(mailer, &origin);
    Ok(File {
        bytes: certs::zip(db, key, &user, from, to, &base).await?,
        content_type: ContentType::ZIP,
        name: format!("sertifikat-duta-{from}-{to}.zip"),
    })
}

#[derive(Serialize)]
pub struct MyCertificatesPage {
    layout: Layout,
    certificates: Vec<CertificateRow>,
}

/// The signed-in ambassador's certificates, to download.
#[rocket::get("/me/certificates")]
pub async fn my_certificates(
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Template> {
    Ok(Template::render(
        "recognition/my_certificates",
        MyCertificatesPage {
            layout,
            certificates: certs::mine(db, key, &user).await?,
        },
    ))
}

#[derive(Serialize)]
pub struct VerifyPage {
    layout: Layout,
    code: String,
    verified: Option<Verified>,
    from: String,
    to: String,
    issued: String,
}

/// The public check of a certificate's code: what it certifies (nothing personal once
/// the holder erased their data), or "not found" (404) for a code Duta never made.
#[rocket::get("/verify/<code>")]
pub async fn verify(
    code: &str,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<(Status, Template)> {
    let (status, verified) = match certs::verify(db, key, code).await {
        Ok(v) => (Status::Ok, Some(v)),
        Err(crate::error::AppError::NotFound) => (Status::NotFound, None),
        Err(e) => return Err(e),
    };
    let date = |d: chrono::NaiveDate| super::certificate::tanggal(d);
    Ok((
        status,
        Template::render(
            "recognition/verify",
            VerifyPage {
                from: verified.as_ref().map(|v| date(v.from)).unwrap_or_default(),
                to: verified.as_ref().map(|v| date(v.to)).unwrap_or_default(),
                issued: verified
                    .as_ref()
                    .map(|v| date(v.issued_on))
                    .unwrap_or_default(),
                code: code.chars().take(40).collect(),
                layout,
                verified,
            },
        ),
    ))
}
