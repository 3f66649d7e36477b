//! 行政区划代码, the administrative division code of a district.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::{InvalidValue, DISTRICT_CODE_FORMAT};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_codes() {
        assert!(DistrictCode::parse("370102").is_ok());
        assert!(DistrictCode::parse("37010").is_err());
        assert!(DistrictCode::parse("037010").is_err());
    }
}
