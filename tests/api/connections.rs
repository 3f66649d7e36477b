//! Slow clients cannot hold the server: connections that never finish their headers are
//! closed after the header-read timeout, one address gets only so many, and the server keeps
//! answering others meanwhile.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(slow_clients_are_bounded_and_closed);

const PER_ADDRESS: usize = 20;
const SLOW: usize = 60;

/// A connection from `from` that sends the start of a request and never its end.
async fn slow_client(server: SocketAddr, from: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    // Writing may fail when the server has already closed it; that is fine.
    let _ = stream.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
    stream
}

/// Whether the server closed the connection within `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // e.g. a 408 before the close
        }
    }
}

async fn slow_clients_are_bounded_and_closed(engine: Engine) {
    let app = TestApp::start_with(engine, |s| {
        s.server.header_read_timeout_secs = 2;
        s.server.max_connections_per_address = PER_ADDRESS;
    })
    .await;
    let server: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    // The slow clients come from another loopback address than the test's own requests.
    let mut slow = Vec::new();
    for _ in 0..SLOW {
        slow.push(slow_client(server, "127.0.0.2").await);
    }
    let started = Instant::now();
    let checks = futures_util::future::join_all(slow.into_iter().map(|mut stream| async move {
        let closed = closed_within(&mut stream, Duration::from_millis(300)).await;
        (!closed).then_some(stream)
    }))
    .await;
    let mut open: Vec<TcpStream> = checks.into_iter().flatten().collect();
    assert_eq!(
        open.len(),
        PER_ADDRESS,
        "one address keeps only {PER_ADDRESS} connections"
    );

    // Others are still served while those hang.
    app.get("/readyz", None).await.expect(200);

    let closed =
        futures_util::future::join_all(open.iter_mut().map(|s| closed_within(s, Duration::from_secs(5)))).await;
    assert!(
        closed.iter().all(|c| *c),
        "connections without complete headers are closed"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "closed by the timeout, not at once: {waited:?}"
    );
    assert!(waited < Duration::from_secs(6), "{waited:?}");
    // Their slots are free again.
    let mut again = slow_client(server, "127.0.0.2").await;
    assert!(!closed_within(&mut again, Duration::from_millis(200)).await);
    app.get("/readyz", None).await.expect(200);
}
