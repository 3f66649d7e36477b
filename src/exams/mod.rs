//! Exam registration (考试报名): batches per district and exam type, enterprises registering
//! their employees under the manual's conditions, staff review and outcomes.

pub mod routes;
pub mod rules;
pub mod store;
