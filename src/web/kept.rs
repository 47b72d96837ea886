//! Bounded maps of answers a node keeps for busy routes (checked sessions, briefs found
//! addressed, rendered leaderboard rows and pages): one rule for making room, so that
//! none of them grows without end.

use std::collections::HashMap;
use std::hash::Hash;

/// Makes room for one more entry in a map that holds at most `max`: when it is full,
/// the entries `keep` refuses (stale ones) go, and if that frees nothing, all go.
pub fn make_room<K: Eq + Hash, V>(
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
    use super::make_room;
    use std::collections::HashMap;

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
