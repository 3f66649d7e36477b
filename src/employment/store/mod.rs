//! Employment SQL. Reads filter by the caller's scope: a person sees their own, an enterprise
//! its own, district staff those of enterprises in their district, city staff all.
//!
//! - `requests`: employment requests, their acceptance, refusal, withdrawal and expiry;
//! - `relations`: employment relations (聘用关系), ending them, the technical lead;
//! - `certificates`: employees' registration certificates and professional titles;
//! - this file: the scope condition every read shares.

mod certificates;
mod relations;
mod requests;

pub use certificates::{add_certificate, certificates, remove_certificate, CertificateView, NewCertificate};
pub use relations::{
    active_employer, end, get_employment, list_employments, set_technical_lead, EmploymentRow, EmploymentView,
};
pub use requests::{
    accept, close_request, enterprise_name, expire_due, get_request, insert_request, list_requests, AcceptFailure,
    NewRequest, RequestRow, RequestView,
};

use crate::auth::{Caller, Scope};
use crate::people::store::context;
use crate::state::AppState;

/// The three binds of a scope condition: (person, enterprise, district).
pub struct Visibility {
    person: Option<String>,
    enterprise: Option<String>,
    district: Option<String>,
}

impl Visibility {
    /// Binds the scope as $1–$3 of a query built on `scoped`.
    fn bind<'q, O>(
        &'q self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        query
            .bind(self.person.as_deref())
            .bind(self.enterprise.as_deref())
            .bind(self.district.as_deref())
    }

    pub fn of(caller: &Caller) -> Visibility {
        let (person, enterprise, district) = match &caller.scope {
            Scope::Person(id) => (Some(id.clone()), None, None),
            Scope::Enterprise(id) => (None, Some(id.clone()), None),
            Scope::District(code) => (None, None, Some(code.clone())),
            Scope::City => (None, None, None),
        };
        Visibility {
            person,
            enterprise,
            district,
        }
    }
}

/// Rows joined with the enterprise and the person's identity, scope-filtered by $1–$3.
fn scoped(table: &str, columns: &str) -> String {
    format!(
        "SELECT {columns}, e.name AS enterprise_name, i.name_sealed, i.id_number_masked \
         FROM {table} x JOIN enterprises e ON e.id = x.enterprise_id \
         JOIN person_identities i ON i.person_id = x.person_id \
         WHERE ($1 IS NULL OR x.person_id = $1) AND ($2 IS NULL OR x.enterprise_id = $2) AND ($3 IS NULL OR e.district_code = $3)"
    )
}

fn person_name(state: &AppState, person_id: &str, sealed: &str) -> String {
    state
        .keys
        .open(&context(person_id, "name"), sealed)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}
