//! Races and several instances: concurrent registrations of one face are decided one after
//! the other (one registered, the others held), and a face enrolled or removed through one
//! instance is seen by the next search on another, and by an instance started later.

use super::{decide, is_held, masked, matched, registers, reviews};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    concurrent_registrations_of_one_face_are_not_both_registered,
    every_instance_sees_every_face
);

/// Many at once, as a crowd registering at a site opening would be.
const RACERS: usize = 10;

async fn concurrent_registrations_of_one_face_are_not_both_registered(engine: Engine) {
    // Room for every racer's face work at once, and time for the last of the registrations
    // decided one after the other on a loaded machine: no one is turned away as busy or late,
    // nor has a pooled connection closed under it when the loaded server reads its headers
    // late (twice, under the whole suite's load, an upload failed so).
    let app = TestApp::start_with(engine, |s| {
        s.face.queue = 2 * RACERS;
        s.server.request_timeout_secs = 600;
        s.server.header_read_timeout_secs = 600;
    })
    .await;
    let openids: Vec<String> = (0..RACERS).map(|i| format!("openid-racer-{i}")).collect();
    let answers = futures_util::future::join_all(
        openids
            .iter()
            .enumerate()
            .map(|(i, openid)| registers(&app, openid, 10 + i, "a")),
    )
    .await;
    let statuses: Vec<u16> = answers.iter().map(|(_, a)| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    for (_, answer) in answers.iter().filter(|(_, a)| a.status != 200) {
        is_held(answer);
    }
    let states: Vec<String> = sqlx::query_scalar("SELECT state FROM person_identities ORDER BY state")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    let mut expected = vec!["active".to_owned()];
    expected.extend(std::iter::repeat_n("held".to_owned(), RACERS - 1));
    assert_eq!(states, expected);
    // Each held one matched every face enrolled before it (the first held matched one), of
    // which the closest `MAX_EVIDENCE` are kept as evidence for the reviewer.
    let city = app.staff_token("city1", "city", None).await;
    let mut counts: Vec<usize> = reviews(&app, &city, "held")
        .await
        .iter()
        .map(|r| r["matches"].as_array().unwrap().len())
        .collect();
    counts.sort_unstable();
    let evidence = zhujian::people::one_face::MAX_EVIDENCE;
    assert_eq!(counts, (1..RACERS).map(|n| n.min(evidence)).collect::<Vec<_>>());
}

/// Another server on the same database and object store.
async fn sibling(of: &TestApp, engine: Engine) -> TestApp {
    let (url, dir) = (of.database_url.clone(), of.settings.storage.dir.clone());
    TestApp::start_with(engine, move |s| {
        s.database.url = url;
        s.storage.dir = dir;
    })
    .await
}

async fn every_instance_sees_every_face(engine: Engine) {
    let a = TestApp::start(engine).await;
    let b = sibling(&a, engine).await;
    let city = a.staff_token("city1", "city", None).await;
    // B searches once (and so loads its index) before A enrols the face.
    registers(&b, "openid-c", 3, "person-c.jpg").await.1.expect(200);
    registers(&a, "openid-x", 1, "a").await.1.expect(200);
    // B's next search sees what A enrolled.
    let (_, held) = registers(&b, "openid-y", 2, "a").await;
    is_held(&held);
    let review = &reviews(&a, &city, "held").await[0];
    assert_eq!(matched(review), [masked(1)]);
    // A refuses Y: the face leaves B's index too.
    let id = review["id"].as_str().unwrap();
    decide(&a, &city, id, "refuse").await.expect(200);
    let (_, held) = registers(&b, "openid-z", 4, "a").await;
    is_held(&held);
    let list = reviews(&b, &city, "held").await;
    assert_eq!(list.len(), 1);
    assert_eq!(matched(&list[0]), [masked(1)]);
    // An instance started now builds its index from the database: C's registrant, X and Z.
    let c = sibling(&a, engine).await;
    c.state.face_index.load(&c.state.db, &c.state.keys).await.unwrap();
    assert_eq!(c.state.face_index.size().0, 3);
    let (_, held) = registers(&c, "openid-w", 5, "a").await;
    is_held(&held);
    let list = reviews(&c, &city, "held").await;
    let w = list.iter().find(|r| r["id_number"] == masked(5)).unwrap();
    let mut found = matched(w);
    found.sort();
    assert_eq!(found, [masked(1), masked(4)]);
}
