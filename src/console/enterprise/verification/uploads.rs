//! The task page's uploads (`multipart/form-data`, the form token first, the file last): a
//! candidate's certificate and the rectification report. The file streams into the API's
//! upload (`documents::routes::receive_field`, with its purpose's cap and format check), then
//! the API's act takes it: `employment::routes::add_certificate` (purpose
//! `certificate_scan`) or `outcomes::rectify` (`material_scan`). `zhujian-enterprise.js` sends
//! these forms with a progress bar; without JavaScript they post as they are.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    response::Response,
};
use serde_json::{json, Map, Value};

use super::{show, words, Shown};
use crate::audit::Act;
use crate::console::enterprise::uploads::{form_token_first, not_multipart, text_part, too_large};
use crate::console::page::{api_body, Notice};
use crate::console::session::{form_expired, Console};
use crate::documents::routes::receive_field;
use crate::documents::rules::Purpose;
use crate::employment::routes::{add_certificate, NewCertificateBody};
use crate::platform::error::ApiResult;
use crate::platform::ids::{EmploymentId, VerificationTaskId};
use crate::state::AppState;
use crate::verification::outcomes::{rectify, RectificationBody};

/// The most text parts a form sends, and the most bytes of each.
const MAX_PARTS: usize = 12;
const MAX_PART_BYTES: usize = 16 * 1024;

/// The form's text fields as the API's JSON body, and the document the file became (its id
/// as `document_id`; absent when no file was chosen, for the API to refuse).
async fn fields(
    state: &AppState,
    console: &Console,
    act: &Act,
    multipart: &mut Multipart,
    purpose: Purpose,
    body: &mut Map<String, Value>,
) -> ApiResult<()> {
    for _ in 0..MAX_PARTS {
        let Ok(Some(field)) = multipart.next_field().await else {
            return Ok(());
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if field.file_name().is_none_or(str::is_empty) {
                return Ok(());
            }
            let document = receive_field(state, &console.caller, act, purpose, field).await?;
            body.insert("document_id".into(), json!(document.id.to_string()));
            return Ok(());
        }
        let value = text_part(field, MAX_PART_BYTES).await?;
        // An empty input is a field not given, as the API's JSON would leave it out.
        if name != "csrf" && !value.trim().is_empty() {
            body.insert(name, json!(value));
        }
    }
    Err(too_large())
}

/// The form's body read (None: the form token is wrong), or the refusal of what it sent.
async fn received(
    state: &AppState,
    console: &Console,
    act: &Act,
    multipart: Result<Multipart, MultipartRejection>,
    purpose: Purpose,
) -> Option<ApiResult<Map<String, Value>>> {
    let Ok(mut multipart) = multipart else {
        return Some(Err(not_multipart()));
    };
    if !form_token_first(&mut multipart, &console.csrf).await {
        return None;
    }
    let mut body = Map::new();
    Some(
        fields(state, console, act, &mut multipart, purpose, &mut body)
            .await
            .map(|()| body),
    )
}

/// `POST /enterprise/uploads/verification/{task}/certificates/{employment}`: the scan, then
/// the API's certificate of that employee.
pub async fn certificate(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((task, employment)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(body) = received(&state, &console, &act, multipart, Purpose::CertificateScan).await else {
        return form_expired(console.lang, console.door, None);
    };
    let done = async {
        let employment: EmploymentId = api_body(json!(employment))?;
        let mut body = body?;
        // No file chosen: the API's own refusal of a missing scan.
        body.entry("document_id").or_insert(json!(""));
        let body: NewCertificateBody = api_body(Value::Object(body))?;
        add_certificate(&state, &console.caller, act, &employment, &body).await?;
        Ok(words(&console).certificate_added.to_owned())
    };
    let shown = Shown {
        outcome: Some(Notice::outcome(done.await, console.lang)),
        ..Shown::default()
    };
    show(&state, &console, &task, shown).await
}

/// `POST /enterprise/uploads/verification/{task}/rectification`: the report's PDF, then the
/// API's rectification; refused, the text stays as typed.
pub async fn rectification(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path(task): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(body) = received(&state, &console, &act, multipart, Purpose::MaterialScan).await else {
        return form_expired(console.lang, console.door, None);
    };
    let typed = body
        .as_ref()
        .ok()
        .and_then(|b| b.get("report"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let done = async {
        let id: VerificationTaskId = api_body(json!(task))?;
        let mut body = body?;
        // No file chosen: the API's own refusal of a missing report.
        body.entry("document_id").or_insert(json!(""));
        let body: RectificationBody = api_body(Value::Object(body))?;
        rectify(&state, &console.caller, act, &id, &body).await?;
        Ok(words(&console).rectified.to_owned())
    };
    let done = done.await;
    let shown = Shown {
        report: if done.is_err() { typed } else { String::new() },
        outcome: Some(Notice::outcome(done, console.lang)),
        ..Shown::default()
    };
    show(&state, &console, &task, shown).await
}
