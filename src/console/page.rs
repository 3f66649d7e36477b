//! What every console page shares: the frame around it (texts, the signed-in staff member, the
//! form token, the notice), and turning a template into a response.

use askama::Template;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use super::session::Console;
use super::texts::Texts;
use crate::auth::{Caller, Role};
use crate::platform::error::{ApiError, ApiResult, Lang};

/// A message at the top of a page: a refusal with the API's code and message, or a success.
pub struct Notice {
    pub ok: bool,
    pub code: String,
    pub message: String,
    /// The fields' messages, as `field: message`.
    pub fields: Vec<String>,
}

impl Notice {
    pub fn ok(message: impl Into<String>) -> Notice {
        Notice {
            ok: true,
            code: String::new(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// What an action came to, with the status to answer: `said` on success, the API's
    /// refusal (its status, code and message in `lang`) otherwise.
    pub fn outcome(done: ApiResult<String>, lang: Lang) -> (StatusCode, Notice) {
        match done {
            Ok(said) => (StatusCode::OK, Notice::ok(said)),
            Err(error) => (error.status, Notice::refused(&error, lang)),
        }
    }

    /// The API's refusal, as the API would answer it: its code and its message in `lang`.
    pub fn refused(error: &ApiError, lang: Lang) -> Notice {
        Notice {
            ok: false,
            code: error.code.to_owned(),
            message: error.message.pick(lang).to_string(),
            fields: error
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message.pick(lang)))
                .collect(),
        }
    }
}

/// The signed-in staff member as the header shows them.
pub struct User {
    pub role: &'static str,
    pub district: String,
}

/// The frame of a page: the texts of its language, who is signed in, the session's form token.
pub struct Frame {
    pub t: &'static Texts,
    pub user: Option<User>,
    pub csrf: String,
    /// Which navigation entry is this page's ("home", "accounts", "password"; "" for none).
    pub current: &'static str,
    /// This page's path, for the language switch.
    pub path: String,
    pub notice: Option<Notice>,
    /// Whether the page is the enterprise portal's (its own bar and navigation).
    pub enterprise: bool,
}

impl Frame {
    /// The frame of a signed-in page.
    pub fn of(console: &Console, current: &'static str, path: &str) -> Frame {
        Frame::signed_in(console.lang, &console.caller, &console.csrf, current, path)
    }

    /// The frame of a page for `caller`, whose session's form token is `csrf`.
    pub fn signed_in(lang: Lang, caller: &Caller, csrf: &str, current: &'static str, path: &str) -> Frame {
        let t = Texts::of(lang);
        Frame {
            t,
            user: Some(user(t, caller)),
            csrf: csrf.to_owned(),
            current,
            path: path.to_owned(),
            notice: None,
            enterprise: caller.role == Role::Enterprise,
        }
    }

    /// The frame of a page seen before signing in.
    pub fn public(lang: Lang, csrf: &str, path: &str) -> Frame {
        Frame {
            t: Texts::of(lang),
            user: None,
            csrf: csrf.to_owned(),
            current: "",
            path: path.to_owned(),
            notice: None,
            enterprise: path.starts_with("/enterprise/"),
        }
    }

    pub fn with(mut self, notice: Notice) -> Frame {
        self.notice = Some(notice);
        self
    }
}

fn user(t: &'static Texts, caller: &Caller) -> User {
    let role = match caller.role {
        Role::Enterprise => t.enterprise.who,
        role => t.role_name(role.as_str()),
    };
    User {
        role,
        district: caller.district().unwrap_or_default().to_owned(),
    }
}

/// The page as HTML with `status`.
pub fn html(status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a console template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page showing only a notice (a refusal, a page not found).
#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub frame: Frame,
}

/// The API's refusal on a page of its own, with its status.
pub fn refused(console: &Console, path: &str, error: &ApiError) -> Response {
    let frame = Frame::of(console, "", path).with(Notice::refused(error, console.lang));
    html(error.status, MessagePage { frame })
}

/// A page not found (or outside the jurisdiction, which the console does not tell apart).
pub fn not_found(console: &Console, path: &str) -> Response {
    let frame = Frame::of(console, "", path);
    let notice = Notice {
        ok: false,
        code: "resource.not_found".into(),
        message: frame.t.not_found.into(),
        fields: Vec::new(),
    };
    html(
        StatusCode::NOT_FOUND,
        MessagePage {
            frame: frame.with(notice),
        },
    )
}

/// See other: after a form, to the page that shows its outcome.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A form's fields read as the API reads its JSON body: the same types, validation and field
/// errors, so the console refuses what the API refuses, with the same codes.
pub fn api_body<T: serde::de::DeserializeOwned>(fields: serde_json::Value) -> ApiResult<T> {
    crate::platform::web::parse_json(fields.to_string().as_bytes())
}
