//! Request ids, the access log and Prometheus metrics.
//!
//! Log lines carry the route template (`/api/v1/staff/{id}`), never the raw path, query or
//! body, so ID numbers, phones, tokens and passwords cannot reach the log.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

use crate::platform::config::{LogFormat, LogSettings};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being served; echoed in `X-Request-Id`, problem documents and logs.
#[derive(Clone, Debug, Default)]
pub struct RequestId(pub String);

/// Keeps a caller's own request id when it is short and plain; otherwise makes a new one.
fn request_id_for(request: &Request) -> String {
    request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string())
}

/// Middleware: assigns the request id, opens the request's log span, logs and measures it.
pub async fn track_requests(State(metrics): State<Arc<Metrics>>, mut request: Request, next: Next) -> Response {
    let id = request_id_for(&request);
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics.record(&method, &route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(status, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Latency histogram bucket bounds in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Counters {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// Request counters and latency histograms, rendered in Prometheus' text format.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Metrics {
    pub fn record(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        *c.requests
            .entry((method.to_string(), route.to_owned(), status))
            .or_default() += 1;
        let h = c.latency.entry(route.to_owned()).or_default();
        for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The exposition text; `pool` is (connections open, connections idle, maximum).
    pub fn render(&self, pool: (u32, usize, u32)) -> String {
        use std::fmt::Write;
        let c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str("# HELP zhujian_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE zhujian_http_requests_total counter\n");
        for ((method, route, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "zhujian_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP zhujian_http_request_duration_seconds Time to answer a request, by route.\n");
        out.push_str("# TYPE zhujian_http_request_duration_seconds histogram\n");
        for (route, h) in &c.latency {
            let route = escape(route);
            for (bound, count) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "zhujian_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "zhujian_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "zhujian_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "zhujian_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        let (open, idle, max) = pool;
        out.push_str("# HELP zhujian_db_pool_connections Database pool connections by state.\n");
        out.push_str("# TYPE zhujian_db_pool_connections gauge\n");
        let _ = writeln!(
            out,
            "zhujian_db_pool_connections{{state=\"in_use\"}} {}",
            (open as usize).saturating_sub(idle)
        );
        let _ = writeln!(out, "zhujian_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(out, "zhujian_db_pool_connections{{state=\"max\"}} {max}");
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Installs the global log subscriber (text or JSON) with the configured filter.
pub fn init_logging(settings: &LogSettings) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&settings.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
