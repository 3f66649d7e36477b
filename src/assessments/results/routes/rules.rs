//! The grading rules: every category's formula weights and grade bands, set by city staff.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{category_of, READERS};
use crate::assessments::results::grading::{Bands, Category, Input, Rule};
use crate::assessments::results::store;
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::error::{ApiResult, Invalid, Problem};
use crate::platform::web::Json;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct RuleView {
    pub category: Category,
    /// Input → weight; scores count in % of their maximum, daily points as they are.
    pub weights: BTreeMap<Input, f64>,
    pub bands: Bands,
}

fn rule_view(category: Category, rule: Rule) -> RuleView {
    RuleView {
        category,
        weights: rule.weights,
        bands: rule.bands,
    }
}

/// Every category's grading rule in effect.
#[utoipa::path(get, path = "/results/rules", tag = "assessments", security(("bearer" = [])),
    responses((status = 200, body = Vec<RuleView>), (status = 403, body = Problem)))]
pub(super) async fn list_rules(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<RuleView>>> {
    let mut rules = Vec::new();
    for category in Category::ALL {
        rules.push(rule_view(category, rule_of(&state, &caller, category).await?));
    }
    Ok(Json(rules))
}

/// The category's rule in effect, for a caller who may read results (the API's list of rules
/// and the console's score breakdown).
pub async fn rule_of(state: &AppState, caller: &Caller, category: Category) -> ApiResult<Rule> {
    caller.require(READERS)?;
    Ok(store::rule(&state.db, category).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// A weight (0–10) for exactly the category's inputs.
    pub weights: BTreeMap<Input, f64>,
    pub bands: Bands,
}

/// City staff set a category's formula weights and grade bands.
#[utoipa::path(put, path = "/results/rules/{category}", tag = "assessments", params(("category" = Category, Path)),
    request_body = RuleBody, security(("bearer" = [])),
    responses((status = 200, body = RuleView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn set_rule(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(category): Path<String>,
    Json(body): Json<RuleBody>,
) -> ApiResult<Json<RuleView>> {
    caller.require(&[Role::City])?;
    let category = category_of(&category)?;
    let target = format!("grading_rule:{}", category.as_str());
    act.set_target(target.clone());
    let mut invalid = Invalid::default();
    let mut expected: Vec<Input> = category.inputs().to_vec();
    let mut given: Vec<Input> = body.weights.keys().copied().collect();
    expected.sort();
    given.sort();
    if expected != given || body.weights.values().any(|w| !(0.0..=10.0).contains(w)) {
        let names: Vec<&str> = category.inputs().iter().map(|i| i.as_str()).collect();
        invalid.field(
            "weights",
            "result.weights_invalid",
            format!("须为以下各项给出 0 至 10 的权重：{}", names.join("、")),
            format!("Give a weight of 0 to 10 for exactly: {}", names.join(", ")),
        );
    }
    let b = &body.bands;
    if !(0.0 <= b.qualified_from
        && b.qualified_from <= b.good_from
        && b.good_from <= b.excellent_from
        && b.excellent_from <= 100.0)
    {
        invalid.field(
            "bands",
            "result.bands_invalid",
            "等次分数线须满足 0 ≤ 合格 ≤ 良好 ≤ 优秀 ≤ 100",
            "Bands need 0 ≤ qualified ≤ good ≤ excellent ≤ 100",
        );
    }
    invalid.finish()?;
    let rule = Rule {
        weights: body.weights,
        bands: body.bands,
    };
    let mut tx = act.begin().await?;
    store::set_rule(&mut *tx, category, &rule, &caller.staff_id(), state.clock.now_ms()).await?;
    act.commit(tx, target).await?;
    Ok(Json(rule_view(category, rule)))
}
