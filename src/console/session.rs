//! The console's sessions on the wire: the cookies, the form token (CSRF) checked on every POST
//! before any handler runs, and the `Console` extractor that gives a handler the `Caller` of
//! its session, built as the API's bearer token builds it (`auth::console_sessions`).
//!
//! Cookies: the session (`zj_console`: HttpOnly, SameSite=Strict, Path=/console, Secure when
//! `server.public_url` is https), a pre-session form token for the sign-in form
//! (`zj_console_pre`, the same attributes), and the language (`zj_console_lang`).

use std::sync::Arc;

use axum::{
    body::{to_bytes, Body},
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::page::{html, Frame, MessagePage, Notice};
use super::texts::Texts;
use crate::audit::AuditContext;
use crate::auth::{console_sessions, Caller};
use crate::platform::crypto::constant_time_eq;
use crate::platform::error::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "zj_console";
pub const PRE_COOKIE: &str = "zj_console_pre";
const LANG_COOKIE: &str = "zj_console_lang";
pub const SIGN_IN: &str = "/console/sign-in";
/// Console forms are a few fields; a larger body is refused before it is read.
const FORM_LIMIT: usize = 64 * 1024;

/// What the guard learnt of a request, for the handlers.
#[derive(Clone)]
pub struct Visit {
    pub lang: Lang,
    pub session: Option<Arc<console_sessions::Live>>,
    /// The sign-in form's token (from its cookie), when the browser has one.
    pub pre_token: Option<String>,
}

/// A signed-in staff member's request: the caller its session acts as.
pub struct Console {
    pub caller: Caller,
    pub session_id: String,
    pub csrf: String,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, StatusCode> {
        parts
            .extensions
            .get::<Visit>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    /// Without a live session: to the sign-in page; an htmx request is told to go there as a
    /// whole page (a redirect would be followed inside the request and swapped into a part).
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        let visit = parts.extensions.get::<Visit>();
        let Some((live, lang)) = visit.and_then(|v| v.session.clone().map(|s| (s, v.lang))) else {
            if parts.headers.contains_key("hx-request") {
                let headers = [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    ),
                    (
                        header::HeaderName::from_static("hx-redirect"),
                        HeaderValue::from_static(SIGN_IN),
                    ),
                ];
                return Err((StatusCode::UNAUTHORIZED, headers).into_response());
            }
            return Err(super::page::see_other(SIGN_IN));
        };
        Ok(Console {
            caller: live.caller.clone(),
            session_id: live.id.clone(),
            csrf: live.csrf_token.clone(),
            lang,
        })
    }
}

/// A cookie's value in the request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value for the console's cookies; `None` clears the cookie.
pub fn set_cookie(state: &AppState, name: &str, value: Option<&str>) -> HeaderValue {
    let secure = if state.settings.server.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let (value, age) = match value {
        Some(value) => (value, String::new()),
        None => ("", "; Max-Age=0".to_owned()),
    };
    let text = format!("{name}={value}; Path=/console; HttpOnly; SameSite=Strict{secure}{age}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The language: `?lang=en|zh` (remembered in a cookie), else the cookie, else Chinese.
fn language(request: &Request) -> (Lang, Option<Lang>) {
    let asked = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
        .and_then(parse_lang);
    let remembered = cookie(request.headers(), LANG_COOKIE).and_then(parse_lang);
    (asked.or(remembered).unwrap_or(Lang::Zh), asked)
}

fn parse_lang(code: &str) -> Option<Lang> {
    match code {
        "en" => Some(Lang::En),
        "zh" => Some(Lang::Zh),
        _ => None,
    }
}

#[derive(Deserialize)]
struct FormToken {
    #[serde(default)]
    csrf: String,
}

/// Middleware of every console route: resolves the session from its cookie and names its
/// staff member in the audit event; refuses a POST whose form token is not the session's (or,
/// for the sign-in form, the pre-session cookie's) before any handler runs.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (lang, asked) = language(&request);
    let session = match cookie(request.headers(), SESSION_COOKIE) {
        Some(token) => match console_sessions::resolve(&state, token).await {
            Ok(live) => live.map(Arc::new),
            Err(error) => return error.into_response(),
        },
        None => None,
    };
    let pre_token = cookie(request.headers(), PRE_COOKIE).map(str::to_owned);
    let mut request = request;
    if request.method() == Method::POST {
        let expected = if request.uri().path() == SIGN_IN {
            pre_token.clone()
        } else {
            session.as_ref().map(|s| s.csrf_token.clone())
        };
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let sent = serde_urlencoded::from_bytes::<FormToken>(&bytes)
            .map(|f| f.csrf)
            .unwrap_or_default();
        let valid = expected.is_some_and(|e| !e.is_empty() && constant_time_eq(e.as_bytes(), sent.as_bytes()));
        if !valid {
            return form_expired(lang, session.as_deref());
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    if let (Some(live), Some(audit)) = (&session, request.extensions().get::<AuditContext>()) {
        let caller = &live.caller;
        audit.set_actor(
            caller.role.account_kind().as_str(),
            &caller.account_id,
            caller.role.as_str(),
        );
    }
    request.extensions_mut().insert(Visit {
        lang,
        session,
        pre_token,
    });
    let mut response = next.run(request).await;
    if let Some(lang) = asked {
        let code = if lang == Lang::En { "en" } else { "zh" };
        let value = set_cookie(&state, LANG_COOKIE, Some(code));
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// 403 for a form without the session's token: a forged cross-site request or an old page.
fn form_expired(lang: Lang, session: Option<&console_sessions::Live>) -> Response {
    let t = Texts::of(lang);
    let frame = match session {
        Some(live) => Frame::signed_in(lang, &live.caller, &live.csrf_token, "", "/console/"),
        None => Frame::public(lang, "", SIGN_IN),
    };
    let notice = Notice {
        ok: false,
        code: "console.form_expired".to_owned(),
        message: t.form_expired.to_owned(),
        fields: Vec::new(),
    };
    html(
        StatusCode::FORBIDDEN,
        MessagePage {
            frame: frame.with(notice),
        },
    )
}
