//! The enterprise appeals a refused check-in once; staff with jurisdiction grant (the attempt
//! counts) or dismiss it (it stays refused); concurrent appeals and decisions apply once.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Answer, Engine};
use crate::people::person;

use super::review::{account_id, at, awaiting, now, progress_of};
use super::{approved, check_in, Setup, Try};

both_engines!(
    an_appeal_is_once_and_staff_decide_it,
    concurrent_appeals_and_decisions_apply_once,
    a_waiting_check_in_follows_its_enterprise_to_another_district,
);

/// The person's refused attempts, newest last, as the enterprise lists them.
async fn refused(s: &Setup, reason: &str) -> String {
    let all = s
        .app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&s.a))
        .await;
    all.expect(200);
    all.body
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|a| a["outcome"] == "refused" && a["reason"] == reason)
        .unwrap_or_else(|| panic!("no {reason}: {}", all.text))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn appeal(s: &Setup, token: &str, attempt: &str) -> Answer {
    let note = json!({"note": "当日 GPS 信号受高层建筑遮挡，人员确在现场，附监控截图"});
    s.app
        .post(
            &format!("/api/v1/verification/check-ins/{attempt}/appeal"),
            note,
            Some(token),
        )
        .await
}

async fn decide(s: &Setup, token: &str, attempt: &str, decision: &str) -> Answer {
    s.app
        .post(
            &format!("/api/v1/verification/check-ins/{attempt}/appeal/decision"),
            json!({"decision": decision, "opinion": "经核实监控记录"}),
            Some(token),
        )
        .await
}

async fn an_appeal_is_once_and_staff_decide_it(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let q = person(app, "openid-q").await;
    check_in(&s, at(&q, "person-b.jpg", 1000.0))
        .await
        .expect_problem(422, "check_in.outside");
    let q_outside = refused(&s, "check_in.outside").await;
    check_in(
        &s,
        Try {
            accuracy: 500.0,
            ..at(&q, "person-b.jpg", 10.0)
        },
    )
    .await
    .expect_problem(422, "check_in.poor_accuracy");
    let q_vague = refused(&s, "check_in.poor_accuracy").await;
    check_in(&s, at(&p, "person-c.jpg", 10.0))
        .await
        .expect_problem(422, "face.mismatch");
    let p_mismatch = refused(&s, "face.mismatch").await;
    check_in(
        &s,
        Try {
            accuracy: 0.0,
            ..at(&p, "person-a-selfie.jpg", 10.0)
        },
    )
    .await
    .expect_problem(422, "check_in.accuracy_invalid");
    let p_invalid = refused(&s, "check_in.accuracy_invalid").await;

    // Only the task's own enterprise appeals; others do not even see the attempt.
    appeal(&s, &s.b, &q_outside)
        .await
        .expect_problem(404, "resource.not_found");
    appeal(&s, &q, &q_outside)
        .await
        .expect_problem(403, "auth.forbidden_role");
    appeal(&s, &s.lixia, &q_outside)
        .await
        .expect_problem(403, "auth.forbidden_role");
    appeal(&s, &s.a, &p_invalid)
        .await
        .expect_problem(409, "check_in.not_appealable");

    let lodged = appeal(&s, &s.a, &q_outside).await;
    lodged.expect(200);
    assert_eq!(lodged.body["outcome"], "refused");
    assert_eq!(lodged.body["awaiting"], "appeal_decision");
    let decisions = &lodged.body["decisions"];
    assert_eq!(
        (&decisions[0]["kind"], &decisions[0]["decision"]),
        (&json!("appeal"), &json!("lodged"))
    );
    assert!(decisions[0]["text"].as_str().unwrap().contains("GPS"));
    assert_eq!(decisions[0]["by"], account_id(&s, &s.a).await.as_str());
    assert_eq!(decisions[0]["at"], now(&s));
    appeal(&s, &s.a, &q_outside)
        .await
        .expect_problem(409, "check_in.already_appealed");
    appeal(&s, &s.a, &p_mismatch).await.expect(200);

    // Staff in jurisdiction see both appeals waiting, and decide them.
    let queue = awaiting(&s, &s.lixia).await;
    let waiting: Vec<(&Value, &Value)> = queue
        .iter()
        .map(|i| (&i["attempt"]["id"], &i["attempt"]["awaiting"]))
        .collect();
    assert_eq!(
        waiting,
        [
            (&json!(q_outside), &json!("appeal_decision")),
            (&json!(p_mismatch), &json!("appeal_decision"))
        ]
    );
    assert!(awaiting(&s, &s.shizhong).await.is_empty());
    decide(&s, &s.shizhong, &q_outside, "grant")
        .await
        .expect_problem(404, "resource.not_found");
    decide(&s, &s.a, &q_outside, "grant")
        .await
        .expect_problem(403, "auth.forbidden_role");
    decide(&s, &s.lixia, &q_vague, "grant")
        .await
        .expect_problem(409, "check_in.no_appeal");

    // P meanwhile checks in: the appeal of P's refusal cannot be granted any more, only
    // dismissed.
    check_in(&s, at(&p, "person-a-selfie.jpg", 20.0)).await.expect(201);
    decide(&s, &s.lixia, &p_mismatch, "grant")
        .await
        .expect_problem(409, "verification.already_checked_in");
    let dismissed = decide(&s, &s.lixia, &p_mismatch, "dismiss").await;
    dismissed.expect(200);
    assert_eq!(dismissed.body["attempt"]["outcome"], "refused");
    assert_eq!(dismissed.body["attempt"]["awaiting"], Value::Null);
    assert_eq!(dismissed.body["attempt"]["decisions"].as_array().unwrap().len(), 2);
    decide(&s, &s.lixia, &p_mismatch, "grant")
        .await
        .expect_problem(409, "check_in.appeal_decided");

    // Granted: Q's refused attempt counts, and with P's the task passes.
    app.clock.advance_secs(600);
    let granted = decide(&s, &s.lixia, &q_outside, "grant").await;
    granted.expect(200);
    assert_eq!(granted.body["attempt"]["outcome"], "accepted");
    assert_eq!(granted.body["task_state"], "passed");
    let decisions = &granted.body["attempt"]["decisions"];
    assert_eq!(decisions[1]["kind"], "appeal_decision");
    assert_eq!(decisions[1]["decision"], "grant");
    assert_eq!(decisions[1]["text"], "经核实监控记录");
    assert_eq!(decisions[1]["by"], account_id(&s, &s.lixia).await.as_str());
    assert_eq!(decisions[1]["at"], now(&s));
    assert_eq!(progress_of(&s, "0016").await["checked_in"], true);
    assert!(awaiting(&s, &s.lixia).await.is_empty());
    let notices: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM notifications WHERE kind LIKE 'verification.appeal_%' ORDER BY kind")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        notices,
        ["verification.appeal_dismissed", "verification.appeal_granted"]
    );

    // The task no longer takes check-ins: no more appeals.
    appeal(&s, &s.a, &q_vague)
        .await
        .expect_problem(409, "verification.state");
}

/// Callers acting on one attempt at once.
const RACERS: usize = 6;

async fn concurrent_appeals_and_decisions_apply_once(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let q = person(app, "openid-q").await;
    check_in(&s, at(&q, "person-b.jpg", 1000.0))
        .await
        .expect_problem(422, "check_in.outside");
    let attempt = refused(&s, "check_in.outside").await;
    let appeals = futures_util::future::join_all((0..RACERS).map(|_| appeal(&s, &s.a, &attempt))).await;
    assert_eq!(appeals.iter().filter(|a| a.status == 200).count(), 1);
    for other in appeals.iter().filter(|a| a.status != 200) {
        other.expect_problem(409, "check_in.already_appealed");
    }
    let decisions = futures_util::future::join_all((0..RACERS).map(|i| {
        let decision = if i % 2 == 0 { "grant" } else { "dismiss" };
        decide(&s, &s.lixia, &attempt, decision)
    }))
    .await;
    let applied: Vec<&Answer> = decisions.iter().filter(|a| a.status == 200).collect();
    assert_eq!(
        applied.len(),
        1,
        "{:?}",
        decisions.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    for other in decisions.iter().filter(|a| a.status != 200) {
        other.expect_problem(409, "check_in.appeal_decided");
    }
    let kept: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, decision FROM check_in_decisions WHERE attempt_id = $1 ORDER BY at, kind")
            .bind(&attempt)
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    let decided = applied[0].body["attempt"]["decisions"][1]["decision"].as_str().unwrap();
    assert_eq!(
        kept,
        [
            ("appeal".to_owned(), "lodged".to_owned()),
            ("appeal_decision".to_owned(), decided.to_owned())
        ]
    );
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM check_in_attempts WHERE id = $1")
        .bind(&attempt)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let expected = if decided == "grant" { "accepted" } else { "refused" };
    assert_eq!(outcome, expected);
}

/// The district queues read the district kept on each attempt: an attempt made before it was
/// kept (migration 0038) gets it when appealed, and the enterprise's move to another district
/// moves its check-ins to that district's staff.
async fn a_waiting_check_in_follows_its_enterprise_to_another_district(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let q = person(app, "openid-q").await;
    check_in(&s, at(&q, "person-b.jpg", 1000.0))
        .await
        .expect_problem(422, "check_in.outside");
    let outside = refused(&s, "check_in.outside").await;
    sqlx::query("UPDATE check_in_attempts SET district_code = NULL WHERE id = $1")
        .bind(&outside)
        .execute(&app.state.db)
        .await
        .unwrap();
    appeal(&s, &s.a, &outside).await.expect(200);
    let ids = |queue: Vec<Value>| -> Vec<Value> { queue.iter().map(|i| i["attempt"]["id"].clone()).collect() };
    assert_eq!(ids(awaiting(&s, &s.lixia).await), [json!(outside)]);
    assert!(awaiting(&s, &s.shizhong).await.is_empty());

    let city = app.staff_token("city9", "city", None).await;
    let moved = app
        .patch(
            &format!("/api/v1/enterprises/{}", s.a_id),
            json!({"district_code": "370103"}),
            Some(&city),
        )
        .await;
    moved.expect(200);
    assert!(awaiting(&s, &s.lixia).await.is_empty());
    assert_eq!(ids(awaiting(&s, &s.shizhong).await), [json!(outside)]);
    let inbox = app.get("/api/v1/staff/inbox", Some(&s.shizhong)).await;
    inbox.expect(200);
    assert!(inbox.text.contains(&outside), "{}", inbox.text);
    decide(&s, &s.shizhong, &outside, "dismiss").await.expect(200);
    assert!(awaiting(&s, &s.shizhong).await.is_empty());
}
