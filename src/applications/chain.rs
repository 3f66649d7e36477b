//! Approval chains: which steps an application of each kind walks, in order. The seeds' chains
//! are the default (seed 003 §1.3): an employer change is confirmed by the certificate's
//! enterprise, then reviewed by the authority; a cancellation is confirmed by the employer and
//! approved by the higher authority; a renewal is confirmed by the employer, accepted by the
//! local authority and approved by the higher one; a supplement or correction is decided at
//! the desk where the original is checked. In a city platform the local authority is the
//! district and the higher one the city. `applications.approval_chains` replaces the chain of
//! any kind, e.g. `["renewal=enterprise>city"]`; a chain is fixed on an application when it is
//! created, so changing the setting never moves one in progress.

use std::collections::HashMap;

use super::kinds::{ApplicationKind, Step};

/// The chain of every kind.
pub type Chains = HashMap<ApplicationKind, Vec<Step>>;

/// The seeds' chain of `kind`.
pub fn default_chain(kind: ApplicationKind) -> &'static [Step] {
    use Step::*;
    match kind {
        ApplicationKind::EmployerChange => &[Enterprise, District],
        ApplicationKind::Cancellation => &[Enterprise, City],
        ApplicationKind::Renewal => &[Enterprise, District, City],
        ApplicationKind::Supplement | ApplicationKind::Correction => &[District],
        ApplicationKind::Issue => &[City],
        ApplicationKind::NameChange => &[District],
    }
}

/// Whether an enterprise can confirm applications of `kind`: the applicant's employer (or the
/// certificate's enterprise, for an employer change). An enterprise's own reissue has nobody
/// above it to confirm; an exam's issue is the authority's.
fn may_have_enterprise_step(kind: ApplicationKind) -> bool {
    !matches!(kind, ApplicationKind::NameChange | ApplicationKind::Issue)
}

/// Why a chain cannot be used for `kind`, if it cannot.
pub fn chain_problem(kind: ApplicationKind, steps: &[Step]) -> Option<String> {
    let Some(last) = steps.last() else {
        return Some("a chain needs at least one step".into());
    };
    if !last.is_staff() {
        return Some("the last step must be the authority's (district or city)".into());
    }
    if steps.iter().skip(1).any(|s| *s == Step::Enterprise) {
        return Some("the enterprise confirms first, or not at all".into());
    }
    if steps.first() == Some(&Step::Enterprise) && !may_have_enterprise_step(kind) {
        return Some(format!("{} has no enterprise to confirm it", kind.as_str()));
    }
    if steps.windows(2).any(|w| w[0] == w[1]) {
        return Some("a step follows itself".into());
    }
    None
}

/// A chain as stored: `enterprise>district>city`.
pub fn format(steps: &[Step]) -> String {
    steps.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(">")
}

/// A stored chain read back.
pub fn parse(raw: &str) -> Option<Vec<Step>> {
    raw.split('>').map(|s| Step::parse(s.trim())).collect()
}

/// The chains of every kind: the defaults with the setting's entries (`kind=a>b>c`) in place,
/// each checked; the error names the entry at fault.
pub fn configured(entries: &[String]) -> Result<Chains, String> {
    let mut chains: Chains = ApplicationKind::ALL
        .into_iter()
        .map(|k| (k, default_chain(k).to_vec()))
        .collect();
    for entry in entries {
        let (kind, steps) = entry
            .split_once('=')
            .ok_or_else(|| format!("{entry}: expected kind=step>step"))?;
        let kind =
            ApplicationKind::parse(kind.trim()).ok_or_else(|| format!("{entry}: unknown kind of application"))?;
        let steps = parse(steps).ok_or_else(|| format!("{entry}: steps are enterprise, district or city"))?;
        if let Some(problem) = chain_problem(kind, &steps) {
            return Err(format!("{entry}: {problem}"));
        }
        chains.insert(kind, steps);
    }
    Ok(chains)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Step::*;

    #[test]
    fn every_default_chain_is_usable() {
        for kind in ApplicationKind::ALL {
            assert_eq!(chain_problem(kind, default_chain(kind)), None, "{kind:?}");
        }
    }

    #[test]
    fn a_setting_replaces_one_kind_and_keeps_the_others() {
        let chains = configured(&["renewal = enterprise>city".into()]).unwrap();
        assert_eq!(chains[&ApplicationKind::Renewal], vec![Enterprise, City]);
        assert_eq!(chains[&ApplicationKind::Cancellation], vec![Enterprise, City]);
        assert_eq!(chains[&ApplicationKind::Supplement], vec![District]);
    }

    #[test]
    fn unusable_chains_are_named() {
        for (entry, says) in [
            ("renewal=enterprise", "last step"),
            ("renewal=district>enterprise>city", "confirms first"),
            ("name_change=enterprise>district", "no enterprise"),
            ("renewal=district>district", "follows itself"),
            ("renewal=province", "steps are"),
            ("transfer=city", "unknown kind"),
            ("renewal", "expected"),
            ("renewal=", "steps are"),
        ] {
            let error = configured(&[entry.into()]).unwrap_err();
            assert!(error.contains(says), "{entry}: {error}");
        }
    }

    #[test]
    fn a_stored_chain_reads_back() {
        let steps = [Enterprise, District, City];
        assert_eq!(format(&steps), "enterprise>district>city");
        assert_eq!(parse(&format(&steps)), Some(steps.to_vec()));
        assert_eq!(parse("enterprise>x"), None);
    }
}
