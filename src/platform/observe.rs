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
    /// Passes of background jobs by (job, outcome), and the items they handled by job.
    job_passes: BTreeMap<(&'static str, &'static str), u64>,
    job_items: BTreeMap<&'static str, u64>,
}

/// How one pass of a background job ended. Several instances run each job by lease, so the
/// items, summed over the instances, count each piece of work once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JobPass {
    /// This instance held the lease and handled `items` (tasks closed, notices sent...).
    Worked {
        items: u64,
    },
    /// Another instance holds the lease.
    Skipped,
    Failed,
}

/// What the metrics read at scrape time, beside the counters.
pub struct Gauges {
    /// Pool connections: (open, idle, maximum).
    pub pool: (u32, usize, u32),
    pub face: Option<FaceLoad>,
    /// Notifications (SMS, WeChat) waiting to be sent, and the age in seconds of the one due
    /// longest ago; `None` when the database did not answer.
    pub outbox: Option<(i64, f64)>,
}

/// Reads the gauges at scrape time. The state implements it: the face engine and the outbox
/// belong to domains the platform does not know.
pub trait ReadGauges: Send + Sync {
    fn gauges(&self) -> crate::BoxFuture<'_, Gauges>;
}

/// The face engine's pool at this instant, and its waits so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaceLoad {
    pub workers: u64,
    pub running: u64,
    pub waiting: u64,
    /// Checks refused because the queue was full (503 `face.busy`).
    pub refused: u64,
    /// Time checks waited for a worker: total seconds and how many waited.
    pub wait_seconds: f64,
    pub waits: u64,
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

    /// Counts one pass of the background job `job`.
    pub fn job_pass(&self, job: &'static str, pass: JobPass) {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let outcome = match pass {
            JobPass::Worked { items } => {
                *c.job_items.entry(job).or_default() += items;
                "worked"
            }
            JobPass::Skipped => "skipped",
            JobPass::Failed => "failed",
        };
        *c.job_passes.entry((job, outcome)).or_default() += 1;
    }

    /// The exposition text: the counters, then `gauges`.
    pub fn render(&self, gauges: &Gauges) -> String {
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
        render_jobs(&mut out, &c);
        render_face(&mut out, gauges.face);
        if let Some((pending, oldest)) = gauges.outbox {
            out.push_str("# HELP zhujian_outbox_pending Notifications (SMS, WeChat) waiting to be sent.\n");
            out.push_str("# TYPE zhujian_outbox_pending gauge\n");
            let _ = writeln!(out, "zhujian_outbox_pending {pending}");
            out.push_str(
                "# HELP zhujian_outbox_oldest_due_seconds How long the notification due longest ago has waited.\n",
            );
            out.push_str("# TYPE zhujian_outbox_oldest_due_seconds gauge\n");
            let _ = writeln!(out, "zhujian_outbox_oldest_due_seconds {oldest}");
        }
        let (open, idle, max) = gauges.pool;
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

fn render_jobs(out: &mut String, c: &Counters) {
    use std::fmt::Write;
    out.push_str("# HELP zhujian_job_passes_total Passes of background jobs by outcome (worked, skipped: another instance holds the lease, failed).\n");
    out.push_str("# TYPE zhujian_job_passes_total counter\n");
    for ((job, outcome), n) in &c.job_passes {
        let _ = writeln!(
            out,
            "zhujian_job_passes_total{{job=\"{job}\",outcome=\"{outcome}\"}} {n}"
        );
    }
    out.push_str("# HELP zhujian_job_items_total Items background jobs handled on this instance.\n");
    out.push_str("# TYPE zhujian_job_items_total counter\n");
    for (job, n) in &c.job_items {
        let _ = writeln!(out, "zhujian_job_items_total{{job=\"{job}\"}} {n}");
    }
}

fn render_face(out: &mut String, face: Option<FaceLoad>) {
    use std::fmt::Write;
    let Some(face) = face else { return };
    out.push_str(
        "# HELP zhujian_face_checks Face checks on this instance's engine by state; workers is the pool's size.\n",
    );
    out.push_str("# TYPE zhujian_face_checks gauge\n");
    for (state, n) in [
        ("workers", face.workers),
        ("running", face.running),
        ("waiting", face.waiting),
    ] {
        let _ = writeln!(out, "zhujian_face_checks{{state=\"{state}\"}} {n}");
    }
    out.push_str("# HELP zhujian_face_refused_total Face checks refused because the queue was full.\n");
    out.push_str("# TYPE zhujian_face_refused_total counter\n");
    let _ = writeln!(out, "zhujian_face_refused_total {}", face.refused);
    out.push_str("# HELP zhujian_face_wait_seconds Time face checks waited for a worker.\n");
    out.push_str("# TYPE zhujian_face_wait_seconds summary\n");
    let _ = writeln!(out, "zhujian_face_wait_seconds_sum {}", face.wait_seconds);
    let _ = writeln!(out, "zhujian_face_wait_seconds_count {}", face.waits);
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
