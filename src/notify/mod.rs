//! Notifications: the outbox that delivers SMS notices (through `platform::sms`) and the
//! person's inbox.

pub mod outbox;
pub mod routes;
pub mod store;
