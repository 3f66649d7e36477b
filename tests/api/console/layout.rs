//! The console at the two screen sizes staff use (1280×800 and 1920×1080): every page fits the
//! width, with no sideways scrolling, its tables filled.

use serde_json::json;

use super::{artefact, browser, sign_in, Browser, PASSWORD};
use crate::assessments::{create, fill_scored, id_of, submit, world};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    every_page_fits_both_screen_sizes,
    the_inbox_groups_pages_fit_both_screen_sizes
);

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
    fit(&browser, app, &pages, "区（市）主管部门 · 370102").await;
    browser.goto(&app.url(&format!("/console/assessments/{id}"))).await;
    browser.screenshot(&artefact("assessment-1920", engine)).await;
}

/// Each page at both sizes: no sideways scrolling, the window as wide as asked, signed in as `who`.
async fn fit(browser: &Browser, app: &TestApp, pages: &[String], who: &str) {
    for (width, height) in [(1280, 800), (1920, 1080)] {
        browser.resize(width, height).await;
        for page in pages {
            browser.goto(&app.url(page)).await;
            let fits = browser
                .run("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
                .await;
            assert_eq!(fits, true, "{page} scrolls sideways at {width}×{height}");
            let inner = browser.run("return window.innerWidth").await.as_u64().unwrap();
            assert!(inner > u64::from(width) - 100, "the window is {width} wide: {inner}");
            assert_eq!(browser.text("#who").await, who, "{page}");
            let refused = browser
                .run("return document.querySelector('#notice-code') !== null")
                .await;
            assert_eq!(refused, false, "{page} is shown, not refused");
        }
    }
}

/// The pages of the inbox groups (project assessments, held registrations, applications, exam
/// registrations), as the city sees them, with a record of each.
async fn the_inbox_groups_pages_fit_both_screen_sizes(engine: Engine) {
    let app = &TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    // 张三, employed by enterprise A and registered for an exam; a project of A assessed.
    let (exam, p) = super::exams::submitted(app, &city).await;
    let exam = exam["id"].as_str().unwrap().to_owned();
    let (project, _) = super::projects::submitted(app, &city).await;
    // Someone else with 张三's face: held.
    crate::one_face::registers(app, "openid-y", 2, "a").await.1.expect(202);
    let held = app.get("/api/v1/people/registration-reviews", Some(&city)).await;
    let review = held.body[0]["id"].as_str().unwrap().to_owned();
    let scan = crate::applications::scan(app, &p).await;
    let body = json!({"kind": "special", "category": "高处作业吊篮安装拆卸工", "number": "S-9", "issued_on": "2023-05-01",
                      "expires_on": "2029-04-30", "scan_document_id": scan, "commitment_accepted": true});
    let applied = app
        .post("/api/v1/people/me/certificate-supplements", body, Some(&p))
        .await;
    applied.expect(201);
    let application = applied.body["application"]["id"].as_str().unwrap().to_owned();
    let pages = [
        "/console/project-assessments".to_owned(),
        format!("/console/project-assessments/{project}"),
        "/console/registrations".to_owned(),
        format!("/console/registrations/{review}"),
        "/console/applications".to_owned(),
        format!("/console/applications/{application}"),
        "/console/exam-registrations".to_owned(),
        format!("/console/exam-registrations/{exam}"),
    ];
    let (browser, _place) = browser().await;
    sign_in(&browser, app, "city1", PASSWORD).await;
    fit(&browser, app, &pages, "市级主管部门").await;
    browser
        .goto(&app.url(&format!("/console/registrations/{review}")))
        .await;
    browser.screenshot(&artefact("registration-review", engine)).await;
}
