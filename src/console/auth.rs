//! Signing in and out of the console, and changing one's password: the API's own password
//! check, throttling and lockout (`auth::signin`), a console session instead of tokens.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::page::{html, see_other, Frame, Notice};
use super::session::{door_cookie, set_cookie, Console, Visit, SESSION_COOKIE, SIGN_IN};
use crate::audit::Act;
use crate::auth::routes::{ChangePassword, StaffLogin};
use crate::auth::signin::{change_own_password, sign_in as check_sign_in};
use crate::auth::{console_sessions, tokens::new_refresh_token, AccountKind, Channel};
use crate::console::page::api_body;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::web::ClientAddress;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    frame: Frame,
    username: String,
    /// Whether the form asks for a new password: the one given has expired.
    renew: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInQuery {
    signed_out: Option<String>,
    changed: Option<String>,
}

/// `GET /console/sign-in`: the form, with a form token kept in a pre-session cookie.
pub async fn sign_in_page(State(state): State<AppState>, visit: Visit, Query(query): Query<SignInQuery>) -> Response {
    if visit.session.is_some() {
        return see_other("/console/");
    }
    let t = super::texts::Texts::of(visit.lang);
    let notice = match (query.signed_out, query.changed) {
        (_, Some(_)) => Some(Notice::ok(t.password_changed)),
        (Some(_), _) => Some(Notice::ok(t.signed_out)),
        _ => None,
    };
    sign_in_form(&state, &visit, StatusCode::OK, SignInAgain::default(), notice)
}

/// What the sign-in form shows again after a refusal.
#[derive(Default)]
struct SignInAgain {
    username: String,
    renew: bool,
}

fn sign_in_form(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    again: SignInAgain,
    notice: Option<Notice>,
) -> Response {
    let (token, cookie) = pre_token(state, visit);
    let mut frame = Frame::public(visit.lang, &token, SIGN_IN);
    frame.notice = notice;
    let SignInAgain { username, renew } = again;
    let mut response = html(status, SignInPage { frame, username, renew });
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The form token of a page shown before signing in: the pre-session cookie's, or a new one
/// with the cookie that keeps it (double submit: `session::guard` compares the two).
pub fn pre_token(state: &AppState, visit: &Visit) -> (String, Option<header::HeaderValue>) {
    match &visit.pre_token {
        Some(token) if !token.is_empty() => (token.clone(), None),
        _ => {
            let token = new_refresh_token().0;
            let cookie = door_cookie(state, visit.door, visit.door.pre_cookie, Some(&token));
            (token, Some(cookie))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    username: String,
    password: String,
    /// Only on the form that asks for it (an expired password); empty otherwise.
    new_password: String,
}

/// `POST /console/sign-in`: the API's staff sign-in check, then a console session.
pub async fn sign_in(
    State(state): State<AppState>,
    visit: Visit,
    ClientAddress(address): ClientAddress,
    act: Act,
    Form(form): Form<SignInForm>,
) -> Response {
    let mut again = SignInAgain {
        username: form.username.clone(),
        renew: !form.new_password.is_empty(),
    };
    match open_session(&state, &act, &address, form).await {
        Ok(token) => {
            let mut response = see_other("/console/");
            let headers = response.headers_mut();
            headers.append(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, Some(&token)));
            headers.append(header::SET_COOKIE, set_cookie(&state, visit.door.pre_cookie, None));
            response
        }
        Err(error) => {
            again.renew |= error.code == "auth.password_expired";
            let notice = Notice::refused(&error, visit.lang);
            sign_in_form(&state, &visit, error.status, again, Some(notice))
        }
    }
}

async fn open_session(state: &AppState, act: &Act, address: &str, form: SignInForm) -> ApiResult<String> {
    let mut body = json!({"username": form.username, "password": form.password});
    if !form.new_password.is_empty() {
        body["new_password"] = form.new_password.into();
    }
    let login: StaffLogin = api_body(body)?;
    let username = login.username.as_str().to_lowercase();
    let verified = check_sign_in(
        state,
        act,
        address,
        AccountKind::Staff,
        &username,
        login.password,
        login.new_password.as_ref(),
        Channel::Web,
    )
    .await?;
    if !verified.subject.role.is_staff() {
        return Err(ApiError::forbidden_role());
    }
    let mut tx = act.begin().await?;
    verified.record(&mut tx, state).await?;
    let opened = console_sessions::open(&mut tx, state, &verified).await?;
    act.commit(tx, verified.target).await?;
    Ok(opened.token)
}

/// `POST /console/sign-out` (and the enterprise portal's): ends the session; its cookie no longer opens anything.
pub async fn sign_out(State(state): State<AppState>, console: Console, act: Act) -> Response {
    let ended = async {
        let mut tx = act.begin().await?;
        console_sessions::end(&mut tx, &console.session_id, state.clock.now_ms()).await?;
        let kind = console.caller.role.account_kind().as_str();
        act.commit(tx, format!("{kind}:{}", console.caller.account_id)).await?;
        ApiResult::Ok(())
    };
    let door = console.door;
    if let Err(error) = ended.await {
        return super::page::refused(&console, door.home, &error);
    }
    let mut response = see_other(&format!("{}?signed_out=1", door.sign_in));
    let cookie = door_cookie(&state, door, door.session_cookie, None);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    frame: Frame,
}

/// The password page of the session's portal (`/console/password`, `/enterprise/password`).
fn password_path(console: &Console) -> String {
    format!("{}/password", console.door.path)
}

/// `GET /console/password` (and the enterprise portal's).
pub async fn password_page(console: Console) -> Response {
    let path = password_path(&console);
    html(
        StatusCode::OK,
        PasswordPage {
            frame: Frame::of(&console, "password", &path),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

/// `POST /console/password` (and the enterprise portal's): the API's password change; every session ends, this one too.
pub async fn change_password(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Form(form): Form<PasswordForm>,
) -> Response {
    let changed = async {
        let body = json!({"current_password": form.current_password, "new_password": form.new_password});
        let body: ChangePassword = api_body(body)?;
        change_own_password(&state, &console.caller, &act, body.current_password, &body.new_password).await
    };
    let door = console.door;
    match changed.await {
        Ok(()) => {
            let mut response = see_other(&format!("{}?changed=1", door.sign_in));
            let cookie = door_cookie(&state, door, door.session_cookie, None);
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(error) => {
            let path = password_path(&console);
            let frame = Frame::of(&console, "password", &path).with(Notice::refused(&error, console.lang));
            html(error.status, PasswordPage { frame })
        }
    }
}
