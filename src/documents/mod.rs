//! Documents (DOMAIN.md §5): uploaded files with their owner, purpose, detected type, size,
//! SHA-256, state and the record they are attached to. The bytes live in the object store.

mod images;
pub mod routes;
pub mod rules;
pub mod store;
pub mod sweeper;
pub mod upload;
