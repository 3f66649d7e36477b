//! Employment: requests, face-checked acceptance in the mini-program, one employer at a time.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::{Answer, Engine, TestApp};
use crate::people::{person, photo, register, upload, ID};

both_engines!(
    the_whole_flow_from_request_to_ended_relation,
    request_refusals,
    refusal_ends_the_request,
    face_and_challenge_refusals,
    requests_and_challenges_expire,
    only_the_mini_program_can_answer,
    other_enterprises_and_districts_see_nothing,
    concurrent_acceptances_give_one_employer,
    notices_reach_the_inbox_and_the_contact_with_retries,
    certificates_and_technical_lead,
);

struct World {
    app: TestApp,
    a: String,
    b: String,
    a_id: String,
    p: String,
    city: String,
    shizhong: String,
}

async fn world(engine: Engine) -> World {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a_id, pa) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (_, pb) = app
        .enterprise_account(&city, "91110000802100433B", "370103", "13912345679")
        .await;
    let token = |a: Answer| a.body["access_token"].as_str().unwrap().to_owned();
    let a = token(app.enterprise_token("91350100M000100Y43", &pa).await);
    let b = token(app.enterprise_token("91110000802100433B", &pb).await);
    let p = person(&app, "openid-p").await;
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    World {
        app,
        a,
        b,
        a_id,
        p,
        city,
        shizhong,
    }
}

pub(crate) fn offer() -> Value {
    json!({"id_number": ID, "position": "项目负责人", "contract_start": "2026-12-01", "contract_end": "2029-11-30"})
}

async fn send_request(app: &TestApp, enterprise: &str) -> String {
    let answer = app.post("/api/v1/employment/requests", offer(), Some(enterprise)).await;
    answer.expect(201);
    answer.body["id"].as_str().unwrap().to_owned()
}

/// Asks for a challenge, takes a selfie, accepts.
pub(crate) async fn accept(app: &TestApp, person: &str, request: &str, selfie: Vec<u8>) -> Answer {
    let challenge = app
        .post(
            &format!("/api/v1/employment/requests/{request}/challenge"),
            json!({}),
            Some(person),
        )
        .await;
    challenge.expect(201);
    let selfie = upload(app, person, "selfie", selfie).await;
    let body = json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie});
    app.post(
        &format!("/api/v1/employment/requests/{request}/accept"),
        body,
        Some(person),
    )
    .await
}

async fn the_whole_flow_from_request_to_ended_relation(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let request = app.post("/api/v1/employment/requests", offer(), Some(&w.a)).await;
    request.expect(201);
    assert_eq!(request.body["state"], "pending");
    assert_eq!(request.body["person_name"], "张三");
    assert_eq!(request.body["person_id_number"], "110105********002X");
    let id = request.body["id"].as_str().unwrap();
    let seen = app.get("/api/v1/employment/requests", Some(&w.p)).await;
    assert_eq!(seen.body[0]["id"], id);
    assert_eq!(seen.body[0]["enterprise_name"], "企业91350100M000100Y43");

    let accepted = accept(app, &w.p, id, photo("person-a-selfie.jpg")).await;
    accepted.expect(201);
    assert_eq!(accepted.body["state"], "active");
    assert_eq!(accepted.body["position"], "项目负责人");
    assert_eq!(
        app.get(&format!("/api/v1/employment/requests/{id}"), Some(&w.a))
            .await
            .body["state"],
        "accepted"
    );
    let staff = app.get("/api/v1/employment/relations?active=true", Some(&w.a)).await;
    assert_eq!(staff.body.as_array().unwrap().len(), 1);
    let relation = staff.body[0]["id"].as_str().unwrap().to_owned();

    let ended = app
        .post(
            &format!("/api/v1/employment/relations/{relation}/end"),
            json!({"reason": "合同到期"}),
            Some(&w.a),
        )
        .await;
    ended.expect(200);
    assert_eq!(
        (ended.body["state"].as_str(), ended.body["ended_by"].as_str()),
        (Some("ended"), Some("enterprise"))
    );
    app.post(
        &format!("/api/v1/employment/relations/{relation}/end"),
        json!({"reason": "x"}),
        Some(&w.p),
    )
    .await
    .expect_problem(409, "employment.already_ended");
    assert!(app
        .get("/api/v1/employment/relations?active=true", Some(&w.a))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    let history = app.get("/api/v1/employment/relations", Some(&w.p)).await;
    assert_eq!(history.body[0]["end_reason"], "合同到期");

    // Each step left its notice: the person's inbox and SMS for the enterprise contact.
    let kinds: Vec<(String, String)> =
        sqlx::query_as("SELECT channel, kind FROM notifications ORDER BY created_at, kind")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    for expected in [
        ("inbox", "employment.requested"),
        ("sms", "employment.accepted"),
        ("inbox", "employment.ended"),
        ("sms", "employment.ended"),
    ] {
        assert!(
            kinds.iter().any(|(c, k)| (c.as_str(), k.as_str()) == expected),
            "{expected:?} missing from {kinds:?}"
        );
    }
    // Once free, the person can be employed again, by another enterprise.
    let again = send_request(app, &w.b).await;
    accept(app, &w.p, &again, photo("person-a-selfie.jpg"))
        .await
        .expect(201);
}

async fn request_refusals(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let mut unknown = offer();
    unknown["id_number"] = json!("110105198001010016");
    app.post("/api/v1/employment/requests", unknown, Some(&w.a))
        .await
        .expect_problem(404, "employment.person_not_registered");
    let mut backwards = offer();
    backwards["contract_end"] = json!("2026-11-30");
    app.post("/api/v1/employment/requests", backwards, Some(&w.a))
        .await
        .expect_problem(422, "employment.contract_period_invalid");
    let mut bad_date = offer();
    bad_date["contract_start"] = json!("2026-02-30");
    let answer = app.post("/api/v1/employment/requests", bad_date, Some(&w.a)).await;
    assert_eq!(answer.body["errors"][0]["code"], "date.format");
    let mut partial = offer();
    partial["id_number"] = json!("110105");
    app.post("/api/v1/employment/requests", partial, Some(&w.a))
        .await
        .expect_problem(422, "request.invalid_fields");

    let first = send_request(app, &w.a).await;
    app.post("/api/v1/employment/requests", offer(), Some(&w.a))
        .await
        .expect_problem(409, "employment.request_pending");
    accept(app, &w.p, &first, photo("person-a-selfie.jpg"))
        .await
        .expect(201);
    app.post("/api/v1/employment/requests", offer(), Some(&w.a))
        .await
        .expect_problem(409, "employment.already_your_staff");
    app.post("/api/v1/employment/requests", offer(), Some(&w.b))
        .await
        .expect_problem(409, "employment.already_employed");
    app.post("/api/v1/employment/requests", offer(), Some(&w.p))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.post("/api/v1/employment/requests", offer(), Some(&w.city))
        .await
        .expect_problem(403, "auth.forbidden_role");
}

async fn refusal_ends_the_request(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let refused = app
        .post(
            &format!("/api/v1/employment/requests/{id}/refuse"),
            json!({}),
            Some(&w.p),
        )
        .await;
    refused.expect(200);
    assert_eq!(refused.body["state"], "refused");
    let challenge = app
        .post(
            &format!("/api/v1/employment/requests/{id}/challenge"),
            json!({}),
            Some(&w.p),
        )
        .await;
    challenge.expect_problem(409, "employment.request_not_pending");
    // The enterprise must send a new request, which it may.
    let second = send_request(app, &w.a).await;
    let withdrawn = app
        .post(
            &format!("/api/v1/employment/requests/{second}/withdraw"),
            json!({}),
            Some(&w.a),
        )
        .await;
    assert_eq!(withdrawn.body["state"], "withdrawn");
}

async fn face_and_challenge_refusals(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let challenge_url = format!("/api/v1/employment/requests/{id}/challenge");
    let accept_url = format!("/api/v1/employment/requests/{id}/accept");

    // Someone else's face: refused, and the challenge is spent.
    let challenge = app.post(&challenge_url, json!({}), Some(&w.p)).await.body["challenge_id"].clone();
    let stranger = upload(app, &w.p, "selfie", photo("person-b.jpg")).await;
    let answer = app
        .post(
            &accept_url,
            json!({"challenge_id": challenge, "selfie_document_id": stranger}),
            Some(&w.p),
        )
        .await;
    answer.expect_problem(422, "face.mismatch");
    let own = upload(app, &w.p, "selfie", photo("person-a-selfie.jpg")).await;
    let reused = app
        .post(
            &accept_url,
            json!({"challenge_id": challenge, "selfie_document_id": own}),
            Some(&w.p),
        )
        .await;
    reused.expect_problem(422, "challenge.used");

    // A selfie taken before the challenge was issued.
    app.clock.advance_secs(1);
    let challenge = app.post(&challenge_url, json!({}), Some(&w.p)).await.body["challenge_id"].clone();
    let stale = app
        .post(
            &accept_url,
            json!({"challenge_id": challenge, "selfie_document_id": own}),
            Some(&w.p),
        )
        .await;
    stale.expect_problem(422, "request.invalid_fields");
    assert_eq!(stale.body["errors"][0]["code"], "face.selfie_not_fresh");

    // A made-up challenge, and one issued for another request.
    let fake = app
        .post(
            &accept_url,
            json!({"challenge_id": "made-up", "selfie_document_id": own}),
            Some(&w.p),
        )
        .await;
    fake.expect_problem(422, "challenge.invalid");
    let other = send_request(app, &w.b).await;
    let foreign = app
        .post(
            &format!("/api/v1/employment/requests/{other}/challenge"),
            json!({}),
            Some(&w.p),
        )
        .await
        .body["challenge_id"]
        .clone();
    let fresh = upload(app, &w.p, "selfie", photo("person-a-selfie.jpg")).await;
    app.post(
        &accept_url,
        json!({"challenge_id": foreign, "selfie_document_id": fresh}),
        Some(&w.p),
    )
    .await
    .expect_problem(422, "challenge.invalid");
    assert!(app
        .get("/api/v1/employment/relations", Some(&w.p))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
}

async fn requests_and_challenges_expire(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let challenge = app
        .post(
            &format!("/api/v1/employment/requests/{id}/challenge"),
            json!({}),
            Some(&w.p),
        )
        .await
        .body["challenge_id"]
        .clone();
    app.clock.advance_secs(181);
    let selfie = upload(app, &w.p, "selfie", photo("person-a-selfie.jpg")).await;
    let body = json!({"challenge_id": challenge, "selfie_document_id": selfie});
    app.post(&format!("/api/v1/employment/requests/{id}/accept"), body, Some(&w.p))
        .await
        .expect_problem(422, "challenge.expired");

    app.clock.advance_secs(7 * 24 * 3600);
    // Tokens expired with the clock; sign in again.
    let p = person(app, "openid-p").await;
    let a = app.get(&format!("/api/v1/employment/requests/{id}"), Some(&p)).await;
    assert_eq!(a.body["state"], "expired");
    app.post(
        &format!("/api/v1/employment/requests/{id}/challenge"),
        json!({}),
        Some(&p),
    )
    .await
    .expect_problem(409, "employment.request_not_pending");
}

async fn only_the_mini_program_can_answer(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let me = app.get("/api/v1/auth/me", Some(&w.p)).await;
    let subject = zhujian::auth::tokens::Subject {
        account_id: me.body["account_id"].as_str().unwrap().to_owned(),
        role: zhujian::auth::Role::Person,
        scope: zhujian::auth::Scope::Person(me.body["account_id"].as_str().unwrap().into()),
        channel: zhujian::auth::Channel::Web,
    };
    let web = app
        .state
        .tokens
        .issue(&subject, zhujian::platform::clock::Clock::now_ms(&*app.clock));
    app.get(&format!("/api/v1/employment/requests/{id}"), Some(&web))
        .await
        .expect(200);
    for action in ["challenge", "accept", "refuse"] {
        let body = if action == "accept" {
            json!({"challenge_id": "x", "selfie_document_id": "y"})
        } else {
            json!({})
        };
        app.post(&format!("/api/v1/employment/requests/{id}/{action}"), body, Some(&web))
            .await
            .expect_problem(403, "employment.mini_program_only");
    }
    app.post(
        &format!("/api/v1/employment/requests/{id}/refuse"),
        json!({}),
        Some(&w.a),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
}

async fn other_enterprises_and_districts_see_nothing(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    app.get(&format!("/api/v1/employment/requests/{id}"), Some(&w.b))
        .await
        .expect_problem(404, "resource.not_found");
    app.post(
        &format!("/api/v1/employment/requests/{id}/withdraw"),
        json!({}),
        Some(&w.b),
    )
    .await
    .expect_problem(404, "resource.not_found");
    assert!(app
        .get("/api/v1/employment/requests", Some(&w.b))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert!(app
        .get("/api/v1/employment/requests", Some(&w.shizhong))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        app.get("/api/v1/employment/requests", Some(&w.city))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let filtered = app
        .get(
            &format!("/api/v1/employment/requests?enterprise_id={}", w.a_id),
            Some(&w.city),
        )
        .await;
    assert_eq!(filtered.body.as_array().unwrap().len(), 1);

    accept(app, &w.p, &id, photo("person-a-selfie.jpg")).await.expect(201);
    let relation = app.get("/api/v1/employment/relations", Some(&w.a)).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    end(app, &relation, &w.b)
        .await
        .expect_problem(404, "resource.not_found");
    end(app, &relation, &w.city)
        .await
        .expect_problem(403, "auth.forbidden_role");
    assert!(app
        .get("/api/v1/employment/relations", Some(&w.b))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert!(app
        .get("/api/v1/employment/relations", Some(&w.shizhong))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    end(app, &relation, &w.p).await.expect(200);
}

async fn end(app: &TestApp, relation: &str, token: &str) -> Answer {
    app.post(
        &format!("/api/v1/employment/relations/{relation}/end"),
        json!({"reason": "x"}),
        Some(token),
    )
    .await
}

async fn concurrent_acceptances_give_one_employer(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let from_a = send_request(app, &w.a).await;
    let from_b = send_request(app, &w.b).await;
    let p = w.p.as_str();
    let prepare = |request: String| async move {
        let challenge = app
            .post(
                &format!("/api/v1/employment/requests/{request}/challenge"),
                json!({}),
                Some(p),
            )
            .await
            .body["challenge_id"]
            .clone();
        let selfie = upload(app, p, "selfie", photo("person-a-selfie.jpg")).await;
        (
            request,
            json!({"challenge_id": challenge, "selfie_document_id": selfie}),
        )
    };
    let (ra, ba) = prepare(from_a).await;
    let (rb, bb) = prepare(from_b).await;
    let (url_a, url_b) = (
        format!("/api/v1/employment/requests/{ra}/accept"),
        format!("/api/v1/employment/requests/{rb}/accept"),
    );
    let (one, two) = tokio::join!(app.post(&url_a, ba, Some(p)), app.post(&url_b, bb, Some(p)));
    let mut statuses = [one.status, two.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", one.text, two.text);
    let loser = if one.status == 409 { &one } else { &two };
    assert_eq!(loser.code(), "employment.already_employed");
    let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM employments WHERE state = 'active'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(active, 1);
}

async fn notices_reach_the_inbox_and_the_contact_with_retries(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let id = send_request(app, &w.a).await;
    let inbox = app.get("/api/v1/notifications", Some(&w.p)).await;
    inbox.expect(200);
    assert_eq!(inbox.body[0]["kind"], "employment.requested");
    assert_eq!(inbox.body[0]["state"], "delivered");
    let notice = inbox.body[0]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/notifications/{notice}/read"), json!({}), Some(&w.p))
        .await
        .expect(204);
    app.post(&format!("/api/v1/notifications/{notice}/read"), json!({}), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");
    assert!(app.get("/api/v1/notifications", Some(&w.p)).await.body[0]["read_at"].is_i64());

    // The acceptance notice goes to the enterprise contact by SMS; a failing gateway is retried.
    accept(app, &w.p, &id, photo("person-a-selfie.jpg")).await.expect(201);
    app.sms.set_failing(Some("LimitExceeded.PhoneNumberDailyLimit"));
    let report = zhujian::notify::outbox::deliver_due(&app.state).await.unwrap();
    assert_eq!((report.delivered, report.retried), (0, 1));
    let pending = app.get("/api/v1/notifications", Some(&w.a)).await;
    assert_eq!(
        (pending.body[0]["state"].as_str(), pending.body[0]["attempts"].as_i64()),
        (Some("pending"), Some(1))
    );
    assert!(pending.body[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("LimitExceeded"));
    // Not due again until its delay has passed.
    app.sms.set_failing(None);
    assert_eq!(
        zhujian::notify::outbox::deliver_due(&app.state)
            .await
            .unwrap()
            .delivered,
        0
    );
    app.clock.advance_secs(31);
    assert_eq!(
        zhujian::notify::outbox::deliver_due(&app.state)
            .await
            .unwrap()
            .delivered,
        1
    );
    let sms = app.sms.last_to("13912345678").unwrap();
    assert_eq!(
        (sms.template_id.as_str(), sms.params[0].as_str()),
        ("100003", "聘用请求已确认")
    );
    // Tokens expired with the clock.
    let a = app
        .enterprise_token("91350100M000100Y43", &password_of(app, "13912345678"))
        .await;
    let delivered = app
        .get("/api/v1/notifications", Some(a.body["access_token"].as_str().unwrap()))
        .await;
    assert_eq!(
        (
            delivered.body[0]["state"].as_str(),
            delivered.body[0]["attempts"].as_i64()
        ),
        (Some("delivered"), Some(2))
    );
}

/// The initial password sent to a contact phone.
fn password_of(app: &TestApp, phone: &str) -> String {
    let sms = app
        .sms
        .sent_to(phone)
        .into_iter()
        .find(|m| m.template_id == "100002")
        .unwrap();
    sms.params[1].clone()
}

async fn certificates_and_technical_lead(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let request = send_request(app, &w.a).await;
    let relation = accept(app, &w.p, &request, photo("person-a-selfie.jpg")).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("/api/v1/employment/relations/{relation}/certificates");
    let scan = app
        .upload(&w.a, "certificate_scan", "证书.pdf", crate::files::pdf(5000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let incomplete = app
        .post(
            &url,
            json!({"kind": "registration", "name": "一级注册建造师", "document_id": scan}),
            Some(&w.a),
        )
        .await;
    incomplete.expect_problem(422, "request.invalid_fields");
    let codes: Vec<&str> = incomplete.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["certificate.number_required", "certificate.validity_required"]);
    let untitled = app
        .post(
            &url,
            json!({"kind": "title", "name": "高级工程师", "document_id": scan}),
            Some(&w.a),
        )
        .await;
    assert_eq!(untitled.body["errors"][0]["code"], "certificate.specialty_required");
    let material = app
        .upload(&w.a, "material_scan", "x.pdf", crate::files::pdf(5000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong_scan = json!({"kind": "title", "name": "高级工程师", "specialty": "建筑工程", "document_id": material});
    assert_eq!(
        app.post(&url, wrong_scan, Some(&w.a)).await.body["errors"][0]["code"],
        "certificate.scan_invalid"
    );

    let registration = json!({"kind": "registration", "name": "一级注册建造师", "number": "京111060801234", "valid_until": "2028-06-30", "document_id": scan});
    let added = app.post(&url, registration, Some(&w.a)).await;
    added.expect(201);
    assert_eq!(added.body["valid_until"], "2028-06-30");
    let title_scan = app
        .upload(&w.a, "certificate_scan", "职称.png", crate::files::png(400, 300))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let title = json!({"kind": "title", "name": "高级工程师", "specialty": "建筑工程", "document_id": title_scan});
    app.post(&url, title, Some(&w.a)).await.expect(201);
    assert_eq!(app.get(&url, Some(&w.a)).await.body.as_array().unwrap().len(), 2);
    assert_eq!(app.get(&url, Some(&w.p)).await.body.as_array().unwrap().len(), 2);
    assert_eq!(app.get(&url, Some(&w.city)).await.body.as_array().unwrap().len(), 2);
    app.get(&url, Some(&w.b))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&url, Some(&w.shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    app.post(
        &url,
        json!({"kind": "title", "name": "x", "specialty": "y", "document_id": title_scan}),
        Some(&w.b),
    )
    .await
    .expect_problem(404, "resource.not_found");

    // The scan is held while the certificate stands, released when it is removed.
    let delete_scan = || {
        app.send(
            app.client
                .delete(app.url(&format!("/api/v1/documents/{scan}")))
                .bearer_auth(&w.a),
        )
    };
    delete_scan().await.expect_problem(409, "document.locked");
    let certificate = added.body["id"].as_str().unwrap();
    let remove = app
        .client
        .delete(app.url(&format!("{url}/{certificate}")))
        .bearer_auth(&w.a);
    app.send(remove).await.expect(204);
    delete_scan().await.expect(204);

    // The technical lead: one per enterprise.
    let lead = |relation: &str| {
        app.send(
            app.client
                .put(app.url(&format!("/api/v1/employment/relations/{relation}/technical-lead")))
                .bearer_auth(&w.a),
        )
    };
    assert_eq!(lead(&relation).await.body["technical_lead"], true);
    let q = person(app, "openid-q").await;
    crate::people::register_as(
        app,
        &q,
        "110105198001010016",
        photo("person-b.jpg"),
        photo("person-b.jpg"),
    )
    .await
    .expect(200);
    let mut offer_q = offer();
    offer_q["id_number"] = json!("110105198001010016");
    let request_q = app.post("/api/v1/employment/requests", offer_q, Some(&w.a)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let relation_q = accept(app, &q, &request_q, photo("person-b.jpg")).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(lead(&relation_q).await.body["technical_lead"], true);
    let staff = app.get("/api/v1/employment/relations?active=true", Some(&w.a)).await;
    let leads: Vec<bool> = staff
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["technical_lead"].as_bool().unwrap())
        .collect();
    assert_eq!(leads.iter().filter(|l| **l).count(), 1);

    app.post(
        &format!("/api/v1/employment/relations/{relation}/end"),
        json!({"reason": "离职"}),
        Some(&w.a),
    )
    .await
    .expect(200);
    let after = json!({"kind": "title", "name": "x", "specialty": "y", "document_id": title_scan});
    app.post(&url, after, Some(&w.a))
        .await
        .expect_problem(409, "employment.already_ended");
}
