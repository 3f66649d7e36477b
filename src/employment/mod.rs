//! Employment relations (DOMAIN.md §3, seed 003 §1.2): the enterprise finds a registered
//! person by full ID number and sends a request with position and contract period; the person
//! accepts or refuses in the mini-program only, accepting with a face check; a person has at
//! most one employer at a time; either side ends a relation, and history is kept.

pub mod routes;
pub mod rules;
pub mod store;
