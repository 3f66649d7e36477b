//! The public list of cancelled certificates (注销信息在住建云网站相关专栏公告): anyone reads
//! which certificates were cancelled and when, with the holder's name masked.

use axum::extract::{Query, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::applications::store;
use crate::applications::view::Detail;
use crate::certificates::changes::open_holder_name;
use crate::certificates::kinds::{category_label, Kind};
use crate::platform::error::ApiResult;
use crate::platform::paging::Page;
use crate::platform::types::{mask_name, Date};
use crate::platform::web::Json;
use crate::state::AppState;

/// A published cancellation.
#[derive(Serialize, ToSchema)]
pub struct PublishedCancellation {
    pub kind: Kind,
    /// The special-operations category's label; empty for safety-management certificates.
    pub category_label: String,
    pub number: String,
    /// 张* (first character kept)
    pub holder_name_masked: String,
    pub enterprise_name: String,
    /// The reason chosen (Chinese).
    pub reason: String,
    /// The day it was approved (China), YYYY-MM-DD.
    pub cancelled_on: String,
}

/// Certificates cancelled by an approved application, newest first (no sign-in).
#[utoipa::path(get, path = "/public/certificate-cancellations", tag = "applications", params(Page),
    responses((status = 200, body = Vec<PublishedCancellation>)))]
pub(super) async fn published_cancellations(
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Vec<PublishedCancellation>>> {
    let rows = store::cancellations(&state.db, &page).await?;
    let listed = rows
        .into_iter()
        .map(|row| {
            let detail: Detail = serde_json::from_str(&row.detail).unwrap_or_default();
            PublishedCancellation {
                kind: row.kind,
                category_label: category_label(&row.category).to_owned(),
                holder_name_masked: open_holder_name(&state.keys, &row.certificate_id, &row.holder_name_sealed)
                    .map(|name| mask_name(&name))
                    .unwrap_or_default(),
                number: row.number,
                enterprise_name: row.enterprise_name,
                reason: detail.reason.map(|r| r.label().to_owned()).unwrap_or_default(),
                cancelled_on: Date::today_in_china(row.decided_at).to_string(),
            }
        })
        .collect();
    Ok(Json(listed))
}
