//! Qualification verification: a task in every state of the lifecycle
//! (`verification::rules::lifecycle::TaskState`). The overdue ones are opened while the
//! demo's clock is behind and closed by the close job as the clock moves on; the others are
//! opened today, selected, reviewed and checked in (one check-in flagged for review).

use serde_json::{json, Value};

use super::client::{id_of, text_of};
use super::employment::{self, Hired, LI, QILU, QUANCHENG, ZHANG};
use super::photos::{pdf, Face};
use super::world::World;

/// Qualifications (category, grade) with the registered and titled staff they require.
const REQUIREMENTS: [(&str, &str, u32, u32); 6] = [
    ("建筑工程施工总承包", "二级", 2, 2),
    ("建筑装修装饰工程专业承包", "二级", 1, 0),
    ("机电工程施工总承包", "三级", 2, 2),
    ("市政公用工程施工总承包", "三级", 1, 0),
    ("钢结构工程专业承包", "二级", 2, 1),
    ("建筑装修装饰工程专业承包", "一级", 3, 2),
];

/// Enterprises of the overdue tasks, by their place in `city::ENTERPRISES`.
const QIANFOSHAN: usize = 3;
const HUAYUE: usize = 4;
const MINGHU: usize = 2;
const TAISHAN: usize = 8;
const BAOTUQUAN: usize = 7;

/// City staff set what each demo qualification requires.
pub async fn requirements(w: &mut World) -> anyhow::Result<()> {
    for (category, grade, registered, titled) in REQUIREMENTS {
        let body = json!({"category": category, "grade": grade, "registered": registered, "titled": titled});
        w.api.put(w.staff("city"), "/verification/requirements", body).await?;
    }
    Ok(())
}

/// Seventy days ago: a first-time task whose deadline is near (it will lapse) and a routine
/// task (it will go to rectification, be answered, and fail again).
/// Returns the routine task.
pub async fn overdue_first(w: &mut World) -> anyhow::Result<String> {
    let issued = w.today().add_days(-290).to_string();
    open(w, QIANFOSHAN, ("钢结构工程专业承包", "二级"), &issued, "first_time").await?;
    let issued = w.today().add_days(-400).to_string();
    open(w, TAISHAN, ("机电工程施工总承包", "三级"), &issued, "routine").await
}

/// A month on: the routine task in rectification answers with its report (round 2 opens), and
/// another routine task is opened (it will go to rectification).
pub async fn overdue_second(w: &mut World, task: &str) -> anyhow::Result<()> {
    let token = w.enterprises[TAISHAN].token.clone();
    let report = w
        .api
        .upload(&token, "material_scan", "整改报告.pdf", pdf("Rectification report"))
        .await?;
    let body = json!({"report": "已组织技术负责人和安全员按期打卡，完善人员管理制度。", "document_id": report});
    w.api
        .post(&token, &format!("/verification/tasks/{task}/rectification"), body)
        .await?;
    let issued = w.today().add_days(-500).to_string();
    open(w, HUAYUE, ("建筑装修装饰工程专业承包", "一级"), &issued, "routine").await?;
    Ok(())
}

/// Today: tasks open, with a selection submitted, checking in (one check-in flagged), passed,
/// and with a replacement submitted for someone who left.
pub async fn current(w: &mut World, hired: &Hired) -> anyhow::Result<()> {
    let recent = w.today().add_days(-40).to_string();
    // 齐鲁路桥: approved with 王强 and 李娜; 李娜 leaves; the replacement keeps 王强.
    let task = open(w, QILU, ("市政公用工程施工总承包", "三级"), &recent, "first_time").await?;
    let both = [hired.wang_at_qilu.as_str(), hired.li_at_qilu.as_str()];
    select(w, QILU, &task, "selection", &both).await?;
    review(w, "shizhong", &task, "approve", "人员证书齐全，同意打卡。").await?;
    employment::end(w, QILU, &hired.li_at_qilu).await?;
    select(w, QILU, &task, "replacement", &[&hired.wang_at_qilu]).await?;
    // 李娜 joins 泉城建设, which has three tasks.
    let li = employment::employ(w, QUANCHENG, LI, "安全员", employment::title()).await?;
    let zhang = hired.zhang_at_quancheng.as_str();
    let checking = open(w, QUANCHENG, ("建筑工程施工总承包", "二级"), &recent, "first_time").await?;
    select(w, QUANCHENG, &checking, "selection", &[zhang, &li]).await?;
    review(w, "lixia", &checking, "approve", "同意。").await?;
    check_in(w, &checking, ZHANG, QUANCHENG, 20.0, false).await?;
    check_in(w, &checking, LI, QUANCHENG, 45.0, true).await?;
    let passing = open(
        w,
        QUANCHENG,
        ("建筑装修装饰工程专业承包", "二级"),
        &recent,
        "first_time",
    )
    .await?;
    select(w, QUANCHENG, &passing, "selection", &[zhang]).await?;
    review(w, "lixia", &passing, "approve", "同意。").await?;
    // 张伟 checks in for the second task ten minutes later (sooner would be an impossible
    // speed; within the tokens' fifteen minutes).
    w.clock.advance_secs(600);
    check_in(w, &passing, ZHANG, QUANCHENG, -30.0, false).await?;
    let submitted = open(w, QUANCHENG, ("机电工程施工总承包", "三级"), &recent, "first_time").await?;
    select(w, QUANCHENG, &submitted, "selection", &[zhang, &li]).await?;
    open(w, MINGHU, ("市政公用工程施工总承包", "三级"), &recent, "first_time").await?;
    open(w, BAOTUQUAN, ("钢结构工程专业承包", "二级"), &recent, "routine").await?;
    Ok(())
}

/// The enterprise records a qualification certificate; its district's staff open a task.
async fn open(
    w: &World,
    enterprise: usize,
    (category, grade): (&str, &str),
    issued_on: &str,
    kind: &str,
) -> anyhow::Result<String> {
    let e = &w.enterprises[enterprise];
    let q = json!({"category": category, "grade": grade, "issued_on": issued_on});
    let qualification = id_of(
        &w.api
            .post(&e.token, &format!("/enterprises/{}/qualifications", e.id), q)
            .await?,
    )?;
    let opener = if e.district == super::city::LIXIA {
        "lixia"
    } else {
        "shizhong"
    };
    let body = json!({"enterprise_id": e.id, "qualification_id": qualification, "kind": kind});
    id_of(&w.api.post(w.staff(opener), "/verification/tasks", body).await?)
}

async fn select(w: &World, enterprise: usize, task: &str, what: &str, picks: &[&str]) -> anyhow::Result<Value> {
    let token = &w.enterprises[enterprise].token;
    let body = json!({"employment_ids": picks});
    w.api
        .post(token, &format!("/verification/tasks/{task}/{what}"), body)
        .await
}

async fn review(w: &World, reviewer: &str, task: &str, decision: &str, opinion: &str) -> anyhow::Result<()> {
    let body = json!({"decision": decision, "opinion": opinion});
    w.api
        .post(w.staff(reviewer), &format!("/verification/tasks/{task}/review"), body)
        .await?;
    Ok(())
}

/// A person checks in `north` metres from the enterprise's site with a new selfie; a mocked
/// location is flagged for staff review.
async fn check_in(
    w: &mut World,
    task: &str,
    person: usize,
    enterprise: usize,
    north: f64,
    mock: bool,
) -> anyhow::Result<()> {
    let token = w.people[person].token.clone();
    let site = super::city::ENTERPRISES[enterprise].site;
    let challenge = w
        .api
        .post(
            &token,
            &format!("/verification/tasks/{task}/check-in/challenge"),
            json!({}),
        )
        .await?;
    let face = [Face::ASelfie, Face::B, Face::C][person];
    let selfie = w.photos.fresh(face)?;
    let selfie = w.api.upload(&token, "selfie", "selfie.jpg", selfie).await?;
    let body = json!({"challenge_id": challenge["challenge_id"], "selfie_document_id": selfie,
                      "latitude": site.0 + north / 111_195.0, "longitude": site.1 + 0.0001 * (person as f64 + 1.0),
                      "system": "wgs84", "accuracy_m": 12.0, "mock_location": mock});
    let answer = w
        .api
        .post(&token, &format!("/verification/tasks/{task}/check-in"), body)
        .await?;
    let outcome = text_of(&answer["attempt"], "outcome")?;
    let expected = if mock { "flagged" } else { "accepted" };
    anyhow::ensure!(outcome == expected, "check-in {expected} expected: {answer}");
    Ok(())
}
