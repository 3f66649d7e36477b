//! Dynamic adjustments: staff move a result up one grade or straight to unqualified, with one of
//! the listed reasons and an opinion; every adjustment is kept.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::listing::one_result;
use super::{category_of, READERS};
use crate::assessments::results::grading::{Adjustment, Category};
use crate::assessments::results::store::{self, NewAdjustment};
use crate::assessments::results::view::ResultRow;
use crate::audit::Act;
use crate::auth::{Caller, Role, Scope};
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::types::{Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

/// A listed reason for a dynamic adjustment.
pub struct Reason {
    pub code: &'static str,
    pub action: Adjustment,
    pub text: &'static str,
}

/// The reasons staff choose from. The Qingdao guide's list is not available; these follow the
/// usual grounds of the provincial rules and can be extended here.
pub const REASONS: &[Reason] = &[
    Reason {
        code: "provincial_standard_site",
        action: Adjustment::Promote,
        text: "获评省级及以上安全生产标准化工地",
    },
    Reason {
        code: "no_accident_three_years",
        action: Adjustment::Promote,
        text: "连续三年未发生生产安全事故且考核良好以上",
    },
    Reason {
        code: "safety_innovation",
        action: Adjustment::Promote,
        text: "安全生产技术或管理创新成果获省级以上推广",
    },
    Reason {
        code: "fatal_accident",
        action: Adjustment::Unqualified,
        text: "发生造成人员死亡的生产安全事故",
    },
    Reason {
        code: "accident_concealed",
        action: Adjustment::Unqualified,
        text: "瞒报、谎报、迟报生产安全事故",
    },
    Reason {
        code: "major_hazard_unrectified",
        action: Adjustment::Unqualified,
        text: "存在重大事故隐患拒不整改",
    },
    Reason {
        code: "licence_suspended",
        action: Adjustment::Unqualified,
        text: "安全生产许可证被暂扣或吊销",
    },
    Reason {
        code: "false_material",
        action: Adjustment::Unqualified,
        text: "考核中提供虚假材料",
    },
];

pub fn reason_text(code: &str) -> &'static str {
    REASONS.iter().find(|r| r.code == code).map_or("", |r| r.text)
}

#[derive(Serialize, ToSchema)]
pub struct ReasonView {
    pub code: &'static str,
    pub action: Adjustment,
    pub text: &'static str,
}

/// The reasons a dynamic adjustment can give.
#[utoipa::path(get, path = "/results/adjustment-reasons", tag = "assessments", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReasonView>)))]
pub(super) async fn list_reasons(caller: Caller) -> ApiResult<Json<Vec<ReasonView>>> {
    caller.require(READERS)?;
    Ok(Json(
        REASONS
            .iter()
            .map(|r| ReasonView {
                code: r.code,
                action: r.action,
                text: r.text,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustBody {
    #[schema(example = "2026")]
    pub period: String,
    pub action: Adjustment,
    /// One of `/results/adjustment-reasons` for this action.
    pub reason_code: String,
    #[schema(value_type = String, example = "2026 年 9 月发生一起死亡事故")]
    pub opinion: Text<500, MULTILINE>,
}

/// Staff who review the subject's district move its result up one grade or straight to
/// unqualified, with a listed reason and an opinion; every adjustment is kept.
#[utoipa::path(post, path = "/results/{category}/{subject_id}/adjustments", tag = "assessments",
    params(("category" = Category, Path), ("subject_id" = String, Path)), request_body = AdjustBody, security(("bearer" = [])),
    responses((status = 201, body = ResultRow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn adjust_result(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path((category, subject)): Path<(String, String)>,
    Json(body): Json<AdjustBody>,
) -> ApiResult<(StatusCode, Json<ResultRow>)> {
    let adjusted = adjust(&state, &caller, &act, &category, &subject, &body).await?;
    Ok((StatusCode::CREATED, Json(adjusted)))
}

/// Adjusts a subject's result as `caller`: the API's `POST .../adjustments` and the console's
/// form. Refused unless the caller reviews the subject's district, the reason is listed for
/// the action and the action changes the grade.
pub async fn adjust(
    state: &AppState,
    caller: &Caller,
    act: &Act,
    category: &str,
    subject: &str,
    body: &AdjustBody,
) -> ApiResult<ResultRow> {
    caller.require(&[Role::City, Role::District])?;
    let category = category_of(category)?;
    let target = format!("result:{}:{subject}", category.as_str());
    act.set_target(target.clone());
    if !REASONS
        .iter()
        .any(|r| r.code == body.reason_code && r.action == body.action)
    {
        let mut invalid = Invalid::default();
        invalid.field(
            "reason_code",
            "result.reason_unknown",
            "请从所列调整事项中选择",
            "Choose one of the listed reasons for this action",
        );
        invalid.finish()?;
    }
    let current = one_result(&mut *state.db.acquire().await?, caller, category, subject, &body.period).await?;
    if caller.scope == Scope::City && !state.settings.assessments.city_reviews(&current.subject.district_code) {
        return Err(crate::assessments::review::outside_review_scope());
    }
    let Some(from) = current.final_grade else {
        return Err(ApiError::conflict(
            "result.incomplete",
            "考核材料尚不齐全，没有可调整的等次",
            "The result has no grade yet to adjust: approved assessments are missing",
        ));
    };
    let to = body.action.apply(from).ok_or_else(|| {
        ApiError::conflict(
            "result.adjustment_changes_nothing",
            format!("当前等次为“{}”，此项调整不改变等次", from.zh()),
            format!("The grade is {}; this adjustment would not change it", from.as_str()),
        )
    })?;
    let new = NewAdjustment {
        category,
        subject_id: subject,
        period: &body.period,
        action: body.action.as_str(),
        reason_code: &body.reason_code,
        opinion: body.opinion.as_str(),
        from_grade: from.as_str(),
        to_grade: to.as_str(),
    };
    let mut tx = act.begin().await?;
    store::insert_adjustment(&mut *tx, &new, &caller.staff_id(), state.clock.now_ms()).await?;
    let adjusted = one_result(&mut *tx, caller, category, subject, &body.period).await?;
    act.commit(tx, target).await?;
    Ok(adjusted)
}
