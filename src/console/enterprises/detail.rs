//! An enterprise's page: its profile, qualifications, documents (previewed inline through
//! `GET /console/documents/{id}`) and change history, as `GET /enterprises/{id}` and
//! `GET /enterprises/{id}/history` answer them for the session's caller.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};

use super::super::page::{html, refused, Frame};
use super::super::session::Console;
use super::super::texts::ListTexts;
use crate::enterprises::routes::reading;
use crate::enterprises::{ChangeView, EnterpriseView};
use crate::platform::clock::china_time;
use crate::platform::ids::{DocumentId, EnterpriseId};
use crate::platform::paging::Page;
use crate::state::AppState;

/// How a document is shown: a PDF in a frame, a photo as an image, anything else as a link.
#[derive(PartialEq, Eq)]
enum Preview {
    Frame,
    Image,
    Link,
}

/// A document of the profile.
struct Document {
    label: &'static str,
    id: String,
    preview: Preview,
}

/// A change as listed.
struct Change {
    field: String,
    old: String,
    new: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "console/enterprises/detail.html")]
struct DetailPage {
    frame: Frame,
    l: &'static ListTexts,
    e: EnterpriseView,
    locality: &'static str,
    confirmed_at: String,
    created_at: String,
    documents: Vec<Document>,
    history: Vec<Change>,
}

/// `GET /console/enterprises/{id}`: the enterprise as the API shows the caller, or the API's
/// refusal (404 `resource.not_found` outside the caller's jurisdiction).
pub async fn enterprise(State(state): State<AppState>, console: Console, Path(id): Path<EnterpriseId>) -> Response {
    let path = format!("/console/enterprises/{id}");
    let caller = &console.caller;
    let read = match reading::profile(&state, caller, &id).await {
        Ok(view) => reading::history(&state, caller, &id, &Page::default())
            .await
            .map(|history| (view, history)),
        Err(error) => Err(error),
    };
    let (view, history) = match read {
        Ok(read) => read,
        Err(error) => return refused(&console, &path, &error),
    };
    let frame = Frame::of(&console, "enterprises", &path);
    let l = frame.t.lists;
    let mut documents = Vec::new();
    for (label, id) in [
        (l.business_licence, &view.business_licence_document_id),
        (l.video, &view.video_document_id),
    ] {
        if let Some(id) = id {
            documents.push(document(&state, &console, label, id).await);
        }
    }
    let page = DetailPage {
        l,
        locality: l.locality(&view.locality),
        confirmed_at: view
            .confirmed_at
            .map(china_time)
            .unwrap_or_else(|| l.not_confirmed.to_owned()),
        created_at: china_time(view.created_at),
        documents,
        history: history.into_iter().map(change).collect(),
        e: view,
        frame,
    };
    html(StatusCode::OK, page)
}

/// The document with the preview its type allows; a document the caller cannot read is still
/// linked, and its preview shows the refusal.
async fn document(state: &AppState, console: &Console, label: &'static str, id: &DocumentId) -> Document {
    let content_type = crate::documents::visible(&state.db, id, &console.caller.bounds())
        .await
        .ok()
        .flatten()
        .map(|row| row.content_type)
        .unwrap_or_default();
    let preview = if content_type == "application/pdf" {
        Preview::Frame
    } else if content_type.starts_with("image/") {
        Preview::Image
    } else {
        Preview::Link
    };
    Document {
        label,
        id: id.to_string(),
        preview,
    }
}

fn change(c: ChangeView) -> Change {
    Change {
        field: c.field,
        old: c.old_value.unwrap_or_default(),
        new: c.new_value.unwrap_or_default(),
        by: format!("{} ({})", c.changed_by, c.changed_role),
        at: china_time(c.changed_at),
    }
}
