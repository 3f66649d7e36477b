//! HAProxy in front of the instances, configured as docs/operations.md configures it (least
//! connections, `/readyz` checks, retries only where the connection failed), on the loopback.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Balancer {
    child: Child,
    pub base: String,
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn haproxy() -> PathBuf {
    let path = PathBuf::from(std::env::var("HAPROXY").unwrap_or_else(|_| "/usr/sbin/haproxy".into()));
    assert!(
        path.exists(),
        "HAProxy is needed: ./scripts/bench.sh balanced installs Debian's haproxy"
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The configuration for `servers` (their `http://host:port` bases), listening on `port`.
fn config(port: u16, servers: &[String]) -> String {
    let mut lines = vec![
        "global".to_owned(),
        "    maxconn 4000".to_owned(),
        "defaults".to_owned(),
        "    mode http".to_owned(),
        "    timeout connect 2s".to_owned(),
        "    timeout client 65s".to_owned(),
        "    timeout server 65s".to_owned(),
        "    retry-on conn-failure".to_owned(),
        "    retries 2".to_owned(),
        "    option redispatch".to_owned(),
        "frontend api".to_owned(),
        format!("    bind 127.0.0.1:{port}"),
        "    default_backend zhujian".to_owned(),
        "backend zhujian".to_owned(),
        "    balance leastconn".to_owned(),
        "    option httpchk GET /readyz".to_owned(),
        "    http-check expect status 200".to_owned(),
        // Checked often, so a killed instance leaves the pool within a second.
        "    default-server check inter 300ms fall 2 rise 1".to_owned(),
    ];
    for (n, base) in servers.iter().enumerate() {
        lines.push(format!("    server zj{} {}", n + 1, base.trim_start_matches("http://")));
    }
    lines.join("\n") + "\n"
}

/// Starts HAProxy in the foreground before `servers`, and waits until it answers `/readyz`.
pub async fn start(dir: &Path, servers: &[String]) -> Balancer {
    let port = free_port();
    let file = dir.join(format!("haproxy-{port}.cfg"));
    std::fs::write(&file, config(port, servers)).unwrap();
    let check = Command::new(haproxy())
        .arg("-c")
        .arg("-q")
        .arg("-f")
        .arg(&file)
        .status()
        .unwrap();
    assert!(check.success(), "HAProxy accepts {}", file.display());
    let child = Command::new(haproxy())
        .arg("-db")
        .arg("-f")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("HAProxy starts");
    // Owned before the wait, so that a failed start still ends the process.
    let balancer = Balancer {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    loop {
        let ready = reqwest::get(format!("{}/readyz", balancer.base)).await;
        if ready.is_ok_and(|r| r.status() == 200) {
            return balancer;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "HAProxy did not serve");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
