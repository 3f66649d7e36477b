//! What a notification says: its title and body in Chinese and English, built from its
//! parameters by pure functions. Texts name things (the enterprise, the qualification, the
//! period, the position); the ids a notice keeps in its parameters are for links, never
//! shown. The SMS notice and the WeChat subscription message say the same in fewer words.

use serde_json::Value;

use crate::platform::config::{Profile, Settings};
use crate::platform::error::Lang;
use crate::platform::wechat::subscribe::{self, Template};

/// Who a kind of notice goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The person's inbox (and WeChat, when a template is configured).
    Person,
    /// The enterprise contact, by SMS.
    Enterprise,
    /// Either.
    Both,
}

/// Every kind of notice: audience, Chinese title and body, English title and body; `{key}`
/// stands for the parameter `key`.
const KINDS: &[(&str, Audience, &str, &str, &str, &str)] = &[
    (
        "employment.requested",
        Audience::Person,
        "聘用确认请求",
        "{enterprise}请您确认聘用为{position}",
        "Employment request",
        "{enterprise} asks you to confirm your employment as {position}",
    ),
    (
        "employment.withdrawn",
        Audience::Person,
        "聘用请求已撤回",
        "{enterprise}撤回了聘用您为{position}的请求",
        "Employment request withdrawn",
        "{enterprise} withdrew its request to employ you as {position}",
    ),
    (
        "employment.ended",
        Audience::Both,
        "聘用关系已解除",
        "{enterprise}（{position}）：{reason}",
        "Employment ended",
        "{enterprise} ({position}): {reason}",
    ),
    (
        "employment.accepted",
        Audience::Enterprise,
        "聘用请求已确认",
        "{position}",
        "Employment confirmed",
        "{position}",
    ),
    (
        "employment.refused",
        Audience::Enterprise,
        "聘用请求被拒绝",
        "{position}",
        "Employment refused",
        "{position}",
    ),
    (
        "enterprise.contact_changed",
        Audience::Enterprise,
        "您已成为企业资质核查联系人",
        "{enterprise}（{credit_code}）",
        "You are now the verification contact",
        "{enterprise} ({credit_code})",
    ),
    (
        "verification.task_opened",
        Audience::Enterprise,
        "资质动态核查任务",
        "{enterprise}{qualification}：请于{start_deadline}前选定打卡人员",
        "Qualification verification",
        "{enterprise} {qualification}: select the people to check in by {start_deadline}",
    ),
    (
        "verification.check_in_open",
        Audience::Person,
        "资质核查打卡",
        "{enterprise}{qualification}：请于{window_end}前完成打卡",
        "Verification check-in",
        "{enterprise} {qualification}: check in by {window_end}",
    ),
    (
        "verification.check_in_voided",
        Audience::Person,
        "打卡记录已作废",
        "{enterprise}{qualification}：{opinion}",
        "Check-in voided",
        "{enterprise} {qualification}: {opinion}",
    ),
    (
        "verification.approved",
        Audience::Enterprise,
        "打卡人员审核通过",
        "{qualification}：打卡截止{window_end}",
        "Check-in personnel approved",
        "{qualification}: check in by {window_end}",
    ),
    (
        "verification.rejected",
        Audience::Enterprise,
        "打卡人员审核未通过",
        "{qualification}：{opinion}",
        "Check-in personnel rejected",
        "{qualification}: {opinion}",
    ),
    (
        "verification.passed",
        Audience::Enterprise,
        "资质动态核查已通过",
        "{enterprise}{qualification}",
        "Qualification verification passed",
        "{enterprise} {qualification}",
    ),
    (
        "verification.lapsed",
        Audience::Enterprise,
        "资质动态核查未完成，资质失效",
        "{qualification}：{reasons}",
        "Verification not completed: the qualification lapses",
        "{qualification}: {reasons}",
    ),
    (
        "verification.rectification",
        Audience::Enterprise,
        "责令整改通知书",
        "{qualification}：{reasons}，整改期限{deadline}",
        "Rectification notice",
        "{qualification}: {reasons}; rectify by {deadline}",
    ),
    (
        "verification.withdrawn",
        Audience::Enterprise,
        "资质动态核查再次未通过，资质拟撤回",
        "{qualification}：{reasons}",
        "Verification failed again: the qualification is to be withdrawn",
        "{qualification}: {reasons}",
    ),
    (
        "verification.appeal_granted",
        Audience::Enterprise,
        "打卡申诉已采纳",
        "{qualification}：{opinion}",
        "Check-in appeal granted",
        "{qualification}: {opinion}",
    ),
    (
        "verification.appeal_dismissed",
        Audience::Enterprise,
        "打卡申诉未被采纳",
        "{qualification}：{opinion}",
        "Check-in appeal dismissed",
        "{qualification}: {opinion}",
    ),
    (
        "assessment.approved",
        Audience::Enterprise,
        "考核自评审核通过",
        "{assessment}（{period}）：{opinion}",
        "Self-assessment approved",
        "{assessment} ({period}): {opinion}",
    ),
    (
        "assessment.returned",
        Audience::Enterprise,
        "考核自评被退回，请修改后重新提交",
        "{assessment}（{period}）第 {items} 项：{opinion}",
        "Self-assessment returned: revise and resubmit",
        "{assessment} ({period}), items {items}: {opinion}",
    ),
    (
        "assessment.rectification",
        Audience::Enterprise,
        "考核结果为基本合格或不合格，请上传整改材料后重新提交",
        "{assessment}（{period}）：{opinion}",
        "Assessment not fully qualified: upload rectification documents and resubmit",
        "{assessment} ({period}): {opinion}",
    ),
    (
        "application.to_confirm",
        Audience::Enterprise,
        "证书业务待确认",
        "{holder}申请{service}，请登录确认",
        "Certificate application to confirm",
        "{holder} applied for {service}; sign in to confirm",
    ),
    (
        "application.awaiting_enterprise",
        Audience::Person,
        "办件已提交",
        "{service}：待企业确认",
        "Application submitted",
        "{service}: awaiting the enterprise's confirmation",
    ),
    (
        "application.awaiting_district",
        Audience::Person,
        "办件进度",
        "{service}：待区（市）主管部门审核",
        "Application progress",
        "{service}: awaiting review by the district authority",
    ),
    (
        "application.awaiting_city",
        Audience::Person,
        "办件进度",
        "{service}：待市主管部门审批",
        "Application progress",
        "{service}: awaiting approval by the city authority",
    ),
    (
        "application.approved",
        Audience::Both,
        "办件已办结",
        "{service}已办结：{subject}",
        "Application approved",
        "{service} approved: {subject}",
    ),
    (
        "application.refused",
        Audience::Both,
        "办件未通过",
        "{service}：{opinion}",
        "Application refused",
        "{service}: {opinion}",
    ),
    (
        "exam.registration_approved",
        Audience::Both,
        "考试报名审核通过",
        "{person}：{exam}，考试日期{exam_on}",
        "Exam registration approved",
        "{person}: {exam}, exam on {exam_on}",
    ),
    (
        "exam.registration_rejected",
        Audience::Both,
        "考试报名未通过审核",
        "{person}：{exam}，{opinion}",
        "Exam registration rejected",
        "{person}: {exam}, {opinion}",
    ),
    (
        "exam.outcome",
        Audience::Person,
        "考试结果",
        "{exam}：{outcome}",
        "Exam result",
        "{exam}: {outcome}",
    ),
    (
        "people.registration_approved",
        Audience::Person,
        "实名登记审核通过",
        "您的实名登记已通过人工审核",
        "Registration approved",
        "Your registration passed the manual review",
    ),
    (
        "people.registration_refused",
        Audience::Person,
        "实名登记审核未通过",
        "{reason}",
        "Registration refused",
        "{reason}",
    ),
];

/// A rendered notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub title: String,
    pub body: String,
}

fn param(params: &Value, key: &str) -> String {
    match params.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `pattern` with each `{key}` replaced by the parameter (empty when missing).
fn fill(pattern: &str, params: &Value) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else { break };
        out.push_str(&param(params, &rest[start + 1..start + end]));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The parameter keys a kind's texts use.
fn keys_of(kind: &str) -> Vec<&'static str> {
    let Some((_, _, _, zh, _, _)) = KINDS.iter().find(|k| k.0 == kind) else {
        return Vec::new();
    };
    zh.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(k, _)| k))
        .collect()
}

/// The title and body of a notice of `kind` in `lang`.
pub fn render(kind: &str, params: &Value, lang: Lang) -> Text {
    match (KINDS.iter().find(|k| k.0 == kind), lang) {
        (Some((_, _, title, body, _, _)), Lang::Zh) | (Some((_, _, _, _, title, body)), Lang::En) => Text {
            title: (*title).to_owned(),
            body: fill(body, params),
        },
        (None, Lang::Zh) => Text {
            title: "通知".into(),
            body: String::new(),
        },
        (None, Lang::En) => Text {
            title: "Notice".into(),
            body: String::new(),
        },
    }
}

/// The two parameters of the SMS notice: what happened, and its detail (in Chinese).
pub fn sms_params(kind: &str, params: &Value) -> [String; 2] {
    let text = render(kind, params, Lang::Zh);
    [text.title, text.body]
}

/// The data of a WeChat subscription message for a notice: each key's source (`title`,
/// `body`, `time` — when the notice was written — or a parameter) fitted to the key's limits.
pub fn wechat_data(template: &Template, kind: &str, params: &Value, created_at: i64) -> Vec<(String, String)> {
    let text = render(kind, params, Lang::Zh);
    template
        .fields
        .iter()
        .map(|(key, source)| {
            let value = match source.as_str() {
                "title" => text.title.clone(),
                "body" => text.body.clone(),
                "time" => subscribe::time_value(created_at),
                other => param(params, other),
            };
            (key.clone(), subscribe::fit(key, &value))
        })
        .collect()
}

/// The configured subscription templates, checked: each for a kind persons receive, each
/// source one the kind has. On the development profile without `wechat.app_id` nothing is
/// sent, so there are none.
pub fn templates(settings: &Settings) -> anyhow::Result<Vec<Template>> {
    let templates = subscribe::parse_templates(&settings.wechat.subscribe_templates)
        .map_err(|e| anyhow::anyhow!("wechat.subscribe_templates: {e}"))?;
    for t in &templates {
        let Some((_, audience, ..)) = KINDS.iter().find(|k| k.0 == t.kind) else {
            anyhow::bail!("wechat.subscribe_templates: {} is not a kind of notification", t.kind);
        };
        if *audience == Audience::Enterprise {
            anyhow::bail!(
                "wechat.subscribe_templates: {} goes to enterprises, not persons",
                t.kind
            );
        }
        let keys = keys_of(&t.kind);
        for (key, source) in &t.fields {
            if !["title", "body", "time"].contains(&source.as_str()) && !keys.contains(&source.as_str()) {
                anyhow::bail!(
                    "wechat.subscribe_templates: {key}={source}: {} has no {source} (title, body, time{})",
                    t.kind,
                    keys.iter().map(|k| format!(", {k}")).collect::<String>()
                );
            }
        }
    }
    if settings.profile == Profile::Development && settings.wechat.app_id.is_empty() {
        if !templates.is_empty() {
            tracing::warn!("wechat.app_id is not set: no subscription messages are sent");
        }
        return Ok(Vec::new());
    }
    Ok(templates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Parameters with a value for every key any text uses, and ids that must not show.
    fn full_params() -> Value {
        let mut params = json!({
            "task_id": "0193a5b2-7c1d-7e00-8000-0123456789ab",
            "request_id": "0193a5b2-7c1d-7e00-8000-0123456789ac",
            "assessment_id": "0193a5b2-7c1d-7e00-8000-0123456789ad",
        });
        for (kind, ..) in KINDS {
            for key in keys_of(kind) {
                params[key] = json!(format!("<{key}>"));
            }
        }
        params
    }

    #[test]
    fn every_text_is_filled_and_shows_no_id() {
        let params = full_params();
        for (kind, ..) in KINDS {
            for lang in [Lang::Zh, Lang::En] {
                let text = render(kind, &params, lang);
                let all = format!("{}{}", text.title, text.body);
                assert!(!text.title.is_empty(), "{kind}");
                assert!(!all.contains('{') && !all.contains('}'), "{kind}: {all}");
                assert!(!all.contains("0193a5b2"), "{kind} shows an id: {all}");
            }
            let en = render(kind, &params, Lang::En);
            assert!(en.title.is_ascii(), "{kind} has an English title");
            // The English body uses the same parameters as the Chinese one.
            for key in keys_of(kind) {
                assert!(en.body.contains(&format!("<{key}>")), "{kind} en lacks {key}");
            }
        }
    }

    #[test]
    fn texts_name_the_enterprise_and_qualification() {
        let params = json!({"task_id": "t-1", "enterprise": "闽建集团", "qualification": "建筑工程施工总承包一级"});
        let text = render("verification.passed", &params, Lang::Zh);
        assert_eq!(text.title, "资质动态核查已通过");
        assert_eq!(text.body, "闽建集团建筑工程施工总承包一级");
        assert_eq!(sms_params("verification.passed", &params)[1], text.body);
        let returned =
            json!({"assessment": "安全生产总监专项考核", "period": "2026", "items": "3", "opinion": "审核完毕"});
        assert_eq!(
            sms_params("assessment.returned", &returned)[1],
            "安全生产总监专项考核（2026）第 3 项：审核完毕"
        );
    }

    #[test]
    fn wechat_data_takes_its_sources_within_limits() {
        let template =
            Template::parse("employment.requested TPL thing1=enterprise thing2=title phrase3=position time4=time")
                .unwrap();
        let params = json!({"enterprise": "福建省某某市建筑工程集团股份有限公司第三分公司", "position": "项目负责人"});
        let data = wechat_data(&template, "employment.requested", &params, 1_796_127_300_000);
        assert_eq!(data[0].1.chars().count(), 20);
        assert_eq!(data[1], ("thing2".into(), "聘用确认请求".into()));
        assert_eq!(data[2], ("phrase3".into(), "项目负责人".into()));
        assert_eq!(data[3], ("time4".into(), "2026年12月1日 20:15".into()));
    }

    #[test]
    fn templates_are_checked_against_the_kinds() {
        let mut settings = Settings::default();
        settings.wechat.app_id = "wx1".into();
        settings.wechat.subscribe_templates = vec!["employment.requested T thing1=enterprise time2=time".into()];
        assert_eq!(templates(&settings).unwrap().len(), 1);
        settings.wechat.subscribe_templates = vec!["employment.requested T thing1=credit_code".into()];
        assert!(templates(&settings).is_err(), "a source the kind lacks");
        settings.wechat.subscribe_templates = vec!["verification.passed T thing1=title".into()];
        assert!(templates(&settings).is_err(), "an enterprise's kind");
        settings.wechat.subscribe_templates = vec!["no.such T thing1=title".into()];
        assert!(templates(&settings).is_err());
        settings.wechat.app_id = String::new();
        settings.wechat.subscribe_templates = vec!["employment.requested T thing1=title".into()];
        assert!(
            templates(&settings).unwrap().is_empty(),
            "development without WeChat sends none"
        );
    }
}
