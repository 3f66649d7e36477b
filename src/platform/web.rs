//! Extractors shared by every handler: a JSON body whose errors are problem documents with
//! per-field codes, and the client's network address.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::{
    body::Bytes,
    extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::{de::DeserializeOwned, Serialize};

use crate::platform::config::Settings;
use crate::platform::error::{ApiError, FieldError, Message};
use crate::platform::types::InvalidValue;

/// A JSON request or response body. As an extractor it refuses a wrong content type (415),
/// an oversized body (413), malformed JSON (400) and values that break their type's rules (422,
/// naming the field).
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.not_json",
                "请求体须为 JSON，并设置 Content-Type: application/json",
                "Send a JSON body with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "request.too_large",
                    "请求内容过大",
                    "The request body is too large",
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "request.unreadable_body",
                    "无法读取请求体",
                    "The request body could not be read",
                )
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

/// Deserializes a body, mapping serde's errors to problem documents.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let malformed = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.malformed_json",
            "请求体不是有效的 JSON",
            "The request body is not valid JSON",
        )
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            ApiError::validation(vec![field_error(&path, &inner)])
        } else {
            malformed()
        }
    })?;
    deserializer.end().map_err(|_| malformed())?;
    Ok(value)
}

fn field_error(path: &str, error: &serde_json::Error) -> FieldError {
    let text = error.to_string();
    let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
    if let Some(known) = InvalidValue::from_code(message) {
        return FieldError {
            field: path.to_owned(),
            code: known.code,
            message: known.message,
        };
    }
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        let field = if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return FieldError {
            field,
            code: "field.missing",
            message: Message::new("缺少必填字段", "This field is required"),
        };
    }
    if let Some(name) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        // serde's path already ends at the unknown field.
        let field = if path == "." { name.to_owned() } else { path.to_owned() };
        return FieldError {
            field,
            code: "field.unknown",
            message: Message::new("不认识的字段", "Unknown field"),
        };
    }
    FieldError {
        field: path.to_owned(),
        code: "field.invalid",
        message: Message::new(format!("字段值不正确：{message}"), message.to_owned()),
    }
}

/// Middleware: a request running longer than `server.request_timeout_secs` answers 408. A
/// request with a body that is not JSON is a file upload (only the upload endpoints take
/// such bodies) and gets `uploads.request_timeout_secs` instead.
pub async fn request_timeout(State(settings): State<Arc<Settings>>, request: Request, next: Next) -> Response {
    let streamed = request.headers().contains_key(header::CONTENT_TYPE) && !is_json(request.headers());
    let secs = if streamed {
        settings.uploads.request_timeout_secs
    } else {
        settings.server.request_timeout_secs
    };
    match tokio::time::timeout(Duration::from_secs(secs), next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// The client's IP address: the peer address, or the last `X-Forwarded-For` entry (the one our
/// own proxy appended) when `server.trust_forwarded_for` is set.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress
where
    Arc<Settings>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if Arc::<Settings>::from_ref(state).server.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty());
            if let Some(address) = forwarded {
                return Ok(ClientAddress(address));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddress(peer.unwrap_or_else(|| "unknown".into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::types::CreditCode;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    #[serde(deny_unknown_fields)]
    struct Body {
        credit_code: CreditCode,
        count: u32,
    }

    fn error(json: &str) -> ApiError {
        parse_json::<Body>(json.as_bytes()).unwrap_err()
    }

    #[test]
    fn json_errors_name_the_field_and_rule() {
        let e = error(r#"{"credit_code":"91350100M000100Y44","count":1}"#);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.fields[0].field, "credit_code");
        assert_eq!(e.fields[0].code, "credit_code.check_character");

        let e = error(r#"{"count":1}"#);
        assert_eq!(
            (e.fields[0].field.as_str(), e.fields[0].code),
            ("credit_code", "field.missing")
        );

        let e = error(r#"{"credit_code":"91350100M000100Y43","count":-1}"#);
        assert_eq!(
            (e.fields[0].field.as_str(), e.fields[0].code),
            ("count", "field.invalid")
        );

        let e = error(r#"{"credit_code":"91350100M000100Y43","count":1,"x":2}"#);
        assert_eq!((e.fields[0].field.as_str(), e.fields[0].code), ("x", "field.unknown"));

        assert_eq!(error(r#"{"credit_code": "#).code, "request.malformed_json");
        assert_eq!(
            error(r#"{"credit_code":"91350100M000100Y43","count":1} x"#).code,
            "request.malformed_json"
        );
    }
}

/// An absolute URL of this app for `path`: `server.public_url` when set, else from the
/// request's Host header (development).
pub fn app_url(settings: &Settings, headers: &axum::http::HeaderMap, path: &str) -> String {
    let base = &settings.server.public_url;
    if !base.is_empty() {
        return format!("{}{path}", base.trim_end_matches('/'));
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}{path}")
}
