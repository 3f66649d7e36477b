//! Construction projects (工程项目): the permit platform's projects, created by staff or
//! imported from CSV; supervisors assess them and daily assessments refer to them.

pub mod routes;
pub mod store;
