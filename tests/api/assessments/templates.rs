//! Assessment templates: versions, publishing, and assessments keeping the version they began on.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;

use super::{create, fill_scored, id_of, item, submit, world};

both_engines!(templates_are_versioned_and_assessments_keep_theirs);

async fn templates_are_versioned_and_assessments_keep_theirs(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let current = app.get("/api/v1/assessments/templates", Some(&w.a)).await;
    current.expect(200);
    let counts: Vec<(String, usize)> = current
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().to_owned(),
                t["items"].as_array().unwrap().len(),
            )
        })
        .collect();
    let expected = [
        ("general_conditions", 11),
        ("safety_director", 7),
        ("project", 10),
        ("licence_dynamic", 10),
    ];
    assert_eq!(counts, expected.map(|(k, n)| (k.to_owned(), n)));
    let general = &current.body[0];
    assert_eq!(general["version"], 1);
    assert_eq!(item(general, "1")["title"], "安全生产管理制度");
    assert_eq!(item(general, "1")["reconstructed"], false);
    assert_eq!(item(general, "4")["reconstructed"], true);
    assert_eq!(item(&current.body[2], "8")["title"], "物料提升机与施工升降机");

    // Only city staff publish, and only well-formed versions.
    let version = json!({"name": "企业一般安全生产条件动态考核", "change_note": "按工作指南调整",
        "items": [{"number": "1", "kind": "scored", "title": "安全生产管理制度", "standard": "制度齐全", "max_score": 60, "evidence_required": true},
                  {"number": "2", "kind": "scored", "title": "安全生产责任制", "max_score": 40, "evidence_required": false}]});
    for token in [&w.lixia, &w.a] {
        app.post(
            "/api/v1/assessments/templates/general_conditions/versions",
            version.clone(),
            Some(token),
        )
        .await
        .expect_problem(403, "auth.forbidden_role");
    }
    let bad = json!({"name": "项目", "change_note": "错误示例",
        "items": [{"number": "1", "kind": "scored", "title": "安全管理", "evidence_required": true},
                  {"number": "1", "kind": "people", "title": "人员", "evidence_required": true, "slots": ["chef"]},
                  {"number": "3", "kind": "attachments", "title": "附件", "max_score": 5, "evidence_required": true, "slots": ["花名册"]}]});
    let refused = app
        .post("/api/v1/assessments/templates/project/versions", bad, Some(&w.city))
        .await;
    refused.expect_problem(422, "request.invalid_fields");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "items[0].max_score",
        "items[1].number",
        "items[1].slots",
        "items[1].kind",
        "items[2].max_score",
        "items[2].kind",
    ] {
        assert!(fields.contains(&field), "{field} not refused: {fields:?}");
    }

    // An assessment submitted on version 1 …
    let first = create(app, &w.a, "general_conditions", "2026").await;
    assert_eq!(first["template_version"], 1);
    let filled = fill_scored(app, &w.a, &first, |max| max).await;
    assert_eq!(filled["self_total"], 100.0);
    submit(app, &w.a, &id_of(&first)).await;

    // … keeps it after version 2 is published.
    let published = app
        .post(
            "/api/v1/assessments/templates/general_conditions/versions",
            version,
            Some(&w.city),
        )
        .await;
    published.expect(201);
    assert_eq!(published.body["version"], 2);
    let versions = app
        .get(
            "/api/v1/assessments/templates/general_conditions/versions",
            Some(&w.lixia),
        )
        .await;
    let numbers: Vec<i64> = versions
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);
    let old = app
        .get(
            "/api/v1/assessments/templates/general_conditions/versions/1",
            Some(&w.a),
        )
        .await;
    assert_eq!(old.body["items"].as_array().unwrap().len(), 11);
    app.get(
        "/api/v1/assessments/templates/general_conditions/versions/9",
        Some(&w.a),
    )
    .await
    .expect_problem(404, "resource.not_found");

    let kept = app
        .get(&format!("/api/v1/assessments/{}", id_of(&first)), Some(&w.a))
        .await;
    assert_eq!(kept.body["template_version"], 1);
    assert_eq!(kept.body["items"].as_array().unwrap().len(), 11);
    assert_eq!(kept.body["max_total"], 100.0);
    assert_eq!(item(&kept.body, "1")["max_score"], 10.0);

    let next = create(app, &w.a, "general_conditions", "2027").await;
    assert_eq!(next["template_version"], 2);
    assert_eq!(next["items"].as_array().unwrap().len(), 2);
    assert_eq!(item(&next, "1")["max_score"], 60.0);
    assert_eq!(item(&next, "2")["evidence_required"], false);
}
