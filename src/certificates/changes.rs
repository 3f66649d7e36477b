//! What applications (办件) do to certificates, the seam through which they reach them: each
//! function changes the certificate and appends its track event (证书轨迹) naming the
//! application, on the act's transaction. The electronic certificate is rendered from the
//! certificate as it stands, so after each change the holder downloads the new one.

use serde_json::json;

use super::kinds::{EventKind, Kind, Origin};
use super::routes::{context, name_hash};
pub use super::store::changes::Snapshot;
use super::store::changes::{self as store, Fields, NewCertificate, NewEvent};
use crate::platform::crypto::Keys;
use crate::platform::db::{is_unique_violation, Conn, Executor};
use crate::platform::ids::CertificateId;
use crate::platform::types::{Date, IdNumber};

/// Who changes a certificate, and by which application.
pub struct Actor<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub application_id: &'a str,
}

/// Why a change could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("the certificate no longer stands")]
    NotStanding,
    #[error("another certificate of the kind has this number")]
    NumberTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn event<'a>(kind: EventKind, actor: &'a Actor<'a>, detail: serde_json::Value) -> NewEvent<'a> {
    NewEvent {
        kind,
        actor_kind: actor.kind,
        actor_id: actor.id,
        detail: detail.to_string(),
        application_id: actor.application_id,
    }
}

fn stood(changed: bool) -> Result<(), ChangeError> {
    changed.then_some(()).ok_or(ChangeError::NotStanding)
}

/// A certificate holder's sealed name, opened (for lists that name holders, masked).
pub fn open_holder_name(keys: &Keys, id: &CertificateId, sealed: &str) -> Option<String> {
    keys.open(&context(id, "name"), sealed)
        .and_then(|name| String::from_utf8(name).ok())
}

/// A certificate as an application reads it, whatever the bounds.
pub async fn snapshot(db: impl Executor<'_>, id: &CertificateId) -> Result<Option<Snapshot>, sqlx::Error> {
    store::snapshot(db, id).await
}

/// Whether a certificate of `kind` with `number` is on record.
pub async fn number_on_record(db: impl Executor<'_>, kind: Kind, number: &str) -> Result<bool, sqlx::Error> {
    store::number_on_record(db, kind, number).await
}

/// 执业企业变更: the certificate moves to the holder's new employer.
pub async fn move_to_enterprise(
    conn: &mut Conn,
    before: &Snapshot,
    credit_code: &str,
    name: &str,
    actor: &Actor<'_>,
    now: i64,
) -> Result<(), ChangeError> {
    stood(store::set_enterprise(conn, &before.id, credit_code, name, now).await?)?;
    let detail = json!({
        "enterprise_credit_code": {"from": before.enterprise_credit_code, "to": credit_code},
        "enterprise_name": {"from": before.enterprise_name, "to": name},
    });
    store::add_event(conn, &before.id, &event(EventKind::Change, actor, detail), now).await?;
    Ok(())
}

/// 注销: the certificate is cancelled for `reason`.
pub async fn cancel(
    conn: &mut Conn,
    id: &CertificateId,
    reason: &str,
    actor: &Actor<'_>,
    now: i64,
) -> Result<(), ChangeError> {
    stood(store::cancel(conn, id, now).await?)?;
    let detail = json!({"reason": reason});
    store::add_event(conn, id, &event(EventKind::Cancellation, actor, detail), now).await?;
    Ok(())
}

/// 延续: the validity runs on by the kind's period from its end, or from the day of approval
/// for a certificate that had expired (it is valid again from then); the new end is returned.
pub async fn renew(conn: &mut Conn, before: &Snapshot, actor: &Actor<'_>, now: i64) -> Result<Date, ChangeError> {
    let ends = Date::parse(&before.expires_on).map_err(|_| ChangeError::NotStanding)?;
    let from = ends.max(Date::today_in_china(now));
    let until = from.add_months(12 * before.kind.validity_years()).to_string();
    let fields = Fields {
        category: &before.category,
        number: &before.number,
        issued_on: &before.issued_on,
        expires_on: &until,
    };
    stood(store::set_fields(conn, &before.id, &fields, now).await?)?;
    let detail = json!({"expires_on": {"from": before.expires_on, "to": until}});
    store::add_event(conn, &before.id, &event(EventKind::Renewal, actor, detail), now).await?;
    Date::parse(&until).map_err(|_| ChangeError::NotStanding)
}

/// The fields a correction sets (`None`: unchanged).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = CertificateCorrection)]
pub struct Correction {
    /// The special-operations category code.
    pub category: Option<String>,
    pub number: Option<String>,
    /// YYYY-MM-DD
    pub issued_on: Option<String>,
    /// YYYY-MM-DD
    pub expires_on: Option<String>,
}

/// 纠错: the certificate's wrong fields are set right; the track keeps what they were.
pub async fn correct(
    conn: &mut Conn,
    before: &Snapshot,
    correction: &Correction,
    actor: &Actor<'_>,
    now: i64,
) -> Result<(), ChangeError> {
    let pick = |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_owned());
    let (category, number) = (
        pick(&correction.category, &before.category),
        pick(&correction.number, &before.number),
    );
    let (issued_on, expires_on) = (
        pick(&correction.issued_on, &before.issued_on),
        pick(&correction.expires_on, &before.expires_on),
    );
    let fields = Fields {
        category: &category,
        number: &number,
        issued_on: &issued_on,
        expires_on: &expires_on,
    };
    match store::set_fields(conn, &before.id, &fields, now).await {
        Ok(changed) => stood(changed)?,
        Err(e) if is_unique_violation(&e) => return Err(ChangeError::NumberTaken),
        Err(e) => return Err(e.into()),
    }
    let mut detail = serde_json::Map::new();
    for (field, old, new) in [
        ("category", &before.category, &category),
        ("number", &before.number, &number),
        ("issued_on", &before.issued_on, &issued_on),
        ("expires_on", &before.expires_on, &expires_on),
    ] {
        if old != new {
            detail.insert(field.into(), json!({"from": old, "to": new}));
        }
    }
    store::add_event(
        conn,
        &before.id,
        &event(EventKind::Correction, actor, detail.into()),
        now,
    )
    .await?;
    Ok(())
}

/// A certificate an application issues: a supplement of a paper certificate, or a new one
/// after a passed exam (`number` `None`: the system gives one).
pub struct Issue<'a> {
    pub holder_id_number: &'a IdNumber,
    pub holder_name: &'a str,
    pub kind: Kind,
    pub category: &'a str,
    pub number: Option<&'a str>,
    pub enterprise_credit_code: &'a str,
    pub enterprise_name: &'a str,
    pub issued_on: Date,
    pub expires_on: Date,
    pub origin: Origin,
}

/// A number this system gives: the kind's letter, the year, seven digits.
fn new_number(kind: Kind, year: u32) -> String {
    format!(
        "{}{year}{:07}",
        kind.number_letter(),
        rand::random::<u32>() % 10_000_000
    )
}

/// Issues a certificate with its `issue` event; the id is returned.
pub async fn issue(
    conn: &mut Conn,
    keys: &Keys,
    issue: &Issue<'_>,
    actor: &Actor<'_>,
    now: i64,
) -> Result<CertificateId, ChangeError> {
    let id = CertificateId::new();
    let id_number = issue.holder_id_number.as_str();
    let (issued_on, expires_on) = (issue.issued_on.to_string(), issue.expires_on.to_string());
    let sealed_id = keys.seal(&context(&id, "id_number"), id_number.as_bytes());
    let sealed_name = keys.seal(&context(&id, "name"), issue.holder_name.as_bytes());
    let (holder_hash, name_hash) = (
        crate::people::id_number_key(keys, id_number),
        name_hash(keys, issue.holder_name),
    );
    let masked = issue.holder_id_number.masked();
    // A given number may collide with one on record (a supplement's: NumberTaken); a drawn one
    // is drawn again.
    for _ in 0..5 {
        let number = issue
            .number
            .map_or_else(|| new_number(issue.kind, issue.issued_on.year), str::to_owned);
        let new = NewCertificate {
            id: &id,
            kind: issue.kind,
            category: issue.category,
            number: &number,
            holder_hash: &holder_hash,
            holder_id_sealed: &sealed_id,
            holder_id_masked: &masked,
            holder_name_sealed: &sealed_name,
            holder_name_hash: &name_hash,
            enterprise_credit_code: issue.enterprise_credit_code,
            enterprise_name: issue.enterprise_name,
            issued_on: &issued_on,
            expires_on: &expires_on,
            origin: issue.origin,
        };
        match store::insert(conn, &new, now).await {
            Ok(()) => {
                let detail = json!({"origin": issue.origin.as_str(), "number": number});
                store::add_event(conn, &id, &event(EventKind::Issue, actor, detail), now).await?;
                return Ok(id);
            }
            Err(e) if is_unique_violation(&e) && issue.number.is_none() => continue,
            Err(e) if is_unique_violation(&e) => return Err(ChangeError::NumberTaken),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ChangeError::NumberTaken)
}

/// How many standing certificates of the enterprise carry a name other than its current one:
/// what a reissue under the new name would change.
pub async fn count_under_other_name(
    db: impl Executor<'_>,
    credit_code: &str,
    name: &str,
) -> Result<usize, sqlx::Error> {
    Ok(store::under_other_name(db, credit_code, name).await?.len())
}

/// 企业名称变更: every standing certificate of the enterprise is reissued under its new name,
/// each with its track event; how many is returned.
pub async fn rename_enterprise(
    conn: &mut Conn,
    credit_code: &str,
    name: &str,
    actor: &Actor<'_>,
    now: i64,
) -> Result<usize, ChangeError> {
    let affected = store::under_other_name(&mut *conn, credit_code, name).await?;
    for (id, old) in &affected {
        store::set_enterprise(conn, id, credit_code, name, now).await?;
        let detail = json!({"enterprise_name": {"from": old, "to": name}});
        store::add_event(conn, id, &event(EventKind::Change, actor, detail), now).await?;
    }
    Ok(affected.len())
}
