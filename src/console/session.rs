//! The console's sessions on the wire: the cookies, the form token (CSRF) checked on every POST
//! before any handler runs, and the `Console` extractor that gives a handler the `Caller` of
//! its session, built as the API's bearer token builds it (`auth::console_sessions`).
//!
//! Cookies: the session (`zj_console`: HttpOnly, SameSite=Strict, Path=/console, Secure when
//! `server.public_url` is https), a pre-session form token for the sign-in form
//! (`zj_console_pre`, the same attributes), and the language (`zj_console_lang`). The
//! enterprise portal (`/enterprise/`) has its own three (`zj_enterprise*`, Path=/enterprise)
//! and admits enterprise sessions only, as the staff console admits staff only (`Door`).

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
use crate::auth::console_sessions::{self, Portal};
use crate::auth::Caller;
use crate::platform::crypto::constant_time_eq;
use crate::platform::error::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "zj_console";
pub const PRE_COOKIE: &str = "zj_console_pre";
const LANG_COOKIE: &str = "zj_console_lang";
pub const SIGN_IN: &str = "/console/sign-in";
/// Console forms are a few fields; a larger body is refused before it is read.
const FORM_LIMIT: usize = 64 * 1024;

/// A portal on the wire: where it lives, its cookies, and its forms sent before signing in.
pub struct Door {
    pub portal: Portal,
    /// The path prefix of its pages and the path of its cookies.
    pub path: &'static str,
    pub home: &'static str,
    pub sign_in: &'static str,
    pub session_cookie: &'static str,
    pub pre_cookie: &'static str,
    lang_cookie: &'static str,
    /// Forms checked against the pre-session cookie's token (no session yet).
    public_forms: &'static [&'static str],
    /// Where `multipart/form-data` is streamed to its handler, which checks the form token as
    /// the body's first part (`enterprise::uploads`: a file is not read into memory for it).
    streamed: Option<&'static str>,
}

pub const STAFF: Door = Door {
    portal: Portal::Staff,
    path: "/console",
    home: "/console/",
    sign_in: SIGN_IN,
    session_cookie: SESSION_COOKIE,
    pre_cookie: PRE_COOKIE,
    lang_cookie: LANG_COOKIE,
    public_forms: &[SIGN_IN],
    streamed: None,
};

pub const ENTERPRISE: Door = Door {
    portal: Portal::Enterprise,
    path: "/enterprise",
    home: "/enterprise/",
    sign_in: "/enterprise/sign-in",
    session_cookie: "zj_enterprise",
    pre_cookie: "zj_enterprise_pre",
    lang_cookie: "zj_enterprise_lang",
    public_forms: &["/enterprise/sign-in", "/enterprise/reset", "/enterprise/reset/confirm"],
    streamed: Some("/enterprise/uploads/"),
};

impl Door {
    /// The portal a request's path is in.
    pub fn of(path: &str) -> &'static Door {
        if path == ENTERPRISE.path || path.starts_with("/enterprise/") {
            &ENTERPRISE
        } else {
            &STAFF
        }
    }
}

/// What the guard learnt of a request, for the handlers.
#[derive(Clone)]
pub struct Visit {
    pub lang: Lang,
    pub door: &'static Door,
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
    pub door: &'static Door,
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
        let door = visit.map_or(&STAFF, |v| v.door);
        let Some((live, lang)) = visit.and_then(|v| v.session.clone().map(|s| (s, v.lang))) else {
            if parts.headers.contains_key("hx-request") {
                let headers = [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    ),
                    (
                        header::HeaderName::from_static("hx-redirect"),
                        HeaderValue::from_static(door.sign_in),
                    ),
                ];
                return Err((StatusCode::UNAUTHORIZED, headers).into_response());
            }
            return Err(super::page::see_other(door.sign_in));
        };
        Ok(Console {
            caller: live.caller.clone(),
            session_id: live.id.clone(),
            csrf: live.csrf_token.clone(),
            lang,
            door,
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

/// A `Set-Cookie` value for the staff console's cookies; `None` clears the cookie.
pub fn set_cookie(state: &AppState, name: &str, value: Option<&str>) -> HeaderValue {
    door_cookie(state, &STAFF, name, value)
}

/// A `Set-Cookie` value for a cookie of `door`'s portal (its path); `None` clears the cookie.
pub fn door_cookie(state: &AppState, door: &Door, name: &str, value: Option<&str>) -> HeaderValue {
    let secure = if state.settings.server.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let (value, age) = match value {
        Some(value) => (value, String::new()),
        None => ("", "; Max-Age=0".to_owned()),
    };
    let path = door.path;
    let text = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict{secure}{age}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The language: `?lang=en|zh` (remembered in a cookie), else the cookie, else Chinese.
fn language(request: &Request, door: &Door) -> (Lang, Option<Lang>) {
    let asked = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
        .and_then(parse_lang);
    let remembered = cookie(request.headers(), door.lang_cookie).and_then(parse_lang);
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

/// Middleware of every console route: resolves the session of the path's portal from its
/// cookie and names its account in the audit event; refuses a POST whose form token is not the
/// session's (or, for the forms sent before signing in, the pre-session cookie's) before any
/// handler runs.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let door = Door::of(request.uri().path());
    let (lang, asked) = language(&request, door);
    let session = match cookie(request.headers(), door.session_cookie) {
        Some(token) => match console_sessions::resolve(&state, door.portal, token).await {
            Ok(live) => live.map(Arc::new),
            Err(error) => return error.into_response(),
        },
        None => None,
    };
    let pre_token = cookie(request.headers(), door.pre_cookie).map(str::to_owned);
    let mut request = request;
    if request.method() == Method::POST && streamed(&request, door) {
        // The upload handler checks the form token, the body's first part.
        if session.is_none() {
            return form_expired(lang, door, None);
        }
    } else if request.method() == Method::POST {
        let expected = if door.public_forms.contains(&request.uri().path()) {
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
            return form_expired(lang, door, session.as_deref());
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
        door,
        session,
        pre_token,
    });
    let mut response = next.run(request).await;
    if let Some(lang) = asked {
        let code = if lang == Lang::En { "en" } else { "zh" };
        let value = door_cookie(&state, door, door.lang_cookie, Some(code));
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Whether a POST streams its `multipart/form-data` body to its handler (an upload).
fn streamed(request: &Request, door: &Door) -> bool {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    multipart && door.streamed.is_some_and(|p| request.uri().path().starts_with(p))
}

/// 403 for a form without the session's token: a forged cross-site request or an old page.
pub fn form_expired(lang: Lang, door: &Door, session: Option<&console_sessions::Live>) -> Response {
    let t = Texts::of(lang);
    let frame = match session {
        Some(live) => Frame::signed_in(lang, &live.caller, &live.csrf_token, "", door.home),
        None => Frame::public(lang, "", door.sign_in),
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
