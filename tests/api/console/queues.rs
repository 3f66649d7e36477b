//! Review queues as tables: self-assessments, verification tasks, daily events and project
//! assessments sorted and counted on the server within the reviewer's scope (the API's own
//! `list` and `count` of each), every link keeping the filters.

use super::enterprises::{page, total};
use super::{console_session, PASSWORD};
use crate::assessments::{create, fill_scored, id_of, submit, world};
use crate::both_engines;
use crate::harness::Engine;
use crate::verification::setup;

both_engines!(
    the_self_assessment_queue_is_sorted_and_counted_within_scope,
    verification_tasks_are_sorted_and_counted_within_scope,
    daily_events_are_sorted_and_counted_within_scope,
    project_assessments_are_sorted_and_counted_within_scope
);

/// The records a review table links to under `path`, in its order.
fn linked(html: &str, path: &str) -> Vec<String> {
    html.split("<tr data-")
        .skip(1)
        .map(|row| {
            let link = row.split(&format!("href=\"{path}/")).nth(1).unwrap();
            link.split('"').next().unwrap().to_owned()
        })
        .collect()
}

/// The assessments in the review table, in its order.
fn ids(html: &str) -> Vec<String> {
    linked(html, "/console/assessments")
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

async fn daily_events_are_sorted_and_counted_within_scope(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id_of_enterprise = |token: &str| {
        let token = token.to_owned();
        async move {
            let me = app.get("/api/v1/auth/me", Some(&token)).await;
            me.body["account_id"].as_str().unwrap().to_owned()
        }
    };
    let (a, b) = (id_of_enterprise(&w.a).await, id_of_enterprise(&w.b).await);
    let mut recorded = Vec::new();
    for (enterprise, occurred_on, staff) in [
        (&a, "2026-11-02", &w.lixia),
        (&b, "2026-11-20", &w.shizhong),
        (&a, "2026-10-05", &w.lixia),
    ] {
        let deduction = serde_json::json!({"type_code": "poor_site_management", "enterprise_id": enterprise,
                                           "occurred_on": occurred_on, "description": "临边防护缺失"});
        let answer = app.post("/api/v1/daily-events", deduction, Some(staff)).await;
        answer.expect(201);
        recorded.push(id_of(&answer.body));
    }
    let (a_nov, b_nov, a_oct) = (&recorded[0], &recorded[1], &recorded[2]);
    let events = |html: &str| linked(html, "/console/daily-events");

    let city = console_session(app, "city1", PASSWORD).await;
    let (status, html) = page(app, &city, "/console/daily-events").await;
    assert_eq!(status, 200);
    assert_eq!(total(&html), 3);
    assert_eq!(
        events(&html),
        [a_oct.clone(), a_nov.clone(), b_nov.clone()],
        "the oldest first"
    );
    let (_, html) = page(app, &city, "/console/daily-events?sort=occurred&dir=desc").await;
    assert_eq!(events(&html), [b_nov.clone(), a_nov.clone(), a_oct.clone()]);
    let (_, html) = page(app, &city, "/console/daily-events?year=2025").await;
    assert_eq!((total(&html), events(&html).len()), (0, 0));
    let lixia = console_session(app, "lixia", PASSWORD).await;
    let (_, html) = page(app, &lixia, "/console/daily-events?sort=enterprise&dir=desc").await;
    assert_eq!(total(&html), 2, "only 历下's events");
    assert_eq!(events(&html), [a_nov.clone(), a_oct.clone()]);
}

async fn project_assessments_are_sorted_and_counted_within_scope(engine: Engine) {
    let s = crate::projects::setup(engine).await;
    let app = &s.app;
    let mut started = Vec::new();
    for (permit, district, code, supervisor) in [
        ("P-300", "370102", "91350100M000100Y43", "sup1"),
        ("P-100", "370103", "91110000802100433B", "sup2"),
    ] {
        let project = crate::projects::project(permit, district, code);
        let project = app.post("/api/v1/projects", project, Some(&s.city)).await;
        project.expect(201);
        let supervisor = app.staff_token(supervisor, "supervisor", Some(district)).await;
        let path = format!("/api/v1/projects/{}/assessments", project.body["id"].as_str().unwrap());
        let draft = app
            .post(&path, serde_json::json!({"period": "2026"}), Some(&supervisor))
            .await;
        draft.expect(201);
        started.push(id_of(&draft.body));
        app.clock.advance_secs(60);
    }
    let (p300, p100) = (&started[0], &started[1]);
    let assessments = |html: &str| linked(html, "/console/project-assessments");

    let city = console_session(app, "city1", PASSWORD).await;
    let path = "/console/project-assessments";
    let (status, html) = page(app, &city, path).await;
    assert_eq!(status, 200);
    assert_eq!(total(&html), 2);
    assert_eq!(
        assessments(&html),
        [p300.clone(), p100.clone()],
        "the oldest change first"
    );
    let (_, html) = page(app, &city, &format!("{path}?sort=project&dir=asc")).await;
    assert_eq!(assessments(&html), [p100.clone(), p300.clone()], "项目P-100 first");
    let (_, html) = page(app, &city, &format!("{path}?district=370102&sort=project")).await;
    assert_eq!((total(&html), assessments(&html)), (1, vec![p300.clone()]));
    let lixia = console_session(app, "lixia", PASSWORD).await;
    let (_, html) = page(app, &lixia, &format!("{path}?sort=district&dir=desc")).await;
    assert_eq!(
        (total(&html), assessments(&html)),
        (1, vec![p300.clone()]),
        "only 历下's"
    );
}
