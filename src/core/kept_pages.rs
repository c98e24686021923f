//! The kept list as stored: a small manifest under the list's key and the
//! attachments in pages under `<key>#1`, `<key>#2`, … Storing the whole
//! list as one value rewrote megabytes once a second while ten thousand
//! files uploaded; a page holds [`PAGE_LEN`] attachments, so an upload
//! added at the end rewrites the last page and the manifest only.
//!
//! The manifest names each page by a hash of its text. A save compares the
//! new pages with the stored manifest's hashes and writes those that
//! differ, trusting the stored manifest only when it is the one this
//! widget last wrote or read whole (`known`): anything else (another
//! build's value, a list found unreadable) has every page written again.
//! A load checks every page against the manifest: a page missing, changed
//! or unreadable makes the whole list unreadable (`None`), as one corrupt
//! value was, rather than a list with a hole in it.

use super::json::{u64_field, Json};
use super::kept::{read_attachment, write_attachment};
use super::KeptAttachments;

/// Attachments per page. At about 330 bytes each, a page is some 80 KB:
/// small enough that rewriting it once a second costs little, large enough
/// that ten thousand attachments are 40 pages.
pub const PAGE_LEN: usize = 250;

/// The manifest's format. Version 1 was the whole list as one value
/// (`{"v":1,"items":[…]}`), still read so that a list kept by an older
/// build survives the update.
const MANIFEST_VERSION: u64 = 2;

/// Where the pages live: `Storage` in the browser, a map in the tests.
pub trait KeyValueStore {
    fn get(&self, key: &str) -> Option<String>;
    /// Fails when the store refuses the value (a full quota).
    fn set(&self, key: &str, value: &str) -> Result<(), StoreRefused>;
    fn remove(&self, key: &str);
}

/// The store did not take a value (quota, storage disabled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreRefused;

/// The key of page `number` (from 1) of the list stored under `key`.
pub fn page_key(key: &str, number: usize) -> String {
    format!("{key}#{number}")
}

/// What the manifest says: a revision that changes with every save (so
/// other tabs get a `storage` event for the list's own key), the number
/// of attachments, and the hash of each page's text in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub revision: u64,
    pub len: u64,
    pub pages: Vec<u64>,
}

impl Manifest {
    /// `{"v":2,"rev":7,"len":260,"pages":["<16 hex digits>",…]}`.
    pub fn to_json(&self) -> String {
        let mut out = format!(
            "{{\"v\":{MANIFEST_VERSION},\"rev\":{},\"len\":{},\"pages\":[",
            self.revision, self.len
        );
        for (i, hash) in self.pages.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&format!("\"{hash:016x}\""));
        }
        out.push_str("]}");
        out
    }

    /// `None` for anything but a manifest of this version (a list in the
    /// single-value format included).
    pub fn from_json(text: &str) -> Option<Self> {
        let stored = Json::parse(text).ok()?;
        let [version, revision, len, pages] = stored.fields(["v", "rev", "len", "pages"]).ok()?;
        if u64_field(version, "v", None).ok()? != MANIFEST_VERSION {
            return None;
        }
        let Some(Json::Array(pages)) = pages else {
            return None;
        };
        let pages = pages
            .iter()
            .map(|page| match page {
                Json::String(hex) if hex.len() == 16 => u64::from_str_radix(hex, 16).ok(),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            revision: u64_field(revision, "rev", None).ok()?,
            len: u64_field(len, "len", None).ok()?,
            pages,
        })
    }
}

/// The text of each page: a JSON array of up to [`PAGE_LEN`] attachments
/// in the list's order.
pub fn page_texts(kept: &KeptAttachments) -> Vec<String> {
    kept.items()
        .chunks(PAGE_LEN)
        .map(|page| {
            let mut out = String::from("[");
            for (i, attachment) in page.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_attachment(&mut out, attachment);
            }
            out.push(']');
            out
        })
        .collect()
}

/// FNV-1a: stable across builds and platforms (std's hasher promises
/// neither), and a page written by one build must check out in the next.
pub fn page_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The list stored under `key`: empty when there is none, `None` when
/// what is there cannot be read whole. `known` becomes the manifest read
/// when every page checked out, else nothing.
pub fn load(
    store: &impl KeyValueStore,
    key: &str,
    known: &mut Option<String>,
) -> Option<KeptAttachments> {
    *known = None;
    let Some(text) = store.get(key) else {
        return Some(KeptAttachments::new());
    };
    let Some(manifest) = Manifest::from_json(&text) else {
        return KeptAttachments::from_json(&text);
    };
    let kept = read_pages(store, key, &manifest)?;
    *known = Some(text);
    Some(kept)
}

fn read_pages(
    store: &impl KeyValueStore,
    key: &str,
    manifest: &Manifest,
) -> Option<KeptAttachments> {
    let mut items = Vec::new();
    for (i, &hash) in manifest.pages.iter().enumerate() {
        let page = store.get(&page_key(key, i + 1))?;
        if page_hash(&page) != hash {
            return None;
        }
        let Ok(Json::Array(attachments)) = Json::parse(&page) else {
            return None;
        };
        for attachment in &attachments {
            items.push(read_attachment(attachment).ok()?);
        }
    }
    if items.len() as u64 != manifest.len {
        return None;
    }
    Some(KeptAttachments::from_items(items))
}

/// Stores `kept` under `key`, writing only the pages whose text is not
/// stored already, then the manifest; pages past the new end go after the
/// manifest no longer names them. An empty list removes the manifest and
/// every page. `known` is the manifest this widget last wrote or read
/// whole, and becomes the one written.
///
/// A refused write after another one succeeded leaves pages the stored
/// manifest does not describe: the manifest is removed then, so that the
/// list reads as absent rather than mixed, and the next save writes every
/// page. A refused first write changes nothing.
pub fn save(
    store: &impl KeyValueStore,
    key: &str,
    kept: &KeptAttachments,
    known: &mut Option<String>,
) -> Result<(), StoreRefused> {
    let current = store.get(key);
    let stored = current.as_deref().and_then(Manifest::from_json);
    // Pages the manifest names are as it says only if this widget wrote
    // or checked them; pages past the end are removed either way.
    let trusted = stored
        .as_ref()
        .filter(|_| current.is_some() && current == *known);
    *known = None;
    let texts = page_texts(kept);
    let hashes: Vec<u64> = texts.iter().map(|text| page_hash(text)).collect();
    let stored_pages = trusted.map(|m| m.pages.as_slice()).unwrap_or(&[]);
    if kept.is_empty() {
        store.remove(key);
        remove_pages_from(store, key, 1, stored.as_ref());
        return Ok(());
    }
    if trusted.is_some_and(|m| m.pages == hashes && m.len == kept.len() as u64) {
        *known = current;
        return Ok(());
    }
    let mut wrote_any = false;
    let refused = |wrote_any: bool| {
        if wrote_any {
            store.remove(key);
        }
        StoreRefused
    };
    for (i, (text, hash)) in texts.iter().zip(&hashes).enumerate() {
        if stored_pages.get(i) == Some(hash) {
            continue;
        }
        store
            .set(&page_key(key, i + 1), text)
            .map_err(|_| refused(wrote_any))?;
        wrote_any = true;
    }
    let manifest = Manifest {
        revision: stored.as_ref().map_or(1, |m| m.revision.wrapping_add(1)),
        len: kept.len() as u64,
        pages: hashes,
    };
    let manifest = manifest.to_json();
    store.set(key, &manifest).map_err(|_| refused(wrote_any))?;
    remove_pages_from(store, key, texts.len() + 1, stored.as_ref());
    *known = Some(manifest);
    Ok(())
}

/// Removes pages `first` onwards: those the old manifest named, or, when
/// there was none (a list in the single-value format, or a manifest lost
/// to a refused write), each one found until one is missing.
fn remove_pages_from(
    store: &impl KeyValueStore,
    key: &str,
    first: usize,
    stored: Option<&Manifest>,
) {
    match stored {
        Some(manifest) => {
            for number in first..=manifest.pages.len() {
                store.remove(&page_key(key, number));
            }
        }
        None => {
            let mut number = first;
            while store.get(&page_key(key, number)).is_some() {
                store.remove(&page_key(key, number));
                number += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;
    use crate::core::Attachment;

    /// A store that records the keys written and can refuse writes after
    /// a number of them.
    #[derive(Default)]
    struct MapStore {
        values: RefCell<BTreeMap<String, String>>,
        written: RefCell<Vec<String>>,
        writes_left: RefCell<Option<usize>>,
        /// The manifest as the one widget of these tests last saw it.
        known: RefCell<Option<String>>,
    }

    impl KeyValueStore for MapStore {
        fn get(&self, key: &str) -> Option<String> {
            self.values.borrow().get(key).cloned()
        }
        fn set(&self, key: &str, value: &str) -> Result<(), StoreRefused> {
            if let Some(left) = self.writes_left.borrow_mut().as_mut() {
                if *left == 0 {
                    return Err(StoreRefused);
                }
                *left -= 1;
            }
            self.written.borrow_mut().push(key.to_owned());
            self.values
                .borrow_mut()
                .insert(key.to_owned(), value.to_owned());
            Ok(())
        }
        fn remove(&self, key: &str) {
            self.values.borrow_mut().remove(key);
        }
    }

    impl MapStore {
        fn save(&self, kept: &KeptAttachments) -> Result<(), StoreRefused> {
            save(self, KEY, kept, &mut self.known.borrow_mut())
        }
        fn load(&self) -> Option<KeptAttachments> {
            load(self, KEY, &mut self.known.borrow_mut())
        }
        fn take_written(&self) -> Vec<String> {
            std::mem::take(&mut self.written.borrow_mut())
        }
        fn keys(&self) -> Vec<String> {
            self.values.borrow().keys().cloned().collect()
        }
    }

    fn att(id: &str) -> Attachment {
        Attachment {
            id: id.into(),
            name: format!("{id}.txt"),
            size: 10,
            mimetype: Some("text/plain".into()),
            content: None,
            thumbnail: None,
            created_at: None,
        }
    }

    fn kept(count: usize) -> KeptAttachments {
        let mut list = KeptAttachments::new();
        for i in 0..count {
            list.add(att(&format!("id-{i}")));
        }
        list
    }

    const KEY: &str = "tracker-attachments:t";

    #[test]
    fn pages_hold_the_list_in_order() {
        let list = kept(2 * PAGE_LEN + 1);
        let texts = page_texts(&list);
        assert_eq!(texts.len(), 3);
        assert!(
            texts[0].starts_with("[{\"id\":\"id-0\","),
            "{}",
            &texts[0][..40]
        );
        assert!(texts[2].starts_with(&format!("[{{\"id\":\"id-{}\",", 2 * PAGE_LEN)));
        assert!(page_texts(&kept(0)).is_empty());
        assert_eq!(page_texts(&kept(PAGE_LEN)).len(), 1);
    }

    #[test]
    fn manifest_round_trips_and_refuses_other_shapes() {
        let manifest = Manifest {
            revision: 7,
            len: 260,
            pages: vec![0, u64::MAX, 0x0123_4567_89ab_cdef],
        };
        let text = manifest.to_json();
        assert_eq!(
            text,
            "{\"v\":2,\"rev\":7,\"len\":260,\"pages\":[\"0000000000000000\",\
             \"ffffffffffffffff\",\"0123456789abcdef\"]}"
        );
        assert_eq!(Manifest::from_json(&text), Some(manifest));
        for other in [
            "{\"v\":1,\"items\":[]}",
            "{\"v\":3,\"rev\":1,\"len\":0,\"pages\":[]}",
            "{\"v\":2,\"rev\":1,\"len\":0,\"pages\":[\"12\"]}",
            "{\"v\":2,\"rev\":1,\"len\":0,\"pages\":[12]}",
            "{\"v\":2,\"len\":0,\"pages\":[]}",
            "not json",
        ] {
            assert_eq!(Manifest::from_json(other), None, "{other}");
        }
    }

    #[test]
    fn a_list_of_several_pages_reads_back_as_stored() {
        let store = MapStore::default();
        let list = kept(2 * PAGE_LEN + 3);
        store.save(&list).unwrap();
        assert_eq!(
            store.keys(),
            [
                KEY.to_owned(),
                format!("{KEY}#1"),
                format!("{KEY}#2"),
                format!("{KEY}#3")
            ]
        );
        assert_eq!(store.load(), Some(list));
        assert_eq!(
            load(&store, "nothing-here", &mut None),
            Some(KeptAttachments::new())
        );
    }

    #[test]
    fn an_append_rewrites_the_last_page_and_the_manifest_only() {
        let store = MapStore::default();
        let mut list = kept(3 * PAGE_LEN);
        store.save(&list).unwrap();
        store.take_written();
        let revision = |store: &MapStore| {
            Manifest::from_json(&store.get(KEY).unwrap())
                .unwrap()
                .revision
        };
        let before = revision(&store);
        // A full last page: the new one starts page 4.
        list.add(att("new-1"));
        store.save(&list).unwrap();
        assert_eq!(store.take_written(), [format!("{KEY}#4"), KEY.to_owned()]);
        list.add(att("new-2"));
        store.save(&list).unwrap();
        assert_eq!(store.take_written(), [format!("{KEY}#4"), KEY.to_owned()]);
        assert_eq!(revision(&store), before + 2);
        // Nothing changed: nothing written.
        store.save(&list).unwrap();
        assert!(store.take_written().is_empty());
        assert_eq!(store.load(), Some(list));
    }

    #[test]
    fn a_removal_rewrites_from_its_page_and_drops_pages_past_the_end() {
        let store = MapStore::default();
        let mut list = kept(3 * PAGE_LEN);
        store.save(&list).unwrap();
        store.take_written();
        assert!(list.remove(&format!("id-{}", PAGE_LEN + 1)));
        store.save(&list).unwrap();
        assert_eq!(
            store.take_written(),
            [format!("{KEY}#2"), format!("{KEY}#3"), KEY.to_owned()]
        );
        assert_eq!(store.load(), Some(list.clone()));
        for i in 0..2 * PAGE_LEN {
            list.remove(&format!("id-{i}"));
        }
        store.save(&list).unwrap();
        assert_eq!(store.keys(), [KEY.to_owned(), format!("{KEY}#1")]);
        assert_eq!(store.load(), Some(list));
    }

    #[test]
    fn an_empty_list_removes_the_manifest_and_every_page() {
        let store = MapStore::default();
        store.save(&kept(2 * PAGE_LEN + 1)).unwrap();
        store
            .values
            .borrow_mut()
            .insert("other".into(), "theirs".into());
        store.save(&KeptAttachments::new()).unwrap();
        assert_eq!(store.keys(), ["other"]);
    }

    #[test]
    fn the_single_value_format_is_read_and_replaced_by_pages() {
        let store = MapStore::default();
        let list = kept(PAGE_LEN + 1);
        store.values.borrow_mut().insert(KEY.into(), list.to_json());
        assert!(list.to_json().starts_with("{\"v\":1,\"items\":["));
        assert_eq!(store.load(), Some(list.clone()));
        let mut more = list.clone();
        more.add(att("after-the-update"));
        store.save(&more).unwrap();
        assert!(Manifest::from_json(&store.get(KEY).unwrap()).is_some());
        assert_eq!(
            store.keys(),
            [KEY.to_owned(), format!("{KEY}#1"), format!("{KEY}#2")]
        );
        assert_eq!(store.load(), Some(more));
    }

    #[test]
    fn a_missing_changed_or_corrupt_page_makes_the_list_unreadable() {
        let list = kept(2 * PAGE_LEN);
        let stored = || {
            let store = MapStore::default();
            store.save(&list).unwrap();
            store
        };
        let store = stored();
        store.remove(&format!("{KEY}#2"));
        assert!(store.load().is_none(), "missing");
        let store = stored();
        // Page 2's text in page 1's place: well-formed, not what the
        // manifest names.
        let page = page_texts(&list)[1].clone();
        store.values.borrow_mut().insert(format!("{KEY}#1"), page);
        assert!(store.load().is_none(), "a page out of place");
        let store = stored();
        store
            .values
            .borrow_mut()
            .insert(format!("{KEY}#2"), "[{\"id\":".into());
        assert!(store.load().is_none(), "not json");
        // A page that checks out but does not read as attachments.
        let store = stored();
        let bad = "[{\"id\":1}]";
        let manifest = Manifest {
            revision: 9,
            len: 1,
            pages: vec![page_hash(bad)],
        };
        store
            .values
            .borrow_mut()
            .insert(KEY.into(), manifest.to_json());
        store
            .values
            .borrow_mut()
            .insert(format!("{KEY}#1"), bad.into());
        assert!(store.load().is_none(), "not attachments");
        // Found unreadable, the list is written whole by the next save,
        // pages the manifest still names included.
        let store = stored();
        store.remove(&format!("{KEY}#1"));
        assert!(store.load().is_none());
        store.take_written();
        store.save(&kept(2 * PAGE_LEN + 1)).unwrap();
        assert_eq!(
            store.take_written(),
            [1, 2, 3]
                .map(|n| format!("{KEY}#{n}"))
                .into_iter()
                .chain([KEY.to_owned()])
                .collect::<Vec<_>>()
        );
        assert_eq!(store.load(), Some(kept(2 * PAGE_LEN + 1)));
    }

    #[test]
    fn a_refused_write_never_leaves_a_mixed_list() {
        // The first write refused: the list stored before stays.
        let store = MapStore::default();
        let list = kept(2 * PAGE_LEN);
        store.save(&list).unwrap();
        *store.writes_left.borrow_mut() = Some(0);
        let mut more = list.clone();
        more.add(att("refused"));
        assert_eq!(store.save(&more), Err(StoreRefused));
        assert_eq!(store.load(), Some(list.clone()));
        // A page written, then the manifest refused: no list rather than
        // pages the manifest does not describe.
        *store.writes_left.borrow_mut() = Some(1);
        assert_eq!(store.save(&more), Err(StoreRefused));
        assert_eq!(store.load(), Some(KeptAttachments::new()));
        // Room again: every page is written, the old ones past the end go.
        *store.writes_left.borrow_mut() = None;
        store.take_written();
        store.save(&kept(3)).unwrap();
        assert_eq!(store.take_written(), [format!("{KEY}#1"), KEY.to_owned()]);
        assert_eq!(store.keys(), [KEY.to_owned(), format!("{KEY}#1")]);
        assert_eq!(store.load(), Some(kept(3)));
    }
}
