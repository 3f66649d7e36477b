//! Assessments: templates and their versions, self-assessments, item-by-item review,
//! rectification rounds, people lists and jurisdiction.

use serde_json::{json, Value};

use crate::both_engines;
use crate::files::pdf;
use crate::harness::{Engine, TestApp};

both_engines!(
    templates_are_versioned_and_assessments_keep_theirs,
    self_assessments_are_edited_only_while_draft_or_returned,
    review_goes_item_by_item_and_keeps_every_round,
    licence_assessments_list_people_and_attachments,
    every_endpoint_keeps_to_its_jurisdiction,
);

const LIXIA: &str = "370102";
const SHIZHONG: &str = "370103";

pub struct World {
    pub app: TestApp,
    pub city: String,
    pub lixia: String,
    pub shizhong: String,
    /// Enterprise A (in 历下) and B (in 市中).
    pub a: String,
    pub b: String,
}

pub async fn world(engine: Engine) -> World {
    world_with(engine, |_| {}).await
}

pub async fn world_with(engine: Engine, configure: impl FnOnce(&mut zhujian::platform::config::Settings)) -> World {
    let app = TestApp::start_with(engine, configure).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some(LIXIA)).await;
    let shizhong = app.staff_token("shizhong", "district", Some(SHIZHONG)).await;
    let mut tokens = Vec::new();
    for (code, district, phone) in [
        ("91350100M000100Y43", LIXIA, "13912345678"),
        ("91110000802100433B", SHIZHONG, "13912345679"),
    ] {
        let (_, password) = app.enterprise_account(&city, code, district, phone).await;
        let answer = app.enterprise_token(code, &password).await;
        tokens.push(answer.body["access_token"].as_str().unwrap().to_owned());
    }
    let b = tokens.pop().unwrap();
    let a = tokens.pop().unwrap();
    World {
        app,
        city,
        lixia,
        shizhong,
        a,
        b,
    }
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

pub fn item<'v>(view: &'v Value, number: &str) -> &'v Value {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == number)
        .unwrap_or_else(|| panic!("no item {number} in {view}"))
}

pub async fn create(app: &TestApp, token: &str, kind: &str, period: &str) -> Value {
    let answer = app
        .post(
            "/api/v1/assessments",
            json!({"kind": kind, "period": period}),
            Some(token),
        )
        .await;
    answer.expect(201);
    answer.body
}

pub async fn scan(app: &TestApp, token: &str) -> String {
    let answer = app.upload(token, "material_scan", "证明材料.pdf", pdf(3000)).await;
    answer.expect(201);
    id_of(&answer.body)
}

/// Self-scores every scored item with `score(max)` and attaches one evidence PDF to each.
pub async fn fill_scored(app: &TestApp, token: &str, view: &Value, score: impl Fn(f64) -> f64) -> Value {
    let id = id_of(view);
    let mut fills = Vec::new();
    for item in view["items"].as_array().unwrap() {
        if item["kind"] == "scored" {
            let number = item["number"].as_str().unwrap();
            fills.push(json!({"number": number, "self_score": score(item["max_score"].as_f64().unwrap())}));
            let document = scan(app, token).await;
            app.post(
                &format!("/api/v1/assessments/{id}/items/{number}/documents"),
                json!({"document_id": document}),
                Some(token),
            )
            .await
            .expect(201);
        }
    }
    let answer = app
        .put(
            &format!("/api/v1/assessments/{id}/items"),
            json!({"items": fills}),
            Some(token),
        )
        .await;
    answer.expect(200);
    answer.body
}

pub async fn submit(app: &TestApp, token: &str, id: &str) -> Value {
    let answer = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "已自评，请审核"}),
            Some(token),
        )
        .await;
    answer.expect(200);
    answer.body
}

/// Accepts every self-score (or overrides it with `scores(number)`) and passes every item.
pub async fn review_all(app: &TestApp, reviewer: &str, view: &Value, scores: impl Fn(&str) -> Option<f64>) {
    let id = id_of(view);
    for item in view["items"].as_array().unwrap() {
        let number = item["number"].as_str().unwrap();
        if item["kind"] == "scored" {
            let body = match scores(number) {
                Some(score) => json!({"action": "override", "score": score, "opinion": "现场核实"}),
                None => json!({"action": "accept"}),
            };
            app.post(
                &format!("/api/v1/assessments/{id}/items/{number}/score"),
                body,
                Some(reviewer),
            )
            .await
            .expect(200);
        }
        app.post(
            &format!("/api/v1/assessments/{id}/items/{number}/decision"),
            json!({"decision": "pass"}),
            Some(reviewer),
        )
        .await
        .expect(200);
    }
}

pub async fn finish(app: &TestApp, reviewer: &str, id: &str) -> Value {
    let answer = app
        .post(
            &format!("/api/v1/assessments/{id}/finish"),
            json!({"opinion": "审核完毕"}),
            Some(reviewer),
        )
        .await;
    answer.expect(200);
    answer.body
}

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

async fn self_assessments_are_edited_only_while_draft_or_returned(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    for (body, field) in [
        (json!({"kind": "project", "period": "2026"}), "kind"),
        (json!({"kind": "safety_director", "period": "2026-H3"}), "period"),
        (json!({"kind": "safety_director", "period": "26"}), "period"),
    ] {
        let refused = app.post("/api/v1/assessments", body, Some(&w.a)).await;
        refused.expect_problem(422, "request.invalid_fields");
        assert_eq!(refused.body["errors"][0]["field"], field);
    }
    let draft = create(app, &w.a, "safety_director", "2026-H2").await;
    let id = id_of(&draft);
    assert_eq!(draft["state"], "draft");
    app.post(
        "/api/v1/assessments",
        json!({"kind": "safety_director", "period": "2026-H2"}),
        Some(&w.a),
    )
    .await
    .expect_problem(409, "assessment.period_taken");

    // Scores stay within each item's range, in tenths.
    let items = |fills: Value| json!({ "items": fills });
    for (fill, code) in [
        (
            json!({"number": "1", "self_score": 15.1}),
            "assessment.score_out_of_range",
        ),
        (
            json!({"number": "1", "self_score": -1}),
            "assessment.score_out_of_range",
        ),
        (json!({"number": "1", "self_score": 7.25}), "assessment.score_precision"),
        (json!({"number": "99", "self_score": 1}), "assessment.no_such_item"),
    ] {
        let refused = app
            .put(
                &format!("/api/v1/assessments/{id}/items"),
                items(json!([fill])),
                Some(&w.a),
            )
            .await;
        refused.expect_problem(422, "request.invalid_fields");
        assert_eq!(refused.body["errors"][0]["code"], code);
    }
    // A draft is saved as often as needed; null clears a score.
    let path = format!("/api/v1/assessments/{id}/items");
    app.put(
        &path,
        items(json!([{"number": "1", "self_score": 15}, {"number": "2", "self_score": 9.5}])),
        Some(&w.a),
    )
    .await
    .expect(200);
    let saved = app
        .put(
            &path,
            items(json!([{"number": "2", "self_score": null, "self_note": "待补充"}])),
            Some(&w.a),
        )
        .await;
    saved.expect(200);
    assert_eq!(item(&saved.body, "1")["self_score"], 15.0);
    assert_eq!(item(&saved.body, "2")["self_score"], Value::Null);
    assert_eq!(item(&saved.body, "2")["self_note"], "待补充");

    // Missing self-scores and evidence block submission and name the items.
    let refused = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "提交"}),
            Some(&w.a),
        )
        .await;
    refused.expect_problem(422, "assessment.incomplete");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"items.1") && fields.contains(&"items.7"), "{fields:?}");

    // Evidence must be the enterprise's own PDF material scan.
    let photo = app
        .upload(&w.a, "certificate_scan", "证书.png", crate::files::png(200, 200))
        .await;
    let wrong = app
        .post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": id_of(&photo.body)}),
            Some(&w.a),
        )
        .await;
    wrong.expect_problem(422, "request.invalid_fields");
    assert_eq!(wrong.body["errors"][0]["code"], "assessment.document_unusable");
    let rectification = app
        .post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": scan(app, &w.a).await, "role": "rectification"}),
            Some(&w.a),
        )
        .await;
    assert_eq!(rectification.body["errors"][0]["code"], "assessment.not_rectifying");

    // Removing evidence before submission frees the document again.
    let spare = scan(app, &w.a).await;
    app.post(
        &format!("/api/v1/assessments/{id}/items/2/documents"),
        json!({"document_id": spare}),
        Some(&w.a),
    )
    .await
    .expect(201);
    app.delete(
        &format!("/api/v1/assessments/{id}/items/2/documents/{spare}"),
        Some(&w.a),
    )
    .await
    .expect(204);
    app.delete(&format!("/api/v1/documents/{spare}"), Some(&w.a))
        .await
        .expect(204);

    let filled = fill_scored(app, &w.a, &draft, |max| max - 1.0).await;
    let evidence = item(&filled, "1")["documents"][0]["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let submitted = submit(app, &w.a, &id).await;
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(submitted["rounds"][0]["submit_opinion"], "已自评，请审核");

    // Submitted: read-only to the enterprise, and its evidence is locked.
    app.delete(&format!("/api/v1/documents/{evidence}"), Some(&w.a))
        .await
        .expect_problem(409, "document.locked");
    for answer in [
        app.put(&path, items(json!([{"number": "1", "self_score": 1}])), Some(&w.a))
            .await,
        app.delete(&format!("/api/v1/assessments/{id}"), Some(&w.a)).await,
        app.post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "再次提交"}),
            Some(&w.a),
        )
        .await,
        app.post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": scan(app, &w.a).await}),
            Some(&w.a),
        )
        .await,
        app.delete(
            &format!("/api/v1/assessments/{id}/items/1/documents/{evidence}"),
            Some(&w.a),
        )
        .await,
    ] {
        answer.expect_problem(409, "assessment.state_forbids");
        assert!(
            answer.body["detail"]
                .as_str()
                .unwrap()
                .contains("只有草稿和被退回的考核"),
            "{}",
            answer.text
        );
    }

    // A draft can be deleted; it disappears from lists, and the period is free again.
    let other = create(app, &w.a, "general_conditions", "2026").await;
    app.delete(&format!("/api/v1/assessments/{}", id_of(&other)), Some(&w.a))
        .await
        .expect(204);
    app.get(&format!("/api/v1/assessments/{}", id_of(&other)), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");
    let listed = app.get("/api/v1/assessments", Some(&w.a)).await;
    let ids: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    create(app, &w.a, "general_conditions", "2026").await;

    let history = app.get(&format!("/api/v1/assessments/{id}/history"), Some(&w.a)).await;
    let moves: Vec<(&str, &str)> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from_state"].as_str().unwrap(), h["to_state"].as_str().unwrap()))
        .collect();
    assert_eq!(moves, [("new", "draft"), ("draft", "submitted")]);
}

async fn review_goes_item_by_item_and_keeps_every_round(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let draft = create(app, &w.a, "general_conditions", "2026").await;
    let id = id_of(&draft);
    fill_scored(app, &w.a, &draft, |max| max).await;
    // Drafts are not reviewed.
    app.post(
        &format!("/api/v1/assessments/{id}/items/1/score"),
        json!({"action": "accept"}),
        Some(&w.lixia),
    )
    .await
    .expect_problem(409, "assessment.state_forbids");
    app.post(
        &format!("/api/v1/assessments/{id}/finish"),
        json!({"opinion": "通过"}),
        Some(&w.lixia),
    )
    .await
    .expect_problem(409, "assessment.state_forbids");
    let submitted = submit(app, &w.a, &id).await;
    let score = |number: &str| format!("/api/v1/assessments/{id}/items/{number}/score");
    let decide = |number: &str| format!("/api/v1/assessments/{id}/items/{number}/decision");

    // ✗ needs a score within range and an opinion; passing needs an assessed score.
    for (body, code) in [
        (json!({"action": "override", "score": 5}), "assessment.opinion_required"),
        (
            json!({"action": "override", "score": 10.5, "opinion": "扣分"}),
            "assessment.score_out_of_range",
        ),
        (
            json!({"action": "override", "opinion": "扣分"}),
            "assessment.score_required",
        ),
    ] {
        let refused = app.post(&score("2"), body, Some(&w.lixia)).await;
        refused.expect_problem(422, "request.invalid_fields");
        assert_eq!(refused.body["errors"][0]["code"], code);
    }
    app.post(&decide("2"), json!({"decision": "pass"}), Some(&w.lixia))
        .await
        .expect_problem(409, "assessment.item_not_assessed");
    let rejected = app
        .post(&decide("2"), json!({"decision": "reject"}), Some(&w.lixia))
        .await;
    assert_eq!(rejected.body["errors"][0]["code"], "assessment.opinion_required");

    let accepted = app.post(&score("1"), json!({"action": "accept"}), Some(&w.lixia)).await;
    accepted.expect(200);
    assert_eq!(accepted.body["state"], "under_review");
    assert_eq!(item(&accepted.body, "1")["assessed_score"], 10.0);
    let overridden = app
        .post(
            &score("2"),
            json!({"action": "override", "score": 6.5, "opinion": "责任制未覆盖全员"}),
            Some(&w.lixia),
        )
        .await;
    assert_eq!(item(&overridden.body, "2")["assessed_score"], 6.5);
    app.post(&score("2"), json!({"action": "accept"}), Some(&w.lixia))
        .await
        .expect(200);
    app.post(&finish_path(&id), json!({"opinion": "审核完毕"}), Some(&w.lixia))
        .await
        .expect_problem(409, "assessment.items_undecided");

    // One rejected item returns the record with that item.
    review_all(app, &w.lixia, &submitted, |_| None).await;
    app.post(
        &decide("3"),
        json!({"decision": "reject", "opinion": "缺少机构设置文件"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
    let returned = finish(app, &w.lixia, &id).await;
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["return_reason"], "rejected");
    assert_eq!(returned["shown_round"], 1);
    assert_eq!(item(&returned, "3")["review_state"], "rejected");
    assert_eq!(item(&returned, "3")["review_opinion"], "缺少机构设置文件");
    assert_eq!(returned["rounds"][0]["outcome"], "returned");
    app.post(&score("1"), json!({"action": "accept"}), Some(&w.lixia))
        .await
        .expect_problem(409, "assessment.state_forbids");
    // The enterprise's contact is told by SMS which items came back.
    zhujian::notify::outbox::deliver_due(&app.state).await.unwrap();
    let sms = app
        .sms
        .last_to("13912345678")
        .expect("a notice to the enterprise contact");
    assert_eq!(sms.params[0], "考核自评被退回，请修改后重新提交");
    assert_eq!(sms.params[1], "第 3 项：审核完毕");

    // The enterprise edits the next round; the first stays as it was.
    let round2 = app.get(&format!("/api/v1/assessments/{id}"), Some(&w.a)).await.body;
    assert_eq!(
        (round2["round"].as_i64(), round2["shown_round"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(item(&round2, "3")["review_state"], "pending");
    assert_eq!(item(&round2, "3")["self_score"], 10.0);
    assert_eq!(item(&round2, "3")["documents"].as_array().unwrap().len(), 1);
    app.put(
        &format!("/api/v1/assessments/{id}/items"),
        json!({"items": [{"number": "3", "self_score": 9}]}),
        Some(&w.a),
    )
    .await
    .expect(200);
    let round1 = app
        .get(&format!("/api/v1/assessments/{id}?round=1"), Some(&w.a))
        .await
        .body;
    assert_eq!(item(&round1, "3")["self_score"], 10.0);
    assert_eq!(item(&round1, "3")["review_state"], "rejected");
    app.get(&format!("/api/v1/assessments/{id}?round=3"), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");
    submit(app, &w.a, &id).await;

    // Exactly 60 % is basically qualified: back for rectification.
    let deductions = |number: &str| match number {
        "1" | "2" | "3" | "4" => Some(0.0),
        _ => None,
    };
    review_all(app, &w.city, &round2, deductions).await;
    let rectify = finish(app, &w.city, &id).await;
    assert_eq!(rectify["assessed_total"], 60.0);
    assert_eq!(rectify["result"], "basically_qualified");
    assert_eq!(rectify["return_reason"], "rectification");
    assert_eq!(rectify["rounds"][1]["result"], "basically_qualified");

    // Rectification material is new material: last round's evidence does not count.
    let old_evidence = item(&rectify, "1")["documents"][0]["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reused = app
        .post(
            &format!("/api/v1/assessments/{id}/items/1/documents"),
            json!({"document_id": old_evidence, "role": "rectification"}),
            Some(&w.a),
        )
        .await;
    assert_eq!(reused.body["errors"][0]["code"], "assessment.document_unusable");
    app.post(
        &format!("/api/v1/assessments/{id}/items/1/documents"),
        json!({"document_id": old_evidence}),
        Some(&w.a),
    )
    .await
    .expect_problem(409, "assessment.document_already_attached");

    // Rectification material is needed on every item that lost points.
    let refused = app
        .post(
            &format!("/api/v1/assessments/{id}/submit"),
            json!({"opinion": "已整改"}),
            Some(&w.a),
        )
        .await;
    refused.expect_problem(422, "assessment.incomplete");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["items.1", "items.2", "items.3", "items.4"]);
    for number in ["1", "2", "3", "4"] {
        app.post(
            &format!("/api/v1/assessments/{id}/items/{number}/documents"),
            json!({"document_id": scan(app, &w.a).await, "role": "rectification"}),
            Some(&w.a),
        )
        .await
        .expect(201);
    }
    app.put(
        &format!("/api/v1/assessments/{id}/items"),
        json!({"items": [{"number": "1", "rectification_note": "制度已重新发布"}]}),
        Some(&w.a),
    )
    .await
    .expect(200);
    let round3 = submit(app, &w.a, &id).await;
    assert_eq!(round3["round"], 3);
    assert_eq!(item(&round3, "1")["rectification_note"], "制度已重新发布");

    // Exactly 80 % is qualified: approved, and read-only from then on.
    // Item 3's self-score is 9 since round 2; the reviewer finds it worth 10.
    let round3_scores = |number: &str| match number {
        "1" | "2" => Some(0.0),
        "3" => Some(10.0),
        _ => None,
    };
    review_all(app, &w.lixia, &round3, round3_scores).await;
    let approved = finish(app, &w.lixia, &id).await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["assessed_total"], 80.0);
    assert_eq!(approved["result"], "qualified");
    assert_eq!(approved["rounds"].as_array().unwrap().len(), 3);
    app.delete(&format!("/api/v1/assessments/{id}"), Some(&w.a))
        .await
        .expect_problem(409, "assessment.state_forbids");

    // A returned record may also be deleted instead of resubmitted.
    let other = create(app, &w.a, "safety_director", "2026").await;
    fill_scored(app, &w.a, &other, |max| max).await;
    let other_submitted = submit(app, &w.a, &id_of(&other)).await;
    review_all(app, &w.lixia, &other_submitted, |_| None).await;
    app.post(
        &format!("/api/v1/assessments/{}/items/1/decision", id_of(&other)),
        json!({"decision": "reject", "opinion": "材料不清晰"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
    assert_eq!(finish(app, &w.lixia, &id_of(&other)).await["state"], "returned");
    app.delete(&format!("/api/v1/assessments/{}", id_of(&other)), Some(&w.a))
        .await
        .expect(204);

    // The item's review records across all rounds, oldest first.
    let records = app
        .get(&format!("/api/v1/assessments/{id}/items/2/history"), Some(&w.a))
        .await;
    let acts: Vec<(i64, &str)> = records
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["round"].as_i64().unwrap(), r["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        acts,
        [
            (1, "override"),
            (1, "accept"),
            (1, "accept"),
            (1, "pass"),
            (2, "override"),
            (2, "pass"),
            (3, "override"),
            (3, "pass")
        ]
    );
    assert_eq!(records.body[0]["opinion"], "责任制未覆盖全员");
    assert_eq!(records.body[0]["score"], 6.5);
    assert_eq!(records.body[0]["reviewer_name"], "lixia");
}

fn finish_path(id: &str) -> String {
    format!("/api/v1/assessments/{id}/finish")
}

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

async fn every_endpoint_keeps_to_its_jurisdiction(engine: Engine) {
    // The city station reviews 市中 only; 历下 reviews its own.
    let w = world_with(engine, |s| s.assessments.city_review_districts = vec![SHIZHONG.into()]).await;
    let app = &w.app;
    let draft = create(app, &w.a, "general_conditions", "2026").await;
    let id = id_of(&draft);
    fill_scored(app, &w.a, &draft, |max| max).await;
    let evidence = item(
        &app.get(&format!("/api/v1/assessments/{id}"), Some(&w.a)).await.body,
        "1",
    )["documents"][0]["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = create(app, &w.b, "general_conditions", "2026").await;

    // Enterprise B and 市中's staff cannot see or touch A's record: 404 everywhere.
    let base = format!("/api/v1/assessments/{id}");
    for token in [&w.b, &w.shizhong] {
        for answer in [
            app.get(&base, Some(token)).await,
            app.get(&format!("{base}/history"), Some(token)).await,
            app.get(&format!("{base}/items/1/history"), Some(token)).await,
        ] {
            answer.expect_problem(404, "resource.not_found");
        }
        let listed = app.get("/api/v1/assessments", Some(token)).await;
        assert!(listed.body.as_array().unwrap().iter().all(|a| a["id"] != id.as_str()));
    }
    let person = json!({"role": "enterprise_principal", "name": "张三", "id_number": "11010519491231002X",
        "position": "总经理", "certificate_name": "A证", "certificate_number": "A-1", "scan_document_id": scan(app, &w.b).await});
    for answer in [
        app.put(&format!("{base}/items"), json!({"items": []}), Some(&w.b))
            .await,
        app.delete(&base, Some(&w.b)).await,
        app.post(&format!("{base}/submit"), json!({"opinion": "提交"}), Some(&w.b))
            .await,
        app.post(
            &format!("{base}/items/1/documents"),
            json!({"document_id": scan(app, &w.b).await}),
            Some(&w.b),
        )
        .await,
        app.delete(&format!("{base}/items/1/documents/{evidence}"), Some(&w.b))
            .await,
        app.post(&format!("{base}/items/09/people"), person, Some(&w.b)).await,
        app.delete(&format!("{base}/items/09/people/{evidence}"), Some(&w.b))
            .await,
    ] {
        answer.expect_problem(404, "resource.not_found");
    }
    // B cannot use A's document as its own evidence.
    let stolen = app
        .post(
            &format!("/api/v1/assessments/{}/items/1/documents", id_of(&other)),
            json!({"document_id": evidence}),
            Some(&w.b),
        )
        .await;
    assert_eq!(stolen.body["errors"][0]["code"], "assessment.document_unusable");

    submit(app, &w.a, &id).await;
    for answer in [
        app.post(
            &format!("{base}/items/1/score"),
            json!({"action": "accept"}),
            Some(&w.shizhong),
        )
        .await,
        app.post(
            &format!("{base}/items/1/decision"),
            json!({"decision": "pass"}),
            Some(&w.shizhong),
        )
        .await,
        app.post(&format!("{base}/finish"), json!({"opinion": "通过"}), Some(&w.shizhong))
            .await,
    ] {
        answer.expect_problem(404, "resource.not_found");
    }
    // The city station reads 历下's record but does not review it.
    app.get(&base, Some(&w.city)).await.expect(200);
    for answer in [
        app.post(
            &format!("{base}/items/1/score"),
            json!({"action": "accept"}),
            Some(&w.city),
        )
        .await,
        app.post(
            &format!("{base}/items/1/decision"),
            json!({"decision": "pass"}),
            Some(&w.city),
        )
        .await,
        app.post(&format!("{base}/finish"), json!({"opinion": "通过"}), Some(&w.city))
            .await,
    ] {
        answer.expect_problem(403, "assessment.outside_review_scope");
    }
    // Enterprises do not review; supervisors and persons do not read self-assessments.
    app.post(
        &format!("{base}/items/1/score"),
        json!({"action": "accept"}),
        Some(&w.a),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
    let supervisor = app.staff_token("sup1", "supervisor", Some(LIXIA)).await;
    app.get("/api/v1/assessments", Some(&supervisor))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.get(&base, Some(&supervisor))
        .await
        .expect_problem(403, "auth.forbidden_role");
    // Staff do not edit an enterprise's self-assessment.
    app.put(&format!("{base}/items"), json!({"items": []}), Some(&w.lixia))
        .await
        .expect_problem(403, "auth.forbidden_role");

    // 历下's own staff review it; the city station reviews 市中's.
    let view = app.get(&base, Some(&w.lixia)).await.body;
    review_all(app, &w.lixia, &view, |_| None).await;
    assert_eq!(finish(app, &w.lixia, &id).await["state"], "approved");
    fill_scored(app, &w.b, &other, |max| max).await;
    let submitted = submit(app, &w.b, &id_of(&other)).await;
    review_all(app, &w.city, &submitted, |_| None).await;
    assert_eq!(finish(app, &w.city, &id_of(&other)).await["state"], "approved");
    // The same review scope holds for daily events and result adjustments.
    let a_id = view["enterprise_id"].as_str().unwrap();
    let deduction = json!({"type_code": "authority_penalty", "enterprise_id": a_id, "occurred_on": "2026-03-01", "description": "行政处罚"});
    let event = id_of(&app.post("/api/v1/daily-events", deduction, Some(&w.lixia)).await.body);
    app.post(
        &format!("/api/v1/daily-events/{event}/review"),
        json!({"decision": "pass", "opinion": "属实"}),
        Some(&w.city),
    )
    .await
    .expect_problem(403, "assessment.outside_review_scope");
    let adjustment =
        json!({"period": "2026", "action": "unqualified", "reason_code": "false_material", "opinion": "材料造假"});
    app.post(
        &format!("/api/v1/results/licence/{a_id}/adjustments"),
        adjustment.clone(),
        Some(&w.city),
    )
    .await
    .expect_problem(403, "assessment.outside_review_scope");
    app.post(
        &format!("/api/v1/results/licence/{a_id}/adjustments"),
        adjustment,
        Some(&w.lixia),
    )
    .await
    .expect(201);

    let in_lixia = app
        .get(&format!("/api/v1/assessments?district={LIXIA}"), Some(&w.city))
        .await;
    let ids: Vec<&str> = in_lixia
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
}
