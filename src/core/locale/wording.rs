//! What the widget says: a language's built-in table with the host's own
//! wording over it. Every message the UI shows goes through here, so an
//! override reaches the drop zone, the rows, the summary, the buttons'
//! names and the live region alike.

use std::fmt;
use std::rc::Rc;

use super::custom::{CustomStrings, CustomText};
use super::keys::Key;
use super::template::fill;
use super::{Announcement, Language, Locale, Messages, PluralCategory};
use crate::core::{scale_bytes, Refusal, ScaledBytes, UploadError};

/// A plural rule for a language without a built-in table (the browser's
/// `Intl.PluralRules` in the widget).
#[derive(Clone)]
pub struct PluralRule(Rc<dyn Fn(f64) -> PluralCategory>);

impl PluralRule {
    pub fn new(rule: impl Fn(f64) -> PluralCategory + 'static) -> Self {
        PluralRule(Rc::new(rule))
    }
}

impl fmt::Debug for PluralRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PluralRule")
    }
}

/// A language and the host's wording: cheap to clone, as the view reads
/// it from a signal.
#[derive(Clone, Debug, Default)]
pub struct Wording {
    language: Language,
    custom: Option<Rc<CustomStrings>>,
    /// Plural categories for a language without a built-in table; without
    /// one, every count takes the `other` form.
    rule: Option<PluralRule>,
}

impl From<Locale> for Wording {
    fn from(locale: Locale) -> Self {
        Wording {
            language: locale.into(),
            custom: None,
            rule: None,
        }
    }
}

impl Wording {
    pub fn new(
        language: Language,
        custom: Option<Rc<CustomStrings>>,
        rule: Option<PluralRule>,
    ) -> Self {
        Wording {
            language,
            custom: custom.filter(|c| !c.is_empty()),
            rule,
        }
    }

    pub fn language(&self) -> &Language {
        &self.language
    }

    /// The tag for the `lang` attribute: the language asked for, unless
    /// the host gave no words of it, and every word shown is the built-in
    /// table's (English for `de`): a screen reader would read English
    /// text with German pronunciation.
    pub fn tag(&self) -> &str {
        if self.language.is_built_in() || self.custom.is_some() {
            self.language.tag()
        } else {
            self.language.table().tag()
        }
    }

    /// The direction of the words shown, for the `dir` attribute: right
    /// to left only for a right-to-left language the host gave words of.
    /// English text on a Hebrew page stays left to right, or its sizes
    /// read "MB 5.0" and its sentences end at the wrong side.
    pub fn dir(&self) -> &'static str {
        // With the old codes of Hebrew and Yiddish (`iw`, `ji`).
        const RIGHT_TO_LEFT: [&str; 12] = [
            "ar", "ckb", "dv", "fa", "he", "iw", "ji", "ps", "sd", "ug", "ur", "yi",
        ];
        let tag = self.tag();
        let primary = tag.split('-').next().unwrap_or(tag);
        let script = tag.split('-').nth(1).filter(|s| s.len() == 4);
        let rtl = match script {
            // A script subtag decides: `ar-Latn` is written left to right.
            Some(script) => ["Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm"]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(script)),
            None => RIGHT_TO_LEFT
                .iter()
                .any(|l| l.eq_ignore_ascii_case(primary)),
        };
        if rtl {
            "rtl"
        } else {
            "ltr"
        }
    }

    fn messages(&self) -> &'static Messages {
        self.language.table().messages()
    }

    /// The plural category of `n` in this language.
    pub fn plural(&self, n: f64) -> PluralCategory {
        match &self.rule {
            _ if self.language.is_built_in() => self.language.table().plural(n),
            Some(PluralRule(rule)) => rule(n),
            None => PluralCategory::Other,
        }
    }

    /// The host's text for `key` filled with `values` (in the key's
    /// placeholder order; for a counted message the first is the count,
    /// given as `count` too to choose the plural form).
    fn custom(&self, key: Key, count: Option<usize>, values: &[&str]) -> Option<String> {
        let template = match self.custom.as_deref()?.get(key)? {
            CustomText::Template(template) => template.as_str(),
            CustomText::Plural(forms) => forms.pick(self.plural(count.unwrap_or(0) as f64)),
            CustomText::Units(_) => return None,
        };
        Some(fill(template, key.spec().placeholders, values))
    }

    /// A fixed text.
    pub fn text(&self, key: Key) -> String {
        self.custom(key, None, &[])
            .or_else(|| self.name_from_shown_words(key, &[]))
            .unwrap_or_else(|| key.builtin_text(self.messages()).to_owned())
    }

    /// A sentence with values: the host's template, or the built-in.
    pub fn say(
        &self,
        key: Key,
        values: &[&str],
        builtin: impl FnOnce(&'static Messages) -> String,
    ) -> String {
        self.custom(key, None, values)
            .or_else(|| self.name_from_shown_words(key, values))
            .unwrap_or_else(|| builtin(self.messages()))
    }

    /// A control's accessible name the host did not word, where it worded
    /// the words the control shows: those words (and the file's name), not
    /// the built-in table's sentence. Voice control finds a control by the
    /// words it shows (WCAG 2.5.3), and an English name inside an Arabic
    /// widget is read with an Arabic voice.
    fn name_from_shown_words(&self, key: Key, values: &[&str]) -> Option<String> {
        let custom = self.custom.as_deref()?;
        let worded = |shown: Key| custom.get(shown).is_some();
        let shown = match key {
            Key::DropZoneLabel if worded(Key::DropHere) || worded(Key::Browse) => {
                return Some(format!(
                    "{}{}",
                    self.text(Key::DropHere),
                    self.text(Key::Browse)
                ));
            }
            Key::CancelFile => Key::Cancel,
            Key::RetryFile => Key::Retry,
            Key::RetryNowFile => Key::RetryNow,
            Key::RemoveFile | Key::RemoveKept => Key::Remove,
            Key::DeleteFile => Key::DeleteFromIssue,
            _ => return None,
        };
        let name = values.first()?;
        worded(shown).then(|| format!("{} {name}", self.text(shown)))
    }

    /// A sentence about `n` things (the first of its values): the host's
    /// template or plural form for `n`, or the built-in.
    pub fn count(
        &self,
        key: Key,
        n: usize,
        values: &[&str],
        builtin: impl FnOnce(&'static Messages) -> String,
    ) -> String {
        let counted = n.to_string();
        let mut all = Vec::with_capacity(values.len() + 1);
        all.push(counted.as_str());
        all.extend_from_slice(values);
        self.custom(key, Some(n), &all)
            .unwrap_or_else(|| builtin(self.messages()))
    }

    /// Byte units, B to PB.
    fn units(&self) -> [&str; 6] {
        match self.custom.as_deref().and_then(|c| c.get(Key::ByteUnits)) {
            Some(CustomText::Units(units)) => units.each_ref().map(String::as_str),
            _ => self.messages().byte_units,
        }
    }

    /// A byte count as a person reads it: `1.5 MB`, `1,5 МБ`. Units of
    /// 1024, as file managers show them; one decimal below ten.
    pub fn bytes(&self, bytes: u64) -> String {
        let [_, units @ ..] = self.units();
        // Integer arithmetic: `{:.1}` of an f64 pulls float formatting
        // (~7 KB of gzip) into the wasm.
        let Some(ScaledBytes { unit, whole, tenth }) = scale_bytes(bytes, units.len()) else {
            // Grouped as an exact count is ("1,001 B" beside "1,537 B").
            return self.exact_bytes(bytes);
        };
        let name = units.get(unit).copied().unwrap_or_default();
        // A no-break space: a narrow row wraps "5.7 / KB" otherwise.
        match tenth {
            Some(t) => format!("{whole}{}{t}\u{a0}{name}", self.text(Key::DecimalSeparator)),
            None => format!("{whole}\u{a0}{name}"),
        }
    }

    /// Two byte counts that differ, as people read them; exact when rounded
    /// they would read the same ("Too large: 50 MB (at most 50 MB)").
    fn bytes_apart(&self, a: u64, b: u64) -> (String, String) {
        let (shown_a, shown_b) = (self.bytes(a), self.bytes(b));
        if shown_a != shown_b || a == b {
            return (shown_a, shown_b);
        }
        (self.exact_bytes(a), self.exact_bytes(b))
    }

    /// A byte count to the byte, its digits grouped: `52,428,801 B`.
    fn exact_bytes(&self, bytes: u64) -> String {
        let separator = self.text(Key::GroupSeparator);
        let digits = bytes.to_string();
        let mut grouped = String::with_capacity(digits.len() * 2);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push_str(&separator);
            }
            grouped.push(digit);
        }
        let [b, ..] = self.units();
        format!("{grouped}\u{a0}{b}")
    }

    /// A time left as a person reads it: `2 min 5 s`, `2 мин 5 с`.
    pub fn duration(&self, seconds: f64) -> String {
        if !seconds.is_finite() || seconds < 0.0 {
            return self.text(Key::NoTime);
        }
        let total = seconds.ceil() as u64;
        let (h, min, s) = (total / 3600, (total % 3600) / 60, total % 60);
        let (hu, mu, su) = (
            self.text(Key::Hours),
            self.text(Key::Minutes),
            self.text(Key::Seconds),
        );
        match (h, min) {
            // Each number kept with its unit, as sizes are.
            (0, 0) => format!("{s}\u{a0}{su}"),
            (0, _) if s == 0 => format!("{min}\u{a0}{mu}"),
            (0, _) => format!("{min}\u{a0}{mu} {s}\u{a0}{su}"),
            _ if min == 0 => format!("{h}\u{a0}{hu}"),
            _ => format!("{h}\u{a0}{hu} {min}\u{a0}{mu}"),
        }
    }

    /// Why a file was refused, in words.
    pub fn refusal(&self, refusal: &Refusal) -> String {
        match refusal {
            Refusal::TooLarge { size, max } => {
                let (size, max) = self.bytes_apart(*size, *max);
                self.say(Key::TooLarge, &[&size, &max], |m| {
                    (m.too_large)(&size, &max)
                })
            }
            Refusal::TooSmall { size, min } => {
                let (size, min) = self.bytes_apart(*size, *min);
                self.say(Key::TooSmall, &[&size, &min], |m| {
                    (m.too_small)(&size, &min)
                })
            }
            Refusal::TooManyFiles { max } => {
                self.count(Key::TooManyFiles, *max, &[], |m| (m.too_many_files)(*max))
            }
            Refusal::TotalTooLarge { max } => {
                let max = self.bytes(*max);
                self.say(Key::TotalTooLarge, &[&max], |m| (m.total_too_large)(&max))
            }
            Refusal::TypeNotAccepted { accept } => self.say(Key::TypeNotAccepted, &[accept], |m| {
                (m.type_not_accepted)(accept)
            }),
            Refusal::Duplicate => self.text(Key::Duplicate),
            // The host wrote its reason in the page's language already.
            Refusal::ByHost {
                reason: Some(reason),
            } => reason.clone(),
            Refusal::ByHost { reason: None } => self.text(Key::RefusedByHost),
        }
    }

    /// Why a file did not upload. Details from the browser and messages from
    /// the server stay as they came.
    pub fn error(&self, error: &UploadError) -> String {
        match error {
            UploadError::Network(detail) => {
                self.say(Key::NetworkError, &[detail], |m| (m.network_error)(detail))
            }
            UploadError::Http { status, message } if message.trim().is_empty() => {
                let shown = status.to_string();
                self.say(Key::HttpStatus, &[&shown], |m| (m.http_status)(*status))
            }
            UploadError::Http { status, message } => format!("{message} (HTTP {status})"),
            UploadError::InvalidResponse(detail) => {
                self.say(Key::InvalidResponse, &[detail], |m| {
                    (m.invalid_response)(detail)
                })
            }
            UploadError::Cancelled => self.text(Key::Cancelled),
            UploadError::Browser(detail) => {
                self.say(Key::BrowserError, &[detail], |m| (m.browser_error)(detail))
            }
            UploadError::NeedsIssue { mode } => {
                self.say(Key::NeedsIssue, &[mode], |m| (m.needs_issue)(mode))
            }
            UploadError::KeptExpired { count } => {
                self.count(Key::KeptExpired, *count, &[], |m| (m.kept_expired)(*count))
            }
            UploadError::NoIssueKey => self.text(Key::NoIssueKey),
            UploadError::AttachRunning => self.text(Key::AttachRunning),
            UploadError::Stalled { seconds } => {
                let n = *seconds as usize;
                self.count(Key::Stalled, n, &[], |m| (m.stalled)(*seconds))
            }
            UploadError::NotStarted { seconds } => {
                let n = *seconds as usize;
                self.count(Key::NotStarted, n, &[], |m| (m.not_started)(*seconds))
            }
            UploadError::FileChanged => self.text(Key::FileChanged),
            UploadError::NotTakenBack {
                reason: Some(reason),
            } => {
                let reason = self.error(reason);
                self.say(Key::NotTakenBack, &[&reason], |m| {
                    (m.not_taken_back)(&reason)
                })
            }
            UploadError::NotTakenBack { reason: None } => self.text(Key::NotTakenBackUnknown),
            UploadError::AnswerLost(lost) => {
                let lost = self.error(lost);
                self.say(Key::AnswerLost, &[&lost], |m| (m.answer_lost)(&lost))
            }
            UploadError::Refused(refusal) => self.refusal(refusal),
            UploadError::NotDeleted(reason) => {
                let reason = self.error(reason);
                self.say(Key::NotDeleted, &[&reason], |m| (m.not_deleted)(&reason))
            }
            UploadError::NothingToDelete => self.text(Key::NothingToDelete),
            UploadError::NoComments { mode } => {
                self.say(Key::NoComments, &[mode], |m| (m.no_comments)(mode))
            }
            UploadError::DeleteRunning => self.text(Key::DeleteRunning),
        }
    }

    /// The news of one moment, one sentence after another.
    pub fn announcements(&self, news: &[Announcement]) -> String {
        let sentences: Vec<String> = news.iter().map(|n| self.announcement(n)).collect();
        sentences.join(". ")
    }

    /// A sentence for the screen-reader live region.
    pub fn announcement(&self, announcement: &Announcement) -> String {
        let files = |key: Key, n: usize, builtin: fn(&Messages) -> fn(usize) -> String| {
            self.count(key, n, &[], |m| builtin(m)(n))
        };
        match announcement {
            Announcement::FilesAdded(count) => files(Key::FilesAdded, *count, |m| m.files_added),
            Announcement::Uploaded { name } => {
                self.say(Key::FileUploaded, &[name], |m| (m.file_uploaded)(name))
            }
            Announcement::UploadedMany(count) => {
                files(Key::FilesUploaded, *count, |m| m.files_uploaded)
            }
            Announcement::FailedMany(count) => files(Key::FilesFailed, *count, |m| m.files_failed),
            Announcement::Failed { name, error } => {
                let error = self.error(error);
                self.say(Key::FileFailed, &[name, &error], |m| {
                    (m.file_failed)(name, &error)
                })
            }
            Announcement::Retrying(count) => {
                files(Key::FilesRetrying, *count, |m| m.files_retrying)
            }
            Announcement::Removed(count) => files(Key::FilesRemoved, *count, |m| m.files_removed),
            Announcement::Cancelled(count) => {
                files(Key::FilesCancelled, *count, |m| m.files_cancelled)
            }
            Announcement::FolderRead {
                added,
                unreadable: 0,
            } => files(Key::FilesAdded, *added, |m| m.files_added),
            // What could not be read, after the files were counted with
            // the drop's (`LiveNews`).
            Announcement::FolderRead {
                added: 0,
                unreadable,
            } => files(Key::Unreadable, *unreadable, |m| m.unreadable),
            Announcement::WentOffline => self.text(Key::Offline),
            Announcement::BackOnline => self.text(Key::BackOnline),
            Announcement::Deleted { name, issue } => {
                self.say(Key::FileDeleted, &[name, issue], |m| {
                    (m.file_deleted)(name, issue)
                })
            }
            Announcement::NotDeleted { name, error } => {
                // The reason alone: the sentence says already that the
                // file was not deleted.
                let reason = match error {
                    UploadError::NotDeleted(reason) => reason.as_ref(),
                    other => other,
                };
                let error = self.error(reason);
                self.say(Key::FileNotDeleted, &[name, &error], |m| {
                    (m.file_not_deleted)(name, &error)
                })
            }
            Announcement::FolderRead { added, unreadable } => {
                format!(
                    "{}. {}",
                    files(Key::FilesAdded, *added, |m| m.files_added),
                    files(Key::Unreadable, *unreadable, |m| m.unreadable)
                )
            }
        }
    }
}
