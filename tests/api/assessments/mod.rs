//! Assessments: templates and their versions, self-assessments, item-by-item review,
//! rectification rounds, people lists and jurisdiction.

use serde_json::{json, Value};

use crate::files::pdf;
use crate::harness::{Engine, TestApp};

mod inbox;
mod jurisdiction;
mod people_lists;
mod review;
mod self_assessment;
mod templates;

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
