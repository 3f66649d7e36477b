//! Review queues as tables: sorted and counted on the server within the reviewer's scope
//! (`assessments::{list, count}`), every link keeping the filters.

use super::enterprises::{page, total};
use super::{console_session, PASSWORD};
use crate::assessments::{create, fill_scored, id_of, submit, world};
use crate::both_engines;
use crate::harness::Engine;
use crate::verification::setup;

both_engines!(
    the_self_assessment_queue_is_sorted_and_counted_within_scope,
    verification_tasks_are_sorted_and_counted_within_scope
);

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

/// The tasks in the verification table, in its order.
fn tasks(html: &str) -> Vec<String> {
    html.split("<tr data-task=\"")
        .skip(1)
        .map(|row| row.split('"').next().unwrap().to_owned())
        .collect()
}

async fn verification_tasks_are_sorted_and_counted_within_scope(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    // B (市中) gets a task whose start deadline is a month after A's.
    let b = app.get("/api/v1/auth/me", Some(&s.b)).await.body["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = serde_json::json!({"category": "测试资质", "grade": "一级", "issued_on": "2026-04-01"});
    let qualification = app
        .post(&format!("/api/v1/enterprises/{b}/qualifications"), q, Some(&s.b))
        .await;
    qualification.expect(201);
    let opened = app
        .post(
            "/api/v1/verification/tasks",
            serde_json::json!({"enterprise_id": b, "qualification_id": qualification.body["id"], "kind": "first_time"}),
            Some(&s.shizhong),
        )
        .await;
    opened.expect(201);
    assert_eq!(opened.body["start_deadline"], "2027-02-01");
    let (a_task, b_task) = (s.task.clone(), opened.body["id"].as_str().unwrap().to_owned());

    let city = console_session(app, "city1", PASSWORD).await;
    let path = "/console/verification/tasks";
    let (status, html) = page(app, &city, path).await;
    assert_eq!(status, 200);
    assert_eq!(total(&html), 2);
    assert_eq!(
        tasks(&html),
        [a_task.clone(), b_task.clone()],
        "the nearest deadline first"
    );
    let (_, html) = page(app, &city, &format!("{path}?sort=deadline&dir=desc")).await;
    assert_eq!(tasks(&html), [b_task.clone(), a_task.clone()]);
    let (_, html) = page(app, &city, &format!("{path}?sort=enterprise&dir=asc")).await;
    assert_eq!(
        tasks(&html),
        [b_task.clone(), a_task.clone()],
        "企业911… before 企业913…"
    );
    assert!(html.contains("href=\"/console/verification/tasks?sort=enterprise&dir=desc&page=1\""));
    let (_, html) = page(app, &city, &format!("{path}?state=passed")).await;
    assert_eq!((total(&html), tasks(&html).len()), (0, 0));
    // A district reviewer counts only their district's tasks.
    let lixia = console_session(app, "lixia", PASSWORD).await;
    let (_, html) = page(app, &lixia, &format!("{path}?sort=enterprise")).await;
    assert_eq!((total(&html), tasks(&html)), (1, vec![a_task]));
}
