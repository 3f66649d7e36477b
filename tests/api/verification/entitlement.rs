//! Only the entitled person checks in, once, with a plausible fix: an ended employment refuses
//! the check-in, concurrent check-ins by one person give exactly one, and a reported accuracy
//! of zero or less is refused.

use crate::both_engines;
use crate::harness::Engine;
use serde_json::json;

use crate::people::{person, photo};

use super::{approved, check_in, north, Try, SITE};

both_engines!(
    ended_employment_refuses_check_in,
    one_person_checks_in_once_however_many_race,
    implausible_accuracy_is_refused
);

fn at<'a>(token: &'a str, photo: &'a str) -> Try<'a> {
    Try {
        token,
        photo,
        lat: SITE.0 + north(20.0),
        lon: SITE.1,
        system: "wgs84",
        accuracy: 20.0,
        mock: false,
    }
}

async fn ended_employment_refuses_check_in(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let q = person(app, "openid-q").await;
    app.post(
        &format!("/api/v1/employment/relations/{}/end", s.titled),
        serde_json::json!({"reason": "离职"}),
        Some(&s.a),
    )
    .await
    .expect(200);
    check_in(&s, at(&q, "person-b.jpg"))
        .await
        .expect_problem(409, "check_in.not_employed");
    let kept: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT outcome, reason FROM check_in_attempts WHERE task_id = $1")
            .bind(&s.task)
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(kept, vec![("refused".into(), Some("check_in.not_employed".into()))]);
}

/// Concurrent check-ins of one person: more than the face pool admits at once, so some are
/// answered busy.
const RACERS: usize = 50;

async fn one_person_checks_in_once_however_many_race(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    // Each racer holds its own challenge and fresh selfie; only the check-ins race.
    let mut bodies = Vec::new();
    for _ in 0..RACERS {
        let challenge = app
            .post(
                &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
                json!({}),
                Some(&p),
            )
            .await;
        challenge.expect(201);
        let selfie = crate::people::upload(app, &p, "selfie", photo("person-a-selfie.jpg")).await;
        bodies.push(json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie,
                           "latitude": SITE.0 + north(20.0), "longitude": SITE.1, "system": "wgs84", "accuracy_m": 20.0}));
    }
    let url = format!("/api/v1/verification/tasks/{}/check-in", s.task);
    let answers = futures_util::future::join_all(bodies.into_iter().map(|b| app.post(&url, b, Some(&p)))).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    for refused in answers.iter().filter(|a| a.status != 201) {
        let allowed = [
            "verification.already_checked_in",
            "photo.reused",
            "face.busy",
            "service.database_busy",
        ];
        assert!(allowed.contains(&refused.code()), "{}", refused.text);
    }
    // The face engine's refusals for a full queue are counted, each one.
    let busy = answers
        .iter()
        .filter(|a| a.status == 503 && a.code() == "face.busy")
        .count();
    assert_eq!(app.metric("zhujian_face_refused_total").await, busy as f64);
    let valid: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM check_in_attempts WHERE task_id = $1 AND outcome <> 'refused'")
            .bind(&s.task)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(valid, 1);
}

async fn implausible_accuracy_is_refused(engine: Engine) {
    let s = approved(engine).await;
    let p = person(&s.app, "openid-p").await;
    for accuracy in [0.0, -5.0] {
        let answer = check_in(
            &s,
            Try {
                accuracy,
                ..at(&p, "person-a-selfie.jpg")
            },
        )
        .await;
        answer.expect_problem(422, "check_in.accuracy_invalid");
    }
    check_in(&s, at(&p, "person-a-selfie.jpg")).await.expect(201);
}
