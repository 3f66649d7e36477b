//! Daily assessment (日常考核): bonus events reported by enterprises, deductions recorded by
//! staff, each reviewed; point values from an editable table.

mod listing;
mod reporting;
pub mod routes;
pub mod store;
