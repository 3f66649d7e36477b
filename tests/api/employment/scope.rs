//! Other enterprises and districts see nothing of an employment.

use serde_json::json;

use crate::both_engines;
use crate::harness::{Answer, Engine, TestApp};
use crate::people::photo;

use super::{accept, send_request, world};

both_engines!(other_enterprises_and_districts_see_nothing);

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
