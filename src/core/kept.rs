use std::collections::{HashMap, HashSet};

use super::json::{optional_string, required_string, u64_field, write_string, FieldError, Json};
use super::{web_url_only, Attachment};

/// The Tracker temporary attachments uploaded so far and not yet attached to
/// an issue, in upload order. The page reads their ids to attach them later,
/// so this list must survive a reload: it serialises to ids and metadata only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeptAttachments {
    items: Vec<Attachment>,
}

/// The stored form is `{"v": 1, "items": [attachment, ...]}`, each
/// attachment with Tracker's field names (see [`Attachment`]). Versioned so
/// that a later format can still read an old session's list instead of
/// silently dropping the user's uploads.
const STORED_VERSION: u64 = 1;

impl KeptAttachments {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an attachment; an id already kept is replaced in place so a
    /// repeated answer never shows twice.
    pub fn add(&mut self, attachment: Attachment) {
        match self.items.iter_mut().find(|a| a.id == attachment.id) {
            Some(existing) => *existing = attachment,
            None => self.items.push(attachment),
        }
    }

    /// Removes by id; returns whether it was kept.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|a| a.id != id);
        before != self.items.len()
    }

    pub fn clear(&mut self) {
        self.items.clear();
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

    /// Another tab's list, `theirs`, with this tab's changes since `base`
    /// (the list both last agreed on, as stored) made to it again: what this
    /// tab added stays added, what it removed stays removed, and everything
    /// else is as the other tab has it. With `persist: local`, two tabs that
    /// each finish an upload at about the same time both keep both ids,
    /// where taking the other's list as it is would lose one.
    pub fn merged(base: &Self, ours: &Self, theirs: &Self) -> Self {
        // Sets and an index rather than scans: both lists may hold ten
        // thousand ids, and this runs at every store with `persist: local`.
        fn ids(list: &KeptAttachments) -> HashSet<&str> {
            list.items.iter().map(|a| a.id.as_str()).collect()
        }
        let (in_base, in_ours) = (ids(base), ids(ours));
        let mut merged = theirs.clone();
        merged
            .items
            .retain(|a| in_ours.contains(a.id.as_str()) || !in_base.contains(a.id.as_str()));
        let mut at: HashMap<String, usize> = merged
            .items
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        for attachment in &ours.items {
            if in_base.contains(attachment.id.as_str()) {
                continue;
            }
            match at.get(&attachment.id) {
                Some(&i) => merged.items[i] = attachment.clone(),
                None => {
                    at.insert(attachment.id.clone(), merged.items.len());
                    merged.items.push(attachment.clone());
                }
            }
        }
        merged
    }

    /// The stored form, byte for byte what serde_json wrote before.
    pub fn to_json(&self) -> String {
        let mut out = format!("{{\"v\":{STORED_VERSION},\"items\":[");
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_attachment(&mut out, item);
        }
        out.push_str("]}");
        out
    }

    /// Reads a stored list; anything unreadable yields `None` so the caller
    /// can start empty rather than fail the widget.
    pub fn from_json(text: &str) -> Option<Self> {
        let stored = Json::parse(text).ok()?;
        let [version, items] = stored.fields(["v", "items"]).ok()?;
        if u64_field(version, "v", None).ok()? != STORED_VERSION {
            return None;
        }
        let Some(Json::Array(items)) = items else {
            return None;
        };
        let items = items.iter().map(read_attachment).collect::<Result<_, _>>();
        Some(Self { items: items.ok()? })
    }
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
    fn tabs_merge_what_each_changed_since_they_last_agreed() {
        let base = kept(&["a", "b"]);
        // This tab added c and removed a; the other added d and removed b.
        let ours = kept(&["b", "c"]);
        let theirs = kept(&["a", "d"]);
        assert_eq!(
            KeptAttachments::merged(&base, &ours, &theirs).ids(),
            ["d", "c"]
        );
        // Nothing changed here: theirs as it is.
        assert_eq!(KeptAttachments::merged(&base, &base, &theirs), theirs);
        // The other tab attached everything while this one added e.
        let ours = kept(&["a", "b", "e"]);
        let merged = KeptAttachments::merged(&base, &ours, &KeptAttachments::new());
        assert_eq!(merged.ids(), ["e"]);
        // Both added the same id: once.
        let both = kept(&["a", "b", "f"]);
        assert_eq!(
            KeptAttachments::merged(&base, &both, &both).ids(),
            ["a", "b", "f"]
        );
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
        let theirs = list(&[names(0..15_000), names(30_000..40_000)].concat());
        let merged = KeptAttachments::merged(&base, &ours, &theirs);
        let expected = [
            names(5_000..15_000),
            names(30_000..40_000),
            names(20_000..30_000),
        ]
        .concat();
        assert_eq!(merged.ids(), expected);
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
        assert_eq!(KeptAttachments::from_json(&json), Some(kept));
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
        assert_eq!(
            KeptAttachments::from_json(" {\"items\": [], \"v\": 1} "),
            Some(KeptAttachments::new())
        );
    }
}

/// The stored form must stay what serde_json wrote from `{v, items}`, so
/// that a list kept by an older build reads back in this one and back.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod against_serde {
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Stored {
        v: u32,
        items: Vec<Attachment>,
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
        fn writes_and_reads_what_serde_did(items in prop::collection::vec(attachment(), 0..5)) {
            let mut kept = KeptAttachments::new();
            for item in &items {
                kept.add(item.clone());
            }
            let theirs = serde_json::to_string(&Stored { v: 1, items: kept.items().to_vec() }).unwrap();
            prop_assert_eq!(&kept.to_json(), &theirs);
            prop_assert_eq!(KeptAttachments::from_json(&theirs), Some(kept.clone()));
            let pretty = serde_json::to_string_pretty(&Stored { v: 1, items: kept.items().to_vec() }).unwrap();
            prop_assert_eq!(KeptAttachments::from_json(&pretty), Some(kept));
        }
    }
}
