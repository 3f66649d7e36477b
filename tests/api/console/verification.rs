//! Journey 3, verification: the open tasks, a selection reviewed with its certificates
//! previewed, the progress with each attempt (selfie, distance, flags) and the site's plan, a
//! flagged attempt confirmed; refused for a district that is not the task's. Tasks are set up
//! through the API as its own tests do (`verification::{setup, select, set_site}`).

use serde_json::Value;

use super::{artefact, browser, client, console_session, sign_in, PASSWORD};
use crate::both_engines;
use crate::harness::Engine;
use crate::people::person;
use crate::verification::review::flagged;
use crate::verification::{select, set_site, setup, Setup};

both_engines!(
    a_selection_is_reviewed_and_a_flagged_check_in_confirmed,
    another_district_reaches_nothing_of_the_task,
    the_exports_are_the_apis,
    a_rectification_notice_and_its_report_are_shown
);

/// A task whose selection awaits review, the site recorded.
async fn submitted(engine: Engine) -> Setup {
    let s = setup(engine).await;
    set_site(&s).await;
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    s
}

/// The task's attempts as the API lists them to staff.
async fn attempts(s: &Setup) -> Vec<Value> {
    let answer = s
        .app
        .get(
            &format!("/api/v1/verification/tasks/{}/check-ins", s.task),
            Some(&s.lixia),
        )
        .await;
    answer.expect(200);
    answer.body.as_array().unwrap().clone()
}

async fn a_selection_is_reviewed_and_a_flagged_check_in_confirmed(engine: Engine) {
    let s = submitted(engine).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &s.app, "lixia", PASSWORD).await;

    // The open tasks, filtered to those whose selection awaits review.
    browser
        .goto(&s.app.url("/console/verification/tasks?state=selection_submitted"))
        .await;
    let row = format!(r#"#tasks tr[data-task="{}"]"#, s.task);
    assert!(browser.text(&row).await.contains("测试资质 一级"));
    browser.submit(&format!("{row} a")).await;
    assert_eq!(browser.text("#task-state").await, "人员待审核");

    // Who was selected, with their certificates' scans (PDFs) in frames.
    let selection = browser.text("#selection").await;
    assert!(
        selection.contains("一级注册建造师") && selection.contains("高级工程师"),
        "{selection}"
    );
    let frames = browser
        .run("return [...document.querySelectorAll('#selection iframe')].map(f => f.getAttribute('src'))")
        .await;
    let frames = frames.as_array().unwrap();
    assert_eq!(frames.len(), 2, "one scan per person: {frames:?}");
    for src in frames {
        assert!(src.as_str().unwrap().starts_with("/console/documents/"), "{src}");
    }

    browser.fill("#opinion", "人员证件齐全").await;
    browser.submit("#approve").await;
    assert_eq!(browser.text("#notice-message").await, "已提交审核结果。");
    assert_eq!(browser.text("#task-state").await, "打卡中");
    let task = s
        .app
        .get(&format!("/api/v1/verification/tasks/{}", s.task), Some(&s.lixia))
        .await;
    assert_eq!(task.body["state"], "checking_in", "the API's review took place");
    assert_eq!(task.body["reviews"][0]["opinion"], "人员证件齐全");

    // The technical lead checks in with a mock location: flagged, 30 m north of the site.
    let p = person(&s.app, "openid-p").await;
    let attempt = flagged(&s, &p, "person-a-selfie.jpg").await;
    let api = attempts(&s).await;
    let measured = api.iter().find(|a| a["id"] == attempt.as_str()).unwrap();

    browser.submit("#progress-link").await;
    let line = format!(r#"#attempts tr[data-attempt="{attempt}"]"#);
    let distance = format!("{:.0}", measured["distance_m"].as_f64().unwrap());
    assert_eq!(browser.text(&format!("{line} .distance")).await, distance);
    assert_eq!(
        browser.text(&format!("{line} .face-distance")).await,
        format!("{:.3}", measured["face_distance"].as_f64().unwrap())
    );
    assert_eq!(browser.text(&format!("{line} [data-flag]")).await, "模拟定位");
    // The thumbnail loads after the page: wait for it.
    let script = format!(
        "const i = document.querySelector('{line} img.thumb'); return [i.getAttribute('src'), i.complete ? i.naturalWidth : 0]"
    );
    let thumb = browser
        .wait_script(&script, |thumb| thumb[1].as_u64().unwrap_or_default() > 0)
        .await;
    assert_eq!(
        thumb[0],
        format!("/console/verification/check-ins/{attempt}/selfie").as_str()
    );
    assert!(thumb[1].as_u64().unwrap() > 0, "the selfie is served and shown");
    // The plan: the site's 300 m fence and the attempt, amber (flagged), inside it.
    let plan = browser
        .run(
            "const f = document.querySelector('#plan #fence'), p = document.querySelector('#plan g.attempt circle'); \
             return [f.tagName, +f.getAttribute('r'), +f.getAttribute('cx'), +f.getAttribute('cy'), \
                     p.getAttribute('fill'), +p.getAttribute('cx'), +p.getAttribute('cy'), \
                     document.querySelector('#scale-bar text').textContent]",
        )
        .await;
    assert_eq!(plan[0], "circle");
    assert_eq!(plan[4], "#f79009");
    let (r, cx, cy) = (
        plan[1].as_f64().unwrap(),
        plan[2].as_f64().unwrap(),
        plan[3].as_f64().unwrap(),
    );
    let (px, py) = (plan[5].as_f64().unwrap(), plan[6].as_f64().unwrap());
    assert!((px - cx).abs() < 1.0, "due north of the centre");
    assert!(
        ((cy - py) - r * 30.0 / 300.0).abs() < 1.0,
        "30 m of a 300 m radius up: {plan:?}"
    );
    assert!(plan[7].as_str().unwrap().ends_with(" m"));
    browser.screenshot(&artefact("verification-progress", engine)).await;
    browser.run("document.querySelector('#plan').scrollIntoView()").await;
    browser.screenshot(&artefact("verification-plan", engine)).await;

    browser
        .fill(&format!("#opinion-{attempt}"), "现场核实：定位软件为企业考勤所用")
        .await;
    browser.submit(&format!(r#"button[data-confirm="{attempt}"]"#)).await;
    assert_eq!(browser.text("#notice-message").await, "已提交复核结果。");
    assert_eq!(
        browser
            .run(&format!("return document.querySelector('{line}').dataset.outcome"))
            .await,
        "accepted"
    );
    let api = attempts(&s).await;
    let decided = api.iter().find(|a| a["id"] == attempt.as_str()).unwrap();
    assert_eq!(decided["outcome"], "accepted", "the API's decision took place");
    assert_eq!(decided["decisions"][0]["decision"], "confirm");

    // Deciding it again is refused as the API refuses it.
    let session = browser.cookie("zj_console").await.unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let csrf = browser
        .run("return document.querySelector('input[name=csrf]').value")
        .await;
    let again = client()
        .post(s.app.url(&format!("/console/verification/check-ins/{attempt}/review")))
        .header("cookie", format!("zj_console={session}"))
        .form(&[
            ("csrf", csrf.as_str().unwrap()),
            ("task", s.task.as_str()),
            ("decision", "void"),
            ("opinion", "再次复核"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("check_in.not_under_review"));

    // Another district's reviewer signs in: the task is not theirs, as the API says.
    browser.submit("#sign-out").await;
    sign_in(&browser, &s.app, "shizhong", PASSWORD).await;
    browser
        .goto(&s.app.url(&format!("/console/verification/tasks/{}", s.task)))
        .await;
    assert_eq!(browser.text("#notice-code").await, "resource.not_found");
    let api = s
        .app
        .get(&format!("/api/v1/verification/tasks/{}", s.task), Some(&s.shizhong))
        .await;
    api.expect_problem(404, "resource.not_found");
    assert_eq!(
        browser.text("#notice-message").await,
        api.body["detail"].as_str().unwrap()
    );
}

/// A console GET with a session: its status and body.
async fn get(s: &Setup, session: &str, path: &str) -> (u16, Vec<u8>, String) {
    let answer = client()
        .get(s.app.url(path))
        .header("cookie", format!("zj_console={session}"))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, answer.bytes().await.unwrap().to_vec(), content_type)
}

async fn another_district_reaches_nothing_of_the_task(engine: Engine) {
    let s = submitted(engine).await;
    crate::verification::review(&s, &s.lixia, "approve").await.expect(200);
    let p = person(&s.app, "openid-p").await;
    let attempt = flagged(&s, &p, "person-a-selfie.jpg").await;
    s.app.staff_token("admin1", "sysadmin", None).await;

    let lixia = console_session(&s.app, "lixia", PASSWORD).await;
    let shizhong = console_session(&s.app, "shizhong", PASSWORD).await;
    let admin = console_session(&s.app, "admin1", PASSWORD).await;
    let task = format!("/console/verification/tasks/{}", s.task);
    let selfie = format!("/console/verification/check-ins/{attempt}/selfie");

    let (status, body, _) = get(&s, &lixia, "/console/verification/tasks").await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(body).unwrap().contains(&s.task));
    // Filtered by state, as the API filters (`GET /verification/tasks?state=`).
    for (state, listed) in [("checking_in", true), ("passed", false)] {
        let api = s
            .app
            .get(&format!("/api/v1/verification/tasks?state={state}"), Some(&s.lixia))
            .await;
        api.expect(200);
        assert_eq!(api.body.as_array().unwrap().len(), usize::from(listed), "{state}");
        let path = format!("/console/verification/tasks?state={state}");
        let (status, body, _) = get(&s, &lixia, &path).await;
        assert_eq!(status, 200);
        assert_eq!(String::from_utf8(body).unwrap().contains(&s.task), listed, "{state}");
    }
    let (status, body, content_type) = get(&s, &lixia, &selfie).await;
    assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
    assert!(body.starts_with(&[0xFF, 0xD8]), "a JPEG");

    let (status, body, _) = get(&s, &shizhong, "/console/verification/tasks").await;
    assert_eq!(status, 200);
    assert!(!String::from_utf8(body).unwrap().contains(&s.task), "not listed");
    for path in [
        task.clone(),
        format!("{task}/progress"),
        format!("{task}/progress.csv"),
        selfie.clone(),
    ] {
        let (status, body, _) = get(&s, &shizhong, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            String::from_utf8(body).unwrap().contains("resource.not_found"),
            "{path}"
        );
    }
    // A system administrator sees no person: refused by role, as by the API.
    let admin_token = s.app.login_staff("admin1", PASSWORD).await;
    let api = s.app.get("/api/v1/verification/tasks", Some(&admin_token)).await;
    let code = api.body["code"].as_str().unwrap().to_owned();
    let (status, body, _) = get(&s, &admin, &task).await;
    assert_eq!(status, api.status);
    assert!(String::from_utf8(body).unwrap().contains(&code), "{code}");
}

async fn the_exports_are_the_apis(engine: Engine) {
    let s = submitted(engine).await;
    crate::verification::review(&s, &s.lixia, "approve").await.expect(200);
    let p = person(&s.app, "openid-p").await;
    flagged(&s, &p, "person-a-selfie.jpg").await;
    let lixia = console_session(&s.app, "lixia", PASSWORD).await;
    for (ext, content_type) in [
        ("csv", "text/csv; charset=utf-8"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let path = format!("/verification/tasks/{}/progress.{ext}", s.task);
        let (status, body, got) = get(&s, &lixia, &format!("/console{path}")).await;
        assert_eq!((status, got.as_str()), (200, content_type), "{ext}");
        let api = s
            .app
            .client
            .get(s.app.url(&format!("/api/v1{path}")))
            .bearer_auth(&s.lixia)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        if ext == "csv" {
            assert_eq!(body, api.to_vec(), "the same file as the API's");
            let text = String::from_utf8(body).unwrap();
            assert!(text.contains("复核标记") && text.contains("mock_location"), "{text}");
        } else {
            assert!(body.starts_with(b"PK") && api.starts_with(b"PK"), "a workbook");
            assert_eq!(body.len(), api.len(), "the same workbook");
        }
    }
}

/// A routine task closed overdue: its notice on the task page, then the enterprise's report,
/// as the API's task shows them.
async fn a_rectification_notice_and_its_report_are_shown(engine: Engine) {
    let mut s = crate::verification::approved(engine).await;
    let app = &s.app;
    let q = serde_json::json!({"category": "测试资质", "grade": "一级", "issued_on": "2026-04-01"});
    let qualification = app
        .post(&format!("/api/v1/enterprises/{}/qualifications", s.a_id), q, Some(&s.a))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = serde_json::json!({"enterprise_id": s.a_id, "qualification_id": qualification, "kind": "routine"});
    let routine = app.post("/api/v1/verification/tasks", body, Some(&s.lixia)).await;
    routine.expect(201);
    s.task = routine.body["id"].as_str().unwrap().to_owned();
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    crate::verification::review(&s, &s.lixia, "approve").await.expect(200);
    app.clock.advance_secs(33 * 24 * 3600);
    zhujian::verification::outcomes::close_overdue(&app.state)
        .await
        .unwrap();

    let staff = app.login_staff("lixia", PASSWORD).await;
    let path = format!("/verification/tasks/{}", s.task);
    let api = app.get(&format!("/api/v1{path}"), Some(&staff)).await;
    assert_eq!(api.body["state"], "rectification");
    let notice = &api.body["rectification"];
    let reasons = notice["reasons"].as_str().unwrap();
    assert!(reasons.contains("2 名"), "{reasons}");
    let session = console_session(app, "lixia", PASSWORD).await;
    let (status, page, _) = get(&s, &session, &format!("/console{path}")).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains(notice["deadline"].as_str().unwrap()) && page.contains(reasons));
    assert!(page.contains("企业尚未提交整改报告。"));

    let a = crate::verification::deadlines::enterprise_token_now(app, &s.a_id);
    let pdf = app
        .upload(&a, "material_scan", "整改报告.pdf", crate::files::pdf(6000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let report = serde_json::json!({"report": "已组织人员按期打卡", "document_id": pdf});
    app.post(&format!("/api/v1{path}/rectification"), report, Some(&a))
        .await
        .expect(200);
    let (_, page, _) = get(&s, &session, &format!("/console{path}")).await;
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("已组织人员按期打卡"), "the report");
    assert!(
        page.contains(&format!(r#"<iframe src="/console/documents/{pdf}""#)),
        "its PDF previewed"
    );
}
