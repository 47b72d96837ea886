//! The organisation tree kept in memory for the busy read pages (the leaderboard and the
//! statistics): their filter forms and scope checks would otherwise read every institution
//! and work unit on each request. A copy is used only at the `org` stamp it was read at
//! (see `crate::kept`): any write to institutions or work units, on any node, ends it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

use super::service::{group_units, UnitGroup};
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Scope;
use crate::error::AppResult;
use crate::kept::{self, Topic};
use entity::{institutions, work_units};

/// Institutions (by name) and all their work units, as read at one moment.
pub struct Org {
    pub institutions: Vec<institutions::Model>,
    pub units: Vec<work_units::Model>,
    /// Every institution with its units in tree order, grouped once per copy.
    grouped: OnceLock<Vec<UnitGroup>>,
    /// This copy's number: a later copy has a larger one (pages built from a copy are
    /// kept under it).
    pub serial: u64,
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
            Scope::All => self.all_groups().to_vec(),
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

    fn all_groups(&self) -> &[UnitGroup] {
        self.grouped
            .get_or_init(|| group_units(&self.institutions, &self.units))
    }

    /// The `<option>`s of the units the user may see (see [`unit_options`]).
    pub fn unit_options_for(&self, user: &CurrentUser, selected: Option<i64>) -> String {
        match user.scope() {
            Scope::All => unit_options(self.all_groups(), selected),
            Scope::Institution { .. } => unit_options(&self.groups_for(user), selected),
        }
    }

    /// The `<option>`s of the institutions the user may see, the chosen one selected.
    pub fn institution_options_for(&self, user: &CurrentUser, selected: Option<i64>) -> String {
        let mut out = String::new();
        for i in self.institutions_for(user) {
            option(&mut out, i.id, selected, 0, &i.name);
        }
        out
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

/// Copies read so far in this process.
static COPIES: AtomicU64 = AtomicU64::new(1);

/// A part of the application state (`crate::state`): the last copy of the organisation,
/// with the `org` stamp it was read at.
#[derive(Default)]
pub struct OrgCache {
    copy: Mutex<Option<(i64, Arc<Org>)>>,
}

impl OrgCache {
    /// The organisation, read again when an institution or a work unit was written since
    /// the copy was read (by anyone: see `crate::kept`).
    pub async fn get(&self, db: &DatabaseConnection) -> AppResult<Arc<Org>> {
        // Read before the tables, so a write during the read leaves the copy stale.
        self.get_at(db, kept::stamp(db, Topic::Org).await?).await
    }

    /// The organisation at `stamp` (the `org` stamp read at the start of this request).
    pub async fn get_at(&self, db: &DatabaseConnection, stamp: i64) -> AppResult<Arc<Org>> {
        if let Ok(copy) = self.copy.lock() {
            if let Some((seen, org)) = copy.as_ref() {
                if *seen == stamp && stamp >= 0 {
                    return Ok(org.clone());
                }
            }
        }
        let institutions = institutions::Entity::find()
            .order_by_asc(institutions::Column::Name)
            .all(db)
            .await?;
        let units = work_units::Entity::find().all(db).await?;
        let mut copy = self
            .copy
            .lock()
            .map_err(|_| crate::error::AppError::internal("organisation cache poisoned"))?;
        // Read again but unchanged: the same copy goes on (with its number, so that pages
        // kept under it stay good).
        let org = match copy.as_ref() {
            Some((_, old)) if old.institutions == institutions && old.units == units => old.clone(),
            _ => Arc::new(Org {
                institutions,
                units,
                grouped: OnceLock::new(),
                serial: COPIES.fetch_add(1, Ordering::SeqCst),
            }),
        };
        *copy = Some((stamp, org.clone()));
        Ok(org)
    }
}

/// Text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn option(out: &mut String, id: i64, selected: Option<i64>, depth: usize, name: &str) {
    let chosen = if selected == Some(id) {
        " selected"
    } else {
        ""
    };
    out.push_str(&format!(
        "<option value=\"{id}\"{chosen}>{}{}</option>",
        "— ".repeat(depth),
        escape_html(name)
    ));
}

/// The work units of a filter form as `<optgroup>`s of `<option>`s, indented by depth,
/// the chosen one selected. Built here rather than in the template: a national list has
/// hundreds of units, and the busy pages would loop over them on every request.
pub fn unit_options(groups: &[UnitGroup], selected: Option<i64>) -> String {
    let mut out = String::new();
    for g in groups.iter().filter(|g| !g.units.is_empty()) {
        out.push_str(&format!(
            "<optgroup label=\"{}\">",
            escape_html(&g.institution.name)
        ));
        for u in &g.units {
            option(&mut out, u.id, selected, u.depth, &u.name);
        }
        out.push_str("</optgroup>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::service::{InstitutionView, WorkUnitView};

    fn institution(id: i64, name: &str) -> InstitutionView {
        InstitutionView {
            id,
            name: name.into(),
            short_name: None,
            kind: "kementerian".into(),
            region: None,
            created_at: chrono::Utc::now(),
        }
    }

    fn unit(id: i64, parent_id: Option<i64>, name: &str, depth: usize) -> WorkUnitView {
        WorkUnitView {
            id,
            institution_id: 1,
            parent_id,
            name: name.into(),
            depth,
        }
    }

    #[tokio::test]
    async fn a_copy_read_again_unchanged_keeps_its_number_and_a_change_elsewhere_gets_a_new_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = crate::db::connect(&format!("sqlite://{}/org.db", dir.path().display()))
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        let cache = OrgCache::default();
        let first = cache.get(&db).await.expect("org");
        let again = cache.get(&db).await.expect("org");
        assert_eq!(first.serial, again.serial);
        // Another program adds an institution with raw SQL: the stamp moves all the same.
        sea_orm::ConnectionTrait::execute_unprepared(
            &db,
            "INSERT INTO institutions (name, kind, created_at) \
             VALUES ('Kementerian Baru', 'kementerian', '2026-11-24T00:00:00Z')",
        )
        .await
        .expect("insert");
        let changed = cache.get(&db).await.expect("org");
        assert!(changed.serial > first.serial);
        assert_eq!(changed.institutions.len(), first.institutions.len() + 1);
    }

    #[test]
    fn unit_options_indent_by_depth_select_the_chosen_unit_and_escape_names() {
        let groups = vec![
            UnitGroup {
                institution: institution(1, "Kementerian \"A\" & B"),
                units: vec![
                    unit(3, None, "Biro <Humas>", 0),
                    unit(4, Some(3), "Subbag", 1),
                ],
            },
            UnitGroup {
                institution: institution(2, "Empty"),
                units: vec![],
            },
        ];
        assert_eq!(
            unit_options(&groups, Some(4)),
            "<optgroup label=\"Kementerian &quot;A&quot; &amp; B\">\
             <option value=\"3\">Biro &lt;Humas&gt;</option>\
             <option value=\"4\" selected>— Subbag</option></optgroup>"
        );
        assert!(!unit_options(&groups, None).contains("selected"));
    }
}
