//! What the city and balanced benchmarks share besides their fixtures: the server's state on a
//! database, a stand-in for WeChat's sign-in, and a console session signed in as a browser does.

use std::path::Path;
use std::sync::Arc;

use zhujian::platform::config::Settings;

use crate::{fixtures, server};

/// The state (pool, keys) of the server that will run on `storage` and `url`.
pub async fn state_for(storage: &Path, url: &str) -> zhujian::AppState {
    let mut settings = Settings {
        storage: zhujian::platform::config::StorageSettings {
            dir: storage.to_owned(),
        },
        ..Settings::default()
    };
    settings.database.url = url.to_owned();
    settings.face.models_dir = server::models();
    settings.ensure_secrets().unwrap();
    let (db, engine) = zhujian::platform::db::connect(&settings).await.unwrap();
    let clock = Arc::new(zhujian::platform::clock::SystemClock);
    zhujian::AppState::new(settings, db, engine, clock).unwrap()
}

/// A stand-in for WeChat's code2session: the code is the openid.
pub async fn fake_wechat() -> String {
    use axum::{extract::Query, routing::get, Json, Router};
    async fn session(Query(q): Query<std::collections::HashMap<String, String>>) -> Json<serde_json::Value> {
        Json(serde_json::json!({"openid": q.get("js_code"), "session_key": "bench"}))
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new().route("/sns/jscode2session", get(session));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// A console session for the city staff member, signed in through the form as a browser does.
pub async fn console_session(base: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = |answer: &reqwest::Response, name: &str| {
        answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|v| v.split(';').next().unwrap().to_owned())
            })
            .unwrap_or_else(|| panic!("no {name} cookie"))
    };
    let page = client.get(format!("{base}/console/sign-in")).send().await.unwrap();
    let pre = cookie(&page, "zj_console_pre");
    let username = fixtures::staff_username("city");
    let form = [
        ("username", username.as_str()),
        ("password", fixtures::PASSWORD),
        ("csrf", pre.as_str()),
    ];
    let signed_in = client
        .post(format!("{base}/console/sign-in"))
        .header("cookie", format!("zj_console_pre={pre}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303, "the console signs in");
    cookie(&signed_in, "zj_console")
}
