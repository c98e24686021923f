/// Which API the widget speaks: the `mode` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Tracker T1: temporary files whose ids the page attaches later.
    #[default]
    TrackerTemp,
    /// Tracker T2: straight onto the issue named by `issue`.
    TrackerIssue,
    /// Jira J1: onto the issue named by `issue`.
    Jira,
    /// The Flow.js part protocol (§3 of the API contract).
    Flow,
    /// A plain multipart POST to any URL.
    Form,
}

impl Mode {
    /// Every mode, in the order the docs list them.
    pub const ALL: [Mode; 5] = [
        Mode::TrackerTemp,
        Mode::TrackerIssue,
        Mode::Jira,
        Mode::Flow,
        Mode::Form,
    ];

    /// The attribute word.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::TrackerTemp => "tracker-temp",
            Mode::TrackerIssue => "tracker-issue",
            Mode::Jira => "jira",
            Mode::Flow => "flow",
            Mode::Form => "form",
        }
    }

    /// Parses the `mode` attribute; unknown words are `None` so the caller can
    /// warn and keep the default rather than guess.
    pub fn parse(text: &str) -> Option<Self> {
        let word = text.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|mode| mode.as_str() == word)
    }

    /// Modes that cannot upload before an issue key is known.
    pub fn needs_issue(self) -> bool {
        matches!(self, Mode::TrackerIssue | Mode::Jira)
    }

    /// Modes whose uploads are temporary attachments the page attaches
    /// later: the widget keeps their ids (and lists them for the host).
    pub fn keeps_attachments(self) -> bool {
        matches!(self, Mode::TrackerTemp | Mode::Flow)
    }

    /// Modes that can attach kept temporary files to an issue: those that
    /// speak the Tracker API (Flow's parts end as Tracker temporary
    /// files). Files kept before a switch to `tracker-issue` still go onto
    /// the issue; Jira and a form's endpoint know nothing of them.
    pub fn attaches_kept(self) -> bool {
        matches!(self, Mode::TrackerTemp | Mode::TrackerIssue | Mode::Flow)
    }

    /// Modes whose finished uploads the user may delete from the issue
    /// again (T6, J6): those that attach straight onto an issue.
    pub fn deletes_from_issue(self) -> bool {
        matches!(self, Mode::TrackerIssue | Mode::Jira)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for mode in Mode::ALL {
            assert_eq!(Mode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(
            Mode::ALL.map(Mode::as_str),
            ["tracker-temp", "tracker-issue", "jira", "flow", "form"]
        );
    }

    #[test]
    fn parse_trims_and_ignores_case() {
        assert_eq!(Mode::parse(" Tracker-Issue\n"), Some(Mode::TrackerIssue));
        assert_eq!(Mode::parse("JIRA"), Some(Mode::Jira));
    }

    #[test]
    fn unknown_words_are_none() {
        for word in ["", "tracker", "tracker_temp", "s3", "flow.js"] {
            assert_eq!(Mode::parse(word), None, "{word:?}");
        }
        assert_eq!(Mode::default(), Mode::TrackerTemp);
    }

    #[test]
    fn issue_modes() {
        assert!(Mode::Jira.needs_issue());
        assert!(Mode::TrackerIssue.needs_issue());
        assert!(!Mode::TrackerTemp.needs_issue());
        assert!(!Mode::Flow.needs_issue());
        assert!(!Mode::Form.needs_issue());
    }

    #[test]
    fn temporary_modes_keep_their_attachments() {
        let keeping: Vec<Mode> = Mode::ALL
            .into_iter()
            .filter(|m| m.keeps_attachments())
            .collect();
        assert_eq!(keeping, [Mode::TrackerTemp, Mode::Flow]);
    }

    #[test]
    fn tracker_api_modes_attach_what_was_kept() {
        let attaching: Vec<Mode> = Mode::ALL
            .into_iter()
            .filter(|m| m.attaches_kept())
            .collect();
        assert_eq!(
            attaching,
            [Mode::TrackerTemp, Mode::TrackerIssue, Mode::Flow]
        );
        // Every mode that keeps files can attach them.
        assert!(Mode::ALL
            .into_iter()
            .all(|m| !m.keeps_attachments() || m.attaches_kept()));
    }

    #[test]
    fn only_modes_that_attach_to_an_issue_delete_from_it() {
        let deleting: Vec<Mode> = Mode::ALL
            .into_iter()
            .filter(|m| m.deletes_from_issue())
            .collect();
        assert_eq!(deleting, [Mode::TrackerIssue, Mode::Jira]);
    }
}
