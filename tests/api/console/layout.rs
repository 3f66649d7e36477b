//! The console at the two screen sizes staff use (1280×800 and 1920×1080): every page fits the
//! width, with no sideways scrolling, its tables filled.

use serde_json::json;

use super::{artefact, browser, sign_in, PASSWORD};
use crate::assessments::{create, fill_scored, id_of, submit, world};
use crate::both_engines;
use crate::harness::Engine;

both_engines!(every_page_fits_both_screen_sizes);

async fn every_page_fits_both_screen_sizes(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let draft = create(app, &w.a, "general_conditions", "2026").await;
    let id = id_of(&draft);
    fill_scored(app, &w.a, &draft, |max| max).await;
    submit(app, &w.a, &id).await;
    let enterprise = app.get("/api/v1/enterprises", Some(&w.lixia)).await.body[0]["id"].clone();
    let deduction = json!({"type_code": "poor_site_management", "enterprise_id": enterprise.clone(),
                           "occurred_on": "2026-11-02", "description": "临边防护缺失"});
    let event = app.post("/api/v1/daily-events", deduction, Some(&w.lixia)).await;
    let event = id_of(&event.body);
    let pages = [
        "/console/".to_owned(),
        "/console/queues/assessment.review".to_owned(),
        "/console/assessments".to_owned(),
        format!("/console/assessments/{id}"),
        format!("/console/assessments/{id}/items/1/history"),
        "/console/daily-events".to_owned(),
        format!("/console/daily-events/{event}"),
        "/console/enterprises".to_owned(),
        format!("/console/enterprises/{}", enterprise.as_str().unwrap()),
        "/console/results".to_owned(),
        "/console/verification/tasks".to_owned(),
        "/console/accounts".to_owned(),
        "/console/password".to_owned(),
    ];

    let (browser, _place) = browser().await;
    sign_in(&browser, app, "lixia", PASSWORD).await;
    for (width, height) in [(1280, 800), (1920, 1080)] {
        browser.resize(width, height).await;
        for page in &pages {
            browser.goto(&app.url(page)).await;
            let fits = browser
                .run("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
                .await;
            assert_eq!(fits, true, "{page} scrolls sideways at {width}×{height}");
            let inner = browser.run("return window.innerWidth").await.as_u64().unwrap();
            assert!(inner > u64::from(width) - 100, "the window is {width} wide: {inner}");
            assert_eq!(browser.text("#who").await, "区（市）主管部门 · 370102", "{page}");
        }
    }
    browser.goto(&app.url(&format!("/console/assessments/{id}"))).await;
    browser.screenshot(&artefact("assessment-1920", engine)).await;
}
