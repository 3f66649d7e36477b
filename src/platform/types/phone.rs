//! Mainland China mobile numbers, and masking them for display.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::{InvalidValue, PHONE_FORMAT};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_and_masked() {
        assert_eq!(Phone::parse("+86 138-1234-5678").unwrap().as_str(), "13812345678");
        assert_eq!(Phone::parse("13812345678").unwrap().masked(), "138****5678");
        assert!(Phone::parse("12812345678").is_err());
        assert!(Phone::parse("1381234567").is_err());
    }
}
