//! Subscription messages (订阅消息): `POST /cgi-bin/message/subscribe/send`, with
//! `{touser, template_id, page, data: {key: {value}}, miniprogram_state, lang}`, answered
//! `{errcode, errmsg}`. Errcode 43101: the person refused the message or has no subscription
//! left for the template (one `wx.requestSubscribeMessage` consent is one message); asking
//! again does not help, so it is never retried.
//!
//! A template's data keys name their value type (`thing1`, `time2`, `phrase3`…) and WeChat
//! refuses a message (47003) whose value breaks the type's limits, which `fit` keeps:
//! thing ≤ 20 characters; number, letter, character_string ≤ 32 of their kind; symbol ≤ 5;
//! phone_number ≤ 17; car_number ≤ 8; name ≤ 10 (≤ 20 for a name of letters only); phrase
//! ≤ 5 Chinese characters; time and date `2019年10月1日 15:01`. Lengths are characters, not bytes.

use serde_json::{json, Map, Value};

use super::{WechatClient, WechatError};
use crate::platform::clock::{civil_from_days, CHINA_OFFSET_MS};

/// The errcode of a message the person refused or has no subscription for.
pub const REFUSED_BY_PERSON: i64 = 43_101;

/// The value types of template data keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Thing,
    Number,
    Letter,
    Symbol,
    CharacterString,
    Time,
    Date,
    Amount,
    PhoneNumber,
    CarNumber,
    Name,
    Phrase,
}

impl ValueType {
    /// The type a data key names: the key without its trailing digits (`thing12` → thing).
    pub fn of_key(key: &str) -> Option<ValueType> {
        let name = key.trim_end_matches(|c: char| c.is_ascii_digit());
        if name.len() == key.len() {
            return None;
        }
        Some(match name {
            "thing" => ValueType::Thing,
            "number" => ValueType::Number,
            "letter" => ValueType::Letter,
            "symbol" => ValueType::Symbol,
            "character_string" => ValueType::CharacterString,
            "time" => ValueType::Time,
            "date" => ValueType::Date,
            "amount" => ValueType::Amount,
            "phone_number" => ValueType::PhoneNumber,
            "car_number" => ValueType::CarNumber,
            "name" => ValueType::Name,
            "phrase" => ValueType::Phrase,
            _ => return None,
        })
    }
}

/// One configured template: `"<kind> <template id> <key>=<source> …"`, e.g.
/// `"employment.requested AbCd… thing1=enterprise thing2=position time3=time"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The notification kind it carries.
    pub kind: String,
    pub template_id: String,
    /// Data key and where its value comes from, in order.
    pub fields: Vec<(String, String)>,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut words = text.split_whitespace();
        let (Some(kind), Some(template_id)) = (words.next(), words.next()) else {
            return Err(format!(
                "\"{text}\": expected \"<kind> <template id> <key>=<source> …\""
            ));
        };
        let mut fields = Vec::new();
        for word in words {
            let Some((key, source)) = word.split_once('=').filter(|(k, s)| !k.is_empty() && !s.is_empty()) else {
                return Err(format!("\"{text}\": \"{word}\" is not <key>=<source>"));
            };
            if ValueType::of_key(key).is_none() {
                return Err(format!(
                    "\"{text}\": \"{key}\" is not a WeChat data key (thing1, time2, phrase3, character_string4, …)"
                ));
            }
            if fields.iter().any(|(k, _)| k == key) {
                return Err(format!("\"{text}\": \"{key}\" is given twice"));
            }
            fields.push((key.to_owned(), source.to_owned()));
        }
        if fields.is_empty() {
            return Err(format!("\"{text}\": a template takes at least one <key>=<source>"));
        }
        Ok(Template {
            kind: kind.to_owned(),
            template_id: template_id.to_owned(),
            fields,
        })
    }
}

/// The configured templates, each kind at most once.
pub fn parse_templates(texts: &[String]) -> Result<Vec<Template>, String> {
    let mut templates: Vec<Template> = Vec::new();
    for text in texts {
        let template = Template::parse(text)?;
        if templates.iter().any(|t| t.kind == template.kind) {
            return Err(format!("the kind {} has two templates", template.kind));
        }
        templates.push(template);
    }
    Ok(templates)
}

fn take(value: &str, keep: impl Fn(char) -> bool, max: usize) -> String {
    value.chars().filter(|c| keep(*c)).take(max).collect()
}

/// At most `max` characters; a longer text ends in `…` within them.
fn shorten(value: &str, max: usize) -> String {
    if value.chars().count() <= max {
        return value.to_owned();
    }
    let mut short: String = value.chars().take(max - 1).collect();
    short.push('…');
    short
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// `value` within the limits of `key`'s type (see the module documentation); never empty,
/// since WeChat refuses empty values: `-` (or 无 for a phrase) stands for nothing.
pub fn fit(key: &str, value: &str) -> String {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let fitted = match ValueType::of_key(key) {
        Some(ValueType::Thing) | None => shorten(&value, 20),
        Some(ValueType::Number) => take(&value, |c| c.is_ascii_digit() || c == '.', 32),
        Some(ValueType::Letter) => take(&value, |c| c.is_ascii_alphabetic(), 32),
        Some(ValueType::Symbol) => take(&value, |c| c.is_ascii_punctuation(), 5),
        Some(ValueType::CharacterString) => take(&value, |c| c.is_ascii_graphic(), 32),
        Some(ValueType::Time) | Some(ValueType::Date) => shorten(&value, 32),
        Some(ValueType::Amount) => take(&value, |c| !c.is_whitespace(), 12),
        Some(ValueType::PhoneNumber) => take(&value, |c| c.is_ascii_digit() || "+-()".contains(c), 17),
        Some(ValueType::CarNumber) => take(&value, |c| c.is_alphanumeric(), 8),
        Some(ValueType::Name) if value.is_ascii() => take(&value, |c| c != ' ', 20),
        Some(ValueType::Name) => take(&value, |c| c != ' ', 10),
        Some(ValueType::Phrase) => take(&value, is_han, 5),
    };
    match fitted.is_empty() {
        false => fitted,
        true if ValueType::of_key(key) == Some(ValueType::Phrase) => "无".into(),
        true => "-".into(),
    }
}

/// Unix milliseconds as WeChat's time value in China: `2026年12月1日 20:15`.
pub fn time_value(unix_ms: i64) -> String {
    let secs = (unix_ms + CHINA_OFFSET_MS).div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400);
    format!("{y}年{m}月{d}日 {:02}:{:02}", of_day / 3600, of_day % 3600 / 60)
}

/// A subscription message, its data already within the limits (`fit`).
pub struct Message<'a> {
    pub touser: &'a str,
    pub template_id: &'a str,
    /// The mini-program page the message opens (with its query).
    pub page: &'a str,
    pub data: Vec<(String, String)>,
    /// developer | trial | formal
    pub miniprogram_state: &'a str,
}

impl Message<'_> {
    pub fn body(&self) -> Value {
        let data: Map<String, Value> = self
            .data
            .iter()
            .map(|(key, value)| (key.clone(), json!({ "value": value })))
            .collect();
        json!({
            "touser": self.touser,
            "template_id": self.template_id,
            "page": self.page,
            "data": data,
            "miniprogram_state": self.miniprogram_state,
            "lang": "zh_CN",
        })
    }
}

/// `subscribeMessage.send`.
pub async fn send(client: &WechatClient, message: &Message<'_>) -> Result<(), WechatError> {
    client
        .call("/cgi-bin/message/subscribe/send", &message.body())
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_type() {
        assert_eq!(ValueType::of_key("thing1"), Some(ValueType::Thing));
        assert_eq!(
            ValueType::of_key("character_string12"),
            Some(ValueType::CharacterString)
        );
        assert_eq!(ValueType::of_key("phrase3"), Some(ValueType::Phrase));
        assert_eq!(ValueType::of_key("thing"), None, "a key has its number");
        assert_eq!(ValueType::of_key("colour1"), None);
    }

    #[test]
    fn things_are_twenty_characters_not_bytes() {
        let long = "某某市建筑工程集团有限公司第三分公司资质动态核查通过";
        let fitted = fit("thing1", long);
        assert_eq!(fitted.chars().count(), 20);
        assert!(fitted.ends_with('…') && fitted.starts_with("某某市建筑工程"));
        let exactly = "一二三四五六七八九十一二三四五六七八九十";
        assert_eq!(fit("thing2", exactly), exactly, "twenty fit as they are");
        assert_eq!(fit("thing3", "  多  空格\n换行 "), "多 空格 换行");
    }

    #[test]
    fn types_keep_only_their_characters() {
        assert_eq!(fit("phrase1", "审核通过了"), "审核通过了");
        assert_eq!(fit("phrase1", "已通过（复核）ok"), "已通过复核");
        assert_eq!(fit("phrase1", "ok"), "无");
        assert_eq!(fit("number1", "共 12.5 分"), "12.5");
        assert_eq!(fit("character_string1", &"A-1 ".repeat(20)).chars().count(), 32);
        assert_eq!(fit("character_string1", "证书编号：ZJ-2026"), "ZJ-2026");
        assert_eq!(fit("name1", "欧阳张三李四王五赵六钱七"), "欧阳张三李四王五赵六");
        assert_eq!(fit("name1", "Alexander Hamilton Jr"), "AlexanderHamiltonJr");
        assert_eq!(fit("symbol1", "!!!???"), "!!!??");
        assert_eq!(fit("phone_number1", "+86 0766-66888866 转 12"), "+860766-668888661");
        assert_eq!(fit("thing1", ""), "-", "never empty");
    }

    #[test]
    fn times_read_as_wechat_shows_them() {
        // 2026-12-01 12:15 UTC is 20:15 in China.
        assert_eq!(time_value(1_796_127_300_000), "2026年12月1日 20:15");
    }

    #[test]
    fn templates_parse_and_refuse_mistakes() {
        let t = Template::parse("employment.requested TPL-1 thing1=enterprise thing2=position time3=time").unwrap();
        assert_eq!(t.kind, "employment.requested");
        assert_eq!(t.template_id, "TPL-1");
        assert_eq!(t.fields[2], ("time3".into(), "time".into()));
        assert!(Template::parse("employment.requested").is_err());
        assert!(Template::parse("employment.requested TPL").is_err());
        assert!(Template::parse("k TPL thing=enterprise").is_err());
        assert!(Template::parse("k TPL thing1enterprise").is_err());
        assert!(Template::parse("k TPL thing1=a thing1=b").is_err());
        assert!(parse_templates(&["k T thing1=a".into(), "k U thing1=b".into()]).is_err());
    }
}
