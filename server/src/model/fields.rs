//! `GET /v2/fields/` (T12): the issue fields. The official client reads them
//! before a PATCH to learn which keys an issue has and their types.

use serde::Serialize;

use crate::base_url::BaseUrl;
use crate::lang::Lang;

#[derive(Debug, Serialize)]
pub struct FieldView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: &'static str,
    pub key: &'static str,
    pub version: i64,
    pub name: &'static str,
    pub schema: Schema,
    pub readonly: bool,
}

#[derive(Debug, Serialize)]
pub struct Schema {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<&'static str>,
    pub required: bool,
}

struct Field {
    id: &'static str,
    en: &'static str,
    ru: &'static str,
    kind: &'static str,
    items: Option<&'static str>,
    required: bool,
    readonly: bool,
}

const FIELDS: [Field; 8] = [
    Field {
        id: "summary",
        en: "Summary",
        ru: "Задача",
        kind: "string",
        items: None,
        required: true,
        readonly: false,
    },
    Field {
        id: "description",
        en: "Description",
        ru: "Описание",
        kind: "string",
        items: None,
        required: false,
        readonly: false,
    },
    Field {
        id: "attachments",
        en: "Attachments",
        ru: "Вложения",
        kind: "array",
        items: Some("file"),
        required: false,
        readonly: false,
    },
    Field {
        id: "queue",
        en: "Queue",
        ru: "Очередь",
        kind: "queue",
        items: None,
        required: true,
        readonly: false,
    },
    Field {
        id: "key",
        en: "Key",
        ru: "Ключ",
        kind: "string",
        items: None,
        required: false,
        readonly: true,
    },
    Field {
        id: "createdAt",
        en: "Created",
        ru: "Создано",
        kind: "date-time",
        items: None,
        required: false,
        readonly: true,
    },
    Field {
        id: "updatedAt",
        en: "Updated",
        ru: "Обновлено",
        kind: "date-time",
        items: None,
        required: false,
        readonly: true,
    },
    Field {
        id: "createdBy",
        en: "Author",
        ru: "Автор",
        kind: "user",
        items: None,
        required: false,
        readonly: true,
    },
];

impl FieldView {
    fn new(field: &Field, base: &BaseUrl, lang: Lang) -> Self {
        Self {
            self_url: base.join(&format!("/v2/fields/{}", field.id)),
            id: field.id,
            key: field.id,
            version: 1,
            // Tracker names fields in the language of the request.
            name: if lang == Lang::Ru { field.ru } else { field.en },
            schema: Schema {
                kind: field.kind,
                items: field.items,
                required: field.required,
            },
            readonly: field.readonly,
        }
    }
}

pub fn fields(base: &BaseUrl, lang: Lang) -> Vec<FieldView> {
    FIELDS
        .iter()
        .map(|f| FieldView::new(f, base, lang))
        .collect()
}

pub fn field(id: &str, base: &BaseUrl, lang: Lang) -> Option<FieldView> {
    FIELDS
        .iter()
        .find(|f| f.id == id)
        .map(|f| FieldView::new(f, base, lang))
}
