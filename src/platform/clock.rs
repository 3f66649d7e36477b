//! Time, injectable: every deadline and expiry reads the `Clock` in `AppState`, so tests can
//! move time instead of waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync {
    /// Unix time in milliseconds.
    fn now_ms(&self) -> i64;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        system_now_ms()
    }
}

pub fn system_now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    since_epoch.as_millis() as i64
}

/// A clock that starts at the real time and moves only when told to (tests).
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new() -> Self {
        ManualClock(AtomicI64::new(system_now_ms()))
    }

    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The UTC calendar date (`YYYY-MM-DD`) of a Unix time in seconds.
pub fn utc_date(unix_secs: i64) -> String {
    let (y, m, d) = civil_from_days(unix_secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Asia/Shanghai is UTC+8 all year: China has kept no daylight saving time since 1991.
pub const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// Unix milliseconds as local time in China, `YYYY-MM-DD HH:MM:SS` (Asia/Shanghai), for the
/// files the product writes for people; the JSON API keeps milliseconds.
pub fn china_time(unix_ms: i64) -> String {
    let secs = (unix_ms + CHINA_OFFSET_MS).div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_795_219_199), "2026-11-20");
        assert_eq!(utc_date(-1), "1969-12-31");
    }

    #[test]
    fn china_times() {
        assert_eq!(china_time(0), "1970-01-01 08:00:00");
        assert_eq!(china_time(-1), "1970-01-01 07:59:59");
        // Midnight in China is 16:00 UTC the day before.
        assert_eq!(china_time(1_795_276_799_999), "2026-11-21 23:59:59");
        assert_eq!(china_time(1_795_276_800_000), "2026-11-22 00:00:00");
        // The leap day, from its first to its last second, and the day after.
        assert_eq!(china_time(1_709_136_000_000), "2024-02-29 00:00:00");
        assert_eq!(china_time(1_709_222_399_000), "2024-02-29 23:59:59");
        assert_eq!(china_time(1_709_222_400_000), "2024-03-01 00:00:00");
        // Milliseconds are dropped, not rounded.
        assert_eq!(china_time(1_709_136_000_999), "2024-02-29 00:00:00");
        assert_eq!(china_time(1_735_660_799_000), "2024-12-31 23:59:59");
        assert_eq!(china_time(1_735_660_800_000), "2025-01-01 00:00:00");
    }
}
