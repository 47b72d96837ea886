//! The national-brief pages: the list (national users and admins: every national brief
//! with its uptake; coordinators: their institution's inbox), the national role's form
//! (pre-filled from a case of the national hoax list), and a brief's page (the uptake per
//! institution, or the institution's adopt and decline forms).

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{AdoptForm, DeclineForm, NationalForm};
use super::service::{self, NationalBriefPage, NationalBriefView};
use crate::auth::guards::{Coordinating, CurrentUser, InstitutionDesk, NationalDesk};
use crate::auth::roles::Role;
use crate::briefs::rules::{CATEGORIES, PLATFORMS};
use crate::error::AppResult;
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfForm;
use crate::notify::Mailer;
use crate::org::rules::{INSTITUTION_KINDS, REGIONS};
use crate::state::Shared;
use crate::story_templates::service::TemplateView;
use crate::web::layout::Layout;
use crate::web::query::Opt;

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

#[derive(Serialize)]
pub struct ListPage {
    layout: Layout,
    list: NationalBriefPage,
    pages: u64,
    /// National users write national briefs.
    can_write: bool,
    /// The programme's time zone, for the deadlines.
    tz: String,
}

/// National briefs: every one with its uptake (national users, admins), or the
/// institution's inbox with its answers (coordinators).
#[rocket::get("/national-briefs?<page>")]
pub async fn index(
    page: Opt<u64>,
    user: Coordinating<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let page = crate::hoaxes::service::check_page(page.0)?;
    let list = service::list(db, &user, page).await?;
    Ok(Template::render(
        "narratives/index",
        ListPage {
            layout,
            pages: list.total.div_ceil(service::PER_PAGE).max(1),
            list,
            can_write: user.role == Role::National,
            tz: crate::settings::service::programme_timezone(db)
                .await?
                .name()
                .to_string(),
        },
    ))
}

#[derive(Serialize)]
pub struct FormPage {
    layout: Layout,
    form: NationalForm,
    errors: BTreeMap<String, Vec<String>>,
    categories: &'static [&'static str],
    platforms: &'static [&'static str],
    kinds: &'static [&'static str],
    regions: &'static [(&'static str, &'static str)],
    templates: Vec<TemplateView>,
}

async fn form_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    form: NationalForm,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    // Shared templates only: an institution's own are not for others.
    let templates = crate::story_templates::service::list_templates(db, user)
        .await?
        .into_iter()
        .filter(|t| t.institution_id.is_none())
        .collect();
    Ok(Template::render(
        "narratives/new",
        FormPage {
            layout,
            form,
            errors,
            categories: &CATEGORIES,
            platforms: &PLATFORMS,
            kinds: &INSTITUTION_KINDS,
            regions: &REGIONS,
            templates,
        },
    ))
}

/// The national brief's form; with `case`, filled in as the clarification of that
/// confirmed case of the national hoax list (404 for a case out of reach, 409 for one
/// that cannot be answered so).
#[rocket::get("/national-briefs/new?<case>")]
pub async fn new(
    case: Opt<i64>,
    user: NationalDesk<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let mut form = NationalForm {
        priority: "normal".into(),
        category: "sosialisasi".into(),
        ..Default::default()
    };
    if let Some(id) = case.0 {
        let (case, links) = crate::hoaxes::service::case_to_answer(db, &user, id, true).await?;
        let draft = crate::briefs::service::clarification_of(db, &case.summary, &links).await?;
        let tz = crate::settings::service::programme_timezone(db).await?;
        form = NationalForm {
            title: draft.title,
            category: draft.category,
            key_messages: draft.key_messages,
            facts: draft
                .facts
                .iter()
                .map(|f| {
                    if f.source.is_empty() {
                        f.text.clone()
                    } else {
                        format!("{} | {}", f.text, f.source)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            dos: draft.dos,
            donts: draft.donts,
            platforms: draft.platforms,
            deadline: chrono::DateTime::parse_from_rfc3339(&draft.deadline)
                .map(|d| d.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            priority: draft.priority,
            template_ids: draft.template_ids,
            hoax_case_id: Some(case.id),
            ..Default::default()
        };
    }
    form_page(db, &user, layout, form, BTreeMap::new()).await
}

/// Publishes a national brief to the institutions chosen; on refusal the form again.
#[rocket::post("/national-briefs", data = "<form>")]
pub async fn create(
    form: CsrfForm<NationalForm>,
    user: NationalDesk<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    match service::create(db, mailer, &user, &form.input(), &ip).await {
        Ok(made) => Ok(Ok(Flash::success(
            Redirect::to(format!("/national-briefs/{}", made.id)),
            "narratives.published",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                form_page(db, &user, layout, form, errors).await?,
            )))
        }
    }
}

#[derive(Serialize)]
pub struct ShowPage {
    layout: Layout,
    brief: NationalBriefView,
    /// National users and admins see every institution's answer.
    oversees: bool,
    /// A coordinator of the whole institution whose answer is still to give.
    can_answer: bool,
    /// A coordinator limited to a unit: the institution's coordinators answer.
    unit_coordinator: bool,
    regions: BTreeMap<&'static str, &'static str>,
    adopt: AdoptForm,
    decline: DeclineForm,
    errors: BTreeMap<String, Vec<String>>,
    tz: String,
}

async fn show_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: i64,
    forms: (AdoptForm, DeclineForm),
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let brief = service::view(db, user, id).await?;
    let coordinator = user.role == Role::Coordinator;
    let whole = coordinator && user.user.work_unit_id.is_none();
    let waiting = brief.uptake.first().is_some_and(|u| u.state == "waiting");
    let (adopt, decline) = forms;
    Ok(Template::render(
        "narratives/show",
        ShowPage {
            layout,
            oversees: !coordinator,
            can_answer: whole && waiting,
            unit_coordinator: coordinator && !whole,
            regions: REGIONS.iter().copied().collect(),
            brief,
            adopt,
            decline,
            errors,
            tz: crate::settings::service::programme_timezone(db)
                .await?
                .name()
                .to_string(),
        },
    ))
}

/// A national brief: its content and its uptake.
#[rocket::get("/national-briefs/<id>", rank = 2)]
pub async fn show(
    id: i64,
    user: Coordinating<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    show_page(db, &user, layout, id, Default::default(), BTreeMap::new()).await
}

/// The institution adopts the national brief: to its own brief, published.
#[rocket::post("/national-briefs/<id>/adopt", data = "<form>")]
pub async fn adopt(
    id: i64,
    form: CsrfForm<AdoptForm>,
    user: InstitutionDesk<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    match service::adopt(db, mailer, &user, id, &form.input(), &ip).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(match row.brief_id {
                Some(b) => format!("/briefs/{b}"),
                None => format!("/national-briefs/{id}"),
            }),
            "narratives.adopted",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = show_page(
                db,
                &user,
                layout,
                id,
                (form, DeclineForm::default()),
                errors,
            )
            .await?;
            Ok(Err((status, page)))
        }
    }
}

/// The institution declines the national brief, with its reason.
#[rocket::post("/national-briefs/<id>/decline", data = "<form>")]
pub async fn decline(
    id: i64,
    form: CsrfForm<DeclineForm>,
    user: InstitutionDesk<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    match service::decline(db, &user, id, &form.reason, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/national-briefs/{id}")),
            "narratives.declined",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page =
                show_page(db, &user, layout, id, (AdoptForm::default(), form), errors).await?;
            Ok(Err((status, page)))
        }
    }
}
