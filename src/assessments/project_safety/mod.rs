//! Supervisors' project safety production conditions assessments (项目安全生产条件考核).

pub mod routes;
pub mod store;
