//! The fixed lists of applications: their kinds, the steps of an approval chain, their states,
//! the acts on them, and the reasons a certificate is cancelled.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an application asks for (the manuals' 业务办理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApplicationKind)]
pub enum ApplicationKind {
    /// 执业企业变更: the certificate moves to the person's new employer.
    EmployerChange,
    /// 注销: the certificate is cancelled and published in the public list.
    Cancellation,
    /// 延续: the certificate's validity is extended.
    Renewal,
    /// 补录: a paper certificate not found among the records is entered.
    Supplement,
    /// 纠错: wrong data of a certificate is corrected.
    Correction,
    /// 发证: a certificate is issued after a passed exam.
    Issue,
    /// 企业名称变更: an enterprise's certificates are reissued under its new name.
    NameChange,
}

impl ApplicationKind {
    pub const ALL: [ApplicationKind; 7] = [
        ApplicationKind::EmployerChange,
        ApplicationKind::Cancellation,
        ApplicationKind::Renewal,
        ApplicationKind::Supplement,
        ApplicationKind::Correction,
        ApplicationKind::Issue,
        ApplicationKind::NameChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationKind::EmployerChange => "employer_change",
            ApplicationKind::Cancellation => "cancellation",
            ApplicationKind::Renewal => "renewal",
            ApplicationKind::Supplement => "supplement",
            ApplicationKind::Correction => "correction",
            ApplicationKind::Issue => "issue",
            ApplicationKind::NameChange => "name_change",
        }
    }

    pub fn parse(raw: &str) -> Option<ApplicationKind> {
        ApplicationKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The name a person reads (zh, en).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ApplicationKind::EmployerChange => ("执业企业变更", "Employer change"),
            ApplicationKind::Cancellation => ("证书注销", "Cancellation"),
            ApplicationKind::Renewal => ("证书延续", "Renewal"),
            ApplicationKind::Supplement => ("证书补录", "Supplement"),
            ApplicationKind::Correction => ("证书纠错", "Correction"),
            ApplicationKind::Issue => ("证书核发", "Issue"),
            ApplicationKind::NameChange => ("企业名称变更换证", "Reissue under a new enterprise name"),
        }
    }
}

/// Who acts at a step of an approval chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApplicationStep)]
pub enum Step {
    /// The enterprise that confirms (证书所在单位 / 受聘企业确认).
    Enterprise,
    /// The district authority: the desk that accepts and checks originals (受理, 核验原件).
    District,
    /// The city authority: the approving authority (审批).
    City,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Enterprise => "enterprise",
            Step::District => "district",
            Step::City => "city",
        }
    }

    pub fn parse(raw: &str) -> Option<Step> {
        [Step::Enterprise, Step::District, Step::City]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }

    pub fn is_staff(self) -> bool {
        self != Step::Enterprise
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApplicationState)]
pub enum ApplicationState {
    InProgress,
    Approved,
    Refused,
    Withdrawn,
}

impl ApplicationState {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::InProgress => "in_progress",
            ApplicationState::Approved => "approved",
            ApplicationState::Refused => "refused",
            ApplicationState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<ApplicationState> {
        [
            ApplicationState::InProgress,
            ApplicationState::Approved,
            ApplicationState::Refused,
            ApplicationState::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// An act on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApplicationAction)]
pub enum Action {
    /// The applicant submitted it.
    Submitted,
    /// The enterprise confirmed it.
    Confirmed,
    /// The enterprise declined it (it ends refused).
    Declined,
    /// Staff accepted it and passed it to the next step.
    Accepted,
    /// Staff at the last step approved it: its effect is done.
    Approved,
    /// Staff refused it.
    Refused,
    /// The applicant withdrew it.
    Withdrawn,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submitted => "submitted",
            Action::Confirmed => "confirmed",
            Action::Declined => "declined",
            Action::Accepted => "accepted",
            Action::Approved => "approved",
            Action::Refused => "refused",
            Action::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Action> {
        [
            Action::Submitted,
            Action::Confirmed,
            Action::Declined,
            Action::Accepted,
            Action::Approved,
            Action::Refused,
            Action::Withdrawn,
        ]
        .into_iter()
        .find(|a| a.as_str() == raw)
    }
}

/// Why a holder cancels a certificate (the manual's 注销原因, chosen from a list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancellationReason {
    /// 调离建筑施工岗位
    LeftTheTrade,
    /// 退休
    Retired,
    /// 身体原因不能从事本岗位
    Health,
    /// 持有多本同类证书，注销多余的
    Duplicate,
    /// 本人申请
    OwnRequest,
}

impl CancellationReason {
    pub fn label(self) -> &'static str {
        match self {
            CancellationReason::LeftTheTrade => "调离建筑施工岗位",
            CancellationReason::Retired => "退休",
            CancellationReason::Health => "身体原因不能从事本岗位",
            CancellationReason::Duplicate => "持有多本同类证书",
            CancellationReason::OwnRequest => "本人申请",
        }
    }
}

crate::text_column!(ApplicationKind, Step, ApplicationState, Action);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back() {
        for kind in ApplicationKind::ALL {
            assert_eq!(ApplicationKind::parse(kind.as_str()), Some(kind));
        }
        for step in [Step::Enterprise, Step::District, Step::City] {
            assert_eq!(Step::parse(step.as_str()), Some(step));
        }
        assert_eq!(
            ApplicationState::parse("in_progress"),
            Some(ApplicationState::InProgress)
        );
        assert_eq!(Action::parse("declined"), Some(Action::Declined));
        assert_eq!(ApplicationKind::parse("transfer"), None);
        assert_eq!(Step::parse("province"), None);
    }
}
