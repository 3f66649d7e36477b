use super::*;

fn day(raw: &str) -> Date {
    Date::parse(raw).unwrap()
}

const LIMITS: Limits = Limits {
    employer_change_interval_months: 6,
    renewal_window_days: 90,
    renewal_education_hours: 24,
};

/// A person who meets every condition of every service, holding a standing certificate of
/// their employer expiring in two months, with enough continuing education.
fn ready() -> Facts {
    Facts {
        real_name: true,
        portrait: true,
        employer_credit_code: Some("NEW".into()),
        in_progress: false,
        certificate: Some(CertificateFacts {
            standing: true,
            enterprise_credit_code: "NEW".into(),
            expires_on: day("2027-02-01"),
            enterprise_registered: true,
        }),
        last_employer_change_on: None,
        ongoing_projects: 0,
        education_hours: 24,
        number_on_record: false,
    }
}

fn moved() -> Facts {
    let mut facts = ready();
    facts.certificate.as_mut().unwrap().enterprise_credit_code = "OLD".into();
    facts
}

fn check(kind: ApplicationKind, facts: &Facts) -> Vec<Bar> {
    bars(kind, facts, Confirmation::ByEnterprise, LIMITS, day("2026-12-01"))
}

#[test]
fn a_ready_person_meets_every_service() {
    assert_eq!(check(ApplicationKind::EmployerChange, &moved()), vec![]);
    for kind in [
        ApplicationKind::Cancellation,
        ApplicationKind::Renewal,
        ApplicationKind::Supplement,
        ApplicationKind::Correction,
    ] {
        assert_eq!(check(kind, &ready()), vec![], "{kind:?}");
    }
}

#[test]
fn every_failing_applicant_condition_is_named() {
    let facts = Facts {
        real_name: false,
        portrait: false,
        employer_credit_code: None,
        in_progress: true,
        ..moved()
    };
    assert_eq!(
        check(ApplicationKind::EmployerChange, &facts),
        vec![Bar::NotRealName, Bar::NoPortrait, Bar::NotEmployed, Bar::InProgress]
    );
    // A cancellation issues no electronic certificate: no portrait needed.
    assert_eq!(
        check(ApplicationKind::Cancellation, &facts),
        vec![Bar::NotRealName, Bar::NotEmployed, Bar::InProgress]
    );
}

#[test]
fn a_second_employer_change_waits_six_months() {
    let mut facts = moved();
    facts.last_employer_change_on = Some(day("2026-06-02"));
    assert_eq!(
        check(ApplicationKind::EmployerChange, &facts),
        vec![Bar::ChangedRecently {
            from: day("2026-12-02")
        }]
    );
    facts.last_employer_change_on = Some(day("2026-06-01"));
    assert_eq!(check(ApplicationKind::EmployerChange, &facts), vec![]);
}

#[test]
fn an_employer_change_needs_another_employer_and_one_who_can_confirm() {
    assert_eq!(
        check(ApplicationKind::EmployerChange, &ready()),
        vec![Bar::AlreadyWithEmployer]
    );
    let mut facts = moved();
    facts.certificate.as_mut().unwrap().enterprise_registered = false;
    assert_eq!(
        check(ApplicationKind::EmployerChange, &facts),
        vec![Bar::EnterpriseCannotConfirm]
    );
    let at_desk = bars(
        ApplicationKind::EmployerChange,
        &facts,
        Confirmation::AtTheDesk,
        LIMITS,
        day("2026-12-01"),
    );
    assert_eq!(at_desk, vec![]);
}

#[test]
fn a_cancelled_certificate_takes_no_service() {
    let mut facts = ready();
    facts.certificate.as_mut().unwrap().standing = false;
    assert_eq!(check(ApplicationKind::Renewal, &facts), vec![Bar::NotStanding]);
    assert_eq!(check(ApplicationKind::Cancellation, &facts), vec![Bar::NotStanding]);
}

#[test]
fn a_project_manager_with_a_project_under_construction_cannot_cancel() {
    let facts = Facts {
        ongoing_projects: 1,
        ..ready()
    };
    assert_eq!(check(ApplicationKind::Cancellation, &facts), vec![Bar::OngoingProject]);
}

#[test]
fn a_renewal_opens_ninety_days_before_expiry_and_needs_the_hours_and_the_employer() {
    let mut facts = ready();
    facts.certificate.as_mut().unwrap().expires_on = day("2027-03-02");
    assert_eq!(
        check(ApplicationKind::Renewal, &facts),
        vec![Bar::NotYetRenewable {
            from: day("2026-12-02")
        }]
    );
    facts.certificate.as_mut().unwrap().expires_on = day("2027-03-01");
    assert_eq!(check(ApplicationKind::Renewal, &facts), vec![]);
    // An expired certificate is renewed too (its status says: apply for a renewal).
    facts.certificate.as_mut().unwrap().expires_on = day("2026-01-01");
    assert_eq!(check(ApplicationKind::Renewal, &facts), vec![]);
    facts.education_hours = 23;
    assert_eq!(
        check(ApplicationKind::Renewal, &facts),
        vec![Bar::EducationShort { hours: 23, needed: 24 }]
    );
    assert_eq!(check(ApplicationKind::Renewal, &moved()), vec![Bar::EmployerDiffers]);
}

#[test]
fn a_supplement_of_a_number_on_record_is_refused() {
    let facts = Facts {
        certificate: None,
        number_on_record: true,
        ..ready()
    };
    assert_eq!(check(ApplicationKind::Supplement, &facts), vec![Bar::NumberOnRecord]);
}

#[test]
fn every_bar_has_a_code_and_words() {
    let all = [
        Bar::NotRealName,
        Bar::NoPortrait,
        Bar::NotEmployed,
        Bar::InProgress,
        Bar::NotStanding,
        Bar::ChangedRecently {
            from: day("2027-01-01"),
        },
        Bar::AlreadyWithEmployer,
        Bar::EnterpriseCannotConfirm,
        Bar::OngoingProject,
        Bar::EmployerDiffers,
        Bar::NotYetRenewable {
            from: day("2027-01-01"),
        },
        Bar::EducationShort { hours: 1, needed: 2 },
        Bar::NumberOnRecord,
        Bar::NothingToReissue,
    ];
    let codes: std::collections::HashSet<_> = all.iter().map(|b| b.code()).collect();
    assert_eq!(codes.len(), all.len());
    for bar in all {
        let (zh, en) = bar.message();
        assert!(!zh.is_empty() && !en.is_empty());
    }
    assert!(Bar::ChangedRecently {
        from: day("2027-01-01")
    }
    .message()
    .0
    .contains("2027-01-01"));
}

#[test]
fn a_reissue_needs_certificates_under_a_former_name_and_nothing_in_progress() {
    assert_eq!(name_change_bars(3, false), vec![]);
    assert_eq!(name_change_bars(0, true), vec![Bar::NothingToReissue, Bar::InProgress]);
}
