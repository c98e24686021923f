use std::fmt;

use super::extra_headers::{header_refusal, HeaderRefusal};
use super::Mode;

/// The word before the token in `Authorization`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// Yandex OAuth tokens: Tracker's own, and the default there.
    OAuth,
    /// Yandex Cloud IAM tokens and Jira OAuth 2.0; the default for Jira,
    /// which takes no OAuth.
    Bearer,
    /// Jira `email:api_token`, as it is (encoded here) or base64-encoded.
    Basic,
}

impl AuthScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::OAuth => "OAuth",
            AuthScheme::Bearer => "Bearer",
            AuthScheme::Basic => "Basic",
        }
    }

    /// Parses the `auth-scheme` attribute; unknown words are `None` so the
    /// caller can warn and keep the default.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "oauth" => Some(AuthScheme::OAuth),
            "bearer" => Some(AuthScheme::Bearer),
            "basic" => Some(AuthScheme::Basic),
            _ => None,
        }
    }
}

/// Which organisation header Tracker gets: Yandex 360 or Cloud.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrgHeader {
    #[default]
    XOrgId,
    XCloudOrgId,
}

impl OrgHeader {
    pub fn name(self) -> &'static str {
        match self {
            OrgHeader::XOrgId => "X-Org-ID",
            OrgHeader::XCloudOrgId => "X-Cloud-Org-ID",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "x-org-id" => Some(OrgHeader::XOrgId),
            "x-cloud-org-id" => Some(OrgHeader::XCloudOrgId),
            _ => None,
        }
    }
}

/// What identifies the user to the API. Behind a proxy both fields are empty
/// and the proxy adds them, which is how production pages keep tokens out of
/// the browser.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `None`: the API's own, `Bearer` for Jira and `OAuth` elsewhere.
    pub scheme: Option<AuthScheme>,
    pub token: Option<String>,
    /// A complete `Authorization` value from the host's provider, asked
    /// afresh before every request; it wins over `scheme` and `token`.
    pub authorization: Option<String>,
    pub org_id: Option<String>,
    pub org_header: OrgHeader,
    /// Headers of the page's own sent with every request of every mode
    /// (uploads, parts, part tests, JSON calls, thumbnails), after the
    /// widget's: a CSRF token such as Django's `X-CSRFToken`. A pair that
    /// [`super::header_refusal`] refuses is never sent. Values may be
    /// secrets: they are never logged, and `Debug` shows the names only.
    pub extra_headers: Vec<(String, String)>,
    /// Send the browser's cookies to an API on another origin (XHR
    /// `withCredentials`, fetch `credentials: 'include'`): a page whose
    /// backend authenticates by session cookie. Same-origin requests
    /// carry them anyway.
    pub send_cookies: bool,
}

impl Credentials {
    /// The headers every Tracker request carries, the page's own last.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<_> = self.authorization().into_iter().collect();
        if let Some(org) = self.org_id.as_deref().filter(|o| !o.is_empty()) {
            headers.push((self.org_header.name().to_owned(), org.to_owned()));
        }
        self.push_extra_headers(&mut headers);
        headers
    }

    /// The headers for any request to the API `mode` speaks, as its own
    /// uploads carry them (a thumbnail fetch too): Jira gets no
    /// organisation header.
    pub fn headers_for(&self, mode: Mode) -> Vec<(String, String)> {
        let mut headers = self.api_headers_for(mode);
        self.push_extra_headers(&mut headers);
        headers
    }

    /// [`Self::headers_for`] without the page's own headers: what the API
    /// itself asks for (`Authorization`, the organisation), for a request
    /// that may be redirected to another server (a thumbnail).
    pub fn api_headers_for(&self, mode: Mode) -> Vec<(String, String)> {
        let mut headers: Vec<_> = match mode {
            Mode::Jira => self.jira_authorization(),
            _ => self.authorization(),
        }
        .into_iter()
        .collect();
        if let Some(org) = self
            .org_id
            .as_deref()
            .filter(|o| !o.is_empty() && mode != Mode::Jira)
        {
            headers.push((self.org_header.name().to_owned(), org.to_owned()));
        }
        headers
    }

    /// The page's headers that are not sent, each with the reason, for a
    /// warning that names them.
    pub fn refused_headers(&self) -> impl Iterator<Item = (&str, HeaderRefusal)> {
        self.extra_headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), header_refusal(name, value)?)))
    }

    /// The page's headers that are sent: those [`Self::refused_headers`]
    /// does not name.
    pub fn sent_extra_headers(&self) -> impl Iterator<Item = &(String, String)> {
        self.extra_headers
            .iter()
            .filter(|(name, value)| header_refusal(name, value).is_none())
    }

    fn push_extra_headers(&self, headers: &mut Vec<(String, String)>) {
        headers.extend(self.sent_extra_headers().cloned());
    }

    /// `Authorization` alone for Jira, whose default scheme is `Bearer`:
    /// the organisation header means nothing to it and would only tell a
    /// third party which Tracker organisation the user is in.
    pub fn jira_authorization(&self) -> Option<(String, String)> {
        self.authorization_with(AuthScheme::Bearer)
    }

    /// `Authorization` alone, the scheme `OAuth` unless one was chosen.
    pub fn authorization(&self) -> Option<(String, String)> {
        self.authorization_with(AuthScheme::OAuth)
    }

    fn authorization_with(&self, default: AuthScheme) -> Option<(String, String)> {
        if let Some(value) = self
            .authorization
            .as_deref()
            .filter(|v| !v.trim().is_empty())
        {
            return Some(("Authorization".to_owned(), value.trim().to_owned()));
        }
        let token = self.token.as_deref().filter(|t| !t.is_empty())?;
        let scheme = self.scheme.unwrap_or(default);
        let value = match scheme {
            // `email:api_token` as Jira gives it; base64 has no colon, so a
            // token already encoded is sent as it is.
            AuthScheme::Basic if token.contains(':') => base64(token.as_bytes()),
            _ => token.to_owned(),
        };
        Some((
            "Authorization".to_owned(),
            format!("{} {value}", scheme.as_str()),
        ))
    }
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= group.len() {
                char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

// Tokens must never reach logs, so Debug shows only whether one is set.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("scheme", &self.scheme)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("org_id", &self.org_id)
            .field("org_header", &self.org_header)
            .field(
                "extra_headers",
                &self
                    .extra_headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("send_cookies", &self.send_cookies)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_auth_and_org_headers() {
        let creds = Credentials {
            scheme: Some(AuthScheme::Bearer),
            authorization: None,
            token: Some("t0k".into()),
            org_id: Some("42".into()),
            org_header: OrgHeader::XCloudOrgId,
            ..Credentials::default()
        };
        assert_eq!(
            creds.headers(),
            vec![
                ("Authorization".to_owned(), "Bearer t0k".to_owned()),
                ("X-Cloud-Org-ID".to_owned(), "42".to_owned()),
            ]
        );
    }

    #[test]
    fn provider_value_wins_over_token() {
        let creds = Credentials {
            token: Some("old".into()),
            authorization: Some(" Bearer fresh ".into()),
            org_id: Some("7".into()),
            ..Credentials::default()
        };
        assert_eq!(
            creds.headers(),
            vec![
                ("Authorization".to_owned(), "Bearer fresh".to_owned()),
                ("X-Org-ID".to_owned(), "7".to_owned()),
            ]
        );
        assert!(!format!("{creds:?}").contains("fresh"));
        let blank = Credentials {
            token: Some("t".into()),
            authorization: Some("  ".into()),
            ..Credentials::default()
        };
        assert_eq!(
            blank.authorization(),
            Some(("Authorization".to_owned(), "OAuth t".to_owned()))
        );
    }

    #[test]
    fn jira_requests_carry_no_organisation() {
        let creds = Credentials {
            token: Some("t".into()),
            org_id: Some("7".into()),
            ..Credentials::default()
        };
        // Jira takes no OAuth: its default scheme is Bearer.
        let auth = ("Authorization".to_owned(), "Bearer t".to_owned());
        assert_eq!(creds.headers_for(Mode::Jira), vec![auth]);
        for mode in [
            Mode::TrackerTemp,
            Mode::TrackerIssue,
            Mode::Flow,
            Mode::Form,
        ] {
            assert_eq!(creds.headers_for(mode), creds.headers(), "{mode:?}");
            assert_eq!(creds.headers_for(mode).len(), 2);
        }
    }

    #[test]
    fn the_api_headers_leave_out_the_page_s_own() {
        let creds = Credentials {
            token: Some("t".into()),
            org_id: Some("7".into()),
            extra_headers: vec![("X-Api-Key".into(), "secret".into())],
            ..Credentials::default()
        };
        for mode in [Mode::TrackerTemp, Mode::Jira, Mode::Flow] {
            let all = creds.headers_for(mode);
            let api = creds.api_headers_for(mode);
            assert_eq!(all.len(), api.len() + 1, "{mode:?}");
            assert!(all.starts_with(&api), "{mode:?}");
            assert!(api.iter().all(|(name, _)| name != "X-Api-Key"), "{mode:?}");
        }
        assert_eq!(creds.api_headers_for(Mode::TrackerTemp).len(), 2);
        assert_eq!(creds.api_headers_for(Mode::Jira).len(), 1);
    }

    #[test]
    fn proxy_mode_sends_no_auth() {
        assert!(Credentials::default().headers().is_empty());
        assert_eq!(Credentials::default().authorization(), None);
        let empty = Credentials {
            token: Some(String::new()),
            org_id: Some(String::new()),
            ..Credentials::default()
        };
        assert!(empty.headers().is_empty());
    }

    #[test]
    fn authorization_alone_leaves_out_org() {
        let creds = Credentials {
            scheme: Some(AuthScheme::Basic),
            authorization: None,
            token: Some("ZTp0".into()),
            org_id: Some("42".into()),
            org_header: OrgHeader::XOrgId,
            ..Credentials::default()
        };
        assert_eq!(
            creds.authorization(),
            Some(("Authorization".to_owned(), "Basic ZTp0".to_owned()))
        );
    }

    #[test]
    fn basic_encodes_email_and_api_token() {
        let basic = |token: &str| Credentials {
            scheme: Some(AuthScheme::Basic),
            token: Some(token.into()),
            ..Credentials::default()
        };
        // Jira's own example: `curl -u fred@example.com:freds_api_token`.
        assert_eq!(
            basic("fred@example.com:freds_api_token").jira_authorization(),
            Some((
                "Authorization".to_owned(),
                "Basic ZnJlZEBleGFtcGxlLmNvbTpmcmVkc19hcGlfdG9rZW4=".to_owned()
            ))
        );
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
        // Already encoded: sent as it is.
        assert_eq!(
            basic("ZTp0").authorization().map(|(_, v)| v),
            Some("Basic ZTp0".to_owned())
        );
        // A scheme chosen wins over Jira's default.
        let oauth = Credentials {
            scheme: Some(AuthScheme::OAuth),
            token: Some("t".into()),
            ..Credentials::default()
        };
        assert_eq!(
            oauth.jira_authorization().map(|(_, v)| v),
            Some("OAuth t".to_owned())
        );
    }

    #[test]
    fn debug_redacts_token() {
        let creds = Credentials {
            token: Some("secret-value".into()),
            ..Credentials::default()
        };
        let shown = format!("{creds:?}");
        assert!(!shown.contains("secret-value"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn parses_attribute_words() {
        assert_eq!(AuthScheme::parse(" bearer "), Some(AuthScheme::Bearer));
        assert_eq!(AuthScheme::parse("token"), None);
        assert_eq!(
            OrgHeader::parse("X-Cloud-Org-ID"),
            Some(OrgHeader::XCloudOrgId)
        );
        assert_eq!(OrgHeader::parse("x-org"), None);
    }
}
