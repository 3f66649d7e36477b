//! Project assessments in the console: the city station finds a supervisor's submitted
//! assessment in its inbox, reads the ten items, the inspection and the signed form (previewed
//! beside them), and passes or returns it through the API's review; district staff may read
//! it but not review it (the API's 403), another district not even read it (the API's 404).

use serde_json::{json, Value};

use super::{artefact, browser, client, console_session, sign_in, PASSWORD};
use crate::both_engines;
use crate::files::pdf;
use crate::harness::{Engine, TestApp};
use crate::projects::{project, setup};

both_engines!(
    the_city_station_passes_a_project_assessment_from_its_inbox,
    only_the_city_station_reviews_and_only_in_scope,
    the_city_station_returns_a_project_assessment_in_the_browser
);

const A_CODE: &str = "91350100M000100Y43";

/// A project of enterprise A in 370102 whose assessment a supervisor has filled and submitted:
/// its id and the signed form's document id.
pub async fn submitted(app: &TestApp, city: &str) -> (String, String) {
    let project_id = app
        .post("/api/v1/projects", project("P-200", "370102", A_CODE), Some(city))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let started = app
        .post(
            &format!("/api/v1/projects/{project_id}/assessments"),
            json!({"period": "2026"}),
            Some(&supervisor),
        )
        .await;
    started.expect(201);
    let id = started.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/project-assessments/{id}");
    let form = app
        .upload(&supervisor, "supervision_form", "考核表.pdf", pdf(2000))
        .await;
    form.expect(201);
    let form = form.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("{path}/documents"),
        json!({"document_id": form, "role": "signed_form"}),
        Some(&supervisor),
    )
    .await
    .expect(201);
    let scores: Vec<Value> = (1..=10)
        .map(|n| json!({"number": n.to_string(), "score": if n == 10 { 4.5 } else { 9.0 }}))
        .collect();
    app.put(
        &path,
        json!({"scores": scores, "inspection_details": "脚手架连墙件缺失一处", "inspecting_unit": "市建设工程安全监督站",
               "person_in_charge": "王五", "person_phone": "13800000000", "supervision_level": "二级"}),
        Some(&supervisor),
    )
    .await
    .expect(200);
    app.post(&format!("{path}/submit"), json!({}), Some(&supervisor))
        .await
        .expect(200);
    (id, form)
}

/// A console GET with a session: its status and HTML.
pub async fn page(app: &TestApp, session: &str, path: &str) -> (u16, String) {
    let answer = client()
        .get(app.url(path))
        .header("cookie", format!("zj_console={session}"))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// Posts a console form as `session`, with the session's form token: the status and HTML.
pub async fn post(app: &TestApp, session: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (_, home) = page(app, session, "/console/").await;
    let after = home.split(r#"name="csrf" value=""#).nth(1).expect("a form token");
    let csrf = after.split('"').next().unwrap().to_owned();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let answer = client()
        .post(app.url(path))
        .header("cookie", format!("zj_console={session}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// The refusal's code a page shows, or "" when it shows none.
pub fn notice_code(html: &str) -> &str {
    html.split(r#"<code id="notice-code">"#)
        .nth(1)
        .and_then(|after| after.split('<').next())
        .unwrap_or_default()
}

async fn the_city_station_passes_a_project_assessment_from_its_inbox(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let (id, form) = submitted(&s.app, &s.city).await;
    let city = console_session(app, "city1", PASSWORD).await;
    let record = format!("/console/project-assessments/{id}");

    // The inbox's queue links the item to its page.
    let (status, queue) = page(app, &city, "/console/queues/assessment.project").await;
    assert_eq!(status, 200);
    assert!(queue.contains(&format!(r#"href="{record}""#)), "{queue}");
    let (status, list) = page(app, &city, "/console/project-assessments?state=submitted").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!(r#"data-assessment="{id}""#)) && list.contains("项目P-200"));
    let (_, none) = page(app, &city, "/console/project-assessments?state=approved").await;
    assert!(!none.contains(&id), "filtered as the API filters");

    // The record as the API reads it: its total, items, inspection and signed form.
    let api = app
        .get(&format!("/api/v1/project-assessments/{id}"), Some(&s.city))
        .await;
    api.expect(200);
    let (status, html) = page(app, &city, &record).await;
    assert_eq!(status, 200);
    let total = format!(r#"<strong id="total">{}</strong>"#, api.body["current_total"]);
    assert!(html.contains(&total), "the API's total {total}");
    assert_eq!(api.body["current_total"], 85.5);
    assert!(html.contains(r#"<td class="score">4.5</td>"#) && html.contains("脚手架连墙件缺失一处"));
    assert!(html.contains(&format!(r#"href="/console/documents/{form}" target="preview""#)));
    let (status, _) = page(app, &city, &format!("/console/documents/{form}")).await;
    assert_eq!(status, 200, "the city station previews the signed form");

    // No opinion: the API's field error; with one, passed.
    let review = format!("{record}/review");
    let (status, html) = post(app, &city, &review, &[("decision", "pass"), ("opinion", "")]).await;
    assert_eq!((status, notice_code(&html)), (422, "request.invalid_fields"));
    let (status, html) = post(app, &city, &review, &[("decision", "pass"), ("opinion", "同意")]).await;
    assert_eq!((status, notice_code(&html)), (200, ""));
    assert!(html.contains(r#"data-state="approved""#) && html.contains("同意"));
    let api = app
        .get(&format!("/api/v1/project-assessments/{id}"), Some(&s.city))
        .await;
    assert_eq!(api.body["state"], "approved", "the API's review took place");
    // Passed: reviewing again is refused as the API refuses it.
    let (status, html) = post(app, &city, &review, &[("decision", "return"), ("opinion", "再议")]).await;
    let again = app
        .post(
            &format!("/api/v1/project-assessments/{id}/review"),
            json!({"decision": "return", "opinion": "再议"}),
            Some(&s.city),
        )
        .await;
    again.expect_problem(409, "assessment.state_forbids");
    assert_eq!((status, notice_code(&html)), (409, "assessment.state_forbids"));
}

async fn only_the_city_station_reviews_and_only_in_scope(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let (id, _) = submitted(&s.app, &s.city).await;
    let record = format!("/console/project-assessments/{id}");
    let lixia = console_session(app, "lixia", PASSWORD).await;
    let shizhong = console_session(app, "shizhong", PASSWORD).await;

    // District staff read their district's assessment but the review is the city station's.
    let (status, _) = page(app, &lixia, &record).await;
    assert_eq!(status, 200);
    let api = app
        .post(
            &format!("/api/v1/project-assessments/{id}/review"),
            json!({"decision": "pass", "opinion": "同意"}),
            Some(&s.lixia),
        )
        .await;
    api.expect_problem(403, "auth.forbidden_role");
    let (status, html) = post(
        app,
        &lixia,
        &format!("{record}/review"),
        &[("decision", "pass"), ("opinion", "同意")],
    )
    .await;
    assert_eq!((status, notice_code(&html)), (403, "auth.forbidden_role"));
    assert!(html.contains(api.body["detail"].as_str().unwrap()), "the API's message");

    // Another district reads nothing of it, nor lists it.
    let (status, html) = page(app, &shizhong, &record).await;
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));
    let (status, html) = page(app, &shizhong, "/console/project-assessments").await;
    assert_eq!(status, 200);
    assert!(!html.contains(&id));
    let (status, html) = page(app, &shizhong, "/console/project-assessments?state=bogus").await;
    assert_eq!((status, notice_code(&html)), (422, "request.invalid_fields"));
    let state = app
        .get(&format!("/api/v1/project-assessments/{id}"), Some(&s.city))
        .await;
    assert_eq!(state.body["state"], "submitted", "nothing changed");
}

async fn the_city_station_returns_a_project_assessment_in_the_browser(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let (id, form) = submitted(&s.app, &s.city).await;
    let record = format!("/console/project-assessments/{id}");
    let (browser, _place) = browser().await;

    // District staff: the review is refused with the API's code, on the page.
    sign_in(&browser, app, "lixia", PASSWORD).await;
    browser.goto(&app.url(&record)).await;
    browser.fill("#review-opinion", "同意").await;
    browser.submit("#review").await;
    assert_eq!(browser.text("#notice-code").await, "auth.forbidden_role");
    browser.submit("#sign-out").await;

    // The city station: from its inbox to the record, the signed form framed beside the items.
    sign_in(&browser, app, "city1", PASSWORD).await;
    browser.submit(r#"a[data-kind="assessment.project"]"#).await;
    browser.submit(&format!(r#"#queue a[href="{record}"]"#)).await;
    assert_eq!(browser.text("#record-state").await, "待审核");
    browser.click(&format!(r#"#documents a[data-document="{form}"]"#)).await;
    let framed = format!("/console/documents/{form}");
    let shown = browser.framed_path(&framed).await;
    assert_eq!(shown, framed.as_str(), "the signed form is framed");
    browser.screenshot(&artefact("project-assessment", engine)).await;

    browser.click("#decision-return").await;
    browser.fill("#review-opinion", "检查详情不全，请补充").await;
    browser.submit("#review").await;
    assert_eq!(browser.text("#notice-message").await, "考核已退回监督员。");
    assert_eq!(browser.text("#record-state").await, "已退回");
    let api = app
        .get(&format!("/api/v1/project-assessments/{id}"), Some(&s.city))
        .await;
    assert_eq!(api.body["state"], "returned", "the API's review took place");
    // The opinion as typed, as the API recorded it and as the page shows it.
    let history = app
        .get(&format!("/api/v1/project-assessments/{id}/history"), Some(&s.city))
        .await;
    let last = history.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["to_state"], "returned");
    let opinion = last["opinion"].as_str().unwrap();
    assert_eq!(opinion, "检查详情不全，请补充");
    let shown = browser.text("#state-history").await;
    assert!(shown.contains(opinion), "{shown}");
}
