use super::form::FormLocalIds;
use super::{
    FormBackend, JiraBackend, Mode, TrackerBackend, TrackerTarget, UploadBackend, JIRA_MAX_BATCH,
};
use crate::core::BatchLimit;

/// What picks and configures the backend of a mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackendSettings<'a> {
    pub mode: Mode,
    pub api: &'a str,
    pub issue: &'a str,
    pub form_url: &'a str,
    pub form_field: &'a str,
    pub form_id_field: Option<&'a str>,
    /// Text fields sent before the file in `form` mode only: the other
    /// modes' bodies are fixed by their APIs.
    pub form_fields: &'a [(String, String)],
    /// Jira mode sends up to [`JIRA_MAX_BATCH`] files per request.
    pub jira_batch: bool,
}

/// Most bytes in one Jira batch. Batching pays for small files, where a
/// request's overhead is most of its cost; a large file gains nothing from
/// company and would take its partners down with it on a failure.
pub const JIRA_BATCH_BYTES: u64 = 16 << 20;

/// How many files one request of `settings.mode` carries.
pub fn batch_limit(settings: &BackendSettings<'_>) -> BatchLimit {
    if settings.mode == Mode::Jira && settings.jira_batch {
        BatchLimit {
            files: JIRA_MAX_BATCH,
            bytes: JIRA_BATCH_BYTES,
        }
    } else {
        BatchLimit::SINGLE
    }
}

/// The backend that sends one file per request in `settings.mode`. Flow
/// mode's parts go through [`super::FlowBackend`]; its single-request
/// fallback is the Tracker temporary upload it ends in. `local_number`
/// names a form answer that carries no id (`local-<n>`): the caller's entry
/// id, unique for the widget's life.
pub fn single_request_backend(
    settings: &BackendSettings<'_>,
    local_number: u64,
) -> Box<dyn UploadBackend> {
    match settings.mode {
        Mode::TrackerIssue => Box::new(TrackerBackend::new(
            settings.api,
            TrackerTarget::Issue(settings.issue.to_owned()),
        )),
        Mode::Jira => Box::new(JiraBackend::new(
            settings.api,
            settings.issue,
            settings.jira_batch,
        )),
        Mode::Form => Box::new(FormLocalIds::new(
            FormBackend::new(
                settings.form_url,
                settings.form_field,
                settings.form_id_field,
            )
            .with_fields(settings.form_fields),
            local_number,
        )),
        Mode::TrackerTemp | Mode::Flow => {
            Box::new(TrackerBackend::new(settings.api, TrackerTarget::Temporary))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Credentials;
    use crate::core::FileMeta;

    fn settings(mode: Mode) -> BackendSettings<'static> {
        BackendSettings {
            mode,
            api: "http://h",
            issue: "DEMO-1",
            form_url: "http://forms/up",
            form_field: "doc",
            form_id_field: None,
            form_fields: &[],
            jira_batch: false,
        }
    }

    #[test]
    fn only_form_mode_sends_the_pages_fields() {
        let fields = vec![("folder".to_owned(), "12".to_owned())];
        let file = FileMeta::new("a.txt", 1, "");
        for mode in Mode::ALL {
            let with_fields = BackendSettings {
                form_fields: &fields,
                ..settings(mode)
            };
            let request = single_request_backend(&with_fields, 1)
                .upload_request(&[&file], &Credentials::default());
            if mode == Mode::Form {
                assert_eq!(request.fields, fields);
            } else {
                // Tracker's and Jira's bodies are fixed by their APIs.
                assert!(request.fields.is_empty(), "{mode:?}");
            }
        }
    }

    fn url(mode: Mode) -> String {
        let file = FileMeta::new("a.txt", 1, "");
        single_request_backend(&settings(mode), 7)
            .upload_request(&[&file], &Credentials::default())
            .url
    }

    #[test]
    fn each_mode_sends_where_it_should() {
        assert_eq!(
            url(Mode::TrackerTemp),
            "http://h/v2/attachments/?filename=a.txt"
        );
        assert_eq!(url(Mode::Flow), "http://h/v2/attachments/?filename=a.txt");
        assert_eq!(
            url(Mode::TrackerIssue),
            "http://h/v2/issues/DEMO-1/attachments/?filename=a.txt"
        );
        assert_eq!(
            url(Mode::Jira),
            "http://h/rest/api/3/issue/DEMO-1/attachments"
        );
        assert_eq!(url(Mode::Form), "http://forms/up");
    }

    #[test]
    fn form_answers_without_id_get_the_local_number() {
        let file = FileMeta::new("a.txt", 1, "");
        let backend = single_request_backend(&settings(Mode::Form), 7);
        let outcome = backend.parse_upload(&[&file], 204, "");
        assert_eq!(outcome.len(), 1);
        assert_eq!(outcome[0].as_ref().map(|a| a.id.as_str()), Ok("local-7"));
    }

    #[test]
    fn only_a_batching_jira_sends_several_files_per_request() {
        for mode in [
            Mode::TrackerTemp,
            Mode::TrackerIssue,
            Mode::Flow,
            Mode::Form,
            Mode::Jira,
        ] {
            let single = BackendSettings {
                jira_batch: false,
                ..settings(mode)
            };
            assert_eq!(batch_limit(&single), BatchLimit::SINGLE, "{mode:?}");
        }
        for mode in [
            Mode::TrackerTemp,
            Mode::TrackerIssue,
            Mode::Flow,
            Mode::Form,
        ] {
            let asked = BackendSettings {
                jira_batch: true,
                ..settings(mode)
            };
            assert_eq!(batch_limit(&asked), BatchLimit::SINGLE, "{mode:?}");
        }
        let jira = BackendSettings {
            jira_batch: true,
            ..settings(Mode::Jira)
        };
        assert_eq!(batch_limit(&jira).files, 60);
        let files = [FileMeta::new("a.png", 1, ""), FileMeta::new("b.png", 2, "")];
        let request = single_request_backend(&jira, 1)
            .upload_request(&[&files[0], &files[1]], &Credentials::default());
        let fields: Vec<&str> = request
            .file_parts
            .iter()
            .map(|p| p.field.as_str())
            .collect();
        assert_eq!(fields, ["file", "file"]);
    }
}
