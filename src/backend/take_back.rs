//! Which answers may be taken back on a file's behalf. A request's answer
//! is paired with its files by name and size (Jira's), and by order where
//! that fails, so deleting "the cancelled file's attachment" is only safe
//! where that pairing cannot have gone wrong.

use crate::core::{Attachment, FileMeta};

/// Whether `attachment`, given to `files[index]` by the request's answer,
/// surely is that file's: the file was alone in its request, or it is the
/// one file of its name and size there and the attachment has that name
/// and size. Otherwise deleting it could delete a partner the user kept.
pub fn surely_owns(files: &[&FileMeta], index: usize, attachment: &Attachment) -> bool {
    let Some(file) = files.get(index) else {
        return false;
    };
    let namesakes = files
        .iter()
        .filter(|other| other.name == file.name && other.size == file.size)
        .count();
    files.len() == 1
        || (super::sent_name::names_the_file(&attachment.name, attachment.size, file)
            && namesakes == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(id: &str, name: &str, size: u64) -> Attachment {
        Attachment::named(id, name, size)
    }

    #[test]
    fn a_file_alone_in_its_request_owns_whatever_it_was_given() {
        let file = FileMeta::new("a.txt", 5, "text/plain");
        // Even renamed by the server: there was no one else to pair with.
        assert!(surely_owns(&[&file], 0, &attachment("1", "a (1).txt", 5)));
    }

    #[test]
    fn in_a_batch_only_a_unique_name_and_size_that_matches_owns() {
        let alone = FileMeta::new("alone.txt", 5, "text/plain");
        let same = FileMeta::new("same.txt", 4, "text/plain");
        let twin = FileMeta::new("same.txt", 4, "text/plain");
        let files = [&alone, &same, &twin];
        assert!(surely_owns(&files, 0, &attachment("1", "alone.txt", 5)));
        // Two of one name and size: either attachment may be either's.
        assert!(!surely_owns(&files, 1, &attachment("2", "same.txt", 4)));
        assert!(!surely_owns(&files, 2, &attachment("3", "same.txt", 4)));
        // Paired by order because the names did not match.
        assert!(!surely_owns(&files, 0, &attachment("1", "renamed.txt", 5)));
        assert!(!surely_owns(&files, 0, &attachment("1", "alone.txt", 6)));
        // An index past the request owns nothing.
        assert!(!surely_owns(&files, 3, &attachment("1", "alone.txt", 5)));
        // Named as the body carried it: `"` written `%22`.
        let quoted = FileMeta::new("say \"hi\".txt", 5, "text/plain");
        let files = [&quoted, &same];
        assert!(surely_owns(
            &files,
            0,
            &attachment("4", "say %22hi%22.txt", 5)
        ));
    }
}
