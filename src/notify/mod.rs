//! Notifications: the outbox that delivers SMS notices to enterprise contacts (through
//! `platform::sms`) and WeChat subscription messages to persons (`platform::wechat`), the
//! person's inbox, what notices say (`texts`), and the staff inbox of what awaits their
//! decision (`awaiting`).

pub mod awaiting;
pub mod outbox;
pub mod routes;
pub mod store;
pub mod texts;
