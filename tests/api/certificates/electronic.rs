//! The electronic certificate over HTTP: the holder downloads a PDF whose text and QR code
//! read back; the code verifies online with the certificate's status now, and offline with
//! the published key; a tampered code, another caller and a certificate not in use get none.

use base64::Engine;
use serde_json::Value;

use super::{id_of, import_certificates, world};
use crate::both_engines;
use crate::electronic_certificates::run;
use crate::harness::Engine as DbEngine;
use crate::people::ID;

both_engines!(the_holder_downloads_a_signed_certificate_anyone_can_check);

async fn the_holder_downloads_a_signed_certificate_anyone_can_check(engine: DbEngine) {
    let w = world(engine).await;
    import_certificates(&w).await;
    let app = &w.app;
    let in_use = id_of(&w, "B-1").await;
    let path = format!("/api/v1/people/me/certificates/{in_use}/electronic");

    let answer = app.send(app.client.get(app.url(&path)).bearer_auth(&w.p)).await;
    answer.expect(200);
    assert_eq!(answer.header("content-type"), Some("application/pdf"));
    let pdf = app
        .client
        .get(app.url(&path))
        .bearer_auth(&w.p)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = String::from_utf8(run("pdftotext", &[file.as_os_str(), "-".as_ref()]).stdout).unwrap();
    let masked = format!("{}********{}", &ID[..6], &ID[14..]);
    for expected in [
        "张三",
        "B-1",
        "甲建设有限公司",
        "项目负责人（B类）",
        masked.as_str(),
        "2035-02-28",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains(ID), "the full ID number is never printed");

    // The QR code, scanned from the rendered page, checks out online with the status now.
    let page = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "150".as_ref(),
            file.as_os_str(),
            page.as_os_str(),
        ],
    );
    let png = dir.path().join("page-1.png");
    let scanned =
        String::from_utf8(run("zbarimg", &["-q".as_ref(), "--raw".as_ref(), png.as_os_str()]).stdout).unwrap();
    let link = scanned.trim_end();
    let (_, code) = link.split_once("/api/v1/public/certificates/verify?c=").expect(link);
    let check = app
        .get(&format!("/api/v1/public/certificates/verify?c={code}"), None)
        .await;
    check.expect(200);
    assert_eq!(check.body["printed"]["number"], "B-1");
    assert_eq!(check.body["printed"]["holder_name"], "张*");
    assert_eq!(check.body["current_status"]["code"], "in_use");
    assert_eq!(check.body["printed_is_current"], true);

    // Offline: the published key verifies the signature over the data.
    let key = app.get("/api/v1/public/certificates/signing-key", None).await;
    assert_eq!(key.body["algorithm"], "Ed25519");
    let public: [u8; 32] = b64(key.body["public_key"].as_str().unwrap()).try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    let signed = zhujian::certificates::electronic::signature::verify_with(&key, code).unwrap();
    assert_eq!((signed.n.as_str(), signed.h.as_str()), ("B-1", "张三"));

    // A code whose data was changed is refused.
    let (data, signature) = code.split_once('.').unwrap();
    let mut forged: Value = serde_json::from_slice(&b64(data)).unwrap();
    forged["u"] = "2099-12-31".into();
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string());
    app.get(
        &format!("/api/v1/public/certificates/verify?c={forged}.{signature}"),
        None,
    )
    .await
    .expect_problem(422, "request.invalid_fields");

    // Reissued under the enterprise's new name, the printed certificate is no longer the
    // current one, and the one downloaded now carries the new name.
    reissue_under_new_name(&w, "甲建设集团有限公司").await;
    let check = app
        .get(&format!("/api/v1/public/certificates/verify?c={code}"), None)
        .await;
    assert_eq!(check.body["current_status"]["code"], "in_use");
    assert_eq!(check.body["printed_is_current"], false);
    let pdf = app
        .client
        .get(app.url(&path))
        .bearer_auth(&w.p)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(&file, &pdf).unwrap();
    let text = String::from_utf8(run("pdftotext", &[file.as_os_str(), "-".as_ref()]).stdout).unwrap();
    assert!(text.contains("甲建设集团有限公司"), "{text}");

    // Only the holder downloads it, and only for a certificate in use.
    app.get(&path, Some(&w.a))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let stranger = app.person_login("openid-stranger").await;
    app.get(&path, stranger.body["access_token"].as_str())
        .await
        .expect_problem(404, "resource.not_found");
    let expired = id_of(&w, "A-3").await;
    app.get(
        &format!("/api/v1/people/me/certificates/{expired}/electronic"),
        Some(&w.p),
    )
    .await
    .expect_problem(409, "certificate.not_printable");
}

/// Renames enterprise A (as its district) and has its reissue approved.
async fn reissue_under_new_name(w: &crate::certificates::World, name: &str) {
    let app = &w.app;
    let enterprises = app.get("/api/v1/enterprises", Some(&w.city)).await;
    let a = enterprises
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["credit_code"] == crate::certificates::A)
        .unwrap();
    let a_id = a["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/enterprises/{a_id}"),
        serde_json::json!({"name": name}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
    let applied = app
        .post(
            "/api/v1/enterprises/me/name-change-reissue",
            serde_json::json!({}),
            Some(&w.a),
        )
        .await;
    applied.expect(201);
    let id = applied.body["application"]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/applications/{id}/review"),
        serde_json::json!({"decision": "approve"}),
        Some(&w.lixia),
    )
    .await
    .expect(200);
}

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}
