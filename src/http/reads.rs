//! Statistics and exports from a PostgreSQL streaming replica (`database_read_url`),
//! without anyone missing their own write.
//!
//! The rule: after a browser's write (any request other than GET, HEAD or OPTIONS that
//! succeeded) the response carries the primary's WAL position in the `duta_wal` cookie.
//! A statistics page or export ([`Reads`]) reads the replica only when the replica has
//! replayed at least that position (`pg_last_wal_replay_lsn()`), and the primary
//! otherwise: a coordinator who has just verified a post sees it counted at once, however
//! far the replica lags, while everyone else's figures come from the replica. A request
//! with a bearer token (the API: a script that writes and reads at once carries no
//! cookie) reads the primary; so does every request when the replica does not answer
//! within [`REPLICA_WAIT`], or the cookie is not a WAL position.

use std::time::Duration;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Cookie, Header, Method, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Response, Rocket};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};

use crate::config::AppConfig;
use crate::state::part;

/// The cookie with the primary's WAL position after the browser's last write.
pub const COOKIE: &str = "duta_wal";

/// How long a read waits for the replica to say how far it has replayed.
pub const REPLICA_WAIT: Duration = Duration::from_millis(500);

/// How long the cookie lasts: a replica further behind than this is out of service.
const COOKIE_SECONDS: i64 = 3600;

/// A part of the application state (`crate::state`), present when `database_read_url`
/// is set: the pool to the replica (connected on first use, so a replica that is down
/// never stops a node from starting).
pub struct Replica {
    pub db: DatabaseConnection,
}

impl Replica {
    /// The lazily connected pool to `url`.
    pub async fn connect(url: &str, pool: Option<u32>) -> Result<Replica, DbErr> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false)
            .connect_lazy(true)
            .connect_timeout(crate::db::CONNECT_TIMEOUT)
            .acquire_timeout(REPLICA_WAIT)
            .max_connections(pool.unwrap_or(8))
            .min_connections(0);
        Ok(Replica {
            db: Database::connect(opts).await?,
        })
    }

    /// Whether the replica answers and has replayed `mark` (with no mark: whether it
    /// answers as a replica at all).
    async fn has_replayed(&self, mark: Option<&str>) -> bool {
        let sql = match mark {
            Some(_) => "SELECT COALESCE(pg_last_wal_replay_lsn() >= CAST($1 AS pg_lsn), FALSE)",
            None => "SELECT pg_is_in_recovery()",
        };
        let values: Vec<sea_orm::Value> = mark.map(|m| m.to_string().into()).into_iter().collect();
        let ask = self.db.query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ));
        match tokio::time::timeout(REPLICA_WAIT, ask).await {
            Ok(Ok(Some(row))) => row.try_get_by_index::<bool>(0).unwrap_or(false),
            Ok(Ok(None)) => false,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the read replica did not answer; reading the primary");
                false
            }
            Err(_) => {
                tracing::warn!("the read replica did not answer in time; reading the primary");
                false
            }
        }
    }
}

/// Whether `text` is a WAL position as PostgreSQL writes it (`16/B374D848`).
pub fn is_wal_position(text: &str) -> bool {
    let Some((high, low)) = text.split_once('/') else {
        return false;
    };
    let hex = |s: &str| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit());
    hex(high) && hex(low)
}

/// Where a statistics page or export reads its figures: the replica when the rule above
/// allows. What the node keeps across requests with the primary's stamps (the unit tree,
/// the current week) is still read from the primary, so nothing read from the replica is
/// ever kept under a primary's stamp.
pub struct Reads<'r> {
    pub primary: &'r DatabaseConnection,
    /// The replica, when the figures come from it.
    pub replica: Option<&'r DatabaseConnection>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Reads<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(primary) = part::<DatabaseConnection>(req.rocket()) else {
            return Outcome::Error((rocket::http::Status::InternalServerError, ()));
        };
        let primary = Reads {
            primary,
            replica: None,
        };
        let Some(replica) = part::<Replica>(req.rocket()) else {
            return Outcome::Success(primary);
        };
        if req.headers().contains("Authorization") {
            return Outcome::Success(primary);
        }
        let mark = req.cookies().get(COOKIE).map(|c| c.value().to_string());
        if mark.as_deref().is_some_and(|m| !is_wal_position(m)) {
            return Outcome::Success(primary);
        }
        if replica.has_replayed(mark.as_deref()).await {
            req.local_cache(|| ReadFrom("replica"));
            Outcome::Success(Reads {
                replica: Some(&replica.db),
                ..primary
            })
        } else {
            Outcome::Success(primary)
        }
    }
}

/// Which database a request's statistics came from, for the response header.
struct ReadFrom(&'static str);

/// Marks each successful write's response with the primary's WAL position (see the
/// module), and each read that went to the replica with `X-Duta-Read: replica`. Does
/// nothing without `database_read_url`.
pub struct MarkWrites;

#[rocket::async_trait]
impl Fairing for MarkWrites {
    fn info(&self) -> Info {
        Info {
            name: "Read-your-writes mark for the read replica",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let rocket: &Rocket<rocket::Orbit> = req.rocket();
        if part::<Replica>(rocket).is_none() {
            return;
        }
        if req.local_cache(|| ReadFrom("")).0 == "replica" {
            res.set_header(Header::new("X-Duta-Read", "replica"));
        }
        let write = !matches!(req.method(), Method::Get | Method::Head | Method::Options);
        if !write || res.status().code >= 400 || req.headers().contains("Authorization") {
            return;
        }
        let Some(db) = part::<DatabaseConnection>(rocket) else {
            return;
        };
        let position = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT CAST(pg_current_wal_lsn() AS TEXT)",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get_by_index::<String>(0).ok());
        let Some(position) = position else {
            return;
        };
        let secure = part::<AppConfig>(rocket).is_some_and(|c| c.secure_cookies);
        let cookie = Cookie::build((COOKIE, position))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(rocket::time::Duration::seconds(COOKIE_SECONDS))
            .build();
        res.adjoin_header(Header::new("Set-Cookie", cookie.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_positions_are_two_hex_halves() {
        for good in ["0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "a/1"] {
            assert!(is_wal_position(good), "{good}");
        }
        for bad in [
            "",
            "/",
            "16/",
            "/B3",
            "16/B374D848/1",
            "1G/00",
            "123456789/0",
            "0/0'; DROP TABLE users; --",
            "٣/٣",
        ] {
            assert!(!is_wal_position(bad), "{bad}");
        }
    }
}
