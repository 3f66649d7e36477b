//! Projects and supervisors' project assessments.

use serde_json::{json, Value};

use crate::both_engines;
use crate::files::pdf;
use crate::harness::{Engine, TestApp};

both_engines!(
    projects_are_registered_by_staff_and_imported_from_csv,
    supervisors_fill_and_the_city_station_reviews_project_assessments,
);

const LIXIA: &str = "370102";
const SHIZHONG: &str = "370103";
const A_CODE: &str = "91350100M000100Y43";
const B_CODE: &str = "91110000802100433B";

pub struct Setup {
    pub app: TestApp,
    pub city: String,
    pub lixia: String,
    pub shizhong: String,
    pub a: String,
    pub b: String,
}

pub async fn setup(engine: Engine) -> Setup {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some(LIXIA)).await;
    let shizhong = app.staff_token("shizhong", "district", Some(SHIZHONG)).await;
    let mut tokens = Vec::new();
    for (code, district, phone) in [(A_CODE, LIXIA, "13912345678"), (B_CODE, SHIZHONG, "13912345679")] {
        let (_, password) = app.enterprise_account(&city, code, district, phone).await;
        tokens.push(
            app.enterprise_token(code, &password).await.body["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let b = tokens.pop().unwrap();
    let a = tokens.pop().unwrap();
    Setup {
        app,
        city,
        lixia,
        shizhong,
        a,
        b,
    }
}

pub fn project(permit: &str, district: &str, credit_code: &str) -> Value {
    json!({"permit_number": permit, "name": format!("项目{permit}"), "location": "历下区经十路 1 号",
           "district_code": district, "enterprise_credit_code": credit_code, "project_manager": "李四",
           "building_area": 12000.5})
}

async fn listed(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/projects", Some(token)).await.body
}

fn ids(answer: &Value) -> Vec<&str> {
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect()
}

async fn projects_are_registered_by_staff_and_imported_from_csv(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let created = app
        .post("/api/v1/projects", project("P-001", LIXIA, A_CODE), Some(&s.city))
        .await;
    created.expect(201);
    assert_eq!(created.body["enterprise_credit_code"], A_CODE);
    assert_eq!(created.body["building_area"], 12000.5);
    let id = created.body["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/projects", project("P-001", LIXIA, A_CODE), Some(&s.lixia))
        .await
        .expect_problem(409, "project.permit_taken");
    let unknown = app
        .post(
            "/api/v1/projects",
            project("P-002", LIXIA, "91110108551385082Q"),
            Some(&s.lixia),
        )
        .await;
    unknown.expect_problem(422, "request.invalid_fields");
    assert_eq!(unknown.body["errors"][0]["code"], "project.enterprise_unknown");
    let mut bad_area = project("P-003", LIXIA, A_CODE);
    bad_area["building_area"] = json!(-5);
    let refused = app.post("/api/v1/projects", bad_area, Some(&s.lixia)).await;
    assert_eq!(refused.body["errors"][0]["code"], "project.area_invalid");
    app.post("/api/v1/projects", project("P-004", LIXIA, A_CODE), Some(&s.shizhong))
        .await
        .expect_problem(403, "project.outside_district");
    app.post("/api/v1/projects", project("P-005", LIXIA, A_CODE), Some(&s.a))
        .await
        .expect_problem(403, "auth.forbidden_role");

    let csv = format!(
        "permit_number,name,location,district_code,enterprise_credit_code,project_manager,building_area\n\
         P-010,导入项目,市中区,{SHIZHONG},{B_CODE},赵六,800\n\
         P-011,导入项目,历下区,{LIXIA},{A_CODE},赵六,800\n\
         P-001,重复项目,历下区,{SHIZHONG},{B_CODE},赵六,\n\
         P-012,面积错误,市中区,{SHIZHONG},{B_CODE},赵六,八百\n"
    );
    let import = |token: &str, body: String| {
        let request = app
            .client
            .post(app.url("/api/v1/projects/import"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(body);
        app.send(request)
    };
    let report = import(&s.shizhong, csv).await;
    report.expect(200);
    assert_eq!(
        (report.body["created"].as_u64(), report.body["refused"].as_u64()),
        (Some(1), Some(3))
    );
    let codes: Vec<&str> = report.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["errors"][0]["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        ["", "project.outside_district", "project.permit_taken", "field.invalid"]
    );
    assert_eq!(report.body["rows"][3]["line"], 5);
    import(&s.city, "permit_number,name\nP-1,x\n".into())
        .await
        .expect_problem(422, "import.columns_missing");
    import(&s.a, "permit_number\n".into())
        .await
        .expect_problem(403, "auth.forbidden_role");

    // Each sees the projects in their scope.
    let supervisor = app.staff_token("sup1", "supervisor", Some(LIXIA)).await;
    assert_eq!(ids(&listed(app, &s.a).await), [id.as_str()]);
    assert_eq!(ids(&listed(app, &s.lixia).await), [id.as_str()]);
    assert_eq!(ids(&listed(app, &supervisor).await), [id.as_str()]);
    assert_eq!(listed(app, &s.b).await.as_array().unwrap().len(), 1);
    assert_eq!(listed(app, &s.city).await.as_array().unwrap().len(), 2);
    for token in [&s.b, &s.shizhong] {
        app.get(&format!("/api/v1/projects/{id}"), Some(token))
            .await
            .expect_problem(404, "resource.not_found");
    }
}

async fn supervisors_fill_and_the_city_station_reviews_project_assessments(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let project_id = app
        .post("/api/v1/projects", project("P-100", LIXIA, A_CODE), Some(&s.city))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let supervisor = app.staff_token("sup1", "supervisor", Some(LIXIA)).await;
    let other_supervisor = app.staff_token("sup2", "supervisor", Some(LIXIA)).await;
    let far_supervisor = app.staff_token("sup3", "supervisor", Some(SHIZHONG)).await;
    let start = format!("/api/v1/projects/{project_id}/assessments");
    app.post(&start, json!({"period": "2026"}), Some(&far_supervisor))
        .await
        .expect_problem(404, "resource.not_found");
    app.post(&start, json!({"period": "2026"}), Some(&s.lixia))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let started = app.post(&start, json!({"period": "2026"}), Some(&supervisor)).await;
    started.expect(201);
    let body = &started.body;
    assert_eq!(body["enterprise_name"], format!("企业{A_CODE}"));
    assert_eq!(body["project_manager"], "李四");
    assert_eq!(body["district_code"], LIXIA);
    assert_eq!(body["building_area"], 12000.5);
    assert_eq!(body["items"].as_array().unwrap().len(), 10);
    assert_eq!(body["max_total"], 100.0);
    let id = body["id"].as_str().unwrap().to_owned();
    app.post(&start, json!({"period": "2026"}), Some(&supervisor))
        .await
        .expect_problem(409, "assessment.period_taken");
    let path = format!("/api/v1/project-assessments/{id}");

    let out_of_range = app
        .put(
            &path,
            json!({"scores": [{"number": "10", "score": 6}]}),
            Some(&supervisor),
        )
        .await;
    assert_eq!(out_of_range.body["errors"][0]["code"], "assessment.score_out_of_range");
    let saved = app
        .put(
            &path,
            json!({"scores": [{"number": "1", "score": 9.5}], "building_area": 13000, "person_phone": "13800000000"}),
            Some(&supervisor),
        )
        .await;
    saved.expect(200);
    assert_eq!(saved.body["current_total"], 9.5);
    assert_eq!(saved.body["building_area"], 13000.0);
    app.put(&path, json!({"person_phone": "12345"}), Some(&supervisor))
        .await
        .expect_problem(422, "request.invalid_fields");

    let refused = app.post(&format!("{path}/submit"), json!({}), Some(&supervisor)).await;
    refused.expect_problem(422, "assessment.incomplete");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 9 + 4 + 1, "{fields:?}");
    assert!(fields.contains(&"items.2") && fields.contains(&"signed_form") && !fields.contains(&"person_phone"));

    // The signed form is the supervisor's own PDF upload.
    app.upload(&s.a, "supervision_form", "表.pdf", pdf(2000))
        .await
        .expect_problem(403, "document.purpose_not_allowed");
    app.upload(&supervisor, "material_scan", "表.pdf", pdf(2000))
        .await
        .expect_problem(403, "document.purpose_not_allowed");
    let form = app
        .upload(&supervisor, "supervision_form", "考核表.pdf", pdf(2000))
        .await;
    form.expect(201);
    let form = form.body["id"].as_str().unwrap().to_owned();
    let someone_elses = app
        .post(
            &format!("{path}/documents"),
            json!({"document_id": form, "role": "signed_form"}),
            Some(&other_supervisor),
        )
        .await;
    someone_elses.expect_problem(404, "resource.not_found");
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
    app.put(
        &path,
        json!({"scores": scores, "inspection_details": "脚手架连墙件缺失一处", "inspecting_unit": "青岛市建设工程安全监督站",
               "person_in_charge": "王五", "supervision_level": "二级"}),
        Some(&supervisor),
    )
    .await
    .expect(200);
    // Drafts go to the city station only by submission.
    app.post(
        &format!("{path}/review"),
        json!({"decision": "pass", "opinion": "同意"}),
        Some(&s.city),
    )
    .await
    .expect_problem(409, "assessment.state_forbids");
    let submitted = app.post(&format!("{path}/submit"), json!({}), Some(&supervisor)).await;
    submitted.expect(200);
    app.delete(&path, Some(&supervisor))
        .await
        .expect_problem(409, "assessment.state_forbids");
    app.post(&format!("{path}/submit"), json!({}), Some(&supervisor))
        .await
        .expect_problem(409, "assessment.state_forbids");
    assert_eq!(submitted.body["state"], "submitted");
    assert_eq!(submitted.body["total_score"], 85.0);

    // Submitted: read-only to the supervisor; its form is locked.
    app.put(&path, json!({"inspection_details": "改"}), Some(&supervisor))
        .await
        .expect_problem(409, "assessment.state_forbids");
    app.delete(&format!("/api/v1/documents/{form}"), Some(&supervisor))
        .await
        .expect_problem(409, "document.locked");
    // The enterprise sees it only once passed; others never, nor act on it.
    for token in [&s.a, &s.b, &s.shizhong, &other_supervisor] {
        app.get(&path, Some(token))
            .await
            .expect_problem(404, "resource.not_found");
        app.get(&format!("{path}/history"), Some(token))
            .await
            .expect_problem(404, "resource.not_found");
    }
    for answer in [
        app.put(&path, json!({"inspection_details": "改"}), Some(&other_supervisor))
            .await,
        app.delete(&path, Some(&other_supervisor)).await,
        app.post(&format!("{path}/submit"), json!({}), Some(&other_supervisor))
            .await,
        app.delete(&format!("{path}/documents/{form}"), Some(&other_supervisor))
            .await,
    ] {
        answer.expect_problem(404, "resource.not_found");
    }
    for token in [&s.a, &s.lixia] {
        app.put(&path, json!({"inspection_details": "改"}), Some(token))
            .await
            .expect_problem(403, "auth.forbidden_role");
    }
    app.get(&path, Some(&s.lixia)).await.expect(200);

    // Only the city station reviews, with an opinion; a return goes back to the supervisor.
    app.post(
        &format!("{path}/review"),
        json!({"decision": "pass", "opinion": "同意"}),
        Some(&s.lixia),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
    app.post(&format!("{path}/review"), json!({"decision": "return"}), Some(&s.city))
        .await
        .expect_problem(422, "request.invalid_fields");
    let returned = app
        .post(
            &format!("{path}/review"),
            json!({"decision": "return", "opinion": "施工用电评分偏高"}),
            Some(&s.city),
        )
        .await;
    assert_eq!(returned.body["state"], "returned");
    // What was submitted stays: its form cannot be dropped, and the district reads it.
    app.delete(&format!("{path}/documents/{form}"), Some(&supervisor))
        .await
        .expect_problem(409, "assessment.document_submitted");
    app.get(&format!("/api/v1/documents/{form}/link"), Some(&s.lixia))
        .await
        .expect(200);
    app.get(&format!("/api/v1/documents/{form}/link"), Some(&s.shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    let moved = app
        .put(&path, json!({"district_code": SHIZHONG}), Some(&supervisor))
        .await;
    assert_eq!(moved.body["errors"][0]["code"], "project.outside_district");
    app.put(
        &path,
        json!({"scores": [{"number": "7", "score": 7}]}),
        Some(&supervisor),
    )
    .await
    .expect(200);
    app.post(&format!("{path}/submit"), json!({}), Some(&supervisor))
        .await
        .expect(200);
    let passed = app
        .post(
            &format!("{path}/review"),
            json!({"decision": "pass", "opinion": "同意"}),
            Some(&s.city),
        )
        .await;
    assert_eq!(passed.body["state"], "approved");
    assert_eq!(passed.body["total_score"], 83.0);
    app.post(
        &format!("{path}/review"),
        json!({"decision": "pass", "opinion": "同意"}),
        Some(&s.city),
    )
    .await
    .expect_problem(409, "assessment.state_forbids");

    let submissions = app.get(&format!("{path}/submissions"), Some(&s.city)).await;
    let totals: Vec<f64> = submissions
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["total_score"].as_f64().unwrap())
        .collect();
    assert_eq!(totals, [85.0, 83.0]);
    assert_eq!(submissions.body[0]["form"]["items"][6]["score"], 9.0);
    assert_eq!(submissions.body[1]["form"]["items"][6]["score"], 7.0);

    // A deleted draft gives its unsubmitted documents back to the supervisor.
    let other_project = app
        .post("/api/v1/projects", project("P-101", LIXIA, A_CODE), Some(&s.city))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft = app
        .post(
            &format!("/api/v1/projects/{other_project}/assessments"),
            json!({"period": "2026"}),
            Some(&supervisor),
        )
        .await;
    let draft_path = format!("/api/v1/project-assessments/{}", draft.body["id"].as_str().unwrap());
    let spare = app
        .upload(&supervisor, "supervision_form", "草稿.pdf", pdf(1000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("{draft_path}/documents"),
        json!({"document_id": spare, "role": "evidence"}),
        Some(&supervisor),
    )
    .await
    .expect(201);
    app.delete(&format!("/api/v1/documents/{spare}"), Some(&supervisor))
        .await
        .expect_problem(409, "document.in_use");
    app.delete(&draft_path, Some(&supervisor)).await.expect(204);
    app.delete(&format!("/api/v1/documents/{spare}"), Some(&supervisor))
        .await
        .expect(204);

    let seen_by_a = app.get("/api/v1/project-assessments", Some(&s.a)).await;
    assert_eq!(ids(&seen_by_a.body), [id.as_str()]);
    assert!(app
        .get("/api/v1/project-assessments", Some(&s.b))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert!(app
        .get("/api/v1/project-assessments", Some(&other_supervisor))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    let history = app.get(&format!("{path}/history"), Some(&supervisor)).await;
    let moves: Vec<(&str, Option<&str>)> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["to_state"].as_str().unwrap(), h["opinion"].as_str()))
        .collect();
    assert_eq!(
        moves,
        [
            ("draft", None),
            ("submitted", None),
            ("returned", Some("施工用电评分偏高")),
            ("submitted", None),
            ("approved", Some("同意"))
        ]
    );
}
