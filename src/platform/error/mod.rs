//! Every error the API gives is an `application/problem+json` document (RFC 9457) with a stable
//! machine `code`, a `detail` a person can act on (Chinese by default, English with
//! `Accept-Language: en`), the request id, and field errors under `errors`.
//!
//! Handlers return `ApiError`; its `IntoResponse` only sets the status and headers and parks the
//! error in the response's extensions. The `render_problems` middleware, which knows the
//! request's language and id, writes the body. The same middleware turns the framework's own
//! bare error responses (unknown route, wrong method, timeout, panic) into problem documents,
//! so no error leaves the server in another shape.

use std::borrow::Cow;

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::observe::RequestId;

pub mod catalogue;
#[cfg(test)]
mod catalogue_tests;

pub type ApiResult<T> = Result<T, ApiError>;

type Text = Cow<'static, str>;

/// A message in both languages the API speaks.
#[derive(Debug, Clone)]
pub struct Message {
    pub zh: Text,
    pub en: Text,
}

impl Message {
    pub fn new(zh: impl Into<Text>, en: impl Into<Text>) -> Self {
        Message {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: Message,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Message,
    pub fields: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
    /// Value of `WWW-Authenticate` on a 401.
    pub authenticate: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, zh: impl Into<Text>, en: impl Into<Text>) -> Self {
        ApiError {
            status,
            code,
            message: Message::new(zh, en),
            fields: Vec::new(),
            retry_after_secs: None,
            authenticate: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>, code: &'static str, message: Message) -> Self {
        self.fields.push(FieldError {
            field: field.into(),
            code,
            message,
        });
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs.max(1));
        self
    }

    /// 422 for a request whose fields break their rules; see `Invalid` for collecting them.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        ApiError {
            fields,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_fields",
                "请求中有字段不符合要求，请按 errors 中的说明修改",
                "Some fields are invalid; see errors for what to change",
            )
        }
    }

    /// An object that does not exist or lies outside the caller's scope: the two are not told
    /// apart, so ids cannot be probed.
    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "resource.not_found",
            format!("{what_zh}不存在或无权访问"),
            format!("{what_en} not found"),
        )
    }

    pub fn forbidden_role() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.forbidden_role",
            "您的角色无权执行此操作",
            "Your role is not allowed to do this",
        )
    }

    pub fn conflict(code: &'static str, zh: impl Into<Text>, en: impl Into<Text>) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, zh, en)
    }

    pub fn unavailable(code: &'static str, zh: impl Into<Text>, en: impl Into<Text>) -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, zh, en).retry_after(5)
    }

    /// An unexpected failure: logged in full with the request id, shown as a generic 500.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(error = %error, "internal error");
        Self::generic(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The error for a bare status produced outside the handlers (router, layers).
    fn generic(status: StatusCode) -> Self {
        let (code, zh, en) = match status {
            StatusCode::NOT_FOUND => (
                "route.not_found",
                "没有这个接口，请检查地址",
                "No such endpoint; check the URL",
            ),
            StatusCode::METHOD_NOT_ALLOWED => (
                "route.method_not_allowed",
                "此接口不支持该请求方法，可用方法见 Allow 头",
                "This endpoint does not accept this method; see the Allow header",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ("request.too_large", "请求内容过大", "The request body is too large"),
            StatusCode::URI_TOO_LONG => ("request.uri_too_long", "请求地址过长", "The request URI is too long"),
            StatusCode::REQUEST_TIMEOUT => (
                "request.timeout",
                "请求处理超时，请稍后重试",
                "The request took too long; try again later",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "request.unsupported_media_type",
                "不支持的内容类型",
                "Unsupported content type",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                "service.unavailable",
                "服务暂时不可用，请稍后重试",
                "Service temporarily unavailable; try again later",
            ),
            s if s.is_client_error() => ("request.invalid", "请求无效", "Invalid request"),
            _ => (
                "internal",
                "服务器内部错误，请带上请求编号联系管理员",
                "Internal server error; quote the request id when reporting it",
            ),
        };
        ApiError::new(status, code, zh, en)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if is_outage(&error) {
            tracing::warn!(%error, "the database is unavailable");
            return ApiError::unavailable(
                "service.database_busy",
                "数据库繁忙，请稍后重试",
                "The database is busy; try again shortly",
            );
        }
        if let Some(refusal) = refusal(&error) {
            return refusal;
        }
        ApiError::internal(error)
    }
}

/// The one mapping of what a database refuses because of the request (a duplicate, a record
/// still referred to, a value the column cannot hold) to a 409 or 422 that says why, so no
/// such refusal reaches a client as a 500. Handlers that know better map first.
fn refusal(error: &sqlx::Error) -> Option<ApiError> {
    let sqlx::Error::Database(e) = error else {
        return None;
    };
    tracing::info!(%error, "the database refused a write");
    if e.is_unique_violation() {
        return Some(ApiError::conflict(
            "conflict.duplicate",
            "已存在相同的记录，请勿重复提交",
            "The same record already exists; do not submit it twice",
        ));
    }
    if e.is_foreign_key_violation() {
        return Some(ApiError::conflict(
            "conflict.referenced",
            "该记录仍被其他记录引用（例如资质证书被核查任务引用），或所引用的记录已不存在，因此不能执行此操作",
            "Other records still refer to this one (e.g. a verification task refers to this qualification),              or the record it refers to no longer exists, so this cannot be done",
        ));
    }
    let code = e.code();
    // PostgreSQL: data exceptions (22…: a NUL character, a value too long or out of range) and
    // integrity violations (23…: not null, check); SQLite: CHECK and NOT NULL constraints.
    let bad_value = code
        .as_deref()
        .is_some_and(|c| c.starts_with("22") || c.starts_with("23") || c == "275" || c == "1299");
    bad_value.then(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.unstorable_value",
            "请求中有无法保存的值（如含空字符、过长或超出范围），请检查后重新提交",
            "The request holds a value that cannot be stored (a NUL character, too long or out of range); check it",
        )
    })
}

/// Whether the database could not serve at all (busy, locked, unreachable, shutting down),
/// which is a 503 to retry rather than a fault of this request.
fn is_outage(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(e) => {
            let code = e.code();
            let code = code.as_deref().unwrap_or_default();
            // SQLite: SQLITE_BUSY and its extended codes; PostgreSQL: lock not available,
            // connection exceptions (08…), operator intervention (57P…).
            matches!(code, "5" | "261" | "517" | "773" | "55P03") || code.starts_with("08") || code.starts_with("57P")
        }
        _ => false,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(value) = self.authenticate.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Collects field errors so one answer lists every problem of a request body.
#[derive(Default)]
pub struct Invalid(Vec<FieldError>);

impl Invalid {
    pub fn field(&mut self, field: &str, code: &'static str, zh: impl Into<Text>, en: impl Into<Text>) {
        self.push(field, code, Message::new(zh, en));
    }

    /// Records a refusal whose message is already made (see `platform::types` for the
    /// refusals of the validated value types).
    pub fn push(&mut self, field: &str, code: &'static str, message: Message) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            message,
        });
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

/// The language of the answer: English when the client prefers it, Chinese otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Lang::Zh;
        };
        // The first listed tag with the highest quality wins; only zh and en are offered.
        let mut best = (Lang::Zh, -1.0f32);
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let lang = if tag.starts_with("en") {
                Lang::En
            } else if tag.starts_with("zh") {
                Lang::Zh
            } else {
                continue;
            };
            if q > best.1 {
                best = (lang, q);
            }
        }
        best.0
    }
}

/// The problem document as it goes on the wire.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// `urn:zhujian:problem:<code>`
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code, e.g. `auth.invalid_credentials`.
    pub code: String,
    /// What happened and what to do, in the requested language.
    pub detail: String,
    pub request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemField {
    /// The JSON path of the field, e.g. `credit_code`.
    pub field: String,
    pub code: String,
    pub message: String,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The longest request target (path and query) served; longer ones answer 414 as a problem
/// document. (Beyond 64 KiB the HTTP parser itself refuses them, with an empty 414.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Middleware: writes every error response as a problem document in the request's language.
pub async fn render_problems(request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let request_id = request.extensions().get::<RequestId>().cloned().unwrap_or_default();
    let too_long = request.uri().path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI_BYTES;
    let mut response = if too_long {
        StatusCode::URI_TOO_LONG.into_response()
    } else {
        next.run(request).await
    };
    let status = response.status();
    let error = match response.extensions_mut().remove::<ApiError>() {
        Some(error) => error,
        None if status.is_client_error() || status.is_server_error() => {
            // A problem document already, or a page that shows its error to a person (the
            // staff console's, which names the same code and message).
            let already_rendered = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
                v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()) || v.as_bytes().starts_with(b"text/html")
            });
            if already_rendered {
                return response;
            }
            ApiError::generic(status)
        }
        None => return response,
    };
    debug_assert!(
        catalogue::lookup(error.code).is_some_and(|c| c.statuses.contains(&status.as_u16()))
            && error.fields.iter().all(|f| catalogue::lookup(f.code).is_some()),
        "{} {} (or a field code) is not in src/platform/error/catalogue.rs",
        status.as_u16(),
        error.code
    );
    let problem = Problem {
        kind: format!("urn:zhujian:problem:{}", error.code),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        code: error.code.to_string(),
        detail: error.message.pick(lang).to_string(),
        request_id: request_id.0,
        errors: error
            .fields
            .iter()
            .map(|f| ProblemField {
                field: f.field.clone(),
                code: f.code.to_string(),
                message: f.message.pick(lang).to_string(),
            })
            .collect(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let (mut parts, _) = response.into_parts();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(if lang == Lang::En { "en" } else { "zh-CN" }),
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(value: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
        Lang::from_headers(&headers)
    }

    #[test]
    fn language_follows_accept_language() {
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Zh);
        assert_eq!(lang("en"), Lang::En);
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(lang("fr, en;q=0.5"), Lang::En);
        assert_eq!(lang("zh;q=0.4, en;q=0.6"), Lang::En);
        assert_eq!(lang("de"), Lang::Zh);
    }
}
