use serde::{Deserialize, Serialize};

use super::Attachment;

/// The Tracker temporary attachments uploaded so far and not yet attached to
/// an issue, in upload order. The page reads their ids to attach them later,
/// so this list must survive a reload: it serialises to ids and metadata only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeptAttachments {
    items: Vec<Attachment>,
}

/// The stored form. Versioned so that a later format can still read an old
/// session's list instead of silently dropping the user's uploads.
#[derive(Serialize, Deserialize)]
struct Stored {
    v: u32,
    items: Vec<Attachment>,
}

const STORED_VERSION: u32 = 1;

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

    pub fn to_json(&self) -> String {
        let stored = Stored {
            v: STORED_VERSION,
            items: self.items.clone(),
        };
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// Reads a stored list; anything unreadable yields `None` so the caller
    /// can start empty rather than fail the widget.
    pub fn from_json(text: &str) -> Option<Self> {
        let stored: Stored = serde_json::from_str(text).ok()?;
        (stored.v == STORED_VERSION).then_some(Self {
            items: stored.items,
        })
    }
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
}
