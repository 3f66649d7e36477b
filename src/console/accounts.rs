//! Staff accounts: the list within the caller's jurisdiction, the creation form, and the
//! manager's actions on an account (disable, enable, unlock, reset the password), through the
//! API's own functions (`staff::routes::{list, create}`, `staff::manage`). What the API refuses
//! shows the API's code and message. htmx posts the form and swaps
//! the panel; without JavaScript the form posts and the whole page comes back.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::json;

use super::page::{html, refused, Frame, Notice};
use super::session::Console;
use crate::audit::Act;
use crate::console::page::api_body;
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::StaffId;
use crate::platform::paging::Page;
use crate::staff::manage::{self, ResetPassword};
use crate::staff::routes::{create, list, CreateStaff};
use crate::state::AppState;

const PATH: &str = "/console/accounts";

/// An account as listed.
struct Row {
    id: String,
    username: String,
    display_name: String,
    role: &'static str,
    district: String,
    active: bool,
    locked: bool,
    password_expired: bool,
    created_at: String,
}

/// The panel htmx swaps: the notice, the form, the list.
#[derive(Template)]
#[template(path = "console/accounts_panel.html")]
struct Panel {
    frame: Frame,
    rows: Vec<Row>,
    form: AccountForm,
}

#[derive(Template)]
#[template(path = "console/accounts.html")]
struct AccountsPage {
    panel_html: String,
    frame: Frame,
}

/// `GET /console/accounts`.
pub async fn accounts(State(state): State<AppState>, console: Console) -> Response {
    let frame = Frame::of(&console, "accounts", PATH);
    answer(
        &state,
        &console,
        HeaderMap::new(),
        StatusCode::OK,
        frame,
        AccountForm::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountForm {
    username: String,
    display_name: String,
    role: String,
    district_code: String,
    password: String,
}

/// `POST /console/accounts`: the API's staff creation.
pub async fn create_account(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    headers: HeaderMap,
    Form(form): Form<AccountForm>,
) -> Response {
    let frame = Frame::of(&console, "accounts", PATH);
    match create_from(&state, &console, &act, &form).await {
        Ok(username) => {
            let created = format!("{}{username}", frame.t.created);
            let frame = frame.with(Notice::ok(created));
            answer(&state, &console, headers, StatusCode::OK, frame, AccountForm::default()).await
        }
        Err(error) => {
            let frame = frame.with(Notice::refused(&error, console.lang));
            let form = AccountForm {
                password: String::new(),
                ..form
            };
            answer(&state, &console, headers, error.status, frame, form).await
        }
    }
}

/// The new password of a reset, the only action with a field.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ManageForm {
    new_password: String,
}

/// `POST /console/accounts/{id}/{action}`: `disable`, `enable`, `unlock` or `password`, the
/// API's `POST /staff/{id}/{action}`.
pub async fn manage_account(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    headers: HeaderMap,
    Path((id, action)): Path<(StaffId, String)>,
    Form(form): Form<ManageForm>,
) -> Response {
    let frame = Frame::of(&console, "accounts", PATH);
    let t = frame.t;
    let done = match action.as_str() {
        "disable" => manage::disable(&state, &console.caller, &act, &id)
            .await
            .map(|v| (t.disabled_done, v)),
        "enable" => manage::enable(&state, &console.caller, &act, &id)
            .await
            .map(|v| (t.enabled_done, v)),
        "unlock" => manage::unlock(&state, &console.caller, &act, &id)
            .await
            .map(|v| (t.unlocked_done, v)),
        "password" => reset_from(&state, &console, &act, &id, &form)
            .await
            .map(|v| (t.password_reset_done, v)),
        _ => return super::page::not_found(&console, PATH),
    };
    let (status, frame) = match done {
        Ok((said, view)) => (
            StatusCode::OK,
            frame.with(Notice::ok(format!("{said}{}", view.username))),
        ),
        Err(error) => (error.status, frame.with(Notice::refused(&error, console.lang))),
    };
    answer(&state, &console, headers, status, frame, AccountForm::default()).await
}

/// The reset form as the API's request body, checked by the same rules.
async fn reset_from(
    state: &AppState,
    console: &Console,
    act: &Act,
    id: &StaffId,
    form: &ManageForm,
) -> ApiResult<crate::staff::store::StaffView> {
    let body: ResetPassword = api_body(json!({ "new_password": form.new_password }))?;
    manage::reset_password(state, &console.caller, act, id, &body.new_password).await
}

/// The form as the API's request body, checked by the same rules.
async fn create_from(state: &AppState, console: &Console, act: &Act, form: &AccountForm) -> ApiResult<String> {
    let district = Some(form.district_code.trim()).filter(|d| !d.is_empty());
    let body = json!({
        "username": form.username, "display_name": form.display_name, "role": form.role,
        "district_code": district, "password": form.password,
    });
    let body: CreateStaff = api_body(body)?;
    Ok(create(state, &console.caller, act, body).await?.username)
}

/// The page, or only its panel for htmx.
async fn answer(
    state: &AppState,
    console: &Console,
    headers: HeaderMap,
    status: StatusCode,
    frame: Frame,
    form: AccountForm,
) -> Response {
    let views = match list(state, &console.caller, &Page::default()).await {
        Ok(views) => views,
        Err(error) => return refused(console, PATH, &error),
    };
    let rows = views
        .into_iter()
        .map(|v| Row {
            role: frame.t.role_name(&v.role),
            id: v.id.to_string(),
            username: v.username,
            display_name: v.display_name,
            district: v.district_code.unwrap_or_default(),
            active: v.status == "active",
            locked: v.locked_until.is_some(),
            password_expired: v.password_expired_at.is_some(),
            created_at: china_time(v.created_at),
        })
        .collect();
    let panel = Panel { frame, rows, form };
    if headers.contains_key("hx-request") {
        return html(status, panel);
    }
    let Ok(panel_html) = askama::Template::render(&panel) else {
        return html(status, panel);
    };
    let frame = Frame::of(console, "accounts", PATH);
    html(status, AccountsPage { panel_html, frame })
}
