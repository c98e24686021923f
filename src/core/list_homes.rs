//! Which stored list of kept files each upload belongs to: the one shown
//! when its file was added. A page switches lists (issue 41's, then 42's)
//! while files go out, and each file ends in its own list, not in the one
//! shown when its answer comes. A list stored anew under another key (the
//! element's fallen-back key replaced) takes its files along, those still
//! going out included.

use super::EntryId;

/// `K` names a list (where it is stored). Entry ids only grow, so the files
/// added while one list was shown are one run of ids: a span per switch,
/// not a record per file.
#[derive(Clone, Debug, PartialEq)]
pub struct ListHomes<K> {
    /// The list shown from each id on, oldest first; never empty.
    spans: Vec<(EntryId, K)>,
}

impl<K: Clone + PartialEq> ListHomes<K> {
    /// `shown` is shown from the start; `next` is the first id the queue
    /// will give.
    pub fn new(next: EntryId, shown: K) -> Self {
        Self {
            spans: vec![(next, shown)],
        }
    }

    /// `list` is shown from now on: files added from `next` (the next id
    /// the queue gives) are its.
    pub fn show(&mut self, next: EntryId, list: K) {
        match self.spans.last_mut() {
            Some((_, shown)) if *shown == list => {}
            // No file was added while the last list was shown.
            Some((from, shown)) if *from >= next => *shown = list,
            _ => self.spans.push((next, list)),
        }
    }

    /// The list `from` is stored as `to` from now on: the files added while
    /// it was shown, at any time, go to `to`.
    pub fn moved(&mut self, from: &K, to: &K) {
        for (_, list) in &mut self.spans {
            if list == from {
                *list = to.clone();
            }
        }
    }

    /// The list `id`'s file was added for.
    pub fn home_of(&self, id: EntryId) -> &K {
        debug_assert!(!self.spans.is_empty(), "made with one span, never emptied");
        let after = self.spans.partition_point(|(from, _)| *from <= id);
        // An id before the first span (none is given) counts as its.
        &self.spans[after.saturating_sub(1)].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_belong_to_the_list_shown_when_they_came() {
        let mut homes = ListHomes::new(EntryId(1), "issue-41");
        homes.show(EntryId(3), "issue-42");
        assert_eq!(*homes.home_of(EntryId(1)), "issue-41");
        assert_eq!(*homes.home_of(EntryId(2)), "issue-41");
        assert_eq!(*homes.home_of(EntryId(3)), "issue-42");
        homes.show(EntryId(5), "issue-41");
        assert_eq!(*homes.home_of(EntryId(4)), "issue-42");
        assert_eq!(*homes.home_of(EntryId(9)), "issue-41");
    }

    #[test]
    fn a_moved_list_takes_its_files_and_no_other() {
        // A fallen-back key replaced by the page's: the same list.
        let mut homes = ListHomes::new(EntryId(1), "default");
        homes.moved(&"default", &"issue-41");
        homes.show(EntryId(4), "issue-41");
        assert_eq!(*homes.home_of(EntryId(2)), "issue-41");
        // The page then drops its key: back to the fallen-back list, a
        // switch, not a move. Files added now are that list's.
        homes.show(EntryId(6), "default");
        assert_eq!(*homes.home_of(EntryId(7)), "default");
        assert_eq!(*homes.home_of(EntryId(5)), "issue-41");
    }

    #[test]
    fn moves_and_switches_back_and_forth() {
        let mut homes = ListHomes::new(EntryId(1), "a");
        homes.show(EntryId(2), "b");
        homes.show(EntryId(4), "a");
        // `a` stored anew as `c`: its files of both showings follow.
        homes.moved(&"a", &"c");
        homes.show(EntryId(6), "c");
        assert_eq!(*homes.home_of(EntryId(1)), "c");
        assert_eq!(*homes.home_of(EntryId(3)), "b");
        assert_eq!(*homes.home_of(EntryId(5)), "c");
        // And back: `c` as `a` again.
        homes.moved(&"c", &"a");
        assert_eq!(*homes.home_of(EntryId(5)), "a");
        assert_eq!(*homes.home_of(EntryId(3)), "b");
    }

    #[test]
    fn switches_with_no_file_between_keep_one_span() {
        let mut homes = ListHomes::new(EntryId(1), "a");
        homes.show(EntryId(1), "b");
        homes.show(EntryId(1), "c");
        homes.show(EntryId(1), "c");
        assert_eq!(homes.spans.len(), 1);
        assert_eq!(*homes.home_of(EntryId(1)), "c");
    }
}
