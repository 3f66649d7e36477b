//! What an approved application does, in the transaction of its approval: the certificate
//! changes through `certificates::changes`, each change with its track event naming the
//! application. Facts that may have moved since it was applied for are checked again.

use super::kinds::ApplicationKind;
use super::store::ApplicationRow;
use crate::certificates::changes::{self, Actor, ChangeError, Issue};
use crate::certificates::kinds::{Kind, Origin};
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::types::Date;
use crate::state::AppState;

fn refused_by(error: ChangeError) -> ApiError {
    match error {
        ChangeError::NotStanding => ApiError::conflict(
            "application.certificate_not_standing",
            "证书已注销或已被替换，不能办结，请退回该办件",
            "The certificate is cancelled or replaced; refuse the application",
        ),
        ChangeError::NumberTaken => ApiError::conflict(
            "application.number_on_record",
            "该证书编号已有记录，不能办结，请退回该办件",
            "A certificate with this number is on record; refuse the application",
        ),
        ChangeError::Db(e) => e.into(),
    }
}

fn employment_changed() -> ApiError {
    ApiError::conflict(
        "application.employment_changed",
        "申请人已不在该企业任职，不能办结，请退回该办件",
        "The applicant is no longer employed by this enterprise; refuse the application",
    )
}

fn unreadable() -> ApiError {
    ApiError::internal("an application's data does not read back")
}

/// Carries out an approved application.
pub async fn carry_out(
    conn: &mut Conn,
    state: &AppState,
    app: &ApplicationRow,
    actor: &Actor<'_>,
    now: i64,
) -> ApiResult<()> {
    let detail = app.detail();
    let enterprise = crate::enterprises::get(&mut *conn, &app.enterprise_id, &crate::auth::Bounds::City)
        .await?
        .ok_or_else(unreadable)?;
    if let Some(person) = &app.person_id {
        if crate::employment::employer_of(&mut *conn, person).await?.as_ref() != Some(&app.enterprise_id) {
            return Err(employment_changed());
        }
    }
    let certificate = match &app.certificate_id {
        Some(id) => Some(changes::snapshot(&mut *conn, id).await?.ok_or_else(unreadable)?),
        None => None,
    };
    let done = match (app.kind, &certificate) {
        (ApplicationKind::EmployerChange, Some(c)) => {
            changes::move_to_enterprise(conn, c, &enterprise.credit_code, &enterprise.name, actor, now).await
        }
        (ApplicationKind::Cancellation, Some(c)) => {
            let reason = detail.reason.map_or("", |r| r.label());
            changes::cancel(conn, &c.id, reason, actor, now).await
        }
        (ApplicationKind::Renewal, Some(c)) => changes::renew(conn, c, actor, now).await.map(|_| ()),
        (ApplicationKind::Correction, Some(c)) => {
            let correction = detail.correction.clone().ok_or_else(unreadable)?;
            changes::correct(conn, c, &correction, actor, now).await
        }
        (ApplicationKind::Supplement | ApplicationKind::Issue, None) => {
            issue(conn, state, app, &enterprise, actor, now).await?;
            Ok(())
        }
        (ApplicationKind::NameChange, None) => {
            changes::rename_enterprise(conn, &enterprise.credit_code, &enterprise.name, actor, now)
                .await
                .map(|_| ())
        }
        _ => return Err(unreadable()),
    };
    done.map_err(refused_by)
}

/// A supplement's paper certificate entered as it was printed, or an exam's new certificate
/// valid from today for the kind's period, in the holder's registered name.
async fn issue(
    conn: &mut Conn,
    state: &AppState,
    app: &ApplicationRow,
    enterprise: &crate::enterprises::EnterpriseRow,
    actor: &Actor<'_>,
    now: i64,
) -> ApiResult<()> {
    let data = app.detail().certificate.ok_or_else(unreadable)?;
    let person = app.person_id.as_ref().ok_or_else(unreadable)?;
    let id_number = crate::people::id_number_of(&mut *conn, &state.keys, person)
        .await?
        .ok_or_else(unreadable)?;
    let identity = crate::people::store::identity(&mut *conn, person)
        .await?
        .ok_or_else(unreadable)?;
    let name = crate::people::unseal_name(&state.keys, person, &identity.name_sealed).ok_or_else(unreadable)?;
    let today = Date::today_in_china(now);
    let date = |raw: &Option<String>| raw.as_deref().and_then(|d| Date::parse(d).ok());
    let (origin, issued_on, expires_on) = match app.kind {
        ApplicationKind::Supplement => (
            Origin::Supplement,
            date(&data.issued_on).ok_or_else(unreadable)?,
            date(&data.expires_on).ok_or_else(unreadable)?,
        ),
        _ => (Origin::Issued, today, today.add_months(12 * data.kind.validity_years())),
    };
    let new = Issue {
        holder_id_number: &id_number,
        holder_name: &name,
        kind: data.kind,
        category: if data.kind == Kind::Special { &data.category } else { "" },
        number: data.number.as_deref(),
        enterprise_credit_code: &enterprise.credit_code,
        enterprise_name: &enterprise.name,
        issued_on,
        expires_on,
        origin,
    };
    changes::issue(conn, &state.keys, &new, actor, now)
        .await
        .map_err(refused_by)?;
    Ok(())
}
