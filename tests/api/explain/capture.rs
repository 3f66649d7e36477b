//! Every statement a server runs, read back from the PostgreSQL log: a second instance of the
//! app, on the same database, whose connections ask PostgreSQL to log each statement
//! (`log_statement = all`, given in the connection's startup options). scripts/test.sh puts
//! the database name in each log line's prefix and names the log in `TEST_POSTGRES_LOG`.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};

use crate::harness::TestApp;

/// A second server on `app`'s database whose every statement is logged; its base URL.
pub async fn logged_instance(app: &TestApp) -> String {
    let mut settings = app.settings.clone();
    let separator = if settings.database.url.contains('?') { '&' } else { '?' };
    settings.database.url = format!("{}{separator}options=-c%20log_statement%3Dall", settings.database.url);
    let (db, engine) = zhujian::platform::db::connect(&settings).await.expect("logged pool");
    let state = zhujian::AppState::new(settings.clone(), db, engine, app.clock.clone()).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zhujian::platform::server::serve(
        listener,
        zhujian::router(state),
        std::future::pending(),
        std::time::Duration::from_secs(1),
        zhujian::platform::server::Limits::from(&settings.server),
    ));
    base
}

/// The PostgreSQL server log and where it ends now.
pub struct Log {
    path: String,
    start: u64,
}

impl Log {
    pub fn from_here() -> Log {
        let path = std::env::var("TEST_POSTGRES_LOG")
            .expect("TEST_POSTGRES_LOG is not set: run the test suite with ./scripts/test.sh");
        let start = std::fs::metadata(&path).expect("the PostgreSQL log").len();
        Log { path, start }
    }

    /// The queries (SELECT and WITH) logged for `database` since `from_here`, each once.
    pub fn queries(&self, database: &str) -> BTreeSet<String> {
        let mut file = std::fs::File::open(&self.path).expect("the PostgreSQL log");
        file.seek(SeekFrom::Start(self.start)).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let marker = format!(" db={database} LOG:  ");
        let mut queries = BTreeSet::new();
        let mut current: Option<String> = None;
        for line in text.lines() {
            // A message's further lines begin with a tab (PostgreSQL's stderr log format).
            if let Some(rest) = line.strip_prefix('\t') {
                if let Some(q) = current.as_mut() {
                    q.push('\n');
                    q.push_str(rest);
                }
                continue;
            }
            if let Some(q) = current.take() {
                keep(&mut queries, q);
            }
            let Some((_, message)) = line.split_once(&marker) else {
                continue;
            };
            let statement = if let Some(s) = message.strip_prefix("statement: ") {
                s
            } else if let Some(s) = message.strip_prefix("execute ") {
                // `execute <name>: <statement>`
                match s.split_once(": ") {
                    Some((_, s)) => s,
                    None => continue,
                }
            } else {
                continue;
            };
            current = Some(statement.to_owned());
        }
        if let Some(q) = current.take() {
            keep(&mut queries, q);
        }
        queries
    }
}

fn keep(queries: &mut BTreeSet<String>, statement: String) {
    let head = statement.trim_start().to_ascii_uppercase();
    if head.starts_with("SELECT") || head.starts_with("WITH") {
        queries.insert(statement.trim().to_owned());
    }
}

/// The database name of a PostgreSQL URL.
pub fn database_name(url: &str) -> String {
    let tail = url.rsplit('/').next().unwrap();
    tail.split('?').next().unwrap().to_owned()
}
