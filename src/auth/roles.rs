//! The five roles and what each may see: its scope.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Ambassador,
    Coordinator,
    Leadership,
    National,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Ambassador,
        Role::Coordinator,
        Role::Leadership,
        Role::National,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ambassador => "ambassador",
            Role::Coordinator => "coordinator",
            Role::Leadership => "leadership",
            Role::National => "national",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// National users and admins see every institution; the others only their own.
    pub fn sees_all_institutions(self) -> bool {
        matches!(self, Role::National | Role::Admin)
    }

    /// Roles an admin creates directly (ambassadors sign up themselves).
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Ambassador)
    }

    /// Whether a user of this role must belong to an institution.
    pub fn needs_institution(self) -> bool {
        matches!(
            self,
            Role::Ambassador | Role::Coordinator | Role::Leadership
        )
    }
}

/// What a user may see: everything, or one institution, optionally one work-unit subtree
/// (given by its materialised path, like `/3/17/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Institution {
        institution_id: i64,
        work_unit_path: Option<String>,
    },
}

impl Scope {
    pub fn allows_institution(&self, id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Institution { institution_id, .. } => *institution_id == id,
        }
    }

    /// A work unit is in scope when its institution is and, for a subtree scope, its path
    /// starts with the subtree's path.
    pub fn allows_work_unit(&self, institution_id: i64, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Institution {
                institution_id: own,
                work_unit_path,
            } => {
                *own == institution_id
                    && work_unit_path
                        .as_deref()
                        .is_none_or(|p| path.starts_with(p))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn subtree_scope_is_a_path_prefix() {
        let s = Scope::Institution {
            institution_id: 1,
            work_unit_path: Some("/3/17/".into()),
        };
        assert!(s.allows_work_unit(1, "/3/17/"));
        assert!(s.allows_work_unit(1, "/3/17/42/"));
        assert!(!s.allows_work_unit(1, "/3/171/"));
        assert!(!s.allows_work_unit(1, "/3/"));
        assert!(!s.allows_work_unit(2, "/3/17/"));
        assert!(s.allows_institution(1) && !s.allows_institution(2));
        assert!(Scope::All.allows_work_unit(9, "/1/"));
    }
}
