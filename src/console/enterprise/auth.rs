//! Signing in to the enterprise portal with the credit code, and the password reset by SMS
//! code: the API's enterprise sign-in (`auth::signin::sign_in`, its throttling and lockout)
//! and its reset (`auth::routes::reset::{request_reset, confirm_reset}`). Signing out and
//! changing the password are the staff console's handlers (`console::auth`), per portal.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use crate::audit::Act;
use crate::auth::console_sessions::{self, Portal};
use crate::auth::routes::reset::{self, PasswordResetConfirm, PasswordResetRequest};
use crate::auth::routes::EnterpriseLogin;
use crate::auth::signin::sign_in as check_sign_in;
use crate::auth::{AccountKind, Channel};
use crate::console::auth::pre_token;
use crate::console::page::{api_body, html, see_other, Frame, Notice};
use crate::console::session::{door_cookie, Visit, ENTERPRISE};
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::web::ClientAddress;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/enterprise/sign_in.html")]
struct SignInPage {
    frame: Frame,
    credit_code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInQuery {
    signed_out: Option<String>,
    changed: Option<String>,
    reset: Option<String>,
}

/// `GET /enterprise/sign-in`: the form, its token kept in the portal's pre-session cookie.
pub async fn sign_in_page(State(state): State<AppState>, visit: Visit, Query(query): Query<SignInQuery>) -> Response {
    if visit.session.is_some() {
        return see_other(ENTERPRISE.home);
    }
    let t = crate::console::texts::Texts::of(visit.lang);
    let notice = if query.reset.is_some() {
        Some(Notice::ok(t.enterprise.password_reset))
    } else if query.changed.is_some() {
        Some(Notice::ok(t.password_changed))
    } else {
        query.signed_out.map(|_| Notice::ok(t.signed_out))
    };
    public_page(&state, &visit, StatusCode::OK, notice, |frame| SignInPage {
        frame,
        credit_code: String::new(),
    })
}

/// A page shown before signing in, with the form token of the pre-session cookie.
fn public_page<P: Template>(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    notice: Option<Notice>,
    page: impl FnOnce(Frame) -> P,
) -> Response {
    let (token, cookie) = pre_token(state, visit);
    let mut frame = Frame::public(visit.lang, &token, ENTERPRISE.sign_in);
    frame.notice = notice;
    let mut response = html(status, page(frame));
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    credit_code: String,
    password: String,
}

/// `POST /enterprise/sign-in`: the API's enterprise sign-in check, then a portal session.
pub async fn sign_in(
    State(state): State<AppState>,
    visit: Visit,
    ClientAddress(address): ClientAddress,
    act: Act,
    Form(form): Form<SignInForm>,
) -> Response {
    let credit_code = form.credit_code.clone();
    match open_session(&state, &act, &address, &form).await {
        Ok(token) => {
            let mut response = see_other(ENTERPRISE.home);
            let headers = response.headers_mut();
            let session = door_cookie(&state, &ENTERPRISE, ENTERPRISE.session_cookie, Some(&token));
            headers.append(header::SET_COOKIE, session);
            let pre = door_cookie(&state, &ENTERPRISE, ENTERPRISE.pre_cookie, None);
            headers.append(header::SET_COOKIE, pre);
            response
        }
        Err(error) => {
            let notice = Notice::refused(&error, visit.lang);
            public_page(&state, &visit, error.status, Some(notice), |frame| SignInPage {
                frame,
                credit_code,
            })
        }
    }
}

async fn open_session(state: &AppState, act: &Act, address: &str, form: &SignInForm) -> ApiResult<String> {
    let body = json!({"credit_code": form.credit_code, "password": form.password});
    let login: EnterpriseLogin = api_body(body)?;
    let verified = check_sign_in(
        state,
        act,
        address,
        AccountKind::Enterprise,
        login.credit_code.as_str(),
        login.password,
        None,
        Channel::Web,
    )
    .await?;
    if !Portal::Enterprise.admits(verified.subject.role) {
        return Err(ApiError::forbidden_role());
    }
    let mut tx = act.begin().await?;
    verified.record(&mut tx, state).await?;
    let opened = console_sessions::open(&mut tx, state, &verified).await?;
    act.commit(tx, verified.target).await?;
    Ok(opened.token)
}

#[derive(Template)]
#[template(path = "console/enterprise/reset.html")]
struct ResetPage {
    frame: Frame,
    credit_code: String,
    /// Whether a code was asked for: the form for it and the new password shows.
    asked: bool,
}

/// `GET /enterprise/reset`: asks for the credit code to send a code to.
pub async fn reset_page(State(state): State<AppState>, visit: Visit) -> Response {
    public_page(&state, &visit, StatusCode::OK, None, |frame| ResetPage {
        frame,
        credit_code: String::new(),
        asked: false,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    credit_code: String,
}

/// `POST /enterprise/reset`: the API's reset request (the same answer whether or not the
/// account exists), then the form for the code and the new password.
pub async fn request_code(
    State(state): State<AppState>,
    visit: Visit,
    ClientAddress(address): ClientAddress,
    act: Act,
    Form(form): Form<CodeForm>,
) -> Response {
    let credit_code = form.credit_code.clone();
    let asked = async {
        let body: PasswordResetRequest = api_body(json!({"credit_code": credit_code}))?;
        reset::request_reset(&state, &act, &address, &body.credit_code).await
    };
    let t = crate::console::texts::Texts::of(visit.lang);
    let (status, notice, asked) = match asked.await {
        Ok(()) => (StatusCode::OK, Notice::ok(t.enterprise.code_sent), true),
        Err(error) => (error.status, Notice::refused(&error, visit.lang), false),
    };
    public_page(&state, &visit, status, Some(notice), |frame| ResetPage {
        frame,
        credit_code,
        asked,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    credit_code: String,
    code: String,
    new_password: String,
}

/// `POST /enterprise/reset/confirm`: the API's reset with the code; then to the sign-in.
pub async fn confirm_reset(
    State(state): State<AppState>,
    visit: Visit,
    act: Act,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let credit_code = form.credit_code.clone();
    let confirmed = async {
        let body = json!({"credit_code": credit_code, "code": form.code, "new_password": form.new_password});
        let body: PasswordResetConfirm = api_body(body)?;
        reset::confirm_reset(&state, &act, &body).await
    };
    match confirmed.await {
        Ok(()) => see_other(&format!("{}?reset=1", ENTERPRISE.sign_in)),
        Err(error) => {
            let notice = Notice::refused(&error, visit.lang);
            public_page(&state, &visit, error.status, Some(notice), |frame| ResetPage {
                frame,
                credit_code,
                asked: true,
            })
        }
    }
}
