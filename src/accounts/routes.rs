//! Admin pages for staff accounts.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{parse_optional_id, EditUserForm, NewUser, NewUserForm, UserUpdate};
use super::service::{self, UserRow, UserView};
use crate::auth::guards::Admin;
use crate::auth::invite;
use crate::auth::passwords::Hasher;
use crate::auth::routes::link_page;
use crate::config::AppConfig;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, TokenOnlyForm};
use crate::http::origin::Origin;
use crate::notify::Mailer;
use crate::org::service::{list_units_grouped, UnitGroup};
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct UsersIndexPage {
    layout: Layout,
    users: Vec<UserRow>,
    groups: Vec<UnitGroup>,
    form: NewUserForm,
    errors: BTreeMap<String, Vec<String>>,
    roles: Vec<&'static str>,
    /// The list's filters as typed, and where the page stands.
    filter: Filter,
    total: u64,
    from: u64,
    to: u64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize, Default, Clone)]
pub struct Filter {
    q: String,
    role: String,
    status: String,
    page: u64,
}

impl Filter {
    fn link(&self, page: u64) -> String {
        let enc = crate::web::catchers::urlencode;
        format!(
            "/admin/users?q={}&role={}&status={}&page={page}",
            enc(&self.q),
            enc(&self.role),
            enc(&self.status)
        )
    }
}

const STAFF_ROLES: [&str; 4] = ["coordinator", "leadership", "national", "admin"];

async fn index_page(
    db: &DatabaseConnection,
    admin: &Admin<'_>,
    layout: Layout,
    filter: Filter,
    form: NewUserForm,
    mut errors: BTreeMap<String, Vec<String>>,
) -> AppResult<(Status, Template)> {
    let page = filter.page.max(1);
    let query = service::UserQuery {
        q: filter.q.clone(),
        role: filter.role.clone(),
        status: filter.status.clone(),
    };
    let offset = (page - 1).saturating_mul(service::USERS_PAGE);
    let (status, users, total) =
        match service::list_users(db, admin, &query, service::USERS_PAGE, offset).await {
            Ok((users, total)) => (Status::Ok, users, total),
            Err(e) => {
                // Beside the filter's own fields (the form below has a role too).
                let (status, filter_errors) = e.form_errors(layout.lang)?;
                errors.extend(filter_errors.into_iter().map(
                    |(field, messages)| match field.as_str() {
                        "q" => (field, messages),
                        _ => (format!("filter_{field}"), messages),
                    },
                ));
                (status, Vec::new(), 0)
            }
        };
    let shown = users.len() as u64;
    Ok((
        status,
        Template::render(
            "admin/users/index",
            UsersIndexPage {
                layout,
                users,
                groups: list_units_grouped(db, admin).await?,
                form,
                errors,
                roles: STAFF_ROLES.to_vec(),
                total,
                from: if shown == 0 { 0 } else { offset + 1 },
                to: offset + shown,
                prev: (page > 1).then(|| filter.link(page - 1)),
                next: (offset + shown < total).then(|| filter.link(page + 1)),
                filter: Filter { page, ..filter },
            },
        ),
    ))
}

#[rocket::get("/admin/users?<q>&<role>&<status>&<page>")]
#[allow(clippy::too_many_arguments)]
pub async fn index(
    q: Option<String>,
    role: Option<String>,
    status: Option<String>,
    page: Option<u64>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    let filter = Filter {
        q: q.unwrap_or_default().trim().to_string(),
        role: role.unwrap_or_default(),
        status: status.unwrap_or_default(),
        page: page.unwrap_or(1),
    };
    index_page(
        db,
        &admin,
        layout,
        filter,
        NewUserForm::default(),
        BTreeMap::new(),
    )
    .await
}

/// Turns the id fields of a form into numbers, noting the ones that are not.
fn ids(institution: &str, unit: &str, errors: &mut FieldErrors) -> (Option<i64>, Option<i64>) {
    let i = parse_optional_id(institution).unwrap_or_else(|_| {
        errors.add("institution_id", Msg::conflict("users.institution_unknown"));
        None
    });
    let w = parse_optional_id(unit).unwrap_or_else(|_| {
        errors.add("work_unit_id", Msg::conflict("users.work_unit_unknown"));
        None
    });
    (i, w)
}

/// Creates a staff account with an invitation; the answer is the page with the invitation
/// link to copy or send over WhatsApp (emailed too when Duta sends email).
#[rocket::post("/admin/users", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn create(
    form: CsrfForm<NewUserForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<Mailer>,
    hasher: &Shared<Hasher>,
    origin: Origin,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    let form = form.0;
    let mut id_errors = FieldErrors::new();
    let (institution_id, work_unit_id) =
        ids(&form.institution_id, &form.work_unit_id, &mut id_errors);
    let input = NewUser {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        institution_id,
        work_unit_id,
        password: None,
    };
    let result = if id_errors.is_empty() {
        service::invite_user(db, hasher, cfg, &admin, &input, &ip).await
    } else {
        Err(AppError::Validation(id_errors))
    };
    match result {
        Ok((user, issued)) => {
            let link = invite::pass_on(
                mailer,
                cfg,
                &user,
                None,
                &issued,
                &origin.0,
                Some(&admin.user.name),
            );
            let back = "/admin/users".to_string();
            let page = link_page(db, layout, "invite", true, &user, link, back).await?;
            Ok((Status::Created, page))
        }
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let (_, page) = index_page(db, &admin, layout, Filter::default(), form, errors).await?;
            Ok((status, page))
        }
    }
}

#[derive(Serialize)]
pub struct UserEditPage {
    layout: Layout,
    user: UserView,
    groups: Vec<UnitGroup>,
    form: EditUserForm,
    errors: BTreeMap<String, Vec<String>>,
    roles: Vec<&'static str>,
}

fn edit_form_of(user: &entity::users::Model) -> EditUserForm {
    EditUserForm {
        name: user.name.clone(),
        role: user.role.clone(),
        institution_id: user
            .institution_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
        work_unit_id: user.work_unit_id.map(|i| i.to_string()).unwrap_or_default(),
        csrf_token: String::new(),
    }
}

#[rocket::get("/admin/users/<id>")]
pub async fn edit(
    id: i64,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let user = service::get_user(db, &admin, id).await?;
    Ok(Template::render(
        "admin/users/edit",
        UserEditPage {
            layout,
            form: edit_form_of(&user),
            user: UserView::from(&user),
            groups: list_units_grouped(db, &admin).await?,
            errors: BTreeMap::new(),
            roles: STAFF_ROLES.to_vec(),
        },
    ))
}

#[rocket::post("/admin/users/<id>", data = "<form>")]
pub async fn update(
    id: i64,
    form: CsrfForm<EditUserForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let user = service::get_user(db, &admin, id).await?;
    let mut id_errors = FieldErrors::new();
    let (institution_id, work_unit_id) =
        ids(&form.institution_id, &form.work_unit_id, &mut id_errors);
    let input = UserUpdate {
        name: Some(form.name.clone()),
        role: Some(form.role.clone()),
        institution_id,
        work_unit_id,
        clear_work_unit: work_unit_id.is_none(),
    };
    let result = if id_errors.is_empty() {
        service::update_user(db, &admin, id, &input, &ip).await
    } else {
        Err(AppError::Validation(id_errors))
    };
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/admin/users"),
            "users.updated",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                Template::render(
                    "admin/users/edit",
                    UserEditPage {
                        layout,
                        user: UserView::from(&user),
                        groups: list_units_grouped(db, &admin).await?,
                        form,
                        errors,
                        roles: STAFF_ROLES.to_vec(),
                    },
                ),
            )))
        }
    }
}

#[rocket::post("/admin/users/<id>/deactivate", data = "<_form>")]
pub async fn deactivate(
    id: i64,
    _form: CsrfForm<TokenOnlyForm>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    match service::deactivate_user(db, &admin, id, &ip).await {
        Ok(_) => Ok(Flash::success(
            Redirect::to("/admin/users"),
            "users.deactivated",
        )),
        Err(AppError::Validation(_)) => Ok(Flash::error(
            Redirect::to("/admin/users"),
            "users.own_deactivate",
        )),
        Err(e) => Err(e),
    }
}

#[rocket::post("/admin/users/<id>/reactivate", data = "<_form>")]
pub async fn reactivate(
    id: i64,
    _form: CsrfForm<TokenOnlyForm>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    let back = Redirect::to("/admin/users");
    match service::reactivate_user(db, &admin, id, &ip).await {
        Ok(_) => Ok(Flash::success(back, "users.reactivated")),
        Err(AppError::Validation(fields)) => {
            let key = fields
                .0
                .values()
                .flatten()
                .next()
                .map(|m| m.key.clone())
                .unwrap_or_else(|| "users.left_programme".into());
            Ok(Flash::error(back, key))
        }
        Err(e) => Err(e),
    }
}
