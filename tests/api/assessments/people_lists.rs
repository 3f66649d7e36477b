//! Licence assessments: people lists and attachments.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;

use super::{create, fill_scored, finish, id_of, item, review_all, scan, submit, world};

both_engines!(licence_assessments_list_people_and_attachments);

async fn licence_assessments_list_people_and_attachments(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let draft = create(app, &w.a, "licence_dynamic", "2026").await;
    let id = id_of(&draft);
    assert_eq!(item(&draft, "09")["kind"], "people");
    let slots = item(&draft, "10")["slots"].as_array().unwrap().clone();
    assert_eq!(slots[0], "本企业部门设置及管理人员花名册");
    let person = |role: &str, id_number: &str, scan: &str| {
        json!({"role": role, "name": "张三", "id_number": id_number, "position": "总经理",
               "certificate_name": "安全生产考核合格证书（A类）", "certificate_number": "鲁建安A(2024)0001",
               "certificate_valid_until": "2028-06-30", "scan_document_id": scan})
    };
    let people = format!("/api/v1/assessments/{id}/items/09/people");

    let certificate = scan(app, &w.a).await;
    let on_scored = app
        .post(
            &format!("/api/v1/assessments/{id}/items/01/people"),
            person("enterprise_principal", "11010519491231002X", &certificate),
            Some(&w.a),
        )
        .await;
    assert_eq!(on_scored.body["errors"][0]["code"], "assessment.role_not_listed");
    app.post(
        &people,
        person("enterprise_principal", "110105194912310021", &certificate),
        Some(&w.a),
    )
    .await
    .expect_problem(422, "request.invalid_fields");
    let added = app
        .post(
            &people,
            person("enterprise_principal", "11010519491231002X", &certificate),
            Some(&w.a),
        )
        .await;
    added.expect(201);
    let listed = &item(&added.body, "09")["people"];
    assert_eq!(listed[0]["id_number"], "110105********002X");
    assert_eq!(listed[0]["certificate_valid_until"], "2028-06-30");
    assert!(!added.text.contains("11010519491231002X"));
    // The name is masked when shown and sealed at rest.
    assert_eq!(listed[0]["name"], "张*");
    assert!(!added.text.contains("张三"));
    let stored: String = sqlx::query_scalar("SELECT name FROM assessment_people")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(stored.starts_with("v1:") && !stored.contains("张三"), "{stored}");

    // Submission names the missing roles and attachments.
    fill_scored(app, &w.a, &draft, |max| max).await;
    let refused = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "提交"}),
            Some(&w.a),
        )
        .await;
    refused.expect_problem(422, "assessment.incomplete");
    let missing: Vec<(&str, &str)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["message"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        missing.iter().filter(|(f, _)| *f == "items.09").count(),
        3,
        "{missing:?}"
    );
    assert_eq!(
        missing.iter().filter(|(f, _)| *f == "items.10").count(),
        slots.len(),
        "{missing:?}"
    );

    let attach = format!("/api/v1/assessments/{id}/items/10/documents");
    let unnamed = app
        .post(
            &attach,
            json!({"document_id": scan(app, &w.a).await, "slot": "其他"}),
            Some(&w.a),
        )
        .await;
    assert_eq!(unnamed.body["errors"][0]["code"], "assessment.slot_invalid");
    for slot in &slots {
        app.post(
            &attach,
            json!({"document_id": scan(app, &w.a).await, "slot": slot}),
            Some(&w.a),
        )
        .await
        .expect(201);
    }
    let ids = ["110101199003074477", "110101199003072631", "11010119900307651X"];
    for (role, id_number) in ["project_leader", "special_operations", "safety_manager"]
        .iter()
        .zip(ids)
    {
        app.post(&people, person(role, id_number, &scan(app, &w.a).await), Some(&w.a))
            .await
            .expect(201);
    }
    // A person removed before submission takes their scan off the record.
    let extra_scan = scan(app, &w.a).await;
    let extra = app
        .post(
            &people,
            person("safety_manager", "110101199003070855", &extra_scan),
            Some(&w.a),
        )
        .await;
    let extra_id = item(&extra.body, "09")["people"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete(&format!("{people}/{extra_id}"), Some(&w.a))
        .await
        .expect(204);
    app.delete(&format!("/api/v1/documents/{extra_scan}"), Some(&w.a))
        .await
        .expect(204);

    let submitted = submit(app, &w.a, &id).await;
    assert_eq!(item(&submitted, "09")["people"].as_array().unwrap().len(), 4);
    app.delete(&format!("/api/v1/documents/{certificate}"), Some(&w.a))
        .await
        .expect_problem(409, "document.locked");
    // People and attachment lists are passed or rejected, not scored.
    app.post(
        &format!("/api/v1/assessments/{id}/items/09/score"),
        json!({"action": "accept"}),
        Some(&w.lixia),
    )
    .await
    .expect_problem(409, "assessment.item_not_scored");
    review_all(app, &w.lixia, &submitted, |_| None).await;
    let approved = finish(app, &w.lixia, &id).await;
    assert_eq!(approved["state"], "approved");
}
