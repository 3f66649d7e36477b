//! The facts the preconditions read (`rules::Facts`), gathered for one applicant and, where the
//! service is on a certificate, that certificate (which must be the applicant's own).

use super::kinds::ApplicationKind;
use super::rules::{CertificateFacts, Facts};
use super::store;
use crate::certificates::changes::{self, Snapshot};
use crate::certificates::kinds::State;
use crate::enterprises::EnterpriseRow;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{CertificateId, PersonId};
use crate::platform::types::Date;
use crate::state::AppState;

/// A person applying, as far as they are known.
pub struct Applicant {
    pub person_id: PersonId,
    /// Real-name registration done and not held for review.
    pub registered: bool,
    /// The keyed hash of their ID number (what certificates are keyed by).
    pub holder_hash: Option<String>,
    /// The enterprise employing them now.
    pub employer: Option<EnterpriseRow>,
}

impl Applicant {
    /// `person:<id>`: one application in progress per person.
    pub fn key(&self) -> String {
        format!("person:{}", self.person_id)
    }

    pub async fn load(conn: &mut Conn, person_id: &PersonId) -> ApiResult<Applicant> {
        let identity = crate::people::store::identity(&mut *conn, person_id).await?;
        let holder_hash = crate::people::id_number_key_of(&mut *conn, person_id).await?;
        let employer = match crate::employment::employer_of(&mut *conn, person_id).await? {
            Some(id) => crate::enterprises::get(&mut *conn, &id, &crate::auth::Bounds::City).await?,
            None => None,
        };
        Ok(Applicant {
            person_id: person_id.clone(),
            registered: identity.is_some_and(|i| !i.is_held()),
            holder_hash,
            employer,
        })
    }

    /// The applicant's own certificate, or 404 (another's is not found, as everywhere).
    pub async fn certificate(&self, conn: &mut Conn, id: &CertificateId) -> ApiResult<Snapshot> {
        let found = changes::snapshot(&mut *conn, id).await?;
        found
            .filter(|c| Some(&c.holder_hash) == self.holder_hash.as_ref())
            .ok_or_else(|| ApiError::not_found("证书", "Certificate"))
    }

    /// The facts of a service of `kind` on `certificate` (none for a supplement).
    pub async fn facts(
        &self,
        conn: &mut Conn,
        state: &AppState,
        kind: ApplicationKind,
        certificate: Option<&Snapshot>,
    ) -> ApiResult<Facts> {
        let last_change = store::last_approved(&mut *conn, &self.person_id, ApplicationKind::EmployerChange).await?;
        let ongoing_projects = match (&self.holder_hash, kind) {
            (Some(hash), ApplicationKind::Cancellation) => store::ongoing_projects(&mut *conn, hash).await?,
            _ => 0,
        };
        let certificate_facts = match certificate {
            Some(c) => Some(certificate_facts(conn, c).await?),
            None => None,
        };
        let education_hours = match (kind, certificate, &self.holder_hash) {
            (ApplicationKind::Renewal, Some(c), Some(hash)) => education_hours(conn, state, c, hash).await?,
            _ => 0,
        };
        Ok(Facts {
            real_name: self.registered,
            portrait: self.registered,
            employer_credit_code: self.employer.as_ref().map(|e| e.credit_code.clone()),
            in_progress: store::in_progress(&mut *conn, &self.key()).await?,
            certificate: certificate_facts,
            last_employer_change_on: last_change.map(Date::today_in_china),
            ongoing_projects,
            education_hours,
            number_on_record: false,
        })
    }
}

async fn certificate_facts(conn: &mut Conn, c: &Snapshot) -> ApiResult<CertificateFacts> {
    let expires_on =
        Date::parse(&c.expires_on).map_err(|_| ApiError::internal("a certificate has an unreadable date"))?;
    let enterprise = crate::enterprises::by_credit_code(&mut *conn, &c.enterprise_credit_code).await?;
    Ok(CertificateFacts {
        standing: c.state == State::Valid,
        enterprise_credit_code: c.enterprise_credit_code.clone(),
        expires_on,
        enterprise_registered: enterprise.is_some_and(|e| e.status == "active"),
    })
}

/// Hours of passed continuing education (entered by training institutions) for the
/// certificate's kind and category from the start of its current validity — the kind's period
/// before its end — until today, or its end if that is later.
async fn education_hours(conn: &mut Conn, state: &AppState, c: &Snapshot, holder_hash: &str) -> ApiResult<i64> {
    let ends = Date::parse(&c.expires_on).map_err(|_| ApiError::internal("a certificate has an unreadable date"))?;
    let from = ends.sub_months(12 * c.kind.validity_years());
    let until = ends.max(Date::today_in_china(state.clock.now_ms()));
    let hours = crate::training::passed_hours(
        &mut *conn,
        holder_hash,
        c.kind.as_str(),
        &c.category,
        &from.to_string(),
        &until.to_string(),
    )
    .await?;
    Ok(hours)
}
