//! Auth as the contract fixes it. Tracker: a missing or unknown token is
//! 401; a good token with a missing, duplicated or unknown organisation
//! header is 403. Jira: `Authorization: Bearer <token>` or Basic
//! `<jira-email>:<token>` (an API token is used like a password); anything
//! else is 401. Jira has no organisation header.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::errors::{ApiError, JiraError};
use crate::state::AppState;

const ORG_HEADERS: [&str; 2] = ["x-org-id", "x-cloud-org-id"];

pub async fn require_auth(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(request.headers(), &state.config.token, &state.config.org_id) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

pub async fn require_jira_auth(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match check_jira(
        request.headers(),
        &state.config.token,
        &state.config.jira_email,
    ) {
        Ok(()) => next.run(request).await,
        Err(error) => JiraError(error).into_response(),
    }
}

/// Proxy mode without a server-held credential (no `--upstream-auth-env`),
/// for the part endpoint: it stores parts here, for up to `--temp-ttl`,
/// before anything reaches the upstream, which alone can judge the
/// browser's credential. So it asks for one the upstream could take (a
/// Tracker `OAuth` or `Bearer` credential, as local mode does): without
/// it, 401 in Tracker's shape, before any byte of the body is read (and
/// before the upstream is asked whether it takes it: see
/// `Proxy::check_sender`).
pub async fn require_credential(request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_or_oauth)
        .is_some();
    if presented {
        next.run(request).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

pub fn check_jira(headers: &HeaderMap, token: &str, email: &str) -> Result<(), ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthorized)?;
    let (scheme, credential) = value.trim().split_once(' ').ok_or(ApiError::Unauthorized)?;
    let credential = credential.trim();
    let accepted = if scheme.eq_ignore_ascii_case("bearer") {
        constant_time_eq(credential.as_bytes(), token.as_bytes())
    } else if scheme.eq_ignore_ascii_case("basic") {
        // An e-mail address is matched in any case, as Atlassian's sign-in
        // does: `Dev@Example.com` is the same account.
        base64::engine::general_purpose::STANDARD
            .decode(credential)
            .is_ok_and(|decoded| match decoded.iter().position(|&b| b == b':') {
                Some(colon) => {
                    let (user, secret) = (&decoded[..colon], &decoded[colon + 1..]);
                    user.eq_ignore_ascii_case(email.as_bytes())
                        & constant_time_eq(secret, token.as_bytes())
                }
                None => false,
            })
    } else {
        false
    };
    if accepted {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
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

/// Who sends a Flow.js upload, as a key its parts are filed under: the
/// SHA-256 of the `Authorization` header and the organisation headers
/// (name and value each, in a fixed order), in lower-case hex. Two callers
/// that present different credentials or organisations get different
/// keys, so neither can test, complete or collide with the other's upload
/// of the same `flowIdentifier`, and the same caller resumes its own. Only
/// the hash is stored, never the credential; being hex, it is safe
/// anywhere (it is never part of a path now: parts live under the upload's
/// numeric id). In proxy mode without a credential of the server's, a
/// sender the upstream names is keyed by `user_owner_key` instead.
pub fn owner_key(headers: &HeaderMap) -> String {
    let mut hash = Sha256::new();
    hash.update(b"tracker-attachments flow owner v1\0");
    for name in std::iter::once(header::AUTHORIZATION.as_str()).chain(ORG_HEADERS) {
        hash_header(&mut hash, name, headers);
    }
    lower_hex(&hash.finalize())
}

/// The key of a credential alone, for the upstream's verdict on it
/// (`credential_verdicts`): the upstream is asked with the server's own
/// organisation, so the organisation headers a browser sends change
/// nothing of its answer, and keyed by them, one token sent with many
/// made-up organisations would cost a check each and crowd out the
/// verdicts of others.
pub fn credential_key(headers: &HeaderMap) -> String {
    let mut hash = Sha256::new();
    hash.update(b"tracker-attachments credential v1\0");
    hash_header(&mut hash, header::AUTHORIZATION.as_str(), headers);
    lower_hex(&hash.finalize())
}

/// Who the upstream says a browser's credential belongs to, from its
/// `GET /v2/myself` answer. A token is refreshed (an IAM token lives
/// hours) or replaced (a reloaded page) while its user stays: keyed by
/// the user, the parts sent with the old token and with the new one are
/// one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamUser {
    /// `uid`, a number or a string, as text: what stays when a login is renamed.
    Uid(String),
    /// `login`, for an answer without `uid`.
    Login(String),
}

impl UpstreamUser {
    /// The user a `/v2/myself` answer names: its `uid`, else its `login`.
    /// `None` for an answer that is no JSON object or names neither: the
    /// sender is then keyed by its credential, as before.
    pub fn from_myself(body: &[u8]) -> Option<Self> {
        let answer: serde_json::Value = serde_json::from_slice(body).ok()?;
        let answer = answer.as_object()?;
        let uid = match answer.get("uid") {
            Some(serde_json::Value::Number(uid)) => Some(uid.to_string()),
            Some(serde_json::Value::String(uid)) if !uid.is_empty() => Some(uid.clone()),
            _ => None,
        };
        let login = || match answer.get("login") {
            Some(serde_json::Value::String(login)) if !login.is_empty() => {
                Some(Self::Login(login.clone()))
            }
            _ => None,
        };
        uid.map(Self::Uid).or_else(login)
    }
}

/// The key a Flow.js upload is filed under when the upstream named its
/// sender's user: the SHA-256 of the user and the organisation headers
/// the request speaks for (as `owner_key` hashes them), in lower-case hex.
/// Any token of the user's, old or refreshed, resumes the same upload;
/// another user, or the same user for another organisation, gets another.
/// Its own prefix keeps it apart from every `owner_key`, and the kind of
/// id keeps a login apart from a uid written alike.
pub fn user_owner_key(user: &UpstreamUser, headers: &HeaderMap) -> String {
    let mut hash = Sha256::new();
    hash.update(b"tracker-attachments flow user v1\0");
    let (kind, id) = match user {
        UpstreamUser::Uid(uid) => ("uid", uid),
        UpstreamUser::Login(login) => ("login", login),
    };
    hash_field(&mut hash, kind, &[id.as_bytes()]);
    for name in ORG_HEADERS {
        hash_header(&mut hash, name, headers);
    }
    lower_hex(&hash.finalize())
}

fn hash_header(hash: &mut Sha256, name: &str, headers: &HeaderMap) {
    let values: Vec<&[u8]> = headers.get_all(name).iter().map(|v| v.as_bytes()).collect();
    hash_field(hash, name, &values);
}

/// Lengths first, so no two sets of values hash alike.
fn hash_field(hash: &mut Sha256, name: &str, values: &[&[u8]]) {
    hash.update((name.len() as u64).to_be_bytes());
    hash.update(name.as_bytes());
    hash.update((values.len() as u64).to_be_bytes());
    for value in values {
        hash.update((value.len() as u64).to_be_bytes());
        hash.update(value);
    }
}

fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
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

    #[test]
    fn owner_keys_are_hex_and_tell_callers_apart() {
        let key = |h: &[(&'static str, &'static str)]| owner_key(&headers(h));
        let a = key(&[("authorization", "OAuth t"), ("x-org-id", "o")]);
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert!(!a.contains('t'));
        // The same caller, whatever else it sends, keeps its key.
        assert_eq!(
            a,
            key(&[
                ("x-org-id", "o"),
                ("authorization", "OAuth t"),
                ("accept-language", "ru")
            ])
        );
        let others = [
            key(&[("authorization", "OAuth u"), ("x-org-id", "o")]),
            key(&[("authorization", "Bearer t"), ("x-org-id", "o")]),
            key(&[("authorization", "OAuth t"), ("x-org-id", "p")]),
            key(&[("authorization", "OAuth t"), ("x-cloud-org-id", "o")]),
            key(&[("authorization", "OAuth t")]),
            key(&[("x-org-id", "o")]),
            key(&[]),
            key(&[
                ("authorization", "OAuth t"),
                ("x-org-id", "o"),
                ("x-org-id", "o"),
            ]),
        ];
        for (i, other) in others.iter().enumerate() {
            assert_ne!(&a, other, "{i}");
            for later in &others[i + 1..] {
                assert_ne!(other, later);
            }
        }
    }

    #[test]
    fn the_upstream_names_a_user_by_uid_else_login() {
        let user = |body: &str| UpstreamUser::from_myself(body.as_bytes());
        let uid = |id: &str| Some(UpstreamUser::Uid(id.into()));
        assert_eq!(
            user(r#"{"uid": 1130000000000001, "login": "a"}"#),
            uid("1130000000000001")
        );
        assert_eq!(user(r#"{"uid": "u-1", "login": "a"}"#), uid("u-1"));
        assert_eq!(
            user(r#"{"uid": "", "login": "a"}"#),
            Some(UpstreamUser::Login("a".into()))
        );
        assert_eq!(
            user(r#"{"uid": null, "login": "a"}"#),
            Some(UpstreamUser::Login("a".into()))
        );
        for nobody in [
            r#"{"display": "A"}"#,
            r#"{"uid": {}, "login": 5}"#,
            r#"{"login": ""}"#,
            r#"[{"uid": 1}]"#,
            "uid=1",
            "",
        ] {
            assert_eq!(user(nobody), None, "{nobody}");
        }
    }

    #[test]
    fn user_keys_follow_the_user_and_organisation_not_the_credential() {
        let uid = UpstreamUser::Uid("7".into());
        let key = |user: &UpstreamUser, h: &[(&'static str, &'static str)]| {
            user_owner_key(user, &headers(h))
        };
        let a = key(&uid, &[("authorization", "Bearer one"), ("x-org-id", "o")]);
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(
            a,
            key(&uid, &[("authorization", "OAuth two"), ("x-org-id", "o")])
        );
        let others = [
            key(&UpstreamUser::Uid("8".into()), &[("x-org-id", "o")]),
            key(&UpstreamUser::Login("7".into()), &[("x-org-id", "o")]),
            key(&uid, &[("x-org-id", "p")]),
            key(&uid, &[("x-cloud-org-id", "o")]),
            key(&uid, &[]),
            // A credential key never equals a user key, whatever it hashes.
            owner_key(&headers(&[("x-org-id", "o")])),
            owner_key(&headers(&[
                ("authorization", "Bearer one"),
                ("x-org-id", "o"),
            ])),
        ];
        for (i, other) in others.iter().enumerate() {
            assert_ne!(&a, other, "{i}");
            for later in &others[i + 1..] {
                assert_ne!(other, later);
            }
        }
    }

    #[test]
    fn jira_rules() {
        let ok = |value: &'static str| {
            let mut map = HeaderMap::new();
            map.insert("authorization", HeaderValue::from_static(value));
            check_jira(&map, "t", "dev@example.com")
        };
        // base64("dev@example.com:t") and variants.
        assert_eq!(ok("Basic ZGV2QGV4YW1wbGUuY29tOnQ="), Ok(()));
        assert_eq!(ok("basic  ZGV2QGV4YW1wbGUuY29tOnQ= "), Ok(()));
        assert_eq!(ok("Bearer t"), Ok(()));
        // other@example.com:t
        assert_eq!(
            ok("Basic b3RoZXJAZXhhbXBsZS5jb206dA=="),
            Err(ApiError::Unauthorized)
        );
        // The address in any case; the token exactly, whole, after the
        // first colon.
        assert_eq!(ok("Basic REVWQEV4YW1wbGUuQ09NOnQ="), Ok(()));
        assert_eq!(
            ok("Basic ZGV2QGV4YW1wbGUuY29tOlQ="),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(
            ok("Basic ZGV2QGV4YW1wbGUuY29t"),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(
            ok("Basic ZGV2QGV4YW1wbGUuY29tOnQ6eA=="),
            Err(ApiError::Unauthorized)
        );
        assert_eq!(ok("Basic !!!"), Err(ApiError::Unauthorized));
        assert_eq!(ok("OAuth t"), Err(ApiError::Unauthorized));
        assert_eq!(ok("Bearer x"), Err(ApiError::Unauthorized));
        assert_eq!(
            check_jira(&HeaderMap::new(), "t", "e"),
            Err(ApiError::Unauthorized)
        );
    }
}
