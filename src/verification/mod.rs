//! Qualification dynamic verification (资质动态核查, DOMAIN.md §4, seed 004): tasks, the
//! selection of check-in personnel, review, and face-verified check-in at the enterprise's
//! registered address. The rules come first (`rules.rs`); the endpoints follow.

pub mod checkin;
pub mod geofence;
pub mod outcomes;
pub mod review;
pub mod routes;
pub mod rules;
pub mod selection;
pub mod signals;
pub mod store;
