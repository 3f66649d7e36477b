//! The enterprise's profile (journey 2): confirm and edit the basic information, its documents
//! (uploaded in `uploads`) and its qualification certificates, through the functions the API's
//! `/enterprises/{id}` endpoints call (`enterprises::routes::{reading, profile, qualifications}`).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    Form,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::audit::Act;
use crate::console::page::{api_body, html, refused, Frame, Notice};
use crate::console::session::Console;
use crate::enterprises::routes::{profile, qualifications, reading};
use crate::enterprises::EnterpriseView;
use crate::platform::clock::china_time;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{EnterpriseId, QualificationId};
use crate::state::AppState;

const HOME: &str = "/enterprise/";

/// The signed-in enterprise (the portal admits enterprise sessions only).
pub fn own_id(console: &Console) -> ApiResult<EnterpriseId> {
    console
        .caller
        .enterprise_id()
        .cloned()
        .ok_or_else(ApiError::forbidden_role)
}

/// The basic-information form's fields as text, from the profile or as last typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Draft {
    registered_address: String,
    latitude: String,
    longitude: String,
    system: String,
    contact_name: String,
    contact_phone: String,
    licence_number: String,
    licence_valid_until: String,
}

impl Draft {
    fn of(view: &EnterpriseView) -> Draft {
        let site = view.site.as_ref();
        let licence = view.safety_licence.as_ref();
        Draft {
            registered_address: view.registered_address.clone(),
            latitude: site.map(|s| s.latitude.to_string()).unwrap_or_default(),
            longitude: site.map(|s| s.longitude.to_string()).unwrap_or_default(),
            system: site.map_or("gcj02", |s| s.system.as_str()).to_owned(),
            contact_name: view.contact_name.clone(),
            contact_phone: String::new(),
            licence_number: licence.map(|l| l.number.clone()).unwrap_or_default(),
            licence_valid_until: licence.and_then(|l| l.valid_until.clone()).unwrap_or_default(),
        }
    }

    /// The API's `PATCH /enterprises/{id}` body: what the form holds, with empty coordinates
    /// clearing the position, an empty phone keeping it and an empty number clearing the
    /// licence. Numbers that are not numbers go as text, for the API to refuse.
    fn changes(&self) -> Value {
        let number = |text: &str| text.trim().parse::<f64>().map_or_else(|_| json!(text), |n| json!(n));
        let site = if self.latitude.trim().is_empty() && self.longitude.trim().is_empty() {
            Value::Null
        } else {
            json!({"latitude": number(&self.latitude), "longitude": number(&self.longitude), "system": self.system})
        };
        let licence = if self.licence_number.trim().is_empty() {
            Value::Null
        } else {
            let until = Some(self.licence_valid_until.as_str()).filter(|d| !d.trim().is_empty());
            json!({"number": self.licence_number, "valid_until": until})
        };
        let mut body = json!({"registered_address": self.registered_address, "site": site,
            "contact_name": self.contact_name, "safety_licence": licence});
        if !self.contact_phone.trim().is_empty() {
            body["contact_phone"] = json!(self.contact_phone);
        }
        body
    }
}

#[derive(Template)]
#[template(path = "console/enterprise/home.html")]
struct HomePage {
    frame: Frame,
    view: EnterpriseView,
    draft: Draft,
    confirmed_at: String,
    /// Unread notices and returned reports, linked to the notifications page.
    inbox: (usize, i64),
}

/// The profile page with `notice`, the form showing `draft` (or the profile).
async fn page(
    state: &AppState,
    console: &Console,
    draft: Option<Draft>,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let shown = async {
        let id = own_id(console)?;
        let view = reading::profile(state, &console.caller, &id).await?;
        ApiResult::Ok((view, super::notifications::summary(state, console).await?))
    };
    let (view, inbox) = match shown.await {
        Ok(view) => view,
        Err(error) => return refused(console, HOME, &error),
    };
    let mut frame = Frame::of(console, "profile", HOME);
    frame.notice = notice;
    let page = HomePage {
        draft: draft.unwrap_or_else(|| Draft::of(&view)),
        confirmed_at: view.confirmed_at.map(china_time).unwrap_or_default(),
        frame,
        view,
        inbox,
    };
    html(status, page)
}

/// The page after an action: its outcome, with the typed form again when the API refused it.
async fn after(state: &AppState, console: &Console, done: ApiResult<String>, draft: Option<Draft>) -> Response {
    let failed = done.is_err();
    let (status, notice) = Notice::outcome(done, console.lang);
    page(state, console, draft.filter(|_| failed), status, Some(notice)).await
}

/// `GET /enterprise/`: the profile, what is to confirm, the forms to keep it.
pub async fn home(State(state): State<AppState>, console: Console) -> Response {
    page(&state, &console, None, StatusCode::OK, None).await
}

/// `POST /enterprise/profile`: the API's profile update with the form's fields.
pub async fn update(State(state): State<AppState>, console: Console, act: Act, Form(draft): Form<Draft>) -> Response {
    let t = super::words(&console);
    let done = async {
        let id = own_id(&console)?;
        let body: profile::ProfileChanges = api_body(draft.changes())?;
        profile::update(&state, &console.caller, &act, &id, &body).await?;
        Ok(t.saved.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, Some(draft)).await
}

/// `POST /enterprise/profile/confirm`: the API's confirmation of the basic information.
pub async fn confirm(State(state): State<AppState>, console: Console, act: Act) -> Response {
    let t = super::words(&console);
    let done = async {
        let id = own_id(&console)?;
        profile::confirm(&state, &console.caller, &act, &id).await?;
        Ok(t.confirmed_done.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QualificationForm {
    category: String,
    grade: String,
    certificate_number: String,
    issued_on: String,
}

/// `POST /enterprise/qualifications`: the API's new qualification certificate.
pub async fn add_qualification(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Form(form): Form<QualificationForm>,
) -> Response {
    let t = super::words(&console);
    let done = async {
        let id = own_id(&console)?;
        let body = json!({"category": form.category, "grade": form.grade,
            "certificate_number": form.certificate_number, "issued_on": form.issued_on});
        let body: qualifications::NewQualification = api_body(body)?;
        qualifications::add(&state, &console.caller, &act, &id, &body).await?;
        Ok(t.added.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, None).await
}

/// `POST /enterprise/qualifications/{id}/remove`: the API's removal (of its own only).
pub async fn remove_qualification(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(qualification): Path<String>,
) -> Response {
    let t = super::words(&console);
    let done = async {
        let id = own_id(&console)?;
        let qualification: QualificationId = api_body(json!(qualification))?;
        qualifications::remove(&state, &console.caller, &act, &id, &qualification).await?;
        Ok(t.removed.to_owned())
    };
    let done = done.await;
    after(&state, &console, done, None).await
}

/// What the profile page shows again after an upload (`uploads`).
pub async fn after_upload(state: &AppState, console: &Console, done: ApiResult<String>) -> Response {
    after(state, console, done, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(latitude: &str, longitude: &str, phone: &str, licence: &str) -> Draft {
        Draft {
            registered_address: "济南市历下区".into(),
            latitude: latitude.into(),
            longitude: longitude.into(),
            system: "gcj02".into(),
            contact_name: "王五".into(),
            contact_phone: phone.into(),
            licence_number: licence.into(),
            licence_valid_until: String::new(),
        }
    }

    #[test]
    fn the_form_becomes_the_apis_body() {
        let body = draft(" 36.65 ", "117.12", "", "").changes();
        assert_eq!(
            body["site"],
            json!({"latitude": 36.65, "longitude": 117.12, "system": "gcj02"})
        );
        assert!(body.get("contact_phone").is_none(), "an empty phone keeps the phone");
        assert_eq!(body["safety_licence"], Value::Null, "no number, no licence");
        let body = draft("", " ", "13800001111", "X-1").changes();
        assert_eq!(body["site"], Value::Null, "no coordinates clear the position");
        assert_eq!(body["contact_phone"], "13800001111");
        assert_eq!(body["safety_licence"], json!({"number": "X-1", "valid_until": null}));
    }

    #[test]
    fn text_that_is_no_number_goes_to_the_api_as_text_to_be_refused() {
        let body = draft("north", "117.12", "", "").changes();
        assert_eq!(body["site"]["latitude"], "north");
        let refused = api_body::<profile::ProfileChanges>(body).err().expect("refused");
        assert_eq!(refused.code, "request.invalid_fields");
    }
}
