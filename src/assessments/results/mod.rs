//! Final results (考核评价): scores and grades of the four categories, dynamic adjustments,
//! the grading rules, exports.

pub mod export;
pub mod grading;
pub mod routes;
pub mod store;
pub mod view;
