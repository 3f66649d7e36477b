//! Employment requests: the whole flow, refusals, and one employer at a time.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;
use crate::people::{photo, upload};

use super::{accept, offer, send_request, world, world_with};

both_engines!(
    the_whole_flow_from_request_to_ended_relation,
    request_refusals,
    refusal_ends_the_request,
    concurrent_acceptances_give_one_employer,
    unregistered_id_numbers_are_answered_only_so_often,
);

async fn the_whole_flow_from_request_to_ended_relation(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let request = app.post("/api/v1/employment/requests", offer(), Some(&w.a)).await;
    request.expect(201);
    assert_eq!(request.body["state"], "pending");
    assert_eq!(request.body["person_name"], "张*", "masked until the person accepts");
    assert_eq!(request.body["person_id_number"], "110105********002X");
    let id = request.body["id"].as_str().unwrap();
    let seen = app.get("/api/v1/employment/requests", Some(&w.p)).await;
    assert_eq!(seen.body[0]["id"], id);
    assert_eq!(seen.body[0]["enterprise_name"], "企业91350100M000100Y43");

    let accepted = accept(app, &w.p, id, photo("person-a-selfie.jpg")).await;
    accepted.expect(201);
    assert_eq!(accepted.body["state"], "active");
    assert_eq!(accepted.body["position"], "项目负责人");
    let after = app.get(&format!("/api/v1/employment/requests/{id}"), Some(&w.a)).await;
    assert_eq!(after.body["state"], "accepted");
    assert_eq!(after.body["person_name"], "张三", "known once accepted");
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
    // Another enterprise learns neither the full name nor that the person is employed: its
    // request goes out as any other; only accepting it would be refused.
    let elsewhere = app.post("/api/v1/employment/requests", offer(), Some(&w.b)).await;
    elsewhere.expect(201);
    assert_eq!(elsewhere.body["person_name"], "张*");
    assert!(!elsewhere.text.contains("张三"));
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

/// A valid ID number with sequence `n` (GB 11643 check character).
fn id_number(n: usize) -> String {
    let digits = format!("11010519800101{n:03}");
    let sum: u32 = digits
        .bytes()
        .zip([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{digits}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Whether an ID number is registered shows (404), but only a few times a day per enterprise:
/// of 50 parallel requests for unregistered numbers exactly the cap is answered, the rest get
/// 429; a registered person is still found, and another enterprise has its own count.
async fn unregistered_id_numbers_are_answered_only_so_often(engine: Engine) {
    let w = world_with(engine, |s| s.employment.unregistered_per_day = 3).await;
    let app = &w.app;
    let answers = futures_util::future::join_all((0..50).map(|n| {
        let mut body = offer();
        body["id_number"] = json!(id_number(n + 100));
        app.post("/api/v1/employment/requests", body, Some(&w.a))
    }))
    .await;
    let mut answered = 0;
    for answer in &answers {
        if answer.status == 404 {
            answer.expect_problem(404, "employment.person_not_registered");
            answered += 1;
        } else {
            answer.expect_problem(429, "employment.unregistered_limit");
            assert!(answer.header("retry-after").is_some());
        }
    }
    assert_eq!(answered, 3, "exactly the cap is answered");
    send_request(app, &w.a).await;
    let mut other = offer();
    other["id_number"] = json!(id_number(200));
    app.post("/api/v1/employment/requests", other, Some(&w.b))
        .await
        .expect_problem(404, "employment.person_not_registered");
}
