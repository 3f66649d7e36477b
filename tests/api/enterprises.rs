//! Enterprise accounts: opened by staff in their jurisdiction, read only within scope.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    enterprise_accounts_open_with_an_sms_password,
    enterprise_reads_are_scoped,
    enterprise_creation_refusals
);

async fn enterprise_accounts_open_with_an_sms_password(engine: Engine) {
    let app = TestApp::start(engine).await;
    let district = app.staff_token("lixia", "district", Some("370102")).await;
    let (id, password) = app
        .enterprise_account(&district, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let login = app.enterprise_token("91350100M000100Y43", &password).await;
    login.expect(200);
    let token = login.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/auth/me", Some(token)).await;
    assert_eq!(me.body["scope"], format!("enterprise:{id}"));
    let own = app.get(&format!("/api/v1/enterprises/{id}"), Some(token)).await;
    own.expect(200);
    assert_eq!(own.body["contact_phone"], "139****5678", "phones are masked");
    assert!(!own.text.contains("13912345678"));
}

async fn enterprise_reads_are_scoped(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a, pa) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (b, _) = app
        .enterprise_account(&city, "91110000802100433B", "370103", "13912345679")
        .await;
    let a_token = app.enterprise_token("91350100M000100Y43", &pa).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    app.get(&format!("/api/v1/enterprises/{b}"), Some(&a_token))
        .await
        .expect_problem(404, "resource.not_found");
    app.get("/api/v1/enterprises", Some(&a_token))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.get(&format!("/api/v1/enterprises/{a}"), Some(&lixia))
        .await
        .expect(200);
    app.get(&format!("/api/v1/enterprises/{b}"), Some(&lixia))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/enterprises/{a}"), Some(&shizhong))
        .await
        .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/enterprises/{b}"), Some(&city))
        .await
        .expect(200);

    let listed = app.get("/api/v1/enterprises", Some(&lixia)).await;
    let ids: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str()]);
    assert_eq!(
        app.get("/api/v1/enterprises", Some(&city))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let person = app.person_login("openid-p").await;
    let person_token = person.body["access_token"].as_str().unwrap();
    app.get(&format!("/api/v1/enterprises/{a}"), Some(person_token))
        .await
        .expect_problem(404, "resource.not_found");
}

async fn enterprise_creation_refusals(engine: Engine) {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let body = |code: &str, district: &str| json!({"credit_code": code, "name": "某建筑公司", "district_code": district, "contact_name": "王五", "contact_phone": "13912345678"});
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370103"),
        Some(&lixia),
    )
    .await
    .expect_problem(403, "enterprise.outside_jurisdiction");
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&supervisor),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");
    let invalid = app
        .post(
            "/api/v1/enterprises",
            body("91350100M000100Y4X", "370102"),
            Some(&lixia),
        )
        .await;
    invalid.expect_problem(422, "request.invalid_fields");
    assert_eq!(invalid.body["errors"][0]["field"], "credit_code");
    let bad_phone = json!({"credit_code": "91350100M000100Y43", "name": "x", "district_code": "370102", "contact_name": "王五", "contact_phone": "12345"});
    let answer = app.post("/api/v1/enterprises", bad_phone, Some(&lixia)).await;
    assert_eq!(answer.body["errors"][0]["code"], "phone.format");

    // If the SMS cannot go out, no account is left behind; once it can, the same code works.
    app.sms.set_failing(Some("LimitExceeded.PhoneNumberDailyLimit"));
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&lixia),
    )
    .await
    .expect_problem(503, "sms.unavailable");
    // Opened and withdrawn again, each an act with its event.
    let targets: Vec<String> =
        sqlx::query_scalar("SELECT target FROM audit_events WHERE action = 'POST /api/v1/enterprises' ORDER BY seq")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    let opened = targets.last().unwrap().split(' ').next().unwrap().to_owned();
    assert!(targets.contains(&opened), "{targets:?}");
    assert!(
        targets
            .last()
            .unwrap()
            .ends_with("withdrawn: initial password not delivered"),
        "{targets:?}"
    );
    app.sms.set_failing(None);
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&lixia),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/enterprises",
        body("91350100M000100Y43", "370102"),
        Some(&lixia),
    )
    .await
    .expect_problem(409, "enterprise.already_exists");
}

both_engines!(
    profile_edits_keep_history,
    qualifications_licence_and_video,
    csv_import_reports_every_row,
    profiles_are_scoped
);

struct Two {
    app: TestApp,
    a: String,
    a_id: String,
    b: String,
    lixia: String,
    shizhong: String,
}

async fn two(engine: Engine) -> Two {
    let app = TestApp::start(engine).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a_id, pa) = app
        .enterprise_account(&lixia, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (_, pb) = app
        .enterprise_account(&shizhong, "91110000802100433B", "370103", "13912345679")
        .await;
    let token = |answer: crate::harness::Answer| answer.body["access_token"].as_str().unwrap().to_owned();
    let a = token(app.enterprise_token("91350100M000100Y43", &pa).await);
    let b = token(app.enterprise_token("91110000802100433B", &pb).await);
    Two {
        app,
        a,
        a_id,
        b,
        lixia,
        shizhong,
    }
}

async fn patch(app: &TestApp, token: &str, id: &str, body: serde_json::Value) -> crate::harness::Answer {
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{id}")))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

async fn profile_edits_keep_history(engine: Engine) {
    let t = two(engine).await;
    let app = &t.app;
    let edit = json!({
        "registered_address": "济南市历下区经十路 100 号",
        "site": {"latitude": 36.6512, "longitude": 117.1201, "system": "gcj02"},
        "contact_name": "赵六",
        "safety_licence": {"number": "(鲁)JZ安许证字[2024]010001", "valid_until": "2027-12-31"}
    });
    let edited = patch(app, &t.a, &t.a_id, edit).await;
    edited.expect(200);
    assert_eq!(
        edited.body["site"],
        json!({"latitude": 36.6512, "longitude": 117.1201, "system": "gcj02"})
    );
    assert_eq!(edited.body["safety_licence"]["valid_until"], "2027-12-31");
    let history = app
        .get(&format!("/api/v1/enterprises/{}/history", t.a_id), Some(&t.a))
        .await;
    let fields: Vec<&str> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    for field in [
        "registered_address",
        "site_latitude",
        "site_longitude",
        "site_crs",
        "contact_name",
        "safety_licence_number",
    ] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }

    let rename = patch(app, &t.a, &t.a_id, json!({"name": "新名称建筑有限公司"})).await;
    rename.expect_problem(403, "enterprise.field_staff_only");
    let renamed = patch(
        app,
        &t.lixia,
        &t.a_id,
        json!({"name": "新名称建筑有限公司", "locality": "non_local"}),
    )
    .await;
    renamed.expect(200);
    assert_eq!(renamed.body["former_names"], json!(["企业91350100M000100Y43"]));
    assert_eq!(renamed.body["locality"], "non_local");
    patch(app, &t.lixia, &t.a_id, json!({"district_code": "370103"}))
        .await
        .expect_problem(403, "enterprise.outside_jurisdiction");

    let bad_site = patch(
        app,
        &t.a,
        &t.a_id,
        json!({"site": {"latitude": 91.0, "longitude": 117.0, "system": "wgs84"}}),
    )
    .await;
    assert_eq!(bad_site.body["errors"][0]["code"], "coordinates.range");
    let bad_system = patch(
        app,
        &t.a,
        &t.a_id,
        json!({"site": {"latitude": 36.0, "longitude": 117.0, "system": "bd09"}}),
    )
    .await;
    bad_system.expect_problem(422, "request.invalid_fields");
    let cleared = patch(app, &t.a, &t.a_id, json!({"site": null, "safety_licence": null})).await;
    assert!(cleared.body["site"].is_null() && cleared.body["safety_licence"].is_null());

    // A new contact phone: the new contact gets an SMS.
    patch(app, &t.a, &t.a_id, json!({"contact_phone": "13700001111"}))
        .await
        .expect(200);
    zhujian::notify::outbox::deliver_due(&app.state).await.unwrap();
    let sms = app.sms.last_to("13700001111").expect("SMS to the new contact");
    assert_eq!(
        (sms.template_id.as_str(), sms.params[1].as_str()),
        ("100003", "新名称建筑有限公司（91350100M000100Y43）"),
        "the notice names the enterprise"
    );
    let unchanged = patch(app, &t.a, &t.a_id, json!({"contact_phone": "13700001111"})).await;
    assert_eq!(unchanged.body["contact_phone"], "137****1111");
}

async fn qualifications_licence_and_video(engine: Engine) {
    let t = two(engine).await;
    let app = &t.app;
    let confirmed = app
        .post(
            &format!("/api/v1/enterprises/{}/confirm", t.a_id),
            json!({}),
            Some(&t.a),
        )
        .await;
    confirmed.expect(200);
    assert!(confirmed.body["confirmed_at"].is_i64());
    app.post(
        &format!("/api/v1/enterprises/{}/confirm", t.a_id),
        json!({}),
        Some(&t.lixia),
    )
    .await
    .expect_problem(403, "auth.forbidden_role");

    let q = json!({"category": "建筑工程施工总承包", "grade": "一级", "certificate_number": "D137000001", "issued_on": "2026-03-01"});
    let added = app
        .post(&format!("/api/v1/enterprises/{}/qualifications", t.a_id), q, Some(&t.a))
        .await;
    added.expect(201);
    let view = app
        .get(&format!("/api/v1/enterprises/{}", t.a_id), Some(&t.lixia))
        .await;
    assert_eq!(view.body["qualifications"][0]["grade"], "一级");
    let qid = added.body["id"].as_str().unwrap();
    let remove = app
        .client
        .delete(app.url(&format!("/api/v1/enterprises/{}/qualifications/{qid}", t.a_id)))
        .bearer_auth(&t.a);
    app.send(remove).await.expect(204);
    let history = app
        .get(&format!("/api/v1/enterprises/{}/history", t.a_id), Some(&t.a))
        .await;
    let qualification_changes = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field"] == "qualification")
        .count();
    assert_eq!(qualification_changes, 2, "the addition and the removal are both kept");

    let licence = app
        .upload(&t.a, "business_licence", "营业执照.pdf", crate::files::pdf(4000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = |path: &str, doc: &str| {
        app.send(
            app.client
                .put(app.url(&format!("/api/v1/enterprises/{}/{path}", t.a_id)))
                .bearer_auth(&t.a)
                .json(&json!({"document_id": doc})),
        )
    };
    assert_eq!(
        put("business-licence", &licence).await.body["business_licence_document_id"],
        licence.as_str()
    );
    let delete = |doc: &str| {
        app.send(
            app.client
                .delete(app.url(&format!("/api/v1/documents/{doc}")))
                .bearer_auth(&t.a),
        )
    };
    delete(&licence).await.expect_problem(409, "document.locked");
    let replacement = app
        .upload(&t.a, "business_licence", "营业执照.png", crate::files::png(600, 400))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    put("business-licence", &replacement).await.expect(200);
    delete(&licence).await.expect(204);
    let video = app
        .upload(&t.a, "enterprise_video", "企业视频.mp4", crate::files::mp4(100_000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(put("video", &video).await.body["video_document_id"], video.as_str());
    let wrong = put("video", &replacement).await;
    assert_eq!(wrong.body["errors"][0]["code"], "enterprise.document_invalid");
}

async fn csv_import_reports_every_row(engine: Engine) {
    let t = two(engine).await;
    let app = &t.app;
    let csv = "credit_code,name,district_code,contact_name,contact_phone,registered_address,locality\n\
               91370102MA3C4X5Y6N,\"济南甲建筑有限公司, 历下\",370102,张一,13811110001,经十路1号,local\n\
               914403001922038216,深圳乙公司,370103,张二,13811110002,,\n\
               91350100M000100Y44,错误代码公司,370102,张三,13811110003,,\n\
               91350100M000100Y43,已存在公司,370102,张四,13811110004,,\n\
               91110108MA01ABCD2X,坏手机号公司,370102,张五,12345,,\n";
    let sum: usize = "91370102MA3C4X5Y6"
        .chars()
        .zip([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
        .map(|(c, w)| "0123456789ABCDEFGHJKLMNPQRTUWXY".find(c).unwrap() * w)
        .sum();
    let check = "0123456789ABCDEFGHJKLMNPQRTUWXY".as_bytes()[(31 - sum % 31) % 31] as char;
    let csv = csv.replace("91370102MA3C4X5Y6N", &format!("91370102MA3C4X5Y6{check}"));
    let import = |token: &str, body: String| {
        app.send(
            app.client
                .post(app.url("/api/v1/enterprises/import"))
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(body),
        )
    };
    let report = import(&t.lixia, csv).await;
    report.expect(200);
    assert_eq!(
        (report.body["created"].as_u64(), report.body["refused"].as_u64()),
        (Some(1), Some(4)),
        "{}",
        report.text
    );
    let rows = report.body["rows"].as_array().unwrap();
    assert_eq!(
        (rows[0]["line"].as_u64(), rows[0]["outcome"].as_str()),
        (Some(2), Some("created"))
    );
    assert_eq!(rows[1]["errors"][0]["code"], "enterprise.outside_jurisdiction");
    assert_eq!(rows[2]["errors"][0]["code"], "credit_code.check_character");
    assert_eq!(rows[3]["errors"][0]["code"], "enterprise.already_exists");
    assert_eq!(
        (
            rows[4]["errors"][0]["field"].as_str(),
            rows[4]["errors"][0]["code"].as_str()
        ),
        (Some("contact_phone"), Some("phone.format"))
    );
    assert!(
        app.sms.last_to("13811110001").is_some(),
        "the created account's password was sent"
    );
    assert!(app.sms.last_to("13811110002").is_none());

    import(&t.lixia, "credit_code,name\nx,y\n".into())
        .await
        .expect_problem(422, "import.columns_missing");
    import(&t.a, "credit_code\n".into())
        .await
        .expect_problem(403, "auth.forbidden_role");
}

async fn profiles_are_scoped(engine: Engine) {
    let t = two(engine).await;
    let app = &t.app;
    for token in [&t.b, &t.shizhong] {
        patch(app, token, &t.a_id, json!({"contact_name": "x"}))
            .await
            .expect_problem(404, "resource.not_found");
        app.get(&format!("/api/v1/enterprises/{}/history", t.a_id), Some(token))
            .await
            .expect_problem(404, "resource.not_found");
        let q = json!({"category": "x", "grade": "y", "issued_on": "2026-01-01"});
        app.post(
            &format!("/api/v1/enterprises/{}/qualifications", t.a_id),
            q,
            Some(token),
        )
        .await
        .expect_problem(404, "resource.not_found");
    }
    let put = app
        .client
        .put(app.url(&format!("/api/v1/enterprises/{}/video", t.a_id)))
        .bearer_auth(&t.b)
        .json(&json!({"document_id": "x"}));
    app.send(put).await.expect_problem(404, "resource.not_found");
    let person = app.person_login("openid-p").await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    patch(app, &person, &t.a_id, json!({"contact_name": "x"}))
        .await
        .expect_problem(403, "auth.forbidden_role");
}
