//! The face photo registry at registration: a selfie that is the portrait is refused, and of
//! many concurrent registrations with near-identical selfies at most one is accepted. (Reuse
//! across the other flows: verification/photo_reuse.rs.)

use zhujian::photos::rules::hamming;

use crate::both_engines;
use crate::faces::{decode, fresh, hash, jpeg_at, near_copy, original};
use crate::harness::{Engine, TestApp};
use crate::people::{person, register_as, ID};

both_engines!(
    a_selfie_that_is_the_portrait_is_refused,
    near_identical_selfies_race_and_one_wins
);

async fn a_selfie_that_is_the_portrait_is_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    let p = person(&app, "openid-p").await;
    let portrait = fresh("person-a-portrait.jpg");
    for selfie in [portrait.clone(), near_copy(&portrait, 3)] {
        let answer = register_as(&app, &p, ID, portrait.clone(), selfie).await;
        answer.expect_problem(422, "request.invalid_fields");
        assert_eq!(answer.body["errors"][0]["code"], "person.selfie_is_portrait");
        assert_eq!(answer.body["errors"][0]["field"], "selfie_document_id");
    }
    // Nothing was recorded by the refusals: the same portrait with a real selfie registers.
    register_as(&app, &p, ID, portrait, fresh("person-a-selfie.jpg"))
        .await
        .expect(200);
    let kinds: Vec<String> = sqlx::query_scalar("SELECT flow FROM face_photos ORDER BY flow")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(kinds, ["id_portrait", "registration_selfie"]);
}

/// A valid ID number for a sequence number (GB 11643 check character).
fn id_number(n: usize) -> String {
    let body = format!("11010519850101{n:03}");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

const RACERS: usize = 8;

/// Different people register at once, each with their own portrait and a selfie that is one
/// photo re-encoded at different qualities: the final check and the insert are one step, so
/// one registration wins and the others are refused as reusing its selfie.
async fn near_identical_selfies_race_and_one_wins(engine: Engine) {
    let app = TestApp::start(engine).await;
    let selfie = decode(&fresh("person-a-selfie.jpg"));
    let selfies: Vec<Vec<u8>> = (0..RACERS).map(|i| jpeg_at(&selfie, 70 + 3 * i as u8)).collect();
    for a in &selfies {
        for b in &selfies {
            assert!(hamming(hash(a), hash(b)) <= 6, "the selfies must be near-identical");
        }
    }
    let mut racers = Vec::new();
    for (i, selfie) in selfies.into_iter().enumerate() {
        let token = person(&app, &format!("openid-racer-{i}")).await;
        racers.push((token, id_number(i), fresh("person-a-portrait.jpg"), selfie));
    }
    let answers = futures_util::future::join_all(
        racers
            .iter()
            .map(|(token, id, portrait, selfie)| register_as(&app, token, id, portrait.clone(), selfie.clone())),
    )
    .await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    for refused in answers.iter().filter(|a| a.status != 200) {
        assert!(
            ["photo.reused", "face.busy"].contains(&refused.code()),
            "{}",
            refused.text
        );
    }
    let selfies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM face_photos WHERE flow = 'registration_selfie'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(selfies, 1);
}

/// The tests' fresh photos: the same face to the engine, far apart to the hash.
#[test]
fn fresh_photos_are_the_same_face_and_far_apart() {
    let engine = zhujian::face::load_engine(&crate::harness::models_dir()).unwrap();
    let settings = zhujian::platform::config::Settings::default();
    let quality = zhujian::face::quality(&settings.face);
    for name in [
        "person-a-portrait.jpg",
        "person-a-selfie.jpg",
        "person-b.jpg",
        "person-c.jpg",
    ] {
        let enrolled = zhujian::face::describe(&engine, &quality, &original(name)).unwrap();
        let copies: Vec<Vec<u8>> = (0..3).map(|_| fresh(name)).collect();
        for copy in &copies {
            let described = zhujian::face::describe(&engine, &quality, copy).unwrap();
            let verdict = zhujian::face::verdict(&enrolled, &described, settings.face.threshold);
            assert!(verdict.matched && verdict.distance < 0.2, "{name}: {verdict:?}");
            assert!(hamming(hash(copy), hash(&original(name))) > 6);
        }
        assert!(hamming(hash(&copies[0]), hash(&copies[1])) > 6);
    }
}
