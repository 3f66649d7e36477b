//! Check-in asks for a liveness challenge by default (`liveness.check_in`): one photo per pose
//! of the challenge; one selfie is refused and kept as a refused attempt.

use serde_json::json;

use crate::both_engines;
use crate::faces::{posed, poses};
use crate::harness::Engine;
use crate::people::{person, photo, upload};

use super::{approved_with, Setup, SITE};

both_engines!(check_in_with_the_poses_asked_passes_and_one_selfie_does_not);

/// Asks for a check-in challenge, sends `frames(poses)`, returns the answer.
async fn check_in(s: &Setup, token: &str, frames: impl Fn(&[String]) -> Vec<Vec<u8>>) -> crate::harness::Answer {
    let app = &s.app;
    let url = format!("/api/v1/verification/tasks/{}/check-in", s.task);
    let challenge = app.post(&format!("{url}/challenge"), json!({}), Some(token)).await;
    challenge.expect(201);
    let poses = poses(&challenge.body);
    let mut ids = Vec::new();
    for frame in frames(&poses) {
        ids.push(upload(app, token, "selfie", frame).await);
    }
    let body = json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": ids[0],
                      "liveness_document_ids": ids[1..], "latitude": SITE.0, "longitude": SITE.1,
                      "system": "wgs84", "accuracy_m": 20.0});
    app.post(&url, body, Some(token)).await
}

async fn check_in_with_the_poses_asked_passes_and_one_selfie_does_not(engine: Engine) {
    let s = approved_with(engine, |settings| settings.liveness.check_in = true).await;
    let p = person(&s.app, "openid-p").await;

    let single = check_in(&s, &p, |_| vec![photo("person-a-selfie.jpg")]).await;
    single.expect_problem(422, "liveness.frame_count");
    let kept: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT outcome, reason FROM check_in_attempts WHERE task_id = $1")
            .bind(&s.task)
            .fetch_all(&s.app.state.db)
            .await
            .unwrap();
    assert_eq!(kept, vec![("refused".into(), Some("liveness.frame_count".into()))]);

    let passed = check_in(&s, &p, |poses| {
        poses
            .iter()
            .map(|pose| posed("person-a-selfie.jpg", pose, false))
            .collect()
    })
    .await;
    passed.expect(201);
    assert_eq!(passed.body["attempt"]["outcome"], "accepted");
    // Every frame entered the photo registry: none can be sent again, by anyone.
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM face_photos WHERE flow = 'check_in_selfie'")
        .fetch_one(&s.app.state.db)
        .await
        .unwrap();
    assert_eq!(recorded, 3);
}
