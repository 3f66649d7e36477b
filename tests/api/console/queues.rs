//! Review queues as tables: sorted and counted on the server within the reviewer's scope
//! (`assessments::{list, count}`), every link keeping the filters.

use super::enterprises::{page, total};
use super::{console_session, PASSWORD};
use crate::assessments::{create, fill_scored, id_of, submit, world};
use crate::both_engines;
use crate::harness::Engine;

both_engines!(the_self_assessment_queue_is_sorted_and_counted_within_scope);

/// The assessments in the review table, in its order.
fn ids(html: &str) -> Vec<String> {
    html.split("<tr data-state=")
        .skip(1)
        .map(|row| {
            let link = row.split("href=\"/console/assessments/").nth(1).unwrap();
            link.split('"').next().unwrap().to_owned()
        })
        .collect()
}

async fn the_self_assessment_queue_is_sorted_and_counted_within_scope(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let mut submitted = Vec::new();
    for (token, period) in [(&w.a, "2025"), (&w.b, "2026"), (&w.a, "2026")] {
        let draft = create(app, token, "general_conditions", period).await;
        fill_scored(app, token, &draft, |max| max).await;
        submit(app, token, &id_of(&draft)).await;
        submitted.push(id_of(&draft));
        app.clock.advance_secs(60);
    }
    let (a_2025, b_2026, a_2026) = (&submitted[0], &submitted[1], &submitted[2]);

    // The city sees all three, the longest waiting first; by district, 历下 (370102) first.
    let city = console_session(app, "city1", PASSWORD).await;
    let (status, html) = page(app, &city, "/console/assessments").await;
    assert_eq!(status, 200);
    assert_eq!(total(&html), 3);
    assert_eq!(ids(&html), [a_2025.clone(), b_2026.clone(), a_2026.clone()]);
    let (_, html) = page(app, &city, "/console/assessments?sort=updated&dir=desc").await;
    assert_eq!(ids(&html), [a_2026.clone(), b_2026.clone(), a_2025.clone()]);
    let (_, html) = page(app, &city, "/console/assessments?sort=district&dir=desc").await;
    assert_eq!(ids(&html)[0], *b_2026, "市中 (370103) first, descending");
    // The sorted column's header turns the direction around and keeps the filter.
    let (_, html) = page(app, &city, "/console/assessments?period=2026&sort=district&dir=asc").await;
    assert_eq!(total(&html), 2);
    assert_eq!(ids(&html), [a_2026.clone(), b_2026.clone()]);
    assert!(html.contains("href=\"/console/assessments?period=2026&sort=district&dir=desc&page=1\""));

    // 历下's reviewer counts and sorts only 历下's records.
    let lixia = console_session(app, "lixia", PASSWORD).await;
    let (_, html) = page(app, &lixia, "/console/assessments?sort=period&dir=desc").await;
    assert_eq!(total(&html), 2);
    assert_eq!(ids(&html), [a_2026.clone(), a_2025.clone()]);
    // A key that is no column falls back to the default order rather than failing.
    let (status, html) = page(app, &lixia, "/console/assessments?sort=password_hash").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&html), [a_2025.clone(), a_2026.clone()]);
    let (_, html) = page(app, &lixia, "/console/assessments?state=approved").await;
    assert_eq!((total(&html), ids(&html).len()), (0, 0));
}
