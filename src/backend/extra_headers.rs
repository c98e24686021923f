//! Headers the page adds to every request (`X-CSRFToken` for Django,
//! `X-CSRF-Token` for Rails and Laravel): which of them may go out. A
//! refused one is left out of every request and told by name only: its
//! value may be a secret.

use std::fmt;

/// The longest name taken: a header name is a word, not a payload.
const MAX_NAME_BYTES: usize = 256;

/// Names the widget sets itself; a second value would be sent beside its
/// own (or replace it), and the server would read either.
const OWNED: [&str; 6] = [
    "authorization",
    "content-type",
    // The attach request's own precondition.
    "if-match",
    "x-org-id",
    "x-cloud-org-id",
    "x-atlassian-token",
];

/// The Fetch standard's forbidden request-header names: the browser drops
/// them silently (`fetch`) or with a console line of its own (XHR).
const FORBIDDEN: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Why a page's header is not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderRefusal {
    /// Empty, too long, or with a character an HTTP token cannot hold.
    NotAName,
    /// CR, LF, NUL, or a character outside Latin-1 (the browser throws on
    /// those, and the request would fail every time).
    BadValue,
    /// `Authorization`, `Content-Type`, the organisation headers and
    /// `X-Atlassian-Token`: the widget's own.
    OwnedByWidget,
    /// One the browser will not let a page set (`Cookie`, `Origin`,
    /// `Sec-*`, `Proxy-*`, …).
    ForbiddenByBrowser,
}

impl fmt::Display for HeaderRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderRefusal::NotAName => "it is not a header name",
            HeaderRefusal::BadValue => "its value has characters a header cannot carry",
            HeaderRefusal::OwnedByWidget => "the widget sets it itself",
            HeaderRefusal::ForbiddenByBrowser => "browsers do not let a page set it",
        })
    }
}

/// Why `name: value` may not go out, or `None` when it may.
pub fn header_refusal(name: &str, value: &str) -> Option<HeaderRefusal> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES || !name.bytes().all(is_token_byte) {
        return Some(HeaderRefusal::NotAName);
    }
    let lower = name.to_ascii_lowercase();
    if OWNED.contains(&lower.as_str()) {
        return Some(HeaderRefusal::OwnedByWidget);
    }
    if FORBIDDEN.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return Some(HeaderRefusal::ForbiddenByBrowser);
    }
    if value
        .chars()
        .any(|c| matches!(c, '\r' | '\n' | '\0') || u32::from(c) > 0xff)
    {
        return Some(HeaderRefusal::BadValue);
    }
    None
}

/// `tchar` of RFC 9110 §5.6.2.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The warning for a refused header: its name (cut short) and the reason,
/// never its value.
pub fn refused_header_warning(name: &str, refusal: HeaderRefusal) -> String {
    let shown: String = name.chars().take(60).collect();
    format!("tracker-attachments: header \"{shown}\" is not sent: {refusal}")
}

/// What servers commonly take: 8 KB of headers (nginx's and Apache's
/// buffers) and 100 of them (hyper's and Go's), the browser's own and the
/// widget's included. A page's headers past this have every upload
/// refused with 431, and only the server's log would say why.
const COMMON_HEADER_BYTES: usize = 8 * 1024;
const COMMON_HEADER_COUNT: usize = 64;

/// The warning for page headers more or larger than servers commonly take
/// (they are still sent: some servers take more); never a name or value.
pub fn oversized_headers_warning<'a>(
    sent: impl Iterator<Item = &'a (String, String)>,
) -> Option<String> {
    let (count, bytes) = sent.fold((0, 0), |(count, bytes), (name, value)| {
        // "Name: value" and the line's end.
        (count + 1, bytes + name.len() + value.len() + 4)
    });
    (count > COMMON_HEADER_COUNT || bytes > COMMON_HEADER_BYTES).then(|| {
        format!(
            "tracker-attachments: the page's {count} headers come to {} KB; servers commonly \
             refuse more than {COMMON_HEADER_COUNT} headers or {} KB with 431, so uploads may fail",
            bytes.div_ceil(1024),
            COMMON_HEADER_BYTES / 1024
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{
        attach_request, comment_request, single_request_backend, temporary_attachment_request,
        BackendSettings, Credentials, FlowBackend, JsonRequest, Mode,
    };
    use crate::core::{Attachment, FileMeta};

    /// Every request any mode makes carries the page's usable headers (and
    /// none it refused) and the cookie setting: uploads, parts and their
    /// tests, attach and comment, a temporary file's look-up, take-backs
    /// and listings.
    #[test]
    fn headers_beyond_what_servers_take_are_warned_about_without_names() {
        let header = |i: usize, len: usize| (format!("X-H{i}"), "v".repeat(len));
        let few: Vec<_> = (0..64).map(|i| header(i, 100)).collect();
        assert_eq!(oversized_headers_warning(few.iter()), None);
        let many: Vec<_> = (0..65).map(|i| header(i, 1)).collect();
        let warning = oversized_headers_warning(many.iter()).unwrap();
        assert!(warning.contains("65 headers"), "{warning}");
        assert!(!warning.contains("X-H"), "{warning}");
        // One header of 8 KB and more.
        let large = [header(0, 8 * 1024)];
        let warning = oversized_headers_warning(large.iter()).unwrap();
        assert!(warning.contains("1 headers come to 9 KB"), "{warning}");
    }

    #[test]
    fn every_request_of_every_mode_carries_the_pages_headers() {
        let credentials = Credentials {
            token: Some("t".into()),
            org_id: Some("o".into()),
            extra_headers: vec![
                ("X-CSRFToken".into(), "c1".into()),
                ("Cookie".into(), "a=b".into()),
                ("X-Bad".into(), "x\r\ny".into()),
            ],
            send_cookies: true,
            ..Credentials::default()
        };
        let file = FileMeta::new("a.txt", 10, "text/plain");
        let attachment = Attachment {
            id: "9".into(),
            name: "a.txt".into(),
            size: 10,
            mimetype: None,
            content: None,
            thumbnail: None,
            created_at: None,
        };
        let json = |what: &str, r: JsonRequest| (what.to_owned(), r.headers, r.with_credentials);
        let ids = ["9".to_owned()];
        let flow = FlowBackend::new("http://h", 4);
        let part = &flow.plan(&file)[0];
        let mut sent = vec![
            json(
                "attach",
                attach_request("http://h", "DEMO-1", &ids, &credentials, Some(1)),
            ),
            json(
                "comment",
                comment_request("http://h", "DEMO-1", "hi", &ids, &credentials),
            ),
            json(
                "temporary",
                temporary_attachment_request("http://h", "9", &credentials),
            ),
            json("flow test", flow.test_request(&file, part, &credentials)),
        ];
        let part_request = flow.part_request(&file, part, &credentials);
        sent.push((
            "flow part".into(),
            part_request.headers,
            part_request.with_credentials,
        ));
        let fields = Vec::new();
        for mode in Mode::ALL {
            let settings = BackendSettings {
                mode,
                api: "http://h",
                issue: "DEMO-1",
                form_url: "http://forms/up",
                form_field: "file",
                form_id_field: None,
                form_fields: &fields,
                jira_batch: false,
            };
            let backend = single_request_backend(&settings, 1);
            let upload = backend.upload_request(&[&file], &credentials);
            sent.push((
                format!("{mode:?} upload"),
                upload.headers,
                upload.with_credentials,
            ));
            if let Some(r) = backend.withdraw_request(&attachment, &credentials) {
                sent.push(json(&format!("{mode:?} withdraw"), r));
            }
            if let Some(r) = backend.listing_request(&credentials) {
                sent.push(json(&format!("{mode:?} listing"), r));
            }
        }
        assert!(sent.len() >= 12, "{}", sent.len());
        for (what, headers, with_credentials) in sent {
            let extra: Vec<_> = headers
                .iter()
                .filter(|(name, _)| {
                    name.starts_with("X-") && !name.contains("Org") && name != "X-Atlassian-Token"
                })
                .collect();
            assert_eq!(
                extra,
                [&("X-CSRFToken".to_owned(), "c1".to_owned())],
                "{what}"
            );
            assert!(headers.iter().any(|(n, _)| n == "Authorization"), "{what}");
            assert!(with_credentials, "{what}");
        }
    }

    #[test]
    fn csrf_headers_of_the_usual_frameworks_go_out() {
        for name in [
            "X-CSRFToken",
            "X-CSRF-Token",
            "X-XSRF-TOKEN",
            "X-Requested-With",
        ] {
            assert_eq!(header_refusal(name, "a1b2-c3=="), None, "{name}");
        }
        // Latin-1 and inner spaces are header text; the empty value too.
        assert_eq!(header_refusal("X-Note", "café au lait"), None);
        assert_eq!(header_refusal("X-Empty", ""), None);
    }

    #[test]
    fn names_must_be_tokens() {
        for name in [
            "", "X Token", "X-Token:", "X-Tök", "X(1)", "X-\"q\"", "X-A\n",
        ] {
            assert_eq!(
                header_refusal(name, "v"),
                Some(HeaderRefusal::NotAName),
                "{name:?}"
            );
        }
        assert_eq!(
            header_refusal(&"x".repeat(257), "v"),
            Some(HeaderRefusal::NotAName)
        );
        assert_eq!(header_refusal(&"x".repeat(256), "v"), None);
    }

    #[test]
    fn values_with_line_breaks_or_wide_characters_are_refused() {
        for value in ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b", "токен", "a😀"] {
            assert_eq!(
                header_refusal("X-CSRFToken", value),
                Some(HeaderRefusal::BadValue),
                "{value:?}"
            );
        }
    }

    #[test]
    fn the_widgets_own_names_are_refused_in_any_case() {
        for name in [
            "Authorization",
            "authorization",
            "CONTENT-TYPE",
            "X-Org-ID",
            "x-cloud-org-id",
            "X-Atlassian-Token",
            "If-Match",
        ] {
            assert_eq!(
                header_refusal(name, "v"),
                Some(HeaderRefusal::OwnedByWidget),
                "{name}"
            );
        }
    }

    #[test]
    fn names_the_browser_forbids_are_refused() {
        for name in [
            "Cookie",
            "Origin",
            "Host",
            "Referer",
            "Content-Length",
            "Sec-Fetch-Mode",
            "Proxy-Authorization",
            "DNT",
        ] {
            assert_eq!(
                header_refusal(name, "v"),
                Some(HeaderRefusal::ForbiddenByBrowser),
                "{name}"
            );
        }
    }

    #[test]
    fn the_warning_names_the_header_not_the_value() {
        let warning = refused_header_warning("Authorization", HeaderRefusal::OwnedByWidget);
        assert_eq!(
            warning,
            "tracker-attachments: header \"Authorization\" is not sent: the widget sets it itself"
        );
    }
}
