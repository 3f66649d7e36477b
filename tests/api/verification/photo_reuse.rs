//! One photo, one use, everywhere: a photo sent in one flow (registration, portrait
//! replacement, employment acceptance, check-in) is refused when sent again, or nearly so, in
//! any flow, by anyone; the refusal names the kind of earlier photo, never whose it was.

use serde_json::json;

use crate::both_engines;
use crate::faces::near_copy;
use crate::harness::{Answer, Engine};
use crate::people::{person, photo, register_as, upload};

use super::{approved, check_in_with, north, Try, SITE};

both_engines!(
    check_in_refuses_earlier_photos_of_every_flow,
    other_flows_refuse_a_check_in_selfie
);

fn at(token: &str) -> Try<'_> {
    Try {
        token,
        photo: "",
        lat: SITE.0 + north(20.0),
        lon: SITE.1,
        system: "wgs84",
        accuracy: 20.0,
        mock: false,
    }
}

/// A refusal of a reused photo naming the earlier photo's kind (in Chinese, the default) and
/// nothing about its owner.
fn refused_as_reused(answer: &Answer, earlier: &str) {
    answer.expect_problem(422, "photo.reused");
    let detail = answer.body["detail"].as_str().unwrap();
    assert!(detail.contains(earlier), "{detail}");
    assert!(!detail.contains("张三") && !detail.contains("110105"), "{detail}");
}

async fn check_in_refuses_earlier_photos_of_every_flow(engine: Engine) {
    let s = approved(engine).await;
    let p = person(&s.app, "openid-p").await;
    let reused = |selfie: Vec<u8>| check_in_with(&s, at(&p), selfie);
    refused_as_reused(&reused(s.p_sent.selfie.clone()).await, "实名登记自拍照");
    refused_as_reused(&reused(s.p_sent.portrait.clone()).await, "证件照");
    refused_as_reused(&reused(s.p_sent.acceptance.clone()).await, "聘用确认自拍照");
    // Not the same bytes: brightened and re-encoded, still the same photo.
    refused_as_reused(&reused(near_copy(&s.p_sent.acceptance, 1)).await, "聘用确认自拍照");
    // The refusals are kept as attempts with the photo's hash (evidence for staff and an
    // appeal), but the refused photos do not enter the registry.
    let kept: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT reason, selfie_hash FROM check_in_attempts WHERE task_id = $1")
            .bind(&s.task)
            .fetch_all(&s.app.state.db)
            .await
            .unwrap();
    assert_eq!(kept.len(), 4);
    assert!(
        kept.iter()
            .all(|(reason, hash)| reason == "photo.reused" && hash.is_some()),
        "{kept:?}"
    );
    let registered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM face_photos WHERE flow = 'check_in_selfie'")
        .fetch_one(&s.app.state.db)
        .await
        .unwrap();
    assert_eq!(registered, 0);

    // A new photo passes, and is then itself taken: Q cannot send it.
    let selfie = photo("person-a-selfie.jpg");
    check_in_with(&s, at(&p), selfie.clone()).await.expect(201);
    let q = person(&s.app, "openid-q").await;
    refused_as_reused(&check_in_with(&s, at(&q), selfie).await, "打卡自拍照");
}

/// P checks in with a new selfie; that selfie, and P's portrait, are then refused by
/// employment acceptance, registration and portrait replacement.
async fn other_flows_refuse_a_check_in_selfie(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let checked_in = photo("person-a-selfie.jpg");
    check_in_with(&s, at(&p), checked_in.clone()).await.expect(201);

    // Acceptance: P leaves A and B offers P a job; the check-in selfie and the ID portrait
    // are refused before the face check.
    app.post(
        &format!("/api/v1/employment/relations/{}/end", s.lead),
        json!({"reason": "离职"}),
        Some(&s.a),
    )
    .await
    .expect(200);
    let request = app
        .post("/api/v1/employment/requests", crate::employment::offer(), Some(&s.b))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (selfie, earlier) in [
        (checked_in.clone(), "打卡自拍照"),
        (near_copy(&checked_in, 2), "打卡自拍照"),
        (s.p_sent.portrait.clone(), "证件照"),
    ] {
        let answer = crate::employment::accept(app, &p, &request, selfie).await;
        refused_as_reused(&answer, earlier);
        assert_eq!(answer.body["errors"][0]["field"], "selfie_document_id");
    }
    crate::employment::accept(app, &p, &request, photo("person-a-selfie.jpg"))
        .await
        .expect(201);

    // Registration of someone else: P's check-in selfie as a selfie, P's portrait as a portrait.
    let r = person(app, "openid-r").await;
    let answer = register_as(app, &r, "110105198501010039", photo("person-c.jpg"), checked_in.clone()).await;
    refused_as_reused(&answer, "打卡自拍照");
    let answer = register_as(
        app,
        &r,
        "110105198501010039",
        s.p_sent.portrait.clone(),
        photo("person-a-selfie.jpg"),
    )
    .await;
    refused_as_reused(&answer, "证件照");
    assert_eq!(answer.body["errors"][0]["field"], "portrait_document_id");

    // Portrait replacement: P may send the ID portrait of the registration again, not an
    // earlier selfie.
    let replace = |portrait: Vec<u8>, selfie: Vec<u8>| async {
        let body = json!({"portrait_document_id": upload(app, &p, "id_portrait", portrait).await,
                          "selfie_document_id": upload(app, &p, "selfie", selfie).await});
        app.send(
            app.client
                .put(app.url("/api/v1/people/me/portrait"))
                .bearer_auth(&p)
                .json(&body),
        )
        .await
    };
    let answer = replace(photo("person-a-portrait.jpg"), checked_in).await;
    refused_as_reused(&answer, "打卡自拍照");
    let answer = replace(photo("person-a-portrait.jpg"), s.p_sent.selfie.clone()).await;
    refused_as_reused(&answer, "实名登记自拍照");
    replace(s.p_sent.portrait.clone(), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
}
