//! 公民身份号码 (GB 11643-1999).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::date::is_valid_date;
use super::{InvalidValue, ID_NUMBER_BIRTH_DATE, ID_NUMBER_CHECK, ID_NUMBER_FORMAT};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
