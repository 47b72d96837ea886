//! The base layout's context: language, the signed-in user and their navigation, the
//! CSRF token for forms, and the flash message. Every page context embeds a `Layout`.

use std::sync::OnceLock;

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

/// Menu links of one task (today's work, people, reports, administration), under a
/// heading the phone menu shows.
#[derive(Debug, Clone, Serialize)]
pub struct NavGroup {
    pub key: &'static str,
    pub items: Vec<NavItem>,
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
    pub nav: Vec<NavGroup>,
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

type Links = Vec<(&'static str, &'static str)>;

/// A role's menu, grouped by task; the account's own pages come last in the template.
fn nav_for(role: Role) -> Vec<(&'static str, Links)> {
    let mut work = vec![("/", "nav.home")];
    let mut people = Vec::new();
    let mut reports = Vec::new();
    if role == Role::Ambassador {
        work.push(("/progress", "nav.progress"));
        work.push(("/me/status", "nav.status"));
        work.push(("/learn", "nav.learn"));
        work.push(("/reviews", "nav.reviews"));
        work.push(("/me/referral", "nav.referral"));
        work.push(("/me/badges", "nav.badges"));
        work.push(("/me/certificates", "nav.my_certificates"));
        work.push(("/notifications", "nav.notifications"));
        work.push(("/hoaxes/mine", "nav.hoax_reports"));
    }
    if matches!(role, Role::Coordinator | Role::Admin) {
        work.extend([
            ("/vetting", "nav.vetting"),
            ("/submissions", "nav.submissions"),
            ("/briefs", "nav.briefs"),
            ("/templates", "nav.templates"),
            ("/integrity", "nav.integrity"),
            ("/reviews", "nav.reviews"),
            ("/learn", "nav.learn"),
        ]);
    }
    if matches!(role, Role::Coordinator | Role::National | Role::Admin) {
        work.push(("/hoaxes", "nav.hoaxes"));
        work.push(("/national-briefs", "nav.national_briefs"));
    }
    if role.is_staff() {
        people.push(("/roster", "nav.roster"));
    }
    if matches!(role, Role::Coordinator | Role::Admin) {
        people.push(("/recruitment", "nav.recruitment"));
        people.push(("/certificates", "nav.certificates"));
    }
    people.push(("/leaderboard", "nav.leaderboard"));
    if role.is_staff() {
        reports.push(("/stats", "nav.stats"));
    }
    if matches!(role, Role::Coordinator | Role::Admin) {
        reports.push(("/audit", "nav.audit"));
    }
    let mut groups = vec![("nav.group_work", work), ("nav.group_people", people)];
    if !reports.is_empty() {
        groups.push(("nav.group_reports", reports));
    }
    if role == Role::Admin {
        groups.push((
            "nav.group_admin",
            vec![
                ("/admin/institutions", "nav.institutions"),
                ("/admin/users", "nav.users"),
                ("/admin/settings", "nav.settings"),
                ("/admin/holidays", "nav.holidays"),
                ("/admin/jobs", "nav.jobs"),
            ],
        ));
    }
    groups
}

/// The start of the marks that stand for a person's own values in a page rendered once
/// for many people: letters and digits only (so Tera escapes nothing in it), with a
/// number drawn once per process (so that no typed text can pass for a mark).
fn mark_prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| format!("dutamark{:016x}", rand::random::<u64>()))
}

/// Reads one marked value of a layout.
type Value = fn(&Layout) -> &str;

/// The values a mark can stand for, by the letter after the prefix.
const MARKED: [(u8, Value); 4] = [
    (b'n', |l| l.user.as_ref().map_or("", |u| u.name.as_str())),
    (b'e', |l| l.user.as_ref().map_or("", |u| u.email.as_str())),
    (b'c', |l| l.csrf_token.as_str()),
    (b'h', |l| l.here.as_str()),
];

fn mark(letter: u8) -> String {
    format!("{}{}", mark_prefix(), char::from(letter))
}

impl Layout {
    /// This layout with the values that differ from person to person (name, email, CSRF
    /// token, the address to return to) replaced by marks, for a page rendered once and
    /// kept; [`Layout::fill`] puts a person's own values in. What the template decides
    /// on (role, language, unread count, flash) is not marked: it belongs in the key
    /// the page is kept under, and a page with a flash message is not kept.
    pub fn marked(&self) -> Layout {
        let mut marked = self.clone();
        if let Some(u) = marked.user.as_mut() {
            u.name = mark(b'n');
            u.email = mark(b'e');
        }
        marked.csrf_token = mark(b'c');
        marked.here = mark(b'h');
        marked
    }

    /// A page rendered with [`Layout::marked`], with this layout's values in place of the
    /// marks, escaped as Tera escapes them.
    pub fn fill(&self, page: &str) -> String {
        let prefix = mark_prefix();
        let mut out = String::with_capacity(page.len() + 256);
        let mut rest = page;
        while let Some(at) = rest.find(prefix) {
            out.push_str(&rest[..at]);
            let after = &rest[at + prefix.len()..];
            match MARKED
                .iter()
                .find(|(letter, _)| after.as_bytes().first() == Some(letter))
            {
                Some((_, value)) => {
                    out.push_str(&rocket_dyn_templates::tera::escape_html(value(self)));
                    rest = &after[1..];
                }
                None => {
                    out.push_str(prefix);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

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
                    .map(|(key, links)| NavGroup {
                        key,
                        items: links
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
                            .collect(),
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
            csrf_token: crate::http::csrf::token(req),
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
        let lang = request_lang(req).await;
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
        if let (Some(u), Some(db)) = (
            user,
            crate::state::part::<sea_orm::DatabaseConnection>(req.rocket()),
        ) {
            if u.role == Role::Ambassador {
                let kept = crate::state::part::<UnreadCounts>(req.rocket());
                match unread_count(db, kept, u).await {
                    Ok(n) => layout.unread = n,
                    Err(e) => tracing::warn!(error = %e, "cannot count unread notifications"),
                }
            }
        }
        Outcome::Success(layout)
    }
}

/// A part of the application state (`crate::state`): each user's count of unread
/// notifications, kept at their own stamp (which any write to their notifications, drafts
/// or submissions moves).
pub struct UnreadCounts(crate::kept::Kept<i64, u64>);

impl Default for UnreadCounts {
    fn default() -> Self {
        UnreadCounts(crate::kept::Kept::new(crate::kept::Topic::Week, 50_000))
    }
}

/// The badge on the notifications link: the user's unread notifications.
async fn unread_count(
    db: &sea_orm::DatabaseConnection,
    kept: Option<&UnreadCounts>,
    user: &CurrentUser,
) -> crate::error::AppResult<u64> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let count = || async {
        Ok(entity::notifications::Entity::find()
            .filter(entity::notifications::Column::UserId.eq(user.id()))
            .filter(entity::notifications::Column::ReadAt.is_null())
            .count(db)
            .await?)
    };
    match kept {
        Some(k) => {
            // Read before the count, so a notification meanwhile leaves the entry stale.
            let stamp = user.own_stamp(db).await?;
            Ok(*k.0.get_or_compute(stamp, user.id(), count).await?)
        }
        None => count().await,
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
        .unwrap_or_else(|| lang_without_user(req))
}

/// The language of this request, as a request guard (never fails).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Lang {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(request_lang(req).await)
    }
}

pub async fn request_lang(req: &Request<'_>) -> Lang {
    match CurrentUser::cached(req)
        .await
        .and_then(|u| u.user.language.as_deref())
        .and_then(Lang::parse)
    {
        Some(lang) => lang,
        None => lang_without_user(req),
    }
}

/// The language from the `duta_lang` cookie, else `Accept-Language`, else the default.
pub fn lang_without_user(req: &Request<'_>) -> Lang {
    if let Some(lang) = req
        .cookies()
        .get(i18n::LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
    {
        return lang;
    }
    if let Some(lang) = req
        .headers()
        .get_one("Accept-Language")
        .and_then(Lang::from_accept_language)
    {
        return lang;
    }
    crate::state::part::<crate::config::AppConfig>(req.rocket())
        .map(|c| c.default_language)
        .unwrap_or(Lang::Id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(name: &str, here: &str) -> Layout {
        Layout {
            lang: Lang::Id,
            user: Some(UserBadge {
                name: name.into(),
                email: "a@instansi.go.id".into(),
                role: "coordinator".into(),
            }),
            nav: Vec::new(),
            csrf_token: "tok-1".into(),
            flash: None,
            path: "/leaderboard".into(),
            here: here.into(),
            languages: Lang::ALL.to_vec(),
            unread: 0,
        }
    }

    #[test]
    fn a_marked_page_filled_holds_each_persons_own_values_escaped() {
        let marked = layout("Ani", "/leaderboard").marked();
        let m = marked.user.as_ref().expect("user");
        for text in [&m.name, &m.email, &marked.csrf_token, &marked.here] {
            assert!(text.chars().all(|c| c.is_ascii_alphanumeric()), "{text}");
        }
        let page = format!(
            "<p>{}</p><input value=\"{}\"><input value=\"{}\"><a>{}</a><i>{}</i>",
            m.name, marked.csrf_token, marked.here, m.email, marked.csrf_token
        );
        let budi = layout("Budi <b>\"&'", "/leaderboard?weeks=4&page=2");
        assert_eq!(
            budi.fill(&page),
            "<p>Budi &lt;b&gt;&quot;&amp;&#x27;</p><input value=\"tok-1\">\
             <input value=\"&#x2F;leaderboard?weeks=4&amp;page=2\"><a>a@instansi.go.id</a><i>tok-1</i>"
        );
        // Text that merely starts like a mark stays as it is.
        let odd = format!("{}z and {}", mark_prefix(), m.name);
        assert_eq!(
            budi.fill(&odd),
            format!("{}z and Budi &lt;b&gt;&quot;&amp;&#x27;", mark_prefix())
        );
    }
}
