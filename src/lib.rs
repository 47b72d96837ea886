//! Duta: a self-hosted platform with which Indonesian government PR offices (humas) run
//! programmes of civil-servant (ASN) ambassadors.
//!
//! [`build`] is the one place that mounts routes, registers catchers, attaches fairings
//! and managed state. Configuration is checked, the database connected and migrated, and
//! the signing keys loaded at ignition, before anything is served.

pub mod accounts;
pub mod ambassadors;
pub mod api;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod briefs;
pub mod config;
pub mod db;
pub mod error;
pub mod followers;
pub mod hoaxes;
pub mod home;
pub mod http;
pub mod integrity;
pub mod jobs;
pub mod kept;
pub mod leaderboard;
pub mod media;
pub mod mentoring;
pub mod narratives;
pub mod nip;
pub mod notifications;
pub mod notify;
pub mod org;
pub mod privacy;
pub mod push;
pub mod recognition;
pub mod recruitment;
pub mod roster;
pub mod seed;
pub mod settings;
pub mod state;
pub mod stats;
pub mod story_templates;
pub mod submissions;
pub mod text;
pub mod training;
pub mod vetting;
pub mod web;

use rocket::data::{Limits, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::figment::providers::{Env, Format, Serialized, Toml};
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::shield::{NoSniff, Shield};
use rocket::{Build, Rocket};
use rocket_dyn_templates::Template;

use crate::auth::jwt::JwtKeys;
use crate::auth::passwords::Hasher;
use crate::config::AppConfig;
use crate::http::metrics::{Metrics, MetricsFairing};

/// Rocket's figment with Duta's defaults, Rocket.toml and `DUTA_*` variables.
pub fn figment() -> Figment {
    rocket::Config::figment()
        .merge(Serialized::default("ip_header", false))
        .merge(Serialized::default(
            "limits",
            Limits::default()
                .limit("form", 64.kibibytes())
                .limit("json", 1.mebibytes())
                // A national roster of 50,000 rows is about 9 MB of CSV.
                .limit("file", 16.mebibytes())
                .limit("data-form", 17.mebibytes()),
        ))
        .merge(Serialized::default("template_dir", "templates"))
        .merge(Serialized::default("assets_dir", "assets"))
        .merge(Toml::file(Env::var_or("DUTA_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("DUTA_").global())
}

/// Checks the configuration, prepares folders and keys, connects and migrates the
/// database: everything `serve` and the CLI commands need, with one message per problem.
pub async fn prepare(
    figment: &Figment,
) -> Result<(AppConfig, sea_orm::DatabaseConnection), Vec<String>> {
    let mut cfg = AppConfig::from_figment(figment)?;
    cfg.prepare_filesystem().map_err(|e| vec![e])?;
    let db = db::connect_pool(&cfg.database_url, cfg.database_pool)
        .await
        .map_err(|e| {
            vec![format!(
                "database: cannot connect to {}: {e}",
                config::redact_url(&cfg.database_url)
            )]
        })?;
    db::migrate(&db)
        .await
        .map_err(|e| vec![format!("database: migrations failed: {e}")])?;
    settings::service::ensure_defaults(&db, cfg.timezone.name())
        .await
        .map_err(|e| vec![format!("database: cannot write default settings: {e}")])?;
    let key = cfg.nip().map_err(|e| vec![e.to_string()])?;
    match privacy::service::seal_plain_nips(&db, key).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(sealed = n, "NIPs stored as digits are now sealed"),
        Err(e) => return Err(vec![format!("database: cannot seal the stored NIPs: {e}")]),
    }
    leaderboard::participation::ensure_built(&db)
        .await
        .map_err(|e| {
            vec![format!(
                "database: cannot store the participation figures: {e}"
            )]
        })?;
    story_templates::service::install_shipped(&db)
        .await
        .map_err(|e| {
            vec![format!(
                "database: cannot install the shipped templates: {e}"
            )]
        })?;
    training::service::install_shipped(&db)
        .await
        .map_err(|e| vec![format!("database: cannot install the shipped lessons: {e}")])?;
    Ok((cfg, db))
}

/// The one managed state (see `crate::state`): the checked configuration, the database,
/// keys, the mailer, the stores, and every answer a node keeps (`crate::kept`), empty.
/// A wrong value stops the start with one message per problem.
pub async fn app_state(figment: &Figment) -> Result<state::AppState, Vec<String>> {
    let mailer = notify::Mailer::from_figment(figment);
    let jobs = jobs::JobsConfig::from_figment(figment);
    let sources = followers::FollowerSources::from_figment(figment);
    let push_cfg = push::PushConfig::from_figment(figment);
    let mut errors: Vec<String> = [
        &mailer.as_ref().err(),
        &jobs.as_ref().err(),
        &sources.as_ref().err(),
        &push_cfg.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|e| e.iter().cloned())
    .collect();
    let (cfg, db) = match prepare(figment).await {
        Ok(ready) => ready,
        Err(e) => {
            errors.extend(e);
            return Err(errors);
        }
    };
    let keys = JwtKeys::from_config(&cfg).map_err(|e| e.to_string());
    let hasher = Hasher::new().map_err(|e| format!("password hasher: {e}"));
    let nip_key = cfg
        .nip_key
        .clone()
        .ok_or_else(|| "the NIP key is not loaded".to_string());
    let storage = media::storage::Storage::from_config(&cfg).map_err(|e| e.to_string());
    let parts = match (mailer, jobs, sources, keys, hasher, nip_key, storage) {
        (Ok(m), Ok(j), Ok(s), Ok(k), Ok(h), Ok(n), Ok(st)) if errors.is_empty() => {
            (m, j, s, k, h, n, st)
        }
        (_, _, _, keys, hasher, nip_key, storage) => {
            errors.extend(
                [keys.err(), hasher.err(), nip_key.err(), storage.err()]
                    .into_iter()
                    .flatten(),
            );
            return Err(errors);
        }
    };
    let (mailer, jobs, sources, keys, hasher, nip_key, storage) = parts;
    let pusher = push_cfg
        .map_err(|e| e.join("; "))
        .and_then(|push_cfg| {
            let key = push::load_or_create_key(&push_cfg, &cfg.data_dir)?;
            // Push services want to know whom to call: `push.subject`, else Duta's own
            // address when it is https, else a mailbox on this machine.
            let subject = push_cfg
                .subject
                .clone()
                .or_else(|| mailer.link("/").filter(|u| u.starts_with("https://")))
                .unwrap_or_else(|| "mailto:humas@localhost".into());
            push::Pusher::new(push_cfg, key, subject)
        })
        .map_err(|e| vec![format!("push: {e}")])?;
    let replica = match &cfg.database_read_url {
        Some(url) => match http::reads::Replica::connect(url, cfg.database_pool).await {
            Ok(replica) => Some(replica),
            Err(e) => {
                return Err(vec![format!(
                    "database_read_url: cannot use {}: {e}",
                    config::redact_url(url)
                )])
            }
        },
        None => None,
    };
    tracing::info!(place = storage.place(), "stored files are kept in");
    if !mailer.is_enabled() {
        tracing::info!("no smtp.host: decision emails are not sent");
    }
    if let Ok(0) = accounts::service::count_active_admins(&db).await {
        eprintln!(
            "duta: there is no admin yet. Make the first one with:\n  \
             cargo run --release -- create-admin --email you@instansi.go.id --name \"Your Name\""
        );
    }
    let store = media::service::MediaStore::new(storage).after_saving(std::sync::Arc::new(
        |db, picture| {
            Box::pin(async move {
                integrity::service::after_picture(&db, &picture).await;
            })
        },
    ));
    let mut state = state::AppState::default();
    if let Some(replica) = replica {
        tracing::info!("statistics and exports read the replica at database_read_url");
        state = state.with(replica);
    }
    Ok(state
        // The ground: configuration, database, keys, outside services.
        .with(cfg)
        .with(db)
        .with(keys)
        .with(hasher)
        .with(nip_key)
        .with(mailer)
        .with(pusher)
        .with(jobs)
        .with(sources)
        .with(store)
        .with(Metrics::default())
        .with(submissions::writer::Writer::default())
        // What the node keeps (`crate::kept`): each answer at the stamp it was read at.
        .with(auth::guards::Sessions::default())
        .with(org::cache::OrgCache::default())
        .with(settings::cache::ZoneCache::default())
        .with(briefs::cache::AddressedBriefs::default())
        .with(briefs::cache::Weeks::default())
        .with(web::layout::UnreadCounts::default())
        .with(web::splice::OwnPages::default())
        .with(stats::service::StatsCache::default())
        .with(stats::routes::RenderedFigures::default())
        .with(leaderboard::service::BoardKept::default())
        .with(leaderboard::routes::RenderedPages::default()))
}

pub fn build(figment: Figment) -> Rocket<Build> {
    let assets: String = figment
        .extract_inner("assets_dir")
        .unwrap_or_else(|_| "assets".into());
    rocket::custom(figment)
        .attach(AdHoc::try_on_ignite(
            "Duta application state",
            |rocket| async move {
                match app_state(rocket.figment()).await {
                    Ok(state) => Ok(rocket.manage(state)),
                    Err(errors) => {
                        for e in &errors {
                            tracing::error!("{e}");
                            eprintln!("duta: {e}");
                        }
                        Err(rocket)
                    }
                }
            },
        ))
        .attach(Template::custom(|engines| {
            engines.tera.register_function("t", web::i18n::tera_t);
            engines.tera.register_filter("num", web::i18n::tera_num);
            engines.tera.register_filter("pct", web::i18n::tera_pct);
            engines
                .tera
                .register_filter("percent", web::i18n::tera_percent);
        }))
        .attach(Shield::default().enable(NoSniff::Enable))
        .attach(http::headers::SecurityHeaders)
        .attach(MetricsFairing)
        .attach(http::reads::MarkWrites)
        .attach(jobs::Jobs)
        .attach(jobs::PushSender)
        .mount("/", home::routes())
        .mount("/", auth::routes())
        .mount("/", org::routes())
        .mount("/", accounts::routes())
        .mount("/", settings::routes())
        .mount("/", vetting::routes())
        .mount("/", ambassadors::routes())
        .mount("/", briefs::routes())
        .mount("/", story_templates::routes())
        .mount("/", notifications::routes())
        .mount("/", submissions::routes())
        .mount("/", leaderboard::routes())
        .mount("/", stats::routes())
        .mount("/", privacy::routes())
        .mount("/", audit::routes())
        .mount("/", integrity::routes())
        .mount("/", hoaxes::routes())
        .mount("/", narratives::routes())
        .mount("/", recruitment::routes())
        .mount("/", recognition::routes())
        .mount("/", mentoring::routes())
        .mount("/", training::routes())
        .mount("/", web::app::routes())
        .mount("/", roster::routes())
        .mount("/", jobs::routes())
        .mount("/api", rocket::routes![api::openapi])
        .mount("/api/v1", auth::api_routes())
        .mount("/api/v1", org::api_routes())
        .mount("/api/v1", accounts::api_routes())
        .mount("/api/v1", settings::api_routes())
        .mount("/api/v1", ambassadors::api_routes())
        .mount("/api/v1", vetting::api_routes())
        .mount("/api/v1", briefs::api_routes())
        .mount("/api/v1", story_templates::api_routes())
        .mount("/api/v1", notifications::api_routes())
        .mount("/api/v1", submissions::api_routes())
        .mount("/api/v1", leaderboard::api_routes())
        .mount("/api/v1", stats::api_routes())
        .mount("/api/v1", privacy::api_routes())
        .mount("/api/v1", audit::api_routes())
        .mount("/api/v1", integrity::api_routes())
        .mount("/api/v1", hoaxes::api_routes())
        .mount("/api/v1", narratives::api_routes())
        .mount("/api/v1", recruitment::api_routes())
        .mount("/api/v1", recognition::api_routes())
        .mount("/api/v1", mentoring::api_routes())
        .mount("/api/v1", training::api_routes())
        .mount("/api/v1", roster::api_routes())
        .mount("/api/v1", home::api_routes())
        .mount("/api/v1", jobs::api_routes())
        .mount("/", media::routes())
        .mount("/assets", FileServer::from(assets).rank(20))
        .register("/", web::catchers::html_catchers())
        .register("/api", web::catchers::api_catchers())
        .register("/api", api::catchers())
}
