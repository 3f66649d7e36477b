//! The status of a certificate, computed from its facts whenever it is read (seeds 002 and 003,
//! 我的证书): "the system checks whether the enterprise and person match the certificate, its
//! validity, and the kind of business done, and sets the status: in use (正常使用), newly
//! archived (新增归档), transferred in (进赣换证) or unavailable (暂不可用). When the certificate
//! has expired, the current employment differs from the certificate, or one person holds more
//! certificates than the rules allow, it is unavailable", with the reasons shown.

use serde::Serialize;
use utoipa::ToSchema;

use super::kinds::{Origin, State};
use crate::platform::types::Date;

/// How many standing certificates one person may hold of one safety-management kind (A, B or
/// C) or of one special-operations category. The manuals speak of "more certificates than the
/// rules allow" (法规允许范围外一人多本证书) without the number; the national rules issue one
/// certificate per kind and per operation category, so a second standing one of the same kind
/// or category makes every one of them unavailable until the person cancels or corrects the
/// surplus (the system cannot know which one is right).
pub const MAX_PER_KIND_OR_CATEGORY: u32 = 1;

/// What the status is computed from.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub state: State,
    pub origin: Origin,
    pub expires_on: Date,
    /// Today in China (Asia/Shanghai).
    pub today: Date,
    /// The enterprise the certificate is registered under (credit code).
    pub enterprise_credit_code: &'a str,
    /// The credit code of the holder's current employer (the employment register); `None` when
    /// the holder has not registered or has no current employment.
    pub employer_credit_code: Option<&'a str>,
    /// The holder's standing (valid) certificates of this kind and category, this one included.
    pub held_of_kind: u32,
}

/// Why a certificate is unavailable (暂不可用).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = HolderCertificateUnavailableReason)]
pub enum Reason {
    /// The validity ended before today.
    Expired,
    /// The holder's current employer is another enterprise than the certificate's.
    EmployerDiffers,
    /// No current employment is registered for the holder (or the holder has not registered).
    NotEmployed,
    /// The holder has more standing certificates of this kind or category than allowed.
    TooMany,
}

impl Reason {
    /// The reason as a person reads it (zh, en).
    pub fn message(self) -> (&'static str, &'static str) {
        match self {
            Reason::Expired => (
                "证书已过有效期，请办理证书延续",
                "The certificate has expired; apply for a renewal",
            ),
            Reason::EmployerDiffers => (
                "当前聘用企业与证书登记企业不一致，请办理执业企业变更",
                "The current employer differs from the certificate's enterprise; apply for an employer change",
            ),
            Reason::NotEmployed => (
                "未登记聘用关系，请由聘用企业发起聘用关系登记",
                "No employment is registered; the employing enterprise must register it",
            ),
            Reason::TooMany => (
                "同类证书超出一人可持有的数量，请注销或纠错多余的证书",
                "More certificates of this kind than one person may hold; cancel or correct the surplus",
            ),
        }
    }
}

/// A certificate's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// 正常使用: the only status the public lookup finds.
    InUse,
    /// 新增归档: a supplemented certificate, otherwise in order.
    NewlyArchived,
    /// 进赣换证: transferred in from another province, otherwise in order.
    TransferredIn,
    /// 暂不可用, with every reason that applies (never empty).
    Unavailable(Vec<Reason>),
    /// 已注销: cancelled; no longer a certificate, kept for its track.
    Cancelled,
    /// 已换发: replaced by a newer certificate.
    Replaced,
}

impl Status {
    pub fn code(&self) -> &'static str {
        match self {
            Status::InUse => "in_use",
            Status::NewlyArchived => "newly_archived",
            Status::TransferredIn => "transferred_in",
            Status::Unavailable(_) => "unavailable",
            Status::Cancelled => "cancelled",
            Status::Replaced => "replaced",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Status::InUse => "正常使用",
            Status::NewlyArchived => "新增归档",
            Status::TransferredIn => "进赣换证",
            Status::Unavailable(_) => "暂不可用",
            Status::Cancelled => "已注销",
            Status::Replaced => "已换发",
        }
    }

    pub fn reasons(&self) -> &[Reason] {
        match self {
            Status::Unavailable(reasons) => reasons,
            _ => &[],
        }
    }
}

/// The status of a certificate (see the module documentation). A cancelled or replaced
/// certificate is that and nothing else. A standing one is unavailable when any reason applies
/// — expired (its expiry day is before today in China), no employment registered, employed by
/// another enterprise than the certificate's, more standing certificates of its kind or
/// category than `MAX_PER_KIND_OR_CATEGORY` — and otherwise newly archived (a supplement),
/// transferred in, or in use (imported from the historical database or issued here).
pub fn certificate_status(facts: &Facts<'_>) -> Status {
    match facts.state {
        State::Cancelled => return Status::Cancelled,
        State::Replaced => return Status::Replaced,
        State::Valid => {}
    }
    let mut reasons = Vec::new();
    if facts.expires_on < facts.today {
        reasons.push(Reason::Expired);
    }
    match facts.employer_credit_code {
        None => reasons.push(Reason::NotEmployed),
        Some(employer) if !employer.eq_ignore_ascii_case(facts.enterprise_credit_code) => {
            reasons.push(Reason::EmployerDiffers)
        }
        Some(_) => {}
    }
    if facts.held_of_kind > MAX_PER_KIND_OR_CATEGORY {
        reasons.push(Reason::TooMany);
    }
    if !reasons.is_empty() {
        return Status::Unavailable(reasons);
    }
    match facts.origin {
        Origin::Supplement => Status::NewlyArchived,
        Origin::TransferIn => Status::TransferredIn,
        Origin::Imported | Origin::Issued => Status::InUse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "91350100M000100Y43";
    const OTHER: &str = "91110000802100433B";

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn facts(origin: Origin) -> Facts<'static> {
        Facts {
            state: State::Valid,
            origin,
            expires_on: date("2027-06-30"),
            today: date("2026-12-01"),
            enterprise_credit_code: OURS,
            employer_credit_code: Some(OURS),
            held_of_kind: 1,
        }
    }

    const ORIGINS: [Origin; 4] = [Origin::Imported, Origin::Supplement, Origin::TransferIn, Origin::Issued];

    #[test]
    fn a_certificate_in_order_takes_its_status_from_its_origin() {
        let expected = [
            Status::InUse,
            Status::NewlyArchived,
            Status::TransferredIn,
            Status::InUse,
        ];
        for (origin, status) in ORIGINS.into_iter().zip(expected) {
            assert_eq!(certificate_status(&facts(origin)), status, "{origin:?}");
        }
    }

    #[test]
    fn every_combination_of_reasons_is_reported_whatever_the_origin() {
        for origin in ORIGINS {
            for mask in 0..16u8 {
                let mut f = facts(origin);
                let mut expected = Vec::new();
                if mask & 1 != 0 {
                    f.expires_on = date("2026-11-30");
                    expected.push(Reason::Expired);
                }
                match mask & 6 {
                    2 => {
                        f.employer_credit_code = None;
                        expected.push(Reason::NotEmployed);
                    }
                    4 | 6 => {
                        f.employer_credit_code = Some(OTHER);
                        expected.push(Reason::EmployerDiffers);
                    }
                    _ => {}
                }
                if mask & 8 != 0 {
                    f.held_of_kind = MAX_PER_KIND_OR_CATEGORY + 1;
                    expected.push(Reason::TooMany);
                }
                let status = certificate_status(&f);
                if expected.is_empty() {
                    assert_ne!(status.code(), "unavailable", "{origin:?} {mask}");
                } else {
                    assert_eq!(status, Status::Unavailable(expected), "{origin:?} {mask}");
                }
            }
        }
    }

    #[test]
    fn the_expiry_day_itself_is_still_valid() {
        let mut f = facts(Origin::Imported);
        f.expires_on = f.today;
        assert_eq!(certificate_status(&f), Status::InUse);
        f.expires_on = f.today.add_days(-1);
        assert_eq!(certificate_status(&f), Status::Unavailable(vec![Reason::Expired]));
    }

    #[test]
    fn credit_codes_compare_without_case() {
        let mut f = facts(Origin::Imported);
        f.employer_credit_code = Some("91350100m000100y43");
        assert_eq!(certificate_status(&f), Status::InUse);
    }

    #[test]
    fn cancelled_and_replaced_certificates_are_only_that() {
        for origin in ORIGINS {
            let mut f = facts(origin);
            f.expires_on = date("2000-01-01");
            f.employer_credit_code = None;
            f.held_of_kind = 3;
            f.state = State::Cancelled;
            assert_eq!(certificate_status(&f), Status::Cancelled);
            f.state = State::Replaced;
            assert_eq!(certificate_status(&f), Status::Replaced);
        }
    }

    #[test]
    fn statuses_have_codes_labels_and_reasons() {
        let unavailable = Status::Unavailable(vec![Reason::TooMany]);
        assert_eq!(unavailable.code(), "unavailable");
        assert_eq!(unavailable.label(), "暂不可用");
        assert_eq!(unavailable.reasons(), &[Reason::TooMany]);
        assert!(Status::InUse.reasons().is_empty());
        assert_eq!(Status::InUse.label(), "正常使用");
        for reason in [
            Reason::Expired,
            Reason::EmployerDiffers,
            Reason::NotEmployed,
            Reason::TooMany,
        ] {
            assert!(!reason.message().0.is_empty() && !reason.message().1.is_empty());
        }
    }
}
