//! Employees' certificates and the enterprise's technical lead.

use serde_json::json;

use crate::both_engines;
use crate::harness::Engine;
use crate::people::{person, photo};

use super::{accept, offer, send_request, world};

both_engines!(certificates_and_technical_lead);

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
