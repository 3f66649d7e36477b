//! Types that cannot be wrong: each validates on parse, so a handler holding one knows it is
//! well-formed. Their `Deserialize` runs the same parser; a failure carries the error's stable
//! code, which `crate::json::Json` turns back into a localized field error.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Message;

/// Why a value was refused: a stable code and a message in both languages.
#[derive(Debug, Clone)]
pub struct InvalidValue {
    pub code: &'static str,
    pub message: Message,
}

macro_rules! invalid_values {
    ($($name:ident = $code:literal, $zh:literal, $en:literal;)*) => {
        $(pub const $name: InvalidValue = InvalidValue {
            code: $code,
            message: Message { zh: Cow::Borrowed($zh), en: Cow::Borrowed($en) },
        };)*
        /// Every known refusal, to turn a code back into its message.
        const ALL_INVALID: &[InvalidValue] = &[$($name),*];
    };
}

invalid_values! {
    CREDIT_CODE_FORMAT = "credit_code.format",
        "统一社会信用代码应为18位，由数字和大写字母（不含 I、O、Z、S、V）组成",
        "A unified social credit code has 18 characters: digits and capital letters except I, O, Z, S, V";
    CREDIT_CODE_CHECK = "credit_code.check_character",
        "统一社会信用代码校验位不正确，请核对后重新输入",
        "The unified social credit code's check character is wrong; check the code";
    ID_NUMBER_FORMAT = "id_number.format",
        "身份证号应为18位：17位数字加1位校验码（数字或 X）",
        "An ID number has 18 characters: 17 digits and a check character (digit or X)";
    ID_NUMBER_CHECK = "id_number.check_character",
        "身份证号校验位不正确，请核对后重新输入",
        "The ID number's check character is wrong; check the number";
    ID_NUMBER_BIRTH_DATE = "id_number.birth_date",
        "身份证号中的出生日期无效",
        "The birth date inside the ID number is not a valid date";
    PHONE_FORMAT = "phone.format",
        "手机号应为11位中国大陆手机号码",
        "Enter an 11-digit mainland China mobile number";
    DISTRICT_CODE_FORMAT = "district_code.format",
        "行政区划代码应为6位数字",
        "A district code is the 6-digit administrative division code";
    PASSWORD_WEAK = "password.weak",
        "密码需为8至128位，且同时包含字母和数字",
        "A password needs 8 to 128 characters with both letters and digits";
    COORDINATES_RANGE = "coordinates.range",
        "坐标超出范围：纬度 -90 至 90，经度 -180 至 180",
        "Coordinates out of range: latitude -90 to 90, longitude -180 to 180";
    DATE_FORMAT = "date.format",
        "日期应为 YYYY-MM-DD 格式的有效日期",
        "Give a valid date as YYYY-MM-DD";
    TEXT_EMPTY = "text.empty",
        "此项不能为空",
        "This field must not be empty";
    TEXT_TOO_LONG = "text.too_long",
        "内容过长",
        "This text is too long";
}

impl InvalidValue {
    /// The refusal with this code, if the code is one of ours.
    pub fn from_code(code: &str) -> Option<InvalidValue> {
        ALL_INVALID.iter().find(|v| v.code == code).cloned()
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// Implements `Deserialize` (through `parse`), `Display`, `as_str` and `Serialize` for a
/// string newtype.
macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

/// 统一社会信用代码 (GB 32100-2015).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);
string_newtype!(CreditCode);

const CREDIT_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

impl CreditCode {
    /// GB 32100 §4: 18 characters from the 31-character set, characters 3–8 the administrative
    /// division code, and the 18th the check character `31 - (Σ value·weight mod 31)`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let code = raw.trim().to_ascii_uppercase();
        let values: Vec<u32> = code
            .chars()
            .map(|c| CREDIT_CHARSET.find(c).map(|i| i as u32))
            .collect::<Option<_>>()
            .ok_or(CREDIT_CODE_FORMAT)?;
        if values.len() != 18 || !code[2..8].bytes().all(|b| b.is_ascii_digit()) {
            return Err(CREDIT_CODE_FORMAT);
        }
        let sum: u32 = values[..17].iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err(CREDIT_CODE_CHECK);
        }
        Ok(CreditCode(code))
    }
}

/// 公民身份号码 (GB 11643-1999), 18 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);
string_newtype!(IdNumber);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

impl IdNumber {
    /// GB 11643 §5–§8: 17 digits (address code, birth date YYYYMMDD, sequence) and a check
    /// character from ISO 7064 MOD 11-2 (`X` for 10).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let id = raw.trim().to_ascii_uppercase();
        let bytes = id.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(ID_NUMBER_FORMAT);
        }
        if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(ID_NUMBER_FORMAT);
        }
        let sum: u32 = bytes[..17]
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if ID_CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(ID_NUMBER_CHECK);
        }
        let number = |range: std::ops::Range<usize>| id[range].parse::<u32>().unwrap_or(0);
        if !is_valid_date(number(6..10), number(10..12), number(12..14)) {
            return Err(ID_NUMBER_BIRTH_DATE);
        }
        Ok(IdNumber(id))
    }

    /// Birth date as (year, month, day).
    pub fn birth_date(&self) -> (u32, u32, u32) {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().unwrap_or(0);
        (n(6..10), n(10..12), n(12..14))
    }

    /// `110105********1234`: region and last four kept.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

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

fn is_valid_date(year: u32, month: u32, day: u32) -> bool {
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

/// A mainland China mobile number, stored as its 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);
string_newtype!(Phone);

impl Phone {
    /// Accepts `13812345678`, `+86 138 1234 5678` or `138-1234-5678`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() != 11 || b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) || !b.iter().all(u8::is_ascii_digit) {
            return Err(PHONE_FORMAT);
        }
        Ok(Phone(digits.to_string()))
    }

    /// `138****5678`
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }

    /// E.164 form for SMS gateways.
    pub fn e164(&self) -> String {
        format!("+86{}", self.0)
    }
}

/// Masks a stored phone number for display; tolerant of any length.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "****".into()
    }
}

/// 行政区划代码: six digits, e.g. 370102 for 历下区.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DistrictCode(String);
string_newtype!(DistrictCode);

impl DistrictCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let code = raw.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with('0') {
            Ok(DistrictCode(code.to_string()))
        } else {
            Err(DISTRICT_CODE_FORMAT)
        }
    }
}

/// A new password that meets the policy. Deliberately neither `Serialize` nor `Display`.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let len = raw.chars().count();
        let letters = raw.chars().any(|c| c.is_alphabetic());
        let digits = raw.chars().any(|c| c.is_ascii_digit());
        if (8..=128).contains(&len) && letters && digits {
            Ok(NewPassword(raw.to_string()))
        } else {
            Err(PASSWORD_WEAK)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl<'de> Deserialize<'de> for NewPassword {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        NewPassword::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The coordinate system a position is given in: WGS-84 (GPS, `wx.getLocation` by default) or
/// GCJ-02 (China's obfuscated system, used by Chinese map providers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CoordinateSystem {
    Wgs84,
    Gcj02,
}

impl CoordinateSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            CoordinateSystem::Wgs84 => "wgs84",
            CoordinateSystem::Gcj02 => "gcj02",
        }
    }

    pub fn parse(s: &str) -> Option<CoordinateSystem> {
        match s {
            "wgs84" => Some(CoordinateSystem::Wgs84),
            "gcj02" => Some(CoordinateSystem::Gcj02),
            _ => None,
        }
    }
}

/// A position: latitude and longitude in degrees, always with its coordinate system.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
    pub system: CoordinateSystem,
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64, system: CoordinateSystem) -> Result<Coordinates, InvalidValue> {
        let valid = latitude.is_finite() && longitude.is_finite() && latitude.abs() <= 90.0 && longitude.abs() <= 180.0;
        if valid {
            Ok(Coordinates {
                latitude,
                longitude,
                system,
            })
        } else {
            Err(COORDINATES_RANGE)
        }
    }
}

impl<'de> Deserialize<'de> for Coordinates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            latitude: f64,
            longitude: f64,
            system: CoordinateSystem,
        }
        let raw = Raw::deserialize(d)?;
        Coordinates::new(raw.latitude, raw.longitude, raw.system).map_err(serde::de::Error::custom)
    }
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

    pub fn add_days(self, days: i64) -> Date {
        let (y, m, d) =
            crate::clock::civil_from_days(days_from_civil(i64::from(self.year), self.month, self.day) + days);
        Date {
            year: y as u32,
            month: m,
            day: d,
        }
    }

    /// Unix milliseconds at the end of this day in China (the next day's 00:00, UTC+8).
    pub fn end_in_china_ms(self) -> i64 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day) + 1;
        days * 86_400_000 - 8 * 3_600_000
    }

    /// Today in China (Asia/Shanghai, UTC+8 all year) at Unix time `now_ms`.
    pub fn today_in_china(now_ms: i64) -> Date {
        let (y, m, d) = crate::clock::civil_from_days((now_ms + 8 * 3_600_000).div_euclid(86_400_000));
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

/// A required single-line text such as a name: trimmed, not empty, at most `MAX` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name<const MAX: usize = 100>(String);

impl<const MAX: usize> Name<MAX> {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = raw.trim();
        if text.is_empty() {
            Err(TEXT_EMPTY)
        } else if text.chars().count() > MAX {
            Err(TEXT_TOO_LONG)
        } else {
            Ok(Name(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Name<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Name::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid credit code from its first 17 characters, independently of `parse`.
    fn with_check(prefix: &str) -> String {
        let sum: usize = prefix
            .chars()
            .zip(CREDIT_WEIGHTS)
            .map(|(c, w)| CREDIT_CHARSET.find(c).unwrap() * w as usize)
            .sum();
        let check = (31 - sum % 31) % 31;
        format!("{prefix}{}", CREDIT_CHARSET.as_bytes()[check] as char)
    }

    /// Completes 17 digits with their check character, independently of `parse`.
    fn id_with_check(digits: &str) -> String {
        let sum: u32 = digits
            .bytes()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        format!("{digits}{}", ID_CHECK[(sum % 11) as usize] as char)
    }

    #[test]
    fn credit_codes_from_real_registrations_are_accepted() {
        // Published codes of real organisations.
        for code in ["91350100M000100Y43", "91110000802100433B", "914403001922038216"] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn credit_code_errors_are_specific() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44").unwrap_err().code,
            CREDIT_CODE_CHECK.code
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y4").unwrap_err().code,
            CREDIT_CODE_FORMAT.code
        );
        assert_eq!(
            CreditCode::parse("91350100M000I00Y43").unwrap_err().code,
            CREDIT_CODE_FORMAT.code
        );
        assert_eq!(
            CreditCode::parse("913A0100M000100Y43").unwrap_err().code,
            CREDIT_CODE_FORMAT.code
        );
        let generated = with_check("91370102MA3C4X5Y6");
        assert!(CreditCode::parse(&generated).is_ok(), "{generated}");
    }

    #[test]
    fn id_numbers_follow_gb11643() {
        // The standard's own example and a number ending in X.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(
            IdNumber::parse("440524188001010014").is_err(),
            "year 1880 is out of range"
        );
        assert_eq!(
            IdNumber::parse("110105194912310021").unwrap_err().code,
            ID_NUMBER_CHECK.code
        );
        assert_eq!(
            IdNumber::parse("11010519491231002").unwrap_err().code,
            ID_NUMBER_FORMAT.code
        );
        assert_eq!(
            IdNumber::parse(&id_with_check("11010519490230002")).unwrap_err().code,
            ID_NUMBER_BIRTH_DATE.code
        );
        assert!(
            IdNumber::parse(&id_with_check("11010520000229001")).is_ok(),
            "2000 is a leap year"
        );
        assert_eq!(
            IdNumber::parse(&id_with_check("11010519000229001")).unwrap_err().code,
            ID_NUMBER_BIRTH_DATE.code
        );
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.birth_date(), (1949, 12, 31));
    }

    #[test]
    fn phones_are_normalised_and_masked() {
        assert_eq!(Phone::parse("+86 138-1234-5678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("13812345678").unwrap().masked(), "138****5678");
        assert!(Phone::parse("12812345678").is_err());
        assert!(Phone::parse("1381234567").is_err());
    }

    #[test]
    fn district_codes_and_passwords() {
        assert!(DistrictCode::parse("370102").is_ok());
        assert!(DistrictCode::parse("37010").is_err());
        assert!(DistrictCode::parse("037010").is_err());
        assert!(NewPassword::parse("abcdefg1").is_ok());
        assert!(NewPassword::parse("abcdefgh").is_err());
        assert!(NewPassword::parse("1234567a").is_ok());
        assert!(NewPassword::parse("1a").is_err());
        assert!(Name::<5>::parse("  ").is_err());
        assert!(Name::<5>::parse("张三李四王五").is_err());
    }

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

    #[test]
    fn every_refusal_code_round_trips() {
        for v in ALL_INVALID {
            assert_eq!(InvalidValue::from_code(v.code).unwrap().code, v.code);
        }
    }
}
