//! Staff review of flagged check-ins: a flagged check-in does not pass the task until staff
//! with jurisdiction confirm it; a voided one no longer counts and the person checks in again;
//! every decision is kept with who and when; concurrent decisions apply once.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Answer, Engine};
use crate::people::{person, photo};

use super::{approved, check_in, north, Setup, Try, SITE};

both_engines!(
    a_confirmed_flag_passes_the_task,
    a_voided_check_in_is_made_again,
    concurrent_reviews_apply_once,
);

pub(crate) fn at<'a>(token: &'a str, photo: &'a str, metres_north: f64) -> Try<'a> {
    Try {
        token,
        photo,
        lat: SITE.0 + north(metres_north),
        lon: SITE.1,
        system: "wgs84",
        accuracy: 20.0,
        mock: false,
    }
}

/// A check-in flagged for review: the client reports a mock location.
pub(crate) async fn flagged(s: &Setup, token: &str, photo: &str) -> String {
    let answer = check_in(
        s,
        Try {
            mock: true,
            ..at(token, photo, 30.0)
        },
    )
    .await;
    answer.expect(201);
    assert_eq!(answer.body["attempt"]["outcome"], "flagged");
    assert_eq!(answer.body["task_state"], "checking_in");
    answer.body["attempt"]["id"].as_str().unwrap().to_owned()
}

pub(super) async fn account_id(s: &Setup, token: &str) -> String {
    s.app.get("/api/v1/auth/me", Some(token)).await.body["account_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(super) fn now(s: &Setup) -> i64 {
    zhujian::platform::clock::Clock::now_ms(&*s.app.clock)
}

async fn review(s: &Setup, token: &str, attempt: &str, decision: &str) -> Answer {
    let body = json!({"decision": decision, "opinion": "现场核实：定位软件为企业考勤所用"});
    s.app
        .post(
            &format!("/api/v1/verification/check-ins/{attempt}/review"),
            body,
            Some(token),
        )
        .await
}

pub(super) async fn awaiting(s: &Setup, token: &str) -> Vec<Value> {
    let answer = s.app.get("/api/v1/verification/reviews", Some(token)).await;
    answer.expect(200);
    answer.body.as_array().unwrap().clone()
}

/// The progress row of the person whose (masked) id number ends so.
pub(super) async fn progress_of(s: &Setup, id_number_end: &str) -> Value {
    let progress = s
        .app
        .get(
            &format!("/api/v1/verification/tasks/{}/progress", s.task),
            Some(&s.lixia),
        )
        .await;
    progress.expect(200);
    progress
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id_number"].as_str().unwrap().ends_with(id_number_end))
        .unwrap()
        .clone()
}

async fn a_confirmed_flag_passes_the_task(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let q = person(app, "openid-q").await;
    check_in(&s, at(&p, "person-a-selfie.jpg", 20.0)).await.expect(201);
    let attempt = flagged(&s, &q, "person-b.jpg").await;

    // Waiting for staff: the task does not pass, Q has not checked in, and may not again.
    let row = progress_of(&s, "0016").await;
    assert_eq!(
        (&row["checked_in"], &row["pending_review"], &row["flagged"]),
        (&json!(false), &json!(true), &json!(true)),
        "{row}"
    );
    assert_eq!(row["checked_in_at"], Value::Null);
    let p_row = progress_of(&s, "002X").await;
    assert_eq!(
        (&p_row["checked_in"], &p_row["pending_review"]),
        (&json!(true), &json!(false))
    );
    check_in(&s, at(&q, "person-b.jpg", 10.0))
        .await
        .expect_problem(409, "verification.already_checked_in");

    // The reviewers in jurisdiction see it waiting; a foreign district sees nothing.
    let queue = awaiting(&s, &s.lixia).await;
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["attempt"]["id"], attempt.as_str());
    assert_eq!(queue[0]["attempt"]["awaiting"], "review");
    assert_eq!(queue[0]["task_id"], s.task.as_str());
    assert!(!queue[0]["person_name"].as_str().unwrap().is_empty());
    assert!(awaiting(&s, &s.shizhong).await.is_empty());
    app.get("/api/v1/verification/reviews", Some(&s.a))
        .await
        .expect_problem(403, "auth.forbidden_role");

    // Only reviewers in jurisdiction decide, with an opinion.
    review(&s, &s.shizhong, &attempt, "confirm")
        .await
        .expect_problem(404, "resource.not_found");
    review(&s, &s.a, &attempt, "confirm")
        .await
        .expect_problem(403, "auth.forbidden_role");
    review(&s, &q, &attempt, "confirm")
        .await
        .expect_problem(403, "auth.forbidden_role");
    let silent = app
        .post(
            &format!("/api/v1/verification/check-ins/{attempt}/review"),
            json!({"decision": "confirm", "opinion": ""}),
            Some(&s.lixia),
        )
        .await;
    assert_eq!(silent.status, 422, "{}", silent.text);

    app.clock.advance_secs(300);
    let confirmed = review(&s, &s.lixia, &attempt, "confirm").await;
    confirmed.expect(200);
    assert_eq!(confirmed.body["attempt"]["outcome"], "accepted");
    assert_eq!(confirmed.body["attempt"]["flags"], "mock_location", "flags are kept");
    assert_eq!(confirmed.body["attempt"]["awaiting"], Value::Null);
    assert_eq!(confirmed.body["task_state"], "passed");
    let decisions = &confirmed.body["attempt"]["decisions"];
    assert_eq!(decisions.as_array().unwrap().len(), 1);
    assert_eq!(decisions[0]["kind"], "review");
    assert_eq!(decisions[0]["decision"], "confirm");
    assert_eq!(decisions[0]["text"], "现场核实：定位软件为企业考勤所用");
    assert_eq!(decisions[0]["by"], account_id(&s, &s.lixia).await.as_str());
    assert_eq!(decisions[0]["at"], now(&s));

    review(&s, &s.lixia, &attempt, "void")
        .await
        .expect_problem(409, "check_in.not_under_review");
    assert!(awaiting(&s, &s.lixia).await.is_empty());
    let row = progress_of(&s, "0016").await;
    assert_eq!(
        (&row["checked_in"], &row["pending_review"]),
        (&json!(true), &json!(false))
    );
    // The decision is in the task's attempts and is an act of its own.
    let all = app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&s.a))
        .await;
    let listed = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == attempt.as_str())
        .unwrap();
    assert_eq!(listed["decisions"][0]["decision"], "confirm");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE target = $1 AND outcome = 'ok'")
        .bind(format!("check_in:{attempt}"))
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(events, 1);
}

async fn a_voided_check_in_is_made_again(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let attempt = flagged(&s, &p, "person-a-selfie.jpg").await;
    let voided = review(&s, &s.lixia, &attempt, "void").await;
    voided.expect(200);
    assert_eq!(voided.body["attempt"]["outcome"], "voided");
    assert_eq!(voided.body["attempt"]["decisions"][0]["decision"], "void");
    assert_eq!(voided.body["task_state"], "checking_in");
    let row = progress_of(&s, "002X").await;
    assert_eq!(
        (&row["checked_in"], &row["pending_review"]),
        (&json!(false), &json!(false))
    );

    // The person is told in their inbox.
    let inbox = app.get("/api/v1/notifications", Some(&p)).await;
    inbox.expect(200);
    let notice = inbox
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "verification.check_in_voided")
        .unwrap_or_else(|| panic!("no notice: {}", inbox.text));
    assert_eq!(notice["state"], "delivered");

    // A voided check-in no longer holds the round: the person checks in again.
    let challenge = app
        .post(
            &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
            json!({}),
            Some(&p),
        )
        .await;
    challenge.expect(201);
    let selfie = crate::people::upload(app, &p, "selfie", photo("person-a-selfie.jpg")).await;
    let again = app
        .post(
            &format!("/api/v1/verification/tasks/{}/check-in", s.task),
            json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie,
                   "latitude": SITE.0 + north(60.0), "longitude": SITE.1, "system": "wgs84", "accuracy_m": 15.0}),
            Some(&p),
        )
        .await;
    again.expect(201);
    assert_eq!(again.body["attempt"]["outcome"], "accepted", "{}", again.text);
    let row = progress_of(&s, "002X").await;
    assert_eq!(row["checked_in"], true);
    assert_eq!(row["attempts"], 2);
    // The person sees both, the voided one with its decision.
    let mine = app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&p))
        .await;
    let outcomes: Vec<&str> = mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["voided", "accepted"]);
}

/// Reviewers deciding one flagged check-in at once, confirming and voiding.
const DECIDERS: usize = 8;

async fn concurrent_reviews_apply_once(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let q = person(app, "openid-q").await;
    let attempt = flagged(&s, &q, "person-b.jpg").await;
    let url = format!("/api/v1/verification/check-ins/{attempt}/review");
    let answers = futures_util::future::join_all((0..DECIDERS).map(|i| {
        let decision = if i % 2 == 0 { "confirm" } else { "void" };
        app.post(
            &url,
            json!({"decision": decision, "opinion": format!("意见 {i}")}),
            Some(&s.lixia),
        )
    }))
    .await;
    let applied: Vec<&Answer> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(
        applied.len(),
        1,
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    for refused in answers.iter().filter(|a| a.status != 200) {
        refused.expect_problem(409, "check_in.not_under_review");
    }
    let (outcome, decisions): (String, i64) = sqlx::query_as(
        "SELECT a.outcome, (SELECT COUNT(*) FROM check_in_decisions d WHERE d.attempt_id = a.id) \
         FROM check_in_attempts a WHERE a.id = $1",
    )
    .bind(&attempt)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(decisions, 1);
    assert_eq!(outcome, applied[0].body["attempt"]["outcome"].as_str().unwrap());
    let expected = match applied[0].body["attempt"]["decisions"][0]["decision"].as_str() {
        Some("confirm") => "accepted",
        Some("void") => "voided",
        other => panic!("{other:?}"),
    };
    assert_eq!(outcome, expected);
}
