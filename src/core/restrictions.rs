use std::collections::HashSet;
use std::fmt;

use super::{Attachment, FileMeta, Locale};

/// Tracker's documented per-file limit ("1024 Mb").
pub const TRACKER_MAX_FILE_BYTES: u64 = 1 << 30;

/// What a file must satisfy before a single byte is sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Restrictions {
    pub max_file_size: Option<u64>,
    pub min_file_size: Option<u64>,
    /// Files in the list at once, refused ones not counted.
    pub max_files: Option<usize>,
    /// Bytes over every file in the list.
    pub max_total_size: Option<u64>,
    /// `accept` rules: `.ext`, `type/*` or `type/subtype`; empty accepts all.
    pub accept: Vec<String>,
    pub reject_duplicates: bool,
}

impl Default for Restrictions {
    fn default() -> Self {
        Self {
            max_file_size: Some(TRACKER_MAX_FILE_BYTES),
            min_file_size: None,
            max_files: None,
            max_total_size: None,
            accept: Vec::new(),
            reject_duplicates: true,
        }
    }
}

/// Why a file was refused; the UI turns each into a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    TooLarge {
        size: u64,
        max: u64,
    },
    TooSmall {
        size: u64,
        min: u64,
    },
    TooManyFiles {
        max: usize,
    },
    TotalTooLarge {
        max: u64,
    },
    TypeNotAccepted {
        accept: String,
    },
    Duplicate,
    /// The host's own check refused it (`before_add`), with the host's
    /// reason, one line of text, or none for the generic words.
    ByHost {
        reason: Option<String>,
    },
}

/// English, for logs and the API; the widget shows [`Locale::refusal`] in
/// the reader's language.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Locale::En.refusal(self))
    }
}

/// The MIME type for extensions that browsers often report empty or wrong
/// (CSV on Windows, HEIC everywhere), so `accept="image/*"` still takes a
/// HEIC photo whose `File.type` is "".
fn mime_from_extension(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        "csv" => "text/csv",
        "txt" | "log" => "text/plain",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        _ => return None,
    })
}

fn mime_matches(rule: &str, mime: &str) -> bool {
    match rule.strip_suffix("/*") {
        Some(major) => mime
            .split_once('/')
            .is_some_and(|(m, _)| m.eq_ignore_ascii_case(major)),
        None => rule.eq_ignore_ascii_case(mime),
    }
}

/// Whether `file` matches an `accept` list, by extension or by MIME type;
/// the browser's MIME and the one implied by the extension both count,
/// because either may be missing or wrong.
pub fn accepts(accept: &[String], file: &FileMeta) -> bool {
    if accept.is_empty() {
        return true;
    }
    let name = file.name.to_ascii_lowercase();
    let declared = file.mime.split(';').next().unwrap_or("").trim();
    let implied = mime_from_extension(&file.name).unwrap_or("");
    accept.iter().map(|r| r.trim()).any(|rule| {
        if rule.is_empty() {
            false
        } else if rule.starts_with('.') {
            name.ends_with(&rule.to_ascii_lowercase())
        } else if rule == "*" || rule == "*/*" {
            true
        } else {
            (!declared.is_empty() && mime_matches(rule, declared))
                || (!implied.is_empty() && mime_matches(rule, implied))
        }
    })
}

/// Whether `rule` is one a file input's `accept` takes: `.ext`, `*`, or
/// `type/subtype` (either part may be `*`). Anything else ("5", "pdf",
/// "image") would match no file, so a widget given only such rules would
/// refuse everything.
pub fn is_accept_rule(rule: &str) -> bool {
    let rule = rule.trim();
    let plain =
        |part: &str| !part.is_empty() && !part.contains(|c: char| c.is_whitespace() || c == '/');
    if let Some(extension) = rule.strip_prefix('.') {
        return plain(extension);
    }
    rule == "*"
        || rule
            .split_once('/')
            .is_some_and(|(kind, sub)| plain(kind) && plain(sub))
}

/// Splits an `accept` attribute value into rules.
pub fn parse_accept(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect()
}

/// What the count, total-size and duplicate rules need to know of the files
/// already listed, kept up to date as files arrive so that a drop of
/// thousands checks each file in constant time.
#[derive(Clone, Debug, Default)]
pub struct ListedFiles {
    count: usize,
    total_size: u64,
    keys: HashSet<DuplicateKey>,
    /// Name and size of the kept attachments no row stands for (restored
    /// after a reload, or their row removed): all a stored attachment
    /// tells of its file.
    kept: HashSet<(String, u64)>,
}

/// Same name, size, modification time and folder path: the same file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct DuplicateKey {
    name: String,
    size: u64,
    last_modified: u64,
    relative_path: Option<String>,
}

impl DuplicateKey {
    fn of(file: &FileMeta) -> Self {
        Self {
            name: file.name.clone(),
            size: file.size,
            last_modified: file.last_modified.to_bits(),
            relative_path: file.relative_path.clone(),
        }
    }
}

impl ListedFiles {
    pub fn new<'a>(files: impl IntoIterator<Item = &'a FileMeta>) -> Self {
        let mut listed = Self::default();
        for file in files {
            listed.push(file);
        }
        listed
    }

    pub fn push(&mut self, file: &FileMeta) {
        self.count += 1;
        self.total_size = self.total_size.saturating_add(file.size);
        self.keys.insert(DuplicateKey::of(file));
    }

    /// A kept attachment, already uploaded: it takes a place and its size
    /// as any listed file does, and a file of its name and size (not from
    /// a folder) is taken for it (a second copy would go onto the issue).
    pub fn push_kept(&mut self, attachment: &Attachment) {
        self.count += 1;
        self.total_size = self.total_size.saturating_add(attachment.size);
        self.kept.insert((attachment.name.clone(), attachment.size));
    }

    /// A kept attachment a listed row stands for: counted with that row,
    /// but its name and size refuse a copy as they will after a reload,
    /// when the row is gone and the name and size are all that is known.
    pub fn push_kept_shown(&mut self, attachment: &Attachment) {
        self.kept.insert((attachment.name.clone(), attachment.size));
    }

    /// A file from a folder is told apart by its path, which a kept
    /// attachment does not keep: two folders' `__init__.py` are two files.
    fn contains(&self, file: &FileMeta) -> bool {
        self.keys.contains(&DuplicateKey::of(file))
            || (file.relative_path.is_none()
                && !self.kept.is_empty()
                && self.kept.contains(&(file.name.clone(), file.size)))
    }
}

impl Restrictions {
    /// Checks one arriving file against the files already listed (not
    /// counting refused, cancelled or failed ones).
    pub fn check<F: std::borrow::Borrow<FileMeta>>(
        &self,
        file: &FileMeta,
        listed: &[F],
    ) -> Result<(), Refusal> {
        self.check_listed(file, &ListedFiles::new(listed.iter().map(|f| f.borrow())))
    }

    /// [`Self::check`] against a running summary of the listed files.
    pub fn check_listed(&self, file: &FileMeta, listed: &ListedFiles) -> Result<(), Refusal> {
        if let Some(max) = self.max_file_size {
            if file.size > max {
                return Err(Refusal::TooLarge {
                    size: file.size,
                    max,
                });
            }
        }
        if let Some(min) = self.min_file_size {
            if file.size < min {
                return Err(Refusal::TooSmall {
                    size: file.size,
                    min,
                });
            }
        }
        if !accepts(&self.accept, file) {
            return Err(Refusal::TypeNotAccepted {
                accept: self.accept.join(", "),
            });
        }
        if self.reject_duplicates && listed.contains(file) {
            return Err(Refusal::Duplicate);
        }
        if let Some(max) = self.max_files {
            if listed.count >= max {
                return Err(Refusal::TooManyFiles { max });
            }
        }
        if let Some(max) = self.max_total_size {
            if listed.total_size.saturating_add(file.size) > max {
                return Err(Refusal::TotalTooLarge { max });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64, mime: &str) -> FileMeta {
        FileMeta::new(name, size, mime)
    }

    #[test]
    fn default_is_the_tracker_limit() {
        let r = Restrictions::default();
        assert_eq!(r.check::<FileMeta>(&file("a", 1 << 30, ""), &[]), Ok(()));
        assert_eq!(
            r.check::<FileMeta>(&file("a", (1 << 30) + 1, ""), &[]),
            Err(Refusal::TooLarge {
                size: (1 << 30) + 1,
                max: 1 << 30
            })
        );
    }

    #[test]
    fn min_size() {
        let r = Restrictions {
            min_file_size: Some(1),
            ..Restrictions::default()
        };
        assert_eq!(
            r.check::<FileMeta>(&file("empty", 0, ""), &[]),
            Err(Refusal::TooSmall { size: 0, min: 1 })
        );
    }

    #[test]
    fn accept_by_mime_extension_and_wildcard() {
        let accept = parse_accept("image/*, .csv ,application/pdf");
        assert!(accepts(&accept, &file("a.PNG", 1, "image/png")));
        // HEIC with no MIME from the browser: the extension implies image/heic.
        assert!(accepts(&accept, &file("IMG_0001.HEIC", 1, "")));
        // CSV reported by Windows as Excel: the extension rule takes it.
        assert!(accepts(
            &accept,
            &file("report.csv", 1, "application/vnd.ms-excel")
        ));
        assert!(accepts(
            &accept,
            &file("x.bin", 1, "application/pdf; charset=binary")
        ));
        assert!(!accepts(&accept, &file("notes.txt", 1, "text/plain")));
        assert!(!accepts(&accept, &file("noext", 1, "")));
        assert!(accepts(&[], &file("anything", 1, "")));
        assert!(accepts(&parse_accept("*/*"), &file("anything", 1, "")));
    }

    #[test]
    fn accept_rules_are_the_ones_a_file_input_takes() {
        for rule in [
            ".pdf",
            ".tar.gz",
            "image/*",
            "application/pdf",
            "*/*",
            "*",
            " .csv ",
        ] {
            assert!(is_accept_rule(rule), "{rule}");
        }
        for rule in [
            "5",
            "pdf",
            "image",
            ".",
            "image/",
            "/png",
            "a/b/c",
            ". pdf",
            "text /plain",
        ] {
            assert!(!is_accept_rule(rule), "{rule}");
        }
    }

    #[test]
    fn refuses_type_with_the_rules_named() {
        let r = Restrictions {
            accept: parse_accept(".png,.jpg"),
            ..Restrictions::default()
        };
        let err = r
            .check::<FileMeta>(&file("a.gif", 1, "image/gif"), &[])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "This type of file is not accepted (allowed: .png, .jpg)"
        );
    }

    #[test]
    fn count_total_and_duplicates() {
        let r = Restrictions {
            max_files: Some(2),
            max_total_size: Some(100),
            ..Restrictions::default()
        };
        let a = file("a", 40, "");
        let b = file("b", 40, "");
        assert_eq!(r.check(&file("a", 40, ""), &[&a]), Err(Refusal::Duplicate));
        assert_eq!(
            r.check(&file("c", 30, ""), &[&a, &b]),
            Err(Refusal::TooManyFiles { max: 2 })
        );
        assert_eq!(
            r.check(&file("c", 61, ""), &[&a]),
            Err(Refusal::TotalTooLarge { max: 100 })
        );
        assert_eq!(r.check(&file("c", 60, ""), &[&a]), Ok(()));
        // Same name and size but another modification time is another file.
        let mut later = file("a", 40, "");
        later.last_modified = 5.0;
        assert_eq!(r.check(&later, &[&a]), Ok(()));
    }

    #[test]
    fn refusals_read_in_units() {
        let text = Refusal::TooLarge {
            size: 3 << 30,
            max: 1 << 30,
        }
        .to_string();
        assert_eq!(text, "Too large: 3.0\u{a0}GB (at most 1.0\u{a0}GB)");
    }
}
