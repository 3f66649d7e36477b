//! Final results: computation from approved assessments and daily points, band boundaries,
//! dynamic adjustments, local and non-local lists, exports, jurisdiction.

use serde_json::{json, Value};

use crate::assessments::{create, fill_scored, finish, id_of, review_all, submit, world, World};
use crate::both_engines;
use crate::files::pdf;
use crate::harness::{Answer, Engine, TestApp};
use crate::projects::project;

both_engines!(
    results_are_computed_adjusted_and_exported,
    project_results_count_the_projects_daily_points,
    formula_like_names_are_neutralised_in_csv_and_text_in_xlsx
);

/// Enterprise A's approved 2026 assessments: general conditions at 80 %, director at 100 %.
async fn approved_assessments(w: &World) -> String {
    let app = &w.app;
    let general = create(app, &w.a, "general_conditions", "2026").await;
    fill_scored(app, &w.a, &general, |max| max).await;
    let submitted = submit(app, &w.a, &id_of(&general)).await;
    review_all(app, &w.lixia, &submitted, |n| (n == "1" || n == "2").then_some(0.0)).await;
    assert_eq!(finish(app, &w.lixia, &id_of(&general)).await["state"], "approved");
    let director = create(app, &w.a, "safety_director", "2026").await;
    fill_scored(app, &w.a, &director, |max| max).await;
    let submitted = submit(app, &w.a, &id_of(&director)).await;
    review_all(app, &w.lixia, &submitted, |_| None).await;
    assert_eq!(finish(app, &w.lixia, &id_of(&director)).await["state"], "approved");
    submitted["enterprise_id"].as_str().unwrap().to_owned()
}

/// A passed bonus of `points` for A (the provincial award's value is set to it first).
async fn passed_bonus(w: &World, project: Option<&str>, points: f64) {
    let app = &w.app;
    let set = app
        .client
        .put(app.url("/api/v1/daily-event-types/award_provincial"))
        .bearer_auth(&w.city)
        .json(&json!({"points": points}));
    app.send(set).await.expect(200);
    let evidence = app.upload(&w.a, "material_scan", "奖状.pdf", pdf(2000)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"type_code": "award_provincial", "project_id": project, "occurred_on": "2026-06-01",
                      "description": "省级文明工地", "document_ids": [evidence]});
    let event = id_of(&app.post("/api/v1/daily-events", body, Some(&w.a)).await.body);
    app.post(
        &format!("/api/v1/daily-events/{event}/review"),
        json!({"decision": "pass", "opinion": "属实"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
}

async fn result(w: &World, token: &str, category: &str, subject: &str) -> Value {
    let answer = w
        .app
        .get(
            &format!("/api/v1/results/{category}/{subject}?period=2026"),
            Some(token),
        )
        .await;
    answer.expect(200);
    answer.body
}

async fn set_bands(w: &World, excellent: f64, good: f64, qualified: f64) {
    let body = json!({"weights": {"general_conditions": 1.0}, "bands": {"excellent_from": excellent, "good_from": good, "qualified_from": qualified}});
    let request = w
        .app
        .client
        .put(w.app.url("/api/v1/results/rules/licence"))
        .bearer_auth(&w.city)
        .json(&body);
    w.app.send(request).await.expect(200);
}

async fn adjust(app: &TestApp, token: &str, subject: &str, action: &str, reason: &str) -> Answer {
    let body = json!({"period": "2026", "action": action, "reason_code": reason, "opinion": "依据动态调整规则"});
    app.post(
        &format!("/api/v1/results/licence/{subject}/adjustments"),
        body,
        Some(token),
    )
    .await
}

async fn list(app: &TestApp, token: &str, query: &str) -> Answer {
    app.get(&format!("/api/v1/results/licence?period=2026&{query}"), Some(token))
        .await
}

async fn results_are_computed_adjusted_and_exported(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let a = approved_assessments(&w).await;
    passed_bonus(&w, None, 3.0).await;
    // A non-local enterprise in 历下 with nothing approved yet.
    let outsider = app
        .post(
            "/api/v1/enterprises",
            json!({"credit_code": "91440300MA5F000007", "name": "外地企业", "district_code": "370102",
                   "contact_name": "周七", "contact_phone": "13912340000", "locality": "non_local"}),
            Some(&w.city),
        )
        .await;
    outsider.expect(201);
    let outsider = id_of(&outsider.body);

    // Each category weighs its inputs: 0.3×80 + 0.7×100 + 3 = 97; 80; 0.5×80 + 0.5×100 + 3 = 93.
    let director = result(&w, &w.lixia, "safety_director", &a).await;
    assert_eq!(
        director["inputs"],
        json!({"general_conditions": 80.0, "safety_director": 100.0, "project": null, "daily": 3.0})
    );
    assert_eq!(
        (director["score"].as_f64(), director["final_grade"].as_str()),
        (Some(97.0), Some("excellent"))
    );
    let licence = result(&w, &w.lixia, "licence", &a).await;
    assert_eq!(
        (licence["score"].as_f64(), licence["final_grade"].as_str()),
        (Some(80.0), Some("good"))
    );
    let enterprise = result(&w, &w.a, "construction_enterprise", &a).await;
    assert_eq!(
        (enterprise["score"].as_f64(), enterprise["computed_grade"].as_str()),
        (Some(93.0), Some("excellent"))
    );
    let incomplete = result(&w, &w.city, "construction_enterprise", &outsider).await;
    assert_eq!(incomplete["missing"], json!(["general_conditions", "safety_director"]));
    assert_eq!(incomplete["final_grade"], Value::Null);

    // Band boundaries: a score of exactly a lower bound reaches the band; 0.1 less does not.
    for (bands, grade) in [
        ((80.0, 70.0, 60.0), "excellent"),
        ((80.1, 80.0, 60.0), "good"),
        ((80.1, 80.1, 80.0), "qualified"),
        ((80.2, 80.2, 80.1), "unqualified"),
    ] {
        set_bands(&w, bands.0, bands.1, bands.2).await;
        assert_eq!(
            result(&w, &w.lixia, "licence", &a).await["computed_grade"],
            grade,
            "{bands:?}"
        );
    }
    set_bands(&w, 90.0, 80.0, 60.0).await;
    let rules = |token: &str, body: Value| {
        app.send(
            app.client
                .put(app.url("/api/v1/results/rules/licence"))
                .bearer_auth(token)
                .json(&body),
        )
    };
    let good_body = json!({"weights": {"general_conditions": 1.0}, "bands": {"excellent_from": 90, "good_from": 80, "qualified_from": 60}});
    rules(&w.lixia, good_body)
        .await
        .expect_problem(403, "auth.forbidden_role");
    let wrong = rules(
        &w.city,
        json!({"weights": {"daily": 1.0}, "bands": {"excellent_from": 50, "good_from": 80, "qualified_from": 60}}),
    )
    .await;
    let codes: Vec<&str> = wrong.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["result.weights_invalid", "result.bands_invalid"]);

    // Dynamic adjustments: up one grade, or straight to unqualified; each is kept.
    adjust(app, &w.shizhong, &a, "promote", "provincial_standard_site")
        .await
        .expect_problem(404, "resource.not_found");
    adjust(app, &w.a, &a, "promote", "provincial_standard_site")
        .await
        .expect_problem(403, "auth.forbidden_role");
    let mismatched = adjust(app, &w.lixia, &a, "promote", "fatal_accident").await;
    assert_eq!(mismatched.body["errors"][0]["code"], "result.reason_unknown");
    let promoted = adjust(app, &w.lixia, &a, "promote", "provincial_standard_site").await;
    promoted.expect(201);
    assert_eq!(
        (
            promoted.body["computed_grade"].as_str(),
            promoted.body["final_grade"].as_str()
        ),
        (Some("good"), Some("excellent"))
    );
    assert_eq!(
        promoted.body["adjustments"][0]["reason"],
        "获评省级及以上安全生产标准化工地"
    );
    adjust(app, &w.city, &a, "promote", "safety_innovation")
        .await
        .expect_problem(409, "result.adjustment_changes_nothing");
    let demoted = adjust(app, &w.city, &a, "unqualified", "fatal_accident").await;
    assert_eq!(demoted.body["final_grade"], "unqualified");
    let kept: Vec<(&str, &str, &str)> = demoted.body["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["action"].as_str().unwrap(),
                x["from_grade"].as_str().unwrap(),
                x["to_grade"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("promote", "good", "excellent"),
            ("unqualified", "excellent", "unqualified")
        ]
    );
    adjust(app, &w.city, &outsider, "unqualified", "fatal_accident")
        .await
        .expect_problem(409, "result.incomplete");

    // Lists: local and non-local apart, filtered by district and final grade, within scope.
    let ids = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["subject_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(&list(app, &w.city, "locality=local&grade=unqualified").await.body),
        std::slice::from_ref(&a)
    );
    assert!(ids(&list(app, &w.city, "locality=local&grade=excellent").await.body).is_empty());
    assert_eq!(
        ids(&list(app, &w.city, "locality=non_local").await.body),
        std::slice::from_ref(&outsider)
    );
    let all_local = list(app, &w.city, "locality=local").await;
    assert_eq!(all_local.body["total"], 2);
    assert_eq!(
        list(app, &w.city, "locality=local&district=370103").await.body["total"],
        1
    );
    assert_eq!(list(app, &w.shizhong, "locality=local").await.body["total"], 1);
    assert!(!ids(&list(app, &w.shizhong, "").await.body).contains(&a));
    assert_eq!(ids(&list(app, &w.a, "").await.body), std::slice::from_ref(&a));
    list(app, &w.city, "").await.expect(200);
    app.get("/api/v1/results/licence?period=26", Some(&w.city))
        .await
        .expect_problem(422, "request.invalid_fields");
    app.get("/api/v1/results/nonsense?period=2026", Some(&w.city))
        .await
        .expect_problem(404, "resource.not_found");

    // Exports: CSV with a BOM, and XLSX with a sheet for local and one for non-local.
    let csv = app
        .get("/api/v1/results/licence/export?format=csv&period=2026", Some(&w.city))
        .await;
    csv.expect(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.header("content-disposition").unwrap().contains("attachment"));
    assert!(csv.text.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{}", csv.text);
    assert!(lines[0].starts_with(
        "企业名称,统一社会信用代码,行政区,本地/外地,一般安全生产条件得分(%),计算得分,计算等次,动态调整,最终等次"
    ));
    let a_line = lines.iter().find(|l| l.starts_with("企业91350100M000100Y43")).unwrap();
    assert!(
        a_line.contains(",80,80,良好,") && a_line.ends_with(",不合格"),
        "{a_line}"
    );
    let outsider_line = lines.iter().find(|l| l.starts_with("外地企业")).unwrap();
    assert!(
        outsider_line.contains("外地") && outsider_line.contains("材料不全"),
        "{outsider_line}"
    );

    let theirs = app
        .get(
            "/api/v1/results/licence/export?format=csv&period=2026",
            Some(&w.shizhong),
        )
        .await;
    assert!(!theirs.text.contains("企业91350100M000100Y43") && theirs.text.contains("企业91110000802100433B"));

    let response = app
        .client
        .get(app.url("/api/v1/results/licence/export?format=xlsx&period=2026"))
        .bearer_auth(&w.city)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().to_vec();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook calamine can read");
    assert_eq!(book.sheet_names(), ["本地企业", "外地企业"]);
    let local = book.worksheet_range("本地企业").unwrap();
    assert_eq!(local.height(), 3);
    let a_row = local
        .rows()
        .find(|r| r[0] == Data::String("企业91350100M000100Y43".into()))
        .unwrap();
    assert_eq!(a_row[4], Data::Float(80.0));
    assert_eq!(a_row[7], Data::String("良好→优秀：获评省级及以上安全生产标准化工地（依据动态调整规则）；优秀→不合格：发生造成人员死亡的生产安全事故（依据动态调整规则）".into()));
    assert_eq!(a_row[8], Data::String("不合格".into()));
    assert_eq!(book.worksheet_range("外地企业").unwrap().height(), 2);
}

/// An enterprise named like a spreadsheet formula: the CSV shows the name with a leading `'`
/// (never a formula), the XLSX keeps it as plain text.
async fn formula_like_names_are_neutralised_in_csv_and_text_in_xlsx(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let name = r#"=HYPERLINK("http://x.example","点我")"#;
    app.post(
        "/api/v1/enterprises",
        json!({"credit_code": "91440300MA5F000007", "name": name, "district_code": "370102",
               "contact_name": "周七", "contact_phone": "13912340000"}),
        Some(&w.city),
    )
    .await
    .expect(201);
    let csv = app
        .get("/api/v1/results/licence/export?format=csv&period=2026", Some(&w.city))
        .await;
    csv.expect(200);
    assert!(
        csv.text
            .contains("\r\n\"'=HYPERLINK(\"\"http://x.example\"\",\"\"点我\"\")\","),
        "{}",
        csv.text
    );
    let rows = zhujian::platform::imports::records(&csv.text);
    assert!(rows.iter().any(|(_, r)| r[0] == format!("'{name}")), "{}", csv.text);
    assert!(!rows.iter().any(|(_, r)| r[0].starts_with('=')));

    let response = app
        .client
        .get(app.url("/api/v1/results/licence/export?format=xlsx&period=2026"))
        .bearer_auth(&w.city)
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap().to_vec();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let local = book.worksheet_range("本地企业").unwrap();
    assert!(local.rows().any(|r| r[0] == Data::String(name.into())));
    let formulas = book.worksheet_formula("本地企业").unwrap();
    assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "no formulas");
}

async fn project_results_count_the_projects_daily_points(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let project_id = id_of(
        &app.post(
            "/api/v1/projects",
            project("P-9", "370102", "91350100M000100Y43"),
            Some(&w.city),
        )
        .await
        .body,
    );
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let started = app
        .post(
            &format!("/api/v1/projects/{project_id}/assessments"),
            json!({"period": "2026"}),
            Some(&supervisor),
        )
        .await;
    let path = format!("/api/v1/project-assessments/{}", id_of(&started.body));
    let form = app
        .upload(&supervisor, "supervision_form", "表.pdf", pdf(1500))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("{path}/documents"),
        json!({"document_id": form, "role": "signed_form"}),
        Some(&supervisor),
    )
    .await
    .expect(201);
    let scores: Vec<Value> = (1..=10)
        .map(|n| json!({"number": n.to_string(), "score": if n == 10 { 4.0 } else { 9.0 }}))
        .collect();
    let details = json!({"scores": scores, "inspection_details": "良好", "inspecting_unit": "监督站", "person_in_charge": "王五",
                         "person_phone": "13800000000", "supervision_level": "二级"});
    app.send(app.client.put(app.url(&path)).bearer_auth(&supervisor).json(&details))
        .await
        .expect(200);
    app.post(&format!("{path}/submit"), json!({}), Some(&supervisor))
        .await
        .expect(200);

    // Not counted until the city station passes it.
    let pending = result(&w, &w.city, "project", &project_id).await;
    assert_eq!(pending["missing"], json!(["project"]));
    app.post(
        &format!("{path}/review"),
        json!({"decision": "pass", "opinion": "同意"}),
        Some(&w.city),
    )
    .await
    .expect(200);
    passed_bonus(&w, Some(&project_id), 3.0).await;
    passed_bonus(&w, None, 5.0).await;
    let graded = result(&w, &w.lixia, "project", &project_id).await;
    assert_eq!(graded["inputs"]["project"], 85.0);
    assert_eq!(graded["inputs"]["daily"], 3.0);
    assert_eq!(
        (graded["score"].as_f64(), graded["final_grade"].as_str()),
        (Some(88.0), Some("good"))
    );
    assert_eq!(graded["subject_code"], "P-9");
    w.app
        .get(&format!("/api/v1/results/project/{project_id}?period=2026"), Some(&w.b))
        .await
        .expect_problem(404, "resource.not_found");
}
