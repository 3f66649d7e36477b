//! The notification outbox: a notification is a row written next to the change it reports;
//! inbox messages are readable at once in the person's mini-program inbox, SMS messages (to
//! enterprise contacts) and WeChat subscription messages (to persons, a copy of their inbox
//! notice when a template is configured for its kind) are sent by `deliver_due` with
//! retries, each attempt recorded.

use crate::platform::observe::JobPass;
use serde_json::Value;

use super::store::{self, NewNotification};
use super::texts;
use crate::platform::db::Conn;
use crate::platform::ids::{EnterpriseId, PersonId};
use crate::platform::sms::{SmsMessage, SmsTemplate};
use crate::platform::types::Phone;
use crate::platform::wechat::subscribe::{self, Message, REFUSED_BY_PERSON};
use crate::platform::wechat::WechatError;
use crate::state::AppState;

/// Who a notification is for.
pub enum Recipient<'a> {
    /// A person's mini-program inbox (and WeChat, when a template is configured).
    PersonInbox(&'a PersonId),
    /// An enterprise's contact, by SMS.
    EnterpriseContact(&'a EnterpriseId),
}

/// Adds a notification; `db` is the act's transaction (`&mut *tx`), so it commits with the
/// change it reports. A person's notice gets its WeChat copy in the same transaction when a
/// template is installed for its kind.
pub async fn enqueue(
    db: &mut Conn,
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
    let id = store::insert(&mut *db, &row, now).await?;
    if recipient_kind == "person" {
        store::insert_wechat_copy(&mut *db, &id, now).await?;
    }
    Ok(())
}

/// Installs the configured templates' kinds, so that `enqueue` writes WeChat copies of
/// exactly those kinds. Run at start, before serving.
pub async fn install_templates(state: &AppState) -> anyhow::Result<()> {
    let mut tx = crate::platform::db::begin_write(&state.db, state.engine).await?;
    let kinds: Vec<(&str, &str)> = state
        .subscribe_templates
        .iter()
        .map(|t| (t.kind.as_str(), t.template_id.as_str()))
        .collect();
    store::install_templates(&mut tx, &kinds, state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

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

/// How long a claimed notice stays with the instance sending it: far longer than a send can
/// take (the SMS client gives up after 10 s), so a claim never runs out mid-send; a notice
/// whose instance died is due again after it.
pub const CLAIM_MS: i64 = 5 * 60 * 1000;

/// Why an attempt failed, and whether trying again could help.
struct Failure {
    error: String,
    /// No retry: the person refused WeChat messages (43101), or the notice cannot be sent.
    permanent: bool,
}

impl Failure {
    fn retry(error: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            permanent: false,
        }
    }

    fn permanent(error: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            permanent: true,
        }
    }
}

/// Sends an SMS notice to its enterprise's contact.
async fn send_sms(state: &AppState, due: &store::Due, params: &Value) -> Result<(), Failure> {
    let sealed = due.contact_phone.as_deref().unwrap_or_default();
    let phone = crate::enterprises::open_phone(&state.keys, &EnterpriseId::from(due.recipient_id.as_str()), sealed);
    let Ok(phone) = Phone::parse(&phone) else {
        return Err(Failure::retry("the contact phone is not a mobile number"));
    };
    let message = SmsMessage {
        phone,
        template: SmsTemplate::Notice,
        params: texts::sms_params(&due.kind, params).to_vec(),
    };
    state
        .sms
        .send(&message)
        .await
        .map_err(|e| Failure::retry(e.to_string()))
}

/// Sends a WeChat subscription message copying a person's inbox notice. WeChat's token errors
/// are handled by the client (a new token, once); 43101 — the person refused, or has no
/// subscription left — is final.
async fn send_wechat(state: &AppState, due: &store::Due, params: &Value) -> Result<(), Failure> {
    let Some(template) = state.subscribe_templates.iter().find(|t| t.kind == due.kind) else {
        return Err(Failure::permanent(
            "no subscription template is configured for this kind",
        ));
    };
    let Some(openid) = due.openid.as_deref().filter(|o| !o.is_empty()) else {
        return Err(Failure::permanent("the person has no openid"));
    };
    let w = &state.settings.wechat;
    let page = format!("{}?id={}", w.subscribe_page, due.copy_of.as_deref().unwrap_or_default());
    let message = Message {
        touser: openid,
        template_id: &template.template_id,
        page: &page,
        data: texts::wechat_data(template, &due.kind, params, due.created_at),
        miniprogram_state: &w.miniprogram_state,
    };
    subscribe::send(&state.wechat_client, &message)
        .await
        .map_err(wechat_failure)
}

/// Whether a WeChat failure is worth another attempt: not when the person refused (43101) or
/// WeChat is not configured; yes when WeChat was unavailable or refused for another reason
/// (the client has already fetched a new token once for a token error).
fn wechat_failure(error: WechatError) -> Failure {
    match error {
        WechatError::Refused { errcode, errmsg } if errcode == REFUSED_BY_PERSON => Failure::permanent(format!(
            "errcode {errcode}: the person refused or has no subscription left ({errmsg})"
        )),
        WechatError::NotConfigured => Failure::permanent(WechatError::NotConfigured.to_string()),
        other => Failure::retry(other.to_string()),
    }
}

/// Sends the SMS and WeChat notices that are due; each attempt is recorded. Runs under a
/// lease, renewed before each notice (the batch stops when another instance took it), and each
/// notice is claimed on its own (compare-and-set) right before it is sent, so two instances
/// never send the same notice. A failed attempt is retried with backoff up to
/// `sms.max_attempts`, unless it can never succeed.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<DeliveryReport> {
    let lease_ms = (state.settings.sms.deliver_interval_secs.max(10) * 3 * 1000) as i64;
    let holds_lease =
        || crate::platform::jobs::acquire(&state.db, LEASE, &state.instance_id, state.clock.now_ms(), lease_ms);
    if !holds_lease().await? {
        state.metrics.job_pass(LEASE, JobPass::Skipped);
        return Ok(DeliveryReport {
            skipped: true,
            ..Default::default()
        });
    }
    let mut report = DeliveryReport::default();
    for (i, due) in store::due(&state.db, state.clock.now_ms())
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
        let sent = match due.channel.as_str() {
            "wechat" => send_wechat(state, &due, &params).await,
            _ => send_sms(state, &due, &params).await,
        };
        let attempt = due.attempts + 1;
        let now = state.clock.now_ms();
        match sent {
            Ok(()) => {
                store::delivered(&state.db, &due.id, attempt, now).await?;
                report.delivered += 1;
            }
            Err(failure) => {
                let give_up = failure.permanent || attempt >= state.settings.sms.max_attempts;
                let next = now + retry_delay_ms(attempt);
                store::attempt_failed(&state.db, &due.id, attempt, give_up, next, &failure.error).await?;
                if give_up {
                    report.failed += 1;
                } else {
                    report.retried += 1;
                }
            }
        }
    }
    let items = (report.delivered + report.retried + report.failed) as u64;
    state.metrics.job_pass(LEASE, JobPass::Worked { items });
    Ok(report)
}

/// What waits to be sent: how many notifications, and how long (seconds) the one due longest
/// ago has waited (0 when none is overdue), for the metrics.
pub async fn backlog(state: &AppState) -> Result<(i64, f64), sqlx::Error> {
    let (pending, oldest_due) = store::backlog(&state.db).await?;
    let waited_ms = oldest_due.map_or(0, |due| (state.clock.now_ms() - due).max(0));
    Ok((pending, waited_ms as f64 / 1000.0))
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
            state.metrics.job_pass(LEASE, JobPass::Failed);
            tracing::warn!(%error, "delivering notifications failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_by_the_person_or_no_configuration_is_final() {
        let refused = |errcode| WechatError::Refused {
            errcode,
            errmsg: "x".into(),
        };
        let refusal = wechat_failure(refused(43101));
        assert!(refusal.permanent && refusal.error.contains("43101"));
        assert!(wechat_failure(WechatError::NotConfigured).permanent);
        assert!(!wechat_failure(refused(47003)).permanent);
        assert!(
            !wechat_failure(refused(40001)).permanent,
            "a token refused twice is tried again later"
        );
        assert!(!wechat_failure(WechatError::Unavailable("timeout".into())).permanent);
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay_ms(1), 30_000);
        assert_eq!(retry_delay_ms(2), 60_000);
        assert_eq!(retry_delay_ms(5), 480_000);
        assert_eq!(retry_delay_ms(8), 3_600_000);
        assert_eq!(retry_delay_ms(20), 3_600_000);
    }
}
