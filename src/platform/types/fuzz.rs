//! Property tests of the value types (issue 14, item 8): generated valid values are accepted as
//! they are, their single-character mutations are refused, and no string whatsoever makes a
//! parser panic. The generators (`crate::platform::fuzzing`) compute the check characters from
//! the standards' definitions (weights 2^(17-i) mod 11 and 3^i mod 31), not with the parsers'
//! own tables.

use proptest::prelude::*;

use super::*;
use crate::platform::fuzzing::{clean_text, config, credit_code, hostile_text, id_number, CREDIT_CHARSET};

/// Equal to within 1e-12 degrees (about 0.1 µm).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12
}

fn text_code<const MAX: usize, const LINES: bool>(raw: &str) -> &'static str {
    Text::<MAX, LINES>::parse(raw).map_or_else(|e| e.code, |_| "ok")
}

proptest! {
    #![proptest_config(config(5000))]

    #[test]
    fn valid_id_numbers_are_accepted_as_written(id in id_number(), lower in any::<bool>(), pad in "[ \t]{0,2}") {
        let written = if lower { id.to_lowercase() } else { id.clone() };
        let parsed = IdNumber::parse(&format!("{pad}{written}{pad}")).unwrap();
        prop_assert_eq!(parsed.as_str(), id.as_str());
        let (y, m, d) = parsed.birth_date();
        prop_assert_eq!(format!("{y:04}{m:02}{d:02}"), &id[6..14]);
        prop_assert_eq!(parsed.masked().chars().count(), 18);
    }

    #[test]
    fn id_numbers_with_one_character_changed_are_refused(id in id_number(), at in 0usize..18, to in proptest::sample::select(b"0123456789X".to_vec())) {
        prop_assume!(id.as_bytes()[at] != to);
        let mut mutated = id.into_bytes();
        mutated[at] = to;
        let mutated = String::from_utf8(mutated).unwrap();
        prop_assert!(IdNumber::parse(&mutated).is_err(), "{} accepted", mutated);
    }

    #[test]
    fn id_numbers_with_adjacent_digits_swapped_are_refused(id in id_number(), at in 0usize..16) {
        let bytes = id.as_bytes();
        prop_assume!(bytes[at] != bytes[at + 1]);
        let mut swapped = bytes.to_vec();
        swapped.swap(at, at + 1);
        prop_assert!(IdNumber::parse(std::str::from_utf8(&swapped).unwrap()).is_err());
    }

    #[test]
    fn valid_credit_codes_are_accepted_as_written(code in credit_code(), lower in any::<bool>()) {
        let written = if lower { code.to_lowercase() } else { code.clone() };
        let parsed = CreditCode::parse(&written).unwrap();
        prop_assert_eq!(parsed.as_str(), code.as_str());
    }

    #[test]
    fn credit_codes_with_one_character_changed_are_refused(code in credit_code(), at in 0usize..18, to in proptest::sample::select(CREDIT_CHARSET)) {
        prop_assume!(code.as_bytes()[at] != to);
        let mut mutated = code.into_bytes();
        mutated[at] = to;
        let mutated = String::from_utf8(mutated).unwrap();
        prop_assert!(CreditCode::parse(&mutated).is_err(), "{} accepted", mutated);
    }

    /// Whatever the string, every parser answers: a value that parses again to itself, or a
    /// refusal whose code is one of ours.
    #[test]
    fn no_string_makes_a_value_parser_panic(raw in prop_oneof![hostile_text(), "[0-9Xx]{0,20}", "[0-9A-Z+ -]{0,20}", any::<String>()]) {
        let known = |e: InvalidValue| InvalidValue::from_code(e.code).map(|_| ());
        if let Ok(id) = IdNumber::parse(&raw) {
            prop_assert_eq!(IdNumber::parse(id.as_str()).unwrap(), id);
        } else if let Err(e) = IdNumber::parse(&raw) { prop_assert!(known(e).is_some()) }
        match CreditCode::parse(&raw) {
            Ok(code) => prop_assert_eq!(CreditCode::parse(code.as_str()).unwrap(), code),
            Err(e) => prop_assert!(known(e).is_some()),
        }
        match Phone::parse(&raw) {
            Ok(phone) => {
                prop_assert_eq!(Phone::parse(phone.as_str()).unwrap(), phone.clone());
                prop_assert_eq!(phone.masked().chars().count(), 11);
            }
            Err(e) => prop_assert!(known(e).is_some()),
        }
        match DistrictCode::parse(&raw) {
            Ok(code) => prop_assert_eq!(DistrictCode::parse(code.as_str()).unwrap(), code),
            Err(e) => prop_assert!(known(e).is_some()),
        }
        match Date::parse(&raw) {
            Ok(date) => prop_assert_eq!(Date::parse(&date.to_string()).unwrap(), date),
            Err(e) => prop_assert!(known(e).is_some()),
        }
        if let Err(e) = NewPassword::parse(&raw) { prop_assert!(known(e).is_some()) }
        let _ = mask_phone(&raw);
        let _ = mask_name(&raw);
    }

    /// A text either parses to a value that parses again to itself (trimmed, no control
    /// characters but the line breaks a multi-line field allows, within its length, not
    /// invisible), or is refused with one of the three text codes, the same one every time.
    #[test]
    fn texts_round_trip_or_are_refused_with_a_stable_code(raw in hostile_text()) {
        for lines in [false, true] {
            let parsed = if lines {
                Text::<20, MULTILINE>::parse(&raw).map(|t| t.as_str().to_owned())
            } else {
                Text::<20>::parse(&raw).map(|t| t.as_str().to_owned())
            };
            match parsed {
                Ok(text) => {
                    let again = if lines {
                        Text::<20, MULTILINE>::parse(&text).map(|t| t.as_str().to_owned())
                    } else {
                        Text::<20>::parse(&text).map(|t| t.as_str().to_owned())
                    };
                    prop_assert_eq!(again.map_err(|e| e.code), Ok(text.clone()), "not idempotent");
                    prop_assert!(text.chars().count() <= 20);
                    prop_assert!(!text.chars().all(is_invisible));
                    prop_assert!(!text.starts_with(is_invisible) && !text.ends_with(is_invisible));
                    prop_assert!(!text.contains('\r'));
                    prop_assert!(text.chars().all(|c| !c.is_control() || (lines && matches!(c, '\n' | '\t'))));
                }
                Err(e) => {
                    prop_assert!(["text.empty", "text.too_long", "text.control_character"].contains(&e.code));
                    let again = if lines { text_code::<20, true>(&raw) } else { text_code::<20, false>(&raw) };
                    prop_assert_eq!(again, e.code);
                }
            }
        }
    }

    /// Clean text comes back exactly, however much invisible padding surrounds it; the same
    /// text through JSON (as every request body carries it) gives the same answer.
    #[test]
    fn clean_text_round_trips(text in clean_text(), pad in proptest::sample::select(vec!["", " ", "\u{200B}", "\u{FEFF} ", "\u{3000}", "\t"])) {
        let padded = format!("{pad}{text}{pad}");
        let parsed = Text::<30>::parse(&padded).unwrap();
        prop_assert_eq!(parsed.as_str(), text.as_str());
        let json = serde_json::to_string(&padded).unwrap();
        let via_json: Text<30> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(via_json.as_str(), text.as_str());
    }

    #[test]
    fn coordinates_are_accepted_exactly_in_range(latitude in any::<f64>(), longitude in any::<f64>(), gcj in any::<bool>()) {
        let system = if gcj { CoordinateSystem::Gcj02 } else { CoordinateSystem::Wgs84 };
        let in_range = latitude.is_finite() && longitude.is_finite() && latitude.abs() <= 90.0 && longitude.abs() <= 180.0;
        match Coordinates::new(latitude, longitude, system) {
            Ok(c) => {
                prop_assert!(in_range);
                // serde_json reads a float back to within an ulp or two (its float_roundtrip
                // feature is off), far below any distance that matters.
                let json = serde_json::to_string(&c).unwrap();
                let back = serde_json::from_str::<Coordinates>(&json).unwrap();
                prop_assert!(close(back.latitude, c.latitude) && close(back.longitude, c.longitude), "{:?} read back as {:?}", c, back);
                prop_assert_eq!(back.system, c.system);
            }
            Err(e) => {
                prop_assert!(!in_range);
                prop_assert_eq!(e.code, COORDINATES_RANGE.code);
            }
        }
    }

    /// Coordinates as a request carries them: any number, any text, missing or extra fields.
    #[test]
    fn no_coordinate_body_makes_the_parser_panic(
        latitude in prop_oneof![any::<f64>().prop_map(|v| v.to_string()), "-?[0-9]{1,400}(\\.[0-9]{0,20})?(e-?[0-9]{1,4})?", Just("null".to_owned()), Just("\"30\"".to_owned())],
        longitude in -200.0f64..200.0,
        system in prop_oneof![Just("\"wgs84\""), Just("\"gcj02\""), Just("\"bd09\""), Just("1")],
        extra in proptest::option::of("[a-z]{1,5}"),
    ) {
        let extra = extra.map_or(String::new(), |k| format!(r#","{k}":1"#));
        let body = format!(r#"{{"latitude":{latitude},"longitude":{longitude},"system":{system}{extra}}}"#);
        if let Ok(c) = serde_json::from_str::<Coordinates>(&body) {
            prop_assert!(c.latitude.abs() <= 90.0 && c.longitude.abs() <= 180.0);
        }
    }
}
