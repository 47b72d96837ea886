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
