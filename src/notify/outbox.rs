//! The notification outbox: a notification is a row written next to the change it reports;
//! inbox messages are readable at once in the person's mini-program inbox, SMS messages are
//! sent by `deliver_due` with retries, each attempt recorded.

use serde_json::Value;

use super::store::{self, NewNotification};
use crate::platform::db::Executor;
use crate::platform::ids::{EnterpriseId, PersonId};

/// Who a notification is for.
pub enum Recipient<'a> {
    /// A person's mini-program inbox.
    PersonInbox(&'a PersonId),
    /// An enterprise's contact, by SMS.
    EnterpriseContact(&'a EnterpriseId),
}

/// Adds a notification; `db` is the act's transaction (`&mut *tx`), so it commits with the
/// change it reports.
pub async fn enqueue(
    db: impl Executor<'_>,
    recipient: Recipient<'_>,
    kind: &str,
    params: Value,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (channel, recipient_kind, recipient_id, state) = match recipient {
        Recipient::PersonInbox(id) => ("inbox", "person", id.as_str(), "delivered"),
        Recipient::EnterpriseContact(id) => ("sms", "enterprise", id.as_str(), "pending"),
    };
    let row = NewNotification {
        channel,
        recipient_kind,
        recipient_id,
        kind,
        params: params.to_string(),
        state,
    };
    store::insert(db, &row, now).await
}

use crate::platform::sms::{SmsMessage, SmsTemplate};
use crate::platform::types::Phone;
use crate::state::AppState;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
    /// Another instance holds the lease.
    pub skipped: bool,
}

const LEASE: &str = "notifications.deliver";

/// Delay before retry `attempt` (1-based): 30 s, doubling, at most an hour.
pub fn retry_delay_ms(attempt: i64) -> i64 {
    (30_000i64 << (attempt - 1).clamp(0, 7)).min(3_600_000)
}

/// The two SMS parameters of a notice: what happened, and its detail.
fn sms_params(kind: &str, params: &Value) -> [String; 2] {
    let text = |key: &str| params.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    match kind {
        "employment.accepted" => ["聘用请求已确认".into(), text("position")],
        "employment.refused" => ["聘用请求被拒绝".into(), text("position")],
        "employment.ended" => ["聘用关系已解除".into(), text("reason")],
        "enterprise.contact_changed" => ["您已成为企业资质核查联系人".into(), text("credit_code")],
        "verification.task_opened" => ["资质动态核查任务".into(), text("start_deadline")],
        "verification.approved" => ["打卡人员审核通过".into(), text("window_end")],
        "verification.rejected" => ["打卡人员审核未通过".into(), text("opinion")],
        "verification.passed" => ["资质动态核查已通过".into(), text("task_id")],
        "verification.lapsed" => ["资质动态核查未完成，资质失效".into(), text("reasons")],
        "verification.rectification" => ["责令整改通知书".into(), text("deadline")],
        "verification.appeal_granted" => ["打卡申诉已采纳".into(), text("opinion")],
        "verification.appeal_dismissed" => ["打卡申诉未被采纳".into(), text("opinion")],
        "verification.withdrawn" => ["资质动态核查再次未通过，资质拟撤回".into(), text("reasons")],
        "assessment.approved" => ["考核自评审核通过".into(), text("opinion")],
        "assessment.returned" => [
            "考核自评被退回，请修改后重新提交".into(),
            format!("第 {} 项：{}", text("items"), text("opinion")),
        ],
        "assessment.rectification" => [
            "考核结果为基本合格或不合格，请上传整改材料后重新提交".into(),
            text("opinion"),
        ],
        other => [other.to_owned(), String::new()],
    }
}

/// How long a claimed notice stays with the instance sending it: far longer than a send can
/// take (the SMS client gives up after 10 s), so a claim never runs out mid-send; a notice
/// whose instance died is due again after it.
const CLAIM_MS: i64 = 5 * 60 * 1000;

/// Sends the SMS notices that are due; each attempt is recorded. Runs under a lease, renewed
/// before each notice (the batch stops when another instance took it), and each notice is
/// claimed on its own (compare-and-set) right before it is sent, so two instances never send
/// the same notice.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<DeliveryReport> {
    let lease_ms = (state.settings.sms.deliver_interval_secs.max(10) * 3 * 1000) as i64;
    let holds_lease =
        || crate::platform::jobs::acquire(&state.db, LEASE, &state.instance_id, state.clock.now_ms(), lease_ms);
    if !holds_lease().await? {
        return Ok(DeliveryReport {
            skipped: true,
            ..Default::default()
        });
    }
    let mut report = DeliveryReport::default();
    for (i, due) in store::due_sms(&state.db, state.clock.now_ms())
        .await?
        .into_iter()
        .enumerate()
    {
        if i > 0 && !holds_lease().await? {
            tracing::info!("the notification lease passed to another instance; stopping this batch");
            break;
        }
        if !store::claim(&state.db, &due, state.clock.now_ms() + CLAIM_MS).await? {
            continue;
        }
        let params: Value = serde_json::from_str(&due.params).unwrap_or(Value::Null);
        let phone = crate::enterprises::open_phone(&state.keys, &due.enterprise_id, &due.contact_phone);
        let sent = match Phone::parse(&phone) {
            Ok(phone) => {
                let message = SmsMessage {
                    phone,
                    template: SmsTemplate::Notice,
                    params: sms_params(&due.kind, &params).to_vec(),
                };
                state.sms.send(&message).await.map_err(|e| e.to_string())
            }
            Err(_) => Err("the contact phone is not a mobile number".to_owned()),
        };
        let attempt = due.attempts + 1;
        let now = state.clock.now_ms();
        match sent {
            Ok(()) => {
                store::delivered(&state.db, &due.id, attempt, now).await?;
                report.delivered += 1;
            }
            Err(error) => {
                let give_up = attempt >= state.settings.sms.max_attempts;
                let next = now + retry_delay_ms(attempt);
                store::attempt_failed(&state.db, &due.id, attempt, give_up, next, &error).await?;
                if give_up {
                    report.failed += 1;
                } else {
                    report.retried += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Runs `deliver_due` every `sms.deliver_interval_secs` until the process ends.
pub async fn run(state: AppState) {
    let interval = state.settings.sms.deliver_interval_secs;
    if interval == 0 {
        return;
    }
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
        if let Err(error) = deliver_due(&state).await {
            tracing::warn!(%error, "delivering notifications failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay_ms(1), 30_000);
        assert_eq!(retry_delay_ms(2), 60_000);
        assert_eq!(retry_delay_ms(5), 480_000);
        assert_eq!(retry_delay_ms(8), 3_600_000);
        assert_eq!(retry_delay_ms(20), 3_600_000);
    }
}
