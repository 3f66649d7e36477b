//! Documents previewed in the console (`GET /console/documents/{id}`): the file inline, framed
//! only by console pages, read with the API's scope for the session's staff member.

use super::{client, console_session, PASSWORD};
use crate::both_engines;
use crate::files;
use crate::harness::{Engine, TestApp};

both_engines!(a_document_previews_inline_within_the_jurisdiction_only);

async fn a_document_previews_inline_within_the_jurisdiction_only(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    app.staff_token("lixia", "district", Some("370102")).await;
    app.staff_token("shizhong", "district", Some("370103")).await;
    let (_, password) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let enterprise = app.enterprise_token("91350100M000100Y43", &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let pdf = files::pdf(5000);
    let uploaded = app.upload(&enterprise, "material_scan", "材料.pdf", pdf.clone()).await;
    uploaded.expect(201);
    let id = uploaded.body["id"].as_str().unwrap().to_owned();
    let preview = |session: String| {
        let url = app.url(&format!("/console/documents/{id}"));
        async move {
            client()
                .get(url)
                .header("cookie", format!("zj_console={session}"))
                .send()
                .await
                .unwrap()
        }
    };

    let answer = preview(console_session(&app, "lixia", PASSWORD).await).await;
    assert_eq!(answer.status(), 200);
    let header = |name: &str| answer.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "application/pdf");
    assert!(header("content-disposition").starts_with("inline;"));
    assert_eq!(
        header("content-security-policy"),
        "default-src 'none'; frame-ancestors 'self'"
    );
    assert_eq!(header("x-frame-options"), "SAMEORIGIN");
    assert_eq!(answer.bytes().await.unwrap().as_ref(), pdf.as_slice());

    // Another district's staff: the API's 404, as a page.
    let foreign = preview(console_session(&app, "shizhong", PASSWORD).await).await;
    assert_eq!(foreign.status(), 404);
    assert!(foreign.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(foreign.text().await.unwrap().contains("resource.not_found"));
    let api = app
        .get(
            &format!("/api/v1/documents/{id}"),
            Some(&app.login_staff("shizhong", PASSWORD).await),
        )
        .await;
    api.expect_problem(404, "resource.not_found");
}
