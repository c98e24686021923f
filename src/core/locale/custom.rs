//! The host's own wording (the `strings` option): message key → template,
//! plural forms or, for the byte units, a list. Read from loose values
//! (the JavaScript object arrives as [`Json`]); what cannot be used is
//! left out with a warning naming its key, never an error.

use std::fmt;

use super::keys::{Key, KeyKind};
use super::template::PluralForms;
use crate::core::json::Json;

/// One message reworded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustomText {
    /// A template; see [`fill`](super::fill).
    Template(String),
    /// Templates per plural form, for a message with a count.
    Plural(Box<PluralForms>),
    /// Byte units, B to PB.
    Units(Box<[String; 6]>),
}

/// The messages a host reworded. Empty means the built-in tables speak.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomStrings {
    /// Indexed by `Key as usize`; `None` where the host gave nothing.
    texts: Vec<Option<CustomText>>,
}

/// An entry of `strings` the widget could not use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringsWarning {
    /// The key as the host wrote it; empty when the whole option is wrong.
    pub key: String,
    pub problem: &'static str,
}

impl fmt::Display for StringsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            return write!(
                f,
                "tracker-attachments: strings {}; it is ignored",
                self.problem
            );
        }
        // A console line for a person: long keys are cut.
        let key: String = self.key.chars().take(60).collect();
        write!(
            f,
            "tracker-attachments: strings \"{key}\" {}; the built-in text is used",
            self.problem
        )
    }
}

const NOT_AN_OBJECT: &str = "takes an object of message keys and texts";
const UNKNOWN_KEY: &str = "is not a message key";
const NOT_TEXT: &str = "is not text";
const NOT_TEXT_OR_FORMS: &str =
    "is neither text nor an object of plural forms (zero, one, two, few, many, other) of text";
const NO_OTHER: &str = "has no \"other\" plural form";
const NOT_UNITS: &str = "is not an array of 6 unit names (B, KB, MB, GB, TB, PB)";

impl CustomStrings {
    /// The wording in `value`, an object of key → text (or plural forms,
    /// or units), with a warning per entry left out.
    pub(crate) fn parse(value: &Json) -> (CustomStrings, Vec<StringsWarning>) {
        let mut strings = CustomStrings::default();
        let mut warnings = Vec::new();
        let Json::Object(members) = value else {
            warnings.push(StringsWarning {
                key: String::new(),
                problem: NOT_AN_OBJECT,
            });
            return (strings, warnings);
        };
        for (name, value) in members {
            match Key::from_name(name).ok_or(UNKNOWN_KEY).and_then(|key| {
                let text = custom_text(key.spec().kind, value)?;
                Ok((key, text))
            }) {
                Ok((key, text)) => strings.set(key, text),
                Err(problem) => warnings.push(StringsWarning {
                    key: name.clone(),
                    problem,
                }),
            }
        }
        (strings, warnings)
    }

    /// Rewords `key`.
    pub fn set(&mut self, key: Key, text: CustomText) {
        let at = key as usize;
        if self.texts.len() <= at {
            self.texts.resize(at + 1, None);
        }
        if let Some(slot) = self.texts.get_mut(at) {
            *slot = Some(text);
        }
    }

    pub fn get(&self, key: Key) -> Option<&CustomText> {
        self.texts.get(key as usize)?.as_ref()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.iter().all(Option::is_none)
    }
}

/// `value` as a reworded message of `kind`.
fn custom_text(kind: KeyKind, value: &Json) -> Result<CustomText, &'static str> {
    match (kind, value) {
        (KeyKind::Units, Json::Array(items)) => {
            let units: Option<Vec<String>> = items.iter().map(text).collect();
            let units: [String; 6] = units.ok_or(NOT_UNITS)?.try_into().map_err(|_| NOT_UNITS)?;
            Ok(CustomText::Units(Box::new(units)))
        }
        (KeyKind::Units, _) => Err(NOT_UNITS),
        (_, Json::String(template)) => Ok(CustomText::Template(template.clone())),
        (KeyKind::Count, Json::Object(members)) => {
            let mut forms = PluralForms::default();
            let mut has_other = false;
            for (name, value) in members {
                let slot = forms.slot(name).ok_or(NOT_TEXT_OR_FORMS)?;
                *slot = text(value).ok_or(NOT_TEXT_OR_FORMS)?;
                has_other |= name == "other";
            }
            if !has_other {
                return Err(NO_OTHER);
            }
            Ok(CustomText::Plural(Box::new(forms)))
        }
        (KeyKind::Count, _) => Err(NOT_TEXT_OR_FORMS),
        _ => Err(NOT_TEXT),
    }
}

fn text(value: &Json) -> Option<String> {
    match value {
        Json::String(text) => Some(text.clone()),
        _ => None,
    }
}
