//! Mentoring's pages: an ambassador asks for a review of a saved draft; the reviews list
//! (to review, or one's own); a review's page, where reviewers comment and the ambassador
//! revises; and the coordinator's switch that names a mentor.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{CommentForm, MentorForm, RevisionForm};
use super::service::{self, ReviewPage, ReviewView};
use crate::auth::guards::{Ambassador, Coordinator, CurrentUser, Mentoring};
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, TokenOnlyForm};
use crate::state::Shared;
use crate::web::layout::Layout;
use crate::web::query::Opt;

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// The first message of a refusal, for a flash.
fn first_key(e: &AppError) -> String {
    e.fields()
        .and_then(|f| f.0.values().flatten().next())
        .map(|m| m.key.clone())
        .unwrap_or_else(|| "errors.generic".into())
}

/// The ambassador asks for a review of one of their saved drafts.
#[rocket::post("/drafts/<id>/review", data = "<_form>")]
pub async fn request(
    id: i64,
    _form: CsrfForm<TokenOnlyForm>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    match service::request(db, &user, id, &ip).await {
        Ok(review) => Ok(Flash::success(
            Redirect::to(format!("/reviews/{}", review.id)),
            "mentoring.requested",
        )),
        Err(e @ AppError::Conflict(_)) => Ok(Flash::error(
            Redirect::to("/reviews?mine=true"),
            first_key(&e),
        )),
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
pub struct ListPage {
    layout: Layout,
    list: ReviewPage,
    mine: bool,
    state: String,
    pages: u64,
}

/// Reviews: those to review (coordinators, admins, mentors), or one's own requests.
#[rocket::get("/reviews?<mine>&<state>&<page>")]
pub async fn index(
    mine: Opt<bool>,
    state: Opt<String>,
    page: Opt<u64>,
    user: Mentoring<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let page = service::check_page(page.0)?;
    let state = state.0.filter(|s| !s.is_empty());
    let list = service::list(db, &user, mine.0.unwrap_or(false), state.as_deref(), page).await?;
    Ok(Template::render(
        "mentoring/index",
        ListPage {
            layout,
            mine: mine.0.unwrap_or(false) || !list.reviewer,
            pages: list.total.div_ceil(service::PER_PAGE).max(1),
            list,
            state: state.unwrap_or_default(),
        },
    ))
}

#[derive(Serialize)]
pub struct ShowPage {
    layout: Layout,
    review: ReviewView,
    comment: CommentForm,
    revision: RevisionForm,
    errors: BTreeMap<String, Vec<String>>,
}

async fn show_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: i64,
    forms: (Option<CommentForm>, Option<RevisionForm>),
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let review = service::view(db, user, id).await?;
    let comment = forms.0.unwrap_or_else(|| CommentForm {
        version: review.latest_version.to_string(),
        ..Default::default()
    });
    let revision = forms.1.unwrap_or_else(|| RevisionForm {
        text: review
            .versions
            .first()
            .map(|v| v.text.clone())
            .unwrap_or_default(),
        ..Default::default()
    });
    Ok(Template::render(
        "mentoring/show",
        ShowPage {
            layout,
            review,
            comment,
            revision,
            errors,
        },
    ))
}

/// A review: every version with its comments; the forms to comment or to revise.
#[rocket::get("/reviews/<id>")]
pub async fn show(
    id: i64,
    user: Mentoring<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    show_page(db, &user, layout, id, (None, None), BTreeMap::new()).await
}

/// A reviewer's comment (or acceptance); the form keeps what was typed when refused.
#[rocket::post("/reviews/<id>/comments", data = "<form>")]
pub async fn comment(
    id: i64,
    form: CsrfForm<CommentForm>,
    user: Mentoring<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    match service::comment(db, &user, id, &form.input(), &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/reviews/{id}")),
            if form.accept {
                "mentoring.accepted"
            } else {
                "mentoring.commented"
            },
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = show_page(db, &user, layout, id, (Some(form), None), errors).await?;
            Ok(Err((status, page)))
        }
    }
}

/// The ambassador's revision; the form keeps what was typed when refused.
#[rocket::post("/reviews/<id>/versions", data = "<form>")]
pub async fn revise(
    id: i64,
    form: CsrfForm<RevisionForm>,
    user: Mentoring<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    match service::revise(db, &user, id, &form.text, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/reviews/{id}")),
            "mentoring.revised",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = show_page(db, &user, layout, id, (None, Some(form)), errors).await?;
            Ok(Err((status, page)))
        }
    }
}

/// A coordinator names an ambassador a mentor, or ends it (`on`).
#[rocket::post("/vetting/candidates/<id>/mentor", data = "<form>")]
pub async fn mentor(
    id: i64,
    form: CsrfForm<MentorForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    let back = Redirect::to(format!("/vetting/candidates/{id}"));
    match service::set_mentor(db, &user, id, form.0.on, &ip).await {
        Ok(_) => Ok(Flash::success(
            back,
            if form.0.on {
                "mentoring.mentor_named"
            } else {
                "mentoring.mentor_ended"
            },
        )),
        Err(e @ AppError::Conflict(_)) => Ok(Flash::error(back, first_key(&e))),
        Err(e) => Err(e),
    }
}
