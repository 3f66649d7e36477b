//! Notifications (journey 8): the enterprise's notices (what happened: its SMS notices, worded
//! in the session's language) and what awaits it (its returned daily assessment reports), with
//! marking a notice read. Through the functions of the API's `GET /notifications`,
//! `POST /notifications/{id}/read` (`notify::routes::{list, read}`) and `GET /daily-events`
//! (`assessments::daily::routes::count`).

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::daily_texts::DailyTexts;
use crate::assessments::daily::routes::{self as daily, ListQuery};
use crate::audit::Act;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::notify::routes as notify;
use crate::notify::store::NotificationView;
use crate::platform::clock::china_time;
use crate::platform::error::ApiResult;
use crate::platform::ids::NotificationId;
use crate::platform::paging::Page;
use crate::state::AppState;

const PATH: &str = "/enterprise/notifications";
/// How many notices a page shows.
const PER_PAGE: u32 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "console/enterprise/notifications.html")]
struct NotificationsPage {
    frame: Frame,
    d: &'static DailyTexts,
    returned: i64,
    notices: Vec<NotificationView>,
    page: u32,
}

impl NotificationsPage {
    fn time(&self, at: &i64) -> String {
        china_time(*at)
    }

    fn more(&self) -> bool {
        self.notices.len() as u32 == PER_PAGE
    }
}

/// How many of the enterprise's daily assessment reports were returned to it, to correct or
/// delete: what awaits it (the API's `GET /daily-events?state=returned`, counted).
pub async fn awaiting(state: &AppState, console: &Console) -> ApiResult<i64> {
    let query: ListQuery = api_body(json!({"state": "returned", "category": "bonus"}))?;
    daily::count(state, &console.caller, query).await
}

/// The newest notices the home page counts unread among (the API's largest page).
const COUNTED: u32 = 200;

/// What the home page shows of the inbox: unread notices among the newest `COUNTED`, and the
/// returned reports that await the enterprise.
pub async fn summary(state: &AppState, console: &Console) -> ApiResult<(usize, i64)> {
    let newest = Page {
        page: Some(1),
        per_page: Some(COUNTED),
    };
    let notices = notify::list(state, &console.caller, &newest, console.lang).await?;
    let unread = notices.iter().filter(|n| n.read_at.is_none()).count();
    Ok((unread, awaiting(state, console).await?))
}

async fn show(state: &AppState, console: &Console, page: u32, status: StatusCode, notice: Option<Notice>) -> Response {
    let paging = Page {
        page: Some(page),
        per_page: Some(PER_PAGE),
    };
    let read = async {
        let notices = notify::list(state, &console.caller, &paging, console.lang).await?;
        ApiResult::Ok((awaiting(state, console).await?, notices))
    };
    let (returned, notices) = match read.await {
        Ok(read) => read,
        Err(error) => return refused(console, PATH, &error),
    };
    let mut frame = Frame::of(console, "notifications", PATH);
    frame.notice = notice;
    let page = NotificationsPage {
        frame,
        d: DailyTexts::of(console.lang),
        returned,
        notices,
        page,
    };
    html(status, page)
}

/// `GET /enterprise/notifications`: what awaits the enterprise, then its notices.
pub async fn page(State(state): State<AppState>, console: Console, Query(query): Query<PageQuery>) -> Response {
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    show(&state, &console, page, StatusCode::OK, None).await
}

/// `POST /enterprise/notifications/{id}/read`: the API's marking read (of its own only).
pub async fn mark_read(State(state): State<AppState>, console: Console, act: Act, Path(id): Path<String>) -> Response {
    let done = async {
        let id: NotificationId = api_body(json!(id))?;
        notify::read(&state, &console.caller, &act, &id).await?;
        Ok(DailyTexts::of(console.lang).marked_read.to_owned())
    };
    let (status, notice) = Notice::outcome(done.await, console.lang);
    show(&state, &console, 1, status, Some(notice)).await
}
