//! Just enough of the W3C WebDriver protocol to drive Debian's Chromium through its
//! `chromedriver` (package `chromium-driver`) over plain HTTP on the loopback: sessions,
//! navigation, elements, cookies, screenshots. No browser is downloaded: the test finds
//! `/usr/bin/chromedriver` and `/usr/bin/chromium` (or `CHROMEDRIVER`, `CHROMIUM`), which
//! `scripts/test.sh` installs by package name.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a wait lasts before it fails. Waits end as soon as their condition holds, so a
/// generous bound costs nothing when the page is quick; the whole suite shares two cores with
/// the browsers on CI, where five seconds has proved too short.
const PATIENCE: Duration = Duration::from_secs(30);

/// A headless Chromium and its chromedriver, ended when dropped.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver on a free loopback port and a headless 1280×800 Chromium through it.
    pub async fn start() -> Browser {
        let driver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            Path::new(&driver_path).exists() && Path::new(&chromium).exists(),
            "the console's browser tests need Debian's chromium and chromium-driver: ./scripts/test.sh installs them"
        );
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not answer"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap().keep();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--lang=zh-CN", "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
            ]},
        }}});
        let answer: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_owned();
        Browser {
            http,
            session: format!("{base}/session/{session}"),
            driver,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.expect("WebDriver call").json().await.unwrap();
        answer["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// Sets the window's outer size (the page's is a little less, under the browser's frame).
    pub async fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await;
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap_or_default().to_owned()
    }

    /// The element `css` selects, waiting for it (pages and htmx swaps).
    pub async fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let found = self
                .post("/element", json!({"using": "css selector", "value": css}))
                .await;
            if let Some(id) = found[ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(started.elapsed() < PATIENCE, "no element {css} on {}", self.url().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.get(&format!("/element/{id}/text"))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The text of `css` once it contains `expected` (after a swap), or a failure naming both.
    pub async fn wait_text(&self, css: &str, expected: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text(css).await;
            if text.contains(expected) || started.elapsed() > PATIENCE {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clears the input `css` and types `text` into it, as a person would, until it holds all
    /// of it: a document loading in a frame beside the form (a PDF viewer) can take the focus
    /// while the keys arrive, and then they are lost in part or in whole. A value that is no
    /// part of `text` (a field that formats what it is given) is left to the caller to check.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        let started = Instant::now();
        loop {
            self.type_into(&id, text).await;
            let value = self.get(&format!("/element/{id}/property/value")).await;
            let value = value.as_str().unwrap_or_default();
            if value == text || !text.starts_with(value) {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "{css} holds {value:?}, not {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, id: &str, text: &str) {
        self.post(&format!("/element/{id}/clear"), json!({})).await;
        self.post(&format!("/element/{id}/value"), json!({"text": text})).await;
    }

    /// Chooses the file at `path` in the file input `css`.
    pub async fn choose_file(&self, css: &str, path: &Path) {
        let id = self.find(css).await;
        let path = path.to_str().expect("a UTF-8 path");
        self.post(&format!("/element/{id}/value"), json!({"text": path})).await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.post(&format!("/element/{id}/click"), json!({})).await;
    }

    /// Clicks `css` and waits until the page it leads to has loaded (a form sent without
    /// htmx, a link).
    pub async fn submit(&self, css: &str) {
        self.run("window.zjOldPage = true").await;
        self.click(css).await;
        self.wait_for_new_page(css).await;
    }

    /// Types `text` into `css` and presses Enter there (the keyboard's way to send a form),
    /// then waits for the page it leads to.
    pub async fn type_and_enter(&self, css: &str, text: &str) {
        self.run("window.zjOldPage = true").await;
        let id = self.find(css).await;
        self.type_into(&id, &format!("{text}\u{E007}")).await;
        self.wait_for_new_page(css).await;
    }

    /// Waits until the old page's marker is gone and the new document is complete.
    async fn wait_for_new_page(&self, what: &str) {
        let started = Instant::now();
        loop {
            let loaded = self
                .run("return window.zjOldPage === undefined && document.readyState === 'complete'")
                .await;
            if loaded == true {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "{what} led to no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What `script` returns once `done` accepts it (an image loaded, a frame navigated), or
    /// its last answer when patience runs out, for the caller's assertion to name.
    pub async fn wait_script(&self, script: &str, done: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let answer = self.run(script).await;
            if done(&answer) || started.elapsed() > PATIENCE {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The path of the document shown in the preview frame, once it is `expected`.
    pub async fn framed_path(&self, expected: &str) -> Value {
        let script = "return document.querySelector('iframe[name=preview]').contentWindow.location.pathname";
        self.wait_script(script, |shown| shown == expected).await
    }

    /// Runs a script in the page (WebDriver's own channel, not the page's).
    pub async fn run(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []})).await
    }

    pub async fn cookie(&self, name: &str) -> Option<Value> {
        let value = self.get(&format!("/cookie/{name}")).await;
        value["name"].is_string().then_some(value)
    }

    /// Saves the page as PNG to `path` (the test's artefact).
    pub async fn screenshot(&self, path: &Path) {
        let data = self.get("/screenshot").await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("screenshot data"))
            .unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the session (chromedriver closes its browser), then the driver. Drop cannot
        // await, so the DELETE goes out as plain HTTP/1.1 on a blocking socket.
        if let Some((address, path)) = self.session.strip_prefix("http://").and_then(|s| s.split_once('/')) {
            if let Ok(mut stream) = std::net::TcpStream::connect(address) {
                use std::io::{Read, Write};
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let request = format!("DELETE /{path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
                let _ = stream.write_all(request.as_bytes());
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
