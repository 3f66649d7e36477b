//! Certificates (DOMAIN.md §7, seeds 002 and 003): safety-management certificates (安管人员
//! A/B/C) and special-operations certificates (特种作业, with their operation category), their
//! holders matched by the keyed hash of the ID number, and their track (证书轨迹).
//!
//! - `kinds`: the fixed lists (kind, category, origin, state, event kind);
//! - `rules`: the status of a certificate, computed from its facts whenever it is read;
//! - `import`: one row of the historical import, checked;
//! - `store`: the SQL (reads within bounds with the status facts; batched import writes);
//! - `routes`: import, my certificates, lists and detail within scope, the public lookup;
//! - `electronic`: the electronic certificate (PDF) and its signature.
//!
//! No other domain reaches certificates yet. Applications (办件) will append events and
//! replace certificates (`replaced_by`) through a seam here.

pub mod electronic;
pub mod import;
pub mod kinds;
pub mod routes;
pub mod rules;
mod store;
