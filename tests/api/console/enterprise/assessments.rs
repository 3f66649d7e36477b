//! Journey 5: the enterprise starts a self-assessment on a template for a period, uploads an
//! item's evidence, saves the draft, is told what is missing when it submits too early (the
//! API's `assessment.incomplete`, item by item); a save on a record submitted meanwhile is the
//! API's `assessment.state_forbids` and the page says why it is not editable; the reviewer
//! returns an item with an opinion, which the page shows; the enterprise rectifies and submits
//! again. Another enterprise's record is the API's not-found. Over plain HTTP: people lists
//! with their certificates, a named attachment, a refused period and deleting a draft; a record
//! back for rectification (what is missing: rectification material) rectified and submitted.

use serde_json::{json, Value};

use super::{session, sign_in, two_enterprises, A, B};
use crate::assessments::{fill_scored, finish, review_all};
use crate::both_engines;
use crate::console::{artefact, browser, client};
use crate::files::pdf;
use crate::harness::{Engine, TestApp};

both_engines!(
    an_enterprise_fills_submits_and_rectifies_a_self_assessment,
    an_enterprise_lists_people_attaches_slots_and_deletes_a_draft,
    a_record_back_for_rectification_takes_material_and_notes
);

/// The API token of an enterprise.
async fn token(app: &TestApp, credit_code: &str, password: &str) -> String {
    app.enterprise_token(credit_code, password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The enterprise's only self-assessment, as the API shows it.
async fn only(app: &TestApp, token: &str) -> Value {
    let listed = app.get("/api/v1/assessments", Some(token)).await;
    listed.expect(200);
    let id = listed.body[0]["id"].as_str().expect("one self-assessment").to_owned();
    let view = app.get(&format!("/api/v1/assessments/{id}"), Some(token)).await;
    view.expect(200);
    view.body
}

fn item<'v>(view: &'v Value, number: &str) -> &'v Value {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == number)
        .unwrap_or_else(|| panic!("no item {number}"))
}

/// The reviewer accepts every self-score and passes every item but `rejected`, which it
/// rejects with `opinion`; the review finishes, returning the record.
async fn return_item(app: &TestApp, reviewer: &str, view: &Value, rejected: &str, opinion: &str) {
    let id = view["id"].as_str().unwrap();
    for item in view["items"].as_array().unwrap() {
        let number = item["number"].as_str().unwrap();
        if item["kind"] == "scored" {
            let path = format!("/api/v1/assessments/{id}/items/{number}/score");
            app.post(&path, json!({"action": "accept"}), Some(reviewer))
                .await
                .expect(200);
        }
        let decision = if number == rejected {
            json!({"decision": "reject", "opinion": opinion})
        } else {
            json!({"decision": "pass"})
        };
        let path = format!("/api/v1/assessments/{id}/items/{number}/decision");
        app.post(&path, decision, Some(reviewer)).await.expect(200);
    }
    let finished = app
        .post(
            &format!("/api/v1/assessments/{id}/finish"),
            json!({"opinion": "请按意见整改"}),
            Some(reviewer),
        )
        .await;
    finished.expect(200);
}

async fn an_enterprise_fills_submits_and_rectifies_a_self_assessment(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, b_password) = two_enterprises(&app).await;
    let a = token(&app, A, &password).await;
    let lixia = app.staff_token("lixia1", "district", Some("370102")).await;
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("安全生产管理制度.pdf");
    std::fs::write(&scan, pdf(3000)).unwrap();

    let (browser, _place) = browser().await;
    sign_in(&browser, &app, A, &password).await;
    browser.submit(r#"nav a[href="/enterprise/assessments"]"#).await;
    assert!(browser.text("#no-records").await.contains("还没有"));
    browser
        .run("document.querySelector('#kind').value = 'general_conditions'")
        .await;
    browser.fill("#period", "2026").await;
    browser.submit("#start").await;
    assert_eq!(browser.text("#notice-message").await, "已创建自评草稿，请逐项填写。");
    let draft = only(&app, &a).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (draft["state"].as_str(), draft["period"].as_str()),
        (Some("draft"), Some("2026"))
    );
    assert_eq!(browser.text("#record-state").await, "草稿");

    // Item 1's evidence, with the progress bar; then its self-score and note, saved.
    browser.choose_file("#file-1-e", &scan).await;
    browser.click(r#"button[data-upload-evidence="1"]"#).await;
    assert_eq!(
        browser.wait_text("#notice-message", "已上传").await,
        "已上传并附在考核项上。"
    );
    assert!(browser
        .text(r#"[data-documents="1"]"#)
        .await
        .contains("安全生产管理制度.pdf"));
    browser.fill("#score-1", "9").await;
    browser.fill("#note-1", "制度已以红头文件发布").await;
    browser.submit("#save").await;
    assert_eq!(browser.text("#notice-message").await, "已保存。");
    let saved = only(&app, &a).await;
    assert_eq!(item(&saved, "1")["self_score"], 9.0);
    assert_eq!(item(&saved, "1")["self_note"], "制度已以红头文件发布");
    assert_eq!(item(&saved, "1")["documents"].as_array().unwrap().len(), 1);
    assert_eq!(
        browser.run("return document.querySelector('#score-1').value").await,
        "9",
        "the page shows what is stored"
    );

    // Too early: the API names what is missing, item by item.
    browser.fill("#opinion", "已自评，请审核").await;
    browser.submit("#submit").await;
    assert_eq!(browser.text("#notice-code").await, "assessment.incomplete");
    let notice = browser.text("#notice").await;
    assert!(notice.contains("items.2: 未填自评得分"), "{notice}");
    assert!(!notice.contains("items.1:"), "item 1 is complete: {notice}");
    let api = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "提交"}),
            Some(&a),
        )
        .await;
    api.expect_problem(422, "assessment.incomplete");
    assert_eq!(
        browser.run("return document.querySelector('#opinion').value").await,
        "已自评，请审核",
        "the opinion typed stays"
    );

    // Meanwhile the record is completed and submitted elsewhere (the mini program): the page's
    // save is the API's refusal, and the page now says why nothing can be edited.
    fill_scored(&app, &a, &saved, |max| max).await;
    let submitted = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "已自评"}),
            Some(&a),
        )
        .await;
    submitted.expect(200);
    browser.fill("#note-1", "再改一次").await;
    browser.submit("#save").await;
    assert_eq!(browser.text("#notice-code").await, "assessment.state_forbids");
    assert_eq!(browser.text("#locked-code").await, "assessment.state_forbids");
    let why = browser.text("#locked-why").await;
    assert!(
        why.contains("已提交") && why.contains("只有草稿和被退回的考核可以修改"),
        "{why}"
    );
    assert_eq!(browser.text("#record-state").await, "待审核");
    let controls = "return ['#save', '#submit', '#delete', '#score-1', '#file-1-e']\
        .filter(s => document.querySelector(s) !== null)";
    assert_eq!(browser.run(controls).await, json!([]), "no edit controls");
    browser
        .screenshot(&artefact("enterprise-assessment-submitted", engine))
        .await;
    let kept = only(&app, &a).await;
    assert_eq!(item(&kept, "1")["self_note"], "制度已以红头文件发布", "nothing changed");
    let shown = browser.text("#item-1").await;
    assert!(
        shown.contains("制度已以红头文件发布") && !shown.contains("再改一次"),
        "the page shows what is stored, not what was refused: {shown}"
    );

    // The reviewer returns item 2 with an opinion.
    return_item(&app, &lixia, &kept, "2", "制度文件未加盖公章").await;
    browser.goto(&app.url(&format!("/enterprise/assessments/{id}"))).await;
    assert_eq!(browser.text("#record-state").await, "已退回");
    assert!(browser.text("#returned").await.contains("有驳回的考核项"));
    assert_eq!(
        browser.text(r#"[data-opinion="2"] .opinion-text"#).await,
        "制度文件未加盖公章"
    );
    assert_eq!(browser.text(r#"[data-opinion="2"] .review-state"#).await, "驳回");
    assert_eq!(browser.text(r#"[data-opinion="1"] .review-state"#).await, "通过");
    browser.run("document.querySelector('#item-2').scrollIntoView()").await;
    browser
        .screenshot(&artefact("enterprise-assessment-returned", engine))
        .await;
    browser.submit(r#"a[data-history="2"]"#).await;
    let history = browser.text("#history").await;
    assert!(
        history.contains("驳回") && history.contains("制度文件未加盖公章"),
        "{history}"
    );
    browser.submit("#back").await;

    // Rectified: new evidence for item 2, its score and note, submitted again with an opinion.
    browser.choose_file("#file-2-e", &scan).await;
    browser.click(r#"button[data-upload-evidence="2"]"#).await;
    browser.wait_text("#notice-message", "已上传").await;
    browser.fill("#score-2", "9.5").await;
    browser.fill("#note-2", "已补盖公章").await;
    browser.submit("#save").await;
    assert_eq!(browser.text("#notice-message").await, "已保存。");
    browser.fill("#opinion", "已按审核意见整改").await;
    browser.submit("#submit").await;
    assert_eq!(browser.text("#notice-message").await, "已提交，等待主管部门审核。");
    assert_eq!(browser.text("#record-state").await, "待审核");
    let again = only(&app, &a).await;
    assert_eq!(again["state"], "submitted");
    assert_eq!(again["round"], 2);
    assert_eq!(item(&again, "2")["self_score"], 9.5);
    assert_eq!(item(&again, "2")["self_note"], "已补盖公章");
    let rounds = again["rounds"].as_array().unwrap();
    assert_eq!(rounds.last().unwrap()["submit_opinion"], "已按审核意见整改");
    assert!(browser.text("#rounds").await.contains("已按审核意见整改"));

    // Another enterprise: the API's not-found, on the page as from the API.
    browser.submit("#sign-out").await;
    sign_in(&browser, &app, B, &b_password).await;
    browser.goto(&app.url(&format!("/enterprise/assessments/{id}"))).await;
    assert_eq!(browser.text("#notice-code").await, "resource.not_found");
    let b = token(&app, B, &b_password).await;
    app.get(&format!("/api/v1/assessments/{id}"), Some(&b))
        .await
        .expect_problem(404, "resource.not_found");
}

/// A portal form answer as (status, body).
async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let answer = client()
        .post(app.url(path))
        .header("cookie", format!("zj_enterprise={cookie}"))
        .form(form)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// A portal upload (the form token first, then `fields`, then a PDF) as (status, body).
async fn upload(app: &TestApp, cookie: &str, csrf: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_owned());
    for (name, value) in fields {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    let file = reqwest::multipart::Part::bytes(pdf(2500))
        .file_name("证书.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let answer = client()
        .post(app.url(path))
        .header("cookie", format!("zj_enterprise={cookie}"))
        .multipart(form.part("file", file))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

async fn an_enterprise_lists_people_attaches_slots_and_deletes_a_draft(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, b_password) = two_enterprises(&app).await;
    let a = token(&app, A, &password).await;
    let (cookie, csrf) = session(&app, A, &password).await;
    let start = |period: &'static str| [("csrf", csrf.as_str()), ("kind", "licence_dynamic"), ("period", period)];

    let (status, body) = post(&app, &cookie, "/enterprise/assessments", &start("2026-H3")).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("request.invalid_fields") && body.contains("period: 考核期为年份（2026）"),
        "the API's refusal and field message: {body}"
    );
    let (status, body) = post(&app, &cookie, "/enterprise/assessments", &start("2026")).await;
    assert_eq!(status, 201, "{body}");
    let draft = only(&app, &a).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    assert!(
        body.contains(r#"data-kind="people""#) && body.contains(r#"id="file-10-s1""#),
        "{body}"
    );
    let english = client()
        .get(app.url(&format!("/enterprise/assessments/{id}?lang=en")))
        .header("cookie", format!("zj_enterprise={cookie}"))
        .send()
        .await
        .unwrap();
    let english = english.text().await.unwrap();
    assert!(
        english.contains("People lists") && english.contains("Save draft") && english.contains(">draft<"),
        "{english}"
    );

    // A person with their certificate on the people list of item 09.
    let people = format!("/enterprise/uploads/assessments/{id}/items/09/people");
    let person = [
        ("role", "enterprise_principal"),
        ("name", "张三"),
        ("id_number", "11010519491231002X"),
        ("position", "总经理"),
        ("certificate_name", "安全生产考核合格证书（A类）"),
        ("certificate_number", "鲁建安A(2024)0001"),
        ("certificate_valid_until", "2028-06-30"),
    ];
    let (status, body) = upload(&app, &cookie, &csrf, &people, &person).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("已添加人员") && body.contains("110105********002X"),
        "{body}"
    );
    assert!(!body.contains("11010519491231002X"), "the number is shown masked");
    let mut wrong = person;
    wrong[2] = ("id_number", "110105194912310021");
    let (status, body) = upload(&app, &cookie, &csrf, &people, &wrong).await;
    assert_eq!(status, 422, "a wrong check digit is the API's refusal");
    assert!(body.contains("request.invalid_fields"), "{body}");

    // A named attachment of item 10.
    let slot = item(&draft, "10")["slots"][0].as_str().unwrap().to_owned();
    let documents = format!("/enterprise/uploads/assessments/{id}/items/10/documents");
    let (status, body) = upload(
        &app,
        &cookie,
        &csrf,
        &documents,
        &[("role", "evidence"), ("slot", &slot)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let view = only(&app, &a).await;
    assert_eq!(item(&view, "10")["documents"][0]["slot"], slot.as_str());
    let listed = &item(&view, "09")["people"];
    assert_eq!(listed[0]["certificate_valid_until"], "2028-06-30");
    let person_id = listed[0]["id"].as_str().unwrap().to_owned();

    // B acts on none of A's: the API's not-found.
    let (b_cookie, b_csrf) = session(&app, B, &b_password).await;
    let delete = format!("/enterprise/assessments/{id}/delete");
    let (status, body) = post(&app, &b_cookie, &delete, &[("csrf", &b_csrf)]).await;
    assert_eq!(status, 404);
    assert!(body.contains("resource.not_found"), "{body}");
    let (status, _) = upload(&app, &b_cookie, &b_csrf, &people, &person).await;
    assert_eq!(status, 404, "nor adds to its lists");

    let remove = format!("/enterprise/assessments/{id}/items/09/people/{person_id}/remove");
    let (status, body) = post(&app, &cookie, &remove, &[("csrf", &csrf)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已移除"));
    let view = only(&app, &a).await;
    assert!(item(&view, "09")["people"].as_array().unwrap().is_empty());

    let (status, body) = post(&app, &cookie, &delete, &[("csrf", &csrf)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已删除") && body.contains(r#"id="no-records""#), "{body}");
    let listed = app.get("/api/v1/assessments", Some(&a)).await;
    assert_eq!(listed.body, json!([]), "deleted through the API's own act");
}

async fn a_record_back_for_rectification_takes_material_and_notes(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (_, password, _, _) = two_enterprises(&app).await;
    let a = token(&app, A, &password).await;
    let lixia = app.staff_token("lixia1", "district", Some("370102")).await;
    let created = app
        .post(
            "/api/v1/assessments",
            json!({"kind": "general_conditions", "period": "2026"}),
            Some(&a),
        )
        .await;
    created.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let filled = fill_scored(&app, &a, &created.body, |max| max).await;
    app.post(
        &format!("/api/v1/assessments/{id}/submit"),
        json!({"opinion": "已自评"}),
        Some(&a),
    )
    .await
    .expect(200);
    // Items 1–4 lose every point: 60 % is basically qualified, back for rectification.
    let zero = |number: &str| ["1", "2", "3", "4"].contains(&number).then_some(0.0);
    review_all(&app, &lixia, &filled, zero).await;
    assert_eq!(finish(&app, &lixia, &id).await["return_reason"], "rectification");

    let (cookie, csrf) = session(&app, A, &password).await;
    let page = client()
        .get(app.url(&format!("/enterprise/assessments/{id}")))
        .header("cookie", format!("zj_enterprise={cookie}"))
        .send()
        .await
        .unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("考核结果需整改"), "the page says why it came back");
    assert!(page.contains(r#"id="file-1-r""#) && page.contains(r#"name="rectification:1""#));
    let submit = format!("/enterprise/assessments/{id}/submit");
    let (status, body) = post(&app, &cookie, &submit, &[("csrf", &csrf), ("opinion", "已整改")]).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("assessment.incomplete") && body.contains("items.4: 缺少整改材料"),
        "what is missing, item by item: {body}"
    );

    for number in ["1", "2", "3", "4"] {
        let path = format!("/enterprise/uploads/assessments/{id}/items/{number}/documents");
        let (status, body) = upload(&app, &cookie, &csrf, &path, &[("role", "rectification")]).await;
        assert_eq!(status, 200, "{body}");
    }
    let items = format!("/enterprise/assessments/{id}/items");
    let (status, body) = post(
        &app,
        &cookie,
        &items,
        &[("csrf", &csrf), ("rectification:1", "制度已重新发布")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(&app, &cookie, &submit, &[("csrf", &csrf), ("opinion", "已整改")]).await;
    assert_eq!(status, 200, "{body}");
    let view = app.get(&format!("/api/v1/assessments/{id}"), Some(&a)).await;
    assert_eq!(
        (view.body["state"].as_str(), view.body["round"].as_i64()),
        (Some("submitted"), Some(2))
    );
    let first = item(&view.body, "1");
    assert_eq!(first["rectification_note"], "制度已重新发布");
    let roles: Vec<&str> = first["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["role"].as_str().unwrap())
        .collect();
    assert!(roles.contains(&"rectification"), "{roles:?}");
}
