use std::collections::{HashMap, HashSet};

use super::json::{optional_string, required_string, u64_field, write_string, FieldError, Json};
use super::{web_url_only, Attachment};

/// The Tracker temporary attachments uploaded so far and not yet attached to
/// an issue, in upload order. The page reads their ids to attach them later,
/// so this list must survive a reload: it serialises to ids and metadata only.
///
/// It also remembers the ids it removed (tombstones), so that with
/// `persist: local` a removal is told to the other tabs explicitly rather
/// than inferred from an id's absence: another tab's list written from a
/// stale read of `localStorage` lacks ids without anyone having removed
/// them (see [`merged`](Self::merged)). Equality compares both; the widget
/// compares [`items`](Self::items) where only what the host sees matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptAttachments {
    items: Vec<Attachment>,
    /// The ids removed, oldest first. `None`: this list tells no removals
    /// (read from a list stored by an older build, or no list stored), so
    /// a merge with it infers them from absence as older builds do.
    removed: Option<Vec<Removal>>,
}

/// An id removed from the list, and when (ms since the epoch). `None` until
/// the widget stores the list: [`KeptAttachments::remove`] takes no clock
/// (this module is pure), and [`KeptAttachments::stamp_removals`] dates
/// the removals at the next store, at most a second or so late.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Removal {
    id: String,
    at: Option<u64>,
}

/// How long a removal is told: a day, the lifetime of a Tracker temporary
/// attachment (the reference server's `--temp-ttl` default too). An id
/// brought back after that by a tab that missed its removal could not be
/// attached any more anyway: the attach finds it expired (404) and drops
/// it, as for any expired id. A bound on time rather than on a count: a
/// count would forget the removals of a long list cleared at once, and
/// bring some of its ids back.
pub const REMOVAL_TOLD_FOR_MS: u64 = 24 * 60 * 60 * 1000;

/// The stored form is `{"v": 1, "items": [attachment, ...], "gone": [{"id",
/// "at"}, ...]}`, each attachment with Tracker's field names (see
/// [`Attachment`]). Versioned so that a later format can still read an old
/// session's list instead of silently dropping the user's uploads. `gone`
/// came later within version 1: every reader of version 1 (the serde
/// struct, then [`KeptAttachments::from_json`]) ignores members it does not
/// know, so a tab of an older build still reads the list, and a list
/// without `gone` (written by one) still reads here.
const STORED_VERSION: u64 = 1;

impl Default for KeptAttachments {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            removed: Some(Vec::new()),
        }
    }
}

impl KeptAttachments {
    pub fn new() -> Self {
        Self::default()
    }

    /// What [`crate::web::load_kept`] yields when nothing is stored: empty,
    /// and telling no removals. Another tab (of an older build, or the
    /// page) that removes the stored list has emptied it.
    pub fn nothing_stored() -> Self {
        Self {
            items: Vec::new(),
            removed: None,
        }
    }

    /// Adds an attachment; an id already kept is replaced in place so a
    /// repeated answer never shows twice. An id removed before is no
    /// longer told as removed.
    pub fn add(&mut self, attachment: Attachment) {
        if let Some(removed) = &mut self.removed {
            if !removed.is_empty() {
                removed.retain(|r| r.id != attachment.id);
            }
        }
        match self.items.iter_mut().find(|a| a.id == attachment.id) {
            Some(existing) => *existing = attachment,
            None => self.items.push(attachment),
        }
    }

    /// Removes by id; returns whether it was kept. The removal is
    /// remembered, to be told to other tabs.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|a| a.id != id);
        let removed = before != self.items.len();
        if removed {
            self.removed.get_or_insert_with(Vec::new).push(Removal {
                id: id.to_owned(),
                at: None,
            });
        }
        removed
    }

    /// Removes everything (each removal remembered, as [`Self::remove`]).
    pub fn clear(&mut self) {
        let removed = self.removed.get_or_insert_with(Vec::new);
        removed.extend(self.items.drain(..).map(|a| Removal { id: a.id, at: None }));
    }

    pub fn items(&self) -> &[Attachment] {
        &self.items
    }

    pub fn ids(&self) -> Vec<String> {
        self.items.iter().map(|a| a.id.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The ids kept here that `other` no longer holds, in list order.
    pub fn ids_missing_from(&self, other: &Self) -> Vec<String> {
        let there: std::collections::HashSet<&str> =
            other.items.iter().map(|a| a.id.as_str()).collect();
        self.items
            .iter()
            .filter(|a| !there.contains(a.id.as_str()))
            .map(|a| a.id.clone())
            .collect()
    }

    /// Whether both hold the same attachments in the same order, whatever
    /// removals each remembers: what the host and the view see.
    pub fn same_items(&self, other: &Self) -> bool {
        self.items == other.items
    }

    /// The ids removed and still told, oldest first.
    pub fn removed_ids(&self) -> Vec<String> {
        self.removed
            .iter()
            .flatten()
            .map(|r| r.id.clone())
            .collect()
    }

    /// Whether storing this list would tell anything: an attachment, or a
    /// removal other tabs have still to hear of. A list with neither is
    /// not written where none is stored: a page that never kept anything
    /// leaves no key behind.
    pub fn is_worth_storing(&self) -> bool {
        !self.items.is_empty() || self.removed.as_ref().is_some_and(|r| !r.is_empty())
    }

    /// Whether this list tells its removals (`false` for one stored by an
    /// older build, or when nothing was stored).
    pub fn tells_removals(&self) -> bool {
        self.removed.is_some()
    }

    /// Dates the removals not dated yet at `now_ms`, and forgets those told
    /// for [`REMOVAL_TOLD_FOR_MS`] already. The widget calls this as it
    /// stores the list.
    pub fn stamp_removals(&mut self, now_ms: u64) {
        if let Some(removed) = &mut self.removed {
            removed.retain_mut(|r| {
                let at = *r.at.get_or_insert(now_ms);
                now_ms < at.saturating_add(REMOVAL_TOLD_FOR_MS)
            });
        }
    }

    /// Forgets every removal, still telling removals from now on: a list
    /// that no other tab reads (`persist: none` or `session`) has nobody to
    /// tell them to, and a page that uploads and clears all day would keep
    /// a day of them.
    pub fn forget_removals(&mut self) {
        if let Some(removed) = &mut self.removed {
            removed.clear();
        }
    }

    /// Another tab's list, `theirs`, with this tab's changes since `base`
    /// (the list both last agreed on, as stored or read) made to it again.
    ///
    /// An id is in the result when either list has it, unless it was
    /// removed: told so by `theirs`' removals, by `ours`' (this tab's own,
    /// or ones it heard of before), or removed here since `base` (in `base`,
    /// not in `ours`). An id absent from `theirs` is not taken as removed:
    /// with `persist: local` a tab may write its list from a read that did
    /// not yet show the other tab's write, and two tabs finishing uploads at
    /// the same time must both keep both ids. An id this tab added since
    /// `base` stays even if `theirs` tells it removed (an id added again
    /// after its removal); should the other tab still hold that removal, it
    /// wins there and comes back here, so both end up agreeing.
    ///
    /// A `theirs` that tells no removals (stored by an older build) is
    /// merged as that build did: an id in `base` and absent from `theirs`
    /// was removed there, so that tab's removals still count.
    ///
    /// The removals of both lists are carried on, but for ids kept.
    pub fn merged(base: &Self, ours: &Self, theirs: &Self) -> Self {
        Self::merged_since(base, ours, theirs, true)
    }

    /// Whether a base agreed on `age_ms` ago is fresh for
    /// [`merged_since`](Self::merged_since): every removal since then is
    /// still told. Half the time removals are told, as a margin for the
    /// clocks of tabs (a removal is dated when stored, up to a second late).
    pub fn base_is_fresh(age_ms: f64) -> bool {
        age_ms < REMOVAL_TOLD_FOR_MS as f64 / 2.0
    }

    /// [`merged`](Self::merged) for a `base` agreed on long ago: with
    /// `base_fresh` false, `theirs`' removals may have been told and
    /// forgotten since (they are told for [`REMOVAL_TOLD_FOR_MS`]), so an id
    /// of `base` absent from `theirs` is taken as removed there, as with an
    /// older build's list. A tab that slept through another's attach (a
    /// page in the back-forward cache, a suspended phone tab) then does not
    /// bring the attached ids back.
    pub fn merged_since(base: &Self, ours: &Self, theirs: &Self, base_fresh: bool) -> Self {
        // Sets and an index rather than scans: both lists may hold ten
        // thousand ids, and this runs at every store with `persist: local`.
        fn ids(list: &KeptAttachments) -> HashSet<&str> {
            list.items.iter().map(|a| a.id.as_str()).collect()
        }
        fn gone(list: &KeptAttachments) -> HashSet<&str> {
            list.removed
                .iter()
                .flatten()
                .map(|r| r.id.as_str())
                .collect()
        }
        let (in_base, in_ours) = (ids(base), ids(ours));
        let (ours_gone, theirs_gone) = (gone(ours), gone(theirs));
        let removed_here =
            |id: &str| ours_gone.contains(id) || (in_base.contains(id) && !in_ours.contains(id));
        let added_here = |id: &str| in_ours.contains(id) && !in_base.contains(id);
        let told = theirs.removed.is_some() && base_fresh;
        // Kept from `theirs`: with told removals, all but this tab's
        // removals (its own list tells none of its own items removed);
        // without, as older builds merged.
        let mut items: Vec<Attachment> = theirs
            .items
            .iter()
            .filter(|a| {
                let id = a.id.as_str();
                if removed_here(id) {
                    return false;
                }
                if told {
                    !theirs_gone.contains(id) || added_here(id)
                } else {
                    in_ours.contains(id) || !in_base.contains(id)
                }
            })
            .cloned()
            .collect();
        let mut at: HashMap<String, usize> = items
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        for attachment in &ours.items {
            let id = attachment.id.as_str();
            let keep = if added_here(id) {
                true
            } else if told {
                // Kept here since `base` and not told removed: absent from
                // `theirs` only because that tab had not read it yet.
                !theirs_gone.contains(id)
            } else {
                false
            };
            if !keep {
                continue;
            }
            match at.get(id) {
                // This tab's version of an id it added itself; `theirs`'
                // of one both had.
                Some(&i) if added_here(id) => items[i] = attachment.clone(),
                Some(_) => {}
                None => {
                    at.insert(attachment.id.clone(), items.len());
                    items.push(attachment.clone());
                }
            }
        }
        // The removals told on: `theirs`', then `ours`', then those found
        // by comparing with `base` (this tab's not remembered, and, from an
        // older build's list, what it removed, so that the other tabs of
        // this build hear of them too); once per id (the later date), and
        // none for an id kept.
        let in_theirs = if told { HashSet::new() } else { ids(theirs) };
        let mut removed: Vec<Removal> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let undated_here: Vec<Removal> = base
            .items
            .iter()
            .filter(|a| {
                let id = a.id.as_str();
                !in_ours.contains(id) || (!told && !in_theirs.contains(id))
            })
            .map(|a| Removal {
                id: a.id.clone(),
                at: None,
            })
            .collect();
        let all = theirs
            .removed
            .iter()
            .flatten()
            .chain(ours.removed.iter().flatten())
            .chain(undated_here.iter());
        for removal in all {
            if at.contains_key(removal.id.as_str()) {
                continue;
            }
            match index.get(removal.id.as_str()) {
                Some(&i) => {
                    let known = &mut removed[i].at;
                    *known = match (*known, removal.at) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                }
                None => {
                    index.insert(removal.id.as_str(), removed.len());
                    removed.push(removal.clone());
                }
            }
        }
        Self {
            items,
            removed: Some(removed),
        }
    }

    /// The stored form. Its `v` and `items` are byte for byte what
    /// serde_json wrote before; `gone` follows, always (even empty), so
    /// that a list written by this build is told from an older one's.
    pub fn to_json(&self) -> String {
        let mut out = format!("{{\"v\":{STORED_VERSION},\"items\":[");
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_attachment(&mut out, item);
        }
        out.push_str("],\"gone\":[");
        for (i, removal) in self.removed.iter().flatten().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            write_string(&mut out, &removal.id);
            if let Some(at) = removal.at {
                out.push_str(",\"at\":");
                out.push_str(&at.to_string());
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }

    /// Reads a stored list; anything unreadable yields `None` so the caller
    /// can start empty rather than fail the widget. A `gone` that cannot be
    /// read is taken as absent (removals inferred, as from an older build)
    /// rather than losing the list over it; an entry of it that cannot be
    /// read is skipped.
    pub fn from_json(text: &str) -> Option<Self> {
        let stored = Json::parse(text).ok()?;
        let [version, items] = stored.fields(["v", "items"]).ok()?;
        // Apart: a `gone` given twice makes `gone` unreadable, not the list.
        let gone = stored.fields(["gone"]).ok().and_then(|[gone]| gone);
        if u64_field(version, "v", None).ok()? != STORED_VERSION {
            return None;
        }
        let Some(Json::Array(items)) = items else {
            return None;
        };
        let items = items.iter().map(read_attachment).collect::<Result<_, _>>();
        let removed = match gone {
            Some(Json::Array(gone)) => Some(gone.iter().filter_map(read_removal).collect()),
            _ => None,
        };
        Some(Self {
            items: items.ok()?,
            removed,
        })
    }
}

/// `{"id", "at"?}`; `None` for anything else.
fn read_removal(value: &Json) -> Option<Removal> {
    let [id, at] = value.fields(["id", "at"]).ok()?;
    let at = match at {
        None | Some(Json::Null) => None,
        Some(at) => Some(at.as_u64()?),
    };
    Some(Removal {
        id: required_string(id, "id").ok()?,
        at,
    })
}

/// `{"id", "name", "size", "mimetype"?, "content"?, "thumbnail"?,
/// "createdAt"?}`, absent options left out.
pub(super) fn write_attachment(out: &mut String, attachment: &Attachment) {
    out.push_str("{\"id\":");
    write_string(out, &attachment.id);
    out.push_str(",\"name\":");
    write_string(out, &attachment.name);
    out.push_str(",\"size\":");
    out.push_str(&attachment.size.to_string());
    let optional = [
        ("mimetype", &attachment.mimetype),
        ("content", &attachment.content),
        ("thumbnail", &attachment.thumbnail),
        ("createdAt", &attachment.created_at),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            out.push_str(",\"");
            out.push_str(key);
            out.push_str("\":");
            write_string(out, value);
        }
    }
    out.push('}');
}

pub(super) fn read_attachment(value: &Json) -> Result<Attachment, FieldError> {
    let [id, name, size, mimetype, content, thumbnail, created_at] = value.fields([
        "id",
        "name",
        "size",
        "mimetype",
        "content",
        "thumbnail",
        "createdAt",
    ])?;
    Ok(Attachment {
        id: required_string(id, "id")?,
        name: required_string(name, "name")?,
        size: u64_field(size, "size", None)?,
        mimetype: optional_string(mimetype, "mimetype")?,
        content: web_url_only(optional_string(content, "content")?),
        thumbnail: web_url_only(optional_string(thumbnail, "thumbnail")?),
        created_at: optional_string(created_at, "createdAt")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(id: &str, name: &str) -> Attachment {
        Attachment {
            id: id.into(),
            name: name.into(),
            size: 10,
            mimetype: Some("text/plain".into()),
            content: None,
            thumbnail: None,
            created_at: None,
        }
    }

    fn kept(ids: &[&str]) -> KeptAttachments {
        let mut list = KeptAttachments::new();
        for id in ids {
            list.add(att(id, &format!("{id}.txt")));
        }
        list
    }

    #[test]
    fn ids_missing_from_another_list_in_order() {
        let ours = kept(&["1", "2", "3"]);
        assert_eq!(ours.ids_missing_from(&kept(&["2"])), ["1", "3"]);
        assert!(ours
            .ids_missing_from(&kept(&["3", "2", "1", "4"]))
            .is_empty());
        assert!(KeptAttachments::new().ids_missing_from(&ours).is_empty());
    }

    /// `list` as a tab of the previous build stored it: no `gone`.
    fn older_build(list: &KeptAttachments) -> KeptAttachments {
        let json = list.to_json();
        let cut = json.find(",\"gone\":").unwrap();
        let old = KeptAttachments::from_json(&format!("{}}}", &json[..cut])).unwrap();
        assert!(!old.tells_removals());
        old
    }

    /// `list` with `ids` removed (told as removals).
    fn without(list: &KeptAttachments, ids: &[&str]) -> KeptAttachments {
        let mut list = list.clone();
        for id in ids {
            assert!(list.remove(id), "{id}");
        }
        list
    }

    #[test]
    fn tabs_merge_what_each_changed_since_they_last_agreed() {
        let base = kept(&["a", "b"]);
        // This tab added c and removed a; the other added d and removed b.
        let ours = kept(&["b", "c"]);
        let mut theirs = without(&base, &["b"]);
        theirs.add(att("d", "d.txt"));
        let merged = KeptAttachments::merged(&base, &ours, &theirs);
        assert_eq!(merged.ids(), ["d", "c"]);
        assert_eq!(merged.removed_ids(), ["b", "a"]);
        // Nothing changed here: theirs as it is.
        assert_eq!(KeptAttachments::merged(&base, &base, &theirs), theirs);
        // The other tab attached everything while this one added e.
        let ours = kept(&["a", "b", "e"]);
        let mut emptied = base.clone();
        emptied.clear();
        let merged = KeptAttachments::merged(&base, &ours, &emptied);
        assert_eq!(merged.ids(), ["e"]);
        // Both added the same id: once.
        let both = kept(&["a", "b", "f"]);
        assert_eq!(
            KeptAttachments::merged(&base, &both, &both).ids(),
            ["a", "b", "f"]
        );
    }

    #[test]
    fn only_a_list_that_tells_something_is_worth_storing() {
        assert!(!KeptAttachments::new().is_worth_storing());
        assert!(!KeptAttachments::nothing_stored().is_worth_storing());
        assert!(kept(&["a"]).is_worth_storing());
        // Emptied: the removal is still to be told, then forgotten a day on.
        let mut emptied = without(&kept(&["a"]), &["a"]);
        assert!(emptied.is_empty() && emptied.is_worth_storing());
        emptied.stamp_removals(1_000);
        assert!(emptied.is_worth_storing());
        emptied.stamp_removals(1_000 + REMOVAL_TOLD_FOR_MS);
        assert!(!emptied.is_worth_storing());
        assert!(!older_build(&kept(&[])).is_worth_storing());
        assert!(older_build(&kept(&["b"])).is_worth_storing());
    }

    #[test]
    fn forgotten_removals_are_not_stored_but_later_ones_are() {
        let mut list = without(&kept(&["a", "b"]), &["a"]);
        list.forget_removals();
        assert!(list.removed_ids().is_empty() && list.tells_removals());
        list.remove("b");
        assert_eq!(list.removed_ids(), ["b"]);
        let mut older = older_build(&kept(&[]));
        older.forget_removals();
        assert!(!older.tells_removals());
    }

    /// A tab that slept through another's attach for longer than removals
    /// are told (the review's case: the other tab's tombstones for a and b
    /// have expired) must not bring a and b back when it wakes and merges;
    /// its base being old, their absence counts as removal.
    #[test]
    fn a_base_older_than_the_told_removals_takes_absence_as_removal() {
        let base = kept(&["a", "b"]);
        let mut theirs = without(&base, &["a", "b"]);
        theirs.stamp_removals(0);
        theirs.stamp_removals(REMOVAL_TOLD_FOR_MS + 1);
        assert!(theirs.removed_ids().is_empty(), "forgotten");
        let mut ours = base.clone();
        ours.add(att("c", "c.txt"));
        let merged = KeptAttachments::merged_since(&base, &ours, &theirs, false);
        assert_eq!(merged.ids(), ["c"]);
        assert_eq!(merged.removed_ids(), ["a", "b"]);
        assert!(KeptAttachments::base_is_fresh(0.0));
        assert!(!KeptAttachments::base_is_fresh(
            REMOVAL_TOLD_FOR_MS as f64 / 2.0
        ));
        // A fresh base keeps them: the other list may be a stale read.
        let fresh = KeptAttachments::merged_since(&base, &ours, &theirs, true);
        assert_eq!(fresh.ids(), ["a", "b", "c"]);
    }

    /// The tester's trace: tab B stored [B0, B1]; tab A, whose read of
    /// storage did not show that yet, stored [A0] over it. B hears of A's
    /// list: nobody removed B0 or B1, so they stay, and A gets them back
    /// when it hears of B's next list.
    #[test]
    fn a_list_written_over_another_tabs_from_a_stale_read_loses_no_id() {
        let b = kept(&["B0", "B1"]);
        let a = kept(&["A0"]);
        let at_b = KeptAttachments::merged(&b, &b, &a);
        assert_eq!(at_b.ids(), ["A0", "B0", "B1"]);
        assert!(at_b.removed_ids().is_empty());
        // A follows: its base is the list it stored.
        let at_a = KeptAttachments::merged(&a, &a, &at_b);
        assert_eq!(at_a.ids(), ["A0", "B0", "B1"]);
        // The same when A's stale read found nothing stored at all.
        let first = KeptAttachments::merged(
            &KeptAttachments::nothing_stored(),
            &a,
            &KeptAttachments::nothing_stored(),
        );
        assert_eq!(
            KeptAttachments::merged(&b, &b, &first).ids(),
            ["A0", "B0", "B1"]
        );
    }

    #[test]
    fn a_removal_told_by_another_tab_spreads() {
        let base = kept(&["x", "y", "z"]);
        let theirs = without(&base, &["y"]);
        // This tab still has y, and added w meanwhile.
        let mut ours = base.clone();
        ours.add(att("w", "w.txt"));
        let merged = KeptAttachments::merged(&base, &ours, &theirs);
        assert_eq!(merged.ids(), ["x", "z", "w"]);
        assert_eq!(merged.removed_ids(), ["y"]);
        // Told on, though this tab's base never had the id: a third tab
        // that still has y hears of it from this tab's list.
        let third = KeptAttachments::merged(&base, &base, &merged);
        assert_eq!(third.ids(), ["x", "z", "w"]);
        // A removal told on and on: a tab whose list was written over from
        // a stale read still drops it when the removal comes.
        let stale = kept(&["x"]);
        let merged = KeptAttachments::merged(&stale, &base, &without(&stale, &["x"]));
        assert_eq!(merged.ids(), ["y", "z"]);
    }

    #[test]
    fn this_tabs_own_removal_stays_removed() {
        let base = kept(&["a", "b"]);
        // Removed here; the other tab's list (from a stale read) has it.
        let ours = without(&base, &["a"]);
        let theirs = kept(&["a", "b", "c"]);
        let merged = KeptAttachments::merged(&base, &ours, &theirs);
        assert_eq!(merged.ids(), ["b", "c"]);
        assert_eq!(merged.removed_ids(), ["a"]);
        // After storing, base no longer has a: this tab's remembered
        // removal still keeps a stale list's a out.
        let merged = KeptAttachments::merged(&merged, &merged, &theirs);
        assert_eq!(merged.ids(), ["b", "c"]);
        // Removed here without remembering it (a list built elsewhere):
        // absent from ours, present in base.
        let merged = KeptAttachments::merged(&base, &kept(&["b"]), &theirs);
        assert_eq!(merged.ids(), ["b", "c"]);
        assert_eq!(merged.removed_ids(), ["a"]);
    }

    #[test]
    fn an_id_added_again_is_no_longer_removed() {
        let mut list = kept(&["a", "b"]);
        list.remove("a");
        assert_eq!(list.removed_ids(), ["a"]);
        list.add(att("a", "a.txt"));
        assert!(list.removed_ids().is_empty());
        assert_eq!(list.ids(), ["b", "a"]);
        // Added again here after it was stored as removed: it stays,
        // though the stored list still tells it removed.
        let base = without(&kept(&["a", "b"]), &["a"]);
        let ours = kept(&["b", "a"]);
        let merged = KeptAttachments::merged(&base, &ours, &base);
        assert_eq!(merged.ids(), ["b", "a"]);
        assert!(merged.removed_ids().is_empty());
    }

    #[test]
    fn a_list_of_an_older_build_tells_removals_by_absence() {
        let base = kept(&["a", "b"]);
        // The older build's tab removed b and added d.
        let theirs = older_build(&kept(&["a", "d"]));
        let ours = kept(&["a", "b", "c"]);
        let merged = KeptAttachments::merged(&base, &ours, &theirs);
        assert_eq!(merged.ids(), ["a", "d", "c"]);
        // The inferred removal is told on to this build's other tabs.
        assert_eq!(merged.removed_ids(), ["b"]);
        assert_eq!(
            KeptAttachments::merged(&base, &base, &merged).ids(),
            ["a", "d", "c"]
        );
        // The stored list removed (an older build emptied it, or the
        // page): every id of base is gone, this tab's new ones stay.
        let merged = KeptAttachments::merged(&base, &ours, &KeptAttachments::nothing_stored());
        assert_eq!(merged.ids(), ["c"]);
        // This tab's own removal still counts against an older list.
        let merged = KeptAttachments::merged(&base, &without(&base, &["a"]), &theirs);
        assert_eq!(merged.ids(), ["d"]);
    }

    #[test]
    fn removals_are_dated_when_stored_and_told_for_a_day() {
        let mut list = without(&kept(&["a", "b"]), &["a"]);
        assert!(list.to_json().ends_with(r#""gone":[{"id":"a"}]}"#));
        list.stamp_removals(1_000);
        assert!(list
            .to_json()
            .ends_with(r#""gone":[{"id":"a","at":1000}]}"#));
        // Dated once: a later store keeps the first date.
        list.remove("b");
        list.stamp_removals(5_000);
        assert!(list
            .to_json()
            .ends_with(r#""gone":[{"id":"a","at":1000},{"id":"b","at":5000}]}"#));
        list.stamp_removals(1_000 + REMOVAL_TOLD_FOR_MS - 1);
        assert_eq!(list.removed_ids(), ["a", "b"]);
        list.stamp_removals(1_000 + REMOVAL_TOLD_FOR_MS);
        assert_eq!(list.removed_ids(), ["b"]);
        list.stamp_removals(u64::MAX);
        assert!(list.removed_ids().is_empty());
        // Expired, a removal no longer keeps a stale list's id out: it
        // could not be attached any more, and the attach drops it.
        let merged = KeptAttachments::merged(&list, &list, &kept(&["a"]));
        assert_eq!(merged.ids(), ["a"]);
        // Merged, the later date of an id removed in both tabs is kept.
        let mut one = without(&kept(&["x"]), &["x"]);
        one.stamp_removals(10);
        let mut two = without(&kept(&["x"]), &["x"]);
        two.stamp_removals(20);
        let merged = KeptAttachments::merged(&one, &one, &two);
        assert!(merged
            .to_json()
            .ends_with(r#""gone":[{"id":"x","at":20}]}"#));
        let merged = KeptAttachments::merged(&two, &two, &one);
        assert!(merged
            .to_json()
            .ends_with(r#""gone":[{"id":"x","at":20}]}"#));
    }

    /// Tabs storing from reads of any age (but never older than their own
    /// last write): once they have heard of each other, every tab holds
    /// every id added and none removed.
    #[test]
    fn tabs_heard_in_any_order_keep_every_id_added() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200 {
            // Three tabs, each with (base, ours); stored lists in order.
            let mut tabs = vec![(KeptAttachments::nothing_stored(), KeptAttachments::new()); 3];
            let mut stored = vec![KeptAttachments::nothing_stored()];
            // Where each tab last stored: its own reads show its writes.
            let mut own = [0; 3];
            let (mut added, mut removed) = (Vec::new(), Vec::new());
            for step in 0..12 {
                let t = next(3);
                let id = format!("id{step}");
                tabs[t].1.add(att(&id, "f.txt"));
                added.push(id);
                // Now and then the user removes one of the tab's ids.
                if next(4) == 0 {
                    let ids = tabs[t].1.ids();
                    let id = ids[next(ids.len())].clone();
                    tabs[t].1.remove(&id);
                    removed.push(id);
                }
                // Stores, merging with a stored list maybe not the latest.
                let seen = (stored.len() - 1 - next(stored.len().min(3))).max(own[t]);
                let (base, ours) = &tabs[t];
                let list = KeptAttachments::merged(base, ours, &stored[seen]);
                own[t] = stored.len();
                stored.push(list.clone());
                tabs[t] = (list.clone(), list);
            }
            // Each hears of the last list, stores, and all hear again.
            for _ in 0..2 {
                for tab in tabs.iter_mut() {
                    let last = stored.last().unwrap().clone();
                    let list = KeptAttachments::merged(&tab.0, &tab.1, &last);
                    stored.push(list.clone());
                    *tab = (list.clone(), list);
                }
            }
            added.retain(|id| !removed.contains(id));
            added.sort();
            for (base, ours) in &tabs {
                let mut ids = ours.ids();
                ids.sort();
                assert_eq!(ids, added);
                assert!(base.same_items(ours));
            }
        }
    }

    #[test]
    fn tabs_merge_ten_thousand_ids_each() {
        // Took minutes with a scan of each list per id; the outcome is
        // what is checked here.
        let names = |range: std::ops::Range<usize>| -> Vec<String> {
            range.map(|i| format!("id-{i}")).collect()
        };
        let list = |ids: &[String]| {
            let mut list = KeptAttachments::new();
            for id in ids {
                list.items.push(att(id, "f.txt"));
            }
            list
        };
        // Both agreed on 0..20,000; this tab removed 0..5,000 and added
        // 20,000..30,000; the other removed 15,000..20,000 and added
        // 30,000..40,000.
        let base = list(&names(0..20_000));
        let ours = list(&[names(5_000..20_000), names(20_000..30_000)].concat());
        let mut theirs = list(&[names(0..15_000), names(30_000..40_000)].concat());
        let expected = [
            names(5_000..15_000),
            names(30_000..40_000),
            names(20_000..30_000),
        ]
        .concat();
        // From an older build, its removals inferred.
        let merged = KeptAttachments::merged(&base, &ours, &older_build(&theirs));
        assert_eq!(merged.ids(), expected);
        // Told.
        theirs.removed = Some(
            names(15_000..20_000)
                .into_iter()
                .map(|id| Removal { id, at: Some(1) })
                .collect(),
        );
        let merged = KeptAttachments::merged(&base, &ours, &theirs);
        assert_eq!(merged.ids(), expected);
        assert_eq!(merged.removed_ids().len(), 10_000);
    }

    #[test]
    fn keeps_order_and_replaces_same_id() {
        let mut kept = KeptAttachments::new();
        kept.add(att("2", "b"));
        kept.add(att("1", "a"));
        kept.add(att("2", "b2"));
        assert_eq!(kept.ids(), vec!["2", "1"]);
        assert_eq!(kept.items()[0].name, "b2");
    }

    #[test]
    fn remove_and_clear() {
        let mut kept = KeptAttachments::new();
        kept.add(att("1", "a"));
        kept.add(att("2", "b"));
        assert!(kept.remove("1"));
        assert!(!kept.remove("1"));
        assert_eq!(kept.ids(), vec!["2"]);
        kept.clear();
        assert!(kept.is_empty());
    }

    #[test]
    fn round_trips_through_json_without_secrets() {
        let mut kept = KeptAttachments::new();
        kept.add(att("7", "ввод.csv"));
        let json = kept.to_json();
        assert!(json.starts_with("{\"v\":1,"));
        assert!(!json.to_lowercase().contains("token"));
        assert_eq!(KeptAttachments::from_json(&json), Some(kept.clone()));
        // With removals, dated or not yet.
        kept.add(att("8", "b"));
        kept.add(att("9", "c"));
        kept.remove("8");
        kept.stamp_removals(1_700_000_000_000);
        kept.remove("\"9\"");
        kept.remove("9");
        let json = kept.to_json();
        assert!(
            json.ends_with(r#""gone":[{"id":"8","at":1700000000000},{"id":"9"}]}"#),
            "{json}"
        );
        assert_eq!(KeptAttachments::from_json(&json), Some(kept));
    }

    /// `from_json` as the previous build has it (before `gone`), word for
    /// word: what a tab still on it runs on the list this build stores.
    fn previous_build_from_json(text: &str) -> Option<Vec<Attachment>> {
        let stored = Json::parse(text).ok()?;
        let [version, items] = stored.fields(["v", "items"]).ok()?;
        if u64_field(version, "v", None).ok()? != STORED_VERSION {
            return None;
        }
        let Some(Json::Array(items)) = items else {
            return None;
        };
        let items = items.iter().map(read_attachment).collect::<Result<_, _>>();
        items.ok()
    }

    #[test]
    fn the_previous_build_reads_the_list_this_one_stores() {
        let mut list = kept(&["a", "b", "c"]);
        list.remove("b");
        list.stamp_removals(42);
        list.remove("c");
        let json = list.to_json();
        assert!(json.contains("\"gone\":[{"), "{json}");
        assert_eq!(
            previous_build_from_json(&json).as_deref(),
            Some(list.items())
        );
        // Emptied, the list is stored (not removed) and reads as empty.
        list.clear();
        assert_eq!(previous_build_from_json(&list.to_json()), Some(vec![]));
    }

    #[test]
    fn a_list_the_previous_build_stored_still_reads() {
        let old = r#"{"v":1,"items":[{"id":"1","name":"a.txt","size":3}]}"#;
        let list = KeptAttachments::from_json(old).unwrap();
        assert_eq!(list.ids(), ["1"]);
        assert!(!list.tells_removals());
        // Stored again, it tells (no) removals.
        let again = KeptAttachments::from_json(&list.to_json()).unwrap();
        assert!(again.tells_removals());
        assert!(again.same_items(&list));
    }

    #[test]
    fn an_unreadable_gone_loses_no_id() {
        let read = |gone: &str| {
            KeptAttachments::from_json(&format!(
                r#"{{"v":1,"items":[{{"id":"1","name":"a","size":2}}],{gone}}}"#
            ))
            .unwrap()
        };
        for bad in [r#""gone":5"#, r#""gone":null"#, r#""gone":[],"gone":[]"#] {
            let list = read(bad);
            assert_eq!(list.ids(), ["1"], "{bad}");
            assert!(!list.tells_removals(), "{bad}");
        }
        // Entries that cannot be read are skipped; the rest count.
        let list = read(
            r#""gone":[{"id":"x","at":-1},{"at":3},7,{"id":"y","at":3,"by":"z"},{"id":"w","at":null}]"#,
        );
        assert_eq!(list.removed_ids(), ["y", "w"]);
    }

    #[test]
    fn unreadable_store_is_none() {
        assert_eq!(KeptAttachments::from_json("not json"), None);
        assert_eq!(KeptAttachments::from_json("{\"v\":99,\"items\":[]}"), None);
    }

    #[test]
    fn reads_fields_strictly() {
        let read =
            |items: &str| KeptAttachments::from_json(&format!("{{\"v\":1,\"items\":[{items}]}}"));
        let kept = read(r#"{"id":"1","name":"a","size":2,"mimetype":null,"extra":[1]}"#).unwrap();
        assert_eq!(kept.items()[0].mimetype, None);
        assert_eq!(kept.items()[0].size, 2);
        for bad in [
            r#"{"id":"1","name":"a"}"#,
            r#"{"id":1,"name":"a","size":2}"#,
            r#"{"id":"1","name":"a","size":-2}"#,
            r#"{"id":"1","name":"a","size":2,"content":5}"#,
            r#"{"id":"1","id":"2","name":"a","size":2}"#,
            r#"["1","a",2]"#,
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
        for bad in [
            "{\"v\":1}",
            "{\"items\":[]}",
            "{\"v\":\"1\",\"items\":[]}",
            "[]",
        ] {
            assert_eq!(KeptAttachments::from_json(bad), None, "{bad}");
        }
        let spaced = KeptAttachments::from_json(" {\"items\": [], \"v\": 1} ").unwrap();
        assert!(spaced.is_empty() && !spaced.tells_removals());
    }
}

/// The stored form must stay what serde_json wrote from `{v, items}` (now
/// with `gone` after them), so that a list kept by an older build reads
/// back in this one, and this one's in the older builds (which read it
/// with serde_json into `{v, items}`, then with `previous_build_from_json`).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod against_serde {
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    use super::*;

    /// The stored form of the builds before `gone`, serde's defaults:
    /// unknown members ignored.
    #[derive(Serialize, Deserialize)]
    struct Stored {
        v: u32,
        items: Vec<Attachment>,
    }

    #[derive(Serialize, Deserialize)]
    struct Gone {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<u64>,
    }

    #[derive(Serialize, Deserialize)]
    struct StoredNow {
        v: u32,
        items: Vec<Attachment>,
        gone: Vec<Gone>,
    }

    fn attachment() -> impl Strategy<Value = Attachment> {
        let text = "\\PC*|[\"\\\\\x00-\x1f/ a-zé]*";
        (
            text,
            text,
            any::<u64>(),
            proptest::option::of(text),
            proptest::option::of(text),
            proptest::option::of(text),
            proptest::option::of(text),
        )
            .prop_map(
                |(id, name, size, mimetype, content, thumbnail, created_at)| Attachment {
                    id,
                    name,
                    size,
                    mimetype,
                    // Other schemes are dropped on reading (and so never
                    // written): see `web_url_only`.
                    content: web_url_only(content),
                    thumbnail: web_url_only(thumbnail),
                    created_at,
                },
            )
    }

    proptest! {
        #[test]
        fn writes_and_reads_what_serde_did(
            items in prop::collection::vec(attachment(), 0..5),
            removed in prop::collection::vec("\\PC*|[\"\\\\\x00-\x1f/ a-zé]*", 0..4),
            at in 0..u64::MAX / 2,
        ) {
            let mut kept = KeptAttachments::new();
            for item in &items {
                kept.add(item.clone());
            }
            // An older build's list reads, telling no removals.
            let older = serde_json::to_string(&Stored { v: 1, items: kept.items().to_vec() }).unwrap();
            let read = KeptAttachments::from_json(&older).unwrap();
            prop_assert!(read.same_items(&kept) && !read.tells_removals());
            let pretty = serde_json::to_string_pretty(&Stored { v: 1, items: kept.items().to_vec() }).unwrap();
            prop_assert!(KeptAttachments::from_json(&pretty).unwrap().same_items(&kept));
            // This build's, with removals, is what serde writes of it.
            for (i, id) in removed.iter().enumerate() {
                kept.add(Attachment { id: id.clone(), name: "r".into(), size: 1, mimetype: None, content: None, thumbnail: None, created_at: None });
                kept.remove(id);
                if i % 2 == 0 {
                    kept.stamp_removals(at);
                }
            }
            let gone = kept.removed.iter().flatten().map(|r| Gone { id: r.id.clone(), at: r.at }).collect();
            let now = serde_json::to_string(&StoredNow { v: 1, items: kept.items().to_vec(), gone }).unwrap();
            prop_assert_eq!(&kept.to_json(), &now);
            prop_assert_eq!(KeptAttachments::from_json(&now), Some(kept.clone()));
            // And the serde-built older builds read it: their items.
            let by_older: Stored = serde_json::from_str(&kept.to_json()).unwrap();
            prop_assert_eq!(by_older.v, 1);
            prop_assert_eq!(&by_older.items[..], kept.items());
        }
    }
}
