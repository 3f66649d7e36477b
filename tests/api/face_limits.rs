//! A face check's cost is bounded: a photo above `face.max_pixels` is refused from its header,
//! before any pixel is decoded, with a code a person can act on.

use crate::both_engines;
use crate::harness::{Engine, TestApp};
use crate::people::{person, photo, register};

both_engines!(oversized_photos_are_refused_before_face_work);

async fn oversized_photos_are_refused_before_face_work(engine: Engine) {
    // The fixtures have about 170,000 pixels; the limit is set below them, then above.
    let app = TestApp::start_with(engine, |s| s.face.max_pixels = 120_000).await;
    let token = person(&app, "openid-large").await;
    let portrait = photo("person-a-portrait.jpg");
    let (width, height) = crate::faces::decode(&portrait).dimensions();
    assert!(u64::from(width * height) > 120_000);
    let answer = register(&app, &token, portrait, photo("person-a-selfie.jpg")).await;
    answer.expect_problem(422, "face.too_large");
    assert_eq!(answer.body["errors"][0]["field"], "portrait_document_id");
    let text = answer.body.to_string();
    assert!(
        text.contains(&format!("{width}×{height}")),
        "the refusal names the photo's size: {text}"
    );
    assert_eq!(
        app.get("/api/v1/people/me", Some(&token)).await.body["status"],
        "unregistered"
    );

    let app = TestApp::start_with(engine, |s| s.face.max_pixels = 200_000).await;
    let token = person(&app, "openid-large").await;
    register(
        &app,
        &token,
        photo("person-a-portrait.jpg"),
        photo("person-a-selfie.jpg"),
    )
    .await
    .expect(200);
}
