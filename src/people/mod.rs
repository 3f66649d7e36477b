//! People (individuals). A WeChat login creates an unregistered person bound to the openid;
//! real-name registration comes with the face engine.

pub mod accounts;
pub mod routes;
pub mod store;
