//! Presigned uploads, verified on completion, and the sweeper of unfinished ones.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::both_engines;
use crate::files;
use crate::harness::{Engine, TestApp};

use super::{download, objects_of, rows, upload, world};

both_engines!(
    presigned_uploads_are_verified_on_completion,
    sweeper_removes_unfinished_uploads_and_orphans,
);

async fn put_to(app: &TestApp, url: &str, bytes: Vec<u8>) -> u16 {
    app.client
        .put(url)
        .header("content-length", bytes.len())
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn presigned_uploads_are_verified_on_completion(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let a = w.a.as_str();
    let start = |purpose: &str, size: usize, sha: Option<String>| {
        app.post(
            "/api/v1/documents/presigned",
            json!({"purpose": purpose, "size": size, "file_name": "b.pdf", "sha256": sha}),
            Some(a),
        )
    };
    let complete = |id: String| async move {
        app.post(&format!("/api/v1/documents/{id}/complete"), json!({}), Some(a))
            .await
    };

    // The good path, with the hash announced.
    let bytes = files::pdf(150_000);
    let presigned = start("material_scan", bytes.len(), Some(hex::encode(Sha256::digest(&bytes)))).await;
    presigned.expect(201);
    assert_eq!(presigned.body["method"], "PUT");
    let id = presigned.body["document_id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/documents/{id}"), Some(&w.a)).await.body["state"],
        "pending"
    );
    app.get(&format!("/api/v1/documents/{id}/link"), Some(&w.a))
        .await
        .expect_problem(409, "document.not_completed");
    complete(id.clone()).await.expect_problem(422, "document.not_uploaded");
    assert_eq!(
        put_to(app, presigned.body["url"].as_str().unwrap(), bytes.clone()).await,
        200
    );
    let done = complete(id.clone()).await;
    done.expect(200);
    assert_eq!(done.body["state"], "available");
    assert_eq!(done.body["size"], bytes.len());
    assert_eq!(done.body["content_type"], "application/pdf");
    complete(id.clone())
        .await
        .expect_problem(409, "document.already_completed");
    assert_eq!(download(app, &w.a, &id).await.1, bytes);

    // A different file than announced, or not a PDF at all: refused, and nothing remains.
    let announced = files::pdf(8000);
    let wrong_hash = start(
        "material_scan",
        announced.len(),
        Some(hex::encode(Sha256::digest(b"other"))),
    )
    .await;
    put_to(app, wrong_hash.body["url"].as_str().unwrap(), announced.clone()).await;
    complete(wrong_hash.body["document_id"].as_str().unwrap().to_owned())
        .await
        .expect_problem(422, "document.hash_mismatch");

    let html = b"<html>not a pdf</html>".repeat(10);
    let not_pdf = start("material_scan", html.len(), None).await;
    put_to(app, not_pdf.body["url"].as_str().unwrap(), html).await;
    complete(not_pdf.body["document_id"].as_str().unwrap().to_owned())
        .await
        .expect_problem(415, "document.type_not_allowed");

    let short = start("material_scan", 9000, None).await;
    let short_id = short.body["document_id"].as_str().unwrap().to_owned();
    let put = put_to(app, short.body["url"].as_str().unwrap(), files::pdf(8000)).await;
    match engine {
        Engine::Sqlite => {
            assert_eq!(put, 200);
            complete(short_id).await.expect_problem(422, "document.size_mismatch");
        }
        Engine::Postgres => {
            assert_eq!(put, 403, "S3 refuses a body whose length differs from the signed one");
            complete(short_id.clone())
                .await
                .expect_problem(422, "document.not_uploaded");
            let abandon = app
                .client
                .delete(app.url(&format!("/api/v1/documents/{short_id}")))
                .bearer_auth(a);
            app.send(abandon).await.expect(204);
        }
    }
    assert_eq!(rows(app).await, 1, "refused uploads leave no row");
    assert_eq!(
        objects_of(app, "enterprise", &w.a_id).await,
        1,
        "refused uploads leave no object"
    );

    // Photos uploaded this way are normalised too.
    let photo = files::jpeg_rotated_with_exif(400, 300);
    let p = app
        .post(
            "/api/v1/documents/presigned",
            json!({"purpose": "selfie", "size": photo.len()}),
            Some(&w.person),
        )
        .await;
    p.expect(201);
    put_to(app, p.body["url"].as_str().unwrap(), photo).await;
    let pid = p.body["document_id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/documents/{pid}/complete"), json!({}), Some(&w.person))
        .await
        .expect(200);
    let (_, stored, _) = download(app, &w.person, &pid).await;
    assert!(!stored.windows(4).any(|w| w == b"Exif"));

    start("material_scan", 0, None)
        .await
        .expect_problem(422, "request.invalid_fields");
    start("material_scan", 1 << 40, None)
        .await
        .expect_problem(413, "document.too_large");
    if engine == Engine::Sqlite {
        // The local upload URL takes no more than announced, and checks its signature.
        let small = start("material_scan", 100, None).await;
        let url = small.body["url"].as_str().unwrap().to_owned();
        assert_eq!(put_to(app, &url, files::pdf(5000)).await, 413);
        assert_eq!(
            put_to(app, &url.replace("signature=", "signature=0"), files::pdf(100)).await,
            403
        );
    }
}

async fn sweeper_removes_unfinished_uploads_and_orphans(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let kept = upload(app, &w.a, "material_scan", "keep.pdf", files::pdf(4000)).await;
    kept.expect(201);
    let abandoned = app
        .post(
            "/api/v1/documents/presigned",
            json!({"purpose": "material_scan", "size": 4000}),
            Some(&w.a),
        )
        .await;
    put_to(app, abandoned.body["url"].as_str().unwrap(), files::pdf(4000)).await;
    // An object whose row never got committed (a crash between the two).
    let orphan = format!("documents/enterprise/{}/{}", w.a_id, uuid::Uuid::now_v7());
    app.state
        .objects
        .put(&orphan, bytes::Bytes::from(files::pdf(3000)))
        .await
        .unwrap();
    // On local files, a write a crash left unfinished.
    let unfinished =
        (engine == Engine::Sqlite).then(|| app.settings.storage.dir.join("objects/.partial/left-by-a-crash"));
    if let Some(path) = &unfinished {
        std::fs::write(path, b"half an upload").unwrap();
    }

    // Too young to sweep.
    let report = zhujian::documents::sweeper::sweep_once(&app.state).await.unwrap();
    assert_eq!((report.pending_removed, report.orphans_removed), (0, 0));

    app.clock.advance_secs(24 * 3600 + 60);
    let report = zhujian::documents::sweeper::sweep_once(&app.state).await.unwrap();
    assert_eq!(report.pending_removed, 1);
    assert!(report.orphans_removed >= 1);
    assert!(app.state.objects.size(&orphan).await.unwrap().is_none());
    if let Some(path) = &unfinished {
        assert!(!path.exists(), "the unfinished write is removed");
    }
    assert_eq!(rows(app).await, 1);
    assert_eq!(
        objects_of(app, "enterprise", &w.a_id).await,
        1,
        "only the kept document remains"
    );
    let kept_key = format!("documents/enterprise/{}/{}", w.a_id, kept.body["id"].as_str().unwrap());
    assert!(app.state.objects.size(&kept_key).await.unwrap().is_some());

    // Another instance holding the lease makes this one skip.
    let now = zhujian::platform::clock::Clock::now_ms(&*app.clock);
    sqlx::query("UPDATE job_leases SET holder = 'other-instance', expires_at = $1")
        .bind(now + 60_000)
        .execute(&app.state.db)
        .await
        .unwrap();
    assert!(
        zhujian::documents::sweeper::sweep_once(&app.state)
            .await
            .unwrap()
            .skipped
    );
}
