//! The host's own check of each arriving file (Uppy's `onBeforeFileAdded`,
//! FilePond's `beforeAddFile`): what its verdict means for the file. The
//! check runs before the restrictions, so a file the host refuses takes no
//! place under `max-files` or `max-total-size`.

use super::Refusal;

/// What the host said of one file: `Ok` takes it; `Err` refuses it, with
/// the host's reason to show or, for `None`, the generic words.
pub type HostVerdict = Result<(), Option<String>>;

/// The longest host reason shown, in characters: a row's status line, not
/// a page of text.
pub const HOST_REASON_MAX_CHARS: usize = 200;

/// What a page's JavaScript check returned, as the element reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostAnswer {
    /// `true` or `undefined` (a function that returns nothing).
    Take,
    /// `false`.
    Refuse,
    /// A string: refused for that reason.
    RefuseWith(String),
    /// A promise: the check is asked synchronously, so it has no answer
    /// yet. Likely an `async` function written for a check meant to keep
    /// files out (as `authorization` may be async): taking the file would
    /// let in what it exists to refuse.
    Pending,
    /// It threw, or returned anything else (a number, an object).
    Unusable,
}

impl HostAnswer {
    /// The verdict it stands for. An unusable answer takes the file: a bug
    /// in the host's check must not lose the user's files without a word
    /// (the element warns on the console instead). A pending answer
    /// refuses it, with the generic words: see [`HostAnswer::Pending`].
    pub fn verdict(self) -> HostVerdict {
        match self {
            HostAnswer::Take | HostAnswer::Unusable => Ok(()),
            HostAnswer::Refuse | HostAnswer::Pending => Err(None),
            HostAnswer::RefuseWith(reason) => Err(Some(reason)),
        }
    }
}

/// The refusal a verdict makes, if any, with the reason made fit for a
/// row ([`host_reason`]).
pub fn host_refusal(verdict: HostVerdict) -> Option<Refusal> {
    match verdict {
        Ok(()) => None,
        Err(reason) => Some(Refusal::ByHost {
            reason: reason.and_then(|r| host_reason(&r)),
        }),
    }
}

/// The host's reason as one line of at most [`HOST_REASON_MAX_CHARS`]
/// characters: runs of white space (new lines included) become one space,
/// and a longer reason is cut with an ellipsis. A blank reason is none, so
/// the generic words show rather than an empty status.
pub fn host_reason(reason: &str) -> Option<String> {
    let mut line = String::new();
    let mut taken = 0;
    for word in reason.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
            taken += 1;
        }
        line.push_str(word);
        taken += word.chars().count();
        if taken > HOST_REASON_MAX_CHARS {
            break;
        }
    }
    if line.is_empty() {
        return None;
    }
    if line.chars().count() > HOST_REASON_MAX_CHARS {
        let mut cut: String = line.chars().take(HOST_REASON_MAX_CHARS - 1).collect();
        cut.truncate(cut.trim_end().len());
        cut.push('…');
        return Some(cut);
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_verdicts() {
        assert_eq!(HostAnswer::Take.verdict(), Ok(()));
        assert_eq!(HostAnswer::Refuse.verdict(), Err(None));
        assert_eq!(
            HostAnswer::RefuseWith("No executables".into()).verdict(),
            Err(Some("No executables".into()))
        );
        // A broken check takes the file rather than lose it.
        assert_eq!(HostAnswer::Unusable.verdict(), Ok(()));
        // An async check has no answer yet: refused, not let in.
        assert_eq!(HostAnswer::Pending.verdict(), Err(None));
    }

    #[test]
    fn verdicts_make_refusals() {
        assert_eq!(host_refusal(Ok(())), None);
        assert_eq!(
            host_refusal(Err(None)),
            Some(Refusal::ByHost { reason: None })
        );
        assert_eq!(
            host_refusal(Err(Some("  Already on DEMO-1 ".into()))),
            Some(Refusal::ByHost {
                reason: Some("Already on DEMO-1".into())
            })
        );
        // A blank reason says nothing: the generic words show.
        assert_eq!(
            host_refusal(Err(Some(" \n ".into()))),
            Some(Refusal::ByHost { reason: None })
        );
    }

    #[test]
    fn reasons_are_one_line_and_cut() {
        assert_eq!(
            host_reason("Too\nmany\t\tfiles").as_deref(),
            Some("Too many files")
        );
        let long = "я".repeat(500);
        let cut = host_reason(&long).unwrap();
        assert_eq!(cut.chars().count(), HOST_REASON_MAX_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "a".repeat(HOST_REASON_MAX_CHARS);
        assert_eq!(host_reason(&exact).as_deref(), Some(exact.as_str()));
    }

    #[test]
    fn reasons_stay_text() {
        // Markup is kept as written: the row shows it as text, never HTML.
        assert_eq!(
            host_reason("<b>no</b> &amp;").as_deref(),
            Some("<b>no</b> &amp;")
        );
    }
}
