//! Picks the language of error messages from `Accept-Language`, as real
//! Tracker responses are localised.

use axum::http::{header, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn from_headers(headers: &HeaderMap) -> Self {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Self::from_accept_language)
            .unwrap_or_default()
    }

    /// Chooses between the two languages we have by their `q` weights, so
    /// `de,ru;q=0.9,en;q=0.8` still gets Russian. Ties go to the one listed
    /// first; `*` counts for English.
    pub fn from_accept_language(value: &str) -> Self {
        let mut best: Option<(Lang, f32)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = if primary.eq_ignore_ascii_case("ru") {
                Lang::Ru
            } else if primary.eq_ignore_ascii_case("en") || primary == "*" {
                Lang::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(_, best_q)| q > best_q) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn picks_by_weight() {
        assert_eq!(
            Lang::from_accept_language("ru-RU,ru;q=0.9,en;q=0.8"),
            Lang::Ru
        );
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ru;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("de,ru;q=0.9,en;q=0.8"), Lang::Ru);
        assert_eq!(Lang::from_accept_language("en;q=0.5,ru"), Lang::Ru);
        assert_eq!(Lang::from_accept_language("ru;q=0"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language("ru;q=abc"), Lang::Ru);
    }
}
