//! Assessment templates: versioned data, read by everyone who assesses or is assessed, published
//! by city staff. A published version never changes; editing a template publishes the next
//! version, so an assessment always shows the items it was filled against. The SQL is in
//! `store::templates`.

use std::collections::HashSet;

use crate::openapi::register::routes;
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::rules::{self, ItemKind, PersonRole, TemplateKind};
use super::seed;
use super::store::templates as store;
use crate::audit::Act;
use crate::auth::{Caller, Role};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Invalid, Problem};
use crate::platform::ids::TemplateId;
use crate::platform::types::{Text, MULTILINE};
use crate::platform::web::Json;
use crate::state::AppState;

/// The lookups other records use, on a connection or inside an act's transaction.
pub use super::store::templates::{by_id, current};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current_templates))
        .routes(routes!(list_versions, publish_version))
        .routes(routes!(get_version))
}

/// Everyone who fills, reviews or reads assessments.
const READERS: &[Role] = &[Role::City, Role::District, Role::Supervisor, Role::Enterprise];

/// One item of a template version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateItem {
    /// Unique within the version, e.g. `3` or `09`.
    pub number: String,
    pub kind: ItemKind,
    pub title: String,
    /// 评价标准
    pub standard: String,
    /// Scored items only.
    pub max_score: Option<f64>,
    pub evidence_required: bool,
    /// People items: the roles listed; attachment items: the named attachments.
    pub slots: Vec<String>,
    /// The manuals do not give this item's wording; it was reconstructed and should be
    /// replaced by the official wording in a new version.
    pub reconstructed: bool,
}

/// A template version and its items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Template {
    #[schema(value_type = String)]
    pub id: TemplateId,
    pub kind: TemplateKind,
    pub version: i64,
    pub name: String,
    pub change_note: String,
    /// `null` for the versions seeded from the manuals.
    pub created_by: Option<String>,
    pub created_at: i64,
    /// Empty in lists of versions.
    pub items: Vec<TemplateItem>,
}

impl Template {
    /// The largest total the scored items allow.
    pub fn max_total(&self) -> f64 {
        rules::total(self.items.iter().filter_map(|i| i.max_score))
    }

    pub fn item(&self, number: &str) -> Option<&TemplateItem> {
        self.items.iter().find(|i| i.number == number)
    }
}

/// Publishes the manuals' templates (see `seed`) for every kind that has no version yet, each
/// in a transaction of its own: a start-up step, not an act. Instances starting together may
/// race; the loser's insert meets the unique version and is taken as done.
pub async fn seed_defaults(conn: &mut Conn) -> Result<(), sqlx::Error> {
    for template in seed::TEMPLATES {
        if store::has_version(&mut *conn, template.kind).await? {
            continue;
        }
        let items: Vec<TemplateItem> = template
            .items
            .iter()
            .map(|i| TemplateItem {
                number: i.number.into(),
                kind: i.kind,
                title: i.title.into(),
                standard: i.standard.into(),
                max_score: i.max_score,
                evidence_required: i.evidence_required,
                slots: i.slots.iter().map(|s| s.to_string()).collect(),
                reconstructed: i.reconstructed,
            })
            .collect();
        let new = store::NewVersion {
            kind: template.kind,
            name: template.name,
            change_note: "依据操作手册初始化 (seeded from the manuals)",
            items: &items,
            created_by: None,
        };
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        match store::insert(&mut tx, &new, crate::platform::clock::system_now_ms()).await {
            Err(e) if crate::platform::db::is_unique_violation(&e) => continue,
            inserted => inserted?,
        };
        tx.commit().await?;
    }
    Ok(())
}

fn kind_of(raw: &str) -> ApiResult<TemplateKind> {
    TemplateKind::parse(raw).ok_or_else(|| ApiError::not_found("考核模板", "Assessment template"))
}

/// The current version of every template.
#[utoipa::path(get, path = "/assessments/templates", tag = "assessments", security(("bearer" = [])),
    responses((status = 200, body = Vec<Template>), (status = 403, body = Problem)))]
async fn current_templates(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Template>>> {
    Ok(Json(current_all(&state, &caller).await?))
}

/// The current version of every template: the API's `GET /assessments/templates` and the
/// enterprise portal's choice of template.
pub async fn current_all(state: &AppState, caller: &Caller) -> ApiResult<Vec<Template>> {
    caller.require(READERS)?;
    let mut conn = state.db.acquire().await?;
    let mut all = Vec::new();
    for kind in TemplateKind::ALL {
        all.extend(current(&mut conn, kind).await?);
    }
    Ok(all)
}

/// Every published version of one template, newest first (items omitted).
#[utoipa::path(get, path = "/assessments/templates/{kind}/versions", tag = "assessments",
    params(("kind" = TemplateKind, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<Template>), (status = 404, body = Problem)))]
async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
) -> ApiResult<Json<Vec<Template>>> {
    caller.require(READERS)?;
    Ok(Json(store::versions(&state.db, kind_of(&kind)?).await?))
}

/// One version of a template with its items.
#[utoipa::path(get, path = "/assessments/templates/{kind}/versions/{version}", tag = "assessments",
    params(("kind" = TemplateKind, Path), ("version" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Template), (status = 404, body = Problem)))]
async fn get_version(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, version)): Path<(String, i64)>,
) -> ApiResult<Json<Template>> {
    caller.require(READERS)?;
    store::by_version(&mut *state.db.acquire().await?, kind_of(&kind)?, version)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("考核模板版本", "Template version"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItemBody {
    pub number: String,
    pub kind: ItemKind,
    #[schema(value_type = String)]
    pub title: Text<200>,
    #[serde(default)]
    pub standard: String,
    pub max_score: Option<f64>,
    pub evidence_required: bool,
    #[serde(default)]
    pub slots: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersionBody {
    #[schema(value_type = String, example = "企业一般安全生产条件动态考核")]
    pub name: Text<100>,
    /// What changed and why.
    #[schema(value_type = String, example = "按《三项考核工作指南》更新评价标准")]
    pub change_note: Text<500, MULTILINE>,
    pub items: Vec<NewItemBody>,
}

/// Checks the items of a new version: unique numbers, a maximum score on every scored item and
/// on no other, known roles on people lists, named attachments on attachment lists; the
/// supervisor's project template holds scored items only.
fn check_items(kind: TemplateKind, items: &[NewItemBody]) -> ApiResult<Vec<TemplateItem>> {
    let mut invalid = Invalid::default();
    if items.is_empty() || items.len() > 100 {
        invalid.field(
            "items",
            "template.item_count",
            "模板须有 1 至 100 项",
            "A template has 1 to 100 items",
        );
    }
    let mut numbers = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let at = |field: &str| format!("items[{i}].{field}");
        let number_ok = (1..=10).contains(&item.number.chars().count())
            && item
                .number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !number_ok {
            invalid.field(
                &at("number"),
                "template.item_number",
                "编号为 1 至 10 位字母、数字、点或横线",
                "A number is 1 to 10 letters, digits, dots or dashes",
            );
        } else if !numbers.insert(item.number.as_str()) {
            invalid.field(
                &at("number"),
                "template.item_number_taken",
                "编号在模板内重复",
                "This number is used twice in the template",
            );
        }
        if item.standard.chars().count() > 2000 {
            invalid.field(
                &at("standard"),
                "text.too_long",
                "评价标准最多 2000 字",
                "The standard is at most 2000 characters",
            );
        }
        match (item.kind, item.max_score) {
            (ItemKind::Scored, Some(max))
                if max.is_finite() && max > 0.0 && max <= 1000.0 && rules::check_score(max, max).is_ok() => {}
            (ItemKind::Scored, _) => invalid.field(
                &at("max_score"),
                "template.max_score",
                "计分项须有 0.1 至 1000 的满分（最多一位小数）",
                "A scored item needs a maximum of 0.1 to 1000, in tenths",
            ),
            (_, Some(_)) => invalid.field(
                &at("max_score"),
                "template.max_score_unscored",
                "人员和附件列表项不计分",
                "People and attachment lists are not scored",
            ),
            (_, None) => {}
        }
        let slots_ok = match item.kind {
            ItemKind::Scored => item.slots.is_empty(),
            ItemKind::People => !item.slots.is_empty() && item.slots.iter().all(|s| PersonRole::parse(s).is_some()),
            ItemKind::Attachments => {
                !item.slots.is_empty() && item.slots.iter().all(|s| (1..=100).contains(&s.trim().chars().count()))
            }
        };
        let unique_slots = item.slots.iter().map(|s| s.trim()).collect::<HashSet<_>>().len() == item.slots.len();
        if !slots_ok || !unique_slots {
            invalid.field(&at("slots"), "template.slots", "计分项无 slots；人员列表列出角色（enterprise_principal、project_leader、special_operations、safety_manager）；附件列表列出不重复的附件名称", "Scored items have no slots; people lists name roles (enterprise_principal, project_leader, special_operations, safety_manager); attachment lists name distinct attachments");
        }
        if kind == TemplateKind::Project && item.kind != ItemKind::Scored {
            invalid.field(
                &at("kind"),
                "template.project_scored_only",
                "项目考核模板只有计分项",
                "The project template has scored items only",
            );
        }
    }
    invalid.finish()?;
    Ok(items
        .iter()
        .map(|i| TemplateItem {
            number: i.number.clone(),
            kind: i.kind,
            title: i.title.as_str().into(),
            standard: i.standard.trim().into(),
            max_score: i.max_score,
            evidence_required: i.evidence_required,
            slots: i.slots.iter().map(|s| s.trim().to_owned()).collect(),
            reconstructed: false,
        })
        .collect())
}

/// Publishes the next version of a template (city staff). Assessments created from now on use
/// it; existing ones keep the version they were created on.
#[utoipa::path(post, path = "/assessments/templates/{kind}/versions", tag = "assessments",
    params(("kind" = TemplateKind, Path)), request_body = NewVersionBody, security(("bearer" = [])),
    responses((status = 201, body = Template), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn publish_version(
    State(state): State<AppState>,
    caller: Caller,
    act: Act,
    Path(kind): Path<String>,
    Json(body): Json<NewVersionBody>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    caller.require(&[Role::City])?;
    let kind = kind_of(&kind)?;
    let items = check_items(kind, &body.items)?;
    let new = store::NewVersion {
        kind,
        name: body.name.as_str(),
        change_note: body.change_note.as_str(),
        items: &items,
        created_by: Some(&caller.account_id),
    };
    let mut tx = act.begin().await?;
    let id = store::insert(&mut tx, &new, state.clock.now_ms())
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "template.version_conflict",
                "另一个版本刚刚发布，请刷新后重试",
                "Another version was just published; reload and try again",
            )
        })?;
    let template = by_id(&mut tx, &id)
        .await?
        .ok_or_else(|| ApiError::internal("template vanished"))?;
    act.commit(tx, format!("assessment_template:{id}")).await?;
    Ok((StatusCode::CREATED, Json(template)))
}
