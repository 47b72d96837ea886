//! Request guards: `CurrentUser` reads the session token (the cookie for pages, a Bearer
//! header under `/api/`), checks it against the user's security stamp and active flag,
//! and is cached per request. Role guards build on it: not signed in is 401, wrong role 403.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rocket::http::{Method, Status};
use rocket::request::{FromRequest, Outcome, Request};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::jwt::JwtKeys;
use super::roles::{Role, Scope};
use crate::error::AppResult;
use crate::error::{is_api_request, AppError};
use crate::kept::{self, Kept, Stamps, Topic};

pub const SESSION_COOKIE: &str = "duta_session";

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: entity::users::Model,
    pub role: Role,
    /// The materialised path of the user's work unit, when their scope is a subtree.
    pub work_unit_path: Option<String>,
    /// Two-step sign-in is required for this staff member and not set up yet: until it
    /// is, only the setup page and a few personal pages open (see [`open_while_pending`]).
    pub two_factor_pending: bool,
    /// The stamps of what the node keeps, as this request found them at its start (see
    /// `crate::kept`); only on requests that change nothing (GET, HEAD), so that a write
    /// never reads an answer kept before it.
    pub stamps: Option<Stamps>,
    /// The same stamps on every request, writes included, for what a write reads before
    /// it writes (see [`CurrentUser::stamps_before_writing`]).
    pub opening_stamps: Option<Stamps>,
}

/// What a staff member who still has to set up two-step sign-in may open: the setup
/// itself, signing out, their password and their own data, the language switch.
pub fn open_while_pending(path: &str) -> bool {
    path.starts_with("/account/")
        || path.starts_with("/api/v1/me/two-factor")
        || matches!(
            path,
            "/logout" | "/language" | "/me/data" | "/api/v1/me" | "/api/v1/auth/logout"
        )
}

/// The signed-in user, unless two-step sign-in has to be set up first for this path.
fn usable<'r>(req: &Request<'_>, user: &'r CurrentUser) -> Option<&'r CurrentUser> {
    (!user.two_factor_pending || open_while_pending(req.uri().path().as_str())).then_some(user)
}

impl CurrentUser {
    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub fn scope(&self) -> Scope {
        match (self.role.sees_all_institutions(), self.user.institution_id) {
            (false, Some(institution_id)) => Scope::Institution {
                institution_id,
                work_unit_path: self.work_unit_path.clone(),
            },
            (false, None) => Scope::Institution {
                institution_id: -1,
                work_unit_path: None,
            },
            (true, _) => Scope::All,
        }
    }

    /// A topic's stamp for this request: the one found at its start, or read now.
    pub async fn stamp(&self, db: &DatabaseConnection, topic: Topic) -> AppResult<i64> {
        match self.stamps {
            Some(s) => Ok(s.of(topic)),
            None => kept::stamp(db, topic).await,
        }
    }

    /// The user's own stamp (see [`kept::own_stamp`]), as this request found it at its
    /// start when it changes nothing.
    pub async fn own_stamp(&self, db: &DatabaseConnection) -> AppResult<i64> {
        match self.stamps.and_then(|s| s.own(self.id())) {
            Some(s) => Ok(s),
            None => kept::own_stamp(db, self.id()).await,
        }
    }

    /// The stamps this request found at its start, or read now: for a write's reads
    /// before it writes anything (a kept answer valid at the start is valid until then).
    pub async fn stamps_before_writing(&self, db: &DatabaseConnection) -> AppResult<Stamps> {
        match self.opening_stamps {
            Some(s) => Ok(s),
            None => Stamps::read(db, None).await,
        }
    }

    /// The signed-in user of this request, loaded once and cached.
    pub async fn cached<'r>(req: &'r Request<'_>) -> Option<&'r CurrentUser> {
        req.local_cache_async(async { load(req).await })
            .await
            .as_ref()
    }

    /// The cached user when a guard already loaded it (for synchronous responders).
    pub fn peek<'r>(req: &'r Request<'_>) -> Option<&'r CurrentUser> {
        req.local_cache(|| None::<CurrentUser>).as_ref()
    }
}

fn bearer(req: &Request<'_>) -> Option<String> {
    let value = req.headers().get_one("Authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Sessions checked a moment ago, so that a busy page does not read its user on every
/// request: an entry is used only at the `sessions` stamp it was made at (see
/// `crate::kept`), which every write to users, work units (the scope's path) or the
/// programme's settings (the two-step rule) moves, on any node. Signing out, a new
/// password, a deactivation or a role change thus end it in the next request everywhere.
///
/// A token is checked by one request at a time: when its entry is stale while many
/// requests carry it (a busy client), the first reads the user again and the others
/// wait for that answer instead of each reading the same rows.
pub struct Sessions {
    kept: Kept<String, CurrentUser>,
    turns: Turns,
}

/// Turns per key: callers holding a turn for the same key go one at a time.
#[derive(Default)]
pub struct Turns {
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// A caller's turn; the next caller with the key goes when it is dropped.
pub struct Turn<'a> {
    turns: &'a Turns,
    key: String,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Turns {
    /// Waits until no one else holds a turn for `key`.
    pub async fn take(&self, key: &str) -> Turn<'_> {
        let gate = match self.gates.lock() {
            Ok(mut gates) => gates.entry(key.to_string()).or_default().clone(),
            // A poisoned map: go without waiting (the cost is a repeated read).
            Err(_) => Arc::default(),
        };
        Turn {
            turns: self,
            key: key.to_string(),
            held: Some(gate.lock_owned().await),
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        drop(self.held.take());
        // The gate goes when no one else holds or awaits it.
        if let Ok(mut gates) = self.turns.gates.lock() {
            if gates
                .get(&self.key)
                .is_some_and(|g| Arc::strong_count(g) == 1)
            {
                gates.remove(&self.key);
            }
        }
    }
}

/// Entries kept at most; beyond it, those of an older stamp go, and if none had, all.
const MAX_SESSIONS: usize = 20_000;

impl Default for Sessions {
    fn default() -> Self {
        Sessions {
            kept: Kept::new(Topic::Sessions, MAX_SESSIONS),
            turns: Turns::default(),
        }
    }
}

async fn load(req: &Request<'_>) -> Option<CurrentUser> {
    let token = if is_api_request(req) {
        bearer(req)?
    } else {
        req.cookies().get(SESSION_COOKIE)?.value().to_string()
    };
    let keys = crate::state::part::<JwtKeys>(req.rocket())?;
    let db = crate::state::part::<DatabaseConnection>(req.rocket())?;
    let claims = keys.verify(&token)?;
    let Some(sessions) = crate::state::part::<Sessions>(req.rocket()) else {
        return match check(db, &claims).await {
            Ok(user) => user,
            Err(e) => unreadable(req, &e),
        };
    };
    // Read before the user, so a write during the read leaves the entry stale.
    // The user named by the token is only a hint here: their own stamp is read with the
    // others and used only once the session is checked.
    let stamps = match Stamps::read(db, claims.sub.parse().ok()).await {
        Ok(stamps) => stamps,
        Err(e) => return unreadable(req, &e),
    };
    let stamp = stamps.of(Topic::Sessions);
    let reads_only = matches!(req.method(), Method::Get | Method::Head);
    let for_request = |user: &CurrentUser| CurrentUser {
        stamps: reads_only.then_some(stamps),
        opening_stamps: Some(stamps),
        ..user.clone()
    };
    if let Some(user) = sessions.kept.find(stamp, &token) {
        return Some(for_request(&user));
    }
    let _turn = sessions.turns.take(&token).await;
    let user = sessions
        .kept
        .get_or_compute(stamp, token.clone(), || async {
            check(db, &claims).await?.ok_or(AppError::Unauthorized)
        })
        .await;
    match user {
        Ok(user) => Some(for_request(&user)),
        Err(AppError::Unauthorized) => None,
        Err(e) => unreadable(req, &e),
    }
}

/// The session could not be checked because the database did not answer: noted for the
/// guards, which then answer 503 instead of treating a signed-in user as signed out.
fn unreadable(req: &Request<'_>, e: &dyn std::fmt::Display) -> Option<CurrentUser> {
    tracing::warn!(error = %e, "cannot check a session: the database did not answer");
    req.local_cache(|| SessionUnreadable(true));
    None
}

/// Set on a request whose session could not be checked (see [`unreadable`]).
struct SessionUnreadable(bool);

/// What a guard answers when there is no user: 401, or 503 when the session could not be
/// read because the database is away.
fn without_user(req: &Request<'_>) -> Status {
    if req.local_cache(|| SessionUnreadable(false)).0 {
        Status::ServiceUnavailable
    } else {
        Status::Unauthorized
    }
}

/// The session's user: `Ok(None)` when the token no longer stands (account off, signed out
/// everywhere), `Err` when the database did not answer.
async fn check(
    db: &DatabaseConnection,
    claims: &super::jwt::Claims,
) -> crate::error::AppResult<Option<CurrentUser>> {
    let Ok(id) = claims.sub.parse::<i64>() else {
        return Ok(None);
    };
    let Some(user) = entity::users::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if !user.is_active || user.security_stamp != claims.stamp {
        return Ok(None);
    }
    let Some(role) = Role::parse(&user.role) else {
        return Ok(None);
    };
    let work_unit_path = match user.work_unit_id {
        Some(wu) if !role.sees_all_institutions() => entity::work_units::Entity::find_by_id(wu)
            .one(db)
            .await?
            .map(|w| w.path),
        _ => None,
    };
    let two_factor_pending =
        role.is_staff() && user.totp_enabled_at.is_none() && two_factor_required(db).await?;
    Ok(Some(CurrentUser {
        user,
        role,
        work_unit_path,
        two_factor_pending,
        stamps: None,
        opening_stamps: None,
    }))
}

/// Whether the programme requires two-step sign-in of staff.
pub async fn two_factor_required(db: &DatabaseConnection) -> crate::error::AppResult<bool> {
    Ok(entity::programme_settings::Entity::find_by_id(1)
        .one(db)
        .await?
        .is_some_and(|s| s.two_factor_required))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r CurrentUser {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match CurrentUser::cached(req).await {
            Some(user) => match usable(req, user) {
                Some(user) => Outcome::Success(user),
                None => Outcome::Error((Status::Forbidden, ())),
            },
            None => Outcome::Error((without_user(req), ())),
        }
    }
}

/// Declares a guard that admits only the listed roles.
macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, [$($role:ident),+]) => {
        $(#[$doc])*
        pub struct $name<'r>(pub &'r CurrentUser);

        impl<'r> std::ops::Deref for $name<'r> {
            type Target = CurrentUser;
            fn deref(&self) -> &CurrentUser {
                self.0
            }
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name<'r> {
            type Error = ();

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
                match CurrentUser::cached(req).await {
                    Some(user) if usable(req, user).is_none() => Outcome::Error((Status::Forbidden, ())),
                    Some(user) if matches!(user.role, $(Role::$role)|+) => Outcome::Success($name(user)),
                    Some(_) => Outcome::Error((Status::Forbidden, ())),
                    None => Outcome::Error((without_user(req), ())),
                }
            }
        }
    };
}

role_guard!(
    /// Admins: institutions, work units, users, programme settings.
    Admin, [Admin]
);
role_guard!(
    /// Everyone who reads organisation data: all roles but ambassadors.
    Staff, [Coordinator, Leadership, National, Admin]
);
role_guard!(
    /// Ambassadors and candidates.
    Ambassador, [Ambassador]
);
role_guard!(
    /// Coordinators (humas) of an institution, and admins.
    Coordinator, [Coordinator, Admin]
);
role_guard!(
    /// Those who report what they see in the programme's name (a hoax): ambassadors and
    /// coordinators.
    Reporter, [Ambassador, Coordinator]
);
role_guard!(
    /// Those who act for a list of work beyond their own posts: coordinators for their
    /// institution, national users for the national level, and admins.
    Coordinating, [Coordinator, National, Admin]
);

role_guard!(
    /// The national role: it writes the national briefs that cascade to institutions.
    NationalDesk, [National]
);
role_guard!(
    /// Coordinators, who answer for their institution (a national brief adopted or
    /// declined).
    InstitutionDesk, [Coordinator]
);
role_guard!(
    /// Those who take part in reviews of drafts: ambassadors (who ask, and mentors who
    /// review), coordinators and admins (who review).
    Mentoring, [Ambassador, Coordinator, Admin]
);

#[cfg(test)]
mod tests {
    use super::Turns;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// Many callers with one key at once: the first does the work, the others find it
    /// done. Each other key gets its own turn.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_with_one_key_take_turns() {
        let turns = Arc::new(Turns::default());
        let done: Arc<Mutex<Vec<String>>> = Arc::default();
        let reads = Arc::new(AtomicUsize::new(0));
        let calls = (0..32).map(|i| {
            let (turns, done, reads) = (turns.clone(), done.clone(), reads.clone());
            let key = if i % 8 == 7 {
                format!("other{i}")
            } else {
                "token".into()
            };
            tokio::spawn(async move {
                let _turn = turns.take(&key).await;
                if done.lock().unwrap().contains(&key) {
                    return;
                }
                reads.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                done.lock().unwrap().push(key);
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap();
        }
        // One read for "token", one for each of the four other keys.
        assert_eq!(reads.load(Ordering::SeqCst), 5);
        assert!(
            turns.gates.lock().unwrap().is_empty(),
            "no gate is left behind"
        );
    }
}
