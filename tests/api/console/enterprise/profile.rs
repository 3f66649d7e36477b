//! Journey 2: the enterprise confirms and edits its profile (the position with its coordinate
//! system, refused out of range as the API refuses it), uploads its business licence and its
//! video with a progress bar (a PDF refused as a video with the API's code), and keeps its
//! qualifications; removing another enterprise's qualification is the API's not-found.

use serde_json::json;

use super::{sign_in, two_enterprises, A};
use crate::both_engines;
use crate::console::{artefact, browser};
use crate::harness::{Engine, TestApp};

both_engines!(an_enterprise_keeps_its_profile_documents_and_qualifications);

/// An MP4 file of `mib` MiB in a temporary folder (an `ftyp` box, then zeros).
fn video(dir: &std::path::Path, mib: usize) -> std::path::PathBuf {
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.resize(mib * 1024 * 1024, 0);
    let path = dir.join("enterprise.mp4");
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn an_enterprise_keeps_its_profile_documents_and_qualifications(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (a, password, b, b_password) = two_enterprises(&app).await;
    let b_token = app.enterprise_token(super::B, &b_password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = json!({"category": "市政公用工程施工总承包", "grade": "二级", "issued_on": "2025-01-01"});
    let b_qualification = app
        .post(&format!("/api/v1/enterprises/{b}/qualifications"), other, Some(&b_token))
        .await;
    let b_qualification = b_qualification.body["id"].as_str().unwrap().to_owned();
    let (browser, _place) = browser().await;
    sign_in(&browser, &app, A, &password).await;

    browser.submit("#confirm").await;
    assert_eq!(browser.text("#notice-message").await, "基本信息已确认。");
    assert!(browser.text("#confirmed").await.contains("已确认基本信息"));

    browser.fill("#registered-address", "济南市历下区经十路 100 号").await;
    browser.fill("#latitude", "95").await;
    browser.fill("#longitude", "117.1201").await;
    browser.submit("#save-profile").await;
    assert_eq!(browser.text("#notice-code").await, "request.invalid_fields");
    assert!(browser.text("#notice").await.contains("site"), "the API's field");
    assert_eq!(
        browser.run("return document.querySelector('#latitude').value").await,
        "95",
        "the typed values stay"
    );
    browser.fill("#latitude", "36.6512").await;
    browser.fill("#contact-phone", "13800001111").await;
    browser.fill("#licence-number", "（鲁）JZ安许证字[2024]010001").await;
    browser.submit("#save-profile").await;
    assert_eq!(browser.text("#notice-message").await, "已保存。");
    let token = app.enterprise_token(A, &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let profile = app.get(&format!("/api/v1/enterprises/{a}"), Some(&token)).await;
    assert_eq!(profile.body["registered_address"], "济南市历下区经十路 100 号");
    assert_eq!(profile.body["site"]["system"], "gcj02", "the system the form names");
    assert_eq!(profile.body["site"]["latitude"], 36.6512);
    assert_eq!(profile.body["contact_phone"], "138****1111");
    assert_eq!(profile.body["safety_licence"]["number"], "（鲁）JZ安许证字[2024]010001");

    let dir = tempfile::tempdir().unwrap();
    let licence = dir.path().join("licence.jpg");
    std::fs::write(&licence, crate::people::photo("person-a-portrait.jpg")).unwrap();
    browser.choose_file("#file-business-licence", &licence).await;
    browser.click("#send-business-licence").await;
    assert_eq!(
        browser.wait_text("#notice-message", "已上传").await,
        "已上传并保存。"
    );
    let pdf = dir.path().join("not-a-video.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
    browser.choose_file("#file-video", &pdf).await;
    browser.click("#send-video").await;
    assert_eq!(
        browser.wait_text("#notice-code", "document.").await,
        "document.type_not_allowed"
    );

    let video = video(dir.path(), 24);
    browser.choose_file("#file-video", &video).await;
    browser.click("#send-video").await;
    let shown = browser
        .wait_script("return document.querySelector('#progress-video').hidden", |h| h == false)
        .await;
    assert_eq!(shown, false, "the progress bar shows while the file goes");
    assert_eq!(
        browser.wait_text("#notice-message", "已上传").await,
        "已上传并保存。"
    );
    let profile = app.get(&format!("/api/v1/enterprises/{a}"), Some(&token)).await;
    let video_id = profile.body["video_document_id"].as_str().expect("a video").to_owned();
    let stored = app.get(&format!("/api/v1/documents/{video_id}"), Some(&token)).await;
    assert_eq!(stored.body["size"], 24 * 1024 * 1024);
    assert_eq!(stored.body["content_type"], "video/mp4");
    assert!(profile.body["business_licence_document_id"].is_string());
    let link = browser.find(r#"a[data-document="video"]"#).await;
    assert!(!link.is_empty());

    browser.fill("#q-category", "建筑工程施工总承包").await;
    browser.fill("#q-grade", "一级").await;
    browser.fill("#q-number", "D137000001").await;
    browser.run("document.querySelector('#q-issued').value = '2026-03-01'").await;
    browser.submit("#add-qualification").await;
    assert_eq!(browser.text("#notice-message").await, "资质证书已添加。");
    assert!(browser.text("#qualifications").await.contains("D137000001"));
    browser.screenshot(&artefact("enterprise-profile", engine)).await;

    // Another enterprise's qualification, through the page's own removal form.
    let forged = format!(
        "var f = document.querySelector('#qualifications form'); \
         f.action = '/enterprise/qualifications/{b_qualification}/remove'; window.zjOldPage = true; f.submit();"
    );
    browser.run(&forged).await;
    assert_eq!(
        browser.wait_text("#notice-code", "resource.").await,
        "resource.not_found"
    );
    let theirs = app.get(&format!("/api/v1/enterprises/{b}"), Some(&b_token)).await;
    assert_eq!(theirs.body["qualifications"].as_array().unwrap().len(), 1, "still there");
}
