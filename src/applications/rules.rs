//! The preconditions of each service (seed 003 §1.3, seed 002 §1.2): before an application is
//! created the system checks every condition and names each one that fails (系统自动检测 …
//! 条件不满足，系统自动提示). Pure functions of the facts the store gathered.

use super::kinds::ApplicationKind;
use crate::platform::types::Date;

/// What is known when a person applies.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Real-name registration done (and not held for review).
    pub real_name: bool,
    /// An ID portrait (证件照) is on file: without it no electronic certificate can be issued.
    pub portrait: bool,
    /// The credit code of the person's current employer; `None` without a registered employment.
    pub employer_credit_code: Option<String>,
    /// Another application of the person's is in progress.
    pub in_progress: bool,
    /// The certificate applied on, when the service is on one.
    pub certificate: Option<CertificateFacts>,
    /// The day the person's latest employer change was approved.
    pub last_employer_change_on: Option<Date>,
    /// Projects under construction (在建项目) with the person as project manager.
    pub ongoing_projects: i64,
    /// Hours of passed continuing education for the certificate within its validity.
    pub education_hours: i64,
    /// A supplement's number is already on record for its kind.
    pub number_on_record: bool,
}

/// What is known of the certificate applied on.
#[derive(Debug, Clone)]
pub struct CertificateFacts {
    /// Not cancelled or replaced.
    pub standing: bool,
    pub enterprise_credit_code: String,
    pub expires_on: Date,
    /// The certificate's enterprise has an account here that can confirm.
    pub enterprise_registered: bool,
}

/// The limits the settings give the rules.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub employer_change_interval_months: u32,
    pub renewal_window_days: u32,
    pub renewal_education_hours: i64,
}

/// The way an employer change is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// The certificate's enterprise confirms.
    ByEnterprise,
    /// The certificate's enterprise cannot (closed, data missing): proof is checked at the desk.
    AtTheDesk,
}

/// One failed condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bar {
    NotRealName,
    NoPortrait,
    NotEmployed,
    InProgress,
    NotStanding,
    /// An employer change was approved less than the interval ago; another from `from`.
    ChangedRecently {
        from: Date,
    },
    AlreadyWithEmployer,
    EnterpriseCannotConfirm,
    OngoingProject,
    EmployerDiffers,
    /// A renewal may be applied for from `from`.
    NotYetRenewable {
        from: Date,
    },
    EducationShort {
        hours: i64,
        needed: i64,
    },
    NumberOnRecord,
    NothingToReissue,
}

impl Bar {
    /// The stable code the API reports for this condition.
    pub fn code(self) -> &'static str {
        match self {
            Bar::NotRealName => "application.not_real_name",
            Bar::NoPortrait => "application.no_portrait",
            Bar::NotEmployed => "application.not_employed",
            Bar::InProgress => "application.in_progress",
            Bar::NotStanding => "application.certificate_not_standing",
            Bar::ChangedRecently { .. } => "application.changed_recently",
            Bar::AlreadyWithEmployer => "application.already_with_employer",
            Bar::EnterpriseCannotConfirm => "application.enterprise_cannot_confirm",
            Bar::OngoingProject => "application.ongoing_project",
            Bar::EmployerDiffers => "application.employer_differs",
            Bar::NotYetRenewable { .. } => "application.not_yet_renewable",
            Bar::EducationShort { .. } => "application.education_short",
            Bar::NumberOnRecord => "application.number_on_record",
            Bar::NothingToReissue => "application.nothing_to_reissue",
        }
    }

    /// What the applicant reads: (Chinese, English).
    pub fn message(self) -> (String, String) {
        let fixed = |zh: &str, en: &str| (zh.to_owned(), en.to_owned());
        match self {
            Bar::NotRealName => fixed("未完成实名认证", "Real-name registration is not done"),
            Bar::NoPortrait => fixed("未上传个人证件照", "No ID portrait is on file"),
            Bar::NotEmployed => fixed(
                "未登记聘用关系，请由聘用企业发起聘用",
                "No employment is registered; the employer must register it",
            ),
            Bar::InProgress => fixed("有正在办理的业务", "Another application is in progress"),
            Bar::NotStanding => fixed("证书已注销或已被替换", "The certificate is cancelled or replaced"),
            Bar::ChangedRecently { from } => (
                format!("执业企业变更后 6 个月内不得再次申请变更，{from} 起可申请"),
                format!("No second employer change within 6 months; possible from {from}"),
            ),
            Bar::AlreadyWithEmployer => fixed(
                "证书已登记在当前聘用企业，无需变更",
                "The certificate is already registered with the current employer",
            ),
            Bar::EnterpriseCannotConfirm => fixed(
                "证书所在单位未在平台注册，无法确认：请选择企业信息纠错并上传证明材料",
                "The certificate's enterprise has no account here to confirm: choose the correction with proof",
            ),
            Bar::OngoingProject => fixed(
                "本人有在建项目，不能注销",
                "You manage a project under construction; the certificate cannot be cancelled",
            ),
            Bar::EmployerDiffers => fixed(
                "证书登记企业与当前聘用企业不一致，请先办理执业企业变更",
                "The certificate's enterprise differs from the current employer; apply for an employer change first",
            ),
            Bar::NotYetRenewable { from } => (
                format!("尚未到延续申请期，{from} 起可申请"),
                format!("Renewal is possible from {from}"),
            ),
            Bar::EducationShort { hours, needed } => (
                format!("继续教育合格学时 {hours}，不足 {needed} 学时"),
                format!("{hours} hours of passed continuing education; {needed} are needed"),
            ),
            Bar::NumberOnRecord => fixed(
                "该证书编号已有记录，请在我的证书中查看或申请纠错",
                "A certificate with this number is on record; see my certificates or apply for a correction",
            ),
            Bar::NothingToReissue => fixed(
                "没有登记在原企业名称下的在用证书，无需换发",
                "No standing certificate carries a former name of the enterprise; nothing to reissue",
            ),
        }
    }
}

/// What every service of a person needs: identified, with a portrait for the new electronic
/// certificate, employed (the employer's district is the desk), nothing else in progress.
fn applicant_bars(facts: &Facts, portrait_needed: bool) -> Vec<Bar> {
    let mut bars = Vec::new();
    if !facts.real_name {
        bars.push(Bar::NotRealName);
    }
    if portrait_needed && !facts.portrait {
        bars.push(Bar::NoPortrait);
    }
    if facts.employer_credit_code.is_none() {
        bars.push(Bar::NotEmployed);
    }
    if facts.in_progress {
        bars.push(Bar::InProgress);
    }
    bars
}

/// Every condition a person fails for a service of `kind` (a person's services only: an
/// exam's issue and an enterprise's reissue are not applied for by persons).
pub fn bars(kind: ApplicationKind, facts: &Facts, confirmation: Confirmation, limits: Limits, today: Date) -> Vec<Bar> {
    let mut bars = applicant_bars(facts, kind != ApplicationKind::Cancellation);
    let certificate = facts.certificate.as_ref();
    if certificate.is_some_and(|c| !c.standing) {
        bars.push(Bar::NotStanding);
    }
    let with_employer = |c: &&CertificateFacts| Some(&c.enterprise_credit_code) == facts.employer_credit_code.as_ref();
    match kind {
        ApplicationKind::EmployerChange => {
            if let Some(on) = facts.last_employer_change_on {
                let from = on.add_months(limits.employer_change_interval_months);
                if today < from {
                    bars.push(Bar::ChangedRecently { from });
                }
            }
            if certificate.is_some_and(|c| with_employer(&c)) {
                bars.push(Bar::AlreadyWithEmployer);
            }
            if confirmation == Confirmation::ByEnterprise && certificate.is_some_and(|c| !c.enterprise_registered) {
                bars.push(Bar::EnterpriseCannotConfirm);
            }
        }
        ApplicationKind::Cancellation => {
            if facts.ongoing_projects > 0 {
                bars.push(Bar::OngoingProject);
            }
        }
        ApplicationKind::Renewal => {
            if let Some(c) = certificate {
                if facts.employer_credit_code.is_some() && !with_employer(&c) {
                    bars.push(Bar::EmployerDiffers);
                }
                let from = c.expires_on.add_days(-i64::from(limits.renewal_window_days));
                if today < from {
                    bars.push(Bar::NotYetRenewable { from });
                }
            }
            if facts.education_hours < limits.renewal_education_hours {
                bars.push(Bar::EducationShort {
                    hours: facts.education_hours,
                    needed: limits.renewal_education_hours,
                });
            }
        }
        ApplicationKind::Supplement => {
            if facts.number_on_record {
                bars.push(Bar::NumberOnRecord);
            }
        }
        ApplicationKind::Correction | ApplicationKind::Issue | ApplicationKind::NameChange => {}
    }
    bars
}

/// What an enterprise fails to reissue its certificates under its new name (企业名称变更):
/// standing certificates under a former name to reissue, and nothing else in progress. Once
/// approved, none is left under a former name, so it is applied for once per name.
pub fn name_change_bars(under_former_names: usize, in_progress: bool) -> Vec<Bar> {
    let mut bars = Vec::new();
    if under_former_names == 0 {
        bars.push(Bar::NothingToReissue);
    }
    if in_progress {
        bars.push(Bar::InProgress);
    }
    bars
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
