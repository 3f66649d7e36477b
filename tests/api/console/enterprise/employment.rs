//! Journey 3: the enterprise starts employment requests by ID number and follows them as the
//! person answers in the mini-program (refused, withdrawn, accepted), ends the relation with a
//! reason; ending another enterprise's relation is the API's not-found, and ending an ended
//! one its conflict.

use serde_json::json;

use super::{sign_in, two_enterprises, A, B};
use crate::both_engines;
use crate::console::{artefact, browser, Browser};
use crate::employment::accept;
use crate::harness::{Engine, TestApp};
use crate::people::{person, photo, register, ID};

both_engines!(an_enterprise_employs_and_ends_an_employment);

async fn send(browser: &Browser, id_number: &str) {
    browser.fill("#id-number", id_number).await;
    browser.fill("#position", "项目负责人").await;
    browser
        .run("document.querySelector('#contract-start').value = '2026-12-10'")
        .await;
    browser
        .run("document.querySelector('#contract-end').value = '2029-12-09'")
        .await;
    browser.submit("#send-request").await;
}

/// The state shown in the first row of `table` (newest first).
async fn first_state(browser: &Browser, table: &str) -> String {
    browser
        .text(&format!("#{table} tbody tr:first-child td[data-state]"))
        .await
}

async fn an_enterprise_employs_and_ends_an_employment(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, b_password) = two_enterprises(&app).await;
    let p = person(&app, "openid-p").await;
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, A, &password).await;
    browser.submit(r#"nav a[href="/enterprise/employment"]"#).await;
    assert!(browser.text("#mini-program-note").await.contains("小程序"));

    send(&browser, "110105194912310038").await;
    assert_eq!(browser.text("#notice-code").await, "employment.person_not_registered");
    assert_eq!(
        browser.run("return document.querySelector('#id-number').value").await,
        "110105194912310038",
        "the form keeps what was typed"
    );

    send(&browser, ID).await;
    assert_eq!(
        browser.text("#notice-message").await,
        "聘用请求已发送，等待本人在小程序中确认。"
    );
    assert_eq!(first_state(&browser, "requests").await, "待确认");
    let request = browser
        .run("return document.querySelector('#requests tbody tr').dataset.request")
        .await;
    let request = request.as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/employment/requests/{request}/refuse"),
        json!({}),
        Some(&p),
    )
    .await
    .expect(200);
    browser.goto(&app.url("/enterprise/employment")).await;
    assert_eq!(first_state(&browser, "requests").await, "已拒绝");

    send(&browser, ID).await;
    browser.submit("#requests button[data-withdraw]").await;
    assert_eq!(browser.text("#notice-message").await, "聘用请求已撤回。");
    assert_eq!(first_state(&browser, "requests").await, "已撤回");

    send(&browser, ID).await;
    let request = browser
        .run("return document.querySelector('#requests tbody tr').dataset.request")
        .await;
    let request = request.as_str().unwrap().to_owned();
    accept(&app, &p, &request, photo("person-a-selfie.jpg"))
        .await
        .expect(201);
    browser.goto(&app.url("/enterprise/employment")).await;
    assert_eq!(first_state(&browser, "requests").await, "已接受");
    assert_eq!(first_state(&browser, "relations").await, "在聘");
    assert!(browser.text("#relations").await.contains("张三"), "named once accepted");
    browser.screenshot(&artefact("enterprise-employment", engine)).await;

    let relation = browser
        .run("return document.querySelector('#relations tbody tr').dataset.relation")
        .await;
    let relation = relation.as_str().unwrap().to_owned();
    browser.click(&format!(r#"summary[data-end="{relation}"]"#)).await;
    browser.fill(&format!("#reason-{relation}"), "合同到期").await;
    browser.submit(&format!(r#"button[data-end-send="{relation}"]"#)).await;
    assert_eq!(browser.text("#notice-message").await, "聘用关系已解除。");
    let ended = first_state(&browser, "relations").await;
    assert!(
        ended.starts_with("已解除 · 企业解除") && ended.contains("合同到期"),
        "{ended}"
    );

    // B employs the person now; A's forged end of B's relation, then of its own ended one.
    let b = app.enterprise_token(B, &b_password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let offer =
        json!({"id_number": ID, "position": "安全员", "contract_start": "2026-12-10", "contract_end": "2027-12-09"});
    let b_request = app.post("/api/v1/employment/requests", offer, Some(&b)).await;
    let b_request = b_request.body["id"].as_str().unwrap().to_owned();
    let b_relation = accept(&app, &p, &b_request, photo("person-a-selfie.jpg")).await;
    let b_relation = b_relation.body["id"].as_str().unwrap().to_owned();
    let forge = |target: &str| {
        format!(
            "var f = document.createElement('form'); f.method = 'post'; \
             f.action = '/enterprise/employment/relations/{target}/end'; \
             f.innerHTML = '<input name=csrf><input name=reason value=x>'; \
             f.elements.csrf.value = document.querySelector('input[name=csrf]').value; \
             document.body.append(f); window.zjOldPage = true; f.submit();"
        )
    };
    browser.run(&forge(&b_relation)).await;
    assert_eq!(
        browser.wait_text("#notice-code", "resource.").await,
        "resource.not_found"
    );
    browser.run(&forge(&relation)).await;
    assert_eq!(
        browser.wait_text("#notice-code", "employment.").await,
        "employment.already_ended"
    );
    let theirs = app.get("/api/v1/employment/relations?active=true", Some(&b)).await;
    assert_eq!(theirs.body[0]["id"], b_relation.as_str(), "B's relation goes on");
}
