//! What an application says: its data as asked for (`Detail`), and how it is shown.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::chain;
use super::kinds::{Action, ApplicationKind, ApplicationState, CancellationReason, Step};
use super::store::{ApplicationRow, EventRow};
use crate::certificates::changes::Correction;
use crate::certificates::kinds::Kind;
use crate::platform::crypto::Keys;
use crate::platform::ids::{ApplicationId, CertificateId, DocumentId, EnterpriseId, ExamRegistrationId};

/// A certificate a supplement enters, or an exam's pass issues.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = ApplicationCertificateData)]
pub struct CertificateData {
    pub kind: Kind,
    /// The special-operations category code; "" for safety-management certificates.
    pub category: String,
    /// The paper certificate's number (a supplement); none until issued (an exam's pass).
    pub number: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
}

/// What an application asks for; the parts its kind has.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = ApplicationDetail)]
pub struct Detail {
    /// An employer change the certificate's enterprise cannot confirm: the proof is checked at
    /// the desk (企业信息纠错).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub at_the_desk: bool,
    /// The enterprise the certificate was registered with (an employer change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_enterprise_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CancellationReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
    /// The exam registration whose pass this issue follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub exam_registration_id: Option<ExamRegistrationId>,
    /// The enterprise's name the certificates are reissued under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_enterprise_name: Option<String>,
    /// How many certificates the reissue changes (known when it is applied for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<usize>,
}

impl Detail {
    /// Whether the authority must record that it checked the original at the desk (补录, 纠错,
    /// and an employer change without the enterprise's confirmation).
    pub fn needs_original(&self, kind: ApplicationKind) -> bool {
        matches!(kind, ApplicationKind::Supplement | ApplicationKind::Correction) || self.at_the_desk
    }
}

/// An application as listed.
#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    #[schema(value_type = String)]
    pub id: ApplicationId,
    pub kind: ApplicationKind,
    /// The service's name (Chinese), e.g. 执业企业变更.
    pub service: &'static str,
    pub state: ApplicationState,
    /// The approval chain, in order.
    pub steps: Vec<Step>,
    /// Who acts next; null once it has ended.
    pub waiting_for: Option<Step>,
    #[schema(value_type = Option<String>)]
    pub certificate_id: Option<CertificateId>,
    pub certificate_number: Option<String>,
    /// The enterprise it is for (the employer; the new one in an employer change).
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    /// The district whose desk handles it.
    pub district_code: String,
    /// The applying person's name (empty for an enterprise's reissue).
    pub applicant_name: String,
    pub applicant_id_number_masked: Option<String>,
    pub detail: Detail,
    /// The scan of the original, or the proof.
    #[schema(value_type = Option<String>)]
    pub document_id: Option<DocumentId>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub decided_at: Option<i64>,
}

/// One act on an application.
#[derive(Serialize, ToSchema)]
pub struct ApplicationEventView {
    pub action: Action,
    /// The step it was taken at.
    pub step: Option<Step>,
    /// person | enterprise | staff
    pub actor_kind: String,
    pub opinion: Option<String>,
    /// Staff checked the original at the desk.
    pub original_checked: bool,
    /// Unix milliseconds.
    pub at: i64,
}

/// An application with its history.
#[derive(Serialize, ToSchema)]
pub struct ApplicationWithHistory {
    pub application: ApplicationView,
    pub history: Vec<ApplicationEventView>,
}

impl ApplicationRow {
    pub fn steps(&self) -> Vec<Step> {
        chain::parse(&self.steps).unwrap_or_default()
    }

    pub fn detail(&self) -> Detail {
        serde_json::from_str(&self.detail).unwrap_or_default()
    }

    pub fn view(&self, keys: &Keys) -> ApplicationView {
        let name = match (&self.person_id, &self.applicant_name_sealed) {
            (Some(person), Some(sealed)) => crate::people::unseal_name(keys, person, sealed).unwrap_or_default(),
            _ => String::new(),
        };
        ApplicationView {
            id: self.id.clone(),
            kind: self.kind,
            service: self.kind.label().0,
            state: self.state,
            steps: self.steps(),
            waiting_for: self.waiting_for,
            certificate_id: self.certificate_id.clone(),
            certificate_number: self.certificate_number.clone(),
            enterprise_id: self.enterprise_id.clone(),
            enterprise_name: self.enterprise_name.clone(),
            district_code: self.district_code.clone(),
            applicant_name: name,
            applicant_id_number_masked: self.applicant_id_number_masked.clone(),
            detail: self.detail(),
            document_id: self.document_id.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            decided_at: self.decided_at,
        }
    }

    pub fn with_history(&self, keys: &Keys, events: Vec<EventRow>) -> ApplicationWithHistory {
        let steps = self.steps();
        ApplicationWithHistory {
            application: self.view(keys),
            history: events
                .into_iter()
                .map(|e| ApplicationEventView {
                    action: e.action,
                    step: usize::try_from(e.step).ok().and_then(|i| steps.get(i).copied()),
                    actor_kind: e.actor_kind,
                    opinion: e.opinion,
                    original_checked: e.original_checked != 0,
                    at: e.at,
                })
                .collect(),
        }
    }
}
