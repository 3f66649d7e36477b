//! Required single-line texts such as names: trimmed, not empty, at most `MAX` characters.

use serde::{Deserialize, Deserializer};

use super::{InvalidValue, TEXT_EMPTY, TEXT_TOO_LONG};

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

    #[test]
    fn names() {
        assert!(Name::<5>::parse("  ").is_err());
        assert!(Name::<5>::parse("张三李四王五").is_err());
    }
}
