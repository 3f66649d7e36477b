//! Employment SQL. Reads are confined to the caller's `Bounds`: a person sees their own, an enterprise
//! its own, district staff those of enterprises in their district, city staff all.
//!
//! - `requests`: employment requests, their acceptance, refusal, withdrawal and expiry;
//! - `relations`: employment relations (聘用关系), ending them, the technical lead;
//! - `certificates`: employees' registration certificates and professional titles;
//! - this file: the bounds and the join every read shares.

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

use crate::auth::{Columns, Key};
use crate::platform::crypto::Keys;
use crate::platform::ids::PersonId;

/// Where employment requests and relations keep the bounds: the person, the enterprise and
/// the enterprise's district.
const BOUNDS: Columns = Columns {
    person: Some(Key::Column("x.person_id")),
    enterprise: Some(Key::Column("x.enterprise_id")),
    district: Some(Key::Column("e.district_code")),
    owner: None,
    training: None,
};

/// Rows of `table` (as `x`) joined with the enterprise and the person's identity; the caller
/// adds the `WHERE`, with the bounds over `BOUNDS`.
fn joined(table: &str, columns: &str) -> String {
    format!(
        "SELECT {columns}, e.name AS enterprise_name, i.name_sealed, i.id_number_masked \
         FROM {table} x JOIN enterprises e ON e.id = x.enterprise_id \
         JOIN person_identities i ON i.person_id = x.person_id"
    )
}

fn person_name(keys: &Keys, person_id: &PersonId, sealed: &str) -> String {
    crate::people::unseal_name(keys, person_id, sealed).unwrap_or_default()
}
