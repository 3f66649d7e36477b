//! The platform: what every domain stands on and none owns. Settings, the database and its
//! migrations, errors and the HTTP plumbing, observability, serving, time, keys, paging,
//! background-job leases, health endpoints, the object store, outbound SMS, the WeChat client
//! (one access token per mini-program), the validated
//! value types every domain shares (credit codes, ID numbers, phones…), and the CSV and XLSX
//! formats.
//! Nothing here imports a domain module.

pub mod clock;
pub mod config;
pub mod crypto;
pub mod csv;
pub mod db;
pub mod error;
pub mod ids;
pub mod imports;
pub mod jobs;
pub mod objects;
pub mod observe;
pub mod ops;
pub mod packages;
pub mod paging;
pub mod server;
pub mod sms;
pub mod sorting;
pub mod types;
pub mod web;
pub mod wechat;
pub mod xlsx;

#[cfg(test)]
pub mod fuzzing;
