//! Assessments: self-assessments in every state (draft, submitted, under review, returned,
//! approved), so the reviewers' queues and the results have something in them, and daily
//! events: bonuses reported with evidence, a deduction recorded by staff, one passed.

use serde_json::{json, Value};

use super::client::id_of;
use super::photos::pdf;
use super::world::World;

/// What happens to an enterprise's self-assessment, and the share of each item's maximum it
/// claims.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Draft,
    Submitted,
    UnderReview,
    Returned,
    Approved,
}

/// By enterprise (their place in `city::ENTERPRISES`): its general conditions assessment.
const FATES: [(usize, Fate, f64); 12] = [
    (0, Fate::Approved, 0.95),
    (1, Fate::Submitted, 0.9),
    (2, Fate::UnderReview, 0.85),
    (3, Fate::Returned, 0.8),
    (4, Fate::Approved, 0.82),
    (5, Fate::Draft, 0.9),
    (6, Fate::Approved, 0.88),
    (7, Fate::Approved, 0.88),
    (8, Fate::Submitted, 0.9),
    (9, Fate::Returned, 0.9),
    (10, Fate::Submitted, 0.86),
    (11, Fate::Approved, 0.92),
];

/// Every enterprise's general conditions assessment meets its fate; those approved also have
/// their safety director assessment approved, so that each results category grades them.
pub async fn self_assessments(w: &mut World) -> anyhow::Result<()> {
    for (enterprise, fate, share) in FATES {
        assess(w, enterprise, "general_conditions", fate, share).await?;
        if fate == Fate::Approved {
            assess(w, enterprise, "safety_director", fate, share).await?;
        }
    }
    Ok(())
}

async fn assess(w: &World, enterprise: usize, kind: &str, fate: Fate, share: f64) -> anyhow::Result<()> {
    let year = w.today().to_string()[..4].to_owned();
    let token = &w.enterprises[enterprise].token;
    let view = w
        .api
        .post(token, "/assessments", json!({"kind": kind, "period": year}))
        .await?;
    fill(w, token, &view, share, fate == Fate::Draft).await?;
    if fate == Fate::Draft {
        return Ok(());
    }
    let id = id_of(&view)?;
    let body = json!({"opinion": "已按考核细则逐项自评，请审核。"});
    w.api.post(token, &format!("/assessments/{id}/submit"), body).await?;
    let reviewer = reviewer_of(w.enterprises[enterprise].district);
    match fate {
        Fate::UnderReview => review(w, reviewer, &view, None, 3).await,
        Fate::Returned => {
            review(w, reviewer, &view, Some(0.5), usize::MAX).await?;
            finish(w, reviewer, &id, "部分项目不符合要求，请整改后重新提交。", "returned").await
        }
        Fate::Approved => {
            review(w, reviewer, &view, None, usize::MAX).await?;
            finish(w, reviewer, &id, "审核通过。", "approved").await
        }
        Fate::Draft | Fate::Submitted => Ok(()),
    }
}

/// District staff review their district; the city station the others.
fn reviewer_of(district: &str) -> &'static str {
    match district {
        super::city::LIXIA => "lixia",
        super::city::SHIZHONG => "shizhong",
        _ => "city",
    }
}

/// Self-scores every scored item at `share` of its maximum with one evidence PDF each (only
/// the first few for a draft still being filled).
async fn fill(w: &World, token: &str, view: &Value, share: f64, partly: bool) -> anyhow::Result<()> {
    let id = id_of(view)?;
    let scored = scored_items(view);
    let count = if partly { scored.len().min(3) } else { scored.len() };
    let mut fills = Vec::new();
    for (number, max) in &scored[..count] {
        fills.push(json!({"number": number, "self_score": (max * share).round()}));
        let evidence = w
            .api
            .upload(
                token,
                "material_scan",
                "证明材料.pdf",
                pdf(&format!("Evidence {number}")),
            )
            .await?;
        w.api
            .post(
                token,
                &format!("/assessments/{id}/items/{number}/documents"),
                json!({"document_id": evidence}),
            )
            .await?;
    }
    w.api
        .put(token, &format!("/assessments/{id}/items"), json!({"items": fills}))
        .await?;
    Ok(())
}

fn scored_items(view: &Value) -> Vec<(String, f64)> {
    view["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| i["kind"] == "scored")
                .filter_map(|i| Some((i["number"].as_str()?.to_owned(), i["max_score"].as_f64()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Scores and decides the first `items` items: accepting the self-score, or overriding it with
/// `override_share` of the maximum.
async fn review(
    w: &World,
    reviewer: &str,
    view: &Value,
    override_share: Option<f64>,
    items: usize,
) -> anyhow::Result<()> {
    let id = id_of(view)?;
    let token = w.staff(reviewer);
    for item in view["items"].as_array().into_iter().flatten().take(items) {
        let number = item["number"].as_str().unwrap_or_default();
        if item["kind"] == "scored" {
            let max = item["max_score"].as_f64().unwrap_or_default();
            let body = match override_share {
                Some(share) => {
                    json!({"action": "override", "score": (max * share).round(), "opinion": "现场核查材料不全"})
                }
                None => json!({"action": "accept"}),
            };
            w.api
                .post(token, &format!("/assessments/{id}/items/{number}/score"), body)
                .await?;
        }
        w.api
            .post(
                token,
                &format!("/assessments/{id}/items/{number}/decision"),
                json!({"decision": "pass"}),
            )
            .await?;
    }
    Ok(())
}

/// Finishes the review; the outcome follows from the scores, and must be the one intended.
async fn finish(w: &World, reviewer: &str, id: &str, opinion: &str, expected: &str) -> anyhow::Result<()> {
    let finished = w
        .api
        .post(
            w.staff(reviewer),
            &format!("/assessments/{id}/finish"),
            json!({"opinion": opinion}),
        )
        .await?;
    anyhow::ensure!(
        finished["state"] == expected,
        "a review finished {expected} was expected: {finished}"
    );
    Ok(())
}

/// Daily events: city staff set the point table and register projects; enterprises report
/// bonuses with evidence, 历下's staff record a deduction; 市中's staff pass one bonus.
pub async fn daily_events(w: &mut World) -> anyhow::Result<()> {
    for (code, points) in [
        ("award_provincial", 4.0),
        ("award_municipal", 2.0),
        ("poor_site_management", -3.0),
    ] {
        w.api
            .put(
                w.staff("city"),
                &format!("/daily-event-types/{code}"),
                json!({"points": points}),
            )
            .await?;
    }
    let when = w.today().add_days(-12).to_string();
    let mut passed = None;
    for (n, (enterprise, award)) in [(0, "award_provincial"), (6, "award_municipal"), (7, "award_provincial")]
        .into_iter()
        .enumerate()
    {
        let project = project(w, enterprise, n).await?;
        let token = w.enterprises[enterprise].token.clone();
        let evidence = w
            .api
            .upload(&token, "material_scan", "获奖证明.pdf", pdf("Award certificate"))
            .await?;
        let body = json!({"type_code": award, "project_id": project, "occurred_on": when,
                          "description": "项目获评安全文明标准化工地", "document_ids": [evidence]});
        // The last (趵突泉建安's, in 市中) is passed below.
        passed = Some(id_of(&w.api.post(&token, "/daily-events", body).await?)?);
    }
    let body = json!({"decision": "pass", "opinion": "材料属实。"});
    let passed = passed.unwrap_or_default();
    w.api
        .post(w.staff("shizhong"), &format!("/daily-events/{passed}/review"), body)
        .await?;
    let project = project(w, 1, 3).await?;
    let body = json!({"type_code": "poor_site_management", "enterprise_id": w.enterprises[1].id, "project_id": project,
                      "occurred_on": when, "description": "施工现场临边防护缺失，已责令整改。"});
    w.api.post(w.staff("lixia"), "/daily-events", body).await?;
    Ok(())
}

/// City staff register a construction project of the enterprise.
async fn project(w: &World, enterprise: usize, n: usize) -> anyhow::Result<String> {
    let e = &w.enterprises[enterprise];
    let seed = &super::city::ENTERPRISES[enterprise];
    let body = json!({"permit_number": format!("{}2026{:04}01", e.district, n + 11), "name": format!("{}项目", ["泉城花园二期", "齐鲁大道改造", "趵突泉片区更新", "解放东路综合体"][n % 4]),
                      "location": format!("济南市{}", seed.address), "district_code": e.district,
                      "enterprise_credit_code": e.code, "project_manager": "项目经理", "building_area": 18_500.0 + 1000.0 * n as f64});
    id_of(&w.api.post(w.staff("city"), "/projects", body).await?)
}
