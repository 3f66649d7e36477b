//! A passed exam opens the application that issues its certificate (考试合格 → 核发): the
//! same path as every service, walked along the `issue` chain (the city, by default), and
//! carried out on approval like a supplement (`effects`).

use super::flow::{self, By, Submission};
use super::kinds::ApplicationKind;
use super::view::{CertificateData, Detail};
use crate::certificates::kinds::Kind;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::{EnterpriseId, ExamRegistrationId, PersonId};
use crate::state::AppState;

/// A registration whose candidate passed.
pub struct PassedExam {
    pub registration_id: ExamRegistrationId,
    pub person_id: PersonId,
    pub enterprise_id: EnterpriseId,
    pub district_code: String,
    /// safety_a | safety_b | safety_c | special
    pub exam_type: String,
    /// The special-operations category; empty otherwise.
    pub category: String,
}

/// Opens the issue application of a pass, once per registration (its applicant).
pub async fn issue_after_pass(
    conn: &mut Conn,
    state: &AppState,
    passed: &PassedExam,
    by: &By<'_>,
    now: i64,
) -> ApiResult<()> {
    let kind = Kind::parse(&passed.exam_type).ok_or_else(|| ApiError::internal("an exam batch has an unknown type"))?;
    let submission = Submission {
        kind: ApplicationKind::Issue,
        applicant: format!("exam:{}", passed.registration_id),
        person_id: Some(&passed.person_id),
        certificate_id: None,
        confirming_enterprise_id: None,
        enterprise_id: &passed.enterprise_id,
        district_code: &passed.district_code,
        steps: state.approval_chains[&ApplicationKind::Issue].clone(),
        detail: Detail {
            certificate: Some(CertificateData {
                kind,
                category: passed.category.clone(),
                number: None,
                issued_on: None,
                expires_on: None,
            }),
            exam_registration_id: Some(passed.registration_id.clone()),
            ..Detail::default()
        },
        document_id: None,
    };
    flow::submit(conn, state, submission, by, now).await?;
    Ok(())
}
