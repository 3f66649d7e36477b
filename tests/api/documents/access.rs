//! Access to documents: signed links, owner and jurisdiction scope, deletion.

use crate::both_engines;
use crate::files;
use crate::harness::Engine;

use super::{rows, upload, world, world_with};

both_engines!(
    signed_links_expire_and_resist_tampering,
    documents_are_scoped_to_owner_and_jurisdiction,
    deletion_follows_the_record,
);

async fn signed_links_expire_and_resist_tampering(engine: Engine) {
    let w = world_with(engine, |s| s.uploads.download_ttl_secs = 2).await;
    let app = &w.app;
    let id = upload(app, &w.a, "material_scan", "a.pdf", files::pdf(5000)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = app.get(&format!("/api/v1/documents/{id}/link"), Some(&w.a)).await;
    let url = link.body["url"].as_str().unwrap().to_owned();
    assert!(app.client.get(&url).send().await.unwrap().status().is_success());

    let tampered = if url.ends_with('0') {
        format!("{}1", &url[..url.len() - 1])
    } else {
        format!("{}0", &url[..url.len() - 1])
    };
    let refused = app.client.get(&tampered).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);

    match engine {
        Engine::Sqlite => {
            let answer = app.send(app.client.get(&tampered)).await;
            answer.expect_problem(403, "link.invalid");
            let other = url.replace(&id, "01900000-0000-7000-8000-000000000000");
            app.send(app.client.get(&other))
                .await
                .expect_problem(403, "link.invalid");
            app.clock.advance_secs(3);
            app.send(app.client.get(&url)).await.expect_problem(403, "link.expired");
        }
        Engine::Postgres => {
            // Presigned S3 URLs expire by the store's clock.
            tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
            let expired = app.client.get(&url).send().await.unwrap().status();
            assert!(
                expired.is_client_error() && expired.as_u16() != 404,
                "expired presigned URL answered {expired}"
            );
        }
    }
}

async fn documents_are_scoped_to_owner_and_jurisdiction(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let doc = upload(app, &w.a, "material_scan", "a.pdf", files::pdf(5000)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let selfie = upload(app, &w.person, "selfie", "s.jpg", files::jpeg(300, 300))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = |path: String, token: String| async move { app.get(&path, Some(&token)).await };

    for path in [
        format!("/api/v1/documents/{doc}"),
        format!("/api/v1/documents/{doc}/link"),
    ] {
        get(path.clone(), w.a.clone()).await.expect(200);
        get(path.clone(), w.lixia.clone()).await.expect(200);
        get(path.clone(), w.city.clone()).await.expect(200);
        get(path.clone(), w.b.clone())
            .await
            .expect_problem(404, "resource.not_found");
        get(path.clone(), w.shizhong.clone())
            .await
            .expect_problem(404, "resource.not_found");
        get(path.clone(), w.person.clone())
            .await
            .expect_problem(404, "resource.not_found");
    }
    // A face is its person's: city staff read one only when they decide about it
    // (verification/biometrics.rs).
    get(format!("/api/v1/documents/{selfie}"), w.person.clone())
        .await
        .expect(200);
    get(format!("/api/v1/documents/{selfie}"), w.city.clone())
        .await
        .expect_problem(404, "resource.not_found");
    get(format!("/api/v1/documents/{selfie}"), w.lixia.clone())
        .await
        .expect_problem(404, "resource.not_found");
    get(format!("/api/v1/documents/{selfie}"), w.a.clone())
        .await
        .expect_problem(404, "resource.not_found");

    let a_list = format!("/api/v1/documents?owner_kind=enterprise&owner_id={}", w.a_id);
    assert_eq!(
        get(a_list.clone(), w.lixia.clone())
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get(a_list.clone(), w.shizhong.clone())
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // An enterprise asking for another's list gets its own.
    let b_sees = get(a_list, w.b.clone()).await;
    assert_eq!(b_sees.body.as_array().unwrap().len(), 0);
    get("/api/v1/documents".into(), w.city.clone())
        .await
        .expect_problem(422, "request.invalid_fields");

    let delete = |token: &str| {
        app.send(
            app.client
                .delete(app.url(&format!("/api/v1/documents/{doc}")))
                .bearer_auth(token),
        )
    };
    delete(&w.b).await.expect_problem(404, "resource.not_found");
    delete(&w.city).await.expect_problem(403, "auth.forbidden_role");
    assert_eq!(rows(app).await, 2);
}

async fn deletion_follows_the_record(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let answer = upload(app, &w.a, "material_scan", "a.pdf", files::pdf(5000)).await;
    let id = answer.body["id"].as_str().unwrap().to_owned();
    let key = format!("documents/enterprise/{}/{id}", w.a_id);
    assert!(app.state.objects.size(&key).await.unwrap().is_some());
    let delete = || {
        app.send(
            app.client
                .delete(app.url(&format!("/api/v1/documents/{id}")))
                .bearer_auth(&w.a),
        )
    };

    // Attached to a submitted record: locked.
    zhujian::documents::attach(&app.state.db, &id.clone().into(), "assessment_item", "r1")
        .await
        .unwrap();
    delete().await.expect_problem(409, "document.locked");
    // The record is returned to the enterprise: editable again.
    zhujian::documents::release(&app.state.db, &id.clone().into(), "assessment_item", "r1")
        .await
        .unwrap();
    delete().await.expect(204);
    assert!(
        app.state.objects.size(&key).await.unwrap().is_none(),
        "the object is removed with the document"
    );
    app.get(&format!("/api/v1/documents/{id}"), Some(&w.a))
        .await
        .expect_problem(404, "resource.not_found");
    delete().await.expect_problem(404, "resource.not_found");
}
