//! Pages and endpoints that belong to no domain: home, the language switch, health,
//! metrics and static assets. A member of staff's home is their day's work (see
//! [`service`]).

pub mod api;
pub mod service;

use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket_dyn_templates::Metadata;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::auth::guards::CurrentUser;
use crate::config::AppConfig;
use crate::error::AppResult;
use crate::http::csrf::{CsrfForm, CsrfProtected};
use crate::http::metrics::Metrics;
use crate::state::Shared;
use crate::web::i18n::{Lang, LANG_COOKIE};
use crate::web::layout::Layout;
use crate::web::splice::{self, OwnPages};

#[derive(Serialize)]
pub struct HomePage<'a> {
    layout: Layout,
    /// For ambassadors: this week's briefs for them.
    week: Option<&'a crate::briefs::service::CurrentWeek>,
    briefs: &'a [crate::briefs::service::WeekBrief],
    /// For staff: today's work and the participation overview.
    desk: Option<service::Desk>,
}

/// The home page; an ambassador's is their week: the briefs addressed to them, urgent
/// first, with the drafts they saved for each. An ambassador's is kept rendered (see
/// `crate::web::splice::OwnPages`) under the week it shows and the hours left it prints.
#[rocket::get("/")]
#[allow(clippy::too_many_arguments)]
pub async fn home(
    layout: Layout,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    weeks: &Shared<crate::briefs::cache::Weeks>,
    pages: &Shared<OwnPages>,
    key: &Shared<crate::nip::NipKey>,
    kept: &Shared<crate::leaderboard::service::BoardKept>,
    org: &Shared<crate::org::cache::OrgCache>,
    stats: &Shared<crate::stats::service::StatsCache>,
    templates: Metadata<'_>,
) -> AppResult<RawHtml<String>> {
    if user.role != crate::auth::roles::Role::Ambassador {
        let sources = service::Sources {
            db,
            key,
            kept,
            org,
            stats,
        };
        let desk = service::desk_of(&sources, user, chrono::Utc::now()).await?;
        return splice::render(
            &templates,
            "home/index",
            HomePage {
                layout,
                week: None,
                briefs: &[],
                desk: Some(desk),
            },
            &[],
        );
    }
    let (week, stamp, serial) = weeks.current_with_serial(db, user).await?;
    let render = |layout: Layout| {
        splice::render(
            &templates,
            "home/index",
            HomePage {
                layout,
                week: Some(&week),
                briefs: &week.briefs,
                desk: None,
            },
            &[],
        )
    };
    let mut fingerprint = vec![
        i64::try_from(serial).unwrap_or(-1),
        i64::try_from(layout.unread).unwrap_or(-1),
    ];
    fingerprint.extend(week.briefs.iter().map(|b| b.hours_left));
    pages
        .serve(
            stamp,
            (user.id(), "home", layout.lang),
            fingerprint,
            &layout,
            render,
        )
        .await
}

#[derive(FromForm)]
pub struct LanguageForm {
    lang: String,
    next: Option<String>,
    csrf_token: String,
}

impl CsrfProtected for LanguageForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Switches the language: remembered in a cookie, and on the account when signed in.
#[rocket::post("/language", data = "<form>")]
pub async fn switch_language(
    form: CsrfForm<LanguageForm>,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    user: Option<&CurrentUser>,
) -> AppResult<Redirect> {
    let form = form.0;
    let lang = Lang::parse(&form.lang).unwrap_or(cfg.default_language);
    cookies.add(
        Cookie::build((LANG_COOKIE, lang.code()))
            .same_site(SameSite::Lax)
            .secure(cfg.secure_cookies)
            .path("/")
            .max_age(rocket::time::Duration::days(365)),
    );
    if let Some(user) = user {
        crate::accounts::service::set_language(db.inner(), user, lang).await?;
    }
    Ok(Redirect::to(crate::http::safe_next(form.next.as_deref())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
}

/// How long `/healthz` waits for the database.
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1500);

/// Liveness and readiness: 200 when the database answers, 503 when it does not.
#[rocket::get("/healthz")]
pub async fn healthz(
    db: &Shared<DatabaseConnection>,
) -> (Status, rocket::serde::json::Json<Health>) {
    // Answered within HEALTH_TIMEOUT even when the server does not answer at all, so a
    // balancer's check (HAProxy's is 2 s in deploy/haproxy.cfg) sees 503, not a timeout.
    let ping = tokio::time::timeout(HEALTH_TIMEOUT, db.ping())
        .await
        .unwrap_or_else(|_| Err(sea_orm::DbErr::Custom("no answer within 1.5 s".into())));
    match ping {
        Ok(()) => (
            Status::Ok,
            rocket::serde::json::Json(Health {
                status: "ok",
                database: "ok",
            }),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                Status::ServiceUnavailable,
                rocket::serde::json::Json(Health {
                    status: "error",
                    database: "unreachable",
                }),
            )
        }
    }
}

/// Prometheus metrics: for a configured bearer token, or from the machine itself. This
/// node's requests, and the background jobs as the database has them (the same on every
/// node; left out when the database does not answer within 2 seconds).
#[rocket::get("/metrics")]
pub async fn metrics(
    metrics: &Shared<Metrics>,
    cfg: &Shared<AppConfig>,
    db: &Shared<DatabaseConnection>,
    ip: crate::http::client_ip::ClientIp,
    auth: MetricsAuth,
) -> Result<(rocket::http::ContentType, String), Status> {
    let allowed = match (&cfg.metrics_token, auth.0) {
        (Some(expected), Some(given)) => expected == &given,
        (Some(_), None) => false,
        (None, _) => ip.0.is_none_or(|ip| ip.is_loopback()),
    };
    if !allowed {
        return Err(Status::NotFound);
    }
    let mut text = metrics.render();
    // The request figures answer at once even while the database is away.
    let jobs = crate::jobs::service::metrics_text(db, chrono::Utc::now());
    match tokio::time::timeout(std::time::Duration::from_secs(2), jobs).await {
        Ok(Ok(jobs)) => text.push_str(&jobs),
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: cannot read the background jobs"),
        Err(_) => tracing::warn!("metrics: the background jobs' figures took over 2 s; left out"),
    }
    Ok((
        rocket::http::ContentType::new("text", "plain").with_params(("version", "0.0.4")),
        text,
    ))
}

pub struct MetricsAuth(Option<String>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for MetricsAuth {
    type Error = std::convert::Infallible;
    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        let token = req
            .headers()
            .get_one("Authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|s| s.trim().to_string());
        rocket::request::Outcome::Success(MetricsAuth(token))
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![home, switch_language, healthz, metrics]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::show]
}
