//! Qualification verification: tasks, selection rules, review.

use serde_json::{json, Value};

use crate::both_engines;
use crate::employment::{accept, offer};
use crate::harness::{Answer, Engine, TestApp};
use crate::people::{person, photo, register, register_as};

both_engines!(selection_rules_and_review, tasks_are_scoped_and_frozen_after_approval);

struct Setup {
    app: TestApp,
    a: String,
    a_id: String,
    b: String,
    lixia: String,
    shizhong: String,
    lead: String,
    titled: String,
    task: String,
}

async fn token(answer: Answer) -> String {
    answer.body["access_token"].as_str().unwrap().to_owned()
}

/// Employs a registered person at enterprise A and gives them a certificate.
async fn employ(
    app: &TestApp,
    a: &str,
    person_token: &str,
    id_number: &str,
    selfie: &str,
    certificate: Value,
) -> String {
    let mut o = offer();
    o["id_number"] = json!(id_number);
    let request = app.post("/api/v1/employment/requests", o, Some(a)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let relation = accept(app, person_token, &request, photo(selfie)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let scan = app
        .upload(a, "certificate_scan", "证书.pdf", crate::files::pdf(4000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut certificate = certificate;
    certificate["document_id"] = json!(scan);
    app.post(
        &format!("/api/v1/employment/relations/{relation}/certificates"),
        certificate,
        Some(a),
    )
    .await
    .expect(201);
    relation
}

async fn setup(engine: Engine) -> Setup {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a_id, pa) = app
        .enterprise_account(&lixia, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (_, pb) = app
        .enterprise_account(&shizhong, "91110000802100433B", "370103", "13912345679")
        .await;
    let a = token(app.enterprise_token("91350100M000100Y43", &pa).await).await;
    let b = token(app.enterprise_token("91110000802100433B", &pb).await).await;
    let licence = json!({"safety_licence": {"number": "(鲁)JZ安许证字[2024]010001", "valid_until": "2027-12-31"}});
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{a_id}")))
            .bearer_auth(&a)
            .json(&licence),
    )
    .await
    .expect(200);
    let requirement = json!({"category": "测试资质", "grade": "一级", "registered": 2, "titled": 1});
    app.send(
        app.client
            .put(app.url("/api/v1/verification/requirements"))
            .bearer_auth(&city)
            .json(&requirement),
    )
    .await
    .expect(200);
    let q = json!({"category": "测试资质", "grade": "一级", "issued_on": "2026-03-01"});
    let qualification = app
        .post(&format!("/api/v1/enterprises/{a_id}/qualifications"), q, Some(&a))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let p = person(&app, "openid-p").await;
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    let q = person(&app, "openid-q").await;
    register_as(
        &app,
        &q,
        "110105198001010016",
        photo("person-b.jpg"),
        photo("person-b.jpg"),
    )
    .await
    .expect(200);
    let registration = json!({"kind": "registration", "name": "一级注册建造师", "number": "京111060801234", "valid_until": "2028-06-30"});
    let lead = employ(&app, &a, &p, crate::people::ID, "person-a-selfie.jpg", registration).await;
    let title = json!({"kind": "title", "name": "高级工程师", "specialty": "建筑工程"});
    let titled = employ(&app, &a, &q, "110105198001010016", "person-b.jpg", title).await;
    app.send(
        app.client
            .put(app.url(&format!("/api/v1/employment/relations/{lead}/technical-lead")))
            .bearer_auth(&a),
    )
    .await
    .expect(200);

    let opened = app
        .post(
            "/api/v1/verification/tasks",
            json!({"enterprise_id": a_id, "qualification_id": qualification, "kind": "first_time"}),
            Some(&lixia),
        )
        .await;
    opened.expect(201);
    assert_eq!(opened.body["state"], "open");
    assert_eq!(
        opened.body["start_deadline"], "2027-01-01",
        "ten months from the certificate's issue date"
    );
    assert_eq!(opened.body["qualification"], "测试资质 一级");
    let task = opened.body["id"].as_str().unwrap().to_owned();
    Setup {
        app,
        a,
        a_id,
        b,
        lixia,
        shizhong,
        lead,
        titled,
        task,
    }
}

async fn review(s: &Setup, token: &str, decision: &str) -> Answer {
    let body = json!({"decision": decision, "opinion": "人员证件不清晰"});
    s.app
        .post(
            &format!("/api/v1/verification/tasks/{}/review", s.task),
            body,
            Some(token),
        )
        .await
}

async fn select(s: &Setup, ids: &[&str]) -> Answer {
    s.app
        .post(
            &format!("/api/v1/verification/tasks/{}/selection", s.task),
            json!({"employment_ids": ids}),
            Some(&s.a),
        )
        .await
}

async fn selection_rules_and_review(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let candidates = app
        .get(&format!("/api/v1/verification/tasks/{}/candidates", s.task), Some(&s.a))
        .await;
    assert_eq!(candidates.body.as_array().unwrap().len(), 2);

    // With a safety licence: at least 2 of the 3 required in total, 1 registered, 1 titled.
    select(&s, &[&s.lead])
        .await
        .expect_problem(422, "verification.too_few_in_total");
    select(&s, &[&s.titled])
        .await
        .expect_problem(422, "verification.technical_lead_missing");
    select(&s, &[&s.lead, "not-staff"])
        .await
        .expect_problem(422, "verification.person_not_qualified");
    select(&s, &[&s.lead, &s.lead])
        .await
        .expect_problem(422, "verification.duplicate");
    // Without one, everyone required: 2 registered are needed.
    let no_licence = json!({"safety_licence": null});
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.a)
            .json(&no_licence),
    )
    .await
    .expect(200);
    select(&s, &[&s.lead, &s.titled])
        .await
        .expect_problem(422, "verification.too_few_registered");
    let licence = json!({"safety_licence": {"number": "(鲁)JZ安许证字[2024]010001"}});
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.a)
            .json(&licence),
    )
    .await
    .expect(200);

    let submitted = select(&s, &[&s.lead, &s.titled]).await;
    submitted.expect(200);
    assert_eq!(submitted.body["state"], "selection_submitted");
    assert_eq!(submitted.body["selection"].as_array().unwrap().len(), 2);

    review(&s, &s.shizhong, "approve")
        .await
        .expect_problem(404, "resource.not_found");
    review(&s, &s.a, "approve")
        .await
        .expect_problem(403, "auth.forbidden_role");
    let rejected = review(&s, &s.lixia, "reject").await;
    assert_eq!(rejected.body["state"], "open");
    assert_eq!(rejected.body["reviews"][0]["opinion"], "人员证件不清晰");
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    let approved = review(&s, &s.lixia, "approve").await;
    approved.expect(200);
    assert_eq!(approved.body["state"], "checking_in");
    let today = zhujian::platform::types::Date::today_in_china(zhujian::platform::clock::Clock::now_ms(&*app.clock));
    assert_eq!(approved.body["window_end"], today.add_months(1).to_string());

    // Each selected person is told in their inbox; the contact gets SMS notices.
    let inbox: Vec<String> =
        sqlx::query_scalar("SELECT recipient_id FROM notifications WHERE kind = 'verification.check_in_open'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(inbox.len(), 2);
    for kind in [
        "verification.task_opened",
        "verification.rejected",
        "verification.approved",
    ] {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = $1 AND channel = 'sms'")
            .bind(kind)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(n, 1, "{kind}");
    }
}

async fn tasks_are_scoped_and_frozen_after_approval(engine: Engine) {
    let s = setup(engine).await;
    let app = &s.app;
    let path = format!("/api/v1/verification/tasks/{}", s.task);
    app.get(&path, Some(&s.b))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&path, Some(&s.shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&path, Some(&s.a)).await.expect(200);
    assert!(app
        .get("/api/v1/verification/tasks", Some(&s.b))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        app.get("/api/v1/verification/tasks", Some(&s.lixia))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let p = person(app, "openid-p").await;
    app.get("/api/v1/verification/tasks", Some(&p))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let other = app
        .post(
            "/api/v1/verification/tasks",
            json!({"enterprise_id": s.a_id, "qualification_id": "x", "kind": "routine"}),
            Some(&s.shizhong),
        )
        .await;
    other.expect_problem(404, "resource.not_found");

    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    select(&s, &[&s.lead, &s.titled])
        .await
        .expect_problem(409, "verification.state");
    let body = json!({"decision": "approve", "opinion": "同意"});
    app.post(&format!("{path}/review"), body.clone(), Some(&s.lixia))
        .await
        .expect(200);
    // Frozen: no new selection, no second review.
    select(&s, &[&s.lead, &s.titled])
        .await
        .expect_problem(409, "verification.state");
    app.post(&format!("{path}/review"), body, Some(&s.lixia))
        .await
        .expect_problem(409, "verification.state");
    let requirement = json!({"category": "x", "grade": "y", "registered": 1, "titled": 1});
    app.send(
        app.client
            .put(app.url("/api/v1/verification/requirements"))
            .bearer_auth(&s.lixia)
            .json(&requirement),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
}

both_engines!(
    check_in_refusals_flags_and_passing,
    check_in_window_selection_and_radius
);

const SITE: (f64, f64) = (36.6512, 117.1201);

/// Metres to degrees of latitude, and of longitude at the site.
fn north(m: f64) -> f64 {
    m / 111_195.0
}
fn east(m: f64) -> f64 {
    m / (111_195.0 * SITE.0.to_radians().cos())
}

/// The task approved and the site set (WGS-84, default 300 m fence).
async fn approved(engine: Engine) -> Setup {
    let s = setup(engine).await;
    let site = json!({"site": {"latitude": SITE.0, "longitude": SITE.1, "system": "wgs84"}});
    s.app
        .send(
            s.app
                .client
                .patch(s.app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
                .bearer_auth(&s.lixia)
                .json(&site),
        )
        .await
        .expect(200);
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    review(&s, &s.lixia, "approve").await.expect(200);
    s
}

struct Try<'a> {
    token: &'a str,
    photo: &'a str,
    lat: f64,
    lon: f64,
    system: &'a str,
    accuracy: f64,
    mock: bool,
}

async fn check_in(s: &Setup, t: Try<'_>) -> Answer {
    let app = &s.app;
    let challenge = app
        .post(
            &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
            json!({}),
            Some(t.token),
        )
        .await;
    challenge.expect(201);
    let selfie = crate::people::upload(app, t.token, "selfie", photo(t.photo)).await;
    let body = json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie, "latitude": t.lat, "longitude": t.lon,
                      "system": t.system, "accuracy_m": t.accuracy, "mock_location": t.mock});
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body,
        Some(t.token),
    )
    .await
}

async fn check_in_refusals_flags_and_passing(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let q = person(app, "openid-q").await;
    let at = |token, photo, lat, lon| Try {
        token,
        photo,
        lat,
        lon,
        system: "wgs84",
        accuracy: 20.0,
        mock: false,
    };

    let accepted = check_in(&s, at(&p, "person-a-selfie.jpg", SITE.0 + north(50.0), SITE.1)).await;
    accepted.expect(201);
    assert_eq!(accepted.body["attempt"]["outcome"], "accepted");
    let distance = accepted.body["attempt"]["distance_m"].as_f64().unwrap();
    assert!((distance - 50.0).abs() < 1.0, "{distance}");
    assert!(accepted.body["attempt"]["face_distance"].as_f64().unwrap() < 0.5);
    assert_eq!(accepted.body["task_state"], "checking_in");
    check_in(&s, at(&p, "person-a-portrait.jpg", SITE.0, SITE.1))
        .await
        .expect_problem(409, "verification.already_checked_in");

    let outside = check_in(&s, at(&q, "person-b.jpg", SITE.0 + north(1000.0), SITE.1)).await;
    outside.expect_problem(422, "check_in.outside");
    assert!(
        outside.body["detail"].as_str().unwrap().contains("1000"),
        "{}",
        outside.text
    );
    let vague = check_in(
        &s,
        Try {
            accuracy: 500.0,
            ..at(&q, "person-b.jpg", SITE.0, SITE.1)
        },
    )
    .await;
    vague.expect_problem(422, "check_in.poor_accuracy");
    check_in(&s, at(&q, "person-c.jpg", SITE.0, SITE.1))
        .await
        .expect_problem(422, "face.mismatch");
    check_in(&s, at(&q, "person-a-selfie.jpg", SITE.0, SITE.1))
        .await
        .expect_problem(422, "check_in.reused_photo");
    // A spent challenge cannot be used again.
    let challenge = app
        .post(
            &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
            json!({}),
            Some(&q),
        )
        .await;
    let selfie = crate::people::upload(app, &q, "selfie", photo("person-b.jpg")).await;
    let body = json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie, "latitude": SITE.0 + north(900.0),
                      "longitude": SITE.1, "system": "wgs84", "accuracy_m": 10.0});
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body.clone(),
        Some(&q),
    )
    .await
    .expect_problem(422, "check_in.outside");
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body,
        Some(&q),
    )
    .await
    .expect_problem(422, "challenge.used");

    // 280 m east inside the 300 m fence, reported in GCJ-02 as Chinese maps do: accepted, but
    // the same coordinates as P's and a mock-location flag are signals for review.
    let (glat, glon) = zhujian::verification::geofence::wgs84_to_gcj02(SITE.0, SITE.1 + east(280.0));
    let gcj = check_in(
        &s,
        Try {
            system: "gcj02",
            mock: true,
            ..at(&q, "person-b.jpg", glat, glon)
        },
    )
    .await;
    gcj.expect(201);
    assert_eq!(gcj.body["attempt"]["outcome"], "flagged");
    assert_eq!(gcj.body["attempt"]["flags"], "mock_location");
    assert!((gcj.body["attempt"]["distance_m"].as_f64().unwrap() - 280.0).abs() < 1.0);
    assert_eq!(gcj.body["task_state"], "passed", "everyone selected has checked in");

    // Every attempt is kept for audit; the person sees only their own.
    let all = app
        .get(
            &format!("/api/v1/verification/tasks/{}/check-ins", s.task),
            Some(&s.lixia),
        )
        .await;
    let outcomes: Vec<&str> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "refused").count(), 7, "{outcomes:?}");
    assert_eq!(
        app.get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&p))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.get(
        &format!("/api/v1/verification/tasks/{}/check-ins", s.task),
        Some(&s.shizhong),
    )
    .await
    .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&s.b))
        .await
        .expect_problem(404, "resource.not_found");
}

async fn check_in_window_selection_and_radius(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    // A repeated position is flagged: exactly the coordinates of an earlier valid check-in.
    let first = check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-selfie.jpg",
            lat: 36.6513,
            lon: 117.1202,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    first.expect(201);

    // Someone employed by the enterprise but not selected is refused; strangers see nothing.
    let r = person(app, "openid-r").await;
    register_as(
        app,
        &r,
        "110105198501010039",
        photo("person-c.jpg"),
        photo("person-c.jpg"),
    )
    .await
    .expect(200);
    employ(
        app,
        &s.a,
        &r,
        "110105198501010039",
        "person-c.jpg",
        json!({"kind": "title", "name": "工程师", "specialty": "结构"}),
    )
    .await;
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
        json!({}),
        Some(&r),
    )
    .await
    .expect_problem(403, "verification.not_selected");
    let stranger = person(app, "openid-stranger").await;
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
        json!({}),
        Some(&stranger),
    )
    .await
    .expect_problem(404, "resource.not_found");

    // Staff narrow the site's fence: 50 m now.
    let narrow = json!({"site_radius_m": 50.0});
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.a)
            .json(&narrow),
    )
    .await
    .expect_problem(403, "enterprise.field_staff_only");
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.lixia)
            .json(&narrow),
    )
    .await
    .expect(200);
    let q = person(app, "openid-q").await;
    let far = check_in(
        &s,
        Try {
            token: &q,
            photo: "person-b.jpg",
            lat: SITE.0 + north(120.0),
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    far.expect_problem(422, "check_in.outside");
    let same_spot = check_in(
        &s,
        Try {
            token: &q,
            photo: "person-b.jpg",
            lat: 36.6513,
            lon: 117.1202,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    same_spot.expect(201);
    assert_eq!(same_spot.body["attempt"]["flags"], "repeated_position");

    // After the window (one calendar month), no more check-ins.
    app.clock.advance_secs(32 * 24 * 3600);
    let p = person(app, "openid-p").await;
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
        json!({}),
        Some(&p),
    )
    .await
    .expect_problem(422, "verification.outside_window");
}

both_engines!(
    first_time_tasks_lapse_and_progress_is_reported,
    routine_tasks_rectify_then_withdraw
);

/// A token for the enterprise as signing in would give (the clock jumps past every token).
fn enterprise_token_now(app: &TestApp, enterprise_id: &str) -> String {
    let subject = zhujian::auth::tokens::Subject {
        account_id: enterprise_id.to_owned(),
        role: zhujian::auth::Role::Enterprise,
        scope: zhujian::auth::Scope::Enterprise(enterprise_id.into()),
        channel: zhujian::auth::Channel::Web,
    };
    app.state
        .tokens
        .issue(&subject, zhujian::platform::clock::Clock::now_ms(&*app.clock))
}

async fn task_state(s: &Setup) -> Value {
    let lixia = s.app.login_staff("lixia", "Passw0rd-staff").await;
    s.app
        .get(&format!("/api/v1/verification/tasks/{}", s.task), Some(&lixia))
        .await
        .body
}

async fn first_time_tasks_lapse_and_progress_is_reported(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-selfie.jpg",
            lat: SITE.0,
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await
    .expect(201);
    let progress = app
        .get(
            &format!("/api/v1/verification/tasks/{}/progress", s.task),
            Some(&s.lixia),
        )
        .await;
    let done: Vec<bool> = progress
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["checked_in"].as_bool().unwrap())
        .collect();
    assert_eq!(done.iter().filter(|d| **d).count(), 1);
    assert_eq!(done.len(), 2);
    let csv = app
        .get(
            &format!("/api/v1/verification/tasks/{}/progress.csv", s.task),
            Some(&s.lixia),
        )
        .await;
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.text.contains("张三") && csv.text.contains("110105********002X") && csv.text.contains("否"),
        "{}",
        csv.text
    );
    app.get(
        &format!("/api/v1/verification/tasks/{}/progress.csv", s.task),
        Some(&s.shizhong),
    )
    .await
    .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/verification/tasks/{}/progress", s.task), Some(&p))
        .await
        .expect_problem(403, "auth.forbidden_role");

    // Not yet overdue: nothing closes. A month and a bit later: the first-time task lapses.
    assert_eq!(
        zhujian::verification::outcomes::close_overdue(&app.state)
            .await
            .unwrap(),
        0
    );
    app.clock.advance_secs(33 * 24 * 3600);
    assert_eq!(
        zhujian::verification::outcomes::close_overdue(&app.state)
            .await
            .unwrap(),
        1
    );
    let task = task_state(&s).await;
    assert_eq!(task["state"], "lapsed");
    let notices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'verification.lapsed'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(notices, 1);
    // The job's change committed with its audit event, the job named as the actor.
    let closed: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor_kind, actor_id, target FROM audit_events WHERE action = 'close overdue verification task'",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        closed,
        vec![(
            "system".into(),
            "verification.close".into(),
            format!("verification_task:{}", s.task)
        )]
    );
}

async fn routine_tasks_rectify_then_withdraw(engine: Engine) {
    let mut s = approved(engine).await;
    let app = &s.app;
    let qualification: String = sqlx::query_scalar("SELECT id FROM enterprise_qualifications")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let routine = app
        .post(
            "/api/v1/verification/tasks",
            json!({"enterprise_id": s.a_id, "qualification_id": qualification, "kind": "routine"}),
            Some(&s.lixia),
        )
        .await;
    routine.expect(201);
    s.task = routine.body["id"].as_str().unwrap().to_owned();
    let today = zhujian::platform::types::Date::today_in_china(zhujian::platform::clock::Clock::now_ms(&*app.clock));
    assert_eq!(
        routine.body["start_deadline"],
        today.add_months(1).to_string(),
        "one month from the notice"
    );
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    review(&s, &s.lixia, "approve").await.expect(200);

    app.clock.advance_secs(33 * 24 * 3600);
    assert!(
        zhujian::verification::outcomes::close_overdue(&app.state)
            .await
            .unwrap()
            >= 1
    );
    assert_eq!(task_state(&s).await["state"], "rectification");
    let (deadline, reasons): (String, String) =
        sqlx::query_as("SELECT rectification_deadline, rectification_reasons FROM verification_tasks WHERE id = $1")
            .bind(&s.task)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert!(reasons.contains("2 名"), "{reasons}");
    assert!(!deadline.is_empty());

    // The enterprise answers with its report; round 2 begins.
    let a = enterprise_token_now(app, &s.a_id);
    let url = format!("/api/v1/verification/tasks/{}/rectification", s.task);
    let missing = app
        .post(&url, json!({"report": "已整改", "document_id": "none"}), Some(&a))
        .await;
    assert_eq!(missing.body["errors"][0]["code"], "verification.report_missing");
    let pdf = app
        .upload(&a, "material_scan", "整改报告.pdf", crate::files::pdf(6000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answered = app
        .post(
            &url,
            json!({"report": "已组织人员按期打卡", "document_id": pdf}),
            Some(&a),
        )
        .await;
    answered.expect(200);
    assert_eq!(
        (answered.body["state"].as_str(), answered.body["round"].as_i64()),
        (Some("open"), Some(2))
    );
    app.post(&url, json!({"report": "x", "document_id": pdf}), Some(&a))
        .await
        .expect_problem(409, "verification.state");

    s.a = a;
    s.lixia = app.login_staff("lixia", "Passw0rd-staff").await;
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    review(&s, &s.lixia, "approve").await.expect(200);
    app.clock.advance_secs(33 * 24 * 3600);
    zhujian::verification::outcomes::close_overdue(&app.state)
        .await
        .unwrap();
    assert_eq!(
        task_state(&s).await["state"],
        "withdrawn",
        "failing again: the qualification is to be withdrawn"
    );
}

both_engines!(polygon_sites_replace_the_circle);

async fn polygon_sites_replace_the_circle(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let corner =
        |dn: f64, de: f64| json!({"latitude": SITE.0 + north(dn), "longitude": SITE.1 + east(de), "system": "wgs84"});
    let square =
        json!({"site_polygon": [corner(-50.0, -50.0), corner(50.0, -50.0), corner(50.0, 50.0), corner(-50.0, 50.0)]});
    let patch = |token: &str, body: Value| {
        app.send(
            app.client
                .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
                .bearer_auth(token)
                .json(&body),
        )
    };
    patch(&s.a, square.clone())
        .await
        .expect_problem(403, "enterprise.field_staff_only");
    let line = json!({"site_polygon": [corner(0.0, 0.0), corner(10.0, 10.0)]});
    assert_eq!(
        patch(&s.lixia, line).await.body["errors"][0]["code"],
        "enterprise.polygon_vertices"
    );
    let set = patch(&s.lixia, square).await;
    set.expect(200);
    assert_eq!(set.body["site_polygon"].as_array().unwrap().len(), 4);

    // 120 m north: inside the default 300 m circle, but 70 m beyond the square.
    let p = person(app, "openid-p").await;
    let out = check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-selfie.jpg",
            lat: SITE.0 + north(120.0),
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    out.expect_problem(422, "check_in.outside");
    assert!(out.body["detail"].as_str().unwrap().contains("70"), "{}", out.text);
    let inside = check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-portrait.jpg",
            lat: SITE.0 + north(20.0),
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    inside.expect(201);
    assert_eq!(inside.body["attempt"]["distance_m"], 0.0);
}
