//! Who sees which certificates: an enterprise its people's (under its credit code, or held by
//! someone it employs now), district staff their district's, the city all; a person only their
//! own; outside the scope is 404. Search within the scope.

use super::{id_of, import_certificates, numbers, world, A, B};
use crate::both_engines;
use crate::harness::Engine;

both_engines!(each_caller_sees_its_scope);

const ALL_OF_P: [&str; 7] = ["A-3", "B-1", "C-6", "T-2", "T-4", "T-5", "T-7"];

async fn each_caller_sees_its_scope(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    import_certificates(&w).await;
    let list = |token: &str, query: &str| {
        let (app, token, query) = (app, token.to_owned(), query.to_owned());
        async move {
            let answer = app.get(&format!("/api/v1/certificates{query}"), Some(&token)).await;
            answer.expect(200);
            numbers(&answer.body)
        }
    };
    let mut all: Vec<&str> = ALL_OF_P.to_vec();
    all.push("OTHER-1");
    all.sort();
    assert_eq!(list(&w.city, "").await, all);
    // A: everything under its credit code, and T-2 (under B) because A employs its holder.
    assert_eq!(list(&w.a, "").await, all);
    // B: only what is under its credit code; it does not employ the holder.
    assert_eq!(list(&w.b, "").await, ["T-2"]);
    assert_eq!(list(&w.lixia, "").await, all);
    assert_eq!(list(&w.shizhong, "").await, ["T-2"]);

    // Outside the scope is not found, inside it is.
    let b1 = id_of(&w, "B-1").await;
    let other = id_of(&w, "OTHER-1").await;
    let t2 = id_of(&w, "T-2").await;
    for token in [&w.b, &w.shizhong] {
        app.get(&format!("/api/v1/certificates/{b1}"), Some(token))
            .await
            .expect_problem(404, "resource.not_found");
    }
    for token in [&w.a, &w.b, &w.lixia, &w.shizhong, &w.city, &w.p] {
        let detail = app.get(&format!("/api/v1/certificates/{t2}"), Some(token)).await;
        detail.expect(200);
        assert_eq!(detail.body["certificate"]["number"], "T-2");
        assert_eq!(detail.body["track"][0]["kind"], "import");
        assert_eq!(
            detail.body["certificate"]["holder_id_number_masked"],
            "110105********002X"
        );
    }
    // A person reads only their own.
    app.get(&format!("/api/v1/certificates/{other}"), Some(&w.p))
        .await
        .expect_problem(404, "resource.not_found");
    app.get("/api/v1/certificates", Some(&w.p))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    app.get(&format!("/api/v1/certificates/{b1}"), Some(&supervisor))
        .await
        .expect_problem(403, "auth.forbidden_role");
    app.get("/api/v1/certificates", None).await.expect(401);

    // Once A no longer employs the holder, T-2 leaves A's scope (and lixia's).
    let relations = app.get("/api/v1/employment/relations", Some(&w.a)).await;
    let relation = relations.body[0]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/employment/relations/{relation}/end"),
        serde_json::json!({"reason": "调动"}),
        Some(&w.a),
    )
    .await
    .expect(200);
    assert!(!list(&w.a, "").await.contains(&"T-2".to_owned()));
    assert!(!list(&w.lixia, "").await.contains(&"T-2".to_owned()));
    app.get(&format!("/api/v1/certificates/{t2}"), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");

    // Search, within the scope.
    let id = crate::people::ID;
    assert_eq!(
        list(&w.city, &format!("?id_number={id}&kind=special")).await,
        ["T-2", "T-4", "T-5", "T-7"]
    );
    assert_eq!(
        list(&w.city, "?category=建筑架子工（普通脚手架）").await,
        ["T-4", "T-5"]
    );
    assert_eq!(list(&w.city, "?name=李四").await, ["OTHER-1"]);
    assert_eq!(list(&w.city, &format!("?enterprise_credit_code={B}")).await, ["T-2"]);
    assert_eq!(
        list(&w.b, &format!("?enterprise_credit_code={A}")).await,
        Vec::<String>::new()
    );
    assert_eq!(list(&w.city, "?number=B-1&per_page=1").await, ["B-1"]);
    let bad = app
        .get(
            "/api/v1/certificates?id_number=110105194912310021&kind=E",
            Some(&w.city),
        )
        .await;
    bad.expect(422);
    let codes: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["id_number.check_character", "certificate.kind_unknown"],
        "{}",
        bad.text
    );
}
