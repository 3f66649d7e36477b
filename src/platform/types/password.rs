//! A new password that meets the policy: 8 to 128 characters with letters and digits.

use std::fmt;

use serde::{Deserialize, Deserializer};

use super::{InvalidValue, PASSWORD_WEAK};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        assert!(NewPassword::parse("abcdefg1").is_ok());
        assert!(NewPassword::parse("abcdefgh").is_err());
        assert!(NewPassword::parse("1234567a").is_ok());
        assert!(NewPassword::parse("1a").is_err());
    }
}
