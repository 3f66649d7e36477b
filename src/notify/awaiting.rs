//! The staff inbox: what awaits a decision of the caller's, in their jurisdiction. Nothing is
//! stored for it; each domain answers what of its records waits for staff (`Row`, from its
//! store, within `caller.bounds()`), and this module names them for people to read.
//!
//! - verification: selections and replacements of check-in personnel to review (city and
//!   district staff), and check-ins flagged or appealed (city and district staff);
//! - assessments: self-assessments submitted for review (city and district staff), daily
//!   assessment events reported by another staff member (city and district staff), project
//!   assessments submitted by supervisors (the city station);
//! - people: registrations held by the one-face check for a manual review (city staff);
//! - applications (办件) waiting at the district desk (district staff) or for the city's
//!   approval (city staff);
//! - exams: registrations submitted for review (city and district staff).

use crate::openapi::register::routes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Caller, Role};
use crate::platform::error::{ApiResult, Lang, Problem};
use crate::platform::web::Json;
use crate::state::AppState;

/// How many items of each kind the inbox lists (oldest first); `count` is the whole number.
pub const LISTED: i64 = 50;

/// A queue's statement for a domain's store: the first `LISTED` rows of `from_where` in
/// `order`, with `columns` and the whole number that waits (`total`) counted apart. A window
/// count (`COUNT(*) OVER ()`) joins and reads every waiting row before the page can stop at
/// its limit; counted apart, the page reads its rows in the order of an index and stops, and
/// the count reads only what it needs to count (issue 19's city bench: a district's queues of
/// thousands of self-assessments).
pub fn queue(columns: &str, from_where: &str, order: &str) -> String {
    counted_queue(columns, from_where, from_where, order)
}

/// As `queue`, the same rows counted from `counted`: without the joins that only name them.
pub fn counted_queue(columns: &str, from_where: &str, counted: &str, order: &str) -> String {
    format!("SELECT {columns}, (SELECT COUNT(*) {counted}) AS total {from_where} ORDER BY {order} LIMIT {LISTED}")
}

/// One record awaiting staff, as a domain's store reads it.
#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    pub target_id: String,
    pub enterprise_id: Option<String>,
    pub enterprise_name: Option<String>,
    /// What the record is about, by name: a qualification, an assessment and its period, a
    /// masked ID number.
    pub subject: String,
    /// Since when it waits (Unix ms).
    pub since: i64,
    /// How many records of its kind wait in all.
    pub total: i64,
}

/// The kinds of record that await staff: kind, what it opens, who decides, zh and en titles.
const KINDS: &[(&str, &str, &[Role], &str, &str)] = &[
    (
        "verification.selection",
        "verification_task",
        &[Role::City, Role::District],
        "资质核查打卡人员待审核",
        "Check-in personnel to review",
    ),
    (
        "verification.replacement",
        "verification_task",
        &[Role::City, Role::District],
        "替换打卡人员待审核",
        "Replacement check-in personnel to review",
    ),
    (
        "verification.check_in",
        "check_in_attempt",
        &[Role::City, Role::District],
        "打卡记录待复核或申诉待处理",
        "Check-ins flagged or appealed",
    ),
    (
        "assessment.review",
        "assessment",
        &[Role::City, Role::District],
        "考核自评待审核",
        "Self-assessments to review",
    ),
    (
        "assessment.daily_event",
        "daily_event",
        &[Role::City, Role::District],
        "日常考核事项待审核",
        "Daily assessment events to review",
    ),
    (
        "assessment.project",
        "project_assessment",
        &[Role::City],
        "项目安全生产条件考核待审核",
        "Project assessments to review",
    ),
    (
        "people.registration",
        "registration_review",
        &[Role::City],
        "实名登记待人工审核",
        "Registrations held for a manual review",
    ),
    (
        "application.district",
        "application",
        &[Role::District],
        "证书业务待受理",
        "Certificate applications to accept",
    ),
    (
        "application.city",
        "application",
        &[Role::City],
        "证书业务待审批",
        "Certificate applications to approve",
    ),
    (
        "exam.registration",
        "exam_registration",
        &[Role::City, Role::District],
        "考试报名待审核",
        "Exam registrations to review",
    ),
];

/// One record awaiting the caller's decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwaitingItem {
    /// verification.selection | verification.replacement | verification.check_in |
    /// assessment.review | assessment.daily_event | assessment.project | people.registration |
    /// application.district | application.city | exam.registration
    pub kind: String,
    /// What to open: verification_task | check_in_attempt | assessment | daily_event |
    /// project_assessment | registration_review | application | exam_registration
    pub target_kind: String,
    pub target_id: String,
    pub enterprise_id: Option<String>,
    pub enterprise_name: Option<String>,
    /// What awaits, in the language asked for.
    pub title: String,
    /// Which record, by name (enterprise and qualification, assessment and period…).
    pub body: String,
    /// Since when it waits (Unix ms).
    pub since: i64,
}

/// The records of one kind awaiting the caller's decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwaitingGroup {
    pub kind: String,
    pub title: String,
    /// How many wait in all (the items list at most 50, oldest first).
    pub count: i64,
    pub items: Vec<AwaitingItem>,
}

/// What awaits a staff member's decision in their jurisdiction.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffInbox {
    /// How many records await in all.
    pub total: i64,
    /// One group for each kind of record the caller decides, empty ones included.
    pub groups: Vec<AwaitingGroup>,
}

/// A group's title, and an item's body naming its record.
pub fn render(kind: &str, row: &Row, lang: Lang) -> (String, String) {
    let title = KINDS
        .iter()
        .find(|k| k.0 == kind)
        .map(|k| if lang == Lang::En { k.4 } else { k.3 })
        .unwrap_or(kind)
        .to_owned();
    let body = match (&row.enterprise_name, lang) {
        (Some(name), Lang::Zh) => format!("{name}：{}", row.subject),
        (Some(name), Lang::En) => format!("{name}: {}", row.subject),
        (None, _) => row.subject.clone(),
    };
    (title, body)
}

/// Groups the rows of each kind into the inbox.
pub fn inbox(rows: Vec<(&'static str, Vec<Row>)>, lang: Lang) -> StaffInbox {
    let mut groups = Vec::new();
    for (kind, rows) in rows {
        let Some((_, target_kind, ..)) = KINDS.iter().find(|k| k.0 == kind) else {
            continue;
        };
        let (title, _) = render(kind, &Row::empty(), lang);
        let count = rows.first().map_or(0, |r| r.total);
        let items = rows
            .into_iter()
            .map(|row| {
                let (title, body) = render(kind, &row, lang);
                AwaitingItem {
                    kind: kind.to_owned(),
                    target_kind: (*target_kind).to_owned(),
                    target_id: row.target_id,
                    enterprise_id: row.enterprise_id,
                    enterprise_name: row.enterprise_name,
                    title,
                    body,
                    since: row.since,
                }
            })
            .collect();
        groups.push(AwaitingGroup {
            kind: kind.to_owned(),
            title,
            count,
            items,
        });
    }
    StaffInbox {
        total: groups.iter().map(|g| g.count).sum(),
        groups,
    }
}

impl Row {
    fn empty() -> Row {
        Row {
            target_id: String::new(),
            enterprise_id: None,
            enterprise_name: None,
            subject: String::new(),
            since: 0,
            total: 0,
        }
    }
}

/// Whether the caller decides records of `kind`.
fn decides(caller: &Caller, kind: &str) -> bool {
    KINDS.iter().any(|k| k.0 == kind && k.2.contains(&caller.role))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(staff_inbox))
}

/// What awaits the calling staff member's decision in their jurisdiction, by kind: district
/// staff see their district's records, city staff all. Each item names its enterprise and
/// what it is about, and the record to open (`target_kind`, `target_id`).
#[utoipa::path(get, path = "/staff/inbox", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = StaffInbox), (status = 403, body = Problem)))]
async fn staff_inbox(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> ApiResult<Json<StaffInbox>> {
    Ok(Json(
        staff_inbox_of(&state, &caller, Lang::from_headers(&headers)).await?,
    ))
}

/// What awaits a staff caller's decision within their bounds (403 for others): the JSON inbox
/// and the staff console's home page both read it here.
pub async fn staff_inbox_of(state: &AppState, caller: &Caller, lang: Lang) -> ApiResult<StaffInbox> {
    caller.require(&[Role::City, Role::District, Role::Supervisor, Role::Sysadmin])?;
    let bounds = caller.bounds();
    let mut conn = state.db.acquire().await?;
    let mut rows = Vec::new();
    for kind in KINDS.iter().map(|k| k.0).filter(|k| decides(caller, k)) {
        let found = match kind {
            "verification.selection" => {
                crate::verification::store::awaiting_review(&mut conn, &bounds, "selection_submitted").await?
            }
            "verification.replacement" => {
                crate::verification::store::awaiting_review(&mut conn, &bounds, "replacement_submitted").await?
            }
            "verification.check_in" => crate::verification::store::awaiting_check_ins(&mut conn, &bounds).await?,
            "assessment.review" => crate::assessments::store::awaiting_review(&mut conn, &bounds).await?,
            "assessment.daily_event" => {
                crate::assessments::daily::store::awaiting_review(&mut conn, &bounds, &caller.account_id).await?
            }
            "assessment.project" => {
                crate::assessments::project_safety::store::awaiting_review(&mut conn, &bounds).await?
            }
            "people.registration" => crate::people::one_face::store::awaiting_review(&mut conn).await?,
            "application.district" => {
                crate::applications::store::awaiting(&mut conn, &bounds, crate::applications::kinds::Step::District)
                    .await?
            }
            "application.city" => {
                crate::applications::store::awaiting(&mut conn, &bounds, crate::applications::kinds::Step::City).await?
            }
            _ => crate::exams::store::awaiting_review(&mut conn, &bounds).await?,
        };
        rows.push((kind, found));
    }
    Ok(inbox(rows, lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(total: i64) -> Row {
        Row {
            target_id: "0193a5b2-7c1d-7e00-8000-0123456789ab".into(),
            enterprise_id: Some("0193a5b2-7c1d-7e00-8000-0123456789ac".into()),
            enterprise_name: Some("闽建集团".into()),
            subject: "建筑工程施工总承包一级".into(),
            since: 5,
            total,
        }
    }

    #[test]
    fn items_name_their_enterprise_never_an_id() {
        let inbox = inbox(
            vec![("verification.selection", vec![row(3)]), ("assessment.review", vec![])],
            Lang::Zh,
        );
        assert_eq!(inbox.total, 3);
        let group = &inbox.groups[0];
        assert_eq!((group.count, group.title.as_str()), (3, "资质核查打卡人员待审核"));
        let item = &group.items[0];
        assert_eq!(item.body, "闽建集团：建筑工程施工总承包一级");
        assert_eq!(item.target_kind, "verification_task");
        assert!(!item.title.contains("0193") && !item.body.contains("0193"));
        assert_eq!(inbox.groups[1].count, 0);
        let en = super::inbox(vec![("people.registration", vec![row(1)])], Lang::En);
        assert_eq!(en.groups[0].title, "Registrations held for a manual review");
    }

    #[test]
    fn json_shape() {
        let inbox = inbox(vec![("verification.check_in", vec![row(1)])], Lang::Zh);
        let value = json!(inbox);
        assert_eq!(value["groups"][0]["items"][0]["target_kind"], "check_in_attempt");
    }
}
