//! An enterprise's reissue of its people's certificates under its new name (企业名称变更, seed
//! 003 §1.5): checked, applied for, and approved by the authority, after which every affected
//! certificate carries the new name and a track entry.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

use super::{shown, ServiceBar};
use crate::applications::flow::{self, By, Submission};
use crate::applications::kinds::ApplicationKind;
use crate::applications::rules;
use crate::applications::store;
use crate::applications::view::{ApplicationWithHistory, Detail};
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::certificates::changes;
use crate::enterprises::EnterpriseRow;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Lang, Problem};
use crate::platform::web::Json;
use crate::state::AppState;

/// Whether the enterprise can apply now.
#[derive(Serialize, ToSchema)]
pub struct NameChangeCheck {
    /// The enterprise's current name, which the certificates would carry.
    pub new_name: String,
    /// Standing certificates registered under a former name.
    pub certificates: usize,
    pub available: bool,
    pub bars: Vec<ServiceBar>,
}

fn applicant(enterprise: &EnterpriseRow) -> String {
    format!("enterprise:{}", enterprise.id)
}

/// The calling enterprise and its facts: certificates under a former name, and conditions failed.
async fn check(conn: &mut Conn, caller: &Caller) -> ApiResult<(EnterpriseRow, usize, Vec<rules::Bar>)> {
    caller.require(&[Role::Enterprise])?;
    let id = caller.enterprise_id().ok_or_else(ApiError::forbidden_role)?;
    let enterprise = crate::enterprises::get(&mut *conn, id, &caller.bounds())
        .await?
        .ok_or_else(ApiError::forbidden_role)?;
    let count = changes::count_under_other_name(&mut *conn, &enterprise.credit_code, &enterprise.name).await?;
    let in_progress = store::in_progress(&mut *conn, &applicant(&enterprise)).await?;
    Ok((enterprise, count, rules::name_change_bars(count, in_progress)))
}

/// Checks whether the enterprise can apply to reissue its certificates under its new name.
#[utoipa::path(get, path = "/enterprises/me/name-change-reissue", tag = "applications", security(("bearer" = [])),
    responses((status = 200, body = NameChangeCheck), (status = 403, body = Problem)))]
pub(super) async fn name_change_check(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Json<NameChangeCheck>> {
    let mut conn = state.db.acquire().await?;
    let (enterprise, certificates, bars) = check(&mut conn, &caller).await?;
    let lang = Lang::from_headers(&headers);
    Ok(Json(NameChangeCheck {
        new_name: enterprise.name,
        certificates,
        available: bars.is_empty(),
        bars: bars.into_iter().map(|bar| shown(bar, lang)).collect(),
    }))
}

/// Applies to reissue every standing certificate registered under a former name of the
/// enterprise under its current name.
#[utoipa::path(post, path = "/enterprises/me/name-change-reissue", tag = "applications", security(("bearer" = [])),
    responses((status = 201, body = ApplicationWithHistory), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn apply_name_change(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
) -> ApiResult<(StatusCode, Json<ApplicationWithHistory>)> {
    let mut tx = act.begin().await?;
    let (enterprise, certificates, bars) = check(&mut tx, &caller).await?;
    if !bars.is_empty() {
        return Err(flow::barred(&bars, "conditions"));
    }
    let submission = Submission {
        kind: ApplicationKind::NameChange,
        applicant: applicant(&enterprise),
        person_id: None,
        certificate_id: None,
        confirming_enterprise_id: None,
        enterprise_id: &enterprise.id,
        district_code: &enterprise.district_code,
        steps: state.approval_chains[&ApplicationKind::NameChange].clone(),
        detail: Detail {
            new_enterprise_name: Some(enterprise.name.clone()),
            certificates: Some(certificates),
            ..Detail::default()
        },
        document_id: None,
    };
    let by = By {
        kind: "enterprise",
        id: &caller.account_id,
    };
    let row = flow::submit(&mut tx, &state, submission, &by, state.clock.now_ms()).await?;
    let events = store::events(&mut *tx, &row.id).await?;
    act.commit(tx, format!("application:{}", row.id)).await?;
    Ok((StatusCode::CREATED, Json(row.with_history(&state.keys, events))))
}
