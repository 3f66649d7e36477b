//! My certificates (我的证书): matched by the registered ID number, each with its status now
//! and the reasons it is unavailable, and its track.

use serde_json::Value;

use super::{import_certificates, world, A};
use crate::both_engines;
use crate::harness::Engine;
use crate::people::person;

both_engines!(my_certificates_show_every_status_and_reason);

fn by_number<'a>(list: &'a Value, number: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["certificate"]["number"] == number)
        .unwrap_or_else(|| panic!("no {number} in {list}"))
}

fn status(list: &Value, number: &str) -> (String, Vec<String>) {
    let s = &by_number(list, number)["certificate"]["status"];
    let reasons = s["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    (s["code"].as_str().unwrap().to_owned(), reasons)
}

async fn my_certificates_show_every_status_and_reason(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    // Before any import: none.
    let mine = app.get("/api/v1/people/me/certificates", Some(&w.p)).await;
    mine.expect(200);
    assert_eq!(mine.body, serde_json::json!([]));
    import_certificates(&w).await;

    let mine = app.get("/api/v1/people/me/certificates", Some(&w.p)).await;
    mine.expect(200);
    let list = &mine.body;
    assert_eq!(
        super::numbers(list),
        ["A-3", "B-1", "C-6", "T-2", "T-4", "T-5", "T-7"],
        "the holder's own, not OTHER-1"
    );
    let expect = |number: &str, code: &str, reasons: &[&str]| {
        assert_eq!(
            status(list, number),
            (
                code.to_owned(),
                reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>()
            ),
            "{number}"
        );
    };
    expect("B-1", "in_use", &[]);
    expect("T-2", "unavailable", &["employer_differs"]);
    expect("A-3", "unavailable", &["expired"]);
    expect("T-4", "unavailable", &["too_many"]);
    expect("T-5", "unavailable", &["too_many"]);
    expect("C-6", "newly_archived", &[]);
    expect("T-7", "transferred_in", &[]);
    let b1 = &by_number(list, "B-1")["certificate"];
    assert_eq!(b1["status"]["label"], "正常使用");
    assert_eq!(b1["holder_name"], "张三");
    assert_eq!(b1["holder_id_number_masked"], "110105********002X");
    assert!(
        !mine.text.contains(crate::people::ID),
        "the full ID number is never answered"
    );
    assert_eq!(b1["enterprise_credit_code"], A);
    let reason = &by_number(list, "T-2")["certificate"]["status"]["reasons"][0];
    assert!(reason["zh"].as_str().unwrap().contains("执业企业变更"), "{reason}");
    // The track: the import, by the city station.
    let track = by_number(list, "B-1")["track"].as_array().unwrap();
    assert_eq!(track.len(), 1);
    assert_eq!(track[0]["kind"], "import");
    assert_eq!(track[0]["actor_kind"], "staff");
    assert_eq!(track[0]["detail"]["line"], 2);

    // Cancelling a scaffolder certificate leaves one: the other is in use again; the cancelled
    // one says so. (Cancellation is a later service; the fact is set directly here.)
    sqlx::query("UPDATE certificates SET state = 'cancelled' WHERE number = 'T-4'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let list = &app.get("/api/v1/people/me/certificates", Some(&w.p)).await.body;
    expect_in(list, "T-4", "cancelled", &[]);
    expect_in(list, "T-5", "in_use", &[]);

    // The employment ends: every certificate not otherwise unavailable says so.
    let relations = app.get("/api/v1/employment/relations", Some(&w.a)).await;
    let relation = relations.body[0]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/employment/relations/{relation}/end"),
        serde_json::json!({"reason": "合同到期"}),
        Some(&w.a),
    )
    .await
    .expect(200);
    let list = &app.get("/api/v1/people/me/certificates", Some(&w.p)).await.body;
    expect_in(list, "B-1", "unavailable", &["not_employed"]);
    expect_in(list, "A-3", "unavailable", &["expired", "not_employed"]);

    // Someone signed in but not registered has no certificates to see.
    let stranger = person(app, "openid-stranger").await;
    app.get("/api/v1/people/me/certificates", Some(&stranger))
        .await
        .expect_problem(409, "person.not_registered");
    // Only people have "my certificates".
    app.get("/api/v1/people/me/certificates", Some(&w.a))
        .await
        .expect_problem(403, "auth.forbidden_role");
}

fn expect_in(list: &Value, number: &str, code: &str, reasons: &[&str]) {
    assert_eq!(
        status(list, number),
        (
            code.to_owned(),
            reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>()
        ),
        "{number}"
    );
}
