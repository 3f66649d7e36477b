//! Outbound notifications. `sms` sends text messages through a provider's HTTP API.

pub mod sms;
