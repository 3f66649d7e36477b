//! Journey 4 of the console: a district reviewer goes through a self-assessment item by item,
//! previews the evidence, overrides a score (refused first out of range, as the API refuses it),
//! accepts and passes, reads an item's history and finishes the review; another district's
//! reviewer is refused the record.

use serde_json::{json, Value};

use super::{artefact, browser, sign_in, PASSWORD};
use crate::assessments::{create, fill_scored, id_of, submit, world};
use crate::both_engines;
use crate::harness::Engine;

both_engines!(
    a_reviewer_scores_passes_and_finishes_a_self_assessment,
    a_colleague_passes_a_daily_deduction_its_recorder_cannot
);

async fn a_reviewer_scores_passes_and_finishes_a_self_assessment(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let draft = create(app, &w.a, "general_conditions", "2026").await;
    let id = id_of(&draft);
    fill_scored(app, &w.a, &draft, |max| max).await;
    let submitted = submit(app, &w.a, &id).await;
    let items = submitted["items"].as_array().unwrap().clone();
    let scored: Vec<&Value> = items.iter().filter(|i| i["kind"] == "scored").collect();
    let first = scored[0]["number"].as_str().unwrap().to_owned();
    let max = scored[0]["max_score"].as_f64().unwrap();
    let evidence = scored[0]["documents"][0]["document_id"].as_str().unwrap().to_owned();

    let (browser, _place) = browser().await;
    sign_in(&browser, app, "lixia", PASSWORD).await;
    browser.submit(r#"nav a[href="/console/assessments"]"#).await;
    let row = format!(r#"#assessments a[href="/console/assessments/{id}"]"#);
    assert_eq!(browser.text(&row).await, "企业91350100M000100Y43");
    // From what awaits on the home page, through its queue, to the record.
    browser.submit(r#"nav a[href="/console/"]"#).await;
    browser.submit(r#"a[data-kind="assessment.review"]"#).await;
    browser
        .submit(&format!(r#"#queue a[href="/console/assessments/{id}"]"#))
        .await;
    let number = |text: String| text.parse::<f64>().unwrap();
    assert_eq!(
        number(browser.text("#self-total").await),
        submitted["self_total"].as_f64().unwrap(),
        "the API's self total"
    );

    // The evidence opens in the preview frame beside the items.
    browser
        .click(&format!(r#"#item-{first} a[data-document="{evidence}"]"#))
        .await;
    let framed = format!("/console/documents/{evidence}");
    let shown = browser.framed_path(&framed).await;
    assert_eq!(shown, framed.as_str(), "the evidence is framed");
    browser.screenshot(&artefact("assessment-evidence", engine)).await;

    let override_with = |score: String, opinion: &'static str| {
        let (browser, first) = (&browser, first.clone());
        async move {
            browser.click(&format!(r#"summary[data-override="{first}"]"#)).await;
            browser.fill(&format!("#score-{first}"), &score).await;
            browser.fill(&format!("#override-opinion-{first}"), opinion).await;
            browser
                .submit(&format!(r#"button[data-override-send="{first}"]"#))
                .await;
        }
    };
    override_with(format!("{}", max + 1.0), "超出分值").await;
    assert_eq!(browser.text("#notice-code").await, "request.invalid_fields");
    let refused = app
        .post(
            &format!("/api/v1/assessments/{id}/items/{first}/score"),
            json!({"action": "override", "score": max + 1.0, "opinion": "超出分值"}),
            Some(&w.lixia),
        )
        .await;
    refused.expect_problem(422, "request.invalid_fields");
    assert_eq!(refused.body["errors"][0]["code"], "assessment.score_out_of_range");
    let notice = browser.text("#notice").await;
    assert!(notice.contains("score: "), "the field is named: {notice}");

    override_with(format!("{}", max - 1.0), "现场核实扣1分").await;
    assert!(browser.text("#notice-message").await.contains(&first));
    assert_eq!(
        number(browser.text(&format!("#item-{first} .assessed-score")).await),
        max - 1.0
    );
    browser.submit(&format!(r#"button[data-pass="{first}"]"#)).await;
    assert_eq!(browser.text(&format!(r#"#item-{first} .review-state"#)).await, "通过");
    // The rest through the API, the last item passed here.
    let last = items.last().unwrap()["number"].as_str().unwrap().to_owned();
    for item in &items {
        let number = item["number"].as_str().unwrap();
        if number == first {
            continue;
        }
        if item["kind"] == "scored" {
            app.post(
                &format!("/api/v1/assessments/{id}/items/{number}/score"),
                json!({"action": "accept"}),
                Some(&w.lixia),
            )
            .await
            .expect(200);
        }
        if number != last {
            app.post(
                &format!("/api/v1/assessments/{id}/items/{number}/decision"),
                json!({"decision": "pass"}),
                Some(&w.lixia),
            )
            .await
            .expect(200);
        }
    }
    browser.goto(&app.url(&format!("/console/assessments/{id}"))).await;
    browser.submit(&format!(r#"button[data-pass="{last}"]"#)).await;
    browser.screenshot(&artefact("assessment-review", engine)).await;
    browser.fill("#finish-opinion", "审核完毕").await;
    browser.submit("#finish").await;
    let finished = app.get(&format!("/api/v1/assessments/{id}"), Some(&w.lixia)).await;
    finished.expect(200);
    assert_eq!(finished.body["state"], "approved");
    assert_eq!(browser.text("#record-state").await, "已通过");
    assert_eq!(
        number(browser.text("#assessed-total").await),
        finished.body["assessed_total"].as_f64().unwrap()
    );

    browser
        .goto(&app.url(&format!("/console/assessments/{id}/items/{first}/history")))
        .await;
    let history = browser.text("#history").await;
    assert!(
        history.contains("✗ 改分") && history.contains("现场核实扣1分"),
        "{history}"
    );

    // Another district's reviewer: the API's 404.
    browser.submit("#sign-out").await;
    sign_in(&browser, app, "shizhong", PASSWORD).await;
    browser.goto(&app.url(&format!("/console/assessments/{id}"))).await;
    assert_eq!(browser.text("#notice-code").await, "resource.not_found");
    app.get(&format!("/api/v1/assessments/{id}"), Some(&w.shizhong))
        .await
        .expect_problem(404, "resource.not_found");
}

async fn a_colleague_passes_a_daily_deduction_its_recorder_cannot(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    app.staff_token("lixia2", "district", Some("370102")).await;
    let enterprise = app.get("/api/v1/enterprises", Some(&w.lixia)).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deduction = json!({"type_code": "poor_site_management", "enterprise_id": enterprise,
                           "occurred_on": "2026-11-02", "description": "临边防护缺失"});
    let recorded = app.post("/api/v1/daily-events", deduction, Some(&w.lixia)).await;
    recorded.expect(201);
    let id = id_of(&recorded.body);

    // Whoever recorded a deduction cannot review it: the API's refusal, on the page.
    let (browser, _place) = browser().await;
    sign_in(&browser, app, "lixia", PASSWORD).await;
    browser.goto(&app.url(&format!("/console/daily-events/{id}"))).await;
    browser.fill("#review-opinion", "属实").await;
    browser.submit("#review").await;
    assert_eq!(browser.text("#notice-code").await, "daily.own_record");

    browser.submit("#sign-out").await;
    sign_in(&browser, app, "lixia2", PASSWORD).await;
    browser.submit(r#"a[data-kind="assessment.daily_event"]"#).await;
    browser
        .submit(&format!(r#"#queue a[href="/console/daily-events/{id}"]"#))
        .await;
    assert_eq!(browser.text("#event-state").await, "待审核");
    browser.submit("#review").await;
    assert_eq!(browser.text("#notice-code").await, "request.invalid_fields");
    browser.fill("#review-opinion", "现场核实属实").await;
    browser.submit("#review").await;
    assert_eq!(browser.text("#event-state").await, "已通过");
    assert!(browser.text("#state-history").await.contains("现场核实属实"));
    browser.screenshot(&artefact("daily-event", engine)).await;
    let api = app.get(&format!("/api/v1/daily-events/{id}"), Some(&w.lixia)).await;
    assert_eq!(api.body["state"], "approved");

    browser.goto(&app.url("/console/daily-events?state=approved")).await;
    assert!(browser.text("#daily-events").await.contains("施工现场"));
    browser.goto(&app.url("/console/daily-events?state=bogus")).await;
    assert_eq!(browser.text("#notice-code").await, "request.invalid_fields");
    browser.submit("#sign-out").await;
    sign_in(&browser, app, "shizhong", PASSWORD).await;
    browser.goto(&app.url(&format!("/console/daily-events/{id}"))).await;
    assert_eq!(browser.text("#notice-code").await, "resource.not_found");
}
