//! Which server-supplied URLs the widget may touch. A hostile or broken server
//! can put `javascript:` or `data:` into any field; those are never followed.

fn has_scheme(url: &str, schemes: &[&str]) -> bool {
    let trimmed = url.trim_start();
    match trimmed.split_once(':') {
        Some((scheme, _)) => schemes.iter().any(|s| scheme.eq_ignore_ascii_case(s)),
        None => false,
    }
}

/// A URL the widget may fetch with the user's credentials attached.
pub fn is_fetchable_url(url: &str) -> bool {
    has_scheme(url, &["http", "https"])
}

/// A URL the widget may put into an `<img src>` or `<a href>`.
pub fn is_displayable_url(url: &str) -> bool {
    has_scheme(url, &["http", "https", "blob"])
}

/// `url` if a page may use it as a link or an image: http(s), or relative
/// to the page (form endpoints answer `/files/1`); `None` for any other
/// scheme. Server fields reach the host's page through events and
/// `attachments`, and a host rendering `<a href=content>` must not be
/// handed `javascript:`.
pub fn web_url_only(url: Option<String>) -> Option<String> {
    let kept = {
        let text = url.as_deref()?;
        // Read as the URL parser reads it: leading C0 controls and spaces
        // go, and tabs and line breaks anywhere (`java\tscript:` is one).
        let read: String = text
            .trim_start_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let scheme = read
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|scheme| {
                scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            });
        scheme.is_none_or(|scheme| {
            ["http", "https"]
                .iter()
                .any(|s| scheme.eq_ignore_ascii_case(s))
        })
    };
    url.filter(|_| kept)
}

/// The origin (`scheme://host[:port]`, lower case, default port dropped) of
/// an absolute http(s) URL. Credentials go only to the API's own origin:
/// a server-supplied URL elsewhere must not receive the user's token.
///
/// Where this reading could differ from the browser's URL parser it gives
/// `None` (no credentials), never another origin: the parser takes `\` for
/// `/` in http(s) URLs and drops tabs and line breaks, so
/// `https://evil.example\@api.example/` goes to `evil.example`.
pub fn origin_of(url: &str) -> Option<String> {
    // What the URL parser trims (C0 controls and space), and nothing more:
    // a no-break space left in front makes the URL relative to the page.
    let url = url.trim_matches(|c: char| c <= ' ');
    if url.chars().any(|c| c == '\\' || c.is_ascii_control()) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Userinfo (`user:pass@`) is not part of the origin.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // Percent escapes and non-ASCII names the browser decodes or turns to
    // punycode first: not compared here.
    if host_port.is_empty() || !host_port.is_ascii() || host_port.contains('%') {
        return None;
    }
    let host_port = host_port.to_ascii_lowercase();
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    let host_port = host_port.strip_suffix(default_port).unwrap_or(&host_port);
    Some(format!("{scheme}://{host_port}"))
}

/// Whether the widget can send requests to `url` (an `api` or form `url`
/// the page gave): a path on the page's origin, a protocol-relative
/// `//host/path`, or an http(s) URL with a host and a port there can be.
/// Anything else the browser would refuse on every upload, or read
/// otherwise than meant: `https:/v2` is `https://v2/`, a host taken from
/// the path, and the token would go there.
pub fn is_sendable_address(url: &str) -> bool {
    if url.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return false;
    }
    if web_url_only(Some(url.to_owned())).is_none() {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    let absolute = if lower.starts_with("http:") || lower.starts_with("https:") {
        url.to_owned()
    } else if let Some(rest) = url.strip_prefix("//") {
        format!("https://{rest}")
    } else {
        return true;
    };
    let Some(origin) = origin_of(&absolute) else {
        return false;
    };
    let host_port = origin.split_once("://").map_or("", |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        // An IPv6 literal: `[...]`, then `:port`, if any.
        Some(v6) => match v6.split_once(']') {
            Some((address, "")) if !address.is_empty() => ("v6", None),
            Some((address, rest)) if !address.is_empty() => match rest.strip_prefix(':') {
                Some(port) => ("v6", Some(port)),
                None => return false,
            },
            _ => return false,
        },
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    let port_ok = port.is_none_or(|digits| digits.parse::<u16>().is_ok_and(|p| p > 0));
    port_ok
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_a_request_can_go_to_are_sendable() {
        for url in [
            "https://tracker.example",
            "HTTPS://api.tracker.yandex.net/",
            "http://127.0.0.1:8080/tracker",
            "http://[::1]:8080",
            "//127.0.0.1:1",
            "/tracker",
            "api",
        ] {
            assert!(is_sendable_address(url), "{url}");
        }
        for url in [
            "https:",
            "https:/v2",
            "http://",
            "http://[bad",
            "http://a:b:c",
            "http://127.0.0.1:99999",
            "http://h:0",
            "javascript:alert(1)",
            "ftp://files.example",
            "not a url",
            "",
        ] {
            assert!(!is_sendable_address(url), "{url}");
        }
    }

    #[test]
    fn only_web_urls_reach_the_page() {
        let kept = |url: &str| web_url_only(Some(url.to_owned())).is_some();
        for url in [
            "https://h/v2/attachments/1/a.txt",
            "HTTP://h/x",
            "/files/981",
            "files/981?x=a:b",
            "//h/x",
            "",
        ] {
            assert!(kept(url), "{url}");
        }
        for url in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<x>",
            "blob:https://h/1",
            "vbscript:x",
        ] {
            assert!(!kept(url), "{url}");
        }
        assert_eq!(web_url_only(None), None);
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/v2/attachments/1/thumbnail").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("HTTPS://API.Tracker.yandex.net:443/v2?x#y").as_deref(),
            Some("https://api.tracker.yandex.net")
        );
        assert_eq!(
            origin_of("https://user:pw@evil.example/x").as_deref(),
            Some("https://evil.example")
        );
        assert_eq!(
            origin_of("https://api.tracker.yandex.net@evil.example/").as_deref(),
            Some("https://evil.example")
        );
        assert_eq!(origin_of("/v2/relative"), None);
        assert_eq!(origin_of("javascript://x"), None);
        assert_eq!(origin_of("http:///nohost"), None);
    }

    #[test]
    fn no_origin_where_the_browser_would_read_another_host() {
        // The browser reads another host than the text shows in each:
        // evil.example, or a name it decodes first.
        for url in [
            "https://evil.example\\@api.example.com/t.png",
            "https://evil.example\\x@api.example.com/",
            "https:\\\\evil.example\\@api.example.com",
            "https://evil.example\t\\@api.example.com/",
            "https://evil.example\n\\@api.example.com/",
            "https://%61pi.example.com/",
            "\u{a0}https://evil.example@api.example.com/",
            "https://\u{430}pi.example.com/",
        ] {
            assert_eq!(origin_of(url), None, "{url:?}");
        }
    }

    #[test]
    fn fetches_only_http_and_https() {
        assert!(is_fetchable_url(
            "http://127.0.0.1:8080/v2/attachments/1/thumbnail"
        ));
        assert!(is_fetchable_url("HTTPS://api.tracker.yandex.net/v2/x"));
        assert!(!is_fetchable_url("javascript:alert(1)"));
        assert!(!is_fetchable_url("data:image/png;base64,AAAA"));
        assert!(!is_fetchable_url("blob:http://x/1"));
        assert!(!is_fetchable_url("/v2/relative"));
        assert!(!is_fetchable_url(""));
    }

    #[test]
    fn displays_blob_urls_too() {
        assert!(is_displayable_url("blob:http://127.0.0.1:8080/3f1c"));
        assert!(is_displayable_url("https://example.org/a.png"));
        assert!(!is_displayable_url(" javascript:alert(1)"));
        assert!(!is_displayable_url("vbscript:x"));
    }
}
