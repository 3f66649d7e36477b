//! The one type for human-entered text (names, addresses, opinions, reasons, usernames…):
//! no NUL or other control characters (a multi-line field may hold line breaks and tabs),
//! trimmed, not empty once invisible characters are removed, at most `MAX` characters.

use serde::{Deserialize, Deserializer};

use super::{InvalidValue, TEXT_CONTROL_CHARACTER, TEXT_EMPTY, TEXT_TOO_LONG};

/// `Text<500, MULTILINE>` for a field that may span lines.
pub const MULTILINE: bool = true;

/// Human-entered text, checked on parse; single-line unless `LINES` is `MULTILINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<const MAX: usize = 100, const LINES: bool = false>(String);

/// Characters that show nothing: zero-width spaces and joiners, soft hyphens, direction marks,
/// fillers and tags. A text made only of these (and spaces) is empty.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

impl<const MAX: usize, const LINES: bool> Text<MAX, LINES> {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let text = raw.trim_matches(is_invisible);
        let allowed = |c: char| LINES && matches!(c, '\n' | '\r' | '\t');
        if text.chars().any(|c| c.is_control() && !allowed(c)) {
            Err(TEXT_CONTROL_CHARACTER)
        } else if text.is_empty() {
            Err(TEXT_EMPTY)
        } else if text.chars().count() > MAX {
            Err(TEXT_TOO_LONG)
        } else {
            // Line breaks become `\n`, a lone `\r` too, so a text parses again to itself.
            Ok(Text(text.replace("\r\n", "\n").replace('\r', "\n")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de, const MAX: usize, const LINES: bool> Deserialize<'de> for Text<MAX, LINES> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Text::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// For an optional text field: absent, `null` or blank (only spaces and invisible characters)
/// is `None`; anything else must be a valid `Text`. Use with
/// `#[serde(default, deserialize_with = "blank_as_none")]`.
pub fn blank_as_none<'de, D: Deserializer<'de>, const MAX: usize, const LINES: bool>(
    d: D,
) -> Result<Option<Text<MAX, LINES>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(raw) if !raw.chars().all(is_invisible) => Text::parse(&raw).map(Some).map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

/// A name as shown before its person agreed to be known: the first character, then one `*` for
/// each further one (张三丰 → 张**).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        std::iter::once(first).chain(chars.map(|_| '*')).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<const MAX: usize, const LINES: bool>(raw: &str) -> &'static str {
        match Text::<MAX, LINES>::parse(raw) {
            Ok(_) => "ok",
            Err(e) => e.code,
        }
    }

    #[test]
    fn names_are_masked() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("张"), "张");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn texts() {
        assert_eq!(code::<5, false>("  "), "text.empty");
        assert_eq!(code::<5, false>("张三李四王五"), "text.too_long");
        assert_eq!(Text::<5>::parse(" 张三 ").unwrap().as_str(), "张三");
        assert_eq!(code::<5, false>("\u{200B}\u{200B} \u{FEFF}"), "text.empty");
        assert_eq!(code::<5, false>("张\u{0}三"), "text.control_character");
        assert_eq!(code::<5, false>("张\u{7}三"), "text.control_character");
        assert_eq!(code::<5, false>("张\n三"), "text.control_character");
        assert_eq!(code::<5, false>("张\u{85}三"), "text.control_character");
        assert_eq!(code::<5, MULTILINE>("张\n三"), "ok");
        assert_eq!(code::<5, MULTILINE>("张\u{0}三"), "text.control_character");
        assert_eq!(Text::<5, MULTILINE>::parse("a\r\nb").unwrap().as_str(), "a\nb");
        // Found by the property test: a lone CR survived, and "a\r\r\nb" parsed to "a\r\nb".
        assert_eq!(Text::<5, MULTILINE>::parse("a\rb").unwrap().as_str(), "a\nb");
        assert_eq!(Text::<5, MULTILINE>::parse("a\r\r\nb").unwrap().as_str(), "a\n\nb");
        assert_eq!(Text::<5>::parse("\u{200B}张三\u{200B}").unwrap().as_str(), "张三");
    }
}
