//! The release server as a child process, on the benchmark's storage and database.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub fn models() -> PathBuf {
    std::env::var("ZHUJIAN_FACE_MODELS_DIR")
        .expect("ZHUJIAN_FACE_MODELS_DIR is not set; run ./scripts/bench.sh checkin")
        .into()
}

pub struct Server {
    child: Child,
    pub base: String,
    /// The JSON log lines written before it served (the face index's load among them; the
    /// city bench reads it).
    #[allow(dead_code)]
    pub startup: Vec<Value>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn command(storage: &Path, database_url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhujian"));
    c.env("ZHUJIAN_STORAGE_DIR", storage)
        .env("DATABASE_URL", database_url)
        .env("ZHUJIAN_FACE_MODELS_DIR", models())
        .env("ZHUJIAN_FACE_QUEUE", "64");
    c
}

pub fn start_server(storage: &Path, database_url: &str) -> Server {
    spawn(command(storage, database_url))
}

/// Starts `command` (made by `command`, with any further settings) listening on a free port.
pub fn spawn(mut command: Command) -> Server {
    let mut child = command
        .env("ZHUJIAN_SERVER_LISTEN", "127.0.0.1:0")
        .env("ZHUJIAN_LOG_FORMAT", "json")
        .env("ZHUJIAN_LOG_LEVEL", "warn,zhujian::platform::observe=off,zhujian=info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the release binary starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut startup = Vec::new();
    for line in stderr.lines().map_while(Result::ok) {
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["message"] == "zhujian is serving" {
                let base = format!("http://{}", v["address"].as_str().unwrap());
                return Server { child, base, startup };
            }
            startup.push(v);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}
