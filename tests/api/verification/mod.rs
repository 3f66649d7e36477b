//! Qualification verification: tasks, selection rules, review.

use serde_json::{json, Value};

use crate::employment::{accept, offer};
use crate::harness::{Answer, Engine, TestApp};
use crate::people::{person, photo, register, register_as};

mod appeal;
mod biometrics;
mod check_in;
pub(crate) mod deadlines;
mod entitlement;
mod exports;
mod hygiene;
mod identity;
mod liveness;
mod photo_reuse;
mod replacement;
pub(crate) mod review;
mod tasks;

/// The photos P (the technical lead) sent: at registration and accepting employment.
pub(crate) struct Sent {
    portrait: Vec<u8>,
    selfie: Vec<u8>,
    acceptance: Vec<u8>,
}

pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) p_sent: Sent,
    pub(crate) a: String,
    pub(crate) a_id: String,
    /// Enterprise A's and B's passwords, to sign in to the portal.
    pub(crate) passwords: (String, String),
    pub(crate) b: String,
    pub(crate) lixia: String,
    pub(crate) shizhong: String,
    pub(crate) lead: String,
    pub(crate) titled: String,
    pub(crate) task: String,
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
    selfie: Vec<u8>,
    certificate: Value,
) -> String {
    let mut o = offer();
    o["id_number"] = json!(id_number);
    let request = app.post("/api/v1/employment/requests", o, Some(a)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let relation = accept(app, person_token, &request, selfie).await.body["id"]
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

/// City staff set how many registered and titled staff the test qualification requires.
async fn require(app: &TestApp, city: &str, registered: u32, titled: u32) {
    let requirement = json!({"category": "测试资质", "grade": "一级", "registered": registered, "titled": titled});
    app.send(
        app.client
            .put(app.url("/api/v1/verification/requirements"))
            .bearer_auth(city)
            .json(&requirement),
    )
    .await
    .expect(200);
}

pub(crate) async fn setup(engine: Engine) -> Setup {
    setup_with(engine, |_| {}).await
}

async fn setup_with(engine: Engine, configure: impl FnOnce(&mut zhujian::platform::config::Settings)) -> Setup {
    let app = TestApp::start_with(engine, configure).await;
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
    require(&app, &city, 2, 1).await;
    let q = json!({"category": "测试资质", "grade": "一级", "issued_on": "2026-03-01"});
    let qualification = app
        .post(&format!("/api/v1/enterprises/{a_id}/qualifications"), q, Some(&a))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let p = person(&app, "openid-p").await;
    let p_sent = Sent {
        portrait: photo("person-a-portrait.jpg"),
        selfie: photo("person-a-selfie.jpg"),
        acceptance: photo("person-a-selfie.jpg"),
    };
    register(&app, &p, p_sent.portrait.clone(), p_sent.selfie.clone())
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
    let lead = employ(&app, &a, &p, crate::people::ID, p_sent.acceptance.clone(), registration).await;
    let title = json!({"kind": "title", "name": "高级工程师", "specialty": "建筑工程"});
    let titled = employ(&app, &a, &q, "110105198001010016", photo("person-b.jpg"), title).await;
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
        p_sent,
        a,
        a_id,
        passwords: (pa, pb),
        b,
        lixia,
        shizhong,
        lead,
        titled,
        task,
    }
}

pub(crate) async fn review(s: &Setup, token: &str, decision: &str) -> Answer {
    let body = json!({"decision": decision, "opinion": "人员证件不清晰"});
    s.app
        .post(
            &format!("/api/v1/verification/tasks/{}/review", s.task),
            body,
            Some(token),
        )
        .await
}

pub(crate) async fn select(s: &Setup, ids: &[&str]) -> Answer {
    s.app
        .post(
            &format!("/api/v1/verification/tasks/{}/selection", s.task),
            json!({"employment_ids": ids}),
            Some(&s.a),
        )
        .await
}

const SITE: (f64, f64) = (36.6512, 117.1201);

/// Metres to degrees of latitude, and of longitude at the site.
fn north(m: f64) -> f64 {
    m / 111_195.0
}
fn east(m: f64) -> f64 {
    m / (111_195.0 * SITE.0.to_radians().cos())
}

/// Records enterprise A's site (WGS-84, default 300 m fence): approval needs it.
pub(crate) async fn set_site(s: &Setup) {
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
}

/// Enterprise A ends an employment.
async fn end(s: &Setup, employment: &str) {
    s.app
        .post(
            &format!("/api/v1/employment/relations/{employment}/end"),
            json!({"reason": "离职"}),
            Some(&s.a),
        )
        .await
        .expect(200);
}

/// The task approved and the site set.
pub(crate) async fn approved(engine: Engine) -> Setup {
    approved_with(engine, |_| {}).await
}

async fn approved_with(engine: Engine, configure: impl FnOnce(&mut zhujian::platform::config::Settings)) -> Setup {
    let s = setup_with(engine, configure).await;
    set_site(&s).await;
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    review(&s, &s.lixia, "approve").await.expect(200);
    s
}

pub(crate) struct Try<'a> {
    token: &'a str,
    photo: &'a str,
    lat: f64,
    lon: f64,
    system: &'a str,
    accuracy: f64,
    mock: bool,
}

/// Checks in with a new photo of the named fixture.
pub(crate) async fn check_in(s: &Setup, t: Try<'_>) -> Answer {
    let selfie = photo(t.photo);
    check_in_with(s, t, selfie).await
}

/// Checks in with exactly this selfie.
async fn check_in_with(s: &Setup, t: Try<'_>, selfie: Vec<u8>) -> Answer {
    let app = &s.app;
    let challenge = app
        .post(
            &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
            json!({}),
            Some(t.token),
        )
        .await;
    challenge.expect(201);
    let selfie = crate::people::upload(app, t.token, "selfie", selfie).await;
    let body = json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie, "latitude": t.lat, "longitude": t.lon,
                      "system": t.system, "accuracy_m": t.accuracy, "mock_location": t.mock});
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body,
        Some(t.token),
    )
    .await
}
