//! Pure rules of the organisation tree.

use std::collections::HashMap;

use crate::text::Text;

pub const INSTITUTION_KINDS: [&str; 6] =
    ["ministry", "agency", "province", "regency", "city", "other"];

/// Indonesia's 38 provinces: the region of an institution (none for the central
/// government), by which a national brief may be addressed. Slug and name.
pub const REGIONS: [(&str, &str); 38] = [
    ("aceh", "Aceh"),
    ("sumatera-utara", "Sumatera Utara"),
    ("sumatera-barat", "Sumatera Barat"),
    ("riau", "Riau"),
    ("kepulauan-riau", "Kepulauan Riau"),
    ("jambi", "Jambi"),
    ("sumatera-selatan", "Sumatera Selatan"),
    ("kepulauan-bangka-belitung", "Kepulauan Bangka Belitung"),
    ("bengkulu", "Bengkulu"),
    ("lampung", "Lampung"),
    ("dki-jakarta", "DKI Jakarta"),
    ("jawa-barat", "Jawa Barat"),
    ("banten", "Banten"),
    ("jawa-tengah", "Jawa Tengah"),
    ("di-yogyakarta", "DI Yogyakarta"),
    ("jawa-timur", "Jawa Timur"),
    ("bali", "Bali"),
    ("nusa-tenggara-barat", "Nusa Tenggara Barat"),
    ("nusa-tenggara-timur", "Nusa Tenggara Timur"),
    ("kalimantan-barat", "Kalimantan Barat"),
    ("kalimantan-tengah", "Kalimantan Tengah"),
    ("kalimantan-selatan", "Kalimantan Selatan"),
    ("kalimantan-timur", "Kalimantan Timur"),
    ("kalimantan-utara", "Kalimantan Utara"),
    ("sulawesi-utara", "Sulawesi Utara"),
    ("gorontalo", "Gorontalo"),
    ("sulawesi-tengah", "Sulawesi Tengah"),
    ("sulawesi-barat", "Sulawesi Barat"),
    ("sulawesi-selatan", "Sulawesi Selatan"),
    ("sulawesi-tenggara", "Sulawesi Tenggara"),
    ("maluku", "Maluku"),
    ("maluku-utara", "Maluku Utara"),
    ("papua", "Papua"),
    ("papua-barat", "Papua Barat"),
    ("papua-barat-daya", "Papua Barat Daya"),
    ("papua-selatan", "Papua Selatan"),
    ("papua-tengah", "Papua Tengah"),
    ("papua-pegunungan", "Papua Pegunungan"),
];

/// The region slugs, for the API's schemas.
pub fn region_slugs() -> Vec<&'static str> {
    REGIONS.iter().map(|(s, _)| *s).collect()
}

/// A region as typed: `Some(None)` when empty (no province), `Some(slug)` for a known
/// one, `None` for anything else.
pub fn parse_region(raw: &str) -> Option<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(None);
    }
    REGIONS
        .iter()
        .find(|(s, _)| *s == raw)
        .map(|(s, _)| Some(s.to_string()))
}

/// A region's name, for pages.
pub fn region_name(slug: &str) -> &'static str {
    REGIONS
        .iter()
        .find(|(s, _)| *s == slug)
        .map_or("", |(_, n)| *n)
}

/// A work unit in display order with its depth (0 for a top-level unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow<T> {
    pub item: T,
    pub depth: usize,
}

/// Orders units as a tree: each unit followed by its children, siblings by name.
/// `key` gives (id, parent_id, name). Units whose parent is missing are shown at the top.
pub fn flatten_tree<T: Clone>(
    units: &[T],
    key: impl Fn(&T) -> (i64, Option<i64>, String),
) -> Vec<TreeRow<T>> {
    let ids: std::collections::HashSet<i64> = units.iter().map(|u| key(u).0).collect();
    let mut children: HashMap<Option<i64>, Vec<&T>> = HashMap::new();
    for u in units {
        let (_, parent, _) = key(u);
        let parent = parent.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            let (ia, _, na) = key(a);
            let (ib, _, nb) = key(b);
            na.to_lowercase().cmp(&nb.to_lowercase()).then(ia.cmp(&ib))
        });
    }
    let mut out = Vec::with_capacity(units.len());
    let mut stack: Vec<(&T, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|u| (*u, 0)).collect())
        .unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    while let Some((u, depth)) = stack.pop() {
        let (id, _, _) = key(u);
        if !seen.insert(id) {
            continue;
        }
        out.push(TreeRow {
            item: u.clone(),
            depth,
        });
        if let Some(kids) = children.get(&Some(id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

/// The materialised path of a unit under `parent_path` (or at the top).
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// A unit's or institution's name.
pub const ORG_NAME: Text = Text::line(2, 200);
/// An institution's short name (empty: none).
pub const SHORT_NAME: Text = Text::line(0, 40);

/// A unit or institution name: trimmed, 2 to 200 characters, no control characters.
pub fn clean_org_name(name: &str) -> Option<String> {
    ORG_NAME.clean(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_orders_children_under_parents() {
        let units = vec![
            (1, None, "Sekretariat Jenderal".to_string()),
            (2, Some(1), "Biro Humas".to_string()),
            (3, None, "Direktorat Jenderal A".to_string()),
            (4, Some(2), "Bagian Media".to_string()),
            (5, Some(1), "Biro Hukum".to_string()),
        ];
        let rows = flatten_tree(&units, |u| (u.0, u.1, u.2.clone()));
        let order: Vec<(i64, usize)> = rows.iter().map(|r| (r.item.0, r.depth)).collect();
        // "Biro Hukum" sorts before "Biro Humas"; "Bagian Media" stays under its parent.
        assert_eq!(order, vec![(3, 0), (1, 0), (5, 1), (2, 1), (4, 2)]);
    }

    #[test]
    fn paths_nest() {
        assert_eq!(child_path(None, 3), "/3/");
        assert_eq!(child_path(Some("/3/"), 17), "/3/17/");
    }

    #[test]
    fn names() {
        assert_eq!(
            clean_org_name("  Kementerian Kominfo "),
            Some("Kementerian Kominfo".into())
        );
        assert_eq!(clean_org_name(" "), None);
        assert_eq!(clean_org_name(&"x".repeat(201)), None);
    }
}
