//! Errors in the Tracker shape:
//! `{"errors": {}, "errorsData": {}, "errorMessages": [...], "statusCode": N}`.
//!
//! Handlers return [`ApiError`]; its response carries the English text and a
//! copy of the error in the response extensions, and the [`localize`]
//! middleware re-renders it when the request prefers Russian. That keeps the
//! language out of every handler's signature.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Map;

use crate::lang::Lang;

/// Field order as in recorded Tracker responses.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    errors: Map<String, serde_json::Value>,
    errors_data: Map<String, serde_json::Value>,
    error_messages: [String; 1],
    status_code: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound,
    AttachmentNotFound(String),
    ThumbnailNotFound(String),
    MethodNotAllowed,
    PayloadTooLarge { limit: u64 },
    BadMultipart,
    NoFile,
    BadQuery,
    BadHost,
    Internal,
}

impl ApiError {
    /// Logs the cause (server side only) and hides it from the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ApiError::Internal
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound
            | ApiError::AttachmentNotFound(_)
            | ApiError::ThumbnailNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadMultipart | ApiError::NoFile | ApiError::BadQuery | ApiError::BadHost => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ApiError::Unauthorized, Lang::En) => "Not authorized: missing or invalid token.".into(),
            (ApiError::Unauthorized, Lang::Ru) => {
                "Не авторизован: токен не передан или недействителен.".into()
            }
            (ApiError::Forbidden, Lang::En) => {
                "No access: send exactly one organization header (X-Org-ID or X-Cloud-Org-ID) with a known organization.".into()
            }
            (ApiError::Forbidden, Lang::Ru) => {
                "Нет доступа: передайте ровно один заголовок организации (X-Org-ID или X-Cloud-Org-ID) с известной организацией.".into()
            }
            (ApiError::NotFound, Lang::En) => "Not found.".into(),
            (ApiError::NotFound, Lang::Ru) => "Объект не найден.".into(),
            (ApiError::AttachmentNotFound(id), Lang::En) => {
                format!("Attachment {id} does not exist.")
            }
            (ApiError::AttachmentNotFound(id), Lang::Ru) => format!("Вложение {id} не существует."),
            (ApiError::ThumbnailNotFound(id), Lang::En) => {
                format!("Attachment {id} has no thumbnail.")
            }
            (ApiError::ThumbnailNotFound(id), Lang::Ru) => format!("У вложения {id} нет миниатюры."),
            (ApiError::MethodNotAllowed, Lang::En) => "Method not allowed.".into(),
            (ApiError::MethodNotAllowed, Lang::Ru) => "Метод не поддерживается.".into(),
            (ApiError::PayloadTooLarge { limit }, Lang::En) => {
                format!("The file is larger than the limit of {limit} bytes.")
            }
            (ApiError::PayloadTooLarge { limit }, Lang::Ru) => {
                format!("Файл больше допустимого размера {limit} байт.")
            }
            (ApiError::BadMultipart, Lang::En) => "The request body is not valid multipart/form-data.".into(),
            (ApiError::BadMultipart, Lang::Ru) => "Тело запроса не является корректным multipart/form-data.".into(),
            (ApiError::NoFile, Lang::En) => "The request contains no file.".into(),
            (ApiError::NoFile, Lang::Ru) => "В запросе нет файла.".into(),
            (ApiError::BadQuery, Lang::En) => "Invalid query parameters.".into(),
            (ApiError::BadQuery, Lang::Ru) => "Некорректные параметры запроса.".into(),
            (ApiError::BadHost, Lang::En) => "Missing or invalid Host header.".into(),
            (ApiError::BadHost, Lang::Ru) => "Заголовок Host отсутствует или некорректен.".into(),
            (ApiError::Internal, Lang::En) => "Internal server error.".into(),
            (ApiError::Internal, Lang::Ru) => "Внутренняя ошибка сервера.".into(),
        }
    }

    pub fn to_response(&self, lang: Lang) -> Response {
        let status = self.status();
        let body = ErrorBody {
            errors: Map::new(),
            errors_data: Map::new(),
            error_messages: [self.message(lang)],
            status_code: status.as_u16(),
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        );
        response.extensions_mut().insert(self.clone());
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.to_response(Lang::En)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ApiError {}

/// Re-renders [`ApiError`] responses in the language the request prefers.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let response = next.run(request).await;
    if lang == Lang::En {
        return response;
    }
    let Some(error) = response.extensions().get::<ApiError>().cloned() else {
        return response;
    };
    // Swap only the body, so headers added by handlers or inner layers survive.
    let (mut parts, _) = response.into_parts();
    let (_, body) = error.to_response(lang).into_parts();
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
