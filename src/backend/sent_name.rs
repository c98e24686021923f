//! A file's name as a multipart body carries it. Browsers write `"` as
//! `%22`, CR as `%0D` and LF as `%0A` in a part's `filename` (the HTML
//! standard's form encoding), and Jira or a form endpoint keeps the name so
//! written: its answer names `say %22hi%22.txt` for `say "hi".txt`, and
//! pairing answers with files by name must know both.

use std::borrow::Cow;

use crate::core::FileMeta;

/// `name` as a multipart `filename` carries it.
pub fn name_as_sent(name: &str) -> Cow<'_, str> {
    if !name.contains(['"', '\r', '\n']) {
        return Cow::Borrowed(name);
    }
    let mut sent = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            '"' => sent.push_str("%22"),
            '\r' => sent.push_str("%0D"),
            '\n' => sent.push_str("%0A"),
            c => sent.push(c),
        }
    }
    Cow::Owned(sent)
}

/// Whether an answer's attachment of `name` and `size` is `file` by name
/// and size: its own name, or the name as the body carried it.
pub fn names_the_file(name: &str, size: u64, file: &FileMeta) -> bool {
    size == file.size && (name == file.name || name == name_as_sent(&file.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_line_breaks_are_written_as_browsers_write_them() {
        assert_eq!(name_as_sent("plain.txt"), "plain.txt");
        assert_eq!(name_as_sent("say \"hi\".txt"), "say %22hi%22.txt");
        assert_eq!(name_as_sent("a\r\nb.txt"), "a%0D%0Ab.txt");
        // A name already holding the escape is taken as written.
        assert_eq!(name_as_sent("50%22.txt"), "50%22.txt");
    }

    #[test]
    fn an_answer_names_the_file_by_either_name_and_its_size() {
        let file = FileMeta::new("say \"hi\".txt", 5, "text/plain");
        assert!(names_the_file("say \"hi\".txt", 5, &file));
        assert!(names_the_file("say %22hi%22.txt", 5, &file));
        assert!(!names_the_file("say %22hi%22.txt", 6, &file));
        assert!(!names_the_file("say hi.txt", 5, &file));
    }
}
