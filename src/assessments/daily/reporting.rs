//! Reporting daily events, correcting and deleting a returned report: the API's `POST`,
//! `PUT` and `DELETE /daily-events[/{id}]` and the enterprise portal's daily events page both
//! call these, so both check the same things in the same order.

use axum::http::StatusCode;

use super::routes::{reread, visible, EventBody, EventView};
use super::store::{self, EventRow, NewEvent};
use crate::assessments::rules::{self, Event};
use crate::assessments::store::lifecycle::DAILY_EVENTS;
use crate::assessments::{changed_meanwhile, document_unusable, not_allowed};
use crate::audit::Act;
use crate::auth::{Caller, Scope};
use crate::documents::rules::Purpose;
use crate::platform::error::{ApiError, ApiResult, Invalid};
use crate::platform::ids::{DailyEventId, EnterpriseId};
use crate::state::AppState;

/// Reports an event, in `act`: an enterprise its bonus, staff a deduction.
pub async fn report(state: &AppState, caller: &Caller, act: &Act, body: &EventBody) -> ApiResult<EventView> {
    caller.require(super::routes::READERS)?;
    let enterprise = check_report(state, caller, body, None).await?;
    let occurred_on = body.occurred_on.to_string();
    let event = new_event(body, &enterprise, &occurred_on);
    let mut tx = act.begin().await?;
    let id = store::insert(&mut tx, &event, &caller.account_id, state.clock.now_ms()).await?;
    let view = reread(&mut tx, caller, &id).await?;
    act.commit(tx, format!("daily_event:{id}")).await?;
    Ok(view)
}

/// The reporter corrects a returned event and reports it again, in `act`.
pub async fn correct(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    id: &DailyEventId,
    body: &EventBody,
) -> ApiResult<EventView> {
    let row = own_returned(state, caller, id, Event::Submit).await?;
    act.set_target(format!("daily_event:{id}"));
    let enterprise = check_report(state, caller, body, Some(&row.id)).await?;
    if enterprise != row.enterprise_id {
        let mut invalid = Invalid::default();
        invalid.field(
            "enterprise_id",
            "daily.enterprise_fixed",
            "不能更换记录所属企业",
            "The event's enterprise cannot change",
        );
        invalid.finish()?;
    }
    let occurred_on = body.occurred_on.to_string();
    let event = new_event(body, &enterprise, &occurred_on);
    let mut tx = act.begin().await?;
    if !store::resubmit(&mut tx, &row, &event, &caller.account_id, state.clock.now_ms()).await? {
        return Err(changed_meanwhile());
    }
    let view = reread(&mut tx, caller, id).await?;
    act.commit(tx, format!("daily_event:{id}")).await?;
    Ok(view)
}

/// The reporter deletes a returned event, in `act` (kept for the record, no longer listed).
pub async fn delete(state: &AppState, caller: &Caller, act: &Act, id: &DailyEventId) -> ApiResult<()> {
    let row = own_returned(state, caller, id, Event::Delete).await?;
    act.set_target(format!("daily_event:{id}"));
    let mut tx = act.begin().await?;
    let now = state.clock.now_ms();
    let to = rules::State::Deleted;
    if !DAILY_EVENTS
        .advance(&mut tx, &row.id, row.state, to, &caller.account_id, None, now)
        .await?
    {
        return Err(changed_meanwhile());
    }
    act.commit(tx, format!("daily_event:{id}")).await?;
    Ok(())
}

/// Checks a report against who makes it: enterprises report bonuses with evidence about
/// themselves, staff record deductions for enterprises within their jurisdiction.
async fn check_report(
    state: &AppState,
    caller: &Caller,
    body: &EventBody,
    event: Option<&str>,
) -> ApiResult<EnterpriseId> {
    let types = store::event_types(&state.db).await?;
    let category = types
        .iter()
        .find(|t| t.code == body.type_code)
        .map(|t| t.category.as_str());
    let mut invalid = Invalid::default();
    let enterprise = match (&caller.scope, category) {
        (_, None) => {
            invalid.field(
                "type_code",
                "daily.type_unknown",
                "没有此事件类型",
                "No such event type",
            );
            None
        }
        (Scope::Enterprise(own), Some("bonus")) => Some(own.clone()),
        (Scope::Enterprise(_), Some(_)) => {
            invalid.field(
                "type_code",
                "daily.deduction_by_staff",
                "扣分事项由主管部门记录",
                "Deductions are recorded by the authority",
            );
            None
        }
        (_, Some("deduction")) => {
            let found = match &body.enterprise_id {
                Some(id) => crate::enterprises::get(&state.db, id, &caller.bounds()).await?,
                None => None,
            };
            if found.is_none() {
                invalid.field(
                    "enterprise_id",
                    "daily.enterprise_unknown",
                    "请选择辖区内的企业",
                    "Choose an enterprise within your jurisdiction",
                );
            }
            found.map(|e| e.id)
        }
        (_, Some(_)) => {
            invalid.field(
                "type_code",
                "daily.bonus_by_enterprise",
                "加分事项由企业提报",
                "Bonuses are reported by the enterprise",
            );
            None
        }
    };
    if category == Some("bonus") && body.document_ids.is_empty() {
        invalid.field(
            "document_ids",
            "daily.evidence_required",
            "加分事项须上传获奖证明材料",
            "A bonus needs its award evidence",
        );
    }
    let bounds = caller.bounds();
    for (i, id) in body.document_ids.iter().enumerate() {
        let doc = crate::documents::visible(&state.db, id, &bounds).await?;
        // A free upload, or evidence this event already holds (a correction may send it again).
        let usable = doc.is_some_and(|d| {
            caller.enterprise_id().is_some_and(|e| e.as_str() == d.owner_id)
                && d.attachable_to(Purpose::MaterialScan, event.unwrap_or_default())
        });
        if !usable {
            document_unusable(&mut invalid, &format!("document_ids[{i}]"), Purpose::MaterialScan);
        }
    }
    if let (Some(project), Some(enterprise)) = (&body.project_id, &enterprise) {
        let own = crate::projects::get(&state.db, project, &caller.bounds()).await?;
        if own.is_none_or(|p| &p.enterprise_id != enterprise) {
            invalid.field(
                "project_id",
                "daily.project_unknown",
                "该项目不属于此企业",
                "The project is not this enterprise's",
            );
        }
    }
    invalid.finish()?;
    enterprise.ok_or_else(|| ApiError::internal("report without an enterprise"))
}

fn new_event<'a>(body: &'a EventBody, enterprise: &'a EnterpriseId, occurred_on: &'a str) -> NewEvent<'a> {
    NewEvent {
        enterprise_id: enterprise,
        project_id: body.project_id.as_ref(),
        type_code: &body.type_code,
        occurred_on,
        description: body.description.as_str(),
        documents: &body.document_ids,
    }
}

/// A returned event, for its reporter to correct or delete.
async fn own_returned(state: &AppState, caller: &Caller, id: &DailyEventId, event: Event) -> ApiResult<EventRow> {
    let row = visible(state, caller, id).await?;
    if row.reported_by != caller.account_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "daily.not_reporter",
            "只有提报人可以修改或删除该记录",
            "Only whoever reported the event can change or delete it",
        ));
    }
    rules::transition(row.state(), event).map_err(not_allowed)?;
    Ok(row)
}
