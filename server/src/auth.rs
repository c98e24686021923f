//! Tracker's auth rules as the contract fixes them: a missing or unknown token
//! is 401; a good token with a missing, duplicated or unknown organisation
//! header is 403.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::state::AppState;

const ORG_HEADERS: [&str; 2] = ["x-org-id", "x-cloud-org-id"];

pub async fn require_auth(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(request.headers(), &state.config.token, &state.config.org_id) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

pub fn check(headers: &HeaderMap, token: &str, org_id: &str) -> Result<(), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_or_oauth)
        .ok_or(ApiError::Unauthorized)?;
    if !constant_time_eq(presented.as_bytes(), token.as_bytes()) {
        return Err(ApiError::Unauthorized);
    }

    let mut orgs = ORG_HEADERS
        .iter()
        .flat_map(|name| headers.get_all(*name).iter());
    match (orgs.next(), orgs.next()) {
        (Some(value), None) if value.as_bytes() == org_id.as_bytes() => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// Extracts the credential from `OAuth <token>` or `Bearer <token>`; the
/// scheme is case-insensitive as in RFC 9110.
fn bearer_or_oauth(value: &str) -> Option<&str> {
    let (scheme, credential) = value.trim().split_once(' ')?;
    let known = scheme.eq_ignore_ascii_case("oauth") || scheme.eq_ignore_ascii_case("bearer");
    let credential = credential.trim();
    (known && !credential.is_empty()).then_some(credential)
}

/// Keeps the comparison time independent of where the first difference is,
/// so the token cannot be guessed byte by byte from response times.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn rules() {
        let ok = |h: &[(&'static str, &'static str)]| check(&headers(h), "t", "o");
        assert_eq!(ok(&[("x-org-id", "o")]), Err(ApiError::Unauthorized));
        assert_eq!(
            ok(&[("authorization", "OAuth x"), ("x-org-id", "o")]),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(
            ok(&[("authorization", "Basic t"), ("x-org-id", "o")]),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(
            ok(&[("authorization", "OAuth t")]),
            Err(ApiError::Forbidden)
        );
        assert_eq!(
            ok(&[("authorization", "OAuth t"), ("x-org-id", "p")]),
            Err(ApiError::Forbidden)
        );
        assert_eq!(
            ok(&[
                ("authorization", "OAuth t"),
                ("x-org-id", "o"),
                ("x-cloud-org-id", "o")
            ]),
            Err(ApiError::Forbidden)
        );
        assert_eq!(
            ok(&[("authorization", "OAuth t"), ("x-org-id", "o")]),
            Ok(())
        );
        assert_eq!(
            ok(&[("authorization", "bearer t"), ("x-cloud-org-id", "o")]),
            Ok(())
        );
    }
}
