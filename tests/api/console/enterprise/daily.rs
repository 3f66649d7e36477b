//! Journey 6: the enterprise reports a bonus with its evidence PDF (refused first without
//! evidence, with the API's code), sees staff return it with an opinion, corrects it and sends
//! it again. Journey 8 and the portal's scope over plain HTTP: the notices and what awaits the
//! enterprise, marking a notice read (another's is the API's not-found), and another
//! enterprise's event refused with the API's not-found.

use serde_json::json;

use super::{portal, session, sign_in, two_enterprises, A, B};
use crate::both_engines;
use crate::console::{artefact, browser};
use crate::files::pdf;
use crate::harness::{Engine, TestApp};
use crate::people::{person, photo, register, ID};

both_engines!(
    an_enterprise_reports_a_bonus_and_corrects_it_when_returned,
    an_enterprise_reads_its_notifications_and_what_awaits_it
);

/// The API token of an enterprise.
async fn token(app: &TestApp, credit_code: &str, password: &str) -> String {
    app.enterprise_token(credit_code, password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A bonus reported by the enterprise through the API, with its evidence: its id.
async fn reported(app: &TestApp, enterprise: &str) -> String {
    let evidence = app.upload(enterprise, "material_scan", "奖状.pdf", pdf(2000)).await;
    let body = json!({"type_code": "award_provincial", "occurred_on": "2026-10-15",
        "description": "省级安全文明标准化工地", "document_ids": [evidence.body["id"]]});
    let event = app.post("/api/v1/daily-events", body, Some(enterprise)).await;
    event.expect(201);
    event.body["id"].as_str().unwrap().to_owned()
}

async fn return_it(app: &TestApp, staff: &str, event: &str, opinion: &str) {
    let body = json!({"decision": "return", "opinion": opinion});
    app.post(&format!("/api/v1/daily-events/{event}/review"), body, Some(staff))
        .await
        .expect(200);
}

async fn an_enterprise_reports_a_bonus_and_corrects_it_when_returned(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, _) = two_enterprises(&app).await;
    let lixia = app.staff_token("lixia1", "district", Some("370102")).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, A, &password).await;
    browser.submit(r#"nav a[href="/enterprise/daily-events"]"#).await;

    browser
        .run("document.querySelector('#occurred-on').value = '2026-10-15'")
        .await;
    browser.fill("#description", "项目获评省级安全文明标准化工地").await;
    browser.click("#send-report").await;
    assert_eq!(
        browser.wait_text("#notice-code", "request.").await,
        "request.invalid_fields",
        "no evidence: the API's refusal"
    );
    assert!(
        browser
            .text("main")
            .await
            .contains("document_ids: 加分事项须上传获奖证明材料"),
        "with the API's field message (daily.evidence_required)"
    );
    assert_eq!(
        browser.run("return document.querySelector('#description').value").await,
        "项目获评省级安全文明标准化工地",
        "the form keeps what was typed"
    );

    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("奖状.pdf");
    std::fs::write(&scan, pdf(3000)).unwrap();
    browser.choose_file("#file-report", &scan).await;
    browser.click("#send-report").await;
    assert_eq!(
        browser.wait_text("#notice-message", "已提报").await,
        "已提报，等待主管部门审核。"
    );
    let event = browser
        .run("return document.querySelector('#events tbody tr').dataset.event")
        .await;
    let event = event.as_str().unwrap().to_owned();
    assert_eq!(browser.text("#events tbody tr td[data-state]").await, "待审核");
    let a = token(&app, A, &password).await;
    let stored = app.get(&format!("/api/v1/daily-events/{event}"), Some(&a)).await;
    assert_eq!(stored.body["state"], "submitted");
    assert_eq!(stored.body["document_ids"].as_array().unwrap().len(), 1, "its evidence");

    return_it(&app, &lixia, &event, "证明材料不清晰，请重新上传").await;
    browser.goto(&app.url("/enterprise/daily-events")).await;
    assert_eq!(browser.text("#events tbody tr td[data-state]").await, "已退回");
    assert_eq!(
        browser.text(&format!(r#"td[data-opinion="{event}"]"#)).await,
        "证明材料不清晰，请重新上传"
    );
    browser.screenshot(&artefact("enterprise-daily-returned", engine)).await;

    browser.click(&format!(r#"summary[data-correct="{event}"]"#)).await;
    browser
        .fill(
            &format!("#description-{event}"),
            "项目获评省级安全文明标准化工地（附证书）",
        )
        .await;
    browser.choose_file(&format!("#file-{event}"), &scan).await;
    browser.click(&format!(r#"button[data-resubmit="{event}"]"#)).await;
    assert_eq!(
        browser.wait_text("#notice-message", "已修改").await,
        "已修改并重新提交。"
    );
    assert_eq!(browser.text("#events tbody tr td[data-state]").await, "待审核");
    let stored = app.get(&format!("/api/v1/daily-events/{event}"), Some(&a)).await;
    assert_eq!(stored.body["state"], "submitted");
    assert_eq!(stored.body["description"], "项目获评省级安全文明标准化工地（附证书）");
    assert_eq!(
        stored.body["document_ids"].as_array().unwrap().len(),
        2,
        "the evidence kept and the new one"
    );
}

async fn an_enterprise_reads_its_notifications_and_what_awaits_it(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, b_password) = two_enterprises(&app).await;
    let a = token(&app, A, &password).await;
    let lixia = app.staff_token("lixia1", "district", Some("370102")).await;
    let (cookie, csrf) = session(&app, A, &password).await;
    let (status, body) = portal(&app, &cookie, "/enterprise/notifications", None).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("暂无待办") && !body.contains("data-notification"),
        "{body}"
    );

    // What happened: the person refuses A's employment request, A is told.
    let p = person(&app, "openid-p").await;
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    let offer =
        json!({"id_number": ID, "position": "安全员", "contract_start": "2026-12-10", "contract_end": "2027-12-09"});
    let request = app.post("/api/v1/employment/requests", offer, Some(&a)).await;
    request.expect(201);
    let request = request.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/employment/requests/{request}/refuse"),
        json!({}),
        Some(&p),
    )
    .await
    .expect(200);
    let notices = app.get("/api/v1/notifications", Some(&a)).await;
    let notice = &notices.body[0];
    let id = notice["id"].as_str().unwrap().to_owned();
    // What awaits: a report staff returned.
    let event = reported(&app, &a).await;
    return_it(&app, &lixia, &event, "请补充证书").await;

    let (_, body) = portal(&app, &cookie, "/enterprise/notifications", None).await;
    assert!(body.contains(&format!(r#"data-notification="{id}""#)), "{body}");
    assert!(
        body.contains(notice["title"].as_str().unwrap()),
        "worded as the API words it"
    );
    assert!(body.contains(r#"<span id="returned-count">1</span>"#), "{body}");
    assert!(body.contains(&format!(r#"data-mark-read="{id}""#)), "unread, to mark");

    let unread = notices
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["read_at"].is_null())
        .count();
    let (_, home) = portal(&app, &cookie, "/enterprise/", None).await;
    assert!(
        home.contains(&format!(r#"<span id="unread-count">{unread}</span>"#)),
        "{home}"
    );
    assert!(
        home.contains(r#"<span id="awaiting-count">1</span>"#),
        "the home page links what awaits"
    );

    let path = format!("/enterprise/notifications/{id}/read");
    let (status, body) = portal(&app, &cookie, &path, Some(&[("csrf", &csrf)])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已标为已读") && !body.contains(&format!(r#"data-mark-read="{id}""#)));
    let notices = app.get("/api/v1/notifications", Some(&a)).await;
    assert!(notices.body[0]["read_at"].is_i64(), "read through the API's own act");

    // The person's notice is not A's: the API's not-found.
    let theirs = app.get("/api/v1/notifications", Some(&p)).await;
    let theirs = theirs.body[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/enterprise/notifications/{theirs}/read");
    let (status, body) = portal(&app, &cookie, &path, Some(&[("csrf", &csrf)])).await;
    assert_eq!(status, 404);
    assert!(body.contains("resource.not_found"), "{body}");

    // B sees none of A's events and acts on none: the API's not-found.
    let (b_cookie, b_csrf) = session(&app, B, &b_password).await;
    let (_, body) = portal(&app, &b_cookie, "/enterprise/daily-events", None).await;
    assert!(!body.contains(&event), "A's event is not listed for B");
    let path = format!("/enterprise/daily-events/{event}/delete");
    let (status, body) = portal(&app, &b_cookie, &path, Some(&[("csrf", &b_csrf)])).await;
    assert_eq!(status, 404);
    assert!(body.contains("resource.not_found"), "{body}");
    let kept = app.get(&format!("/api/v1/daily-events/{event}"), Some(&a)).await;
    assert_eq!(kept.body["state"], "returned", "A's event stays");

    // A deletes its returned report; nothing awaits it any more.
    let (status, body) = portal(&app, &cookie, &path, Some(&[("csrf", &csrf)])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已删除"));
    let (_, body) = portal(&app, &cookie, "/enterprise/notifications", None).await;
    assert!(body.contains("暂无待办"), "{body}");
}
