//! The `duta` command: `serve` (the default), `migrate`, `create-admin`, `seed --demo`,
//! `leaderboard rebuild`, `backup` and `restore`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// mimalloc: a page renders into many short-lived strings and maps on both cores, where
/// glibc's allocator spent a third of the time (consolidating freed chunks, growing arenas).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "duta",
    version,
    about = "Duta: ASN ambassador programmes for government PR offices"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Duta (the default): creates the database and runs migrations first.
    Serve,
    /// Run the database migrations and exit.
    Migrate,
    /// Create an admin account; the password comes from DUTA_ADMIN_PASSWORD or is asked for.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Fill the database with a demo institution and users, and print their logins
    /// (`--demo`); or build the benchmarks' data set on an empty database (`--bench`).
    Seed {
        #[arg(long)]
        demo: bool,
        #[arg(long)]
        bench: bool,
        /// With --bench: how many approved ambassadors.
        #[arg(long, default_value_t = 100_000)]
        ambassadors: i64,
        /// With --bench: how many weeks of history, the current one included.
        #[arg(long, default_value_t = 52)]
        weeks: i64,
        /// With --bench: how many institutions share the ambassadors.
        #[arg(long, default_value_t = duta::seed::bench::INSTITUTIONS)]
        institutions: i64,
    },
    /// Copy the database and the upload folder into a new backup folder while Duta serves
    /// (default: <data_dir>/backups/duta-<UTC time>).
    Backup { dir: Option<std::path::PathBuf> },
    /// Put a backup folder back in place of the database and upload folder; stop Duta
    /// first. What it replaces is kept beside it as `*.before-restore-<time>`.
    Restore { dir: std::path::PathBuf },
    /// Leaderboard maintenance.
    Leaderboard {
        #[command(subcommand)]
        action: LeaderboardAction,
    },
}

#[derive(Subcommand)]
enum LeaderboardAction {
    /// Recompute the weekly aggregate from the verified submissions, correct any row that
    /// differs and print each correction (a healthy database has none).
    Rebuild,
}

fn report(errors: &[String]) -> ExitCode {
    for e in errors {
        eprintln!("duta: {e}");
    }
    ExitCode::FAILURE
}

#[rocket::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("DUTA_LOG").unwrap_or_else(|_| {
            EnvFilter::new("info,rocket=warn,sqlx=warn,sea_orm_migration=warn")
        }))
        .init();
    let cli = Cli::parse();
    let figment = duta::figment();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => match duta::build(figment).launch().await {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("duta: could not start: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Migrate => match duta::prepare(&figment).await {
            Ok(_) => {
                eprintln!("duta: database is up to date");
                ExitCode::SUCCESS
            }
            Err(errors) => report(&errors),
        },
        Command::CreateAdmin { email, name } => {
            let (_, db) = match duta::prepare(&figment).await {
                Ok(ready) => ready,
                Err(errors) => return report(&errors),
            };
            let password = match std::env::var("DUTA_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => match rpassword::prompt_password("Password for the new admin: ") {
                    Ok(p) => p,
                    Err(e) => {
                        return report(&[format!(
                            "cannot read the password: {e} (or set DUTA_ADMIN_PASSWORD)"
                        )])
                    }
                },
            };
            let hasher = match duta::auth::passwords::Hasher::new() {
                Ok(h) => h,
                Err(e) => return report(&[e]),
            };
            let input = duta::accounts::forms::NewUser {
                email,
                name,
                role: "admin".into(),
                institution_id: None,
                work_unit_id: None,
                password: Some(password),
            };
            match duta::accounts::service::create_user(&db, &hasher, None, &input, None).await {
                Ok(user) => {
                    eprintln!(
                        "duta: admin {} created; sign in at http://127.0.0.1:8000/login",
                        user.email
                    );
                    ExitCode::SUCCESS
                }
                Err(duta::error::AppError::Validation(f))
                | Err(duta::error::AppError::Conflict(f)) => {
                    let lang = duta::web::i18n::Lang::En;
                    let lines: Vec<String> = f
                        .translated(lang)
                        .into_iter()
                        .flat_map(|(field, msgs)| {
                            msgs.into_iter().map(move |m| format!("{field}: {m}"))
                        })
                        .collect();
                    report(&lines)
                }
                Err(e) => report(&[e.to_string()]),
            }
        }
        Command::Seed {
            bench: true,
            ambassadors,
            weeks,
            institutions,
            ..
        } => {
            let (cfg, db) = match duta::prepare(&figment).await {
                Ok(ready) => ready,
                Err(errors) => return report(&errors),
            };
            let hasher = match duta::auth::passwords::Hasher::new() {
                Ok(h) => h,
                Err(e) => return report(&[e]),
            };
            let seeded = match duta::seed::bench::seed_bench_in(
                &db,
                &hasher,
                ambassadors,
                weeks,
                institutions.max(1),
            )
            .await
            {
                Ok(r) => match cfg.nip() {
                    Ok(key) => duta::privacy::service::seal_plain_nips(&db, key)
                        .await
                        .map(|_| r),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            match seeded {
                Ok(r) => {
                    println!(
                        "bench data set written in {:.1} s: {} institutions, {} work units, \
                         {} ambassadors, {} briefs, {} submissions ({} verified), {} week rows",
                        r.seconds,
                        r.institutions,
                        r.work_units,
                        r.ambassadors,
                        r.briefs,
                        r.submissions,
                        r.verified,
                        r.week_rows
                    );
                    println!(
                        "sign in as amb1@bench.duta.id … or coordinator1@bench.duta.id …, password {}",
                        duta::seed::bench::BENCH_PASSWORD
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report(&[e.to_string()]),
            }
        }
        Command::Seed { demo, .. } => {
            if !demo {
                return report(&["use `duta seed --demo` or `duta seed --bench`".into()]);
            }
            let (cfg, db) = match duta::prepare(&figment).await {
                Ok(ready) => ready,
                Err(errors) => return report(&errors),
            };
            let hasher = match duta::auth::passwords::Hasher::new() {
                Ok(h) => h,
                Err(e) => return report(&[e]),
            };
            let store = match duta::media::storage::Storage::from_config(&cfg) {
                Ok(storage) => duta::media::service::MediaStore::new(storage),
                Err(e) => return report(&[e.to_string()]),
            };
            let key = match cfg.nip() {
                Ok(k) => k,
                Err(e) => return report(&[e.to_string()]),
            };
            match duta::seed::seed_demo(&db, &hasher, &store, key).await {
                Ok(logins) => {
                    println!("Demo data is ready. Sign in at http://127.0.0.1:8000/login with:");
                    for l in logins {
                        println!(
                            "  {:<12} {}  password: {}",
                            l.role,
                            l.email,
                            duta::seed::DEMO_PASSWORD
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(duta::error::AppError::Validation(f))
                | Err(duta::error::AppError::Conflict(f)) => {
                    let lines: Vec<String> = f
                        .translated(duta::web::i18n::Lang::En)
                        .into_iter()
                        .flat_map(|(field, msgs)| {
                            msgs.into_iter()
                                .map(move |m| format!("demo data: {field}: {m}"))
                        })
                        .collect();
                    report(&lines)
                }
                Err(e) => report(&[e.to_string()]),
            }
        }
        Command::Backup { dir } => {
            let (cfg, db) = match duta::prepare(&figment).await {
                Ok(ready) => ready,
                Err(errors) => return report(&errors),
            };
            let dir = dir.unwrap_or_else(|| duta::backup::default_dir(&cfg));
            match duta::backup::backup(&db, &cfg, &dir).await {
                Ok(done) => {
                    println!(
                        "backup written to {} in {:.1} s: database {:.1} MiB, {} rows in {} tables, {} uploaded files",
                        done.dir.display(),
                        done.seconds,
                        done.bytes as f64 / 1_048_576.0,
                        done.manifest.tables.values().sum::<i64>(),
                        done.manifest.tables.len(),
                        done.manifest.uploads
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report(&[e]),
            }
        }
        Command::Restore { dir } => {
            let mut cfg = match duta::config::AppConfig::from_figment(&figment) {
                Ok(cfg) => cfg,
                Err(errors) => return report(&errors),
            };
            if let Err(e) = cfg.prepare_filesystem() {
                return report(&[e]);
            }
            match duta::backup::restore(&cfg, &dir).await {
                Ok(m) => {
                    println!(
                        "restored the backup of {} from {}: {} rows in {} tables match it, {} uploaded files",
                        m.created_at.to_rfc3339(),
                        dir.display(),
                        m.tables.values().sum::<i64>(),
                        m.tables.len(),
                        m.uploads
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report(&[e]),
            }
        }
        Command::Leaderboard {
            action: LeaderboardAction::Rebuild,
        } => {
            let (_, db) = match duta::prepare(&figment).await {
                Ok(ready) => ready,
                Err(errors) => return report(&errors),
            };
            let started = std::time::Instant::now();
            match duta::leaderboard::service::rebuild(&db).await {
                Ok(corrections) => {
                    for c in &corrections {
                        println!(
                            "corrected {} {}: stored {}; submissions say {}",
                            c.table, c.row, c.stored, c.computed
                        );
                    }
                    println!(
                        "aggregates rebuilt in {:.1} s: {} difference(s) corrected",
                        started.elapsed().as_secs_f64(),
                        corrections.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report(&[e.to_string()]),
            }
        }
    }
}
