//! Outbound notifications. `sms` sends text messages through a provider's HTTP API.

pub mod outbox;
pub mod routes;
pub mod sms;
pub mod store;
