//! Journey 4: the enterprise sees its task and deadline, ticks people and checks them against
//! every selection rule before submitting (the broken rules listed with the API's codes; the
//! submission of that selection refused with the first), uploads a certificate for a person,
//! submits, reads the rejection's opinion, submits again and follows the progress once
//! approved. Over plain HTTP: another enterprise reaches nothing of the task (the API's
//! not-found), a form without its token is refused, and a rectification notice is answered
//! with the report and its PDF, a refused check-in appealed, and a person who left during
//! check-in to be replaced (checked and submitted as the API's replacement) (refused first without the PDF, with the API's code and field
//! message).

use serde_json::json;

use super::{session, sign_in, A, B};
use crate::both_engines;
use crate::console::{artefact, browser, client};
use crate::files::pdf;
use crate::harness::{Engine, TestApp};
use crate::verification::deadlines::enterprise_token_now;
use crate::verification::review::at;
use crate::verification::{approved, check_in, review, select, set_site, setup, Setup};

both_engines!(
    an_enterprise_checks_submits_and_follows_its_selection,
    another_enterprise_reaches_nothing_of_the_task,
    a_rectification_notice_is_answered_with_the_report,
    a_refused_check_in_is_appealed,
    someone_who_left_is_to_be_replaced
);

/// The task's state as the API tells enterprise A.
async fn state_of(s: &Setup) -> String {
    let task = s
        .app
        .get(&format!("/api/v1/verification/tasks/{}", s.task), Some(&s.a))
        .await;
    task.body["state"].as_str().unwrap().to_owned()
}

/// The codes of the rules the page lists as broken.
async fn broken(browser: &crate::console::Browser) -> Vec<String> {
    browser.find("#rules-broken").await;
    let codes = browser
        .run("return [...document.querySelectorAll('#rules-broken li')].map(li => li.dataset.code)")
        .await;
    serde_json::from_value(codes).unwrap()
}

async fn an_enterprise_checks_submits_and_follows_its_selection(engine: Engine) {
    let s = setup(engine).await;
    set_site(&s).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &s.app, A, &s.passwords.0).await;
    browser.submit(r#"nav a[href="/enterprise/verification"]"#).await;
    let row = format!(r#"#tasks tr[data-task="{}"]"#, s.task);
    assert!(browser.text(&row).await.contains("测试资质 一级"));
    assert_eq!(browser.text(&format!("{row} .deadline")).await, "2027-01-01");
    browser.submit(&format!(r#"a[data-open="{}"]"#, s.task)).await;
    assert_eq!(
        browser
            .run("return document.querySelector('#task-state').dataset.state")
            .await,
        "open"
    );
    let lead_row = browser
        .text(&format!(r#"tr[data-candidate="{}"] .holds"#, s.lead))
        .await;
    assert!(
        lead_row.contains("技术负责人") && lead_row.contains("注册证"),
        "{lead_row}"
    );

    // Only the titled person: the live check lists every rule broken, with the API's codes.
    browser.click(&format!("#pick-{}", s.titled)).await;
    browser.submit("#check-selection").await;
    assert_eq!(
        broken(&browser).await,
        [
            "verification.technical_lead_missing",
            "verification.too_few_in_total",
            "verification.too_few_registered"
        ]
    );
    assert!(browser
        .text("#rules-broken")
        .await
        .contains("技术负责人必须选为打卡人员"));
    browser
        .screenshot(&artefact("enterprise-verification-check", engine))
        .await;
    assert_eq!(
        browser
            .run(&format!("return document.querySelector('#pick-{}').checked", s.titled))
            .await,
        true,
        "the ticks stay"
    );
    // Submitting it anyway: the API's refusal, the first rule broken.
    browser.submit("#submit-selection").await;
    assert_eq!(
        browser.text("#notice-code").await,
        "verification.technical_lead_missing"
    );
    assert_eq!(state_of(&s).await, "open", "nothing submitted");

    // A registration certificate for the titled person, through the API's act.
    browser
        .click(&format!(r#"summary[data-add-certificate="{}"]"#, s.titled))
        .await;
    browser.fill(&format!("#name-{}", s.titled), "二级注册建造师").await;
    browser.fill(&format!("#number-{}", s.titled), "鲁237060800123").await;
    browser
        .run(&format!(
            "document.querySelector('#valid-{}').value = '2029-06-30'",
            s.titled
        ))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("注册证.pdf");
    std::fs::write(&scan, pdf(3000)).unwrap();
    browser.choose_file(&format!("#file-{}", s.titled), &scan).await;
    browser
        .click(&format!(r#"button[data-send-certificate="{}"]"#, s.titled))
        .await;
    assert_eq!(browser.wait_text("#notice-message", "已上传").await, "已上传证件。");
    let holds = browser
        .text(&format!(r#"tr[data-candidate="{}"] .holds"#, s.titled))
        .await;
    assert!(holds.contains("注册证") && holds.contains("职称"), "{holds}");
    let certificates = s
        .app
        .get(
            &format!("/api/v1/employment/relations/{}/certificates", s.titled),
            Some(&s.a),
        )
        .await;
    assert_eq!(certificates.body.as_array().unwrap().len(), 2, "the API's record");

    // Both (the page after the upload shows the selection as stored: none yet): every rule
    // met; submitted.
    browser.click(&format!("#pick-{}", s.lead)).await;
    browser.click(&format!("#pick-{}", s.titled)).await;
    browser.submit("#check-selection").await;
    assert_eq!(browser.text("#rules-met").await, "所选人员符合全部要求，可以提交。");
    browser.submit("#submit-selection").await;
    assert_eq!(
        browser.text("#notice-message").await,
        "已提交打卡人员，等待主管部门审核。"
    );
    assert_eq!(state_of(&s).await, "selection_submitted");
    assert_eq!(
        browser.text("#selection-fixed").await,
        "打卡人员已提交，当前状态下不能修改。"
    );

    // Rejected with an opinion: read, and submitted again as it stood.
    review(&s, &s.lixia, "reject").await.expect(200);
    browser
        .goto(&s.app.url(&format!("/enterprise/verification/{}", s.task)))
        .await;
    assert!(browser.text("#reviews .opinion").await.contains("人员证件不清晰"));
    browser.submit("#submit-selection").await;
    assert_eq!(state_of(&s).await, "selection_submitted");

    // Approved: the window and who has checked in.
    review(&s, &s.lixia, "approve").await.expect(200);
    browser
        .goto(&s.app.url(&format!("/enterprise/verification/{}", s.task)))
        .await;
    assert_eq!(
        browser
            .run("return document.querySelector('#task-state').dataset.state")
            .await,
        "checking_in"
    );
    browser.find("#window-end").await;
    let progress = browser
        .run("return [...document.querySelectorAll('#progress td[data-checked-in]')].map(td => td.dataset.checkedIn)")
        .await;
    assert_eq!(progress, json!(["false", "false"]));
    browser.screenshot(&artefact("enterprise-verification", engine)).await;
}

/// A portal page or form answer as (status, body).
async fn portal(app: &TestApp, cookie: &str, path: &str, form: Option<&[(&str, &str)]>) -> (u16, String) {
    let request = match form {
        Some(form) => client().post(app.url(path)).form(form),
        None => client().get(app.url(path)),
    };
    let answer = request
        .header("cookie", format!("zj_enterprise={cookie}"))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

async fn another_enterprise_reaches_nothing_of_the_task(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let path = format!("/enterprise/verification/{}", s.task);
    let (b_cookie, b_csrf) = session(app, B, &s.passwords.1).await;
    let (status, body) = portal(app, &b_cookie, "/enterprise/verification", None).await;
    assert_eq!(status, 200);
    assert!(!body.contains(&s.task) && body.contains("暂无核查任务"), "{body}");
    let (status, body) = portal(app, &b_cookie, &path, None).await;
    assert_eq!(status, 404);
    assert!(body.contains("resource.not_found"), "{body}");
    let picks = [("csrf", b_csrf.as_str()), ("employment_ids", s.lead.as_str())];
    let (status, body) = portal(app, &b_cookie, &format!("{path}/selection"), Some(&picks)).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("resource.not_found"));

    // A's own page; a form without the session's token is refused before anything runs.
    let (cookie, csrf) = session(app, A, &s.passwords.0).await;
    let (status, body) = portal(app, &cookie, &path, None).await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!(r#"data-candidate="{}""#, s.titled)), "{body}");
    let forged = [
        ("employment_ids", s.lead.as_str()),
        ("employment_ids", s.titled.as_str()),
    ];
    let (status, body) = portal(app, &cookie, &format!("{path}/selection"), Some(&forged)).await;
    assert_eq!(status, 403);
    assert!(body.contains("console.form_expired"));
    assert_eq!(state_of(&s).await, "open");

    // The check runs the API's rules and states: a stranger's employment is not qualified.
    let stranger = [("csrf", csrf.as_str()), ("employment_ids", "emp_nobody")];
    let (status, body) = portal(app, &cookie, &format!("{path}/check"), Some(&stranger)).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"data-code="verification.person_not_qualified""#) && body.contains("非本企业人员"),
        "{body}"
    );
    let both = [
        ("csrf", csrf.as_str()),
        ("employment_ids", s.lead.as_str()),
        ("employment_ids", s.titled.as_str()),
    ];
    let (status, body) = portal(app, &cookie, &format!("{path}/selection"), Some(&both)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(state_of(&s).await, "selection_submitted");
    let (status, body) = portal(app, &cookie, &format!("{path}/check"), Some(&both)).await;
    assert_eq!(status, 409, "submitted: the API's state refusal");
    assert!(body.contains("verification.state"), "{body}");
}

async fn a_rectification_notice_is_answered_with_the_report(engine: Engine) {
    let mut s = approved(engine).await;
    let app = &s.app;
    let q = json!({"category": "测试资质", "grade": "一级", "issued_on": "2026-04-01"});
    let qualification = app
        .post(&format!("/api/v1/enterprises/{}/qualifications", s.a_id), q, Some(&s.a))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"enterprise_id": s.a_id, "qualification_id": qualification, "kind": "routine"});
    let routine = app.post("/api/v1/verification/tasks", body, Some(&s.lixia)).await;
    routine.expect(201);
    let first = std::mem::replace(&mut s.task, routine.body["id"].as_str().unwrap().to_owned());
    // The list: the nearest start deadline first (the first task's 2027-01-01, the routine
    // task's a month from today).
    let (cookie, _) = session(app, A, &s.passwords.0).await;
    let (_, list) = portal(app, &cookie, "/enterprise/verification", None).await;
    let position = |task: &str| list.find(&format!(r#"data-task="{task}""#)).expect("listed");
    let routine_first = routine.body["start_deadline"].as_str().unwrap() < "2027-01-01";
    assert_eq!(position(&s.task) < position(&first), routine_first, "{list}");
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    review(&s, &s.lixia, "approve").await.expect(200);
    app.clock.advance_secs(33 * 24 * 3600);
    zhujian::verification::outcomes::close_overdue(&app.state)
        .await
        .unwrap();
    s.a = enterprise_token_now(app, &s.a_id);
    assert_eq!(state_of(&s).await, "rectification");

    let (cookie, csrf) = session(app, A, &s.passwords.0).await;
    let path = format!("/enterprise/verification/{}", s.task);
    let (_, body) = portal(app, &cookie, &path, None).await;
    let notice = body.split(r#"id="rectification""#).nth(1).unwrap_or_default();
    assert!(
        notice.contains(r#"id="rectification-form""#) && notice.contains("2 名"),
        "{body}"
    );

    let url = app.url(&format!("/enterprise/uploads/verification/{}/rectification", s.task));
    let send = |file: Option<Vec<u8>>| {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("report", "已组织人员按期打卡");
        if let Some(bytes) = file {
            let part = reqwest::multipart::Part::bytes(bytes).file_name("整改报告.pdf");
            form = form.part("file", part);
        }
        client()
            .post(url.clone())
            .header("cookie", format!("zj_enterprise={cookie}"))
            .multipart(form)
            .send()
    };
    let refused = send(None).await.unwrap();
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains(r#"<code id="notice-code">request.invalid_fields</code>"#)
            && body.contains("document_id: 请先上传整改报告 PDF"),
        "the API's refusal (its field verification.report_missing): {body}"
    );
    assert!(body.contains(">已组织人员按期打卡</textarea>"), "the report as typed");
    assert_eq!(state_of(&s).await, "rectification");

    let answered = send(Some(pdf(6000))).await.unwrap();
    assert_eq!(answered.status(), 200);
    let body = answered.text().await.unwrap();
    assert!(body.contains("已提交整改报告"), "{body}");
    let task = app
        .get(&format!("/api/v1/verification/tasks/{}", s.task), Some(&s.a))
        .await;
    assert_eq!(
        (task.body["state"].as_str(), task.body["round"].as_i64()),
        (Some("open"), Some(2))
    );
    let document = task.body["rectification"]["report_document_id"].as_str().unwrap();
    assert!(
        body.contains(&format!(r#"data-report="{document}""#)),
        "the report's PDF linked"
    );
}

async fn a_refused_check_in_is_appealed(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let q = crate::people::person(app, "openid-q").await;
    check_in(&s, at(&q, "person-b.jpg", 1000.0))
        .await
        .expect_problem(422, "check_in.outside");
    let attempts = app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&s.a))
        .await;
    let attempt = attempts.body[0]["id"].as_str().unwrap().to_owned();

    let (cookie, csrf) = session(app, A, &s.passwords.0).await;
    let path = format!("/enterprise/verification/{}", s.task);
    let (_, body) = portal(app, &cookie, &path, None).await;
    assert!(
        body.contains(&format!(r#"data-appeal="{attempt}""#)) && body.contains("check_in.outside"),
        "the refusal listed with its code, to appeal: {body}"
    );
    let note = "当日 GPS 信号受高层建筑遮挡，人员确在现场";
    let form = [("csrf", csrf.as_str()), ("attempt", attempt.as_str()), ("note", note)];
    let (status, body) = portal(app, &cookie, &format!("{path}/appeals"), Some(&form)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已提交申诉") && body.contains(note), "{body}");
    assert!(!body.contains(&format!(r#"data-appeal="{attempt}""#)), "appealed once");
    let lodged = app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&s.a))
        .await;
    assert_eq!(lodged.body[0]["awaiting"], "appeal_decision", "the API's appeal");

    // Once only: the API's refusal on the page.
    let (status, body) = portal(app, &cookie, &format!("{path}/appeals"), Some(&form)).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body.contains(r#"<code id="notice-code">check_in.already_appealed</code>"#),
        "{body}"
    );
}

async fn someone_who_left_is_to_be_replaced(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    app.post(
        &format!("/api/v1/employment/relations/{}/end", s.titled),
        json!({"reason": "离职"}),
        Some(&s.a),
    )
    .await
    .expect(200);
    let (cookie, csrf) = session(app, A, &s.passwords.0).await;
    let path = format!("/enterprise/verification/{}", s.task);
    let (_, body) = portal(app, &cookie, &path, None).await;
    assert!(
        body.contains(r#"id="needs-replacement""#) && body.contains(r#"name="mode" value="replacement""#),
        "{body}"
    );
    assert!(
        !body.contains(&format!(r#"data-candidate="{}""#, s.titled)),
        "no longer staff"
    );

    // The lead alone: the replacement's rules, checked first and then refused alike.
    let lead = [
        ("csrf", csrf.as_str()),
        ("mode", "replacement"),
        ("employment_ids", s.lead.as_str()),
    ];
    let (status, body) = portal(app, &cookie, &format!("{path}/check"), Some(&lead)).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"data-code="verification.too_few_in_total""#), "{body}");
    let (status, body) = portal(app, &cookie, &format!("{path}/selection"), Some(&lead)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains(r#"<code id="notice-code">verification.too_few_in_total</code>"#));
    // Keeping the one who left: the API's replacement rule.
    let both = [
        ("csrf", csrf.as_str()),
        ("mode", "replacement"),
        ("employment_ids", s.lead.as_str()),
        ("employment_ids", s.titled.as_str()),
    ];
    let (status, body) = portal(app, &cookie, &format!("{path}/selection"), Some(&both)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains(r#"<code id="notice-code">verification.replacement_keeps_ended</code>"#));
    let (_, body) = portal(app, &cookie, &format!("{path}/check"), Some(&both)).await;
    assert!(
        body.contains(r#"<li data-code="verification.replacement_keeps_ended">"#),
        "the live check lists the replacement's rule too: {body}"
    );
    assert_eq!(state_of(&s).await, "checking_in");

    // In English.
    let (_, body) = portal(app, &cookie, &format!("{path}?lang=en"), None).await;
    assert!(body.contains("Submit the replacement") && body.contains("Someone selected has left"));
}
