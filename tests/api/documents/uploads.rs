//! Streaming uploads: every allowed type, refused types, bad bodies, photo normalisation.

use reqwest::multipart::Form;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::both_engines;
use crate::files;
use crate::harness::Engine;

use super::{download, objects_of, rows, upload, world, world_with};

both_engines!(
    every_allowed_type_is_stored,
    refused_types_leave_nothing,
    oversized_truncated_and_malformed_bodies,
    photos_are_normalised_and_bombs_refused,
    a_download_is_named_for_its_content,
);

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

async fn a_download_is_named_for_its_content(engine: Engine) {
    let w = world(engine).await;
    let answer = upload(&w.app, &w.a, "material_scan", "poly.html", files::pdf(3000)).await;
    answer.expect(201);
    assert_eq!(answer.body["content_type"], "application/pdf");
    assert_eq!(answer.body["file_name"], "poly.pdf");
    let (status, _, disposition) = download(&w.app, &w.a, answer.body["id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let disposition = disposition.unwrap();
    assert!(
        disposition.contains("poly.pdf") && !disposition.contains(".html"),
        "{disposition}"
    );
}
