//! Enterprise accounts (DOMAIN.md §2): identified by the unified social credit code; staff open
//! the account and the initial password goes to the enterprise contact by SMS (seed 004: 登录密码
//! 将以短信形式告知核查企业联系人). The full profile comes with the employment work.

pub mod accounts;
pub mod routes;
pub mod store;
