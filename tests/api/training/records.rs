//! Continuing-education records: entered one by one with every field checked, imported by CSV
//! with a per-row report, and read within bounds: an institution its own, city staff all,
//! district staff their district's employed holders, a person their own.

use serde_json::json;

use super::{courses, enter, import, institution, record};
use crate::both_engines;
use crate::certificates::{id_number, world};
use crate::harness::{Engine, TestApp};
use crate::people::ID;

both_engines!(
    training_records_are_checked_and_entered,
    training_csv_import_reports_bad_rows,
    training_records_are_seen_within_bounds
);

async fn training_records_are_checked_and_entered(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let (id, token) = institution(&app, &city, "train-a").await;

    let created = enter(&app, &token, record(ID)).await;
    created.expect(201);
    let r = &created.body;
    assert_eq!(r["institution_id"], id);
    assert_eq!(r["institution_name"], "train-a培训中心");
    assert_eq!(r["holder_name"], "张三");
    assert_eq!(r["holder_id_number_masked"], "110105********002X");
    assert_eq!(r["certificate_kind"], "special");
    assert_eq!(
        (r["category"].as_str(), r["category_label"].as_str()),
        (Some("electrician"), Some("建筑电工"))
    );
    assert_eq!((r["hours"].as_i64(), r["passed"].as_bool()), (Some(24), Some(true)));
    assert_eq!(r["completed_on"], "2025-03-01");
    assert!(!created.text.contains(ID), "the full ID number is never shown");

    let bad = enter(
        &app,
        &token,
        json!({"id_number": "11010519491231002Y", "name": " ", "certificate_kind": "D", "category": "建筑电工",
               "course": "", "hours": 201, "completed_on": "2099-01-01", "passed": false}),
    )
    .await;
    bad.expect_problem(422, "request.invalid_fields");
    let fields: Vec<(&str, &str)> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("id_number", "id_number.format"),
            ("name", "certificate.holder_name_invalid"),
            ("certificate_kind", "certificate.kind_unknown"),
            ("course", "education.course_invalid"),
            ("hours", "education.hours_invalid"),
            ("completed_on", "education.completed_in_future"),
        ]
    );
    let mut safety = record(ID);
    safety["certificate_kind"] = json!("B");
    let refused = enter(&app, &token, safety.clone()).await;
    refused.expect_problem(422, "request.invalid_fields");
    assert_eq!(refused.body["errors"][0]["code"], "certificate.category_invalid");
    safety["category"] = json!(null);
    enter(&app, &token, safety).await.expect(201);

    enter(&app, &token, record(ID))
        .await
        .expect_problem(409, "education.duplicate");
    enter(&app, &city, record(ID))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let list = app.get("/api/v1/continuing-education", Some(&token)).await;
    list.expect(200);
    assert_eq!(list.body.as_array().unwrap().len(), 2);
}

async fn training_csv_import_reports_bad_rows(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let (_, token) = institution(&app, &city, "train-a").await;
    let other = id_number("11010519800101001");
    let csv = format!(
        "id_number,name,certificate_kind,category,course,hours,completed_on,passed\n\
         {ID},张三,特种作业,建筑电工,电工复训,24,2025-03-01,合格\n\
         {other},李四,C,,安全管理继续教育,16,2025-04-01,否\n\
         {ID},张三,A,,主要负责人继续教育,abc,2025-13-01,也许\n\
         {ID},张三,special,electrician,电工复训,24,2025-03-01,是\n"
    );
    let report = import(&app, &token, &csv).await;
    report.expect(200);
    assert_eq!(
        (report.body["created"].as_i64(), report.body["refused"].as_i64()),
        (Some(2), Some(2)),
        "{}",
        report.text
    );
    let rows = report.body["rows"].as_array().unwrap();
    assert_eq!(rows[0]["line"], 4);
    let codes: Vec<&str> = rows[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["education.hours_invalid", "date.format", "education.passed_invalid"]
    );
    assert_eq!(
        (rows[1]["line"].as_i64(), rows[1]["errors"][0]["code"].as_str()),
        (Some(5), Some("education.duplicate_in_file"))
    );

    // The same file again creates nothing: each good row is refused as already entered.
    let again = import(&app, &token, &csv).await;
    again.expect(200);
    assert_eq!(
        (again.body["created"].as_i64(), again.body["refused"].as_i64()),
        (Some(0), Some(4))
    );
    assert_eq!(again.body["rows"][0]["errors"][0]["code"], "education.duplicate");

    let list = app.get("/api/v1/continuing-education", Some(&token)).await;
    assert_eq!(courses(&list), ["安全管理继续教育", "电工复训"]);
    let failed = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["course"] == "安全管理继续教育")
        .unwrap();
    assert_eq!(
        (failed["passed"].as_bool(), failed["holder_name"].as_str()),
        (Some(false), Some("李四"))
    );

    import(&app, &token, "id_number,name\n1,2\n")
        .await
        .expect_problem(422, "import.columns_missing");
    import(&app, &city, &csv)
        .await
        .expect_problem(403, "auth.forbidden_role");
}

async fn training_records_are_seen_within_bounds(engine: Engine) {
    // 张三 (`ID`) is registered and employed by A, of district 370102.
    let w = world(engine).await;
    let app = &w.app;
    let (_, one) = institution(app, &w.city, "train-a").await;
    let (_, two) = institution(app, &w.city, "train-b").await;
    let other = id_number("11010519800101001");
    let with = |id: &str, course: &str| {
        let mut r = record(id);
        r["course"] = json!(course);
        r
    };
    enter(app, &one, with(ID, "一号机构 张三")).await.expect(201);
    enter(app, &one, with(&other, "一号机构 李四")).await.expect(201);
    enter(app, &two, with(ID, "二号机构 张三")).await.expect(201);

    let list = |token: String, query: &'static str| async move {
        let answer = app
            .get(&format!("/api/v1/continuing-education{query}"), Some(&token))
            .await;
        answer.expect(200);
        courses(&answer)
    };
    assert_eq!(list(one.clone(), "").await, ["一号机构 张三", "一号机构 李四"]);
    assert_eq!(list(two.clone(), "").await, ["二号机构 张三"]);
    assert_eq!(
        list(w.city.clone(), "").await,
        ["一号机构 张三", "一号机构 李四", "二号机构 张三"]
    );
    let by_holder = format!("?id_number={ID}");
    let by_holder: &'static str = Box::leak(by_holder.into_boxed_str());
    assert_eq!(
        list(w.city.clone(), by_holder).await,
        ["一号机构 张三", "二号机构 张三"]
    );
    assert_eq!(list(one.clone(), by_holder).await, ["一号机构 张三"]);
    app.get("/api/v1/continuing-education?id_number=123", Some(&w.city))
        .await
        .expect_problem(422, "request.invalid_fields");
    // District staff: the holders employed in their district (张三 by A in 370102; 李四 by none).
    assert_eq!(list(w.lixia.clone(), "").await, ["一号机构 张三", "二号机构 张三"]);
    assert!(list(w.shizhong.clone(), "").await.is_empty());
    // Nobody else lists records.
    let admin = app.staff_token("root", "sysadmin", None).await;
    for token in [&w.a, &w.p, &admin] {
        app.get("/api/v1/continuing-education", Some(token))
            .await
            .expect_problem(403, "auth.forbidden_role");
    }

    // The person: the records under their registered ID number, from every institution.
    let mine = app.get("/api/v1/people/me/continuing-education", Some(&w.p)).await;
    mine.expect(200);
    assert_eq!(courses(&mine), ["一号机构 张三", "二号机构 张三"]);
    assert_eq!(mine.body[0]["holder_id_number_masked"], "110105********002X");
    let stranger = crate::people::person(app, "openid-stranger").await;
    app.get("/api/v1/people/me/continuing-education", Some(&stranger))
        .await
        .expect_problem(409, "person.not_registered");
    app.get("/api/v1/people/me/continuing-education", Some(&w.city))
        .await
        .expect_problem(403, "auth.forbidden_role");
}
