use serde::{Deserialize, Serialize};

use super::json::Json;

/// One stored file as the server describes it, whichever API answered.
///
/// Field names follow Tracker's wire format so the same struct serialises
/// into the browser store and into DOM event details without a second model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mimetype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

impl Attachment {
    /// A JSON array of attachments in this struct's own shape (what the kept
    /// list stores, and what the reference server lists for an issue), read
    /// as `serde_json::from_str::<Vec<Attachment>>` read it but without
    /// linking serde_json; `None` when anything does not fit.
    pub fn list_from_json(text: &str) -> Option<Vec<Attachment>> {
        match Json::parse(text).ok()? {
            Json::Array(items) => items
                .iter()
                .map(super::kept::read_attachment)
                .collect::<Result<_, _>>()
                .ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
impl Attachment {
    /// For tests: an attachment with an id, a name and a size, nothing else.
    pub(crate) fn named(id: &str, name: &str, size: u64) -> Self {
        Attachment {
            id: id.into(),
            name: name.into(),
            size,
            mimetype: None,
            content: None,
            thumbnail: None,
            created_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_list_as_serde_did() {
        let text = r#"[{"id": "1", "name": "a.png", "size": 5, "mimetype": "image/png"},
            {"id": "2", "name": "b", "size": 0, "createdAt": null, "extra": {}}]"#;
        let list = Attachment::list_from_json(text).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].mimetype.as_deref(), Some("image/png"));
        assert_eq!(list[1].created_at, None);
        #[cfg(not(target_arch = "wasm32"))]
        assert_eq!(
            Some(list),
            serde_json::from_str::<Vec<Attachment>>(text).ok()
        );
        for bad in [
            "",
            "{}",
            r#"[{"id": 1, "name": "a", "size": 1}]"#,
            r#"[{"id": "1", "name": "a"}]"#,
        ] {
            assert_eq!(Attachment::list_from_json(bad), None, "{bad}");
        }
        assert_eq!(Attachment::list_from_json("[]"), Some(Vec::new()));
    }
}
