//! Documents: streaming uploads, content checks, signed links, scope, deletion, presigned
//! uploads, the sweeper, and store outages, on local files (SQLite run) and on Garage
//! (PostgreSQL run).

use reqwest::multipart::Form;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::both_engines;
use crate::files;
use crate::harness::{Answer, Engine, TestApp};

both_engines!(
    every_allowed_type_is_stored,
    refused_types_leave_nothing,
    oversized_truncated_and_malformed_bodies,
    photos_are_normalised_and_bombs_refused,
    signed_links_expire_and_resist_tampering,
    documents_are_scoped_to_owner_and_jurisdiction,
    deletion_follows_the_record,
    presigned_uploads_are_verified_on_completion,
    sweeper_removes_unfinished_uploads_and_orphans,
    store_outage_answers_503_and_leaves_no_row,
);

/// An app with two enterprises (districts 370102 and 370103), a person, and staff.
struct World {
    app: TestApp,
    a: String,
    a_id: String,
    b: String,
    person: String,
    person_id: String,
    city: String,
    lixia: String,
    shizhong: String,
}

async fn world_with(engine: Engine, configure: impl FnOnce(&mut zhujian::platform::config::Settings)) -> World {
    let app = TestApp::start_with(engine, configure).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (a_id, pa) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let (_, pb) = app
        .enterprise_account(&city, "91110000802100433B", "370103", "13912345679")
        .await;
    let token = |answer: Answer| answer.body["access_token"].as_str().unwrap().to_owned();
    let a = token(app.enterprise_token("91350100M000100Y43", &pa).await);
    let b = token(app.enterprise_token("91110000802100433B", &pb).await);
    let login = app.person_login("openid-worker").await;
    let person_id = login.body["account_id"].as_str().unwrap().to_owned();
    let person = token(login);
    World {
        app,
        a,
        a_id,
        b,
        person,
        person_id,
        city,
        lixia,
        shizhong,
    }
}

async fn world(engine: Engine) -> World {
    world_with(engine, |_| {}).await
}

async fn upload(app: &TestApp, token: &str, purpose: &str, name: &str, bytes: Vec<u8>) -> Answer {
    app.upload(token, purpose, name, bytes).await
}

/// Objects stored for one owner.
async fn objects_of(app: &TestApp, owner: &str, id: &str) -> usize {
    app.state
        .objects
        .list(&format!("documents/{owner}/{id}/"))
        .await
        .unwrap()
        .len()
}

async fn rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM documents")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn download(app: &TestApp, token: &str, id: &str) -> (u16, Vec<u8>, Option<String>) {
    let link = app.get(&format!("/api/v1/documents/{id}/link"), Some(token)).await;
    link.expect(200);
    let response = app.client.get(link.body["url"].as_str().unwrap()).send().await.unwrap();
    let status = response.status().as_u16();
    let disposition = response
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.bytes().await.unwrap().to_vec(), disposition)
}

async fn every_allowed_type_is_stored(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let cases: [(&str, &str, Vec<u8>, &str, &str); 7] = [
        (
            &w.a,
            "material_scan",
            files::pdf(200_000),
            "扫描件.pdf",
            "application/pdf",
        ),
        (
            &w.a,
            "business_licence",
            files::pdf(3000),
            "licence.pdf",
            "application/pdf",
        ),
        (
            &w.a,
            "business_licence",
            files::png(400, 300),
            "licence.png",
            "image/png",
        ),
        (&w.a, "enterprise_video", files::mp4(300_000), "intro.mp4", "video/mp4"),
        (
            &w.a,
            "enterprise_video",
            files::quicktime(50_000),
            "intro.mov",
            "video/quicktime",
        ),
        (&w.person, "selfie", files::jpeg(480, 640), "selfie.jpg", "image/jpeg"),
        (
            &w.person,
            "id_portrait",
            files::png(358, 441),
            "portrait.png",
            "image/png",
        ),
    ];
    for (token, purpose, bytes, name, content_type) in cases {
        let original_sha = hex::encode(Sha256::digest(&bytes));
        let is_photo = content_type.starts_with("image/");
        let answer = upload(app, token, purpose, name, bytes.clone()).await;
        answer.expect(201);
        assert_eq!(answer.body["content_type"], content_type, "{purpose} {name}");
        assert_eq!(answer.body["purpose"], purpose);
        assert_eq!(answer.body["state"], "available");
        assert_eq!(answer.body["file_name"], name);
        let id = answer.body["id"].as_str().unwrap();
        let (status, stored, disposition) = download(app, token, id).await;
        assert_eq!(status, 200);
        assert_eq!(answer.body["size"], stored.len());
        assert_eq!(answer.body["sha256"], hex::encode(Sha256::digest(&stored)));
        if is_photo {
            image::load_from_memory(&stored).expect("a stored photo decodes");
        } else {
            assert_eq!(
                answer.body["sha256"], original_sha,
                "scans and videos are stored byte for byte"
            );
            assert!(disposition.unwrap().contains("filename*=UTF-8''"));
        }
    }
    let listed = app.get("/api/v1/documents", Some(&w.a)).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 5);
    let mine = app.get("/api/v1/documents", Some(&w.person)).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 2);
}

async fn refused_types_leave_nothing(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let html = b"<html><body>not a scan</body></html>".to_vec();
    let answer = upload(app, &w.a, "material_scan", "scan.pdf", html).await;
    answer.expect_problem(415, "document.type_not_allowed");
    assert!(answer.body["detail"].as_str().unwrap().contains("PDF"));
    upload(app, &w.a, "material_scan", "photo.pdf", files::jpeg(300, 300))
        .await
        .expect_problem(415, "document.type_not_allowed");
    upload(app, &w.a, "enterprise_video", "v.mp4", files::pdf(3000))
        .await
        .expect_problem(415, "document.type_not_allowed");
    upload(app, &w.person, "selfie", "me.jpg", files::pdf(3000))
        .await
        .expect_problem(415, "document.type_not_allowed");
    upload(app, &w.a, "material_scan", "empty.pdf", Vec::new())
        .await
        .expect_problem(422, "document.empty");
    upload(app, &w.a, "material_scan", "cut.pdf", files::truncated_pdf())
        .await
        .expect_problem(422, "document.pdf_incomplete");
    // Wrong owner for the purpose, unknown purpose, staff uploading.
    upload(app, &w.person, "material_scan", "x.pdf", files::pdf(3000))
        .await
        .expect_problem(403, "document.purpose_not_allowed");
    upload(app, &w.a, "selfie", "x.jpg", files::jpeg(300, 300))
        .await
        .expect_problem(403, "document.purpose_not_allowed");
    upload(app, &w.city, "material_scan", "x.pdf", files::pdf(3000))
        .await
        .expect_problem(403, "document.purpose_not_allowed");
    upload(app, &w.a, "bribe", "x.pdf", files::pdf(3000))
        .await
        .expect_problem(422, "request.invalid_fields");
    assert_eq!(rows(app).await, 0);
    assert_eq!(objects_of(app, "enterprise", &w.a_id).await, 0);
    assert_eq!(objects_of(app, "person", &w.person_id).await, 0);
}

async fn oversized_truncated_and_malformed_bodies(engine: Engine) {
    let w = world_with(engine, |s| s.uploads.pdf_max_bytes = 64 * 1024).await;
    let app = &w.app;
    let big = upload(app, &w.a, "material_scan", "big.pdf", files::pdf(200_000)).await;
    big.expect_problem(413, "document.too_large");

    let url = app.url("/api/v1/documents?purpose=material_scan");
    let mut cut = b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n".to_vec();
    cut.extend_from_slice(&files::pdf(20_000)[..10_000]);
    let truncated = app
        .client
        .post(&url)
        .bearer_auth(&w.a)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body(cut);
    app.send(truncated).await.expect_problem(400, "document.body_invalid");

    let garbage = app
        .client
        .post(&url)
        .bearer_auth(&w.a)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("garbage");
    app.send(garbage).await.expect_problem(400, "document.body_invalid");
    let no_boundary = app
        .client
        .post(&url)
        .bearer_auth(&w.a)
        .header("content-type", "multipart/form-data")
        .body("x");
    app.send(no_boundary)
        .await
        .expect_problem(415, "document.not_multipart");
    let json_body = app.client.post(&url).bearer_auth(&w.a).json(&json!({"file": "x"}));
    app.send(json_body).await.expect_problem(415, "document.not_multipart");
    let no_file = Form::new().text("other", "x");
    app.send(app.client.post(&url).bearer_auth(&w.a).multipart(no_file))
        .await
        .expect_problem(422, "document.file_missing");

    assert_eq!(rows(app).await, 0);
    assert_eq!(objects_of(app, "enterprise", &w.a_id).await, 0);
}

async fn photos_are_normalised_and_bombs_refused(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    let rotated = files::jpeg_rotated_with_exif(400, 300);
    let answer = upload(app, &w.person, "selfie", "s.jpg", rotated).await;
    answer.expect(201);
    let (_, stored, _) = download(app, &w.person, answer.body["id"].as_str().unwrap()).await;
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "EXIF is stripped");
    assert!(!stored.windows(3).any(|w| w == b"GPS"));
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (300, 400), "orientation applied");

    upload(app, &w.person, "selfie", "bomb.png", files::png_bomb())
        .await
        .expect_problem(422, "document.image_too_large");
    upload(app, &w.person, "selfie", "tiny.png", files::png(40, 40))
        .await
        .expect_problem(422, "document.image_too_small");
    let mut broken = files::jpeg(300, 300);
    broken.truncate(300);
    upload(app, &w.person, "selfie", "broken.jpg", broken)
        .await
        .expect_problem(422, "document.image_unreadable");
    assert_eq!(rows(app).await, 1);
    assert_eq!(objects_of(app, "person", &w.person_id).await, 1);
}

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
    get(format!("/api/v1/documents/{selfie}"), w.city.clone())
        .await
        .expect(200);
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

    // Too young to sweep.
    let report = zhujian::documents::sweeper::sweep_once(&app.state).await.unwrap();
    assert_eq!((report.pending_removed, report.orphans_removed), (0, 0));

    app.clock.advance_secs(24 * 3600 + 60);
    let report = zhujian::documents::sweeper::sweep_once(&app.state).await.unwrap();
    assert_eq!(report.pending_removed, 1);
    assert!(report.orphans_removed >= 1);
    assert!(app.state.objects.size(&orphan).await.unwrap().is_none());
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

async fn store_outage_answers_503_and_leaves_no_row(engine: Engine) {
    let w = match engine {
        Engine::Postgres => world_with(engine, |s| s.objects.s3_endpoint = "http://127.0.0.1:9".into()).await,
        Engine::Sqlite => world(engine).await,
    };
    let app = &w.app;
    if engine == Engine::Sqlite {
        // The objects folder becomes unusable: replaced by a plain file.
        let objects = app.settings.storage.dir.join("objects");
        std::fs::remove_dir_all(&objects).unwrap();
        std::fs::write(&objects, b"not a folder").unwrap();
    }
    let answer = upload(app, &w.a, "material_scan", "a.pdf", files::pdf(5000)).await;
    answer.expect_problem(503, "storage.unavailable");
    assert!(answer.header("retry-after").is_some());
    let photo = upload(app, &w.person, "selfie", "s.jpg", files::jpeg(300, 300)).await;
    photo.expect_problem(503, "storage.unavailable");
    assert_eq!(rows(app).await, 0);
    app.get("/readyz", None).await.expect_problem(503, "service.not_ready");
}
