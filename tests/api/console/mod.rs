//! The staff console (issue 17) in a real browser: Debian's Chromium, headless, driven through
//! chromedriver (`webdriver`), against the real server on each database engine. Each journey
//! saves a screenshot of its key page under `$CARGO_TARGET_TMPDIR/console/` (target/tmp).

mod forms;
mod journeys;
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
