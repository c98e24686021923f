//! File names as shown on screen. A name is the user's or the server's
//! text, and may carry the Unicode controls that reorder what follows
//! them: "invoice\u{202E}fdp.exe" reads "invoiceexe.pdf" on screen, a
//! program passed off as a document. Shown, those controls are left out;
//! the name itself (in events, in the kept list's data) is kept as it is.

use std::borrow::Cow;

/// Embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `name` without the controls that reorder text.
pub fn shown_name(name: &str) -> Cow<'_, str> {
    if name.chars().any(reorders) {
        Cow::Owned(name.chars().filter(|c| !reorders(*c)).collect())
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reordering_controls_are_left_out_and_other_text_kept() {
        assert_eq!(shown_name("x\u{202E}txt.exe"), "xtxt.exe");
        assert_eq!(shown_name("a\u{2066}b\u{2069}c\u{202A}d\u{202C}"), "abcd");
        // Right-to-left text and the plain marks stay.
        for name in ["отчёт.pdf", "שלום.txt", "a\u{200F}b.png", "plain.txt"] {
            assert!(
                matches!(shown_name(name), Cow::Borrowed(n) if n == name),
                "{name}"
            );
        }
    }
}
