//! The absolute base URL of the request. Clients follow the `self`, `content`
//! and `thumbnail` URLs they are given, so those must point at whatever
//! address the client used, including through a proxy.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};

use crate::errors::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// `<base><path>`; `path` starts with `/`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }

    pub fn from_parts(parts: &Parts) -> Result<Self, ApiError> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .filter(|h| is_valid_host(h))
            .ok_or(ApiError::BadHost)?;
        let scheme = forwarded_proto(parts.headers.get("x-forwarded-proto"));
        Ok(Self(format!("{scheme}://{host}")))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts)
    }
}

/// Only `http` or `https`; anything else would make unusable URLs. A proxy
/// chain may list several values; the first is the client's.
fn forwarded_proto(value: Option<&HeaderValue>) -> &'static str {
    let first = value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim);
    match first {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    }
}

/// Host and optional port (IPv6 in brackets); nothing that could break out
/// of the URL we build from it.
fn is_valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn base(headers: &[(&str, &str)]) -> Result<BaseUrl, ApiError> {
        let mut builder = Request::builder().uri("/v2/attachments");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let (parts, ()) = builder.body(()).unwrap().into_parts();
        BaseUrl::from_parts(&parts)
    }

    #[test]
    fn host_and_proto() {
        assert_eq!(
            base(&[("host", "127.0.0.1:8080")]).unwrap().join(""),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base(&[
                ("host", "example.org"),
                ("x-forwarded-proto", "https, http")
            ])
            .unwrap()
            .join(""),
            "https://example.org"
        );
        assert_eq!(
            base(&[("host", "[::1]:80"), ("x-forwarded-proto", "gopher")])
                .unwrap()
                .join(""),
            "http://[::1]:80"
        );
        assert_eq!(base(&[("host", "evil/\"x")]), Err(ApiError::BadHost));
        assert_eq!(base(&[]), Err(ApiError::BadHost));
    }
}
