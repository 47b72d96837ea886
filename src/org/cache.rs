//! The organisation tree kept in memory for the busy read pages (the leaderboard and the
//! statistics): their filter forms and scope checks would otherwise read every institution
//! and work unit on each request. A copy is used for at most `cache_ms` and only while no
//! institution or work unit was written on this node since it was read.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

use super::service::{group_units, UnitGroup};
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Scope;
use crate::error::AppResult;
use entity::{institutions, work_units};

/// Institutions (by name) and all their work units, as read at one moment.
pub struct Org {
    pub institutions: Vec<institutions::Model>,
    pub units: Vec<work_units::Model>,
}

impl Org {
    pub fn institution(&self, id: i64) -> Option<&institutions::Model> {
        self.institutions.iter().find(|i| i.id == id)
    }

    pub fn unit(&self, id: i64) -> Option<&work_units::Model> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The institutions the user may see, by name, as `list_institutions_for`.
    pub fn institutions_for(&self, user: &CurrentUser) -> Vec<&institutions::Model> {
        match user.scope() {
            Scope::All => self.institutions.iter().collect(),
            Scope::Institution { institution_id, .. } => {
                self.institution(institution_id).into_iter().collect()
            }
        }
    }

    /// The institutions and units the user may see, grouped, as `list_units_grouped`.
    pub fn groups_for(&self, user: &CurrentUser) -> Vec<UnitGroup> {
        match user.scope() {
            Scope::All => group_units(&self.institutions, &self.units),
            Scope::Institution {
                institution_id,
                work_unit_path,
            } => {
                let units: Vec<work_units::Model> = self
                    .units
                    .iter()
                    .filter(|u| {
                        u.institution_id == institution_id
                            && work_unit_path
                                .as_deref()
                                .is_none_or(|p| u.path.starts_with(p))
                    })
                    .cloned()
                    .collect();
                self.groups_of(institution_id, &units)
            }
        }
    }

    /// One institution with all its units.
    pub fn institution_groups(&self, institution_id: i64) -> Vec<UnitGroup> {
        self.groups_of(institution_id, &self.units)
    }

    fn groups_of(&self, institution_id: i64, units: &[work_units::Model]) -> Vec<UnitGroup> {
        let own: Vec<institutions::Model> = self
            .institution(institution_id)
            .into_iter()
            .cloned()
            .collect();
        group_units(&own, units)
    }
}

type Stamp = (u64, u64);

fn writes() -> Stamp {
    (
        institutions::WRITES.load(Ordering::SeqCst),
        work_units::WRITES.load(Ordering::SeqCst),
    )
}

/// Managed state: the last copy of the organisation and when it was read.
pub struct OrgCache {
    ttl: Duration,
    copy: Mutex<Option<(Instant, Stamp, Arc<Org>)>>,
}

impl OrgCache {
    pub fn new(ttl: Duration) -> OrgCache {
        OrgCache {
            ttl,
            copy: Mutex::new(None),
        }
    }

    /// The organisation, read again when the copy is too old or something was written.
    pub async fn get(&self, db: &DatabaseConnection) -> AppResult<Arc<Org>> {
        let stamp = writes();
        if let Ok(copy) = self.copy.lock() {
            if let Some((at, seen, org)) = copy.as_ref() {
                if *seen == stamp && at.elapsed() < self.ttl {
                    return Ok(org.clone());
                }
            }
        }
        let org = Arc::new(Org {
            institutions: institutions::Entity::find()
                .order_by_asc(institutions::Column::Name)
                .all(db)
                .await?,
            units: work_units::Entity::find().all(db).await?,
        });
        if let Ok(mut copy) = self.copy.lock() {
            *copy = Some((Instant::now(), stamp, org.clone()));
        }
        Ok(org)
    }
}
