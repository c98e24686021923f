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

#[cfg(test)]
mod tests {
    use super::*;

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
