//! Calendar dates, written `YYYY-MM-DD`, and days in China (UTC+8).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::{InvalidValue, DATE_FORMAT};

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of `civil_from_days`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(super) fn is_valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&year) && (1..=days).contains(&day)
}

/// A calendar date, written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn parse(raw: &str) -> Result<Date, InvalidValue> {
        let mut parts = raw.trim().split('-');
        let mut next = |len: usize| {
            parts
                .next()
                .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse().ok())
        };
        let (Some(year), Some(month), Some(day)) = (next(4), next(2), next(2)) else {
            return Err(DATE_FORMAT);
        };
        if parts.next().is_some() || !is_valid_date(year, month, day) {
            return Err(DATE_FORMAT);
        }
        Ok(Date { year, month, day })
    }

    /// The same day `months` calendar months later, or the month's last day when it is shorter
    /// (2026-01-31 plus one month is 2026-02-28).
    pub fn add_months(self, months: u32) -> Date {
        let index = self.year * 12 + (self.month - 1) + months;
        let (year, month) = (index / 12, index % 12 + 1);
        let last = (28..=31).rev().find(|d| is_valid_date(year, month, *d)).unwrap_or(28);
        Date {
            year,
            month,
            day: self.day.min(last),
        }
    }

    /// The same day `months` calendar months earlier, or the month's last day when it is
    /// shorter (2028-02-29 less twelve months is 2027-02-28).
    pub fn sub_months(self, months: u32) -> Date {
        let index = (self.year * 12 + (self.month - 1)).saturating_sub(months);
        let (year, month) = (index / 12, index % 12 + 1);
        let last = (28..=31).rev().find(|d| is_valid_date(year, month, *d)).unwrap_or(28);
        Date {
            year,
            month,
            day: self.day.min(last),
        }
    }

    pub fn add_days(self, days: i64) -> Date {
        let (y, m, d) =
            crate::platform::clock::civil_from_days(days_from_civil(i64::from(self.year), self.month, self.day) + days);
        Date {
            year: y as u32,
            month: m,
            day: d,
        }
    }

    /// Unix milliseconds at the end of this day in China (the next day's 00:00, UTC+8).
    pub fn end_in_china_ms(self) -> i64 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day) + 1;
        days * 86_400_000 - crate::platform::clock::CHINA_OFFSET_MS
    }

    /// Today in China (Asia/Shanghai, UTC+8 all year) at Unix time `now_ms`.
    pub fn today_in_china(now_ms: i64) -> Date {
        let (y, m, d) = crate::platform::clock::civil_from_days(
            (now_ms + crate::platform::clock::CHINA_OFFSET_MS).div_euclid(86_400_000),
        );
        Date {
            year: y as u32,
            month: m,
            day: d,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Date::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates() {
        let d = Date::parse("2026-02-28").unwrap();
        assert_eq!(d.to_string(), "2026-02-28");
        assert!(Date::parse("2026-02-29").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2026-2-28").is_err());
        assert!(Date::parse("2026-02-28x").is_err());
        assert!(Date::parse("2026-02-28-01").is_err());
        assert!(Date::parse("2026-01-31").unwrap() < Date::parse("2026-02-01").unwrap());
        // 2026-11-21 16:30 UTC is already the 22nd in China.
        assert_eq!(Date::today_in_china(1_795_278_600_000).to_string(), "2026-11-22");
        assert_eq!(Date::today_in_china(1_795_248_000_000).to_string(), "2026-11-21");
        assert_eq!(date("2026-01-31").add_months(1), date("2026-02-28"));
        assert_eq!(date("2026-12-20").add_days(30), date("2027-01-19"));
        assert_eq!(date("2024-01-31").add_months(1), date("2024-02-29"));
        assert_eq!(date("2026-03-01").add_months(10), date("2027-01-01"));
        assert_eq!(date("2026-11-21").add_months(14), date("2028-01-21"));
        assert_eq!(date("2028-02-29").sub_months(12), date("2027-02-28"));
        assert_eq!(date("2028-01-21").sub_months(14), date("2026-11-21"));
        assert_eq!(date("2026-03-31").sub_months(1), date("2026-02-28"));
        // 2026-11-21 ends at 16:00 UTC.
        assert_eq!(date("2026-11-21").end_in_china_ms(), 1_795_276_800_000);
        assert_eq!(
            Date::today_in_china(date("2026-11-21").end_in_china_ms() - 1),
            date("2026-11-21")
        );
        assert_eq!(
            Date::today_in_china(date("2026-11-21").end_in_china_ms()),
            date("2026-11-22")
        );
    }
}
