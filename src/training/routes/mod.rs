//! Training over HTTP: city staff and system administrators open training-institution accounts;
//! an institution enters continuing-education records one by one or by CSV and lists its own;
//! city staff list every record, district staff those of holders employed in their district;
//! a person reads the records under their registered ID number (继续教育栏).
//!
//! The record endpoints take `AnyCaller` (a training institution's token passes no `Caller`)
//! and check the role themselves.

mod import;
mod institutions;
mod records;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::store::RecordRow;
use crate::certificates::kinds::{category_label, Kind};
use crate::openapi::register::routes;
use crate::platform::crypto::Keys;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{ContinuingEducationId, TrainingInstitutionId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            institutions::create_institution,
            institutions::list_institutions
        ))
        .routes(routes!(records::create_record, records::list_records))
        .routes(routes!(import::import_records))
        .routes(routes!(records::my_records))
}

/// The sealing context of a record's personal field.
fn context(id: &ContinuingEducationId, field: &str) -> String {
    format!("continuing_education:{id}:{field}")
}

/// A continuing-education record as the institution, staff and the holder see it.
#[derive(Serialize, ToSchema)]
pub struct ContinuingEducationView {
    #[schema(value_type = String)]
    pub id: ContinuingEducationId,
    #[schema(value_type = String)]
    pub institution_id: TrainingInstitutionId,
    pub institution_name: String,
    pub holder_name: String,
    /// `110105********1234`
    pub holder_id_number_masked: String,
    /// The kind of certificate the education counts for.
    pub certificate_kind: Kind,
    /// The special-operations category code (null for safety-management certificates).
    pub category: Option<String>,
    /// The category as the manuals name it (建筑电工 …).
    pub category_label: Option<String>,
    pub course: String,
    pub hours: i64,
    #[schema(value_type = String, example = "2026-03-01")]
    pub completed_on: String,
    pub passed: bool,
    /// When it was entered (Unix milliseconds).
    pub recorded_at: i64,
}

impl ContinuingEducationView {
    fn of(row: RecordRow, keys: &Keys) -> ApiResult<ContinuingEducationView> {
        let holder_name = keys
            .open(&context(&row.id, "name"), &row.holder_name_sealed)
            .and_then(|name| String::from_utf8(name).ok())
            .ok_or_else(|| ApiError::internal("a continuing-education record's sealed name does not open"))?;
        let (category, label) = if row.category.is_empty() {
            (None, None)
        } else {
            let label = category_label(&row.category).to_owned();
            (Some(row.category), Some(label))
        };
        Ok(ContinuingEducationView {
            id: row.id,
            institution_id: row.institution_id,
            institution_name: row.institution_name,
            holder_name,
            holder_id_number_masked: row.holder_id_masked,
            certificate_kind: row.certificate_kind,
            category,
            category_label: label,
            course: row.course,
            hours: row.hours,
            completed_on: row.completed_on,
            passed: row.passed != 0,
            recorded_at: row.created_at,
        })
    }

    fn all(rows: Vec<RecordRow>, keys: &Keys) -> ApiResult<Vec<ContinuingEducationView>> {
        rows.into_iter().map(|row| Self::of(row, keys)).collect()
    }
}
