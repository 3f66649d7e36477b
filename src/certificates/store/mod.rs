//! Certificates SQL: reads within the caller's bounds, each row with the facts its status is
//! computed from (the holder's current employer and how many standing certificates of the
//! kind the holder has); the import's batched writes are in `import`.

pub mod changes;
pub mod import;

use sqlx::FromRow;

use super::kinds::{EventKind, Kind, Origin, State};
use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::Executor;
use crate::platform::ids::{CertificateEventId, CertificateId, PersonId};
use crate::platform::paging::Page;

/// Where certificates keep the bounds. A person: the certificates held under their registered
/// ID number. An enterprise: its people's certificates — those registered under its credit
/// code and those whose holder it currently employs. District staff: the certificates of the
/// enterprises of their district, by the same two links. (Written as `c.id IN (… UNION …)` so
/// that both engines start from the few matching ids rather than walk the whole table.)
const BOUNDS: Columns = Columns {
    person: Some(Key::Condition(
        "c.holder_hash = (SELECT i.id_number_hash FROM person_identities i WHERE i.person_id = {})",
    )),
    enterprise: Some(Key::Condition(
        "c.id IN (SELECT x.id FROM certificates x JOIN enterprises e ON e.credit_code = x.enterprise_credit_code \
           WHERE e.id = {} \
         UNION SELECT x.id FROM employments m \
           JOIN person_identities i ON i.person_id = m.person_id \
           JOIN certificates x ON x.holder_hash = i.id_number_hash \
           WHERE m.enterprise_id = {} AND m.state = 'active')",
    )),
    district: Some(Key::Condition(
        "c.id IN (SELECT x.id FROM certificates x JOIN enterprises e ON e.credit_code = x.enterprise_credit_code \
           WHERE e.district_code = {} \
         UNION SELECT x.id FROM employments m \
           JOIN enterprises e ON e.id = m.enterprise_id \
           JOIN person_identities i ON i.person_id = m.person_id \
           JOIN certificates x ON x.holder_hash = i.id_number_hash \
           WHERE e.district_code = {} AND m.state = 'active')",
    )),
    owner: None,
    training: None,
};

/// A certificate with the facts of its status.
const SELECT: &str = "SELECT c.id, c.kind, c.category, c.number, c.holder_id_masked, c.holder_name_sealed, \
    c.enterprise_credit_code, c.enterprise_name, c.issued_on, c.expires_on, c.origin, c.state, c.replaced_by, c.created_at, \
    (SELECT e.credit_code FROM person_identities i \
       JOIN employments m ON m.person_id = i.person_id AND m.state = 'active' \
       JOIN enterprises e ON e.id = m.enterprise_id WHERE i.id_number_hash = c.holder_hash) AS employer_credit_code, \
    (SELECT COUNT(*) FROM certificates o WHERE o.holder_hash = c.holder_hash AND o.kind = c.kind \
       AND o.category = c.category AND o.state = 'valid') AS held_of_kind \
    FROM certificates c";

#[derive(FromRow, Debug, Clone)]
pub struct CertificateRow {
    pub id: CertificateId,
    pub kind: Kind,
    pub category: String,
    pub number: String,
    pub holder_id_masked: String,
    pub holder_name_sealed: String,
    pub enterprise_credit_code: String,
    pub enterprise_name: String,
    pub issued_on: String,
    pub expires_on: String,
    pub origin: Origin,
    pub state: State,
    pub replaced_by: Option<CertificateId>,
    pub created_at: i64,
    pub employer_credit_code: Option<String>,
    pub held_of_kind: i64,
}

/// The certificates held under the ID number the person registered with, newest first.
pub async fn of_person(db: impl Executor<'_>, person_id: &PersonId) -> Result<Vec<CertificateRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE c.holder_hash = (SELECT i.id_number_hash FROM person_identities i WHERE i.person_id = $1) \
         ORDER BY c.issued_on DESC, c.id"
    ))
    .bind(person_id)
    .fetch_all(db)
    .await
}

/// One certificate within `bounds`.
pub async fn get(
    db: impl Executor<'_>,
    id: &CertificateId,
    bounds: &Bounds,
) -> Result<Option<CertificateRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{SELECT} WHERE c.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// The standing certificates of this number whose holder has this name (its keyed hash).
pub async fn by_number_and_name(
    db: impl Executor<'_>,
    number: &str,
    name_hash: &str,
) -> Result<Vec<CertificateRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE c.number = $1 AND c.holder_name_hash = $2 AND c.state = 'valid' ORDER BY c.kind"
    ))
    .bind(number)
    .bind(name_hash)
    .fetch_all(db)
    .await
}

/// What a list is filtered by (each exact; `None`: any).
#[derive(Default)]
pub struct Filter<'a> {
    pub number: Option<&'a str>,
    pub holder_hash: Option<&'a str>,
    pub name_hash: Option<&'a str>,
    pub enterprise_credit_code: Option<&'a str>,
    pub kind: Option<Kind>,
    pub category: Option<&'a str>,
}

/// Certificates within `bounds` that pass the filter, newest first.
pub async fn list(
    db: impl Executor<'_>,
    bounds: &Bounds,
    filter: &Filter<'_>,
    page: &Page,
) -> Result<Vec<CertificateRow>, sqlx::Error> {
    let mut values: Vec<String> = Vec::new();
    let mut conditions = Vec::new();
    let kind = filter.kind.map(|k| k.as_str());
    for (column, value) in [
        ("c.number", filter.number),
        ("c.holder_hash", filter.holder_hash),
        ("c.holder_name_hash", filter.name_hash),
        ("c.enterprise_credit_code", filter.enterprise_credit_code),
        ("c.kind", kind),
        ("c.category", filter.category),
    ] {
        if let Some(value) = value {
            values.push(value.to_owned());
            conditions.push(format!("{column} = ${}", values.len()));
        }
    }
    let (limit, offset) = page.limit_offset();
    let n = values.len();
    let within = bounds.condition(&BOUNDS, n + 3);
    conditions.push(format!("({within})"));
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY c.created_at DESC, c.id DESC LIMIT ${} OFFSET ${}",
        conditions.join(" AND "),
        n + 1,
        n + 2
    );
    let mut query = sqlx::query_as(&sql);
    for value in &values {
        query = query.bind(value);
    }
    within.bind(query.bind(limit).bind(offset)).fetch_all(db).await
}

#[derive(FromRow, Debug, Clone)]
pub struct EventRow {
    pub id: CertificateEventId,
    pub kind: EventKind,
    pub actor_kind: String,
    pub actor_id: String,
    pub at: i64,
    pub detail: String,
    pub application_id: Option<String>,
}

/// A certificate's track, oldest first.
pub async fn events(db: impl Executor<'_>, id: &CertificateId) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, actor_kind, actor_id, at, detail, application_id FROM certificate_events \
         WHERE certificate_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}
