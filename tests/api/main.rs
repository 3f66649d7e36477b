//! Integration tests through HTTP against the real server, each on SQLite and PostgreSQL.

mod face_limits;
mod faces;
mod fakes;
mod harness;

mod assessments;
mod audit;
mod auth;
mod connections;
mod crash;
mod daily;
mod deliveries;
mod dev_wechat;
mod documents;
mod employment;
mod enterprise_phones;
mod enterprises;
mod errors;
mod files;
mod identity;
mod limits;
mod one_face;
mod ops;
mod password_reset;
mod people;
mod photos;
mod process;
mod projects;
mod registration_liveness;
mod results;
mod schema;
mod sessions;
mod spreadsheets;
mod staff;
mod text_inputs;
mod verification;
