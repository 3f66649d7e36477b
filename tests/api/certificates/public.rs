//! The public lookup: only a certificate in use, by its number and the holder's name, masked;
//! limited per client address.

use super::{import_certificates, world};
use crate::both_engines;
use crate::harness::Engine;

both_engines!(only_certificates_in_use_are_found);

async fn only_certificates_in_use_are_found(engine: Engine) {
    let w = world(engine).await;
    let app = &w.app;
    import_certificates(&w).await;
    let lookup = |number: &str, name: &str| {
        let path = format!("/api/v1/public/certificates?number={number}&name={name}");
        async move { app.get(&path, None).await }
    };
    let found = lookup("B-1", "张三").await;
    found.expect(200);
    assert_eq!(found.body["number"], "B-1");
    assert_eq!(found.body["kind"], "safety_b");
    assert_eq!(found.body["holder_name_masked"], "张*");
    assert_eq!(found.body["holder_id_number_masked"], "110105********002X");
    assert_eq!(found.body["status"]["code"], "in_use");
    assert_eq!(found.body["enterprise_name"], "甲建设有限公司");
    assert!(!found.text.contains("张三") && !found.text.contains(crate::people::ID));
    // Another name, an unknown number, and every status but in use: not found.
    lookup("B-1", "张四").await.expect_problem(404, "resource.not_found");
    lookup("B-9", "张三").await.expect_problem(404, "resource.not_found");
    for number in ["T-2", "A-3", "T-4", "C-6", "T-7"] {
        lookup(number, "张三").await.expect_problem(404, "resource.not_found");
    }
    // The holder of OTHER-1 never registered an employment: unavailable, not found.
    lookup("OTHER-1", "李四")
        .await
        .expect_problem(404, "resource.not_found");
    // Cancelled: not found.
    sqlx::query("UPDATE certificates SET state = 'cancelled' WHERE number = 'B-1'")
        .execute(&app.state.db)
        .await
        .unwrap();
    lookup("B-1", "张三").await.expect_problem(404, "resource.not_found");
    // Both the number and the name are needed.
    let incomplete = app.get("/api/v1/public/certificates?number=B-1", None).await;
    incomplete.expect_problem(422, "request.invalid_fields");
    assert_eq!(incomplete.body["errors"][0]["code"], "certificate.holder_name_invalid");
}

both_engines!(lookups_are_limited_per_address);

async fn lookups_are_limited_per_address(engine: Engine) {
    let app =
        crate::harness::TestApp::start_with(engine, |s| s.certificates.public_lookups_per_address_per_hour = 3).await;
    for _ in 0..3 {
        app.get("/api/v1/public/certificates?number=X-1&name=张三", None)
            .await
            .expect_problem(404, "resource.not_found");
    }
    let limited = app.get("/api/v1/public/certificates?number=X-1&name=张三", None).await;
    limited.expect_problem(429, "certificate.lookup_limit");
    assert!(limited.header("retry-after").is_some());
}
