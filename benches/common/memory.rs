//! Memory figures of this process, from /proc/self/status (Linux), for the benchmarks.

/// A `/proc/self/status` line's value in MB (`VmRSS`: resident now; `VmHWM`: peak resident).
pub fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let prefix = format!("{field}:");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}
