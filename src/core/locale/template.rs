//! A host's template filled with values: `{name}` placeholders by name.

use super::PluralCategory;

/// `template` with each `{placeholder}` named in `names` replaced by the
/// value at the same place in `values`. A `{word}` that is not a name, and
/// braces that enclose no word, stay as written.
pub fn fill(template: &str, names: &[&str], values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    // A placeholder's `}` comes within the longest name: looking no further
    // keeps a template of many lone `{` linear, not quadratic.
    let reach = names.iter().map(|name| name.len()).max().unwrap_or(0) + 1;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        // `}` is ASCII: its byte offset is a char boundary.
        let close = after.bytes().take(reach).position(|b| b == b'}');
        let value = close.and_then(|close| {
            let word = &after[..close];
            let at = names.iter().position(|name| *name == word)?;
            Some((values.get(at).copied().unwrap_or_default(), close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A counted message in CLDR plural forms; `other` is required, as in
/// CLDR every language has it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PluralForms {
    pub zero: Option<String>,
    pub one: Option<String>,
    pub two: Option<String>,
    pub few: Option<String>,
    pub many: Option<String>,
    pub other: String,
}

impl PluralForms {
    /// The form for `category`, or `other` when it is not given.
    pub fn pick(&self, category: PluralCategory) -> &str {
        let form = match category {
            PluralCategory::Zero => &self.zero,
            PluralCategory::One => &self.one,
            PluralCategory::Two => &self.two,
            PluralCategory::Few => &self.few,
            PluralCategory::Many => &self.many,
            PluralCategory::Other => &None,
        };
        form.as_deref().unwrap_or(&self.other)
    }

    /// The form named `name` (`one`, `few`…), to set it.
    pub(super) fn slot(&mut self, name: &str) -> Option<&mut String> {
        let form = match name {
            "zero" => &mut self.zero,
            "one" => &mut self.one,
            "two" => &mut self.two,
            "few" => &mut self.few,
            "many" => &mut self.many,
            "other" => return Some(&mut self.other),
            _ => return None,
        };
        Some(form.get_or_insert_with(String::new))
    }
}
