//! Training institutions (培训机构) and continuing education (继续教育), seeds 002 and 003:
//! "证书延续，先由培训机构上传继续教育合格记录，个人在继续教育栏可查看继续教育记录".
//!
//! - `accounts`: the training institution, a kind of account of its own (role `training`)
//!   whose one right is entering continuing-education records; city staff and system
//!   administrators open them;
//! - `rules`: one record checked field by field (the form and each import row), usernames;
//! - `store`: the SQL; `store::passed_hours` is the seam the renewal service reads;
//! - `routes`: the accounts, records one by one or by CSV, the lists within bounds, a
//!   person's own records.
//!
//! Holders are keyed as certificates are, by `people::id_number_key`; ID numbers and names are
//! sealed (context `continuing_education:<id>:<field>`) and shown masked / unsealed.

pub mod accounts;
pub mod routes;
pub mod rules;
pub mod store;

pub use store::passed_hours;
