//! Light or dark: the widget follows the system by default, and a page
//! with its own theme switch can pin it (Uppy Dashboard's `theme`).

/// Which palette the widget paints with (`data-theme` on its root; the
/// colours themselves are `widget.css`'s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// The system's choice (`prefers-color-scheme`).
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The `data-theme` value the style sheet selects on.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn every_theme_reads_back_from_its_own_name_and_nothing_else_does() {
        for theme in [Theme::Auto, Theme::Light, Theme::Dark] {
            assert_eq!(Theme::parse(theme.as_str()), Some(theme));
        }
        assert_eq!(Theme::parse(" Dark "), Some(Theme::Dark));
        for word in ["", "night", "system", "darker"] {
            assert_eq!(Theme::parse(word), None, "{word:?}");
        }
    }
}
