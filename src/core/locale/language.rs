//! The language a host asks for: any well-formed BCP 47 tag. English and
//! Russian have built-in tables; any other tag shows English where the
//! host gave no text of its own, and still sets `lang` and plural rules.

use std::rc::Rc;

use super::Locale;

/// A language the widget was asked to speak.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Language {
    /// The built-in table: the language's own, or English.
    table: Locale,
    /// The tag as given, when no built-in table is the language's.
    other: Option<Rc<str>>,
}

impl Language {
    /// A well-formed tag (`de`, `pt-BR`, `sr-Latn-RS`, `ru_RU`); `None`
    /// for anything else. Checked by form only: a tag the browser has no
    /// data for still names the page's language.
    pub fn parse(tag: &str) -> Option<Language> {
        let tag = tag.trim();
        if !is_well_formed(tag) {
            return None;
        }
        Some(match Locale::from_tag(tag) {
            Some(table) => Language { table, other: None },
            None => Language {
                table: Locale::En,
                other: Some(tag.replace('_', "-").into()),
            },
        })
    }

    /// The tag for the `lang` attribute and the plural rules.
    pub fn tag(&self) -> &str {
        self.other.as_deref().unwrap_or(self.table.tag())
    }

    /// The built-in table the words come from where the host gave none.
    pub fn table(&self) -> Locale {
        self.table
    }

    /// Whether the built-in table is this language's own (English or
    /// Russian), not English standing in.
    pub fn is_built_in(&self) -> bool {
        self.other.is_none()
    }
}

impl From<Locale> for Language {
    fn from(table: Locale) -> Self {
        Language { table, other: None }
    }
}

/// BCP 47's shape: a language subtag of 2–3 or 5–8 letters, then subtags
/// of 1–8 letters and digits, separated by `-` (or `_`, as some systems
/// write them).
fn is_well_formed(tag: &str) -> bool {
    let mut subtags = tag.split(['-', '_']);
    let language = subtags.next().unwrap_or_default();
    let language_ok = matches!(language.len(), 2 | 3 | 5..=8)
        && language.bytes().all(|b| b.is_ascii_alphabetic());
    language_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}
