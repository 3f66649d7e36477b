//! Data that would break a deadline is refused: a task whose start deadline has already
//! passed, a notice dated ahead, a second task in progress for one qualification (also when
//! opened concurrently), a qualification certificate issued in the future, and deleting a
//! qualification a task refers to (409, not the database's 500).

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;

use super::{setup, Setup};

both_engines!(
    a_task_cannot_open_with_its_deadline_behind_it,
    one_task_in_progress_per_qualification_however_many_race,
    a_qualification_cannot_be_issued_in_the_future,
    a_qualification_a_task_refers_to_cannot_be_deleted
);

async fn add_qualification(s: &Setup, issued_on: &str) -> crate::harness::Answer {
    let q = json!({"category": "测试资质", "grade": "二级", "issued_on": issued_on});
    s.app
        .post(&format!("/api/v1/enterprises/{}/qualifications", s.a_id), q, Some(&s.a))
        .await
}

/// A 422 naming one field with its code.
#[track_caller]
fn expect_field(answer: &crate::harness::Answer, field: &str, code: &str) {
    answer.expect_problem(422, "request.invalid_fields");
    let first = &answer.body["errors"][0];
    assert_eq!(
        (first["field"].as_str(), first["code"].as_str()),
        (Some(field), Some(code)),
        "{}",
        answer.text
    );
}

fn today(s: &Setup) -> zhujian::platform::types::Date {
    zhujian::platform::types::Date::today_in_china(zhujian::platform::clock::Clock::now_ms(&*s.app.clock))
}

async fn open(s: &Setup, qualification: &str, kind: &str, notice: Option<String>) -> crate::harness::Answer {
    let mut body = json!({"enterprise_id": s.a_id, "qualification_id": qualification, "kind": kind});
    if let Some(notice) = notice {
        body["notice_date"] = json!(notice);
    }
    s.app.post("/api/v1/verification/tasks", body, Some(&s.lixia)).await
}

async fn a_task_cannot_open_with_its_deadline_behind_it(engine: Engine) {
    let s = setup(engine).await;
    let today = today(&s);
    // Issued some eleven months ago: the ten months to start a first-time task are over.
    let old = add_qualification(&s, &today.add_days(-340).to_string()).await;
    old.expect(201);
    let old = old.body["id"].as_str().unwrap().to_owned();
    let late = open(&s, &old, "first_time", None).await;
    expect_field(&late, "notice_date", "verification.deadline_passed");
    // A routine task noticed decades ago would lapse at once too.
    let decades_ago = open(&s, &old, "routine", Some("1990-01-01".into())).await;
    expect_field(&decades_ago, "notice_date", "verification.deadline_passed");
    let ahead = open(&s, &old, "routine", Some(today.add_days(1).to_string())).await;
    expect_field(&ahead, "notice_date", "verification.notice_in_future");
    // Noticed today, a routine task has a month.
    let fine = open(&s, &old, "routine", None).await;
    fine.expect(201);
    assert_eq!(fine.body["start_deadline"], today.add_months(1).to_string());
}

const RACERS: usize = 50;

async fn one_task_in_progress_per_qualification_however_many_race(engine: Engine) {
    let s = setup(engine).await;
    // `setup` opened a task for its qualification already.
    let first: String = sqlx::query_scalar("SELECT qualification_id FROM verification_tasks WHERE id = $1")
        .bind(&s.task)
        .fetch_one(&s.app.state.db)
        .await
        .unwrap();
    open(&s, &first, "routine", None)
        .await
        .expect_problem(409, "verification.task_exists");

    let fresh = add_qualification(&s, &today(&s).add_days(-31).to_string()).await;
    fresh.expect(201);
    let fresh = fresh.body["id"].as_str().unwrap().to_owned();
    let answers = futures_util::future::join_all((0..RACERS).map(|_| open(&s, &fresh, "first_time", None))).await;
    let opened = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(opened, 1, "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
    for refused in answers.iter().filter(|a| a.status != 201) {
        let allowed = ["verification.task_exists", "service.database_busy"];
        assert!(allowed.contains(&refused.code()), "{}", refused.text);
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM verification_tasks WHERE qualification_id = $1")
        .bind(&fresh)
        .fetch_one(&s.app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

async fn a_qualification_cannot_be_issued_in_the_future(engine: Engine) {
    let s = setup(engine).await;
    let tomorrow = today(&s).add_days(1).to_string();
    let refused = add_qualification(&s, &tomorrow).await;
    expect_field(&refused, "issued_on", "enterprise.qualification_issued_in_future");
    add_qualification(&s, &today(&s).to_string()).await.expect(201);
}

async fn a_qualification_a_task_refers_to_cannot_be_deleted(engine: Engine) {
    let s = setup(engine).await;
    let referred: String = sqlx::query_scalar("SELECT qualification_id FROM verification_tasks WHERE id = $1")
        .bind(&s.task)
        .fetch_one(&s.app.state.db)
        .await
        .unwrap();
    let delete = |q: String| {
        let url = s.app.url(&format!("/api/v1/enterprises/{}/qualifications/{q}", s.a_id));
        s.app.send(s.app.client.delete(url).bearer_auth(&s.a))
    };
    let refused = delete(referred.clone()).await;
    refused.expect_problem(409, "conflict.referenced");
    assert!(
        refused.body["detail"].as_str().unwrap().contains("核查任务"),
        "{}",
        refused.text
    );
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprise_qualifications WHERE id = $1")
        .bind(&referred)
        .fetch_one(&s.app.state.db)
        .await
        .unwrap();
    assert_eq!(kept, 1);
    // One no task refers to goes.
    let free = add_qualification(&s, &today(&s).to_string()).await;
    free.expect(201);
    delete(free.body["id"].as_str().unwrap().to_owned()).await.expect(204);
}
