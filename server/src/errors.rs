//! Errors in the two shapes the contract fixes:
//! Tracker `{"errors": {}, "errorsData": {}, "errorMessages": [...], "statusCode": N}`
//! and Jira `{"errorMessages": [...], "errors": {...}, "status": N}`.
//!
//! Handlers return [`ApiError`] (Tracker) or [`JiraError`]; the response
//! carries the English text and a copy of the error in its extensions, and
//! the [`localize`] middleware re-renders it when the request prefers
//! Russian. That keeps the language out of every handler's signature.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::lang::Lang;

/// Longest client-supplied text (an id, a key) repeated in a message.
const ECHO_LIMIT: usize = 64;

/// Field order as in recorded Tracker responses.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrackerBody {
    errors: Map<String, Value>,
    errors_data: Map<String, Value>,
    error_messages: [String; 1],
    status_code: u16,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JiraBody {
    error_messages: Vec<String>,
    errors: Map<String, Value>,
    status: u16,
}

/// Which API's error shape a response uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Tracker,
    Jira,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    /// Proxy mode: a state-changing request from a page of another origin.
    CrossSite,
    /// Proxy mode: the request names (`Host`) none of the server's own
    /// addresses: a page whose DNS name was rebound to this address.
    ForeignHost,
    NotFound,
    IssueNotFound(String),
    AttachmentNotFound(String),
    ThumbnailNotFound(String),
    CommentNotFound(String),
    MethodNotAllowed,
    PayloadTooLarge {
        limit: u64,
    },
    /// A file name longer than any file system takes: its URLs would be
    /// longer than an HTTP server reads.
    NameTooLong {
        max: usize,
    },
    /// A JSON body (an issue, a change, a comment) over its limit.
    BodyTooLarge {
        limit: u64,
    },
    /// Jira: more than 60 files in one request.
    TooManyFiles {
        max: usize,
    },
    /// Jira: the issue holds as many attachments as it may.
    IssueAttachmentLimit {
        max: u64,
    },
    BadMultipart,
    NoFile,
    /// Jira: no multipart part named `file`.
    NoFileField,
    BadQuery,
    BadHost,
    BadJson,
    MissingField(&'static str),
    InvalidField(&'static str),
    UnknownQueue(String),
    /// A temporary attachment that cannot be attached (unknown, expired or
    /// already attached): 422 naming it.
    Unattachable(String),
    VersionMismatch {
        current: i64,
    },
    DuplicateIssue {
        key: String,
    },
    /// Flow.js parameters missing or malformed.
    FlowParams,
    /// A part whose number or size does not fit the declared totals.
    FlowMismatch,
    /// A chunked upload's assembly failed or is taking long; the last part
    /// sent again retries or waits again (503 with `Retry-After`: Flow.js
    /// gives up on a 500 but retries a 503).
    AssemblyUnfinished,
    /// An upload's body sent nothing for this long while the server
    /// waited for it: the request was ended.
    UploadIdle {
        idle: std::time::Duration,
    },
    /// The same for a request that is not an upload (a JSON body).
    BodyIdle {
        idle: std::time::Duration,
    },
    /// Proxy mode: the request's body broke off (the client went away,
    /// or sent broken chunked framing) before its end.
    BrokenBody,
    /// `--fault-rate` (or, under `/faulty`, `--faulty-mirror-rate`: the
    /// flag named) picked this request to fail.
    InjectedFault {
        flag: &'static str,
    },
    /// Proxy mode: the upstream could not be reached.
    BadGateway,
    /// Proxy mode: the upstream took the request but did not answer in
    /// time (it stopped taking the body, or gave no answer once it had it
    /// all): it may still be at work on it, unlike with `BadGateway`.
    GatewayTimeout,
    /// Proxy mode: the upstream answered 403 when asked whether it takes
    /// the browser's credential: it knows it, but denies it access.
    UpstreamForbidden,
    /// Proxy mode: the upstream answered 429 when asked about the
    /// browser's credential; its `Retry-After`, if valid, goes on.
    UpstreamRateLimited {
        retry_after: Option<HeaderValue>,
    },
    /// The same for a 503.
    UpstreamUnavailable {
        retry_after: Option<HeaderValue>,
    },
    /// Proxy mode: the browser's credential needs asking the upstream
    /// about, and as many such questions as may run at once
    /// (`credential_verdicts::MAX_CONCURRENT_CHECKS`) stayed under way
    /// for as long as the request could wait for one to end.
    CredentialChecksBusy,
    Internal,
}

impl ApiError {
    /// Logs the cause (server side only) and hides it from the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ApiError::Internal
    }

    /// Client text quoted in a message, cut so a huge id cannot blow up
    /// the response.
    pub fn echo(text: &str) -> String {
        text.chars().take(ECHO_LIMIT).collect()
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::CrossSite | ApiError::UpstreamForbidden => {
                StatusCode::FORBIDDEN
            }
            ApiError::ForeignHost => StatusCode::MISDIRECTED_REQUEST,
            ApiError::NotFound
            | ApiError::IssueNotFound(_)
            | ApiError::AttachmentNotFound(_)
            | ApiError::ThumbnailNotFound(_)
            | ApiError::CommentNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. }
            | ApiError::BodyTooLarge { .. }
            | ApiError::TooManyFiles { .. }
            | ApiError::IssueAttachmentLimit { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadMultipart
            | ApiError::NoFile
            | ApiError::NoFileField
            | ApiError::BadQuery
            | ApiError::BadHost
            | ApiError::BadJson
            | ApiError::NameTooLong { .. }
            | ApiError::InvalidField(_)
            | ApiError::FlowParams
            | ApiError::FlowMismatch
            | ApiError::BrokenBody => StatusCode::BAD_REQUEST,
            ApiError::MissingField(_) | ApiError::UnknownQueue(_) | ApiError::Unattachable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::DuplicateIssue { .. } => StatusCode::CONFLICT,
            ApiError::InjectedFault { .. }
            | ApiError::AssemblyUnfinished
            | ApiError::UpstreamUnavailable { .. }
            | ApiError::CredentialChecksBusy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::UpstreamRateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UploadIdle { .. } | ApiError::BodyIdle { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::BadGateway => StatusCode::BAD_GATEWAY,
            ApiError::GatewayTimeout => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The request field a validation error is about, for the `errors` map.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ApiError::MissingField(field) | ApiError::InvalidField(field) => Some(field),
            ApiError::UnknownQueue(_) => Some("queue"),
            ApiError::Unattachable(_) => Some("attachmentIds"),
            ApiError::NoFileField => Some("file"),
            _ => None,
        }
    }

    /// How long a client should wait before sending the request again,
    /// for the errors that say so.
    fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            ApiError::AssemblyUnfinished => Some(HeaderValue::from_static("1")),
            // The request already waited out the slot wait, so the checks
            // ahead are many or slow: coming back at once would only queue
            // again, while a few seconds let some end (the widget honours
            // up to two minutes).
            ApiError::CredentialChecksBusy => Some(HeaderValue::from_static("5")),
            ApiError::UpstreamRateLimited { retry_after }
            | ApiError::UpstreamUnavailable { retry_after } => retry_after.clone(),
            _ => None,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let ru = lang == Lang::Ru;
        match self {
            ApiError::Unauthorized if ru => {
                "Не авторизован: токен не передан или недействителен.".into()
            }
            ApiError::Unauthorized => "Not authorized: missing or invalid token.".into(),
            ApiError::Forbidden if ru => {
                "Нет доступа: передайте ровно один заголовок организации (X-Org-ID или X-Cloud-Org-ID) с известной организацией.".into()
            }
            ApiError::Forbidden => {
                "No access: send exactly one organization header (X-Org-ID or X-Cloud-Org-ID) with a known organization.".into()
            }
            ApiError::CrossSite if ru => {
                "Запрос со страницы другого источника отклонён: этот источник не разрешён (--cors-origin).".into()
            }
            ApiError::CrossSite => {
                "Request from a page of another origin refused: that origin is not allowed (--cors-origin).".into()
            }
            ApiError::ForeignHost if ru => {
                "Запрос адресован не этому серверу: заголовок Host не его адрес (разрешите его в --cors-origin).".into()
            }
            ApiError::ForeignHost => {
                "Request not meant for this server: its Host is none of the server's addresses (allow it with --cors-origin).".into()
            }
            ApiError::NotFound if ru => "Объект не найден.".into(),
            ApiError::NotFound => "Not found.".into(),
            ApiError::IssueNotFound(key) if ru => format!("Задача {key} не существует."),
            ApiError::IssueNotFound(key) => format!("Issue {key} does not exist."),
            ApiError::AttachmentNotFound(id) if ru => format!("Вложение {id} не существует."),
            ApiError::AttachmentNotFound(id) => format!("Attachment {id} does not exist."),
            ApiError::ThumbnailNotFound(id) if ru => format!("У вложения {id} нет миниатюры."),
            ApiError::ThumbnailNotFound(id) => format!("Attachment {id} has no thumbnail."),
            ApiError::CommentNotFound(id) if ru => format!("Комментарий {id} не существует."),
            ApiError::CommentNotFound(id) => format!("Comment {id} does not exist."),
            ApiError::MethodNotAllowed if ru => "Метод не поддерживается.".into(),
            ApiError::MethodNotAllowed => "Method not allowed.".into(),
            ApiError::PayloadTooLarge { limit } if ru => {
                format!("Файл больше допустимого размера {limit} байт.")
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("The file is larger than the limit of {limit} bytes.")
            }
            ApiError::NameTooLong { max } if ru => {
                format!("Имя файла длиннее {max} байт.")
            }
            ApiError::NameTooLong { max } => {
                format!("The file name is longer than {max} bytes.")
            }
            ApiError::BodyTooLarge { limit } if ru => {
                format!("Тело запроса больше допустимого размера {limit} байт.")
            }
            ApiError::BodyTooLarge { limit } => {
                format!("The request body is larger than the limit of {limit} bytes.")
            }
            ApiError::TooManyFiles { max } if ru => {
                format!("Слишком много файлов в одном запросе: не больше {max}.")
            }
            ApiError::TooManyFiles { max } => {
                format!("Too many files in one request: at most {max}.")
            }
            ApiError::IssueAttachmentLimit { max } if ru => {
                format!("У задачи уже максимальное число вложений ({max}).")
            }
            ApiError::IssueAttachmentLimit { max } => {
                format!("The issue already has the maximum number of attachments ({max}).")
            }
            ApiError::BadMultipart if ru => {
                "Тело запроса не является корректным multipart/form-data.".into()
            }
            ApiError::BadMultipart => "The request body is not valid multipart/form-data.".into(),
            ApiError::NoFile if ru => "В запросе нет файла.".into(),
            ApiError::NoFile => "The request contains no file.".into(),
            ApiError::NoFileField if ru => "Файл нужно передать в поле multipart «file».".into(),
            ApiError::NoFileField => "Send the file in the multipart field named 'file'.".into(),
            ApiError::BadQuery if ru => "Некорректные параметры запроса.".into(),
            ApiError::BadQuery => "Invalid query parameters.".into(),
            ApiError::BadHost if ru => "Заголовок Host отсутствует или некорректен.".into(),
            ApiError::BadHost => "Missing or invalid Host header.".into(),
            ApiError::BadJson if ru => "Тело запроса не является корректным объектом JSON.".into(),
            ApiError::BadJson => "The request body is not a valid JSON object.".into(),
            ApiError::MissingField(field) if ru => format!("Поле {field} обязательно."),
            ApiError::MissingField(field) => format!("Field {field} is required."),
            ApiError::InvalidField(field) if ru => {
                format!("Поле {field} имеет некорректное значение.")
            }
            ApiError::InvalidField(field) => format!("Field {field} has an invalid value."),
            ApiError::UnknownQueue(queue) if ru => format!("Очередь {queue} не существует."),
            ApiError::UnknownQueue(queue) => format!("Queue {queue} does not exist."),
            ApiError::Unattachable(id) if ru => format!(
                "Вложение {id} нельзя прикрепить: его нет, срок его хранения истёк или оно уже прикреплено."
            ),
            ApiError::Unattachable(id) => format!(
                "Attachment {id} cannot be attached: it does not exist, has expired or is already attached."
            ),
            ApiError::VersionMismatch { current } if ru => {
                format!("Задача изменилась: текущая версия {current}.")
            }
            ApiError::VersionMismatch { current } => {
                format!("The issue has changed: the current version is {current}.")
            }
            ApiError::DuplicateIssue { key } if ru => {
                format!("Задача с таким unique уже существует: {key}.")
            }
            ApiError::DuplicateIssue { key } => {
                format!("An issue with this unique value already exists: {key}.")
            }
            ApiError::FlowParams if ru => "Параметры Flow.js отсутствуют или некорректны.".into(),
            ApiError::FlowParams => "Missing or invalid Flow.js parameters.".into(),
            ApiError::FlowMismatch if ru => {
                "Номер или размер части не согласуется с объявленными итогами загрузки.".into()
            }
            ApiError::FlowMismatch => {
                "The part's number or size does not fit the upload's declared totals.".into()
            }
            ApiError::AssemblyUnfinished if ru => {
                "Файл ещё собирается из частей или его не удалось собрать: отправьте последнюю часть ещё раз.".into()
            }
            ApiError::AssemblyUnfinished => {
                "The file is still being assembled from its parts, or could not be: send the last part again.".into()
            }
            ApiError::UploadIdle { idle } if ru => format!(
                "Загрузка прервана: за {} не пришло ни байта. Отправьте файл ещё раз.",
                span(*idle, ["с", "мс"])
            ),
            ApiError::UploadIdle { idle } => format!(
                "The upload was stopped: no data arrived for {}. Send the file again.",
                span(*idle, ["s", "ms"])
            ),
            ApiError::BodyIdle { idle } if ru => format!(
                "Запрос прерван: за {} не пришло ни байта его тела. Отправьте запрос ещё раз.",
                span(*idle, ["с", "мс"])
            ),
            ApiError::BodyIdle { idle } => format!(
                "The request was stopped: no data of its body arrived for {}. Send it again.",
                span(*idle, ["s", "ms"])
            ),
            ApiError::BrokenBody if ru => "Тело запроса оборвалось, не дойдя до конца.".into(),
            ApiError::BrokenBody => "The request body broke off before its end.".into(),
            ApiError::InjectedFault { flag } if ru => {
                format!("Сервис временно недоступен (сбой, заданный {flag}).")
            }
            ApiError::InjectedFault { flag } => {
                format!("Service temporarily unavailable (fault injected by {flag}).")
            }
            ApiError::BadGateway if ru => "Вышестоящий сервер недоступен.".into(),
            ApiError::BadGateway => "The upstream server could not be reached.".into(),
            ApiError::GatewayTimeout if ru => {
                "Вышестоящий сервер не ответил вовремя: возможно, он ещё выполняет запрос.".into()
            }
            ApiError::GatewayTimeout => {
                "The upstream server did not answer in time: it may still be at work on the request.".into()
            }
            ApiError::UpstreamForbidden if ru => {
                "Вышестоящий сервис отказал этим учётным данным в доступе (403).".into()
            }
            ApiError::UpstreamForbidden => {
                "The upstream service refused this credential access (403).".into()
            }
            ApiError::UpstreamRateLimited { .. } if ru => {
                "Вышестоящий сервис получает слишком много запросов (429): повторите позже.".into()
            }
            ApiError::UpstreamRateLimited { .. } => {
                "The upstream service is receiving too many requests (429): try again later.".into()
            }
            ApiError::UpstreamUnavailable { .. } if ru => {
                "Вышестоящий сервис временно недоступен (503): повторите позже.".into()
            }
            ApiError::UpstreamUnavailable { .. } => {
                "The upstream service is temporarily unavailable (503): try again later.".into()
            }
            ApiError::CredentialChecksBusy if ru => {
                "Слишком много проверок учётных данных идёт одновременно: повторите позже.".into()
            }
            ApiError::CredentialChecksBusy => {
                "Too many credential checks are under way: try again later.".into()
            }
            ApiError::Internal if ru => "Внутренняя ошибка сервера.".into(),
            ApiError::Internal => "Internal server error.".into(),
        }
    }

    pub fn render(&self, flavor: Flavor, lang: Lang) -> Response {
        let status = self.status();
        let message = self.message(lang);
        let mut errors = Map::new();
        if let Some(field) = self.field() {
            errors.insert(field.to_owned(), Value::String(message.clone()));
        }
        let mut response = match flavor {
            Flavor::Tracker => (
                status,
                Json(TrackerBody {
                    errors,
                    errors_data: Map::new(),
                    error_messages: [message],
                    status_code: status.as_u16(),
                }),
            )
                .into_response(),
            Flavor::Jira => (
                status,
                Json(JiraBody {
                    error_messages: vec![message],
                    errors,
                    status: status.as_u16(),
                }),
            )
                .into_response(),
        };
        response.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        );
        if let Some(retry_after) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after);
        }
        response.extensions_mut().insert(Rendered {
            error: self.clone(),
            flavor,
        });
        response
    }
}

/// `120 s`, or `300 ms` when not whole seconds; `units` are the language's
/// seconds and milliseconds.
fn span(duration: std::time::Duration, [seconds, millis]: [&str; 2]) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} {seconds}", duration.as_secs())
    } else {
        format!("{} {millis}", duration.as_millis())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.render(Flavor::Tracker, Lang::En)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ApiError {}

/// An [`ApiError`] answered in Jira's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JiraError(pub ApiError);

impl From<ApiError> for JiraError {
    fn from(error: ApiError) -> Self {
        JiraError(error)
    }
}

impl IntoResponse for JiraError {
    fn into_response(self) -> Response {
        self.0.render(Flavor::Jira, Lang::En)
    }
}

/// What [`localize`] needs to render an error again.
#[derive(Debug, Clone)]
struct Rendered {
    error: ApiError,
    flavor: Flavor,
}

/// Re-renders error responses in the language the request prefers.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let response = next.run(request).await;
    if lang == Lang::En {
        return response;
    }
    let Some(Rendered { error, flavor }) = response.extensions().get::<Rendered>().cloned() else {
        return response;
    };
    // Swap only the body, so headers added by handlers or inner layers survive.
    let (mut parts, _) = response.into_parts();
    let (_, body) = error.render(flavor, lang).into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    Response::from_parts(parts, body)
}

/// Answers unknown paths under `/v2` in the Tracker shape.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

pub async fn jira_not_found() -> JiraError {
    JiraError(ApiError::NotFound)
}

pub async fn jira_method_not_allowed() -> JiraError {
    JiraError(ApiError::MethodNotAllowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_json(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn both_shapes() {
        let tracker =
            body_json(ApiError::IssueNotFound("DEMO-9".into()).render(Flavor::Tracker, Lang::Ru))
                .await;
        assert_eq!(
            tracker,
            serde_json::json!({"errors": {}, "errorsData": {}, "errorMessages": ["Задача DEMO-9 не существует."], "statusCode": 404})
        );
        let jira = body_json(ApiError::NoFileField.render(Flavor::Jira, Lang::En)).await;
        assert_eq!(
            jira,
            serde_json::json!({
                "errorMessages": ["Send the file in the multipart field named 'file'."],
                "errors": {"file": "Send the file in the multipart field named 'file'."},
                "status": 400
            })
        );
    }

    #[test]
    fn echo_is_bounded() {
        assert_eq!(
            ApiError::echo(&"я".repeat(1000)).chars().count(),
            ECHO_LIMIT
        );
    }
}
