//! Authority staff accounts: the city station, district authorities, supervisors and system
//! administrators. The first sysadmin comes from `zhujian admin create-staff`; after that, staff
//! create staff through the API within their own jurisdiction (`rules::may_create`).

pub mod accounts;
pub mod manage;
pub mod routes;
pub mod rules;
pub mod store;

use crate::auth::Role;

/// The roles that administer staff accounts (each within its jurisdiction).
const STAFF_ROLES: &[Role] = &[Role::City, Role::District, Role::Supervisor, Role::Sysadmin];
