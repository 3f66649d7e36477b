//! Employment relations (DOMAIN.md §3, seed 003 §1.2): the enterprise finds a registered
//! person by full ID number and sends a request with position and contract period; the person
//! accepts or refuses in the mini-program only, accepting with a face check; a person has at
//! most one employer at a time; either side ends a relation, and history is kept.
//!
//! Other domains reach employment only through this file: `employer_of`.

pub mod routes;
pub mod rules;
mod store;

pub use store::{CertificateView, EmploymentView, RequestView};

use crate::platform::db::Executor;
use crate::platform::ids::{EnterpriseId, PersonId};

/// The enterprise that currently employs the person, if any.
pub async fn employer_of(db: impl Executor<'_>, person_id: &PersonId) -> Result<Option<EnterpriseId>, sqlx::Error> {
    Ok(store::active_employer(db, person_id)
        .await?
        .map(|(_, enterprise)| enterprise))
}
