//! The development stand-ins for WeChat: on the development profile without `wechat.app_id`,
//! any login code signs in (the same code as the same person), so the mini-program API can be
//! tried locally; with an app id the real API is called (here the fake WeChat server).

use serde_json::json;

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(any_code_signs_in_on_the_development_profile_without_an_app_id);

async fn any_code_signs_in_on_the_development_profile_without_an_app_id(engine: Engine) {
    let app = TestApp::start_with(engine, |s| s.wechat.app_id = String::new()).await;
    let login = |code: &'static str| app.post("/api/v1/auth/wechat/login", json!({"code": code}), None);
    let first = login("any-code").await;
    first.expect(200);
    let again = login("any-code").await;
    let other = login("another-code").await;
    let me = |answer: &crate::harness::Answer| {
        let token = answer.body["access_token"].as_str().unwrap().to_owned();
        let app = &app;
        async move { app.get("/api/v1/people/me", Some(&token)).await.body["id"].clone() }
    };
    let (a, b, c) = (me(&first).await, me(&again).await, me(&other).await);
    assert!(a.is_string(), "{a}");
    assert_eq!(a, b, "the same code is the same person");
    assert_ne!(a, c, "another code is another person");
    // The code is still validated as WeChat's would be.
    let empty = login("").await;
    empty.expect_problem(422, "request.invalid_fields");
    assert_eq!(empty.body["errors"][0]["code"], "wechat.code_format");
}
