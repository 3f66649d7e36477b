//! Certificates (DOMAIN.md §7, seeds 002 and 003): safety-management certificates (安管人员
//! A/B/C) and special-operations certificates (特种作业, with their operation category), their
//! holders matched by the keyed hash of the ID number, and their track (证书轨迹).
//!
//! - `kinds`: the fixed lists (kind, category, origin, state, event kind);
//! - `rules`: the status of a certificate, computed from its facts whenever it is read;
//! - `import`: one row of the historical import, checked;
//! - `store`: the SQL (reads within bounds with the status facts; batched import writes);
//! - `routes`: import, my certificates, lists and detail within scope, the public lookup;
//! - `electronic`: the electronic certificate (PDF) and its signature;
//! - `changes`: what applications (办件) do to certificates, each change with its track event:
//!   the only way another domain writes certificates.

pub mod changes;
pub mod electronic;
pub mod import;
pub mod kinds;
pub mod routes;
pub mod rules;
mod store;
