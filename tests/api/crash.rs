//! Crash safety of acts: the real binary is killed with SIGKILL, again and again, while
//! concurrent clients change state. Afterwards every acknowledged change is there, and every
//! committed change has its audit event, because both commit in one transaction.

use std::collections::HashSet;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Mutex;
use zhujian::audit::VerifyReport;

use crate::harness::{Engine, TestApp};
use crate::process::{zhujian_command, Server};

crate::both_engines!(killed_servers_lose_no_acknowledged_change_and_no_event);

const ROUNDS: usize = 4;
const CLIENTS: usize = 8;

async fn killed_servers_lose_no_acknowledged_change_and_no_event(engine: Engine) {
    let app = TestApp::start(engine).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    for round in 0..ROUNDS {
        let before = acknowledged.lock().await.len();
        let mut command = zhujian_command(&app);
        command.env("ZHUJIAN_LOG_FORMAT", "json");
        let mut server = Server::start(command);
        let clients: Vec<_> = (0..CLIENTS)
            .map(|client| {
                tokio::spawn(create_until_refused(
                    server.base.clone(),
                    admin.clone(),
                    round,
                    client,
                    acknowledged.clone(),
                ))
            })
            .collect();
        // Let the writes get going (a write per client at least, however loaded the machine
        // is), then kill the process mid-flight.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while acknowledged.lock().await.len() < before + CLIENTS && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(100 + 150 * round as u64)).await;
        let killed = Command::new("kill")
            .args(["-KILL", &server.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        server.child.wait().unwrap();
        for client in clients {
            client.await.unwrap();
        }
    }

    let acknowledged: HashSet<String> = acknowledged.lock().await.iter().cloned().collect();
    assert!(
        acknowledged.len() >= ROUNDS * CLIENTS,
        "too few writes to test anything: {}",
        acknowledged.len()
    );
    let stored: HashSet<String> = sqlx::query_scalar("SELECT id FROM staff WHERE username LIKE 'crash-%'")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    let audited: HashSet<String> =
        sqlx::query_scalar("SELECT target FROM audit_events WHERE action = 'POST /api/v1/staff' AND outcome = 'ok'")
            .fetch_all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let unaudited: Vec<_> = stored
        .iter()
        .filter(|id| !audited.contains(&format!("staff:{id}")))
        .collect();
    assert!(unaudited.is_empty(), "committed without an audit event: {unaudited:?}");
    assert_eq!(audited.len(), stored.len(), "an ok event without its change");
    assert!(matches!(app.verify_audit().await, VerifyReport::Intact { .. }));
}

/// Creates staff accounts until the server stops answering; keeps the ids acknowledged.
async fn create_until_refused(
    base: String,
    token: String,
    round: usize,
    client: usize,
    acknowledged: Arc<Mutex<Vec<String>>>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for n in 0.. {
        let body = json!({"username": format!("crash-{round}-{client}-{n}"), "display_name": "市站",
                          "role": "city", "password": "Initial123"});
        let Ok(response) = http
            .post(format!("{base}/api/v1/staff"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        else {
            return;
        };
        if response.status().as_u16() != 201 {
            return;
        }
        let Ok(created) = response.json::<serde_json::Value>().await else {
            return;
        };
        acknowledged
            .lock()
            .await
            .push(created["id"].as_str().unwrap().to_owned());
    }
}
