//! Types that cannot be wrong: each validates on parse, so a handler holding one knows it is
//! well-formed. Their `Deserialize` runs the same parser; a failure carries the error's stable
//! code, which `crate::platform::web::Json` turns back into a localized field error.
//!
//! One file per type: `credit_code`, `id_number`, `phone`, `district_code`, `password`,
//! `coordinates`, `date`, `text`. This file holds every refusal (`InvalidValue`) with its code
//! and messages, and `string_newtype!`, which the string types share.

use std::borrow::Cow;
use std::fmt;

use crate::platform::error::Message;

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
    TEXT_CONTROL_CHARACTER = "text.control_character",
        "内容含有不可见的控制字符（如空字符；单行项也不能换行），请删除后重新输入",
        "The text holds control characters (such as NUL, or a line break in a one-line field); remove them";
}

impl crate::platform::error::Invalid {
    /// Records a value refused by one of these types' rules.
    pub fn reject(&mut self, field: &str, refusal: InvalidValue) {
        self.push(field, refusal.code, refusal.message);
    }

    /// Parses a value, recording its refusal under `field`.
    pub fn parse<T>(&mut self, field: &str, result: Result<T, InvalidValue>) -> Option<T> {
        result.map_err(|refusal| self.reject(field, refusal)).ok()
    }
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

// Declared after `string_newtype!`, which they use.
mod coordinates;
mod credit_code;
mod date;
mod district_code;
mod id_number;
mod password;
mod phone;
mod text;

pub use coordinates::{CoordinateSystem, Coordinates};
pub use credit_code::CreditCode;
pub use date::Date;
pub use district_code::DistrictCode;
pub use id_number::IdNumber;
pub use password::NewPassword;
pub use phone::{mask_phone, Phone};
pub use text::{blank_as_none, is_invisible, mask_name, Text, MULTILINE};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_code_round_trips() {
        for v in ALL_INVALID {
            assert_eq!(InvalidValue::from_code(v.code).unwrap().code, v.code);
        }
    }
}

#[cfg(test)]
mod fuzz;
