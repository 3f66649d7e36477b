//! Integration tests through HTTP against the real server, each on SQLite and PostgreSQL.

mod face_limits;
mod faces;
mod fakes;
mod harness;

mod assessments;
mod audit;
mod auth;
mod crash;
mod daily;
mod deliveries;
mod documents;
mod employment;
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
mod results;
mod schema;
mod sessions;
mod staff;
mod verification;
