//! Journey 5: results. Each category's results, local and non-local apart, graded, filtered,
//! sorted and paged as the API grades them; the exports the API's own; a subject's score
//! broken down and adjusted with a listed reason; refused adjustments shown with the API's code.

use serde_json::{json, Value};

use super::enterprises::{page, seed, swap_by, until};
use super::{artefact, browser, client, console_session, sign_in, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    results_are_graded_sorted_and_paged_as_the_api_grades,
    exports_are_the_apis_files,
    refused_adjustments_show_the_apis_code,
    a_result_is_broken_down_and_adjusted
);

const COUNT: usize = 50;

/// Approved 2026 general-conditions and director assessments for every enterprise but each
/// seventh, at scores that vary with its number (as % of the template's maximum).
async fn approve(app: &TestApp, count: usize) {
    let db = &app.state.db;
    for kind in ["general_conditions", "safety_director"] {
        let template: String =
            sqlx::query_scalar("SELECT id FROM assessment_templates WHERE kind = $1 AND version = 1")
                .bind(kind)
                .fetch_one(db)
                .await
                .unwrap();
        let max: f64 =
            sqlx::query_scalar("SELECT SUM(max_score) FROM assessment_template_items WHERE template_id = $1")
                .bind(&template)
                .fetch_one(db)
                .await
                .unwrap();
        for n in (0..count).filter(|n| n % 7 != 3) {
            let id = format!("{kind}-{n}");
            let share = if kind == "general_conditions" {
                0.5 + (n % 10) as f64 * 0.05
            } else {
                0.6 + (n % 8) as f64 * 0.05
            };
            sqlx::query(
                "INSERT INTO assessments (id, enterprise_id, template_id, kind, period, state, round, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, '2026', 'approved', 1, 'seed', 0, 0)",
            )
            .bind(&id)
            .bind(format!("ent-{n:03}"))
            .bind(&template)
            .bind(kind)
            .execute(db)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO assessment_rounds (assessment_id, round, submitted_by, submitted_at, submit_opinion, finished_by, finished_at, \
                 finish_opinion, outcome, result, self_total, assessed_total) VALUES ($1, 1, 'seed', 0, '提交', 'seed', 0, '通过', 'approved', 'qualified', $2, $2)",
            )
            .bind(&id)
            .bind((max * share * 10.0).round() / 10.0)
            .execute(db)
            .await
            .unwrap();
        }
    }
}

/// The subjects' ids in a results table, in its order.
fn ids(html: &str) -> Vec<String> {
    html.split("<tr data-id=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_owned())
        .collect()
}

/// Every result the API lists for `query`, as (subject id, score, final grade).
async fn api_rows(app: &TestApp, token: &str, category: &str, query: &str) -> Vec<(String, Option<f64>, Value)> {
    let answer = app
        .get(
            &format!("/api/v1/results/{category}?period=2026&per_page=200&{query}"),
            Some(token),
        )
        .await;
    answer.expect(200);
    answer.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["subject_id"].as_str().unwrap().to_owned(),
                r["score"].as_f64(),
                r["final_grade"].clone(),
            )
        })
        .collect()
}

/// The ids by score, highest or lowest first, ungraded last, ties by id.
fn by_score(mut rows: Vec<(String, Option<f64>, Value)>, descending: bool) -> Vec<String> {
    rows.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => {
            let o = x.total_cmp(&y).then_with(|| a.0.cmp(&b.0));
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => {
            if descending {
                b.0.cmp(&a.0)
            } else {
                a.0.cmp(&b.0)
            }
        }
    });
    rows.into_iter().map(|r| r.0).collect()
}

async fn results_are_graded_sorted_and_paged_as_the_api_grades(engine: Engine) {
    let app = TestApp::start(engine).await;
    seed(&app, COUNT).await;
    approve(&app, COUNT).await;
    let city = app.staff_token("city1", "city", None).await;
    let session = console_session(&app, "city1", PASSWORD).await;
    let category = "construction_enterprise";
    let list = |query: &str| format!("/console/results/{category}?period=2026&{query}");

    let local = api_rows(&app, &city, category, "locality=local").await;
    let (status, first) = page(&app, &session, &list("")).await;
    assert_eq!(status, 200);
    assert_eq!(super::enterprises::total(&first), local.len(), "local is the first tab");
    let in_api_order: Vec<String> = local.iter().take(20).map(|r| r.0.clone()).collect();
    assert_eq!(ids(&first), in_api_order);
    let non_local = api_rows(&app, &city, category, "locality=non_local").await;
    let (_, tab) = page(&app, &session, &list("locality=non_local")).await;
    assert_eq!(super::enterprises::total(&tab), non_local.len());
    assert!(tab.contains(r#"aria-current="page" data-locality-tab>外地企业"#));

    // Sorted by the computed score, both ways, and paged: what the API computes, in order.
    let (_, best) = page(&app, &session, &list("sort=score&dir=desc")).await;
    assert_eq!(ids(&best), by_score(local.clone(), true)[..20]);
    let (_, lowest_second) = page(&app, &session, &list("sort=score&dir=asc&page=2")).await;
    assert_eq!(
        ids(&lowest_second),
        by_score(local.clone(), false)[20..local.len().min(40)]
    );
    let first_score = local.iter().find(|r| r.0 == ids(&best)[0]).unwrap().1.unwrap();
    assert!(
        best.contains(&format!("data-score>{first_score:.1}<")),
        "the API's score is shown"
    );

    // Filtered by final grade and district, the sort kept across the pages' links.
    let good = api_rows(&app, &city, category, "locality=local&grade=good").await;
    let (_, filtered) = page(&app, &session, &list("grade=good&sort=score&dir=desc")).await;
    assert_eq!(super::enterprises::total(&filtered), good.len());
    assert!(
        !good.is_empty() && good.len() < local.len(),
        "the seed gives a real filter"
    );
    let (_, district) = page(&app, &session, &list("district=370103")).await;
    let shizhong = api_rows(&app, &city, category, "locality=local&district=370103").await;
    assert_eq!(super::enterprises::total(&district), shizhong.len());

    // A district's staff see their district only, whatever they ask for.
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let own = console_session(&app, "lixia", PASSWORD).await;
    let theirs = api_rows(&app, &lixia, category, "locality=local").await;
    let (_, mine) = page(&app, &own, &list("district=370103")).await;
    assert_eq!(super::enterprises::total(&mine), 0);
    let (_, mine) = page(&app, &own, &list("")).await;
    assert_eq!(super::enterprises::total(&mine), theirs.len());
    assert!(theirs.len() < local.len());

    // The API's refusals of odd input, on the page.
    let (status, bad) = page(&app, &session, "/console/results/bonus?period=2026").await;
    assert_eq!(status, 404);
    assert!(bad.contains(r#"<code id="notice-code">resource.not_found</code>"#));
    let (status, bad) = page(&app, &session, &format!("/console/results/{category}?period=20x6")).await;
    assert_eq!(status, 422);
    assert!(
        bad.contains(r#"<code id="notice-code">request.invalid_fields</code>"#)
            || bad.contains("result.period_invalid"),
        "{bad}"
    );
}

async fn exports_are_the_apis_files(engine: Engine) {
    let app = TestApp::start(engine).await;
    seed(&app, 12).await;
    approve(&app, 12).await;
    let city = app.staff_token("city1", "city", None).await;
    let session = console_session(&app, "city1", PASSWORD).await;
    let (_, list) = page(
        &app,
        &session,
        "/console/results/licence?period=2026&locality=local&grade=good",
    )
    .await;
    assert!(
        list.contains(r#"href="/console/results/licence/export?format=csv&period=2026&locality=local&grade=good""#),
        "{list}"
    );
    for format in ["csv", "xlsx"] {
        let query = format!("format={format}&period=2026&locality=local&grade=good");
        let console = client()
            .get(app.url(&format!("/console/results/licence/export?{query}")))
            .header("cookie", format!("zj_console={session}"))
            .send()
            .await
            .unwrap();
        let api = app
            .client
            .get(app.url(&format!("/api/v1/results/licence/export?{query}")))
            .bearer_auth(&city)
            .send()
            .await
            .unwrap();
        assert_eq!(console.status(), 200);
        for header in ["content-type", "content-disposition"] {
            assert_eq!(console.headers()[header], api.headers()[header], "{header}");
        }
        let (console, api) = (console.bytes().await.unwrap(), api.bytes().await.unwrap());
        if format == "csv" {
            assert_eq!(console, api, "the API's file");
            assert!(
                String::from_utf8_lossy(&console).lines().count() > 1,
                "rows were exported"
            );
        } else {
            assert!(console.starts_with(b"PK") && api.starts_with(b"PK") && console.len() > 1000);
        }
    }
    let signed_out = client()
        .get(app.url("/console/results/licence/export?format=csv&period=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 303, "no file without a session");
}

/// The session's form token, from a page's sign-out form.
async fn form_token(app: &TestApp, session: &str) -> String {
    let (_, home) = page(app, session, "/console/").await;
    let after = home.split(r#"name="csrf" value=""#).nth(1).expect("a form token");
    after.split('"').next().unwrap().to_owned()
}

/// Posts the adjustment form as `session`; the page's status and HTML.
async fn post_adjustment(app: &TestApp, session: &str, subject: &str, action: &str, reason: &str) -> (u16, String) {
    let csrf = form_token(app, session).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("period", "2026"),
        ("action", action),
        ("reason_code", reason),
        ("opinion", "现场检查发现"),
    ];
    let answer = client()
        .post(app.url(&format!("/console/results/licence/{subject}/adjustments")))
        .header("cookie", format!("zj_console={session}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

fn notice_code(html: &str) -> &str {
    let after = html.split(r#"<code id="notice-code">"#).nth(1).expect("a refusal");
    after.split('<').next().unwrap()
}

async fn refused_adjustments_show_the_apis_code(engine: Engine) {
    let app = TestApp::start(engine).await;
    seed(&app, 4).await;
    approve(&app, 4).await;
    let subject = "ent-000"; // 370102, graded
    let api = |token: String, action: &'static str, reason: &'static str| {
        let app = &app;
        async move {
            let body = json!({"period": "2026", "action": action, "reason_code": reason, "opinion": "现场检查发现"});
            app.post(
                &format!("/api/v1/results/licence/{subject}/adjustments"),
                body,
                Some(&token),
            )
            .await
        }
    };
    // A supervisor: the wrong role.
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let session = console_session(&app, "sup1", PASSWORD).await;
    let (status, html) = post_adjustment(&app, &session, subject, "unqualified", "fatal_accident").await;
    let refused = api(supervisor, "unqualified", "fatal_accident").await;
    assert_eq!((status, notice_code(&html)), (refused.status, refused.code()));
    assert_eq!(status, 403);
    // Another district's staff: the subject is not theirs.
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let session = console_session(&app, "shizhong", PASSWORD).await;
    let (status, html) = post_adjustment(&app, &session, subject, "unqualified", "fatal_accident").await;
    api(shizhong, "unqualified", "fatal_accident")
        .await
        .expect_problem(404, "resource.not_found");
    assert_eq!((status, notice_code(&html)), (404, "resource.not_found"));
    // The subject's own district, with a reason not listed for the action: the form comes
    // back with the API's field error, as filled.
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let session = console_session(&app, "lixia", PASSWORD).await;
    let (status, html) = post_adjustment(&app, &session, subject, "promote", "fatal_accident").await;
    let refused = api(lixia.clone(), "promote", "fatal_accident").await;
    assert_eq!((status, notice_code(&html)), (refused.status, refused.code()));
    assert!(html.contains("reason_code: 请从所列调整事项中选择"), "{html}");
    assert!(html.contains(r#"<option value="fatal_accident" selected>"#));
    let after = app
        .get(&format!("/api/v1/results/licence/{subject}?period=2026"), Some(&lixia))
        .await;
    assert_eq!(
        after.body["adjustments"].as_array().unwrap().len(),
        0,
        "nothing was adjusted"
    );
}

async fn a_result_is_broken_down_and_adjusted(engine: Engine) {
    // The city station reviews 市中 only; 历下 reviews its own.
    let app = TestApp::start_with(engine, |s| s.assessments.city_review_districts = vec!["370103".into()]).await;
    seed(&app, COUNT).await;
    approve(&app, COUNT).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let city = app.staff_token("city1", "city", None).await;
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, "lixia", PASSWORD).await;
    browser.submit(r#"nav a[href="/console/results"]"#).await;
    browser.submit(r#".tabs a[href^="/console/results/licence"]"#).await;
    browser.fill("#f-period", "2026").await;
    swap_by(&browser, "#apply-filters").await;
    swap_by(&browser, r#"a.sort[data-sort="score"]"#).await;
    swap_by(&browser, r#"a.sort[data-sort="score"]"#).await;
    until(
        &browser,
        "location.search.includes('sort=score') && location.search.includes('dir=desc')",
    )
    .await;
    let rows = api_rows(&app, &lixia, "licence", "locality=local").await;
    let best = by_score(rows, true)[0].clone();
    until(
        &browser,
        &format!("document.querySelector('#results tbody tr').dataset.id === '{best}'"),
    )
    .await;
    browser.run("window.scrollTo(0, 0)").await;
    browser.screenshot(&artefact("results", engine)).await;

    browser.submit(&format!(r#"tr[data-id="{best}"] a"#)).await;
    let path = browser.url().await;
    let api = app
        .get(&format!("/api/v1/results/licence/{best}?period=2026"), Some(&lixia))
        .await;
    assert_eq!(
        browser.text("#score").await,
        format!("{:.1}", api.body["score"].as_f64().unwrap())
    );
    let breakdown = browser.text("#breakdown").await;
    let value = api.body["inputs"]["general_conditions"].as_f64().unwrap();
    assert!(breakdown.contains(&format!("{value:.1}")), "{breakdown}");
    browser.click(r#"#adjust-action option[value="unqualified"]"#).await;
    browser
        .click(r#"#adjust-reason option[value="accident_concealed"]"#)
        .await;
    browser.fill("#adjust-opinion", "2026 年 9 月迟报一起事故").await;
    browser.submit("#adjust").await;
    assert_eq!(browser.text("#notice-message").await, "等次已调整：不合格");
    assert_eq!(browser.text("#final-grade").await, "不合格");
    assert!(browser
        .text("#adjustments")
        .await
        .contains("瞒报、谎报、迟报生产安全事故"));
    let api = app
        .get(&format!("/api/v1/results/licence/{best}?period=2026"), Some(&lixia))
        .await;
    assert_eq!(api.body["final_grade"], "unqualified", "the API's own act");
    browser.screenshot(&artefact("result-adjusted", engine)).await;

    // The city station, which does not review 历下: the API's refusal, the form as filled.
    browser.submit("#sign-out").await;
    sign_in(&browser, &app, "city1", PASSWORD).await;
    browser.goto(&path).await;
    browser.click(r#"#adjust-action option[value="promote"]"#).await;
    browser
        .click(r#"#adjust-reason option[value="safety_innovation"]"#)
        .await;
    browser.fill("#adjust-opinion", "获省级推广").await;
    browser.submit("#adjust").await;
    assert_eq!(browser.text("#notice-code").await, "assessment.outside_review_scope");
    assert_eq!(browser.text("#adjust-opinion").await, "获省级推广");
    let body =
        json!({"period": "2026", "action": "promote", "reason_code": "safety_innovation", "opinion": "获省级推广"});
    app.post(
        &format!("/api/v1/results/licence/{best}/adjustments"),
        body,
        Some(&city),
    )
    .await
    .expect_problem(403, "assessment.outside_review_scope");
    browser.screenshot(&artefact("result-refused", engine)).await;
}
