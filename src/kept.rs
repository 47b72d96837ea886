//! What a node keeps in memory to save work, and the one rule that says when it may use
//! it. The database is the source of truth; a kept answer is only a copy of what the
//! database said at a stamp.
//!
//! Stamps: the `kept_stamps` table holds one counter per topic, and triggers on every
//! table a topic reads from move it in the writing transaction (migration 28 lists the
//! tables). Whatever writes (a service, a bulk update, raw SQL, another node) moves the
//! stamp when it commits. A node reads the stamp before it computes an answer, keeps the
//! answer with that stamp, and uses it only while the stamp read at the start of a later
//! request is the same. So the next request after a write's answer, on any node, computes
//! afresh; no timer decides anything. Reading the stamp is one primary-key read.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, Statement};

use crate::error::AppResult;

/// The topics a node keeps answers of, with the tables they are read from (the triggers
/// are created from these lists).
pub fn topics() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    migration::m20261204_000028_create_kept_stamps::TOPICS
        .into_iter()
        .chain(migration::m20261204_000029_more_kept_topics::TOPICS)
        .chain(migration::m20261204_000030_create_unit_weeks::STATS_TABLES)
        .chain(migration::m20261204_000031_week_stamps::TOPICS)
        .chain(migration::m20261205_000044_five_platform_figures::STATS_TABLES)
}

/// A topic of kept answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum Topic {
    /// The stored standings and what the board shows with them: ambassadors, units, the
    /// weekly aggregate, grace weeks, the programme's time zone.
    Board,
    /// The participation statistics: the board's tables, follower counts, institutions
    /// and the brief aggregate.
    Stats,
    /// The organisation tree: institutions and work units.
    Org,
    /// The programme's settings row.
    Settings,
    /// Briefs and the units they are addressed to.
    Briefs,
    /// Signed-in sessions: users, the scope's work unit, the two-step sign-in rule.
    Sessions,
    /// The ambassador's week of briefs, with [`own_stamp`] for their own rows.
    Week,
}

impl Topic {
    pub const ALL: [Topic; 7] = [
        Topic::Board,
        Topic::Stats,
        Topic::Org,
        Topic::Settings,
        Topic::Briefs,
        Topic::Sessions,
        Topic::Week,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Topic::Board => "board",
            Topic::Stats => "stats",
            Topic::Org => "org",
            Topic::Settings => "settings",
            Topic::Briefs => "briefs",
            Topic::Sessions => "sessions",
            Topic::Week => "week",
        }
    }
}

/// Every topic's stamp as one request found them at its start, and the signed-in user's
/// own stamp: one read for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamps {
    topics: [i64; Topic::ALL.len()],
    /// The user whose own stamp was read with them, and that stamp.
    own: Option<(i64, i64)>,
}

impl Stamps {
    /// Every stamp now, and `user`'s own stamp (see [`own_stamp`]).
    pub async fn read(db: &impl ConnectionTrait, user: Option<i64>) -> AppResult<Stamps> {
        let backend = db.get_database_backend();
        // The user is a bound value, so that one prepared statement serves every user.
        let statement = match user {
            Some(id) => Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DbBackend::Postgres => {
                        "SELECT topic, stamp FROM kept_stamps \
                         UNION ALL SELECT 'own', stamp FROM own_stamps WHERE user_id = $1"
                    }
                    _ => {
                        "SELECT topic, stamp FROM kept_stamps \
                         UNION ALL SELECT 'own', stamp FROM own_stamps WHERE user_id = ?"
                    }
                },
                [id.into()],
            ),
            None => Statement::from_string(backend, "SELECT topic, stamp FROM kept_stamps"),
        };
        let rows = db.query_all_raw(statement).await?;
        let mut topics = [-1; Topic::ALL.len()];
        let mut own = user.map(|id| (id, 0));
        for row in rows {
            let topic: String = row.try_get_by_index(0)?;
            let stamp: i64 = row.try_get_by_index(1)?;
            if topic == "own" {
                own = user.map(|id| (id, stamp));
            } else if let Some(t) = Topic::ALL.iter().find(|t| t.name() == topic) {
                topics[*t as usize] = stamp;
            }
        }
        Ok(Stamps { topics, own })
    }

    /// One topic's stamp (-1: none, so nothing is kept with it).
    pub fn of(&self, topic: Topic) -> i64 {
        self.topics[topic as usize]
    }

    /// `user`'s own stamp, when it was read with these.
    pub fn own(&self, user: i64) -> Option<i64> {
        self.own.filter(|(u, _)| *u == user).map(|(_, s)| s)
    }
}

/// The topic's stamp now: it moves with every committed write to its tables.
pub async fn stamp(db: &impl ConnectionTrait, topic: Topic) -> AppResult<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!(
                "SELECT stamp FROM kept_stamps WHERE topic = '{}'",
                topic.name()
            ),
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get_by_index(0)?,
        None => -1,
    })
}

/// A user's own stamp: it moves with any write to their drafts, submissions and
/// notifications (0 before the first).
pub async fn own_stamp(db: &impl ConnectionTrait, user_id: i64) -> AppResult<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT stamp FROM own_stamps WHERE user_id = {user_id}"),
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get_by_index(0)?,
        None => 0,
    })
}

/// Answers kept per key, each with the stamp it was computed at; at most `max` of them.
pub struct Kept<K, V> {
    topic: Topic,
    max: usize,
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
    /// When set, one missing answer is computed at a time: those who miss meanwhile wait
    /// and then find it (for a few costly keys that many ask for at once, such as the
    /// board's pages).
    computing: Option<tokio::sync::Mutex<()>>,
}

impl<K: Eq + Hash + Clone, V> Kept<K, V> {
    pub fn new(topic: Topic, max: usize) -> Self {
        Kept {
            topic,
            max,
            entries: Mutex::new(HashMap::new()),
            computing: None,
        }
    }

    /// Kept answers of which one at a time is computed.
    pub fn one_at_a_time(topic: Topic, max: usize) -> Self {
        Kept {
            computing: Some(tokio::sync::Mutex::new(())),
            ..Kept::new(topic, max)
        }
    }

    /// The answer kept for `key` at `stamp`, if there is one.
    pub fn find(&self, stamp: i64, key: &K) -> Option<Arc<V>> {
        if stamp < 0 {
            return None;
        }
        self.entries.lock().ok().and_then(|m| {
            m.get(key)
                .filter(|(s, _)| *s == stamp)
                .map(|(_, v)| v.clone())
        })
    }

    pub fn topic(&self) -> Topic {
        self.topic
    }

    /// The answer kept for `key` at `stamp` (read with [`stamp`] at the start of this
    /// request), or `compute`'s, which is then kept with that stamp.
    pub async fn get_or_compute<F, Fut>(&self, stamp: i64, key: K, compute: F) -> AppResult<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = AppResult<V>>,
    {
        if let Some(v) = self.find(stamp, &key) {
            return Ok(v);
        }
        let turn = match &self.computing {
            Some(m) => Some(m.lock().await),
            None => None,
        };
        if turn.is_some() {
            if let Some(v) = self.find(stamp, &key) {
                return Ok(v);
            }
        }
        let value = self.keep(stamp, key, compute().await?);
        drop(turn);
        Ok(value)
    }

    /// Keeps `value` for `key` at `stamp` (read before the value was).
    pub fn keep(&self, stamp: i64, key: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        if stamp >= 0 {
            if let Ok(mut m) = self.entries.lock() {
                make_room(&mut m, self.max, |_, (s, _)| *s == stamp);
                m.insert(key, (stamp, value.clone()));
            }
        }
        value
    }

    /// How many answers are kept (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Makes room for one more entry in a map that holds at most `max`: when it is full,
/// the entries `keep` refuses (stale ones) go, and if that frees nothing, all go.
fn make_room<K: Eq + Hash, V>(
    map: &mut HashMap<K, V>,
    max: usize,
    keep: impl FnMut(&K, &mut V) -> bool,
) {
    if map.len() >= max {
        map.retain(keep);
        if map.len() >= max {
            map.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_is_used_only_at_its_stamp() {
        let kept: Kept<u32, u32> = Kept::new(Topic::Board, 8);
        let calls = std::sync::atomic::AtomicU32::new(0);
        let compute =
            || async { Ok(calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 100) };
        assert_eq!(*kept.get_or_compute(1, 7, compute).await.unwrap(), 100);
        assert_eq!(*kept.get_or_compute(1, 7, compute).await.unwrap(), 100);
        assert_eq!(*kept.get_or_compute(2, 7, compute).await.unwrap(), 101);
        assert_eq!(*kept.get_or_compute(2, 7, compute).await.unwrap(), 101);
        // A missing stamp row keeps nothing.
        assert_eq!(*kept.get_or_compute(-1, 7, compute).await.unwrap(), 102);
        assert_eq!(*kept.get_or_compute(-1, 7, compute).await.unwrap(), 103);
    }

    #[tokio::test]
    async fn those_who_miss_together_wait_for_one_computation() {
        let kept: Arc<Kept<u32, u32>> = Arc::new(Kept::one_at_a_time(Topic::Board, 8));
        let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (kept, calls) = (kept.clone(), calls.clone());
                tokio::spawn(async move {
                    kept.get_or_compute(5, 1, || async {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok(calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                    })
                    .await
                    .map(|v| *v)
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), 0);
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn stale_entries_go_first_and_everything_when_none_is_stale() {
        let mut map: HashMap<u32, bool> = (0..4).map(|k| (k, k % 2 == 0)).collect();
        make_room(&mut map, 5, |_, fresh| *fresh);
        assert_eq!(map.len(), 4, "not full yet: nothing goes");
        make_room(&mut map, 4, |_, fresh| *fresh);
        let mut left: Vec<u32> = map.keys().copied().collect();
        left.sort();
        assert_eq!(left, vec![0, 2], "the stale ones went");
        make_room(&mut map, 2, |_, fresh| *fresh);
        assert!(map.is_empty(), "none was stale, so all went");
    }
}
