//! `Retry-After` as this server passes it on from the upstream in an
//! answer of its own (a busy upstream during a credential check). Only a
//! value RFC 9110 §10.2.3 allows goes on: delta-seconds, or an HTTP-date,
//! written in IMF-fixdate, the one form senders must use and the one the
//! widget's retry policy reads (the upstream may use the two obsolete
//! ones). Anything else is dropped rather than handed to a client that
//! would misread it.

use axum::http::{header, HeaderMap, HeaderValue};

/// The upstream's `Retry-After`, if it is a valid one, as it goes on.
pub fn from_upstream(headers: &HeaderMap) -> Option<HeaderValue> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Leading zeros go; a number past u64 is no wait anyone means.
        let seconds: u64 = value.parse().ok()?;
        return Some(HeaderValue::from(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    HeaderValue::from_str(&httpdate::fmt_http_date(at)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passed(value: &str) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_str(value).ok()?);
        from_upstream(&headers).map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn seconds_and_dates_pass_and_nothing_else() {
        assert_eq!(passed("120").as_deref(), Some("120"));
        assert_eq!(passed(" 0 ").as_deref(), Some("0"));
        assert_eq!(passed("007").as_deref(), Some("7"));
        let imf = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(passed(imf).as_deref(), Some(imf));
        // The obsolete forms, in the one a sender must write.
        assert_eq!(
            passed("Sunday, 06-Nov-94 08:49:37 GMT").as_deref(),
            Some(imf)
        );
        assert_eq!(passed("Sun Nov  6 08:49:37 1994").as_deref(), Some(imf));
        for dropped in [
            "",
            "soon",
            "-5",
            "+5",
            "1.5",
            "5 s",
            "0x10",
            "99999999999999999999999",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "2026-11-23T05:50:40Z",
        ] {
            assert_eq!(passed(dropped), None, "{dropped:?}");
        }
        assert_eq!(from_upstream(&HeaderMap::new()), None);
    }
}
