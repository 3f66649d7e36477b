//! Liveness challenges, on employment acceptance (`liveness.acceptance`): the challenge names a
//! sequence of head poses, the person sends one photo per pose, and the acceptance passes only
//! when the frames follow it. The frames are built from the fixtures with the face engine's
//! synthetic head turn (`faces::turned`).

use serde_json::{json, Value};

use crate::both_engines;
use crate::faces::{near_copy, posed, poses};
use crate::harness::{Answer, Engine};
use crate::people::{photo, upload};

use super::{send_request, world_with, World};

both_engines!(
    frames_following_the_poses_pass,
    a_single_or_repeated_photo_is_refused,
    turns_to_the_wrong_side_or_in_the_wrong_order_are_refused,
    every_frame_must_show_the_enrolled_person,
);

async fn liveness_world(engine: Engine) -> World {
    world_with(engine, |s| s.liveness.acceptance = true).await
}

/// A challenge for the request; its poses.
async fn challenge(w: &World, request: &str) -> (Value, Vec<String>) {
    let answer = w
        .app
        .post(
            &format!("/api/v1/employment/requests/{request}/challenge"),
            json!({}),
            Some(&w.p),
        )
        .await;
    answer.expect(201);
    let poses = poses(&answer.body);
    assert_eq!(poses.len(), 3, "{:?}", answer.body);
    assert_eq!(poses[0], "front");
    (answer.body["challenge_id"].clone(), poses)
}

/// Uploads the frames and accepts with them, the first as the selfie.
async fn accept_with(w: &World, request: &str, challenge: &Value, frames: Vec<Vec<u8>>) -> Answer {
    let mut ids = Vec::new();
    for frame in frames {
        ids.push(upload(&w.app, &w.p, "selfie", frame).await);
    }
    send(w, request, challenge, &ids).await
}

async fn send(w: &World, request: &str, challenge: &Value, ids: &[String]) -> Answer {
    let body = json!({"challenge_id": challenge, "selfie_document_id": ids[0], "liveness_document_ids": ids[1..]});
    w.app
        .post(
            &format!("/api/v1/employment/requests/{request}/accept"),
            body,
            Some(&w.p),
        )
        .await
}

async fn frames_following_the_poses_pass(engine: Engine) {
    let w = liveness_world(engine).await;
    let request = send_request(&w.app, &w.a).await;
    let (challenge, poses) = challenge(&w, &request).await;
    let frames = poses.iter().map(|p| posed("person-a-selfie.jpg", p, false)).collect();
    let answer = accept_with(&w, &request, &challenge, frames).await;
    answer.expect(201);
    assert_eq!(answer.body["state"], "active");
}

async fn a_single_or_repeated_photo_is_refused(engine: Engine) {
    let w = liveness_world(engine).await;
    let request = send_request(&w.app, &w.a).await;

    // One selfie where three photos are asked for.
    let (c, _) = challenge(&w, &request).await;
    let single = accept_with(&w, &request, &c, vec![photo("person-a-selfie.jpg")]).await;
    single.expect_problem(422, "liveness.frame_count");

    // The same upload sent for every pose.
    let (c, _) = challenge(&w, &request).await;
    let one = upload(&w.app, &w.p, "selfie", photo("person-a-selfie.jpg")).await;
    let repeated = send(&w, &request, &c, &[one.clone(), one.clone(), one]).await;
    repeated.expect_problem(422, "liveness.repeated_frame");
    assert_eq!(repeated.body["errors"][0]["field"], "liveness_document_ids[0]");

    // The same photo re-encoded (other bytes, nearly the same pixels) as the last frame.
    let (c, poses) = challenge(&w, &request).await;
    let first = posed("person-a-selfie.jpg", &poses[0], false);
    let copy = near_copy(&first, 3);
    let frames = vec![first, posed("person-a-selfie.jpg", &poses[1], false), copy];
    let answer = accept_with(&w, &request, &c, frames).await;
    answer.expect_problem(422, "liveness.repeated_frame");
    assert_eq!(answer.body["errors"][0]["field"], "liveness_document_ids[1]");
}

async fn turns_to_the_wrong_side_or_in_the_wrong_order_are_refused(engine: Engine) {
    let w = liveness_world(engine).await;
    let request = send_request(&w.app, &w.a).await;

    // The turn to the other side (what a mirrored photo gives): step 2 fails.
    let (c, poses) = challenge(&w, &request).await;
    let frames = poses.iter().map(|p| posed("person-a-selfie.jpg", p, true)).collect();
    let answer = accept_with(&w, &request, &c, frames).await;
    answer.expect_problem(422, "liveness.wrong_pose");
    assert_eq!(answer.body["errors"][0]["field"], "liveness_document_ids[0]");

    // A turned photo first, the frontal one second: the first step fails.
    let (c, poses) = challenge(&w, &request).await;
    let frames = vec![
        posed("person-a-selfie.jpg", &poses[1], false),
        photo("person-a-selfie.jpg"),
        posed("person-a-selfie.jpg", &poses[2], false),
    ];
    let answer = accept_with(&w, &request, &c, frames).await;
    answer.expect_problem(422, "liveness.wrong_pose");
    assert_eq!(answer.body["errors"][0]["field"], "selfie_document_id");

    // Three frontal photos, each new: the turn is missing.
    let (c, _) = challenge(&w, &request).await;
    let frames = (0..3).map(|_| photo("person-a-selfie.jpg")).collect();
    accept_with(&w, &request, &c, frames)
        .await
        .expect_problem(422, "liveness.wrong_pose");
}

async fn every_frame_must_show_the_enrolled_person(engine: Engine) {
    let w = liveness_world(engine).await;
    let request = send_request(&w.app, &w.a).await;

    // Someone else turns their head for the person.
    let (c, poses) = challenge(&w, &request).await;
    let frames = vec![
        posed("person-a-selfie.jpg", &poses[0], false),
        posed("person-b.jpg", &poses[1], false),
        posed("person-a-selfie.jpg", &poses[2], false),
    ];
    let answer = accept_with(&w, &request, &c, frames).await;
    answer.expect_problem(422, "liveness.not_same_person");
    assert_eq!(answer.body["errors"][0]["field"], "liveness_document_ids[0]");

    // A live person, but not the one enrolled.
    let (c, poses) = challenge(&w, &request).await;
    let frames = poses.iter().map(|p| posed("person-b.jpg", p, false)).collect();
    accept_with(&w, &request, &c, frames)
        .await
        .expect_problem(422, "face.mismatch");

    // None of this accepted the request.
    let (c, poses) = challenge(&w, &request).await;
    let frames = poses.iter().map(|p| posed("person-a-selfie.jpg", p, false)).collect();
    accept_with(&w, &request, &c, frames).await.expect(201);
}
