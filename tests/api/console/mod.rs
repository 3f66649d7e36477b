//! The staff console (issue 17) in a real browser: Debian's Chromium, headless, driven through
//! chromedriver (`webdriver`), against the real server on each database engine. Each journey
//! saves a screenshot of its key page under `$CARGO_TARGET_TMPDIR/console/` (target/tmp).

mod accounts;
mod applications;
mod check_ins;
mod documents;
mod enterprise;
mod enterprises;
mod exams;
mod forms;
mod journeys;
mod layout;
mod projects;
mod queues;
mod registrations;
mod results;
mod review;
mod verification;
mod webdriver;

use std::path::PathBuf;

use tokio::sync::Semaphore;

use crate::harness::{Engine, TestApp};
pub use webdriver::Browser;

/// The password `TestApp::staff_token` gives the accounts it creates.
pub const PASSWORD: &str = "Passw0rd-staff";

/// At most two browsers at once, whatever the test threads.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// A browser, once one of the two places is free; the place is held while the test runs.
pub async fn browser() -> (Browser, tokio::sync::SemaphorePermit<'static>) {
    let permit = BROWSERS.acquire().await.expect("the browsers' semaphore");
    (Browser::start().await, permit)
}

/// Where a journey's screenshot goes: `<target>/tmp/console/<name>-<engine>.png`.
pub fn artefact(name: &str, engine: Engine) -> PathBuf {
    let engine = format!("{engine:?}").to_lowercase();
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("console")
        .join(format!("{name}-{engine}.png"))
}

/// Fills the sign-in form and sends it, as a person would.
pub async fn sign_in(browser: &Browser, app: &TestApp, username: &str, password: &str) {
    browser.goto(&app.url("/console/sign-in")).await;
    browser.fill("#username", username).await;
    browser.fill("#password", password).await;
    browser.submit("#sign-in").await;
}

/// A client that does not follow redirects, to see where the console sends it.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in as a browser would, without one: the form's token from the sign-in page's cookie.
pub async fn console_session(app: &TestApp, username: &str, password: &str) -> String {
    let page = client().get(app.url("/console/sign-in")).send().await.unwrap();
    let pre = cookie_value(&page, "zj_console_pre");
    let answer = client()
        .post(app.url("/console/sign-in"))
        .header("cookie", format!("zj_console_pre={pre}"))
        .form(&[("username", username), ("password", password), ("csrf", pre.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    cookie_value(&answer, "zj_console")
}

pub fn cookie_value(answer: &reqwest::Response, name: &str) -> String {
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_owned()
}
