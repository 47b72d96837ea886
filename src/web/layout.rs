//! The base layout's context: language, the signed-in user and their navigation, the
//! CSRF token for forms, and the flash message. Every page context embeds a `Layout`.

use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use serde::Serialize;

use super::i18n::{self, Lang};
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;

#[derive(Debug, Clone, Serialize)]
pub struct UserBadge {
    pub name: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlashView {
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    pub lang: Lang,
    pub user: Option<UserBadge>,
    pub nav: Vec<NavItem>,
    pub csrf_token: String,
    pub flash: Option<FlashView>,
    pub path: String,
    /// The path with its query (`/stats?weeks=26`), where switching language returns to
    /// on a page read with GET.
    pub here: String,
    pub languages: Vec<Lang>,
    /// Unread notifications (ambassadors), shown beside the menu item.
    pub unread: u64,
}

fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/", "nav.home")];
    if role == Role::Ambassador {
        items.push(("/progress", "nav.progress"));
        items.push(("/me/status", "nav.status"));
        items.push(("/notifications", "nav.notifications"));
    }
    if matches!(role, Role::Coordinator | Role::Admin) {
        items.push(("/vetting", "nav.vetting"));
        items.push(("/briefs", "nav.briefs"));
        items.push(("/submissions", "nav.submissions"));
        items.push(("/templates", "nav.templates"));
        items.push(("/integrity", "nav.integrity"));
        items.push(("/audit", "nav.audit"));
    }
    items.push(("/leaderboard", "nav.leaderboard"));
    if role.is_staff() {
        items.push(("/stats", "nav.stats"));
    }
    if role == Role::Admin {
        items.extend([
            ("/admin/institutions", "nav.institutions"),
            ("/admin/users", "nav.users"),
            ("/admin/settings", "nav.settings"),
            ("/admin/holidays", "nav.holidays"),
        ]);
    }
    items
}

impl Layout {
    pub fn build(
        req: &Request<'_>,
        user: Option<&CurrentUser>,
        lang: Lang,
        flash: Option<FlashView>,
    ) -> Layout {
        let path = req.uri().path().to_string();
        let here = match req.uri().query() {
            Some(q) if req.method() == rocket::http::Method::Get => format!("{path}?{q}"),
            _ => path.clone(),
        };
        let nav = user
            .map(|u| {
                nav_for(u.role)
                    .into_iter()
                    .map(|(href, key)| NavItem {
                        href,
                        key,
                        active: if href == "/" {
                            path == "/"
                        } else {
                            path.starts_with(href)
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        Layout {
            lang,
            user: user.map(|u| UserBadge {
                name: u.user.name.clone(),
                email: u.user.email.clone(),
                role: u.role.as_str().to_string(),
            }),
            nav,
            csrf_token: super::csrf::token(req),
            flash,
            path,
            here,
            languages: Lang::ALL.to_vec(),
            unread: 0,
        }
    }

    /// For error pages rendered from a synchronous responder.
    pub fn build_sync(req: &Request<'_>) -> Layout {
        Layout::build(req, CurrentUser::peek(req), cached_lang(req), None)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Layout {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = CurrentUser::cached(req).await;
        let lang = i18n::request_lang(req).await;
        req.local_cache(|| LangCache(Some(lang)));
        let flash = match req.guard::<Option<FlashMessage<'_>>>().await {
            Outcome::Success(Some(f)) => Some(FlashView {
                kind: if f.kind() == "error" {
                    "error".into()
                } else {
                    "success".into()
                },
                message: i18n::t(lang, f.message()),
            }),
            _ => None,
        };
        let mut layout = Layout::build(req, user, lang, flash);
        if let (Some(u), Some(db)) = (user, req.rocket().state::<sea_orm::DatabaseConnection>()) {
            if u.role == Role::Ambassador {
                match crate::notifications::service::unread_count(db, u.id()).await {
                    Ok(n) => layout.unread = n,
                    Err(e) => tracing::warn!(error = %e, "cannot count unread notifications"),
                }
            }
        }
        Outcome::Success(layout)
    }
}

struct LangCache(Option<Lang>);

/// The request's language without awaiting: the one a guard settled on, else the
/// signed-in user's, cookie, header or default.
pub fn cached_lang(req: &Request<'_>) -> Lang {
    if let Some(lang) = req.local_cache(|| LangCache(None)).0 {
        return lang;
    }
    CurrentUser::peek(req)
        .and_then(|u| u.user.language.as_deref())
        .and_then(Lang::parse)
        .unwrap_or_else(|| i18n::lang_without_user(req))
}
