//! 统一社会信用代码 (GB 32100-2015).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::{InvalidValue, CREDIT_CODE_CHECK, CREDIT_CODE_FORMAT};

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
}
