//! The briefs pages: coordinators list, write, publish and pause briefs; ambassadors
//! read a brief and compose their post from its storytelling templates.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{BriefForm, ComposeForm, PauseForm, PauseRequest};
use super::rules::{self, IsoWeek, CATEGORIES, PLATFORMS};
use super::service::{self, BriefView};
use crate::auth::guards::{Ambassador, Coordinator, CurrentUser};
use crate::auth::roles::Role;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, TokenOnlyForm};
use crate::notify::Mailer;
use crate::org::service::{list_units_grouped, UnitGroup};
use crate::settings::service::programme_timezone;
use crate::state::Shared;
use crate::story_templates::service::{self as templates, Rendered, TemplateView};
use crate::submissions::forms::{SubmissionForm, SubmissionValues};
use crate::web::layout::Layout;

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

fn local(t: DateTime<Utc>, tz: &chrono_tz::Tz) -> String {
    crate::web::time::local_with_zone(t, tz)
}

fn input_value(t: DateTime<Utc>, tz: &chrono_tz::Tz) -> String {
    t.with_timezone(tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// A brief as a list row: its view and its times in the programme's zone.
#[derive(Serialize)]
pub struct BriefRow {
    #[serde(flatten)]
    brief: BriefView,
    deadline_local: String,
    publish_local: String,
    hours_left: i64,
}

fn row(b: BriefView, tz: &chrono_tz::Tz, now: DateTime<Utc>) -> BriefRow {
    BriefRow {
        deadline_local: local(b.deadline, tz),
        publish_local: b.publish_at.map(|t| local(t, tz)).unwrap_or_default(),
        hours_left: rules::hours_left(b.deadline, now),
        brief: b,
    }
}

#[derive(Serialize)]
pub struct BriefsIndexPage {
    layout: Layout,
    rows: Vec<BriefRow>,
    week: String,
    this_week: String,
    paused: Option<String>,
    can_pause: bool,
    errors: BTreeMap<String, Vec<String>>,
    notice: String,
}

async fn index_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    week: Option<&str>,
    errors: BTreeMap<String, Vec<String>>,
    notice: String,
) -> AppResult<(Status, Template)> {
    let tz = programme_timezone(db).await?;
    let now = Utc::now();
    let week = week.unwrap_or("").trim().to_string();
    let (status, rows, errors) = match service::list_briefs(db, user, Some(&week)).await {
        Ok(rows) => (Status::Ok, rows, errors),
        Err(e) => {
            let (s, e) = e.form_errors(layout.lang)?;
            (s, Vec::new(), e)
        }
    };
    let own = user.user.institution_id;
    let paused = match own {
        Some(i) => service::active_pause(db, i).await?.map(|p| p.notice),
        None => None,
    };
    Ok((
        status,
        Template::render(
            "briefs/index",
            BriefsIndexPage {
                layout,
                rows: rows.into_iter().map(|b| row(b, &tz, now)).collect(),
                week,
                this_week: IsoWeek::of(now.with_timezone(&tz).date_naive()).to_string(),
                paused,
                can_pause: own.is_some() && user.work_unit_path.is_none(),
                errors,
                notice,
            },
        ),
    ))
}

#[rocket::get("/briefs?<week>")]
pub async fn index(
    week: Option<&str>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    index_page(db, &user, layout, week, BTreeMap::new(), String::new()).await
}

#[derive(Serialize)]
pub struct BriefFormPage {
    layout: Layout,
    /// The brief being edited; none for a new one.
    brief_id: Option<i64>,
    form: BriefForm,
    errors: BTreeMap<String, Vec<String>>,
    groups: Vec<UnitGroup>,
    templates: Vec<TemplateView>,
    categories: Vec<&'static str>,
    platforms: Vec<&'static str>,
    needs_institution: bool,
}

async fn form_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    brief_id: Option<i64>,
    form: BriefForm,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    // The library, and any archived template the brief already chose (it stays with the
    // brief unless unticked).
    let mut offered = templates::list_templates(db, user).await?;
    let chosen = templates::templates_by_id(db, user, &form.template_ids).await?;
    offered.extend(chosen.into_iter().filter(|t| t.archived));
    Ok(Template::render(
        "briefs/form",
        BriefFormPage {
            layout,
            brief_id,
            form,
            errors,
            groups: list_units_grouped(db, user).await?,
            templates: offered,
            categories: CATEGORIES.to_vec(),
            platforms: PLATFORMS.to_vec(),
            needs_institution: user.role == Role::Admin,
        },
    ))
}

#[rocket::get("/briefs/new")]
pub async fn new(
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let tz = programme_timezone(db).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let week = IsoWeek::of(today);
    // By default: due this Friday at 17:00 (or in three days when Friday has passed).
    let friday = week.monday() + Duration::days(4);
    let due = if friday > today {
        friday
    } else {
        today + Duration::days(3)
    };
    let form = BriefForm {
        week: week.to_string(),
        category: "sosialisasi".into(),
        priority: "normal".into(),
        status: "draft".into(),
        platforms: vec!["x".into(), "instagram".into(), "facebook".into()],
        deadline: format!("{}T17:00", due.format("%Y-%m-%d")),
        ..Default::default()
    };
    form_page(db, &user, layout, None, form, BTreeMap::new()).await
}

#[rocket::post("/briefs", data = "<form>")]
pub async fn create(
    form: CsrfForm<BriefForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> PageResult {
    match service::create_brief(db, mailer, &user, &form.0.to_request(), &ip).await {
        Ok(saved) => Ok(Ok(Flash::success(
            Redirect::to(format!("/briefs/{}", saved.id)),
            "briefs.saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                form_page(db, &user, layout, None, form.0, errors).await?,
            )))
        }
    }
}

/// The page form of a stored brief.
fn form_of(b: &BriefView, tz: &chrono_tz::Tz) -> BriefForm {
    BriefForm {
        institution_id: Some(b.institution_id),
        title: b.title.clone(),
        week: b.week.clone(),
        category: b.category.clone(),
        key_messages: b.key_messages.clone(),
        facts: b
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
        hashtags: b.hashtags.join(" "),
        mentions: b.mentions.join(" "),
        dos: b.dos.clone(),
        donts: b.donts.clone(),
        sample: b.sample.clone(),
        platforms: b.platforms.clone(),
        deadline: input_value(b.deadline, tz),
        priority: b.priority.clone(),
        work_unit_ids: b.work_unit_ids.clone(),
        template_ids: b.template_ids.clone(),
        status: b.status.clone(),
        publish_at: b.publish_at.map(|t| input_value(t, tz)).unwrap_or_default(),
        csrf_token: String::new(),
    }
}

#[rocket::get("/briefs/<id>/edit")]
pub async fn edit(
    id: i64,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let b = service::get_managed_brief(db.inner(), &user, id).await?;
    let view = service::views_of(db.inner(), vec![b]).await?.remove(0);
    let tz = programme_timezone(db).await?;
    form_page(
        db,
        &user,
        layout,
        Some(id),
        form_of(&view, &tz),
        BTreeMap::new(),
    )
    .await
}

#[rocket::post("/briefs/<id>", data = "<form>")]
pub async fn update(
    id: i64,
    form: CsrfForm<BriefForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> PageResult {
    match service::update_brief(db, mailer, &user, id, &form.0.to_request(), &ip).await {
        Ok(saved) => Ok(Ok(Flash::success(
            Redirect::to(format!("/briefs/{}", saved.id)),
            "briefs.saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                form_page(db, &user, layout, Some(id), form.0, errors).await?,
            )))
        }
    }
}

#[rocket::post("/briefs/pause-all", data = "<form>")]
pub async fn pause_all(
    form: CsrfForm<PauseForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    let req = PauseRequest {
        notice: form.0.notice.clone(),
    };
    match service::pause_all(db, &user, form.0.institution_id, &req, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/briefs"),
            "briefs.paused_done",
        ))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let (_, page) =
                index_page(db, &user, layout, None, errors, form.0.notice.clone()).await?;
            Ok(Err((status, page)))
        }
        Err(e) => Err(e),
    }
}

#[rocket::post("/briefs/resume-all", data = "<form>")]
pub async fn resume_all(
    form: CsrfForm<PauseForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    match service::resume_all(db, &user, form.0.institution_id, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/briefs"),
            "briefs.resumed_done",
        ))),
        Err(e @ AppError::Conflict(_)) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let (_, page) = index_page(db, &user, layout, None, errors, String::new()).await?;
            Ok(Err((status, page)))
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
pub struct BriefPage {
    layout: Layout,
    brief: BriefRow,
    templates: Vec<TemplateView>,
    unit_names: Vec<String>,
    can_manage: bool,
    /// For coordinators of a published brief: how far its audience got.
    audience: Option<super::audience::AudienceCounts>,
    /// The copy form's week (the next one after the brief's, or what was typed).
    copy_week: String,
    /// Nobody has seen it yet: it may be deleted.
    deletable: bool,
    is_ambassador: bool,
    paused_notice: Option<String>,
    errors: BTreeMap<String, Vec<String>>,
    variants: Vec<&'static str>,
    /// The ambassador's posts for this brief, with their state and reason.
    submissions: Vec<crate::submissions::service::SubmissionView>,
    /// What the submission form shows (what was typed, after a refusal).
    submit: SubmissionValues,
    /// A lesson the ambassador must complete before posting for this brief.
    required_lesson: Option<crate::training::service::RequiredLesson>,
}

/// The templates offered with a brief: its own choice, or every template the user may use.
async fn templates_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief: &BriefView,
) -> AppResult<Vec<TemplateView>> {
    if brief.template_ids.is_empty() {
        return templates::list_templates(db, user).await;
    }
    // The brief's own choice, archived templates included: they stay with the brief.
    templates::templates_by_id(db, user, &brief.template_ids).await
}

pub async fn brief_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: i64,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    brief_page_with(db, user, layout, id, errors, None, None).await
}

/// The brief page, with the submission form showing `typed` after a refusal.
async fn brief_page_with(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: i64,
    errors: BTreeMap<String, Vec<String>>,
    typed: Option<SubmissionValues>,
    copy_week: Option<String>,
) -> AppResult<Template> {
    let view = service::get_brief_view_for(db, user, id).await?;
    super::audience::record_read_by(db, user, id).await?;
    let copy_week = copy_week.unwrap_or_else(|| {
        rules::IsoWeek::parse(&view.week)
            .map(|w| rules::IsoWeek::of(w.monday() + Duration::weeks(1)).to_string())
            .unwrap_or_default()
    });
    let tz = programme_timezone(db).await?;
    let names = crate::org::service::unit_names(db, &view.work_unit_ids).await?;
    let managed = if matches!(user.role, Role::Coordinator | Role::Admin) {
        service::get_managed_brief(db, user, id).await.ok()
    } else {
        None
    };
    let can_manage = managed.is_some();
    let audience = match &managed {
        Some(b) if service::state_of(b, Utc::now()) != "draft" => {
            Some(super::audience::counts_of(db, user, b).await?)
        }
        _ => None,
    };
    let paused_notice = if user.role == Role::Ambassador {
        service::active_pause(db, view.institution_id)
            .await?
            .map(|p| p.notice)
    } else {
        None
    };
    let me = if user.role == Role::Ambassador {
        crate::ambassadors::service::find_ambassador_by_user(db, user.id()).await?
    } else {
        None
    };
    let required_lesson = match &me {
        Some(me) => crate::training::service::missing_before(db, me, &view.category).await?,
        None => None,
    };
    let (submissions, submit) = if user.role == Role::Ambassador {
        let mine = crate::submissions::service::mine(db, user, Some(id)).await?;
        let submit = typed.unwrap_or_else(|| SubmissionValues {
            platform: view.platforms.first().cloned().unwrap_or_default(),
            posted_at: input_value(Utc::now(), &tz),
            ..Default::default()
        });
        (mine, submit)
    } else {
        (Vec::new(), SubmissionValues::default())
    };
    Ok(Template::render(
        "briefs/show",
        BriefPage {
            layout,
            submissions,
            submit,
            templates: templates_for(db, user, &view).await?,
            brief: row(view, &tz, Utc::now()),
            unit_names: names,
            can_manage,
            audience,
            deletable: managed
                .as_ref()
                .is_some_and(|b| matches!(service::state_of(b, Utc::now()), "draft" | "scheduled")),
            copy_week,
            is_ambassador: user.role == Role::Ambassador,
            required_lesson,
            paused_notice,
            errors,
            variants: super::variants::VARIANTS.iter().map(|v| v.key).collect(),
        },
    ))
}

#[rocket::get("/briefs/<id>", rank = 2)]
pub async fn show(
    id: i64,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    brief_page(db, user, layout, id, BTreeMap::new()).await
}

/// One platform's draft on the composer page, with its share link.
#[derive(Serialize)]
pub struct DraftCard {
    #[serde(flatten)]
    rendered: Rendered,
    wa_link: String,
}

#[derive(Serialize)]
pub struct ComposePage {
    layout: Layout,
    brief: BriefView,
    templates: Vec<TemplateView>,
    template: Option<TemplateView>,
    values: BTreeMap<String, String>,
    cards: Vec<DraftCard>,
    errors: BTreeMap<String, Vec<String>>,
    paused_notice: Option<String>,
    saved: Vec<service::DraftView>,
}

#[allow(clippy::too_many_arguments)]
async fn compose_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: i64,
    template_id: Option<i64>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let brief = service::get_brief_view_for(db, user, id).await?;
    super::audience::record_read_by(db, user, id).await?;
    let paused_notice = service::active_pause(db, brief.institution_id)
        .await?
        .map(|p| p.notice);
    let offered = templates_for(db, user, &brief).await?;
    let chosen = match template_id {
        Some(t) => Some(templates::get_template_for(db, user, t).await?),
        None => None,
    };
    let cards = match &chosen {
        Some(t) if paused_notice.is_none() && values.values().any(|v| !v.trim().is_empty()) => {
            brief
                .platforms
                .iter()
                .map(|p| {
                    let rendered = templates::render_for(t, p, &values, Some(brief.wording()));
                    DraftCard {
                        wa_link: rules::wa_share_link(&rendered.text),
                        rendered,
                    }
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let saved = service::drafts_of(db, user, id).await?;
    Ok(Template::render(
        "briefs/compose",
        ComposePage {
            layout,
            template: chosen.as_ref().map(templates::view),
            brief,
            templates: offered,
            values,
            cards,
            errors,
            paused_notice,
            saved,
        },
    ))
}

/// The composer; with `draft`, one of the ambassador's saved drafts is filled in again.
#[rocket::get("/briefs/<id>/compose?<template>&<draft>")]
pub async fn compose(
    id: i64,
    template: Option<i64>,
    draft: Option<i64>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let (template, values) = match draft {
        Some(d) => {
            let saved = service::get_draft_for(db, &user, id, d).await?;
            (saved.template_id.or(template), saved.fields)
        }
        None => (template, BTreeMap::new()),
    };
    compose_page(db, &user, layout, id, template, values, BTreeMap::new()).await
}

/// Previews the drafts, or keeps one platform's draft (`save`).
#[rocket::post("/briefs/<id>/compose", data = "<form>")]
pub async fn compose_post(
    id: i64,
    form: CsrfForm<ComposeForm>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    // The brief first: one out of reach is 404 whatever the form holds.
    service::get_brief_for(db.inner(), &user, id).await?;
    let Some(template_id) = form.template_id else {
        let mut errors = crate::error::FieldErrors::new();
        errors.add(
            "template_id",
            crate::error::Msg::new("compose.template_required"),
        );
        return Err(AppError::Validation(errors));
    };
    let template = templates::get_template_for(db, &user, template_id).await?;
    let checked = templates::check_fields(&template, &form.fields);
    let result = match (&checked, form.save.as_deref()) {
        (Ok(()), Some(platform)) => {
            service::save_draft(db, &user, id, template_id, platform, &form.fields)
                .await
                .map(Some)
        }
        (Ok(()), None) => Ok(None),
        (Err(e), _) => Err(AppError::Validation(e.clone())),
    };
    match result {
        Ok(Some(saved)) => Ok(Ok(Flash::success(
            Redirect::to(format!(
                "/briefs/{id}/compose?template={template_id}&draft={}#drafts",
                saved.id
            )),
            "compose.saved",
        ))),
        Ok(None) => Ok(Err((
            Status::Ok,
            compose_page(
                db,
                &user,
                layout,
                id,
                Some(template_id),
                form.fields,
                BTreeMap::new(),
            )
            .await?,
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                compose_page(
                    db,
                    &user,
                    layout,
                    id,
                    Some(template_id),
                    form.fields,
                    errors,
                )
                .await?,
            )))
        }
    }
}

pub fn all() -> Vec<rocket::Route> {
    rocket::routes![
        index,
        new,
        create,
        edit,
        update,
        pause_all,
        resume_all,
        show,
        compose,
        compose_post,
        add_image,
        set_focal,
        replace_image,
        delete_image,
        variant,
        images_zip,
        submit,
        audience,
        audience_csv,
        copy,
        delete,
        clarify
    ]
}

/// An image upload on the brief page: the file, the focal point in percent, a description.
#[derive(rocket::form::FromForm)]
pub struct ImageForm<'r> {
    pub file: Option<rocket::fs::TempFile<'r>>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    #[field(default = String::new())]
    pub alt: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for ImageForm<'_> {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Reads the uploaded file of an image form; none is a field error.
pub async fn read_image(file: Option<&rocket::fs::TempFile<'_>>) -> AppResult<Vec<u8>> {
    let Some(file) = file.filter(|f| f.len() > 0) else {
        return Err(AppError::Validation(crate::error::FieldErrors::single(
            "file",
            crate::error::Msg::new("briefs.image_required"),
        )));
    };
    crate::http::upload::read_upload(file, crate::media::rules::MAX_UPLOAD_BYTES as u64).await
}

#[rocket::post("/briefs/<id>/images", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn add_image(
    id: i64,
    form: crate::http::csrf::CsrfMultipart<ImageForm<'_>>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    // The brief first: one out of reach is 404 before anything is read.
    service::get_managed_brief(db.inner(), &user, id).await?;
    let mut errors = crate::error::FieldErrors::new();
    let focal = super::images::focal_from_percent(form.focal_x, form.focal_y, &mut errors);
    let result = match errors.into_result() {
        Err(e) => Err(e),
        Ok(()) => match read_image(form.file.as_ref()).await {
            Ok(bytes) => {
                super::images::add_image(db, store, mailer, &user, id, bytes, focal, &form.alt, &ip)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/briefs/{id}#images")),
            "briefs.image_added",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                brief_page(db, &user, layout, id, errors).await?,
            )))
        }
    }
}

/// Replaces an image's file on the brief page (the focal point stays unless given; the
/// description is the one in the form).
#[rocket::post("/briefs/<id>/images/<image_id>/file", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn replace_image(
    id: i64,
    image_id: i64,
    form: crate::http::csrf::CsrfMultipart<ImageForm<'_>>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    service::get_managed_brief(db.inner(), &user, id).await?;
    let mut errors = crate::error::FieldErrors::new();
    let focal = super::images::focal_given(form.focal_x, form.focal_y, &mut errors);
    let result = match errors.into_result() {
        Err(e) => Err(e),
        Ok(()) => match read_image(form.file.as_ref()).await {
            Ok(bytes) => super::images::replace_image(
                db,
                store,
                mailer,
                &user,
                id,
                image_id,
                bytes,
                focal,
                Some(&form.alt),
                &ip,
            )
            .await
            .map(|_| ()),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/briefs/{id}#images")),
            "briefs.image_replaced",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            // The messages go beside the image's own form.
            let errors = errors
                .into_iter()
                .map(|(k, v)| (format!("img{image_id}_{k}"), v))
                .collect();
            Ok(Err((
                status,
                brief_page(db, &user, layout, id, errors).await?,
            )))
        }
    }
}

/// Deletes an image of the brief (the page's button).
#[rocket::post("/briefs/<id>/images/<image_id>/delete", data = "<_form>")]
#[allow(clippy::too_many_arguments)]
pub async fn delete_image(
    id: i64,
    image_id: i64,
    _form: CsrfForm<TokenOnlyForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    super::images::delete_image(db, store, mailer, &user, id, image_id, &ip).await?;
    Ok(Flash::success(
        Redirect::to(format!("/briefs/{id}#images")),
        "briefs.image_deleted",
    ))
}

#[derive(rocket::form::FromForm)]
pub struct FocalForm {
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for FocalForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[rocket::post("/briefs/<id>/images/<image_id>/focal", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn set_focal(
    id: i64,
    image_id: i64,
    form: CsrfForm<FocalForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
) -> PageResult {
    service::get_managed_brief(db.inner(), &user, id).await?;
    let mut errors = crate::error::FieldErrors::new();
    let focal = super::images::focal_from_percent(form.0.focal_x, form.0.focal_y, &mut errors);
    let result = match errors.into_result() {
        Err(e) => Err(e),
        Ok(()) => super::images::set_focal(db, store, &user, id, image_id, focal)
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/briefs/{id}#images")),
            "briefs.focal_saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                brief_page(db, &user, layout, id, errors).await?,
            )))
        }
    }
}

/// A downloaded file: an image variant or a zip of them.
pub struct Download {
    pub content_type: rocket::http::ContentType,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Shown in the page (thumbnails) rather than saved.
    pub inline: bool,
}

impl<'r> rocket::response::Responder<'r, 'static> for Download {
    fn respond_to(self, _req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        let disposition = if self.inline {
            "inline".to_string()
        } else {
            format!("attachment; filename=\"{}\"", self.file_name)
        };
        rocket::Response::build()
            .header(self.content_type)
            .header(rocket::http::Header::new(
                "X-Content-Type-Options",
                "nosniff",
            ))
            .header(rocket::http::Header::new(
                "Cache-Control",
                "private, max-age=3600",
            ))
            .header(rocket::http::Header::new(
                "Content-Disposition",
                disposition,
            ))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

#[rocket::get("/briefs/<id>/images/<image_id>/<variant>")]
pub async fn variant(
    id: i64,
    image_id: i64,
    variant: &str,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
) -> AppResult<Download> {
    let (file_name, bytes) =
        super::images::variant_file(db, store, user, id, image_id, variant).await?;
    Ok(Download {
        content_type: rocket::http::ContentType::JPEG,
        file_name,
        bytes,
        inline: variant == "thumb",
    })
}

#[rocket::get("/briefs/<id>/images.zip")]
pub async fn images_zip(
    id: i64,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
) -> AppResult<Download> {
    let bytes = super::images::zip_all(db, store, user, id).await?;
    Ok(Download {
        content_type: rocket::http::ContentType::ZIP,
        file_name: format!("brief-{id}-gambar.zip"),
        bytes,
        inline: false,
    })
}

/// The ambassador's post for a brief, with an optional screenshot. On success back to
/// the brief with a note of the state; on refusal the brief page again, with the
/// messages beside the fields and what was typed.
#[rocket::post("/briefs/<id>/submissions", data = "<form>")]
pub async fn submit(
    id: i64,
    form: crate::http::csrf::CsrfMultipart<SubmissionForm<'_>>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
    zone: &Shared<crate::settings::cache::ZoneCache>,
    addressed: &Shared<super::cache::AddressedBriefs>,
    writer: &Shared<crate::submissions::writer::Writer>,
) -> PageResult {
    let form = form.0;
    let request = form.to_request(id);
    let screenshot = crate::http::upload::read_optional_picture(form.screenshot.as_ref()).await;
    let result = match screenshot {
        Ok(bytes) => {
            crate::submissions::service::submit_with_screenshot(
                db,
                store,
                (zone, addressed, writer),
                &user,
                &request,
                bytes,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(saved) => Ok(Ok(Flash::success(
            Redirect::to(format!("/briefs/{id}#submit")),
            if saved.status == "verified" {
                "submissions.saved_verified"
            } else {
                "submissions.saved_pending"
            },
        ))),
        Err(e) => {
            let (status, errors) = crate::http::upload::page_errors(e, layout.lang, "screenshot")?;
            Ok(Err((
                status,
                brief_page_with(db, &user, layout, id, errors, Some(form.values()), None).await?,
            )))
        }
    }
}

#[derive(Serialize)]
pub struct AudiencePageView {
    layout: Layout,
    brief: BriefRow,
    page: super::audience::AudiencePage,
    state: String,
    states: Vec<&'static str>,
    from: u64,
    to: u64,
    prev: Option<String>,
    next: Option<String>,
    /// For an urgent brief: how far it has travelled, and how fast.
    amplification: Option<super::audience::Amplification>,
}

/// `/briefs/<id>/audience`: everyone the brief is addressed to, with how far each got and
/// a WhatsApp reminder link, 50 a page (coordinators and admins).
#[rocket::get("/briefs/<id>/audience?<state>&<page>")]
pub async fn audience(
    id: i64,
    state: Option<String>,
    page: Option<u64>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    use super::audience::{page_of, PAGE, STATES};
    let brief = service::get_brief_view_for(db, &user, id).await?;
    let amplification = if brief.priority == "urgent" {
        Some(super::audience::amplification_of(db, &user, id).await?)
    } else {
        None
    };
    let state = state
        .filter(|s| STATES.contains(&s.as_str()))
        .unwrap_or_default();
    let n = page
        .unwrap_or(1)
        .clamp(1, crate::audit::service::MAX_OFFSET / PAGE);
    let offset = (n - 1) * PAGE;
    let found = page_of(db, &user, id, Some(&state), layout.lang, PAGE, offset).await?;
    let tz = programme_timezone(db).await?;
    let shown = found.people.len() as u64;
    let link = |p: u64| format!("/briefs/{id}/audience?state={state}&page={p}");
    Ok(Template::render(
        "briefs/audience",
        AudiencePageView {
            layout,
            brief: row(brief, &tz, Utc::now()),
            from: if shown == 0 { 0 } else { offset + 1 },
            to: offset + shown,
            prev: (n > 1).then(|| link(n - 1)),
            next: (offset + shown < found.total).then(|| link(n + 1)),
            amplification,
            page: found,
            state,
            states: STATES.to_vec(),
        },
    ))
}

/// `/briefs/<id>/audience.csv`: the whole audience (or one state of it) as CSV.
#[rocket::get("/briefs/<id>/audience.csv?<state>")]
pub async fn audience_csv(
    id: i64,
    state: Option<String>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<crate::stats::routes::Download> {
    use crate::stats::export as sheets;
    let (brief, table) =
        super::audience::table(db, &user, id, state.as_deref(), layout.lang).await?;
    let name = crate::web::i18n::t(layout.lang, "audience.file_name");
    Ok(crate::stats::routes::Download {
        bytes: sheets::to_csv(&table),
        content_type: rocket::http::ContentType::new("text", "csv")
            .with_params(("charset", "utf-8")),
        file_name: sheets::file_name(&[&name, &brief.week, &brief.id.to_string()], "csv"),
    })
}

/// The copy form on a brief's page: the week to copy it to.
#[derive(rocket::FromForm)]
pub struct CopyForm {
    #[field(default = String::new())]
    pub week: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for CopyForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Makes the clarification brief of a confirmed hoax case and opens it to be changed;
/// a case that cannot have one (not confirmed, national, answered already) is its page
/// again with the reason.
#[rocket::post("/hoaxes/<id>/clarify", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn clarify(
    id: i64,
    form: CsrfForm<super::forms::ClarifyForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    drop(form);
    match service::create_clarification(db, (mailer, store), &user, id, &ip).await {
        Ok(made) => Ok(Flash::success(
            Redirect::to(format!("/briefs/{}/edit", made.id)),
            "hoaxes.clarify_made",
        )),
        Err(AppError::Conflict(f)) => {
            let key = f.0.values().flatten().next().map(|m| m.key.clone());
            Ok(Flash::error(
                Redirect::to(format!("/hoaxes/{id}")),
                key.unwrap_or_else(|| "hoaxes.clarify_has_brief".into()),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Copies a brief to another week as a new draft and opens it to be changed; a week that
/// cannot be read is refused beside its field, what was typed kept.
#[rocket::post("/briefs/<id>/copy", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn copy(
    id: i64,
    form: CsrfForm<CopyForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> PageResult {
    match service::copy_brief(db, mailer, &user, id, &form.0.week, &ip).await {
        Ok(copy) => Ok(Ok(Flash::success(
            Redirect::to(format!("/briefs/{}/edit", copy.id)),
            "briefs.copied",
        ))),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = brief_page_with(
                db,
                &user,
                layout,
                id,
                errors,
                None,
                Some(form.0.week.clone()),
            )
            .await?;
            Ok(Err((status, page)))
        }
    }
}

/// Deletes a draft (or a brief scheduled for later); one ambassadors have seen cannot be.
#[rocket::post("/briefs/<id>/delete", data = "<_form>")]
pub async fn delete(
    id: i64,
    _form: CsrfForm<crate::http::csrf::TokenOnlyForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    match service::delete_brief(db, store, &user, id, &ip).await {
        Ok(()) => Ok(Flash::success(Redirect::to("/briefs"), "briefs.deleted")),
        Err(AppError::Conflict(_)) => Ok(Flash::error(
            Redirect::to(format!("/briefs/{id}")),
            "briefs.delete_published",
        )),
        Err(e) => Err(e),
    }
}
