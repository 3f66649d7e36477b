//! Exam registration: batches per district, an enterprise registering its employees under
//! the manual's conditions (each failing one named), staff review and outcomes, the bars a
//! no-show and cheating leave, and the batch's capacity under parallel registrations.

use serde_json::{json, Value};
use zhujian::platform::clock::Clock;
use zhujian::platform::types::Date;

use crate::both_engines;
use crate::employment::accept;
use crate::harness::{Answer, Engine, TestApp};
use crate::one_face::id_number;
use crate::people::{person, photo, register_as};

both_engines!(
    an_enterprise_registers_its_employee_and_staff_decide,
    every_failing_condition_is_named,
    batches_and_registrations_stay_in_their_jurisdiction,
    a_batch_never_takes_more_than_its_capacity
);

struct City {
    app: TestApp,
    city: String,
    /// District staff of 370103, where enterprise B is.
    shizhong: String,
    /// Enterprise A, in 370102.
    a: String,
    /// Enterprise B, in 370103.
    b: String,
    /// Enterprise A's password, to sign in again after the clock moved past a token's life.
    a_password: String,
}

impl City {
    /// New tokens for the city staff and enterprise A, after the clock moved on.
    async fn sign_in_again(&mut self) {
        let n = self.app.clock.now_ms();
        self.city = self.app.staff_token(&format!("city-{n}"), "city", None).await;
        let answer = self.app.enterprise_token("91350100M000100Y43", &self.a_password).await;
        self.a = answer.body["access_token"].as_str().unwrap().to_owned();
    }
}

async fn city(engine: Engine) -> City {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (_, pa) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (_, pb) = app
        .enterprise_account(&city, "91110000802100433B", "370103", "13912345679")
        .await;
    let token = |a: Answer| a.body["access_token"].as_str().unwrap().to_owned();
    let a = token(app.enterprise_token("91350100M000100Y43", &pa).await);
    let b = token(app.enterprise_token("91110000802100433B", &pb).await);
    City {
        app,
        city,
        shizhong,
        a,
        b,
        a_password: pa,
    }
}

fn today(app: &TestApp) -> Date {
    Date::today_in_china(app.clock.now_ms())
}

/// A batch open today, its exam `exam_in` days from now.
pub(crate) fn batch_body(app: &TestApp, district: &str, capacity: i64) -> Value {
    let today = today(app);
    json!({
        "district_code": district, "exam_type": "safety_b", "title": "2027 年第一批安管人员 B 类考试",
        "registration_opens_on": today.to_string(), "registration_closes_on": today.add_days(10).to_string(),
        "exam_on": today.add_days(20).to_string(), "capacity": capacity,
    })
}

pub(crate) async fn publish(app: &TestApp, staff: &str, body: Value) -> String {
    let answer = app.post("/api/v1/exam-batches", body, Some(staff)).await;
    answer.expect(201);
    answer.body["id"].as_str().unwrap().to_owned()
}

/// A person registered under ID number `n` with a fixture's face (`a`, `b` or `c`).
async fn registered(app: &TestApp, openid: &str, n: usize, face: &str) -> (String, String) {
    let token = person(app, openid).await;
    let (portrait, selfie) = match face {
        "a" => (photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg")),
        "b" => (photo("person-b.jpg"), photo("person-b.jpg")),
        _ => (photo("person-c.jpg"), photo("person-c.jpg")),
    };
    register_as(app, &token, &id_number(n), portrait, selfie)
        .await
        .expect(200);
    let id = app.get("/api/v1/people/me", Some(&token)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, id)
}

/// The person accepts the enterprise's offer of employment, with a face check.
async fn employ(app: &TestApp, enterprise: &str, person: &str, n: usize, face: &str) {
    let offer = json!({"id_number": id_number(n), "position": "安全员", "contract_start": "2026-12-01", "contract_end": "2029-11-30"});
    let request = app.post("/api/v1/employment/requests", offer, Some(enterprise)).await;
    request.expect(201);
    let selfie = match face {
        "a" => photo("person-a-selfie.jpg"),
        "b" => photo("person-b.jpg"),
        _ => photo("person-c.jpg"),
    };
    accept(app, person, request.body["id"].as_str().unwrap(), selfie)
        .await
        .expect(201);
}

pub(crate) async fn register(app: &TestApp, enterprise: &str, batch: &str, person_id: &str) -> Answer {
    let path = format!("/api/v1/exam-batches/{batch}/registrations");
    app.post(&path, json!({"person_id": person_id}), Some(enterprise)).await
}

fn field_codes(answer: &Answer) -> Vec<String> {
    answer.body["errors"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn an_enterprise_registers_its_employee_and_staff_decide(engine: Engine) {
    let mut w = city(engine).await;
    let (p, p_id) = registered(&w.app, "openid-p", 1, "a").await;
    employ(&w.app, &w.a, &p, 1, "a").await;
    let batch = publish(&w.app, &w.city, batch_body(&w.app, "370102", 30)).await;
    let app = &w.app;

    let candidates = app
        .get(&format!("/api/v1/exam-batches/{batch}/candidates"), Some(&w.a))
        .await;
    candidates.expect(200);
    assert_eq!(candidates.body[0]["person_id"], p_id.as_str());
    assert_eq!(candidates.body[0]["eligible"], true, "{}", candidates.text);
    let masked = format!("110105********{}", &id_number(1)[14..]);
    assert_eq!(candidates.body[0]["id_number_masked"], masked.as_str());

    let registration = register(app, &w.a, &batch, &p_id).await;
    registration.expect(201);
    assert_eq!(registration.body["state"], "submitted");
    assert_eq!(registration.body["person_name"], "张三");
    let id = registration.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/exam-batches/{batch}"), Some(&w.a)).await.body["registered"],
        1
    );
    // The person sees their own registration.
    let mine = app.get("/api/v1/exam-registrations", Some(&p)).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1, "{}", mine.text);

    let review = |decision: &str| json!({"decision": decision});
    let path = format!("/api/v1/exam-registrations/{id}/review");
    app.post(&path, review("reject"), Some(&w.city))
        .await
        .expect_problem(422, "request.invalid_fields");
    app.post(&path, review("approve"), Some(&w.city)).await.expect(200);
    app.post(&path, review("approve"), Some(&w.city))
        .await
        .expect_problem(409, "exam.already_reviewed");

    let outcome = format!("/api/v1/exam-registrations/{id}/outcome");
    app.post(&outcome, json!({"outcome": "absent"}), Some(&w.city))
        .await
        .expect_problem(409, "exam.outcome_not_allowed");
    app.clock.advance_secs(21 * 86_400);
    w.sign_in_again().await;
    let app = &w.app;
    let recorded = app.post(&outcome, json!({"outcome": "absent"}), Some(&w.city)).await;
    recorded.expect(200);
    assert_eq!(recorded.body["outcome"], "absent");
    app.post(&outcome, json!({"outcome": "passed"}), Some(&w.city))
        .await
        .expect_problem(409, "exam.outcome_not_allowed");

    // The no-show bars the person from the next batch for six months, then no longer.
    let next = publish(app, &w.city, batch_body(app, "370102", 30)).await;
    let barred = register(app, &w.a, &next, &p_id).await;
    barred.expect_problem(422, "exam.ineligible");
    assert_eq!(field_codes(&barred), ["exam.absent_recently"]);
    app.clock.advance_secs(190 * 86_400);
    w.sign_in_again().await;
    let app = &w.app;
    let later = publish(app, &w.city, batch_body(app, "370102", 30)).await;
    register(app, &w.a, &later, &p_id).await.expect(201);
}

async fn every_failing_condition_is_named(engine: Engine) {
    let w = city(engine).await;
    let app = &w.app;
    let (p, p_id) = registered(app, "openid-p", 1, "a").await;
    employ(app, &w.a, &p, 1, "a").await;
    let (_, q_id) = registered(app, "openid-q", 2, "b").await;
    let unregistered = app.person_login("openid-u").await;
    let u_id = app
        .get("/api/v1/people/me", unregistered.body["access_token"].as_str())
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let batch = publish(app, &w.city, batch_body(app, "370102", 30)).await;

    let q = register(app, &w.a, &batch, &q_id).await;
    q.expect_problem(422, "exam.ineligible");
    assert_eq!(field_codes(&q), ["exam.not_employed_here"]);
    let u = register(app, &w.a, &batch, &u_id).await;
    assert_eq!(
        field_codes(&u),
        ["exam.not_real_name", "exam.no_portrait", "exam.not_employed_here"]
    );

    register(app, &w.a, &batch, &p_id).await.expect(201);
    let twice = register(app, &w.a, &batch, &p_id).await;
    assert_eq!(field_codes(&twice), ["exam.already_registered"]);
    // A second batch of the same type while the first has no outcome: registered already.
    let other = publish(app, &w.city, batch_body(app, "370102", 30)).await;
    assert_eq!(
        field_codes(&register(app, &w.a, &other, &p_id).await),
        ["exam.already_registered"]
    );
    let candidates = app
        .get(&format!("/api/v1/exam-batches/{other}/candidates"), Some(&w.a))
        .await;
    assert_eq!(candidates.body[0]["eligible"], false);
    assert_eq!(candidates.body[0]["bars"][0]["code"], "exam.already_registered");
    assert!(!candidates.body[0]["bars"][0]["message"].as_str().unwrap().is_empty());

    // Outside the registration period.
    let mut closed = batch_body(app, "370102", 30);
    closed["registration_opens_on"] = json!(today(app).add_days(1).to_string());
    let not_yet = publish(app, &w.city, closed).await;
    register(app, &w.a, &not_yet, &p_id)
        .await
        .expect_problem(409, "exam.registration_not_open");

    // A schedule that closes after the exam, and an unknown type, are refused.
    let mut bad = batch_body(app, "370102", 0);
    bad["exam_type"] = json!("driving");
    bad["exam_on"] = json!(today(app).add_days(5).to_string());
    let refused = app.post("/api/v1/exam-batches", bad, Some(&w.city)).await;
    refused.expect_problem(422, "request.invalid_fields");
    let mut codes = field_codes(&refused);
    codes.sort();
    assert_eq!(
        codes,
        ["exam.capacity_invalid", "exam.schedule_invalid", "exam.type_unknown"]
    );
}

async fn batches_and_registrations_stay_in_their_jurisdiction(engine: Engine) {
    let w = city(engine).await;
    let app = &w.app;
    let (p, p_id) = registered(app, "openid-p", 1, "a").await;
    employ(app, &w.a, &p, 1, "a").await;
    app.post("/api/v1/exam-batches", batch_body(app, "370102", 30), Some(&w.shizhong))
        .await
        .expect_problem(403, "exam.outside_district");
    app.post("/api/v1/exam-batches", batch_body(app, "370102", 30), Some(&w.a))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let batch = publish(app, &w.city, batch_body(app, "370102", 30)).await;
    let own = publish(app, &w.shizhong, batch_body(app, "370103", 30)).await;

    let listed = |token: String| async move {
        let answer = app.get("/api/v1/exam-batches", Some(&token)).await;
        answer.expect(200);
        let ids: Vec<String> = answer
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect();
        ids
    };
    assert_eq!(listed(w.a.clone()).await, std::slice::from_ref(&batch));
    assert_eq!(listed(w.b.clone()).await, std::slice::from_ref(&own));
    assert_eq!(listed(w.shizhong.clone()).await, std::slice::from_ref(&own));
    assert_eq!(listed(w.city.clone()).await.len(), 2);
    app.get("/api/v1/exam-batches", Some(&p))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.get(&format!("/api/v1/exam-batches/{batch}"), Some(&w.b))
        .await
        .expect_problem(404, "resource.not_found");

    // B cannot register into A's district's batch, nor A's employee into its own.
    register(app, &w.b, &batch, &p_id)
        .await
        .expect_problem(404, "resource.not_found");
    assert_eq!(
        field_codes(&register(app, &w.b, &own, &p_id).await),
        ["exam.not_employed_here"]
    );
    app.get(&format!("/api/v1/exam-batches/{batch}/candidates"), Some(&w.city))
        .await
        .expect_problem(403, "auth.forbidden_role");

    let id = register(app, &w.a, &batch, &p_id).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/exam-registrations/{id}/review");
    app.post(&path, json!({"decision": "approve"}), Some(&w.shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    app.post(&path, json!({"decision": "approve"}), Some(&w.a))
        .await
        .expect_problem(403, "auth.forbidden_role");
    for outsider in [&w.b, &w.shizhong] {
        let seen = app.get("/api/v1/exam-registrations", Some(outsider)).await;
        assert!(seen.body.as_array().unwrap().is_empty(), "{}", seen.text);
    }
    let seen = app
        .get(&format!("/api/v1/exam-registrations?batch_id={batch}"), Some(&w.a))
        .await;
    assert_eq!(seen.body.as_array().unwrap().len(), 1);
    assert!(
        !seen.text.contains(&id_number(1)),
        "the ID number is masked: {}",
        seen.text
    );
}

async fn a_batch_never_takes_more_than_its_capacity(engine: Engine) {
    let w = city(engine).await;
    let app = &w.app;
    let mut people = Vec::new();
    for (n, face) in [(1, "a"), (2, "b"), (3, "c")] {
        let (token, id) = registered(app, &format!("openid-{n}"), n, face).await;
        employ(app, &w.a, &token, n, face).await;
        people.push(id);
    }
    // Three people at once for one place: exactly one gets it.
    let batch = publish(app, &w.city, batch_body(app, "370102", 1)).await;
    let answers = futures_util::future::join_all(people.iter().map(|id| register(app, &w.a, &batch, id))).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    let full = answers
        .iter()
        .filter(|a| a.status == 409 && a.code() == "exam.batch_full")
        .count();
    assert_eq!(
        (created, full),
        (1, 2),
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );

    // One person fifty times at once (for an exam of another type, which the first
    // registration does not bar): one registration, one place taken.
    let mut other_type = batch_body(app, "370102", 10);
    other_type["exam_type"] = json!("safety_c");
    let roomy = publish(app, &w.city, other_type).await;
    let answers = futures_util::future::join_all((0..50).map(|_| register(app, &w.a, &roomy, &people[0]))).await;
    assert_eq!(answers.iter().filter(|a| a.status == 201).count(), 1);
    assert!(answers
        .iter()
        .all(|a| a.status == 201 || (a.status == 422 && a.code() == "exam.ineligible")));
    assert_eq!(
        app.get(&format!("/api/v1/exam-batches/{roomy}"), Some(&w.a)).await.body["registered"],
        1
    );

    // A rejection gives the place back.
    let first = app
        .get(&format!("/api/v1/exam-registrations?batch_id={batch}"), Some(&w.city))
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reject = json!({"decision": "reject", "opinion": "证件照不清晰"});
    app.post(
        &format!("/api/v1/exam-registrations/{first}/review"),
        reject,
        Some(&w.city),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&format!("/api/v1/exam-batches/{batch}"), Some(&w.a)).await.body["registered"],
        0
    );
}
