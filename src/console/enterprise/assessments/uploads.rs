//! Evidence, rectification material and people's certificate scans: each form posts
//! `multipart/form-data`, its form token first, then its fields, then the PDF, which streams into
//! the API's upload (`documents::routes::receive_field`, purpose `material_scan`) and is attached
//! as the API's `POST .../documents` and `POST .../people` attach it (`filling::{attach, add}`).
//! The record is checked to be editable before the file is stored (`routes::editable`, as those
//! endpoints check it). `zhujian-enterprise.js` sends the forms with a progress bar.

use std::collections::HashMap;

use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    response::Response,
};
use serde_json::json;

use super::record::{after, record_id};
use super::texts::AssessmentTexts;
use crate::assessments::filling::{self, AttachBody, PersonBody};
use crate::assessments::routes::editable;
use crate::audit::Act;
use crate::console::enterprise::uploads::{form_token_first, not_multipart, text_part, too_large};
use crate::console::page::api_body;
use crate::console::session::{form_expired, Console};
use crate::documents::routes::receive_field;
use crate::documents::rules::Purpose;
use crate::platform::error::ApiResult;
use crate::platform::ids::AssessmentId;
use crate::state::AppState;

/// The most text parts a form sends, and the most bytes of each.
const MAX_PARTS: usize = 16;
const MAX_PART_BYTES: usize = 4 * 1024;

/// What the form carried: its text fields, and the PDF's document id once stored.
type Fields = HashMap<String, String>;

/// `POST /enterprise/uploads/assessments/{id}/items/{number}/documents`: `role` (evidence or
/// rectification), `slot` (an attachment's name), then the PDF.
pub async fn document(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((id, number)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = match record_id(&console, &id) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let Some(received) = received(&state, &console, &act, &id, multipart).await else {
        return form_expired(console.lang, console.door, None);
    };
    let done = async {
        let fields = received?;
        let body = json!({"document_id": fields.get("file"), "role": fields.get("role").map_or("evidence", String::as_str),
            "slot": fields.get("slot").filter(|s| !s.is_empty())});
        let body: AttachBody = api_body(body)?;
        filling::attach(&state, &console.caller, &act, &id, &number, &body).await?;
        Ok(AssessmentTexts::of(console.lang).uploaded.to_owned())
    };
    let done = done.await;
    after(&state, &console, &id, done, &HashMap::new()).await
}

/// `POST /enterprise/uploads/assessments/{id}/items/{number}/people`: the person's fields, then
/// the certificate scan.
pub async fn person(
    State(state): State<AppState>,
    console: Console,
    act: Act,
    Path((id, number)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = match record_id(&console, &id) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let Some(received) = received(&state, &console, &act, &id, multipart).await else {
        return form_expired(console.lang, console.door, None);
    };
    let done = async {
        let fields = received?;
        let text = |name: &str| json!(fields.get(name).map_or("", String::as_str));
        let until = fields.get("certificate_valid_until").filter(|d| !d.trim().is_empty());
        let body = json!({"role": text("role"), "name": text("name"), "id_number": text("id_number"),
            "position": text("position"), "certificate_name": text("certificate_name"),
            "certificate_number": text("certificate_number"), "certificate_valid_until": until,
            "scan_document_id": fields.get("file")});
        let body: PersonBody = api_body(body)?;
        filling::add(&state, &console.caller, &act, &id, &number, &body).await?;
        Ok(AssessmentTexts::of(console.lang).person_added.to_owned())
    };
    let done = done.await;
    after(&state, &console, &id, done, &HashMap::new()).await
}

/// Reads a form: the form token first (None when wrong), the text fields, then the PDF if one
/// was chosen, stored through the API's upload once the record is known to be editable.
async fn received(
    state: &AppState,
    console: &Console,
    act: &Act,
    id: &AssessmentId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Option<ApiResult<Fields>> {
    let Ok(mut multipart) = multipart else {
        return Some(Err(not_multipart()));
    };
    if !form_token_first(&mut multipart, &console.csrf).await {
        return None;
    }
    Some(fields(state, console, act, id, &mut multipart).await)
}

async fn fields(
    state: &AppState,
    console: &Console,
    act: &Act,
    id: &AssessmentId,
    multipart: &mut Multipart,
) -> ApiResult<Fields> {
    let mut fields = Fields::new();
    for _ in 0..MAX_PARTS {
        let Ok(Some(field)) = multipart.next_field().await else {
            return Ok(fields);
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if field.file_name().is_none_or(str::is_empty) {
                return Ok(fields); // no file chosen: the API names the missing document
            }
            editable(state, &console.caller, id).await?;
            let document = receive_field(state, &console.caller, act, Purpose::MaterialScan, field).await?;
            fields.insert(name, document.id.to_string());
            return Ok(fields);
        }
        fields.insert(name, text_part(field, MAX_PART_BYTES).await?);
    }
    Err(too_large())
}
